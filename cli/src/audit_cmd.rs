//! `hardfile audit`: check every Dockerfile of a tree and summarise per CIS item how many
//! files fail, are waived or pass it — what a platform team runs over a monorepo.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::EXIT_ERROR;
use crate::cis::{ITEMS, Status};
use crate::lint_cmd::{InputArgs, check_all, collect_inputs};
use crate::options::ConfigArgs;
use crate::report_cmd::verdicts;

/// Output formats of `audit`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuditFormat {
    /// Aligned columns.
    #[default]
    Table,
    /// Machine-readable, with the failing files per item.
    Json,
    /// A Markdown table.
    Markdown,
}

/// Arguments of `hardfile audit`.
#[derive(clap::Args)]
pub struct AuditArgs {
    /// Dockerfiles or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: AuditFormat,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Per-item tallies across files.
#[derive(Default, serde::Serialize)]
struct Tally {
    fail: usize,
    waived: usize,
    pass: usize,
    manual: usize,
    not_applicable: usize,
    failing_files: Vec<String>,
    failing_rules: BTreeMap<&'static str, usize>,
}

/// Runs `hardfile audit`; exit 2 when some file could not be read, else 0.
pub fn run(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let inputs = collect_inputs(&args.paths, &args.input)?;
    let (checked, failures) = check_all(&inputs, &args.config);
    let mut tallies: Vec<Tally> = ITEMS.iter().map(|_| Tally::default()).collect();
    let mut cis_version = hardfile_lints::config::DEFAULT_CIS_VERSION.to_string();
    for file in &checked {
        cis_version.clone_from(&file.config.cis_version);
        for (tally, verdict) in tallies.iter_mut().zip(verdicts(file)) {
            match verdict.status {
                Status::Fail => {
                    tally.fail += 1;
                    tally.failing_files.push(file.input.display.clone());
                    let failing = verdict
                        .findings
                        .iter()
                        .filter(|f| f.severity >= hardfile_lints::diagnostic::Severity::Warning);
                    for finding in failing {
                        *tally.failing_rules.entry(finding.code).or_default() += 1;
                    }
                }
                Status::Waived => tally.waived += 1,
                Status::Pass => tally.pass += 1,
                Status::Manual => tally.manual += 1,
                Status::NotApplicable => tally.not_applicable += 1,
            }
        }
    }
    let text = match args.format {
        AuditFormat::Table => table(&tallies, checked.len(), &cis_version),
        AuditFormat::Markdown => markdown(&tallies, checked.len(), &cis_version),
        AuditFormat::Json => {
            let items: Vec<_> = ITEMS
                .iter()
                .zip(&tallies)
                .map(|(item, tally)| json!({"item": item.id, "title": item.title, "counts": tally}))
                .collect();
            let mut text = serde_json::to_string_pretty(&json!({
                "schema": "hardfile-audit/1",
                "cis_version": cis_version,
                "files": checked.len(),
                "unreadable": failures.iter().map(|f| json!({"file": f.display, "message": f.message})).collect::<Vec<_>>(),
                "items": items,
            }))?;
            text.push('\n');
            text
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ERROR)
    })
}

fn top_rules(tally: &Tally) -> String {
    let mut rules: Vec<(&&str, &usize)> = tally.failing_rules.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = rules
        .iter()
        .take(4)
        .map(|(c, n)| format!("{c}×{n}"))
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(" ")
    }
}

fn table(tallies: &[Tally], files: usize, version: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "CIS Docker Benchmark v{version}, {files} Dockerfile(s)\n"
    );
    let width = ITEMS.iter().map(|i| i.title.len()).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "{:<5}  {:<width$}  {:>4}  {:>6}  {:>4}  {:>6}  {:>3}  TOP RULES",
        "ITEM", "RECOMMENDATION", "FAIL", "WAIVED", "PASS", "MANUAL", "N/A"
    );
    for (item, t) in ITEMS.iter().zip(tallies) {
        let _ = writeln!(
            out,
            "{:<5}  {:<width$}  {:>4}  {:>6}  {:>4}  {:>6}  {:>3}  {}",
            item.id,
            item.title,
            t.fail,
            t.waived,
            t.pass,
            t.manual,
            t.not_applicable,
            top_rules(t)
        );
    }
    out
}

fn markdown(tallies: &[Tally], files: usize, version: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# CIS Docker Benchmark v{version} audit ({files} Dockerfiles)\n"
    );
    let _ = writeln!(
        out,
        "| Item | Recommendation | Fail | Waived | Pass | Manual | N/A | Top rules |\n|---|---|---|---|---|---|---|---|"
    );
    for (item, t) in ITEMS.iter().zip(tallies) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            item.id,
            item.title,
            t.fail,
            t.waived,
            t.pass,
            t.manual,
            t.not_applicable,
            top_rules(t)
        );
    }
    out
}
