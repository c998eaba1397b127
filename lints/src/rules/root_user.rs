//! ## What it does
//! Flags an exported image that runs as root: the last `USER` of the target stage (or of
//! the stages it is built `FROM`) is `root` or uid `0`, or there is no `USER` and the base
//! image is known to run as root (`FROM scratch`, or `base-user = "root"` in the
//! configuration).
//!
//! An image that only carries files is not reported: when the target's chain starts
//! `FROM scratch`, no stage of it sets `USER`, `CMD` or `ENTRYPOINT`, nothing runs in it
//! unless a command is named (`--output` artifact stages, helper images used through
//! `COPY --from`). An explicit `USER root` is still reported.
//!
//! ## Why is this bad?
//! A process running as root inside a container is one kernel or runtime bug away from
//! root on the host, can rewrite its own binaries, and defeats file permissions. CIS
//! Docker Benchmark 4.1 asks for a non-root user in every image. Only the exported stage
//! matters: build stages may run as root.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache curl
//! USER root
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache curl
//! USER 65532:65532
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix appends `USER <uid>:<gid>` (the UID from the configuration, 65532 by
//! default) at the end of the target stage, after every `RUN`, so the build itself is
//! unchanged; but the application may need to write files owned by root. Windows images
//! have no numeric UIDs: there the fix suggests `USER ContainerUser` and is display-only.
//!
//! ## References
//! CIS Docker Benchmark 4.1; hadolint DL3002; Trivy DS-0002; Checkov CKV_DOCKER_8;
//! dockle CIS-DI-0001.

use crate::config::{Knowledge, Profile};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::Stage;
use crate::rules::helpers::{
    base_user, carries_files_only, is_root_user, on_windows, stage_anchor,
};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF101.
pub static META: RuleMeta = RuleMeta {
    code: "HF101",
    name: "root-user",
    summary: "The exported image runs as root",
    default_severity: Severity::Error,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.1"],
        hadolint: &["DL3002"],
        trivy: &["DS-0002"],
        checkov: &["CKV_DOCKER_8"],
        ..Sources::NONE
    },
    doc: include_str!("root_user.rs"),
};

/// HF101: the exported image runs as root.
#[derive(Default)]
pub struct RootUser;

/// The non-root user to suggest: Windows images have no numeric UIDs, their unprivileged
/// account is `ContainerUser`.
pub const WINDOWS_USER: &str = "ContainerUser";

/// A fix appending `USER <uid>:<gid>` after the target stage's last instruction: unsafe,
/// or display-only `USER ContainerUser` for a Windows image (whether the application runs
/// as that account cannot be told from the Dockerfile).
pub fn append_user_fix(cx: &Context<'_>, stage: &Stage) -> Option<Fix> {
    let last = cx.file.instructions.get(stage.end.checked_sub(1)?)?;
    let lines = cx.full_lines(last.span);
    let newline = cx.newline();
    let windows = on_windows(cx, stage);
    let user = if windows {
        format!("USER {WINDOWS_USER}")
    } else {
        format!("USER {}", cx.config.user_spec())
    };
    let text = if cx.source()[..lines.end].ends_with('\n') {
        format!("{user}{newline}")
    } else {
        format!("{newline}{user}{newline}")
    };
    let applicability = if windows {
        Applicability::DisplayOnly
    } else {
        Applicability::Unsafe
    };
    Some(Fix::new(
        format!("Add `{user}` at the end of the stage"),
        vec![Edit::insert(lines.end, text)],
        applicability,
    ))
}

impl Rule for RootUser {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(target) = cx.target() else {
            return;
        };
        let state = &target.final_state;
        match (&state.user, state.user_at) {
            (Some(user), Some(at)) if is_root_user(user) => {
                let Some(instruction) = cx.file.instructions.get(at) else {
                    return;
                };
                out.push(
                    META.diagnostic(
                        instruction.span,
                        format!("The exported image runs as root (`USER {user}`)"),
                    )
                    .with_help("Switch to a non-root user at the end of the final stage")
                    .with_optional_fix(append_user_fix(cx, target)),
                );
            }
            (None, _)
                if base_user(cx, target) == Knowledge::Root && !carries_files_only(cx, target) =>
            {
                out.push(
                    META.diagnostic(
                        stage_anchor(cx, target),
                        "The exported image runs as root: no USER, and the base image runs as root",
                    )
                    .with_optional_fix(append_user_fix(cx, target)),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Knowledge};
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags, findings_with, only};

    #[test]
    fn explicit_root_in_final_stage() {
        assert_flags("HF101", "FROM a:1\nUSER root\n", 1);
        assert_flags("HF101", "FROM a:1\nUSER 0:0\nCMD [\"x\"]\n", 1);
        assert_clean("HF101", "FROM a:1\nUSER root\nRUN x\nUSER app\n");
    }

    #[test]
    fn build_stages_do_not_count() {
        assert_clean(
            "HF101",
            "FROM a:1 AS build\nUSER root\nFROM b:1\nUSER 10001\n",
        );
        assert_flags(
            "HF101",
            "FROM a:1 AS base\nUSER root\nFROM base\nRUN x\n",
            1,
        );
    }

    #[test]
    fn missing_user_depends_on_base() {
        assert_clean("HF101", "FROM a:1\nRUN x\n");
        assert_flags("HF101", "FROM scratch\nCOPY x /x\nCMD [\"/x\"]\n", 1);
        let config = Config {
            base_user: Knowledge::Root,
            ..only("HF101")
        };
        assert_eq!(findings_with(&config, "FROM a:1\nRUN x\n", None).len(), 1);
    }

    #[test]
    fn file_only_scratch_images_are_not_reported() {
        // `--output` artifact stage and helper image: nothing runs in them.
        assert_clean("HF101", "FROM scratch\nCOPY x /x\n");
        assert_clean(
            "HF101",
            "FROM golang:1 AS build\nRUN go build -o /out/app\nFROM scratch AS binaries\nCOPY --from=build /out/ /\n",
        );
        assert_clean(
            "HF101",
            "FROM scratch AS base\nCOPY x /x\nFROM base\nCOPY y /y\n",
        );
        // A command to run, in the stage or a base stage.
        assert_flags("HF101", "FROM scratch\nCOPY x /x\nENTRYPOINT [\"/x\"]\n", 1);
        assert_flags(
            "HF101",
            "FROM scratch AS base\nCOPY x /x\nCMD [\"/x\"]\nFROM base\nCOPY y /y\n",
            1,
        );
        // A command in an unrelated stage does not count.
        assert_clean(
            "HF101",
            "FROM a:1 AS tool\nCMD [\"x\"]\nFROM scratch\nCOPY --from=tool /x /x\n",
        );
        // An explicit root user is still reported.
        assert_flags("HF101", "FROM scratch\nCOPY x /x\nUSER root\n", 1);
    }

    #[test]
    fn fix_appends_user() {
        assert_fix(
            "HF101",
            "FROM a:1\nUSER root\nRUN x\nCMD [\"x\"]\n# end\n",
            "FROM a:1\nUSER root\nRUN x\nCMD [\"x\"]\nUSER 65532:65532\n# end\n",
            true,
        );
        assert_fix(
            "HF101",
            "FROM scratch\nCOPY x /x\nCMD [\"/x\"]",
            "FROM scratch\nCOPY x /x\nCMD [\"/x\"]\nUSER 65532:65532\n",
            true,
        );
    }
}
