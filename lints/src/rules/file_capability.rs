//! ## What it does
//! Flags `setcap` giving a file capabilities in the exported image (`setcap
//! cap_net_bind_service=+ep /usr/bin/app`). Removing (`setcap -r`) and verifying
//! (`setcap -v`) are not flagged.
//!
//! ## Why is this bad?
//! File capabilities are a piece of root: whoever runs the file gets them, even a
//! non-root user, and they survive `--cap-drop` only partly. They widen what CIS Docker
//! Benchmark 5.4 (restrict Linux kernel capabilities) is meant to narrow; prefer a port
//! above 1024 or granting the capability at run time (`--cap-add`) where it is reviewed.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN setcap cap_net_bind_service=+ep /usr/local/bin/server
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! ENV PORT=8080
//! ```
//!
//! ## Fix safety
//! No fix: the program may need the capability.
//!
//! ## References
//! CIS Docker Benchmark 5.4 (run-time item an image influences), 4.8 (by extension).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF512.
pub static META: RuleMeta = RuleMeta {
    code: "HF512",
    name: "file-capability",
    summary: "File capabilities granted with setcap",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[
            ("1.6.0", &["5.4", "4.8"]),
            ("1.5.0", &["5.4", "4.8"]),
            ("1.4.0", &["5.4", "4.8"]),
        ],
        ..Sources::NONE
    },
    doc: include_str!("file_capability.rs"),
};

/// HF512: setcap.
#[derive(Default)]
pub struct FileCapability;

impl Rule for FileCapability {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run
            || at.onbuild
            || !at.stage.is_some_and(|s| cx.is_exported(s))
        {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if !command.is("setcap") || command.has_any_flag(&["-r", "-v"]) {
                    continue;
                }
                let capability = command
                    .positional_args()
                    .first()
                    .map(|w| w.text.split(['=', '+']).next().unwrap_or("").to_string())
                    .unwrap_or_default();
                out.push(META.diagnostic(
                    run.span(command.span),
                    if capability.is_empty() {
                        "`setcap` grants file capabilities".to_string()
                    } else {
                        format!("`setcap` grants `{capability}` to a file")
                    },
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags_setcap() {
        assert_flags(
            "HF512",
            "FROM a:1\nRUN setcap cap_net_bind_service=+ep /usr/bin/x\n",
            1,
        );
        assert_flags(
            "HF512",
            "FROM a:1\nRUN setcap 'cap_net_raw+p' /bin/ping\n",
            1,
        );
        assert_clean("HF512", "FROM a:1\nRUN setcap -r /bin/ping\n");
        assert_clean(
            "HF512",
            "FROM a:1 AS x\nRUN setcap cap_net_raw+p /x\nFROM b:1\n",
        );
    }
}
