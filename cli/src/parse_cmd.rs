//! `hardfile parse`: the syntax tree as BuildKit's dump or as lossless JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use hardfile_lints::syntax::{self, Dockerfile, LineIndex, Span, SyntaxSeverity};
use serde_json::{Value, json};

/// Arguments of `hardfile parse`.
#[derive(clap::Args)]
pub struct ParseArgs {
    /// Print BuildKit's parser dump (the `result` format of its conformance cases).
    #[arg(long, conflicts_with = "json")]
    dump: bool,
    /// Print the lossless tree with byte ranges and 1-based line/column (the default).
    #[arg(long)]
    json: bool,
    /// The Dockerfile (`-` for standard input).
    file: PathBuf,
}

/// Reads a Dockerfile from a path or `-`, with a clear error naming the file.
pub fn read_source(path: &PathBuf) -> anyhow::Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .context("cannot read standard input")?;
        buf
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    String::from_utf8(bytes).map_err(|err| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            path.display(),
            err.utf8_error().valid_up_to()
        )
    })
}

/// Runs the subcommand; exit code 1 when the file has syntax errors.
pub fn run(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let source = read_source(&args.file)?;
    let file = syntax::parse(&source);
    let index = LineIndex::new(&source);
    let name = args.file.display().to_string();
    let mut stdout = std::io::stdout().lock();
    if args.dump {
        if !file.instructions.is_empty() {
            stdout.write_all(syntax::dump(&file).as_bytes())?;
        }
    } else {
        let tree = to_json(&file, &index, &name)?;
        serde_json::to_writer_pretty(&mut stdout, &tree)?;
        writeln!(stdout)?;
    }
    let mut failed = false;
    for diagnostic in &file.diagnostics {
        let at = index.line_col(&source, diagnostic.span.start);
        let level = match diagnostic.severity {
            SyntaxSeverity::Error => {
                failed = true;
                "error"
            }
            SyntaxSeverity::Warning => "warning",
        };
        eprintln!(
            "{name}:{}:{}: {level}: {}",
            at.line, at.column, diagnostic.message
        );
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Adds `range` (1-based line/column start and end) next to every `span` in the tree.
fn to_json(file: &Dockerfile, index: &LineIndex, name: &str) -> anyhow::Result<Value> {
    let mut tree = serde_json::to_value(file)?;
    annotate(&mut tree, &file.source, index);
    let tokens = syntax::tokens(file)?;
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|t| json!({"kind": t.kind, "span": span_json(t.span, &file.source, index)}))
        .collect();
    Ok(json!({"file": name, "tree": tree, "tokens": tokens}))
}

fn span_json(span: Span, source: &str, index: &LineIndex) -> Value {
    let start = index.line_col(source, span.start);
    let end = index.line_col(source, span.end);
    json!({"start": span.start, "end": span.end, "start_line": start.line,
           "start_column": start.column, "end_line": end.line, "end_column": end.column})
}

fn annotate(value: &mut Value, source: &str, index: &LineIndex) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let is_span = matches!(
                    key.as_str(),
                    "span" | "keyword_span" | "value_span" | "marker" | "body" | "terminator"
                );
                if is_span
                    && let (Some(start), Some(end)) = (
                        child.get("start").and_then(Value::as_u64),
                        child.get("end").and_then(Value::as_u64),
                    )
                {
                    *child = span_json(Span::new(start as usize, end as usize), source, index);
                    continue;
                }
                annotate(child, source, index);
            }
        }
        Value::Array(items) => {
            for item in items {
                annotate(item, source, index);
            }
        }
        _ => {}
    }
}
