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
use crate::source::{FileId, Loc, SourceMap, Span, Suppression};

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

/// Every file's suppressions, parsed and indexed, and which were used.
struct Suppressions<'a> {
    sources: &'a SourceMap,
    files: HashMap<FileId, FileSuppressions>,
}

impl<'a> Suppressions<'a> {
    fn new(sources: &'a SourceMap) -> Self {
        let files = sources
            .files()
            .filter(|(_, f)| !f.suppressions.is_empty())
            .map(|(id, f)| (id, FileSuppressions::new(&f.suppressions)))
            .collect();
        Suppressions { sources, files }
    }

    /// Whether a valid suppression for `rule` covers the label's place (and marks each such
    /// suppression used).
    fn suppressing(&mut self, label: &Label, rule: Rule) -> bool {
        let Some(loc) = label.loc else { return false };
        let Some(file) = self.files.get_mut(&loc.file) else {
            return false;
        };
        file.suppressing(&self.sources.file(loc.file).suppressions, loc.span, rule)
    }
}

/// One file's suppressions, grouped by the span they cover, the spans indexed so that those
/// holding a place are found without a look at every suppression of the file (a file of N
/// suppressions and N findings pointing into it cost N^2 steps).
struct FileSuppressions {
    parsed: Vec<Parsed>,
    used: Vec<bool>,
    /// Each span some suppression covers, once, by start.
    covers: Vec<Span>,
    /// For each of `covers`, the suppressions (by index in the file) covering it.
    holders: Vec<Vec<usize>>,
    /// The largest end of `covers` under each node of a binary tree over them (node 1 the
    /// root, node `k`'s children `2k` and `2k + 1`, leaves from `leaves`; padding ends 0).
    max_end: Vec<usize>,
    leaves: usize,
    /// Whether a valid suppression of a cover names a rule, for each cover and rule asked
    /// already (its suppressions were marked used then).
    answered: HashMap<(usize, &'static str), bool>,
}

impl FileSuppressions {
    fn new(written: &[Suppression]) -> FileSuppressions {
        let mut by_cover: Vec<usize> = (0..written.len()).collect();
        by_cover.sort_by_key(|&i| (written[i].covers.start(), written[i].covers.end()));
        let mut covers: Vec<Span> = Vec::new();
        let mut holders: Vec<Vec<usize>> = Vec::new();
        for i in by_cover {
            let span = written[i].covers;
            if covers.last() != Some(&span) {
                covers.push(span);
                holders.push(Vec::new());
            }
            holders.last_mut().expect("pushed").push(i);
        }
        let leaves = covers.len().next_power_of_two();
        let mut max_end = vec![0; 2 * leaves];
        for (at, span) in covers.iter().enumerate() {
            max_end[leaves + at] = span.end();
        }
        for node in (1..leaves).rev() {
            max_end[node] = max_end[2 * node].max(max_end[2 * node + 1]);
        }
        FileSuppressions {
            parsed: written.iter().map(parse).collect(),
            used: vec![false; written.len()],
            covers,
            holders,
            max_end,
            leaves,
            answered: HashMap::default(),
        }
    }

    /// Whether a valid suppression for `rule` covers `span`; each cover holding the span is
    /// found by the tree ([`Self::each_holding`]) and answered for a rule once.
    fn suppressing(&mut self, written: &[Suppression], span: Span, rule: Rule) -> bool {
        let mut hit = false;
        let starting_before = self.covers.partition_point(|c| c.start() <= span.start());
        let mut holding = Vec::new();
        self.each_holding(1, 0..self.leaves, starting_before, span.end(), &mut holding);
        for cover in holding {
            hit |= self.answer(written, cover, rule);
        }
        hit
    }

    /// Pushes each cover among the first `starting_before` (those starting at or before the
    /// place) under `node` (which spans the leaves `range`) that ends at or after `end`.
    fn each_holding(
        &self,
        node: usize,
        range: std::ops::Range<usize>,
        starting_before: usize,
        end: usize,
        out: &mut Vec<usize>,
    ) {
        crate::ports::allocate::work::add(1);
        if range.start >= starting_before || self.max_end[node] < end {
            return;
        }
        if range.len() == 1 {
            out.push(range.start);
            return;
        }
        let mid = range.start + range.len() / 2;
        self.each_holding(2 * node, range.start..mid, starting_before, end, out);
        self.each_holding(2 * node + 1, mid..range.end, starting_before, end, out);
    }

    /// Whether a valid suppression of `cover` names `rule`; the first ask marks them used.
    fn answer(&mut self, written: &[Suppression], cover: usize, rule: Rule) -> bool {
        if let Some(&hit) = self.answered.get(&(cover, rule.code)) {
            return hit;
        }
        let mut hit = false;
        for &index in &self.holders[cover] {
            crate::ports::allocate::work::add(1);
            let p = &self.parsed[index];
            if written[index].reason.is_some() && p.selectors.iter().any(|sel| sel.matches(rule)) {
                self.used[index] = true;
                hit = true;
            }
        }
        self.answered.insert((cover, rule.code), hit);
        hit
    }
}

/// Applies inline suppressions; returns the findings left, plus CL903/CL905 findings about
/// the suppressions themselves. Findings are filtered in place, and a finding none of whose
/// labels is covered by a suppression is left as it is (nothing counted, nothing copied).
pub fn apply(mut findings: Vec<Finding>, sources: &SourceMap) -> (Vec<Finding>, Vec<Finding>) {
    let mut suppressions = Suppressions::new(sources);
    if !suppressions.files.is_empty() {
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
        let Some(indexed) = suppressions.files.get(&file) else {
            continue;
        };
        let each = source.suppressions.iter().zip(&indexed.parsed);
        for ((s, p), &used) in each.zip(&indexed.used) {
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
            } else if !used {
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

    /// What a look at every suppression of the file answers (the way before the index).
    fn by_scan(written: &[Suppression], span: Span, rule: Rule, used: &mut [bool]) -> bool {
        let mut hit = false;
        for (index, s) in written.iter().enumerate() {
            let applies =
                s.reason.is_some() && parse(s).selectors.iter().any(|sel| sel.matches(rule));
            if applies && s.covers.start() <= span.start() && span.end() <= s.covers.end() {
                used[index] = true;
                hit = true;
            }
        }
        hit
    }

    /// The index answers and marks used as a scan of every suppression does: random covered
    /// spans (nested, crossing, equal, empty, the whole file), rules, selectors and reasons.
    #[test]
    fn the_index_answers_as_a_scan_of_every_suppression() {
        let rules = [
            catalog::SHARED_WORKSPACE,
            catalog::CONFIG_REJECTED,
            catalog::UNUSED_SUPPRESSION,
        ];
        let words = [
            "CL203",
            "CL7",
            "CL",
            "ALL",
            "config-rejected",
            "CL9",
            "nonsense",
        ];
        let mut rng = crate::xorshift::Rng(0x5ee);
        for _ in 0..300 {
            let len = 1 + rng.below(40) as usize;
            let span = |rng: &mut crate::xorshift::Rng| {
                let a = rng.below(len as u64 + 1) as usize;
                Span::new(a, (a + rng.below(12) as usize).min(len))
            };
            let written: Vec<Suppression> = (0..rng.below(12))
                .map(|_| Suppression {
                    rules: (0..1 + rng.below(2))
                        .map(|_| words[rng.below(words.len() as u64) as usize].to_string())
                        .collect(),
                    reason: (rng.below(4) > 0).then(|| "why".to_string()),
                    comment: Span::new(0, 0),
                    covers: if rng.below(5) == 0 {
                        Span::new(0, len)
                    } else {
                        span(&mut rng)
                    },
                })
                .collect();
            let mut indexed = FileSuppressions::new(&written);
            let mut used = vec![false; written.len()];
            for _ in 0..20 {
                let (place, rule) = (span(&mut rng), rules[rng.below(3) as usize]);
                let expected = by_scan(&written, place, rule, &mut used);
                let found = indexed.suppressing(&written, place, rule);
                assert_eq!(found, expected, "{place:?} {} in {written:?}", rule.code);
            }
            assert_eq!(indexed.used, used, "{written:?}");
        }
    }

    /// A config of `n` keys, each after a suppression of CL203, and two findings at each key:
    /// a CL203 (suppressed) and a CL701 (not). Returns the steps `apply` took.
    fn suppressing_work(n: usize) -> u64 {
        let mut text = String::from("{\n");
        for k in 0..n {
            text.push_str(&format!(
                "  // clawlint-ignore CL203: on purpose {k}\n  key{k}: 1,\n"
            ));
        }
        text.push_str("}\n");
        let mut sources = SourceMap::new();
        let path = std::path::Path::new("openclaw.json5");
        crate::load::parse_config(&mut sources, path, text.clone(), None).unwrap();
        let file = sources.lookup(path).unwrap();
        assert_eq!(sources.file(file).suppressions.len(), n);
        let mut findings = Vec::new();
        for k in 0..n {
            let at = text.find(&format!("key{k}:")).unwrap();
            let loc = Some(Loc {
                file,
                span: Span::new(at, at + 3),
            });
            for rule in [&catalog::SHARED_WORKSPACE, &catalog::CONFIG_REJECTED] {
                findings.push(Finding::new(rule, "found").label(Label::new(loc, "here", None)));
            }
        }
        let before = crate::ports::allocate::work::done();
        let (kept, meta) = apply(findings, &sources);
        let steps = crate::ports::allocate::work::done() - before;
        assert_eq!(kept.len(), n, "each CL203 suppressed, each CL701 kept");
        assert!(meta.is_empty(), "every suppression used: {meta:?}");
        steps
    }

    /// Thousands of findings pointing into a file of thousands of suppressions: each finding
    /// costs the suppressions covering its place, not every suppression of the file (a scan of
    /// each was n^2: 64x for 8x).
    #[test]
    fn many_findings_into_a_file_of_many_suppressions_take_near_linear_work() {
        let (small, large) = (suppressing_work(500), suppressing_work(4000));
        // n log n: about 10.7x for 8x.
        assert!(large <= 16 * small, "{small} -> {large}");
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
