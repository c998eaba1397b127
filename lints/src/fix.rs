//! Applying fixes to a fixpoint: [`apply_fixes`].
//!
//! Each round parses the text, checks it, keeps the fixes the caller allows (safe, or safe
//! and unsafe), applies every fix that does not overlap one already taken, and starts again
//! on the new text. It stops when no fix applies. It fails rather than return a worse file:
//! when a round's edits introduce a syntax error, or when the rounds do not converge.

use serde::Serialize;

use crate::check::{Report, check};
use crate::config::Config;
use crate::context::BuildContext;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::syntax::{self, Dockerfile, SyntaxSeverity};

/// How many rounds [`apply_fixes`] runs before it gives up.
pub const MAX_ROUNDS: usize = 10;

/// What [`apply_fixes`] did.
#[derive(Clone, Debug, Serialize)]
pub struct FixOutcome {
    /// The fixed text.
    pub output: String,
    /// Each fix applied: rule code and fix message, in order.
    pub applied: Vec<(&'static str, String)>,
    /// Findings left in the fixed text (after configuration and suppressions).
    pub remaining: Vec<Diagnostic>,
    /// Rounds that applied at least one fix.
    pub rounds: usize,
}

impl FixOutcome {
    /// Whether any fix was applied.
    pub fn changed(&self) -> bool {
        !self.applied.is_empty()
    }
}

/// Why fixing stopped without a result.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// Fixes kept producing new fixes.
    #[error("fixes did not converge after {rounds} rounds (last fixes: {})", last.join(", "))]
    NoConvergence {
        /// Rounds run.
        rounds: usize,
        /// Codes of the fixes applied in the last round.
        last: Vec<&'static str>,
    },
    /// A fix introduced a syntax error.
    #[error("fix for {code} ({message}) breaks the Dockerfile: {error}")]
    BrokeParse {
        /// The rule whose fix broke the parse.
        code: &'static str,
        /// The fix's message.
        message: String,
        /// The first new syntax error.
        error: String,
    },
}

/// Fixes `source` to a fixpoint. `unsafe_fixes` also applies [`Applicability::Unsafe`]
/// fixes; display-only fixes are never applied.
pub fn apply_fixes(
    source: &str,
    config: &Config,
    build_context: Option<&dyn BuildContext>,
    unsafe_fixes: bool,
) -> Result<FixOutcome, FixError> {
    let threshold = if unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut text = source.to_string();
    let mut applied = Vec::new();
    let mut rounds = 0;
    loop {
        let file = syntax::parse(&text);
        let report = check(&file, config, build_context);
        let fixes = applicable(&report, &text, threshold);
        if fixes.is_empty() {
            return Ok(FixOutcome {
                output: text,
                applied,
                remaining: report.diagnostics,
                rounds,
            });
        }
        if rounds == MAX_ROUNDS {
            return Err(FixError::NoConvergence {
                rounds,
                last: fixes.iter().map(|(code, _)| *code).collect(),
            });
        }
        rounds += 1;
        let (next, taken) = apply_round(&file, &text, &fixes)?;
        applied.extend(taken);
        text = next;
    }
}

/// Fixes meeting `threshold` whose edits change something, in position order.
fn applicable<'r>(
    report: &'r Report,
    text: &str,
    threshold: Applicability,
) -> Vec<(&'static str, &'r Fix)> {
    let mut fixes: Vec<(&'static str, &Fix)> = report
        .diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d.code, f)))
        .filter(|(_, f)| f.applicability >= threshold && !f.edits.is_empty())
        .filter(|(_, f)| f.edits.iter().all(|e| edit_in_bounds(e, text)))
        .filter(|(_, f)| f.edits.iter().any(|e| !is_noop(e, text)))
        .collect();
    fixes.sort_by_key(|(code, f)| (f.span().map(|s| (s.start, s.end)), *code));
    fixes
}

fn edit_in_bounds(edit: &Edit, text: &str) -> bool {
    edit.span.start <= edit.span.end && edit.span.text(text).is_some()
}

fn is_noop(edit: &Edit, text: &str) -> bool {
    edit.span.text(text) == Some(edit.replacement.as_str())
}

/// Applies every fix that does not overlap an earlier one; checks the parse afterwards.
/// The text after a round and the fixes it applied (code, message).
type Round = (String, Vec<(&'static str, String)>);

fn apply_round(
    before: &Dockerfile,
    text: &str,
    fixes: &[(&'static str, &Fix)],
) -> Result<Round, FixError> {
    let mut taken: Vec<(&'static str, &Fix)> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    for &(code, fix) in fixes {
        let clashes = fix
            .edits
            .iter()
            .any(|e| edits.iter().any(|t| overlaps(e, t)));
        if !clashes {
            edits.extend(&fix.edits);
            taken.push((code, fix));
        }
    }
    let output = splice(text, &edits);
    let errors_before = error_count(before);
    let after = syntax::parse(&output);
    if error_count(&after) > errors_before {
        // Find the culprit: apply the taken fixes one at a time.
        for &(code, fix) in &taken {
            let alone = splice(text, &fix.edits.iter().collect::<Vec<_>>());
            let parsed = syntax::parse(&alone);
            if error_count(&parsed) > errors_before {
                return Err(broke(code, fix, &parsed));
            }
        }
        let (code, fix) = taken[0];
        return Err(broke(code, fix, &after));
    }
    Ok((
        output,
        taken
            .into_iter()
            .map(|(code, fix)| (code, fix.message.clone()))
            .collect(),
    ))
}

fn broke(code: &'static str, fix: &Fix, parsed: &Dockerfile) -> FixError {
    FixError::BrokeParse {
        code,
        message: fix.message.clone(),
        error: parsed
            .diagnostics
            .iter()
            .find(|d| d.severity == SyntaxSeverity::Error)
            .map(|d| d.message.clone())
            .unwrap_or_default(),
    }
}

fn error_count(file: &Dockerfile) -> usize {
    file.diagnostics
        .iter()
        .filter(|d| d.severity == SyntaxSeverity::Error)
        .count()
}

/// Two edits clash when their ranges intersect, or when both touch the same point (two
/// insertions at one offset would depend on their order).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    if a.start < b.end && b.start < a.end {
        return true;
    }
    a.start == b.start
        || a.end == b.end
        || (a.is_empty() && b.contains(a.start))
        || (b.is_empty() && a.contains(b.start))
}

/// Applies non-overlapping edits.
pub fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        if edit.span.start < at {
            continue;
        }
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.replacement);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Span;

    #[test]
    fn splices_in_order() {
        let text = "abcdef";
        let a = Edit::replace(Span::new(4, 5), "E");
        let b = Edit::insert(0, ">");
        assert_eq!(splice(text, &[&a, &b]), ">abcdEf");
    }

    #[test]
    fn insertions_at_one_point_clash() {
        assert!(overlaps(&Edit::insert(3, "a"), &Edit::insert(3, "b")));
        assert!(!overlaps(
            &Edit::replace(Span::new(0, 2), "x"),
            &Edit::replace(Span::new(3, 4), "y")
        ));
    }
}
