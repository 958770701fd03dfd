//! `check --diff`: the unified diff of what `--fix` would write.

use super::{Edit, Fix};
use crate::diagnostic::Reported;
use crate::ports::allocate::work;
use crate::source::{FileId, SourceFile};
use std::collections::HashMap;

/// What the fixes one round takes repair, found in one pass over the findings: for each fix
/// taken (its description, in the order taken), the rules of the findings it ends and the
/// files it edits; and how many findings they end together (a fix several findings share
/// counts for each). Every finding whose fix has a taken description counts, whether or not
/// the run's mode applies that finding's own fix, as the diff headers always said.
pub struct Repairs {
    /// The descriptions of the fixes taken, in order.
    pub taken: Vec<String>,
    /// Per fix taken, the codes of its findings, sorted, each once.
    codes: Vec<Vec<&'static str>>,
    /// Per file, the fixes taken that edit it (indices into `taken`, ascending, each once).
    by_file: HashMap<FileId, Vec<usize>>,
    /// How many findings the fixes taken end.
    pub findings: usize,
}

impl Repairs {
    pub fn new(findings: &[Reported], taken: Vec<String>) -> Self {
        let index: HashMap<&str, usize> = taken
            .iter()
            .enumerate()
            .map(|(k, d)| (d.as_str(), k))
            .collect();
        let mut codes: Vec<Vec<&'static str>> = vec![Vec::new(); taken.len()];
        let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
        let mut ended = 0;
        // Counted for a test that holds a diff linear in its findings, edits and headers (they
        // were once found by scanning every finding for every fix taken in every file).
        work::add(taken.len() as u64);
        for reported in findings {
            work::add(1);
            let Some(fix) = &reported.finding.fix else {
                continue;
            };
            let Some(&k) = index.get(fix.description.as_str()) else {
                continue;
            };
            ended += 1;
            codes[k].push(reported.finding.rule.code);
            for edit in &fix.edits {
                work::add(1);
                by_file.entry(edit.file).or_default().push(k);
            }
        }
        for list in &mut codes {
            list.sort_unstable();
            list.dedup();
        }
        for list in by_file.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Repairs {
            taken,
            codes,
            by_file,
            findings: ended,
        }
    }

    /// The header lines of `file`'s diff, in the order the fixes were taken:
    /// `CL103, CL105 description` (the rules of the findings one fix ends, then what it does).
    pub fn reasons(&self, file: FileId) -> Vec<String> {
        let Some(ks) = self.by_file.get(&file) else {
            return Vec::new();
        };
        work::add(ks.len() as u64);
        ks.iter()
            .map(|&k| format!("{} {}", self.codes[k].join(", "), self.taken[k]))
            .collect()
    }
}

/// Every file's diff for the fixes `mode` applies, in one text, and what the round takes:
/// the descriptions of the fixes taken and what they repair.
pub fn render(
    findings: &[Reported],
    sources: &crate::source::SourceMap,
    mode: super::Mode,
) -> (String, Repairs) {
    let fixes = findings
        .iter()
        .filter_map(|r| r.finding.fix.as_deref())
        .filter(|f: &&Fix| f.applies(mode));
    let (plan, taken) = super::collect(fixes, sources);
    let repairs = Repairs::new(findings, taken);
    let mut text = String::new();
    for (file, edits) in &plan {
        let reasons = repairs.reasons(*file);
        text.push_str(&unified(sources.file(*file), edits, &reasons));
    }
    (text, repairs)
}

/// The unified diff of one file (3 lines of context), headed by the fixes that make it.
/// Both sides are the redacted text (edits never touch a secret, so the offsets agree): a
/// context line never shows a secret. A file a fix creates is a new file, as `diff -N` and
/// `git diff` show one: from `/dev/null`.
pub fn unified(source: &SourceFile, edits: &[Edit], reasons: &[String]) -> String {
    let path = crate::paths::display_path(&source.path);
    let old = match source.to_create {
        true => "/dev/null",
        false => path.as_str(),
    };
    let before = source.redacted_text();
    let after = super::apply(&before, edits);
    let mut out = String::new();
    for reason in reasons {
        let reason = crate::report::visible::visible(reason);
        out.push_str(&format!("# fix: {reason}\n"));
    }
    let diff = similar::TextDiff::from_lines(before.as_str(), after.as_str());
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(old, &path)
        .to_string();
    // Lines of the layout reach the terminal: shown as every other output shows them.
    for line in text.split_inclusive('\n') {
        let (body, end) = match (line.strip_suffix("\r\n"), line.strip_suffix('\n')) {
            (Some(body), _) => (body, "\r\n"),
            (None, Some(body)) => (body, "\n"),
            (None, None) => (line, ""),
        };
        out.push_str(&crate::report::visible::visible(body));
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{NON_UTF8_FILE, UNUSED_SUPPRESSION};
    use crate::diagnostic::{Finding, Severity};
    use crate::fix::{Applicability, Mode};
    use crate::load::json5::Span;
    use crate::source::SourceMap;
    use std::path::PathBuf;

    /// `n` files, each edited by one safe fix two findings of different rules share, one
    /// unsafe fix (not applied by `--fix`) and one finding without a fix.
    fn layout(n: usize) -> (SourceMap, Vec<Reported>) {
        let mut sources = SourceMap::new();
        let mut findings = Vec::new();
        let reported = |rule, fix: Option<Fix>| {
            let mut finding = Finding::new(rule, "x");
            finding.fix = fix.map(Box::new);
            Reported {
                finding,
                severity: Severity::Warning,
            }
        };
        for i in 0..n {
            let file = sources.add(&PathBuf::from(format!("f{i}")), "a\nb\nc\n".into(), None);
            let fix = |applicability, description: String, start| Fix {
                applicability,
                description,
                edits: vec![Edit {
                    file,
                    span: Span::new(start, start + 1),
                    replacement: "z".into(),
                }],
            };
            let safe = fix(Applicability::Safe, format!("pin {i}"), 0);
            findings.push(reported(&NON_UTF8_FILE, Some(safe.clone())));
            findings.push(reported(&UNUSED_SUPPRESSION, Some(safe)));
            let unsafe_fix = fix(Applicability::Unsafe, format!("move {i}"), 2);
            findings.push(reported(&UNUSED_SUPPRESSION, Some(unsafe_fix)));
            findings.push(reported(&UNUSED_SUPPRESSION, None));
        }
        (sources, findings)
    }

    /// The headers as they were first written: for every file, every fix taken, a scan of
    /// every finding (the reference the one-pass index must agree with).
    fn scanned_reasons(findings: &[Reported], taken: &[String], file: FileId) -> Vec<String> {
        let fixes = || {
            findings
                .iter()
                .filter_map(|r| Some((r, r.finding.fix.as_ref()?)))
        };
        taken
            .iter()
            .filter(|d| {
                fixes().any(|(_, f)| &f.description == *d && f.edits.iter().any(|e| e.file == file))
            })
            .map(|d| {
                let mut codes: Vec<&str> = fixes()
                    .filter(|(_, f)| &f.description == d)
                    .map(|(r, _)| r.finding.rule.code)
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                format!("{} {d}", codes.join(", "))
            })
            .collect()
    }

    #[test]
    fn headers_agree_with_a_scan_of_every_finding() {
        let (sources, findings) = layout(5);
        for mode in [Mode::Safe, Mode::Unsafe] {
            let (text, repairs) = render(&findings, &sources, mode);
            let fixes = findings
                .iter()
                .filter_map(|r| r.finding.fix.as_deref())
                .filter(|f| f.applies(mode));
            let (plan, taken) = crate::fix::collect(fixes, &sources);
            assert_eq!(repairs.taken, taken);
            let mut expected = String::new();
            for (file, edits) in &plan {
                let reasons = scanned_reasons(&findings, &taken, *file);
                assert_eq!(repairs.reasons(*file), reasons);
                expected.push_str(&unified(sources.file(*file), edits, &reasons));
            }
            assert_eq!(text, expected);
            assert!(text.contains("# fix: CL903, CL906 pin 3\n"), "{text}");
            let ended = findings
                .iter()
                .filter(|r| {
                    r.finding
                        .fix
                        .as_ref()
                        .is_some_and(|f| taken.contains(&f.description))
                })
                .count();
            assert_eq!(repairs.findings, ended);
        }
    }

    #[test]
    fn a_diff_costs_work_linear_in_its_files_and_findings() {
        // Not a timing: the units of work the headers count. Four times the files and
        // findings make four times the work (a scan per file and fix made it sixteen).
        let work = |n| {
            let (sources, findings) = layout(n);
            let before = work::done();
            render(&findings, &sources, Mode::Unsafe);
            work::done() - before
        };
        let (small, large) = (work(50), work(200));
        assert!(small > 0);
        assert!(large <= 4 * small + 4, "{small} -> {large}");
    }
}
