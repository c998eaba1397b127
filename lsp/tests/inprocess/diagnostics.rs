//! Diagnostics: on open, change (incremental and full), save and close; pull mode.

use anyhow::Result;
use serde_json::json;

use crate::common::{Client, codes, find};

/// A Dockerfile with a safe finding (HF903 `as` casing), an unsafe one (HF805 MAINTAINER)
/// and a secret in an ENV value.
pub const FIXTURE: &str = "# syntax=docker/dockerfile:1\n\
FROM alpine:3.20 as build\n\
MAINTAINER Jane <jane@example.com>\n\
ENV API_TOKEN=hunter2-very-secret\n\
RUN echo hello\n";

#[tokio::test]
async fn open_publishes_findings_with_code_link_tags_and_data() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let diagnostics = client.open(uri, FIXTURE).await?;
    let found = codes(&diagnostics);
    assert!(found.contains(&"HF903".to_string()), "{found:?}");
    assert!(found.contains(&"HF805".to_string()), "{found:?}");

    let maintainer = find(&diagnostics, "HF805").expect("HF805");
    assert_eq!(maintainer["source"], "hardfile");
    assert_eq!(maintainer["severity"], 2, "warning");
    assert_eq!(
        maintainer["codeDescription"]["href"],
        "https://hardfile.dev/rules/HF805"
    );
    assert_eq!(maintainer["tags"], json!([2]), "deprecated");
    assert_eq!(
        maintainer["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 10}})
    );
    let data = &maintainer["data"];
    assert_eq!(data["version"], 1);
    assert_eq!(data["fix"]["safe"], false);
    // Only the fix travels with every publish; ignore edits are made on request.
    let keys: Vec<&String> = data.as_object().expect("data object").keys().collect();
    assert_eq!(keys, ["fix", "version"], "{data}");

    let casing = find(&diagnostics, "HF903").expect("HF903");
    assert_eq!(casing["data"]["fix"]["safe"], true);

    // The secret value appears nowhere in what the server says about the file.
    let everything = serde_json::to_string(&diagnostics)?;
    assert!(!everything.contains("hunter2"), "{everything}");
    client.shutdown().await
}

#[tokio::test]
async fn incremental_and_full_changes_relint() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let before = client.open(uri, FIXTURE).await?;
    assert!(find(&before, "HF903").is_some());

    // `as` → `AS` on line 1, columns 17..19.
    let after = client
        .change(
            uri,
            2,
            json!([{"range": {"start": {"line": 1, "character": 17}, "end": {"line": 1, "character": 19}}, "text": "AS"}]),
        )
        .await?;
    assert!(find(&after, "HF903").is_none(), "{:?}", codes(&after));
    assert!(find(&after, "HF805").is_some());
    assert_eq!(find(&after, "HF805").expect("HF805")["data"]["version"], 2);

    // Several changes in one notification, applied in order; then a full replacement.
    let edited = client
        .change(
            uri,
            3,
            json!([
                {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}}, "text": ""},
                {"range": {"start": {"line": 1, "character": 17}, "end": {"line": 1, "character": 19}}, "text": "as"}
            ]),
        )
        .await?;
    assert!(find(&edited, "HF805").is_none());
    assert!(find(&edited, "HF903").is_some());
    let full = client
        .change(
            uri,
            4,
            json!([{"text": "FROM alpine:3.20\nMAINTAINER x\n"}]),
        )
        .await?;
    assert_eq!(
        find(&full, "HF805").expect("HF805")["range"]["start"],
        json!({"line": 1, "character": 0})
    );
    client.shutdown().await
}

#[tokio::test]
async fn syntax_errors_are_reported_and_linting_goes_on() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/broken.Dockerfile";
    let text = "FROM alpine:3.20\nCOPY <<EOF /x\nunterminated\nMAINTAINER me\n";
    let diagnostics = client.open(uri, text).await?;
    let syntax = find(&diagnostics, "HF000");
    let text2 =
        "FROM alpine:3.20\nRUN [\"unclosed\"\nMAINTAINER me\nHEALTHCHECK --interval CMD true\n";
    let uri2 = "file:///work/broken2.Dockerfile";
    let diagnostics2 = client.open(uri2, text2).await?;
    let syntax = syntax.or_else(|| find(&diagnostics2, "HF000"));
    let syntax = syntax.expect("a syntax error in one of the files");
    assert_eq!(syntax["severity"], 1);
    // Syntax errors cannot be silenced: no ignore actions.
    let syntax_uri = if find(&diagnostics, "HF000").is_some() {
        uri
    } else {
        uri2
    };
    let actions = client
        .code_actions(syntax_uri, std::slice::from_ref(syntax), None)
        .await?;
    assert!(
        actions
            .iter()
            .all(|a| !a["title"].as_str().unwrap_or("").starts_with("Ignore")),
        "{actions:?}"
    );
    assert!(find(&diagnostics2, "HF805").is_some(), "linting went on");
    client.shutdown().await
}

#[tokio::test]
async fn save_relints_and_close_clears() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    client.open(uri, FIXTURE).await?;
    client
        .notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        )
        .await?;
    let saved = client.diagnostics(uri, Some(1)).await?;
    assert!(find(&saved, "HF805").is_some());
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        )
        .await?;
    let cleared = client.diagnostics(uri, None).await?;
    assert!(cleared.is_empty());
    client.shutdown().await
}

#[tokio::test]
async fn pull_mode_answers_document_diagnostic_and_does_not_push() -> Result<()> {
    let (mut client, init) =
        Client::initialized(json!({"diagnosticMode": "pull"}), json!({})).await?;
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "hardfile"
    );
    let uri = "file:///work/Dockerfile";
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": FIXTURE}}),
        )
        .await?;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .await?;
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert!(find(&items, "HF805").is_some());
    client.shutdown().await
}

#[tokio::test]
async fn push_mode_does_not_advertise_pull() -> Result<()> {
    let (client, init) = Client::initialized(json!(null), json!({})).await?;
    let caps = &init["capabilities"];
    assert!(caps.get("diagnosticProvider").is_none());
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.hardfile"])
    );
    client.shutdown().await
}
