//! What the record formats (json, sarif, github, junit, concise, markdown) read of a finding,
//! worked out the same way for all of them and borrowed, never copied: the party a one-place
//! format shows it at ([`anchor`]), each party's place, its gateways each once
//! ([`instances`]), the fix mark and one-line messages.
//!
//! [`FlatFinding`] is one finding flattened into a record with serde: what `--format json`
//! writes for a finding, kept as the reference the streamed writers are tested against.

use super::visible::visible;
use super::{place, position, showable, Place, Position};
use crate::diagnostic::{Finding, Label, Note, Reported, Severity};
use crate::source::SourceMap;
use serde::Serialize;
use std::borrow::Cow;

/// A finding as the record formats see it. Serialised, it is one entry of `--format json`'s
/// `findings` (the field order is that format's).
#[derive(Debug, Serialize)]
pub struct FlatFinding<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    /// Every text from the layout here is shown through [`visible`].
    pub message: Cow<'a, str>,
    /// The gateways involved, in the order their parties come, each once.
    pub instances: Vec<String>,
    pub parties: Vec<Party<'a>>,
    pub notes: Vec<Cow<'a, str>>,
    pub help: Option<Cow<'a, str>>,
    /// The fix `check --fix` can apply, when there is one (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FlatFix<'a>>,
}

/// A finding's fix: whether `--fix` applies it alone (`safe`) or needs `--unsafe-fixes`,
/// what it does, and its edits (the replacement text never holds a secret).
#[derive(Debug, Serialize)]
pub struct FlatFix<'a> {
    pub applicability: crate::fix::Applicability,
    pub message: Cow<'a, str>,
    pub edits: Vec<FlatEdit<'a>>,
}

#[derive(Debug, Serialize)]
pub struct FlatEdit<'a> {
    #[serde(flatten)]
    pub position: Position,
    pub content: Cow<'a, str>,
}

/// One party of a finding: what it says, and where, when that place can be shown.
#[derive(Debug, Serialize)]
pub struct Party<'a> {
    pub role: Role,
    pub instance: Option<Cow<'a, str>>,
    pub message: Cow<'a, str>,
    #[serde(flatten)]
    pub position: Option<Position>,
}

/// The first party is the primary one; the others are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Primary,
    Related,
}

/// The rule a finding reports, as `(code, name)`: the one place the reporters read a rule's
/// identity from a finding.
pub fn rule_of(reported: &Reported) -> (&str, &str) {
    (reported.finding.rule.code, reported.finding.rule.name)
}

/// Flattens a finding: every party with its position when its place can be shown
/// ([`showable`]).
pub fn flatten<'a>(reported: &'a Reported, sources: &SourceMap) -> FlatFinding<'a> {
    let f = &reported.finding;
    let (code, name) = rule_of(reported);
    FlatFinding {
        code,
        name,
        severity: reported.severity,
        message: visible(&f.message),
        instances: f
            .instances()
            .into_iter()
            .map(|i| visible(&i).into_owned())
            .collect(),
        parties: f
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| Party {
                role: if i == 0 { Role::Primary } else { Role::Related },
                instance: l.instance.as_deref().map(visible),
                message: visible(&l.message),
                position: showable(sources, l.loc).map(|loc| position(sources, loc)),
            })
            .collect(),
        notes: f
            .notes
            .iter()
            .map(|n| match n {
                Note::Text(text) => visible(text),
                Note::Facts(_) => Cow::Owned(visible(&n.to_string()).into_owned()),
            })
            .collect(),
        help: f.help.as_deref().map(visible),
        fix: f.fix.as_ref().map(|fix| FlatFix {
            applicability: fix.applicability,
            message: visible(&fix.description),
            edits: fix
                .edits
                .iter()
                .map(|e| FlatEdit {
                    position: position(
                        sources,
                        crate::source::Loc {
                            file: e.file,
                            span: e.span,
                        },
                    ),
                    // clawlint's own text (a key and a port): never a control character
                    // to hide, and its newlines are JSON-escaped.
                    content: Cow::Borrowed(&e.replacement),
                })
                .collect(),
        }),
    }
}

impl FlatFinding<'_> {
    /// The party a one-place format shows the finding at: the first one with a position
    /// (the primary party when it has one), with its index among the parties.
    pub fn anchor(&self) -> Option<(usize, &Position)> {
        self.parties
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.position.as_ref().map(|position| (i, position)))
    }
}

/// The party a one-place format shows a finding at: the first whose place can be shown
/// ([`showable`]; the primary party when it has one), its index among the parties, its file's
/// shown path and its place.
pub struct Anchor<'s> {
    pub index: usize,
    pub file: &'s str,
    pub at: Place,
}

pub fn anchor<'s>(f: &Finding, sources: &'s SourceMap) -> Option<Anchor<'s>> {
    f.labels.iter().enumerate().find_map(|(index, label)| {
        let loc = showable(sources, label.loc)?;
        let (file, at) = place(sources, loc);
        Some(Anchor { index, file, at })
    })
}

/// A party's place, when it can be shown: its file's shown path and where in it.
pub fn party_place<'s>(label: &Label, sources: &'s SourceMap) -> Option<(&'s str, Place)> {
    showable(sources, label.loc).map(|loc| place(sources, loc))
}

/// The gateways involved, in the order their parties come, each once (as
/// [`Finding::instances`], without copying the names).
pub fn instances(f: &Finding) -> impl Iterator<Item = &str> {
    f.named_instances()
}

/// Messages are single lines; this keeps a one-line format one line per finding if one is
/// not. Borrowed when the text is one line already (always, for a text shown through
/// [`visible`]).
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\r', '\n']) && !text.trim().is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split(['\r', '\n'])
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// `" [*]"` for a safe fix, `" [-]"` for an unsafe one, `""` for none.
pub fn fix_mark(applicability: Option<crate::fix::Applicability>) -> &'static str {
    match applicability {
        Some(crate::fix::Applicability::Safe) => " [*]",
        Some(crate::fix::Applicability::Unsafe) => " [-]",
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Finding, Label};
    use crate::load::json5::Span;
    use crate::source::Loc;
    use std::path::Path;

    #[test]
    fn parties_keep_their_order_and_the_anchor_is_the_first_placed_one() {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("a.json"), "{\n  port: 1,\n}\n".into(), None);
        let missing = sources.add(Path::new("b.json"), String::new(), None);
        let loc = |file, start, end| Loc {
            file,
            span: Span::new(start, end),
        };
        let reported = Reported {
            finding: Finding::new(&crate::catalog::GATEWAY_PORT_COLLISION, "clash")
                .label(Label::new(None, "a: default", Some("a")))
                .label(Label::new(Some(loc(missing, 3, 4)), "b: unread", Some("b")))
                .label(Label::new(Some(loc(file, 10, 11)), "c: 1", Some("c")))
                .label(Label::new(
                    Some(loc(missing, 0, 0)),
                    "d: whole file",
                    Some("a"),
                )),
            severity: Severity::Warning,
        };
        let flat = flatten(&reported, &sources);
        assert_eq!((flat.code, flat.name), ("CL101", "gateway-port-collision"));
        assert_eq!(flat.instances, ["a", "b", "c"]);
        let roles: Vec<Role> = flat.parties.iter().map(|p| p.role).collect();
        assert_eq!(
            roles,
            [Role::Primary, Role::Related, Role::Related, Role::Related]
        );
        // A span in a file with no text cannot be shown; a whole unreadable file can.
        assert!(flat.parties[1].position.is_none());
        assert_eq!(flat.parties[3].position.as_ref().unwrap().file, "b.json");
        let (index, at) = flat.anchor().unwrap();
        assert_eq!((index, at.line, at.column), (2, 2, 9));
        // The borrowed view agrees with the record.
        let a = anchor(&reported.finding, &sources).unwrap();
        assert_eq!(
            (a.index, a.file, a.at.line, a.at.column),
            (2, "a.json", 2, 9)
        );
        assert_eq!(
            instances(&reported.finding).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn one_line_joins_non_blank_lines() {
        assert_eq!(one_line("a\r\n\nb \n  \nc"), "a b  c");
    }
}
