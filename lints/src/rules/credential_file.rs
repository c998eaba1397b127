//! ## What it does
//! Flags `COPY`/`ADD` whose source or destination names a credential file: SSH keys
//! (`id_rsa`, `id_ed25519`, …), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,
//! `.aws/credentials`, `.docker/config.json`, `.env` files, kubeconfigs, key stores and
//! private keys (`*.key`, `*.p12`, `*.pfx`, `*.jks`, `*-key.pem`).
//!
//! ## Why is this bad?
//! A file copied into a layer stays in the image even if a later `RUN rm` deletes it;
//! anyone who can pull the image can extract it. CIS Docker Benchmark 4.10.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! COPY .npmrc package.json ./
//! RUN npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.10
//! FROM node:22-slim
//! COPY package.json ./
//! RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
//! ```
//!
//! ## Fix safety
//! No automatic fix: the consumer must move to a secret mount.
//!
//! ## References
//! CIS Docker Benchmark 4.10; Trivy DS-0031; dockle CIS-DI-0010.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{copy_operands, is_heredoc_marker};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF404.
pub static META: RuleMeta = RuleMeta {
    code: "HF404",
    name: "credential-file",
    summary: "A credential file is copied into the image",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.10"],
        trivy: &["DS-0031"],
        ..Sources::NONE
    },
    doc: include_str!("credential_file.rs"),
};

/// HF404: credential files copied in.
#[derive(Default)]
pub struct CredentialFile;

/// What kind of credential file `path` names, if any.
#[allow(clippy::case_sensitive_file_extension_comparisons)] // compared lower-cased
pub fn credential_file(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let parent = lower.rsplit('/').nth(1).unwrap_or("");
    let kind = match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            "an SSH private key"
        }
        ".npmrc"
        | ".pypirc"
        | ".netrc"
        | ".git-credentials"
        | ".htpasswd"
        | ".pgpass"
        | ".yarnrc.yml"
        | "credentials.json"
        | "service-account.json"
        | "kubeconfig" => "a credentials file",
        "credentials" if parent == ".aws" => "AWS credentials",
        "config.json" if parent == ".docker" => "Docker registry credentials",
        "config" if parent == ".kube" => "a kubeconfig",
        ".env" => "an environment file",
        _ if name.starts_with(".env.")
            && !name.ends_with(".example")
            && !name.ends_with(".sample")
            && !name.ends_with(".template")
            && !name.ends_with(".dist") =>
        {
            "an environment file"
        }
        _ if [".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk"]
            .iter()
            .any(|ext| name.ends_with(ext)) =>
        {
            "a private key or key store"
        }
        _ if name.ends_with(".pem") && (name.contains("key") || name.contains("private")) => {
            "a private key"
        }
        _ => return None,
    };
    Some(kind)
}

impl Rule for CredentialFile {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let Some((sources, dest)) = copy_operands(at.instruction) else {
            return;
        };
        for word in sources.into_iter().chain(std::iter::once(dest)) {
            if is_heredoc_marker(&word.value) || word.value.contains("://") {
                continue;
            }
            if let Some(kind) = credential_file(&word.value) {
                out.push(
                    META.diagnostic(
                        word.span,
                        format!(
                            "`{}` looks like {kind}; it stays in the image layer",
                            word.value
                        ),
                    )
                    .with_help(
                        "Mount it only where needed: `RUN --mount=type=secret,id=…,target=…`",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::credential_file;
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn names() {
        assert!(credential_file("/root/.ssh/id_rsa").is_some());
        assert!(credential_file("home/.aws/credentials").is_some());
        assert!(credential_file(".docker/config.json").is_some());
        assert!(credential_file(".env.production").is_some());
        assert!(credential_file(".env.example").is_none());
        assert!(credential_file("config.json").is_none());
        assert!(credential_file("ca.pem").is_none());
        assert!(credential_file("tls-key.pem").is_some());
    }

    #[test]
    fn copies() {
        assert_flags("HF404", "FROM a:1\nCOPY .npmrc package.json ./\n", 1);
        assert_flags("HF404", "FROM a:1\nCOPY key /root/.ssh/id_ed25519\n", 1);
        assert_clean("HF404", "FROM a:1\nCOPY package.json ./\n");
    }
}
