//! Small judgements several rules share.

use crate::config::Knowledge;
use crate::model::{Base, ImageRef, Stage};
use crate::rules::{Context, InstructionRef};
use crate::syntax::{Instruction, Keyword, Span};

/// Whether a `USER` value names root: `root`, `0`, with any group.
pub fn is_root_user(spec: &str) -> bool {
    let user = spec.split(':').next().unwrap_or("").trim();
    user == "root" || (!user.is_empty() && user.bytes().all(|b| b == b'0'))
}

/// The image a stage ultimately starts from, following `FROM <stage>` chains.
pub fn root_base<'m>(cx: &Context<'m>, stage: &'m Stage) -> &'m Base {
    let mut current = stage;
    let mut hops = 0;
    while let Base::Stage(parent) = current.base {
        match cx.model.stages().get(parent) {
            Some(p) if hops < 64 => {
                current = p;
                hops += 1;
            }
            _ => break,
        }
    }
    &current.base
}

/// Whether a base image is a Windows one (`mcr.microsoft.com/windows/servercore`,
/// `…/windows/nanoserver`, `windowsservercore`).
pub fn is_windows_base(base: &Base) -> bool {
    match base {
        Base::Image(image) => {
            let name = image.original.to_ascii_lowercase();
            ["windows/", "nanoserver", "servercore", "windowsservercore"]
                .iter()
                .any(|w| name.contains(w))
        }
        _ => false,
    }
}

/// Whether a stage builds a Windows image: its chain starts from a Windows base image, or
/// the file uses the Windows convention `` # escape=` `` (backslash is the path separator).
/// Windows containers have no numeric UIDs: `USER` takes an account name
/// (`ContainerUser`, `ContainerAdministrator`).
pub fn on_windows(cx: &Context<'_>, stage: &Stage) -> bool {
    cx.file.escape == '`' || is_windows_base(root_base(cx, stage))
}

/// What is known about the user an image runs as when the Dockerfile sets none.
pub fn base_user(cx: &Context<'_>, stage: &Stage) -> Knowledge {
    match root_base(cx, stage) {
        // `FROM scratch` has no user database: the runtime starts processes as uid 0.
        Base::Scratch => Knowledge::Root,
        Base::Image(image) if image_is_nonroot_variant(image) => Knowledge::NonRoot,
        _ => cx.config.base_user,
    }
}

/// Images published as non-root variants (`distroless/…:nonroot`, `…:latest-nonroot`).
pub fn image_is_nonroot_variant(image: &ImageRef) -> bool {
    image
        .tag
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("nonroot"))
}

/// The instructions of a stage, with their indices.
pub fn stage_instructions<'a>(
    cx: &Context<'a>,
    stage: &Stage,
) -> impl Iterator<Item = (usize, &'a Instruction)> + 'a {
    let end = stage.end.min(cx.file.instructions.len());
    let start = stage.from.min(end);
    cx.file.instructions[start..end]
        .iter()
        .enumerate()
        .map(move |(i, inst)| (start + i, inst))
}

/// The stages whose instructions end up in the exported image's config: the target and the
/// stages it is built `FROM`, nearest first.
pub fn target_chain<'a>(cx: &Context<'a>) -> Vec<&'a Stage> {
    cx.target()
        .map_or_else(Vec::new, |target| stage_chain(cx, target))
}

/// A stage and the stages it is built `FROM`, nearest first.
pub fn stage_chain<'a>(cx: &Context<'a>, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut chain = Vec::new();
    let mut current = Some(stage);
    while let Some(stage) = current {
        if chain.len() > 64 || chain.iter().any(|s: &&Stage| s.index == stage.index) {
            break;
        }
        chain.push(stage);
        current = match stage.base {
            Base::Stage(parent) => cx.model.stages().get(parent),
            _ => None,
        };
    }
    chain
}

/// Whether the image of `stage` only carries files: its chain starts `FROM scratch` and no
/// stage of it sets `CMD` or `ENTRYPOINT`, so nothing runs in it unless a command is named
/// (`--output` artifact stages, helper images used through `COPY --from`).
pub fn carries_files_only(cx: &Context<'_>, stage: &Stage) -> bool {
    matches!(root_base(cx, stage), Base::Scratch)
        && !stage_chain(cx, stage).iter().any(|s| {
            stage_instructions(cx, s)
                .any(|(_, i)| matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint))
        })
}

/// The span of the `FROM` instruction's keyword of a stage (where image-level findings go).
pub fn stage_anchor(cx: &Context<'_>, stage: &Stage) -> Span {
    cx.file
        .instructions
        .get(stage.from)
        .map_or(Span::empty(0), |i| i.keyword_span)
}

/// Paths that should never be a VOLUME or WORKDIR.
pub const SYSTEM_PATHS: [&str; 14] = [
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/etc",
    "/initrd",
    "/lost+found",
    "/bin",
    "/sbin",
    "/lib",
    "/usr",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/lib/docker",
];

/// Whether `path` (absolute, expanded) is or lies under a system path.
pub fn is_system_path(path: &str) -> Option<&'static str> {
    let trimmed = path.trim_end_matches('/');
    SYSTEM_PATHS.iter().copied().find(|sys| {
        trimmed == *sys
            || (trimmed.starts_with(sys)
                && trimmed.as_bytes().get(sys.len()) == Some(&b'/')
                && matches!(*sys, "/proc" | "/sys" | "/dev" | "/boot"))
    })
}

/// Whether a COPY/ADD source is a remote URL (`http://`, `https://`).
pub fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Whether a COPY/ADD source is a Git repository, as BuildKit recognises one: `git@…`,
/// `git://…`, `ssh://…`, or an http(s) URL whose path ends in `.git`, before a `#ref:dir`
/// fragment or a `?ref=…&keep-git-dir=1` query (BuildKit v0.24 / Dockerfile 1.18).
#[allow(clippy::case_sensitive_file_extension_comparisons)] // compared lower-cased
pub fn is_git_source(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    if lower.starts_with("git@") || lower.starts_with("git://") || lower.starts_with("ssh://") {
        return true;
    }
    if !is_url(&lower) {
        return false;
    }
    let path = lower.split(['#', '?']).next().unwrap_or("");
    path.ends_with(".git") || path.contains(".git/")
}

/// A COPY/ADD source word after BuildKit's word processing (quotes removed, ARG and ENV
/// expanded at the instruction); `None` for ONBUILD bodies (expanded where they are
/// triggered) and on expansion errors.
pub fn expanded_source(
    cx: &Context<'_>,
    at: &InstructionRef<'_>,
    word: &crate::syntax::Word,
) -> Option<String> {
    if at.onbuild {
        return None;
    }
    cx.expand(at.index, &word.value)
}

/// A COPY/ADD source as BuildKit reads it, to classify (URL, Git, local): expanded when
/// possible (see [`expanded_source`]), otherwise with its quote characters removed.
pub fn source_value(
    cx: &Context<'_>,
    at: &InstructionRef<'_>,
    word: &crate::syntax::Word,
) -> String {
    expanded_source(cx, at, word).unwrap_or_else(|| strip_quotes(&word.value))
}

/// `value` without its quote characters (a word that could not be expanded).
pub fn strip_quotes(value: &str) -> String {
    value.replace(['"', '\''], "")
}

/// The source and destination words of COPY/ADD (flags and heredoc markers excluded):
/// `(sources, destination)`.
pub fn copy_operands(
    instruction: &Instruction,
) -> Option<(Vec<&crate::syntax::Word>, &crate::syntax::Word)> {
    if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add) {
        return None;
    }
    let words: Vec<&crate::syntax::Word> = match &instruction.args {
        crate::syntax::Args::Words(words) | crate::syntax::Args::Exec { items: words, .. } => {
            words.iter().filter(|w| !w.value.is_empty()).collect()
        }
        _ => return None,
    };
    let (dest, sources) = words.split_last()?;
    Some((sources.to_vec(), dest))
}

/// Whether a word is a heredoc marker (`<<EOF`, `<<-"EOF"`).
pub fn is_heredoc_marker(word: &str) -> bool {
    word.starts_with("<<") && word.len() > 2
}

/// The edit range removing a flag and the blanks after it.
pub fn flag_removal_span(cx: &Context<'_>, span: Span) -> Span {
    let source = cx.source();
    let rest = &source[span.end.min(source.len())..];
    let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Span::new(span.start, span.end + blanks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        for root in ["root", "0", "0:0", "root:staff", "00"] {
            assert!(is_root_user(root), "{root}");
        }
        for other in ["app", "1000", "65532:65532", "", "rootless"] {
            assert!(!is_root_user(other), "{other}");
        }
    }

    #[test]
    fn system_paths() {
        assert_eq!(is_system_path("/proc/"), Some("/proc"));
        assert_eq!(is_system_path("/dev/shm"), Some("/dev"));
        assert_eq!(is_system_path("/etc/app"), None);
        assert_eq!(is_system_path("/app"), None);
    }

    #[test]
    fn sources() {
        assert!(is_git_source(
            "https://github.com/moby/buildkit.git#v0.10.1"
        ));
        assert!(is_git_source("git@github.com:moby/buildkit.git"));
        assert!(!is_git_source("https://example.com/a.tar.gz"));
        assert!(is_git_source(
            "https://github.com/go-delve/delve.git?ref=v1.23.0&keep-git-dir=1"
        ));
        assert!(is_git_source("ssh://git@example.com/a/b.git"));
        assert!(!is_git_source("https://example.com/a.tar.gz?x=.git"));
        assert!(!is_git_source("https://example.com/dl#x.git"));
        assert!(is_url("HTTPS://x"));
    }
}
