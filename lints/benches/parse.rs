//! Parse + model throughput over the public corpus (read in place from `../shared`).
//!
//! `cargo bench -p hardfile-lints --bench parse` prints criterion's corpus-wide timing (with
//! MB/s) and, first, the per-file median of parse + model.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput, black_box};
use hardfile_lints::model::Model;
use hardfile_lints::syntax;

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

fn parse_and_model(text: &str) -> usize {
    let file = syntax::parse(text);
    let model = Model::build(&file, &BTreeMap::new(), None);
    file.instructions.len() + model.stages().len()
}

fn per_file_median(files: &[String]) {
    const ROUNDS: u32 = 200;
    let mut times: Vec<f64> = files
        .iter()
        .map(|text| {
            let start = Instant::now();
            for _ in 0..ROUNDS {
                black_box(parse_and_model(black_box(text)));
            }
            start.elapsed().as_secs_f64() / f64::from(ROUNDS)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    eprintln!(
        "per-file parse+model over {} files: median {:.1} µs, p99 {:.1} µs",
        times.len(),
        median * 1e6,
        p99 * 1e6
    );
}

fn main() {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    per_file_median(&files);
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse+model", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|t| parse_and_model(black_box(t)))
                .sum::<usize>()
        });
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|t| syntax::parse(black_box(t)).instructions.len())
                .sum::<usize>()
        });
    });
    group.finish();
    criterion.final_summary();
}
