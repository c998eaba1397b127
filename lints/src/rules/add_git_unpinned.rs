//! ## What it does
//! Flags `ADD` of a Git repository that is not pinned to a commit: no `--checksum`, no
//! full commit hash after `#` (`#<commit>:<dir>`), and none in the query form's `ref`,
//! `checksum` or `commit` (`?ref=<commit>&keep-git-dir=1`). The source is read as BuildKit
//! reads it: quotes removed and build arguments expanded (`ADD "…/x.git#${V}"` is pinned
//! when `V` defaults to a commit).
//!
//! ## Why is this bad?
//! A branch or tag can be moved; the image then contains code nobody reviewed, and the
//! build is not reproducible. CIS Docker Benchmark 4.12 asks for validated artifacts.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ADD https://github.com/moby/buildkit.git#v0.15.0 /src
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! ADD --checksum=0123456789abcdef0123456789abcdef01234567 https://github.com/moby/buildkit.git#v0.15.0 /src
//! ```
//!
//! ## Fix safety
//! No fix here: resolving the ref to a commit needs the network (a later "lock" fix).
//!
//! ## References
//! CIS Docker Benchmark 4.12 (v1.4.0 and later), 4.9.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{copy_operands, is_git_source, source_value};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF202.
pub static META: RuleMeta = RuleMeta {
    code: "HF202",
    name: "add-git-unpinned",
    summary: "ADD of a Git repository not pinned to a commit",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.12", "4.9"],
        ..Sources::NONE
    },
    doc: include_str!("add_git_unpinned.rs"),
};

/// HF202: unpinned ADD of Git.
#[derive(Default)]
pub struct AddGitUnpinned;

/// Whether `reference` is a full commit hash (SHA-1, or SHA-256 for such repositories).
fn is_commit(reference: &str) -> bool {
    matches!(reference.len(), 40 | 64) && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

fn pinned(source: &str) -> bool {
    let (url, fragment) = match source.split_once('#') {
        Some((url, fragment)) => (url, Some(fragment)),
        None => (source, None),
    };
    let fragment_pins =
        fragment.is_some_and(|f| is_commit(f.split(':').next().unwrap_or_default()));
    let query_pins = url.split_once('?').is_some_and(|(_, query)| {
        query.split('&').any(|pair| {
            pair.split_once('=').is_some_and(|(key, value)| {
                matches!(key, "ref" | "checksum" | "commit") && is_commit(value)
            })
        })
    });
    fragment_pins || query_pins
}

impl Rule for AddGitUnpinned {
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
            if is_git_source(&value) && !pinned(&value) {
                out.push(META.diagnostic(
                    source.span,
                    "ADD of a Git repository without a pinned commit (--checksum, #<commit> or ?checksum=<commit>)",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn git_refs() {
        assert_flags(
            "HF202",
            "FROM a:1\nADD https://github.com/a/b.git#main /s\n",
            1,
        );
        assert_flags("HF202", "FROM a:1\nADD git@github.com:a/b.git /s\n", 1);
        assert_clean(
            "HF202",
            "FROM a:1\nADD https://github.com/a/b.git#0123456789abcdef0123456789abcdef01234567 /s\n",
        );
        assert_clean(
            "HF202",
            "FROM a:1\nADD --checksum=abc https://github.com/a/b.git /s\n",
        );
    }

    #[test]
    fn quoted_and_expanded_sources() {
        assert_flags(
            "HF202",
            "FROM a:1\nARG V=v1.13.0\nADD \"https://github.com/bats-core/bats-core.git#${V}\" .\n",
            1,
        );
        assert_clean(
            "HF202",
            "FROM a:1\nARG V=0123456789abcdef0123456789abcdef01234567\nADD \"https://github.com/a/b.git#$V\" .\n",
        );
        assert_flags(
            "HF202",
            "FROM a:1\nONBUILD ADD \"https://github.com/a/b.git#main\" /s\n",
            1,
        );
    }

    #[test]
    fn query_form() {
        assert_flags(
            "HF202",
            "FROM a:1\nARG V=v1.23.0\nADD https://github.com/go-delve/delve.git?ref=${V}&keep-git-dir=1 .\n",
            1,
        );
        assert_flags(
            "HF202",
            "FROM a:1\nADD git@github.com:a/b.git?branch=main /s\n",
            1,
        );
        assert_clean(
            "HF202",
            "FROM a:1\nADD https://github.com/a/b.git?ref=0123456789abcdef0123456789abcdef01234567&keep-git-dir=1 /s\n",
        );
        assert_clean(
            "HF202",
            "FROM a:1\nADD https://github.com/a/b.git?tag=v1&checksum=0123456789abcdef0123456789abcdef01234567 /s\n",
        );
        assert_clean(
            "HF202",
            "FROM a:1\nADD https://github.com/a/b.git?commit=0123456789abcdef0123456789abcdef01234567 /s\n",
        );
    }
}
