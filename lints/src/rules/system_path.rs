//! ## What it does
//! Flags `VOLUME` or `WORKDIR` on system paths: `/`, `/proc`, `/sys`, `/dev`, `/boot`,
//! `/etc`, `/bin`, `/sbin`, `/lib`, `/usr`, `/initrd`, `/lost+found` and the Docker socket
//! (`/var/run/docker.sock`). `WORKDIR /` is allowed.
//!
//! ## Why is this bad?
//! A volume on a system path invites mounting the host's directory there (CIS Docker
//! Benchmark 5.6, 5.32 for the Docker socket), which hands the container the host; a
//! working directory there means the application writes into system directories.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! VOLUME /var/run/docker.sock
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! VOLUME /data
//! ```
//!
//! ## Fix safety
//! No fix.
//!
//! ## References
//! CIS Docker Benchmark 5.6, 5.32 (v1.6.0 numbering); Trivy DS-0030; dockle DKL-DI-0002.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::is_system_path;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF507.
pub static META: RuleMeta = RuleMeta {
    code: "HF507",
    name: "system-path",
    summary: "VOLUME or WORKDIR on a system path",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[("1.6.0", &["5.6", "5.32"])],
        trivy: &["DS-0030"],
        ..Sources::NONE
    },
    doc: include_str!("system_path.rs"),
};

/// HF507: system paths.
#[derive(Default)]
pub struct SystemPath;

impl Rule for SystemPath {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let keyword = instruction.keyword;
        let words: Vec<&crate::syntax::Word> = match (keyword, &instruction.args) {
            (Keyword::Volume, Args::Words(words) | Args::Exec { items: words, .. }) => {
                words.iter().filter(|w| !w.value.is_empty()).collect()
            }
            (Keyword::Workdir, Args::Rest(word)) => vec![word],
            _ => return,
        };
        for word in words {
            let value = if at.onbuild {
                word.value.clone()
            } else {
                cx.expand(at.index, &word.value)
                    .unwrap_or_else(|| word.value.clone())
            };
            let value = value.trim_matches(['"', '\'']);
            let root = value.trim_end_matches('/').is_empty() && value.starts_with('/');
            let hit = if root && keyword == Keyword::Volume {
                Some("/")
            } else {
                is_system_path(value)
            };
            if let Some(path) = hit {
                out.push(META.diagnostic(
                    word.span,
                    format!("{} on the system path `{path}`", keyword.as_str()),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn paths() {
        assert_flags("HF507", "FROM a:1\nVOLUME [\"/proc\", \"/data\"]\n", 1);
        assert_flags("HF507", "FROM a:1\nVOLUME /\nWORKDIR /dev\n", 2);
        assert_clean(
            "HF507",
            "FROM a:1\nWORKDIR /\nWORKDIR /app\nVOLUME /var/lib/app\n",
        );
    }
}
