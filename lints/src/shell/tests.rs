use proptest::prelude::*;

use super::*;

fn names(script: &Script) -> Vec<&str> {
    script
        .commands()
        .iter()
        .map(|command| command.name().unwrap_or("-"))
        .collect()
}

fn first<'a>(script: &'a Script, name: &str) -> &'a Command {
    script
        .commands()
        .iter()
        .find(|command| command.is(name))
        .unwrap_or_else(|| panic!("no {name} in {:?}", names(script)))
}

fn texts(words: &[&Word]) -> Vec<String> {
    words.iter().map(|word| word.text.clone()).collect()
}

/// Every span of `script` is in bounds and on char boundaries, and exact words round-trip.
fn check_spans(text: &str, script: &Script) {
    let ok = |span: Span| {
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{span:?} in {text:?}"
        );
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    };
    for command in script.commands() {
        ok(command.span);
        let words = command
            .program
            .iter()
            .chain(&command.args)
            .chain(
                command
                    .assignments
                    .iter()
                    .map(|assignment| &assignment.value),
            )
            .chain(command.wrappers.iter().map(|wrapper| &wrapper.word))
            .chain(command.wrappers.iter().flat_map(|wrapper| &wrapper.args))
            .chain(command.redirects.iter().filter_map(|r| r.target.as_ref()));
        for word in words {
            ok(word.span);
            if !command.approximate {
                assert_eq!(
                    &text[word.span.start..word.span.end],
                    word.raw,
                    "in {text:?}"
                );
            }
        }
        for redirect in &command.redirects {
            ok(redirect.span);
            redirect.heredoc_body.into_iter().for_each(ok);
        }
        for assignment in &command.assignments {
            ok(assignment.span);
        }
    }
    for pipeline in script.pipelines() {
        ok(pipeline.span);
        pipeline.stages.iter().for_each(|stage| ok(stage.span));
    }
    for statement in script.statements() {
        ok(statement.span);
        statement
            .separator
            .iter()
            .for_each(|separator| ok(separator.span));
    }
    script.errors().iter().for_each(|error| ok(error.span));
}

fn parse(text: &str) -> Script {
    let script = Script::parse(text);
    check_spans(text, &script);
    script
}

#[test]
fn and_or_lists_in_order() {
    let script = parse("apt-get update && apt-get install -y curl || echo failed; rm -rf /x");
    assert_eq!(names(&script), ["apt-get", "apt-get", "echo", "rm"]);
    assert!(!script.has_errors());
    assert!(script.uses_program("rm"));
    assert!(!script.uses_program("curl"));
}

#[test]
fn combined_short_flags() {
    let script = parse("apt-get -qy install x && curl -fsSL https://e.org -o f");
    let apt = first(&script, "apt-get");
    assert!(apt.has_flag("-y") && apt.has_flag("-q"));
    assert!(!apt.has_flag("-s"));
    let curl = first(&script, "curl");
    assert!(curl.has_flag("-s") && curl.has_flag("-S") && curl.has_flag("-L"));
    assert!(!curl.has_flag("-k"));
    assert_eq!(
        curl.flag_value("-o").map(|word| word.text),
        Some("f".to_owned())
    );
}

#[test]
fn long_flags_and_values() {
    let script = parse(
        "apt-get install --no-install-recommends=true -o APT::Install-Suggests=0 x; \
         pip install --index-url=https://i.example --no-cache-dir -r req.txt",
    );
    let apt = first(&script, "apt-get");
    assert!(apt.has_flag("--no-install-recommends"));
    assert!(!apt.has_flag("--no-install"));
    assert_eq!(
        apt.flag_value("-o").map(|word| word.text),
        Some("APT::Install-Suggests=0".to_owned())
    );
    assert_eq!(texts(&apt.positional_args()), ["install", "x"]);
    let pip = first(&script, "pip");
    let url = pip.flag_value("--index-url").expect("value");
    assert_eq!(url.text, "https://i.example");
    assert_eq!(&script_text_of(&pip.args[1], &url), "https://i.example");
    assert!(pip.has_flag("--no-cache-dir"));
    assert_eq!(
        pip.flag_value("-r").map(|word| word.text),
        Some("req.txt".to_owned())
    );
    assert_eq!(texts(&pip.positional_args()), ["install"]);
}

fn script_text_of(whole: &Word, part: &Word) -> String {
    let offset = part.span.start - whole.span.start;
    whole.raw[offset..offset + part.span.len()].to_owned()
}

#[test]
fn attached_short_value_is_not_searched() {
    let script = parse("apt-get -oAPT::Get::Assume-Yes=true install x");
    let apt = first(&script, "apt-get");
    assert!(!apt.has_flag("-y"));
    assert!(!apt.has_flag("-A"));
    assert_eq!(
        apt.subcommand().map(|word| word.text.as_str()),
        Some("install")
    );
}

#[test]
fn flags_after_double_dash_are_operands() {
    let script = parse("rm -f -- -y --force");
    let rm = first(&script, "rm");
    assert!(rm.has_flag("-f"));
    assert!(!rm.has_flag("-y") && !rm.has_flag("--force"));
    assert_eq!(texts(&rm.positional_args()), ["-y", "--force"]);
}

#[test]
fn single_dash_long_options() {
    let script = parse("find / -perm -4000 -name 'x y' -exec chmod u-s {} +");
    let find = first(&script, "find");
    assert!(find.has_flag("-name"));
    assert_eq!(
        find.flag_value("-name").map(|word| word.text),
        Some("x y".to_owned())
    );
    assert!(!find.has_flag("-delete"));
}

#[test]
fn subcommand_skips_value_options() {
    let script = parse("apk --no-cache --virtual .deps add gcc && yum -c /etc/y.conf install z");
    let apk = first(&script, "apk");
    assert_eq!(apk.subcommand().map(|word| word.text.as_str()), Some("add"));
    assert!(apk.is_subcommand(&["add"]));
    assert_eq!(texts(&apk.positional_args()), ["add", "gcc"]);
    let yum = first(&script, "yum");
    assert_eq!(
        yum.subcommand().map(|word| word.text.as_str()),
        Some("install")
    );
}

#[test]
fn quoted_and_dynamic_words() {
    let script = parse(r#"echo "a b" 'c d' e\ f "$HOME/x" pre$(date)post "q\"x" $'t\tu'"#);
    let echo = first(&script, "echo");
    let values: Vec<(&str, bool)> = echo
        .args
        .iter()
        .map(|word| (word.text.as_str(), word.is_static))
        .collect();
    assert_eq!(
        values,
        [
            ("a b", true),
            ("c d", true),
            ("e f", true),
            ("$HOME/x", false),
            ("pre$(date)post", false),
            ("q\"x", true),
            ("t\tu", true),
        ]
    );
    assert_eq!(names(&script), ["echo", "date"]);
    assert_eq!(script.commands()[1].origin, Origin::Substitution);
}

#[test]
fn quoted_flag_is_still_a_flag() {
    let script = parse("apt-get install \"-y\" x");
    assert!(first(&script, "apt-get").has_flag("-y"));
}

#[test]
fn program_path_is_normalised() {
    let script = parse("/usr/bin/apt-get update; ./configure; \"$CC\" -v");
    assert_eq!(names(&script), ["apt-get", "configure", "-"]);
    assert_eq!(
        script.commands()[0]
            .program
            .as_ref()
            .map(|w| w.raw.as_str()),
        Some("/usr/bin/apt-get")
    );
}

#[test]
fn pipelines_and_stages() {
    let script =
        parse("curl -fsSL https://get.example | sudo bash -s -- --x && wget -qO- u | tar xz");
    assert_eq!(script.pipelines().len(), 2);
    let pipeline = &script.pipelines()[0];
    let heads: Vec<Option<&str>> = script
        .stage_heads(pipeline)
        .into_iter()
        .map(|command| command.and_then(Command::name))
        .collect();
    assert_eq!(heads, [Some("curl"), Some("bash")]);
    assert!(!pipeline.pipefail);
    let bash = first(&script, "bash");
    assert!(bash.is_wrapped_by("sudo"));
    assert_eq!(
        bash.pipeline,
        Some(PipelinePosition {
            pipeline: PipelineId(0),
            stage: 1
        })
    );
    assert_eq!(
        first(&script, "tar").pipeline.map(|p| p.pipeline),
        Some(PipelineId(1))
    );
    assert_eq!(
        first(&script, "wget").flag_value("-O").map(|w| w.text),
        Some("-".to_owned())
    );
}

#[test]
fn three_stage_pipeline_and_pipe_stderr() {
    let script = parse("a | b |& c");
    assert_eq!(script.pipelines().len(), 1);
    assert_eq!(script.pipelines()[0].stages.len(), 3);
}

#[test]
fn pipefail_tracking() {
    let script = parse("a | b; set -euxo pipefail; c | d; set +o pipefail; e | f");
    let states: Vec<bool> = script.pipelines().iter().map(|p| p.pipefail).collect();
    assert_eq!(states, [false, true, false]);
    let script = parse("set -e -o pipefail && curl x | sh");
    assert!(script.pipelines()[0].pipefail);
    let script = parse("set -o errexit; curl x | sh");
    assert!(!script.pipelines()[0].pipefail);
    let script = Script::parse_with("curl x | sh", ParseOptions { pipefail: true });
    assert!(script.pipelines()[0].pipefail);
}

#[test]
fn pipefail_in_shell_string_starts_off() {
    let script = parse("set -o pipefail; sh -c 'a | b'; bash -o pipefail -c 'c | d'; e | f");
    let states: Vec<bool> = script.pipelines().iter().map(|p| p.pipefail).collect();
    assert_eq!(states, [false, true, true]);
}

#[test]
fn negation() {
    let script = parse("! grep -q x f && ! a | b");
    assert!(first(&script, "grep").negated);
    assert!(first(&script, "a").negated && first(&script, "b").negated);
}

#[test]
fn sudo_env_and_friends_are_unwrapped() {
    let script = parse(
        "sudo -u app -E apt-get install x; env -i PATH=/bin FOO=1 pip install y; \
         command -v git; exec nice -n 5 nohup timeout -s KILL 10s gosu app make; \
         xargs -0 -n1 chmod u+s; sudo -l; busybox wget u",
    );
    assert_eq!(
        names(&script),
        ["apt-get", "pip", "command", "make", "chmod", "sudo", "wget"]
    );
    let apt = first(&script, "apt-get");
    assert_eq!(apt.wrappers.len(), 1);
    assert_eq!(
        texts(&apt.wrappers[0].args.iter().collect::<Vec<_>>()),
        ["-u", "app", "-E"]
    );
    assert_eq!(
        apt.subcommand().map(|word| word.text.as_str()),
        Some("install")
    );
    let pip = first(&script, "pip");
    let assigned: Vec<(&str, &str)> = pip
        .assignments
        .iter()
        .map(|a| (a.name.as_str(), a.value.text.as_str()))
        .collect();
    assert_eq!(assigned, [("PATH", "/bin"), ("FOO", "1")]);
    let make = first(&script, "make");
    let wrappers: Vec<&str> = make.wrappers.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(wrappers, ["exec", "nice", "nohup", "timeout", "gosu"]);
    assert!(first(&script, "chmod").is_wrapped_by("xargs"));
    assert!(script.uses_program("sudo") && script.uses_program("xargs"));
    assert!(script.uses_program("chmod"));
}

#[test]
fn assignments_and_declarations() {
    let script = parse(
        "DEBIAN_FRONTEND=noninteractive apt-get install -y x; X=1; export A=\"b c\" B; unset Y",
    );
    let apt = first(&script, "apt-get");
    assert_eq!(apt.assignments[0].name, "DEBIAN_FRONTEND");
    assert_eq!(apt.assignments[0].value.text, "noninteractive");
    let bare = &script.commands()[1];
    assert!(bare.program.is_none());
    assert_eq!(bare.assignments[0].name, "X");
    let export = first(&script, "export");
    assert_eq!(export.assignments[0].value.text, "b c");
    assert_eq!(
        texts(&export.args.iter().collect::<Vec<_>>()),
        ["A=b c", "B"]
    );
    assert!(script.uses_program("unset"));
}

#[test]
fn redirects() {
    let script = parse(
        "apt-get update >/dev/null 2>&1 && a && b 2>/dev/null; { c; d; } > log; cat <<'EOF' > /etc/x\nbody $(not a command)\nEOF\n",
    );
    let apt = first(&script, "apt-get");
    let ops: Vec<(Option<&str>, &str, &str)> = apt
        .redirects
        .iter()
        .map(|r| {
            (
                r.fd.as_deref(),
                r.op.as_str(),
                r.target.as_ref().map_or("", |t| t.text.as_str()),
            )
        })
        .collect();
    assert_eq!(ops, [(None, ">", "/dev/null"), (Some("2"), ">&", "1")]);
    assert!(first(&script, "a").redirects.is_empty());
    assert_eq!(first(&script, "b").redirects.len(), 1);
    assert_eq!(first(&script, "c").redirects.len(), 1);
    assert_eq!(first(&script, "d").redirects.len(), 1);
    let cat = first(&script, "cat");
    let heredoc = cat
        .redirects
        .iter()
        .find(|r| r.op == "<<")
        .expect("heredoc");
    assert_eq!(
        heredoc.target.as_ref().map(|t| t.text.as_str()),
        Some("EOF")
    );
    assert!(heredoc.heredoc_body.is_some());
    assert!(cat.redirects.iter().any(|r| r.op == ">"));
}

/// The shell redirects to or from one word; the words after it are still arguments (both
/// parsers: tree-sitter-bash reads them as further destinations).
#[test]
fn words_after_a_redirect_target_are_arguments() {
    let text = "xargs -rt < deps.txt apt-get install -y curl && echo a > log b";
    let fast = super::fast::parse(text, ParseOptions::default()).expect("fast path");
    let slow = super::build::tree_sitter(text, ParseOptions::default());
    assert_eq!(fast, slow);
    check_spans(text, &fast);
    let install = first(&fast, "apt-get");
    assert!(install.is_wrapped_by("xargs"));
    assert!(install.is_subcommand(&["install"]));
    assert!(install.has_flag("-y"));
    let input = &install.redirects[0];
    assert_eq!(
        input.target.as_ref().map(|t| t.text.as_str()),
        Some("deps.txt")
    );
    assert_eq!(&text[input.span.start..input.span.end], "< deps.txt");
    let echo = first(&fast, "echo");
    assert_eq!(
        echo.args
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[test]
fn compound_commands_and_substitutions() {
    let text = "if [ -x \"$(command -v a)\" ]; then b; elif c; then d; else e; fi\n\
                for i in $(seq 3); do f \"$i\"; done\n\
                while read -r l; do g; done < list\n\
                case \"$x\" in a|b) h ;; *) k `uname -m` ;; esac\n\
                fn() { m; }\n\
                (cd /x && n)\n\
                X=$(o) p <(q)";
    let script = parse(text);
    assert!(!script.has_errors(), "{:?}", script.errors());
    assert_eq!(
        names(&script),
        [
            "command", "b", "c", "d", "e", "seq", "f", "read", "g", "h", "k", "uname", "m", "cd",
            "n", "p", "o", "q"
        ]
    );
}

#[test]
fn multi_line_script_with_comments() {
    let text = "#!/bin/sh\nset -e\n# install\napt-get update # refresh\napt-get install -y x\n\nrm -rf /var/lib/apt/lists/*\n";
    let script = parse(text);
    assert!(!script.has_errors());
    assert_eq!(names(&script), ["set", "apt-get", "apt-get", "rm"]);
    let rm = first(&script, "rm");
    assert_eq!(rm.args[1].text, "/var/lib/apt/lists/*");
    assert!(rm.args[1].is_static);
    let kinds: Vec<Option<SeparatorKind>> = script
        .statements()
        .iter()
        .map(|s| s.separator.map(|sep| sep.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(SeparatorKind::Newline),
            Some(SeparatorKind::Newline),
            Some(SeparatorKind::Newline),
            None
        ]
    );
}

#[test]
fn statements_and_separators() {
    let text = "apt-get update && apt-get install -y x; rm -rf y || true & z";
    let script = parse(text);
    let parts: Vec<(&str, Option<(SeparatorKind, &str)>)> = script
        .statements()
        .iter()
        .map(|s| {
            (
                &text[s.span.start..s.span.end],
                s.separator
                    .map(|sep| (sep.kind, &text[sep.span.start..sep.span.end])),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("apt-get update", Some((SeparatorKind::And, "&&"))),
            (
                "apt-get install -y x",
                Some((SeparatorKind::Semicolon, ";"))
            ),
            ("rm -rf y", Some((SeparatorKind::Or, "||"))),
            ("true", Some((SeparatorKind::Background, "&"))),
            ("z", None),
        ]
    );
    let statements: Vec<Option<usize>> = script.commands().iter().map(|c| c.statement).collect();
    assert_eq!(statements, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    assert_eq!(script.statement_commands(1).count(), 1);
}

#[test]
fn trailing_redirect_of_a_list_joins_the_last_statement() {
    let text = "a && b 2>/dev/null; c";
    let script = parse(text);
    let spans: Vec<&str> = script
        .statements()
        .iter()
        .map(|s| &text[s.span.start..s.span.end])
        .collect();
    assert_eq!(spans, ["a", "b 2>/dev/null", "c"]);
}

#[test]
fn shell_c_string_is_parsed_with_exact_spans() {
    let text = "sh -c 'apt-get update && apt-get install -y x' && bash -ec \"curl -s u | sh\"";
    let script = parse(text);
    assert_eq!(
        names(&script),
        ["sh", "apt-get", "apt-get", "bash", "curl", "sh"]
    );
    let inner = &script.commands()[2];
    assert_eq!(inner.origin, Origin::ShellString);
    assert!(!inner.approximate);
    assert_eq!(
        &text[inner.span.start..inner.span.end],
        "apt-get install -y x"
    );
    assert!(inner.has_flag("-y"));
    assert_eq!(script.pipelines().len(), 1);
    assert_eq!(script.commands()[1].statement, Some(0));
}

#[test]
fn shell_c_string_with_escapes_is_approximate() {
    let text = r#"su - && bash -c "apt-get install \"$PKG\" -y""#;
    let script = parse(text);
    let apt = first(&script, "apt-get");
    assert!(apt.approximate);
    assert!(apt.has_flag("-y"));
    let outer = script.commands_named("bash").next().expect("bash");
    assert_eq!(apt.span, outer.args[1].span);
}

#[test]
fn nested_shell_strings() {
    let script = parse(r#"sh -c 'bash -c "echo hi && sudo rm -rf /"'"#);
    assert_eq!(names(&script), ["sh", "bash", "echo", "rm"]);
    assert!(first(&script, "rm").is_wrapped_by("sudo"));
    assert!(!first(&script, "rm").approximate);
}

#[test]
fn shell_fed_a_heredoc() {
    let text = "bash <<EOF\napt-get install -y x\nEOF\n";
    let script = parse(text);
    assert_eq!(names(&script), ["bash", "apt-get"]);
    let apt = first(&script, "apt-get");
    assert_eq!(&text[apt.span.start..apt.span.end], "apt-get install -y x");
}

#[test]
fn heredoc_followed_by_pipe() {
    let script = parse("cat <<EOF | sh && echo done\nx\nEOF\n");
    assert_eq!(names(&script), ["cat", "sh", "echo"]);
    let pipeline = &script.pipelines()[0];
    let heads: Vec<Option<&str>> = script
        .stage_heads(pipeline)
        .into_iter()
        .map(|c| c.and_then(Command::name))
        .collect();
    assert_eq!(heads, [Some("cat"), Some("sh")]);
    assert!(first(&script, "echo").pipeline.is_none());
}

#[test]
fn unterminated_quote_keeps_earlier_commands() {
    let script = parse("apt-get update && apt-get install -y x && echo \"unterminated");
    assert!(script.has_errors());
    assert_eq!(names(&script), ["apt-get", "apt-get", "echo"]);
    assert!(script.errors()[0].message.contains("missing"));
    let script = parse("apt-get update && (cd x && make; curl x | sh");
    assert!(script.has_errors());
    assert!(script.uses_program("make") && script.pipelines().len() == 1);
    let script = parse("a && b ||");
    assert_eq!(names(&script), ["a", "b"]);
    assert!(script.has_errors());
}

#[test]
fn garbage_in_the_middle() {
    let script = parse("apt-get update; if then fi ); rm -rf /tmp/x");
    assert!(script.has_errors());
    assert!(script.uses_program("apt-get"));
}

#[test]
fn non_ascii_spans() {
    let text = "echo 'ä ü' && X=é apt-get install -y 日本 # ß\nprintf '%s' \"ñ$x\"";
    let script = parse(text);
    assert_eq!(names(&script), ["echo", "apt-get", "printf"]);
    let apt = first(&script, "apt-get");
    assert_eq!(apt.args.last().map(|w| w.text.as_str()), Some("日本"));
}

#[test]
fn empty_and_whitespace() {
    for text in ["", "   ", "\n\n", "# only a comment", ";", "&&"] {
        let script = parse(text);
        assert!(
            script.commands().is_empty() || text == ";" || text == "&&",
            "{text:?}"
        );
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let text = format!("{}a{}", "(".repeat(3000), ")".repeat(3000));
    let script = parse(&text);
    assert!(script.commands().len() <= 1);
    let text = "$(".repeat(2000);
    parse(&text);
    let text = "sh -c ".repeat(200) + "x";
    parse(&text);
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        parse(&text);
    }

    #[test]
    fn shell_like_text_never_panics(text in "[a-z \"'\\\\$(){}|&;<>`\n\u{e4}\u{65e5}=-]{0,120}") {
        parse(&text);
    }
}

/// The scripts the rules parse in the public corpus (read in place from `../shared`): what
/// `rules::run_scripts` hands the shell parser for every RUN (and ONBUILD RUN).
fn corpus_scripts() -> Vec<(String, String)> {
    use crate::rules::{Context, InstructionRef, run_scripts::run_scripts};
    let shared = std::env::var_os("HARDFILE_SHARED").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        std::path::PathBuf::from,
    );
    let config = crate::config::Config::default();
    let mut out = Vec::new();
    let mut stack = vec![shared.join("corpus/public")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(source) = std::fs::read_to_string(&path) else {
                continue;
            };
            let file = crate::syntax::parse(&source);
            let model = crate::model::Model::build(&file, &config.build_args, None);
            let cx = Context::new(&file, &model, &config, None);
            for (index, instruction) in file.instructions.iter().enumerate() {
                let at = InstructionRef {
                    index,
                    instruction,
                    onbuild: false,
                    stage: model.stage_of(index),
                };
                for run in run_scripts(&cx, &at) {
                    out.push((format!("{}#{index}", path.display()), run.text.clone()));
                }
            }
        }
    }
    out
}

/// Wherever the hand-written parser accepts a script, its model is exactly tree-sitter's;
/// and it accepts most of the corpus (that is where `hardfile lint`'s speed comes from).
#[test]
fn fast_parser_agrees_with_tree_sitter_on_the_corpus() {
    let scripts = corpus_scripts();
    assert!(
        scripts.len() > 900,
        "corpus not found ({} scripts)",
        scripts.len()
    );
    let mut accepted = 0;
    let mut accepted_bytes = 0;
    let mut mismatches = Vec::new();
    let mut split_by_tree_sitter = 0;
    for (name, text) in &scripts {
        for options in [ParseOptions::default(), ParseOptions { pipefail: true }] {
            let Some(fast) = super::fast::parse(text, options) else {
                continue;
            };
            let slow = super::build::tree_sitter(text, options);
            if splits_words(&slow) {
                // tree-sitter-bash cuts `a-$X-$Y` into several words at `-$` (a grammar
                // bug); the hand-written parser reads one word, as the shell does.
                split_by_tree_sitter += 1;
            } else if fast != slow {
                mismatches.push(describe_mismatch(name, text, &fast, &slow));
            }
            if !options.pipefail {
                accepted += 1;
                accepted_bytes += text.len();
            }
        }
    }
    let total_bytes: usize = scripts.iter().map(|(_, t)| t.len()).sum();
    eprintln!(
        "fast parser: {accepted}/{} scripts, {accepted_bytes}/{total_bytes} bytes; {} mismatches; \
         {split_by_tree_sitter} not compared (tree-sitter split a word)",
        scripts.len(),
        mismatches.len()
    );
    assert!(
        split_by_tree_sitter <= 20,
        "{split_by_tree_sitter} scripts not compared"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        accepted * 10 >= scripts.len() * 8,
        "the fast parser accepts only {accepted} of {} scripts",
        scripts.len()
    );
}

/// The first difference between two models, briefly.
fn describe_mismatch(name: &str, text: &str, fast: &Script, slow: &Script) -> String {
    let short: String = text.chars().take(160).collect();
    let what = if fast.commands.len() != slow.commands.len() {
        format!(
            "commands: fast {:?} vs tree-sitter {:?}",
            names(fast),
            names(slow)
        )
    } else if let Some((a, b)) = fast
        .commands
        .iter()
        .zip(&slow.commands)
        .find(|(a, b)| a != b)
    {
        format!("command differs:\n  fast {a:?}\n  tree {b:?}")
    } else if fast.pipelines != slow.pipelines {
        format!(
            "pipelines:\n  fast {:?}\n  tree {:?}",
            fast.pipelines, slow.pipelines
        )
    } else {
        format!(
            "statements:\n  fast {:?}\n  tree {:?}",
            fast.statements, slow.statements
        )
    };
    format!("--- {name}: {short:?}\n{what}")
}

/// Whether some command has two words with nothing between them (tree-sitter-bash splitting
/// one word).
fn splits_words(script: &Script) -> bool {
    script.commands().iter().any(|command| {
        let words: Vec<&Word> = command.program.iter().chain(&command.args).collect();
        words
            .windows(2)
            .any(|pair| pair[0].span.end == pair[1].span.start)
    })
}
