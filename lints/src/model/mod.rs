//! The semantic model: stages, ARG and ENV scopes, and the effective USER, WORKDIR, SHELL and
//! ENV at each instruction, computed with BuildKit's rules.
//!
//! What BuildKit expands: the image and `--platform` of FROM (global ARGs only); ADD, COPY,
//! ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ARG defaults, plus the `--from`,
//! `--chown`, `--chmod` and `--mount` flags (stage ARGs and ENV, ENV winning). RUN, CMD,
//! ENTRYPOINT, SHELL and HEALTHCHECK are left to the shell at run time.

mod image;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

pub use image::ImageRef;

use crate::syntax::{Args, Dockerfile, Instruction, Keyword, Span};
use crate::words::{Env, Lexer, WordError};

/// The platform ARGs BuildKit defines in the global scope (for a linux/amd64 build).
const PLATFORM_ARGS: [(&str, &str); 8] = [
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
];

/// What a stage starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Base {
    /// `FROM scratch`.
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    /// An image.
    Image(ImageRef),
}

/// A build stage.
#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    /// 0-based position.
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit compares it.
    pub name: Option<String>,
    /// Instruction index of its FROM.
    pub from: usize,
    /// One past its last instruction index.
    pub end: usize,
    /// What it starts from.
    pub base: Base,
    /// `--platform`, expanded.
    pub platform: Option<String>,
    /// Stages it uses directly (FROM, `COPY --from`, `RUN --mount=from=`), sorted.
    pub deps: Vec<usize>,
    /// The state after its last instruction.
    pub final_state: InstructionState,
}

/// Effective settings at a point in a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstructionState {
    /// The last USER, expanded (`None`: not set in the Dockerfile; the base image decides).
    pub user: Option<String>,
    /// Instruction index of that USER.
    pub user_at: Option<usize>,
    /// The working directory.
    pub workdir: String,
    /// The shell used by shell-form RUN, CMD and ENTRYPOINT.
    pub shell: Vec<String>,
    /// ENV set in the Dockerfile (base image ENV is unknown here).
    pub env: Vec<(String, String)>,
    /// ARGs declared in the stage with their values (`None`: declared without value).
    pub args: Vec<(String, Option<String>)>,
}

/// The scope a word sees at this point: ENV wins over ARG (as in [`InstructionState::expansion_env`]),
/// without copying either.
impl Env for InstructionState {
    fn get(&self, name: &str) -> Option<&str> {
        self.env_value(name).or_else(|| {
            self.args
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.as_deref())
        })
    }

    fn keys(&self) -> Vec<String> {
        Env::keys(self.expansion_env().as_slice())
    }
}

impl Default for InstructionState {
    fn default() -> Self {
        Self {
            user: None,
            user_at: None,
            workdir: "/".to_string(),
            shell: vec!["/bin/sh".to_string(), "-c".to_string()],
            env: Vec::new(),
            args: Vec::new(),
        }
    }
}

impl InstructionState {
    /// The variables word expansion sees: ARG values, overridden by ENV.
    pub fn expansion_env(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = self
            .args
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
            .collect();
        vars.extend(self.env.iter().cloned());
        vars
    }

    /// The value of ENV `name`.
    pub fn env_value(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How an image reference is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageUseKind {
    /// `FROM image`.
    From,
    /// `COPY --from=image`.
    CopyFrom,
    /// `RUN --mount=from=image`.
    MountFrom,
}

/// An image the build pulls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageUse {
    /// Instruction index.
    pub instruction: usize,
    /// Where the reference is written.
    pub span: Span,
    /// The reference.
    pub reference: ImageRef,
    /// How it is used.
    pub kind: ImageUseKind,
}

/// A global (before the first FROM) ARG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GlobalArg {
    /// Name.
    pub name: String,
    /// Value after build-arg override and expansion.
    pub value: Option<String>,
    /// Instruction index.
    pub instruction: usize,
}

/// A problem the model found (an expansion error, an unknown target, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// The semantic model of one Dockerfile.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    stages: Vec<Stage>,
    global_args: Vec<GlobalArg>,
    #[serde(skip)]
    global_env: Vec<(String, String)>,
    /// One entry per instruction; instructions that change nothing share their state.
    #[serde(skip)]
    states: Vec<Arc<InstructionState>>,
    #[serde(skip)]
    stage_of: Vec<Option<usize>>,
    target: Option<usize>,
    image_uses: Vec<ImageUse>,
    errors: Vec<ModelError>,
    #[serde(skip)]
    escape: char,
}

impl Model {
    /// Builds the model with the given build arguments (`--build-arg`) and target stage.
    pub fn build(
        file: &Dockerfile,
        build_args: &BTreeMap<String, String>,
        target: Option<&str>,
    ) -> Model {
        Builder::new(file, build_args).run(target)
    }

    /// All stages, in order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// ARGs declared before the first FROM.
    pub fn global_args(&self) -> &[GlobalArg] {
        &self.global_args
    }

    /// The exported stage: the requested target, else the last stage.
    pub fn target(&self) -> Option<&Stage> {
        self.target.and_then(|i| self.stages.get(i))
    }

    /// The exported stage and every stage it depends on, transitively, sorted.
    pub fn exported_stages(&self) -> Vec<usize> {
        let Some(target) = self.target else {
            return Vec::new();
        };
        let mut seen = vec![false; self.stages.len()];
        let mut stack = vec![target];
        while let Some(stage) = stack.pop() {
            if std::mem::replace(&mut seen[stage], true) {
                continue;
            }
            stack.extend(
                self.stages[stage]
                    .deps
                    .iter()
                    .copied()
                    .filter(|&d| d < seen.len()),
            );
        }
        seen.iter()
            .enumerate()
            .filter(|&(_, s)| *s)
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether `stage` is the exported stage or one it depends on.
    pub fn is_exported(&self, stage: usize) -> bool {
        self.exported_stages().contains(&stage)
    }

    /// The stage an instruction belongs to (`None` before the first FROM).
    pub fn stage_of(&self, instruction: usize) -> Option<usize> {
        self.stage_of.get(instruction).copied().flatten()
    }

    /// A stage by name (case-insensitive) or index.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        let lower = name.to_ascii_lowercase();
        self.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    /// The state an instruction sees (before it runs).
    pub fn state_before(&self, instruction: usize) -> &InstructionState {
        static DEFAULT: std::sync::OnceLock<InstructionState> = std::sync::OnceLock::new();
        match self.states.get(instruction) {
            Some(state) => state,
            None => DEFAULT.get_or_init(InstructionState::default),
        }
    }

    /// Expands `text` as BuildKit would at `instruction` (stage ARGs and ENV; global ARGs
    /// before the first FROM).
    pub fn expand(&self, instruction: usize, text: &str) -> Result<String, WordError> {
        // Nothing to unquote or expand: BuildKit returns the word unchanged.
        if !text.contains(['$', '\'', '"', self.escape]) {
            return Ok(text.to_string());
        }
        let lexer = Lexer::new(self.escape);
        if self.stage_of(instruction).is_none() {
            return lexer.process_word(text, &self.global_env);
        }
        lexer.process_word(text, self.state_before(instruction))
    }

    /// Every image reference the build uses.
    pub fn image_uses(&self) -> &[ImageUse] {
        &self.image_uses
    }

    /// Problems found while building the model.
    pub fn errors(&self) -> &[ModelError] {
        &self.errors
    }
}

struct Builder<'a> {
    file: &'a Dockerfile,
    build_args: &'a BTreeMap<String, String>,
    lexer: Lexer,
    model: Model,
}

/// Splits `name=value` (ARG) into name and optional default.
fn split_arg(word: &str) -> (&str, Option<&str>) {
    match word.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (word, None),
    }
}

/// `path.Join`-like resolution of a WORKDIR against the current one.
fn resolve_workdir(current: &str, next: &str) -> String {
    let joined = if next.starts_with('/') {
        next.to_string()
    } else {
        format!("{current}/{next}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The value of `key` in a `--mount` flag's comma list.
pub fn mount_option<'v>(mount: &'v str, key: &str) -> Option<&'v str> {
    mount.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then_some(v.trim())
    })
}

impl<'a> Builder<'a> {
    fn new(file: &'a Dockerfile, build_args: &'a BTreeMap<String, String>) -> Self {
        let mut global_env: Vec<(String, String)> = PLATFORM_ARGS
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        for (k, v) in build_args {
            if PLATFORM_ARGS.iter().any(|(p, _)| p == k) {
                global_env.retain(|(name, _)| name != k);
                global_env.push((k.clone(), v.clone()));
            }
        }
        Builder {
            file,
            build_args,
            lexer: Lexer::new(file.escape),
            model: Model {
                stages: Vec::new(),
                global_args: Vec::new(),
                global_env,
                states: Vec::with_capacity(file.instructions.len()),
                stage_of: Vec::with_capacity(file.instructions.len()),
                target: None,
                image_uses: Vec::new(),
                errors: Vec::new(),
                escape: file.escape,
            },
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.model.errors.push(ModelError {
            message: message.into(),
            span,
        });
    }

    /// Expands with the stage scope of `state`, building that scope only when needed.
    fn expand_in(&mut self, text: &str, state: &InstructionState, span: Span) -> String {
        if !text.contains(['$', '\'', '"', self.lexer.escape]) {
            return text.to_string();
        }
        self.expand_with(text, state, span)
    }

    fn expand_with<E: Env + ?Sized>(&mut self, text: &str, env: &E, span: Span) -> String {
        // Nothing to unquote or expand: BuildKit returns the word unchanged.
        if !text.contains(['$', '\'', '"', self.lexer.escape]) {
            return text.to_string();
        }
        match self.lexer.process_word(text, env) {
            Ok(value) => value,
            Err(err) => {
                self.error(err.to_string(), span);
                text.to_string()
            }
        }
    }

    fn run(mut self, target: Option<&str>) -> Model {
        let mut state = InstructionState::default();
        // The snapshot of `state` the next instructions share until one changes it.
        let mut shared: Option<Arc<InstructionState>> = None;
        let mut current: Option<usize> = None;
        for (index, instruction) in self.file.instructions.iter().enumerate() {
            if instruction.keyword == Keyword::From {
                self.finish_stage(current, index, &state);
                let (stage, initial) = self.start_stage(index, instruction);
                current = Some(stage);
                state = initial;
                shared = None;
            }
            let snapshot = shared.get_or_insert_with(|| Arc::new(state.clone()));
            self.model.states.push(Arc::clone(snapshot));
            self.model.stage_of.push(current);
            match current {
                None => self.global(index, instruction),
                Some(stage) => {
                    self.apply(stage, index, instruction, &mut state);
                    // The only instructions `apply` lets change the state.
                    if matches!(
                        instruction.keyword,
                        Keyword::Arg
                            | Keyword::Env
                            | Keyword::User
                            | Keyword::Workdir
                            | Keyword::Shell
                    ) {
                        shared = None;
                    }
                }
            }
        }
        self.finish_stage(current, self.file.instructions.len(), &state);
        self.model.target = match target {
            Some(name) => {
                let found = self.model.stage_named(name).map(|s| s.index);
                if found.is_none() {
                    self.error(
                        format!("target stage \"{name}\" could not be found"),
                        Span::empty(0),
                    );
                }
                found
            }
            None => self.model.stages.len().checked_sub(1),
        };
        self.model
    }

    fn finish_stage(&mut self, current: Option<usize>, end: usize, state: &InstructionState) {
        if let Some(stage) = current {
            let stage = &mut self.model.stages[stage];
            stage.end = end;
            stage.final_state = state.clone();
            stage.deps.sort_unstable();
            stage.deps.dedup();
        }
    }

    fn global(&mut self, index: usize, instruction: &Instruction) {
        if instruction.keyword != Keyword::Arg {
            return;
        }
        let Args::Words(words) = &instruction.args else {
            return;
        };
        for word in words {
            let (name, default) = split_arg(&word.value);
            let value = match self.build_args.get(name) {
                Some(v) => Some(v.clone()),
                None => default.map(|d| {
                    let env = self.model.global_env.clone();
                    self.expand_with(d, &env, word.span)
                }),
            };
            if let Some(v) = &value {
                self.model.global_env.retain(|(k, _)| k != name);
                self.model.global_env.push((name.to_string(), v.clone()));
            }
            self.model.global_args.push(GlobalArg {
                name: name.to_string(),
                value,
                instruction: index,
            });
        }
    }

    fn start_stage(
        &mut self,
        index: usize,
        instruction: &Instruction,
    ) -> (usize, InstructionState) {
        let stage_index = self.model.stages.len();
        let words: Vec<_> = match &instruction.args {
            Args::Words(words) => words.iter().collect(),
            _ => Vec::new(),
        };
        let env = self.model.global_env.clone();
        let image_text = words
            .first()
            .map_or(String::new(), |w| self.expand_with(&w.value, &env, w.span));
        let name = (words.len() == 3 && words[1].value.eq_ignore_ascii_case("as"))
            .then(|| words[2].value.to_ascii_lowercase());
        let platform = instruction
            .flag("platform")
            .and_then(|f| f.value.clone())
            .map(|p| self.expand_with(&p, &env, instruction.span));
        let lower = image_text.to_ascii_lowercase();
        let base_stage = self
            .model
            .stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index);
        let (base, initial, deps) = if let Some(parent) = base_stage {
            let mut initial = self.model.stages[parent].final_state.clone();
            initial.args.clear();
            (Base::Stage(parent), initial, vec![parent])
        } else if lower == "scratch" {
            (Base::Scratch, InstructionState::default(), Vec::new())
        } else {
            let reference = ImageRef::parse(&image_text);
            if let Some(word) = words.first() {
                self.model.image_uses.push(ImageUse {
                    instruction: index,
                    span: word.span,
                    reference: reference.clone(),
                    kind: ImageUseKind::From,
                });
            }
            (
                Base::Image(reference),
                InstructionState::default(),
                Vec::new(),
            )
        };
        self.model.stages.push(Stage {
            index: stage_index,
            name,
            from: index,
            end: index + 1,
            base,
            platform,
            deps,
            final_state: InstructionState::default(),
        });
        (stage_index, initial)
    }

    /// Resolves a `--from` / `from=` value to a stage, or records an image use.
    fn stage_ref(
        &mut self,
        stage: usize,
        index: usize,
        value: &str,
        span: Span,
        kind: ImageUseKind,
    ) {
        let lower = value.to_ascii_lowercase();
        let found = self.model.stages[..stage]
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index)
            .or_else(|| value.parse::<usize>().ok().filter(|&i| i < stage));
        match found {
            Some(dep) => self.model.stages[stage].deps.push(dep),
            None => self.model.image_uses.push(ImageUse {
                instruction: index,
                span,
                reference: ImageRef::parse(value),
                kind,
            }),
        }
    }

    fn apply(
        &mut self,
        stage: usize,
        index: usize,
        instruction: &Instruction,
        state: &mut InstructionState,
    ) {
        let span = instruction.span;
        match (&instruction.keyword, &instruction.args) {
            (Keyword::Arg, Args::Words(words)) => {
                for word in words {
                    let (name, default) = split_arg(&word.value);
                    let value = if let Some(v) = self.build_args.get(name) {
                        Some(v.clone())
                    } else if let Some(d) = default {
                        Some(self.expand_in(d, state, word.span))
                    } else {
                        self.model
                            .global_args
                            .iter()
                            .rev()
                            .find(|g| g.name == name)
                            .and_then(|g| g.value.clone())
                            .or_else(|| {
                                PLATFORM_ARGS.iter().find(|(k, _)| *k == name).map(|_| {
                                    self.model
                                        .global_env
                                        .iter()
                                        .find(|(k, _)| k == name)
                                        .map(|(_, v)| v.clone())
                                        .unwrap_or_default()
                                })
                            })
                    };
                    state.args.retain(|(k, _)| k != name);
                    state.args.push((name.to_string(), value));
                }
            }
            (Keyword::Env, Args::Pairs(pairs)) => {
                for pair in pairs {
                    let key = self.expand_in(&pair.key.value, state, pair.key.span);
                    let value = self.expand_in(&pair.value.value, state, pair.value.span);
                    state.env.retain(|(k, _)| *k != key);
                    state.env.push((key, value));
                }
            }
            (Keyword::User, Args::Rest(word)) => {
                state.user = Some(self.expand_in(&word.value, state, word.span));
                state.user_at = Some(index);
            }
            (Keyword::Workdir, Args::Rest(word)) => {
                let dir = self.expand_in(&word.value, state, word.span);
                state.workdir = resolve_workdir(&state.workdir, &dir);
            }
            (Keyword::Shell, Args::Exec { items, .. }) => {
                state.shell = items.iter().map(|w| w.value.clone()).collect();
            }
            (Keyword::Copy | Keyword::Add, _) => {
                if let Some(flag) = instruction.flag("from") {
                    let value =
                        self.expand_in(flag.value.as_deref().unwrap_or(""), state, flag.span);
                    self.stage_ref(stage, index, &value, flag.span, ImageUseKind::CopyFrom);
                }
            }
            (Keyword::Run, _) => {
                for flag in instruction.flags_named("mount") {
                    let value =
                        self.expand_in(flag.value.as_deref().unwrap_or(""), state, flag.span);
                    if let Some(from) = mount_option(&value, "from") {
                        let from = from.to_string();
                        self.stage_ref(stage, index, &from, flag.span, ImageUseKind::MountFrom);
                    }
                }
            }
            _ => {}
        }
        let _ = span;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn model(text: &str, args: &[(&str, &str)], target: Option<&str>) -> (Dockerfile, Model) {
        let file = parse(text);
        let args: BTreeMap<String, String> = args
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        let model = Model::build(&file, &args, target);
        (file, model)
    }

    #[test]
    fn stages_and_targets() {
        let text = "ARG BASE=alpine:3.19\nFROM ${BASE} AS Build\nRUN make\nFROM scratch AS tools\nFROM build\nCOPY --from=tools /a /b\nCOPY --from=busybox:1.36 /bin/sh /sh\n";
        let (_, m) = model(text, &[], None);
        assert_eq!(m.stages().len(), 3);
        assert_eq!(m.stages()[0].name.as_deref(), Some("build"));
        assert!(matches!(&m.stages()[0].base, Base::Image(r) if r.original == "alpine:3.19"));
        assert_eq!(m.stages()[1].base, Base::Scratch);
        assert_eq!(m.stages()[2].base, Base::Stage(0));
        assert_eq!(m.stages()[2].deps, vec![0, 1]);
        assert_eq!(m.exported_stages(), vec![0, 1, 2]);
        assert_eq!(m.target().map(|s| s.index), Some(2));
        let uses: Vec<_> = m
            .image_uses()
            .iter()
            .map(|u| (u.reference.original.as_str(), u.kind))
            .collect();
        assert_eq!(
            uses,
            vec![
                ("alpine:3.19", ImageUseKind::From),
                ("busybox:1.36", ImageUseKind::CopyFrom)
            ]
        );

        let (_, m) = model(text, &[("BASE", "debian:12")], Some("TOOLS"));
        assert!(matches!(&m.stages()[0].base, Base::Image(r) if r.original == "debian:12"));
        assert_eq!(m.exported_stages(), vec![1]);
    }

    #[test]
    fn arg_and_env_scoping() {
        let text = "ARG V=1\nARG W\nFROM a\nRUN x\nARG V\nENV E=$V-${W:-none}\nARG L=local\nUSER u$L\nWORKDIR app\nWORKDIR ../srv\nFROM b\nRUN y\n";
        let (_, m) = model(text, &[], None);
        // Before `ARG V` in the stage the global value is not visible.
        assert_eq!(m.expand(3, "$V").as_deref(), Ok(""));
        assert_eq!(m.state_before(6).env_value("E"), Some("1-none"));
        let end = &m.stages()[0].final_state;
        assert_eq!(end.user.as_deref(), Some("ulocal"));
        assert_eq!(end.workdir, "/srv");
        // A new stage starts clean.
        assert_eq!(m.state_before(11).env, Vec::new());
        assert_eq!(m.state_before(11).user, None);
        // Build args override defaults; ENV wins over ARG.
        let (_, m) = model("FROM a\nARG X=d\nENV X=env\nRUN x\n", &[("X", "cli")], None);
        assert_eq!(m.expand(3, "$X").as_deref(), Ok("env"));
        assert_eq!(m.expand(2, "$X").as_deref(), Ok("cli"));
    }

    #[test]
    fn inherited_stage_state_and_mounts() {
        let text = "FROM a AS base\nUSER 1000\nENV P=/x\nSHELL [\"/bin/bash\", \"-c\"]\nFROM base\nRUN --mount=type=cache,from=base,target=/c true\nRUN --mount=from=ghcr.io/o/i:1,target=/i true\n";
        let (_, m) = model(text, &[], None);
        let state = m.state_before(5);
        assert_eq!(state.user.as_deref(), Some("1000"));
        assert_eq!(state.env_value("P"), Some("/x"));
        assert_eq!(state.shell, vec!["/bin/bash", "-c"]);
        assert_eq!(m.stages()[1].deps, vec![0]);
        assert_eq!(
            m.image_uses().last().map(|u| u.kind),
            Some(ImageUseKind::MountFrom)
        );
    }

    #[test]
    fn expansion_errors_are_located() {
        let (file, m) = model("FROM ${X:?oops}\n", &[], None);
        assert_eq!(m.errors().len(), 1);
        assert_eq!(m.errors()[0].span.text(&file.source), Some("${X:?oops}"));
    }

    #[test]
    fn platform_args() {
        let (_, m) = model(
            "FROM --platform=$BUILDPLATFORM a\nARG TARGETARCH\nRUN x\n",
            &[],
            None,
        );
        assert_eq!(m.stages()[0].platform.as_deref(), Some("linux/amd64"));
        assert_eq!(m.expand(2, "$TARGETARCH").as_deref(), Ok("amd64"));
    }
}
