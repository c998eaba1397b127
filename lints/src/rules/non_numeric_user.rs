//! ## What it does
//! Flags an exported image whose final `USER` is a name (`USER app`) rather than a numeric
//! `uid:gid`. Windows images (a Windows base such as `mcr.microsoft.com/windows/servercore`
//! or `nanoserver`, or `` # escape=` ``) are not checked: Windows has no numeric UIDs, `USER`
//! takes an account name (`ContainerUser`).
//!
//! ## Why is this bad?
//! Kubernetes' `runAsNonRoot` cannot verify a user name and refuses to start such
//! containers; a name also depends on the image's `/etc/passwd`, which a later layer can
//! change (even to uid 0). A numeric `uid:gid` makes the CIS 4.1 guarantee checkable.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! USER node
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! USER 1000:1000
//! ```
//!
//! ## Fix safety
//! No fix: the numeric ids are in the built image's `/etc/passwd`, which a Dockerfile
//! linter cannot read (the BuildKit frontend records them).
//!
//! ## References
//! CIS Docker Benchmark 4.1; hadolint DL3066.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{is_root_user, on_windows};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF103.
pub static META: RuleMeta = RuleMeta {
    code: "HF103",
    name: "non-numeric-user",
    summary: "The final USER is a name, not a numeric uid:gid",
    default_severity: Severity::Info,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.1"],
        hadolint: &["DL3066"],
        ..Sources::NONE
    },
    doc: include_str!("non_numeric_user.rs"),
};

/// HF103: final USER is not numeric.
#[derive(Default)]
pub struct NonNumericUser;

fn numeric(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

impl Rule for NonNumericUser {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(target) = cx.target() else {
            return;
        };
        let state = &target.final_state;
        let (Some(user), Some(at)) = (&state.user, state.user_at) else {
            return;
        };
        if is_root_user(user) || user.contains('$') || on_windows(cx, target) {
            return;
        }
        let mut parts = user.splitn(2, ':');
        let uid = parts.next().unwrap_or("");
        let gid = parts.next();
        if numeric(uid) && gid.is_none_or(numeric) {
            return;
        }
        let Some(instruction) = cx.file.instructions.get(at) else {
            return;
        };
        out.push(META.diagnostic(
            instruction.span,
            format!("The final USER `{user}` is not a numeric uid:gid"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn names_are_flagged() {
        assert_flags("HF103", "FROM a:1\nUSER app\n", 1);
        assert_flags("HF103", "FROM a:1\nUSER 1000:app\n", 1);
        assert_clean("HF103", "FROM a:1\nUSER 1000\n");
        assert_clean("HF103", "FROM a:1\nUSER 1000:1000\n");
        assert_clean("HF103", "FROM a:1 AS b\nUSER app\nFROM c:1\nUSER 1\n");
    }

    #[test]
    fn windows_users_are_names() {
        assert_clean(
            "HF103",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER jenkins\n",
        );
        assert_clean(
            "HF103",
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS base\nFROM base\nUSER ContainerUser\n",
        );
        assert_clean("HF103", "# escape=`\nFROM a:1\nUSER ContainerUser\n");
        // A Linux target after a Windows builder is still checked.
        assert_flags(
            "HF103",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\nFROM debian:12\nUSER app\n",
            1,
        );
    }
}
