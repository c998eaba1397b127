//! `hardfile explain`: a rule's documentation, by code, name or peer code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use hardfile_lints::rules::{self, RuleMeta};

use crate::markdown::{rule_page, to_terminal};
use crate::options::ColorChoice;

/// How `explain` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExplainFormat {
    /// Rendered for the terminal.
    #[default]
    Text,
    /// The Markdown page (as in docs/rules).
    Markdown,
}

/// Arguments of `hardfile explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// A rule code (HF101), name (root-user) or peer code (DL3002, CKV_DOCKER_8, DS-0002).
    pub rule: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ExplainFormat,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t)]
    pub color: ColorChoice,
}

/// The rules a name denotes: an exact code or name first, then a peer code (which may
/// map to several rules).
pub fn lookup(name: &str) -> Vec<&'static RuleMeta> {
    if let Some(meta) = rules::by_code(name) {
        return vec![meta];
    }
    if name.contains(':') || name.eq_ignore_ascii_case("all") {
        return Vec::new();
    }
    rules::select(name)
        .into_iter()
        .filter(|m| !m.code.eq_ignore_ascii_case(name))
        .filter(|_| name.len() > 4 || !name.to_ascii_uppercase().starts_with("HF"))
        .collect()
}

/// Runs `hardfile explain`.
pub fn run(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let found = lookup(args.rule.trim());
    if found.is_empty() {
        bail!(
            "unknown rule {:?} (see `hardfile rules` for codes, names and peer codes)",
            args.rule
        );
    }
    let color = args.color.enabled();
    let mut out = String::new();
    for (i, meta) in found.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let page = rule_page(meta);
        match args.format {
            ExplainFormat::Markdown => out.push_str(&page),
            ExplainFormat::Text => out.push_str(&to_terminal(&page, color)),
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
