//! ## What it does
//! Flags package installs in the exported image that also pull recommended or weak
//! dependencies: `apt-get install` without `--no-install-recommends`, `dnf`/`microdnf
//! install` without `--setopt=install_weak_deps=False`, `zypper install` without
//! `--no-recommends`.
//!
//! ## Why is this bad?
//! Recommended packages are not needed to run the software; they grow the image and its
//! attack surface (CIS Docker Benchmark 4.3: do not install unnecessary packages).
//!
//! Only stages whose layers end up in the exported image are checked (the target and the
//! stages it is built `FROM`): what a builder stage installs is not shipped. Installs are
//! not flagged when the Dockerfile configures the package manager itself
//! (`APT::Install-Recommends`, `install_weak_deps`, `solver.onlyRequires`).
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Unsafe: the option is added right after the subcommand, but a recommended package may
//! be one the software needs at run time (`ca-certificates` is the classic).
//!
//! ## References
//! CIS Docker Benchmark 4.3; hadolint DL3015; Trivy DS-0029.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::packages::{
    Manager, contains_ignore_case, in_image_layers, insert_after_word, is_install, manager,
    subcommand,
};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF302.
pub static META: RuleMeta = RuleMeta {
    code: "HF302",
    name: "install-recommends",
    summary: "Package install also pulls recommended / weak dependencies",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.3"],
        hadolint: &["DL3015"],
        trivy: &["DS-0029"],
        ..Sources::NONE
    },
    doc: include_str!("install_recommends.rs"),
};

/// HF302: recommends not disabled.
#[derive(Default)]
pub struct InstallRecommends;

/// The option that disables recommends for this install, if it lacks it.
fn missing_option(command: &Command) -> Option<&'static str> {
    match manager(command)? {
        Manager::Apt => {
            let configured = command
                .flag_values("-o")
                .iter()
                .any(|v| contains_ignore_case(&v.text, "Install-Recommends"))
                || command.has_flag("--no-install-recommends");
            (!configured).then_some("--no-install-recommends")
        }
        Manager::Rpm if matches!(command.name(), Some("dnf" | "microdnf")) => {
            let configured = command
                .flag_values("--setopt")
                .iter()
                .any(|v| contains_ignore_case(&v.text, "install_weak_deps"));
            (!configured).then_some("--setopt=install_weak_deps=False")
        }
        Manager::Zypper => (!command.has_flag("--no-recommends")).then_some("--no-recommends"),
        _ => None,
    }
}

impl Rule for InstallRecommends {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || !in_image_layers(cx, &at) {
            return;
        }
        let source = cx.source();
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if !is_install(command) {
                    continue;
                }
                let Some(option) = missing_option(command) else {
                    continue;
                };
                let configured = match option {
                    "--no-install-recommends" => "Install-Recommends",
                    "--no-recommends" => "onlyRequires",
                    _ => "install_weak_deps",
                };
                if contains_ignore_case(source, configured) {
                    continue;
                }
                let Some(sub) = subcommand(command) else {
                    continue;
                };
                let program = command.name().unwrap_or_default();
                let diagnostic = META.diagnostic(
                    run.span(command.span),
                    format!(
                        "`{program} {}` without `{option}` also installs recommended packages",
                        sub.text
                    ),
                );
                out.push(
                    diagnostic.with_optional_fix(
                        insert_after_word(cx, run, sub, option)
                            .map(|edit| Fix::unsafe_edit(format!("Add `{option}`"), vec![edit])),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_installs_with_recommends() {
        assert_flags("HF302", "FROM a:1\nRUN apt-get install -y curl\n", 1);
        assert_flags("HF302", "FROM a:1\nRUN dnf install -y curl\n", 1);
        assert_flags("HF302", "FROM a:1\nRUN zypper -n in curl\n", 1);
        assert_clean(
            "HF302",
            "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n",
        );
        assert_clean(
            "HF302",
            "FROM a:1\nRUN apt-get -o APT::Install-Recommends=false install x\n",
        );
        assert_clean("HF302", "FROM a:1\nRUN yum install -y curl\n");
        assert_clean(
            "HF302",
            "FROM a:1\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/no-rec\nRUN apt-get install -y x\n",
        );
    }

    #[test]
    fn builder_stages_are_not_flagged() {
        assert_clean(
            "HF302",
            "FROM a:1 AS build\nRUN apt-get install -y gcc\nFROM b:1\nCOPY --from=build /x /x\n",
        );
        assert_flags(
            "HF302",
            "FROM a:1 AS base\nRUN apt-get install -y x\nFROM base\nRUN true\n",
            1,
        );
    }

    #[test]
    fn fix_adds_the_option() {
        assert_fix(
            "HF302",
            "FROM a:1\nRUN apt-get update && apt-get install -y \\\n  curl\n",
            "FROM a:1\nRUN apt-get update && apt-get install --no-install-recommends -y \\\n  curl\n",
            true,
        );
        assert_fix(
            "HF302",
            "FROM a:1\nRUN microdnf install -y x\n",
            "FROM a:1\nRUN microdnf install --setopt=install_weak_deps=False -y x\n",
            true,
        );
    }
}
