//! The VS Code extension under `editors/vscode` installs from its lock file and packages
//! into a `.vsix` with `@vscode/vsce`, in a copy under `target/` (the source folder gets no
//! `node_modules`). Skips on a developer machine without npm; fails in CI (`CI` or
//! `HARDFILE_REQUIRE_ENGINE` set).

use std::path::{Path, PathBuf};
use std::process::Command;

fn required() -> bool {
    ["CI", "HARDFILE_REQUIRE_ENGINE"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| !x.is_empty() && x != "0" && x != "false"))
}

fn copy_sources(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "node_modules" || name.ends_with(".vsix") {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_sources(&entry.path(), &to.join(&*name))?;
        } else {
            std::fs::copy(entry.path(), to.join(&*name))?;
        }
    }
    Ok(())
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        Ok(text)
    } else {
        Err(format!("{program} {} failed:\n{text}", args.join(" ")))
    }
}

#[test]
fn vscode_extension_packages_into_a_vsix() {
    if let Err(reason) = run(Path::new("."), "npm", &["--version"]) {
        assert!(!required(), "npm is needed in CI: {reason}");
        eprintln!("skipping: {reason}");
        return;
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/vscode");
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vscode-extension");
    let _ = std::fs::remove_dir_all(&work);
    copy_sources(&source, &work).expect("copy the extension");

    run(&work, "node", &["--check", "extension.js"]).expect("extension.js parses");
    run(&work, "npm", &["ci", "--no-audit", "--no-fund"]).expect("npm ci");
    let log = run(&work, "npm", &["run", "package"]).expect("vsce package");
    let vsix = work.join("hardfile.vsix");
    let bytes = std::fs::read(&vsix).unwrap_or_else(|e| panic!("no .vsix ({e}):\n{log}"));
    assert!(bytes.starts_with(b"PK"), "a .vsix is a zip archive");
    let listing = String::from_utf8_lossy(&bytes);
    for member in [
        "extension/package.json",
        "extension/extension.js",
        "extension/node_modules/vscode-languageclient/",
        "extension.vsixmanifest",
    ] {
        assert!(listing.contains(member), "{member} missing from the .vsix");
    }
}
