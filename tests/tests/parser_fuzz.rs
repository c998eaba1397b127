//! Robustness: the parser, the token view, the dump and the model never panic and never
//! produce an out-of-bounds or non-boundary range — on arbitrary bytes and on real corpus
//! files mutated with Dockerfile-significant fragments.
//!
//! Case counts: `HARDFILE_FUZZ_CASES` (default 3000 per property, so CI stays quick; the
//! closing note reports a longer local run).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hardfile_lints::model::Model;
use hardfile_lints::syntax::{self, Args, Dockerfile, Instruction, Span};
use hardfile_tests::corpus::public_dockerfiles;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases() -> u32 {
    std::env::var("HARDFILE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

fn corpus() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| {
        public_dockerfiles()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    })
}

fn valid(source: &str, span: Span) -> bool {
    span.start <= span.end && source.get(span.start..span.end).is_some()
}

fn check_instruction(file: &Dockerfile, ins: &Instruction) -> Result<(), String> {
    let src = &file.source;
    let mut spans = vec![ins.span, ins.keyword_span];
    spans.extend(ins.flags.iter().map(|f| f.span));
    match &ins.args {
        Args::Words(words) | Args::Exec { items: words, .. } => {
            spans.extend(words.iter().map(|w| w.span));
        }
        Args::Rest(w) | Args::Invalid(w) => spans.push(w.span),
        Args::Pairs(pairs) => spans.extend(
            pairs
                .iter()
                .flat_map(|p| [p.key.span, p.value.span, p.span]),
        ),
        Args::Healthcheck { kind, .. } => spans.push(kind.span),
        Args::Onbuild(inner) => check_instruction(file, inner)?,
        Args::Empty => {}
    }
    for h in &ins.heredocs {
        spans.push(h.body);
        spans.push(h.marker);
        spans.extend(h.terminator);
    }
    match spans.into_iter().find(|s| !valid(src, *s)) {
        Some(bad) => Err(format!("bad range {bad:?} in {:?}", ins.original)),
        None => Ok(()),
    }
}

fn check(source: &str) -> Result<(), String> {
    let file = syntax::parse(source);
    for ins in &file.instructions {
        check_instruction(&file, ins)?;
    }
    for d in &file.diagnostics {
        if !valid(source, d.span) {
            return Err(format!("diagnostic range {:?}", d.span));
        }
    }
    let tokens = syntax::tokens(&file).map_err(|e| e.to_string())?;
    let rebuilt: String = tokens
        .iter()
        .map(|t| &source[t.span.start..t.span.end])
        .collect();
    if rebuilt != source {
        return Err("tokens do not reproduce the input".into());
    }
    let _ = syntax::dump(&file);
    let model = Model::build(&file, &BTreeMap::new(), None);
    for e in model.errors() {
        if !valid(source, e.span) {
            return Err(format!("model error range {:?}", e.span));
        }
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "\\\n",
    "\\",
    "`",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "#",
    "# escape=`\n",
    "# syntax=x\n",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "EOF\n",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "--",
    "--from=x ",
    "--mount=type=cache,target=/x ",
    "${",
    "}",
    "$",
    "${A:-b}",
    "=",
    "RUN ",
    "FROM ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "ENV ",
    "ARG ",
    "COPY ",
    "é",
    "😀",
    "\u{feff}",
    "\u{a0}",
    "\0",
];

fn mutated() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0usize..4,
            any::<prop::sample::Index>(),
        ),
        1..12,
    );
    (any::<prop::sample::Index>(), edits).prop_map(|(which, edits)| {
        let files = corpus();
        let mut text = files[which.index(files.len())].clone();
        for (at, op, frag) in edits {
            let mut pos = at.index(text.len() + 1);
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            let fragment = FRAGMENTS[frag.index(FRAGMENTS.len())];
            match op {
                0 | 1 => text.insert_str(pos, fragment),
                2 => {
                    let mut end = (pos + fragment.len()).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(pos..end, fragment);
                }
                _ => {
                    let mut end = (pos + 1 + fragment.len() % 7).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(pos..end, "");
                }
            }
        }
        text
    })
}

fn run<S: Strategy<Value = String>>(strategy: S) {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |text| {
        check(&text).map_err(|e| TestCaseError::fail(format!("{e}\ninput: {text:?}")))
    });
    if let Err(err) = result {
        panic!("{err}");
    }
}

#[test]
fn arbitrary_bytes() {
    run(prop::collection::vec(any::<u8>(), 0..400)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned()));
}

#[test]
fn arbitrary_dockerfile_like_text() {
    let piece = prop::sample::select(FRAGMENTS).prop_map(str::to_string);
    let word = "[a-zA-Z0-9_./:=-]{0,8}";
    run(
        prop::collection::vec(prop_oneof![piece, word.prop_map(|s: String| s)], 0..60)
            .prop_map(|v| v.concat()),
    );
}

#[test]
fn mutated_corpus_files() {
    assert!(corpus().len() >= 300, "public corpus not found");
    run(mutated());
}
