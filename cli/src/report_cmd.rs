//! `hardfile report`: a CIS Docker Benchmark section-4 compliance report for one Dockerfile.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use hardfile_lints::diagnostic::Severity;
use serde_json::json;

use crate::cis::{ItemVerdict, Status, judge};
use crate::lint_cmd::{Checked, InputArgs, check_one, collect_inputs};
use crate::options::ConfigArgs;

/// Output formats of `report`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// A Markdown table per item, then details.
    #[default]
    Markdown,
    /// Machine-readable.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// Arguments of `hardfile report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The Dockerfile (default: `Dockerfile` in the current directory; a directory means
    /// the Dockerfile found in it); `-` reads standard input.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs `hardfile report`; exit 0 whatever the verdicts (the report is evidence, `lint`
/// is the gate).
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("Dockerfile"));
    let inputs = collect_inputs(std::slice::from_ref(&path), &args.input)?;
    let input = match inputs.as_slice() {
        [one] => one,
        [] => bail!("no Dockerfile found under {}", path.display()),
        many => bail!(
            "{} holds {} Dockerfiles; name one (or use `hardfile audit`)",
            path.display(),
            many.len()
        ),
    };
    let checked = check_one(input, &args.config)?;
    let verdicts = verdicts(&checked);
    let text = match args.format {
        ReportFormat::Markdown => markdown(&checked, &verdicts),
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(&document(&checked, &verdicts))?;
            text.push('\n');
            text
        }
        ReportFormat::Html => html(&checked, &verdicts),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The verdict per item for a checked file.
pub fn verdicts(checked: &Checked) -> Vec<ItemVerdict> {
    let line_of = |offset: usize| checked.index.line_col(&checked.source, offset).line;
    judge(&checked.report, &checked.config, &line_of)
}

fn counts(verdicts: &[ItemVerdict]) -> Vec<(Status, usize)> {
    [
        Status::Pass,
        Status::Fail,
        Status::Waived,
        Status::Manual,
        Status::NotApplicable,
    ]
    .into_iter()
    .map(|s| (s, verdicts.iter().filter(|v| v.status == s).count()))
    .collect()
}

fn document(checked: &Checked, verdicts: &[ItemVerdict]) -> serde_json::Value {
    let summary: serde_json::Map<String, serde_json::Value> = counts(verdicts)
        .into_iter()
        .map(|(s, n)| (s.as_str().replace(' ', "_"), json!(n)))
        .collect();
    json!({
        "schema": "hardfile-cis-report/1",
        "tool": {"name": "hardfile", "version": env!("CARGO_PKG_VERSION")},
        "file": checked.input.display,
        "benchmark": "CIS Docker Benchmark",
        "cis_version": checked.config.cis_version,
        "profile": checked.config.profile.as_str(),
        "base_user": checked.report.base_user,
        "syntax_errors": checked.report.diagnostics.iter()
            .filter(|d| d.code == hardfile_lints::check::SYNTAX_ERROR_CODE).count(),
        "summary": summary,
        "items": verdicts,
    })
}

fn rules_cell(verdict: &ItemVerdict) -> String {
    let rules: Vec<String> = verdict
        .rules
        .iter()
        .map(|r| {
            let mut text = r.code.to_string();
            if !r.enabled {
                text.push_str(" (off)");
            } else if r.findings > 0 {
                let _ = write!(text, " ✗{}", r.findings);
            } else if r.waived > 0 {
                let _ = write!(text, " waived {}", r.waived);
            }
            text
        })
        .collect();
    if rules.is_empty() {
        "—".to_string()
    } else {
        rules.join(", ")
    }
}

fn markdown(checked: &Checked, verdicts: &[ItemVerdict]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# CIS Docker Benchmark v{} — {}\n",
        checked.config.cis_version, checked.input.display
    );
    let summary: Vec<String> = counts(verdicts)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "Profile `{}`; {}.\n",
        checked.config.profile.as_str(),
        summary.join(", ")
    );
    let _ = writeln!(
        out,
        "| Item | Recommendation | Status | Rules | Note |\n|---|---|---|---|---|"
    );
    for v in verdicts {
        let _ = writeln!(
            out,
            "| {} | {} | **{}** | {} | {} |",
            v.item.id,
            v.item.title,
            v.status.as_str(),
            rules_cell(v),
            v.note
        );
    }
    let details: Vec<&ItemVerdict> = verdicts
        .iter()
        .filter(|v| !v.findings.is_empty() || !v.waivers.is_empty())
        .collect();
    if !details.is_empty() {
        let _ = writeln!(out, "\n## Findings and waivers\n");
        for v in details {
            let _ = writeln!(out, "### {} {}\n", v.item.id, v.item.title);
            for f in &v.findings {
                let kind = if f.severity >= Severity::Warning {
                    "fail"
                } else {
                    "info"
                };
                let _ = writeln!(out, "- {kind}: {} line {}: {}", f.code, f.line, f.message);
            }
            for w in &v.waivers {
                let reason = w.reason.as_deref().unwrap_or("(no reason given)");
                let _ = writeln!(out, "- waived: {} line {}: {}", w.code, w.line, reason);
            }
            out.push('\n');
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(checked: &Checked, verdicts: &[ItemVerdict]) -> String {
    let mut out = String::new();
    let title = format!(
        "CIS Docker Benchmark v{} — {}",
        checked.config.cis_version, checked.input.display
    );
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}\
         .pass{{color:#1a7f37}}.fail{{color:#cf222e}}.waived{{color:#9a6700}}\
         .manual,.not-applicable{{color:#57606a}}</style>\n</head>\n<body>\n<h1>{}</h1>",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<p>Profile <code>{}</code>.</p>\n<table>\n<tr><th>Item</th><th>Recommendation</th><th>Status</th><th>Rules</th><th>Details</th></tr>",
        checked.config.profile.as_str()
    );
    for v in verdicts {
        let mut details = escape(&v.note);
        for f in &v.findings {
            let _ = write!(
                details,
                "<br>{} line {}: {}",
                f.code,
                f.line,
                escape(&f.message)
            );
        }
        for w in &v.waivers {
            let reason = w.reason.as_deref().unwrap_or("(no reason given)");
            let _ = write!(
                details,
                "<br>waived {} line {}: {}",
                w.code,
                w.line,
                escape(reason)
            );
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            v.item.id,
            escape(v.item.title),
            v.status.as_str().replace(' ', "-"),
            v.status.as_str(),
            escape(&rules_cell(v)),
            details
        );
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}
