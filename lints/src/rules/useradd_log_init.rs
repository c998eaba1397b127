//! ## What it does
//! Flags `useradd` with a UID of six digits or more (`-u 100000`) without `-l`
//! (`--no-log-init`).
//!
//! ## Why is this bad?
//! `useradd` reserves a record for the UID in `/var/log/lastlog` and `/var/log/faillog`;
//! these are sparse files, but image layers store them expanded, so a large UID can add
//! gigabytes to the image. `-l` skips them (a container has no login records anyway).
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN useradd -u 123456 app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN useradd -l -u 123456 app
//! ```
//!
//! ## Fix safety
//! Safe: `-l` is added after `useradd`; only the login-record files differ.
//!
//! ## References
//! hadolint DL3046.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::packages::insert_after_word;
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF110.
pub static META: RuleMeta = RuleMeta {
    code: "HF110",
    name: "useradd-log-init",
    summary: "`useradd` with a large UID without `-l` bloats the image",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3046"],
        ..Sources::NONE
    },
    doc: include_str!("useradd_log_init.rs"),
};

/// HF110: useradd -l.
#[derive(Default)]
pub struct UseraddLogInit;

impl Rule for UseraddLogInit {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if !command.is("useradd") || command.has_any_flag(&["-l", "--no-log-init"]) {
                    continue;
                }
                let large = command
                    .flag_values("-u")
                    .iter()
                    .chain(&command.flag_values("--uid"))
                    .any(|uid| uid.text.len() > 5 && uid.text.bytes().all(|b| b.is_ascii_digit()));
                if !large {
                    continue;
                }
                let fix = command
                    .program
                    .as_ref()
                    .filter(|_| !at.onbuild)
                    .and_then(|program| insert_after_word(cx, run, program, "-l"))
                    .map(|edit| Fix::safe("Add `-l`", vec![edit]));
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        "`useradd` with a large UID and without `-l` writes huge lastlog/faillog files",
                    )
                    .with_optional_fix(fix),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_large_uids() {
        assert_flags("HF110", "FROM a:1\nRUN useradd -u 123456 app\n", 1);
        assert_flags("HF110", "FROM a:1\nRUN useradd --uid=1000000 app\n", 1);
        assert_clean("HF110", "FROM a:1\nRUN useradd -u 10001 app\n");
        assert_clean("HF110", "FROM a:1\nRUN useradd -l -u 123456 app\n");
        assert_clean(
            "HF110",
            "FROM a:1\nRUN useradd --no-log-init -ru 123456 app\n",
        );
    }

    #[test]
    fn fix_adds_l() {
        assert_fix(
            "HF110",
            "FROM a:1\nRUN groupadd -g 123456 app && useradd -u 123456 -g app app\n",
            "FROM a:1\nRUN groupadd -g 123456 app && useradd -l -u 123456 -g app app\n",
            false,
        );
    }
}
