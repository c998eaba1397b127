//! ## What it does
//! Flags a `RUN` with a pipeline (`a | b`) while `pipefail` is off: the `SHELL` is not
//! `["/bin/bash", "-o", "pipefail", "-c"]` (or similar) and the script did not run
//! `set -o pipefail` before the pipe. Pipelines whose earlier stages cannot fail in a way
//! that matters (`echo`, `printf`, `yes`, `true`) are not flagged.
//!
//! ## Why is this bad?
//! A pipeline's status is its last command's: `curl -fsSL https://… | tar -xz` succeeds
//! when the download fails and `tar` reads nothing, so a broken or truncated download
//! becomes a successful build step, and the image ships without what it needs (or with
//! half of it). CIS Docker Benchmark 4.11 relies on failures being visible.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! SHELL ["/bin/bash", "-o", "pipefail", "-c"]
//! RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt
//! ```
//!
//! ## Fix safety
//! No automatic fix. Adding `set -o pipefail` changes behaviour (a pipeline that used to
//! pass may now fail the build), and `/bin/sh` is `dash` on Debian-based images, where
//! older releases reject the option; switching `SHELL` to bash needs bash in the image.
//!
//! ## References
//! hadolint DL4006; CIS Docker Benchmark 4.11 (masked download failures).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF710.
pub static META: RuleMeta = RuleMeta {
    code: "HF710",
    name: "missing-pipefail",
    summary: "Pipe in RUN without pipefail hides failures of earlier commands",
    default_severity: Severity::Info,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.11"],
        hadolint: &["DL4006"],
        ..Sources::NONE
    },
    doc: include_str!("missing_pipefail.rs"),
};

/// HF710: pipefail.
#[derive(Default)]
pub struct MissingPipefail;

impl Rule for MissingPipefail {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            let script = &run.script;
            let offending = script.pipelines().iter().find(|pipeline| {
                if pipeline.pipefail {
                    return false;
                }
                let heads = script.stage_heads(pipeline);
                let Some((_, upstream)) = heads.split_last() else {
                    return false;
                };
                upstream.iter().any(|head| {
                    head.is_none_or(|c| {
                        !matches!(c.name(), Some("echo" | "printf" | "yes" | "true" | ":"))
                    })
                })
            });
            if let Some(pipeline) = offending {
                out.push(
                    META.diagnostic(
                        run.span(pipeline.span),
                        "Pipeline without `pipefail`: a failure before the last `|` is ignored",
                    )
                    .with_help(
                        "Use `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (bash) or start the script with `set -o pipefail`",
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
    fn flags_pipes_without_pipefail() {
        assert_flags("HF710", "FROM a:1\nRUN curl -fsSL https://x | tar -xz\n", 1);
        assert_flags("HF710", "FROM a:1\nRUN a | b && c | d\n", 1);
        assert_clean(
            "HF710",
            "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | tar -xz\n",
        );
        assert_clean(
            "HF710",
            "FROM a:1\nRUN set -o pipefail && curl -fsSL https://x | tar -xz\n",
        );
        assert_clean("HF710", "FROM a:1\nRUN echo \"abc  f\" | sha256sum -c -\n");
        assert_clean("HF710", "FROM a:1\nRUN curl -fsSLo f https://x\n");
    }
}
