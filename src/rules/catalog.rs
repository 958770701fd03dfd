//! The rule pages in `rules/*.toml`, embedded at build time: code, name, family, category
//! (which sets the default level) and the documentation `clawlint rule` prints.

use crate::diagnostic::Severity;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Correctness,
    Suspicious,
    Advisory,
    Pedantic,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Suspicious => "suspicious",
            Category::Advisory => "advisory",
            Category::Pedantic => "pedantic",
        }
    }

    /// The default level: `None` means off unless the user turns the rule on.
    pub fn default_severity(self) -> Option<Severity> {
        match self {
            Category::Correctness => Some(Severity::Error),
            Category::Suspicious => Some(Severity::Warning),
            Category::Advisory => Some(Severity::Info),
            Category::Pedantic => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub family: String,
    pub category: Category,
    pub summary: String,
    pub explanation: String,
    pub example: String,
    pub fix: String,
}

/// Every rule, sorted by code. The pages are part of the binary, so a bad page is a bug.
pub fn all() -> &'static [RuleInfo] {
    static RULES: OnceLock<Vec<RuleInfo>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<RuleInfo> = RULE_PAGES
            .iter()
            .map(|page| toml::from_str(page).expect("rule pages are checked by tests"))
            .collect();
        rules.sort_by(|a, b| a.code.cmp(&b.code));
        rules
    })
}

/// A rule by code (`CL101`) or name (`gateway-port-collision`), case-insensitively.
pub fn find(key: &str) -> Option<&'static RuleInfo> {
    all()
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse_with_unique_codes_and_names() {
        let rules = all();
        assert!(rules.len() >= 30);
        for pair in rules.windows(2) {
            assert_ne!(pair[0].code, pair[1].code);
        }
        let mut names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), rules.len());
        for rule in rules {
            let family_digit = &rule.code[2..3];
            let expected = match rule.family.as_str() {
                "ports" => "1",
                "paths" => "2",
                "credentials" => "3",
                "services" => "4",
                "includes" => "5",
                "browser" => "6",
                "validity" => "7",
                "linter" => "9",
                other => panic!("unknown family {other}"),
            };
            assert_eq!(
                family_digit, expected,
                "{} is in the wrong family",
                rule.code
            );
        }
    }
}
