//! Real engine, end to end, through hardfile's frontend image.
//!
//! - `e2e/<example>`: every `examples/*/Dockerfile` (or, while `examples/` has none, a few
//!   differential cases) is built with a `# syntax=hardfile:…` first line; its config must
//!   match the stock frontend's, its filesystem is exported, and the image runs with
//!   `docker run --network none` (exit 0, or still running after a few seconds for servers).
//! - `errors/<case>`: a malformed Dockerfile, an unknown flag, a missing `--from` stage and a
//!   failing RUN must each fail with the Dockerfile snippet at the right line in the
//!   `docker build` output, and nothing may panic. The stock frontend is held to the same
//!   assertions, which proves they are the right ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hardfile_tests::engine::{self, BuildSpec, FrontendChoice};
use libtest_mimic::{Arguments, Failed, Trial};

/// Differential cases used while `examples/` holds no project.
const FALLBACK_CASES: &[&str] = &[
    "03-stage-ref",
    "17-copy-from",
    "26-heredoc",
    "55-cmd-inherit",
];

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = Vec::new();
    for (name, dir, remote) in e2e_projects() {
        if !remote.is_empty() {
            // Not a test to skip: an example whose base images need a registry is a lint
            // showcase (tests never reach a registry), so no build trial is made for it.
            eprintln!(
                "e2e/{name}: not built, its base images need a registry: {}",
                remote.join(", ")
            );
            continue;
        }
        trials
            .push(Trial::test(format!("e2e/{name}"), move || e2e(&name, &dir)).with_kind("engine"));
    }
    for case in error_cases() {
        trials.push(
            Trial::test(format!("errors/{}", case.name), move || error_case(&case))
                .with_kind("engine"),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}

/// `examples/*` with a Dockerfile (with the base images that would need a registry), plus the
/// fallback differential cases while no example builds offline.
fn e2e_projects() -> Vec<(String, PathBuf, Vec<String>)> {
    let root = engine::repo_root();
    let mut projects: Vec<(String, PathBuf, Vec<String>)> =
        std::fs::read_dir(root.join("examples"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| dir.join("Dockerfile").is_file())
            .map(|dir| {
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap_or_default();
                let remote = engine::non_local_bases(&text);
                (name, dir, remote)
            })
            .collect();
    if projects.iter().all(|(_, _, remote)| !remote.is_empty()) {
        projects.extend(FALLBACK_CASES.iter().map(|name| {
            (
                format!("differential-{name}"),
                root.join("tests/differential").join(name),
                Vec::new(),
            )
        }));
    }
    projects.sort();
    projects
}

fn e2e(name: &str, dir: &Path) -> Result<(), Failed> {
    if !engine::require_engine(name) {
        return Ok(());
    }
    let image = engine::frontend_image()?;
    let tag = format!("hardfile-e2e/{name}:hardfile");
    let stock_tag = format!("hardfile-e2e/{name}:stock");
    let built = engine::docker_build(&BuildSpec::new(
        dir,
        &tag,
        FrontendChoice::SyntaxLine(image.clone()),
    ))?;
    let id = built.image()?.to_owned();
    engine::check_frontend_used(&built, &FrontendChoice::SyntaxLine(image.clone()))?;
    let stock = engine::docker_build(&BuildSpec::new(dir, &stock_tag, FrontendChoice::Stock))?;
    let stock_id = stock.image()?.to_owned();

    let ours = engine::snapshot(&id)?;
    let theirs = engine::snapshot(&stock_id)?;
    if ours.fs.is_empty() {
        return Err(format!("{name}: the exported filesystem is empty").into());
    }
    let config_diff: Vec<String> =
        engine::diff_snapshots("stock", &theirs, "hardfile", &ours, false)
            .into_iter()
            .filter(|line| line.starts_with("config "))
            .collect();
    if !config_diff.is_empty() {
        return Err(format!(
            "{name}: image config differs from the stock frontend's:\n{}",
            engine::render_diff(&config_diff, 40)
        )
        .into());
    }
    run_image(name, &id)?;
    if !engine::keep_images() {
        engine::remove_images(&[&tag, &stock_tag]);
    }
    Ok(())
}

/// Runs the image with no network: it must exit 0, or still be running after a few seconds.
fn run_image(name: &str, image: &str) -> Result<(), String> {
    let container = format!(
        "hardfile-e2e-{}-{}",
        name.replace('/', "-"),
        std::process::id()
    );
    let out = Command::new("docker")
        .args([
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            &container,
            image,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("docker run: {err}"))?;
    if !out.status.success() {
        return Err(format!(
            "{name}: docker run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let result = loop {
        let state = Command::new("docker")
            .args([
                "inspect",
                "--format",
                "{{.State.Status}} {{.State.ExitCode}}",
                &container,
            ])
            .output()
            .map_err(|err| format!("docker inspect: {err}"))?;
        let state = String::from_utf8_lossy(&state.stdout).trim().to_owned();
        if let Some(code) = state.strip_prefix("exited ") {
            break if code == "0" {
                Ok(())
            } else {
                let logs = Command::new("docker").args(["logs", &container]).output();
                let logs = logs
                    .map(|o| {
                        format!(
                            "{}{}",
                            String::from_utf8_lossy(&o.stdout),
                            String::from_utf8_lossy(&o.stderr)
                        )
                    })
                    .unwrap_or_default();
                Err(format!("{name}: the container exited with {code}:\n{logs}"))
            };
        }
        if Instant::now() >= deadline {
            // A long-running service: running without crashing is the check.
            break Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = Command::new("docker")
        .args(["rm", "--force", &container])
        .stdin(Stdio::null())
        .output();
    result
}

/// A Dockerfile that must fail with a snippet at `line`.
#[derive(Clone)]
struct ErrorCase {
    name: &'static str,
    dockerfile: String,
    files: Vec<(&'static str, &'static str)>,
    /// 1-based line the error points at (in the file as written here).
    line: usize,
    /// Text that must appear in the output besides the snippet.
    message: &'static str,
    /// Put hardfile in a `# syntax=` line (lines shift by one) instead of `BUILDKIT_SYNTAX`.
    syntax_line: bool,
}

fn error_cases() -> Vec<ErrorCase> {
    let b = engine::busybox_image();
    vec![
        ErrorCase {
            name: "malformed-copy",
            dockerfile: format!("FROM {b}\nRUN echo ok\nCOPY onlyone\nRUN echo after\n"),
            files: vec![],
            line: 3,
            message: "COPY requires at least two arguments",
            syntax_line: false,
        },
        ErrorCase {
            name: "unknown-flag",
            dockerfile: format!("FROM {b}\nRUN echo ok\nCOPY --frobnicate=1 a.txt /a.txt\n"),
            files: vec![("a.txt", "a\n")],
            line: 3,
            message: "unknown flag: frobnicate",
            syntax_line: false,
        },
        ErrorCase {
            name: "missing-from-stage",
            dockerfile: format!(
                "FROM {b} AS build\nRUN echo built > /x\n\nFROM {b}\nCOPY --from=localhost/hardfile/no-such-stage:latest /x /x\n"
            ),
            files: vec![],
            line: 5,
            message: "no-such-stage",
            syntax_line: false,
        },
        ErrorCase {
            name: "failing-run",
            dockerfile: format!(
                "FROM {b}\nRUN echo fine\nRUN echo failing && exit 3\nRUN echo never\n"
            ),
            files: vec![],
            line: 3,
            message: "exit code: 3",
            syntax_line: false,
        },
        ErrorCase {
            name: "failing-run-syntax-line",
            dockerfile: format!(
                "FROM {b}\nRUN echo fine\nRUN echo failing && exit 3\nRUN echo never\n"
            ),
            files: vec![],
            line: 3,
            message: "exit code: 3",
            syntax_line: true,
        },
    ]
}

/// The output must show `Dockerfile:<line>`, the snippet with `>>>` on that line's text, and
/// `message`; it must not show a panic or a crashed frontend.
fn check_error_output(case: &ErrorCase, line: usize, output: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    let header = format!("Dockerfile:{line}");
    if !output.lines().any(|l| l.trim() == header) {
        problems.push(format!("no `{header}` header"));
    }
    let text = case
        .dockerfile
        .lines()
        .nth(case.line - 1)
        .unwrap_or_default();
    let marked = format!("{line} | >>> {text}");
    if !output.lines().any(|l| l.trim_start() == marked) {
        problems.push(format!("no snippet line `{marked}`"));
    }
    if !output.contains(case.message) {
        problems.push(format!("no `{}` in the message", case.message));
    }
    for bad in [
        "panicked at",
        "RUST_BACKTRACE",
        "frontend grpc server closed unexpectedly",
    ] {
        if output.contains(bad) {
            problems.push(format!("`{bad}` in the output"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n--- build output (tail) ---\n{}",
            case.name,
            problems.join("; "),
            engine::tail(output, 40)
        ))
    }
}

fn error_case(case: &ErrorCase) -> Result<(), Failed> {
    if !engine::require_engine(case.name) {
        return Ok(());
    }
    let dir = tempfile::tempdir().map_err(|err| format!("tempdir: {err}"))?;
    std::fs::write(dir.path().join("Dockerfile"), &case.dockerfile)
        .map_err(|err| format!("write Dockerfile: {err}"))?;
    for (name, content) in &case.files {
        std::fs::write(dir.path().join(name), content)
            .map_err(|err| format!("write {name}: {err}"))?;
    }
    let tag = format!("hardfile-e2e/errors-{}", case.name);
    // The stock frontend first: it must meet the same assertions.
    let stock = engine::docker_build(&BuildSpec::new(dir.path(), &tag, FrontendChoice::Stock))?;
    if stock.image_id.is_some() {
        return Err(format!(
            "{}: the stock frontend built it; the case is wrong",
            case.name
        )
        .into());
    }
    check_error_output(case, case.line, &stock.output)
        .map_err(|err| format!("stock frontend (the reference): {err}"))?;

    let image = engine::frontend_image()?;
    let (frontend, line) = if case.syntax_line {
        (FrontendChoice::SyntaxLine(image), case.line + 1)
    } else {
        (FrontendChoice::SyntaxArg(image), case.line)
    };
    let ours = engine::docker_build(&BuildSpec::new(dir.path(), &tag, frontend.clone()))?;
    engine::check_frontend_used(&ours, &frontend)?;
    if ours.image_id.is_some() {
        return Err(format!("{}: hardfile built a Dockerfile that must fail", case.name).into());
    }
    check_error_output(case, line, &ours.output).map_err(|err| format!("hardfile: {err}"))?;
    Ok(())
}
