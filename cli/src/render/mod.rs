//! Output renderers for `lint`: human (miette), JSON, SARIF and GitHub annotations, plus the
//! location helpers they share.

use hardfile_lints::diagnostic::Diagnostic;
use hardfile_lints::rules::{self, RuleMeta};
use hardfile_lints::syntax::{LineCol, Span};

use crate::lint_cmd::Checked;

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// The stable documentation URL of a rule, shared with the language server: the page
/// published from the generated `docs/rules/<CODE>.md`.
pub fn rule_url(code: &str) -> String {
    hardfile_lints::diagnostic::rule_docs_url(code)
}

/// A span clamped to the text and to character boundaries, so renderers never slice
/// out of bounds whatever a rule reported.
pub fn clamp(span: Span, source: &str) -> Span {
    let fit = |mut offset: usize| {
        offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = fit(span.start);
    Span::new(start, fit(span.end).max(start))
}

/// 1-based start and end positions of a span (end exclusive, as SARIF and GitHub expect).
pub fn line_cols(checked: &Checked, span: Span) -> (LineCol, LineCol) {
    let span = clamp(span, &checked.source);
    (
        checked.index.line_col(&checked.source, span.start),
        checked.index.line_col(&checked.source, span.end),
    )
}

/// The metadata of a finding's rule (`None` for syntax errors).
pub fn meta_of(diagnostic: &Diagnostic) -> Option<&'static RuleMeta> {
    rules::by_code(diagnostic.code)
}

/// CIS items of a finding's rule in `version`.
pub fn cis_items(diagnostic: &Diagnostic, version: &str) -> Vec<&'static str> {
    meta_of(diagnostic).map_or_else(Vec::new, |m| m.sources.cis_items(version).to_vec())
}

/// Peer codes of a finding's rule.
pub fn peer_codes(diagnostic: &Diagnostic) -> Vec<&'static str> {
    meta_of(diagnostic).map_or_else(Vec::new, |m| m.sources.peer_codes().collect())
}
