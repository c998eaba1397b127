//! Image references (`registry/repo:tag@digest`) as Docker normalises them.

use serde::Serialize;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The reference after ARG expansion, as written otherwise.
    pub original: String,
    /// Registry host, when the first path component names one (`ghcr.io`, `localhost:5000`).
    pub registry: Option<String>,
    /// Repository path without registry (`library/` is not added).
    pub repository: String,
    /// Tag, if any.
    pub tag: Option<String>,
    /// Digest (`sha256:…`), if any.
    pub digest: Option<String>,
    /// The reference still contains `$` after expansion (an ARG without value).
    pub unresolved: bool,
}

impl ImageRef {
    /// Parses a reference; never fails (odd input lands in `repository`).
    pub fn parse(text: &str) -> ImageRef {
        let unresolved = text.contains('$');
        let (name_tag, digest) = match text.split_once('@') {
            Some((left, right)) => (left, Some(right.to_string())),
            None => (text, None),
        };
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(colon) => (
                &name_tag[..last_slash + colon],
                Some(name_tag[last_slash + colon + 1..].to_string()),
            ),
            None => (name_tag, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest.to_string())
            }
            _ => (None, name.to_string()),
        };
        ImageRef {
            original: text.to_string(),
            registry,
            repository,
            tag,
            digest,
            unresolved,
        }
    }

    /// The registry Docker would pull from (`docker.io` when none is named).
    pub fn registry_or_default(&self) -> &str {
        self.registry.as_deref().unwrap_or("docker.io")
    }

    /// Whether the reference is `scratch`.
    pub fn is_scratch(&self) -> bool {
        self.original.eq_ignore_ascii_case("scratch")
    }

    /// The fully qualified name Docker normalises to (`docker.io/library/alpine:latest`).
    pub fn normalized(&self) -> String {
        let registry = self.registry_or_default();
        let repository = if self.registry.is_none() && !self.repository.contains('/') {
            format!("library/{}", self.repository)
        } else {
            self.repository.clone()
        };
        let mut out = format!("{registry}/{repository}");
        match (&self.tag, &self.digest) {
            (Some(tag), _) => {
                out.push(':');
                out.push_str(tag);
            }
            (None, None) => out.push_str(":latest"),
            (None, Some(_)) => {}
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = ImageRef::parse("alpine");
        assert_eq!(
            (
                r.registry.as_deref(),
                r.repository.as_str(),
                r.tag.as_deref()
            ),
            (None, "alpine", None)
        );
        assert_eq!(r.normalized(), "docker.io/library/alpine:latest");
        let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("ghcr.io/o/r");
        assert_eq!(r.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(r.tag, None);
        assert!(ImageRef::parse("${BASE}").unresolved);
        assert_eq!(
            ImageRef::parse("user/app:v1").normalized(),
            "docker.io/user/app:v1"
        );
    }
}
