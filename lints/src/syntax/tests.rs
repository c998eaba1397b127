//! Parser behaviour the BuildKit conformance cases do not cover: heredocs, ranges, recovery.

use super::*;

fn only(text: &str) -> Instruction {
    let file = parse(text);
    assert!(!file.has_errors(), "{:?}", file.diagnostics);
    file.instructions
        .into_iter()
        .last()
        .unwrap_or_else(|| unreachable!())
}

fn roundtrip(text: &str) {
    let file = parse(text);
    let tokens = tokens(&file).expect("consistent ranges");
    let rebuilt: String = tokens
        .iter()
        .map(|t| &text[t.span.start..t.span.end])
        .collect();
    assert_eq!(rebuilt, text);
}

#[test]
fn heredoc_basic_and_ranges() {
    let text = "FROM a\nRUN <<EOF\necho hi\necho $HOME\nEOF\nRUN true\n";
    let file = parse(text);
    assert!(!file.has_errors());
    let run = &file.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    let h = &run.heredocs[0];
    assert_eq!(h.name, "EOF");
    assert!(h.expand && !h.chomp);
    assert_eq!(h.content, "echo hi\necho $HOME\n");
    assert_eq!(h.body.text(text), Some("echo hi\necho $HOME\n"));
    assert_eq!(h.terminator.and_then(|t| t.text(text)), Some("EOF"));
    assert_eq!(
        run.span.text(text),
        Some("RUN <<EOF\necho hi\necho $HOME\nEOF")
    );
    assert_eq!(file.instructions[2].keyword, Keyword::Run);
    roundtrip(text);
}

#[test]
fn heredoc_chomp_quoted_and_several() {
    let text = "FROM a\nCOPY <<-\"A\" <<'B' /dst/\n\tone\n\tA\ntwo\nB\n";
    let file = parse(text);
    assert!(!file.has_errors(), "{:?}", file.diagnostics);
    let copy = &file.instructions[1];
    let names: Vec<_> = copy
        .heredocs
        .iter()
        .map(|h| (h.name.as_str(), h.expand, h.chomp))
        .collect();
    assert_eq!(names, vec![("A", false, true), ("B", false, false)]);
    assert_eq!(copy.heredocs[0].content, "\tone\n");
    assert_eq!(copy.heredocs[1].content, "two\n");
    roundtrip(text);
}

#[test]
fn heredoc_not_in_exec_form_or_other_instructions() {
    let file = parse("FROM a\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nCMD cat <<EOF\n");
    assert!(file.instructions.iter().all(|i| i.heredocs.is_empty()));
    assert_eq!(file.instructions.len(), 3);
}

#[test]
fn heredoc_in_onbuild_and_unterminated() {
    let file = parse("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n");
    let inner = file.instructions[1].onbuild_inner().expect("inner");
    assert_eq!(inner.heredocs.len(), 1);
    let file = parse("FROM a\nRUN <<EOF\nnever ends\n");
    assert!(
        file.diagnostics
            .iter()
            .any(|d| d.message == "unterminated heredoc")
    );
    assert_eq!(file.instructions.len(), 2);
}

#[test]
fn crlf_bom_and_continuations_with_comments() {
    let text = "\u{feff}FROM a\r\nRUN apt-get update && \\\r\n# a comment\r\n\r\n    apt-get install -y x\r\n";
    let file = parse(text);
    assert!(file.bom);
    assert_eq!(file.instructions.len(), 2);
    let run = &file.instructions[1];
    assert_eq!(
        run.arg_values(),
        vec!["apt-get update &&     apt-get install -y x"]
    );
    assert_eq!(file.comments.len(), 1);
    assert!(
        file.diagnostics
            .iter()
            .any(|d| d.severity == SyntaxSeverity::Warning)
    );
    assert_eq!(file.instructions[0].keyword_span.text(text), Some("FROM"));
    roundtrip(text);
}

#[test]
fn escape_directive_backtick() {
    let text = "# escape=`\nFROM windows\nRUN dir c:\\ `\n  /s\n";
    let file = parse(text);
    assert_eq!(file.escape, '`');
    assert_eq!(file.directives[0].name, "escape");
    assert_eq!(file.instructions[1].arg_values(), vec!["dir c:\\   /s"]);
    roundtrip(text);
}

#[test]
fn directives_stop_at_first_other_line() {
    let file = parse(
        "# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\n\n# escape=`\nFROM a\n",
    );
    let names: Vec<_> = file.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["syntax", "check"]);
    assert_eq!(file.escape, '\\');
    let file = parse("# escape=\\\n# escape=`\nFROM a\n");
    assert!(file.has_errors());
}

#[test]
fn flags_and_json_ranges() {
    let text = "FROM a\nCOPY --from=build --chown=1:1 [\"a b\", \"/c\"]\nRUN --mount=type=cache,target=/x --mount=type=secret,id=s make\n";
    let file = parse(text);
    let copy = &file.instructions[1];
    assert_eq!(
        copy.flag("from").and_then(|f| f.value.as_deref()),
        Some("build")
    );
    assert_eq!(copy.flags[1].span.text(text), Some("--chown=1:1"));
    let Args::Exec { items, .. } = &copy.args else {
        panic!("exec form")
    };
    assert_eq!(items[0].value, "a b");
    assert_eq!(items[0].span.text(text), Some("\"a b\""));
    let run = &file.instructions[2];
    assert_eq!(run.flags_named("mount").count(), 2);
    assert_eq!(run.arg_values(), vec!["make"]);
    roundtrip(text);
}

#[test]
fn env_label_pairs_ranges() {
    let text = "FROM a\nENV A=1 B=\"two words\" C\\ D=3\nLABEL old style value\n";
    let file = parse(text);
    let Args::Pairs(pairs) = &file.instructions[1].args else {
        panic!("pairs")
    };
    let got: Vec<_> = pairs
        .iter()
        .map(|p| {
            (
                p.key.span.text(text).unwrap_or(""),
                p.value.span.text(text).unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("A", "1"), ("B", "\"two words\""), ("C\\ D", "3")]
    );
    let Args::Pairs(pairs) = &file.instructions[2].args else {
        panic!("pairs")
    };
    assert!(!pairs[0].equals);
    assert_eq!(pairs[0].value.value, "style value");
}

#[test]
fn recovery_continues_after_bad_instruction() {
    let text = "FROM a\nENV ONLYNAME\nCMD [[\"x\"]]\nRUN echo ok\n";
    let file = parse(text);
    let errors: Vec<_> = file
        .diagnostics
        .iter()
        .map(|d| d.span.text(text).unwrap_or(""))
        .collect();
    assert_eq!(errors, vec!["ONLYNAME", "[[\"x\"]]"]);
    assert_eq!(file.instructions.len(), 4);
    assert_eq!(file.instructions[3].arg_values(), vec!["echo ok"]);
    roundtrip(text);
}

#[test]
fn keyword_case_onbuild_maintainer_unknown() {
    let text = "from a\nonbuild copy --from=x . /\nMAINTAINER me <me@x>\nFOO bar\n";
    let file = parse(text);
    assert_eq!(file.instructions[0].keyword, Keyword::From);
    let inner = file.instructions[1].onbuild_inner().expect("inner");
    assert_eq!(inner.keyword, Keyword::Copy);
    assert_eq!(inner.flags[0].span.text(text), Some("--from=x"));
    assert_eq!(file.instructions[2].keyword, Keyword::Maintainer);
    assert_eq!(file.instructions[3].keyword, Keyword::Unknown);
    assert_eq!(
        dump(&file),
        "(from \"a\")\n(onbuild (copy [\"--from=x\"] \".\" \"/\"))\n(maintainer \"me <me@x>\")\n(foo \"\")\n"
    );
    roundtrip(text);
}

#[test]
fn one_instruction_helpers() {
    let ins = only("FROM a\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"http://x/\"]\n");
    assert!(ins.is_exec_form());
    assert_eq!(ins.flags[0].name, "interval");
}

#[test]
fn tree_serializes_to_json() {
    let file = parse(
        "FROM a AS b\nENV K=v\nRUN <<EOF\nx\nEOF\nCMD [\"a\"]\nHEALTHCHECK CMD true\nONBUILD RUN y\n",
    );
    let json = serde_json::to_value(&file).expect("serializable");
    assert_eq!(json["instructions"][0]["args"]["form"], "words");
    assert_eq!(json["instructions"][0]["args"]["value"][2]["value"], "b");
    assert_eq!(json["instructions"][3]["args"]["form"], "exec");
    assert_eq!(json["instructions"][5]["args"]["value"]["keyword"], "RUN");
}
