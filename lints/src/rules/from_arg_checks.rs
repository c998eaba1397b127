//! ## What it does
//! Checks the variables in `FROM` (image and `--platform`): each must be declared by an
//! `ARG` before the first `FROM` (or be one of BuildKit's platform arguments), and the
//! declared defaults must give a valid image reference.
//!
//! ## Why is this bad?
//! An undeclared variable expands to nothing, so `FROM node:${NODE_VERSION}` silently
//! becomes `FROM node:` or pulls `latest`; a default that leaves the reference empty or
//! dangling (`alpine:`) makes the build fail unless every caller passes the argument.
//!
//! ## Example
//! ```dockerfile
//! FROM node:${NODE_VERSION}-alpine
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! ARG NODE_VERSION=22
//! FROM node:${NODE_VERSION}-alpine
//! ```
//!
//! ## Fix safety
//! No fix: the intended default is unknown.
//!
//! ## References
//! BuildKit UndefinedArgInFrom, InvalidDefaultArgInFrom.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};
use crate::words::Lexer;

/// Metadata of HF909.
pub static META: RuleMeta = RuleMeta {
    code: "HF909",
    name: "undefined-arg-in-from",
    summary: "FROM uses an undeclared ARG or one whose default gives an invalid image",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        buildkit: &["UndefinedArgInFrom", "InvalidDefaultArgInFrom"],
        ..Sources::NONE
    },
    doc: include_str!("from_arg_checks.rs"),
};

/// HF909: ARGs in FROM.
#[derive(Default)]
pub struct FromArgChecks;

const PLATFORM_ARGS: [&str; 8] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// The variable names a word refers to (`$A`, `${B}`, `${C:-x}`), escapes respected.
pub fn referenced_vars(word: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut single = false;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && !single {
            i += 2;
            continue;
        }
        if c == '\'' {
            single = !single;
        } else if c == '$' && !single {
            let braced = chars.get(i + 1) == Some(&'{');
            let start = i + 1 + usize::from(braced);
            let end = chars[start..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
                .map_or(chars.len(), |p| start + p);
            if end > start {
                out.push(chars[start..end].iter().collect());
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

impl Rule for FromArgChecks {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::From || at.onbuild {
            return;
        }
        let Args::Words(words) = &instruction.args else {
            return;
        };
        let Some(image) = words.first() else {
            return;
        };
        let declared: Vec<&str> = cx
            .model
            .global_args()
            .iter()
            .filter(|a| a.instruction < at.index)
            .map(|a| a.name.as_str())
            .collect();
        let mut undefined = false;
        let platform = instruction.flag("platform");
        let texts = std::iter::once((image.value.as_str(), image.span))
            .chain(platform.and_then(|f| f.value.as_deref().map(|v| (v, f.span))));
        for (text, span) in texts {
            for name in referenced_vars(text, cx.file.escape) {
                if !declared.contains(&name.as_str()) && !PLATFORM_ARGS.contains(&name.as_str()) {
                    undefined = true;
                    out.push(META.diagnostic(
                        span,
                        format!("FROM uses `${name}`, which no ARG before the first FROM declares"),
                    ));
                }
            }
        }
        if undefined || !image.value.contains('$') {
            return;
        }
        let env: Vec<(String, String)> = PLATFORM_ARGS
            .iter()
            .map(|n| ((*n).to_string(), String::new()))
            .chain(
                cx.model
                    .global_args()
                    .iter()
                    .filter(|a| a.instruction < at.index)
                    .map(|a| (a.name.clone(), a.value.clone().unwrap_or_default())),
            )
            .collect();
        let Ok(expanded) = Lexer::new(cx.file.escape).process_word(&image.value, &env) else {
            return;
        };
        let invalid = expanded.is_empty()
            || expanded.ends_with([':', '@', '/'])
            || expanded.starts_with([':', '@', '/'])
            || expanded.contains("::")
            || expanded.chars().any(char::is_whitespace);
        if invalid {
            out.push(META.diagnostic(
                image.span,
                format!("With the ARG defaults, the base image is `{expanded}`, which is empty or invalid"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::referenced_vars;
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn vars() {
        assert_eq!(referenced_vars("a:${V:-1}-$X", '\\'), ["V", "X"]);
        assert_eq!(referenced_vars("a\\$B", '\\'), Vec::<String>::new());
    }

    #[test]
    fn from_args() {
        assert_flags("HF909", "FROM node:${V}\n", 1);
        assert_clean(
            "HF909",
            "ARG V=22\nFROM node:${V}\nFROM --platform=$BUILDPLATFORM a:1\n",
        );
        assert_flags("HF909", "ARG V\nFROM node:${V}\n", 1);
        assert_flags("HF909", "FROM a:1\nARG V=1\nFROM b:$V\n", 1);
    }
}
