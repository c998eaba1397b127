//! ## What it does
//! Flags a `RUN` that starts by changing into an absolute directory with `cd` (`RUN cd
//! /app && make`) where `WORKDIR` would say the same. `cd` into temporary build
//! directories that the same `RUN` deletes again, into `/tmp`, relative paths and
//! variables are not flagged.
//!
//! ## Why is this bad?
//! The directory change only lasts for that `RUN`, which readers (and the next `RUN`)
//! easily miss; `WORKDIR` is explicit, is created if missing and applies to every later
//! instruction.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! COPY . /app
//! RUN cd /app && npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! COPY . .
//! RUN npm ci
//! ```
//!
//! ## Fix safety
//! No fix: `WORKDIR` also changes where later instructions run.
//!
//! ## References
//! hadolint DL3003; Trivy DS-0013.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Origin;
use crate::syntax::Keyword;

/// Metadata of HF711.
pub static META: RuleMeta = RuleMeta {
    code: "HF711",
    name: "cd-in-run",
    summary: "RUN starts with `cd`; use WORKDIR",
    default_severity: Severity::Info,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3003"],
        trivy: &["DS-0013"],
        ..Sources::NONE
    },
    doc: include_str!("cd_in_run.rs"),
};

/// HF711: cd instead of WORKDIR.
#[derive(Default)]
pub struct CdInRun;

impl Rule for CdInRun {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            let Some(first) = run.commands().first() else {
                continue;
            };
            if !first.is("cd") || first.origin != Origin::Direct || first.statement != Some(0) {
                continue;
            }
            let Some(dir) = first.args.first().filter(|w| w.is_static) else {
                continue;
            };
            let path = dir.text.trim_end_matches('/');
            if !path.starts_with('/') || path.is_empty() || path.starts_with("/tmp") {
                continue;
            }
            let removed_later = run
                .commands()
                .iter()
                .any(|c| c.is("rm") && c.args.iter().any(|w| w.text.trim_end_matches('/') == path));
            if removed_later {
                continue;
            }
            out.push(META.diagnostic(
                run.span(first.span),
                format!("Use `WORKDIR {path}` instead of `cd {path}` in RUN"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags_leading_cd() {
        assert_flags("HF711", "FROM a:1\nRUN cd /app && make\n", 1);
        assert_clean("HF711", "FROM a:1\nRUN cd /tmp/src && make\n");
        assert_clean("HF711", "FROM a:1\nRUN make && cd /app\n");
        assert_clean(
            "HF711",
            "FROM a:1\nRUN cd /usr/src/x && make && cd / && rm -rf /usr/src/x\n",
        );
        assert_clean("HF711", "FROM a:1\nRUN cd \"$DIR\" && make\n");
    }
}
