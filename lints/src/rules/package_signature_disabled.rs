//! ## What it does
//! Flags package signature checks turned off: `apt-get --allow-unauthenticated`,
//! `--allow-insecure-repositories`, `--force-yes`, `-o Acquire::AllowInsecureRepositories=true`,
//! `-o APT::Get::AllowUnauthenticated=true`, `[trusted=yes]` apt sources,
//! `apk --allow-untrusted`, `rpm --nosignature`/`--nodigest`/`--nofiledigest`,
//! `yum`/`dnf`/`microdnf`/`tdnf --nogpgcheck`, and `gpgcheck=0` written to repository files.
//!
//! ## Why is this bad?
//! Package signatures are what makes a mirror, a proxy or plain HTTP safe to use; without
//! them any package can be swapped. CIS Docker Benchmark 4.11: install only verified
//! packages.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache --allow-untrusted --repository https://apk.example.com/main tool
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! COPY keys/apk.example.com.rsa.pub /etc/apk/keys/
//! RUN apk add --no-cache --repository https://apk.example.com/main tool
//! ```
//!
//! ## Fix safety
//! Unsafe: the option is removed when it is a word of its own (and `-o` settings with
//! their `-o`); the install then fails until the signing key is installed. Repository
//! files and `[trusted=yes]` are reported only. Not flagged: `[trusted=yes]` on a local
//! `file:` repository and `apk --allow-untrusted` on local `.apk` files, which a
//! `RUN` or an earlier stage just built.
//!
//! ## References
//! CIS Docker Benchmark 4.11; Checkov CKV2_DOCKER_7, CKV2_DOCKER_8, CKV2_DOCKER_9,
//! CKV2_DOCKER_10, CKV2_DOCKER_11.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::packages::{Manager, manager, remove_word};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::{Command, Word};
use crate::syntax::Keyword;

/// Metadata of HF213.
pub static META: RuleMeta = RuleMeta {
    code: "HF213",
    name: "package-signature-disabled",
    summary: "Package signature verification disabled",
    default_severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.11"],
        checkov: &[
            "CKV2_DOCKER_7",
            "CKV2_DOCKER_8",
            "CKV2_DOCKER_9",
            "CKV2_DOCKER_10",
            "CKV2_DOCKER_11",
        ],
        ..Sources::NONE
    },
    doc: include_str!("package_signature_disabled.rs"),
};

/// HF213: signatures off.
#[derive(Default)]
pub struct PackageSignatureDisabled;

/// Whether text turns a setting on.
fn is_true(value: &str) -> bool {
    matches!(
        value
            .trim_matches(['"', '\'', ';', ' '])
            .to_ascii_lowercase()
            .as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// Whether `text` holds `gpgcheck=0` (not `repo_gpgcheck`, `localpkg_gpgcheck`).
fn has_gpgcheck_off(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("gpgcheck").any(|(at, key)| {
        let head = &lower[..at];
        let escaped = head.ends_with("\\n") || head.ends_with("\\t");
        let before = head.chars().next_back();
        if !escaped && before.is_some_and(|c| c == '_' || c.is_ascii_alphanumeric()) {
            return false;
        }
        let rest = lower[at + key.len()..].trim_start();
        rest.strip_prefix('=').is_some_and(|v| {
            let v = v.trim_start();
            v.starts_with('0') || v.starts_with("false") || v.starts_with("no")
        })
    })
}

/// Whether every package operand is a local `.apk` file (built in an earlier stage).
fn only_local_packages(command: &Command) -> bool {
    let packages: Vec<&Word> = command.positional_args().into_iter().skip(1).collect();
    !packages.is_empty()
        && packages
            .iter()
            .all(|w| w.text.starts_with('/') && w.text.contains(".apk"))
}

/// The findings of one command: (message, words to remove for the fix).
fn findings(command: &Command) -> Vec<(&'static str, Vec<&Word>)> {
    let mut found = Vec::new();
    let words = |flags: &[&str]| -> Vec<&Word> {
        command
            .args
            .iter()
            .filter(|w| flags.contains(&w.text.as_str()))
            .collect()
    };
    match (manager(command), command.name().unwrap_or_default()) {
        (Some(Manager::Apt), _) => {
            const FLAGS: [&str; 3] = [
                "--allow-unauthenticated",
                "--allow-insecure-repositories",
                "--force-yes",
            ];
            if command.has_any_flag(&FLAGS) {
                found.push((
                    "apt is told to accept unsigned packages or repositories",
                    words(&FLAGS),
                ));
            }
            for (i, word) in command.args.iter().enumerate() {
                let (option, value_word) = if word.text == "-o" {
                    (command.args.get(i + 1), command.args.get(i + 1))
                } else {
                    (None, None)
                };
                let Some(option) = option else {
                    continue;
                };
                let lower = option.text.to_ascii_lowercase();
                if (lower.contains("allowinsecurerepositories")
                    || lower.contains("allowunauthenticated")
                    || lower.contains("allowdowngradetoinsecurerepositories"))
                    && is_true(lower.rsplit('=').next().unwrap_or(""))
                {
                    found.push((
                        "apt option accepts unsigned packages or repositories",
                        value_word.map(|v| vec![word, v]).unwrap_or_default(),
                    ));
                }
            }
        }
        (Some(Manager::Apk), _)
            if command.has_flag("--allow-untrusted") && !only_local_packages(command) =>
        {
            found.push((
                "`apk --allow-untrusted` installs unsigned packages",
                words(&["--allow-untrusted"]),
            ));
        }
        (Some(Manager::Rpm), _) if command.has_flag("--nogpgcheck") => {
            found.push((
                "`--nogpgcheck` installs packages without signature checks",
                words(&["--nogpgcheck"]),
            ));
        }
        (_, "rpm") => {
            const FLAGS: [&str; 3] = ["--nosignature", "--nodigest", "--nofiledigest"];
            if command.has_any_flag(&FLAGS) {
                found.push((
                    "rpm is told to skip signature or digest checks",
                    words(&FLAGS),
                ));
            }
        }
        _ => {}
    }
    if (matches!(manager(command), Some(Manager::Rpm)) || command.is("yum-config-manager"))
        && (command
            .args
            .iter()
            .any(|w| w.text.starts_with("--setopt") && has_gpgcheck_off(&w.text))
            || command
                .flag_values("--setopt")
                .iter()
                .any(|v| has_gpgcheck_off(&v.text)))
    {
        found.push((
            "`gpgcheck=0` turns off package signature checks",
            Vec::new(),
        ));
    }
    let writes_config = matches!(
        command.name(),
        Some("echo" | "printf" | "tee" | "sed" | "cat")
    );
    if writes_config {
        let texts = command.args.iter().map(|w| w.text.as_str());
        for text in texts {
            let lower = text.to_ascii_lowercase();
            // A local repository the same RUN just built (`file:`/`copy:`) has no signer.
            let local = lower.contains("file:") || lower.contains("copy:");
            if lower.contains("trusted=yes") && !local {
                found.push((
                    "`[trusted=yes]` makes apt accept an unsigned repository",
                    Vec::new(),
                ));
            } else if has_gpgcheck_off(text) && !lower.contains("gpgcheck=1") {
                found.push((
                    "`gpgcheck=0` written to a repository file turns off signature checks",
                    Vec::new(),
                ));
            } else if (lower.contains("allowinsecurerepositories")
                || lower.contains("allowunauthenticated"))
                && lower.contains("true")
            {
                found.push(("apt configuration accepts unsigned packages", Vec::new()));
            }
        }
    }
    found
}

impl Rule for PackageSignatureDisabled {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                for (message, words) in findings(command) {
                    let fix = (!at.onbuild && !words.is_empty())
                        .then(|| {
                            words
                                .iter()
                                .map(|w| remove_word(cx, run, w))
                                .collect::<Option<Vec<Edit>>>()
                        })
                        .flatten()
                        .map(|edits| Fix::unsafe_edit("Remove the option", edits));
                    out.push(
                        META.diagnostic(run.span(command.span), message)
                            .with_optional_fix(fix),
                    );
                }
                // Heredoc bodies written to repository files (`cat > x.repo <<EOF`).
                for redirect in &command.redirects {
                    if let Some(body) = redirect.heredoc_body
                        && has_gpgcheck_off(run.text_of(body))
                    {
                        out.push(META.diagnostic(
                            run.span(body),
                            "`gpgcheck=0` written to a repository file turns off signature checks",
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_disabled_signatures() {
        assert_flags(
            "HF213",
            "FROM a:1\nRUN apt-get install -y --allow-unauthenticated x\n",
            1,
        );
        assert_flags(
            "HF213",
            "FROM a:1\nRUN apt-get -o Acquire::AllowInsecureRepositories=true update\n",
            1,
        );
        assert_flags(
            "HF213",
            "FROM a:1\nRUN apk add --allow-untrusted x.apk\n",
            1,
        );
        assert_flags("HF213", "FROM a:1\nRUN yum install -y --nogpgcheck x\n", 1);
        assert_flags("HF213", "FROM a:1\nRUN rpm -i --nosignature x.rpm\n", 1);
        assert_flags(
            "HF213",
            "FROM a:1\nRUN echo 'deb [trusted=yes] http://x/ ./' > /etc/apt/sources.list.d/x.list\n",
            1,
        );
        assert_flags(
            "HF213",
            "FROM a:1\nRUN printf '[x]\\nbaseurl=https://x\\ngpgcheck=0\\n' > /etc/yum.repos.d/x.repo\n",
            1,
        );
        assert_flags(
            "HF213",
            "FROM a:1\nRUN cat > /etc/yum.repos.d/x.repo <<EOF\n[x]\ngpgcheck=0\nEOF\n",
            1,
        );
        assert_clean(
            "HF213",
            "FROM a:1\nRUN echo 'repo_gpgcheck=0' >> /etc/yum.conf\n",
        );
        assert_clean("HF213", "FROM a:1\nRUN apt-get install -y x\n");
        assert_clean(
            "HF213",
            "FROM a:1\nRUN echo \"deb [ trusted=yes ] file://$tmp ./\" > /etc/apt/sources.list.d/t.list\n",
        );
        assert_clean(
            "HF213",
            "FROM a:1\nRUN apk add --allow-untrusted /tmp/pkgs/x-1.0.apk\n",
        );
        assert_flags("HF213", "FROM a:1\nRUN apk add --allow-untrusted curl\n", 1);
    }

    #[test]
    fn fix_removes_flags() {
        assert_fix(
            "HF213",
            "FROM a:1\nRUN apt-get install -y --allow-unauthenticated x\n",
            "FROM a:1\nRUN apt-get install -y x\n",
            true,
        );
        assert_fix(
            "HF213",
            "FROM a:1\nRUN apt-get -o Acquire::AllowInsecureRepositories=true update\n",
            "FROM a:1\nRUN apt-get update\n",
            true,
        );
    }
}
