//! `hardfile lint`: formats, exit codes, selection, discovery, errors.

mod common;

use common::{CLEAN_DOCKERFILE, ROOT_DOCKERFILE, json, project, run, run_stdin};

#[test]
fn human_output_has_snippet_code_help_and_summary() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = run(dir.path(), &["lint"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("HF101 root-user"), "{}", out.stdout);
    assert!(out.stdout.contains("[Dockerfile:5:1]"), "{}", out.stdout);
    assert!(out.stdout.contains("5 │ USER root"), "{}", out.stdout);
    assert!(out.stdout.contains("fix: "), "{}", out.stdout);
    assert!(
        out.stdout.contains("hardfile fix --unsafe-fixes"),
        "{}",
        out.stdout
    );
    let summary = out.stdout.lines().last().expect("summary");
    assert!(
        summary.starts_with("Found ") && summary.contains("error"),
        "{summary}"
    );
    assert!(
        !out.stdout.contains('\u{1b}'),
        "no colour when not a terminal"
    );
}

#[test]
fn clean_file_exits_zero() {
    let dir = project(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let out = run(dir.path(), &["lint", "--select", "HF101,HF805"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout.trim(), "No findings in 1 file.");
}

#[test]
fn fail_on_threshold_and_dev_profile() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    // Only the warning rule selected: default threshold (error) passes, warning fails.
    assert_eq!(run(dir.path(), &["lint", "--select", "HF805"]).code, 0);
    assert_eq!(
        run(
            dir.path(),
            &["lint", "--select", "HF805", "--fail-on", "warning"]
        )
        .code,
        1
    );
    // dev caps rule severities at warning: never fails on rules.
    assert_eq!(run(dir.path(), &["lint", "--profile", "dev"]).code, 0);
    assert_eq!(run(dir.path(), &["lint", "--exit-zero"]).code, 0);
    // A severity override makes a warning rule fail.
    assert_eq!(
        run(
            dir.path(),
            &["lint", "--select", "HF805", "--severity", "HF805=error"]
        )
        .code,
        1
    );
}

#[test]
fn json_has_the_documented_fields() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = run(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    assert_eq!(doc["schema"], "hardfile-lint/1");
    assert_eq!(doc["cis_version"], "1.6.0");
    let diagnostics = doc["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    let root = diagnostics
        .iter()
        .find(|d| d["code"] == "HF101")
        .expect("HF101 reported");
    assert_eq!(root["file"], "Dockerfile");
    assert_eq!(root["name"], "root-user");
    assert_eq!(root["severity"], "error");
    assert_eq!(root["range"]["start"]["line"], 5);
    assert_eq!(root["range"]["start"]["column"], 1);
    assert_eq!(root["range"]["end"]["line"], 5);
    let start = root["range"]["start"]["offset"].as_u64().expect("offset") as usize;
    let end = root["range"]["end"]["offset"].as_u64().expect("offset") as usize;
    assert!(ROOT_DOCKERFILE[start..end].starts_with("USER root"));
    assert_eq!(root["cis"], serde_json::json!(["4.1"]));
    assert!(
        root["peer_codes"]
            .as_array()
            .expect("peers")
            .contains(&"DL3002".into())
    );
    assert_eq!(root["fix"]["applicability"], "unsafe");
    assert!(
        root["fix"]["edits"][0]["replacement"]
            .as_str()
            .expect("text")
            .contains("USER 65532:65532")
    );
    assert!(root["url"].as_str().expect("url").ends_with("/rules/HF101"));
    assert!(doc["summary"]["errors"].as_u64().expect("count") >= 1);
}

#[test]
fn suppressed_findings_carry_their_reason() {
    let text = ROOT_DOCKERFILE.replace(
        "USER root",
        "# hardfile ignore=HF101 -- the entrypoint drops privileges\nUSER root",
    );
    let dir = project(&[("Dockerfile", &text)]);
    let out = run(
        dir.path(),
        &["lint", "--format", "json", "--select", "HF101"],
    );
    let doc = json(&out);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let suppressed = &doc["files"][0]["suppressed"][0];
    assert_eq!(suppressed["code"], "HF101");
    assert_eq!(suppressed["reason"], "the entrypoint drops privileges");
}

#[test]
fn github_annotations() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = run(
        dir.path(),
        &["lint", "--format", "github", "--select", "HF101"],
    );
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout.lines().next().expect("a line"),
        "::error file=Dockerfile,line=5,col=1,endLine=5,endColumn=10,title=HF101 root-user::The exported image runs as root (`USER root`)%0Afix: Add `USER 65532:65532` at the end of the stage"
    );
}

#[test]
fn selectors_accept_names_peer_codes_and_cis_items() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    for selector in [
        "HF101",
        "root-user",
        "DL3002",
        "CKV_DOCKER_8",
        "DS-0002",
        "cis:4.1",
    ] {
        let out = run(
            dir.path(),
            &["lint", "--format", "json", "--select", selector],
        );
        let doc = json(&out);
        let codes: Vec<&str> = doc["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&"HF101"), "{selector}: {codes:?}");
        assert!(!codes.contains(&"HF805"), "{selector}: {codes:?}");
    }
    let out = run(
        dir.path(),
        &["lint", "--format", "json", "--ignore", "DL3002"],
    );
    assert!(!out.stdout.contains("\"HF101\""));
    let out = run(dir.path(), &["lint", "--select", "NOPE123"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown rule selector"),
        "{}",
        out.stderr
    );
}

#[test]
fn configuration_file_env_and_flags_layer() {
    let dir = project(&[
        ("svc/Dockerfile", ROOT_DOCKERFILE),
        (".hardfile.toml", "ignore = [\"HF101\"]\n"),
    ]);
    let out = run(dir.path(), &["lint", "--format", "json", "svc"]);
    assert!(
        !out.stdout.contains("\"HF101\""),
        "file config ignores HF101"
    );
    let out = common::command(dir.path(), &["lint", "--format", "json", "svc"])
        .env("HARDFILE_IGNORE", "HF805")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"HF101\"") && !stdout.contains("\"HF805\""),
        "env beats file"
    );
    let out = common::command(
        dir.path(),
        &["lint", "--format", "json", "--profile", "dev", "svc"],
    )
    .env("HARDFILE_PROFILE", "prod")
    .output()
    .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["files"][0]["profile"], "dev", "flag beats env");
}

#[test]
fn directories_are_searched_for_dockerfile_names() {
    let dir = project(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("api/api.Dockerfile", ROOT_DOCKERFILE),
        ("web/Containerfile.prod", ROOT_DOCKERFILE),
        ("web/notes.txt", ROOT_DOCKERFILE),
        ("node_modules/pkg/Dockerfile", ROOT_DOCKERFILE),
        ("target/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let out = run(
        dir.path(),
        &["lint", "--format", "json", "--select", "HF101"],
    );
    let doc = json(&out);
    let files: Vec<&str> = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .map(|f| f.trim_start_matches("./"))
        .collect();
    assert_eq!(
        files,
        ["Dockerfile", "api/api.Dockerfile", "web/Containerfile.prod"]
    );
}

#[test]
fn stdin_with_a_filename() {
    let dir = project(&[]);
    let out = run_stdin(
        dir.path(),
        &[
            "lint",
            "--format",
            "github",
            "--select",
            "HF101",
            "--stdin-filename",
            "app/Dockerfile",
            "-",
        ],
        ROOT_DOCKERFILE,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("::error file=app/Dockerfile,line=5"),
        "{}",
        out.stdout
    );
}

#[test]
fn syntax_errors_are_located_findings() {
    let dir = project(&[(
        "Dockerfile",
        "FROM alpine:3.20\nFROBNICATE now\nUSER 1000\n",
    )]);
    let out = run(dir.path(), &["lint", "--format", "github"]);
    assert_eq!(out.code, 1, "a syntax error fails like an error finding");
    assert!(
        out.stdout.contains(
            "::error file=Dockerfile,line=2,col=1,endLine=2,endColumn=11,title=HF000 syntax-error::"
        ),
        "{}",
        out.stdout
    );
    let out = run(dir.path(), &["lint"]);
    assert!(
        out.stdout.contains("HF000 syntax-error") && out.stdout.contains("[Dockerfile:2:1]"),
        "{}",
        out.stdout
    );
    // Even the dev profile, which never fails on rules, fails on a file that does not parse.
    assert_eq!(run(dir.path(), &["lint", "--profile", "dev"]).code, 1);
}

#[test]
fn unreadable_and_missing_files_exit_two() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE), ("bin/Dockerfile", "")]);
    std::fs::write(dir.path().join("bin/Dockerfile"), [0xff, 0xfe, 0x00, 0x80]).expect("write");
    let out = run(dir.path(), &["lint", "bin/Dockerfile"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bin/Dockerfile"), "{}", out.stderr);
    let out = run(dir.path(), &["lint", "missing/Dockerfile"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing/Dockerfile"), "{}", out.stderr);
    // The readable file is still reported when another fails.
    let out = run(
        dir.path(),
        &["lint", "--format", "json", "Dockerfile", "bin/Dockerfile"],
    );
    assert_eq!(out.code, 2);
    let doc = json(&out);
    assert_eq!(doc["files"].as_array().expect("files").len(), 1);
    assert_eq!(doc["errors"][0]["file"], "bin/Dockerfile");
    assert_eq!(run(dir.path(), &["lint", "--format", "yaml"]).code, 2);
    assert_eq!(run(dir.path(), &["lint", "--profile", "lax"]).code, 2);
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "\u{feff}",
        "FROM",
        "FROM alpine\nRUN <<EOF\n",
        "FROM a\r\nUSER root\r\n",
        "# escape=`\nFROM a\nRUN echo `\n",
        "FROM a\nUSER root\n\u{1F600}\u{0301}",
        "\\\n\\\n\\",
        "ONBUILD ONBUILD USER root\n",
    ];
    let dir = project(&[]);
    for input in inputs {
        for format in ["human", "json", "sarif", "github"] {
            let out = run_stdin(dir.path(), &["lint", "--format", format, "-"], input);
            assert!(
                out.code == 0 || out.code == 1,
                "{input:?} {format}: {}",
                out.stderr
            );
            assert!(
                !out.stderr.contains("panicked"),
                "{input:?}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn base_config_tells_what_the_base_image_runs_as() {
    let dir = project(&[
        ("Dockerfile", "FROM alpine:3.20\nCOPY app /app\n"),
        ("image.json", r#"[{"Config":{"User":"65532"}}]"#),
    ]);
    let codes = |args: &[&str]| {
        let out = run(
            dir.path(),
            &[
                &["lint", "--format", "json", "--select", "cis:4.1"][..],
                args,
            ]
            .concat(),
        );
        json(&out)["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect::<Vec<_>>()
    };
    assert!(
        codes(&[]).contains(&"HF102".to_string()),
        "unknown base user is reported"
    );
    assert!(codes(&["--base-config", "user=nonroot"]).is_empty());
    assert!(codes(&["--base-config", "image.json"]).is_empty());
    assert!(codes(&["--base-config", "user=root"]).contains(&"HF101".to_string()));
    assert_eq!(
        run(dir.path(), &["lint", "--base-config", "missing.json"]).code,
        2
    );
}
