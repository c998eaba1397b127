//! Configuration: `.hardfile.toml`, initialization options, `didChangeConfiguration`,
//! watched files.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;

use crate::common::{Client, file_uri, find};
use crate::diagnostics::FIXTURE;

/// A fresh directory for one test.
fn workspace(name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("lsp-config")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[tokio::test]
async fn workspace_config_file_is_read_and_watched() -> Result<()> {
    let dir = workspace("watched")?;
    std::fs::write(dir.join(".hardfile.toml"), "ignore = [\"HF805\"]\n")?;
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let (mut client, _) = Client::initialized(json!(null), caps).await?;
    let uri = file_uri(&dir, "Dockerfile");
    let diagnostics = client.open(&uri, FIXTURE).await?;
    assert!(find(&diagnostics, "HF805").is_none());
    assert!(find(&diagnostics, "HF903").is_some());
    assert!(
        client
            .server_requests
            .iter()
            .any(|m| m == "client/registerCapability"),
        "{:?}",
        client.server_requests
    );

    std::fs::write(dir.join(".hardfile.toml"), "ignore = [\"HF903\"]\n")?;
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&dir, ".hardfile.toml"), "type": 2}]}),
        )
        .await?;
    let after = client.diagnostics(&uri, Some(1)).await?;
    assert!(find(&after, "HF805").is_some());
    assert!(find(&after, "HF903").is_none());
    client.shutdown().await
}

#[tokio::test]
async fn invalid_config_file_warns_and_falls_back_to_defaults() -> Result<()> {
    let dir = workspace("invalid")?;
    std::fs::write(dir.join(".hardfile.toml"), "profile = \"loose\"\n")?;
    let mut client = Client::new().await?;
    let uri = file_uri(&dir, "Dockerfile");
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": FIXTURE}}),
        )
        .await?;
    let message = client.notification("window/showMessage").await?;
    assert_eq!(message["params"]["type"], 2, "warning");
    assert!(
        message["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("loose")),
        "{message}"
    );
    let diagnostics = client.diagnostics(&uri, Some(1)).await?;
    assert!(find(&diagnostics, "HF805").is_some());
    client.shutdown().await
}

#[tokio::test]
async fn initialization_options_select_rules() -> Result<()> {
    let (mut client, _) =
        Client::initialized(json!({"hardfile": {"ignore": ["HF903"]}}), json!({})).await?;
    let uri = "file:///nonexistent/Dockerfile";
    let diagnostics = client.open(uri, FIXTURE).await?;
    assert!(find(&diagnostics, "HF903").is_none());
    assert!(find(&diagnostics, "HF805").is_some());
    client.shutdown().await
}

#[tokio::test]
async fn changed_settings_relint_open_documents() -> Result<()> {
    let mut client = Client::new().await?;
    let first = "file:///nonexistent/a/Dockerfile";
    let second = "untitled:Untitled-1";
    client.open(first, FIXTURE).await?;
    client.open(second, FIXTURE).await?;
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"hardfile": {"ignore": ["HF805"], "severity": {"HF903": "error"}}}}),
        )
        .await?;
    for uri in [first, second] {
        let after = client.diagnostics(uri, Some(1)).await?;
        assert!(find(&after, "HF805").is_none(), "{uri}");
        assert_eq!(
            find(&after, "HF903").map(|d| d["severity"].clone()),
            Some(json!(1))
        );
    }
    client.shutdown().await
}

#[tokio::test]
async fn settings_are_pulled_when_the_client_sends_none() -> Result<()> {
    let caps = json!({"workspace": {"configuration": true}});
    let (mut client, _) = Client::initialized(json!(null), caps).await?;
    client.configuration = json!({"ignore": ["HF805"]});
    let uri = "file:///nonexistent/Dockerfile";
    assert!(find(&client.open(uri, FIXTURE).await?, "HF805").is_some());
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await?;
    let after = client.diagnostics(uri, Some(1)).await?;
    assert!(find(&after, "HF805").is_none());
    assert!(
        client
            .server_requests
            .iter()
            .any(|m| m == "workspace/configuration")
    );
    client.shutdown().await
}
