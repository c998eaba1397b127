//! ## What it does
//! Flags an exported image that exposes a privileged port (below 1024, other than 22,
//! which HF601 reports).
//!
//! ## Why is this bad?
//! Binding a port below 1024 needs root or `CAP_NET_BIND_SERVICE`, which pushes images
//! towards running as root (CIS 4.1) or keeping capabilities, and invites mapping
//! privileged host ports (CIS Docker Benchmark 5.8). Listen on 8080 and let the runtime map it.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27
//! EXPOSE 80
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM nginxinc/nginx-unprivileged:1.27
//! EXPOSE 8080
//! ```
//!
//! ## Fix safety
//! No fix: the application must listen on another port.
//!
//! ## References
//! CIS Docker Benchmark 5.8 (v1.6.0 numbering).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{stage_instructions, target_chain};
use crate::rules::ssh_exposed::port_range;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF602.
pub static META: RuleMeta = RuleMeta {
    code: "HF602",
    name: "privileged-port",
    summary: "The exported image exposes a port below 1024",
    default_severity: Severity::Info,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[("1.6.0", &["5.8"])],
        ..Sources::NONE
    },
    doc: include_str!("privileged_port.rs"),
};

/// HF602: privileged ports.
#[derive(Default)]
pub struct PrivilegedPort;

impl Rule for PrivilegedPort {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in target_chain(cx) {
            for (index, instruction) in stage_instructions(cx, stage) {
                if instruction.keyword != Keyword::Expose {
                    continue;
                }
                let Args::Words(words) = &instruction.args else {
                    continue;
                };
                for word in words.iter().filter(|w| !w.value.is_empty()) {
                    let value = cx.expand(index, &word.value).unwrap_or_default();
                    if let Some((lo, _)) = port_range(&value)
                        && lo < 1024
                        && lo != 22
                    {
                        out.push(META.diagnostic(
                            word.span,
                            format!("Port {lo} is privileged: binding it needs root or CAP_NET_BIND_SERVICE"),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn ports() {
        assert_flags("HF602", "FROM a:1\nEXPOSE 80 443/tcp 8080\n", 2);
        assert_clean("HF602", "FROM a:1\nEXPOSE 22 8080\n");
        assert_clean("HF602", "FROM a:1 AS b\nEXPOSE 80\nFROM c:1\n");
    }
}
