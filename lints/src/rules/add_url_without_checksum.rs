//! ## What it does
//! Flags `ADD <http(s) URL>` without `--checksum`. Git sources (`https://…/x.git#ref`,
//! `https://…/x.git?ref=v1&keep-git-dir=1`, `git@…`) are not downloads: HF202 checks that
//! they are pinned to a commit. Sources are read as BuildKit reads them (quotes removed,
//! build arguments expanded).
//!
//! ## Why is this bad?
//! The downloaded content is trusted blindly: a compromised server, a moved release or a
//! man in the middle changes what goes into the image without changing the Dockerfile.
//! `--checksum=sha256:…` makes BuildKit verify the bytes (CIS Docker Benchmark 4.9, 4.11,
//! 4.12).
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ADD https://example.com/tool-1.2.tar.gz /tmp/
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.6
//! FROM alpine:3.20
//! ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.tar.gz /tmp/
//! ```
//!
//! ## Fix safety
//! No fix here: the checksum needs a download at fix time (a later "lock" fix).
//!
//! ## References
//! CIS Docker Benchmark 4.9, 4.11, 4.12.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{copy_operands, is_git_source, is_url, source_value};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF201.
pub static META: RuleMeta = RuleMeta {
    code: "HF201",
    name: "add-url-without-checksum",
    summary: "ADD downloads a URL without --checksum",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.9", "4.11", "4.12"],
        ..Sources::NONE
    },
    doc: include_str!("add_url_without_checksum.rs"),
};

/// HF201: ADD URL without checksum.
#[derive(Default)]
pub struct AddUrlWithoutChecksum;

impl Rule for AddUrlWithoutChecksum {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::Add || instruction.flag("checksum").is_some() {
            return;
        }
        let Some((sources, _)) = copy_operands(instruction) else {
            return;
        };
        for source in sources {
            let value = source_value(cx, &at, source);
            if is_url(&value) && !is_git_source(&value) {
                out.push(META.diagnostic(
                    source.span,
                    "ADD downloads a URL without --checksum; its content is not verified",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn urls() {
        assert_flags("HF201", "FROM a:1\nADD https://x/y.tgz /tmp/\n", 1);
        assert_clean(
            "HF201",
            "FROM a:1\nADD --checksum=sha256:ab https://x/y /y\n",
        );
        assert_clean("HF201", "FROM a:1\nADD y.tgz /tmp/\n");
        assert_clean("HF201", "FROM a:1\nCOPY https://x/y /y\n");
    }

    #[test]
    fn git_sources_are_not_downloads() {
        for source in [
            "https://github.com/go-delve/delve.git?ref=${V}&keep-git-dir=1",
            "https://github.com/a/b.git?commit=0123456789abcdef0123456789abcdef01234567",
            "https://github.com/a/b.git#main",
            "\"https://github.com/a/b.git#${V}\"",
            "git@github.com:a/b.git",
        ] {
            assert_clean("HF201", &format!("FROM a:1\nARG V=v1\nADD {source} /s\n"));
        }
        // Quoted downloads are still downloads; a query does not make a URL Git.
        assert_flags("HF201", "FROM a:1\nADD \"https://x/y.tgz\" /tmp/\n", 1);
        assert_flags("HF201", "FROM a:1\nADD https://x/y.tgz?ref=v1 /tmp/\n", 1);
    }
}
