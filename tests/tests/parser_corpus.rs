//! Every real-world Dockerfile in the public corpus parses without an error diagnostic,
//! round-trips byte for byte through its tokens, has consistent node ranges, and builds a
//! model without panicking. One test per file.

use std::collections::BTreeMap;

use hardfile_lints::model::Model;
use hardfile_lints::syntax::{self, Args, Dockerfile, Instruction, Span, SyntaxSeverity};
use hardfile_tests::corpus::{corpus_name, public_dockerfiles};
use libtest_mimic::{Arguments, Failed, Trial};

fn check_span(file: &Dockerfile, span: Span, what: &str) -> Result<(), String> {
    if span.start > span.end || span.text(&file.source).is_none() {
        return Err(format!("{what}: bad range {span:?}"));
    }
    Ok(())
}

/// A word that sits on one line with no escapes must read back as its value.
fn check_word_text(file: &Dockerfile, value: &str, span: Span, what: &str) -> Result<(), String> {
    check_span(file, span, what)?;
    let text = span.text(&file.source).unwrap_or_default();
    let simple = !text.contains('\n') && !text.contains(file.escape);
    if simple && text != value {
        return Err(format!("{what}: range reads {text:?}, value is {value:?}"));
    }
    Ok(())
}

fn check_instruction(file: &Dockerfile, ins: &Instruction) -> Result<(), String> {
    check_span(file, ins.span, "instruction")?;
    check_word_text(file, &ins.keyword_text, ins.keyword_span, "keyword")?;
    let mut last = ins.keyword_span.end;
    for flag in &ins.flags {
        check_span(file, flag.span, "flag")?;
        if flag.span.start < last {
            return Err(format!("flag {flag:?} out of order"));
        }
        last = flag.span.end;
    }
    match &ins.args {
        Args::Words(words) => {
            for w in words {
                check_word_text(file, &w.value, w.span, "word")?;
            }
        }
        Args::Rest(w) => check_word_text(file, &w.value, w.span, "rest")?,
        Args::Exec { items, span } => {
            check_span(file, *span, "exec")?;
            for w in items {
                check_span(file, w.span, "exec item")?;
            }
        }
        Args::Pairs(pairs) => {
            for p in pairs {
                check_word_text(file, &p.key.value, p.key.span, "key")?;
                check_word_text(file, &p.value.value, p.value.span, "value")?;
            }
        }
        Args::Onbuild(inner) => check_instruction(file, inner)?,
        Args::Healthcheck { kind, .. } => check_word_text(file, &kind.value, kind.span, "kind")?,
        Args::Empty | Args::Invalid(_) => {}
    }
    for heredoc in &ins.heredocs {
        check_span(file, heredoc.body, "heredoc body")?;
        let body = heredoc.body.text(&file.source).unwrap_or_default();
        if body != heredoc.content {
            return Err(format!(
                "heredoc {} body range does not hold its content",
                heredoc.name
            ));
        }
    }
    Ok(())
}

fn check_file(path: &std::path::Path) -> Result<(), Failed> {
    let source = String::from_utf8(std::fs::read(path)?)?;
    let file = syntax::parse(&source);
    let errors: Vec<_> = file
        .diagnostics
        .iter()
        .filter(|d| d.severity == SyntaxSeverity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(format!("syntax errors: {errors:?}").into());
    }
    let tokens = syntax::tokens(&file).map_err(|e| e.to_string())?;
    let rebuilt: String = tokens
        .iter()
        .map(|t| t.span.text(&source).unwrap_or("\u{fffd}"))
        .collect();
    if rebuilt != source {
        return Err("tokens do not reproduce the input".into());
    }
    for ins in &file.instructions {
        check_instruction(&file, ins)?;
    }
    let model = Model::build(&file, &BTreeMap::new(), None);
    if !file.instructions.is_empty() && model.target().is_none() {
        return Err("no exported stage".into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let files = public_dockerfiles();
    assert!(
        files.len() >= 300,
        "public corpus not found under {} (set HARDFILE_SHARED)",
        hardfile_tests::corpus::shared_dir().display()
    );
    let trials = files
        .into_iter()
        .map(|path| Trial::test(corpus_name(&path), move || check_file(&path)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
