//! ## What it does
//! Flags `apk add` without `--no-cache` in the exported image. `apk add --no-network` is
//! not flagged either (and gets no fix): apk then downloads nothing, so it adds no index
//! to the cache; it can only install what is already present, as docker-library's
//! `.rundeps` virtual packages do.
//!
//! ## Why is this bad?
//! Without `--no-cache`, apk keeps the downloaded index under `/var/cache/apk`, which ends
//! up in the layer and is never needed at run time (CIS Docker Benchmark 4.3).
//!
//! Builder stages are not checked, and neither are installs whose cache is a
//! `RUN --mount=type=cache` on `/var/cache/apk` or `/etc/apk/cache`, or that delete
//! `/var/cache/apk` later in the same `RUN`.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache curl
//! ```
//!
//! ## Fix safety
//! Safe: `--no-cache` is added after `add`; the same packages are installed from the same
//! repositories, only the index is not kept.
//!
//! ## References
//! CIS Docker Benchmark 4.3; hadolint DL3019; Trivy DS-0025; dockle DKL-DI-0004.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::packages::{
    Manager, has_arg_prefix, in_image_layers, insert_after_word, later_command, manager, subcommand,
};
use crate::rules::run_scripts::{cache_mount_covers, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF304.
pub static META: RuleMeta = RuleMeta {
    code: "HF304",
    name: "apk-cache-left",
    summary: "`apk add` without `--no-cache` leaves the index in the layer",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.3"],
        hadolint: &["DL3019"],
        trivy: &["DS-0025"],
        ..Sources::NONE
    },
    doc: include_str!("apk_cache_left.rs"),
};

/// HF304: apk cache kept.
#[derive(Default)]
pub struct ApkCacheLeft;

impl Rule for ApkCacheLeft {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run
            || !in_image_layers(cx, &at)
            || cache_mount_covers(at.instruction, "/var/cache/apk")
            || cache_mount_covers(at.instruction, "/etc/apk/cache")
        {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if manager(command) != Some(Manager::Apk)
                    || !command.is_subcommand(&["add"])
                    // `--no-network` downloads nothing, so there is no cache to leave.
                    || command.has_any_flag(&["--no-cache", "--no-network", "--cache-dir"])
                {
                    continue;
                }
                if later_command(run, command.span.start, |c| {
                    c.is("rm") && has_arg_prefix(c, "/var/cache/apk")
                        || manager(c) == Some(Manager::Apk) && c.is_subcommand(&["cache"])
                }) {
                    continue;
                }
                let Some(sub) = subcommand(command) else {
                    continue;
                };
                let fix = insert_after_word(cx, run, sub, "--no-cache")
                    .map(|edit| Fix::safe("Add `--no-cache`", vec![edit]));
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        "`apk add` without `--no-cache` leaves the package index in the layer",
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
    fn flags_cached_apk() {
        assert_flags("HF304", "FROM a:1\nRUN apk add curl\n", 1);
        assert_flags("HF304", "FROM a:1\nRUN apk update && apk add -U curl\n", 1);
        assert_clean("HF304", "FROM a:1\nRUN apk add --no-cache curl\n");
        assert_clean(
            "HF304",
            "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
        );
        assert_clean(
            "HF304",
            "FROM a:1\nRUN apk add curl && rm -rf /var/cache/apk/*\n",
        );
        assert_clean("HF304", "FROM a:1 AS b\nRUN apk add curl\nFROM c:1\n");
    }

    #[test]
    fn no_network_leaves_no_cache() {
        // docker-library's rundeps step: only packages already fetched are installed.
        assert_clean(
            "HF304",
            "FROM a:1\nRUN apk add --no-network --virtual .rundeps $runDeps\n",
        );
        assert_clean(
            "HF304",
            "FROM a:1\nRUN scanelf -n /usr/local | xargs -rt apk add --no-network --virtual .r\n",
        );
        assert_fix(
            "HF304",
            "FROM a:1\nRUN apk add --no-network --virtual .r x\n",
            "FROM a:1\nRUN apk add --no-network --virtual .r x\n",
            false,
        );
        // The flag on another apk command of the same RUN does not count.
        assert_flags(
            "HF304",
            "FROM a:1\nRUN apk add --virtual .r x && apk del --no-network .build-deps\n",
            1,
        );
        assert_flags("HF304", "FROM a:1\nRUN apk add --virtual .r x\n", 1);
    }

    #[test]
    fn fix_adds_no_cache() {
        assert_fix(
            "HF304",
            "FROM a:1\nRUN apk add \\\n    curl\nONBUILD RUN apk add x\n",
            "FROM a:1\nRUN apk add --no-cache \\\n    curl\nONBUILD RUN apk add x\n",
            false,
        );
    }
}
