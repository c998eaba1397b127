//! Human output: one rustc-style report per finding (miette's graphical handler: source
//! snippet, label at the span, code, help and the fix as a hint), then a summary line.

use std::fmt::{self, Write as _};

use hardfile_lints::diagnostic::{Applicability, Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::clamp;
use crate::lint_cmd::Checked;

/// A finding in the shape miette renders.
struct Finding<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    code: String,
}

impl fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Finding<'_> {}

impl miette::Diagnostic for Finding<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn source_span(span: hardfile_lints::syntax::Span, source: &str) -> SourceSpan {
    let span = clamp(span, source);
    SourceSpan::from((span.start, span.len()))
}

/// The help text: the rule's advice, then the fix as a hint saying how to apply it.
fn help_text(diagnostic: &Diagnostic) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(help) = &diagnostic.help {
        lines.push(help.clone());
    }
    if let Some(fix) = &diagnostic.fix {
        lines.push(match fix.applicability {
            Applicability::Safe => format!("fix: {} (safe: `hardfile fix`)", fix.message),
            Applicability::Unsafe => format!(
                "fix: {} (unsafe: `hardfile fix --unsafe-fixes`)",
                fix.message
            ),
            Applicability::DisplayOnly => format!("suggestion: {}", fix.message),
        });
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn finding<'a>(checked: &Checked, diagnostic: &'a Diagnostic) -> Finding<'a> {
    let source = &checked.source;
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        None,
        source_span(diagnostic.span, source),
    )];
    labels.extend(diagnostic.related.iter().map(|related| {
        LabeledSpan::new_with_span(
            Some(related.message.clone()),
            source_span(related.span, source),
        )
    }));
    Finding {
        diagnostic,
        source: NamedSource::new(checked.input.display.clone(), source.clone()),
        help: help_text(diagnostic),
        labels,
        code: format!("{} {}", diagnostic.code, diagnostic.name),
    }
}

/// A plain one-line form, used if the graphical handler fails on some input.
fn plain(checked: &Checked, diagnostic: &Diagnostic) -> String {
    let (start, _) = super::line_cols(checked, diagnostic.span);
    format!(
        "{}:{}:{}: {} {} {}: {}\n",
        checked.input.display,
        start.line,
        start.column,
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.name,
        diagnostic.message
    )
}

/// Renders every finding of every file, then the summary line.
pub fn render(checked: &[Checked], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_wrap_lines(false)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    // miette is not ours: if it ever panics on odd input, fall back to the plain form
    // rather than crash, and keep its panic message off stderr.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for file in checked {
        for diagnostic in &file.report.diagnostics {
            let finding = finding(file, diagnostic);
            let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut text = String::new();
                handler.render_report(&mut text, &finding).map(|()| text)
            }));
            match rendered {
                Ok(Ok(text)) => out.push_str(&text),
                _ => out.push_str(&plain(file, diagnostic)),
            }
            out.push('\n');
        }
    }
    std::panic::set_hook(previous_hook);
    out.push_str(&summary(checked));
    out.push('\n');
    out
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// "Found 2 errors, 1 warning in 3 files (1 suppressed); 1 fixable with `hardfile fix`."
pub fn summary(checked: &[Checked]) -> String {
    let all = || checked.iter().flat_map(|c| &c.report.diagnostics);
    let count = |severity| all().filter(|d| d.severity == severity).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let fixable_with = |level| {
        all()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == level))
            .count()
    };
    let safe = fixable_with(Applicability::Safe);
    let unsafe_fixes = fixable_with(Applicability::Unsafe);
    let suppressed: usize = checked.iter().map(|c| c.report.suppressed.len()).sum();
    let files = plural(checked.len(), "file", "files");
    let mut line = if errors + warnings + infos == 0 {
        format!("No findings in {files}")
    } else {
        let mut parts = vec![
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings"),
        ];
        if infos > 0 {
            parts.push(plural(infos, "info", "infos"));
        }
        format!("Found {} in {files}", parts.join(", "))
    };
    if suppressed > 0 {
        let _ = write!(line, " ({suppressed} suppressed)");
    }
    if safe > 0 {
        let _ = write!(line, "; {safe} fixable with `hardfile fix`");
    }
    if unsafe_fixes > 0 {
        let _ = write!(
            line,
            "; {unsafe_fixes} more with `hardfile fix --unsafe-fixes`"
        );
    }
    line.push('.');
    line
}
