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

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Off => "off",
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
    /// `--extend-select`: run these too, on top of `select` (or of the defaults, which turns
    /// on a rule that is off by default).
    pub extend_select: Vec<Selector>,
    /// Do not run these (`ignore`, `--ignore`, `--extend-ignore`).
    pub ignore: Vec<Selector>,
    /// Per-selector levels (`[rules]`); the most specific selector wins.
    pub levels: Vec<(Selector, Level)>,
    /// `-W`, `-D` and `-A` in the order given on the command line, applied last: the last one
    /// that selects a rule sets its level, whatever `clawlint.toml` says.
    pub overrides: Vec<(Selector, Level)>,
    pub ignores: Vec<ConfigIgnore>,
}

fn any_selects(list: &[Selector], rule: Rule) -> bool {
    list.iter().any(|s| s.matches(rule))
}

impl Settings {
    /// The level of a rule's findings; `None`: not reported.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        let mut level = rule.default_severity();
        let extended = any_selects(&self.extend_select, rule);
        if !self.select.is_empty() || extended {
            level = match extended || any_selects(&self.select, rule) {
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
        if let Some((_, last)) = self
            .overrides
            .iter()
            .rev()
            .find(|(selector, _)| selector.matches(rule))
        {
            level = last.severity();
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
            overrides: vec![(sel("footprint-overlap"), Level::Error)],
            ..Settings::default()
        };
        assert_eq!(settings.severity(GATEWAY_PORT_COLLISION), None);
        assert_eq!(settings.severity(FOOTPRINT_OVERLAP), Some(Severity::Error));
        assert_eq!(settings.severity(SHARED_WORKSPACE), None);
    }

    #[test]
    fn extend_select_adds_to_select_and_to_the_defaults() {
        let settings = Settings {
            select: vec![sel("CL3")],
            extend_select: vec![sel("CL105")],
            ..Settings::default()
        };
        assert_eq!(settings.severity(FOOTPRINT_OVERLAP), Some(Severity::Info));
        assert_eq!(
            settings.severity(crate::catalog::SHARED_TELEGRAM_TOKEN),
            Some(Severity::Error)
        );
        assert_eq!(settings.severity(GATEWAY_PORT_COLLISION), None);
        // Without select, it only adds: everything else keeps its default.
        let settings = Settings {
            extend_select: vec![sel("CL105")],
            ..Settings::default()
        };
        assert_eq!(
            settings.severity(GATEWAY_PORT_COLLISION),
            Some(Severity::Error)
        );
    }

    #[test]
    fn the_last_command_line_level_wins_over_the_file() {
        let settings = Settings {
            levels: vec![(sel("CL105"), Level::Error)],
            overrides: vec![
                (sel("CL1"), Level::Error),
                (sel("footprint-overlap"), Level::Off),
            ],
            ..Settings::default()
        };
        assert_eq!(
            settings.severity(FOOTPRINT_OVERLAP),
            None,
            "-A wins over [rules]"
        );
        assert_eq!(
            settings.severity(crate::catalog::PORT_IN_CDP_RANGE),
            Some(Severity::Error)
        );
        let settings = Settings {
            overrides: vec![
                (sel("footprint-overlap"), Level::Off),
                (sel("CL1"), Level::Warning),
            ],
            ..Settings::default()
        };
        assert_eq!(
            settings.severity(FOOTPRINT_OVERLAP),
            Some(Severity::Warning),
            "a later, broader -W wins"
        );
    }
}
