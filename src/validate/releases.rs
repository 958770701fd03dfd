//! OpenClaw releases: ordering, the recorded ones, and which recorded schema stands for a
//! release that was not recorded.

use super::schema::{table, ReleaseSchema};
use std::cmp::Ordering;

/// Splits `2026.5.7-beta.1` into its numbers (compared in order, as a list) and its
/// prerelease tag. The numbers are read as they are compared, never collected: the verdicts
/// compare releases several times per gateway.
fn parts(v: &str) -> (impl Iterator<Item = u64> + '_, Option<&str>) {
    let v = v.trim().trim_start_matches('v');
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    (core.as_bytes().split(|b| *b == b'.').map(number), pre)
}

/// `n.parse::<u64>().unwrap_or(0)` on bytes: an optional `+`, then digits; anything else, or
/// a number past `u64::MAX`, is 0.
fn number(n: &[u8]) -> u64 {
    let digits = n.strip_prefix(b"+").unwrap_or(n);
    if digits.is_empty() {
        return 0;
    }
    let mut value: u64 = 0;
    for &b in digits {
        let next = b
            .is_ascii_digit()
            .then(|| value.checked_mul(10)?.checked_add(u64::from(b - b'0')))
            .flatten();
        match next {
            Some(next) => value = next,
            None => return 0,
        }
    }
    value
}

/// Semver order: numbers first, and a prerelease (`-beta.1`, `-1`) before its release.
pub fn compare(a: &str, b: &str) -> Ordering {
    // Most releases are numbers and dots only (`2026.9.6`): nothing to trim, no prerelease.
    match (plain_numbers(a.as_bytes()), plain_numbers(b.as_bytes())) {
        (Some((x, m)), Some((y, n))) => x[..m].cmp(&y[..n]),
        _ => compare_parts(a, b),
    }
}

/// The numbers of a release spelt with digits and dots only and at most four numbers (every
/// recorded one), read in one pass, as [`number`] reads each; `None` for any other spelling.
/// The verdicts compare each gateway's release with several others.
fn plain_numbers(v: &[u8]) -> Option<([u64; 4], usize)> {
    if v.is_empty() {
        return None;
    }
    let mut numbers = [0; 4];
    let mut at = 0;
    // `None` once the number no longer fits: it then reads as 0, as `number` reads it.
    let mut value = Some(0u64);
    for &b in v {
        match b {
            b'0'..=b'9' => {
                value = value.and_then(|n| n.checked_mul(10)?.checked_add(u64::from(b - b'0')));
            }
            b'.' if at < 3 => {
                numbers[at] = value.unwrap_or(0);
                at += 1;
                value = Some(0);
            }
            _ => return None,
        }
    }
    numbers[at] = value.unwrap_or(0);
    Some((numbers, at + 1))
}

/// [`compare`] of any two spellings.
fn compare_parts(a: &str, b: &str) -> Ordering {
    let (na, pa) = parts(a);
    let (nb, pb) = parts(b);
    na.cmp(nb).then_with(|| match (pa, pb) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    })
}

/// At most this many (table, release) answers are remembered per thread; past it they are
/// forgotten and found again (a layout names a few releases, but it may name any number).
const NEWEST_MEMO_MAX: usize = 64;

/// Remembered answers of [`newest_not_newer`]: (table's address, release, index).
type NewestMemo = Vec<(usize, Box<str>, Option<usize>)>;

/// The newest entry of `table` (oldest first) whose release, `since(entry)`, is not newer than
/// `release`; `None` before the first. Each table is asked about the same few releases for
/// every gateway (about ten lookups of up to a dozen comparisons per gateway), so each answer
/// is found once per table and release and remembered for the thread.
pub fn newest_not_newer<T>(
    table: &'static [T],
    since: impl Fn(&T) -> &str,
    release: &str,
) -> Option<&'static T> {
    thread_local! {
        static MEMO: std::cell::RefCell<NewestMemo> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Tables are told apart by where they are: each is a static (or a value kept in one).
    let id = table.as_ptr() as usize;
    let known = MEMO.with_borrow(|memo| {
        memo.iter()
            .find(|(t, r, _)| *t == id && **r == *release)
            .map(|(_, _, index)| *index)
    });
    let index = known.unwrap_or_else(|| {
        let index = table
            .iter()
            .rposition(|e| compare(since(e), release).is_le());
        MEMO.with_borrow_mut(|memo| {
            if memo.len() >= NEWEST_MEMO_MAX {
                memo.clear();
            }
            memo.push((id, release.into(), index));
        });
        index
    });
    index.map(|i| &table[i])
}

/// Whether a string looks like an OpenClaw release (`2026.9.6`, `2026.2.22-1`).
pub fn is_release(v: &str) -> bool {
    let (nums, _) = parts(v);
    let core = v
        .trim()
        .trim_start_matches('v')
        .split('-')
        .next()
        .unwrap_or("");
    nums.count() == 3
        && core
            .split('.')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The newest release whose schema is recorded.
pub fn newest() -> &'static str {
    table()
        .releases()
        .iter()
        .rev()
        .find(|(_, s)| matches!(s, ReleaseSchema::Root(_)))
        .map(|(v, _)| v.as_str())
        .unwrap_or("2026.9.6")
}

/// The recorded release whose schema stands for `version`: itself when recorded, else the
/// newest recorded release not newer than it (the oldest recorded one for older releases).
pub fn schema_for(version: &str) -> &'static str {
    let recorded: Vec<&'static str> = table()
        .releases()
        .iter()
        .filter(|(_, s)| matches!(s, ReleaseSchema::Root(_)))
        .map(|(v, _)| v.as_str())
        .collect();
    recorded
        .iter()
        .rev()
        .find(|v| compare(v, version).is_le())
        .or(recorded.first())
        .copied()
        .unwrap_or("2026.9.6")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_not_newer_remembers_each_table_and_release_apart() {
        static A: [&str; 3] = ["2026.1.30", "2026.3.31", "2026.9.6"];
        static B: [&str; 2] = ["2026.3.31", "2026.5.28"];
        fn a(r: &str) -> Option<&'static str> {
            newest_not_newer(&A, |s| s, r).copied()
        }
        fn b(r: &str) -> Option<&'static str> {
            newest_not_newer(&B, |s| s, r).copied()
        }
        for _ in 0..2 {
            assert_eq!(a("2026.4.29"), Some("2026.3.31"));
            assert_eq!(b("2026.4.29"), Some("2026.3.31"));
            assert_eq!(a("2026.9.6"), Some("2026.9.6"));
            assert_eq!(b("2026.9.6"), Some("2026.5.28"));
            assert_eq!(a("2026.1.2"), None);
            assert_eq!(b("2026.3.30"), None);
        }
        // Past the memo's bound it starts again, with the same answers.
        for n in 0..2 * NEWEST_MEMO_MAX {
            assert_eq!(a(&format!("2026.2.{n}")), Some("2026.1.30"));
        }
        assert_eq!(b("2026.6.1"), Some("2026.5.28"));
    }

    #[test]
    fn order() {
        assert!(compare("2026.9.6", "2026.10.1").is_lt());
        assert!(compare("2026.2.22-1", "2026.2.22").is_lt());
        assert!(compare("2026.5.7-beta.1", "2026.5.7").is_lt());
        assert!(compare("2026.9.6", "2026.9.6").is_eq());
        for n in [
            "",
            "0",
            "7",
            "+7",
            "+",
            "-7",
            "07",
            "1a",
            "18446744073709551615",
            "18446744073709551616",
            "٣",
        ] {
            assert_eq!(number(n.as_bytes()), n.parse::<u64>().unwrap_or(0), "{n:?}");
        }
        assert!(is_release("2026.1.29"));
        assert!(!is_release("latest"));
    }

    /// Releases of numbers and dots are compared as any other spelling is.
    #[test]
    fn plain_releases_compare_as_parsed() {
        let all = [
            "",
            ".",
            "..",
            "1",
            "1.",
            ".1",
            "1..2",
            "2026.9.6",
            "2026.10.1",
            "2026.9.06",
            "2026.9.6.0",
            "2026.9.6.0.1",
            "1.2.3.4.5",
            "2026.9",
            "v2026.9.6",
            " 2026.9.6",
            "2026.9.6-1",
            "18446744073709551616",
        ];
        for a in all {
            for b in all {
                assert_eq!(compare(a, b), compare_parts(a, b), "{a:?} {b:?}");
            }
        }
    }
}
