//! ## What it does
//! Flags Docker Content Trust turned off inside the build: `DOCKER_CONTENT_TRUST=0` (or
//! `false`, or empty) set by `ENV`, `ARG` or in a `RUN`, and `docker`/`podman`/`buildah`
//! commands run with `--disable-content-trust`.
//!
//! ## Why is this bad?
//! CIS Docker Benchmark 4.5 asks that image pulls and pushes be signature-verified. A
//! Dockerfile cannot switch content trust on for the daemon that builds it (that is the CI
//! environment's job, and the compliance report lists 4.5 as manual evidence for it), but it
//! can switch verification off for every image a build step pulls, and with `ENV` for every
//! container started from the image. Either way, unsigned or tampered images are accepted
//! silently.
//!
//! ## Example
//! ```dockerfile
//! FROM docker:27-cli
//! ENV DOCKER_CONTENT_TRUST=0
//! RUN docker pull --disable-content-trust example.com/tool:1
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM docker:27-cli
//! RUN docker pull example.com/tool:1
//! ```
//!
//! ## Fix safety
//! No automatic fix: re-enabling verification makes pulls of unsigned images fail, which
//! only the image's owner can decide to accept.
//!
//! ## References
//! CIS Docker Benchmark 4.5 (v1.4.0, v1.5.0, v1.6.0); dockle CIS-DI-0005 (checks the host
//! environment, not the Dockerfile).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::{Args, Keyword};

/// Metadata of HF206.
pub static META: RuleMeta = RuleMeta {
    code: "HF206",
    name: "content-trust-disabled",
    summary: "Docker Content Trust (image signature verification) turned off",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.5"],
        ..Sources::NONE
    },
    doc: include_str!("content_trust_disabled.rs"),
};

/// HF206: content trust disabled.
#[derive(Default)]
pub struct ContentTrustDisabled;

/// Whether setting `name` to `value` turns content trust off.
fn disables_trust(name: &str, value: &str) -> bool {
    name.eq_ignore_ascii_case("DOCKER_CONTENT_TRUST")
        && matches!(
            value
                .trim_matches(['"', '\''])
                .to_ascii_lowercase()
                .as_str(),
            "" | "0" | "false" | "no" | "off"
        )
}

const MESSAGE: &str = "DOCKER_CONTENT_TRUST is turned off, so image signatures are not verified";

fn command_finding(command: &Command) -> Option<&'static str> {
    if command
        .assignments
        .iter()
        .any(|a| disables_trust(&a.name, &a.value.text))
    {
        return Some(MESSAGE);
    }
    let engine = matches!(command.name(), Some("docker" | "podman" | "buildah"));
    let flag = command.args.iter().any(|w| {
        w.text == "--disable-content-trust"
            || w.text
                .strip_prefix("--disable-content-trust=")
                .is_some_and(|v| !v.eq_ignore_ascii_case("false"))
    });
    (engine && flag)
        .then_some("`--disable-content-trust` pulls or pushes images without verifying signatures")
}

impl Rule for ContentTrustDisabled {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        match (&instruction.keyword, &instruction.args) {
            (Keyword::Env, Args::Pairs(pairs)) => {
                for pair in pairs {
                    let value = if at.onbuild {
                        pair.value.value.clone()
                    } else {
                        cx.expand(at.index, &pair.value.value)
                            .unwrap_or_else(|| pair.value.value.clone())
                    };
                    if disables_trust(&pair.key.value, &value) {
                        out.push(META.diagnostic(pair.span, MESSAGE));
                    }
                }
            }
            (Keyword::Arg, Args::Words(words)) => {
                for word in words {
                    if let Some((name, value)) = word.value.split_once('=')
                        && disables_trust(name, value)
                    {
                        out.push(META.diagnostic(word.span, MESSAGE));
                    }
                }
            }
            (Keyword::Run, _) => {
                for run in run_scripts(cx, &at) {
                    for command in run.commands() {
                        if let Some(message) = command_finding(command) {
                            out.push(META.diagnostic(run.span(command.span), message));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags_disabled_content_trust() {
        assert_flags("HF206", "FROM a:1\nENV DOCKER_CONTENT_TRUST=0\n", 1);
        assert_flags("HF206", "FROM a:1\nARG DOCKER_CONTENT_TRUST=false\n", 1);
        assert_flags(
            "HF206",
            "FROM a:1\nRUN DOCKER_CONTENT_TRUST=0 docker pull x:1\n",
            1,
        );
        assert_flags(
            "HF206",
            "FROM a:1\nRUN docker pull --disable-content-trust x:1 && docker build --disable-content-trust=true .\n",
            2,
        );
        assert_flags("HF206", "FROM a:1\nONBUILD ENV DOCKER_CONTENT_TRUST=0\n", 1);
    }

    #[test]
    fn leaves_enabled_trust_alone() {
        assert_clean("HF206", "FROM a:1\nENV DOCKER_CONTENT_TRUST=1\n");
        assert_clean("HF206", "FROM a:1\nRUN docker pull x:1\n");
        assert_clean(
            "HF206",
            "FROM a:1\nRUN docker pull --disable-content-trust=false x:1\n",
        );
        assert_clean("HF206", "FROM a:1\nRUN echo --disable-content-trust\n");
    }
}
