//! Subrequests: answers to the `requestid` frontend option (BuildKit's `dockerui`
//! `HandleSubrequest`), returned as metadata only — `result.json`, `result.txt`, `version`, and
//! for lint `result.statuscode`.
//!
//! The JSON shapes are BuildKit's (`frontend/subrequests/{types.go,outline,targets,lint}`), so
//! `docker buildx build --print=outline|targets|subrequests.describe` (buildx 0.13) and
//! `--call=outline|targets|check` (buildx ≥ 0.15) print hardfile's answers. `frontend.lint`
//! carries hardfile's own findings (`lints::check`), one warning per diagnostic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hardfile_lints::check::check;
use hardfile_lints::config::{Config, Profile};
use hardfile_lints::diagnostic::rule_docs_url;
use hardfile_lints::model::{Base, Model};
use hardfile_lints::rules;
use hardfile_lints::syntax::{self, Args, Dockerfile, Instruction, Keyword, LineIndex, Span};
use hardfile_lints::words::Lexer;
use serde::Serialize;

use crate::bridge::Gateway;
use crate::convert::mounts::{MountType, parse_mount};
use crate::convert::{ConvertError, span_lines};
use crate::dockerfile_source::load_dockerfile;
use crate::errors::{DOCKERFILE_LANGUAGE, FrontendError, SourceRange};
use crate::options::Options;
use crate::result::{
    BuildResult, META_RESULT_JSON, META_RESULT_STATUS_CODE, META_RESULT_TXT, META_VERSION,
};

/// `frontend.subrequests.describe`: the list of supported subrequests.
pub const DESCRIBE: &str = "frontend.subrequests.describe";
/// `frontend.outline`: the parameters (ARGs, secrets, SSH) the target uses.
pub const OUTLINE: &str = "frontend.outline";
/// `frontend.targets`: the stages.
pub const TARGETS: &str = "frontend.targets";
/// `frontend.lint`: hardfile's findings in BuildKit's lint result shape.
pub const LINT: &str = "frontend.lint";

/// The version every answer carries (all four are `1.0.0` in BuildKit).
const VERSION: &str = "1.0.0";

/// Answers subrequest `request`: metadata only, or [`FrontendError::UnsupportedSubrequest`].
pub async fn handle(
    gateway: &mut Gateway,
    options: &Options,
    request: &str,
) -> Result<BuildResult, FrontendError> {
    if request == DESCRIBE {
        return describe();
    }
    if ![OUTLINE, TARGETS, LINT].contains(&request) {
        return Err(FrontendError::UnsupportedSubrequest {
            name: request.to_owned(),
        });
    }
    let dockerfile = load_dockerfile(gateway, options).await?;
    let text = String::from_utf8_lossy(&dockerfile.data).into_owned();
    match request {
        OUTLINE => outline(&text, options),
        TARGETS => targets(&text),
        _ => lint(&text, &dockerfile.filename, options),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON shapes

/// `subrequests.Named`.
#[derive(Debug, Clone, Serialize)]
struct Named {
    name: &'static str,
    description: &'static str,
}

/// `subrequests.Request`; `None` lists are Go's nil slices (`null`).
#[derive(Debug, Clone, Serialize)]
struct Request {
    name: &'static str,
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'static str,
    opts: Option<Vec<Named>>,
    inputs: Option<Vec<Named>>,
    metadata: Option<Vec<Named>>,
    refs: Option<Vec<Named>>,
}

fn metadata_names(names: &[&'static str]) -> Vec<Named> {
    names
        .iter()
        .map(|name| Named {
            name,
            description: "",
        })
        .collect()
}

fn request(
    name: &'static str,
    description: &'static str,
    opts: Option<Vec<Named>>,
    metadata: &[&'static str],
) -> Request {
    Request {
        name,
        version: VERSION,
        kind: "rpc",
        description,
        opts,
        inputs: None,
        metadata: Some(metadata_names(metadata)),
        refs: None,
    }
}

/// The requests hardfile answers, with BuildKit's definitions (`describe` last, as BuildKit).
fn supported() -> Vec<Request> {
    vec![
        request(
            OUTLINE,
            "List all parameters current build target supports",
            Some(vec![Named {
                name: "target",
                description: "Target build stage",
            }]),
            &[META_RESULT_JSON, META_RESULT_TXT],
        ),
        request(
            TARGETS,
            "List all targets current build supports",
            Some(Vec::new()),
            &[META_RESULT_JSON, META_RESULT_TXT],
        ),
        request(
            LINT,
            "Lint a Dockerfile",
            Some(Vec::new()),
            &[META_RESULT_JSON, META_RESULT_TXT, META_RESULT_STATUS_CODE],
        ),
        request(
            DESCRIBE,
            "List available subrequest types",
            None,
            &[META_RESULT_JSON, META_RESULT_TXT],
        ),
    ]
}

/// `pb.Location`: Go omits a zero `sourceIndex` and empty `ranges`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Location {
    #[serde(rename = "sourceIndex", skip_serializing_if = "is_zero")]
    source_index: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<SourceRange>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(value: &i32) -> bool {
    *value == 0
}

impl Location {
    /// BuildKit's `node.Location()`: one range over the instruction's lines, in source 0.
    fn of(index: &LineIndex, span: Span) -> Self {
        let (first, last) = span_lines(index, span);
        Self {
            source_index: 0,
            ranges: vec![SourceRange::lines(first, last)],
        }
    }

    fn first_line(&self) -> u32 {
        self.ranges.first().map_or(0, |r| r.start.line)
    }
}

/// `outline.Arg`.
#[derive(Debug, Clone, Serialize)]
struct OutlineArg {
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    value: String,
    location: Location,
}

/// `outline.Secret` and `outline.SSH` (same shape).
#[derive(Debug, Clone, Serialize)]
struct OutlineMount {
    name: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    required: bool,
    location: Location,
}

/// `outline.Outline`.
#[derive(Debug, Clone, Serialize)]
struct Outline {
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<OutlineArg>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<OutlineMount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ssh: Vec<OutlineMount>,
    /// Base64 of each source (`[][]byte`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sources: Vec<String>,
}

/// `targets.Target`.
#[derive(Debug, Clone, Serialize)]
struct Target {
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    default: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    base: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    platform: String,
    location: Location,
}

/// `targets.List`.
#[derive(Debug, Clone, Serialize)]
struct TargetList {
    targets: Vec<Target>,
    sources: Vec<String>,
}

/// `lint.Warning`.
#[derive(Debug, Clone, Serialize)]
struct LintWarning {
    #[serde(rename = "ruleName")]
    rule_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    detail: String,
    location: Location,
}

/// `pb.SourceInfo` as JSON (`data` base64; the loading definition is left out).
#[derive(Debug, Clone, Serialize)]
struct LintSource {
    filename: String,
    data: String,
    language: &'static str,
}

/// `lint.BuildError`.
#[derive(Debug, Clone, Serialize)]
struct LintBuildError {
    message: String,
    location: Location,
}

/// `lint.LintResults`.
#[derive(Debug, Clone, Serialize)]
struct LintResults {
    warnings: Vec<LintWarning>,
    sources: Vec<LintSource>,
    #[serde(rename = "buildError", skip_serializing_if = "Option::is_none")]
    build_error: Option<LintBuildError>,
}

fn answer(json: &impl Serialize, text: String) -> Result<BuildResult, FrontendError> {
    let json = serde_json::to_vec_pretty(json)
        .map_err(|error| FrontendError::Message(format!("cannot encode the answer: {error}")))?;
    Ok(BuildResult::metadata_only()
        .with_metadata(META_RESULT_JSON, json)
        .with_metadata(META_RESULT_TXT, text)
        .with_metadata(META_VERSION, VERSION))
}

// ---------------------------------------------------------------------------------------------
// Answers

/// `frontend.subrequests.describe`.
pub fn describe() -> Result<BuildResult, FrontendError> {
    let all = supported();
    let mut rows = vec![vec![
        "NAME".to_owned(),
        "VERSION".to_owned(),
        "DESCRIPTION".to_owned(),
    ]];
    for r in &all {
        rows.push(vec![
            r.name.trim_start_matches("frontend.").to_owned(),
            r.version.to_owned(),
            r.description.to_owned(),
        ]);
    }
    answer(&all, tabwrite(&rows, 1))
}

/// `frontend.targets`: every stage; the last is the default.
pub fn targets(text: &str) -> Result<BuildResult, FrontendError> {
    let file = syntax::parse(text);
    let index = LineIndex::new(text);
    let froms: Vec<&Instruction> = file
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::From)
        .collect();
    let count = froms.len();
    let list = TargetList {
        targets: froms
            .into_iter()
            .enumerate()
            .map(|(i, from)| {
                let words = words(from);
                let name = stage_name(&words);
                Target {
                    description: doc_comment(&from.prev_comments, &name),
                    name,
                    default: i + 1 == count,
                    base: words.first().map(|w| (*w).to_owned()).unwrap_or_default(),
                    platform: from
                        .flag("platform")
                        .and_then(|f| f.value.clone())
                        .unwrap_or_default(),
                    location: Location::of(&index, from.span),
                }
            })
            .collect(),
        sources: vec![BASE64.encode(text)],
    };
    let mut rows = vec![vec!["TARGET".to_owned(), "DESCRIPTION".to_owned()]];
    for t in &list.targets {
        let name = match (t.name.is_empty(), t.default) {
            (true, true) => "(default)".to_owned(),
            (false, true) => format!("{} (default)", t.name),
            _ => t.name.clone(),
        };
        rows.push(vec![name, t.description.clone()]);
    }
    answer(&list, tabwrite(&rows, 1))
}

/// `frontend.outline`: what the target stage (and the stages it uses) takes as parameters.
pub fn outline(text: &str, options: &Options) -> Result<BuildResult, FrontendError> {
    let file = syntax::parse(text);
    let model = Model::build(&file, &options.build_args, options.target.as_deref());
    let Some(target) = model.target() else {
        return Err(FrontendError::Message(match &options.target {
            Some(t) => format!("target stage \"{t}\" could not be found"),
            None => "the Dockerfile has no stages".to_owned(),
        }));
    };
    let collector = OutlineCollector::new(&file, &model, options);
    let mut out = Outline {
        name: target.name.clone().unwrap_or_default(),
        description: String::new(),
        args: Vec::new(),
        secrets: Vec::new(),
        ssh: Vec::new(),
        sources: vec![BASE64.encode(text)],
    };
    if let Some(from) = file.instructions.get(target.from) {
        out.description = doc_comment(&from.prev_comments, &out.name);
    }
    let mut seen = Seen::default();
    let mut visited_stages = BTreeSet::new();
    collector.visit(target.index, &mut visited_stages, &mut seen, &mut out);
    out.args.sort_by_key(|a| a.location.first_line());
    out.secrets.sort_by_key(|s| s.location.first_line());
    out.ssh.sort_by_key(|s| s.location.first_line());
    let txt = outline_text(&out);
    answer(&out, txt)
}

/// `frontend.lint`: hardfile's findings (profile `dev`) as BuildKit lint warnings.
pub fn lint(text: &str, filename: &str, options: &Options) -> Result<BuildResult, FrontendError> {
    let file = syntax::parse(text);
    let index = LineIndex::new(text);
    let config = Config {
        profile: Profile::Dev,
        build_args: options.build_args.clone(),
        target: options.target.clone(),
        ..Config::default()
    };
    let report = check(&file, &config, None);
    // A file BuildKit would refuse is a build error, as BuildKit's lint reports a failed conversion.
    let fatal = file
        .diagnostics
        .iter()
        .find(|d| d.severity == syntax::SyntaxSeverity::Error)
        .map(|d| (d.message.clone(), d.span));
    let build_error = fatal.as_ref().map(|(message, span)| LintBuildError {
        message: message.clone(),
        location: Location::of(&index, *span),
    });
    let warnings: Vec<LintWarning> = report
        .diagnostics
        .iter()
        .filter(|d| !(d.code == "HF000" && fatal.as_ref().is_some_and(|(_, s)| *s == d.span)))
        .map(|d| LintWarning {
            rule_name: format!("{}/{}", d.code, d.name),
            description: rules::by_code(d.code)
                .map(|meta| meta.summary.to_owned())
                .unwrap_or_default(),
            url: rule_docs_url(d.code),
            detail: d.message.clone(),
            location: Location::of(&index, d.span),
        })
        .collect();
    let results = LintResults {
        warnings,
        sources: vec![LintSource {
            filename: filename.to_owned(),
            data: BASE64.encode(text),
            language: DOCKERFILE_LANGUAGE,
        }],
        build_error,
    };
    let status = if results.warnings.is_empty() && results.build_error.is_none() {
        "0"
    } else {
        "1"
    };
    let txt = lint_text(&results, filename, text);
    Ok(answer(&results, txt)?.with_metadata(META_RESULT_STATUS_CODE, status))
}

// ---------------------------------------------------------------------------------------------
// Outline collection (`dockerfile2llb/outline.go`)

/// What BuildKit records about one ARG (`argInfo`).
#[derive(Debug, Clone)]
struct ArgInfo {
    name: String,
    value: Option<String>,
    description: String,
    location: Location,
    /// Global ARGs its default refers to.
    deps: BTreeSet<String>,
}

/// Names already reported (BuildKit's `visited` maps: the first stage reporting a name wins).
#[derive(Debug, Default)]
struct Seen {
    args: BTreeSet<String>,
    secrets: BTreeSet<String>,
    ssh: BTreeSet<String>,
}

struct OutlineCollector<'a> {
    file: &'a Dockerfile,
    model: &'a Model,
    options: &'a Options,
    index: LineIndex,
    /// Global ARGs (`buildMetaArgs`'s `allArgs`).
    globals: BTreeMap<String, ArgInfo>,
    /// Global values (for FROM expansion and stage ARG inheritance).
    global_env: Vec<(String, String)>,
}

impl<'a> OutlineCollector<'a> {
    fn new(file: &'a Dockerfile, model: &'a Model, options: &'a Options) -> Self {
        let index = LineIndex::new(&file.source);
        let lexer = Lexer::new(file.escape);
        let mut globals = BTreeMap::new();
        let mut env: Vec<(String, String)> = Vec::new();
        for (i, instruction) in file.instructions.iter().enumerate() {
            if instruction.keyword == Keyword::From {
                break;
            }
            if instruction.keyword != Keyword::Arg {
                continue;
            }
            for word in words(instruction) {
                let (name, default) = split_arg(word);
                let mut deps = BTreeSet::new();
                let value = if let Some(v) = options.build_args.get(name) {
                    Some(v.clone())
                } else if let Some(default) = default {
                    let expanded = lexer.process_word_with_matches(default, &env);
                    // The model has the value BuildKit computes (platform ARGs included).
                    let modelled = model
                        .global_args()
                        .iter()
                        .find(|g| g.instruction == i && g.name == name)
                        .and_then(|g| g.value.clone());
                    match expanded {
                        Ok(expansion) => {
                            deps = expansion.matched;
                            deps.remove(name);
                            if let Some(old) = globals.get(name).map(|a: &ArgInfo| &a.deps) {
                                deps.extend(old.iter().cloned());
                            }
                            modelled.or(Some(expansion.result))
                        }
                        Err(_) => modelled,
                    }
                } else {
                    None
                };
                if let Some(v) = &value {
                    env.retain(|(k, _)| k != name);
                    env.push((name.to_owned(), v.clone()));
                }
                globals.insert(
                    name.to_owned(),
                    ArgInfo {
                        name: name.to_owned(),
                        value,
                        description: doc_comment(&instruction.prev_comments, name),
                        location: Location::of(&index, instruction.span),
                        deps,
                    },
                );
            }
        }
        Self {
            file,
            model,
            options,
            index,
            globals,
            global_env: env,
        }
    }

    /// Collects stage `stage`, then its base stage and the stages it uses.
    fn visit(
        &self,
        stage: usize,
        visited_stages: &mut BTreeSet<usize>,
        seen: &mut Seen,
        out: &mut Outline,
    ) {
        if !visited_stages.insert(stage) {
            return;
        }
        let Some(info) = self.model.stages().get(stage) else {
            return;
        };
        self.collect_stage(info.from, info.end, seen, out);
        let mut next = Vec::new();
        if let Base::Stage(base) = info.base {
            next.push(base);
        }
        next.extend(info.deps.iter().copied());
        for dep in next {
            self.visit(dep, visited_stages, seen, out);
        }
    }

    fn collect_stage(&self, from: usize, end: usize, seen: &mut Seen, out: &mut Outline) {
        let lexer = Lexer::new(self.file.escape);
        let mut all: BTreeMap<String, ArgInfo> = self.globals.clone();
        let mut used: BTreeSet<String> = BTreeSet::new();
        // Global ARGs the FROM line uses (image and `--platform`).
        if let Some(instruction) = self.file.instructions.get(from) {
            let mut texts: Vec<&str> = words(instruction).into_iter().take(1).collect();
            if let Some(platform) = instruction
                .flag("platform")
                .and_then(|f| f.value.as_deref())
            {
                texts.push(platform);
            }
            for text in texts {
                if let Ok(expansion) = lexer.process_word_with_matches(text, &self.global_env) {
                    used.extend(expansion.matched);
                }
            }
        }
        for i in from + 1..end {
            let Some(instruction) = self.file.instructions.get(i) else {
                break;
            };
            match instruction.keyword {
                Keyword::Arg => {
                    for word in words(instruction) {
                        let (name, default) = split_arg(word);
                        used.insert(name.to_owned());
                        let value = match (self.options.build_args.get(name), default) {
                            (Some(v), _) => Some(v.clone()),
                            (None, Some(d)) => {
                                Some(self.model.expand(i, d).unwrap_or_else(|_| d.to_owned()))
                            }
                            (None, None) => {
                                if self.global_env.iter().any(|(k, _)| k == name) {
                                    // Inherited from the global scope: the global's info stays.
                                    continue;
                                }
                                None
                            }
                        };
                        all.insert(
                            name.to_owned(),
                            ArgInfo {
                                name: name.to_owned(),
                                value,
                                description: doc_comment(&instruction.prev_comments, name),
                                location: Location::of(&self.index, instruction.span),
                                deps: BTreeSet::new(),
                            },
                        );
                    }
                }
                Keyword::Run => self.collect_mounts(i, instruction, seen, out),
                _ => {}
            }
        }
        // `markAllUsed`: the global ARGs a used ARG's default refers to are used too.
        let mut stack: Vec<String> = used.iter().cloned().collect();
        while let Some(name) = stack.pop() {
            if let Some(info) = all.get(&name) {
                for dep in &info.deps {
                    if used.insert(dep.clone()) {
                        stack.push(dep.clone());
                    }
                }
            }
        }
        for name in used {
            if let Some(info) = all.get(&name)
                && seen.args.insert(name.clone())
            {
                out.args.push(OutlineArg {
                    name: info.name.clone(),
                    description: info.description.clone(),
                    value: info.value.clone().unwrap_or_default(),
                    location: info.location.clone(),
                });
            }
        }
    }

    /// Secret and SSH mounts of a RUN (`dispatchSecret`, `dispatchSSH`).
    fn collect_mounts(
        &self,
        index: usize,
        instruction: &Instruction,
        seen: &mut Seen,
        out: &mut Outline,
    ) {
        for flag in instruction.flags_named("mount") {
            let Some(value) = &flag.value else {
                continue;
            };
            let expand = |text: &str| {
                self.model
                    .expand(index, text)
                    .map_err(|error| ConvertError::new(error.to_string()))
            };
            let Ok(mount) = parse_mount(value, &expand) else {
                continue;
            };
            let location = Location::of(&self.index, instruction.span);
            match mount.kind {
                MountType::Secret => {
                    let id = if !mount.source.is_empty() {
                        mount.source.clone()
                    } else if !mount.cache_id.is_empty() {
                        mount.cache_id.clone()
                    } else {
                        base_name(&mount.target)
                    };
                    if !id.is_empty() && seen.secrets.insert(id.clone()) {
                        out.secrets.push(OutlineMount {
                            name: id,
                            required: mount.required,
                            location,
                        });
                    }
                }
                MountType::Ssh => {
                    let id = if mount.cache_id.is_empty() {
                        "default".to_owned()
                    } else {
                        mount.cache_id.clone()
                    };
                    if seen.ssh.insert(id.clone()) {
                        out.ssh.push(OutlineMount {
                            name: id,
                            required: mount.required,
                            location,
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The words of a FROM or ARG instruction.
fn words(instruction: &Instruction) -> Vec<&str> {
    match &instruction.args {
        Args::Words(words) => words.iter().map(|w| w.value.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// `FROM image AS name`: the lower-cased name, as BuildKit stores it.
fn stage_name(words: &[&str]) -> String {
    if words.len() == 3 && words[1].eq_ignore_ascii_case("as") {
        words[2].to_ascii_lowercase()
    } else {
        String::new()
    }
}

fn split_arg(word: &str) -> (&str, Option<&str>) {
    match word.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (word, None),
    }
}

/// BuildKit's `getDocComment`: the comment line above that starts with `<name> `, minus it.
fn doc_comment(comments: &[String], name: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    let prefix = format!("{name} ");
    comments
        .iter()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(str::to_owned)
        .unwrap_or_default()
}

/// Go's `path.Base`.
fn base_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() {
            String::new()
        } else {
            "/".to_owned()
        };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// Go's `text/tabwriter` with minwidth 0, padchar ' ' and no flags: every cell but the last of a
/// row is padded to its column's widest cell plus `padding`.
fn tabwrite(rows: &[Vec<String>], padding: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (j, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            let width = cell.chars().count() + padding;
            if widths.len() <= j {
                widths.resize(j + 1, 0);
            }
            widths[j] = widths[j].max(width);
        }
    }
    let mut out = String::new();
    for row in rows {
        let last = row.len().saturating_sub(1);
        for (j, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if j < last {
                let pad = widths[j].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// `outline.PrintOutline`.
fn outline_text(o: &Outline) -> String {
    let mut out = String::new();
    if !o.name.is_empty() || !o.description.is_empty() {
        let name = if o.name.is_empty() {
            "(default)".to_owned()
        } else {
            o.name.clone()
        };
        let mut rows = vec![vec!["TARGET:".to_owned(), name]];
        if !o.description.is_empty() {
            rows.push(vec!["DESCRIPTION:".to_owned(), o.description.clone()]);
        }
        out.push_str(&tabwrite(&rows, 1));
        out.push('\n');
    }
    if !o.args.is_empty() {
        let mut rows = vec![vec![
            "BUILD ARG".to_owned(),
            "VALUE".to_owned(),
            "DESCRIPTION".to_owned(),
        ]];
        rows.extend(
            o.args
                .iter()
                .map(|a| vec![a.name.clone(), a.value.clone(), a.description.clone()]),
        );
        out.push_str(&tabwrite(&rows, 3));
        out.push('\n');
    }
    for (title, mounts) in [("SECRET", &o.secrets), ("SSH", &o.ssh)] {
        if mounts.is_empty() {
            continue;
        }
        let mut rows = vec![vec![title.to_owned(), "REQUIRED".to_owned()]];
        rows.extend(mounts.iter().map(|m| {
            vec![
                m.name.clone(),
                if m.required { "true" } else { "" }.to_owned(),
            ]
        }));
        out.push_str(&tabwrite(&rows, 3));
        out.push('\n');
    }
    out
}

/// `LintResults.PrintTo`: warnings by line, each with its framed snippet.
fn lint_text(results: &LintResults, filename: &str, text: &str) -> String {
    let mut warnings: Vec<&LintWarning> = results.warnings.iter().collect();
    warnings.sort_by_key(|w| w.location.first_line());
    let mut out = String::new();
    for w in warnings {
        let _ = write!(out, "\nWARNING: {}", w.rule_name);
        if !w.url.is_empty() {
            let _ = write!(out, " - {}", w.url);
        }
        let _ = writeln!(out, "\n{}", w.detail);
        print_source(&mut out, filename, text, &w.location.ranges);
    }
    out
}

/// `errdefs.Source.Print`: `file:line`, then the lines around the ranges, marked `>>>`.
fn print_source(out: &mut String, filename: &str, text: &str, ranges: &[SourceRange]) {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(mut start) = ranges.iter().map(|r| r.start.line as usize).min() else {
        return;
    };
    let mut end = ranges
        .iter()
        .map(|r| r.end.line.max(r.start.line) as usize)
        .max()
        .unwrap_or(start);
    if start > lines.len() || start < 1 {
        return;
    }
    end = end.min(lines.len());
    let pad = if end == start { 4 } else { 2 };
    let first = start;
    let mut p = 0;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != lines.len() {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    let _ = write!(out, "{filename}:{first}\n--------------------\n");
    for i in start..=end {
        let marked = ranges.iter().any(|r| {
            let last = r.end.line.max(r.start.line) as usize;
            (r.start.line as usize) <= i && i <= last
        });
        let prefix = if marked { ">>>" } else { "   " };
        let _ = writeln!(out, " {i:>3} | {prefix} {}", lines[i - 1]);
    }
    out.push_str("--------------------\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_pads_all_but_the_last_column() {
        let rows = vec![
            vec!["NAME".to_owned(), "V".to_owned(), "D".to_owned()],
            vec!["outline".to_owned(), "1.0.0".to_owned(), "x".to_owned()],
        ];
        assert_eq!(tabwrite(&rows, 1), "NAME    V     D\noutline 1.0.0 x\n");
    }

    #[test]
    fn doc_comment_needs_the_name_prefix() {
        let comments = vec!["build compiles it".to_owned(), "other".to_owned()];
        assert_eq!(doc_comment(&comments, "build"), "compiles it");
        assert_eq!(doc_comment(&comments, "other"), "");
        assert_eq!(doc_comment(&comments, ""), "");
    }

    #[test]
    fn lint_reports_a_refused_file_as_build_error() {
        let text = "FROM busybox\nCOPY onlyone\n";
        let result = lint(text, "Dockerfile", &Options::default()).expect("answer");
        let json: serde_json::Value =
            serde_json::from_slice(&result.metadata[META_RESULT_JSON]).expect("json");
        let error = &json["buildError"];
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("COPY requires at least two arguments")),
            "{json}"
        );
        assert_eq!(error["location"]["ranges"][0]["start"]["line"], 2);
        assert_eq!(result.metadata[META_RESULT_STATUS_CODE], b"1");
        let warnings = json["warnings"].as_array().expect("warnings");
        assert!(
            warnings
                .iter()
                .all(|w| w["location"]["ranges"][0]["start"]["line"] != 2
                    || !w["ruleName"].as_str().unwrap_or("").starts_with("HF000")),
            "the build error is not repeated as a warning: {json}"
        );
    }

    #[test]
    fn base_name_like_go() {
        assert_eq!(base_name("/run/secrets/token"), "token");
        assert_eq!(base_name("token/"), "token");
        assert_eq!(base_name(""), "");
    }
}
