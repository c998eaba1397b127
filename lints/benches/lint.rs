//! Rule-engine throughput over the public corpus (read in place from `../shared`).
//!
//! `cargo bench -p hardfile-lints --bench lint` times, over every corpus file:
//! * `check`: parse + model + all default rules (what `hardfile lint` does per file);
//! * `shell`: the RUN command model alone ([`Script::parse`] on every shell-form RUN and
//!   heredoc body), the part of `check` that costs the most.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, black_box};
use hardfile_lints::check::check;
use hardfile_lints::config::Config;
use hardfile_lints::shell::Script;
use hardfile_lints::syntax::{self, Args, Keyword};

fn corpus() -> Vec<String> {
    let shared = std::env::var_os("HARDFILE_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    );
    let mut files = Vec::new();
    let mut stack = vec![shared.join("corpus/public")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "SOURCES.tsv")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                files.push(text);
            }
        }
    }
    assert!(
        !files.is_empty(),
        "corpus not found under {}",
        shared.display()
    );
    files
}

/// The shell-form RUN texts and heredoc bodies of `source` (an approximation of what
/// the rules parse: continuations are left in, which the shell parser accepts).
fn run_scripts(source: &str) -> Vec<String> {
    let file = syntax::parse(source);
    let mut out = Vec::new();
    for instruction in &file.instructions {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        if let Args::Rest(word) = &instruction.args {
            out.push(word.value.clone());
        }
        for heredoc in &instruction.heredocs {
            out.push(heredoc.content.clone());
        }
    }
    out
}

fn main() {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    let scripts: Vec<String> = files.iter().flat_map(|f| run_scripts(f)).collect();
    let script_bytes: usize = scripts.iter().map(String::len).sum();
    eprintln!(
        "{} files ({bytes} bytes), {} RUN scripts ({script_bytes} bytes)",
        files.len(),
        scripts.len()
    );
    let config = Config::default();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("check", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|t| {
                    let file = syntax::parse(black_box(t));
                    check(&file, &config, None).diagnostics.len()
                })
                .sum::<usize>()
        });
    });
    group.throughput(Throughput::Bytes(script_bytes as u64));
    group.bench_function("shell", |b| {
        b.iter(|| {
            scripts
                .iter()
                .map(|s| Script::parse(black_box(s)).commands().len())
                .sum::<usize>()
        });
    });
    group.finish();
    criterion.final_summary();
}
