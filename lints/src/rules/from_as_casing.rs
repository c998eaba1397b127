//! ## What it does
//! Flags `AS` in `FROM … AS name` whose casing does not match the `FROM` keyword
//! (`FROM x as y`, `from x AS y`).
//!
//! ## Why is this bad?
//! Consistency: readers scan for the keyword casing the file uses.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23 as build
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS build
//! ```
//!
//! ## Fix safety
//! Safe: keywords are case-insensitive.
//!
//! ## References
//! BuildKit FromAsCasing.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF903.
pub static META: RuleMeta = RuleMeta {
    code: "HF903",
    name: "from-as-casing",
    summary: "The casing of AS should match FROM",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        buildkit: &["FromAsCasing"],
        ..Sources::NONE
    },
    doc: include_str!("from_as_casing.rs"),
};

/// HF903: FROM/AS casing.
#[derive(Default)]
pub struct FromAsCasing;

impl Rule for FromAsCasing {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let Args::Words(words) = &instruction.args else {
            return;
        };
        if instruction.keyword != Keyword::From
            || words.len() != 3
            || !words[1].value.eq_ignore_ascii_case("as")
        {
            return;
        }
        let from = &instruction.keyword_text;
        let as_word = &words[1];
        let expected = if from == &from.to_ascii_uppercase() {
            "AS"
        } else if from == &from.to_ascii_lowercase() {
            "as"
        } else {
            return;
        };
        if as_word.value == expected {
            return;
        }
        out.push(
            META.diagnostic(
                as_word.span,
                format!("`{}` does not match the casing of `{from}`", as_word.value),
            )
            .with_fix(Fix::safe(
                format!("Write `{expected}`"),
                vec![Edit::replace(as_word.span, expected)],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn casing() {
        assert_flags("HF903", "FROM a:1 as b\n", 1);
        assert_flags("HF903", "from a:1 AS b\n", 1);
        assert_clean("HF903", "FROM a:1 AS b\nfrom a:1 as c\nFrom a As d\n");
        assert_fix("HF903", "FROM a:1 as b\n", "FROM a:1 AS b\n", false);
    }
}
