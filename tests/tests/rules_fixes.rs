//! The fix harness: for every rule, the fixable examples (its documentation's "Example"
//! block plus the snippets below) are fixed to a fixpoint — with only that rule enabled,
//! then with every rule — and the harness fails on non-convergence, on a fix that breaks
//! the parse, and when fix(fix(x)) != fix(x).

use hardfile_lints::config::Config;
use hardfile_lints::fix::apply_fixes;
use hardfile_lints::rules::{self, FixAvailability};
use hardfile_lints::syntax;

/// Extra fixable snippets per rule code (the doc example is always included).
const SNIPPETS: &[(&str, &str)] = &[
    ("HF101", "FROM a:1\nUSER root\nRUN x"),
    ("HF101", "FROM scratch\r\nCOPY x /x\r\n"),
    ("HF102", "FROM a:1\nCMD [\"x\"]\n# trailing comment\n"),
    ("HF501", "FROM a:1\nADD a b c /d/\nONBUILD ADD x /y\n"),
    ("HF802", "FROM a:1\nHEALTHCHECK NONE"),
    (
        "HF803",
        "FROM a:1\nCMD a\nCMD b\nCMD c\nENTRYPOINT x\nENTRYPOINT y\n",
    ),
    ("HF805", "FROM a:1\nMAINTAINER a $b `c` \\\"d\\\"\n"),
];

fn example_block(doc: &str, heading: &str) -> Option<String> {
    let start = doc.find(heading)?;
    let rest = &doc[start..];
    let open = rest.find("```dockerfile\n")? + "```dockerfile\n".len();
    let close = rest[open..].find("```")?;
    Some(rest[open..open + close].to_string())
}

fn errors(text: &str) -> usize {
    syntax::parse(text)
        .diagnostics
        .iter()
        .filter(|d| d.severity == syntax::SyntaxSeverity::Error)
        .count()
}

fn fix_checked(source: &str, config: &Config, unsafe_fixes: bool, what: &str) -> String {
    let once = apply_fixes(source, config, None, unsafe_fixes)
        .unwrap_or_else(|e| panic!("{what}: {e}\n--- input\n{source}"));
    assert!(
        errors(&once.output) <= errors(source),
        "{what}: fix breaks the parse\n--- output\n{}",
        once.output
    );
    let twice = apply_fixes(&once.output, config, None, unsafe_fixes)
        .unwrap_or_else(|e| panic!("{what} (second pass): {e}"));
    assert_eq!(twice.output, once.output, "{what}: fix(fix(x)) != fix(x)");
    once.output
}

fn harness_config(select: &str) -> Config {
    Config {
        select: vec![select.to_string()],
        allowed_registries: vec!["registry.example.com".to_string()],
        ..Config::default()
    }
}

#[test]
fn every_fixable_example_converges_and_is_idempotent() {
    let mut checked = 0;
    for meta in rules::registry() {
        if meta.fix == FixAvailability::Never {
            continue;
        }
        let mut inputs: Vec<String> = SNIPPETS
            .iter()
            .filter(|(code, _)| *code == meta.code)
            .map(|(_, s)| (*s).to_string())
            .collect();
        inputs.extend(example_block(&meta.documentation(), "## Example"));
        assert!(!inputs.is_empty(), "{} has no fixable example", meta.code);
        for input in inputs {
            for select in [meta.code, "all"] {
                let config = harness_config(select);
                let what = format!("{} ({select})", meta.code);
                let safe = fix_checked(&input, &config, false, &format!("{what} safe"));
                let fixed = fix_checked(&safe, &config, true, &format!("{what} unsafe"));
                if select == meta.code {
                    // Unsafe fixing with only this rule leaves none of its fixable findings.
                    let left = apply_fixes(&fixed, &config, None, true)
                        .map(|o| o.remaining)
                        .unwrap_or_default();
                    assert!(
                        left.iter().all(|d| d.code != meta.code || d.fix.is_none()),
                        "{what}: fixable findings remain after fixing:\n{fixed}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn doc_examples_trigger_and_use_instead_is_clean() {
    for meta in rules::registry() {
        let doc = meta.documentation();
        let config = harness_config(meta.code);
        let example = example_block(&doc, "## Example")
            .unwrap_or_else(|| panic!("{} has no Example block", meta.code));
        let found = hardfile_lints::check::check_source(&example, &config, None);
        assert!(
            found.diagnostics.iter().any(|d| d.code == meta.code),
            "{}: its Example does not trigger it",
            meta.code
        );
        let instead = example_block(&doc, "## Use instead")
            .unwrap_or_else(|| panic!("{} has no Use instead block", meta.code));
        let found = hardfile_lints::check::check_source(&instead, &config, None);
        assert!(
            found.diagnostics.iter().all(|d| d.code != meta.code),
            "{}: its Use instead block triggers it: {:?}",
            meta.code,
            found.diagnostics
        );
    }
}
