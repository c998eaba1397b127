//! The lossless token view: every byte of the source belongs to exactly one token.

use serde::Serialize;

use super::ast::{Args, Dockerfile, Instruction, Span};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// The UTF-8 byte order mark.
    Bom,
    /// A parser directive line.
    Directive,
    /// A comment line.
    Comment,
    /// An instruction keyword.
    Keyword,
    /// An instruction flag.
    Flag,
    /// An argument word (or the shell-form command).
    Argument,
    /// Heredoc body lines.
    HeredocBody,
    /// A heredoc terminator line.
    HeredocTerminator,
    /// Whitespace, line breaks, line continuations and JSON punctuation.
    Trivia,
}

/// A token: a kind and its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// Two node ranges overlap without one containing the other: the tree is inconsistent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("node ranges {first:?} and {second:?} overlap")]
pub struct OverlapError {
    /// The earlier range.
    pub first: Span,
    /// The later range.
    pub second: Span,
}

/// Builds the token list from the tree's node ranges. Nodes nested in another node (a comment
/// line inside a continued RUN) split it; ranges that cross are an error. Gaps are trivia.
pub fn tokens(file: &Dockerfile) -> Result<Vec<Token>, OverlapError> {
    let mut nodes: Vec<Token> = Vec::new();
    if file.bom {
        nodes.push(token(TokenKind::Bom, Span::new(0, 3)));
    }
    nodes.extend(
        file.directives
            .iter()
            .map(|d| token(TokenKind::Directive, d.span)),
    );
    nodes.extend(
        file.comments
            .iter()
            .map(|c| token(TokenKind::Comment, c.span)),
    );
    for instruction in &file.instructions {
        instruction_nodes(instruction, &mut nodes);
    }
    nodes.retain(|t| !t.span.is_empty());
    // Inner nodes (comments) sort after the outer node that starts at or before them.
    nodes.sort_by_key(|t| (t.span.start, std::cmp::Reverse(t.span.end)));

    let len = file.source.len();
    let mut out = Vec::with_capacity(nodes.len() * 2 + 1);
    let mut cursor = 0usize;
    // Open outer node being split by nested ones: (kind, end).
    let mut open: Option<(TokenKind, usize)> = None;
    let mut last_span: Option<Span> = None;
    for node in nodes {
        if node.span.end > len {
            return Err(OverlapError {
                first: node.span,
                second: Span::empty(len),
            });
        }
        if node.span.start < cursor {
            // Nested inside the open outer node?
            match (open, last_span) {
                (Some((_, outer_end)), _) if node.span.end <= outer_end => {}
                (_, Some(prev)) => {
                    return Err(OverlapError {
                        first: prev,
                        second: node.span,
                    });
                }
                _ => {}
            }
        }
        if let Some((kind, outer_end)) = open {
            if node.span.start >= outer_end {
                // Close the outer node.
                push(&mut out, &mut cursor, kind, outer_end);
            } else {
                // Split the outer node around this nested one.
                push(&mut out, &mut cursor, kind, node.span.start);
                push(&mut out, &mut cursor, node.kind, node.span.end);
                continue;
            }
        }
        if node.span.start > cursor {
            push(&mut out, &mut cursor, TokenKind::Trivia, node.span.start);
        }
        open = Some((node.kind, node.span.end));
        last_span = Some(node.span);
    }
    if let Some((kind, end)) = open {
        push(&mut out, &mut cursor, kind, end);
    }
    if cursor < len {
        push(&mut out, &mut cursor, TokenKind::Trivia, len);
    }
    Ok(out)
}

fn token(kind: TokenKind, span: Span) -> Token {
    Token { kind, span }
}

fn push(out: &mut Vec<Token>, cursor: &mut usize, kind: TokenKind, end: usize) {
    if end > *cursor {
        out.push(token(kind, Span::new(*cursor, end)));
        *cursor = end;
    }
}

fn instruction_nodes(instruction: &Instruction, nodes: &mut Vec<Token>) {
    nodes.push(token(TokenKind::Keyword, instruction.keyword_span));
    nodes.extend(
        instruction
            .flags
            .iter()
            .map(|f| token(TokenKind::Flag, f.span)),
    );
    args_nodes(&instruction.args, nodes);
    for heredoc in &instruction.heredocs {
        nodes.push(token(TokenKind::HeredocBody, heredoc.body));
        if let Some(terminator) = heredoc.terminator {
            nodes.push(token(TokenKind::HeredocTerminator, terminator));
        }
    }
}

fn args_nodes(args: &Args, nodes: &mut Vec<Token>) {
    match args {
        Args::Empty => {}
        Args::Exec { items, .. } | Args::Words(items) => {
            nodes.extend(items.iter().map(|w| token(TokenKind::Argument, w.span)));
        }
        Args::Rest(word) | Args::Invalid(word) => nodes.push(token(TokenKind::Argument, word.span)),
        Args::Pairs(pairs) => {
            for pair in pairs {
                nodes.push(token(TokenKind::Argument, pair.key.span));
                nodes.push(token(TokenKind::Argument, pair.value.span));
            }
        }
        Args::Healthcheck { kind, command } => {
            nodes.push(token(TokenKind::Argument, kind.span));
            args_nodes(command, nodes);
        }
        Args::Onbuild(inner) => instruction_nodes(inner, nodes),
    }
}
