//! `check --diff`: the unified diff of what `--fix` would write.

use super::Edit;
use crate::source::SourceFile;

/// The unified diff of one file (3 lines of context), headed by the fixes that make it.
/// Both sides are the redacted text (edits never touch a secret, so the offsets agree): a
/// context line never shows a secret.
pub fn unified(source: &SourceFile, edits: &[Edit], reasons: &[String]) -> String {
    let path = crate::paths::display_path(&source.path);
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
        .header(&path, &path)
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
