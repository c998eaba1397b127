//! `hardfile lint`: check Dockerfiles and print the findings in one of four formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use hardfile_lints::check::{Report, check};
use hardfile_lints::config::Config;
use hardfile_lints::context::FsContext;
use hardfile_lints::diagnostic::Severity;
use hardfile_lints::syntax::{self, LineIndex};

use crate::inputs::{self, Input};
use crate::options::{ColorChoice, ConfigArgs};
use crate::render;
use crate::{EXIT_ERROR, EXIT_FINDINGS};

/// Output formats of `lint`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LintFormat {
    /// Source snippets with labels, help and fix hints (rustc style), then a summary.
    #[default]
    Human,
    /// Stable JSON (see docs/json-format.md).
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// The lowest severity that makes `lint` exit 1.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// Errors only (the default; `dev` caps rule severities at warning, so it fails only
    /// on syntax errors).
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Info,
    /// Never fail on findings (I/O and usage errors still exit 2).
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Where to read Dockerfiles from, shared by `lint`, `report` and `audit`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct InputArgs {
    /// Build context directory for every file (default: each Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// The name to give standard input (`-`) in output and for configuration lookup.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

/// Arguments of `hardfile lint`.
#[derive(clap::Args)]
pub struct LintArgs {
    /// Dockerfiles or directories to search (default: the current directory); `-` reads
    /// standard input.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: LintFormat,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Exit 0 even with findings (I/O and usage errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Colour human output.
    #[arg(long, value_enum, default_value_t)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// One Dockerfile after checking.
pub struct Checked {
    /// The file as given.
    pub input: Input,
    /// Its text.
    pub source: String,
    /// Line starts of `source`.
    pub index: LineIndex,
    /// The configuration it was checked with.
    pub config: Config,
    /// What the rules found.
    pub report: Report,
}

/// A file that could not be checked.
pub struct Failure {
    /// How the file is named in output.
    pub display: String,
    /// Why.
    pub message: String,
}

/// Checks every input; I/O and configuration problems become [`Failure`]s (reported on
/// stderr, in input order) so the other files are still checked. Files are checked on
/// all available cores; results keep the input order.
pub fn check_all(inputs: &[Input], config: &ConfigArgs) -> (Vec<Checked>, Vec<Failure>) {
    let results = crate::par::map(inputs, |input| check_one(input, config));
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for (input, result) in inputs.iter().zip(results) {
        match result {
            Ok(result) => checked.push(result),
            Err(err) => {
                eprintln!("hardfile: {err:#}");
                failures.push(Failure {
                    display: input.display.clone(),
                    message: format!("{err:#}"),
                });
            }
        }
    }
    (checked, failures)
}

/// Reads, configures and checks one input.
pub fn check_one(input: &Input, config_args: &ConfigArgs) -> anyhow::Result<Checked> {
    let source = input.read()?;
    let config = config_args
        .resolve(&input.config_anchor)
        .with_context(|| format!("configuration for {}", input.display))?;
    let file = syntax::parse(&source);
    let context = input.context.as_deref().map(FsContext::new);
    let report = check(
        &file,
        &config,
        context
            .as_ref()
            .map(|c| c as &dyn hardfile_lints::context::BuildContext),
    );
    let index = LineIndex::new(&source);
    Ok(Checked {
        input: input.clone(),
        source,
        index,
        config,
        report,
    })
}

/// Collects inputs from paths, with `--context`/`--stdin-filename`.
pub fn collect_inputs(paths: &[PathBuf], input: &InputArgs) -> anyhow::Result<Vec<Input>> {
    if let Some(dir) = &input.context
        && !dir.is_dir()
    {
        anyhow::bail!("--context {}: not a directory", dir.display());
    }
    inputs::collect(
        paths,
        input.context.as_deref(),
        input.stdin_filename.as_deref(),
    )
}

/// Runs `hardfile lint`.
pub fn run(args: &LintArgs) -> anyhow::Result<ExitCode> {
    // Flags are the same for every file: a bad one is one usage error, not one per file.
    args.config.apply(&mut Config::default())?;
    let inputs = collect_inputs(&args.paths, &args.input)?;
    let (checked, failures) = check_all(&inputs, &args.config);
    let cis_version = checked.first().map_or_else(
        || Config::default().cis_version,
        |c| c.config.cis_version.clone(),
    );
    let text = match args.format {
        LintFormat::Human => render::human::render(&checked, args.color.enabled()),
        LintFormat::Json => render::json::render(&checked, &failures, &cis_version)?,
        LintFormat::Sarif => render::sarif::render(&checked, &failures, &cis_version, &cwd())?,
        LintFormat::Github => render::github::render(&checked),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    if !failures.is_empty() {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    let fails = args.fail_on.threshold().is_some_and(|threshold| {
        checked
            .iter()
            .flat_map(|c| &c.report.diagnostics)
            .any(|d| d.severity >= threshold)
    });
    Ok(if fails && !args.exit_zero {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The current directory (for relative SARIF URIs); `.` when unknown.
pub fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| Path::new(".").to_path_buf())
}
