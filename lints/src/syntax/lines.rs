//! Physical lines and logical (continuation-joined) lines, with the offset map between them.

use super::ast::Span;

/// One physical line of the source.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PhysicalLine {
    /// First byte of the line.
    pub start: usize,
    /// End of the content: trailing `\r` and `\n` bytes excluded (Go's `TrimRight("\r\n")`).
    pub content_end: usize,
    /// One past the line break (or the end of the file).
    pub end: usize,
}

/// Splits `source` into lines the way BuildKit's scanner does: on `\n`, keeping it.
pub(crate) fn physical_lines(source: &str) -> Vec<PhysicalLine> {
    let bytes = source.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr_newline(&bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let mut content_end = end;
        while content_end > start && matches!(bytes[content_end - 1], b'\r' | b'\n') {
            content_end -= 1;
        }
        lines.push(PhysicalLine {
            start,
            content_end,
            end,
        });
        start = end;
    }
    lines
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// A run of logical text copied from one place in the source.
#[derive(Clone, Copy, Debug)]
struct Segment {
    logical: usize,
    source: usize,
    len: usize,
}

/// A logical line: the pieces of one or more physical lines joined, as BuildKit joins them,
/// with a map from logical offsets back to source offsets.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogicalLine {
    pub text: String,
    segments: Vec<Segment>,
}

impl LogicalLine {
    /// Appends `piece`, which sits at `source_offset` in the file.
    pub fn push(&mut self, piece: &str, source_offset: usize) {
        if piece.is_empty() {
            return;
        }
        self.segments.push(Segment {
            logical: self.text.len(),
            source: source_offset,
            len: piece.len(),
        });
        self.text.push_str(piece);
    }

    /// Source offset of the byte at logical offset `at` (a range start).
    pub fn start_of(&self, at: usize) -> usize {
        for seg in &self.segments {
            if at < seg.logical + seg.len {
                return seg.source + at.saturating_sub(seg.logical);
            }
        }
        self.segments.last().map_or(0, |s| s.source + s.len)
    }

    /// Source offset just after the byte before logical offset `at` (a range end).
    pub fn end_of(&self, at: usize) -> usize {
        if at == 0 {
            return self.segments.first().map_or(0, |s| s.source);
        }
        for seg in &self.segments {
            if at <= seg.logical + seg.len {
                return seg.source + at.saturating_sub(seg.logical);
            }
        }
        self.segments.last().map_or(0, |s| s.source + s.len)
    }

    /// The source range of logical range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if start >= end {
            let at = self.start_of(start);
            return Span::empty(at);
        }
        Span::new(self.start_of(start), self.end_of(end))
    }
}

/// Go's `unicode.IsSpace` on a whole character.
pub(crate) fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// The characters of BuildKit's `reWhitespace` (`[\t\v\f\r ]`).
pub(crate) fn is_re_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// Go's `unicode.IsSpace(rune(b))` applied to a single byte (BuildKit does this in places).
pub(crate) fn is_go_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Byte index of the first char of `s` that is not Go whitespace.
pub(crate) fn trim_start_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_go_space).len()
}

/// Byte index after the last char of `s` that is not Go whitespace.
pub(crate) fn trim_end_len(s: &str) -> usize {
    s.trim_end_matches(is_go_space).len()
}
