//! ## What it does
//! Flags `ENV` and `LABEL` in the legacy whitespace form (`ENV KEY value`).
//!
//! ## Why is this bad?
//! The legacy form takes the rest of the line as the value, so `ENV A b C=d` silently sets
//! `A` to `b C=d`; it also allows only one pair per instruction. BuildKit deprecates it.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ENV APP_HOME /srv/app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! ENV APP_HOME=/srv/app
//! ```
//!
//! ## Fix safety
//! Safe: the fix writes `KEY=value` and keeps the value's layout (line continuations
//! included). A value with blanks is wrapped in double quotes when it holds no quote or
//! escape character (inside double quotes `$` still expands, as before); otherwise, on a
//! single line, each unquoted blank is escaped. Either way word expansion yields exactly
//! the old value; values that fit neither case get no fix.
//!
//! ## References
//! BuildKit LegacyKeyValueFormat.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, KeyValue, Keyword, Span};

/// Metadata of HF908.
pub static META: RuleMeta = RuleMeta {
    code: "HF908",
    name: "legacy-key-value-format",
    summary: "ENV/LABEL in the legacy `KEY value` form",
    default_severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        buildkit: &["LegacyKeyValueFormat"],
        ..Sources::NONE
    },
    doc: include_str!("legacy_key_value_format.rs"),
};

/// HF908: legacy ENV/LABEL.
#[derive(Default)]
pub struct LegacyKeyValueFormat;

/// Escapes the blanks that are outside quotes, so the value stays one word.
pub fn escape_blanks(value: &str, escape: char) -> Option<String> {
    let mut out = String::with_capacity(value.len() + 4);
    let mut single = false;
    let mut double = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == escape && !single {
            out.push(c);
            out.push(chars.next()?);
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            ' ' | '\t' if !single && !double => out.push(escape),
            '\n' | '\r' => return None,
            _ => {}
        }
        out.push(c);
    }
    (!single && !double).then_some(out)
}

/// Edits turning a legacy pair into `KEY=value`, keeping the value's layout: plain values
/// get `=`, values with blanks are double-quoted (equivalent when they hold no quote or
/// escape character), other one-line values get their blanks escaped.
fn rewrite(cx: &Context<'_>, pair: &KeyValue) -> Option<Vec<Edit>> {
    let value = &pair.value.value;
    if value.is_empty()
        || pair.key.value.contains(['=', ' '])
        || pair.key.span.end > pair.value.span.start
    {
        return None;
    }
    let gap = Span::new(pair.key.span.end, pair.value.span.start);
    let escape = cx.file.escape;
    if !value.contains([' ', '\t']) {
        return Some(vec![Edit::replace(gap, "=")]);
    }
    if !value.contains(['"', '\'', escape]) {
        return Some(vec![
            Edit::replace(gap, "=\""),
            Edit::insert(pair.value.span.end, "\""),
        ]);
    }
    let raw = cx.text(pair.span);
    if raw.contains('\n') {
        return None;
    }
    let escaped = escape_blanks(value, escape)?;
    Some(vec![Edit::replace(
        pair.span,
        format!("{}={escaped}", pair.key.value),
    )])
}

impl Rule for LegacyKeyValueFormat {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if !matches!(instruction.keyword, Keyword::Env | Keyword::Label) {
            return;
        }
        let Args::Pairs(pairs) = &instruction.args else {
            return;
        };
        for pair in pairs.iter().filter(|p| !p.equals) {
            let mut diagnostic = META.diagnostic(
                pair.span,
                format!(
                    "Legacy `{} {} value` format; use `{}=value`",
                    instruction.keyword.as_str(),
                    pair.key.value,
                    pair.key.value
                ),
            );
            if let Some(edits) = rewrite(cx, pair) {
                diagnostic = diagnostic.with_fix(Fix::safe("Use the KEY=value form", edits));
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape_blanks;
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn legacy() {
        assert_flags("HF908", "FROM a:1\nENV A b\nLABEL x y z\n", 2);
        assert_clean("HF908", "FROM a:1\nENV A=b C=d\n");
        assert_fix(
            "HF908",
            "FROM a:1\nENV A b  c\n",
            "FROM a:1\nENV A=\"b  c\"\n",
            false,
        );
        assert_fix(
            "HF908",
            "FROM a:1\nENV DEPS \\\n\t\tllvm \\\n\t\tclang\nENV B $X\n",
            "FROM a:1\nENV DEPS=\"llvm \\\n\t\tclang\"\nENV B=$X\n",
            false,
        );
        assert_fix(
            "HF908",
            "FROM a:1\nENV A \"b c\" 'd e'\n",
            "FROM a:1\nENV A=\"b c\"\\ 'd e'\n",
            false,
        );
        assert_eq!(escape_blanks("a\\ b c", '\\').as_deref(), Some("a\\ b\\ c"));
    }
}
