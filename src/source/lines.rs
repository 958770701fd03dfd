//! Where lines start in a file, found once, so that turning a byte offset into a line and a
//! column costs a binary search (not a scan of the file) however many findings point into it.

use crate::words::{block_at, byte_and_high_marks, BLOCK};

/// The byte offset of every line start of a text (`\n` ends a line; a `\r` before it belongs
/// to the line), and whether the text is plain ASCII (its columns are then byte counts).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    ascii: bool,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        // Every file a finding points into is indexed (a config of each gateway on a large
        // host), most of them a few hundred bytes: sixteen bytes at a time, the line breaks
        // counted first so that the starts are stored at once, not grown a line at a time.
        let blocks = (0..bytes.len()).step_by(BLOCK);
        let breaks: u32 = blocks
            .clone()
            .map(|at| {
                byte_and_high_marks(block_at(bytes, at), b'\n')
                    .0
                    .count_ones()
            })
            .sum();
        let mut starts = Vec::with_capacity(breaks as usize + 1);
        starts.push(0);
        let mut high = 0;
        for at in blocks {
            let (mut breaks, high_bytes) = byte_and_high_marks(block_at(bytes, at), b'\n');
            high |= high_bytes;
            while breaks != 0 {
                starts.push(at + breaks.trailing_zeros() as usize + 1);
                breaks &= breaks - 1;
            }
        }
        LineIndex {
            starts,
            ascii: high == 0,
            len: text.len(),
        }
    }

    /// How many lines (a text ending with a line break has an empty last line).
    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line holding byte `offset` (a line break is on the line it ends).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset.min(self.len))
            .saturating_sub(1)
    }

    /// The byte range of 0-based `line`, its line break included.
    pub fn range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.starts[line];
        let end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        start..end
    }

    /// The 1-based line holding byte `offset` of `text` (the text this index was built
    /// from), and where the rest of that line ends (before its `\n`): a statement's place.
    pub fn place(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let end = self.range(line).end;
        let end = match text.as_bytes().get(end.wrapping_sub(1)) {
            Some(b'\n') if end > offset => end - 1,
            _ => end,
        };
        (line + 1, end)
    }

    /// 1-based line and column (in characters) of a byte offset in `text`, the text this
    /// index was built from.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        self.column_on(text, self.line_of(offset), offset)
    }

    /// [`LineIndex::line_col`] of both ends of a span: the end is looked for on the start's
    /// line first (most spans are on one line), so a span costs one search, not two.
    pub fn span_line_col(
        &self,
        text: &str,
        start: usize,
        end: usize,
    ) -> ((usize, usize), (usize, usize)) {
        let first = self.line_col(text, start);
        let end = floor_char_boundary(text, end.min(text.len()));
        let line = first.0 - 1;
        let on_line =
            end >= self.starts[line] && self.starts.get(line + 1).is_none_or(|&next| end < next);
        let line = if on_line { line } else { self.line_of(end) };
        (first, self.column_on(text, line, end))
    }

    /// 1-based line and column of `offset` (a character boundary) on 0-based `line`.
    fn column_on(&self, text: &str, line: usize, offset: usize) -> (usize, usize) {
        let start = self.starts[line];
        let column = if self.ascii {
            offset - start
        } else {
            text[start..offset].chars().count()
        };
        (line + 1, column + 1)
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index agrees with counting from the start of the text, at every offset.
    #[test]
    fn agrees_with_a_scan() {
        for text in [
            "",
            "a",
            "\n",
            "ab\nçd\r\n\nx",
            "é\n\nü€\nlast",
            "x\n",
            "0123456789\nbcdefé\nx",
        ] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                let at = floor_char_boundary(text, offset.min(text.len()));
                let before = &text[..at];
                let line = before.matches('\n').count() + 1;
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = before[start..].chars().count() + 1;
                assert_eq!(
                    index.line_col(text, offset),
                    (line, column),
                    "{text:?} {offset}"
                );
                assert_eq!(index.line_of(at), line - 1);
                for start in 0..=offset {
                    assert_eq!(
                        index.span_line_col(text, start, offset),
                        (index.line_col(text, start), (line, column)),
                        "{text:?} {start}..{offset}"
                    );
                }
                assert!(index.range(line - 1).contains(&at) || at == text.len());
                let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
                assert_eq!(index.place(text, at), (line, end), "{text:?} {offset}");
            }
        }
    }

    /// Line starts found a block at a time are those a scan of every byte finds, with line
    /// breaks at every place of a block and texts of every length around one.
    #[test]
    fn starts_are_every_line_break() {
        for len in 0..40 {
            for every in 1..12 {
                let text: String = (0..len)
                    .map(|i| if i % every == every - 1 { '\n' } else { 'x' })
                    .collect();
                let mut want = vec![0];
                want.extend(text.match_indices('\n').map(|(i, _)| i + 1));
                assert_eq!(LineIndex::new(&text).starts, want, "{text:?}");
            }
        }
    }

    #[test]
    fn ranges_hold_their_line_break() {
        let index = LineIndex::new("ab\r\ncd\n");
        assert_eq!(index.count(), 3);
        assert_eq!(index.range(0), 0..4);
        assert_eq!(index.range(1), 4..7);
        assert_eq!(index.range(2), 7..7);
    }
}
