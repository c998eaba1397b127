//! Survival: malformed JSON-RPC, unknown methods, bad params, out-of-range edits, unknown
//! documents, many documents, cancellation; UTF-16 columns with non-ASCII text and CRLF.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::common::{Client, TIMEOUT, action_edits, apply_edits, find};
use crate::diagnostics::FIXTURE;

/// The server still answers requests.
async fn alive(client: &mut Client) -> Result<()> {
    let result = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nowhere"}, "position": {"line": 0, "character": 0}}),
        )
        .await?;
    assert_eq!(result, Value::Null);
    Ok(())
}

#[tokio::test]
async fn malformed_messages_get_errors_and_the_server_goes_on() -> Result<()> {
    let mut client = Client::new().await?;
    // Not JSON, invalid UTF-8, wrong JSON-RPC version, a batch, a header without length.
    client
        .send_raw(b"Content-Length: 9\r\n\r\n{not json")
        .await?;
    client
        .send_raw(b"Content-Length: 4\r\n\r\n\"\xff\xfe\"")
        .await?;
    client
        .send_raw(b"Content-Length: 38\r\n\r\n{\"jsonrpc\":\"1.0\",\"id\":77,\"method\":\"x\"}")
        .await?;
    client.send_raw(b"Content-Length: 5\r\n\r\n[1,2]").await?;
    client.send_raw(b"X-Nonsense: yes\r\n\r\n").await?;
    client.send_raw(b"Content-Length: -3\r\n\r\n").await?;
    alive(&mut client).await?;
    let codes: Vec<i64> = client
        .stray_responses
        .iter()
        .filter_map(|r| r["error"]["code"].as_i64())
        .collect();
    assert_eq!(codes, [-32700, -32700, -32600, -32600, -32700, -32700]);
    assert_eq!(client.stray_responses[2]["id"], 77);
    client.shutdown().await
}

#[tokio::test]
async fn unknown_methods_and_bad_params() -> Result<()> {
    let mut client = Client::new().await?;
    let id = client
        .send_request("hardfile/doesNotExist", json!({}))
        .await?;
    let response = client.response(id).await?;
    assert_eq!(response["error"]["code"], -32601);
    client
        .notify("$/unknownNotification", json!({"x": 1}))
        .await?;
    client
        .notify("textDocument/didOpen", json!({"wrong": true}))
        .await?;
    let id = client
        .send_request("textDocument/hover", json!({"nope": 1}))
        .await?;
    let response = client.response(id).await?;
    assert_eq!(response["error"]["code"], -32602);
    alive(&mut client).await?;
    client.shutdown().await
}

#[tokio::test]
async fn edits_out_of_range_and_unknown_documents() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    client.open(uri, "FROM alpine:3.20\n").await?;
    // A range past the end, reversed, and inside a multi-byte character's UTF-16 units.
    let diagnostics = client
        .change(
            uri,
            2,
            json!([
                {"range": {"start": {"line": 99, "character": 5}, "end": {"line": 42, "character": 0}}, "text": "MAINTAINER 😀\n"},
                {"range": {"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 12}}, "text": "x"},
                {"range": {"start": {"line": 0, "character": 4000}, "end": {"line": 0, "character": 4000}}, "text": " as b"}
            ]),
        )
        .await?;
    assert!(find(&diagnostics, "HF805").is_some());
    assert!(find(&diagnostics, "HF903").is_some());
    // Changes, actions and hovers for documents never opened are ignored.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": "file:///other", "version": 5}, "contentChanges": [{"text": "x"}]}),
        )
        .await?;
    let actions = client.code_actions("file:///other", &[], None).await?;
    assert!(actions.is_empty());
    alive(&mut client).await?;
    client.shutdown().await
}

#[tokio::test]
async fn many_open_documents() -> Result<()> {
    let mut client = Client::new().await?;
    let count = 150;
    for i in 0..count {
        client
            .notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": format!("file:///work/{i}/Dockerfile"), "languageId": "dockerfile", "version": 1, "text": FIXTURE}}),
            )
            .await?;
    }
    for i in 0..count {
        let diagnostics = client
            .diagnostics(&format!("file:///work/{i}/Dockerfile"), Some(1))
            .await?;
        assert!(find(&diagnostics, "HF805").is_some());
    }
    client.shutdown().await
}

#[tokio::test]
async fn cancelled_requests_answer_request_cancelled_or_their_result() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let big: String = std::iter::once("FROM alpine:3.20 as build\n")
        .chain(std::iter::repeat_n("RUN echo hello world\n", 2000))
        .collect();
    let diagnostics = client.open(uri, &big).await?;
    let id = client
        .send_request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": diagnostics, "only": ["source.fixAll.hardfile"]},
            }),
        )
        .await?;
    client.notify("$/cancelRequest", json!({"id": id})).await?;
    let response = client.response(id).await?;
    let cancelled = response["error"]["code"] == -32800;
    assert!(cancelled || response.get("result").is_some(), "{response}");
    // A request that was never sent, cancelled: nothing happens.
    client
        .notify("$/cancelRequest", json!({"id": 4242}))
        .await?;
    alive(&mut client).await?;
    client.shutdown().await
}

#[tokio::test]
async fn utf16_columns_with_non_ascii_text_and_crlf() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let text = "# 😀é ignore HF805\r\nFROM ${IMAGE:-älpine} as build\r\nLABEL note=\"😀\"\r\n";
    let diagnostics = client.open(uri, text).await?;
    let casing = find(&diagnostics, "HF903").context("HF903")?;
    // `as` is at UTF-16 column 22 (byte 23): `ä` is one unit but two bytes.
    assert_eq!(
        casing["range"],
        json!({"start": {"line": 1, "character": 22}, "end": {"line": 1, "character": 24}})
    );
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 14}}),
        )
        .await?;
    // `😀` is two UTF-16 units: HF805 spans columns 13..18.
    assert_eq!(
        hover["range"],
        json!({"start": {"line": 0, "character": 13}, "end": {"line": 0, "character": 18}})
    );
    let actions = client
        .code_actions(uri, &diagnostics, Some(&["source.fixAll"]))
        .await?;
    let fixed = apply_edits(text, &action_edits(&actions[0], uri));
    assert_eq!(
        fixed,
        "# 😀é ignore HF805\r\nFROM ${IMAGE:-älpine} AS build\r\nLABEL note=\"😀\"\r\n"
    );
    client.shutdown().await
}

#[tokio::test]
async fn exit_without_shutdown_stops_the_server() -> Result<()> {
    let mut client = Client::new().await?;
    client.notify("exit", Value::Null).await?;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !client.server_finished() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server still running"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Ok(())
}
