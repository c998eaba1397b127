//! ## What it does
//! Flags a file downloaded with `curl` or `wget` and then unpacked, installed or run in the
//! same `RUN` when nothing in that `RUN` verifies it (`sha256sum -c`, `sha512sum -c`,
//! `shasum -c`, `gpg --verify`, `gpgv`, `cosign verify-blob`, `minisign -V`, `openssl dgst`,
//! `rpm -K`).
//!
//! ## Why is this bad?
//! TLS only proves who served the file, not that it is the file the Dockerfile's author
//! reviewed: a compromised mirror, a moved tag or a re-uploaded release changes the image
//! silently. CIS Docker Benchmark 4.11 and 4.12 ask for verified artifacts.
//!
//! To keep noise low, only downloads that are then used in the same `RUN` are flagged
//! (extracted with `tar`/`unzip`, installed with `dpkg`/`rpm`/`apk`, run, made executable
//! or moved into place), and signature or checksum files themselves are ignored.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /usr/local
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz \
//!  && echo "24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d  /tmp/tool.tgz" | sha256sum -c - \
//!  && tar -xzf /tmp/tool.tgz -C /usr/local
//! ```
//!
//! ## Fix safety
//! No fix: the checksum has to come from a download the maintainer reviewed (or use
//! `ADD --checksum=sha256:…`).
//!
//! ## References
//! CIS Docker Benchmark 4.11, 4.12.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF211.
pub static META: RuleMeta = RuleMeta {
    code: "HF211",
    name: "unverified-download",
    summary: "Downloaded file used without checksum or signature verification",
    default_severity: Severity::Info,
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
    doc: include_str!("unverified_download.rs"),
};

/// HF211: download not verified.
#[derive(Default)]
pub struct UnverifiedDownload;

/// The file a download command writes, if it can be told.
fn output_file(command: &Command) -> Option<String> {
    let url_name = |command: &Command| {
        command
            .positional_args()
            .into_iter()
            .find(|w| w.text.contains("://"))
            .and_then(|w| {
                let path = w.text.split(['?', '#']).next().unwrap_or("");
                path.rsplit('/').next().map(str::to_owned)
            })
            .filter(|name| !name.is_empty())
    };
    if command.is("curl") {
        if let Some(out) = command
            .flag_value("-o")
            .or_else(|| command.flag_value("--output"))
        {
            return (out.text != "-").then(|| out.text.clone());
        }
        if command.has_any_flag(&["-O", "--remote-name"]) {
            return url_name(command);
        }
        return None;
    }
    if command.is("wget") {
        if let Some(out) = command
            .flag_value("-O")
            .or_else(|| command.flag_value("--output-document"))
        {
            return (out.text != "-").then(|| out.text.clone());
        }
        return url_name(command);
    }
    None
}

/// Names of checksum, signature and key files (downloading those is part of verifying).
#[allow(clippy::case_sensitive_file_extension_comparisons)] // compared lower-cased
fn is_verification_material(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".asc",
        ".sig",
        ".sign",
        ".gpg",
        ".pgp",
        ".pub",
        ".key",
        ".sha256",
        ".sha512",
        ".sha1",
        ".md5",
        ".sha256sum",
        ".sha512sum",
        ".sums",
        ".minisig",
        ".pem",
        ".crt",
        "sums",
        "keys",
        ".txt",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Whether a command verifies something.
fn verifies(command: &Command) -> bool {
    let Some(name) = command.name() else {
        return false;
    };
    match name {
        "sha256sum" | "sha512sum" | "sha1sum" | "sha384sum" | "md5sum" | "shasum" | "b2sum"
        | "cksum" => command.has_any_flag(&["-c", "--check"]),
        "gpg" | "gpg2" => command.has_flag("--verify"),
        "gpgv" | "gpgv2" | "minisign" | "signify" | "slsa-verifier" => true,
        "cosign" => command.is_subcommand(&["verify-blob", "verify", "verify-blob-attestation"]),
        "openssl" => command.is_subcommand(&["dgst"]),
        "rpm" => command.has_any_flag(&["-K", "--checksig"]),
        "gh" => command.is_subcommand(&["attestation"]),
        _ => false,
    }
}

/// Whether a command uses `file` as something to unpack, install or run.
fn uses(command: &Command, file: &str) -> bool {
    let basename = file.rsplit('/').next().unwrap_or(file);
    let mentions = |c: &Command| {
        c.args.iter().any(|w| {
            w.text == file
                || (!basename.is_empty()
                    && (w.text == basename
                        || w.text.ends_with(&format!("/{basename}"))
                        || w.text == format!("./{basename}")))
        })
    };
    let Some(name) = command.name() else {
        return false;
    };
    if command
        .program
        .as_ref()
        .is_some_and(|p| p.text == file || p.text.ends_with(&format!("/{basename}")))
    {
        return true;
    }
    matches!(
        name,
        "tar"
            | "unzip"
            | "gunzip"
            | "bunzip2"
            | "xz"
            | "unxz"
            | "7z"
            | "dpkg"
            | "rpm"
            | "apk"
            | "apt-get"
            | "apt"
            | "yum"
            | "dnf"
            | "sh"
            | "bash"
            | "python"
            | "python3"
            | "perl"
            | "chmod"
            | "install"
            | "mv"
            | "java"
            | "node"
            | "source"
            | "."
    ) && mentions(command)
}

impl Rule for UnverifiedDownload {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            if run.commands().iter().any(verifies) {
                continue;
            }
            for command in run.commands() {
                let Some(file) = output_file(command) else {
                    continue;
                };
                if is_verification_material(&file) {
                    continue;
                }
                let used = run
                    .commands()
                    .iter()
                    .any(|c| c.span.start > command.span.end && uses(c, &file));
                if used {
                    out.push(META.diagnostic(
                        run.span(command.span),
                        format!(
                            "`{}` downloads a file that is used without checksum or signature verification",
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
    fn flags_unverified_use() {
        assert_flags(
            "HF211",
            "FROM a:1\nRUN curl -fsSLo /tmp/t.tgz https://x/t.tgz && tar -xzf /tmp/t.tgz\n",
            1,
        );
        assert_flags(
            "HF211",
            "FROM a:1\nRUN wget https://x/tool.deb && dpkg -i tool.deb\n",
            1,
        );
        assert_flags(
            "HF211",
            "FROM a:1\nRUN curl -LO https://x/kubectl && chmod +x kubectl\n",
            1,
        );
        assert_clean(
            "HF211",
            "FROM a:1\nRUN curl -fsSLo t.tgz https://x/t.tgz && echo \"abc  t.tgz\" | sha256sum -c - && tar -xzf t.tgz\n",
        );
        assert_clean(
            "HF211",
            "FROM a:1\nRUN wget -O t.tgz https://x/t.tgz && wget -O t.tgz.asc https://x/t.tgz.asc && gpg --batch --verify t.tgz.asc t.tgz && tar -xzf t.tgz\n",
        );
        assert_clean(
            "HF211",
            "FROM a:1\nRUN curl -fsSLo /etc/x.conf https://x/x.conf\n",
        );
        assert_clean(
            "HF211",
            "FROM a:1\nRUN curl -fsSL https://x/k.asc -o /k.asc && gpg --import /k.asc\n",
        );
    }
}
