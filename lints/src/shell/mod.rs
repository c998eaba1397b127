//! RUN command model built from a real shell parser.
//!
//! [`Script::parse`] takes the text BuildKit hands to `/bin/sh -c` (or a heredoc body) and
//! returns every simple command in it, the pipelines they form, the top-level statement list
//! with its separators, and the syntax errors it met. Parsing never fails: a hand-written
//! parser (`fast.rs`) reads the common subset quickly, and everything else goes to
//! [tree-sitter-bash](https://crates.io/crates/tree-sitter-bash), whose error recovery keeps
//! the commands around a syntax error, so rules still see them. Both build the same model
//! (see `docs/shell-parser-choice.md`).
//!
//! Every [`Span`] is a byte range into the text given to [`Script::parse`]; for a word,
//! `&text[span] == raw` holds unless the owning [`Command::approximate`] is set.
//!
//! # What is modelled
//! * Simple commands anywhere: `&&`/`||` lists, pipelines, `!`, subshells, `{ }` groups,
//!   `if`/`for`/`while`/`until`/`case` bodies, function bodies, `$(…)`, backticks, `<(…)`.
//! * `export`/`local`/`declare`/`readonly`/`typeset`/`unset` become commands with that
//!   program; bare assignments (`X=1`) become commands without a program. `[ … ]` and
//!   `[[ … ]]` tests are not commands, but substitutions inside them are walked.
//! * `sh -c '<string>'` (also `bash`, `dash`, `ash`, `zsh`, `ksh`, `mksh`): the string is
//!   parsed as its own script and its commands are included with
//!   [`Origin::ShellString`]; a shell fed a heredoc (`bash <<EOF`) gets its body parsed the
//!   same way. Spans map back exactly when the string is a single-quoted, or an unquoted or
//!   double-quoted one without escapes or expansions; otherwise every span of the inner
//!   script is the whole string argument and the commands are marked
//!   [`Command::approximate`].
//! * Prefix commands are unwrapped so [`Command::program`] is the program that really runs;
//!   the prefixes stay in [`Command::wrappers`]: `sudo`, `doas`, `env`, `command` (not `-v`/
//!   `-V`), `exec`, `nice`, `nohup`, `time`, `timeout`, `ionice`, `stdbuf`, `gosu`,
//!   `su-exec`, `chroot`, `busybox <applet>` and `xargs` (whose further arguments come from
//!   stdin, so its [`Command::args`] are incomplete).
//! * `set -o pipefail` (and `set -euo pipefail`, `set +o pipefail`) is tracked in source
//!   order; [`Pipeline::pipefail`] says whether it was on when the pipeline started.
//!   Subshell scoping is not modelled. [`ParseOptions::pipefail`] starts it on (for
//!   `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`).
//!
//! # Known limits
//! * A backslash-newline inside a word (`c\` newline `d`) is read as two words by the grammar;
//!   BuildKit already joins Dockerfile line continuations, so this only matters in heredocs.
//! * A redirection written after a compound command (`{ a; b; } > f`) is copied onto every
//!   command inside it.

mod build;
mod cache;
mod command;
mod fast;
mod word;

#[cfg(test)]
mod tests;

pub use crate::syntax::Span;
pub use cache::ScriptCache;

/// Index of a command in [`Script::commands`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub usize);

/// Index of a pipeline in [`Script::pipelines`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipelineId(pub usize);

/// Options for [`Script::parse_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParseOptions {
    /// Whether `pipefail` is already on when the script starts, as with
    /// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`.
    pub pipefail: bool,
}

/// A parsed shell script: commands, pipelines, top-level statements and syntax errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    commands: Vec<Command>,
    pipelines: Vec<Pipeline>,
    statements: Vec<Statement>,
    errors: Vec<ShellError>,
}

/// A syntax error the parser recovered from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellError {
    /// What is wrong, for humans.
    pub message: String,
    /// Where (an empty span for something missing).
    pub span: Span,
}

/// One word of a command: program name, argument, assignment value or redirect target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The value after quote removal. Exact when [`Word::is_static`]; otherwise quotes are
    /// still removed but expansions such as `$X` or `$(cmd)` are kept as written.
    pub text: String,
    /// The source text of the word, quotes included.
    pub raw: String,
    /// Byte range of [`Word::raw`].
    pub span: Span,
    /// Whether the word has no parameter, command, arithmetic or process substitution and
    /// no brace expansion. Glob characters and `~` do not count: they stay in `text`.
    pub is_static: bool,
}

/// A variable assignment in front of a command (`DEBIAN_FRONTEND=noninteractive apt-get …`),
/// alone (`X=1`), given to `env`, or an operand of `export`/`local`/….
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// Variable name.
    pub name: String,
    /// Assigned value (empty text for `X=`).
    pub value: Word,
    /// Byte range of the whole `NAME=value`.
    pub span: Span,
}

/// A redirection such as `2>/dev/null`, `>> log`, `<<EOF` or `<<< "$x"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2` in `2>&1`), if any.
    pub fd: Option<String>,
    /// The operator: `>`, `>>`, `<`, `>&`, `&>`, `&>>`, `<&`, `>|`, `<>`, `<<`, `<<-`, `<<<`.
    pub op: String,
    /// The target word (file, descriptor, heredoc delimiter or here-string).
    pub target: Option<Word>,
    /// The heredoc body, for `<<` and `<<-`.
    pub heredoc_body: Option<Span>,
    /// Byte range of the whole redirection (for a heredoc, without its body).
    pub span: Span,
}

/// A prefix command that [`Command::program`] was unwrapped from (`sudo -u app`, `env -i`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapper {
    /// Normalised name of the prefix (`sudo`, `env`, …).
    pub name: String,
    /// The prefix word as written.
    pub word: Word,
    /// Its own options and operands (for `timeout`, the duration; for `gosu`, the user).
    pub args: Vec<Word>,
}

/// Where a command was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Directly in the script.
    Direct,
    /// Inside `$(…)`, backticks or `<(…)`/`>(…)`.
    Substitution,
    /// Inside the string of `sh -c '…'` or the heredoc fed to a shell.
    ShellString,
}

/// A command's place in a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PipelinePosition {
    /// The pipeline.
    pub pipeline: PipelineId,
    /// 0-based stage (`curl` is stage 0 and `sh` stage 1 in `curl … | sh`).
    pub stage: usize,
}

/// A simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// Its index in [`Script::commands`].
    pub id: CommandId,
    /// The program that runs, after unwrapping [`Command::wrappers`]; `None` for a bare
    /// assignment or redirection.
    pub program: Option<Word>,
    /// The arguments after [`Command::program`].
    pub args: Vec<Word>,
    /// Assignments before the command and those given to `env`/`sudo`.
    pub assignments: Vec<Assignment>,
    /// Redirections of this command.
    pub redirects: Vec<Redirect>,
    /// Prefix commands unwrapped to reach [`Command::program`], outermost first.
    pub wrappers: Vec<Wrapper>,
    /// Byte range of the command as written, prefixes and assignments included.
    pub span: Span,
    /// Its stage, when it is part of a pipeline of two or more stages.
    pub pipeline: Option<PipelinePosition>,
    /// Whether `!` negates it (or the pipeline it belongs to).
    pub negated: bool,
    /// The top-level statement it belongs to (see [`Script::statements`]).
    pub statement: Option<usize>,
    /// Where it was found.
    pub origin: Origin,
    /// Whether its spans only point at the enclosing `sh -c` string instead of the exact
    /// words (the string had escapes or expansions).
    pub approximate: bool,
}

/// One stage of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Byte range of the stage.
    pub span: Span,
    /// The commands whose innermost pipeline stage this is, in source order; the first one is
    /// the stage's own command unless the stage is a compound command.
    pub commands: Vec<CommandId>,
}

/// A pipeline of two or more stages (`a | b`, `a |& b`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// Its index in [`Script::pipelines`].
    pub id: PipelineId,
    /// Byte range of the whole pipeline.
    pub span: Span,
    /// The stages, left to right.
    pub stages: Vec<Stage>,
    /// Whether `pipefail` was on when the pipeline ran (by source order).
    pub pipefail: bool,
}

/// The operator after a top-level statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeparatorKind {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `;`
    Semicolon,
    /// `&`
    Background,
    /// A newline.
    Newline,
}

/// A separator and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Separator {
    /// Which operator.
    pub kind: SeparatorKind,
    /// Byte range of the operator (the newline byte for [`SeparatorKind::Newline`]).
    pub span: Span,
}

/// An element of the top-level `&&`/`||`/`;`/newline list: a pipeline, a simple command or a
/// compound command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Byte range of the statement (redirections and heredoc bodies included).
    pub span: Span,
    /// The operator that follows it; `None` for the last statement.
    pub separator: Option<Separator>,
}

impl Script {
    /// Parses `text` with default options. Never fails; see [`Script::errors`].
    pub fn parse(text: &str) -> Script {
        Script::parse_with(text, ParseOptions::default())
    }

    /// Parses `text`. Never fails; see [`Script::errors`].
    pub fn parse_with(text: &str, options: ParseOptions) -> Script {
        build::build(text, options)
    }

    /// Every simple command in source order.
    pub fn commands(&self) -> &[Command] {
        &self.commands
    }

    /// The command with this id.
    pub fn command(&self, id: CommandId) -> Option<&Command> {
        self.commands.get(id.0)
    }

    /// Every pipeline of two or more stages, in source order.
    pub fn pipelines(&self) -> &[Pipeline] {
        &self.pipelines
    }

    /// The pipeline with this id.
    pub fn pipeline(&self, id: PipelineId) -> Option<&Pipeline> {
        self.pipelines.get(id.0)
    }

    /// The commands of one pipeline stage, in source order.
    pub fn stage_commands<'a>(&'a self, stage: &'a Stage) -> impl Iterator<Item = &'a Command> {
        stage.commands.iter().filter_map(|id| self.command(*id))
    }

    /// The first command of each stage of `pipeline` (`[curl, sh]` for `curl … | sh`).
    pub fn stage_heads(&self, pipeline: &Pipeline) -> Vec<Option<&Command>> {
        pipeline
            .stages
            .iter()
            .map(|stage| stage.commands.first().and_then(|id| self.command(*id)))
            .collect()
    }

    /// The top-level list: what an autofixer edits when it merges or splits commands.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The commands of top-level statement `index`, in source order.
    pub fn statement_commands(&self, index: usize) -> impl Iterator<Item = &Command> {
        self.commands
            .iter()
            .filter(move |command| command.statement == Some(index))
    }

    /// Syntax errors, in source order. Commands outside the broken part are still modelled.
    pub fn errors(&self) -> &[ShellError] {
        &self.errors
    }

    /// Whether the script had any syntax error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Whether any command runs `name` (after normalisation) or is wrapped by it
    /// (`uses_program("sudo")` is true for `sudo apt-get …`).
    pub fn uses_program(&self, name: &str) -> bool {
        self.commands
            .iter()
            .any(|command| command.is(name) || command.is_wrapped_by(name))
    }

    /// The commands whose normalised program name is `name`.
    pub fn commands_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> {
        self.commands.iter().filter(move |command| command.is(name))
    }
}
