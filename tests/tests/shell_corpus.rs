//! Parses every shell-form RUN (and RUN heredoc body) of the public Dockerfile corpus with
//! `hardfile_lints::shell::Script`: nothing may panic, every span must be in bounds and on a
//! char boundary, and nearly all scripts must parse without a syntax error.
//!
//! The corpus is read in place from `$HARDFILE_SHARED/corpus/public/` (default `../shared`
//! next to the repository). Windows Dockerfiles (a PowerShell or cmd `SHELL`, or
//! `# escape=` with a backtick) are skipped: their RUN text is not for `/bin/sh`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hardfile_lints::shell::{Script, Span};

fn shared_dir() -> PathBuf {
    std::env::var_os("HARDFILE_SHARED").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
        PathBuf::from,
    )
}

fn dockerfiles(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            dockerfiles(&path, out);
        } else if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(".Dockerfile"))
        {
            out.push(path);
        }
    }
}

/// A simple standalone extractor: not BuildKit-exact, just good enough to feed the parser.
fn run_scripts(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let lower = text.to_ascii_lowercase();
    let windows = lower.lines().any(|line| {
        let line = line.trim_start();
        (line.starts_with("shell")
            && ["powershell", "pwsh", "cmd"]
                .iter()
                .any(|s| line.contains(s)))
            || (line.starts_with('#') && line.contains("escape") && line.contains('`'))
    });
    if windows {
        return Vec::new();
    }
    let escape = text
        .lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| {
            let directive = line.trim_start_matches('#').trim();
            let (key, value) = directive.split_once('=')?;
            (key.trim().eq_ignore_ascii_case("escape")).then(|| value.trim().chars().next())?
        })
        .unwrap_or('\\');
    let lines: Vec<&str> = text.lines().collect();
    let mut scripts = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim_start();
        index += 1;
        let mut rest = line;
        if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case("ONBUILD") {
            rest = rest[7..].trim_start();
        }
        if !(rest.len() > 3
            && rest[..3].eq_ignore_ascii_case("RUN")
            && rest[3..].starts_with([' ', '\t']))
        {
            continue;
        }
        let mut body = rest[3..].to_owned();
        while body.trim_end().ends_with(escape) && index < lines.len() {
            let trimmed = body.trim_end();
            body.truncate(trimmed.len() - escape.len_utf8());
            while index < lines.len() {
                let next = lines[index].trim_start();
                if next.is_empty() || next.starts_with('#') {
                    index += 1;
                } else {
                    break;
                }
            }
            if let Some(next) = lines.get(index) {
                body.push_str(next);
                index += 1;
            }
        }
        let mut body = body.trim();
        while body.starts_with("--") {
            body = body
                .split_once([' ', '\t'])
                .map_or("", |(_, rest)| rest)
                .trim_start();
        }
        if body.starts_with('[') || body.is_empty() {
            continue;
        }
        if let Some(heredoc) = body.strip_prefix("<<") {
            let heredoc = heredoc.trim_start_matches('-');
            let delimiter: String = heredoc
                .trim_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let mut script = String::new();
            while index < lines.len() && lines[index].trim() != delimiter {
                script.push_str(lines[index]);
                script.push('\n');
                index += 1;
            }
            index += 1;
            scripts.push(script);
            continue;
        }
        scripts.push(body.to_owned());
    }
    scripts
}

fn check(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} out of bounds in {text:?}"
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries in {text:?}"
    );
}

#[test]
fn corpus_run_scripts_parse() {
    let public = shared_dir().join("corpus/public");
    let mut files = Vec::new();
    dockerfiles(&public, &mut files);
    if files.is_empty() {
        eprintln!("no corpus at {}; skipping", public.display());
        return;
    }
    files.sort();
    let scripts: Vec<String> = files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .flat_map(|bytes| run_scripts(&String::from_utf8_lossy(&bytes)))
        .collect();
    let started = Instant::now();
    let mut clean = 0usize;
    let mut commands = 0usize;
    for text in &scripts {
        let script = Script::parse(text);
        if !script.has_errors() {
            clean += 1;
        }
        commands += script.commands().len();
        for command in script.commands() {
            check(text, command.span, "command");
            for word in command.program.iter().chain(&command.args) {
                check(text, word.span, "word");
                if !command.approximate {
                    assert_eq!(
                        text.get(word.span.start..word.span.end),
                        Some(word.raw.as_str())
                    );
                }
            }
            for redirect in &command.redirects {
                check(text, redirect.span, "redirect");
            }
        }
        for pipeline in script.pipelines() {
            check(text, pipeline.span, "pipeline");
        }
        for statement in script.statements() {
            check(text, statement.span, "statement");
        }
        for error in script.errors() {
            check(text, error.span, "error");
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{} Dockerfiles, {} RUN scripts: {clean} parsed without errors, {commands} commands, {elapsed:?}",
        files.len(),
        scripts.len()
    );
    // Measured: 1066 of 1066 clean (965 shell-form RUNs + 101 heredoc bodies).
    assert!(
        scripts.len() >= 1000,
        "extractor found only {} scripts",
        scripts.len()
    );
    assert!(
        clean * 100 >= scripts.len() * 99,
        "only {clean} of {} clean",
        scripts.len()
    );
}
