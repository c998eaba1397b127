//! ## What it does
//! Flags credential material written literally in the Dockerfile, recognised by shape:
//! PEM private keys, AWS access keys, GitHub/GitLab/Slack/npm/Stripe tokens, and URLs with
//! a password (`https://user:pass@host`). It looks at ENV, ARG and LABEL values, RUN
//! commands and heredoc bodies. Findings say what kind of credential it is, never its
//! value.
//!
//! ## Why is this bad?
//! Anything in a Dockerfile ends up in version control, build logs, image history or
//! the image itself. A leaked credential must be rotated. CIS Docker Benchmark 4.10.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN git clone https://deploy:s3cr3tpassw0rd@git.example.com/app.git
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.10
//! FROM alpine:3.20
//! RUN --mount=type=secret,id=git_credentials,target=/root/.git-credentials \
//!     git -c credential.helper=store clone https://git.example.com/app.git
//! ```
//!
//! ## Fix safety
//! No fix: rotate the credential first, then move it to a secret mount.
//!
//! ## References
//! CIS Docker Benchmark 4.10; Trivy secret scanning and DS-0031; Checkov CKV_SECRET_*.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::secrets::secret_shape;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword, Span, Word};

/// Metadata of HF403.
pub static META: RuleMeta = RuleMeta {
    code: "HF403",
    name: "literal-credential",
    summary: "Credential material written literally in the Dockerfile",
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
    doc: include_str!("literal_credential.rs"),
};

/// HF403: literal credentials.
#[derive(Default)]
pub struct LiteralCredential;

fn words_of(args: &Args) -> Vec<&Word> {
    match args {
        Args::Rest(w) | Args::Invalid(w) => vec![w],
        Args::Words(words) | Args::Exec { items: words, .. } => words.iter().collect(),
        Args::Pairs(pairs) => pairs.iter().map(|p| &p.value).collect(),
        Args::Healthcheck { command, .. } => words_of(command),
        Args::Empty | Args::Onbuild(_) => Vec::new(),
    }
}

impl Rule for LiteralCredential {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword == Keyword::Onbuild {
            return;
        }
        let mut texts: Vec<(&str, Span)> = words_of(&instruction.args)
            .into_iter()
            .map(|w| (w.value.as_str(), w.span))
            .collect();
        texts.extend(
            instruction
                .heredocs
                .iter()
                .map(|h| (h.content.as_str(), h.body)),
        );
        texts.extend(instruction.flags.iter().map(|f| (f.text.as_str(), f.span)));
        for (text, span) in texts {
            if let Some(kind) = secret_shape(text) {
                out.push(
                    META.diagnostic(
                        span,
                        format!("The Dockerfile contains {kind} (value redacted)"),
                    )
                    .with_help("Rotate it, then pass it with `RUN --mount=type=secret`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn shapes() {
        let found = assert_flags(
            "HF403",
            "FROM a:1\nRUN curl https://u:hunter22@x.example/a\n",
            1,
        );
        assert!(!found[0].message.contains("hunter22"));
        assert_flags("HF403", "FROM a:1\nENV K=AKIAIOSFODNN7EXAMPLE\n", 1);
        assert_flags(
            "HF403",
            "FROM a:1\nCOPY <<EOF /k\n-----BEGIN PRIVATE KEY-----\nEOF\n",
            1,
        );
        assert_clean("HF403", "FROM a:1\nRUN curl https://x.example/a\n");
    }
}
