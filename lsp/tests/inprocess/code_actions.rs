//! Code actions: rule fixes (safe preferred, unsafe labelled), ignore comments for the
//! instruction and the file, and `source.fixAll.hardfile`.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::common::{Client, action_edits, apply_edits, codes, find};
use crate::diagnostics::FIXTURE;

fn titled<'a>(actions: &'a [Value], title: &str) -> Option<&'a Value> {
    actions.iter().find(|a| a["title"] == title)
}

#[tokio::test]
async fn rule_fixes_are_offered_from_diagnostic_data() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let diagnostics = client.open(uri, FIXTURE).await?;
    let maintainer = find(&diagnostics, "HF805").context("HF805")?.clone();
    let casing = find(&diagnostics, "HF903").context("HF903")?.clone();

    let actions = client
        .code_actions(
            uri,
            &[maintainer.clone(), casing.clone()],
            Some(&["quickfix"]),
        )
        .await?;
    let unsafe_fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("(unsafe) "))
        })
        .context("unsafe fix")?;
    assert_eq!(unsafe_fix["kind"], "quickfix");
    assert_eq!(unsafe_fix["isPreferred"], false);
    assert_eq!(unsafe_fix["diagnostics"][0]["code"], "HF805");
    let fixed = apply_edits(FIXTURE, &action_edits(unsafe_fix, uri));
    assert!(
        fixed.contains("LABEL org.opencontainers.image.authors="),
        "{fixed}"
    );

    let safe_fix = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "HF903" && a["isPreferred"] == true)
        .context("safe fix")?;
    let fixed = apply_edits(FIXTURE, &action_edits(safe_fix, uri));
    assert!(fixed.contains("FROM alpine:3.20 AS build"), "{fixed}");
    let after = client.change(uri, 2, json!([{"text": fixed}])).await?;
    assert!(find(&after, "HF903").is_none());

    // Data made for version 1 is stale at version 2: no edits from it.
    let stale = client
        .code_actions(uri, &[maintainer], Some(&["quickfix"]))
        .await?;
    assert!(stale.is_empty(), "{stale:?}");
    client.shutdown().await
}

#[tokio::test]
async fn ignore_for_this_instruction_keeps_indentation_and_silences() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let text = "FROM alpine:3.20\n  MAINTAINER Jane\n";
    let diagnostics = client.open(uri, text).await?;
    let maintainer = find(&diagnostics, "HF805").context("HF805")?.clone();
    let actions = client.code_actions(uri, &[maintainer], None).await?;
    let ignore = titled(&actions, "Ignore HF805 for this instruction").context("ignore")?;
    let edited = apply_edits(text, &action_edits(ignore, uri));
    assert_eq!(
        edited,
        "FROM alpine:3.20\n  # hardfile ignore=HF805 -- TODO: reason\n  MAINTAINER Jane\n"
    );
    let after = client.change(uri, 2, json!([{"text": edited}])).await?;
    assert!(find(&after, "HF805").is_none(), "{:?}", codes(&after));

    // A second rule on the same instruction extends the existing comment.
    let text = "FROM alpine:3.20\n# hardfile ignore=HF805 -- old habit\nmaintainer Jane\n";
    let diagnostics = client.change(uri, 3, json!([{"text": text}])).await?;
    let casing = find(&diagnostics, "HF905")
        .context("HF905 keyword casing")?
        .clone();
    let actions = client.code_actions(uri, &[casing], None).await?;
    let ignore = titled(&actions, "Ignore HF905 for this instruction").context("ignore")?;
    let edited = apply_edits(text, &action_edits(ignore, uri));
    assert!(
        edited.contains("# hardfile ignore=HF805,HF905 -- old habit\n"),
        "{edited}"
    );
    client.shutdown().await
}

#[tokio::test]
async fn ignore_in_this_file_goes_after_directives_with_crlf() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let text = "# syntax=docker/dockerfile:1\r\n# check=error=false\r\nFROM alpine:3.20\r\nMAINTAINER a\r\nMAINTAINER b\r\n";
    let diagnostics = client.open(uri, text).await?;
    let both: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "HF805")
        .cloned()
        .collect();
    assert_eq!(both.len(), 2);
    let actions = client.code_actions(uri, &both, None).await?;
    let file_ignores: Vec<&Value> = actions
        .iter()
        .filter(|a| a["title"] == "Ignore HF805 in this file")
        .collect();
    assert_eq!(file_ignores.len(), 1, "one per code");
    let edited = apply_edits(text, &action_edits(file_ignores[0], uri));
    assert_eq!(
        edited,
        "# syntax=docker/dockerfile:1\r\n# check=error=false\r\n# hardfile global ignore=HF805 -- TODO: reason\r\nFROM alpine:3.20\r\nMAINTAINER a\r\nMAINTAINER b\r\n"
    );
    let after = client.change(uri, 2, json!([{"text": edited}])).await?;
    assert!(find(&after, "HF805").is_none());
    client.shutdown().await
}

#[tokio::test]
async fn fix_all_applies_safe_fixes_only_as_one_edit() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let diagnostics = client.open(uri, FIXTURE).await?;
    let actions = client
        .code_actions(uri, &diagnostics, Some(&["source.fixAll"]))
        .await?;
    assert_eq!(actions.len(), 1, "{actions:?}");
    let fix_all = &actions[0];
    assert_eq!(fix_all["kind"], "source.fixAll.hardfile");
    let edits = action_edits(fix_all, uri);
    assert_eq!(edits.len(), 1, "one whole-document edit");
    let fixed = apply_edits(FIXTURE, &edits);
    assert!(fixed.contains(" AS build"));
    assert!(fixed.contains("MAINTAINER"), "unsafe fixes are not applied");
    let after = client.change(uri, 2, json!([{"text": fixed}])).await?;
    let remaining: Vec<&Value> = after
        .iter()
        .filter(|d| d["data"]["fix"]["safe"] == true)
        .collect();
    assert!(remaining.is_empty(), "{remaining:?}");

    // Nothing safe left to fix: no fix-all action.
    let none = client
        .code_actions(uri, &after, Some(&["source.fixAll.hardfile"]))
        .await?;
    assert!(none.is_empty(), "{none:?}");
    client.shutdown().await
}

#[tokio::test]
async fn fix_all_is_resolved_lazily_when_the_client_can() -> Result<()> {
    let caps =
        json!({"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}});
    let (mut client, _) = Client::initialized(json!(null), caps).await?;
    let uri = "file:///work/Dockerfile";
    let diagnostics = client.open(uri, FIXTURE).await?;
    let actions = client
        .code_actions(uri, &diagnostics, Some(&["source"]))
        .await?;
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll.hardfile")
        .context("fix-all")?
        .clone();
    assert!(fix_all.get("edit").is_none());
    let resolved = client.request("codeAction/resolve", fix_all).await?;
    let fixed = apply_edits(FIXTURE, &action_edits(&resolved, uri));
    assert!(fixed.contains(" AS build"));
    client.shutdown().await
}

#[tokio::test]
async fn only_filters_kinds() -> Result<()> {
    let mut client = Client::new().await?;
    let uri = "file:///work/Dockerfile";
    let diagnostics = client.open(uri, FIXTURE).await?;
    let quick = client
        .code_actions(uri, &diagnostics, Some(&["quickfix"]))
        .await?;
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"));
    assert!(!quick.is_empty());
    let refactor = client
        .code_actions(uri, &diagnostics, Some(&["refactor"]))
        .await?;
    assert!(refactor.is_empty());
    client.shutdown().await
}
