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
    let (na, pa) = parts(a);
    let (nb, pb) = parts(b);
    na.cmp(nb).then_with(|| match (pa, pb) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    })
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
}
