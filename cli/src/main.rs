//! The `hardfile` binary: one entry point for the linter, the fixer, the BuildKit frontend
//! and the language server.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod parse_cmd;

/// CIS hardening as a property of how container images are built.
#[derive(Parser)]
#[command(name = "hardfile", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse a Dockerfile and print its syntax tree.
    Parse(parse_cmd::ParseArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Parse(args) => parse_cmd::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hardfile: {err:#}");
            ExitCode::from(2)
        }
    }
}
