//! Dockerfile → LLB and image config, the way BuildKit v0.13's `dockerfile2llb` does it.
//!
//! [`convert`] parses the Dockerfile with `hardfile_lints::syntax`, plans the stages (global
//! ARGs, base names, stage references, implicit image stages of `COPY --from` and
//! `RUN --mount=from=`), resolves the base images it needs through an [`ImageResolver`], then
//! dispatches the reachable stages instruction by instruction into LLB ops built with
//! `hardfile_proto::llb`. The result is the marshalled definition plus the image config
//! (`dockerspec.DockerOCIImage` JSON) exactly as the stock frontend would return them.
//!
//! One file per instruction family: [`from`] (stages and bases), [`run`], [`mounts`],
//! [`copy`] (COPY, ADD, WORKDIR) and [`image_config`] (config-only instructions and the
//! config/history model).

pub mod copy;
pub mod from;
pub mod image_config;
pub mod mounts;
pub mod run;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;

use hardfile_lints::syntax::{self, Args, Dockerfile, Instruction, Keyword, LineIndex, Span};
use hardfile_lints::words::Lexer;
use hardfile_proto::llb::{self, Location, Output, SourceMap};
use hardfile_proto::ops;

use crate::bridge::{ImageConfigRequest, ResolvedImage};
use crate::caps::Caps;
use crate::options::{NetworkMode, NoCache, Options};

pub use image_config::DockerImage;

/// Build args that never become environment variables (`nonEnvArgs`).
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// Looks base images up (`ResolveImageConfig`); the gateway implements it, tests fake it.
pub trait ImageResolver {
    /// Digest and config JSON of `request.reference` for `request.platform`.
    fn resolve_image(
        &mut self,
        request: ImageConfigRequest,
    ) -> impl Future<Output = Result<ResolvedImage, String>> + Send;
}

/// What to convert.
#[derive(Clone, Debug)]
pub struct ConvertInput<'a> {
    /// The Dockerfile text.
    pub dockerfile: &'a str,
    /// Its name, for source maps and errors.
    pub filename: &'a str,
    /// The frontend options (build args, target, platform, labels, RUN settings, …).
    pub options: &'a Options,
    /// The `.dockerignore` (or `<Dockerfile>.dockerignore`) content, if any.
    pub dockerignore: Option<&'a [u8]>,
    /// The daemon's capabilities (features are gated on the LLB caps).
    pub caps: &'a Caps,
    /// The definition that loaded the Dockerfile, recorded in the source map.
    pub dockerfile_definition: Option<ops::Definition>,
}

/// A warning found while converting (not a lint finding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertWarning {
    /// One line.
    pub message: String,
    /// 1-based lines it is about.
    pub lines: Option<(u32, u32)>,
}

/// The conversion result.
#[derive(Clone, Debug)]
pub struct Converted {
    /// The LLB to solve.
    pub definition: ops::Definition,
    /// The image config of the target stage.
    pub image: DockerImage,
    /// The config of the target's base image, if it has one.
    pub base_image: Option<DockerImage>,
    /// Name of the built stage (`stage-N` for unnamed ones).
    pub target_stage: String,
    /// Platform of the result (`refs.platforms`).
    pub platform: ops::Platform,
    /// Conversion warnings.
    pub warnings: Vec<ConvertWarning>,
}

impl Converted {
    /// `containerimage.config`: the image config JSON.
    pub fn image_config_json(&self) -> Vec<u8> {
        self.image.to_json()
    }
}

/// A conversion error, located in the Dockerfile when possible.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConvertError {
    /// BuildKit's message.
    pub message: String,
    /// 1-based first and last line of the instruction at fault.
    pub lines: Option<(u32, u32)>,
    /// Each line separately (parser errors), instead of one range.
    pub per_line: bool,
}

impl ConvertError {
    /// An error without location.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            lines: None,
            per_line: false,
        }
    }

    /// An error at lines `first..=last`.
    pub fn at(message: impl Into<String>, lines: (u32, u32)) -> Self {
        Self {
            message: message.into(),
            lines: Some(lines),
            per_line: false,
        }
    }

    fn located(mut self, lines: (u32, u32)) -> Self {
        if self.lines.is_none() {
            self.lines = Some(lines);
        }
        self
    }
}

/// Converts a Dockerfile into LLB plus image config.
pub async fn convert<R: ImageResolver + Send>(
    input: ConvertInput<'_>,
    resolver: &mut R,
) -> Result<Converted, ConvertError> {
    let mut planner = from::Plan::new(&input)?;
    planner.resolve_bases(resolver).await?;
    // The build context's followpaths depend on what the stages read, which is only known after
    // dispatch; dispatch once with a guess, then again if the guess was wrong.
    let mut paths: Option<Vec<String>> = None;
    for _ in 0..3 {
        let context = Some(planner.context_source(paths.as_deref()));
        let mut converter = Converter::new(&planner, context);
        let result = converter.run()?;
        let wanted = from::normalize_context_paths(&converter.context_paths);
        if paths.as_ref() == Some(&wanted) || (paths.is_none() && wanted.is_empty()) {
            return Ok(result);
        }
        paths = Some(wanted);
    }
    let context = Some(planner.context_source(paths.as_deref()));
    Converter::new(&planner, context).run()
}

/// The state of one stage while its instructions are dispatched (`dispatchState`).
#[derive(Clone, Debug)]
pub(crate) struct StageState {
    /// The filesystem so far.
    pub output: Option<Output>,
    /// Environment of RUN (`EnvList` semantics: replacing moves a key to the end).
    pub env: Vec<(String, String)>,
    /// Working directory.
    pub dir: String,
    /// User of RUN.
    pub user: String,
    /// The image config being built.
    pub image: DockerImage,
    /// The base image config.
    pub base_image: Option<DockerImage>,
    /// Platform of the stage.
    pub platform: ops::Platform,
    /// ARGs declared in this stage with their values.
    pub build_args: Vec<(String, Option<String>)>,
    /// Whether CMD was set in this stage.
    pub cmd_set: bool,
    /// Progress numbering.
    pub cmd_index: usize,
    /// Context paths the stage's consumers read from it (`paths`).
    pub network: ops::NetMode,
}

impl StageState {
    /// `EnvList.AddOrReplace`.
    pub fn add_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// The environment as `KEY=value` entries.
    pub fn env_list(&self) -> Vec<String> {
        self.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// Where an instruction comes from: its lines, and the instruction itself.
#[derive(Clone, Copy)]
pub(crate) struct Cmd<'f> {
    pub instruction: &'f Instruction,
    /// 1-based first and last line (the FROM line for ONBUILD triggers).
    pub lines: (u32, u32),
    /// Its index in the Dockerfile (`None` for ONBUILD triggers of a base image).
    pub index: Option<usize>,
}

/// The dispatcher: walks the reachable stages and builds their ops.
pub(crate) struct Converter<'p> {
    pub plan: &'p from::Plan<'p>,
    pub context: Option<Output>,
    pub states: Vec<Option<StageState>>,
    pub context_paths: BTreeSet<String>,
    pub lexer: Lexer,
    pub source_map: Arc<SourceMap>,
    pub warnings: Vec<ConvertWarning>,
}

impl<'p> Converter<'p> {
    fn new(plan: &'p from::Plan<'p>, context: Option<Output>) -> Self {
        Self {
            plan,
            context,
            states: vec![None; plan.stages.len()],
            context_paths: BTreeSet::new(),
            lexer: Lexer::new(plan.file.escape),
            source_map: Arc::clone(&plan.source_map),
            warnings: Vec::new(),
        }
    }

    pub fn options(&self) -> &'p Options {
        self.plan.options
    }

    pub fn caps(&self) -> &'p Caps {
        self.plan.caps
    }

    /// The source location of an instruction.
    pub fn location(&self, cmd: &Cmd<'_>) -> Location {
        Location::new(
            &self.source_map,
            vec![llb::line_range(
                i32::try_from(cmd.lines.0).unwrap_or(i32::MAX),
                i32::try_from(cmd.lines.1).unwrap_or(i32::MAX),
            )],
        )
    }

    fn run(&mut self) -> Result<Converted, ConvertError> {
        let plan = self.plan;
        for index in 0..plan.stages.len() {
            let stage = &plan.stages[index];
            if !plan.reachable[index] || stage.noinit {
                continue;
            }
            self.dispatch_stage(index)?;
        }
        let target = plan.target;
        let mut state = self.states[target]
            .take()
            .ok_or_else(|| ConvertError::new("target stage was not built"))?;
        for (key, value) in &plan.options.labels {
            state.image.config.labels.insert(key.clone(), value.clone());
        }
        if !plan.implicit_target {
            state.image.os.clone_from(&plan.target_platform.os);
            state
                .image
                .architecture
                .clone_from(&plan.target_platform.architecture);
            state
                .image
                .variant
                .clone_from(&plan.target_platform.variant);
        }
        let definition = llb::marshal(state.output.as_ref());
        Ok(Converted {
            definition,
            image: state.image,
            base_image: state.base_image,
            target_stage: plan.stages[target].stage_name.clone(),
            platform: plan.target_platform.clone(),
            warnings: std::mem::take(&mut self.warnings),
        })
    }

    fn dispatch_stage(&mut self, index: usize) -> Result<(), ConvertError> {
        let plan = self.plan;
        let stage = &plan.stages[index];
        let from_lines = stage.lines;
        let mut state = if let Some(base) = stage.base {
            let base_state = self.states[base].clone().ok_or_else(|| {
                ConvertError::at(
                    format!(
                        "stage {:?} needs to be defined before it is used",
                        plan.stages[base].stage_name
                    ),
                    from_lines,
                )
            })?;
            StageState {
                build_args: Vec::new(),
                cmd_set: false,
                cmd_index: 0,
                ..base_state
            }
        } else {
            let resolved = &plan.resolved[index];
            StageState {
                output: resolved.output.clone(),
                env: Vec::new(),
                dir: "/".to_owned(),
                user: String::new(),
                image: resolved.image.clone(),
                base_image: resolved.base_image.clone(),
                platform: resolved.platform.clone(),
                build_args: Vec::new(),
                cmd_set: false,
                cmd_index: usize::from(resolved.output.is_some()),
                network: ops::NetMode::Unset,
            }
        };
        if !state.image.has_env("PATH") {
            state
                .image
                .config
                .env
                .push(format!("PATH={}", image_config::DEFAULT_PATH));
        }
        for entry in state.image.config.env.clone() {
            let (key, value) = image_config::split_env(&entry);
            state.add_env(key, value);
        }
        if !state.image.config.working_dir.is_empty() {
            let wd = copy::normalize_path(
                &state.image.config.working_dir,
                &state.image.config.working_dir.clone(),
                false,
            );
            state.image.config.working_dir.clone_from(&wd);
            state.dir = copy::join_dir(&state.dir, &wd);
        }
        if !state.image.config.user.is_empty() {
            state.user.clone_from(&state.image.config.user);
        }
        state.network = match plan.options.network_mode {
            NetworkMode::Sandbox => ops::NetMode::Unset,
            NetworkMode::Host => ops::NetMode::Host,
            NetworkMode::None => ops::NetMode::None,
        };

        // ONBUILD triggers of the base run first, located at the FROM line.
        let triggers = std::mem::take(&mut state.image.config.on_build);
        for trigger in &triggers {
            let parsed = syntax::parse_syntax_only(trigger);
            if let Some(error) = parsed
                .diagnostics
                .iter()
                .find(|d| d.severity == syntax::SyntaxSeverity::Error)
            {
                return Err(ConvertError::at(error.message.clone(), from_lines));
            }
            if parsed.instructions.len() != 1 {
                return Err(ConvertError::at(
                    "onbuild trigger should be a single expression",
                    from_lines,
                ));
            }
            let cmd = Cmd {
                instruction: &parsed.instructions[0],
                lines: from_lines,
                index: None,
            };
            self.dispatch(index, &mut state, cmd)
                .map_err(|e| e.located(from_lines))?;
        }

        for &instruction_index in &stage.instructions {
            let instruction = &plan.file.instructions[instruction_index];
            let cmd = Cmd {
                instruction,
                lines: plan.lines_of(instruction.span),
                index: Some(instruction_index),
            };
            self.dispatch(index, &mut state, cmd)
                .map_err(|e| e.located(cmd.lines))?;
        }
        self.states[index] = Some(state);
        Ok(())
    }

    /// Expands `word` with the stage environment (`ProcessWord`).
    pub fn expand(&self, state: &StageState, word: &str) -> Result<String, ConvertError> {
        self.lexer
            .process_word(word, &state.env)
            .map_err(|e| ConvertError::new(e.to_string()))
    }

    /// `[stage N/M] TEXT` progress names (`prefixCommand`).
    pub fn progress_name(&self, stage: usize, state: &mut StageState, text: &str) -> String {
        let planned = &self.plan.stages[stage];
        if planned.cmd_total == 0 {
            return text.to_owned();
        }
        state.cmd_index += 1;
        let width = planned.cmd_total.to_string().len();
        let mut out = String::from("[");
        if !planned.stage_name.is_empty() {
            out.push_str(&planned.stage_name);
            out.push(' ');
        }
        let _ = write!(out, "{:>width$}/{}] ", state.cmd_index, planned.cmd_total);
        out.push_str(text);
        out
    }

    /// The instruction text for progress output, with variables expanded as BuildKit shows it.
    pub fn display_text(&self, state: &StageState, cmd: &Cmd<'_>, raw: bool) -> String {
        let text = cmd.instruction.original.trim().to_owned();
        let mut lexer = self.lexer;
        if raw {
            lexer.raw_quotes = true;
            lexer.skip_unset_env = true;
        }
        let shown = lexer.process_word(&text, &state.env).unwrap_or(text);
        match shown.split_once(' ') {
            Some((first, rest)) => format!("{} {rest}", first.to_uppercase()),
            None => shown.to_uppercase(),
        }
    }

    /// The stages named by the `n`-th `--from` / `--mount=from=` of `cmd`.
    pub fn source_stage(&self, cmd: &Cmd<'_>, n: usize, name: &str) -> Option<usize> {
        match cmd.index {
            Some(index) => self
                .plan
                .sources
                .get(&index)
                .and_then(|s| s.get(n))
                .copied(),
            None => self
                .plan
                .by_name
                .get(&name.to_ascii_lowercase())
                .copied()
                .or_else(|| {
                    name.parse::<usize>()
                        .ok()
                        .filter(|&i| i < self.plan.stages.len())
                }),
        }
    }

    /// The dispatched state of stage `index`, if it was dispatched already.
    pub fn stage_output(&self, index: usize) -> Option<&StageState> {
        self.states.get(index).and_then(Option::as_ref)
    }

    /// Whether this stage ignores the cache (`no-cache`).
    pub fn ignore_cache(&self, stage: usize) -> bool {
        match &self.plan.options.no_cache {
            None => false,
            Some(NoCache::AllStages) => true,
            Some(NoCache::Stages(names)) => self.plan.stages[stage]
                .name
                .as_ref()
                .is_some_and(|name| names.iter().any(|n| n.eq_ignore_ascii_case(name))),
        }
    }

    /// The `SOURCE_DATE_EPOCH` time for history entries.
    pub fn epoch(&self) -> Option<&str> {
        self.plan.epoch.as_deref()
    }

    fn dispatch(
        &mut self,
        stage: usize,
        state: &mut StageState,
        cmd: Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let instruction = cmd.instruction;
        for flag in &instruction.flags {
            if !flag_allowed(instruction.keyword, &flag.name) {
                return Err(ConvertError::new(format!("unknown flag: {}", flag.name)));
            }
        }
        match instruction.keyword {
            Keyword::Env => self.dispatch_env(state, &cmd),
            Keyword::Arg => self.dispatch_arg(state, &cmd),
            Keyword::Label => self.dispatch_label(state, &cmd),
            Keyword::User => self.dispatch_user(state, &cmd),
            Keyword::Maintainer => self.dispatch_maintainer(state, &cmd),
            Keyword::Cmd => self.dispatch_cmd(state, &cmd),
            Keyword::Entrypoint => self.dispatch_entrypoint(state, &cmd),
            Keyword::Expose => self.dispatch_expose(state, &cmd),
            Keyword::Volume => self.dispatch_volume(state, &cmd),
            Keyword::Stopsignal => self.dispatch_stopsignal(state, &cmd),
            Keyword::Shell => self.dispatch_shell(state, &cmd),
            Keyword::Healthcheck => self.dispatch_healthcheck(state, &cmd),
            Keyword::Onbuild => self.dispatch_onbuild(state, &cmd),
            Keyword::Workdir => self.dispatch_workdir(stage, state, &cmd),
            Keyword::Run => self.dispatch_run(stage, state, &cmd),
            Keyword::Copy | Keyword::Add => self.dispatch_copy(stage, state, &cmd),
            Keyword::From => Err(ConvertError::new("FROM is not allowed here")),
            Keyword::Unknown => Err(ConvertError::new(format!(
                "unknown instruction: {}",
                instruction.keyword_text
            ))),
        }
    }
}

/// Flags BuildKit v0.13 accepts per instruction (plus hardfile's `--exclude`, `--parents` and
/// `--security`, which only its labs channel has).
fn flag_allowed(keyword: Keyword, name: &str) -> bool {
    let allowed: &[&str] = match keyword {
        Keyword::Add => &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "exclude",
        ],
        Keyword::Copy => &["chown", "from", "chmod", "link", "exclude", "parents"],
        Keyword::From => &["platform"],
        Keyword::Run => &["mount", "network", "security"],
        Keyword::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    };
    allowed.contains(&name)
}

/// Words of an instruction as BuildKit's instruction parser sees them.
pub(crate) fn arg_words(instruction: &Instruction) -> Vec<String> {
    match &instruction.args {
        Args::Empty | Args::Onbuild(_) | Args::Healthcheck { .. } => Vec::new(),
        Args::Exec { items, .. } | Args::Words(items) => {
            items.iter().map(|w| w.value.clone()).collect()
        }
        Args::Rest(word) | Args::Invalid(word) => vec![word.value.clone()],
        Args::Pairs(pairs) => pairs
            .iter()
            .map(|p| format!("{}={}", p.key.value, p.value.value))
            .collect(),
    }
}

/// 1-based first and last lines of a span.
pub fn span_lines(index: &LineIndex, span: Span) -> (u32, u32) {
    let first = index.line_of(span.start);
    let last = index.line_of(span.end.saturating_sub(1).max(span.start));
    let to_u32 = |line: usize| u32::try_from(line + 1).unwrap_or(u32::MAX);
    (to_u32(first), to_u32(last))
}

/// Builds the parsed file or the first parse error.
pub(crate) fn parse_checked(text: &str) -> Result<Dockerfile, ConvertError> {
    let file = syntax::parse(text);
    if let Some(error) = file
        .diagnostics
        .iter()
        .find(|d| d.severity == syntax::SyntaxSeverity::Error)
    {
        let index = LineIndex::new(&file.source);
        let lines = span_lines(&index, error.span);
        return Err(ConvertError {
            message: error.message.clone(),
            lines: Some(lines),
            per_line: true,
        });
    }
    Ok(file)
}

/// `map[string]string` of `KEY=value` pairs, last wins (`shell.BuildEnvs`).
pub(crate) fn env_map(env: &[(String, String)]) -> BTreeMap<&str, &str> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Whether the build arg name is one of the proxy variables (case-insensitive).
pub(crate) fn proxy_env(build_args: &BTreeMap<String, String>) -> Option<ops::ProxyEnv> {
    let mut proxy = ops::ProxyEnv::default();
    let mut set = false;
    for (key, value) in build_args {
        let target = match key.to_ascii_lowercase().as_str() {
            "http_proxy" => &mut proxy.http_proxy,
            "https_proxy" => &mut proxy.https_proxy,
            "ftp_proxy" => &mut proxy.ftp_proxy,
            "no_proxy" => &mut proxy.no_proxy,
            "all_proxy" => &mut proxy.all_proxy,
            _ => continue,
        };
        target.clone_from(value);
        set = true;
    }
    set.then_some(proxy)
}

/// Whether an ARG name is kept out of the environment.
pub(crate) fn is_non_env_arg(name: &str) -> bool {
    NON_ENV_ARGS.contains(&name)
}

#[cfg(test)]
mod tests;
