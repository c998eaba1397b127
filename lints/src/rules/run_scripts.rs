//! The shell scripts of a `RUN`, parsed once per instruction, with offsets mapped back to
//! the Dockerfile.
//!
//! BuildKit hands `/bin/sh -c` (or the `SHELL`) one string per RUN:
//! * shell form: the rest of the line with continuations joined;
//! * `RUN <<EOF` alone: the heredoc body (run as a file when it starts with a shebang);
//! * shell form with heredocs (`RUN cat <<EOF > /f`): the line, then for each heredoc a
//!   line break, its body and its delimiter;
//! * exec form `["sh", "-c", "<script>"]`: the string.
//!
//! [`RunScript`] keeps the text the shell sees, its [`Script`] model and a map from script
//! offsets to source offsets. Diagnostics use [`RunScript::span`] (exact where possible,
//! the instruction's arguments otherwise); fixes use [`RunScript::exact_span`] and the
//! insertion helpers, which refuse anything that does not land on the same bytes in the
//! Dockerfile — a fix never edits across a line continuation or a place it cannot map.

use crate::rules::{Context, InstructionRef};
use std::sync::Arc;

use crate::shell::{Command, ParseOptions, Script, Statement};
use crate::syntax::{Args, Instruction, Keyword, Span};

/// A run of script text copied verbatim from one place in the source.
#[derive(Clone, Copy, Debug)]
struct Segment {
    script: usize,
    source: usize,
    len: usize,
}

/// One script a RUN executes.
#[derive(Debug)]
pub struct RunScript {
    /// The text the shell runs.
    pub text: String,
    /// Its command model (shared with the [`crate::shell::ScriptCache`], when there is one).
    pub script: Arc<Script>,
    /// Where findings go when a script offset cannot be mapped.
    pub fallback: Span,
    segments: Vec<Segment>,
}

impl RunScript {
    fn new(
        cx: &Context<'_>,
        text: String,
        options: ParseOptions,
        fallback: Span,
        segments: Vec<Segment>,
    ) -> Self {
        let script = match cx.script_cache() {
            Some(cache) => cache.parse(&text, options),
            None => Arc::new(Script::parse_with(&text, options)),
        };
        Self {
            text,
            script,
            fallback,
            segments,
        }
    }

    /// Source offset of the script byte at `at`.
    fn start_of(&self, at: usize) -> Option<usize> {
        self.segments
            .iter()
            .find(|s| at >= s.script && at < s.script + s.len)
            .map(|s| s.source + (at - s.script))
    }

    /// Source offset just after the script byte before `at`.
    fn end_of(&self, at: usize) -> Option<usize> {
        if at == 0 {
            return None;
        }
        self.segments
            .iter()
            .find(|s| at > s.script && at <= s.script + s.len)
            .map(|s| s.source + (at - s.script))
    }

    /// The source range of a script range, for a diagnostic: exact when both ends map,
    /// the instruction's arguments otherwise.
    pub fn span(&self, span: Span) -> Span {
        if span.is_empty() {
            return self.start_of(span.start).map_or(self.fallback, Span::empty);
        }
        match (self.start_of(span.start), self.end_of(span.end)) {
            (Some(start), Some(end)) if start < end => Span::new(start, end),
            _ => self.fallback,
        }
    }

    /// The source range holding exactly the bytes of script range `span` (no continuation
    /// or anything else in between); `None` when there is none. Safe to edit.
    pub fn exact_span(&self, source: &str, span: Span) -> Option<Span> {
        let wanted = self.text.get(span.start..span.end)?;
        if span.is_empty() {
            return self.start_of(span.start).map(Span::empty);
        }
        let start = self.start_of(span.start)?;
        let end = self.end_of(span.end)?;
        let mapped = Span::new(start, end);
        (end >= start && mapped.len() == span.len() && mapped.text(source) == Some(wanted))
            .then_some(mapped)
    }

    /// The source offset right after script byte `at - 1` (to insert after a word).
    pub fn insert_after(&self, at: usize) -> Option<usize> {
        self.end_of(at)
    }

    /// The source offset of script byte `at` (to insert before a word).
    pub fn insert_before(&self, at: usize) -> Option<usize> {
        self.start_of(at)
    }

    /// The script text of `span`.
    pub fn text_of(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The commands of the script.
    pub fn commands(&self) -> &[Command] {
        self.script.commands()
    }

    /// The top-level statements of the script.
    pub fn statements(&self) -> &[Statement] {
        self.script.statements()
    }
}

/// Whether a `SHELL` (or shebang) program is a POSIX-style shell the parser understands.
pub fn is_posix_shell(program: &str) -> bool {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// Whether `shell` (a `SHELL` vector) turns `pipefail` on: `["/bin/bash", "-o", "pipefail",
/// "-c"]`, `-eo pipefail`, `-euxo pipefail`.
pub fn shell_has_pipefail(shell: &[String]) -> bool {
    shell
        .windows(2)
        .any(|pair| pair[1] == "pipefail" && pair[0].starts_with('-') && pair[0].ends_with('o'))
}

/// The scripts of a RUN (empty for other instructions and non-POSIX shells).
pub fn run_scripts<'c>(cx: &'c Context<'_>, at: &InstructionRef<'_>) -> &'c [RunScript] {
    let cache = cx.run_scripts.get_or_init(|| build_all(cx));
    // Built in instruction order (an ONBUILD body after its instruction), so sorted.
    cache
        .binary_search_by_key(&(at.index, at.onbuild), |(index, onbuild, _)| {
            (*index, *onbuild)
        })
        .map_or(&[], |found| cache[found].2.as_slice())
}

pub(crate) type Cache = Vec<(usize, bool, Vec<RunScript>)>;

fn build_all(cx: &Context<'_>) -> Cache {
    let mut cache = Vec::new();
    // Whether a SHELL instruction came before (in any stage), kept as we go.
    let mut explicit_shell = false;
    for (index, instruction) in cx.file.instructions.iter().enumerate() {
        if instruction.keyword == Keyword::Run {
            cache.push((
                index,
                false,
                scripts_of(cx, index, instruction, explicit_shell),
            ));
        }
        if let Some(inner) = instruction.onbuild_inner()
            && inner.keyword == Keyword::Run
        {
            cache.push((index, true, scripts_of(cx, index, inner, explicit_shell)));
        }
        explicit_shell |= instruction.keyword == Keyword::Shell;
    }
    cache
}

/// Whether the stage of instruction `index` builds on a Windows base image, whose default
/// shell is `cmd` (the model only knows the Linux default).
fn on_windows(cx: &Context<'_>, index: usize) -> bool {
    let Some(stage) = cx
        .model
        .stage_of(index)
        .and_then(|s| cx.model.stages().get(s))
    else {
        return false;
    };
    crate::rules::helpers::is_windows_base(crate::rules::helpers::root_base(cx, stage))
}

fn scripts_of(
    cx: &Context<'_>,
    index: usize,
    instruction: &Instruction,
    explicit_shell: bool,
) -> Vec<RunScript> {
    let source = cx.source();
    let shell = &cx.model.state_before(index).shell;
    // `# escape=`` is the Windows convention (backslash is the path separator there).
    if !explicit_shell && (cx.file.escape == '`' || on_windows(cx, index)) {
        return Vec::new();
    }
    let options = ParseOptions {
        pipefail: shell_has_pipefail(shell),
    };
    match &instruction.args {
        Args::Rest(word) => {
            if !shell.first().is_some_and(|s| is_posix_shell(s)) {
                return Vec::new();
            }
            let fallback = word.span;
            let Some(mut segments) = line_segments(source, word.span.start, &word.value, cx) else {
                return vec![RunScript::new(
                    cx,
                    word.value.clone(),
                    options,
                    fallback,
                    Vec::new(),
                )];
            };
            if instruction.heredocs.is_empty() {
                return vec![RunScript::new(
                    cx,
                    word.value.clone(),
                    options,
                    fallback,
                    segments,
                )];
            }
            if let Some(first) = instruction.heredocs.first()
                && word.value.trim()
                    == source
                        .get(first.marker.start..first.marker.end)
                        .unwrap_or("")
                && instruction.heredocs.len() == 1
            {
                // `RUN <<EOF`: the body is the script (a file run by its shebang).
                let body = &first.content;
                if let Some(shebang) = body.strip_prefix("#!") {
                    let line = shebang.lines().next().unwrap_or("");
                    let mut parts = line.split_whitespace();
                    let program = parts.next().unwrap_or("");
                    let program = if program.ends_with("/env") {
                        parts.next().unwrap_or("")
                    } else {
                        program
                    };
                    if !is_posix_shell(program) {
                        return Vec::new();
                    }
                }
                let body_segments =
                    if source.get(first.body.start..first.body.end) == Some(body.as_str()) {
                        vec![Segment {
                            script: 0,
                            source: first.body.start,
                            len: body.len(),
                        }]
                    } else {
                        Vec::new()
                    };
                return vec![RunScript::new(
                    cx,
                    body.clone(),
                    options,
                    first.body,
                    body_segments,
                )];
            }
            // The line, then `\n` + body + delimiter per heredoc.
            let mut text = word.value.clone();
            for heredoc in &instruction.heredocs {
                text.push('\n');
                let body_start = text.len();
                text.push_str(&heredoc.content);
                if source.get(heredoc.body.start..heredoc.body.end)
                    == Some(heredoc.content.as_str())
                {
                    segments.push(Segment {
                        script: body_start,
                        source: heredoc.body.start,
                        len: heredoc.content.len(),
                    });
                }
                let name_start = text.len();
                text.push_str(&heredoc.name);
                if let Some(terminator) = heredoc.terminator
                    && terminator.len() >= heredoc.name.len()
                    && source.get(terminator.end - heredoc.name.len()..terminator.end)
                        == Some(heredoc.name.as_str())
                {
                    segments.push(Segment {
                        script: name_start,
                        source: terminator.end - heredoc.name.len(),
                        len: heredoc.name.len(),
                    });
                }
            }
            vec![RunScript::new(cx, text, options, fallback, segments)]
        }
        Args::Exec { items, .. } => {
            // `["sh", "-c", "<script>", …]`
            let (Some(program), Some(flag), Some(body)) =
                (items.first(), items.get(1), items.get(2))
            else {
                return Vec::new();
            };
            if !is_posix_shell(&program.value)
                || !flag.value.starts_with('-')
                || !flag.value.ends_with('c')
            {
                return Vec::new();
            }
            let options = ParseOptions {
                pipefail: shell_has_pipefail(
                    &items[..2]
                        .iter()
                        .map(|w| w.value.clone())
                        .collect::<Vec<_>>(),
                ),
            };
            let raw = source.get(body.span.start..body.span.end).unwrap_or("");
            let segments = if raw.len() == body.value.len() + 2
                && raw.get(1..raw.len() - 1) == Some(body.value.as_str())
            {
                vec![Segment {
                    script: 0,
                    source: body.span.start + 1,
                    len: body.value.len(),
                }]
            } else {
                Vec::new()
            };
            vec![RunScript::new(
                cx,
                body.value.clone(),
                options,
                body.span,
                segments,
            )]
        }
        _ => Vec::new(),
    }
}

/// Rebuilds how the parser joined the physical lines of a shell-form value starting at
/// `start`: each piece is a line without its continuation escape; comment lines and blank
/// lines inside the continuation are skipped. `None` when the rebuilt text does not start
/// with `value` (then no offset is trusted).
fn line_segments(
    source: &str,
    start: usize,
    value: &str,
    cx: &Context<'_>,
) -> Option<Vec<Segment>> {
    let escape = cx.file.escape;
    let mut segments = Vec::new();
    let mut logical = 0;
    let mut pos = start;
    let mut first = true;
    while logical < value.len() && pos <= source.len() {
        let line_end = source[pos..].find('\n').map_or(source.len(), |i| pos + i);
        let content_end = pos + source[pos..line_end].trim_end_matches(['\r', '\n']).len();
        let text = &source[pos..content_end];
        let next = (line_end + 1).min(source.len() + 1);
        if !first {
            let trimmed = text.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                if next > source.len() {
                    break;
                }
                pos = next;
                continue;
            }
        }
        first = false;
        let (piece, ended) = trim_continuation(text, escape);
        let len = piece.len().min(value.len() - logical);
        if source.get(pos..pos + len) != value.get(logical..logical + len) {
            return None;
        }
        segments.push(Segment {
            script: logical,
            source: pos,
            len,
        });
        logical += len;
        if ended || next > source.len() {
            break;
        }
        pos = next;
    }
    (logical == value.len()).then_some(segments)
}

/// BuildKit's `trimContinuationCharacter`.
fn trim_continuation(text: &str, escape: char) -> (&str, bool) {
    let trimmed = text.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (text, true);
    };
    if before.is_empty() || !before.ends_with(escape) {
        (before, false)
    } else {
        (text, true)
    }
}

/// Whether a `RUN --mount=type=cache` of the instruction covers `path` (the mount target
/// is `path` or one of its parents).
pub fn cache_mount_covers(instruction: &Instruction, path: &str) -> bool {
    instruction.flags_named("mount").any(|flag| {
        let value = flag.value.as_deref().unwrap_or("");
        let kind = crate::model::mount_option(value, "type").unwrap_or("bind");
        if !kind.eq_ignore_ascii_case("cache") && !kind.eq_ignore_ascii_case("tmpfs") {
            return false;
        }
        let target = crate::model::mount_option(value, "target")
            .or_else(|| crate::model::mount_option(value, "dst"))
            .or_else(|| crate::model::mount_option(value, "destination"))
            .unwrap_or("");
        let target = target.trim_end_matches('/');
        !target.is_empty()
            && (path == target
                || path
                    .strip_prefix(target)
                    .is_some_and(|rest| rest.starts_with('/')))
    })
}

/// Whether the instruction has a `--mount=type=secret` (or `ssh`) flag.
pub fn has_secret_mount(instruction: &Instruction) -> bool {
    instruction.flags_named("mount").any(|flag| {
        let value = flag.value.as_deref().unwrap_or("");
        crate::model::mount_option(value, "type")
            .is_some_and(|t| t.eq_ignore_ascii_case("secret") || t.eq_ignore_ascii_case("ssh"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Model;
    use crate::syntax::parse;

    fn with_scripts(source: &str, f: impl FnOnce(&Context<'_>, &[RunScript])) {
        let file = parse(source);
        let config = Config::default();
        let model = Model::build(&file, &config.build_args, None);
        let cx = Context::new(&file, &model, &config, None);
        let index = file
            .instructions
            .iter()
            .position(|i| i.keyword == Keyword::Run)
            .expect("a RUN");
        let at = InstructionRef {
            index,
            instruction: &file.instructions[index],
            onbuild: false,
            stage: model.stage_of(index),
        };
        f(&cx, run_scripts(&cx, &at));
    }

    #[test]
    fn continuation_lines_map_back() {
        let source =
            "FROM a\nRUN apt-get update \\\n  # a comment\n\n  && apt-get install -y curl\n";
        with_scripts(source, |cx, scripts| {
            assert_eq!(scripts.len(), 1);
            let run = &scripts[0];
            let install = run
                .commands()
                .iter()
                .find(|c| c.is_subcommand(&["install"]))
                .expect("install");
            let word = install.args.last().expect("curl");
            let mapped = run.exact_span(cx.source(), word.span).expect("exact");
            assert_eq!(mapped.text(cx.source()), Some("curl"));
            // The whole command spans a continuation: no exact span.
            assert!(
                run.exact_span(cx.source(), run.commands()[0].span.cover(word.span))
                    .is_none()
            );
            assert_eq!(
                run.span(install.span).text(cx.source()),
                Some("apt-get install -y curl")
            );
        });
    }

    #[test]
    fn heredoc_body_is_the_script() {
        let source = "FROM a\nRUN <<EOF\nset -e\napk add curl\nEOF\n";
        with_scripts(source, |cx, scripts| {
            let run = &scripts[0];
            let apk = &run.commands()[1];
            assert!(apk.is("apk"));
            assert_eq!(run.span(apk.span).text(cx.source()), Some("apk add curl"));
        });
        with_scripts(
            "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
            |_, s| {
                assert!(s.is_empty());
            },
        );
    }

    #[test]
    fn heredoc_fed_to_a_command() {
        let source = "FROM a\nRUN cat > /x <<EOF && apk add curl\nhello\nEOF\n";
        with_scripts(source, |cx, scripts| {
            let run = &scripts[0];
            let apk = run.commands().iter().find(|c| c.is("apk")).expect("apk");
            assert_eq!(run.span(apk.span).text(cx.source()), Some("apk add curl"));
        });
    }

    #[test]
    fn exec_form_shell_string() {
        let source = "FROM a\nRUN [\"/bin/sh\", \"-c\", \"apk add curl\"]\n";
        with_scripts(source, |cx, scripts| {
            let run = &scripts[0];
            let apk = &run.commands()[0];
            assert_eq!(run.span(apk.span).text(cx.source()), Some("apk add curl"));
        });
    }

    #[test]
    fn windows_stages_have_no_posix_scripts() {
        with_scripts(
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl a | tar x\n",
            |_, scripts| assert!(scripts.is_empty()),
        );
    }

    #[test]
    fn pipefail_from_shell() {
        assert!(shell_has_pipefail(&[
            "/bin/bash".into(),
            "-o".into(),
            "pipefail".into(),
            "-c".into()
        ]));
        assert!(shell_has_pipefail(&[
            "bash".into(),
            "-euxo".into(),
            "pipefail".into()
        ]));
        assert!(!shell_has_pipefail(&["/bin/sh".into(), "-c".into()]));
    }
}
