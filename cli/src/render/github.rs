//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
//! finding.

use std::fmt::Write as _;

use hardfile_lints::diagnostic::Severity;

use super::line_cols;
use crate::lint_cmd::Checked;

/// Escapes a command's message (`%`, CR, LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One line per finding.
pub fn render(checked: &[Checked]) -> String {
    let mut out = String::new();
    for file in checked {
        for d in &file.report.diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let (start, end) = line_cols(file, d.span);
            let mut message = d.message.clone();
            if let Some(fix) = &d.fix {
                let _ = write!(message, "\nfix: {}", fix.message);
            }
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&file.input.display),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("{} {}", d.code, d.name)),
                escape_data(&message),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
