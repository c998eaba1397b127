//! Which files a command reads: explicit paths, Dockerfiles found under directories, or
//! standard input.

use std::path::{Path, PathBuf};

use anyhow::bail;

/// Directories never searched.
const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// One Dockerfile to check.
#[derive(Clone, Debug)]
pub struct Input {
    /// Where to read it; `None` for standard input.
    pub path: Option<PathBuf>,
    /// How to name it in output (a path as the user would type it, `-` or the
    /// `--stdin-filename`).
    pub display: String,
    /// Where to look for `.hardfile.toml` (the file's own path, or a stand-in for stdin).
    pub config_anchor: PathBuf,
    /// The build context directory, when known.
    pub context: Option<PathBuf>,
}

impl Input {
    /// Reads the file's text (UTF-8; a BOM is kept, the parser handles it).
    pub fn read(&self) -> anyhow::Result<String> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from("-"));
        crate::parse_cmd::read_source(&path)
    }
}

/// Whether a file name is one of the Dockerfile names searched for in directories.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
    }) || lower
        .strip_suffix(".dockerfile")
        .is_some_and(|stem| !stem.is_empty())
        || lower
            .strip_suffix(".containerfile")
            .is_some_and(|stem| !stem.is_empty())
}

/// Expands the command-line paths (none: the current directory) into inputs.
/// `context` overrides every file's build context; `stdin_filename` names `-`.
pub fn collect(
    paths: &[PathBuf],
    context: Option<&Path>,
    stdin_filename: Option<&Path>,
) -> anyhow::Result<Vec<Input>> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let anchor =
                stdin_filename.map_or_else(|| PathBuf::from("Dockerfile"), Path::to_path_buf);
            out.push(Input {
                path: None,
                display: stdin_filename
                    .map_or_else(|| "-".to_string(), |p| p.display().to_string()),
                context: context
                    .map(Path::to_path_buf)
                    .or_else(|| stdin_filename.map(parent_dir)),
                config_anchor: anchor,
            });
        } else if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found);
            found.sort();
            if found.is_empty() {
                eprintln!("hardfile: no Dockerfile found under {}", path.display());
            }
            out.extend(found.into_iter().map(|file| file_input(file, context)));
        } else if path.exists() {
            out.push(file_input(path.clone(), context));
        } else {
            bail!("cannot read {}: no such file or directory", path.display());
        }
    }
    Ok(out)
}

fn file_input(path: PathBuf, context: Option<&Path>) -> Input {
    let display = display_path(&path);
    Input {
        context: Some(context.map_or_else(|| parent_dir(&path), Path::to_path_buf)),
        config_anchor: path.clone(),
        display,
        path: Some(path),
    }
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A path as shown to users: without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.display().to_string();
    match text.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => text,
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("hardfile: cannot read directory {}", dir.display());
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !SKIPPED_DIRS.contains(&name) {
                walk(&entry.path(), out);
            }
        } else if is_dockerfile_name(name) {
            out.push(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "api.dockerfile",
            "Dockerfile.prod",
            "Containerfile.ci",
            "dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.",
            ".dockerfile",
            "README.md",
            "Dockerfiles",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn walks_and_skips() {
        let dir = tempfile::tempdir().expect("tempdir");
        for path in [
            "Dockerfile",
            "svc/app.Dockerfile",
            "node_modules/x/Dockerfile",
            ".git/Dockerfile",
            "docs/readme",
        ] {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, "FROM scratch\n").expect("write");
        }
        let inputs = collect(&[dir.path().to_path_buf()], None, None).expect("collects");
        let names: Vec<_> = inputs
            .iter()
            .map(|i| {
                i.path
                    .as_ref()
                    .expect("path")
                    .strip_prefix(dir.path())
                    .expect("under")
                    .to_path_buf()
            })
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("Dockerfile"),
                PathBuf::from("svc/app.Dockerfile")
            ]
        );
        assert_eq!(
            inputs[1].context.as_deref(),
            Some(dir.path().join("svc").as_path())
        );
    }
}
