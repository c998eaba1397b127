//! Hover, document symbols and folding ranges.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::common::Client;

const STAGES: &str = "# syntax=docker/dockerfile:1\n\
ARG BASE=alpine:3.20\n\
FROM ${BASE} AS build\n\
# hardfile ignore=HF805,DL3008 -- legacy\n\
RUN --mount=type=cache,target=/root/.cache \\\n    apk add gcc && \\\n    make\n\
COPY --from=build <<EOF /etc/motd\n\
héllo 😀\n\
EOF\n\
\n\
FROM scratch\n\
ENV API_TOKEN=hunter2-very-secret\n\
COPY --from=build --chmod=0755 /out /app\n";

async fn hover(client: &mut Client, uri: &str, line: u32, character: u32) -> Result<Value> {
    client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
        .await
}

#[tokio::test]
async fn hover_documents_rules_keywords_flags_and_directives() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    client.open(uri, STAGES).await?;

    // The rule code in the ignore comment (line 3, "HF805" starts at column 18).
    let rule = hover(&mut client, uri, 3, 20).await?;
    let text = rule["contents"]["value"].as_str().context("markdown")?;
    assert!(text.contains("**HF805**"), "{text}");
    assert!(text.contains("https://hardfile.dev/rules/HF805"));
    assert!(text.contains("## What it does"));
    assert_eq!(
        rule["range"],
        json!({"start": {"line": 3, "character": 18}, "end": {"line": 3, "character": 23}})
    );

    let keyword = hover(&mut client, uri, 4, 1).await?;
    assert!(
        keyword["contents"]["value"]
            .as_str()
            .is_some_and(|t| t.contains("RUN [--mount")),
        "{keyword}"
    );
    let flag = hover(&mut client, uri, 4, 8).await?;
    assert!(
        flag["contents"]["value"]
            .as_str()
            .is_some_and(|t| t.contains("type=secret")),
        "{flag}"
    );
    let chmod = hover(&mut client, uri, 13, 20).await?;
    assert!(
        chmod["contents"]["value"]
            .as_str()
            .is_some_and(|t| t.contains("--chmod"))
    );
    let directive = hover(&mut client, uri, 0, 3).await?;
    assert!(
        directive["contents"]["value"]
            .as_str()
            .is_some_and(|t| t.contains("frontend"))
    );

    // Nothing to say inside a heredoc body or on plain arguments.
    assert_eq!(hover(&mut client, uri, 8, 2).await?, Value::Null);
    assert_eq!(hover(&mut client, uri, 2, 8).await?, Value::Null);
    client.shutdown().await
}

#[tokio::test]
async fn symbols_are_stages_with_their_instructions() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    client.open(uri, STAGES).await?;
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .await?;
    let symbols = symbols.as_array().context("symbols")?;
    let names: Vec<&str> = symbols.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["ARG", "build", "stage 1"]);
    let build = &symbols[1];
    assert_eq!(build["detail"], "${BASE}");
    let children: Vec<&str> = build["children"]
        .as_array()
        .context("children")?
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(children, ["FROM", "RUN", "COPY"]);
    assert_eq!(build["range"]["start"]["line"], 2);
    assert_eq!(build["range"]["end"]["line"], 9);
    // ENV shows names only, never values.
    let env = &symbols[2]["children"][1];
    assert_eq!(env["name"], "ENV");
    assert_eq!(env["detail"], "API_TOKEN");
    assert!(!symbols_text(symbols).contains("hunter2"));
    client.shutdown().await
}

fn symbols_text(symbols: &[Value]) -> String {
    serde_json::to_string(symbols).unwrap_or_default()
}

#[tokio::test]
async fn folding_covers_stages_continuations_heredocs_and_comments() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    client.open(uri, STAGES).await?;
    let ranges = client
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )
        .await?;
    let pairs: Vec<(u64, u64)> = ranges
        .as_array()
        .context("ranges")?
        .iter()
        .map(|r| {
            (
                r["startLine"].as_u64().unwrap_or(0),
                r["endLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(pairs.contains(&(2, 9)), "first stage: {pairs:?}");
    assert!(pairs.contains(&(11, 13)), "second stage: {pairs:?}");
    assert!(pairs.contains(&(4, 6)), "continued RUN: {pairs:?}");
    assert!(pairs.contains(&(7, 9)), "heredoc: {pairs:?}");
    client.shutdown().await
}
