//! The `hardfile` binary: one entry point for the linter, the fixer, the BuildKit frontend
//! and the language server.
//!
//! Each subcommand is one variant of [`Command`] and one module with an `Args` type (clap)
//! and a `run(&Args) -> anyhow::Result<ExitCode>` function. Exit codes are shared by every
//! subcommand: 0 success, 1 findings (or changes, for `fix --check`), 2 usage or I/O error;
//! an `Err` returned by `run` is printed to stderr and becomes 2.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit_cmd;
mod build_cmd;
mod cis;
mod explain_cmd;
mod fix_cmd;
mod frontend_cmd;
mod image_cmd;
mod inputs;
mod lint_cmd;
mod markdown;
mod options;
mod par;
mod parse_cmd;
mod render;
mod report_cmd;
mod rules_cmd;

/// CIS hardening as a property of how container images are built.
#[derive(Parser)]
#[command(name = "hardfile", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check Dockerfiles against the CIS Docker Benchmark rules.
    Lint(lint_cmd::LintArgs),
    /// Apply the fixes the rules offer, in place (atomically), as a diff, or as a check.
    Fix(fix_cmd::FixArgs),
    /// List every rule with its severity, fix availability, CIS items and peer codes.
    Rules(rules_cmd::RulesArgs),
    /// Show a rule's documentation (by code, name or peer code).
    Explain(explain_cmd::ExplainArgs),
    /// CIS compliance report for one Dockerfile (pass / fail / waived / manual per item).
    Report(report_cmd::ReportArgs),
    /// Per-CIS-item summary over many Dockerfiles (a repository or a monorepo).
    Audit(audit_cmd::AuditArgs),
    /// Parse a Dockerfile and print its syntax tree.
    Parse(parse_cmd::ParseArgs),
    /// Language server on stdin/stdout, for editors (see docs/editors.md).
    Lsp,
    /// Write the frontend image (FROM scratch + this static binary) as a `docker load` tarball.
    Image(image_cmd::ImageArgs),
    /// `docker buildx build` through hardfile's frontend (loads the frontend image when missing).
    Build(build_cmd::BuildArgs),
    /// BuildKit frontend entrypoint (gateway on stdin/stdout); run by BuildKit, not by hand.
    #[command(hide = true)]
    Frontend(frontend_cmd::FrontendArgs),
}

/// Exit code: findings at or above the threshold, or changes with `fix --check`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, unreadable file, invalid configuration.
pub const EXIT_ERROR: u8 = 2;

/// mimalloc: `lint` allocates many small strings and model nodes on several threads, where
/// glibc's allocator took about a third of the CPU time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Lint(args) => lint_cmd::run(&args),
        Command::Fix(args) => fix_cmd::run(&args),
        Command::Rules(args) => rules_cmd::run(&args),
        Command::Explain(args) => explain_cmd::run(&args),
        Command::Report(args) => report_cmd::run(&args),
        Command::Audit(args) => audit_cmd::run(&args),
        Command::Parse(args) => parse_cmd::run(&args),
        Command::Lsp => hardfile_lsp::run_stdio()
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from),
        Command::Image(args) => image_cmd::run(&args),
        Command::Build(args) => build_cmd::run(&args),
        Command::Frontend(args) => frontend_cmd::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hardfile: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
