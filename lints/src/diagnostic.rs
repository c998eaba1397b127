//! What a rule reports: a located message with an optional fix.

use serde::Serialize;

use crate::syntax::Span;

/// Where rule documentation lives: rule `HF101` is documented at `{RULE_DOCS_URL}HF101`.
/// Every surface that links to a rule (SARIF `helpUri`, the language server's
/// `codeDescription`, `hardfile explain`) uses this one address.
pub const RULE_DOCS_URL: &str = "https://hardfile.dev/rules/";

/// The documentation address of rule `code` (syntax errors included: `HF000`).
pub fn rule_docs_url(code: &str) -> String {
    format!("{RULE_DOCS_URL}{code}")
}

/// How serious a finding is. Ordered from least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed (fails `lint` by default and blocks builds in `cis`/`prod`).
    Error,
}

impl Severity {
    /// Lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning`/`warn`, `error`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Whether applying a fix keeps the Dockerfile's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown, never applied automatically.
    DisplayOnly,
    /// Valid, but may change behaviour: applied with `--unsafe-fixes`.
    Unsafe,
    /// Meaning preserved: applied by `hardfile fix` and by the frontend in `cis`/`prod`.
    Safe,
}

/// Replace `span` of the source with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    /// The byte range replaced (empty for an insertion).
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

impl Edit {
    /// Replaces `span` with `replacement`.
    pub fn replace(span: Span, replacement: impl Into<String>) -> Self {
        Self {
            span,
            replacement: replacement.into(),
        }
    }

    /// Inserts `text` at `offset`.
    pub fn insert(offset: usize, text: impl Into<String>) -> Self {
        Self::replace(Span::empty(offset), text)
    }

    /// Deletes `span`.
    pub fn delete(span: Span) -> Self {
        Self::replace(span, String::new())
    }
}

/// A fix: text edits that never overlap, applied together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, imperative ("Replace ADD with COPY").
    pub message: String,
    /// The edits, sorted by position, non-overlapping.
    pub edits: Vec<Edit>,
    /// Safe, unsafe or display-only.
    pub applicability: Applicability,
}

impl Fix {
    /// A fix with the given applicability; edits are sorted.
    pub fn new(
        message: impl Into<String>,
        mut edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Self {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Self {
            message: message.into(),
            edits,
            applicability,
        }
    }

    /// A safe fix.
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(message, edits, Applicability::Safe)
    }

    /// An unsafe fix.
    pub fn unsafe_edit(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(message, edits, Applicability::Unsafe)
    }

    /// The smallest range covering every edit.
    pub fn span(&self) -> Option<Span> {
        let first = self.edits.first()?;
        Some(
            self.edits
                .iter()
                .fold(first.span, |acc, e| acc.cover(e.span)),
        )
    }
}

/// A secondary location that explains a finding ("first HEALTHCHECK here").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// Why it matters.
    pub message: String,
}

/// A finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule code (`HF101`), or `HF000` for syntax errors.
    pub code: &'static str,
    /// Rule name (`root-user`).
    pub name: &'static str,
    /// Effective severity (after configuration).
    pub severity: Severity,
    /// One-sentence message. Never contains a secret value.
    pub message: String,
    /// Primary location.
    pub span: Span,
    /// Optional fix.
    pub fix: Option<Fix>,
    /// Secondary locations.
    pub related: Vec<Related>,
    /// Extra advice shown under the message.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding without fix, help or related locations.
    pub fn new(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            name,
            severity,
            message: message.into(),
            span,
            fix: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// Attaches a fix.
    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Attaches a fix when there is one.
    #[must_use]
    pub fn with_optional_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// Attaches advice.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary location.
    #[must_use]
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }
}
