//! Hover: rule documentation on codes in ignore comments and `# check=` directives, short
//! documentation on instruction keywords, flags and parser directives.

use hardfile_lints::diagnostic::rule_docs_url;
use hardfile_lints::rules::{self, RuleMeta};
use hardfile_lints::syntax::{Dockerfile, Instruction, Span};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::analysis::instruction_at;
use crate::convert::Text;
use crate::docs;

/// The hover at byte `offset`, if there is anything to say.
pub fn hover(file: &Dockerfile, text: &Text, offset: usize) -> Option<Hover> {
    let (markdown, span) = comment_hover(file, offset)
        .or_else(|| directive_hover(file, offset))
        .or_else(|| {
            let instruction = instruction_at(file, offset)?;
            instruction_hover(instruction, offset)
        })?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(text.range(span)),
    })
}

fn touches(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// A rule code (or name, or peer code) under the cursor in a suppression comment.
fn comment_hover(file: &Dockerfile, offset: usize) -> Option<(String, Span)> {
    let comment = file.comments.iter().find(|c| touches(c.span, offset))?;
    let lower = comment.text.to_ascii_lowercase();
    if !(lower.contains("ignore") || lower.contains("skip")) {
        return None;
    }
    rule_under(&file.source, comment.span, offset)
}

fn directive_hover(file: &Dockerfile, offset: usize) -> Option<(String, Span)> {
    let directive = file.directives.iter().find(|d| touches(d.span, offset))?;
    if directive.name == "check"
        && touches(directive.value_span, offset)
        && let Some(found) = rule_under(&file.source, directive.value_span, offset)
    {
        return Some(found);
    }
    docs::directive(&directive.name).map(|d| (d.to_string(), directive.span))
}

/// The word of code characters around `offset` inside `within`, resolved to a rule.
fn rule_under(source: &str, within: Span, offset: usize) -> Option<(String, Span)> {
    let bytes = source.as_bytes();
    let is_code = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let end_limit = within.end.min(bytes.len());
    let mut start = offset.min(end_limit);
    while start > within.start && is_code(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset.min(end_limit);
    while end < end_limit && is_code(bytes[end]) {
        end += 1;
    }
    let word = source.get(start..end)?.trim_matches('-');
    if word.is_empty() {
        return None;
    }
    let meta = rules::by_code(word).or_else(|| {
        let found = rules::select(word);
        // A prefix such as `HF1` names an area, not one rule.
        (found.len() == 1).then(|| found[0])
    })?;
    Some((rule_markdown(meta), Span::new(start, end)))
}

/// A rule's hover: code, name, default severity, summary, link, then its documentation.
pub fn rule_markdown(meta: &RuleMeta) -> String {
    format!(
        "**{}** `{}` · {}\n\n{}\n\n[Documentation]({})\n\n---\n\n{}",
        meta.code,
        meta.name,
        meta.default_severity.as_str(),
        meta.summary,
        rule_docs_url(meta.code),
        meta.documentation()
    )
}

fn instruction_hover(instruction: &Instruction, offset: usize) -> Option<(String, Span)> {
    if touches(instruction.keyword_span, offset) {
        let doc = docs::instruction(instruction.keyword)?;
        return Some((doc.to_string(), instruction.keyword_span));
    }
    if let Some(flag) = instruction.flags.iter().find(|f| touches(f.span, offset)) {
        let doc = docs::flag(instruction.keyword, &flag.name)?;
        return Some((doc.to_string(), flag.span));
    }
    instruction_hover(instruction.onbuild_inner()?, offset)
}
