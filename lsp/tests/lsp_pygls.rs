//! An independently written LSP client — Python's pygls — drives `hardfile lsp` (the real
//! binary) over stdio: diagnostics, code actions, the fix-all edit, hover, shutdown.
//!
//! The client's dependencies come from `scripts/lsp-client-deps` (a venv under `target/`).
//! When they cannot be installed the test skips on a developer machine but fails in CI
//! (`CI` or `HARDFILE_REQUIRE_ENGINE` set).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

fn required() -> bool {
    ["CI", "HARDFILE_REQUIRE_ENGINE"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| !x.is_empty() && x != "0" && x != "false"))
}

/// The Python of the client's venv, or why there is none.
fn client_python() -> Result<PathBuf, String> {
    let output = Command::new(repo().join("scripts/lsp-client-deps"))
        .output()
        .map_err(|e| format!("cannot run scripts/lsp-client-deps: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "scripts/lsp-client-deps failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok(PathBuf::from(path))
}

/// The `hardfile` binary of this build (built now when missing), or `HARDFILE_BIN`.
fn hardfile_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("HARDFILE_BIN") {
        return PathBuf::from(bin);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "hardfile", "--bin", "hardfile"])
        .current_dir(repo())
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build -p hardfile failed");
    // This test runs from target/<profile>/deps/; the binary is in target/<profile>/.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    profile_dir.join(format!("hardfile{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn pygls_client_drives_hardfile_lsp_over_stdio() {
    let python = match client_python() {
        Ok(python) => python,
        Err(reason) if required() => panic!("LSP client dependencies missing in CI: {reason}"),
        Err(reason) => {
            eprintln!("skipping: {reason}");
            return;
        }
    };
    let binary = hardfile_binary();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/pygls_client.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&binary)
        .arg("lsp")
        .output()
        .expect("run the pygls client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "pygls client failed against {} lsp\nstdout: {stdout}\nstderr: {stderr}",
        binary.display()
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON summary");
    eprintln!("pygls summary: {summary}");
    assert_eq!(
        summary["exit_code"], 0,
        "server exit code after shutdown/exit"
    );
    assert_eq!(summary["fix_all_edits"], 1);
}
