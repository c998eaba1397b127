//! ## What it does
//! Flags TLS certificate verification turned off: `curl -k`/`--insecure`,
//! `wget --no-check-certificate`, `pip --trusted-host`, `git -c http.sslVerify=false`,
//! `git config http.sslVerify false`, `npm`/`yarn config set strict-ssl false`,
//! `--setopt=sslverify=0`, and the environment variables `GIT_SSL_NO_VERIFY`,
//! `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `CURL_CA_BUNDLE=""`,
//! `PIP_TRUSTED_HOST`, `NPM_CONFIG_STRICT_SSL=false` set by `ENV`, `ARG` or in a `RUN`.
//!
//! ## Why is this bad?
//! Without certificate checks anyone on the network path can serve the build a different
//! file or package. Set by `ENV`, the setting also stays in the image and weakens every
//! connection the application makes. CIS Docker Benchmark 4.11.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN curl -k -fsSLo /tmp/app.tgz https://example.com/app.tgz
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSLo /tmp/app.tgz https://example.com/app.tgz
//! ```
//!
//! ## Fix safety
//! Unsafe: `-k`, `--insecure`, `--no-check-certificate` and `-c http.sslVerify=false`
//! are removed when they are words of their own; the download then fails if the server's
//! certificate is not trusted (install the CA instead). Other forms are reported only.
//!
//! ## References
//! CIS Docker Benchmark 4.11; Checkov CKV2_DOCKER_2, CKV2_DOCKER_3, CKV2_DOCKER_4,
//! CKV2_DOCKER_5, CKV2_DOCKER_6, CKV2_DOCKER_12, CKV2_DOCKER_13, CKV2_DOCKER_14,
//! CKV2_DOCKER_15, CKV2_DOCKER_16.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::packages::remove_word;
use crate::rules::pip_cache_left::pip_args;
use crate::rules::run_scripts::{RunScript, run_scripts};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::{Args, Keyword};

/// Metadata of HF212.
pub static META: RuleMeta = RuleMeta {
    code: "HF212",
    name: "tls-verification-disabled",
    summary: "TLS certificate verification disabled (flags or environment)",
    default_severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.11"],
        checkov: &[
            "CKV2_DOCKER_2",
            "CKV2_DOCKER_3",
            "CKV2_DOCKER_4",
            "CKV2_DOCKER_5",
            "CKV2_DOCKER_6",
            "CKV2_DOCKER_12",
            "CKV2_DOCKER_13",
            "CKV2_DOCKER_14",
            "CKV2_DOCKER_15",
            "CKV2_DOCKER_16",
        ],
        ..Sources::NONE
    },
    doc: include_str!("tls_verification_disabled.rs"),
};

/// HF212: TLS verification off.
#[derive(Default)]
pub struct TlsVerificationDisabled;

fn is_false(value: &str) -> bool {
    matches!(
        value
            .trim_matches(['"', '\''])
            .to_ascii_lowercase()
            .as_str(),
        "0" | "false" | "no" | "off"
    )
}

/// Why an environment variable setting disables verification (never the value).
pub fn env_disables_tls(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim_matches(['"', '\'']);
    match name.to_ascii_uppercase().as_str() {
        "GIT_SSL_NO_VERIFY" if !value.is_empty() && !is_false(value) => {
            Some("GIT_SSL_NO_VERIFY turns off git's certificate checks")
        }
        "NODE_TLS_REJECT_UNAUTHORIZED" if value == "0" => {
            Some("NODE_TLS_REJECT_UNAUTHORIZED=0 turns off Node.js certificate checks")
        }
        "PYTHONHTTPSVERIFY" if value == "0" => {
            Some("PYTHONHTTPSVERIFY=0 turns off Python's certificate checks")
        }
        "CURL_CA_BUNDLE" | "REQUESTS_CA_BUNDLE" if value.is_empty() => {
            Some("an empty CA bundle turns off certificate checks in some HTTP clients")
        }
        "PIP_TRUSTED_HOST" if !value.is_empty() => {
            Some("PIP_TRUSTED_HOST turns off pip's certificate checks for those hosts")
        }
        "NPM_CONFIG_STRICT_SSL" | "YARN_STRICT_SSL" if is_false(value) => {
            Some("strict-ssl=false turns off npm's certificate checks")
        }
        _ => None,
    }
}

/// Findings in one command: (message, removable flag words).
fn command_findings(command: &Command) -> Vec<(&'static str, Vec<&crate::shell::Word>)> {
    let mut found = Vec::new();
    let name = command.name().unwrap_or_default();
    let whole = |flag: &str| {
        command
            .args
            .iter()
            .filter(move |w| w.text == flag)
            .collect::<Vec<_>>()
    };
    match name {
        "curl" if command.has_any_flag(&["-k", "--insecure"]) => {
            let mut words = whole("-k");
            words.extend(whole("--insecure"));
            found.push(("`curl -k` skips certificate verification", words));
        }
        "wget" if command.has_flag("--no-check-certificate") => {
            found.push((
                "`wget --no-check-certificate` skips certificate verification",
                whole("--no-check-certificate"),
            ));
        }
        "git" => {
            let args = &command.args;
            for (i, word) in args.iter().enumerate() {
                let lower = word.text.to_ascii_lowercase();
                if word.text == "-c"
                    && let Some(value) = args.get(i + 1)
                {
                    let v = value.text.to_ascii_lowercase();
                    if v.contains("sslverify=") && is_false(v.rsplit('=').next().unwrap_or("")) {
                        found.push((
                            "`git -c http.sslVerify=false` skips certificate verification",
                            vec![word, value],
                        ));
                    }
                }
                if lower.ends_with("sslverify")
                    && args.first().is_some_and(|w| w.text == "config")
                    && args.get(i + 1).is_some_and(|v| is_false(&v.text))
                {
                    found.push((
                        "`git config http.sslVerify false` skips certificate verification",
                        Vec::new(),
                    ));
                }
            }
        }
        "npm" | "yarn" | "pnpm" => {
            let texts: Vec<&str> = command.args.iter().map(|w| w.text.as_str()).collect();
            if texts
                .windows(2)
                .any(|p| p[0] == "set" && (p[1] == "strict-ssl" || p[1].starts_with("strict-ssl=")))
                && texts.iter().any(|t| is_false(t) || t.ends_with("=false"))
                || command.args.iter().any(|w| w.text == "--strict-ssl=false")
            {
                found.push((
                    "`strict-ssl false` turns off npm's certificate checks",
                    Vec::new(),
                ));
            }
        }
        _ => {}
    }
    if pip_args(command).is_some_and(|args| {
        args.iter()
            .any(|w| w.text == "--trusted-host" || w.text.starts_with("--trusted-host="))
            || args
                .windows(2)
                .any(|p| p[0].text == "set" && p[1].text.ends_with("trusted-host"))
    }) {
        found.push((
            "`pip --trusted-host` skips certificate verification for that host",
            Vec::new(),
        ));
    }
    if command.args.iter().any(|w| {
        let lower = w.text.to_ascii_lowercase();
        lower.contains("sslverify=")
            && is_false(lower.rsplit('=').next().unwrap_or(""))
            && !matches!(name, "git")
    }) {
        found.push((
            "`sslverify=0` turns off repository certificate checks",
            Vec::new(),
        ));
    }
    for assignment in &command.assignments {
        if let Some(message) = env_disables_tls(&assignment.name, &assignment.value.text) {
            found.push((message, Vec::new()));
        }
    }
    found
}

fn removal_fix(cx: &Context<'_>, run: &RunScript, words: &[&crate::shell::Word]) -> Option<Fix> {
    if words.is_empty() {
        return None;
    }
    let edits: Option<Vec<Edit>> = words.iter().map(|w| remove_word(cx, run, w)).collect();
    let mut edits = edits?;
    edits.sort_by_key(|e| e.span.start);
    if edits.windows(2).any(|p| p[0].span.end > p[1].span.start) {
        return None;
    }
    Some(Fix::unsafe_edit(
        "Remove the option that disables verification",
        edits,
    ))
}

impl Rule for TlsVerificationDisabled {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        match (&instruction.keyword, &instruction.args) {
            (Keyword::Env, Args::Pairs(pairs)) => {
                for pair in pairs {
                    let value = if at.onbuild {
                        pair.value.value.clone()
                    } else {
                        cx.expand(at.index, &pair.value.value)
                            .unwrap_or_else(|| pair.value.value.clone())
                    };
                    if let Some(message) = env_disables_tls(&pair.key.value, &value) {
                        out.push(META.diagnostic(pair.span, message));
                    }
                }
            }
            (Keyword::Arg, Args::Words(words)) => {
                for word in words {
                    if let Some((name, value)) = word.value.split_once('=')
                        && let Some(message) = env_disables_tls(name, value)
                    {
                        out.push(META.diagnostic(word.span, message));
                    }
                }
            }
            (Keyword::Run, _) => {
                for run in run_scripts(cx, &at) {
                    for command in run.commands() {
                        for (message, words) in command_findings(command) {
                            let fix = if at.onbuild {
                                None
                            } else {
                                removal_fix(cx, run, &words)
                            };
                            out.push(
                                META.diagnostic(run.span(command.span), message)
                                    .with_optional_fix(fix),
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
    fn flags_disabled_verification() {
        assert_flags("HF212", "FROM a:1\nRUN curl -fsSLk https://x/y -o y\n", 1);
        assert_flags(
            "HF212",
            "FROM a:1\nRUN wget --no-check-certificate https://x/y\n",
            1,
        );
        assert_flags(
            "HF212",
            "FROM a:1\nRUN pip install --trusted-host pypi.org x\n",
            1,
        );
        assert_flags(
            "HF212",
            "FROM a:1\nRUN git -c http.sslVerify=false clone https://x/y\n",
            1,
        );
        assert_flags(
            "HF212",
            "FROM a:1\nRUN git config --global http.sslverify false\n",
            1,
        );
        assert_flags(
            "HF212",
            "FROM a:1\nRUN npm config set strict-ssl false\n",
            1,
        );
        assert_flags(
            "HF212",
            "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=0 PYTHONHTTPSVERIFY=0\n",
            2,
        );
        assert_flags("HF212", "FROM a:1\nARG GIT_SSL_NO_VERIFY=1\n", 1);
        assert_flags(
            "HF212",
            "FROM a:1\nRUN CURL_CA_BUNDLE=\"\" python x.py\n",
            1,
        );
        assert_flags("HF212", "FROM a:1\nRUN export GIT_SSL_NO_VERIFY=true\n", 1);
        assert_clean("HF212", "FROM a:1\nRUN curl -fsSL https://x/y -o y\n");
        assert_clean("HF212", "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=1\n");
        assert_clean(
            "HF212",
            "FROM a:1\nRUN git -c advice.detachedHead=false clone x\n",
        );
    }

    #[test]
    fn fix_removes_separate_flags() {
        assert_fix(
            "HF212",
            "FROM a:1\nRUN curl -k -fsSL https://x/y -o y \\\n && wget --no-check-certificate https://x/z\n",
            "FROM a:1\nRUN curl -fsSL https://x/y -o y \\\n && wget https://x/z\n",
            true,
        );
        assert_fix(
            "HF212",
            "FROM a:1\nRUN git -c http.sslVerify=false clone https://x/y\n",
            "FROM a:1\nRUN git clone https://x/y\n",
            true,
        );
        let combined = "FROM a:1\nRUN curl -fsSLk https://x/y -o y\n";
        assert_fix("HF212", combined, combined, true);
    }
}
