//! ## What it does
//! Flags `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`).
//!
//! ## Why is this bad?
//! The shell form runs the command under `/bin/sh -c`: the shell is PID 1, so `SIGTERM`
//! from `docker stop` never reaches the application, which is killed after the grace
//! period without shutting down cleanly; a shell-form `ENTRYPOINT` also ignores `CMD` and
//! `docker run` arguments. It also requires a shell in the image.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! CMD node server.js
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! CMD ["node", "server.js"]
//! ```
//!
//! ## Fix safety
//! For `CMD`, the rewrite to exec form is safe when the command has no shell syntax (no
//! `$`, quotes, globs, redirections, `;&|()<>`, `~`, no variable assignment, no shell
//! builtin such as `cd` or `exec`) and the stage uses the default shell: the same program
//! gets the same arguments, only without the shell in between. For `ENTRYPOINT` it is
//! unsafe: in exec form it starts receiving `CMD` and `docker run` arguments. Commands with
//! shell syntax get no fix (wrap them in a script, or use `["sh", "-c", "…"]` knowingly).
//!
//! ## References
//! BuildKit JSONArgsRecommended; hadolint DL3025.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF701.
pub static META: RuleMeta = RuleMeta {
    code: "HF701",
    name: "shell-form-command",
    summary: "CMD or ENTRYPOINT in shell form",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3025"],
        buildkit: &["JSONArgsRecommended"],
        ..Sources::NONE
    },
    doc: include_str!("shell_form_command.rs"),
};

/// HF701: shell-form CMD/ENTRYPOINT.
#[derive(Default)]
pub struct ShellFormCommand;

const SHELL_WORDS: [&str; 30] = [
    "exec", "cd", "if", "then", "for", "while", "until", "case", "set", "export", "source", ".",
    "eval", "trap", "ulimit", "umask", "alias", "unset", "read", "wait", "shift", "exit", "return",
    "local", "declare", "typeset", "builtin", "command", "!", "{",
];

/// The words of a command with no shell syntax, or `None`.
pub fn plain_words(command: &str, escape: char) -> Option<Vec<&str>> {
    let plain = command.chars().all(|c| {
        c != escape
            && (c.is_ascii_alphanumeric() || c == ' ' || c == '\t' || "-_./:=,@+%^".contains(c))
    });
    if !plain {
        return None;
    }
    let words: Vec<&str> = command
        .split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first()?;
    if first.contains('=') || SHELL_WORDS.contains(first) {
        return None;
    }
    Some(words)
}

impl Rule for ShellFormCommand {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let keyword = instruction.keyword;
        if !matches!(keyword, Keyword::Cmd | Keyword::Entrypoint) {
            return;
        }
        let Args::Rest(word) = &instruction.args else {
            return;
        };
        let default_shell = {
            let shell = &cx.model.state_before(at.index).shell;
            shell.is_empty() || shell == &["/bin/sh", "-c"]
        };
        let mut diagnostic = META.diagnostic(
            instruction.span,
            format!(
                "{} in shell form runs under /bin/sh -c, which does not forward signals",
                keyword.as_str()
            ),
        );
        if default_shell
            && !at.onbuild
            && !word.value.contains('\n')
            && let Some(words) = plain_words(&word.value, cx.file.escape)
        {
            let json = format!(
                "[{}]",
                words
                    .iter()
                    .map(|w| serde_json::Value::String((*w).to_string()).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let edits = vec![Edit::replace(word.span, json)];
            let message = "Rewrite in exec (JSON) form";
            diagnostic = diagnostic.with_fix(if keyword == Keyword::Cmd {
                Fix::safe(message, edits)
            } else {
                Fix::unsafe_edit(message, edits)
            });
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn forms() {
        assert_flags("HF701", "FROM a:1\nCMD node server.js\nENTRYPOINT x\n", 2);
        assert_clean("HF701", "FROM a:1\nCMD [\"node\"]\n");
        assert_fix(
            "HF701",
            "FROM a:1\nCMD node --port=80 server.js\n",
            "FROM a:1\nCMD [\"node\", \"--port=80\", \"server.js\"]\n",
            false,
        );
        let source = "FROM a:1\nCMD node $APP\nCMD cd /x && run\nENTRYPOINT run\n";
        assert_fix("HF701", source, source, false);
        assert_fix(
            "HF701",
            source,
            "FROM a:1\nCMD node $APP\nCMD cd /x && run\nENTRYPOINT [\"run\"]\n",
            true,
        );
    }
}
