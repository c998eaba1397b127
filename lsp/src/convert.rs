//! Byte offsets ↔ LSP positions (UTF-16), and lints findings → LSP diagnostics.
//!
//! Every conversion between the byte ranges `lints` speaks and the line/UTF-16-column
//! positions of the protocol goes through [`Text`], so CRLF files and non-ASCII text are
//! handled in one place.

use hardfile_lints::diagnostic::{self as lints, Applicability, Severity};
use hardfile_lints::syntax::{LineIndex, Span};
use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range, TextEdit, Uri,
};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "hardfile";

/// A document's text with its line index.
#[derive(Clone, Debug)]
pub struct Text {
    /// The text, exactly as the client sent it.
    pub text: String,
    /// Line starts of `text`.
    pub index: LineIndex,
    /// Whether `text` uses CRLF line breaks.
    crlf: bool,
}

impl Text {
    /// Indexes `text`.
    pub fn new(text: String) -> Self {
        let index = LineIndex::new(&text);
        let crlf = text.contains("\r\n");
        Self { text, index, crlf }
    }

    /// The LSP position of byte `offset` (clamped to the text and to char boundaries).
    pub fn position(&self, offset: usize) -> Position {
        let bytes = self.text.as_bytes();
        let mut offset = offset.min(bytes.len());
        // Between the `\r` and `\n` of a CRLF is not a position LSP can express: that is
        // the end of the line's content.
        if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
            offset -= 1;
        }
        let (line, character) = self.index.utf16_position(&self.text, offset);
        Position { line, character }
    }

    /// The LSP range of `span`.
    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end.max(span.start)),
        }
    }

    /// The byte offset of an LSP position. Out-of-range lines go to the end of the text,
    /// out-of-range columns to the end of the line (before its `\r\n`).
    pub fn offset(&self, position: Position) -> usize {
        let bytes = self.text.as_bytes();
        let offset = self
            .index
            .offset_of_utf16(&self.text, position.line, position.character);
        if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
            offset - 1
        } else {
            offset
        }
    }

    /// The byte range of an LSP range, ordered.
    pub fn span(&self, range: Range) -> Span {
        let (a, b) = (self.offset(range.start), self.offset(range.end));
        Span::new(a.min(b), a.max(b))
    }

    /// The range covering the whole text.
    pub fn full_range(&self) -> Range {
        Range {
            start: Position::new(0, 0),
            end: self.position(self.text.len()),
        }
    }

    /// Applies one `didChange` edit: `range` replaced by `new_text` (`None`: the whole text).
    /// Ranges out of the text are clamped rather than refused.
    pub fn apply_change(&mut self, range: Option<Range>, new_text: &str) {
        match range {
            None => self.text = new_text.to_string(),
            Some(range) => {
                let span = self.span(range);
                self.text.replace_range(span.start..span.end, new_text);
            }
        }
        self.index = LineIndex::new(&self.text);
        self.crlf = self.text.contains("\r\n");
    }

    /// The line break the text uses.
    pub fn newline(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// An LSP text edit for a lints edit.
    pub fn text_edit(&self, edit: &lints::Edit) -> TextEdit {
        TextEdit {
            range: self.range(edit.span),
            new_text: edit.replacement.clone(),
        }
    }
}

/// A fix as carried in [`Diagnostic::data`]: ready-made LSP edits for the version that was
/// linted, so code actions need not lint again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixData {
    /// The fix's message ("Replace MAINTAINER with an authors label").
    pub title: String,
    /// Whether the fix keeps the Dockerfile's meaning (applied by fix-all).
    pub safe: bool,
    /// The edits.
    pub edits: Vec<CompactEdit>,
}

/// A text edit as carried in `data`: `[startLine, startCharacter, endLine, endCharacter,
/// newText]` (UTF-16 positions, like the protocol's). `data` is the server's own, so it need
/// not spell out a `TextEdit`: this form is a quarter of the size, and every publish, which
/// the editor parses on each keystroke, carries one per fixable finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactEdit(pub u32, pub u32, pub u32, pub u32, pub String);

impl CompactEdit {
    /// The edit for `range`.
    pub fn new(edit: TextEdit) -> Self {
        let TextEdit { range, new_text } = edit;
        Self(
            range.start.line,
            range.start.character,
            range.end.line,
            range.end.character,
            new_text,
        )
    }

    /// The protocol's form.
    pub fn into_text_edit(self) -> TextEdit {
        TextEdit {
            range: Range {
                start: Position::new(self.0, self.1),
                end: Position::new(self.2, self.3),
            },
            new_text: self.4,
        }
    }
}

/// What the server stores in [`Diagnostic::data`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticData {
    /// The document version the edits apply to (`None` when the client sent none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The rule's fix, when it has one that may be applied from the editor.
    ///
    /// The ignore-comment edits are not carried: they depend only on the diagnostic's range
    /// and code, so code actions compute them from the parse of the same version, and the
    /// published payload (which every keystroke pays for) stays small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixData>,
}

/// The protocol's severity for a lints severity.
pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Tags editors render specially: deprecated syntax is struck through, unneeded code faded.
pub fn tags(name: &str) -> Option<Vec<DiagnosticTag>> {
    if name.ends_with("-deprecated") || name.starts_with("deprecated-") {
        Some(vec![DiagnosticTag::DEPRECATED])
    } else if name.starts_with("unused-")
        || name.starts_with("redundant-")
        || name.starts_with("duplicate-")
        || name.starts_with("unnecessary-")
    {
        Some(vec![DiagnosticTag::UNNECESSARY])
    } else {
        None
    }
}

/// An LSP diagnostic for a lints finding. The message is the finding's own (lints redacts
/// secret values); nothing from the document text is added.
pub fn diagnostic(
    finding: &lints::Diagnostic,
    text: &Text,
    uri: &Uri,
    data: DiagnosticData,
) -> Published {
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: text.range(r.span),
            },
            message: r.message.clone(),
        })
        .collect();
    let code_description = lints::rule_docs_url(finding.code)
        .parse::<Uri>()
        .ok()
        .map(|href| CodeDescription { href });
    Published {
        diagnostic: Diagnostic {
            range: text.range(finding.span),
            severity: Some(severity(finding.severity)),
            code: Some(NumberOrString::String(finding.code.to_string())),
            code_description,
            source: Some(SOURCE.to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: tags(finding.name),
            data: None,
        },
        data,
    }
}

/// A diagnostic as the server publishes it: the protocol's fields plus its typed `data`.
///
/// Serialized as one LSP `Diagnostic` object. Keeping `data` typed (instead of the
/// `serde_json::Value` the protocol type holds) means a publish serializes straight into
/// bytes and an old analysis drops cheaply; for a 5,000-line file both costs were larger
/// than the lint itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Published {
    /// The protocol fields (`data` is `None` here).
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    /// What code actions need, without re-linting.
    #[serde(skip_serializing_if = "DiagnosticData::is_empty")]
    pub data: DiagnosticData,
}

impl Published {
    /// The protocol type, `data` included (for pull diagnostics).
    pub fn to_lsp(&self) -> Diagnostic {
        Diagnostic {
            data: (!self.data.is_empty())
                .then(|| serde_json::to_value(&self.data).ok())
                .flatten(),
            ..self.diagnostic.clone()
        }
    }
}

impl DiagnosticData {
    /// Whether there is nothing to carry.
    pub fn is_empty(&self) -> bool {
        *self == DiagnosticData::default()
    }
}

/// The editor-facing form of a lints fix (`None` for display-only fixes, which are never
/// applied, and for fixes without edits).
pub fn fix_data(fix: &lints::Fix, text: &Text) -> Option<FixData> {
    if fix.applicability == Applicability::DisplayOnly || fix.edits.is_empty() {
        return None;
    }
    if fix.edits.iter().any(|e| e.span.text(&text.text).is_none()) {
        return None;
    }
    Some(FixData {
        title: fix.message.clone(),
        safe: fix.applicability == Applicability::Safe,
        edits: fix
            .edits
            .iter()
            .map(|e| CompactEdit::new(text.text_edit(e)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_with_crlf_and_astral_chars() {
        let text = Text::new("FROM a\r\nRUN echo 😀é x\r\n".to_string());
        let x = text.text.find('x').expect("x");
        let position = text.position(x);
        assert_eq!(position, Position::new(1, 13));
        assert_eq!(text.offset(position), x);
        // Past the end of the line: before the CRLF, never between `\r` and `\n`.
        assert_eq!(text.offset(Position::new(0, 99)), 6);
        assert_eq!(text.position(7), Position::new(0, 6));
        // Past the end of the text.
        assert_eq!(text.offset(Position::new(9, 0)), text.text.len());
    }

    #[test]
    fn changes_apply_and_clamp() {
        let mut text = Text::new("FROM a\nRUN x\n".to_string());
        text.apply_change(
            Some(Range::new(Position::new(1, 4), Position::new(1, 5))),
            "yé",
        );
        assert_eq!(text.text, "FROM a\nRUN yé\n");
        text.apply_change(
            Some(Range::new(Position::new(7, 0), Position::new(3, 9))),
            "USER 1\n",
        );
        assert_eq!(text.text, "FROM a\nRUN yé\nUSER 1\n");
        text.apply_change(None, "FROM b\n");
        assert_eq!(text.index.line_count(), 2);
    }
}
