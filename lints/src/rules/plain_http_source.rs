//! ## What it does
//! Flags downloads and package sources over plain HTTP: `http://` URLs given to `curl`,
//! `wget`, `git`, `ADD`, pip's `--index-url`/`--extra-index-url`/`--find-links`,
//! `apk --repository`, and apt or yum sources written with `echo`/`printf`/`tee`.
//! `localhost`, `127.0.0.0/8` and `[::1]` are exempt.
//!
//! ## Why is this bad?
//! Anything fetched over plain HTTP can be read and replaced on the way. Package managers
//! that check signatures are protected against tampering, but still leak what is
//! installed and can be served stale metadata; scripts, archives and pip indexes are not
//! protected at all. CIS Docker Benchmark 4.11.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSLo /tmp/app.tgz http://example.com/app.tgz
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN curl -fsSLo /tmp/app.tgz https://example.com/app.tgz
//! ```
//!
//! ## Fix safety
//! Unsafe: `http://` becomes `https://` in the URL word only; the server may not offer
//! HTTPS, or apt may lack `ca-certificates` to verify it.
//!
//! ## References
//! CIS Docker Benchmark 4.11 (and 2.5, insecure registries, by analogy).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::packages::{Manager, manager};
use crate::rules::pip_cache_left::pip_args;
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::{Command, Span, Word};
use crate::syntax::{Args, Keyword};

/// Metadata of HF214.
pub static META: RuleMeta = RuleMeta {
    code: "HF214",
    name: "plain-http-source",
    summary: "Download or package source over plain HTTP",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.11"],
        ..Sources::NONE
    },
    doc: include_str!("plain_http_source.rs"),
};

/// HF214: plain HTTP.
#[derive(Default)]
pub struct PlainHttpSource;

/// Offsets of `http://` URLs in `text` whose host is not a loopback address.
pub fn insecure_urls(text: &str) -> Vec<usize> {
    let lower = text.to_ascii_lowercase();
    lower
        .match_indices("http://")
        .filter(|(at, _)| {
            // Not part of a longer scheme or word (`xhttp://`).
            let before = lower[..*at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                return false;
            }
            let rest = &lower[at + 7..];
            let host_end = rest
                .find(|c: char| {
                    matches!(c, '/' | '"' | '\'' | ' ' | '?' | '#') || c.is_whitespace()
                })
                .unwrap_or(rest.len());
            let authority = &rest[..host_end];
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let host = if host.starts_with('[') {
                host.split(']')
                    .next()
                    .map_or(host, |h| h.trim_start_matches('['))
            } else {
                host.split(':').next().unwrap_or(host)
            };
            !(host.is_empty()
                || host == "localhost"
                || host.ends_with(".localhost")
                || host.starts_with("127.")
                || host == "::1"
                || host.starts_with('$'))
        })
        .map(|(at, _)| at)
        .collect()
}

/// The words of a command that name sources, per program.
fn source_words(command: &Command) -> Vec<&Word> {
    let name = command.name().unwrap_or_default();
    match name {
        // URLs are operands; option values such as `--proxy http://…` are not sources.
        "curl" | "wget" | "git" | "fetch" | "aria2c" => command.positional_args(),
        "echo" | "printf" | "tee" => command
            .args
            .iter()
            .filter(|w| {
                let lower = w.text.to_ascii_lowercase();
                lower.contains("deb http")
                    || lower.contains("deb-src http")
                    || lower.contains("] http")
                    || lower.contains("baseurl=")
                    || lower.contains("mirrorlist=")
                    || lower.starts_with("http://")
                        && command.redirects.iter().any(|r| {
                            r.target
                                .as_ref()
                                .is_some_and(|t| t.text.contains("/etc/apk/repositories"))
                        })
            })
            .collect(),
        _ => {
            if let Some(args) = pip_args(command) {
                let mut words = Vec::new();
                let mut iter = args.iter().peekable();
                while let Some(word) = iter.next() {
                    let flag = word.text.split('=').next().unwrap_or("");
                    if matches!(
                        flag,
                        "--index-url" | "-i" | "--extra-index-url" | "--find-links" | "-f"
                    ) {
                        if word.text.contains('=') {
                            words.push(word);
                        } else if let Some(next) = iter.peek() {
                            words.push(*next);
                        }
                    }
                }
                return words;
            }
            if manager(command) == Some(Manager::Apk) {
                return command
                    .args
                    .iter()
                    .filter(|w| w.text.contains("http://"))
                    .collect();
            }
            Vec::new()
        }
    }
}

impl Rule for PlainHttpSource {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let source = cx.source();
        match instruction.keyword {
            Keyword::Add => {
                let Args::Words(words) = &instruction.args else {
                    return;
                };
                let Some((_, sources)) = words.split_last() else {
                    return;
                };
                for word in sources {
                    if insecure_urls(&word.value).first().is_none_or(|at| *at != 0) {
                        continue;
                    }
                    let raw = word.span.text(source).unwrap_or("");
                    let fix = (raw
                        .get(..7)
                        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
                        && !at.onbuild)
                        .then(|| {
                            Fix::unsafe_edit(
                                "Use https://",
                                vec![Edit::replace(
                                    Span::new(word.span.start, word.span.start + 7),
                                    "https://",
                                )],
                            )
                        });
                    out.push(
                        META.diagnostic(word.span, "ADD downloads over plain HTTP")
                            .with_optional_fix(fix),
                    );
                }
            }
            Keyword::Run => {
                for run in run_scripts(cx, &at) {
                    for command in run.commands() {
                        for word in source_words(command) {
                            for offset in insecure_urls(&word.raw) {
                                let span = Span::new(
                                    word.span.start + offset,
                                    word.span.start + offset + 7,
                                );
                                let exact = (!command.approximate && !at.onbuild)
                                    .then(|| run.exact_span(source, span))
                                    .flatten()
                                    .filter(|s| {
                                        s.text(source)
                                            .is_some_and(|t| t.eq_ignore_ascii_case("http://"))
                                    });
                                let fix = exact.map(|s| {
                                    Fix::unsafe_edit(
                                        "Use https://",
                                        vec![Edit::replace(s, "https://")],
                                    )
                                });
                                out.push(
                                    META.diagnostic(
                                        run.span(word.span),
                                        format!(
                                            "`{}` uses a plain-HTTP URL",
                                            command.name().unwrap_or_default()
                                        ),
                                    )
                                    .with_optional_fix(fix),
                                );
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_plain_http() {
        assert_flags("HF214", "FROM a:1\nRUN curl -fsSLO http://x.org/a.tgz\n", 1);
        assert_flags(
            "HF214",
            "FROM a:1\nRUN pip install -i http://pypi.x/simple y\n",
            1,
        );
        assert_flags(
            "HF214",
            "FROM a:1\nRUN pip install --index-url=http://pypi.x/simple y\n",
            1,
        );
        assert_flags(
            "HF214",
            "FROM a:1\nRUN echo \"deb http://deb.x.org/debian bookworm main\" > /etc/apt/sources.list\n",
            1,
        );
        assert_flags("HF214", "FROM a:1\nADD http://x.org/a.tgz /a.tgz\n", 1);
        assert_clean(
            "HF214",
            "FROM a:1\nRUN curl -fsS http://localhost:8080/health\n",
        );
        assert_clean("HF214", "FROM a:1\nRUN curl -fsS http://127.0.0.1/health\n");
        assert_clean("HF214", "FROM a:1\nRUN curl -fsSLO https://x.org/a.tgz\n");
        assert_clean("HF214", "FROM a:1\nRUN echo http://x.org\n");
    }

    #[test]
    fn fix_upgrades_scheme() {
        assert_fix(
            "HF214",
            "FROM a:1\nRUN curl -fsSLO http://x.org/a.tgz \\\n && echo \"deb http://deb.x.org/debian bookworm main\" > /etc/apt/sources.list\nADD http://x.org/b /b\n",
            "FROM a:1\nRUN curl -fsSLO https://x.org/a.tgz \\\n && echo \"deb https://deb.x.org/debian bookworm main\" > /etc/apt/sources.list\nADD https://x.org/b /b\n",
            true,
        );
    }
}
