//! Suppression comments as the loaders find them: `clawlint-ignore RULES: reason` covering one
//! item, `clawlint-ignore-all RULES: reason` covering the file. Only parsed here; the engine
//! decides what they match (`crate::engine::suppress`).

use super::Span;

/// One suppression comment, as the loader found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    /// Rules as written: codes (`CL203`), prefixes (`CL2`) or names (`shared-workspace`).
    pub rules: Vec<String>,
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
    pub rules: Vec<String>,
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
    let rules = codes
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    Some(Directive {
        whole_file,
        rules,
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
    let mut lines: Option<super::LineIndex> = None;
    let mut by_start: Option<Vec<Span>> = None;
    for (span, body) in comments {
        let Some(directive) = parse_directive(body) else {
            continue;
        };
        let covers = if directive.whole_file {
            Some(Span::new(0, text.len()))
        } else {
            covered_item(
                lines.get_or_insert_with(|| super::LineIndex::new(text)),
                span,
                by_start.get_or_insert_with(|| sorted_by_start(items)),
            )
        };
        out.push(Suppression {
            rules: directive.rules,
            reason: directive.reason,
            comment: span,
            covers: covers.unwrap_or(Span::new(span.start(), span.start())),
        });
    }
    out
}

/// `items` in order of their starts (stable: items starting alike keep their order).
fn sorted_by_start(items: &[Span]) -> Vec<Span> {
    let mut sorted = items.to_vec();
    sorted.sort_by_key(|i| i.start());
    sorted
}

/// A comment after an item on its line covers that item; otherwise the next item does.
/// Among items starting on the same line, the innermost (last-starting) one is meant. Found
/// by binary search in `items_by_start` ([`sorted_by_start`]): a config of thousands of
/// suppressions scanned every item for each (quadratic).
fn covered_item(lines: &super::LineIndex, comment: Span, items_by_start: &[Span]) -> Option<Span> {
    let items = items_by_start;
    let line = lines.line_of(comment.start());
    // The last item starting before the comment: on its line, it starts last there.
    let before = items.partition_point(|i| i.start() < comment.start());
    let same_line = before
        .checked_sub(1)
        .map(|k| items[k])
        .filter(|i| lines.line_of(i.start()) == line);
    // Else the first starting at or after the comment's end.
    same_line.or_else(|| {
        let next = items.partition_point(|i| i.start() < comment.end());
        items.get(next).copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let d = parse_directive(" clawlint-ignore CL203: ops reads main's workspace on purpose")
            .unwrap();
        assert_eq!(d.rules, vec!["CL203"]);
        assert_eq!(
            d.reason.as_deref(),
            Some("ops reads main's workspace on purpose")
        );
        assert!(!d.whole_file);
        let d = parse_directive("clawlint-ignore-all CL1, cl6: lab host").unwrap();
        assert!(d.whole_file);
        assert_eq!(d.rules, vec!["CL1", "cl6"]);
        assert_eq!(
            parse_directive("clawlint-ignore CL101").unwrap().reason,
            None
        );
        assert_eq!(parse_directive("clawlint-ignored x"), None);
        assert_eq!(parse_directive("just a comment"), None);
    }

    /// The item a comment covers, found by binary search, is the one a scan of every item
    /// finds (over random items, lines and comments, items starting alike included).
    #[test]
    fn covered_items_are_found_as_by_a_scan() {
        let text = "ab\ncd ef\n\nghij\nk l m\nnop\n";
        let lines = super::super::LineIndex::new(text);
        let scan = |comment: Span, items: &[Span]| {
            let line = lines.line_of(comment.start());
            let same_line = items
                .iter()
                .filter(|i| i.start() < comment.start() && lines.line_of(i.start()) == line)
                .max_by_key(|i| i.start());
            same_line
                .or_else(|| {
                    items
                        .iter()
                        .filter(|i| i.start() >= comment.end())
                        .min_by_key(|i| i.start())
                })
                .copied()
        };
        let mut rng = crate::xorshift::Rng(3);
        let len = text.len() as u64;
        for _ in 0..2000 {
            let mut span = || {
                let a = rng.below(len + 1) as usize;
                Span::new(a, a + rng.below(4) as usize)
            };
            let items: Vec<Span> = (0..6).map(|_| span()).collect();
            let comment = span();
            let found = covered_item(&lines, comment, &sorted_by_start(&items));
            assert_eq!(found, scan(comment, &items), "{comment:?} {items:?}");
        }
    }

    #[test]
    fn leading_and_trailing_comments_cover_their_item() {
        let text = "{\n  // clawlint-ignore CL1: x\n  a: 1,\n  b: 2, // clawlint-ignore CL2: y\n}";
        let a = text.find("a: 1").unwrap();
        let b = text.find("b: 2").unwrap();
        let items = [Span::new(a, a + 4), Span::new(b, b + 4)];
        let c1 = text.find("// clawlint-ignore CL1").unwrap();
        let c2 = text.find("// clawlint-ignore CL2").unwrap();
        let comments = [
            (Span::new(c1, c1 + 26), " clawlint-ignore CL1: x"),
            (Span::new(c2, text.len() - 2), " clawlint-ignore CL2: y"),
        ];
        let s = from_comments(text, comments, &items);
        assert_eq!(s[0].covers, items[0]);
        assert_eq!(s[1].covers, items[1]);
    }
}
