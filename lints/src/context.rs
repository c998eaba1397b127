//! Access to the build context (the files `COPY` and `ADD` read), when the caller has one.
//!
//! The CLI reads a directory ([`FsContext`]); the frontend implements [`BuildContext`] over
//! BuildKit's context source; the language server may pass none. Rules that need the
//! context (is this `ADD` source an archive?) treat "no context" as "unknown" and lower the
//! applicability of their fix instead of guessing.

use std::path::{Component, Path, PathBuf};

/// Read-only view of the build context. Paths are context-relative, `/`-separated; a
/// leading `/` or `./` is ignored, and `..` never leaves the context.
pub trait BuildContext: Sync {
    /// The whole content of a regular file, `None` when absent or unreadable.
    fn read(&self, path: &str) -> Option<Vec<u8>>;

    /// Whether `path` is a directory.
    fn is_dir(&self, path: &str) -> bool;

    /// Context-relative paths of the files and directories matching `pattern` (a glob
    /// with `*`, `?`, `[...]` and `**`, as COPY sources are written), sorted.
    fn list(&self, pattern: &str) -> Vec<String>;

    /// The first bytes of a file (enough to sniff archive magic numbers). The default
    /// reads the whole file; implementations may do better.
    fn read_prefix(&self, path: &str, len: usize) -> Option<Vec<u8>> {
        self.read(path).map(|mut bytes| {
            bytes.truncate(len);
            bytes
        })
    }
}

/// Compression or archive formats `ADD` unpacks (by content, as BuildKit decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    /// Uncompressed tar (`ustar` magic at byte 257).
    Tar,
    /// gzip.
    Gzip,
    /// bzip2.
    Bzip2,
    /// xz.
    Xz,
    /// zstd.
    Zstd,
}

/// How many leading bytes [`archive_kind`] needs.
pub const ARCHIVE_SNIFF_LEN: usize = 265;

/// Detects an archive by its magic bytes (compressed data counts: BuildKit tries to unpack it).
pub fn archive_kind(bytes: &[u8]) -> Option<ArchiveKind> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(ArchiveKind::Gzip)
    } else if bytes.starts_with(b"BZh") {
        Some(ArchiveKind::Bzip2)
    } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Some(ArchiveKind::Xz)
    } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(ArchiveKind::Zstd)
    } else if bytes.get(257..262) == Some(b"ustar") {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

/// Whether a file name looks like an archive (used only when the content is unavailable).
pub fn looks_like_archive_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
        ".tzst", ".gz", ".bz2", ".xz", ".zst",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// A build context on the local filesystem, rooted at a directory.
#[derive(Clone, Debug)]
pub struct FsContext {
    root: PathBuf,
}

impl FsContext {
    /// A context rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn resolve(&self, path: &str) -> PathBuf {
        let mut out = self.root.clone();
        for component in Path::new(&normalize(path)).components() {
            if let Component::Normal(part) = component {
                out.push(part);
            }
        }
        out
    }

    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>, depth: usize) {
        // Deep trees (node_modules) are not worth walking for a lint.
        if depth > 16 || out.len() > 10_000 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            out.push(rel.clone());
            if is_dir {
                Self::walk(&entry.path(), &rel, out, depth + 1);
            }
        }
    }
}

impl BuildContext for FsContext {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let full = self.resolve(path);
        if !full.is_file() {
            return None;
        }
        std::fs::read(full).ok()
    }

    fn is_dir(&self, path: &str) -> bool {
        self.resolve(path).is_dir()
    }

    fn list(&self, pattern: &str) -> Vec<String> {
        let pattern = normalize(pattern);
        if !has_glob_meta(&pattern) {
            let full = self.resolve(&pattern);
            return if full.exists() {
                vec![pattern]
            } else {
                Vec::new()
            };
        }
        let mut all = Vec::new();
        Self::walk(&self.root, "", &mut all, 0);
        all.retain(|path| glob_match(&pattern, path));
        all
    }

    fn read_prefix(&self, path: &str, len: usize) -> Option<Vec<u8>> {
        use std::io::Read;
        let full = self.resolve(path);
        if !full.is_file() {
            return None;
        }
        let file = std::fs::File::open(full).ok()?;
        let mut bytes = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }
}

/// Context-relative form of a path: no leading `/` or `./`, no empty or `.` segments,
/// `..` resolved without leaving the root.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Whether a path contains glob metacharacters.
pub fn has_glob_meta(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Matches a `/`-separated path against a glob: `*` and `?` do not cross `/`, `**` does,
/// `[abc]`/`[a-z]`/`[!a]` are classes, `\` escapes.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let path: Vec<char> = path.chars().collect();
    glob_at(&pattern, &path)
}

fn glob_at(pattern: &[char], path: &[char]) -> bool {
    let Some((&first, rest)) = pattern.split_first() else {
        return path.is_empty();
    };
    match first {
        '*' if rest.first() == Some(&'*') => {
            let rest = &rest[1..];
            let rest = rest.strip_prefix(&['/']).unwrap_or(rest);
            if rest.is_empty() {
                return true;
            }
            (0..=path.len()).any(|i| (i == 0 || path[i - 1] == '/') && glob_at(rest, &path[i..]))
        }
        '*' => {
            for i in 0..=path.len() {
                if glob_at(rest, &path[i..]) {
                    return true;
                }
                if path.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        '?' => path.first().is_some_and(|&c| c != '/') && glob_at(rest, &path[1..]),
        '[' => {
            let Some((&c, path_rest)) = path.split_first() else {
                return false;
            };
            match class_match(rest, c) {
                Some((matched, consumed)) => matched && glob_at(&rest[consumed..], path_rest),
                None => c == '[' && glob_at(rest, path_rest),
            }
        }
        '\\' if !rest.is_empty() => {
            path.first() == Some(&rest[0]) && glob_at(&rest[1..], &path[1..])
        }
        literal => path.first() == Some(&literal) && glob_at(rest, &path[1..]),
    }
}

/// Matches `c` against the class starting after `[`; returns (matched, chars consumed
/// including `]`), or `None` when the class is unterminated.
fn class_match(class: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(class.first(), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < class.len() {
        let lo = class[i];
        if lo == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if class.get(i + 1) == Some(&'-') && class.get(i + 2).is_some_and(|&hi| hi != ']') {
            let hi = class[i + 2];
            matched |= lo <= c && c <= hi;
            i += 3;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.txt", "a.txt"));
        assert!(!glob_match("*.txt", "d/a.txt"));
        assert!(glob_match("**/*.txt", "d/e/a.txt"));
        assert!(glob_match("**/*.txt", "a.txt"));
        assert!(glob_match("a?[0-9]", "ab7"));
        assert!(!glob_match("a[!b]", "ab"));
    }

    #[test]
    fn magic_bytes() {
        assert_eq!(archive_kind(&[0x1f, 0x8b, 8]), Some(ArchiveKind::Gzip));
        assert_eq!(archive_kind(b"#!/bin/sh\n"), None);
        let mut tar = vec![0u8; 300];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(archive_kind(&tar), Some(ArchiveKind::Tar));
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("./a//b/../c"), "a/c");
        assert_eq!(normalize("/../../etc"), "etc");
    }
}
