//! Helpers shared by the CLI integration tests: run the built binary in a scratch
//! directory with a clean environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `hardfile` binary cargo built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hardfile"))
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// What a run printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// A command for the binary in `dir`, with no `HARDFILE_*` variables and no colour.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(bin());
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("HARDFILE_") {
            command.env_remove(key);
        }
    }
    command
}

/// Runs the binary in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    command(dir, args)
        .stdin(Stdio::null())
        .output()
        .expect("hardfile runs")
        .into()
}

/// Runs the binary in `dir` with `input` on standard input.
pub fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hardfile starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("hardfile runs").into()
}

/// A scratch directory holding `files` (path, content).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }
    dir
}

/// A Dockerfile with findings every rule set so far reports: root user (HF101, error,
/// CIS 4.1), deprecated MAINTAINER (HF805, warning) and HEALTHCHECK NONE (HF802).
pub const ROOT_DOCKERFILE: &str = "\
FROM alpine:3.20
MAINTAINER someone@example.com
RUN apk add --no-cache curl
HEALTHCHECK NONE
USER root
";

/// A Dockerfile without findings from the default rules that concern these tests.
pub const CLEAN_DOCKERFILE: &str = "\
FROM alpine:3.20
LABEL org.opencontainers.image.source=\"https://example.com/app\" org.opencontainers.image.revision=\"abc\"
RUN apk add --no-cache curl
HEALTHCHECK CMD [\"true\"]
USER 65532:65532
CMD [\"true\"]
";

/// Parses standard output as JSON.
pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        )
    })
}
