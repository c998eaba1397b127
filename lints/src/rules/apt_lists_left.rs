//! ## What it does
//! Flags a `RUN` in the exported image that runs `apt-get update` (or `apt update`) and
//! does not remove `/var/lib/apt/lists` before it ends.
//!
//! ## Why is this bad?
//! The package lists are tens of megabytes that nothing at run time needs; once the layer
//! is committed, deleting them in a later `RUN` no longer shrinks the image. CIS Docker
//! Benchmark 4.3.
//!
//! Builder stages are not checked (their layers are not shipped), and a
//! `RUN --mount=type=cache` on `/var/lib/apt` or `/var/lib/apt/lists` keeps the lists out
//! of the layer, so it is not flagged either.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Appends `&& rm -rf /var/lib/apt/lists/*` after the last top-level command of the `RUN`
//! that uses apt, when it is followed by `&&`, `;`, a line break or nothing. Safe when no
//! later `RUN` of the stage (or of a stage built `FROM` it) installs with apt without its
//! own update; unsafe otherwise (that install would find no lists). Not offered when apt
//! runs under `sudo`, or when the command's end cannot be mapped exactly.
//!
//! ## References
//! CIS Docker Benchmark 4.3; hadolint DL3009; dockle DKL-DI-0005.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::model::Base;
use crate::rules::packages::{
    Manager, append_to_statement, has_arg_prefix, in_image_layers, is_index_update, is_install,
    is_wrapped, later_command, manager, statement_at,
};
use crate::rules::run_scripts::{cache_mount_covers, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF303.
pub static META: RuleMeta = RuleMeta {
    code: "HF303",
    name: "apt-lists-left",
    summary: "apt package lists left in the image layer",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.3"],
        hadolint: &["DL3009"],
        ..Sources::NONE
    },
    doc: include_str!("apt_lists_left.rs"),
};

/// HF303: apt lists not removed.
#[derive(Default)]
pub struct AptListsLeft;

/// The list path apt's cache lives in.
const LISTS: &str = "/var/lib/apt/lists";

fn removes_lists(command: &Command) -> bool {
    (command.is("rm") && has_arg_prefix(command, LISTS))
        || (command.is("find") && has_arg_prefix(command, LISTS))
        || (manager(command) == Some(Manager::Apt)
            && command.is_subcommand(&["distclean", "dist-clean"]))
}

fn is_apt_family(command: &Command) -> bool {
    manager(command) == Some(Manager::Apt) || command.is("apt-cache")
}

impl Rule for AptListsLeft {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run
            || !in_image_layers(cx, &at)
            || cache_mount_covers(at.instruction, LISTS)
        {
            return;
        }
        for run in run_scripts(cx, &at) {
            let Some(update) = run
                .commands()
                .iter()
                .find(|c| manager(c) == Some(Manager::Apt) && is_index_update(c))
            else {
                continue;
            };
            if later_command(run, update.span.start, removes_lists) {
                continue;
            }
            let last_apt = run.commands().iter().rev().find(|c| is_apt_family(c));
            let edit = last_apt
                .filter(|c| !is_wrapped(c) && !at.onbuild)
                .and_then(|c| statement_at(run, c.span.start))
                .and_then(|index| {
                    append_to_statement(cx, run, index, "rm -rf /var/lib/apt/lists/*")
                });
            let fix = edit.map(|edit| {
                if later_install_needs_lists(cx, &at) {
                    Fix::unsafe_edit(
                        "Remove the apt lists (a later RUN installs without updating)",
                        vec![edit],
                    )
                } else {
                    Fix::safe("Remove the apt lists at the end of the RUN", vec![edit])
                }
            });
            out.push(
                META.diagnostic(
                    run.span(update.span),
                    "apt lists from `apt-get update` are left in the layer; add `rm -rf /var/lib/apt/lists/*`",
                )
                .with_optional_fix(fix),
            );
        }
    }
}

/// Whether a later RUN of this stage, or of a stage built from it, installs with apt
/// without updating first.
fn later_install_needs_lists(cx: &Context<'_>, at: &InstructionRef<'_>) -> bool {
    let Some(stage) = at.stage else {
        return false;
    };
    let descends = |mut index: usize| {
        for _ in 0..64 {
            if index == stage {
                return true;
            }
            match cx.model.stages().get(index).map(|s| &s.base) {
                Some(Base::Stage(parent)) => index = *parent,
                _ => return false,
            }
        }
        false
    };
    cx.file
        .instructions
        .iter()
        .enumerate()
        .skip(at.index + 1)
        .filter(|(index, i)| {
            i.keyword == Keyword::Run && cx.model.stage_of(*index).is_some_and(descends)
        })
        .any(|(index, instruction)| {
            let later = InstructionRef {
                index,
                instruction,
                onbuild: false,
                stage: cx.model.stage_of(index),
            };
            run_scripts(cx, &later).iter().any(|run| {
                let installs = run
                    .commands()
                    .iter()
                    .any(|c| manager(c) == Some(Manager::Apt) && is_install(c));
                let updates = run
                    .commands()
                    .iter()
                    .any(|c| manager(c) == Some(Manager::Apt) && is_index_update(c));
                installs && !updates
            })
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_lists_left() {
        assert_flags(
            "HF303",
            "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
            1,
        );
        assert_clean(
            "HF303",
            "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
        );
        assert_clean(
            "HF303",
            "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x\n",
        );
        assert_clean(
            "HF303",
            "FROM a:1 AS build\nRUN apt-get update && apt-get install -y x\nFROM b:1\n",
        );
    }

    #[test]
    fn fix_appends_cleanup() {
        assert_fix(
            "HF303",
            "FROM a:1\nRUN apt-get update \\\n && apt-get install -y x \\\n && echo done\n",
            "FROM a:1\nRUN apt-get update \\\n && apt-get install -y x && rm -rf /var/lib/apt/lists/* \\\n && echo done\n",
            false,
        );
        assert_fix(
            "HF303",
            "FROM a:1\nRUN <<EOF\nset -e\napt-get update\napt-get install -y x\nEOF\n",
            "FROM a:1\nRUN <<EOF\nset -e\napt-get update\napt-get install -y x && rm -rf /var/lib/apt/lists/*\nEOF\n",
            false,
        );
    }

    #[test]
    fn fix_is_unsafe_when_a_later_install_needs_the_lists() {
        let source =
            "FROM a:1\nRUN apt-get update && apt-get install -y x\nRUN apt-get install -y y\n";
        assert_fix("HF303", source, source, false);
        assert_fix(
            "HF303",
            source,
            "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\nRUN apt-get install -y y\n",
            true,
        );
    }

    #[test]
    fn no_fix_under_sudo_or_or_list() {
        let source = "FROM a:1\nRUN sudo apt-get update && sudo apt-get install -y x\n";
        assert_fix("HF303", source, source, true);
        let source = "FROM a:1\nRUN apt-get update && apt-get install -y x || true\n";
        assert_fix("HF303", source, source, true);
    }
}
