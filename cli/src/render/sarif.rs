//! SARIF 2.1.0 output: every rule in `tool.driver.rules`, one result per finding (with
//! fixes), suppressed findings as results with an in-source suppression. Columns are
//! counted in Unicode code points (`run.columnKind`), like every hardfile column.

use std::fmt::Write as _;
use std::path::Path;

use hardfile_lints::check::{SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME};
use hardfile_lints::config::CIS_VERSIONS;
use hardfile_lints::diagnostic::{Diagnostic, Severity};
use hardfile_lints::rules::{self, RuleMeta};
use hardfile_lints::syntax::Span;
use serde_json::{Map, Value, json};

use super::{line_cols, rule_url};
use crate::lint_cmd::{Checked, Failure};

/// The schema URI written into every log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The CIS items of a rule per benchmark version, as a JSON object.
fn cis_by_version(meta: &RuleMeta) -> Value {
    let mut map = Map::new();
    for version in CIS_VERSIONS {
        map.insert(version.into(), json!(meta.sources.cis_items(version)));
    }
    Value::Object(map)
}

fn rule_descriptor(meta: &RuleMeta, cis_version: &str) -> Value {
    let documentation = meta.documentation();
    let mut tags = vec!["security".to_string()];
    tags.extend(
        meta.sources
            .cis_items(cis_version)
            .iter()
            .map(|item| format!("CIS-{item}")),
    );
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": first_paragraph(&documentation).unwrap_or(meta.summary)},
        "help": {"text": documentation, "markdown": documentation},
        "helpUri": rule_url(meta.code),
        "defaultConfiguration": {"level": level(meta.default_severity)},
        "properties": {
            "tags": tags,
            "cis": cis_by_version(meta),
            "peerCodes": meta.sources.peer_codes().collect::<Vec<_>>(),
            "fix": meta.fix,
            "status": meta.status,
        },
    })
}

/// The text under "## What it does", joined into one paragraph.
fn first_paragraph(documentation: &str) -> Option<&str> {
    let start = documentation.find("## What it does")?;
    let body = documentation[start..].split_once('\n')?.1;
    let end = body.find("\n\n").unwrap_or(body.len());
    Some(body[..end].trim()).filter(|s| !s.is_empty())
}

fn syntax_descriptor() -> Value {
    json!({
        "id": SYNTAX_ERROR_CODE,
        "name": SYNTAX_ERROR_NAME,
        "shortDescription": {"text": "The Dockerfile does not parse"},
        "fullDescription": {"text": "A syntax error reported by the parser; BuildKit would refuse to build this file."},
        "helpUri": rule_url(SYNTAX_ERROR_CODE),
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["syntax"]},
    })
}

/// A relative URI reference for a file: relative to `base` when under it, `/`-separated,
/// percent-encoded.
pub fn artifact_uri(display: &str, path: Option<&Path>, base: &Path) -> String {
    let text = match path {
        Some(path) => {
            let absolute = if path.is_absolute() {
                path.to_path_buf()
            } else {
                base.join(path)
            };
            match absolute.strip_prefix(base) {
                Ok(relative) => relative.to_string_lossy().into_owned(),
                Err(_) => absolute.to_string_lossy().into_owned(),
            }
        }
        None => display.to_string(),
    };
    let text = text.replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    if text.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

/// Whether a result is suppressed, and the justification given.
#[derive(Clone, Copy)]
enum Suppression<'a> {
    None,
    InSource(Option<&'a str>),
}

fn region(checked: &Checked, span: Span) -> Value {
    let (start, end) = line_cols(checked, span);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn result(
    checked: &Checked,
    uri: &str,
    d: &Diagnostic,
    index_of: &dyn Fn(&str) -> Option<usize>,
    suppression: Suppression<'_>,
) -> Value {
    let location = |span: Span| {
        json!({
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": region(checked, span),
            }
        })
    };
    let mut value = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": {"text": d.message},
        "locations": [location(d.span)],
    });
    if let Some(index) = index_of(d.code) {
        value["ruleIndex"] = json!(index);
    }
    if !d.related.is_empty() {
        value["relatedLocations"] = d
            .related
            .iter()
            .enumerate()
            .map(|(id, related)| {
                let mut loc = location(related.span);
                loc["id"] = json!(id);
                loc["message"] = json!({"text": related.message});
                loc
            })
            .collect();
    }
    if let Some(fix) = &d.fix
        && !fix.edits.is_empty()
    {
        value["fixes"] = json!([{
            "description": {"text": fix.message},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri},
                "replacements": fix.edits.iter().map(|e| json!({
                    "deletedRegion": region(checked, e.span),
                    "insertedContent": {"text": e.replacement},
                })).collect::<Vec<_>>(),
            }],
            "properties": {"applicability": fix.applicability},
        }]);
    }
    if let Suppression::InSource(reason) = suppression {
        let mut entry = json!({"kind": "inSource"});
        if let Some(reason) = reason {
            entry["justification"] = json!(reason);
        }
        value["suppressions"] = json!([entry]);
    }
    value
}

/// The whole log.
pub fn document(
    checked: &[Checked],
    failures: &[Failure],
    cis_version: &str,
    base: &Path,
) -> Value {
    let metas = rules::registry();
    let mut descriptors = vec![syntax_descriptor()];
    descriptors.extend(metas.iter().map(|m| rule_descriptor(m, cis_version)));
    let index_of = |code: &str| {
        if code == SYNTAX_ERROR_CODE {
            Some(0)
        } else {
            metas.iter().position(|m| m.code == code).map(|i| i + 1)
        }
    };
    let mut results = Vec::new();
    for file in checked {
        let uri = artifact_uri(&file.input.display, file.input.path.as_deref(), base);
        for d in &file.report.diagnostics {
            results.push(result(file, &uri, d, &index_of, Suppression::None));
        }
        for (d, reason) in &file.report.suppressed {
            results.push(result(
                file,
                &uri,
                d,
                &index_of,
                Suppression::InSource(reason.as_deref()),
            ));
        }
    }
    let notifications: Vec<Value> = failures
        .iter()
        .map(|f| json!({"level": "error", "message": {"text": f.message}}))
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hardfile",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": failures.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "properties": {"cisVersion": cis_version},
            "results": results,
        }],
    })
}

/// Renders the log, pretty-printed, with a final newline.
pub fn render(
    checked: &[Checked],
    failures: &[Failure],
    cis_version: &str,
    base: &Path,
) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(&document(checked, failures, cis_version, base))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        let base = Path::new("/repo");
        assert_eq!(
            artifact_uri("x", Some(Path::new("/repo/svc/My File")), base),
            "svc/My%20File"
        );
        assert_eq!(
            artifact_uri("x", Some(Path::new("Dockerfile")), base),
            "Dockerfile"
        );
        assert_eq!(
            artifact_uri("x", Some(Path::new("/elsewhere/Dockerfile")), base),
            "file:///elsewhere/Dockerfile"
        );
        assert_eq!(artifact_uri("-", None, base), "-");
    }
}
