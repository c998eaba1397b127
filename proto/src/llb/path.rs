//! Slash-path helpers with Go `path.Clean` semantics, as BuildKit's client applies them.

/// Lexically cleans a slash path like Go's `path.Clean`: collapses `//`, removes `.`, resolves
/// `..` against preceding elements (never above `/`), drops trailing slashes; empty → `.`.
pub fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Resolves `path` against the directory `parent` (BuildKit's `normalizePath`): absolute paths
/// are cleaned, relative ones joined under `/parent`. With `keep_slash`, a trailing `/` or `/.`
/// of the original survives cleaning, because for copy destinations it means "into this
/// directory".
pub fn normalize_path(parent: &str, path: &str, keep_slash: bool) -> String {
    let mut cleaned = clean_path(path);
    if !cleaned.starts_with('/') {
        cleaned = clean_path(&format!("/{parent}/{cleaned}"));
    }
    if keep_slash {
        if path.ends_with('/') && !cleaned.ends_with('/') {
            cleaned.push('/');
        } else if path.ends_with("/.") {
            if cleaned != "/" {
                cleaned.push('/');
            }
            cleaned.push('.');
        }
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go_path_clean() {
        for (input, expected) in [
            ("", "."),
            ("/", "/"),
            ("a/b/../c", "a/c"),
            ("/../a", "/a"),
            ("../a", "../a"),
            ("a/../..", ".."),
            ("//a//b/./", "/a/b"),
            ("./", "."),
        ] {
            assert_eq!(clean_path(input), expected, "{input:?}");
        }
    }

    #[test]
    fn normalize_joins_and_keeps_slashes() {
        assert_eq!(normalize_path("/app", "src", false), "/app/src");
        assert_eq!(normalize_path("/app", "/etc/", false), "/etc");
        assert_eq!(normalize_path("/app", "dist/", true), "/app/dist/");
        assert_eq!(normalize_path("/", ".", true), "/");
        assert_eq!(normalize_path("/app", "./", true), "/app/");
        assert_eq!(normalize_path("/app", "x/.", true), "/app/x/.");
        assert_eq!(normalize_path("/", "/.", true), "/.");
    }
}
