//! What the user chose, with every rule named by a [`Selector`]: `clawlint.toml` first, the
//! command line on top. Selectors are parsed where they are written, so an unknown rule is
//! an error there, and they match the same way everywhere.

use crate::catalog::{Rule, Selector};
use crate::diagnostic::Severity;
use crate::source::Loc;

/// A level a user can give a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }
}

/// Sharing declared as intended in `clawlint.toml`.
#[derive(Debug, Clone)]
pub struct ConfigIgnore {
    pub selector: Selector,
    /// The rule as the user wrote it, for messages.
    pub rule: String,
    pub instances: Vec<String>,
    /// The entry in `clawlint.toml`, for reporting it when it matches nothing.
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Run only rules these select (empty: all, at their default levels).
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    /// Per-selector levels; the most specific selector wins.
    pub levels: Vec<(Selector, Level)>,
    /// `-W` and `-D`, applied last.
    pub warn: Vec<Selector>,
    pub deny: Vec<Selector>,
    pub ignores: Vec<ConfigIgnore>,
}

fn any_selects(list: &[Selector], rule: Rule) -> bool {
    list.iter().any(|s| s.matches(rule))
}

impl Settings {
    /// The level of a rule's findings; `None`: not reported.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        let mut level = rule.default_severity();
        if !self.select.is_empty() {
            level = match any_selects(&self.select, rule) {
                true => level.or(Some(Severity::Warning)),
                false => None,
            };
        }
        if any_selects(&self.ignore, rule) {
            level = None;
        }
        let configured = self
            .levels
            .iter()
            .filter(|(selector, _)| selector.matches(rule))
            .max_by_key(|(selector, _)| selector.specificity());
        if let Some((_, configured)) = configured {
            level = configured.severity();
        }
        if any_selects(&self.warn, rule) {
            level = Some(Severity::Warning);
        }
        if any_selects(&self.deny, rule) {
            level = Some(Severity::Error);
        }
        level
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{FOOTPRINT_OVERLAP, GATEWAY_PORT_COLLISION, SHARED_WORKSPACE};

    fn sel(text: &str) -> Selector {
        text.parse().unwrap()
    }

    #[test]
    fn the_most_specific_level_wins_whatever_its_spelling() {
        let settings = Settings {
            levels: vec![
                (sel("shared-workspace"), Level::Warning),
                (sel("CL2"), Level::Off),
                (sel("CL10"), Level::Info),
            ],
            ..Settings::default()
        };
        assert_eq!(settings.severity(SHARED_WORKSPACE), Some(Severity::Warning));
        assert_eq!(settings.severity(crate::catalog::SHARED_STATE_DIR), None);
        assert_eq!(
            settings.severity(GATEWAY_PORT_COLLISION),
            Some(Severity::Info)
        );
    }

    #[test]
    fn select_ignore_warn_and_deny_take_names_too() {
        let settings = Settings {
            select: vec![sel("CL1")],
            ignore: vec![sel("gateway-port-collision")],
            deny: vec![sel("footprint-overlap")],
            ..Settings::default()
        };
        assert_eq!(settings.severity(GATEWAY_PORT_COLLISION), None);
        assert_eq!(settings.severity(FOOTPRINT_OVERLAP), Some(Severity::Error));
        assert_eq!(settings.severity(SHARED_WORKSPACE), None);
    }
}
