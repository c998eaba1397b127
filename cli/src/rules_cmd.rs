//! `hardfile rules`: the catalogue as a table, JSON (with CIS coverage) or Markdown, and
//! the generator of `docs/rules`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use hardfile_lints::config::{CIS_VERSIONS, DEFAULT_CIS_VERSION};
use hardfile_lints::rules::{self, RuleMeta};
use serde_json::{Map, Value, json};

use crate::cis::{ITEMS, rules_for};
use crate::markdown::{fix_label, generated_docs, rules_index, status_label};
use crate::render::rule_url;

/// Output formats of `rules`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RulesFormat {
    /// Aligned columns.
    #[default]
    Table,
    /// Every rule's metadata plus `cis_coverage` (item → rule codes).
    Json,
    /// The Markdown index of `docs/rules/README.md`.
    Markdown,
}

/// Arguments of `hardfile rules`.
#[derive(clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: RulesFormat,
    /// CIS Docker Benchmark version for the coverage and the index (1.6.0, 1.5.0, 1.4.0).
    #[arg(long, default_value = DEFAULT_CIS_VERSION)]
    pub cis_version: String,
    /// Write the generated documentation (index and one page per rule) into DIR, removing
    /// stale pages, and print nothing else.
    #[arg(long, value_name = "DIR")]
    pub write_docs: Option<PathBuf>,
}

/// Runs `hardfile rules`.
pub fn run(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let version = args.cis_version.trim_start_matches('v');
    if !CIS_VERSIONS.contains(&version) {
        bail!(
            "invalid --cis-version {version:?} (one of {})",
            CIS_VERSIONS.join(", ")
        );
    }
    if let Some(dir) = &args.write_docs {
        write_docs(dir, version)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        RulesFormat::Table => table(version),
        RulesFormat::Json => {
            let mut text = serde_json::to_string_pretty(&json_document(version))?;
            text.push('\n');
            text
        }
        RulesFormat::Markdown => rules_index(version),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn write_docs(dir: &Path, version: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = generated_docs(version);
    // Pages of rules that no longer exist would otherwise linger.
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let generated = files.iter().any(|(n, _)| *n == name);
        if !generated
            && name.starts_with("HF")
            && Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    eprintln!("wrote {} files to {}", files.len(), dir.display());
    Ok(())
}

fn cis_by_version(meta: &RuleMeta) -> Value {
    let mut map = Map::new();
    for version in CIS_VERSIONS {
        map.insert(version.into(), json!(meta.sources.cis_items(version)));
    }
    Value::Object(map)
}

/// Every CIS item mentioned by some rule, plus all of 4.1–4.12, mapped to the codes of
/// the rules that support it in `version`.
pub fn cis_coverage(version: &str) -> BTreeMap<String, Vec<&'static str>> {
    let mut coverage: BTreeMap<String, Vec<&'static str>> = ITEMS
        .iter()
        .map(|item| {
            (
                item.id.to_string(),
                rules_for(item.id, version).iter().map(|m| m.code).collect(),
            )
        })
        .collect();
    for meta in rules::registry() {
        for item in meta.sources.cis_items(version) {
            let codes = coverage.entry((*item).to_string()).or_default();
            if !codes.contains(&meta.code) {
                codes.push(meta.code);
            }
        }
    }
    coverage
}

/// The JSON document of `rules --format json`.
pub fn json_document(version: &str) -> Value {
    let rules: Vec<Value> = rules::registry()
        .iter()
        .map(|meta| {
            json!({
                "code": meta.code,
                "name": meta.name,
                "summary": meta.summary,
                "default_severity": meta.default_severity.as_str(),
                "fix": fix_label(meta.fix),
                "fixable": meta.fix != rules::FixAvailability::Never,
                "status": status_label(meta.status),
                "scope": meta.scope,
                "profile": meta.profile.as_str(),
                "cis": cis_by_version(meta),
                "peer_codes": {
                    "hadolint": meta.sources.hadolint,
                    "buildkit": meta.sources.buildkit,
                    "trivy": meta.sources.trivy,
                    "checkov": meta.sources.checkov,
                },
                "url": rule_url(meta.code),
            })
        })
        .collect();
    let coverage = cis_coverage(version);
    let uncovered: Vec<&str> = ITEMS
        .iter()
        .map(|i| i.id)
        .filter(|id| coverage.get(*id).is_none_or(Vec::is_empty))
        .collect();
    json!({
        "tool": {"name": "hardfile", "version": env!("CARGO_PKG_VERSION")},
        "cis_version": version,
        "rules": rules,
        "cis_coverage": coverage,
        "cis_uncovered": uncovered,
    })
}

/// The plain-text table.
fn table(version: &str) -> String {
    let header = [
        "CODE",
        "NAME",
        "SEVERITY",
        "FIX",
        "STATUS",
        "CIS 1.6.0",
        "CIS 1.5.0",
        "CIS 1.4.0",
        "PEERS",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(ToString::to_string).collect()];
    for meta in rules::registry() {
        let mut row = vec![
            meta.code.to_string(),
            meta.name.to_string(),
            meta.default_severity.as_str().to_string(),
            fix_label(meta.fix).to_string(),
            status_label(meta.status).to_string(),
        ];
        for v in CIS_VERSIONS {
            row.push(or_dash(&meta.sources.cis_items(v).join(",")));
        }
        row.push(or_dash(
            &meta.sources.peer_codes().collect::<Vec<_>>().join(","),
        ));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let coverage = cis_coverage(version);
    let covered = ITEMS
        .iter()
        .filter(|i| coverage.get(i.id).is_some_and(|c| !c.is_empty()))
        .count();
    let _ = writeln!(
        out,
        "\n{} rules; CIS Docker Benchmark v{version} section 4: {covered} of {} items covered.",
        rules::registry().len(),
        ITEMS.len()
    );
    out
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        text.to_string()
    }
}
