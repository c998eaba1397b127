//! ## What it does
//! Flags whole-distribution upgrades in the exported image: `apt-get upgrade`,
//! `dist-upgrade`, `full-upgrade`, `apk upgrade`, `yum`/`dnf update`/`upgrade`/`distro-sync`
//! and `zypper update`/`dist-upgrade` without a package list.
//!
//! ## Why is this bad?
//! The image then no longer matches its base: every build upgrades whatever happens to be
//! new, so two builds of the same Dockerfile differ, and a major upgrade can break the
//! base's own software. CIS Docker Benchmark 4.4 asks for images rebuilt on patched
//! *base images*; pull a newer base (or pin and bump it) instead. Upgrading named packages
//! is not flagged.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get -y dist-upgrade && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y --no-install-recommends --only-upgrade openssl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! No fix: only the maintainer can decide which packages must be newer than the base.
//!
//! ## References
//! CIS Docker Benchmark 4.4; hadolint DL3035; Trivy DS-0024; dockle DKL-DI-0003.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::packages::{Manager, in_image_layers, manager, operands, subcommand};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF307.
pub static META: RuleMeta = RuleMeta {
    code: "HF307",
    name: "distro-upgrade",
    summary: "Whole-distribution upgrade during the build",
    default_severity: Severity::Info,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.4"],
        hadolint: &["DL3035"],
        trivy: &["DS-0024"],
        ..Sources::NONE
    },
    doc: include_str!("distro_upgrade.rs"),
};

/// HF307: distro upgrade.
#[derive(Default)]
pub struct DistroUpgrade;

impl Rule for DistroUpgrade {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || !in_image_layers(cx, &at) {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                let Some(kind) = manager(command) else {
                    continue;
                };
                let Some(sub) = subcommand(command) else {
                    continue;
                };
                let upgrades = match kind {
                    Manager::Apt => {
                        matches!(
                            sub.text.as_str(),
                            "upgrade" | "dist-upgrade" | "full-upgrade"
                        )
                    }
                    Manager::Apk => sub.text == "upgrade",
                    Manager::Rpm => {
                        matches!(sub.text.as_str(), "update" | "upgrade" | "distro-sync")
                    }
                    Manager::Zypper => {
                        matches!(sub.text.as_str(), "update" | "up" | "dist-upgrade" | "dup")
                    }
                };
                if !upgrades || !operands(command).is_empty() {
                    continue;
                }
                let program = command.name().unwrap_or_default();
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        format!(
                            "`{program} {}` upgrades the whole distribution; rebuild on a newer base image instead",
                            sub.text
                        ),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags_upgrades() {
        assert_flags("HF307", "FROM a:1\nRUN apt-get -y upgrade\n", 1);
        assert_flags("HF307", "FROM a:1\nRUN apk upgrade --no-cache\n", 1);
        assert_flags("HF307", "FROM a:1\nRUN yum -y update && yum clean all\n", 1);
        assert_flags("HF307", "FROM a:1\nRUN zypper -n dup\n", 1);
        assert_clean("HF307", "FROM a:1\nRUN yum -y update openssl\n");
        assert_clean("HF307", "FROM a:1\nRUN apk upgrade libssl3\n");
        assert_clean("HF307", "FROM a:1\nRUN apt-get update\n");
        assert_clean("HF307", "FROM a:1 AS b\nRUN apt-get -y upgrade\nFROM c:1\n");
    }
}
