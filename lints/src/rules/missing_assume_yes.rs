//! ## What it does
//! Flags package-manager commands that ask for confirmation: `apt-get install`
//! (also `upgrade`, `dist-upgrade`, `remove`, `purge`, `autoremove`) without `-y`/`--yes`/
//! `--assume-yes`/`-qq`, `yum`/`dnf` installs, updates and removals without `-y`/
//! `--assumeyes`, and `zypper` without `-n`/`--non-interactive` or `-y`/`--no-confirm`.
//!
//! ## Why is this bad?
//! A build has no one to answer the prompt: the command reads end-of-file and aborts, or
//! (with some front ends) hangs the build. Not flagged when the Dockerfile configures the
//! answer itself (`APT::Get::Assume-Yes`, `assumeyes=1`).
//!
//! ## Example
//! ```dockerfile
//! FROM rockylinux:9
//! RUN dnf install --setopt=install_weak_deps=False httpd && dnf clean all
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM rockylinux:9
//! RUN dnf install -y --setopt=install_weak_deps=False httpd && dnf clean all
//! ```
//!
//! ## Fix safety
//! Safe: `-y` is added right after the subcommand; without it the step cannot succeed.
//!
//! ## References
//! hadolint DL3014, DL3030, DL3034, DL3038; Trivy DS-0021.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::packages::{
    Manager, contains_ignore_case, insert_after_word, manager, subcommand,
};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF311.
pub static META: RuleMeta = RuleMeta {
    code: "HF311",
    name: "missing-assume-yes",
    summary: "Package manager would prompt for confirmation",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3014", "DL3030", "DL3034", "DL3038"],
        trivy: &["DS-0021"],
        ..Sources::NONE
    },
    doc: include_str!("missing_assume_yes.rs"),
};

/// HF311: no `-y`.
#[derive(Default)]
pub struct MissingAssumeYes {
    /// Whether the file configures the package manager to assume yes; read once per file
    /// (reading it per RUN made the rule quadratic in the file's size).
    configured: Option<bool>,
}

/// Whether the command would prompt.
fn prompts(command: &Command) -> bool {
    let Some(sub) = subcommand(command) else {
        return false;
    };
    let sub = sub.text.as_str();
    match (manager(command), command.name()) {
        (Some(Manager::Apt), Some("apt-get" | "apt")) => {
            matches!(
                sub,
                "install"
                    | "upgrade"
                    | "dist-upgrade"
                    | "full-upgrade"
                    | "remove"
                    | "purge"
                    | "autoremove"
                    | "build-dep"
                    | "reinstall"
            ) && !command.has_any_flag(&[
                "-y",
                "--yes",
                "--assume-yes",
                "-s",
                "--simulate",
                "--dry-run",
                "--just-print",
                "--no-act",
            ]) && !command.args.iter().any(|w| {
                w.text == "-qq"
                    || w.text.starts_with("-q=2")
                    || w.text.starts_with("--quiet=2")
                    || contains_ignore_case(&w.text, "Assume-Yes")
            })
        }
        (Some(Manager::Rpm), Some("yum" | "dnf" | "tdnf")) => {
            matches!(
                sub,
                "install"
                    | "groupinstall"
                    | "localinstall"
                    | "reinstall"
                    | "update"
                    | "upgrade"
                    | "remove"
                    | "erase"
                    | "autoremove"
                    | "distro-sync"
                    | "downgrade"
            ) && !command.has_any_flag(&["-y", "--assumeyes", "--assumeno"])
        }
        (Some(Manager::Zypper), _) => {
            matches!(
                sub,
                "install"
                    | "in"
                    | "remove"
                    | "rm"
                    | "update"
                    | "up"
                    | "patch"
                    | "dist-upgrade"
                    | "dup"
                    | "source-install"
                    | "si"
            ) && !command.has_any_flag(&["-n", "--non-interactive", "-y", "--no-confirm"])
        }
        _ => false,
    }
}

impl Rule for MissingAssumeYes {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        // The apt setting (`APT::Get::Assume-Yes`), not the flag `--assume-yes`, which
        // one compliant command may use while the others in the file do not.
        let configured = *self.configured.get_or_insert_with(|| {
            contains_ignore_case(cx.source(), "::Assume-Yes")
                || contains_ignore_case(cx.source(), "assumeyes=")
        });
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if configured || !prompts(command) {
                    continue;
                }
                let Some(sub) = subcommand(command) else {
                    continue;
                };
                let fix = insert_after_word(cx, run, sub, "-y")
                    .filter(|_| !at.onbuild)
                    .map(|edit| Fix::safe("Add `-y`", vec![edit]));
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        format!(
                            "`{} {}` asks for confirmation; add `-y`",
                            command.name().unwrap_or_default(),
                            sub.text
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
    fn flags_prompts() {
        assert_flags("HF311", "FROM a:1\nRUN apt-get install x\n", 1);
        assert_flags("HF311", "FROM a:1\nRUN yum install x && yum clean all\n", 1);
        assert_flags("HF311", "FROM a:1\nRUN zypper install x\n", 1);
        assert_clean(
            "HF311",
            "FROM a:1\nRUN apt-get install -qy x && apt-get -qq install y\n",
        );
        assert_clean(
            "HF311",
            "FROM a:1\nRUN zypper -n install x && dnf -y install z\n",
        );
        assert_clean(
            "HF311",
            "FROM a:1\nRUN apt-get update && microdnf install x\n",
        );
        assert_clean(
            "HF311",
            "FROM a:1\nRUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes\nRUN apt-get install x\n",
        );
    }

    #[test]
    fn one_assume_yes_flag_does_not_configure_the_file() {
        assert_flags(
            "HF311",
            "FROM a:1\nRUN apt-get install --assume-yes x\nRUN apt-get install y\n",
            1,
        );
    }

    #[test]
    fn fix_adds_yes() {
        assert_fix(
            "HF311",
            "FROM a:1\nRUN apt-get install x && zypper in y\n",
            "FROM a:1\nRUN apt-get install -y x && zypper in -y y\n",
            false,
        );
    }
}
