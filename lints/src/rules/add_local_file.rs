//! ## What it does
//! Flags `ADD` used to copy local files or directories that are not archives.
//!
//! ## Why is this bad?
//! `ADD` silently unpacks archives and fetches URLs; for plain files it does the same as
//! `COPY`, but readers (and CIS Docker Benchmark 4.9) must assume the magic. `COPY` says
//! exactly what happens.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ADD app.py /app/
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! COPY app.py /app/
//! ```
//!
//! ## Fix safety
//! `ADD` → `COPY` (flags kept) is safe when the build context was read and no source is an
//! archive by content (BuildKit decides by magic bytes, not by name); directories and
//! heredocs are never unpacked. When the context is not available, or a source comes from
//! another stage (`--from`), the fix is unsafe. Sources that are archives are left to
//! HF502. `ADD` with `--checksum`, `--keep-git-dir` or `--unpack` is not touched.
//!
//! ## References
//! CIS Docker Benchmark 4.9; hadolint DL3020; Trivy DS-0005; Checkov CKV_DOCKER_4;
//! dockle CIS-DI-0009.

use crate::config::Profile;
use crate::context::{ARCHIVE_SNIFF_LEN, archive_kind, has_glob_meta, looks_like_archive_name};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::helpers::{
    copy_operands, expanded_source, is_git_source, is_heredoc_marker, is_url, strip_quotes,
};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF501.
pub static META: RuleMeta = RuleMeta {
    code: "HF501",
    name: "add-local-file",
    summary: "ADD used for local files that are not archives; use COPY",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.9"],
        hadolint: &["DL3020"],
        trivy: &["DS-0005"],
        checkov: &["CKV_DOCKER_4"],
        ..Sources::NONE
    },
    doc: include_str!("add_local_file.rs"),
};

/// HF501: ADD of local non-archives.
#[derive(Default)]
pub struct AddLocalFile;

/// What the build context says about one ADD source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A file or directory that ADD copies as is.
    Plain,
    /// An archive ADD would unpack.
    Archive,
    /// Cannot tell.
    Unknown,
}

/// Classifies a local ADD source (already expanded) with the build context.
pub fn classify(cx: &Context<'_>, source: &str) -> SourceKind {
    let Some(context) = cx.build_context else {
        return if looks_like_archive_name(source) {
            SourceKind::Archive
        } else {
            SourceKind::Unknown
        };
    };
    let paths = if has_glob_meta(source) {
        context.list(source)
    } else {
        vec![source.to_string()]
    };
    if paths.is_empty() {
        return SourceKind::Unknown;
    }
    let mut kind = SourceKind::Plain;
    for path in paths {
        if context.is_dir(&path) {
            continue;
        }
        match context.read_prefix(&path, ARCHIVE_SNIFF_LEN) {
            Some(bytes) if archive_kind(&bytes).is_some() => return SourceKind::Archive,
            Some(_) => {}
            None => kind = SourceKind::Unknown,
        }
    }
    kind
}

impl Rule for AddLocalFile {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::Add
            || ["checksum", "keep-git-dir", "unpack"]
                .iter()
                .any(|f| instruction.flag(f).is_some())
        {
            return;
        }
        let Some((sources, _)) = copy_operands(instruction) else {
            return;
        };
        if sources.is_empty() {
            return;
        }
        let from_stage = instruction.flag("from").is_some();
        let mut overall = SourceKind::Plain;
        for source in &sources {
            if is_heredoc_marker(&source.value) {
                continue;
            }
            // Classified as BuildKit reads the word: `ADD "https://…/x.git#${V}" dir` is a
            // Git source (HF202), not a local file.
            let expanded = expanded_source(cx, &at, source);
            let value = expanded
                .clone()
                .unwrap_or_else(|| strip_quotes(&source.value));
            if is_url(&value) || is_git_source(&value) {
                return;
            }
            let kind = if from_stage {
                if looks_like_archive_name(&value) {
                    SourceKind::Archive
                } else {
                    SourceKind::Unknown
                }
            } else {
                match expanded {
                    Some(path) if !path.contains('$') => classify(cx, &path),
                    _ if looks_like_archive_name(&value) => SourceKind::Archive,
                    _ => SourceKind::Unknown,
                }
            };
            match kind {
                SourceKind::Archive => return,
                SourceKind::Unknown => overall = SourceKind::Unknown,
                SourceKind::Plain => {}
            }
        }
        let copy = if instruction
            .keyword_text
            .chars()
            .any(|c| c.is_ascii_lowercase())
        {
            "copy"
        } else {
            "COPY"
        };
        let edits = vec![Edit::replace(instruction.keyword_span, copy)];
        let fix = if overall == SourceKind::Plain {
            Fix::safe("Replace ADD with COPY", edits)
        } else {
            Fix::unsafe_edit(
                "Replace ADD with COPY (the sources could not be checked for archives)",
                edits,
            )
        };
        out.push(
            META.diagnostic(
                instruction.keyword_span,
                "Use COPY instead of ADD for local files",
            )
            .with_fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{
        MemoryContext, assert_clean, assert_fix, assert_fix_with, assert_flags, only,
    };

    #[test]
    fn flags_local_add() {
        assert_flags("HF501", "FROM a:1\nADD app.py /app/\n", 1);
        assert_clean("HF501", "FROM a:1\nADD https://example.com/x /x\n");
        assert_clean("HF501", "FROM a:1\nADD app.tar.gz /app/\n");
        assert_clean("HF501", "FROM a:1\nADD --checksum=sha256:00 app /app/\n");
    }

    #[test]
    fn quoted_remote_sources_are_not_local() {
        assert_clean(
            "HF501",
            "FROM a:1\nARG V=v1.13.0\nADD \"https://github.com/bats-core/bats-core.git#${V}\" .\n",
        );
        assert_clean("HF501", "FROM a:1\nADD 'https://example.com/x' /x\n");
        assert_clean(
            "HF501",
            "FROM a:1\nADD [\"https://github.com/a/b.git#main\", \"/s\"]\n",
        );
        assert_clean(
            "HF501",
            "FROM a:1\nONBUILD ADD \"https://github.com/a/b.git#main\" /s\n",
        );
        // A quoted local file is still a local file.
        assert_flags("HF501", "FROM a:1\nADD \"app.py\" /app/\n", 1);
        assert_flags("HF501", "FROM a:1\nARG F=app.py\nADD \"$F\" /app/\n", 1);
    }

    #[test]
    fn fix_is_unsafe_without_context() {
        let source = "FROM a:1\nADD --chown=1:1 app.py /app/\n";
        assert_fix("HF501", source, source, false);
        assert_fix(
            "HF501",
            source,
            "FROM a:1\nCOPY --chown=1:1 app.py /app/\n",
            true,
        );
    }

    #[test]
    fn fix_is_safe_with_context() {
        let context = MemoryContext(vec![
            ("app.py", b"print(1)\n".to_vec()),
            ("data.bin", vec![0x1f, 0x8b, 0x08, 0x00]),
        ]);
        assert_fix_with(
            &only("HF501"),
            "FROM a:1\nadd app.py /app/\nADD data.bin /d/\n",
            "FROM a:1\ncopy app.py /app/\nADD data.bin /d/\n",
            false,
            Some(&context),
        );
    }
}
