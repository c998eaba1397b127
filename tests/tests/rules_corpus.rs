//! Every rule over every Dockerfile of the public corpus (read in place): no panic, every
//! finding's span (and its fix edits and related spans) inside the text and on character
//! boundaries, and fixing — safe fixes, then unsafe ones — converges, keeps the file
//! parsing and is idempotent. One test per file, plus a summary of findings per rule.

use std::collections::BTreeMap;
use std::path::Path;

use hardfile_lints::check::check;
use hardfile_lints::config::Config;
use hardfile_lints::diagnostic::Diagnostic;
use hardfile_lints::fix::apply_fixes;
use hardfile_lints::syntax::{self, Span};
use hardfile_tests::corpus::{corpus_name, public_dockerfiles};
use libtest_mimic::{Arguments, Failed, Trial};

/// Every rule, preview and `prod`-only ones included.
fn all_rules() -> Config {
    Config {
        select: vec!["all".to_string()],
        allowed_registries: vec![
            "docker.io/library".to_string(),
            "mcr.microsoft.com".to_string(),
        ],
        ..Config::default()
    }
}

fn check_span(source: &str, span: Span, what: &str) -> Result<(), String> {
    if span.start > span.end || span.text(source).is_none() {
        return Err(format!("{what}: bad range {span:?} (len {})", source.len()));
    }
    Ok(())
}

fn check_diagnostic(source: &str, d: &Diagnostic) -> Result<(), String> {
    let what = format!("{} {:?}", d.code, d.message);
    check_span(source, d.span, &what)?;
    for related in &d.related {
        check_span(source, related.span, &format!("{what} related"))?;
    }
    if let Some(fix) = &d.fix {
        let mut last = 0;
        for edit in &fix.edits {
            check_span(source, edit.span, &format!("{what} edit"))?;
            if edit.span.start < last {
                return Err(format!("{what}: overlapping edits in one fix"));
            }
            last = edit.span.end;
        }
    }
    Ok(())
}

fn fix_to_fixpoint(source: &str, config: &Config, unsafe_fixes: bool) -> Result<String, String> {
    let mode = if unsafe_fixes { "unsafe" } else { "safe" };
    let once =
        apply_fixes(source, config, None, unsafe_fixes).map_err(|e| format!("{mode}: {e}"))?;
    let reparsed = syntax::parse(&once.output);
    let errors = |f: &syntax::Dockerfile| {
        f.diagnostics
            .iter()
            .filter(|d| d.severity == syntax::SyntaxSeverity::Error)
            .count()
    };
    if errors(&reparsed) > errors(&syntax::parse(source)) {
        return Err(format!("{mode}: fixed text has new syntax errors"));
    }
    let twice = apply_fixes(&once.output, config, None, unsafe_fixes)
        .map_err(|e| format!("{mode} again: {e}"))?;
    if twice.output != once.output {
        return Err(format!(
            "{mode}: fix(fix(x)) != fix(x); second pass applied {:?}",
            twice.applied
        ));
    }
    Ok(once.output)
}

fn run_file(path: &Path) -> Result<(), Failed> {
    let bytes = std::fs::read(path).map_err(|e| format!("read: {e}"))?;
    let source = String::from_utf8_lossy(&bytes).into_owned();
    let config = all_rules();
    let file = syntax::parse(&source);
    let report = check(&file, &config, None);
    for d in report
        .diagnostics
        .iter()
        .chain(report.suppressed.iter().map(|(d, _)| d))
    {
        check_diagnostic(&source, d)?;
    }
    let safe = fix_to_fixpoint(&source, &config, false)?;
    fix_to_fixpoint(&safe, &config, true)?;
    Ok(())
}

#[allow(clippy::unnecessary_wraps)] // the signature libtest-mimic expects
fn summary(paths: &[std::path::PathBuf]) -> Result<(), Failed> {
    let config = all_rules();
    let mut per_rule: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut files_changed = (0, 0);
    for path in paths {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let source = String::from_utf8_lossy(&bytes).into_owned();
        let report = check(&syntax::parse(&source), &config, None);
        let mut seen = std::collections::BTreeSet::new();
        for d in &report.diagnostics {
            let entry = per_rule.entry(d.code).or_default();
            entry.0 += 1;
            if seen.insert(d.code) {
                entry.1 += 1;
            }
        }
        if let Ok(out) = apply_fixes(&source, &config, None, false) {
            files_changed.0 += usize::from(out.changed());
            if let Ok(out2) = apply_fixes(&out.output, &config, None, true) {
                files_changed.1 += usize::from(out2.changed());
            }
        }
    }
    println!("rules_corpus summary: {} files", paths.len());
    println!(
        "  files changed by safe fixes: {}; by unsafe fixes after that: {}",
        files_changed.0, files_changed.1
    );
    for (code, (findings, files)) in per_rule {
        println!("  {code}: {findings} findings in {files} files");
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let paths = public_dockerfiles();
    assert!(
        !paths.is_empty(),
        "no corpus files found; set HARDFILE_SHARED"
    );
    let mut trials: Vec<Trial> = paths
        .iter()
        .map(|path| {
            let path = path.clone();
            Trial::test(format!("rules::{}", corpus_name(&path)), move || {
                run_file(&path)
            })
        })
        .collect();
    // The per-rule finding counts are a report, not a test: printed only when asked for
    // (`HARDFILE_RULES_SUMMARY=1 cargo test -p hardfile-tests --test rules_corpus -- --nocapture`).
    if std::env::var_os("HARDFILE_RULES_SUMMARY").is_some() {
        let all = paths.clone();
        trials.push(Trial::test("rules_summary", move || summary(&all)));
    }
    libtest_mimic::run(&args, trials).exit();
}
