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
    compare_plain(a.as_bytes(), b.as_bytes()).unwrap_or_else(|| compare_parts(a, b))
}

/// [`compare`] of two releases whose numbers, up to the one that decides, are digits only: each
/// pair of numbers compared as digit strings (without leading zeros, the shorter the smaller),
/// in one pass, nothing parsed. The verdicts compare each gateway's release with several others.
/// `None` when a number it compares is spelt otherwise (a prerelease, a `v`, a sign, white
/// space, more than [`PLAIN_DIGITS`] digits), for [`compare_parts`]; once one list of numbers
/// ends first, what follows in the other (its core goes on past a dot) only makes it longer.
fn compare_plain(a: &[u8], b: &[u8]) -> Option<Ordering> {
    let mut xs = a.split(|c| *c == b'.');
    let mut ys = b.split(|c| *c == b'.');
    loop {
        let (x, y) = match (xs.next(), ys.next()) {
            (None, None) => return Some(Ordering::Equal),
            (None, Some(_)) => return Some(Ordering::Less),
            (Some(_), None) => return Some(Ordering::Greater),
            (Some(x), Some(y)) => (plain_digits(x)?, plain_digits(y)?),
        };
        let order = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
        if order.is_ne() {
            return Some(order);
        }
    }
}

/// A number of digits only, without its leading zeros (empty: 0, as [`number`] reads it);
/// `None` for any other spelling, or more than [`PLAIN_DIGITS`] digits (which [`number`] may
/// read as 0).
fn plain_digits(n: &[u8]) -> Option<&[u8]> {
    if !n.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let first = n.iter().position(|d| *d != b'0').unwrap_or(n.len());
    Some(&n[first..]).filter(|digits| digits.len() <= PLAIN_DIGITS)
}

/// The most digits [`plain_digits`] takes: 19 nines still fit a `u64`.
const PLAIN_DIGITS: usize = 19;

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

    /// Random spellings of digits, dots, signs, a `v` and white space compare as parsed.
    #[test]
    fn random_spellings_compare_as_parsed() {
        let mut rng = crate::xorshift::Rng(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"00129..-v +";
        let spelling = |rng: &mut crate::xorshift::Rng| -> String {
            let len = rng.below(9) as usize;
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char)
                .collect()
        };
        for _ in 0..20_000 {
            let (a, b) = (spelling(&mut rng), spelling(&mut rng));
            assert_eq!(compare(&a, &b), compare_parts(&a, &b), "{a:?} {b:?}");
        }
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
            "9999999999999999999.1",
            "09999999999999999999.1",
            "99999999999999999999.1",
            "2026.9.",
            "2026.9.-1",
            "2026.9. ",
            "1.-3",
            "00000000000000000000001.2",
            "2026.09.6",
            "2026.9.6-beta.1",
            "+2026.9.6",
        ];
        for a in all {
            for b in all {
                assert_eq!(compare(a, b), compare_parts(a, b), "{a:?} {b:?}");
            }
        }
    }
}
