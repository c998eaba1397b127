//! BuildKit's own word-expansion tables (`envVarTest`, `wordsTest`), read in place from
//! `$HARDFILE_SHARED/corpus/buildkit-shell/`, checked row by row against
//! [`hardfile_lints::words::Lexer`].

use std::path::PathBuf;

use hardfile_lints::words::Lexer;

/// The `shared/` directory beside the repository, or `$HARDFILE_SHARED`.
fn shared_dir() -> PathBuf {
    std::env::var_os("HARDFILE_SHARED").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
        PathBuf::from,
    )
}

fn read_table(name: &str) -> String {
    let path = shared_dir().join("corpus/buildkit-shell").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// Prints the tally and fails with every failing row listed.
fn report(table: &str, checked: usize, failures: &[String]) {
    let passed = checked - failures.len();
    println!("{table}: {passed} of {checked} rows pass");
    assert!(
        failures.is_empty(),
        "{table}: {} of {checked} rows fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 0, "{table}: no rows checked");
}

/// `PLATFORM|input|expected`, with the environment and lexer of BuildKit's
/// `TestShellParser4EnvVars`; `W` (Windows-only) rows are skipped.
#[test]
fn env_var_table() {
    let text = read_table("envVarTest");
    let env = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ];
    let lexer = Lexer::new('\\');
    let mut checked = 0;
    let mut failures = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.trim().split('|').collect();
        let [platform, input, expected] = columns.as_slice() else {
            failures.push(format!("line {number}: not three columns: {line:?}"));
            continue;
        };
        match platform.trim() {
            "A" | "U" => {}
            "W" => continue,
            other => {
                failures.push(format!("line {number}: unknown platform {other:?}"));
                continue;
            }
        }
        let (input, expected) = (input.trim(), expected.trim());
        checked += 1;
        match (lexer.process_word(input, &env), expected) {
            (Err(_), "error") => {}
            (Ok(got), "error") => {
                failures.push(format!("line {number}: {input:?} should fail, got {got:?}"));
            }
            (Ok(got), _) if got == expected => {}
            (got, _) => failures.push(format!(
                "line {number}: {input:?} should give {expected:?}, got {got:?}"
            )),
        }
    }
    report("envVarTest", checked, &failures);
}

/// `input | word,word,...`, with `ENV name=value` lines adding variables for the rows below
/// (trailing blanks kept), as in BuildKit's `TestShellParser4Words`; a failure is the single
/// word `error`.
#[test]
fn words_table() {
    let text = read_table("wordsTest");
    let lexer = Lexer::new('\\');
    let mut env: Vec<(String, String)> = Vec::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.starts_with('#') {
            continue;
        }
        if let Some(assignment) = line.strip_prefix("ENV ") {
            let assignment = assignment.trim_start_matches(' ');
            let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            env.push((name.to_owned(), value.to_owned()));
            continue;
        }
        let Some((input, expected)) = line.split_once('|').filter(|(_, e)| !e.contains('|')) else {
            failures.push(format!("line {number}: not exactly one '|': {line:?}"));
            continue;
        };
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();
        checked += 1;
        let got = lexer
            .process_words(input, &env)
            .unwrap_or_else(|_| vec!["error".to_owned()]);
        if got != expected {
            failures.push(format!(
                "line {number}: {input:?} should give {expected:?}, got {got:?}"
            ));
        }
    }
    report("wordsTest", checked, &failures);
}
