//! An in-process LSP client: the server runs on a Tokio task, connected by in-memory pipes,
//! and the test speaks framed JSON-RPC to it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream};
use tokio::task::JoinHandle;

use hardfile_lsp::transport::{Frame, frame, read_frame};

/// How long a test waits for any one message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A client connected to a fresh server.
pub struct Client {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    queued: VecDeque<Value>,
    /// Settings returned to `workspace/configuration`.
    pub configuration: Value,
    /// Server-to-client requests seen (method names).
    pub server_requests: Vec<String>,
    /// Responses without a matching request (for example, answers to malformed input).
    pub stray_responses: Vec<Value>,
    server: JoinHandle<()>,
}

/// A `file:` URI for `name` inside `dir`.
pub fn file_uri(dir: &std::path::Path, name: &str) -> String {
    format!("file://{}/{}", dir.display(), name)
}

impl Client {
    /// Starts a server; nothing is sent yet.
    pub fn start() -> Client {
        let (to_server, server_input) = tokio::io::duplex(1 << 20);
        let (server_output, from_server) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(hardfile_lsp::serve(server_input, server_output));
        Client {
            to_server,
            from_server: BufReader::new(from_server),
            next_id: 1,
            queued: VecDeque::new(),
            configuration: Value::Null,
            server_requests: Vec::new(),
            stray_responses: Vec::new(),
            server,
        }
    }

    /// Starts a server and initializes it with `options` and client `capabilities`.
    pub async fn initialized(options: Value, capabilities: Value) -> Result<(Client, Value)> {
        let mut client = Client::start();
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": null,
                    "capabilities": capabilities,
                    "initializationOptions": options,
                }),
            )
            .await?;
        client.notify("initialized", json!({})).await?;
        Ok((client, result))
    }

    /// Starts and initializes a server with default options and basic capabilities.
    pub async fn new() -> Result<Client> {
        Ok(Client::initialized(Value::Null, json!({})).await?.0)
    }

    /// Writes raw bytes to the server.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.to_server.write_all(bytes).await?;
        self.to_server.flush().await?;
        Ok(())
    }

    async fn send(&mut self, message: &Value) -> Result<()> {
        let bytes = frame(message.to_string().as_bytes());
        self.send_raw(&bytes).await
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) -> Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await
    }

    /// Sends a request without waiting; returns its id.
    pub async fn send_request(&mut self, method: &str, params: Value) -> Result<i64> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        Ok(id)
    }

    /// Sends a request and returns its result (an error response is an `Err`).
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.send_request(method, params).await?;
        let response = self.response(id).await?;
        if let Some(error) = response.get("error") {
            bail!("{method} failed: {error}");
        }
        Ok(response.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Waits for the whole response to request `id`.
    pub async fn response(&mut self, id: i64) -> Result<Value> {
        loop {
            let message = self.receive().await?;
            if message.get("method").is_some() {
                self.queued.push_back(message);
            } else if message.get("id") == Some(&json!(id)) {
                return Ok(message);
            } else {
                self.stray_responses.push(message);
            }
        }
    }

    /// Reads the next message, answering server-to-client requests on the way.
    async fn receive(&mut self) -> Result<Value> {
        loop {
            let next = tokio::time::timeout(TIMEOUT, read_frame(&mut self.from_server))
                .await
                .context("timed out waiting for the server")??;
            let body = match next {
                Some(Frame::Body(body)) => body,
                Some(Frame::Garbage(reason)) => bail!("server wrote garbage: {reason}"),
                None => bail!("server closed the connection"),
            };
            let message: Value = serde_json::from_slice(&body)?;
            if let (Some(method), Some(id)) = (message.get("method"), message.get("id")) {
                let method = method.as_str().unwrap_or_default().to_string();
                let result = match method.as_str() {
                    "workspace/configuration" => json!([self.configuration]),
                    _ => Value::Null,
                };
                self.server_requests.push(method);
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                self.send(&reply).await?;
                continue;
            }
            return Ok(message);
        }
    }

    /// Waits for the next notification named `method`.
    pub async fn notification(&mut self, method: &str) -> Result<Value> {
        if let Some(i) = self.queued.iter().position(|m| m["method"] == method) {
            return Ok(self.queued.remove(i).unwrap_or_default());
        }
        loop {
            let message = self.receive().await?;
            if message["method"] == method {
                return Ok(message);
            }
            if message.get("method").is_some() {
                self.queued.push_back(message);
            } else {
                self.stray_responses.push(message);
            }
        }
    }

    /// Waits for the diagnostics published for `uri` at `version` (`None`: any version).
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Result<Vec<Value>> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        };
        let message = if let Some(i) = self.queued.iter().position(matches) {
            self.queued.remove(i).unwrap_or_default()
        } else {
            loop {
                let message = self.receive().await?;
                if matches(&message) {
                    break message;
                }
                if message.get("method").is_some() {
                    self.queued.push_back(message);
                } else {
                    self.stray_responses.push(message);
                }
            }
        };
        Ok(message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// Opens a document and waits for its first diagnostics.
    pub async fn open(&mut self, uri: &str, text: &str) -> Result<Vec<Value>> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
        )
        .await?;
        self.diagnostics(uri, Some(1)).await
    }

    /// Sends `didChange` with `changes` and waits for the diagnostics of `version`.
    pub async fn change(&mut self, uri: &str, version: i64, changes: Value) -> Result<Vec<Value>> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        )
        .await?;
        self.diagnostics(uri, Some(version)).await
    }

    /// Code actions for the whole document, given the diagnostics the client holds.
    pub async fn code_actions(
        &mut self,
        uri: &str,
        diagnostics: &[Value],
        only: Option<&[&str]>,
    ) -> Result<Vec<Value>> {
        let mut context = json!({"diagnostics": diagnostics});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    "context": context,
                }),
            )
            .await?;
        Ok(result.as_array().cloned().unwrap_or_default())
    }

    /// Sends `shutdown` and `exit`, and waits for the server to stop.
    pub async fn shutdown(mut self) -> Result<()> {
        self.request("shutdown", Value::Null).await?;
        self.notify("exit", Value::Null).await?;
        tokio::time::timeout(TIMEOUT, self.server)
            .await
            .context("server did not stop after exit")??;
        Ok(())
    }

    /// Whether the server task has ended.
    pub fn server_finished(&self) -> bool {
        self.server.is_finished()
    }
}

/// The codes of a diagnostics list.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

/// The diagnostic with `code`.
pub fn find<'a>(diagnostics: &'a [Value], code: &str) -> Option<&'a Value> {
    diagnostics.iter().find(|d| d["code"] == code)
}

/// Converts an LSP position (UTF-16) to a byte offset of `text`, as a client would.
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or(0) as usize;
    let character = position["character"].as_u64().unwrap_or(0) as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' || (c == '\r' && text[start + i..].starts_with("\r\n")) {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies LSP text edits (non-overlapping) to `text`, as a client would.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| std::cmp::Reverse((*start, *end)));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// The edits of a code action for `uri`.
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    action["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default()
}
