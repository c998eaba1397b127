//! Where the shared corpora live, read in place (never copied into the repository).

use std::path::{Path, PathBuf};

/// The `shared/` directory beside the repository (or `$HARDFILE_SHARED`).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("HARDFILE_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    )
}

/// Every Dockerfile in `shared/corpus/public/` (dot files included), sorted.
pub fn public_dockerfiles() -> Vec<PathBuf> {
    let root = shared_dir().join("corpus/public");
    let mut out = Vec::new();
    walk(&root, &mut out);
    out.retain(|p| p.file_name().is_some_and(|n| n != "SOURCES.tsv"));
    out.sort();
    out
}

/// BuildKit's parser conformance cases: `(name, case directory)`; negative cases are named
/// `_negative/<case>`.
pub fn buildkit_parser_cases() -> Vec<(String, PathBuf)> {
    let root = shared_dir().join("corpus/buildkit-parser");
    let mut out = Vec::new();
    for (prefix, dir) in [("", root.clone()), ("_negative/", root.join("_negative"))] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.join("Dockerfile").is_file() {
                let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
                out.push((name, path));
            }
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Path relative to the public corpus, for test names and messages.
pub fn corpus_name(path: &Path) -> String {
    let root = shared_dir().join("corpus/public");
    path.strip_prefix(&root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}
