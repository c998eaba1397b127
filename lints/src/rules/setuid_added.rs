//! ## What it does
//! Flags setuid and setgid bits added in the exported image: `chmod u+s`, `g+s`, `+s`,
//! numeric modes with a 4, 2 or 6 in front (`4755`, `2755`), `install -m 4755`, and
//! `COPY`/`ADD --chmod=4755`.
//!
//! ## Why is this bad?
//! A setuid-root binary runs as root whoever starts it: one bug in it and a non-root
//! container user becomes root. CIS Docker Benchmark 4.8 asks for setuid and setgid
//! permissions to be removed from images.
//!
//! Stages whose files can reach the exported image are checked (the target, the stages it
//! is built from and those it copies from, since `COPY --from` keeps modes). `chmod -R
//! g+s` and `chmod g+s` on what `find -type d` found are not flagged: setgid on
//! directories only makes new files inherit the group.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! COPY tool /usr/local/bin/tool
//! RUN chmod 4755 /usr/local/bin/tool
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! COPY --chmod=0755 tool /usr/local/bin/tool
//! ```
//!
//! ## Fix safety
//! No fix: the program may rely on the privilege; give it a capability or redesign.
//!
//! ## References
//! CIS Docker Benchmark 4.8; dockle CIS-DI-0008.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::file_modes::{mode_words, on_directories, parse_mode};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF510.
pub static META: RuleMeta = RuleMeta {
    code: "HF510",
    name: "setuid-added",
    summary: "setuid or setgid bit added to a file",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.8"],
        ..Sources::NONE
    },
    doc: include_str!("setuid_added.rs"),
};

/// HF510: setuid/setgid.
#[derive(Default)]
pub struct SetuidAdded;

fn describe(setuid: bool, setgid: bool) -> &'static str {
    match (setuid, setgid) {
        (true, true) => "setuid and setgid bits",
        (true, false) => "the setuid bit",
        _ => "the setgid bit",
    }
}

impl Rule for SetuidAdded {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.onbuild || !at.stage.is_some_and(|s| cx.is_exported(s)) {
            return;
        }
        match at.keyword() {
            Keyword::Copy | Keyword::Add => {
                for flag in at.instruction.flags_named("chmod") {
                    if let Some(bits) = flag.value.as_deref().and_then(parse_mode)
                        && (bits.setuid || bits.setgid)
                    {
                        out.push(META.diagnostic(
                            flag.span,
                            format!("--chmod adds {}", describe(bits.setuid, bits.setgid)),
                        ));
                    }
                }
            }
            Keyword::Run => {
                for run in run_scripts(cx, &at) {
                    for command in run.commands() {
                        // `find … -type d | xargs chmod g+s`
                        let finder = command.pipeline.and_then(|position| {
                            run.commands().iter().find(|c| {
                                c.is("find")
                                    && c.pipeline.is_some_and(|p| p.pipeline == position.pipeline)
                            })
                        });
                        for word in mode_words(command) {
                            let Some(bits) = parse_mode(&word.text) else {
                                continue;
                            };
                            let setgid = bits.setgid && !on_directories(command, finder);
                            if bits.setuid || setgid {
                                out.push(META.diagnostic(
                                    run.span(word.span),
                                    format!(
                                        "`{}` adds {}",
                                        command.name().unwrap_or_default(),
                                        describe(bits.setuid, setgid)
                                    ),
                                ));
                            }
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
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags_setuid() {
        assert_flags("HF510", "FROM a:1\nRUN chmod 4755 /usr/bin/x\n", 1);
        assert_flags("HF510", "FROM a:1\nRUN chmod u+s /usr/bin/x\n", 1);
        assert_flags("HF510", "FROM a:1\nRUN install -m 6755 x /usr/bin/x\n", 1);
        assert_flags("HF510", "FROM a:1\nCOPY --chmod=4755 x /usr/bin/x\n", 1);
        assert_clean(
            "HF510",
            "FROM a:1\nRUN chmod 755 /usr/bin/x && chmod u-s /bin/su\n",
        );
        assert_clean("HF510", "FROM a:1\nRUN chmod -R g+s /srv/shared\n");
        assert_clean(
            "HF510",
            "FROM a:1\nRUN install -d --mode 3777 /run/pg && mkdir -m 2775 /d\n",
        );
        assert_clean(
            "HF510",
            "FROM a:1\nRUN find /srv -type d | xargs chmod g+s\n",
        );
        assert_clean("HF510", "FROM a:1 AS x\nRUN chmod 4755 /x\nFROM b:1\n");
    }
}
