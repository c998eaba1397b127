//! ## What it does
//! Flags packages installed into the exported image that a running container should not
//! need: SSH servers (`openssh-server`, `dropbear`), privilege-escalation tools (`sudo`,
//! `doas`), remote-access and network tools (`telnet`, `telnetd`, `netcat`, `ncat`, `nmap`,
//! `socat`), debuggers and tracers (`gdb`, `strace`, `ltrace`, `valgrind`) and compilers or
//! build tooling (`gcc`, `g++`, `clang`, `make`, `build-essential`, `golang`, `rustc`,
//! `cargo`, `autoconf`, `automake`, …).
//!
//! ## Why is this bad?
//! Every extra tool is attack surface and vulnerability-scanner noise, and an SSH server or
//! netcat is exactly what an intruder wants to find. `sudo` and `doas` are setuid-root
//! programs whose only purpose is to turn the container's user into root, undoing the
//! non-root `USER` of CIS 4.1 (HF104 flags *running* them during the build). CIS Docker
//! Benchmark 4.3 (no unnecessary packages) and 5.7 (no sshd in containers).
//!
//! Only the stages whose layers are exported are checked: build tools in a builder stage
//! whose output is copied out are exactly right (the peers' most reported false
//! positive). Packages removed again before the stage ends are not flagged: `apk add
//! --virtual .deps … && apk del .deps`, `apt-get purge`/`remove`, the official images'
//! `apt-mark auto` + `apt-get purge --auto-remove` pattern, `dnf remove`.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN apt-get update && apt-get install -y --no-install-recommends gcc && pip install --no-cache-dir uwsgi && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.12-slim AS build
//! RUN apt-get update && apt-get install -y --no-install-recommends gcc && pip wheel --no-cache-dir -w /wheels uwsgi
//!
//! FROM python:3.12-slim
//! COPY --from=build /wheels /wheels
//! RUN pip install --no-cache-dir /wheels/*
//! ```
//!
//! ## Fix safety
//! No fix: moving the build into its own stage is a design change.
//!
//! ## References
//! CIS Docker Benchmark 4.3, 5.7; hadolint DL3001 (partly).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{stage_instructions, target_chain};
use crate::rules::packages::{Manager, in_image_layers, is_install, manager, operands, subcommand};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF308.
pub static META: RuleMeta = RuleMeta {
    code: "HF308",
    name: "image-build-tools",
    summary: "SSH server, sudo, debugger, network or build tooling installed in the exported image",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[
            ("1.6.0", &["4.3", "5.7"]),
            ("1.5.0", &["4.3", "5.7"]),
            ("1.4.0", &["4.3", "5.7"]),
        ],
        hadolint: &["DL3001"],
        ..Sources::NONE
    },
    doc: include_str!("image_build_tools.rs"),
};

/// HF308: tooling in the image.
#[derive(Default)]
pub struct ImageBuildTools;

/// The kind of `sudo`/`doas`: not a build tool, so the message differs.
const PRIVILEGE_ESCALATION: &str = "privilege-escalation tool";

/// What kind of tool a package is.
pub fn tool_kind(package: &str) -> Option<&'static str> {
    // `gcc=4:12.2.0-3`, `gcc-12`, `openssh-server:amd64`
    let name = package
        .split(['=', ':'])
        .next()
        .unwrap_or(package)
        .to_ascii_lowercase();
    let name = name.as_str();
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    Some(match base {
        "openssh-server" | "openssh" | "dropbear" | "ssh-server" | "telnetd" | "telnet-server" => {
            "remote login server"
        }
        "sudo" | "sudo-ldap" | "doas" | "opendoas" => PRIVILEGE_ESCALATION,
        "telnet" | "netcat" | "netcat-openbsd" | "netcat-traditional" | "ncat" | "nmap"
        | "socat" | "nc" => "network tool",
        "gdb" | "strace" | "ltrace" | "valgrind" | "gdbserver" => "debugger",
        "gcc" | "g++" | "gcc-c++" | "clang" | "make" | "build-essential" | "build-base"
        | "golang" | "golang-go" | "go" | "rustc" | "cargo" | "autoconf" | "automake"
        | "libtool" | "cmake" | "musl-dev" | "libc6-dev" | "cpp" | "gfortran"
        | "development-tools" => "compiler or build tool",
        _ => return None,
    })
}

/// What later commands of the stage remove: package names, virtual names, or everything
/// auto-installed.
#[derive(Default)]
struct Removals {
    names: Vec<String>,
    auto_purge: bool,
}

fn removals(command: &Command, removed: &mut Removals) {
    let Some(kind) = manager(command) else {
        if command.is("apt-mark") && command.is_subcommand(&["auto"]) {
            removed.auto_purge = true;
        }
        return;
    };
    let Some(sub) = subcommand(command) else {
        return;
    };
    let removes = match kind {
        Manager::Apt => matches!(sub.text.as_str(), "purge" | "remove" | "autoremove"),
        Manager::Apk => sub.text == "del",
        Manager::Rpm => matches!(sub.text.as_str(), "remove" | "erase" | "autoremove"),
        Manager::Zypper => matches!(sub.text.as_str(), "remove" | "rm"),
    };
    if removes {
        removed
            .names
            .extend(operands(command).iter().map(|w| w.text.clone()));
    }
}

impl Rule for ImageBuildTools {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || at.onbuild || !in_image_layers(cx, &at) {
            return;
        }
        // Only a RUN that installs a build tool needs the later RUNs (scanning them for every
        // RUN made the rule quadratic in the number of RUNs).
        let installs_tool = run_scripts(cx, &at).iter().any(|run| {
            run.commands().iter().any(|command| {
                is_install(command)
                    && operands(command)
                        .iter()
                        .any(|p| tool_kind(&p.text).is_some())
            })
        });
        if !installs_tool {
            return;
        }
        // Everything removed from this RUN on, in the exported stage chain.
        let mut removed = Removals::default();
        let chain = target_chain(cx);
        for stage in &chain {
            for (index, instruction) in stage_instructions(cx, stage) {
                if index < at.index || instruction.keyword != Keyword::Run {
                    continue;
                }
                let later = InstructionRef {
                    index,
                    instruction,
                    onbuild: false,
                    stage: Some(stage.index),
                };
                for run in run_scripts(cx, &later) {
                    for command in run.commands() {
                        removals(command, &mut removed);
                    }
                }
            }
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if !is_install(command) {
                    continue;
                }
                let virtual_name = command
                    .flag_value("--virtual")
                    .or_else(|| command.flag_value("-t"));
                if virtual_name.is_some_and(|v| removed.names.contains(&v.text)) {
                    continue;
                }
                for package in operands(command) {
                    let Some(kind) = tool_kind(&package.text) else {
                        continue;
                    };
                    if removed.auto_purge || removed.names.contains(&package.text) {
                        continue;
                    }
                    let advice = if kind == PRIVILEGE_ESCALATION {
                        "it lets the container's user become root; do not ship it"
                    } else {
                        "install it in a build stage instead"
                    };
                    out.push(META.diagnostic(
                        run.span(package.span),
                        format!(
                            "`{}` ({kind}) is installed in the exported image; {advice}",
                            package.text
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
    fn flags_tools_in_the_image() {
        assert_flags(
            "HF308",
            "FROM a:1\nRUN apt-get install -y openssh-server gdb curl\n",
            2,
        );
        assert_flags(
            "HF308",
            "FROM a:1\nRUN apk add --no-cache gcc musl-dev\n",
            2,
        );
        assert_flags(
            "HF308",
            "FROM a:1\nRUN dnf install -y gcc-c++ && dnf clean all\n",
            1,
        );
    }

    #[test]
    fn privilege_escalation_tools() {
        let found = assert_flags(
            "HF308",
            "FROM a:1\nRUN apt-get install -y --no-install-recommends sudo curl\n",
            1,
        );
        assert!(
            found[0].message.contains("privilege-escalation tool"),
            "{}",
            found[0].message
        );
        assert_flags("HF308", "FROM a:1\nRUN apk add --no-cache doas\n", 1);
        assert_flags("HF308", "FROM a:1\nRUN dnf install -y sudo-1.9.5\n", 1);
        // A builder stage may need sudo; it is not shipped.
        assert_clean(
            "HF308",
            "FROM a:1 AS build\nRUN apt-get install -y sudo\nFROM b:1\nCOPY --from=build /out /out\n",
        );
        assert_clean(
            "HF308",
            "FROM a:1\nRUN apt-get install -y sudo && apt-get purge -y sudo\n",
        );
    }

    #[test]
    fn builder_stages_and_removed_tools_are_fine() {
        assert_clean(
            "HF308",
            "FROM a:1 AS build\nRUN apt-get install -y gcc make\nFROM b:1\nCOPY --from=build /out /out\n",
        );
        assert_clean(
            "HF308",
            "FROM a:1\nRUN apk add --no-cache --virtual .build-deps gcc make && make && apk del .build-deps\n",
        );
        assert_clean(
            "HF308",
            "FROM a:1\nRUN apt-get install -y gcc && make && apt-get purge -y gcc\n",
        );
        assert_clean(
            "HF308",
            "FROM a:1\nRUN apt-get install -y gcc\nRUN make && apt-get remove -y gcc\n",
        );
        assert_clean(
            "HF308",
            "FROM a:1\nRUN apt-mark auto '.*' > /dev/null; apt-get install -y gcc; apt-get purge -y --auto-remove\n",
        );
    }
}
