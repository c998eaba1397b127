//! Lossless, BuildKit-exact Dockerfile parser.
//!
//! [`parse`] mirrors moby/buildkit's `frontend/dockerfile/parser`: parser directives, the
//! escape token, line continuations (with comment and blank lines inside), heredocs, exec vs
//! shell form, flags and the per-instruction argument shapes. Unlike BuildKit it never stops
//! at the first error: every problem becomes a [`SyntaxError`] with a byte range and parsing
//! goes on. Every node carries its [`Span`], and [`tokens`] covers the input byte for byte.

mod ast;
mod dump;
mod heredoc;
mod instruction;
mod json;
mod line_index;
mod lines;
mod parser;
mod tokens;
pub mod validate;

pub use ast::{
    Args, Comment, Directive, Dockerfile, Flag, Heredoc, Instruction, KeyValue, Keyword, Span,
    SyntaxError, SyntaxSeverity, Word,
};
pub use dump::dump;
pub use instruction::go_quote;
pub use line_index::{LineCol, LineIndex};
pub use parser::{parse, parse_syntax_only};
pub use tokens::{OverlapError, Token, TokenKind, tokens};
pub use validate::validate;

#[cfg(test)]
mod tests;
