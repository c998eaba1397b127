//! A hand-written parser for the shell that Dockerfiles actually contain, tried before
//! tree-sitter-bash.
//!
//! tree-sitter-bash parses about 3 MB/s and was most of `hardfile lint`'s time. Almost every
//! RUN script is plain POSIX shell: simple commands joined by `&&`, `||`, `;` and pipes,
//! quoting, parameter expansions, `$(…)`, redirections, `if`/`for`/`while`/`case`, groups
//! and `[ … ]` tests. This parser reads exactly that subset and builds the same command
//! model [`super::build`] builds from tree-sitter's tree — including tree-sitter-bash's
//! grouping, such as trailing redirections applying to the whole `&&` list before them and
//! a redirection taking every word after it as a destination. Anything outside the subset
//! (heredocs, `!`, functions, arrays, `((…))`, process substitution, syntax errors, …)
//! makes [`parse`] return `None`, and the caller falls back to tree-sitter, which also owns
//! error recovery. A test compares both parsers on every script of the public corpus.

use super::build::{
    self, MAX_DEPTH, MAX_SHELL_NESTING, SHELLS, SpanMap, pipefail_setting, shell_invocation,
};
use super::command;
use super::word::unescape_ansi_c;
use super::{
    Assignment, Command, CommandId, Origin, ParseOptions, Pipeline, PipelineId, PipelinePosition,
    Redirect, Script, Separator, SeparatorKind, Span, Stage, Statement, Word,
};

/// Parses `text` when it is inside the subset; `None` otherwise.
pub(super) fn parse(text: &str, options: ParseOptions) -> Option<Script> {
    let items = Parser::new(text).program()?;
    let mut emitter = Emitter {
        outer: text,
        commands: Vec::new(),
        pipelines: Vec::new(),
        pipefail: options.pipefail,
    };
    let ctx = Ctx {
        src: text,
        map: SpanMap::Offset(0),
        origin: Origin::Direct,
        approximate: false,
        pipeline: None,
        negated: false,
        depth: 0,
        shell_nesting: 0,
    };
    for (node, _) in &items {
        emitter.walk(node, ctx)?;
    }
    let statements = statements(&items, text);
    let mut commands = emitter.commands;
    build::assign_statements(&mut commands, &statements);
    Some(Script {
        commands,
        pipelines: emitter.pipelines,
        statements,
        errors: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------
// Syntax tree (shaped like tree-sitter-bash's, which the model's details follow)
// ---------------------------------------------------------------------------------------

/// A word: its range, its value after quote removal and the scripts of its `$(…)`.
#[derive(Debug)]
struct WordNode {
    span: Span,
    text: String,
    is_static: bool,
    substitutions: Vec<Vec<Item>>,
}

#[derive(Debug)]
struct AssignNode {
    name: Span,
    value: Option<WordNode>,
    span: Span,
}

#[derive(Debug)]
struct RedirectNode {
    fd: Option<Span>,
    op: &'static str,
    /// The first destination, then the words tree-sitter-bash also takes as destinations.
    targets: Vec<WordNode>,
    span: Span,
}

#[derive(Debug)]
enum Part {
    Assign(AssignNode),
    Redirect(RedirectNode),
    Word(WordNode),
}

/// What separates list elements (`&&`, `||`, `;`, `&`).
type Sep = (SeparatorKind, Span);

/// A list element and the `;`/`&` after it.
type Item = (Node, Option<Sep>);

#[derive(Debug)]
enum Node {
    /// `[assignments|redirects] name args`: `parts` in source order.
    Simple {
        parts: Vec<Part>,
        span: Span,
    },
    /// `X=1` or `X=1 Y=2` alone.
    Assignments {
        assigns: Vec<AssignNode>,
        span: Span,
    },
    /// `export`/`local`/`declare`/`readonly`/`typeset`/`unset`.
    Declaration {
        keyword: Span,
        parts: Vec<Part>,
        span: Span,
    },
    Redirected {
        body: Box<Node>,
        redirects: Vec<RedirectNode>,
        span: Span,
    },
    Pipeline {
        stages: Vec<Node>,
        span: Span,
    },
    /// `a && b || c`, flattened.
    List {
        items: Vec<Node>,
        ops: Vec<Sep>,
        span: Span,
    },
    /// `if`, `for`, `while`, `until`, `case`, `{ }`, `( )` and `[ ]`/`[[ ]]` tests: the
    /// words and statements inside, in source order.
    Compound {
        parts: Vec<Node>,
        span: Span,
    },
    /// A word walked only for its substitutions (loop values, case subjects, tests).
    Word(WordNode),
    /// `! command`.
    Negated {
        command: Box<Node>,
        span: Span,
    },
}

impl Node {
    fn span(&self) -> Span {
        match self {
            Node::Simple { span, .. }
            | Node::Assignments { span, .. }
            | Node::Declaration { span, .. }
            | Node::Redirected { span, .. }
            | Node::Pipeline { span, .. }
            | Node::List { span, .. }
            | Node::Compound { span, .. }
            | Node::Negated { span, .. } => *span,
            Node::Word(word) => word.span,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------

/// Reserved words that end a list where a command would start.
const TERMINATORS: &[&str] = &[
    "then", "elif", "else", "fi", "do", "done", "esac", "}", "in",
];
/// Reserved words and builtins the subset leaves to tree-sitter.
const UNSUPPORTED: &[&str] = &["function", "select", "coproc", "time", "]]", "(("];
const DECLARATIONS: &[&str] = &["export", "local", "declare", "readonly", "typeset", "unset"];
/// Nesting of `$(…)` and compound commands the subset accepts.
const MAX_NESTING: usize = 20;

struct Parser<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    /// Inside a backtick substitution: an unescaped backtick ends words and lists.
    in_backtick: bool,
    depth: usize,
}

fn is_meta(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_name(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl<'s> Parser<'s> {
    fn new(src: &'s str) -> Self {
        Parser {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            in_backtick: false,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn starts_with(&self, text: &str) -> bool {
        self.bytes[self.pos..].starts_with(text.as_bytes())
    }

    /// Skips blanks, line continuations and a comment (not the newline after it).
    fn skip_blank(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Skips blanks, comments and newlines.
    fn skip_newlines(&mut self) {
        loop {
            self.skip_blank();
            if self.peek() == Some(b'\n') {
                self.pos += 1;
            } else {
                return;
            }
        }
    }

    /// Whether a list ends here: end of text, `)`, `;;`, a closing backtick, or a
    /// terminating reserved word.
    fn at_list_end(&self) -> bool {
        match self.peek() {
            None | Some(b')') => true,
            Some(b'`') => self.in_backtick,
            Some(b';') => self.peek_at(1) == Some(b';'),
            _ => self
                .plain_word()
                .is_some_and(|word| TERMINATORS.contains(&word)),
        }
    }

    /// The unquoted word at the cursor, when it has no quoting or expansion.
    fn plain_word(&self) -> Option<&'s str> {
        let start = self.pos;
        let mut end = start;
        while let Some(&byte) = self.bytes.get(end) {
            if is_meta(byte) || (byte == b'`' && self.in_backtick) {
                break;
            }
            if matches!(byte, b'\'' | b'"' | b'\\' | b'$' | b'`') {
                return None;
            }
            end += 1;
        }
        (end > start).then(|| &self.src[start..end])
    }

    fn expect_word(&mut self, word: &str) -> Option<()> {
        self.skip_blank();
        if self.plain_word() == Some(word) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    /// The whole text: statements with their `;`/`&` separators.
    fn program(mut self) -> Option<Vec<Item>> {
        let items = self.list()?;
        self.skip_newlines();
        (self.pos == self.bytes.len()).then_some(items)
    }

    /// Statements separated by `;`, `&` or newlines, up to a list end.
    fn list(&mut self) -> Option<Vec<Item>> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return None;
        }
        let mut items: Vec<Item> = Vec::new();
        loop {
            self.skip_newlines();
            if self.at_list_end() {
                break;
            }
            let node = self.chain()?;
            self.skip_blank();
            let separator = match self.peek() {
                Some(b';') if self.peek_at(1) != Some(b';') && self.peek_at(1) != Some(b'&') => {
                    self.pos += 1;
                    Some((SeparatorKind::Semicolon, Span::new(self.pos - 1, self.pos)))
                }
                Some(b'&') if self.peek_at(1) != Some(b'&') && self.peek_at(1) != Some(b'>') => {
                    self.pos += 1;
                    Some((SeparatorKind::Background, Span::new(self.pos - 1, self.pos)))
                }
                Some(b'\n' | b';' | b')') | None => None,
                Some(b'`') if self.in_backtick => None,
                _ => return None,
            };
            let ended = separator.is_none() && self.peek() != Some(b'\n');
            items.push((node, separator));
            if ended {
                break;
            }
        }
        self.depth -= 1;
        Some(items)
    }

    /// Pipelines joined by `&&`/`||`, with redirections after any of them applying to
    /// everything before (tree-sitter-bash's lowest-precedence `redirected_statement`).
    fn chain(&mut self) -> Option<Node> {
        let mut left = self.unit()?;
        loop {
            self.skip_blank();
            if self.at_redirect() {
                let mut redirects = Vec::new();
                while self.at_redirect() {
                    redirects.push(self.redirect(true)?);
                    self.skip_blank();
                }
                let span = Span::new(left.span().start, redirects.last()?.span.end);
                left = Node::Redirected {
                    body: Box::new(left),
                    redirects,
                    span,
                };
                continue;
            }
            if self.starts_with("&&") || self.starts_with("||") {
                let kind = if self.starts_with("&&") {
                    SeparatorKind::And
                } else {
                    SeparatorKind::Or
                };
                let op = Span::new(self.pos, self.pos + 2);
                self.pos += 2;
                self.skip_newlines();
                let right = self.unit()?;
                left = match left {
                    Node::List {
                        mut items,
                        mut ops,
                        span,
                    } => {
                        let span = Span::new(span.start, right.span().end);
                        items.push(right);
                        ops.push((kind, op));
                        Node::List { items, ops, span }
                    }
                    other => {
                        let span = Span::new(other.span().start, right.span().end);
                        Node::List {
                            items: vec![other, right],
                            ops: vec![(kind, op)],
                            span,
                        }
                    }
                };
                continue;
            }
            if self.peek() == Some(b'|') {
                if self.peek_at(1) == Some(b'&') {
                    return None;
                }
                self.pos += 1;
                self.skip_newlines();
                let right = self.unit()?;
                left = match left {
                    // `a && b | c`: the pipe binds tighter than `&&`.
                    Node::List {
                        mut items,
                        ops,
                        span,
                    } => {
                        let last = items.pop()?;
                        let piped = pipe(last, right);
                        let span = Span::new(span.start, piped.span().end);
                        items.push(piped);
                        Node::List { items, ops, span }
                    }
                    Node::Redirected { ref body, .. } if matches!(**body, Node::List { .. }) => {
                        return None;
                    }
                    other => pipe(other, right),
                };
                continue;
            }
            return Some(left);
        }
    }

    /// A command: simple, declaration, compound or test.
    fn unit(&mut self) -> Option<Node> {
        self.skip_blank();
        if self.peek() == Some(b'(') {
            if self.peek_at(1) == Some(b'(') {
                return None;
            }
            return self.subshell();
        }
        if let Some(word) = self.plain_word() {
            if UNSUPPORTED.contains(&word) || TERMINATORS.contains(&word) {
                return None;
            }
            match word {
                "!" => return self.negated(),
                "if" => return self.if_clause(),
                "while" | "until" => return self.while_clause(word.len()),
                "for" => return self.for_clause(),
                "case" => return self.case_clause(),
                "{" => return self.group(),
                "[" | "[[" => return self.test(word),
                _ if DECLARATIONS.contains(&word) => return self.declaration(word.len()),
                _ => {}
            }
        }
        self.simple()
    }

    /// `! command` (tree-sitter-bash reads only a simple command after `!` correctly).
    fn negated(&mut self) -> Option<Node> {
        let start = self.pos;
        self.pos += 1;
        self.skip_blank();
        if matches!(self.peek(), Some(b'(' | b'{' | b'[' | b'!'))
            || self.plain_word().is_some_and(|word| {
                TERMINATORS.contains(&word)
                    || DECLARATIONS.contains(&word)
                    || matches!(word, "if" | "while" | "until" | "for" | "case")
            })
        {
            return None;
        }
        let command = self.simple()?;
        let span = Span::new(start, command.span().end);
        Some(Node::Negated {
            command: Box::new(command),
            span,
        })
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    fn simple(&mut self) -> Option<Node> {
        let start = self.pos;
        let mut parts = Vec::new();
        let mut prefix_redirect = false;
        loop {
            self.skip_blank();
            if self.at_redirect() {
                parts.push(Part::Redirect(self.redirect(false)?));
                prefix_redirect = true;
            } else if let Some(assign) = self.assignment()? {
                parts.push(Part::Assign(assign));
            } else {
                break;
            }
        }
        if !self.at_word_start() {
            if prefix_redirect || parts.is_empty() {
                return None;
            }
            let assigns: Vec<AssignNode> = parts
                .into_iter()
                .filter_map(|part| match part {
                    Part::Assign(assign) => Some(assign),
                    _ => None,
                })
                .collect();
            let span = Span::new(start, assigns.last()?.span.end);
            return Some(Node::Assignments { assigns, span });
        }
        let name = self.word()?;
        // `name()` is a function definition.
        let mut end = name.span.end;
        parts.push(Part::Word(name));
        loop {
            self.skip_blank();
            if self.at_redirect() || !self.at_word_start() {
                break;
            }
            let word = self.word()?;
            end = word.span.end;
            parts.push(Part::Word(word));
        }
        if self.peek() == Some(b'(') {
            return None;
        }
        Some(Node::Simple {
            parts,
            span: Span::new(start, end),
        })
    }

    fn declaration(&mut self, keyword_len: usize) -> Option<Node> {
        let start = self.pos;
        self.pos += keyword_len;
        let keyword = Span::new(start, self.pos);
        let mut parts = Vec::new();
        let mut end = self.pos;
        loop {
            self.skip_blank();
            if self.at_redirect() {
                return None;
            }
            if let Some(assign) = self.assignment()? {
                end = assign.span.end;
                parts.push(Part::Assign(assign));
                continue;
            }
            if !self.at_word_start() {
                break;
            }
            let word = self.word()?;
            end = word.span.end;
            parts.push(Part::Word(word));
        }
        Some(Node::Declaration {
            keyword,
            parts,
            span: Span::new(start, end),
        })
    }

    fn at_word_start(&self) -> bool {
        match self.peek() {
            None => false,
            Some(b'`') if self.in_backtick => false,
            Some(byte) => !is_meta(byte),
        }
    }

    /// `NAME=value` (or `NAME+=value`) at the cursor: `Some(None)` when the word is not an
    /// assignment, `None` when it is one outside the subset (`a[1]=`, `a=(…)`).
    #[allow(
        clippy::option_option,
        reason = "outer None means: leave it to tree-sitter"
    )]
    fn assignment(&mut self) -> Option<Option<AssignNode>> {
        let start = self.pos;
        if !self.peek().is_some_and(is_name_start) {
            return Some(None);
        }
        let mut end = start;
        while self.bytes.get(end).copied().is_some_and(is_name) {
            end += 1;
        }
        let name = Span::new(start, end);
        let value_at = match (self.bytes.get(end), self.bytes.get(end + 1)) {
            (Some(b'='), _) => end + 1,
            (Some(b'+'), Some(b'=')) => end + 2,
            (Some(b'['), _) => return None,
            _ => return Some(None),
        };
        self.pos = value_at;
        if self.peek() == Some(b'(') {
            return None;
        }
        let value = if self.at_word_start() {
            Some(self.word()?)
        } else {
            None
        };
        let span = Span::new(start, value.as_ref().map_or(value_at, |v| v.span.end));
        Some(Some(AssignNode { name, value, span }))
    }

    fn at_redirect(&self) -> bool {
        let mut at = self.pos;
        while self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        match self.bytes.get(at) {
            Some(b'<' | b'>') => true,
            Some(b'&') => at == self.pos && self.bytes.get(at + 1) == Some(&b'>'),
            _ => false,
        }
    }

    /// A redirection; `greedy` (after a command) takes every following word as a further
    /// destination, as tree-sitter-bash does.
    fn redirect(&mut self, greedy: bool) -> Option<RedirectNode> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let fd = (self.pos > start).then(|| Span::new(start, self.pos));
        let op = [">>", ">&", "&>>", "&>", "<&", ">", "<"]
            .into_iter()
            .find(|op| self.starts_with(op))?;
        // `>|`, `<>`, `<<`, `<<<`, `<(`, `>(` are left to tree-sitter.
        let next = self.bytes.get(self.pos + op.len()).copied();
        if matches!(next, Some(b'|' | b'>' | b'<' | b'(')) && !matches!(op, ">>" | "&>>") {
            return None;
        }
        if op.starts_with('&') && fd.is_some() {
            return None;
        }
        self.pos += op.len();
        self.skip_blank();
        if !self.at_word_start() {
            return None;
        }
        let mut targets = vec![self.word()?];
        if greedy {
            loop {
                self.skip_blank();
                if self.at_redirect() || !self.at_word_start() {
                    break;
                }
                targets.push(self.word()?);
            }
        }
        let end = targets.last()?.span.end;
        Some(RedirectNode {
            fd,
            op,
            targets,
            span: Span::new(start, end),
        })
    }

    /// One word: unquoted text, quotes, expansions and substitutions, up to a metacharacter.
    fn word(&mut self) -> Option<WordNode> {
        let start = self.pos;
        let mut text = String::new();
        let mut is_static = true;
        let mut substitutions = Vec::new();
        while let Some(byte) = self.peek() {
            if is_meta(byte) {
                break;
            }
            match byte {
                b'`' if self.in_backtick => break,
                b'\\' => {
                    let next = self.src[self.pos + 1..].chars().next()?;
                    if next == '\n' {
                        return None;
                    }
                    text.push(next);
                    self.pos += 1 + next.len_utf8();
                }
                b'\'' => {
                    let len = self.src[self.pos + 1..].find('\'')?;
                    text.push_str(&self.src[self.pos + 1..self.pos + 1 + len]);
                    self.pos += len + 2;
                }
                b'"' => self.double_quoted(&mut text, &mut is_static, &mut substitutions)?,
                b'$' => {
                    if self.peek_at(1) == Some(b'\'') {
                        let body_start = self.pos + 2;
                        let mut at = body_start;
                        loop {
                            match self.bytes.get(at)? {
                                b'\\' => at += 2,
                                b'\'' => break,
                                _ => at += 1,
                            }
                        }
                        unescape_ansi_c(self.src.get(body_start..at)?, &mut text);
                        self.pos = at + 1;
                    } else {
                        self.dollar(&mut text, &mut substitutions)?;
                        is_static = false;
                    }
                }
                b'`' => {
                    self.backtick(&mut text, &mut substitutions)?;
                    is_static = false;
                }
                b'{' => {
                    // `{1..3}` is a brace expression (not static) in tree-sitter-bash.
                    let rest = &self.bytes[self.pos + 1..];
                    if rest.first().is_some_and(u8::is_ascii_digit) {
                        return None;
                    }
                    text.push('{');
                    self.pos += 1;
                }
                _ => {
                    let c = self.src[self.pos..].chars().next()?;
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        (self.pos > start).then(|| WordNode {
            span: Span::new(start, self.pos),
            text,
            is_static,
            substitutions,
        })
    }

    fn double_quoted(
        &mut self,
        text: &mut String,
        is_static: &mut bool,
        substitutions: &mut Vec<Vec<Item>>,
    ) -> Option<()> {
        self.pos += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => match self.peek_at(1)? {
                    b'\n' => self.pos += 2,
                    next @ (b'$' | b'`' | b'"' | b'\\') => {
                        text.push(char::from(next));
                        self.pos += 2;
                    }
                    _ => {
                        text.push('\\');
                        self.pos += 1;
                    }
                },
                b'$' => {
                    if matches!(self.peek_at(1), Some(b'"' | b'\'')) {
                        return None;
                    }
                    self.dollar(text, substitutions)?;
                    *is_static = false;
                }
                b'`' => {
                    if self.in_backtick {
                        return None;
                    }
                    self.backtick(text, substitutions)?;
                    *is_static = false;
                }
                _ => {
                    let c = self.src[self.pos..].chars().next()?;
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// `$name`, `$1`, `$?`, `${…}`, `$(…)`, `$((…))`: copied as written.
    fn dollar(&mut self, text: &mut String, substitutions: &mut Vec<Vec<Item>>) -> Option<()> {
        let start = self.pos;
        match self.peek_at(1)? {
            b'(' if self.peek_at(2) == Some(b'(') => {
                let end = self.balanced(self.pos + 1, b'(', b')')?;
                self.pos = end;
            }
            b'(' => {
                self.enter()?;
                self.pos += 2;
                let saved = std::mem::replace(&mut self.in_backtick, false);
                let items = self.list()?;
                self.in_backtick = saved;
                self.skip_newlines();
                if self.peek() != Some(b')') {
                    return None;
                }
                self.pos += 1;
                self.depth -= 1;
                substitutions.push(items);
            }
            b'{' => {
                let end = self.balanced(self.pos + 1, b'{', b'}')?;
                self.pos = end;
            }
            byte if is_name_start(byte) => {
                self.pos += 1;
                while self.peek().is_some_and(is_name) {
                    self.pos += 1;
                }
            }
            byte if byte.is_ascii_digit() || b"@*#?$!-".contains(&byte) => self.pos += 2,
            _ => return None,
        }
        text.push_str(&self.src[start..self.pos]);
        Some(())
    }

    /// The end (exclusive) of the bracketed text opening at `at`, with nothing inside that
    /// could hold a command (no `$(`, backticks or quotes).
    fn balanced(&self, at: usize, open: u8, close: u8) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = at;
        loop {
            let byte = *self.bytes.get(i)?;
            match byte {
                b'`' | b'\'' | b'"' | b'\\' | b'\n' => return None,
                b'$' if self.bytes.get(i + 1) == Some(&b'(') => return None,
                _ if byte == open => depth += 1,
                _ if byte == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    fn backtick(&mut self, text: &mut String, substitutions: &mut Vec<Vec<Item>>) -> Option<()> {
        if self.in_backtick {
            return None;
        }
        let start = self.pos;
        let close = self.src[start + 1..].find('`')? + start + 1;
        if self.src[start + 1..close].contains('\\') {
            return None;
        }
        self.enter()?;
        self.pos += 1;
        self.in_backtick = true;
        let items = self.list()?;
        self.in_backtick = false;
        self.skip_newlines();
        if self.pos != close {
            return None;
        }
        self.pos += 1;
        self.depth -= 1;
        substitutions.push(items);
        text.push_str(&self.src[start..self.pos]);
        Some(())
    }

    /// Statements of a compound command up to the reserved word `end`, which is consumed.
    fn body(&mut self, parts: &mut Vec<Node>, end: &[&str]) -> Option<&'s str> {
        let items = self.list()?;
        parts.extend(items.into_iter().map(|(node, _)| node));
        self.skip_newlines();
        let word = self.plain_word()?;
        if !end.contains(&word) {
            return None;
        }
        self.pos += word.len();
        Some(word)
    }

    fn compound(&mut self, start: usize, parts: Vec<Node>) -> Node {
        self.depth -= 1;
        Node::Compound {
            parts,
            span: Span::new(start, self.pos),
        }
    }

    fn if_clause(&mut self) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += 2;
        let mut parts = Vec::new();
        self.body(&mut parts, &["then"])?;
        loop {
            match self.body(&mut parts, &["elif", "else", "fi"])? {
                "elif" => {
                    self.body(&mut parts, &["then"])?;
                }
                "else" => {
                    self.body(&mut parts, &["fi"])?;
                    break;
                }
                _ => break,
            }
        }
        Some(self.compound(start, parts))
    }

    fn while_clause(&mut self, keyword_len: usize) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += keyword_len;
        let mut parts = Vec::new();
        self.body(&mut parts, &["do"])?;
        self.body(&mut parts, &["done"])?;
        Some(self.compound(start, parts))
    }

    fn for_clause(&mut self) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += 3;
        self.skip_blank();
        if !self.peek().is_some_and(is_name_start) {
            return None;
        }
        while self.peek().is_some_and(is_name) {
            self.pos += 1;
        }
        let mut parts = Vec::new();
        self.skip_blank();
        if self.plain_word() == Some("in") {
            self.pos += 2;
            loop {
                self.skip_blank();
                if !self.at_word_start() {
                    break;
                }
                parts.push(Node::Word(self.word()?));
            }
            match self.peek() {
                Some(b';') if self.peek_at(1) != Some(b';') => self.pos += 1,
                Some(b'\n') => {}
                _ => return None,
            }
        } else if self.peek() == Some(b';') && self.peek_at(1) != Some(b';') {
            self.pos += 1;
        }
        self.skip_newlines();
        self.expect_word("do")?;
        self.body(&mut parts, &["done"])?;
        Some(self.compound(start, parts))
    }

    fn case_clause(&mut self) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += 4;
        self.skip_blank();
        if !self.at_word_start() {
            return None;
        }
        let mut parts = vec![Node::Word(self.word()?)];
        self.skip_newlines();
        self.expect_word("in")?;
        loop {
            self.skip_newlines();
            if self.plain_word() == Some("esac") {
                self.pos += 4;
                break;
            }
            if self.peek() == Some(b'(') {
                self.pos += 1;
            }
            loop {
                self.skip_blank();
                if !self.at_word_start() {
                    return None;
                }
                let pattern = self.word()?;
                if !pattern.substitutions.is_empty() || !pattern.is_static {
                    return None;
                }
                self.skip_blank();
                match self.peek()? {
                    b'|' => self.pos += 1,
                    b')' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
            let items = self.list()?;
            parts.extend(items.into_iter().map(|(node, _)| node));
            self.skip_newlines();
            if self.starts_with(";;&") {
                return None;
            }
            if self.starts_with(";;") || self.starts_with(";&") {
                self.pos += 2;
            } else if self.plain_word() != Some("esac") {
                return None;
            }
        }
        Some(self.compound(start, parts))
    }

    fn group(&mut self) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += 1;
        let mut parts = Vec::new();
        self.body(&mut parts, &["}"])?;
        Some(self.compound(start, parts))
    }

    fn subshell(&mut self) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += 1;
        let items = self.list()?;
        self.skip_newlines();
        if self.peek() != Some(b')') {
            return None;
        }
        self.pos += 1;
        let parts = items.into_iter().map(|(node, _)| node).collect();
        Some(self.compound(start, parts))
    }

    /// `[ … ]` or `[[ … ]]`: not a command; its words are walked for substitutions.
    fn test(&mut self, open: &str) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        self.pos += open.len();
        let close = if open == "[" { "]" } else { "]]" };
        let mut parts = Vec::new();
        loop {
            self.skip_blank();
            if self.plain_word() == Some(close) {
                self.pos += close.len();
                break;
            }
            if open == "[[" && (self.starts_with("&&") || self.starts_with("||")) {
                self.pos += 2;
                continue;
            }
            if !self.at_word_start() {
                return None;
            }
            let word = self.word()?;
            if word.text.starts_with('[') || word.text.ends_with(']') {
                return None;
            }
            parts.push(Node::Word(word));
        }
        Some(self.compound(start, parts))
    }
}

fn pipe(left: Node, right: Node) -> Node {
    match left {
        Node::Pipeline { mut stages, span } => {
            let span = Span::new(span.start, right.span().end);
            stages.push(right);
            Node::Pipeline { stages, span }
        }
        other => {
            let span = Span::new(other.span().start, right.span().end);
            Node::Pipeline {
                stages: vec![other, right],
                span,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Model (mirrors `build::Builder`'s walk over tree-sitter's tree)
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Ctx<'s> {
    src: &'s str,
    map: SpanMap,
    origin: Origin,
    approximate: bool,
    pipeline: Option<PipelinePosition>,
    negated: bool,
    depth: usize,
    shell_nesting: usize,
}

impl Ctx<'_> {
    fn deeper(self) -> Option<Self> {
        (self.depth < MAX_DEPTH).then_some(Ctx {
            depth: self.depth + 1,
            ..self
        })
    }

    fn plain(self) -> Self {
        Ctx {
            pipeline: None,
            negated: false,
            ..self
        }
    }
}

struct Emitter<'o> {
    outer: &'o str,
    commands: Vec<Command>,
    pipelines: Vec<Pipeline>,
    pipefail: bool,
}

impl Emitter<'_> {
    fn span(&self, span: Span, ctx: Ctx<'_>) -> Span {
        let (start, end) = match ctx.map {
            SpanMap::Offset(offset) => (span.start + offset, span.end + offset),
            SpanMap::Fixed(fixed) => (fixed.start, fixed.end),
        };
        let len = self.outer.len();
        let mut end = end.min(len);
        while !self.outer.is_char_boundary(end) {
            end += 1;
        }
        let mut start = start.min(end);
        while !self.outer.is_char_boundary(start) {
            start -= 1;
        }
        Span::new(start, end)
    }

    fn word(&self, word: &WordNode, ctx: Ctx<'_>) -> Word {
        Word {
            text: word.text.clone(),
            raw: ctx.src[word.span.start..word.span.end].to_owned(),
            span: self.span(word.span, ctx),
            is_static: word.is_static,
        }
    }

    fn assignment(&self, assign: &AssignNode, ctx: Ctx<'_>) -> Assignment {
        let value = assign.value.as_ref().map_or_else(
            || Word {
                text: String::new(),
                raw: String::new(),
                span: self.span(Span::empty(assign.span.end), ctx),
                is_static: true,
            },
            |value| self.word(value, ctx),
        );
        Assignment {
            name: ctx.src[assign.name.start..assign.name.end].to_owned(),
            value,
            span: self.span(assign.span, ctx),
        }
    }

    fn redirect(&self, redirect: &RedirectNode, ctx: Ctx<'_>) -> Redirect {
        Redirect {
            fd: redirect.fd.map(|fd| ctx.src[fd.start..fd.end].to_owned()),
            op: redirect.op.to_owned(),
            target: redirect.targets.first().map(|t| self.word(t, ctx)),
            heredoc_body: None,
            // The operator and its one destination; later words are arguments.
            span: self.span(
                Span::new(
                    redirect.span.start,
                    redirect
                        .targets
                        .first()
                        .map_or(redirect.span.end, |t| t.span.end),
                ),
                ctx,
            ),
        }
    }

    fn new_command(span: Span, ctx: Ctx<'_>) -> Command {
        Command {
            id: CommandId(0),
            program: None,
            args: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            wrappers: Vec::new(),
            span,
            pipeline: ctx.pipeline,
            negated: ctx.negated,
            statement: None,
            origin: ctx.origin,
            approximate: ctx.approximate,
        }
    }

    fn push(&mut self, mut command: Command, ctx: Ctx<'_>) -> CommandId {
        let id = CommandId(self.commands.len());
        command.id = id;
        if let Some(position) = ctx.pipeline
            && let Some(stage) = self
                .pipelines
                .get_mut(position.pipeline.0)
                .and_then(|pipeline| pipeline.stages.get_mut(position.stage))
        {
            stage.commands.push(id);
        }
        self.commands.push(command);
        id
    }

    fn walk(&mut self, node: &Node, ctx: Ctx<'_>) -> Option<()> {
        let inner = ctx.deeper()?;
        match node {
            Node::Simple { parts, span } => self.simple(parts, *span, &[], inner),
            Node::Assignments { assigns, span } => {
                let mut command = Self::new_command(self.span(*span, inner), inner);
                command.assignments = assigns.iter().map(|a| self.assignment(a, inner)).collect();
                self.push(command, inner);
                for assign in assigns {
                    self.walk_assign(assign, inner.plain())?;
                }
                Some(())
            }
            Node::Declaration {
                keyword,
                parts,
                span,
            } => self.declaration(*keyword, parts, *span, inner),
            Node::Redirected {
                body,
                redirects,
                span: _,
            } => self.redirected(body, redirects, inner),
            Node::Pipeline { stages, span } => self.pipeline(stages, *span, inner),
            Node::List { items, .. } => {
                for item in items {
                    self.walk(item, inner)?;
                }
                Some(())
            }
            Node::Compound { parts, .. } => {
                for part in parts {
                    self.walk(part, inner)?;
                }
                Some(())
            }
            Node::Word(word) => self.walk_word(word, inner),
            Node::Negated { command, .. } => self.walk(
                command,
                Ctx {
                    negated: true,
                    ..inner
                },
            ),
        }
    }

    /// The commands of a word's `$(…)` and backticks.
    fn walk_word(&mut self, word: &WordNode, ctx: Ctx<'_>) -> Option<()> {
        for items in &word.substitutions {
            let inner = Ctx {
                origin: Origin::Substitution,
                ..ctx.plain()
            }
            .deeper()?
            .deeper()?;
            for (node, _) in items {
                self.walk(node, inner)?;
            }
        }
        Some(())
    }

    fn walk_assign(&mut self, assign: &AssignNode, ctx: Ctx<'_>) -> Option<()> {
        match &assign.value {
            Some(value) => self.walk_word(value, ctx.deeper()?),
            None => Some(()),
        }
    }

    fn walk_redirect(&mut self, redirect: &RedirectNode, ctx: Ctx<'_>) -> Option<()> {
        let inner = ctx.deeper()?;
        for target in &redirect.targets {
            self.walk_word(target, inner.deeper()?)?;
        }
        Some(())
    }

    fn walk_part(&mut self, part: &Part, ctx: Ctx<'_>) -> Option<()> {
        match part {
            Part::Assign(assign) => self.walk_assign(assign, ctx),
            Part::Redirect(redirect) => self.walk_redirect(redirect, ctx),
            Part::Word(word) => self.walk_word(word, ctx.deeper()?),
        }
    }

    fn simple(
        &mut self,
        parts: &[Part],
        span: Span,
        extra: &[RedirectNode],
        ctx: Ctx<'_>,
    ) -> Option<()> {
        let mut words = Vec::new();
        let mut assignments = Vec::new();
        let mut redirects = Vec::new();
        for part in parts {
            match part {
                Part::Assign(assign) => assignments.push(self.assignment(assign, ctx)),
                Part::Redirect(redirect) => {
                    redirects.push(self.redirect(redirect, ctx));
                    // `cmd < in more args`: the shell redirects from `in`; `more args` are
                    // arguments (tree-sitter-bash reads them as further destinations).
                    words.extend(redirect.targets.iter().skip(1).map(|w| self.word(w, ctx)));
                }
                Part::Word(word) => words.push(self.word(word, ctx)),
            }
        }
        for redirect in extra {
            redirects.push(self.redirect(redirect, ctx));
            words.extend(redirect.targets.iter().skip(1).map(|w| self.word(w, ctx)));
        }
        let unwrapped = command::unwrap(words);
        assignments.extend(unwrapped.assignments);
        let end = extra
            .iter()
            .map(|redirect| redirect.span.end)
            .fold(span.end, usize::max);
        let mut command = Self::new_command(self.span(Span::new(span.start, end), ctx), ctx);
        command.program = unwrapped.program;
        command.args = unwrapped.args;
        command.wrappers = unwrapped.wrappers;
        command.assignments = assignments;
        command.redirects = redirects;
        let id = self.push(command, ctx);
        for part in parts {
            self.walk_part(part, ctx.plain())?;
        }
        self.after_command(id, ctx)
    }

    fn declaration(
        &mut self,
        keyword: Span,
        parts: &[Part],
        span: Span,
        ctx: Ctx<'_>,
    ) -> Option<()> {
        let mut command = Self::new_command(self.span(span, ctx), ctx);
        let text = &ctx.src[keyword.start..keyword.end];
        command.program = Some(Word {
            text: text.to_owned(),
            raw: text.to_owned(),
            span: self.span(keyword, ctx),
            is_static: true,
        });
        for part in parts {
            match part {
                Part::Assign(assign) => {
                    command.assignments.push(self.assignment(assign, ctx));
                    let raw = &ctx.src[assign.span.start..assign.span.end];
                    let value = assign.value.as_ref();
                    let mut text = ctx.src[assign.name.start..assign.name.end].to_owned();
                    text.push_str(
                        &ctx.src[assign.name.end..value.map_or(assign.span.end, |v| v.span.start)],
                    );
                    if let Some(value) = value {
                        text.push_str(&value.text);
                    }
                    command.args.push(Word {
                        text,
                        raw: raw.to_owned(),
                        span: self.span(assign.span, ctx),
                        is_static: value.is_none_or(|v| v.is_static),
                    });
                }
                Part::Word(word) => command.args.push(self.word(word, ctx)),
                Part::Redirect(_) => return None,
            }
        }
        self.push(command, ctx);
        for part in parts {
            self.walk_part(part, ctx.plain())?;
        }
        Some(())
    }

    fn redirected(&mut self, body: &Node, redirects: &[RedirectNode], ctx: Ctx<'_>) -> Option<()> {
        let before = self.commands.len();
        match body {
            Node::Simple { parts, span } => self.simple(parts, *span, redirects, ctx)?,
            Node::Assignments { .. } | Node::Declaration { .. } | Node::Word(_) => return None,
            _ => {
                self.walk(body, ctx)?;
                let models: Vec<Redirect> = redirects
                    .iter()
                    .map(|redirect| self.redirect(redirect, ctx))
                    .collect();
                let mut targets: Vec<usize> = (before..self.commands.len())
                    .filter(|index| self.commands[*index].origin == ctx.origin)
                    .collect();
                let list = matches!(body, Node::List { .. } | Node::Pipeline { .. });
                if list {
                    targets = targets.last().copied().into_iter().collect();
                }
                // `a && b > f more`: `more` is an argument of `b` (after a compound
                // command the shell rejects such words; they are dropped then).
                let more: Vec<Word> = if list {
                    redirects
                        .iter()
                        .flat_map(|redirect| redirect.targets.iter().skip(1))
                        .map(|word| self.word(word, ctx))
                        .collect()
                } else {
                    Vec::new()
                };
                for index in targets {
                    let command = &mut self.commands[index];
                    command.redirects.extend(models.iter().cloned());
                    command::append_words(command, &more);
                }
            }
        }
        for redirect in redirects {
            self.walk_redirect(redirect, ctx)?;
        }
        Some(())
    }

    fn pipeline(&mut self, stages: &[Node], span: Span, ctx: Ctx<'_>) -> Option<()> {
        let negated = ctx.negated || matches!(stages.first(), Some(Node::Negated { .. }));
        let id = PipelineId(self.pipelines.len());
        let pipeline = Pipeline {
            id,
            span: self.span(span, ctx),
            stages: stages
                .iter()
                .map(|stage| Stage {
                    span: self.span(stage.span(), ctx),
                    commands: Vec::new(),
                })
                .collect(),
            pipefail: self.pipefail,
        };
        self.pipelines.push(pipeline);
        for (index, stage) in stages.iter().enumerate() {
            let position = PipelinePosition {
                pipeline: id,
                stage: index,
            };
            self.walk(
                stage,
                Ctx {
                    pipeline: Some(position),
                    negated,
                    ..ctx
                },
            )?;
        }
        Some(())
    }

    /// `set -o pipefail` and the scripts of `sh -c` strings (see `build::Builder`).
    fn after_command(&mut self, id: CommandId, ctx: Ctx<'_>) -> Option<()> {
        let command = &self.commands[id.0];
        if command.is("set") && command.wrappers.is_empty() {
            if let Some(pipefail) = pipefail_setting(&command.args) {
                self.pipefail = pipefail;
            }
            return Some(());
        }
        if !command.name().is_some_and(|name| SHELLS.contains(&name))
            || ctx.shell_nesting >= MAX_SHELL_NESTING
        {
            return Some(());
        }
        let invocation = shell_invocation(&command.args);
        if let Some(script) = invocation.script {
            if invocation.command_string {
                let script = script.clone();
                return self.nested_string(&script, invocation.pipefail, ctx);
            }
            return Some(());
        }
        // A shell reading stdin: only heredocs and here-strings feed it a script, and
        // neither is in the subset.
        Some(())
    }

    fn nested_string(&mut self, word: &Word, pipefail: bool, ctx: Ctx<'_>) -> Option<()> {
        let exact = !ctx.approximate && word.span.len() == word.raw.len();
        let raw = word.raw.as_str();
        let quoted_inner = |quote: char| {
            raw.strip_prefix(quote)
                .and_then(|inner| inner.strip_suffix(quote))
        };
        let single = quoted_inner('\'').filter(|inner| !inner.contains('\''));
        let double = quoted_inner('"').filter(|inner| word.is_static && *inner == word.text);
        let (text, map, approximate) = match (single.or(double), exact) {
            (Some(inner), true) => (inner, SpanMap::Offset(word.span.start + 1), false),
            (None, true) if word.is_static && raw == word.text => {
                (raw, SpanMap::Offset(word.span.start), false)
            }
            _ => (word.text.as_str(), SpanMap::Fixed(word.span), true),
        };
        let items = Parser::new(text).program()?;
        let saved = std::mem::replace(&mut self.pipefail, pipefail);
        let inner = Ctx {
            src: text,
            map,
            origin: Origin::ShellString,
            approximate,
            pipeline: None,
            negated: false,
            depth: ctx.depth + 1,
            shell_nesting: ctx.shell_nesting + 1,
        };
        for (node, _) in &items {
            self.walk(node, inner)?;
        }
        self.pipefail = saved;
        Some(())
    }
}

// ---------------------------------------------------------------------------------------
// Top-level statements (mirrors `build::statements`)
// ---------------------------------------------------------------------------------------

fn statements(items: &[Item], src: &str) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    for (node, separator) in items {
        if let Some(last) = out.last_mut()
            && last.separator.is_none()
        {
            let start = node.span().start;
            let between = src.get(last.span.end..start).unwrap_or("");
            if let Some(newline) = between.find('\n') {
                let at = last.span.end + newline;
                last.separator = Some(Separator {
                    kind: SeparatorKind::Newline,
                    span: Span::new(at, at + 1),
                });
            }
        }
        flatten_statement(node, &mut out);
        if let Some((kind, span)) = separator {
            set_separator(&mut out, *kind, *span);
        }
    }
    out
}

fn set_separator(out: &mut [Statement], kind: SeparatorKind, span: Span) {
    if let Some(last) = out.last_mut()
        && last.separator.is_none()
    {
        last.separator = Some(Separator { kind, span });
    }
}

fn flatten_statement(node: &Node, out: &mut Vec<Statement>) {
    match node {
        Node::List { items, ops, .. } => {
            for (index, item) in items.iter().enumerate() {
                flatten_statement(item, out);
                if let Some((kind, span)) = ops.get(index) {
                    set_separator(out, *kind, *span);
                }
            }
        }
        Node::Redirected { body, span, .. } if matches!(**body, Node::List { .. }) => {
            let before = out.len();
            flatten_statement(body, out);
            if out.len() > before
                && let Some(last) = out.last_mut()
            {
                last.span.end = last.span.end.max(span.end);
            }
        }
        _ => {
            let span = node.span();
            if !span.is_empty() {
                out.push(Statement {
                    span,
                    separator: None,
                });
            }
        }
    }
}
