//! `hardfile lint --format sarif` validates against the official SARIF 2.1.0 schema
//! (`tests/fixtures/sarif/`, see its README for provenance and license).

mod common;

use common::{ROOT_DOCKERFILE, json, project, run};

fn validator() -> jsonschema::Validator {
    let path = common::repo().join("tests/fixtures/sarif/sarif-2.1.0-rtm.5.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file"))
            .expect("schema JSON");
    // The published schema's `language` patterns have a stray `]`, legal in ECMA-262 but
    // rejected by Rust's regex engine; escape it (same meaning) so the schema compiles.
    // hardfile never writes `language`, so this changes nothing about what is validated.
    let fixed = escape_stray_bracket(&mut schema);
    assert!(fixed > 0, "the schema changed; revisit this workaround");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(false)
        .build(&schema)
        .expect("valid schema")
}

fn escape_stray_bracket(value: &mut serde_json::Value) -> usize {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::String(text) if text == STRAY => {
            *text = STRAY.replace("]?$", "\\]?$");
            1
        }
        serde_json::Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        serde_json::Value::Object(map) => map.values_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

fn assert_valid(doc: &serde_json::Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_is_valid_and_complete() {
    let suppressed = "FROM alpine:3.20\n# hardfile ignore=HF805 -- kept for an old tool\nMAINTAINER x\nFOO bar\n";
    let dir = project(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("svc one/Dockerfile", suppressed),
        ("app.txt", "x"),
        (
            "add/Dockerfile",
            "FROM alpine:3.20\nADD app.txt /app/\nHEALTHCHECK NONE\nHEALTHCHECK NONE\n",
        ),
        ("add/app.txt", "x"),
    ]);
    let out = run(dir.path(), &["lint", "--format", "sarif"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    assert_valid(&doc);
    // The validator is not vacuous: a wrong level or a missing version is caught.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator().is_valid(&broken));
    let mut broken = doc.clone();
    broken.as_object_mut().expect("object").remove("version");
    assert!(!validator().is_valid(&broken));

    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let root = rules
        .iter()
        .find(|r| r["id"] == "HF101")
        .expect("HF101 described");
    assert_eq!(root["name"], "root-user");
    assert_eq!(root["defaultConfiguration"]["level"], "error");
    assert!(
        root["helpUri"]
            .as_str()
            .expect("uri")
            .ends_with("/rules/HF101")
    );
    assert_eq!(
        root["properties"]["cis"]["1.6.0"],
        serde_json::json!(["4.1"])
    );
    assert!(
        root["properties"]["peerCodes"]
            .as_array()
            .expect("peers")
            .contains(&"DL3002".into())
    );

    let results = run0["results"].as_array().expect("results");
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let root_result = results
        .iter()
        .find(|r| r["ruleId"] == "HF101")
        .expect("HF101 result");
    let location = &root_result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "Dockerfile");
    assert_eq!(location["region"]["startLine"], 5);
    assert_eq!(location["region"]["startColumn"], 1);
    let replacement = &root_result["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert!(
        replacement["insertedContent"]["text"]
            .as_str()
            .expect("text")
            .contains("USER 65532:65532")
    );

    let waived = results
        .iter()
        .find(|r| r["ruleId"] == "HF805" && r["suppressions"].is_array())
        .expect("suppressed result");
    assert_eq!(waived["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        waived["suppressions"][0]["justification"],
        "kept for an old tool"
    );
    assert_eq!(
        waived["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "svc%20one/Dockerfile"
    );
    assert!(
        results.iter().any(|r| r["ruleId"] == "HF000"),
        "syntax errors are results"
    );
}

#[test]
fn sarif_with_nothing_found_is_valid() {
    let dir = project(&[("Dockerfile", common::CLEAN_DOCKERFILE)]);
    let out = run(
        dir.path(),
        &["lint", "--format", "sarif", "--select", "HF101"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    assert_valid(&doc);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
}
