//! Stages and their bases: global ARGs, `FROM` (image, `scratch`, an earlier stage,
//! `--platform`), stage references from `COPY --from` and `RUN --mount=from=`, base image
//! resolution, and the build context source (`toDispatchState` in BuildKit).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hardfile_lints::model::ImageRef;
use hardfile_lints::syntax::{Args, Dockerfile, Keyword, LineIndex, Span};
use hardfile_lints::words::Lexer;
use hardfile_proto::llb::{self, OpBuilder, Output, SourceMap};
use hardfile_proto::ops;

use super::image_config::DockerImage;
use super::{ConvertError, ConvertInput, ImageResolver, mounts, parse_checked, span_lines};
use crate::bridge::ImageConfigRequest;
use crate::caps::Caps;
use crate::options::{Options, ResolveMode};

/// One stage (or implicit image stage) before dispatch.
#[derive(Clone, Debug)]
pub(crate) struct PlannedStage {
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// Name in progress output and `target_stage` (`stage-N` when unnamed, empty when alone).
    pub stage_name: String,
    /// The base, after ARG expansion (normalized once resolved).
    pub base_name: String,
    /// FROM text (`SourceCode`).
    pub source_code: String,
    /// `--platform`.
    pub platform: Option<ops::Platform>,
    /// Lines of its FROM (or of the instruction that created an implicit stage).
    pub lines: (u32, u32),
    /// Instruction indices of its commands.
    pub instructions: Vec<usize>,
    /// An earlier stage this one starts from.
    pub base: Option<usize>,
    /// Stages its commands read.
    pub deps: BTreeSet<usize>,
    /// An implicit stage (`COPY --from=<image>`).
    pub unregistered: bool,
    /// Nothing to dispatch (implicit stages).
    pub noinit: bool,
    /// Number of progress-numbered steps.
    pub cmd_total: usize,
}

/// What a stage starts from once its base is resolved.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResolvedBase {
    pub output: Option<Output>,
    pub image: DockerImage,
    pub base_image: Option<DockerImage>,
    pub platform: ops::Platform,
}

/// The stages, the target, and everything conversion-wide.
pub(crate) struct Plan<'a> {
    pub file: Dockerfile,
    pub line_index: LineIndex,
    pub options: &'a Options,
    pub caps: &'a Caps,
    pub stages: Vec<PlannedStage>,
    pub resolved: Vec<ResolvedBase>,
    pub reachable: Vec<bool>,
    pub target: usize,
    /// Global ARGs (platform args first), values as BuildKit's `optMetaArgs`.
    pub meta_args: Vec<(String, Option<String>)>,
    pub target_platform: ops::Platform,
    pub build_platforms: Vec<ops::Platform>,
    pub implicit_target: bool,
    pub source_map: Arc<SourceMap>,
    pub epoch: Option<String>,
    pub excludes: Vec<String>,
    pub proxy: Option<ops::ProxyEnv>,
    /// Per instruction index, the stages its `--from` / `--mount=from=` values name, in order.
    pub sources: BTreeMap<usize, Vec<usize>>,
    /// Stage lookup by (lower-case) name.
    pub by_name: BTreeMap<String, usize>,
}

impl<'a> Plan<'a> {
    /// Parses and plans the stages.
    pub fn new(input: &ConvertInput<'a>) -> Result<Self, ConvertError> {
        if input.dockerfile.is_empty() {
            return Err(ConvertError::new("the Dockerfile cannot be empty"));
        }
        let file = parse_checked(input.dockerfile)?;
        let line_index = LineIndex::new(&file.source);
        let options = input.options;

        let build_platforms = build_platforms(options);
        let (target_platform, implicit_target) = match options.platforms.first() {
            Some(text) => (
                parse_platform(text).ok_or_else(|| {
                    ConvertError::new(format!("failed to parse target platform {text}"))
                })?,
                false,
            ),
            None => (build_platforms[0].clone(), true),
        };

        let mut meta_args: Vec<(String, Option<String>)> =
            platform_args(&build_platforms[0], &target_platform)
                .into_iter()
                .map(|(k, v)| {
                    let value = options.build_args.get(&k).cloned().unwrap_or(v);
                    (k, Some(value))
                })
                .collect();
        let lexer = Lexer::new(file.escape);

        let mut stages: Vec<PlannedStage> = Vec::new();
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        let mut current: Option<usize> = None;
        for (index, instruction) in file.instructions.iter().enumerate() {
            let lines = span_lines(&line_index, instruction.span);
            if instruction.keyword == Keyword::From {
                let words = match &instruction.args {
                    Args::Words(words) => words.iter().map(|w| w.value.clone()).collect(),
                    _ => Vec::new(),
                };
                let name = (words.len() == 3 && words[1].eq_ignore_ascii_case("as"))
                    .then(|| words[2].to_ascii_lowercase());
                let meta = meta_env(&meta_args);
                let raw_base = words.first().cloned().unwrap_or_default();
                let base_name = lexer
                    .process_word(&raw_base, &meta)
                    .map_err(|e| ConvertError::at(e.to_string(), lines))?;
                if base_name.is_empty() {
                    return Err(ConvertError::at(
                        format!("base name ({raw_base}) should not be blank"),
                        lines,
                    ));
                }
                let platform = match instruction.flag("platform").and_then(|f| f.value.clone()) {
                    Some(raw) if !raw.is_empty() => {
                        let value = lexer.process_word(&raw, &meta).map_err(|e| {
                            ConvertError::at(
                                format!("failed to process arguments for platform {raw}: {e}"),
                                lines,
                            )
                        })?;
                        Some(parse_platform(&value).ok_or_else(|| {
                            ConvertError::at(format!("failed to parse platform {value}"), lines)
                        })?)
                    }
                    _ => None,
                };
                let base = by_name.get(&base_name).copied();
                let position = stages.len();
                stages.push(PlannedStage {
                    stage_name: name.clone().unwrap_or_else(|| format!("stage-{position}")),
                    name: name.clone(),
                    base_name,
                    source_code: instruction.original.trim().to_owned(),
                    platform,
                    lines,
                    instructions: Vec::new(),
                    base,
                    deps: BTreeSet::new(),
                    unregistered: false,
                    noinit: false,
                    cmd_total: 0,
                });
                if let Some(name) = name {
                    by_name.insert(name, position);
                }
                current = Some(position);
                continue;
            }
            match current {
                Some(stage) => stages[stage].instructions.push(index),
                None if instruction.keyword == Keyword::Arg => {
                    let meta = meta_env(&meta_args);
                    for word in super::arg_words(instruction) {
                        let (key, default) = match word.split_once('=') {
                            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                            None => (word.clone(), None),
                        };
                        let value = match options.build_args.get(&key) {
                            Some(v) => Some(v.clone()),
                            // BuildKit ignores expansion errors of global ARG defaults.
                            None => {
                                default.map(|d| lexer.process_word(&d, &meta).unwrap_or_default())
                            }
                        };
                        meta_args.push((key, value));
                    }
                }
                None => {
                    return Err(ConvertError::at("no build stage in current context", lines));
                }
            }
        }
        if stages.is_empty() {
            return Err(ConvertError::new("dockerfile contains no stages to build"));
        }

        let target = match &options.target {
            None => stages.len() - 1,
            Some(name) => by_name
                .get(&name.to_ascii_lowercase())
                .copied()
                .ok_or_else(|| {
                    ConvertError::new(format!("target stage {name:?} could not be found"))
                })?,
        };

        // Stage references of COPY --from and RUN --mount=from (never expanded).
        let registered = stages.len();
        let mut stage_sources: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for stage in 0..registered {
            let commands = stages[stage].instructions.clone();
            for index in commands {
                let instruction = &file.instructions[index];
                let lines = span_lines(&line_index, instruction.span);
                let mut sources: Vec<String> = Vec::new();
                match instruction.keyword {
                    Keyword::Copy => {
                        if let Some(from) = instruction.flag("from").and_then(|f| f.value.clone())
                            && !from.is_empty()
                        {
                            sources.push(from);
                        }
                    }
                    Keyword::Run => {
                        for flag in instruction.flags_named("mount") {
                            let value = flag.value.clone().unwrap_or_default();
                            sources.push(
                                mounts::raw_from(&value).unwrap_or_else(|| "scratch".to_owned()),
                            );
                        }
                    }
                    _ => {}
                }
                for from in sources {
                    let found = if instruction.keyword == Keyword::Copy
                        && let Ok(position) = from.parse::<i64>()
                    {
                        let position = usize::try_from(position)
                            .ok()
                            .filter(|&p| p < stages.len())
                            .ok_or_else(|| {
                                ConvertError::at(format!("invalid stage index {position}"), lines)
                            })?;
                        Some(position)
                    } else {
                        by_name.get(&from.to_ascii_lowercase()).copied()
                    };
                    let dep = if let Some(dep) = found {
                        dep
                    } else {
                        let position = stages.len();
                        stages.push(PlannedStage {
                            name: None,
                            stage_name: String::new(),
                            base: by_name.get(&from).copied(),
                            base_name: from.clone(),
                            source_code: String::new(),
                            platform: None,
                            lines,
                            instructions: Vec::new(),
                            deps: BTreeSet::new(),
                            unregistered: true,
                            noinit: false,
                            cmd_total: 0,
                        });
                        position
                    };
                    stages[stage].deps.insert(dep);
                    stage_sources.entry(index).or_default().push(dep);
                }
            }
        }
        if stages.len() == 1 {
            stages[0].stage_name.clear();
        }
        for stage in &mut stages {
            let mut total = usize::from(stage.base_name != "scratch" && stage.base.is_none());
            for &index in &stage.instructions {
                if matches!(
                    file.instructions[index].keyword,
                    Keyword::Add | Keyword::Copy | Keyword::Run | Keyword::Workdir
                ) {
                    total += 1;
                }
            }
            if !stage.unregistered {
                stage.cmd_total = total;
            }
        }

        let mut reachable = vec![false; stages.len()];
        let mut stack = vec![target];
        while let Some(stage) = stack.pop() {
            if std::mem::replace(&mut reachable[stage], true) {
                continue;
            }
            stack.extend(stages[stage].base);
            stack.extend(stages[stage].deps.iter().copied());
        }

        let mut source_map = SourceMap::new(input.filename, input.dockerfile.as_bytes().to_vec());
        if let Some(definition) = &input.dockerfile_definition {
            source_map = source_map.with_definition(definition.clone());
        }
        let excludes = input
            .dockerignore
            .map(|data| dockerignore_patterns(&String::from_utf8_lossy(data)))
            .unwrap_or_default();

        Ok(Self {
            resolved: vec![ResolvedBase::default(); stages.len()],
            file,
            line_index,
            options,
            caps: input.caps,
            stages,
            reachable,
            target,
            meta_args,
            target_platform,
            build_platforms,
            implicit_target,
            source_map: Arc::new(source_map),
            epoch: options.source_date_epoch.map(format_epoch),
            excludes,
            proxy: super::proxy_env(&options.build_args),
            sources: stage_sources,
            by_name,
        })
    }

    /// 1-based lines of a span of the Dockerfile.
    pub fn lines_of(&self, span: Span) -> (u32, u32) {
        span_lines(&self.line_index, span)
    }

    /// Resolves the base image of every reachable stage that starts from an image.
    pub async fn resolve_bases<R: ImageResolver + Send>(
        &mut self,
        resolver: &mut R,
    ) -> Result<(), ConvertError> {
        for index in 0..self.stages.len() {
            let stage = self.stages[index].clone();
            if stage.base.is_some() {
                continue;
            }
            let lines = stage.lines;
            if stage.base_name == "scratch" {
                let p = &self.target_platform;
                self.resolved[index] = ResolvedBase {
                    output: None,
                    image: DockerImage::empty(&p.os, &p.architecture, &p.variant),
                    base_image: None,
                    platform: p.clone(),
                };
                if stage.unregistered {
                    self.stages[index].noinit = true;
                }
                continue;
            }
            if stage.unregistered {
                self.stages[index].noinit = true;
            }
            let reference = normalize_reference(&stage.base_name).map_err(|message| {
                ConvertError::at(
                    format!(
                        "failed to parse stage name {:?}: {message}",
                        stage.base_name
                    ),
                    lines,
                )
            })?;
            let mut platform = stage
                .platform
                .clone()
                .unwrap_or_else(|| self.target_platform.clone());
            if !self.reachable[index] {
                self.resolved[index].platform = platform;
                continue;
            }
            let mut request = ImageConfigRequest::new(reference.clone());
            request.platform = Some(platform.clone());
            request.resolve_mode = self.options.image_resolve_mode;
            request.session_id.clone_from(&self.options.session_id);
            let resolved = resolver.resolve_image(request).await.map_err(|message| {
                ConvertError::at(format!("{}: {message}", stage.base_name), lines)
            })?;
            let mut reference = if resolved.reference.is_empty() || resolved.reference == reference
            {
                reference
            } else {
                normalize_reference(&resolved.reference).map_err(|message| {
                    ConvertError::at(
                        format!("failed to parse ref {:?}: {message}", resolved.reference),
                        lines,
                    )
                })?
            };
            let base_image: DockerImage =
                serde_json::from_slice(&resolved.config).map_err(|e| {
                    ConvertError::at(format!("failed to parse image config: {e}"), lines)
                })?;
            let mut image = base_image.clone();
            image.created = None;
            if stage.platform.is_none() && self.implicit_target {
                platform = auto_detect_platform(&image, &platform, &self.build_platforms);
            }
            if !resolved.digest.is_empty() {
                reference = with_digest(&reference, &resolved.digest);
            }
            let scratch = image.rootfs.diff_ids.as_ref().is_none_or(Vec::is_empty)
                && image.history.iter().all(|h| h.empty_layer);
            let output = if scratch {
                None
            } else {
                let mode = match self.options.image_resolve_mode {
                    ResolveMode::Default => llb::ResolveMode::Default,
                    ResolveMode::Pull => llb::ResolveMode::Pull,
                    ResolveMode::Local => llb::ResolveMode::Local,
                };
                let text = format!("FROM {reference}");
                let name = if stage.cmd_total == 0 {
                    text
                } else {
                    let width = stage.cmd_total.to_string().len();
                    let prefix = if stage.stage_name.is_empty() {
                        String::new()
                    } else {
                        format!("{} ", stage.stage_name)
                    };
                    format!("[{prefix}{:>width$}/{}] {text}", 1, stage.cmd_total)
                };
                let mut op = llb::Image::new(&reference)
                    .resolve_mode(mode)
                    .platform(platform.clone())
                    .custom_name(name)
                    .description(
                        "com.docker.dockerfile.v1.command",
                        stage.source_code.clone(),
                    );
                if !stage.unregistered {
                    op = op.location(llb::Location::new(
                        &self.source_map,
                        vec![llb::line_range(
                            i32::try_from(lines.0).unwrap_or(i32::MAX),
                            i32::try_from(lines.1).unwrap_or(i32::MAX),
                        )],
                    ));
                }
                Some(op.build())
            };
            self.stages[index].base_name = reference;
            self.resolved[index] = ResolvedBase {
                output,
                base_image: Some(base_image),
                image,
                platform,
            };
        }
        Ok(())
    }

    /// The `local://context` source with the ignore patterns and the given followpaths.
    pub fn context_source(&self, follow_paths: Option<&[String]>) -> Output {
        let options = self.options;
        let mut local = llb::Local::new(&options.context_local);
        if !options.session_id.is_empty() {
            local = local.session_id(&options.session_id);
        }
        if !self.excludes.is_empty() {
            local = local.exclude_patterns(&self.excludes);
        }
        local = local.shared_key_hint(&options.context_local);
        if let Some(paths) = follow_paths.filter(|p| !p.is_empty()) {
            local = local.follow_paths(paths);
        }
        local.custom_name("[internal] load build context").build()
    }
}

/// Global ARG values as the map BuildKit expands FROM with (unset values are empty).
fn meta_env(meta_args: &[(String, Option<String>)]) -> Vec<(String, String)> {
    meta_args
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect()
}

/// `BUILDPLATFORM` … `TARGETVARIANT`.
fn platform_args(build: &ops::Platform, target: &ops::Platform) -> Vec<(String, String)> {
    vec![
        ("BUILDPLATFORM".into(), format_platform(build)),
        ("BUILDOS".into(), build.os.clone()),
        ("BUILDARCH".into(), build.architecture.clone()),
        ("BUILDVARIANT".into(), build.variant.clone()),
        ("TARGETPLATFORM".into(), format_platform(target)),
        ("TARGETOS".into(), target.os.clone()),
        ("TARGETARCH".into(), target.architecture.clone()),
        ("TARGETVARIANT".into(), target.variant.clone()),
    ]
}

/// The worker platforms (first = build platform), `linux/amd64` when none is known.
fn build_platforms(options: &Options) -> Vec<ops::Platform> {
    let mut out: Vec<ops::Platform> = options
        .workers
        .first()
        .map(|worker| {
            worker
                .platforms
                .iter()
                .map(|p| ops::Platform {
                    os: p.os.clone(),
                    architecture: p.architecture.clone(),
                    variant: p.variant.clone(),
                    ..ops::Platform::default()
                })
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty() {
        out.push(llb::platform(
            "linux",
            std::env::consts::ARCH
                .replace("x86_64", "amd64")
                .replace("aarch64", "arm64")
                .as_str(),
        ));
    }
    out
}

/// `platforms.Format`: `os/arch[/variant]`.
pub fn format_platform(platform: &ops::Platform) -> String {
    let mut out = format!("{}/{}", platform.os, platform.architecture);
    if !platform.variant.is_empty() {
        out.push('/');
        out.push_str(&platform.variant);
    }
    out
}

/// A small `platforms.Parse` + `Normalize`: `os[/arch[/variant]]` or a bare architecture.
pub fn parse_platform(text: &str) -> Option<ops::Platform> {
    let lower = text.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let known_os = ["linux", "windows", "darwin", "freebsd"];
    let (os, arch, variant) = match parts.as_slice() {
        [one] if known_os.contains(one) => ((*one).to_owned(), "amd64".to_owned(), String::new()),
        [one] => ("linux".to_owned(), (*one).to_owned(), String::new()),
        [os, arch] => ((*os).to_owned(), (*arch).to_owned(), String::new()),
        [os, arch, variant] => ((*os).to_owned(), (*arch).to_owned(), (*variant).to_owned()),
        _ => return None,
    };
    if os.is_empty() || arch.is_empty() {
        return None;
    }
    let (arch, variant) = match (arch.as_str(), variant.as_str()) {
        ("x86_64" | "x86-64" | "amd64", "v1") => ("amd64".to_owned(), String::new()),
        ("x86_64" | "x86-64", v) => ("amd64".to_owned(), v.to_owned()),
        ("aarch64" | "arm64", "v8") => ("arm64".to_owned(), String::new()),
        ("aarch64", v) => ("arm64".to_owned(), v.to_owned()),
        ("armhf", _) | ("arm", "") => ("arm".to_owned(), "v7".to_owned()),
        ("armel", _) => ("arm".to_owned(), "v6".to_owned()),
        ("i386" | "i686" | "386", v) => ("386".to_owned(), v.to_owned()),
        (a, v) => (a.to_owned(), v.to_owned()),
    };
    Some(ops::Platform {
        os,
        architecture: arch,
        variant,
        ..ops::Platform::default()
    })
}

fn auto_detect_platform(
    image: &DockerImage,
    target: &ops::Platform,
    supported: &[ops::Platform],
) -> ops::Platform {
    if target.os == image.os && target.architecture == image.architecture {
        return target.clone();
    }
    supported
        .iter()
        .find(|p| p.os == image.os && p.architecture == image.architecture)
        .cloned()
        .unwrap_or_else(|| target.clone())
}

/// `reference.ParseNormalizedNamed` + `TagNameOnly`, with the checks that matter.
pub fn normalize_reference(text: &str) -> Result<String, String> {
    if text.is_empty() || text.contains(char::is_whitespace) || text.contains('$') {
        return Err("invalid reference format".to_owned());
    }
    let parsed = ImageRef::parse(text);
    if parsed.repository.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("invalid reference format: repository name must be lowercase".to_owned());
    }
    if parsed.repository.is_empty()
        || !parsed
            .repository
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
    {
        return Err("invalid reference format".to_owned());
    }
    Ok(parsed.normalized())
}

/// `reference.WithDigest`: keeps name and tag, replaces any digest.
fn with_digest(reference: &str, digest: &str) -> String {
    let name = reference
        .split_once('@')
        .map_or(reference, |(name, _)| name);
    format!("{name}@{digest}")
}

/// `SOURCE_DATE_EPOCH` as Go marshals a UTC `time.Time` (RFC 3339).
pub fn format_epoch(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (hour, minute, second) = (rest / 3600, (rest % 3600) / 60, rest % 60);
    // Civil-from-days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// `ignorefile.ReadAll`: the patterns of a `.dockerignore`.
pub fn dockerignore_patterns(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = if number == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        if line.starts_with('#') {
            continue;
        }
        let mut pattern = line.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut cleaned = if pattern.is_empty() {
            String::new()
        } else {
            llb::clean_path(pattern)
        };
        if cleaned.len() > 1 && cleaned.starts_with('/') {
            cleaned.remove(0);
        }
        if invert {
            cleaned.insert(0, '!');
        }
        out.push(cleaned);
    }
    out
}

/// `normalizeContextPaths`: sorted relative paths, or nothing when `/` is among them.
pub fn normalize_context_paths(paths: &BTreeSet<String>) -> Vec<String> {
    if paths.contains("/") {
        return Vec::new();
    }
    let mut out: Vec<String> = paths
        .iter()
        .map(|p| llb::clean_path(&format!("./{p}")))
        .map(|p| p.trim_start_matches('/').to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalize() {
        assert_eq!(
            normalize_reference("busybox").as_deref(),
            Ok("docker.io/library/busybox:latest")
        );
        assert_eq!(
            normalize_reference("localhost/hardfile/busybox").as_deref(),
            Ok("localhost/hardfile/busybox:latest")
        );
        assert!(normalize_reference("Busybox").is_err());
        assert_eq!(
            with_digest("docker.io/library/a:1", "sha256:ab"),
            "docker.io/library/a:1@sha256:ab"
        );
    }

    #[test]
    fn epoch_and_ignore() {
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(
            dockerignore_patterns("# c\n/a/../b\n!x/\n\n*.log\n"),
            vec!["b", "!x", "*.log"]
        );
    }

    #[test]
    fn platforms() {
        assert_eq!(
            format_platform(&parse_platform("linux/arm").expect("parse")),
            "linux/arm/v7"
        );
        assert_eq!(
            format_platform(&parse_platform("linux/amd64").expect("parse")),
            "linux/amd64"
        );
    }
}
