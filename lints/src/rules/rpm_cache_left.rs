//! ## What it does
//! Flags `yum`, `dnf`, `microdnf`, `tdnf` and `zypper` installs in the exported image
//! that do not clean the package cache before the `RUN` ends (`dnf clean all`,
//! `zypper clean --all`, or deleting `/var/cache/<manager>`).
//!
//! ## Why is this bad?
//! Repository metadata and downloaded packages stay in the layer: often more than a
//! hundred megabytes nothing at run time needs (CIS Docker Benchmark 4.3).
//!
//! Builder stages are not checked, and neither are installs whose cache is a
//! `RUN --mount=type=cache` on the manager's cache directory.
//!
//! ## Example
//! ```dockerfile
//! FROM fedora:40
//! RUN dnf install -y --setopt=install_weak_deps=False curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM fedora:40
//! RUN dnf install -y --setopt=install_weak_deps=False curl && dnf clean all
//! ```
//!
//! ## Fix safety
//! Safe: `&& <manager> clean all` (`zypper clean --all`) is appended after the last
//! top-level command using that manager when it is followed by `&&`, `;`, a line break or
//! nothing; the managers download fresh metadata when they next need it. Not offered
//! under `sudo` or when the command's end cannot be mapped exactly.
//!
//! ## References
//! CIS Docker Benchmark 4.3; hadolint DL3032, DL3036, DL3040; Trivy DS-0015, DS-0019,
//! DS-0020, DS-0027.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::packages::{
    Manager, append_to_statement, has_arg_prefix, in_image_layers, is_install_like, is_wrapped,
    later_command, manager, statement_at,
};
use crate::rules::run_scripts::{cache_mount_covers, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF306.
pub static META: RuleMeta = RuleMeta {
    code: "HF306",
    name: "rpm-cache-left",
    summary: "yum/dnf/zypper cache not cleaned in the same RUN",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.3"],
        hadolint: &["DL3032", "DL3036", "DL3040"],
        trivy: &["DS-0015", "DS-0019", "DS-0020", "DS-0027"],
        ..Sources::NONE
    },
    doc: include_str!("rpm_cache_left.rs"),
};

/// HF306: rpm-family cache kept.
#[derive(Default)]
pub struct RpmCacheLeft;

/// The cache directory of a program.
fn cache_dir(program: &str) -> &'static str {
    match program {
        "yum" => "/var/cache/yum",
        "zypper" => "/var/cache/zypp",
        "tdnf" => "/var/cache/tdnf",
        _ => "/var/cache/dnf",
    }
}

impl Rule for RpmCacheLeft {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || !in_image_layers(cx, &at) {
            return;
        }
        for run in run_scripts(cx, &at) {
            let mut reported: Vec<&str> = Vec::new();
            for command in run.commands() {
                if !matches!(manager(command), Some(Manager::Rpm | Manager::Zypper))
                    || !is_install_like(command)
                    || command.is_subcommand(&["module", "group"])
                {
                    continue;
                }
                let program = command.name().unwrap_or_default();
                let dir = cache_dir(program);
                if reported.contains(&program)
                    || cache_mount_covers(at.instruction, dir)
                    || cache_mount_covers(at.instruction, "/var/cache")
                {
                    continue;
                }
                let cleans = later_command(run, command.span.start, |c| {
                    (c.is(program) && c.is_subcommand(&["clean", "cc"]))
                        || (c.is("rm")
                            && (has_arg_prefix(c, dir) || has_arg_prefix(c, "/var/cache/")))
                });
                if cleans {
                    continue;
                }
                reported.push(program);
                let clean = if program == "zypper" {
                    "zypper clean --all".to_string()
                } else {
                    format!("{program} clean all")
                };
                let last = run.commands().iter().rev().find(|c| c.is(program));
                let fix = last
                    .filter(|c| !is_wrapped(c) && !at.onbuild)
                    .and_then(|c| statement_at(run, c.span.start))
                    .and_then(|index| append_to_statement(cx, run, index, &clean))
                    .map(|edit| Fix::safe(format!("Append `{clean}`"), vec![edit]));
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        format!(
                            "`{program}` cache is left in the layer; run `{clean}` in the same RUN"
                        ),
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
    fn flags_caches() {
        assert_flags("HF306", "FROM a:1\nRUN yum install -y x\n", 1);
        assert_flags("HF306", "FROM a:1\nRUN zypper -n in x\n", 1);
        assert_flags(
            "HF306",
            "FROM a:1\nRUN dnf install -y x && dnf install -y y\n",
            1,
        );
        assert_clean("HF306", "FROM a:1\nRUN yum install -y x && yum clean all\n");
        assert_clean(
            "HF306",
            "FROM a:1\nRUN dnf install -y x && rm -rf /var/cache/dnf\n",
        );
        assert_clean(
            "HF306",
            "FROM a:1\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y x\n",
        );
        assert_clean("HF306", "FROM a:1 AS b\nRUN dnf install -y x\nFROM c:1\n");
    }

    #[test]
    fn fix_appends_clean() {
        assert_fix(
            "HF306",
            "FROM a:1\nRUN microdnf install -y x; \\\n    echo ok\n",
            "FROM a:1\nRUN microdnf install -y x && microdnf clean all; \\\n    echo ok\n",
            false,
        );
        assert_fix(
            "HF306",
            "FROM a:1\nRUN zypper -n in x\n",
            "FROM a:1\nRUN zypper -n in x && zypper clean --all\n",
            false,
        );
    }
}
