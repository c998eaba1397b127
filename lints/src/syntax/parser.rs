//! The file-level parse loop: directives, comments, continuations, heredocs.

use super::ast::{
    Args, Comment, Directive, Dockerfile, Heredoc, Instruction, Span, SyntaxError, SyntaxSeverity,
};
use super::heredoc::heredocs_in_line;
use super::instruction::parse_instruction;
use super::lines::{LogicalLine, PhysicalLine, physical_lines, trim_start_len};

const BOM: &str = "\u{feff}";

/// Parses a Dockerfile and runs BuildKit's instruction-level checks ([`super::validate`]).
/// Never fails and never panics: problems become diagnostics and parsing goes on with the
/// next line.
pub fn parse(source: &str) -> Dockerfile {
    let mut file = parse_syntax_only(source);
    let checks = super::validate::validate(&file);
    file.diagnostics.extend(checks);
    file.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    file
}

/// Only BuildKit's parser stage (what its parser conformance cases test): no instruction-level
/// checks such as unknown flags or a missing FROM.
pub fn parse_syntax_only(source: &str) -> Dockerfile {
    Parser::new(source).run()
}

/// BuildKit's `DirectiveParser`: directives only in the leading run of `#` lines.
#[derive(Default)]
struct DirectiveState {
    done: bool,
    seen: Vec<String>,
}

enum DirectiveOutcome {
    None,
    Found {
        name: String,
        value: String,
        value_start: usize,
        value_end: usize,
    },
    Error(String),
}

impl DirectiveState {
    /// `line` is already trimmed on the left; offsets are relative to it.
    fn parse_line(&mut self, line: &str) -> DirectiveOutcome {
        if self.done {
            return DirectiveOutcome::None;
        }
        let Some(after_hash) = line.strip_prefix('#') else {
            self.done = true;
            return DirectiveOutcome::None;
        };
        let body_start = 1 + trim_start_len(after_hash);
        let body = &line[body_start..];
        // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ with Go's ASCII \s.
        let is_ascii_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r');
        let name_len = body
            .char_indices()
            .take_while(|&(i, c)| {
                if i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            .count();
        if name_len == 0 {
            self.done = true;
            return DirectiveOutcome::None;
        }
        let name = body[..name_len].to_ascii_lowercase();
        let after_name = &body[name_len..];
        let after_space = after_name.trim_start_matches(is_ascii_space);
        let Some(after_eq) = after_space.strip_prefix('=') else {
            self.done = true;
            return DirectiveOutcome::None;
        };
        let value_text = after_eq.trim_start_matches(is_ascii_space);
        let value_trimmed = value_text.trim_end_matches(is_ascii_space);
        if value_trimmed.is_empty() || !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return DirectiveOutcome::None;
        }
        if self.seen.contains(&name) {
            return DirectiveOutcome::Error(format!(
                "only one {name} parser directive can be used"
            ));
        }
        self.seen.push(name.clone());
        let value_start = line.len() - value_text.len();
        DirectiveOutcome::Found {
            name,
            value: value_trimmed.to_string(),
            value_start,
            value_end: value_start + value_trimmed.len(),
        }
    }
}

struct Parser<'a> {
    source: &'a str,
    lines: Vec<PhysicalLine>,
    next: usize,
    escape: char,
    directive_state: DirectiveState,
    file: Dockerfile,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str) -> Self {
        let bom = source.starts_with(BOM);
        Parser {
            source,
            lines: physical_lines(source),
            next: 0,
            escape: '\\',
            directive_state: DirectiveState::default(),
            file: Dockerfile {
                source: source.to_string(),
                bom,
                escape: '\\',
                directives: Vec::new(),
                comments: Vec::new(),
                instructions: Vec::new(),
                diagnostics: Vec::new(),
            },
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.file.diagnostics.push(SyntaxError {
            message: message.into(),
            span,
            severity: SyntaxSeverity::Error,
        });
    }

    /// Content start of line `index` (after the BOM on the first line).
    fn content_start(&self, index: usize) -> usize {
        let line = self.lines[index];
        if index == 0 && self.file.bom {
            (line.start + BOM.len()).min(line.content_end)
        } else {
            line.start
        }
    }

    fn content(&self, index: usize) -> (usize, &'a str) {
        let start = self.content_start(index);
        (start, &self.source[start..self.lines[index].content_end])
    }

    fn is_comment(text: &str) -> bool {
        text[trim_start_len(text)..].starts_with('#')
    }

    /// BuildKit's `trimContinuationCharacter`: the line without its continuation escape
    /// (and trailing blanks), and whether the instruction ends here.
    fn trim_continuation(&self, text: &'a str) -> (&'a str, bool) {
        let trimmed = text.trim_end_matches([' ', '\t']);
        let Some(before) = trimmed.strip_suffix(self.escape) else {
            return (text, true);
        };
        if before.is_empty() || !before.ends_with(self.escape) {
            (before, false)
        } else {
            (text, true)
        }
    }

    fn record_comment(&mut self, start: usize, text: &str) {
        let lead = trim_start_len(text);
        let body = text[lead..].strip_prefix('#').unwrap_or("");
        self.file.comments.push(Comment {
            text: body.trim().to_string(),
            span: Span::new(start + lead, start + text.len()),
        });
    }

    /// Feeds a (left-trimmed) line to the directive parser, as `processLine` does.
    fn directive_line(&mut self, trimmed_start: usize, trimmed: &str) -> bool {
        match self.directive_state.parse_line(trimmed) {
            DirectiveOutcome::None => false,
            DirectiveOutcome::Error(message) => {
                self.error(
                    message,
                    Span::new(trimmed_start, trimmed_start + trimmed.len()),
                );
                false
            }
            DirectiveOutcome::Found {
                name,
                value,
                value_start,
                value_end,
            } => {
                if name == "escape" {
                    match value.as_str() {
                        "\\" => self.escape = '\\',
                        "`" => self.escape = '`',
                        _ => {
                            self.error(
                                format!("invalid escape token '{value}' does not match ` or \\"),
                                Span::new(trimmed_start + value_start, trimmed_start + value_end),
                            );
                            return false;
                        }
                    }
                }
                self.file.directives.push(Directive {
                    name,
                    value,
                    span: Span::new(trimmed_start, trimmed_start + trimmed.len()),
                    value_span: Span::new(trimmed_start + value_start, trimmed_start + value_end),
                });
                true
            }
        }
    }

    fn run(mut self) -> Dockerfile {
        let mut prev_comments: Vec<String> = Vec::new();
        while self.next < self.lines.len() {
            let index = self.next;
            self.next += 1;
            let (start, text) = self.content(index);
            let lead = trim_start_len(text);
            let trimmed = &text[lead..];
            let is_comment = trimmed.starts_with('#');
            if is_comment {
                // BuildKit trims `bytesRead[1:]`, i.e. it drops the first character.
                let mut chars = text.chars();
                chars.next();
                let comment = chars.as_str().trim();
                if comment.is_empty() {
                    prev_comments.clear();
                } else {
                    prev_comments.push(comment.to_string());
                }
            }
            if self.directive_line(start + lead, trimmed) {
                prev_comments.pop();
                continue;
            }
            if is_comment {
                self.record_comment(start, text);
                continue;
            }
            let (first, mut ended) = self.trim_continuation(trimmed);
            if ended && first.is_empty() {
                continue;
            }
            let mut logical = LogicalLine::default();
            logical.push(first, start + lead);
            let mut empty_continuation: Option<Span> = None;
            while !ended && self.next < self.lines.len() {
                let index = self.next;
                self.next += 1;
                let (start, text) = self.content(index);
                // The directive parser sees every line (it is long done by now).
                let lead = trim_start_len(text);
                self.directive_line(start + lead, &text[lead..]);
                if Self::is_comment(text) {
                    self.record_comment(start, text);
                    continue;
                }
                if text
                    .trim_start_matches(super::lines::is_go_space)
                    .is_empty()
                {
                    empty_continuation.get_or_insert(Span::new(start, self.lines[index].end));
                    continue;
                }
                let (piece, end_here) = self.trim_continuation(text);
                logical.push(piece, start);
                ended = end_here;
            }
            let (mut instruction, error) = parse_instruction(&logical, 0, self.escape);
            if let Some((message, span)) = error {
                self.error(message, span);
            }
            if let Some(span) = empty_continuation {
                self.file.diagnostics.push(SyntaxError {
                    message: format!("Empty continuation line found in: {}", logical.text),
                    span,
                    severity: SyntaxSeverity::Warning,
                });
            }
            self.read_heredocs(&mut instruction, &logical);
            instruction.prev_comments = std::mem::take(&mut prev_comments);
            self.file.instructions.push(instruction);
        }
        if self.file.instructions.is_empty() {
            let end = self.source.len();
            self.error("file with no instructions", Span::empty(end));
        }
        self.file.escape = self.escape;
        self.file
    }

    fn heredoc_target(instruction: &mut Instruction) -> Option<&mut Instruction> {
        let target = match instruction.args {
            Args::Onbuild(ref mut inner) => inner.as_mut(),
            _ => instruction,
        };
        (target.keyword.allows_heredoc() && !target.is_exec_form()).then_some(target)
    }

    fn read_heredocs(&mut self, instruction: &mut Instruction, logical: &LogicalLine) {
        if !logical.text.contains("<<") {
            return;
        }
        let outer_end = instruction.span.end;
        let Some(target) = Self::heredoc_target(instruction) else {
            return;
        };
        let mut last_end = outer_end;
        for found in heredocs_in_line(&logical.text) {
            let body_start = self
                .lines
                .get(self.next)
                .map_or(self.source.len(), |l| l.start);
            let mut content = String::new();
            let mut terminator = None;
            let mut body_end = body_start;
            while self.next < self.lines.len() {
                let line = self.lines[self.next];
                self.next += 1;
                let text = &self.source[line.start..line.content_end];
                let candidate = if found.chomp {
                    text.trim_start_matches('\t')
                } else {
                    text
                };
                if candidate == found.name {
                    terminator = Some(Span::new(line.start, line.content_end));
                    last_end = line.content_end;
                    break;
                }
                content.push_str(&self.source[line.start..line.end]);
                body_end = line.end;
                last_end = line.content_end;
            }
            if terminator.is_none() {
                self.error("unterminated heredoc", logical.span(found.start, found.end));
            }
            target.heredocs.push(Heredoc {
                name: found.name,
                fd: found.fd,
                expand: found.expand,
                chomp: found.chomp,
                content,
                marker: logical.span(found.start, found.end),
                body: Span::new(body_start, body_end.max(body_start)),
                terminator,
            });
        }
        let end = last_end.max(outer_end);
        target.span.end = target.span.end.max(end);
        instruction.span.end = end;
    }
}
