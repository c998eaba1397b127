//! ## What it does
//! Flags a download executed straight away: `curl … | sh`, `wget -qO- … | bash`,
//! `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(wget -O- …)"`, also with `python`,
//! `perl`, `ruby`, `node` or `php` as the interpreter.
//!
//! ## Why is this bad?
//! Whatever the server (or anyone on the path) returns that day runs as the build user,
//! usually root, with nothing recording what it was. A truncated download can even run
//! half a script. CIS Docker Benchmark 4.11 and 4.12 ask for verified artifacts.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSL https://get.example.com/install.sh | sh
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://get.example.com/install.sh /tmp/install.sh
//! RUN sh /tmp/install.sh && rm /tmp/install.sh
//! ```
//!
//! ## Fix safety
//! No fix: the checksum has to come from a download the maintainer reviewed.
//!
//! ## References
//! CIS Docker Benchmark 4.11, 4.12 (4.11 only before v1.4.0).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::pip_cache_left::is_python_name;
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF210.
pub static META: RuleMeta = RuleMeta {
    code: "HF210",
    name: "remote-script-execution",
    summary: "Downloaded script piped into an interpreter",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[
            ("1.6.0", &["4.11", "4.12"]),
            ("1.5.0", &["4.11", "4.12"]),
            ("1.4.0", &["4.11", "4.12"]),
        ],
        ..Sources::NONE
    },
    doc: include_str!("remote_script_execution.rs"),
};

/// HF210: curl | sh.
#[derive(Default)]
pub struct RemoteScriptExecution;

/// Whether the command is an interpreter that runs code it reads.
pub fn is_interpreter(command: &Command) -> bool {
    command.name().is_some_and(|name| {
        matches!(
            name,
            "sh" | "bash"
                | "dash"
                | "ash"
                | "zsh"
                | "ksh"
                | "mksh"
                | "perl"
                | "ruby"
                | "node"
                | "php"
                | "eval"
                | "source"
                | "."
        ) || is_python_name(name)
    })
}

/// Whether the command downloads to standard output.
pub fn downloads_to_stdout(command: &Command) -> bool {
    if command.is("curl") {
        return !command.has_any_flag(&[
            "-o",
            "-O",
            "--output",
            "--remote-name",
            "--remote-name-all",
        ]) || command
            .flag_values("-o")
            .iter()
            .chain(&command.flag_values("--output"))
            .any(|v| v.text == "-");
    }
    if command.is("wget") {
        return command
            .flag_values("-O")
            .iter()
            .chain(&command.flag_values("--output-document"))
            .any(|v| v.text == "-");
    }
    command.is("fetch") && command.flag_values("-o").iter().any(|v| v.text == "-")
}

/// Whether a word runs a download inside a substitution (`$(curl …)`, `<(wget …)`).
fn substitutes_download(raw: &str) -> bool {
    ["$(", "<(", "`"].iter().any(|open| {
        raw.match_indices(open).any(|(at, _)| {
            let inner = raw[at + open.len()..].trim_start();
            inner.starts_with("curl ") || inner.starts_with("wget ")
        })
    })
}

impl Rule for RemoteScriptExecution {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            let script = &run.script;
            for pipeline in script.pipelines() {
                let heads = script.stage_heads(pipeline);
                let download = heads
                    .iter()
                    .position(|c| c.is_some_and(downloads_to_stdout));
                let Some(download) = download else {
                    continue;
                };
                let Some(interpreter) = heads[download + 1..]
                    .iter()
                    .flatten()
                    .find(|c| is_interpreter(c))
                else {
                    continue;
                };
                out.push(META.diagnostic(
                    run.span(pipeline.span),
                    format!(
                        "Downloaded script piped into `{}` without verification",
                        interpreter.name().unwrap_or_default()
                    ),
                ));
            }
            for command in run.commands() {
                if is_interpreter(command)
                    && command.args.iter().any(|w| substitutes_download(&w.raw))
                {
                    out.push(META.diagnostic(
                        run.span(command.span),
                        format!(
                            "Downloaded script run by `{}` without verification",
                            command.name().unwrap_or_default()
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags_pipes_into_interpreters() {
        assert_flags("HF210", "FROM a:1\nRUN curl -fsSL https://x/i.sh | sh\n", 1);
        assert_flags(
            "HF210",
            "FROM a:1\nRUN wget -qO- https://x/i.sh | sudo -E bash -\n",
            1,
        );
        assert_flags(
            "HF210",
            "FROM a:1\nRUN curl -sSL https://x/get.py | python3 -\n",
            1,
        );
        assert_flags("HF210", "FROM a:1\nRUN bash <(curl -s https://x/i.sh)\n", 1);
        assert_flags(
            "HF210",
            "FROM a:1\nRUN sh -c \"$(curl -fsSL https://x/i.sh)\"\n",
            1,
        );
        assert_clean(
            "HF210",
            "FROM a:1\nRUN curl -fsSL https://x/k.asc | gpg --dearmor -o /k.gpg\n",
        );
        assert_clean(
            "HF210",
            "FROM a:1\nRUN curl -fsSL -o i.sh https://x/i.sh && sh i.sh\n",
        );
        assert_clean(
            "HF210",
            "FROM a:1\nRUN curl -fsSL https://x/a.tgz | tar -xz\n",
        );
        assert_clean("HF210", "FROM a:1\nRUN wget https://x/i.sh | sh\n");
    }
}
