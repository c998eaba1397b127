//! `hardfile fix`: atomic in-place writes, permissions, `--diff`, `--check`, idempotence.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{ROOT_DOCKERFILE, project, run, run_stdin};

const ADD_FILE: &str = "FROM alpine:3.20\nADD app.txt /app/\nUSER 65532:65532\n";

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(dir.path().join(path)).expect("read")
}

#[test]
fn safe_fix_writes_in_place_and_keeps_permissions() {
    let dir = project(&[("Dockerfile", ADD_FILE), ("app.txt", "hello\n")]);
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = run(dir.path(), &["fix", "Dockerfile"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        read(&dir, "Dockerfile"),
        ADD_FILE.replace("ADD app.txt", "COPY app.txt")
    );
    assert!(
        out.stderr.contains("Dockerfile: applied HF501"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

#[test]
fn archives_are_not_rewritten_by_safe_fixes() {
    let mut gzip = vec![0x1f, 0x8b, 8, 0];
    gzip.extend([0; 16]);
    let dir = project(&[(
        "Dockerfile",
        "FROM alpine:3.20\nADD app.tar.gz /app/\nUSER 1000\n",
    )]);
    std::fs::write(dir.path().join("app.tar.gz"), gzip).expect("write");
    let out = run(dir.path(), &["fix", "Dockerfile"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(read(&dir, "Dockerfile").contains("ADD app.tar.gz"));
}

#[test]
fn unsafe_fixes_only_when_asked() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    run(dir.path(), &["fix", "Dockerfile"]);
    assert!(read(&dir, "Dockerfile").contains("USER root\n"));
    let out = run(dir.path(), &["fix", "--unsafe-fixes", "Dockerfile"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let fixed = read(&dir, "Dockerfile");
    assert!(fixed.trim_end().ends_with("USER 65532:65532"), "{fixed}");
    let lint = run(dir.path(), &["lint", "--select", "HF101"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
}

#[test]
fn diff_prints_and_writes_nothing() {
    let dir = project(&[("Dockerfile", ADD_FILE), ("app.txt", "hello\n")]);
    let out = run(dir.path(), &["fix", "--diff", "Dockerfile"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(&dir, "Dockerfile"), ADD_FILE, "--diff writes nothing");
    assert!(
        out.stdout.contains("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\n-ADD app.txt /app/\n+COPY app.txt /app/\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn check_exits_one_when_something_would_change() {
    let dir = project(&[("Dockerfile", ADD_FILE), ("app.txt", "hello\n")]);
    let out = run(dir.path(), &["fix", "--check", "Dockerfile"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(read(&dir, "Dockerfile"), ADD_FILE, "--check writes nothing");
    assert!(out.stderr.contains("would apply HF501"), "{}", out.stderr);
    assert_eq!(run(dir.path(), &["fix", "Dockerfile"]).code, 0);
    assert_eq!(run(dir.path(), &["fix", "--check", "Dockerfile"]).code, 0);
    assert_eq!(
        run(dir.path(), &["fix", "--diff", "--check", "Dockerfile"]).code,
        2
    );
}

#[test]
fn fixing_is_idempotent_on_the_examples() {
    let examples = common::repo().join("examples");
    for example in ["webapp", "hardened"] {
        let source = examples.join(example);
        let dir = tempfile::tempdir().expect("tempdir");
        copy_tree(&source, dir.path());
        for flags in [&["fix"][..], &["fix", "--unsafe-fixes"][..]] {
            let first = run(dir.path(), flags);
            assert_eq!(first.code, 0, "{example} {flags:?}: {}", first.stderr);
            let once = read(&dir, "Dockerfile");
            let again = run(dir.path(), flags);
            assert_eq!(again.code, 0, "{example}: {}", again.stderr);
            assert_eq!(
                read(&dir, "Dockerfile"),
                once,
                "{example} {flags:?}: fix(fix(x)) != fix(x)"
            );
            let check = run(dir.path(), &[flags, &["--check"][..]].concat());
            assert_eq!(
                check.code, 0,
                "{example}: nothing left to fix: {}",
                check.stderr
            );
        }
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("ls") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn stdin_prints_the_fixed_text() {
    let dir = project(&[]);
    let out = run_stdin(dir.path(), &["fix", "--unsafe-fixes", "-"], ROOT_DOCKERFILE);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.trim_end().ends_with("USER 65532:65532"),
        "{}",
        out.stdout
    );
}

#[test]
fn read_only_directory_leaves_the_original() {
    // Root ignores directory permissions, so only meaningful for other users.
    let dir = project(&[("ro/Dockerfile", ADD_FILE), ("ro/app.txt", "x")]);
    let ro = dir.path().join("ro");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let probe = ro.join(".probe");
    let writable = std::fs::write(&probe, "").is_ok();
    let _ = std::fs::remove_file(&probe);
    if !writable {
        let out = run(dir.path(), &["fix", "ro/Dockerfile"]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert_eq!(read(&dir, "ro/Dockerfile"), ADD_FILE);
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn context_flag_points_at_the_build_context() {
    let dir = project(&[("docker/Dockerfile", ADD_FILE), ("app.txt", "hello\n")]);
    // Without the context, the source is unknown: the safe fix is not applied.
    run(dir.path(), &["fix", "docker/Dockerfile"]);
    assert_eq!(read(&dir, "docker/Dockerfile"), ADD_FILE);
    let out = run(dir.path(), &["fix", "--context", ".", "docker/Dockerfile"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(read(&dir, "docker/Dockerfile").contains("COPY app.txt"));
}
