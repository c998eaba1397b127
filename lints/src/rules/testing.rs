//! Helpers for the tests inside rule files.

use crate::check::check_source;
use crate::config::Config;
use crate::context::BuildContext;
use crate::diagnostic::Diagnostic;
use crate::fix::apply_fixes;

/// A configuration that runs only `code` (preview and `prod` rules included).
pub fn only(code: &str) -> Config {
    Config {
        select: vec![code.to_string()],
        ..Config::default()
    }
}

/// The findings of rule `code` on `source`.
pub fn findings(code: &str, source: &str) -> Vec<Diagnostic> {
    findings_with(&only(code), source, None)
}

/// The findings of the configured rules on `source`.
pub fn findings_with(
    config: &Config,
    source: &str,
    context: Option<&dyn BuildContext>,
) -> Vec<Diagnostic> {
    check_source(source, config, context)
        .diagnostics
        .into_iter()
        .filter(|d| d.code != crate::check::SYNTAX_ERROR_CODE)
        .collect()
}

/// Asserts `code` reports exactly `count` findings on `source`, with valid spans.
#[track_caller]
pub fn assert_flags(code: &str, source: &str, count: usize) -> Vec<Diagnostic> {
    let found = findings(code, source);
    assert_eq!(
        found.len(),
        count,
        "{code} on {source:?}: {:#?}",
        found.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    for d in &found {
        assert!(d.span.text(source).is_some(), "bad span {:?}", d.span);
    }
    found
}

/// Asserts `code` reports nothing on `source`.
#[track_caller]
pub fn assert_clean(code: &str, source: &str) {
    assert_flags(code, source, 0);
}

/// Asserts that fixing `source` with only `code` enabled gives `expected`, and that fixing
/// again changes nothing.
#[track_caller]
pub fn assert_fix(code: &str, source: &str, expected: &str, unsafe_fixes: bool) {
    assert_fix_with(&only(code), source, expected, unsafe_fixes, None);
}

/// [`assert_fix`] with a configuration and build context.
#[track_caller]
pub fn assert_fix_with(
    config: &Config,
    source: &str,
    expected: &str,
    unsafe_fixes: bool,
    context: Option<&dyn BuildContext>,
) {
    let outcome = match apply_fixes(source, config, context, unsafe_fixes) {
        Ok(outcome) => outcome,
        Err(e) => panic!("fix failed: {e}"),
    };
    assert_eq!(outcome.output, expected);
    let again = match apply_fixes(&outcome.output, config, context, unsafe_fixes) {
        Ok(again) => again,
        Err(e) => panic!("second fix failed: {e}"),
    };
    assert_eq!(again.output, outcome.output, "fixing is not idempotent");
}

/// An in-memory build context: `(path, content)` pairs.
pub struct MemoryContext(pub Vec<(&'static str, Vec<u8>)>);

impl BuildContext for MemoryContext {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let path = crate::context::normalize(path);
        self.0
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, c)| c.clone())
    }

    fn is_dir(&self, path: &str) -> bool {
        let path = crate::context::normalize(path);
        path.is_empty()
            || self.0.iter().any(|(p, _)| {
                p.strip_prefix(path.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            })
    }

    fn list(&self, pattern: &str) -> Vec<String> {
        let pattern = crate::context::normalize(pattern);
        self.0
            .iter()
            .map(|(p, _)| (*p).to_string())
            .filter(|p| crate::context::glob_match(&pattern, p))
            .collect()
    }
}
