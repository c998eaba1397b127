//! `hardfile rules`, `explain`, `report` and `audit`.

mod common;

use common::{ROOT_DOCKERFILE, json, project, run};

/// CIS Docker Benchmark section 4: every item must be supported by at least one rule.
const CIS_ITEMS: [&str; 12] = [
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12",
];

#[test]
fn rules_json_lists_every_rule_with_metadata() {
    let dir = project(&[]);
    let out = run(dir.path(), &["rules", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    let rules = doc["rules"].as_array().expect("rules");
    assert!(!rules.is_empty());
    let root = rules.iter().find(|r| r["code"] == "HF101").expect("HF101");
    assert_eq!(root["name"], "root-user");
    assert_eq!(root["default_severity"], "error");
    assert_eq!(root["fixable"], true);
    assert_eq!(root["status"], "stable");
    for version in ["1.6.0", "1.5.0", "1.4.0"] {
        assert_eq!(root["cis"][version], serde_json::json!(["4.1"]));
    }
    assert!(
        root["peer_codes"]["hadolint"]
            .as_array()
            .expect("peers")
            .contains(&"DL3002".into())
    );
}

#[test]
fn every_cis_section_4_item_is_covered() {
    let dir = project(&[]);
    for version in ["1.6.0", "1.5.0", "1.4.0"] {
        let out = run(
            dir.path(),
            &["rules", "--format", "json", "--cis-version", version],
        );
        let doc = json(&out);
        let coverage = &doc["cis_coverage"];
        let uncovered: Vec<&str> = CIS_ITEMS
            .iter()
            .copied()
            .filter(|item| coverage[item].as_array().is_none_or(Vec::is_empty))
            .collect();
        assert!(
            uncovered.is_empty(),
            "CIS v{version} items without a rule: {uncovered:?}"
        );
        assert_eq!(doc["cis_uncovered"], serde_json::json!([]));
    }
}

#[test]
fn rules_table_and_markdown() {
    let dir = project(&[]);
    let table = run(dir.path(), &["rules"]);
    assert_eq!(table.code, 0);
    assert!(table.stdout.starts_with("CODE "), "{}", table.stdout);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("HF101  root-user"))
    );
    let markdown = run(dir.path(), &["rules", "--format", "markdown"]);
    let committed =
        std::fs::read_to_string(common::repo().join("docs/rules/README.md")).expect("docs");
    assert!(
        markdown.stdout == committed,
        "docs/rules/README.md differs from `rules --format markdown`; run \
         `cargo run -p hardfile -- rules --write-docs docs/rules`"
    );
}

#[test]
fn explain_by_code_name_and_peer_code() {
    let dir = project(&[]);
    let by_code = run(dir.path(), &["explain", "HF101"]);
    assert_eq!(by_code.code, 0, "{}", by_code.stderr);
    assert!(
        by_code.stdout.starts_with("HF101 root-user\n"),
        "{}",
        by_code.stdout
    );
    assert!(by_code.stdout.contains("What it does"));
    assert!(
        by_code.stdout.contains("    USER 65532:65532"),
        "code blocks are indented"
    );
    assert!(!by_code.stdout.contains("```"));
    for alias in ["root-user", "dl3002", "CKV_DOCKER_8"] {
        let out = run(dir.path(), &["explain", alias]);
        assert_eq!(out.code, 0, "{alias}");
        assert!(
            out.stdout.contains("HF101 root-user"),
            "{alias}: {}",
            out.stdout
        );
    }
    let markdown = run(dir.path(), &["explain", "--format", "markdown", "HF101"]);
    let committed =
        std::fs::read_to_string(common::repo().join("docs/rules/HF101.md")).expect("docs");
    assert!(
        markdown.stdout == committed,
        "docs/rules/HF101.md differs from `explain --format markdown HF101`"
    );
    let unknown = run(dir.path(), &["explain", "HF999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown rule"));
}

#[test]
fn report_judges_each_cis_item() {
    let text = format!("{ROOT_DOCKERFILE}ADD app.txt /app/\n").replace(
        "HEALTHCHECK NONE",
        "# hardfile ignore=HF802 -- probes come from Kubernetes\nHEALTHCHECK NONE",
    );
    let dir = project(&[("Dockerfile", &text), ("app.txt", "x")]);
    let out = run(dir.path(), &["report", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    let items = doc["items"].as_array().expect("items");
    assert_eq!(items.len(), 12);
    let status = |id: &str| {
        items
            .iter()
            .find(|i| i["item"]["id"] == id)
            .map(|i| i["status"].as_str().expect("status").to_string())
            .expect("item")
    };
    assert_eq!(status("4.1"), "fail");
    assert_eq!(status("4.9"), "fail");
    assert_eq!(status("4.5"), "not-applicable");
    let healthcheck = items
        .iter()
        .find(|i| i["item"]["id"] == "4.6")
        .expect("4.6");
    // HEALTHCHECK NONE is waived; no other 4.6 rule fires (missing-healthcheck sees one).
    assert_eq!(healthcheck["status"], "waived", "{healthcheck}");
    assert_eq!(
        healthcheck["waivers"][0]["reason"],
        "probes come from Kubernetes"
    );
    let rules = items[0]["rules"].as_array().expect("rules");
    assert!(
        rules
            .iter()
            .any(|r| r["code"] == "HF101" && r["findings"] == 1)
    );

    let markdown = run(dir.path(), &["report"]);
    assert!(
        markdown
            .stdout
            .contains("| 4.1 | Ensure that a user for the container has been created | **fail** |"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown
            .stdout
            .contains("waived: HF802 line 5: probes come from Kubernetes"),
        "{}",
        markdown.stdout
    );
    let html = run(dir.path(), &["report", "--format", "html", "Dockerfile"]);
    assert!(html.stdout.starts_with("<!DOCTYPE html>") && html.stdout.contains("class=\"fail\""));
}

#[test]
fn audit_counts_failing_files_per_item() {
    let dir = project(&[
        ("a/Dockerfile", ROOT_DOCKERFILE),
        ("b/Dockerfile", ROOT_DOCKERFILE),
        ("c/Dockerfile", "FROM alpine:3.20\nUSER 1000\n"),
    ]);
    let out = run(dir.path(), &["audit", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    assert_eq!(doc["files"], 3);
    let first = &doc["items"][0];
    assert_eq!(first["item"], "4.1");
    assert_eq!(first["counts"]["fail"], 2);
    assert_eq!(first["counts"]["failing_rules"]["HF101"], 2);
    let table = run(dir.path(), &["audit"]);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("4.1 ") && l.contains("HF101×2")),
        "{}",
        table.stdout
    );
}
