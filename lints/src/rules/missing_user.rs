//! ## What it does
//! Flags an exported image that sets no `USER` when nothing is known about its base
//! image's user. The CLI cannot see the base image's configuration, so it says "unknown"
//! instead of guessing; tell it with `base-user = "root"` or `"non-root"` in
//! `.hardfile.toml` (or `--base-config`), and the BuildKit frontend decides with the real
//! base configuration.
//!
//! `FROM scratch` images are HF101's (scratch runs as uid 0); like HF101, this rule says
//! nothing about a scratch image that only carries files (no `USER`, `CMD` or
//! `ENTRYPOINT` in its chain).
//!
//! ## Why is this bad?
//! Without `USER`, the image runs as whatever the base image says, and most base images
//! (Debian, Alpine, Ubuntu, language images) run as root. CIS Docker Benchmark 4.1.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! COPY app.py /app/
//! CMD ["python", "/app/app.py"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.12-slim
//! COPY app.py /app/
//! USER 65532:65532
//! CMD ["python", "/app/app.py"]
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix appends `USER <uid>:<gid>` at the end of the target stage; the
//! application may need files or ports only root can use. Windows images (a Windows base
//! such as `mcr.microsoft.com/windows/servercore` or `nanoserver`, or `` # escape=` ``) have
//! no numeric UIDs: the finding stays (Server Core runs as `ContainerAdministrator`), but
//! the fix suggests `USER ContainerUser` and is display-only.
//!
//! ## References
//! CIS Docker Benchmark 4.1; Checkov CKV_DOCKER_3; Trivy DS-0002; dockle CIS-DI-0001.

use crate::config::{Knowledge, Profile};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{base_user, on_windows, stage_anchor};
use crate::rules::root_user::{WINDOWS_USER, append_user_fix};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF102.
pub static META: RuleMeta = RuleMeta {
    code: "HF102",
    name: "missing-user",
    summary: "The exported image sets no USER and the base image's user is unknown",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.1"],
        trivy: &["DS-0002"],
        checkov: &["CKV_DOCKER_3"],
        ..Sources::NONE
    },
    doc: include_str!("missing_user.rs"),
};

/// HF102: no USER, base user unknown.
#[derive(Default)]
pub struct MissingUser;

impl Rule for MissingUser {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(target) = cx.target() else {
            return;
        };
        if target.final_state.user.is_some() || base_user(cx, target) != Knowledge::Unknown {
            return;
        }
        let help = if on_windows(cx, target) {
            format!(
                "Add `USER {WINDOWS_USER}` (Windows has no numeric UIDs), or set `base-user` in .hardfile.toml if the base image is non-root"
            )
        } else {
            "Add `USER <uid>:<gid>`, or set `base-user` in .hardfile.toml if the base image is non-root".to_string()
        };
        out.push(
            META.diagnostic(
                stage_anchor(cx, target),
                "The exported stage sets no USER; whether the base image runs as root is unknown",
            )
            .with_help(help)
            .with_optional_fix(append_user_fix(cx, target)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Knowledge};
    use crate::diagnostic::Applicability;
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags, findings_with, only};

    #[test]
    fn unknown_base() {
        assert_flags("HF102", "FROM python:3.12\nCMD [\"python\"]\n", 1);
        assert_clean("HF102", "FROM python:3.12\nUSER 1000\n");
        assert_clean("HF102", "FROM scratch\n");
        assert_clean("HF102", "FROM scratch\nCOPY x /x\nCMD [\"/x\"]\n");
        assert_clean(
            "HF102",
            "FROM a:1 AS build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n",
        );
        assert_clean("HF102", "FROM gcr.io/distroless/static:nonroot\n");
        assert_clean("HF102", "FROM a:1 AS b\nUSER app\nFROM b\nRUN x\n");
        let config = Config {
            base_user: Knowledge::NonRoot,
            ..only("HF102")
        };
        assert!(findings_with(&config, "FROM a:1\n", None).is_empty());
    }

    #[test]
    fn linux_fix_is_a_numeric_user() {
        let found = assert_flags("HF102", "FROM python:3.12\nCMD [\"python\"]\n", 1);
        let fix = found[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.edits[0].replacement, "USER 65532:65532\n");
    }

    #[test]
    fn windows_gets_no_numeric_user() {
        for source in [
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo hi\n",
            "# escape=`\nFROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nCMD [\"pwsh\"]\n",
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS base\nFROM base\nCMD [\"x.exe\"]\n",
        ] {
            let found = assert_flags("HF102", source, 1);
            let fix = found[0].fix.as_ref().expect("a fix");
            assert_eq!(fix.applicability, Applicability::DisplayOnly, "{source}");
            assert_eq!(fix.edits[0].replacement, "USER ContainerUser\n");
            assert!(!found[0].help.as_deref().unwrap_or("").contains("uid"));
            // Display-only: `fix --unsafe-fixes` leaves the file alone.
            assert_fix("HF102", source, source, true);
        }
    }
}
