//! From the tree-sitter-bash syntax tree to the command model.

use tree_sitter::{Node, Parser};

use super::command;
use super::word;
use super::{
    Assignment, Command, CommandId, Origin, ParseOptions, Pipeline, PipelineId, PipelinePosition,
    Redirect, Script, Separator, SeparatorKind, ShellError, Span, Stage, Statement, Word,
};

/// Deeper syntax trees are not walked further (each level is a stack frame here).
pub(super) const MAX_DEPTH: usize = 150;
/// How many `sh -c` strings inside each other are parsed.
pub(super) const MAX_SHELL_NESTING: usize = 8;
/// Programs whose `-c` string (or heredoc on stdin) is parsed as a script.
pub(super) const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];

/// How byte offsets of the text being walked map to the text given to [`Script::parse`].
#[derive(Clone, Copy)]
pub(super) enum SpanMap {
    /// Local offset plus this.
    Offset(usize),
    /// Everything maps to this span (a `sh -c` string with escapes or expansions).
    Fixed(Span),
}

/// Where the walk is.
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
    fn deeper(self) -> Self {
        Ctx {
            depth: self.depth + 1,
            ..self
        }
    }
}

struct Builder<'o> {
    outer: &'o str,
    parser: Parser,
    commands: Vec<Command>,
    pipelines: Vec<Pipeline>,
    errors: Vec<ShellError>,
    pipefail: bool,
}

/// The text tree-sitter sees: every non-ASCII character replaced by as many `x` bytes as it
/// has. tree-sitter-bash's scanner calls C `isdigit`/`isalpha` on full code points, which reads
/// outside glibc's table (and crashes) for code points above 255; an ASCII stand-in of the same
/// byte length keeps every offset valid for the original text, and non-ASCII characters never
/// change the shell structure (they are word characters either way).
fn parser_input(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('x', c.len_utf8()));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `span` widened to char boundaries of `text` and clamped to it.
fn snap(text: &str, span: Span) -> Span {
    let mut end = span.end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut start = span.start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    Span::new(start, end)
}

thread_local! {
    /// A bash parser per thread, kept between scripts (creating one and loading the
    /// language costs about as much as parsing a short script).
    static PARSER: std::cell::Cell<Option<Parser>> = const { std::cell::Cell::new(None) };
}

/// This thread's parser (a new one when it is in use or was never made).
fn take_parser() -> Option<Parser> {
    if let Some(parser) = PARSER.take() {
        return Some(parser);
    }
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .ok()?;
    Some(parser)
}

pub(super) fn build(text: &str, options: ParseOptions) -> Script {
    super::fast::parse(text, options).unwrap_or_else(|| tree_sitter(text, options))
}

/// The command model from tree-sitter-bash (any text, with error recovery).
pub(super) fn tree_sitter(text: &str, options: ParseOptions) -> Script {
    let Some(mut parser) = take_parser() else {
        return unavailable(text);
    };
    let tree = parser.parse(parser_input(text).as_ref(), None);
    let Some(tree) = tree else {
        parser.reset();
        PARSER.set(Some(parser));
        return unavailable(text);
    };
    let mut builder = Builder {
        outer: text,
        parser,
        commands: Vec::new(),
        pipelines: Vec::new(),
        errors: Vec::new(),
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
    let root = tree.root_node();
    builder.walk_children(root, ctx);
    builder.collect_errors(root, ctx);
    let mut statements = statements(root, text);
    // tree-sitter saw ASCII stand-ins (see `parser_input`): keep every range on the
    // original text's char boundaries.
    for statement in &mut statements {
        statement.span = snap(text, statement.span);
        if let Some(separator) = &mut statement.separator {
            separator.span = snap(text, separator.span);
        }
    }
    let mut errors_snapped = std::mem::take(&mut builder.errors);
    for error in &mut errors_snapped {
        error.span = snap(text, error.span);
    }
    builder.errors = errors_snapped;
    PARSER.set(Some(builder.parser));
    let mut commands = builder.commands;
    assign_statements(&mut commands, &statements);
    let mut errors = builder.errors;
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    errors.dedup();
    Script {
        commands,
        pipelines: builder.pipelines,
        statements,
        errors,
    }
}

/// Sets [`Command::statement`] from the statements' ranges.
pub(super) fn assign_statements(commands: &mut [Command], statements: &[Statement]) {
    for command in commands {
        let start = command.span.start;
        let index = statements.partition_point(|statement| statement.span.end <= start);
        command.statement = statements
            .get(index)
            .filter(|statement| statement.span.start <= start)
            .map(|_| index);
    }
}

fn unavailable(text: &str) -> Script {
    Script {
        errors: vec![ShellError {
            message: "the shell parser is unavailable".to_owned(),
            span: Span::new(0, text.len()),
        }],
        ..Script::default()
    }
}

fn raw<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.start_byte()..node.end_byte())
        .unwrap_or_default()
}

fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The words tree-sitter-bash reads as further destinations of a file redirection
/// (`cmd < in more args` gives `more` and `args`). The shell redirects to or from the first
/// word only; the others are arguments of the command.
fn extra_destinations(redirect: Node<'_>) -> Vec<Node<'_>> {
    if redirect.kind() != "file_redirect" {
        return Vec::new();
    }
    let mut cursor = redirect.walk();
    redirect
        .children_by_field_name("destination", &mut cursor)
        .skip(1)
        .collect()
}

fn is_redirect(kind: &str) -> bool {
    matches!(
        kind,
        "file_redirect" | "heredoc_redirect" | "herestring_redirect"
    )
}

impl Builder<'_> {
    /// Maps a local range into the outer text, clamped to its bounds and char boundaries.
    fn span(&self, start: usize, end: usize, ctx: Ctx<'_>) -> Span {
        let (start, end) = match ctx.map {
            SpanMap::Offset(offset) => (start + offset, end + offset),
            SpanMap::Fixed(span) => (span.start, span.end),
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

    fn node_span(&self, node: Node<'_>, ctx: Ctx<'_>) -> Span {
        self.span(node.start_byte(), node.end_byte(), ctx)
    }

    fn word(&self, node: Node<'_>, ctx: Ctx<'_>) -> Word {
        let (text, is_static) = word::value(node, ctx.src);
        Word {
            text,
            raw: raw(node, ctx.src).to_owned(),
            span: self.node_span(node, ctx),
            is_static,
        }
    }

    fn empty_word(&self, at: usize, ctx: Ctx<'_>) -> Word {
        Word {
            text: String::new(),
            raw: String::new(),
            span: self.span(at, at, ctx),
            is_static: true,
        }
    }

    fn walk_children(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        for child in named_children(node) {
            self.walk(child, ctx);
        }
    }

    fn walk(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        if ctx.depth > MAX_DEPTH {
            self.errors.push(ShellError {
                message: "nesting too deep: the rest of this part is not analysed".to_owned(),
                span: self.node_span(node, ctx),
            });
            return;
        }
        let inner = ctx.deeper();
        match node.kind() {
            "command" => self.simple_command(node, &[], inner),
            "variable_assignment" | "variable_assignments" => self.bare_assignment(node, inner),
            "declaration_command" | "unset_command" => self.declaration(node, inner),
            "redirected_statement" => self.redirected(node, inner),
            "pipeline" => self.pipeline(node, inner),
            "negated_command" => self.walk_children(
                node,
                Ctx {
                    negated: true,
                    ..inner
                },
            ),
            "command_substitution" | "process_substitution" => self.walk_children(
                node,
                Ctx {
                    origin: Origin::Substitution,
                    pipeline: None,
                    negated: false,
                    ..inner
                },
            ),
            "comment" => {}
            _ => self.walk_children(node, inner),
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

    fn assignment(&self, node: Node<'_>, ctx: Ctx<'_>) -> Assignment {
        let name = node
            .child_by_field_name("name")
            .map_or_else(String::new, |name| raw(name, ctx.src).to_owned());
        let value = node.child_by_field_name("value").map_or_else(
            || self.empty_word(node.end_byte(), ctx),
            |value| self.word(value, ctx),
        );
        Assignment {
            name,
            value,
            span: self.node_span(node, ctx),
        }
    }

    fn redirect(&self, node: Node<'_>, ctx: Ctx<'_>) -> Redirect {
        let all = children(node);
        let op = all
            .iter()
            .find(|child| !child.is_named())
            .map_or_else(String::new, |op| raw(*op, ctx.src).to_owned());
        let fd = node
            .child_by_field_name("descriptor")
            .map(|fd| raw(fd, ctx.src).to_owned());
        let mut heredoc_body = None;
        let mut end = node.end_byte();
        let target = match node.kind() {
            "file_redirect" => {
                let destination = node.child_by_field_name("destination");
                // The operator and its one destination; later words are arguments (see
                // `extra_destinations`).
                if let Some(destination) = destination {
                    end = destination.end_byte();
                }
                destination
            }
            "heredoc_redirect" => {
                let start = all.iter().find(|child| child.kind() == "heredoc_start");
                heredoc_body = all
                    .iter()
                    .find(|child| child.kind() == "heredoc_body")
                    .map(|body| self.node_span(*body, ctx));
                if let Some(start) = start {
                    end = start.end_byte();
                }
                start.copied()
            }
            _ => all.iter().find(|child| child.is_named()).copied(),
        };
        Redirect {
            fd,
            op,
            target: target.map(|target| self.word(target, ctx)),
            heredoc_body,
            span: self.span(node.start_byte(), end, ctx),
        }
    }

    /// A `command` node, with the redirections written after it (`extra`).
    fn simple_command(&mut self, node: Node<'_>, extra: &[Node<'_>], ctx: Ctx<'_>) {
        let all = children(node);
        let mut words = Vec::new();
        let mut assignments = Vec::new();
        let mut redirects = Vec::new();
        for (index, child) in all.iter().enumerate() {
            let field = u32::try_from(index)
                .ok()
                .and_then(|index| node.field_name_for_child(index));
            if child.kind() == "variable_assignment" {
                assignments.push(self.assignment(*child, ctx));
            } else if is_redirect(child.kind()) {
                redirects.push(self.redirect(*child, ctx));
                words.extend(
                    extra_destinations(*child)
                        .into_iter()
                        .map(|word| self.word(word, ctx)),
                );
            } else if matches!(field, Some("name" | "argument")) && !child.is_missing() {
                if child.kind() == "command_name"
                    && child.named_child(0).is_none_or(|word| word.is_missing())
                {
                    continue;
                }
                words.push(self.word(*child, ctx));
            }
        }
        for redirect in extra {
            redirects.push(self.redirect(*redirect, ctx));
            words.extend(
                extra_destinations(*redirect)
                    .into_iter()
                    .map(|word| self.word(word, ctx)),
            );
        }
        let unwrapped = command::unwrap(words);
        assignments.extend(unwrapped.assignments);
        let end = extra
            .iter()
            .map(Node::end_byte)
            .fold(node.end_byte(), usize::max);
        if unwrapped.program.is_none() && assignments.is_empty() && redirects.is_empty() {
            // Only a MISSING command name, as in `a &&` at the end of the text.
            return;
        }
        let mut command = Self::new_command(self.span(node.start_byte(), end, ctx), ctx);
        command.program = unwrapped.program;
        command.args = unwrapped.args;
        command.wrappers = unwrapped.wrappers;
        command.assignments = assignments;
        command.redirects = redirects;
        let id = self.push(command, ctx);
        let nested = Ctx {
            pipeline: None,
            negated: false,
            ..ctx
        };
        for child in all {
            self.walk_part(child, nested);
        }
        self.after_command(id, ctx);
    }

    /// What a command changes for the rest of the walk: `set -o pipefail`, and the scripts
    /// of `sh -c` and of shells fed a heredoc.
    fn after_command(&mut self, id: CommandId, ctx: Ctx<'_>) {
        let Some(command) = self.commands.get(id.0) else {
            return;
        };
        if command.is("set") && command.wrappers.is_empty() {
            if let Some(pipefail) = pipefail_setting(&command.args) {
                self.pipefail = pipefail;
            }
            return;
        }
        if !command.name().is_some_and(|name| SHELLS.contains(&name))
            || ctx.shell_nesting >= MAX_SHELL_NESTING
        {
            return;
        }
        let invocation = shell_invocation(&command.args);
        if let Some(script) = invocation.script {
            if invocation.command_string {
                let script = script.clone();
                self.nested_string(&script, invocation.pipefail, ctx);
            }
            return;
        }
        if invocation.command_string || ctx.approximate {
            return;
        }
        let stdin = command.redirects.iter().find_map(|redirect| {
            if redirect.fd.as_deref().is_some_and(|fd| fd != "0") {
                return None;
            }
            match redirect.op.as_str() {
                "<<" | "<<-" => redirect.heredoc_body.map(Err),
                "<<<" => redirect.target.clone().map(Ok),
                _ => None,
            }
        });
        match stdin {
            Some(Ok(word)) => self.nested_string(&word, invocation.pipefail, ctx),
            Some(Err(body)) => {
                if let Some(text) = body.text(self.outer) {
                    let text = text.to_owned();
                    self.nested(
                        &text,
                        SpanMap::Offset(body.start),
                        false,
                        invocation.pipefail,
                        ctx,
                    );
                }
            }
            None => {}
        }
    }

    /// Parses the script in a `sh -c` string word.
    fn nested_string(&mut self, word: &Word, pipefail: bool, ctx: Ctx<'_>) {
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
        let text = text.to_owned();
        self.nested(&text, map, approximate, pipefail, ctx);
    }

    fn nested(
        &mut self,
        text: &str,
        map: SpanMap,
        approximate: bool,
        pipefail: bool,
        ctx: Ctx<'_>,
    ) {
        let Some(tree) = self.parser.parse(parser_input(text).as_ref(), None) else {
            return;
        };
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
        let root = tree.root_node();
        self.walk_children(root, inner);
        self.collect_errors(root, inner);
        self.pipefail = saved;
    }

    /// `X=1` or `X=1 Y=2` without a command.
    fn bare_assignment(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        let mut command = Self::new_command(self.node_span(node, ctx), ctx);
        command.assignments = if node.kind() == "variable_assignment" {
            vec![self.assignment(node, ctx)]
        } else {
            named_children(node)
                .into_iter()
                .filter(|child| child.kind() == "variable_assignment")
                .map(|child| self.assignment(child, ctx))
                .collect()
        };
        self.push(command, ctx);
        self.walk_values(node, ctx);
    }

    /// `export A=1 B`, `local x`, `readonly`, `declare -x`, `typeset`, `unset`.
    fn declaration(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        let mut command = Self::new_command(self.node_span(node, ctx), ctx);
        for child in children(node) {
            if child.is_missing() {
                continue;
            }
            if !child.is_named() && command.program.is_none() {
                command.program = Some(self.word(child, ctx));
                continue;
            }
            if is_redirect(child.kind()) {
                let redirect = self.redirect(child, ctx);
                command.redirects.push(redirect);
                continue;
            }
            if child.kind() == "variable_assignment" {
                let assignment = self.assignment(child, ctx);
                command.assignments.push(assignment);
            }
            if child.is_named() {
                command.args.push(self.word(child, ctx));
            }
        }
        self.push(command, ctx);
        self.walk_values(node, ctx);
    }

    /// Walks the parts of assignments and words for substitutions.
    fn walk_values(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        let nested = Ctx {
            pipeline: None,
            negated: false,
            ..ctx
        };
        for child in named_children(node) {
            self.walk_part(child, nested);
        }
    }

    /// Walks a part of a command (word, assignment, redirection) for substitutions.
    fn walk_part(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        if node.kind() == "variable_assignment" {
            for child in named_children(node) {
                self.walk(child, ctx);
            }
        } else if node.is_named() {
            self.walk(node, ctx);
        }
    }

    /// A statement followed by redirections: `cmd 2>/dev/null`, `{ …; } > f`, `cat <<EOF`.
    fn redirected(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        let body = node.child_by_field_name("body");
        // tree-sitter-bash nests `> f` of `cat <<EOF > f` inside the heredoc redirection.
        let redirects: Vec<Node<'_>> = children(node)
            .into_iter()
            .filter(|child| is_redirect(child.kind()))
            .flat_map(|child| {
                let mut all = vec![child];
                if child.kind() == "heredoc_redirect" {
                    all.extend(
                        named_children(child)
                            .into_iter()
                            .filter(|nested| is_redirect(nested.kind())),
                    );
                }
                all
            })
            .collect();
        let before = self.commands.len();
        match body {
            Some(body) if body.kind() == "command" => self.simple_command(body, &redirects, ctx),
            Some(body) => {
                self.walk(body, ctx);
                let models: Vec<Redirect> = redirects
                    .iter()
                    .map(|redirect| self.redirect(*redirect, ctx))
                    .collect();
                let targets: Vec<usize> = (before..self.commands.len())
                    .filter(|index| {
                        self.commands
                            .get(*index)
                            .is_some_and(|command| command.origin == ctx.origin)
                    })
                    .collect();
                let list = matches!(body.kind(), "list" | "pipeline");
                let targets = if list {
                    targets.last().copied().into_iter().collect()
                } else {
                    targets
                };
                // `a && b > f more`: `more` is an argument of `b` (after a compound
                // command the shell rejects such words; they are dropped then).
                let more: Vec<Word> = if list {
                    redirects
                        .iter()
                        .flat_map(|redirect| extra_destinations(*redirect))
                        .map(|word| self.word(word, ctx))
                        .collect()
                } else {
                    Vec::new()
                };
                for index in targets {
                    if let Some(command) = self.commands.get_mut(index) {
                        command.redirects.extend(models.iter().cloned());
                        command::append_words(command, &more);
                    }
                }
            }
            None => {
                let mut command = Self::new_command(self.node_span(node, ctx), ctx);
                command.redirects = redirects
                    .iter()
                    .map(|redirect| self.redirect(*redirect, ctx))
                    .collect();
                self.push(command, ctx);
            }
        }
        let last = self
            .commands
            .len()
            .checked_sub(1)
            .filter(|last| *last >= before);
        for child in children(node) {
            if body.is_some_and(|body| body.id() == child.id()) {
                continue;
            }
            if child.kind() == "heredoc_redirect" {
                self.heredoc_extras(child, last.map(CommandId), ctx);
            } else if child.is_named() {
                self.walk(child, ctx);
            }
        }
    }

    /// What tree-sitter-bash puts inside a heredoc redirection: the body (walked for
    /// substitutions) and whatever followed the delimiter on its line (`| sh`, `&& next`).
    fn heredoc_extras(&mut self, node: Node<'_>, body_command: Option<CommandId>, ctx: Ctx<'_>) {
        let plain = Ctx {
            pipeline: None,
            negated: false,
            ..ctx
        };
        for child in named_children(node) {
            match child.kind() {
                "heredoc_start" | "heredoc_end" => {}
                "pipeline" if children(child).first().is_some_and(|op| !op.is_named()) => {
                    self.heredoc_pipeline(child, body_command, ctx);
                }
                _ => self.walk(child, plain),
            }
        }
    }

    /// `cmd <<EOF | next && more`: the pipeline `cmd | next`, then `more`.
    fn heredoc_pipeline(&mut self, node: Node<'_>, body_command: Option<CommandId>, ctx: Ctx<'_>) {
        let plain = Ctx {
            pipeline: None,
            negated: false,
            ..ctx
        };
        let Some(body_command) = body_command else {
            self.walk_children(node, plain);
            return;
        };
        // The next stage is the leftmost element of what follows; the rest of a list is
        // ordinary statements.
        let mut stages = Vec::new();
        let mut rest = Vec::new();
        for child in named_children(node) {
            if stages.is_empty() {
                let mut first = child;
                let mut trailing = Vec::new();
                while first.kind() == "list" {
                    let parts = named_children(first);
                    let Some((head, tail)) = parts.split_first() else {
                        break;
                    };
                    trailing.splice(0..0, tail.iter().copied());
                    first = *head;
                }
                if first.kind() == "pipeline" {
                    stages.extend(named_children(first));
                } else {
                    stages.push(first);
                }
                rest.extend(trailing);
            } else {
                rest.push(child);
            }
        }
        let head_span = self
            .commands
            .get(body_command.0)
            .map_or_else(|| Span::empty(0), |command| command.span);
        let id = PipelineId(self.pipelines.len());
        let mut pipeline_stages = vec![Stage {
            span: head_span,
            commands: vec![body_command],
        }];
        pipeline_stages.extend(stages.iter().map(|stage| Stage {
            span: self.node_span(*stage, ctx),
            commands: Vec::new(),
        }));
        let end = pipeline_stages
            .last()
            .map_or(head_span.end, |stage| stage.span.end);
        self.pipelines.push(Pipeline {
            id,
            span: Span::new(head_span.start, end.max(head_span.start)),
            stages: pipeline_stages,
            pipefail: self.pipefail,
        });
        if let Some(command) = self.commands.get_mut(body_command.0) {
            command.pipeline = Some(PipelinePosition {
                pipeline: id,
                stage: 0,
            });
        }
        for (index, stage) in stages.into_iter().enumerate() {
            let position = PipelinePosition {
                pipeline: id,
                stage: index + 1,
            };
            self.walk(
                stage,
                Ctx {
                    pipeline: Some(position),
                    ..ctx
                },
            );
        }
        for node in rest {
            self.walk(node, plain);
        }
    }

    fn pipeline(&mut self, node: Node<'_>, ctx: Ctx<'_>) {
        let mut stages = Vec::new();
        flatten_pipeline(node, &mut stages);
        if stages.len() < 2 {
            self.walk_children(node, ctx);
            return;
        }
        let negated = ctx.negated
            || stages
                .first()
                .is_some_and(|stage| stage.kind() == "negated_command");
        let id = PipelineId(self.pipelines.len());
        self.pipelines.push(Pipeline {
            id,
            span: self.node_span(node, ctx),
            stages: stages
                .iter()
                .map(|stage| Stage {
                    span: self.node_span(*stage, ctx),
                    commands: Vec::new(),
                })
                .collect(),
            pipefail: self.pipefail,
        });
        for (index, stage) in stages.into_iter().enumerate() {
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
            );
        }
    }

    /// Records ERROR and MISSING nodes.
    fn collect_errors(&mut self, root: Node<'_>, ctx: Ctx<'_>) {
        if !root.has_error() {
            return;
        }
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            let mut descend = false;
            if node.is_missing() {
                let what = match node.kind() {
                    "word" | "command_name" => "command",
                    kind => kind,
                };
                self.errors.push(ShellError {
                    message: format!("missing `{what}`"),
                    span: self.node_span(node, ctx),
                });
            } else if node.is_error() {
                let text = raw(node, ctx.src).trim();
                let snippet: String = text.chars().take(24).collect();
                let message = if snippet.is_empty() {
                    "syntax error".to_owned()
                } else if snippet.len() < text.len() {
                    format!("unexpected `{snippet}…`")
                } else {
                    format!("unexpected `{snippet}`")
                };
                self.errors.push(ShellError {
                    message,
                    span: self.node_span(node, ctx),
                });
            } else {
                descend = node.has_error();
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }
}

fn flatten_pipeline<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    for child in named_children(node) {
        match child.kind() {
            "pipeline" => flatten_pipeline(child, out),
            "comment" => {}
            _ => out.push(child),
        }
    }
}

/// What `set` does to `pipefail`, if anything.
pub(super) fn pipefail_setting(args: &[Word]) -> Option<bool> {
    let mut setting = None;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        let Some(on) = (match text.as_bytes().first() {
            Some(b'-') => Some(true),
            Some(b'+') => Some(false),
            _ => None,
        }) else {
            continue;
        };
        if text.get(1..).is_some_and(|group| group.contains('o'))
            && let Some(option) = words.next()
            && option.text == "pipefail"
        {
            setting = Some(on);
        }
    }
    setting
}

/// How a shell was invoked.
pub(super) struct ShellInvocation<'a> {
    /// `-c` was given.
    pub(super) command_string: bool,
    /// The first operand: the `-c` string or a script file.
    pub(super) script: Option<&'a Word>,
    /// `-o pipefail` was given.
    pub(super) pipefail: bool,
}

pub(super) fn shell_invocation(args: &[Word]) -> ShellInvocation<'_> {
    let mut invocation = ShellInvocation {
        command_string: false,
        script: None,
        pipefail: false,
    };
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        if text == "--" || text == "-" {
            invocation.script = words.next();
            break;
        }
        if text.starts_with("--") {
            continue;
        }
        if let Some(group) = text
            .strip_prefix(['-', '+'])
            .filter(|group| !group.is_empty())
        {
            if group.contains('c') {
                invocation.command_string = true;
            }
            if group.contains('o') || group.contains('O') {
                let option = words.next();
                if text.starts_with('-') && option.is_some_and(|option| option.text == "pipefail") {
                    invocation.pipefail = true;
                }
            }
            continue;
        }
        invocation.script = Some(word);
        break;
    }
    invocation
}

/// The top-level list of `root`, flattened across `&&`/`||` with separators.
fn statements(root: Node<'_>, src: &str) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    for child in children(root) {
        if child.is_named() {
            if matches!(child.kind(), "comment" | "ERROR") {
                continue;
            }
            if let Some(last) = out.last_mut()
                && last.separator.is_none()
            {
                let between = src.get(last.span.end..child.start_byte()).unwrap_or("");
                if let Some(newline) = between.find('\n') {
                    let at = last.span.end + newline;
                    last.separator = Some(Separator {
                        kind: SeparatorKind::Newline,
                        span: Span::new(at, at + 1),
                    });
                }
            }
            flatten_statement(child, &mut out);
        } else {
            let kind = match child.kind() {
                ";" => SeparatorKind::Semicolon,
                "&" => SeparatorKind::Background,
                _ => continue,
            };
            set_separator(&mut out, kind, child);
        }
    }
    out
}

fn set_separator(out: &mut [Statement], kind: SeparatorKind, node: Node<'_>) {
    if let Some(last) = out.last_mut()
        && last.separator.is_none()
    {
        last.separator = Some(Separator {
            kind,
            span: Span::new(node.start_byte(), node.end_byte()),
        });
    }
}

fn flatten_statement(node: Node<'_>, out: &mut Vec<Statement>) {
    match node.kind() {
        "list" => {
            for child in children(node) {
                if child.is_named() {
                    if child.kind() != "comment" {
                        flatten_statement(child, out);
                    }
                } else {
                    let kind = match child.kind() {
                        "&&" => SeparatorKind::And,
                        "||" => SeparatorKind::Or,
                        ";" => SeparatorKind::Semicolon,
                        "&" => SeparatorKind::Background,
                        _ => continue,
                    };
                    set_separator(out, kind, child);
                }
            }
        }
        "redirected_statement"
            if node
                .child_by_field_name("body")
                .is_some_and(|body| body.kind() == "list") =>
        {
            let before = out.len();
            if let Some(body) = node.child_by_field_name("body") {
                flatten_statement(body, out);
            }
            if out.len() > before
                && let Some(last) = out.last_mut()
            {
                last.span.end = last.span.end.max(node.end_byte());
            }
        }
        _ => {
            if node.start_byte() == node.end_byte() {
                return;
            }
            out.push(Statement {
                span: Span::new(node.start_byte(), node.end_byte()),
                separator: None,
            });
        }
    }
}
