//! BuildKit's own parser cases: our dump must match `result` byte for byte, and every
//! `_negative` case must be rejected. One test per case.

use hardfile_lints::syntax;
use hardfile_tests::corpus::buildkit_parser_cases;
use libtest_mimic::{Arguments, Failed, Trial};

fn check_case(name: &str, dir: &std::path::Path) -> Result<(), Failed> {
    let input = std::fs::read(dir.join("Dockerfile"))?;
    let input = String::from_utf8(input).map_err(|e| format!("{name}: not UTF-8: {e}"))?;
    let file = syntax::parse_syntax_only(&input);
    if name.starts_with("_negative/") {
        if file.has_errors() {
            return Ok(());
        }
        return Err(format!("{name}: BuildKit rejects this input, we accepted it").into());
    }
    let expected = std::fs::read(dir.join("result"))?;
    let expected = String::from_utf8(expected).map_err(|e| format!("{name}: {e}"))?;
    if file.has_errors() {
        return Err(format!("{name}: unexpected errors {:?}", file.diagnostics).into());
    }
    let actual = syntax::dump(&file);
    if actual != expected {
        return Err(
            format!("{name}: dump differs\n--- expected\n{expected}--- actual\n{actual}").into(),
        );
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let cases = buildkit_parser_cases();
    assert!(
        cases.len() >= 30,
        "BuildKit parser cases not found under {} (set HARDFILE_SHARED)",
        hardfile_tests::corpus::shared_dir().display()
    );
    let trials = cases
        .into_iter()
        .filter(|(name, dir)| name.starts_with("_negative/") || dir.join("result").is_file())
        .map(|(name, dir)| {
            let label = name.clone();
            Trial::test(label, move || check_case(&name, &dir))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
