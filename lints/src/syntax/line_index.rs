//! Byte offsets to line/column, for humans (1-based), BuildKit and LSP (UTF-16).

use serde::Serialize;

/// A position for display: 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode scalar values.
    pub column: usize,
}

/// Line starts of a text, built once and queried many times.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text` (lines end at `\n`).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a trailing newline starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where 0-based `line` starts (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// 1-based line and character column of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = clamp_to_char(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 column of `offset` (LSP positions).
    pub fn utf16_position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = clamp_to_char(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column: usize = text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (line as u32, column as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column (clamped to the line).
    pub fn offset_of_utf16(&self, text: &str, line: u32, column: u32) -> usize {
        let line = line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let start = self.line_start(line);
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.len, |next| next.saturating_sub(1));
        let mut units = 0usize;
        let slice = text.get(start..end.max(start)).unwrap_or("");
        for (i, c) in slice.char_indices() {
            if units >= column as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + slice.len()
    }
}

/// Moves `offset` back to the nearest char boundary inside `text`.
fn clamp_to_char(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "FROM a\r\nRUN é😀x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap_or_default();
        assert_eq!(index.line_col(text, x), LineCol { line: 2, column: 7 });
        assert_eq!(index.utf16_position(text, x), (1, 7));
        assert_eq!(index.offset_of_utf16(text, 1, 7), x);
        assert_eq!(index.offset_of_utf16(text, 9, 0), text.len());
    }
}
