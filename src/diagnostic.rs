//! Findings: the only thing rules produce. A finding names every party of a problem, each
//! on the exact place its value came from.

use crate::catalog::Rule;
use crate::source::Loc;

pub use crate::catalog::Severity;

/// One party of a finding: a place (when the value came from a file) and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub loc: Option<Loc>,
    pub message: String,
    /// The gateway this party belongs to, when it belongs to one.
    pub instance: Option<String>,
}

impl Label {
    pub fn new(loc: Option<Loc>, message: impl Into<String>, instance: Option<&str>) -> Self {
        Label {
            loc,
            message: message.into(),
            instance: instance.map(str::to_string),
        }
    }
}

/// A problem found by a rule. Severity is not here: the engine sets it from the rule's
/// category and the user's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's declaration, not a copy of it (a finding is kept to the end of the run).
    pub rule: &'static Rule,
    pub message: String,
    /// Every party; the first is the primary one.
    pub labels: Vec<Label>,
    /// Facts that explain the finding and have no place in a file.
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// The edit that repairs it, when clawlint knows one (filled after the rules ran).
    pub fix: Option<crate::fix::Fix>,
    /// The value the help suggests, for the fixer to write (a rule never edits text). Boxed:
    /// only CL108 suggests one, and inline it made every finding 56 bytes larger.
    pub suggested: Option<Box<crate::fix::Suggested>>,
}

impl Finding {
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Self {
        Finding {
            rule,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
            suggested: None,
        }
    }

    pub fn label(mut self, label: Label) -> Self {
        grow_small(&mut self.labels);
        self.labels.push(label);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        grow_small(&mut self.notes);
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The gateways involved, in label order, each once (a set remembers which are in, so a
    /// finding naming thousands of gateways costs thousands of steps, not millions).
    pub fn instances(&self) -> Vec<String> {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        self.labels
            .iter()
            .filter_map(|l| l.instance.as_deref())
            .filter(|name| seen.insert(name))
            .map(str::to_string)
            .collect()
    }
}

/// Most findings have two or three parties and a note or two: their lists grow one slot at a
/// time up to [`SMALL`] (a list pushed to by doubling keeps four slots, 320 bytes of labels,
/// for two), and by doubling past it (a finding can name thousands of gateways).
fn grow_small<T>(list: &mut Vec<T>) {
    const SMALL: usize = 4;
    if list.len() == list.capacity() && list.len() < SMALL {
        list.reserve_exact(1);
    }
}

/// A finding with the severity the engine gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub finding: Finding,
    pub severity: Severity,
}

impl Reported {
    pub fn rule(&self) -> &'static Rule {
        self.finding.rule
    }
}
