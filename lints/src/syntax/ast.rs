//! The syntax tree: every node knows the byte range it came from.

use serde::Serialize;

/// A half-open byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A range from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty range at `offset`.
    pub const fn empty(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// Number of bytes covered.
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    /// Whether the range covers no byte.
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest range covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Whether `offset` lies inside the range (end excluded).
    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The text this range covers, if it is in bounds and on char boundaries.
    pub fn text(self, source: &str) -> Option<&str> {
        source.get(self.start..self.end)
    }
}

impl From<Span> for std::ops::Range<usize> {
    fn from(span: Span) -> Self {
        span.start..span.end
    }
}

/// Instruction keywords BuildKit knows. Matching is case-insensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    /// `FROM`
    From,
    /// `RUN`
    Run,
    /// `CMD`
    Cmd,
    /// `LABEL`
    Label,
    /// `MAINTAINER` (deprecated)
    Maintainer,
    /// `EXPOSE`
    Expose,
    /// `ENV`
    Env,
    /// `ADD`
    Add,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `VOLUME`
    Volume,
    /// `USER`
    User,
    /// `WORKDIR`
    Workdir,
    /// `ARG`
    Arg,
    /// `ONBUILD`
    Onbuild,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `SHELL`
    Shell,
    /// Anything else: BuildKit's parser accepts it, its build step rejects it.
    Unknown,
}

impl Keyword {
    /// Every known keyword, in BuildKit's documentation order.
    pub const ALL: [Keyword; 18] = [
        Keyword::From,
        Keyword::Run,
        Keyword::Cmd,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Expose,
        Keyword::Env,
        Keyword::Add,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Volume,
        Keyword::User,
        Keyword::Workdir,
        Keyword::Arg,
        Keyword::Onbuild,
        Keyword::Stopsignal,
        Keyword::Healthcheck,
        Keyword::Shell,
    ];

    /// Looks a keyword up, ignoring ASCII case.
    pub fn parse(word: &str) -> Keyword {
        Keyword::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
            .unwrap_or(Keyword::Unknown)
    }

    /// The canonical upper-case spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Keyword::From => "FROM",
            Keyword::Run => "RUN",
            Keyword::Cmd => "CMD",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Expose => "EXPOSE",
            Keyword::Env => "ENV",
            Keyword::Add => "ADD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Volume => "VOLUME",
            Keyword::User => "USER",
            Keyword::Workdir => "WORKDIR",
            Keyword::Arg => "ARG",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Shell => "SHELL",
            Keyword::Unknown => "",
        }
    }

    /// Whether heredocs (`<<EOF`) are recognised in this instruction's shell form.
    pub const fn allows_heredoc(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

/// A parser directive from the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased directive name.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// The whole comment line, without its line break.
    pub span: Span,
    /// The value alone.
    pub value_span: Span,
}

/// A `#` comment line (directives excluded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The text after `#`, trimmed.
    pub text: String,
    /// The line from `#` to the end of the line, without its line break.
    pub span: Span,
}

/// A piece of an instruction: its value as BuildKit sees it and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The value after BuildKit's parser stage (continuations joined; quotes kept or removed
    /// as that instruction's parser does).
    pub value: String,
    /// The source range, line continuations included when the word spans them.
    pub span: Span,
}

/// An instruction flag such as `--from=build` or `--mount=type=cache,target=/x`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The flag as BuildKit's parser returns it, quotes removed: `--from=build`.
    pub text: String,
    /// Name without the dashes: `from`.
    pub name: String,
    /// Value after the first `=`, if any.
    pub value: Option<String>,
    /// The source range of the whole flag.
    pub span: Span,
}

/// A `name=value` (or old-style `name value`) pair of ENV or LABEL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// The name, as written (quotes kept).
    pub key: Word,
    /// The value, as written (quotes kept; removed later by word expansion).
    pub value: Word,
    /// `true` for `name=value`, `false` for the legacy `name value` form.
    pub equals: bool,
    /// The source range of the whole pair.
    pub span: Span,
}

/// The arguments of an instruction, shaped as BuildKit's parser shapes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum Args {
    /// Nothing after the keyword (and flags).
    Empty,
    /// Exec form: a JSON array of strings; each word's span covers its JSON string literal.
    Exec {
        /// The decoded strings.
        items: Vec<Word>,
        /// The whole array.
        span: Span,
    },
    /// Shell form / whole rest of the line as one string (RUN, CMD, ENTRYPOINT, SHELL,
    /// USER, WORKDIR, STOPSIGNAL, MAINTAINER).
    Rest(Word),
    /// Whitespace-separated words (FROM, EXPOSE, ARG, COPY, ADD, VOLUME).
    Words(Vec<Word>),
    /// ENV and LABEL pairs.
    Pairs(Vec<KeyValue>),
    /// HEALTHCHECK: the subcommand (`CMD`, `NONE`, …) and the command after it.
    Healthcheck {
        /// `CMD`, `NONE` or any other word as written.
        kind: Word,
        /// The command after the subcommand.
        command: Box<Args>,
    },
    /// ONBUILD: the nested instruction.
    Onbuild(Box<Instruction>),
    /// The instruction could not be parsed; the raw rest of the line is kept.
    Invalid(Word),
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter with quotes removed: `EOF`.
    pub name: String,
    /// File descriptor written before `<<` (`3<<EOF`), 0 when absent.
    pub fd: u32,
    /// Whether variables in the body are expanded (delimiter not quoted).
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub chomp: bool,
    /// The body exactly as BuildKit reads it (line breaks kept, tabs not yet stripped).
    pub content: String,
    /// The `<<EOF` marker word in the instruction line.
    pub marker: Span,
    /// The body lines (may be empty).
    pub body: Span,
    /// The terminator line, without its line break; `None` when unterminated.
    pub terminator: Option<Span>,
}

/// One Dockerfile instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// Which instruction.
    pub keyword: Keyword,
    /// The keyword as written (`run`, `Run`, `FOO`).
    pub keyword_text: String,
    /// The keyword's range.
    pub keyword_span: Span,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments.
    pub args: Args,
    /// Heredocs, in order.
    pub heredocs: Vec<Heredoc>,
    /// The logical line BuildKit parsed (continuations joined).
    pub original: String,
    /// From the keyword to the end of the instruction's last line (heredoc terminators
    /// included), without the final line break.
    pub span: Span,
    /// Comment lines directly above the instruction (BuildKit's `PrevComment`).
    pub prev_comments: Vec<String>,
}

impl Instruction {
    /// The first flag named `name`.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// All flags named `name`.
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The nested instruction of an ONBUILD.
    pub fn onbuild_inner(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(inner) => Some(inner),
            _ => None,
        }
    }

    /// Whether the arguments are in exec (JSON) form.
    pub fn is_exec_form(&self) -> bool {
        match &self.args {
            Args::Exec { .. } => true,
            Args::Healthcheck { command, .. } => matches!(**command, Args::Exec { .. }),
            _ => false,
        }
    }

    /// Argument words as strings (the Rest/Exec/Words forms); pairs give `key=value`.
    pub fn arg_values(&self) -> Vec<&str> {
        match &self.args {
            Args::Empty | Args::Onbuild(_) | Args::Healthcheck { .. } => Vec::new(),
            Args::Exec { items, .. } | Args::Words(items) => {
                items.iter().map(|w| w.value.as_str()).collect()
            }
            Args::Rest(word) | Args::Invalid(word) => vec![word.value.as_str()],
            Args::Pairs(pairs) => pairs.iter().map(|p| p.key.value.as_str()).collect(),
        }
    }
}

/// How serious a syntax diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyntaxSeverity {
    /// BuildKit would refuse the file.
    Error,
    /// BuildKit accepts it but warns.
    Warning,
}

/// A problem found while parsing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    /// What is wrong, in BuildKit's words where it has some.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Error or warning.
    pub severity: SyntaxSeverity,
}

/// A parsed Dockerfile.
#[derive(Clone, Debug, Serialize)]
pub struct Dockerfile {
    /// The source text, exactly as given.
    #[serde(skip)]
    pub source: String,
    /// Whether the text starts with a UTF-8 byte order mark (3 bytes, kept in `source`).
    pub bom: bool,
    /// The escape token: `\` or `` ` ``.
    pub escape: char,
    /// Parser directives.
    pub directives: Vec<Directive>,
    /// Comment lines (directives excluded), including those inside continued instructions.
    pub comments: Vec<Comment>,
    /// Instructions in file order.
    pub instructions: Vec<Instruction>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<SyntaxError>,
}

impl Dockerfile {
    /// The value of directive `name` (lower case), if present.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == SyntaxSeverity::Error)
    }
}
