//! Linting one document: parse, check with the same `lints` calls as the CLI, and turn the
//! findings into LSP diagnostics that carry their fixes and ignore-comment edits.

use std::path::Path;

use hardfile_lints::check::{SYNTAX_ERROR_CODE, check_cached};
use hardfile_lints::config::Config;
use hardfile_lints::context::{BuildContext, FsContext};
use hardfile_lints::diagnostic::{Applicability, Edit};
use hardfile_lints::rules;
use hardfile_lints::shell::ScriptCache;
use hardfile_lints::syntax::{self, Dockerfile, Instruction, Span};
use tower_lsp_server::ls_types::{TextEdit, Uri};

use crate::convert::{self, DiagnosticData, Published, Text};

/// The placeholder reason written by the ignore actions; the user replaces it.
pub const REASON_PLACEHOLDER: &str = "TODO: reason";

/// The result of linting one version of a document.
#[derive(Debug)]
pub struct Analysis {
    /// The parsed file (for hover, symbols, folding and ignore actions of the same version).
    pub file: Dockerfile,
    /// The text that was linted.
    pub text: Text,
    /// What the server publishes.
    pub diagnostics: Vec<Published>,
    /// How many findings carry a safe fix (fix-all is offered when non-zero).
    pub safe_fixes: usize,
}

/// Lints `text` as the CLI would lint the file at `path` (whose directory is the build
/// context); `version` is recorded in each diagnostic's data; `scripts` keeps the RUN
/// scripts of earlier versions of the same document.
pub fn analyze(
    text: &Text,
    config: &Config,
    uri: &Uri,
    path: Option<&Path>,
    version: Option<i32>,
    scripts: Option<&ScriptCache>,
) -> Analysis {
    let file = syntax::parse(&text.text);
    let context = path.and_then(Path::parent).map(FsContext::new);
    let report = check_cached(
        &file,
        config,
        context.as_ref().map(|c| c as &dyn BuildContext),
        scripts,
    );
    let mut safe_fixes = 0;
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|finding| {
            let fix = finding
                .fix
                .as_ref()
                .and_then(|fix| convert::fix_data(fix, text));
            if finding
                .fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
            {
                safe_fixes += 1;
            }
            let data = DiagnosticData { version, fix };
            convert::diagnostic(finding, text, uri, data)
        })
        .collect();
    Analysis {
        file,
        text: text.clone(),
        diagnostics,
        safe_fixes,
    }
}

/// The two ignore-comment edits for a finding of rule `code` at byte `offset` of
/// `analysis`'s text: for its instruction, and for the whole file. `None` where an ignore
/// comment would not silence it (syntax errors, inline suppressions disabled, locked rules).
pub fn ignore_edits(
    analysis: &Analysis,
    config: &Config,
    code: &str,
    offset: usize,
) -> (Option<TextEdit>, Option<TextEdit>) {
    let Some(code) = can_ignore(code, config) else {
        return (None, None);
    };
    let text = &analysis.text;
    (
        ignore_instruction_edit(&analysis.file, text, code, offset),
        Some(ignore_file_edit(
            text,
            global_ignore_offset(&analysis.file),
            code,
        )),
    )
}

/// The rule's own code when an ignore comment would silence its findings: not a syntax
/// error, inline suppressions allowed, and the rule not locked by the configuration.
fn can_ignore(code: &str, config: &Config) -> Option<&'static str> {
    if code == SYNTAX_ERROR_CODE || config.disable_inline_suppressions {
        return None;
    }
    let meta = rules::by_code(code)?;
    (!config
        .locked
        .iter()
        .any(|l| meta.matches(l, &config.cis_version)))
    .then_some(meta.code)
}

/// The top-level instruction whose range holds `offset`.
pub fn instruction_at(file: &Dockerfile, offset: usize) -> Option<&Instruction> {
    let after = file
        .instructions
        .partition_point(|i| i.span.start <= offset);
    let candidate = file.instructions.get(after.checked_sub(1)?)?;
    (offset <= candidate.span.end).then_some(candidate)
}

/// Byte offset where line `offset` is on starts.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

/// An edit that silences rule `code` on the instruction at `offset`: extends a
/// `# hardfile ignore=` comment on the line above, or inserts one with the instruction's
/// indentation.
fn ignore_instruction_edit(
    file: &Dockerfile,
    text: &Text,
    code: &str,
    offset: usize,
) -> Option<TextEdit> {
    let instruction = instruction_at(file, offset)?;
    let source = &text.text;
    let start = line_start(source, instruction.span.start);
    let indent = &source[start..instruction.span.start];
    if !indent.chars().all(char::is_whitespace) {
        return None;
    }
    if start > 0 {
        let previous = line_start(source, start - 1);
        if let Some(comment) = file
            .comments
            .iter()
            .find(|c| c.span.start >= previous && c.span.end < start)
            && let Some(at) = ignore_codes_end(source, comment.span)
        {
            return Some(text.text_edit(&Edit::insert(at, format!(",{code}"))));
        }
    }
    let line = format!(
        "{indent}# hardfile ignore={code} -- {REASON_PLACEHOLDER}{}",
        text.newline()
    );
    Some(text.text_edit(&Edit::insert(start, line)))
}

/// When the comment at `span` is `# hardfile ignore=CODES [-- reason]`, the offset just
/// after its last code.
fn ignore_codes_end(source: &str, span: Span) -> Option<usize> {
    let comment = span.text(source)?;
    let body = comment.strip_prefix('#')?;
    let trimmed = body.trim_start();
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower.strip_prefix("hardfile")?;
    let rest = rest.trim_start_matches(':').trim_start();
    let rest = rest.strip_prefix("ignore")?.trim_start();
    let codes = rest.strip_prefix('=')?;
    // `codes` is a suffix of `lower`, which has the same byte layout as the comment.
    let codes_start = span.start + comment.len() - codes.len();
    let end_in_codes = [" -- ", " // ", " # ", "--", "//"]
        .iter()
        .filter_map(|sep| codes.find(sep))
        .min()
        .unwrap_or(codes.len());
    let listed = codes[..end_in_codes].trim_end();
    if listed.is_empty() {
        return None;
    }
    Some(codes_start + listed.len())
}

/// Where a file-wide ignore goes: after the BOM and the parser directives.
fn global_ignore_offset(file: &Dockerfile) -> usize {
    let source = &file.source;
    let mut at = if file.bom { 3 } else { 0 };
    if let Some(last) = file.directives.iter().map(|d| d.span.end).max() {
        at = match source[last.min(source.len())..].find('\n') {
            Some(i) => last + i + 1,
            None => source.len(),
        };
    }
    at
}

fn ignore_file_edit(text: &Text, at: usize, code: &str) -> TextEdit {
    let newline = text.newline();
    // A directive on the last line without a line break needs one first.
    let lead = if at == text.text.len() && at > 0 && !text.text.ends_with('\n') {
        newline
    } else {
        ""
    };
    text.text_edit(&Edit::insert(
        at,
        format!("{lead}# hardfile global ignore={code} -- {REASON_PLACEHOLDER}{newline}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_end_of_an_ignore_comment() {
        let source = "# hardfile ignore=HF101 -- base runs as root\nFROM a\n";
        assert_eq!(
            ignore_codes_end(source, Span::new(0, 44)),
            Some("# hardfile ignore=HF101".len())
        );
        let source = "# Hardfile: ignore = HF1,HF2\n";
        assert_eq!(ignore_codes_end(source, Span::new(0, 28)), Some(28));
        assert_eq!(
            ignore_codes_end("# install tools\n", Span::new(0, 15)),
            None
        );
    }

    #[test]
    fn global_ignores_go_after_directives() {
        let file = syntax::parse("# syntax=docker/dockerfile:1\n# check=error=true\n\nFROM a\n");
        assert_eq!(global_ignore_offset(&file), 48);
        let file = syntax::parse("FROM a\n");
        assert_eq!(global_ignore_offset(&file), 0);
    }
}
