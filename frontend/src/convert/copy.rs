//! `COPY`, `ADD` and `WORKDIR` → file ops (`dispatchCopy`, `dispatchWorkdir`): context and
//! stage sources, wildcards, destination rules, `--chown`, `--chmod`, `--link`, `--exclude`,
//! `--parents`, ADD archives, URLs with `--checksum`, git repositories and heredoc sources.

use hardfile_proto::llb::{
    self, Chown, CopyAction, FileOp, Git, Http, Mkdir, Mkfile, OpBuilder, UserRef,
};
use std::fmt::Write as _;

use super::run::{chomp, parse_heredoc_word};
use super::{Cmd, ConvertError, Converter, StageState};
use crate::caps;

/// Go's `path.Join` of two slash paths (cleaned; empty parts ignored).
pub(crate) fn join_dir(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_owned();
    }
    llb::clean_path(&format!("{dir}/{path}"))
}

/// BuildKit's `system.NormalizePath` (linux): relative paths are joined to `parent` and
/// cleaned, absolute ones are kept as written; `keep_slash` keeps a trailing `/` or `/.`.
pub(crate) fn normalize_path(parent: &str, new_path: &str, keep_slash: bool) -> String {
    let parent = if parent.is_empty() { "/" } else { parent };
    let parent = if parent.starts_with('/') {
        parent.to_owned()
    } else {
        llb::clean_path(&format!("/{parent}"))
    };
    let orig = new_path;
    let mut path = if new_path.is_empty() {
        parent.clone()
    } else {
        new_path.to_owned()
    };
    if !path.starts_with('/') {
        path = llb::clean_path(&format!("{parent}/{path}"));
    }
    if keep_slash {
        if orig.ends_with('/') && !path.ends_with('/') {
            path.push('/');
        } else if orig.ends_with("/.") {
            if path != "/" {
                path.push('/');
            }
            path.push('.');
        }
    }
    path
}

/// `llb.WithUser`: `user[:group]`, numbers (and `root`) by id, names looked up in the target.
pub(crate) fn chown_of(spec: &str) -> Chown {
    let part = |text: &str| {
        if text == "root" {
            return UserRef::Id(0);
        }
        match text.parse::<u32>() {
            Ok(id) => UserRef::Id(id),
            Err(_) => UserRef::Name(text.to_owned()),
        }
    };
    let mut parts = spec.splitn(2, ':');
    Chown {
        user: parts.next().map(part),
        group: parts.next().map(part),
    }
}

/// Whether a bool flag (`--link`, `--link=true`) is on.
fn bool_flag(cmd: &Cmd<'_>, name: &str) -> Result<bool, ConvertError> {
    match cmd.instruction.flag(name) {
        None => Ok(false),
        Some(flag) => match flag.value.as_deref() {
            None => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ConvertError::new(format!(
                "expecting boolean value for flag {name}, not: {v}"
            ))),
        },
    }
}

fn string_flag(cmd: &Cmd<'_>, name: &str) -> String {
    cmd.instruction
        .flag(name)
        .and_then(|f| f.value.clone())
        .unwrap_or_default()
}

fn is_http(src: &str) -> bool {
    src.starts_with("http://") || src.starts_with("https://")
}

/// `gitutil.ParseGitRef` for ADD: the remote and `ref[:subdir]` when `src` names a git
/// repository (and is not indistinguishable from a local path).
#[allow(clippy::case_sensitive_file_extension_comparisons)] // BuildKit compares `.git` exactly
fn git_ref(src: &str) -> Option<(String, Option<String>)> {
    let (remote, fragment) = match src.split_once('#') {
        Some((r, f)) => (r, Some(f.to_owned())),
        None => (src, None),
    };
    let scp_like = remote.split_once(':').is_some_and(|(user_host, path)| {
        user_host.contains('@') && !user_host.contains('/') && !path.starts_with("//")
    });
    let is_git = remote.starts_with("git://")
        || remote.starts_with("ssh://")
        || scp_like
        || ((remote.starts_with("https://") || remote.starts_with("http://"))
            && (remote.ends_with(".git") || remote.ends_with(".git/")));
    is_git.then(|| (remote.to_owned(), fragment))
}

/// `url.Parse` + `path.Base` of an ADD URL: the downloaded file's name.
fn url_filename(src: &str) -> String {
    let after_scheme = src.split_once("://").map_or(src, |(_, rest)| rest);
    let path = after_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split_once('/')
        .map_or("", |(_, path)| path);
    let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if base.is_empty() || base == "." {
        "__unnamed__".to_owned()
    } else {
        base.to_owned()
    }
}

/// Validates an OCI digest (`sha256:` + 64 hex, …).
fn valid_digest(text: &str) -> Result<(), ConvertError> {
    let Some((algorithm, hex)) = text.split_once(':') else {
        return Err(ConvertError::new("invalid checksum digest format"));
    };
    let expected = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(ConvertError::new("unsupported digest algorithm")),
    };
    if hex.len() != expected
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(ConvertError::new("invalid checksum digest length"));
    }
    Ok(())
}

impl Converter<'_> {
    pub(crate) fn dispatch_workdir(
        &mut self,
        stage: usize,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = super::arg_words(cmd.instruction);
        if words.len() != 1 {
            return Err(ConvertError::new("WORKDIR requires exactly one argument"));
        }
        let path = self.expand(state, &words[0])?;
        if path.is_empty() {
            return Err(ConvertError::new(
                "normalizing workdir: cannot normalize nothing",
            ));
        }
        let wd = normalize_path(&state.image.config.working_dir, &path, false);
        state.image.config.working_dir.clone_from(&wd);
        state.dir = join_dir(&state.dir, &wd);
        let with_layer = wd != "/";
        if with_layer {
            let mut mkdir = Mkdir::new(llb::clean_path(&wd), 0o755);
            mkdir.make_parents = true;
            if !state.image.config.user.is_empty() {
                mkdir.owner = Some(chown_of(&state.image.config.user));
            }
            let shown = self.display_text(state, cmd, false);
            let name = self.progress_name(stage, state, &shown);
            let op = FileOp::new(state.output.clone())
                .then(mkdir)
                .custom_name(name)
                .location(self.location(cmd))
                .platform(state.platform.clone())
                .build();
            state.output = Some(op);
        }
        let epoch = self.epoch().map(str::to_owned);
        state
            .image
            .commit(format!("WORKDIR {wd}"), with_layer, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_copy(
        &mut self,
        stage: usize,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let instruction = cmd.instruction;
        let is_add = instruction.keyword == hardfile_lints::syntax::Keyword::Add;
        let command = if is_add { "ADD" } else { "COPY" };
        let words = super::arg_words(instruction);
        if words.len() < 2 {
            return Err(ConvertError::new(format!(
                "{command} requires at least two arguments, but only one was provided. Destination could not be determined"
            )));
        }
        let (raw_sources, raw_dest) = words.split_at(words.len() - 1);
        let raw_dest = &raw_dest[0];
        if parse_heredoc_word(raw_dest).is_some() {
            return Err(ConvertError::new(format!(
                "{command} cannot accept a heredoc as a destination"
            )));
        }
        // Sources: paths, or heredoc bodies.
        let mut source_paths = Vec::new();
        let mut source_contents: Vec<(String, String, bool)> = Vec::new();
        for src in raw_sources {
            if let Some((name, chomped, expand)) = parse_heredoc_word(src) {
                let content = instruction
                    .heredocs
                    .iter()
                    .find(|h| h.name == name)
                    .map(|h| h.content.clone())
                    .unwrap_or_default();
                let content = if chomped { chomp(&content) } else { content };
                source_contents.push((name, content, expand));
            } else {
                source_paths.push(src.clone());
            }
        }

        // The instruction's `Expand`: chown, checksum, sources, destination; heredoc bodies raw.
        let chown = self.expand(state, &string_flag(cmd, "chown"))?;
        let chmod = string_flag(cmd, "chmod");
        let checksum = if is_add {
            self.expand(state, &string_flag(cmd, "checksum"))?
        } else {
            String::new()
        };
        let mut expanded_sources = Vec::with_capacity(source_paths.len());
        for src in &source_paths {
            expanded_sources.push(self.expand(state, src)?);
        }
        let dest_path = self.expand(state, raw_dest)?;
        for content in &mut source_contents {
            if content.2 {
                let mut raw = hardfile_lints::words::Lexer::new('\\');
                raw.skip_process_quotes = true;
                content.1 = raw
                    .process_word(&content.1, &state.env)
                    .map_err(|e| ConvertError::new(e.to_string()))?;
            }
        }
        let link = bool_flag(cmd, "link")?;
        let keep_git_dir = is_add && bool_flag(cmd, "keep-git-dir")?;
        let parents = !is_add && bool_flag(cmd, "parents")?;
        let excludes: Vec<String> = instruction
            .flags_named("exclude")
            .filter_map(|f| f.value.clone())
            .collect();

        let mut dest = normalize_path(&state.dir, &dest_path, false);
        if dest_path.is_empty() || dest_path == "." || dest_path.ends_with('/') {
            dest.push('/');
        }
        let dest = llb::normalize_path(&state.dir, &dest, true);

        let mode = if chmod.is_empty() {
            None
        } else {
            u32::from_str_radix(&chmod, 8).ok()
        };
        let owner = (!chown.is_empty()).then(|| chown_of(&chown));

        if !checksum.is_empty() {
            valid_digest(&checksum)?;
            if expanded_sources.len() != 1 {
                return Err(ConvertError::new(
                    "checksum can't be specified for multiple sources",
                ));
            }
            if !is_http(&expanded_sources[0]) {
                return Err(ConvertError::new(
                    "checksum can't be specified for non-HTTP sources",
                ));
            }
        }

        let mut message = String::from(command);
        if parents {
            message.push_str(" --parents");
        }
        if !chown.is_empty() {
            let _ = write!(message, " --chown={chown}");
        }
        if !chmod.is_empty() {
            let _ = write!(message, " --chmod={chmod}");
        }

        // Where the sources come from: the build context, or a stage / image (`--from`).
        let from = string_flag(cmd, "from");
        let source = if is_add || from.is_empty() {
            self.context.clone()
        } else {
            let stage_index = self.source_stage(cmd, 0, &from);
            let output = stage_index.and_then(|index| self.dispatched_output(index));
            output.ok_or_else(|| {
                ConvertError::new(format!(
                    "cannot copy from stage {from:?}, it needs to be defined before current stage {:?}",
                    self.plan.stages[stage].stage_name
                ))
            })?
        };

        let shown = self.display_text(state, cmd, false);
        let name = self.progress_name(stage, state, &shown);

        let mut actions: Vec<CopyAction> = Vec::new();
        for src in &expanded_sources {
            message.push(' ');
            message.push_str(src);
            if let Some((remote, fragment)) = git_ref(src) {
                if !is_add {
                    return Err(ConvertError::new("source can't be a git ref for COPY"));
                }
                let mut git = Git::new(&remote, fragment.as_deref()).custom_name(name.clone());
                if keep_git_dir {
                    git = git.keep_git_dir();
                }
                let mut action = CopyAction::new(Some(git.build()), "/", dest.clone());
                action.mode = mode;
                action.create_dest_path = true;
                action.owner.clone_from(&owner);
                action.exclude_patterns.clone_from(&excludes);
                actions.push(action);
            } else if is_http(src) {
                if !is_add {
                    return Err(ConvertError::new("source can't be a URL for COPY"));
                }
                let filename = url_filename(src);
                let mut http = Http::new(src).filename(&filename).custom_name(name.clone());
                if !checksum.is_empty() {
                    http = http.checksum(&checksum);
                }
                let mut action = CopyAction::new(
                    Some(http.build()),
                    llb::clean_path(&format!("/{filename}")),
                    dest.clone(),
                );
                action.mode = mode;
                action.create_dest_path = true;
                action.owner.clone_from(&owner);
                action.exclude_patterns.clone_from(&excludes);
                actions.push(action);
            } else {
                let mut src_path = src.clone();
                let mut include = Vec::new();
                if parents {
                    let (parent, pattern) = match src.split_once("/./") {
                        Some((parent, pattern)) => (parent.to_owned(), pattern.to_owned()),
                        None => ("/".to_owned(), src.clone()),
                    };
                    let pattern = normalize_path("/", &pattern, false);
                    include.push(pattern.trim_start_matches('/').to_owned());
                    src_path = parent;
                }
                let normalized = llb::clean_path(&normalize_path("/", &src_path, false));
                let mut action = CopyAction::dockerfile(source.clone(), normalized, dest.clone());
                action.mode = mode;
                action.attempt_unpack = is_add;
                action.include_patterns = include;
                action.owner.clone_from(&owner);
                action.exclude_patterns.clone_from(&excludes);
                actions.push(action);
            }
        }
        for (path, data, _) in &source_contents {
            let _ = write!(message, " <<{path}");
            let file = FileOp::new(None)
                .then(Mkfile::new(
                    llb::clean_path(&format!("/{path}")),
                    0o644,
                    data.clone().into_bytes(),
                ))
                .custom_name("[internal] preparing inline document")
                .build();
            let mut action = CopyAction::new(
                Some(file),
                llb::clean_path(&format!("/{path}")),
                dest.clone(),
            );
            action.mode = mode;
            action.create_dest_path = true;
            action.owner.clone_from(&owner);
            action.exclude_patterns.clone_from(&excludes);
            actions.push(action);
        }
        message.push(' ');
        message.push_str(&dest_path);

        let use_merge = link && chmod.is_empty() && self.caps().has_llb(caps::llb::MERGE_OP);
        let base = if use_merge {
            None
        } else {
            state.output.clone()
        };
        let mut op = FileOp::new(base);
        for action in actions {
            op = op.then(action);
        }
        op = op.custom_name(name).location(self.location(cmd));
        if self.ignore_cache(stage) {
            op = op.ignore_cache(true);
        }
        let copied = op.build();
        state.output = if use_merge {
            llb::merge(vec![state.output.clone(), Some(copied)])
        } else {
            Some(copied)
        };

        // Record what the build context must transfer.
        if is_add {
            for src in &expanded_sources {
                if !is_http(src) {
                    self.context_paths
                        .insert(llb::clean_path(&format!("/{src}")));
                }
            }
        } else if from.is_empty() {
            for src in &expanded_sources {
                self.context_paths
                    .insert(llb::clean_path(&format!("/{src}")));
            }
        }

        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, true, true, epoch.as_deref());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_like_buildkit() {
        assert_eq!(normalize_path("/app", "src", false), "/app/src");
        assert_eq!(normalize_path("/app", "/etc/../x/", false), "/etc/../x/");
        assert_eq!(normalize_path("", "", false), "/");
        assert_eq!(join_dir("/a", "b/../c"), "/a/c");
    }

    #[test]
    fn sources() {
        assert_eq!(
            url_filename("https://example.com/a/b.tar.gz?x=1"),
            "b.tar.gz"
        );
        assert_eq!(url_filename("https://example.com/"), "__unnamed__");
        assert!(git_ref("https://github.com/moby/buildkit.git#v0.13").is_some());
        assert!(git_ref("git@github.com:moby/buildkit.git").is_some());
        assert!(git_ref("https://example.com/file.txt").is_none());
        assert!(git_ref("src/app").is_none());
    }
}
