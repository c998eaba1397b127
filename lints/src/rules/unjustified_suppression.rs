//! ## What it does
//! Flags in-file suppressions that give no reason, that try to silence a rule the
//! configuration locks, or (for hardfile's own syntax) that name no known rule. Covered
//! syntaxes: `# hardfile ignore=…`, `# hardfile global ignore=…`, `# check=skip=…` above
//! an instruction, `# hadolint ignore=…` and `#checkov:skip=…`.
//!
//! A reason is written after ` -- ` (or ` // `) on the same line, after the second `:` of
//! a Checkov skip, or as a plain comment on the line directly above the suppression.
//!
//! ## Why is this bad?
//! A waiver without a reason cannot be reviewed or audited, and the compliance report must
//! show why each finding was accepted. A locked rule is policy: only the platform team's
//! configuration can waive it.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! # hardfile ignore=HF101
//! USER root
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! # hardfile ignore=HF101 -- the init system drops privileges itself
//! USER root
//! ```
//!
//! ## Fix safety
//! No fix: only a person can give the reason.
//!
//! ## References
//! Governance; hadolint `--disable-ignore-pragma`, BuildKit `# check=skip`.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::suppress::{SuppressionKind, Suppressions};

/// Metadata of HF901.
pub static META: RuleMeta = RuleMeta {
    code: "HF901",
    name: "unjustified-suppression",
    summary: "Suppression without a reason, of a locked rule, or of an unknown rule",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources::NONE,
    doc: include_str!("unjustified_suppression.rs"),
};

/// HF901: suppressions must carry reasons.
#[derive(Default)]
pub struct UnjustifiedSuppression;

impl Rule for UnjustifiedSuppression {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for s in Suppressions::collect(cx.file, cx.config).items {
            if !s.kind.is_inline() || s.kind == SuppressionKind::BuildkitDirective {
                continue;
            }
            for meta in &s.locked {
                out.push(META.diagnostic(
                    s.span,
                    format!(
                        "{} ({}) is locked by the configuration and cannot be suppressed here",
                        meta.code, meta.name
                    ),
                ));
            }
            if matches!(
                s.kind,
                SuppressionKind::Hardfile | SuppressionKind::HardfileGlobal
            ) {
                for code in &s.unknown {
                    out.push(META.diagnostic(s.span, format!("`{code}` names no hardfile rule")));
                }
            }
            if s.reason.is_none() {
                out.push(
                    META.diagnostic(s.span, "Suppression without a reason")
                        .with_help("Add ` -- <reason>` after the codes, or a comment line above"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rules::testing::{assert_clean, assert_flags, findings_with, only};

    #[test]
    fn reasons() {
        assert_flags(
            "HF901",
            "FROM a:1\n# hadolint ignore=DL3002\nUSER root\n",
            1,
        );
        assert_clean(
            "HF901",
            "FROM a:1\n# hardfile ignore=HF101 -- init drops privileges\nUSER root\n",
        );
        assert_clean(
            "HF901",
            "FROM a:1\n# init drops privileges\n# hadolint ignore=DL3002\nUSER root\n",
        );
        assert_clean(
            "HF901",
            "FROM a:1\n#checkov:skip=CKV_DOCKER_3:not a service\n",
        );
        assert_flags(
            "HF901",
            "FROM a:1\n# hardfile ignore=HF999 -- x\nUSER root\n",
            1,
        );
        let config = Config {
            locked: vec!["HF101".to_string()],
            ..only("HF901")
        };
        let found = findings_with(
            &config,
            "FROM a:1\n# hardfile ignore=HF101 -- x\nUSER root\n",
            None,
        );
        assert_eq!(found.len(), 1);
    }
}
