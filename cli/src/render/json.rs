//! JSON output; the schema is documented in `docs/json-format.md` and versioned by
//! [`SCHEMA`].

use hardfile_lints::diagnostic::{Applicability, Diagnostic, Severity};
use hardfile_lints::syntax::Span;
use serde_json::{Value, json};

use super::{cis_items, clamp, line_cols, peer_codes, rule_url};
use crate::lint_cmd::{Checked, Failure};

/// Identifies the document format; bumped only on incompatible changes.
pub const SCHEMA: &str = "hardfile-lint/1";

/// A range as bytes and as 1-based line/column (end exclusive).
pub fn range(checked: &Checked, span: Span) -> Value {
    let span = clamp(span, &checked.source);
    let (start, end) = line_cols(checked, span);
    json!({
        "start": {"line": start.line, "column": start.column, "offset": span.start},
        "end": {"line": end.line, "column": end.column, "offset": span.end},
    })
}

/// One finding.
pub fn diagnostic(checked: &Checked, d: &Diagnostic, cis_version: &str) -> Value {
    let fix = d.fix.as_ref().map(|fix| {
        json!({
            "message": fix.message,
            "applicability": match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
                Applicability::DisplayOnly => "display-only",
            },
            "edits": fix.edits.iter().map(|e| json!({
                "range": range(checked, e.span),
                "replacement": e.replacement,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "file": checked.input.display,
        "code": d.code,
        "name": d.name,
        "severity": d.severity.as_str(),
        "message": d.message,
        "help": d.help,
        "range": range(checked, d.span),
        "related": d.related.iter().map(|r| json!({
            "message": r.message,
            "range": range(checked, r.span),
        })).collect::<Vec<_>>(),
        "fix": fix,
        "cis": cis_items(d, cis_version),
        "peer_codes": peer_codes(d),
        "url": super::meta_of(d).map(|m| rule_url(m.code)),
    })
}

/// The whole document.
pub fn document(checked: &[Checked], failures: &[Failure], cis_version: &str) -> Value {
    let files: Vec<Value> = crate::par::map(checked, |c| {
        let suppressed: Vec<Value> = c
            .report
            .suppressed
            .iter()
            .map(|(d, reason)| {
                let mut value = diagnostic(c, d, cis_version);
                value["reason"] = json!(reason);
                value
            })
            .collect();
        json!({
            "file": c.input.display,
            "profile": c.config.profile.as_str(),
            "diagnostics": c.report.diagnostics.iter()
                .map(|d| diagnostic(c, d, cis_version)).collect::<Vec<_>>(),
            "suppressed": suppressed,
        })
    });
    let all = || checked.iter().flat_map(|c| &c.report.diagnostics);
    let count = |s: Severity| all().filter(|d| d.severity == s).count();
    let fixable = |a: Applicability| {
        all()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    json!({
        "schema": SCHEMA,
        "tool": {"name": "hardfile", "version": env!("CARGO_PKG_VERSION")},
        "cis_version": cis_version,
        "files": files,
        "errors": failures.iter().map(|f| json!({"file": f.display, "message": f.message}))
            .collect::<Vec<_>>(),
        "summary": {
            "files": checked.len(),
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
            "fixable": fixable(Applicability::Safe),
            "unsafe_fixable": fixable(Applicability::Unsafe),
            "suppressed": checked.iter().map(|c| c.report.suppressed.len()).sum::<usize>(),
        },
    })
}

/// Renders the document, pretty-printed, with a final newline.
pub fn render(
    checked: &[Checked],
    failures: &[Failure],
    cis_version: &str,
) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(&document(checked, failures, cis_version))?;
    text.push('\n');
    Ok(text)
}
