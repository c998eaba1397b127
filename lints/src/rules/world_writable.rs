//! ## What it does
//! Flags files and directories made writable by everyone in the exported image:
//! `chmod 777`, `666`, `o+w`, `a+w`, `install -m 777`, `mkdir -m 777` and
//! `COPY`/`ADD --chmod=777`. Modes with the sticky bit (`1777`, `+t`), as for `/tmp`, are
//! not flagged.
//!
//! ## Why is this bad?
//! Any process in the container, whatever its user, can then replace the program or its
//! configuration; with a shared volume, so can other containers. Together with setuid
//! files (CIS Docker Benchmark 4.8) this is the usual path from a foothold to root.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN mkdir -p /app/data && chmod 777 /app/data
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN mkdir -p /app/data && chown 65532:65532 /app/data && chmod 755 /app/data
//! ```
//!
//! ## Fix safety
//! Unsafe, for numeric modes only: the write bit is removed for group and others
//! (`777` → `755`, `666` → `644`); a process running as another user may then fail to
//! write. Give the directory to the user that writes it instead.
//!
//! ## References
//! CIS Docker Benchmark 4.8 (by extension).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::file_modes::{mode_words, parse_mode};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Keyword, Span};

/// Metadata of HF511.
pub static META: RuleMeta = RuleMeta {
    code: "HF511",
    name: "world-writable",
    summary: "File or directory made writable by everyone",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.8"],
        ..Sources::NONE
    },
    doc: include_str!("world_writable.rs"),
};

/// HF511: world-writable.
#[derive(Default)]
pub struct WorldWritable;

/// The mode without group and other write bits (`777` → `755`).
fn without_shared_write(mode: &str) -> String {
    let len = mode.len();
    mode.char_indices()
        .map(|(i, c)| {
            if len >= 3 && i >= len - 2 {
                let digit = c.to_digit(8).unwrap_or(0) & !2;
                char::from_digit(digit, 8).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn fix_for(span: Option<Span>, mode: &str, numeric: bool) -> Option<Fix> {
    let span = span.filter(|_| numeric)?;
    Some(Fix::unsafe_edit(
        "Remove write permission for group and others",
        vec![Edit::replace(span, without_shared_write(mode))],
    ))
}

impl Rule for WorldWritable {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.onbuild || !at.stage.is_some_and(|s| cx.is_exported(s)) {
            return;
        }
        let source = cx.source();
        match at.keyword() {
            Keyword::Copy | Keyword::Add => {
                for flag in at.instruction.flags_named("chmod") {
                    let Some(mode) = flag.value.as_deref() else {
                        continue;
                    };
                    let Some(bits) = parse_mode(mode) else {
                        continue;
                    };
                    if !bits.world_writable || bits.sticky {
                        continue;
                    }
                    let raw = flag.span.text(source).unwrap_or("");
                    let value_span = raw
                        .strip_suffix(mode)
                        .filter(|head| head.ends_with('='))
                        .map(|head| Span::new(flag.span.start + head.len(), flag.span.end));
                    out.push(
                        META.diagnostic(flag.span, "--chmod makes the files writable by everyone")
                            .with_optional_fix(fix_for(value_span, mode, bits.numeric)),
                    );
                }
            }
            Keyword::Run => {
                for run in run_scripts(cx, &at) {
                    for command in run.commands() {
                        for word in mode_words(command) {
                            let Some(bits) = parse_mode(&word.text) else {
                                continue;
                            };
                            if !bits.world_writable || bits.sticky {
                                continue;
                            }
                            let span = run
                                .exact_span(source, word.span)
                                .filter(|s| s.text(source) == Some(word.text.as_str()));
                            out.push(
                                META.diagnostic(
                                    run.span(word.span),
                                    format!(
                                        "`{} {}` makes the path writable by everyone",
                                        command.name().unwrap_or_default(),
                                        word.text
                                    ),
                                )
                                .with_optional_fix(fix_for(
                                    span,
                                    &word.text,
                                    bits.numeric,
                                )),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_world_writable() {
        assert_flags("HF511", "FROM a:1\nRUN chmod -R 777 /app\n", 1);
        assert_flags("HF511", "FROM a:1\nRUN chmod a+w /app\n", 1);
        assert_flags("HF511", "FROM a:1\nRUN mkdir -m 0777 /data\n", 1);
        assert_flags("HF511", "FROM a:1\nCOPY --chmod=666 x /x\n", 1);
        assert_clean(
            "HF511",
            "FROM a:1\nRUN chmod 1777 /tmp && chmod 755 /app && chmod +w /x\n",
        );
        assert_clean("HF511", "FROM a:1 AS x\nRUN chmod 777 /x\nFROM b:1\n");
    }

    #[test]
    fn fix_drops_shared_write() {
        assert_fix(
            "HF511",
            "FROM a:1\nRUN chmod -R 777 /app && mkdir -m 0666 /d\nCOPY --chmod=777 x /x\n",
            "FROM a:1\nRUN chmod -R 755 /app && mkdir -m 0644 /d\nCOPY --chmod=755 x /x\n",
            true,
        );
    }
}
