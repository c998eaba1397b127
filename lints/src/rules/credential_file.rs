//! ## What it does
//! Flags `COPY`/`ADD` whose source or destination names a credential file: SSH keys
//! (`id_rsa`, `id_ed25519`, …), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,
//! `.aws/credentials`, `.docker/config.json`, `.env` files, kubeconfigs, key stores and
//! private keys (`*.key`, `*.p12`, `*.pfx`, `*.jks`, `*-key.pem`).
//!
//! A `*.key` or `*.pem` key file is not flagged when the evidence says it is a public key:
//! - its build-context content (read when the linter has the context and the source is
//!   local) begins with `-----BEGIN PGP PUBLIC KEY BLOCK-----`, `-----BEGIN PUBLIC KEY-----`,
//!   `-----BEGIN RSA PUBLIC KEY-----`, `---- BEGIN SSH2 PUBLIC KEY ----`,
//!   `-----BEGIN CERTIFICATE-----`, an OpenSSH public key line (`ssh-rsa `, `ssh-ed25519 `,
//!   `ecdsa-sha2-…`, …) or a binary OpenPGP public-key packet, and mentions no
//!   `PRIVATE KEY` anywhere;
//! - otherwise (no context, or content that says neither), the file name of the source or
//!   of the destination contains `public`, `pubkey`, `gpg` or `pgp`, or has a `pub` or
//!   `asc` part (`COPY jenkins.io-2026.key /war/jenkins-key.pub`, `repo.gpg.key`,
//!   `COPY nodesource.key /etc/apt/trusted.gpg.d/`) — unless that name also contains
//!   `private`, `secret` or `secring`. A directory named just `public` or `public_html`
//!   is a web root and says nothing.
//!
//! Content with a `PRIVATE KEY` block (PEM, OpenSSH, PGP), a PuTTY key or a binary OpenPGP
//! secret-key packet is flagged whatever the names say. SSH key names (`id_rsa`, …) and key
//! stores are always flagged.
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
use crate::context::{BuildContext, has_glob_meta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{copy_operands, expanded_source, is_heredoc_marker, strip_quotes};
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

/// How much of a context file is read to tell a public from a private key (key files are
/// small; a PEM bundle with a private key further down is still caught).
const KEY_SNIFF_LEN: usize = 64 * 1024;

/// What a key file's name or content says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyEvidence {
    /// Public key material (or a certificate): nothing secret.
    Public,
    /// Private key material.
    Private,
    /// Cannot tell.
    Unknown,
}

/// Whether `path` is a key whose name alone does not say private or public: the files
/// [`credential_file`] reports by the `.key` and `.pem` suffixes.
#[allow(clippy::case_sensitive_file_extension_comparisons)] // compared lower-cased
fn is_ambiguous_key(path: &str) -> bool {
    let name = file_name(path);
    name.ends_with(".key") || name.ends_with(".pem")
}

/// The lower-cased last component of `path` (a directory's own name for `dir/`), with `\`
/// separating Windows paths too.
fn file_name(path: &str) -> String {
    let path = path.trim_end_matches(['/', '\\']).to_ascii_lowercase();
    match path.rsplit_once(['/', '\\']) {
        Some((_, name)) => name.to_string(),
        None => path,
    }
}

/// Whether a file name says public key material (see the rule documentation).
fn name_says_public(path: &str) -> bool {
    let name = file_name(path);
    if ["private", "secret", "secring"]
        .iter()
        .any(|word| name.contains(word))
    {
        return false;
    }
    // A directory called `public` is a web root, not a sign of public key material.
    let web_root = name == "public" || name == "public_html";
    (!web_root && name.contains("public"))
        || ["pubkey", "gpg", "pgp"]
            .iter()
            .any(|word| name.contains(word))
        || name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part == "pub" || part == "asc")
}

/// What the first bytes of a key file say about it.
fn content_evidence(bytes: &[u8]) -> KeyEvidence {
    const PRIVATE_MARKERS: [&[u8]; 3] = [
        b"PRIVATE KEY-----",
        b"PRIVATE KEY BLOCK-----",
        b"PuTTY-User-Key-File",
    ];
    const PUBLIC_STARTS: [&[u8]; 13] = [
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----",
        b"-----BEGIN PUBLIC KEY-----",
        b"-----BEGIN RSA PUBLIC KEY-----",
        b"---- BEGIN SSH2 PUBLIC KEY ----",
        b"-----BEGIN CERTIFICATE-----",
        b"-----BEGIN TRUSTED CERTIFICATE-----",
        b"ssh-rsa ",
        b"ssh-ed25519 ",
        b"ssh-dss ",
        b"ecdsa-sha2-",
        b"sk-ssh-ed25519@openssh.com ",
        b"sk-ecdsa-sha2-",
        b"-----BEGIN SSH2 PUBLIC KEY-----",
    ];
    if PRIVATE_MARKERS
        .iter()
        .any(|marker| bytes.windows(marker.len()).any(|w| w == *marker))
    {
        return KeyEvidence::Private;
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    if PUBLIC_STARTS.iter().any(|marker| text.starts_with(marker)) {
        return KeyEvidence::Public;
    }
    // Binary OpenPGP (`gpg --export`): the first packet's tag, old format (0x80 | tag << 2 |
    // length type) or new format (0xC0 | tag). Tag 6 is a public key, tag 5 a secret key.
    match bytes.first() {
        Some(0x98..=0x9B | 0xC6) => KeyEvidence::Public,
        Some(0x94..=0x97 | 0xC5) => KeyEvidence::Private,
        _ => KeyEvidence::Unknown,
    }
}

/// What the build context holds at a (expanded) COPY/ADD source: every matching file must
/// be public for [`KeyEvidence::Public`]; any private one makes it [`KeyEvidence::Private`].
fn context_evidence(context: &dyn BuildContext, source: &str) -> KeyEvidence {
    let paths = if has_glob_meta(source) {
        context.list(source)
    } else {
        vec![source.to_string()]
    };
    let (mut public, mut unknown) = (false, false);
    for path in paths {
        if context.is_dir(&path) {
            continue;
        }
        match context
            .read_prefix(&path, KEY_SNIFF_LEN)
            .map_or(KeyEvidence::Unknown, |bytes| content_evidence(&bytes))
        {
            KeyEvidence::Private => return KeyEvidence::Private,
            KeyEvidence::Unknown => unknown = true,
            KeyEvidence::Public => public = true,
        }
    }
    if public && !unknown {
        KeyEvidence::Public
    } else {
        KeyEvidence::Unknown
    }
}

impl Rule for CredentialFile {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let Some((sources, dest)) = copy_operands(at.instruction) else {
            return;
        };
        // Only local sources can be read; `--from` names a stage or an image.
        let context = cx
            .build_context
            .filter(|_| at.instruction.flag("from").is_none());
        let local = |word: &crate::syntax::Word| {
            !is_heredoc_marker(&word.value) && !word.value.contains("://")
        };
        let source_evidence = |word: &crate::syntax::Word| -> KeyEvidence {
            let Some(context) = context else {
                return KeyEvidence::Unknown;
            };
            match expanded_source(cx, &at, word) {
                Some(path) if !path.contains('$') => context_evidence(context, &path),
                _ => KeyEvidence::Unknown,
            }
        };
        let dest_says_public = name_says_public(&strip_quotes(&dest.value));
        let local_sources: Vec<_> = sources.iter().copied().filter(|w| local(w)).collect();
        // Whether what the key file holds is public, by its content first, then by the
        // names it is copied from and to.
        let is_public = |word: &crate::syntax::Word, evidence: KeyEvidence| match evidence {
            KeyEvidence::Public => true,
            KeyEvidence::Private => false,
            KeyEvidence::Unknown => {
                dest_says_public || name_says_public(&strip_quotes(&word.value))
            }
        };
        for word in &local_sources {
            let Some(kind) = credential_file(&word.value) else {
                continue;
            };
            if is_ambiguous_key(&word.value) && is_public(word, source_evidence(word)) {
                continue;
            }
            report(out, word, kind);
        }
        if !local(dest) {
            return;
        }
        if let Some(kind) = credential_file(&dest.value) {
            // The destination holds the sources: public only if every source is.
            let public = is_ambiguous_key(&dest.value)
                && !local_sources.is_empty()
                && local_sources
                    .iter()
                    .all(|word| is_public(word, source_evidence(word)));
            if !public {
                report(out, dest, kind);
            }
        }
    }
}

/// Reports `word` as a credential file of `kind`.
fn report(out: &mut Vec<Diagnostic>, word: &crate::syntax::Word, kind: &str) {
    out.push(
        META.diagnostic(
            word.span,
            format!(
                "`{}` looks like {kind}; it stays in the image layer",
                word.value
            ),
        )
        .with_help("Mount it only where needed: `RUN --mount=type=secret,id=…,target=…`"),
    );
}

#[cfg(test)]
mod tests {
    use super::{KeyEvidence, content_evidence, credential_file, name_says_public};
    use crate::rules::testing::{MemoryContext, assert_clean, assert_flags, findings_with, only};

    const PGP_PUBLIC: &[u8] = b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF...\n";
    const RSA_PRIVATE: &[u8] = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n";

    /// HF404 findings on `source` with a build context holding `files`.
    fn with_context(source: &str, files: Vec<(&'static str, Vec<u8>)>) -> Vec<String> {
        let context = MemoryContext(files);
        findings_with(&only("HF404"), source, Some(&context))
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

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

    #[test]
    fn public_key_names() {
        assert!(name_says_public("/war/jenkins-key.pub"));
        assert!(name_says_public("repo.asc"));
        assert!(name_says_public("nodesource.gpg.key"));
        assert!(name_says_public("/etc/apt/trusted.gpg.d/"));
        assert!(name_says_public("signing-pubkey.key"));
        assert!(name_says_public(r"C:\war\jenkins-key.pub"));
        assert!(!name_says_public("jenkins.io-2026.key"));
        assert!(!name_says_public("private.asc"));
        assert!(!name_says_public("secring.gpg"));
        assert!(!name_says_public("/publish/server.key"));
        assert!(!name_says_public("/var/www/public/"));
    }

    #[test]
    fn key_contents() {
        assert_eq!(content_evidence(PGP_PUBLIC), KeyEvidence::Public);
        assert_eq!(
            content_evidence(b"\xEF\xBB\xBF\n-----BEGIN PUBLIC KEY-----\n"),
            KeyEvidence::Public
        );
        assert_eq!(
            content_evidence(b"ssh-ed25519 AAAAC3Nz me@host\n"),
            KeyEvidence::Public
        );
        assert_eq!(content_evidence(&[0x99, 0x02, 0x0d]), KeyEvidence::Public);
        assert_eq!(content_evidence(RSA_PRIVATE), KeyEvidence::Private);
        assert_eq!(
            content_evidence(b"-----BEGIN OPENSSH PRIVATE KEY-----\n"),
            KeyEvidence::Private
        );
        // A certificate bundle with the private key after it.
        assert_eq!(
            content_evidence(
                b"-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n"
            ),
            KeyEvidence::Private
        );
        assert_eq!(content_evidence(&[0x95, 0x03]), KeyEvidence::Private);
        assert_eq!(content_evidence(&[0x30, 0x82]), KeyEvidence::Unknown);
        assert_eq!(content_evidence(b""), KeyEvidence::Unknown);
    }

    #[test]
    fn public_key_by_name() {
        // jenkinsci/docker: the Jenkins release signing key, imported with `gpg --import`.
        assert_clean(
            "HF404",
            "FROM a:1\nCOPY jenkins.io-2026.key /war/jenkins-key.pub\n",
        );
        assert_clean("HF404", "FROM a:1\nCOPY repo.gpg.key /tmp/\n");
        assert_clean(
            "HF404",
            "FROM a:1\nCOPY nodesource.key /etc/apt/trusted.gpg.d/\n",
        );
        assert_clean("HF404", "FROM a:1\nCOPY repo.asc /etc/app/repo.key\n");
        // No name evidence: as before.
        assert_flags("HF404", "FROM a:1\nCOPY jenkins.io-2026.key /war/\n", 1);
        assert_flags("HF404", "FROM a:1\nCOPY server.key /etc/nginx/\n", 1);
        assert_flags("HF404", "FROM a:1\nCOPY server.key /var/www/public/\n", 1);
        // The name says private after all.
        assert_flags("HF404", "FROM a:1\nCOPY private.key /keys/private.asc\n", 1);
        // Name evidence is for `.key`/`.pem` only, not for SSH keys or key stores.
        assert_flags("HF404", "FROM a:1\nCOPY id_rsa /keys/id_rsa.pub\n", 1);
        assert_flags("HF404", "FROM a:1\nCOPY app.jks /keys/public/\n", 1);
    }

    #[test]
    fn public_key_by_content() {
        let jenkins = "FROM a:1\nCOPY jenkins.io-2026.key /war/jenkins-key.pub\n";
        let bare = "FROM a:1\nCOPY jenkins.io-2026.key /war/\n";
        let public = || vec![("jenkins.io-2026.key", PGP_PUBLIC.to_vec())];
        let private = || vec![("jenkins.io-2026.key", RSA_PRIVATE.to_vec())];
        assert!(with_context(jenkins, public()).is_empty());
        assert!(with_context(bare, public()).is_empty());
        // The content overrides the names.
        assert_eq!(with_context(jenkins, private()).len(), 1);
        assert_eq!(with_context(bare, private()).len(), 1);
        // Content that says neither: the names decide, as without context.
        let neither = || vec![("jenkins.io-2026.key", b"\x30\x82".to_vec())];
        assert!(with_context(jenkins, neither()).is_empty());
        assert_eq!(with_context(bare, neither()).len(), 1);
        // Missing from the context: the same.
        assert!(with_context(jenkins, vec![]).is_empty());
        assert_eq!(with_context(bare, vec![]).len(), 1);
        // The destination is public only if every source is.
        let dest = "FROM a:1\nCOPY a.key b.key /etc/app/server.key\n";
        let both = vec![
            ("a.key", PGP_PUBLIC.to_vec()),
            ("b.key", PGP_PUBLIC.to_vec()),
        ];
        assert!(with_context(dest, both).is_empty());
        let one = vec![
            ("a.key", PGP_PUBLIC.to_vec()),
            ("b.key", RSA_PRIVATE.to_vec()),
        ];
        assert_eq!(with_context(dest, one).len(), 2);
        // Globs: every match must be public; a private one is flagged.
        let glob = "FROM a:1\nCOPY keys/*.key /etc/apt/trusted.gpg.d/\n";
        let mixed = vec![
            ("keys/a.key", PGP_PUBLIC.to_vec()),
            ("keys/b.key", b"\x30\x82".to_vec()),
            ("keys/c.key", RSA_PRIVATE.to_vec()),
        ];
        assert_eq!(with_context(glob, mixed).len(), 1);
        // Another stage's file cannot be read: the names decide.
        let from = "FROM a:1\nCOPY --from=keys jenkins.io-2026.key /war/\n";
        assert_eq!(with_context(from, public()).len(), 1);
    }
}
