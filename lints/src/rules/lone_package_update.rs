//! ## What it does
//! Flags a `RUN` that refreshes a package index (`apt-get update`, `apk update`,
//! `yum`/`dnf makecache`, `zypper refresh`) without installing anything in the same `RUN`.
//! An install run through a wrapper counts: `sudo apt-get install …`, `… | xargs apt-get
//! install -y`, `xargs -rt < deps.txt apt-get install -y`.
//!
//! ## Why is this bad?
//! The build cache keeps the update layer forever: when the install line changes later,
//! it runs against a stale index and installs outdated (or no longer available) packages.
//! CIS Docker Benchmark 4.7 asks that update instructions are never used alone.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update
//! RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Safe when the very next instruction is a `RUN` of the same stage with the same flags
//! that installs with the same package manager, and the update `RUN` is one line holding
//! only index updates: the update is moved in front of that `RUN`'s command with `&&`
//! (comments, flags, continuations and heredocs of the install `RUN` are kept). Otherwise
//! no fix is offered: merge the update by hand.
//!
//! ## References
//! CIS Docker Benchmark 4.7; Trivy DS-0017; Checkov CKV_DOCKER_5; dockle CIS-DI-0007.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::packages::{Manager, is_index_update, is_install_like, manager};
use crate::rules::run_scripts::{RunScript, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::SeparatorKind;
use crate::syntax::{Args, Keyword};

/// Metadata of HF301.
pub static META: RuleMeta = RuleMeta {
    code: "HF301",
    name: "lone-package-update",
    summary: "Package index update without an install in the same RUN",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.7"],
        trivy: &["DS-0017"],
        checkov: &["CKV_DOCKER_5"],
        ..Sources::NONE
    },
    doc: include_str!("lone_package_update.rs"),
};

/// HF301: lone index update.
#[derive(Default)]
pub struct LonePackageUpdate;

impl Rule for LonePackageUpdate {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        let scripts = run_scripts(cx, &at);
        let mut update = None;
        for run in scripts {
            if run.commands().iter().any(is_install_like) {
                return;
            }
            if update.is_none() {
                update = run
                    .commands()
                    .iter()
                    .find(|c| is_index_update(c))
                    .map(|c| (run, c));
            }
        }
        let Some((run, command)) = update else {
            return;
        };
        let Some(kind) = manager(command) else {
            return;
        };
        let diagnostic = META.diagnostic(
            run.span(command.span),
            "Package index updated without an install in the same RUN; the cached update goes stale",
        );
        let fix = if at.onbuild {
            None
        } else {
            merge_fix(cx, &at, run, kind)
        };
        out.push(match fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic.with_help(
                "Run the update in the same RUN as the install: `RUN apt-get update && apt-get install …`",
            ),
        });
    }
}

/// Moves the update in front of the next RUN's command.
fn merge_fix(
    cx: &Context<'_>,
    at: &InstructionRef<'_>,
    run: &RunScript,
    kind: Manager,
) -> Option<Fix> {
    let source = cx.source();
    let instruction = at.instruction;
    let Args::Rest(word) = &instruction.args else {
        return None;
    };
    if !instruction.heredocs.is_empty() || cx.text(instruction.span).contains('\n') {
        return None;
    }
    // Only index updates, joined so that `<update> && <next>` keeps their exit status.
    if !run.commands().iter().all(is_index_update)
        || run.script.has_errors()
        || run.statements().iter().any(|s| {
            s.separator
                .is_some_and(|sep| matches!(sep.kind, SeparatorKind::Background))
        })
    {
        return None;
    }
    let last = run.statements().last()?;
    let update_text = run
        .text
        .get(run.statements().first()?.span.start..last.span.end)?;
    if update_text.contains('#') || update_text.trim().is_empty() {
        return None;
    }
    let next_index = at.index + 1;
    let next = cx.file.instructions.get(next_index)?;
    if next.keyword != Keyword::Run || cx.model.stage_of(next_index) != at.stage {
        return None;
    }
    let Args::Rest(next_word) = &next.args else {
        return None;
    };
    let flags = |i: &crate::syntax::Instruction| -> Vec<String> {
        i.flags.iter().map(|f| f.text.clone()).collect()
    };
    if flags(instruction) != flags(next) {
        return None;
    }
    let next_at = InstructionRef {
        index: next_index,
        instruction: next,
        onbuild: false,
        stage: at.stage,
    };
    let installs = run_scripts(cx, &next_at).iter().any(|r| {
        r.commands()
            .iter()
            .any(|c| is_install_like(c) && manager(c) == Some(kind))
    });
    // `RUN <<EOF` alone: the body is the script, prefixing the marker would break it.
    if !installs || next_word.value.starts_with("<<") {
        return None;
    }
    if source.get(word.span.start..word.span.end) != Some(word.value.as_str()) {
        return None;
    }
    Some(Fix::safe(
        "Merge the index update into the next RUN",
        vec![
            cx.delete_instruction(instruction),
            Edit::insert(next_word.span.start, format!("{update_text} && ")),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_lone_updates() {
        assert_flags("HF301", "FROM a:1\nRUN apt-get update\n", 1);
        assert_flags("HF301", "FROM a:1\nRUN apk update\n", 1);
        assert_flags("HF301", "FROM a:1\nRUN dnf makecache\n", 1);
        assert_flags("HF301", "FROM a:1\nRUN <<EOF\napt-get update\nEOF\n", 1);
        assert_clean(
            "HF301",
            "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
        );
        assert_clean("HF301", "FROM a:1\nRUN apk update && apk upgrade\n");
        assert_clean("HF301", "FROM a:1\nRUN echo update\n");
        assert_clean(
            "HF301",
            "FROM a:1\nRUN apt-get update && xx-apt-get install -y gcc\n",
        );
    }

    #[test]
    fn installs_through_xargs() {
        for source in [
            // tianon adsb/acarsdec: stdin redirected before the wrapped command.
            "FROM a:1\nRUN set -eux; \\\n\tapt-get update; \\\n\txargs -rt < ./apt-deps.txt \\\n\t\tapt-get install -y --no-install-recommends \\\n\t; \\\n\tapt-get dist-clean\n",
            "FROM a:1\nRUN apt-get update && xargs -r 2>/dev/null apt-get install -y < deps.txt\n",
            "FROM a:1\nRUN apt-get update && cat deps.txt | xargs apt-get install -y\n",
            "FROM a:1\nRUN apt-get update && xargs -a deps.txt apt-get install -y\n",
            "FROM a:1\nRUN apk update && xargs < deps.txt sudo apk add\n",
        ] {
            assert_clean("HF301", source);
        }
        // A wrapper running something else is no install.
        assert_flags(
            "HF301",
            "FROM a:1\nRUN apt-get update && xargs -r < deps.txt echo install\n",
            1,
        );
        assert_flags(
            "HF301",
            "FROM a:1\nRUN apt-get update && xargs < deps.txt\n",
            1,
        );
        // The merge fix sees an xargs install in the next RUN.
        assert_fix(
            "HF301",
            "FROM a:1\nRUN apt-get update\nRUN xargs -rt < deps.txt apt-get install -y\n",
            "FROM a:1\nRUN apt-get update && xargs -rt < deps.txt apt-get install -y\n",
            false,
        );
    }

    #[test]
    fn merges_into_the_next_run() {
        assert_fix(
            "HF301",
            "FROM a:1\nRUN apt-get update\n# tools\nRUN apt-get install -y \\\n    curl\n",
            "FROM a:1\n# tools\nRUN apt-get update && apt-get install -y \\\n    curl\n",
            false,
        );
        assert_fix(
            "HF301",
            "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apk apk update\nRUN --mount=type=cache,target=/var/cache/apk apk add x\n",
            "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apk apk add x\n"
                .replace("apk add", "apk update && apk add")
                .as_str(),
            false,
        );
    }

    #[test]
    fn no_merge_when_unsafe() {
        for source in [
            // Something in between.
            "FROM a:1\nRUN apt-get update\nENV X=1\nRUN apt-get install -y x\n",
            // Different flags.
            "FROM a:1\nRUN apt-get update\nRUN --network=none apt-get install -y x\n",
            // Not an install with the same manager.
            "FROM a:1\nRUN apt-get update\nRUN apk add x\n",
            // Heredoc script.
            "FROM a:1\nRUN apt-get update\nRUN <<EOF\napt-get install -y x\nEOF\n",
            // Not only the update.
            "FROM a:1\nRUN cd /x && apt-get update\nRUN apt-get install -y x\n",
        ] {
            assert_fix("HF301", source, source, true);
            assert_flags("HF301", source, 1);
        }
    }
}
