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
//! stages it is built `FROM`): what a builder stage installs is not shipped. An install is
//! not flagged when the command itself turns the option off (`-o
//! APT::Install-Recommends=false`, `--setopt=install_weak_deps=False`), or when an earlier
//! `RUN` (or `COPY <<EOF` heredoc) of its stage or of a stage it is built `FROM` writes the
//! setting into the package manager's configuration: `APT::Install-Recommends "false"` into
//! `/etc/apt/apt.conf.d/`, `install_weak_deps=False` into `dnf.conf`/`yum.conf`,
//! `solver.onlyRequires = true` into `zypp.conf`. A `--no-install-recommends` on one
//! command says nothing about the others. Simulated installs (`apt-get install -s`,
//! `--dry-run`) install nothing and are not flagged.
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
use crate::rules::helpers::{copy_operands, stage_chain, stage_instructions};
use crate::rules::packages::{
    Manager, in_image_layers, insert_after_word, is_install, manager, subcommand,
};
use crate::rules::run_scripts::{RunScript, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::{Instruction, Keyword};

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

/// A package-manager setting that disables recommends / weak dependencies.
struct Setting {
    /// The option that does it on the command line.
    option: &'static str,
    /// The configuration key, lower-cased.
    key: &'static str,
    /// Configuration files the key is written to (lower-cased parts of their paths).
    files: &'static [&'static str],
    /// Values of the key that turn recommends off.
    off: &'static [&'static str],
}

const APT: Setting = Setting {
    option: "--no-install-recommends",
    key: "apt::install-recommends",
    files: &["apt.conf"],
    off: &["0", "false", "no", "off"],
};

const DNF: Setting = Setting {
    option: "--setopt=install_weak_deps=False",
    key: "install_weak_deps",
    files: &["dnf.conf", "yum.conf"],
    off: &["0", "false", "no", "off"],
};

const ZYPPER: Setting = Setting {
    option: "--no-recommends",
    key: "solver.onlyrequires",
    files: &["zypp.conf"],
    off: &["1", "true", "yes", "on"],
};

impl Setting {
    /// Whether `text` assigns the key one of the `off` values somewhere
    /// (`APT::Install-Recommends "0";`, `-o APT::Install-Recommends=false`,
    /// `solver.onlyRequires = true`).
    fn assigned_off(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        lower.match_indices(self.key).any(|(at, key)| {
            let rest =
                lower[at + key.len()..].trim_start_matches([' ', '\t', '"', '\'', '\\', '=']);
            let value_len = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            self.off.contains(&&rest[..value_len])
        })
    }

    /// Whether `text` (a script or a heredoc with its destination) writes the setting into
    /// the package manager's configuration.
    fn configures(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        self.files.iter().any(|f| lower.contains(f)) && self.assigned_off(text)
    }
}

/// The setting this install should have, if it lacks it on its command line.
fn missing_setting(command: &Command) -> Option<&'static Setting> {
    match manager(command)? {
        Manager::Apt => {
            let configured = command.has_flag("--no-install-recommends")
                || command
                    .flag_values("-o")
                    .iter()
                    .any(|v| APT.assigned_off(&v.text));
            (!configured).then_some(&APT)
        }
        Manager::Rpm if matches!(command.name(), Some("dnf" | "microdnf")) => {
            let configured = command
                .flag_values("--setopt")
                .iter()
                .any(|v| DNF.assigned_off(&v.text));
            (!configured).then_some(&DNF)
        }
        Manager::Zypper => (!command.has_flag("--no-recommends")).then_some(&ZYPPER),
        _ => None,
    }
}

/// Whether the install only simulates (`apt-get install -s pkg`, `dnf install
/// --assumeno`): nothing is installed.
fn simulated(command: &Command) -> bool {
    match manager(command) {
        Some(Manager::Apt) => command.has_any_flag(&[
            "-s",
            "--simulate",
            "--dry-run",
            "--just-print",
            "--recon",
            "--no-act",
        ]),
        Some(Manager::Rpm) => command.has_any_flag(&["--assumeno"]),
        Some(Manager::Zypper) => command.has_any_flag(&["-D", "--dry-run"]),
        _ => false,
    }
}

/// Whether a `COPY`/`ADD` heredoc of `instruction` writes the setting.
fn heredoc_configures(instruction: &Instruction, setting: &Setting) -> bool {
    if instruction.heredocs.is_empty() {
        return false;
    }
    let Some((_, dest)) = copy_operands(instruction) else {
        return false;
    };
    instruction
        .heredocs
        .iter()
        .any(|h| setting.configures(&format!("{}\n{}", dest.value, h.content)))
}

/// Whether the setting is written into the configuration before script offset `offset` of
/// `run` (a script of the RUN at `at`): earlier in that script, by an earlier instruction
/// of the stage, or by a stage it is built `FROM`.
fn configured_before(
    cx: &Context<'_>,
    at: &InstructionRef<'_>,
    run: &RunScript,
    offset: usize,
    setting: &Setting,
) -> bool {
    if setting.configures(run.text.get(..offset).unwrap_or("")) {
        return true;
    }
    let Some(stage) = at.stage.and_then(|s| cx.model.stages().get(s)) else {
        return false;
    };
    stage_chain(cx, stage).iter().any(|stage| {
        stage_instructions(cx, stage)
            .filter(|(index, _)| *index < at.index)
            .any(|(index, instruction)| match instruction.keyword {
                Keyword::Run => {
                    let earlier = InstructionRef {
                        index,
                        instruction,
                        onbuild: false,
                        stage: Some(stage.index),
                    };
                    run_scripts(cx, &earlier)
                        .iter()
                        .any(|r| setting.configures(&r.text))
                }
                Keyword::Copy | Keyword::Add => heredoc_configures(instruction, setting),
                _ => false,
            })
    })
}

impl Rule for InstallRecommends {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || !in_image_layers(cx, &at) {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if !is_install(command) || simulated(command) {
                    continue;
                }
                let Some(setting) = missing_setting(command) else {
                    continue;
                };
                if configured_before(cx, &at, run, command.span.start, setting) {
                    continue;
                }
                let option = setting.option;
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
    fn one_compliant_install_does_not_hide_the_others() {
        // `--no-install-recommends` is not an apt configuration.
        assert_flags(
            "HF302",
            "FROM ubuntu:jammy\nRUN apt-get install -y --no-install-recommends a\nRUN apt-get install -y b\n",
            1,
        );
        assert_flags(
            "HF302",
            "FROM a:1\nRUN apt-get install -y --no-install-recommends a && apt-get install -y b\n",
            1,
        );
        assert_flags(
            "HF302",
            "FROM a:1\nRUN dnf install -y --setopt=install_weak_deps=False a\nRUN dnf install -y b\n",
            1,
        );
        assert_flags(
            "HF302",
            "FROM a:1\nRUN apt-get -o APT::Install-Recommends=true install -y x\n",
            1,
        );
    }

    #[test]
    fn configuration_counts_for_later_installs_of_the_chain() {
        let config = "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/no-rec\n";
        // Written after the install: too late.
        assert_flags(
            "HF302",
            &format!("FROM a:1\nRUN apt-get install -y x\n{config}"),
            1,
        );
        // In a base stage.
        assert_clean(
            "HF302",
            &format!("FROM a:1 AS base\n{config}FROM base\nRUN apt-get install -y x\n"),
        );
        // In an unrelated stage.
        assert_flags(
            "HF302",
            &format!("FROM a:1 AS other\n{config}FROM b:1\nRUN apt-get install -y x\n"),
            1,
        );
        // Earlier in the same RUN, and only there.
        assert_clean(
            "HF302",
            "FROM a:1\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/a && apt-get install -y x\n",
        );
        assert_flags(
            "HF302",
            "FROM a:1\nRUN apt-get install -y x && echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/a\n",
            1,
        );
        // A heredoc file.
        assert_clean(
            "HF302",
            "FROM a:1\nCOPY <<EOF /etc/apt/apt.conf.d/99norec\nAPT::Install-Recommends \"false\";\nEOF\nRUN apt-get install -y x\n",
        );
        // Turned on is not turned off.
        assert_flags(
            "HF302",
            "FROM a:1\nRUN echo 'APT::Install-Recommends \"true\";' > /etc/apt/apt.conf.d/a\nRUN apt-get install -y x\n",
            1,
        );
        assert_clean(
            "HF302",
            "FROM a:1\nRUN echo install_weak_deps=False >> /etc/dnf/dnf.conf\nRUN dnf install -y x\n",
        );
        assert_clean(
            "HF302",
            "FROM a:1\nRUN sed -i 's/.*solver.onlyRequires.*/solver.onlyRequires = true/' /etc/zypp/zypp.conf\nRUN zypper -n in x\n",
        );
    }

    #[test]
    fn simulated_installs_are_not_flagged() {
        // docker-library/postgres: probing whether a package exists.
        assert_clean(
            "HF302",
            "FROM a:1\nRUN if apt-get install -s \"pg-jit\" > /dev/null 2>&1; then apt-get install -y --no-install-recommends pg-jit; fi\n",
        );
        assert_clean("HF302", "FROM a:1\nRUN apt-get install --dry-run x\n");
        assert_flags(
            "HF302",
            "FROM a:1\nRUN apt-get install -sy x && apt-get install -y x\n",
            1,
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
