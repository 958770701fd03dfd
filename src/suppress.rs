//! Suppressions: `// clawlint-ignore CODE: reason` on a JSON5 key (the line before it or the
//! end of its line), `// clawlint-ignore-all CODE: reason` for a whole file, and the same
//! with `#` in `.env` and unit files. A reason is required, and a suppression that matches
//! nothing is itself reported.
//!
//! For a collision, a suppression drops only the party it covers: the finding stays while
//! parties of two gateways remain.

use crate::diagnostic::{Finding, Label};
use crate::load::json5::Span;
use crate::source::{FileId, Loc, SourceMap};

/// One suppression comment, as the loader found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    /// Rule codes (`CL203`) or family prefixes (`CL2`).
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// Where the comment is.
    pub comment: Span,
    /// What it covers: a member of the config, an assignment, or the whole file.
    pub covers: Span,
}

/// A parsed `clawlint-ignore[-all] CODES: reason` directive.
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    pub whole_file: bool,
    pub codes: Vec<String>,
    pub reason: Option<String>,
}

/// Reads a comment's text; `None` when it is not a clawlint directive.
pub fn parse_directive(comment: &str) -> Option<Directive> {
    let text = comment.trim();
    let (whole_file, rest) = if let Some(rest) = text.strip_prefix("clawlint-ignore-all") {
        (true, rest)
    } else {
        (false, text.strip_prefix("clawlint-ignore")?)
    };
    if !rest.is_empty() && !rest.starts_with([' ', '\t', ':']) {
        return None;
    }
    let (codes, reason) = match rest.split_once(':') {
        Some((codes, reason)) => (codes, Some(reason.trim()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let codes = codes
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    Some(Directive {
        whole_file,
        codes,
        reason: reason.map(str::to_string),
    })
}

/// Turns comments into suppressions. `items` are the spans a line suppression can cover
/// (config members, `.env` assignments, unit directives), in file order.
pub fn from_comments<'a>(
    text: &str,
    comments: impl IntoIterator<Item = (Span, &'a str)>,
    items: &[Span],
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (span, body) in comments {
        let Some(directive) = parse_directive(body) else {
            continue;
        };
        let covers = if directive.whole_file {
            Some(Span {
                start: 0,
                end: text.len(),
            })
        } else {
            covered_item(text, span, items)
        };
        out.push(Suppression {
            codes: directive.codes,
            reason: directive.reason,
            comment: span,
            covers: covers.unwrap_or(Span {
                start: span.start,
                end: span.start,
            }),
        });
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count()
}

/// A comment after an item on its line covers that item; otherwise the next item does.
/// Among items starting on the same line, the innermost (last-starting) one is meant.
fn covered_item(text: &str, comment: Span, items: &[Span]) -> Option<Span> {
    let line = line_of(text, comment.start);
    let same_line = items
        .iter()
        .filter(|i| i.start < comment.start && line_of(text, i.start) == line)
        .max_by_key(|i| i.start);
    same_line
        .or_else(|| {
            items
                .iter()
                .filter(|i| i.start >= comment.end)
                .min_by_key(|i| i.start)
        })
        .copied()
}

fn matches(suppression: &Suppression, code: &str) -> bool {
    suppression
        .codes
        .iter()
        .any(|c| code.starts_with(c.as_str()))
}

fn covers(suppression: &Suppression, loc: Loc) -> bool {
    suppression.covers.start <= loc.span.start && loc.span.end <= suppression.covers.end
}

/// Which suppressions were used, by (file, index).
type Used = Vec<(FileId, usize)>;

fn suppressing(label: &Label, code: &str, sources: &SourceMap, used: &mut Used) -> bool {
    let Some(loc) = label.loc else { return false };
    let file = sources.file(loc.file);
    let mut hit = false;
    for (index, s) in file.suppressions.iter().enumerate() {
        if s.reason.is_some() && matches(s, code) && covers(s, loc) {
            used.push((loc.file, index));
            hit = true;
        }
    }
    hit
}

/// Applies inline suppressions; returns the findings left, plus CL903/CL905 findings about
/// the suppressions themselves.
pub fn apply(findings: Vec<Finding>, sources: &SourceMap) -> (Vec<Finding>, Vec<Finding>) {
    let mut used: Used = Vec::new();
    let mut kept = Vec::new();
    for mut finding in findings {
        let before = finding.instances().len();
        let code = finding.code;
        let primary_suppressed = finding
            .labels
            .first()
            .is_some_and(|l| suppressing(l, code, sources, &mut used));
        finding
            .labels
            .retain(|l| !suppressing(l, code, sources, &mut used));
        let remaining = finding.instances().len();
        let dropped = if before >= 2 {
            remaining < 2
        } else {
            primary_suppressed
        };
        if !dropped {
            kept.push(finding);
        }
    }
    (kept, suppression_findings(sources, &used))
}

fn suppression_findings(sources: &SourceMap, used: &Used) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, source) in sources.files() {
        for (index, s) in source.suppressions.iter().enumerate() {
            let loc = Some(Loc {
                file,
                span: s.comment,
            });
            let codes = s.codes.join(", ");
            if s.reason.is_none() {
                out.push(
                    Finding::new("CL905", format!("suppression of {codes} has no reason"))
                        .label(Label::new(loc, "add `: why this is intended`", None))
                        .help("write it as `clawlint-ignore CODE: reason`; a suppression without a reason is not applied"),
                );
            } else if s.codes.is_empty() || !unknown_codes(s).is_empty() {
                let what = match unknown_codes(s).as_slice() {
                    [] => "suppression names no rule".to_string(),
                    unknown => format!("suppression names unknown rule {}", unknown.join(", ")),
                };
                out.push(
                    Finding::new("CL905", what)
                        .label(Label::new(loc, "no such rule", None))
                        .help("write it as `clawlint-ignore CODE: reason`; `clawlint rule --all` lists the codes"),
                );
            } else if !used.contains(&(file, index)) {
                out.push(
                    Finding::new(
                        "CL903",
                        format!("suppression of {codes} matches no finding"),
                    )
                    .label(Label::new(loc, "nothing to suppress here", None))
                    .help("remove it, or move it onto the key whose finding it is meant for"),
                );
            }
        }
    }
    out
}

/// Codes that name no rule and prefix no rule.
pub fn unknown_codes(s: &Suppression) -> Vec<&str> {
    s.codes
        .iter()
        .filter(|c| {
            !crate::rules::catalog::all()
                .iter()
                .any(|r| r.code.starts_with(c.as_str()))
        })
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let d = parse_directive(" clawlint-ignore CL203: ops reads main's workspace on purpose")
            .unwrap();
        assert_eq!(d.codes, vec!["CL203"]);
        assert_eq!(
            d.reason.as_deref(),
            Some("ops reads main's workspace on purpose")
        );
        assert!(!d.whole_file);
        let d = parse_directive("clawlint-ignore-all CL1, cl6: lab host").unwrap();
        assert!(d.whole_file);
        assert_eq!(d.codes, vec!["CL1", "CL6"]);
        assert_eq!(
            parse_directive("clawlint-ignore CL101").unwrap().reason,
            None
        );
        assert_eq!(parse_directive("clawlint-ignored x"), None);
        assert_eq!(parse_directive("just a comment"), None);
    }

    /// A collision of three gateways with one party suppressed keeps the other two; with two
    /// gateways, suppressing one party drops the finding.
    #[test]
    fn suppressing_a_party_keeps_the_collision_while_two_remain() {
        let mut sources = SourceMap::new();
        let text =
            "{\n  // clawlint-ignore CL203: ops reads it on purpose\n  workspace: \"~/ws\",\n}\n";
        let ops = sources.add(std::path::Path::new("ops.json5"), text.to_string(), None);
        let key = text.find("workspace").unwrap();
        let comment = text.find("//").unwrap();
        let items = [Span {
            start: key,
            end: key + 18,
        }];
        let found = from_comments(
            text,
            [(
                Span {
                    start: comment,
                    end: key - 3,
                },
                " clawlint-ignore CL203: ops reads it on purpose",
            )],
            &items,
        );
        sources.set_suppressions(ops, found);
        let other = sources.add(std::path::Path::new("main.json5"), "{}".to_string(), None);
        let at = |file, start| {
            Some(Loc {
                file,
                span: Span {
                    start,
                    end: start + 1,
                },
            })
        };
        let label = |loc, name: &str| Label::new(loc, name, Some(name));
        let three = Finding::new("CL203", "shared")
            .label(label(at(other, 0), "default"))
            .label(label(at(ops, key + 12), "ops"))
            .label(label(at(other, 1), "lab"));
        let two = Finding::new("CL203", "shared")
            .label(label(at(other, 0), "default"))
            .label(label(at(ops, key + 12), "ops"));
        let (kept, meta) = apply(vec![three, two], &sources);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].instances(), vec!["default", "lab"]);
        assert!(meta.is_empty(), "the suppression was used: {meta:?}");
    }

    #[test]
    fn leading_and_trailing_comments_cover_their_item() {
        let text = "{\n  // clawlint-ignore CL1: x\n  a: 1,\n  b: 2, // clawlint-ignore CL2: y\n}";
        let a = text.find("a: 1").unwrap();
        let b = text.find("b: 2").unwrap();
        let items = [
            Span {
                start: a,
                end: a + 4,
            },
            Span {
                start: b,
                end: b + 4,
            },
        ];
        let c1 = text.find("// clawlint-ignore CL1").unwrap();
        let c2 = text.find("// clawlint-ignore CL2").unwrap();
        let comments = [
            (
                Span {
                    start: c1,
                    end: c1 + 26,
                },
                " clawlint-ignore CL1: x",
            ),
            (
                Span {
                    start: c2,
                    end: text.len() - 2,
                },
                " clawlint-ignore CL2: y",
            ),
        ];
        let s = from_comments(text, comments, &items);
        assert_eq!(s[0].covers, items[0]);
        assert_eq!(s[1].covers, items[1]);
    }
}
