//! Inline suppressions: `// clawlint-ignore RULES: reason` on a JSON5 key (the line before it
//! or the end of its line), `// clawlint-ignore-all RULES: reason` for a whole file, and the
//! same with `#` in `.env` and unit files. RULES are selectors like everywhere else (codes,
//! prefixes, names). A reason is required, and a suppression that matches nothing is itself
//! reported.
//!
//! For a collision, a suppression drops only the party it covers: the finding stays while
//! parties of two gateways remain.

use crate::catalog::{self, Rule, Selector};
use crate::diagnostic::{Finding, Label};
use crate::paths::{FastMap as HashMap, FastSet as HashSet};
use crate::source::{FileId, Loc, SourceMap, Suppression};

/// A suppression's rules, parsed once: the selectors, and the words that name no rule.
struct Parsed {
    selectors: Vec<Selector>,
    unknown: Vec<String>,
}

fn parse(suppression: &Suppression) -> Parsed {
    let mut parsed = Parsed {
        selectors: Vec::new(),
        unknown: Vec::new(),
    };
    for word in &suppression.rules {
        match word.parse::<Selector>() {
            Ok(selector) => parsed.selectors.push(selector),
            Err(_) => parsed.unknown.push(word.clone()),
        }
    }
    parsed
}

/// Every file's suppressions, parsed, and which were used.
struct Suppressions<'a> {
    sources: &'a SourceMap,
    parsed: HashMap<FileId, Vec<Parsed>>,
    used: HashSet<(FileId, usize)>,
}

impl<'a> Suppressions<'a> {
    fn new(sources: &'a SourceMap) -> Self {
        let parsed = sources
            .files()
            .filter(|(_, f)| !f.suppressions.is_empty())
            .map(|(id, f)| (id, f.suppressions.iter().map(parse).collect()))
            .collect();
        Suppressions {
            sources,
            parsed,
            used: HashSet::default(),
        }
    }

    /// Whether a valid suppression for `rule` covers the label's place (and marks it used).
    fn suppressing(&mut self, label: &Label, rule: Rule) -> bool {
        let Some(loc) = label.loc else { return false };
        let Some(parsed) = self.parsed.get(&loc.file) else {
            return false;
        };
        let written = &self.sources.file(loc.file).suppressions;
        let mut hit = false;
        for (index, (s, p)) in written.iter().zip(parsed).enumerate() {
            let applies = s.reason.is_some() && p.selectors.iter().any(|sel| sel.matches(rule));
            if applies && covers(s, loc) {
                self.used.insert((loc.file, index));
                hit = true;
            }
        }
        hit
    }
}

fn covers(suppression: &Suppression, loc: Loc) -> bool {
    suppression.covers.start() <= loc.span.start() && loc.span.end() <= suppression.covers.end()
}

/// Applies inline suppressions; returns the findings left, plus CL903/CL905 findings about
/// the suppressions themselves. Findings are filtered in place, and a finding none of whose
/// labels is covered by a suppression is left as it is (nothing counted, nothing copied).
pub fn apply(mut findings: Vec<Finding>, sources: &SourceMap) -> (Vec<Finding>, Vec<Finding>) {
    let mut suppressions = Suppressions::new(sources);
    if !suppressions.parsed.is_empty() {
        findings.retain_mut(|finding| {
            let rule = *finding.rule;
            // Every label is looked at (each suppression that covers one is used).
            let mut any = false;
            for label in &finding.labels {
                any |= suppressions.suppressing(label, rule);
            }
            if !any {
                return true;
            }
            let before = distinct_instances(&finding.labels);
            let primary_suppressed = finding
                .labels
                .first()
                .is_some_and(|l| suppressions.suppressing(l, rule));
            finding
                .labels
                .retain(|l| !suppressions.suppressing(l, rule));
            let remaining = distinct_instances(&finding.labels);
            let dropped = if before >= 2 {
                remaining < 2
            } else {
                primary_suppressed
            };
            !dropped
        });
    }
    let meta = suppression_findings(&suppressions);
    (findings, meta)
}

/// How many gateways the labels name ([`Finding::instances`], without copying the names).
fn distinct_instances(labels: &[Label]) -> usize {
    let mut seen = HashSet::default();
    labels
        .iter()
        .filter_map(|l| l.instance.as_deref())
        .filter(|name| seen.insert(*name))
        .count()
}

fn suppression_findings(suppressions: &Suppressions) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, source) in suppressions.sources.files() {
        let Some(parsed) = suppressions.parsed.get(&file) else {
            continue;
        };
        for (index, (s, p)) in source.suppressions.iter().zip(parsed).enumerate() {
            let loc = Some(Loc {
                file,
                span: s.comment,
            });
            let rules = s.rules.join(", ");
            if s.reason.is_none() {
                out.push(
                    Finding::new(
                        &catalog::INVALID_SUPPRESSION,
                        format!("suppression of {rules} has no reason"),
                    )
                    .label(Label::new(loc, "add `: why this is intended`", None))
                    .help("write it as `clawlint-ignore CODE: reason`; a suppression without a reason is not applied"),
                );
            } else if s.rules.is_empty() || !p.unknown.is_empty() {
                let what = match p.unknown.as_slice() {
                    [] => "suppression names no rule".to_string(),
                    unknown => format!("suppression names unknown rule {}", unknown.join(", ")),
                };
                out.push(
                    Finding::new(&catalog::INVALID_SUPPRESSION, what)
                        .label(Label::new(loc, "no such rule", None))
                        .help("write it as `clawlint-ignore CODE: reason`; `clawlint rule --all` lists the codes"),
                );
            } else if !suppressions.used.contains(&(file, index)) {
                out.push(
                    Finding::new(
                        &catalog::UNUSED_SUPPRESSION,
                        format!("suppression of {rules} matches no finding"),
                    )
                    .label(Label::new(loc, "nothing to suppress here", None))
                    .help("remove it, or move it onto the key whose finding it is meant for"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::directive::from_comments;
    use crate::source::Span;

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
        let items = [Span::new(key, key + 18)];
        let found = from_comments(
            text,
            [(
                Span::new(comment, key - 3),
                " clawlint-ignore CL203: ops reads it on purpose",
            )],
            &items,
        );
        sources.set_suppressions(ops, found);
        let other = sources.add(std::path::Path::new("main.json5"), "{}".to_string(), None);
        let at = |file, start| {
            Some(Loc {
                file,
                span: Span::new(start, start + 1),
            })
        };
        let label = |loc, name: &str| Label::new(loc, name.to_string(), Some(name));
        let three = Finding::new(&catalog::SHARED_WORKSPACE, "shared")
            .label(label(at(other, 0), "default"))
            .label(label(at(ops, key + 12), "ops"))
            .label(label(at(other, 1), "lab"));
        let two = Finding::new(&catalog::SHARED_WORKSPACE, "shared")
            .label(label(at(other, 0), "default"))
            .label(label(at(ops, key + 12), "ops"));
        let (kept, meta) = apply(vec![three, two], &sources);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].instances(), vec!["default", "lab"]);
        assert!(meta.is_empty(), "the suppression was used: {meta:?}");
    }
}
