//! ## What it does
//! Flags `pip install` (also `pip3`, `python -m pip`) without `--no-cache-dir` in the
//! exported image.
//!
//! ## Why is this bad?
//! pip keeps every downloaded wheel under `~/.cache/pip`; in an image layer that is dead
//! weight, often larger than the installed packages (CIS Docker Benchmark 4.3).
//!
//! Not flagged: builder stages, `PIP_NO_CACHE_DIR` set by `ENV` or on the command line,
//! an explicit `--cache-dir`, a `RUN --mount=type=cache` on the pip cache, and a
//! `pip cache purge` or `rm -rf …/.cache/pip` later in the same `RUN`.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN pip install flask
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN pip install --no-cache-dir flask
//! ```
//!
//! ## Fix safety
//! Safe: `--no-cache-dir` is added after `install`; pip installs the same packages.
//!
//! ## References
//! CIS Docker Benchmark 4.3; hadolint DL3042.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::packages::{in_image_layers, insert_after_word, later_command};
use crate::rules::run_scripts::{cache_mount_covers, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::{Command, Word};
use crate::syntax::Keyword;

/// Metadata of HF305.
pub static META: RuleMeta = RuleMeta {
    code: "HF305",
    name: "pip-cache-left",
    summary: "`pip install` without `--no-cache-dir` leaves wheels in the layer",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.3"],
        hadolint: &["DL3042"],
        ..Sources::NONE
    },
    doc: include_str!("pip_cache_left.rs"),
};

/// HF305: pip cache kept.
#[derive(Default)]
pub struct PipCacheLeft;

/// Whether the program is pip (`pip`, `pip3`, `pip3.12`).
fn is_pip_name(name: &str) -> bool {
    name.strip_prefix("pip")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Whether the program is a Python interpreter (`python`, `python3`, `python3.12`).
pub fn is_python_name(name: &str) -> bool {
    name.strip_prefix("python")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The pip arguments of a command (`pip …` or `python -m pip …`), if it runs pip.
pub fn pip_args(command: &Command) -> Option<&[Word]> {
    let name = command.name()?;
    if is_pip_name(name) {
        return Some(&command.args);
    }
    if is_python_name(name) {
        let at = command.args.iter().position(|w| w.text == "-m")?;
        if command.args.get(at + 1).is_some_and(|w| w.text == "pip") {
            return command.args.get(at + 2..);
        }
    }
    None
}

/// The `install` word of a pip command.
fn install_word(args: &[Word]) -> Option<&Word> {
    args.iter()
        .find(|w| !w.text.starts_with('-'))
        .filter(|w| w.text == "install")
}

fn is_pip_cache_cleanup(command: &Command) -> bool {
    (command.is("rm")
        && command.args.iter().any(|w| {
            let path = w.text.trim_end_matches('/');
            path.contains(".cache/pip") || path.rsplit('/').next() == Some(".cache")
        }))
        || pip_args(command).is_some_and(|args| {
            args.first().is_some_and(|w| w.text == "cache")
                && args.get(1).is_some_and(|w| w.text == "purge")
        })
}

impl Rule for PipCacheLeft {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || !in_image_layers(cx, &at) {
            return;
        }
        let state = cx.model.state_before(at.index);
        if state.env_value("PIP_NO_CACHE_DIR").is_some()
            || cache_mount_covers(at.instruction, "/root/.cache/pip")
            || at.instruction.flags_named("mount").any(|f| {
                f.value
                    .as_deref()
                    .is_some_and(|v| v.contains("type=cache") && v.contains(".cache"))
            })
        {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                let Some(args) = pip_args(command) else {
                    continue;
                };
                let Some(install) = install_word(args) else {
                    continue;
                };
                let opted_out = args.iter().any(|w| {
                    w.text == "--no-cache-dir"
                        || w.text.starts_with("--no-cache-dir=")
                        || w.text == "--cache-dir"
                        || w.text.starts_with("--cache-dir=")
                }) || command
                    .assignments
                    .iter()
                    .any(|a| a.name == "PIP_NO_CACHE_DIR");
                if opted_out
                    || run.commands().iter().any(|c| {
                        c.span.end <= command.span.start
                            && c.assignments.iter().any(|a| a.name == "PIP_NO_CACHE_DIR")
                    })
                    || later_command(run, command.span.end, is_pip_cache_cleanup)
                {
                    continue;
                }
                let fix = insert_after_word(cx, run, install, "--no-cache-dir")
                    .map(|edit| Fix::safe("Add `--no-cache-dir`", vec![edit]));
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        "`pip install` without `--no-cache-dir` leaves downloaded wheels in the layer",
                    )
                    .with_optional_fix(fix),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_cached_pip() {
        assert_flags("HF305", "FROM a:1\nRUN pip install flask\n", 1);
        assert_flags("HF305", "FROM a:1\nRUN python3 -m pip install -U pip\n", 1);
        assert_clean("HF305", "FROM a:1\nRUN pip install --no-cache-dir flask\n");
        assert_clean(
            "HF305",
            "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
        );
        assert_clean(
            "HF305",
            "FROM a:1\nRUN PIP_NO_CACHE_DIR=off pip install flask\n",
        );
        assert_clean(
            "HF305",
            "FROM a:1\nRUN --mount=type=cache,target=/root/.cache pip install flask\n",
        );
        assert_clean("HF305", "FROM a:1\nRUN pip download flask\n");
        assert_clean("HF305", "FROM a:1 AS b\nRUN pip install flask\nFROM c:1\n");
    }

    #[test]
    fn fix_adds_no_cache_dir() {
        assert_fix(
            "HF305",
            "FROM a:1\nRUN python -m pip install -r req.txt\n",
            "FROM a:1\nRUN python -m pip install --no-cache-dir -r req.txt\n",
            false,
        );
    }
}
