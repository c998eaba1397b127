//! ## What it does
//! Flags a relative `WORKDIR` in a stage that has not set an absolute one before (its own,
//! or one inherited from a stage it is built `FROM`).
//!
//! ## Why is this bad?
//! A relative path is resolved against the base image's working directory, which the
//! Dockerfile does not control: when the base image changes it, files land elsewhere.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! WORKDIR app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! WORKDIR /app
//! ```
//!
//! ## Fix safety
//! No fix: the intended base directory is unknown.
//!
//! ## References
//! BuildKit WorkdirRelativePath; hadolint DL3000; Trivy DS-0009; Checkov CKV_DOCKER_10.

use std::collections::HashSet;

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Base;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF906.
pub static META: RuleMeta = RuleMeta {
    code: "HF906",
    name: "workdir-relative-path",
    summary: "Relative WORKDIR without an absolute one before it",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3000"],
        buildkit: &["WorkdirRelativePath"],
        trivy: &["DS-0009"],
        checkov: &["CKV_DOCKER_10"],
        ..Sources::NONE
    },
    doc: include_str!("workdir_relative_path.rs"),
};

/// HF906: relative WORKDIR.
#[derive(Default)]
pub struct WorkdirRelativePath {
    /// Stages with an absolute WORKDIR so far.
    absolute: HashSet<usize>,
}

impl Rule for WorkdirRelativePath {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let Some(stage) = at.stage else {
            return;
        };
        if instruction.keyword == Keyword::From && !at.onbuild {
            if let Some(Base::Stage(parent)) = cx.model.stages().get(stage).map(|s| &s.base)
                && self.absolute.contains(parent)
            {
                self.absolute.insert(stage);
            }
            return;
        }
        let (Keyword::Workdir, Args::Rest(word)) = (instruction.keyword, &instruction.args) else {
            return;
        };
        let value = if at.onbuild {
            word.value.clone()
        } else {
            cx.expand(at.index, &word.value)
                .unwrap_or_else(|| word.value.clone())
        };
        let value = value.trim_matches(['"', '\'']);
        // Windows paths (`C:\app`) are absolute too.
        let absolute = value.starts_with('/')
            || value.starts_with('\\')
            || value.as_bytes().get(1) == Some(&b':')
            || value.starts_with('$');
        if absolute {
            if !at.onbuild {
                self.absolute.insert(stage);
            }
        } else if !self.absolute.contains(&stage) {
            out.push(META.diagnostic(
                word.span,
                format!("Relative WORKDIR `{value}` depends on the base image's working directory"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn relative() {
        assert_flags("HF906", "FROM a:1\nWORKDIR app\n", 1);
        assert_clean("HF906", "FROM a:1\nWORKDIR /src\nWORKDIR app\n");
        assert_clean(
            "HF906",
            "FROM a:1 AS b\nWORKDIR /src\nFROM b\nWORKDIR app\n",
        );
        assert_flags(
            "HF906",
            "FROM a:1 AS b\nWORKDIR /src\nFROM c:1\nWORKDIR app\n",
            1,
        );
    }
}
