//! ## What it does
//! Flags an exported image that exposes port 22 or starts `sshd` from `CMD`/`ENTRYPOINT`.
//!
//! ## Why is this bad?
//! Running an SSH daemon in a container adds a service to patch, keys to manage and a
//! way around the container runtime's access controls; `docker exec` does the job.
//! CIS Docker Benchmark 5.7 (v1.6.0: "Ensure sshd is not run within containers").
//!
//! ## Example
//! ```dockerfile
//! FROM ubuntu:24.04
//! EXPOSE 22 8080
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM ubuntu:24.04
//! EXPOSE 8080
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix removes `22` from `EXPOSE` (the whole instruction when it was the only
//! port). `EXPOSE` is documentation plus `-P` publishing; clients relying on it lose the port.
//!
//! ## References
//! CIS Docker Benchmark 5.7 (v1.6.0 numbering); Trivy DS-0004; Checkov CKV_DOCKER_1.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::helpers::{stage_instructions, target_chain};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword, Span};

/// Metadata of HF601.
pub static META: RuleMeta = RuleMeta {
    code: "HF601",
    name: "ssh-exposed",
    summary: "The exported image exposes SSH (port 22) or runs sshd",
    default_severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[("1.6.0", &["5.7"])],
        trivy: &["DS-0004"],
        checkov: &["CKV_DOCKER_1"],
        ..Sources::NONE
    },
    doc: include_str!("ssh_exposed.rs"),
};

/// HF601: SSH in the exported image.
#[derive(Default)]
pub struct SshExposed;

/// The port number of an EXPOSE word (`22`, `22/tcp`), ranges give their bounds.
pub fn port_range(word: &str) -> Option<(u32, u32)> {
    let port = word.split('/').next()?;
    match port.split_once('-') {
        Some((lo, hi)) => Some((lo.parse().ok()?, hi.parse().ok()?)),
        None => port.parse().ok().map(|p| (p, p)),
    }
}

fn runs_sshd(words: &[&str]) -> bool {
    words.iter().take(3).any(|w| {
        let program = w.rsplit('/').next().unwrap_or(w);
        program == "sshd" || w.contains("/usr/sbin/sshd")
    })
}

impl Rule for SshExposed {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in target_chain(cx) {
            for (index, instruction) in stage_instructions(cx, stage) {
                match instruction.keyword {
                    Keyword::Expose => {
                        let Args::Words(words) = &instruction.args else {
                            continue;
                        };
                        let words: Vec<_> = words.iter().filter(|w| !w.value.is_empty()).collect();
                        for (i, word) in words.iter().enumerate() {
                            let value = cx.expand(index, &word.value).unwrap_or_default();
                            if !port_range(&value).is_some_and(|(lo, hi)| lo <= 22 && 22 <= hi) {
                                continue;
                            }
                            let mut diagnostic = META
                                .diagnostic(word.span, "The exported image exposes SSH port 22");
                            if port_range(&value) == Some((22, 22)) {
                                let edit = if words.len() == 1 {
                                    cx.delete_instruction(instruction)
                                } else if i + 1 < words.len() {
                                    Edit::delete(Span::new(
                                        word.span.start,
                                        words[i + 1].span.start,
                                    ))
                                } else {
                                    Edit::delete(Span::new(words[i - 1].span.end, word.span.end))
                                };
                                diagnostic = diagnostic.with_fix(Fix::unsafe_edit(
                                    "Stop exposing port 22",
                                    vec![edit],
                                ));
                            }
                            out.push(diagnostic);
                        }
                    }
                    Keyword::Cmd | Keyword::Entrypoint => {
                        let values = instruction.arg_values();
                        let words: Vec<&str> =
                            values.iter().flat_map(|v| v.split_whitespace()).collect();
                        if runs_sshd(&words) {
                            out.push(
                                META.diagnostic(instruction.span, "The exported image starts sshd"),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn port_22() {
        assert_flags("HF601", "FROM a:1\nEXPOSE 22/tcp\n", 1);
        assert_flags("HF601", "FROM a:1\nCMD [\"/usr/sbin/sshd\", \"-D\"]\n", 1);
        assert_clean("HF601", "FROM a:1 AS x\nEXPOSE 22\nFROM b:1\nEXPOSE 80\n");
        assert_fix(
            "HF601",
            "FROM a:1\nEXPOSE 80 22 443\n",
            "FROM a:1\nEXPOSE 80 443\n",
            true,
        );
        assert_fix(
            "HF601",
            "FROM a:1\nEXPOSE 80 22\n",
            "FROM a:1\nEXPOSE 80\n",
            true,
        );
        assert_fix(
            "HF601",
            "FROM a:1\nEXPOSE 22\nCMD x\n",
            "FROM a:1\nCMD x\n",
            true,
        );
    }
}
