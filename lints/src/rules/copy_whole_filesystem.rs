//! ## What it does
//! Flags `COPY --from=<stage or image> / <dest>` in the exported stage (or a stage it is
//! built `FROM`): copying a whole root filesystem into the image. Build stages that
//! assemble tool images this way are left alone.
//!
//! ## Why is this bad?
//! Everything the other stage contains comes along — package managers, caches, shells,
//! credentials left in build stages, setuid binaries — which defeats the point of a
//! multi-stage build and of CIS Docker Benchmark 4.3 (no unnecessary packages).
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23 AS build
//! RUN go build -o /out/app ./cmd/app
//! FROM scratch
//! COPY --from=build / /
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS build
//! RUN go build -o /out/app ./cmd/app
//! FROM scratch
//! COPY --from=build /out/app /app
//! ```
//!
//! ## Fix safety
//! No fix: which paths are needed is the author's call.
//!
//! ## References
//! CIS Docker Benchmark 4.3; hadolint DL3067.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{copy_operands, target_chain};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF506.
pub static META: RuleMeta = RuleMeta {
    code: "HF506",
    name: "copy-whole-filesystem",
    summary: "COPY --from copies a whole root filesystem",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.3"],
        hadolint: &["DL3067"],
        ..Sources::NONE
    },
    doc: include_str!("copy_whole_filesystem.rs"),
};

/// HF506: whole filesystem copies.
#[derive(Default)]
pub struct CopyWholeFilesystem;

impl Rule for CopyWholeFilesystem {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let in_image = at
            .stage
            .is_some_and(|s| target_chain(cx).iter().any(|t| t.index == s));
        if instruction.keyword != Keyword::Copy || instruction.flag("from").is_none() || !in_image {
            return;
        }
        let Some((sources, _)) = copy_operands(instruction) else {
            return;
        };
        for source in sources {
            let path = source.value.trim_matches(['"', '\'']);
            if matches!(path, "/" | "/." | "/*" | "./" | ".") {
                out.push(META.diagnostic(
                    source.span,
                    "COPY --from copies the whole filesystem of another stage or image",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn roots() {
        assert_flags("HF506", "FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /\n", 1);
        assert_clean(
            "HF506",
            "FROM a:1 AS b\nCOPY --from=xx / /\nFROM c:1\nCOPY --from=b /x /x\n",
        );
        assert_clean(
            "HF506",
            "FROM a:1 AS b\nFROM c:1\nCOPY --from=b /app /app\nCOPY / /x\n",
        );
    }
}
