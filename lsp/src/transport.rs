//! The wire: `Content-Length` framing between the client and the server, with a guard that
//! keeps the server alive whatever the client sends.
//!
//! tower-lsp-server's own reader stops for good at the first undecodable message. The guard
//! reads frames itself, answers malformed ones with a JSON-RPC error (`-32700` parse error,
//! `-32600` invalid request) and forwards only well-formed messages to the server; the
//! server's output and those errors are written to the client one whole frame at a time.

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Frames larger than this are skipped (and answered with an error) rather than buffered.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// What reading one frame gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete body.
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`, or a body over [`MAX_FRAME`]: skipped.
    Garbage(String),
}

/// Reads the next frame; `Ok(None)` at the end of input.
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("invalid Content-Length {:?}", value.trim())),
            );
        }
    }
    match length {
        None => Ok(Some(Frame::Garbage(
            "missing Content-Length header".to_string(),
        ))),
        Some(Err(message)) => Ok(Some(Frame::Garbage(message))),
        Some(Ok(n)) if n > MAX_FRAME => {
            // Drain the body so the next frame is read from the right place.
            let skipped =
                tokio::io::copy(&mut reader.take(n as u64), &mut tokio::io::sink()).await?;
            if skipped < n as u64 {
                return Ok(None);
            }
            Ok(Some(Frame::Garbage(format!(
                "message of {n} bytes is too large"
            ))))
        }
        Some(Ok(n)) => {
            let mut body = vec![0; n];
            match reader.read_exact(&mut body).await {
                Ok(_) => Ok(Some(Frame::Body(body))),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(e),
            }
        }
    }
}

/// Frames `body` with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Checks a message body. `Ok` when the server can decode it; otherwise the error response
/// to send back (with the request's id when one could be read).
pub fn validate(body: &[u8]) -> Result<(), Value> {
    let error = |code: i64, message: &str, id: Value| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Err(error(-32700, "Parse error", Value::Null));
    };
    if serde_json::from_value::<Request>(value.clone()).is_ok()
        || serde_json::from_value::<Response>(value.clone()).is_ok()
    {
        return Ok(());
    }
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned()
        .unwrap_or(Value::Null);
    Err(error(-32600, "Invalid Request", id))
}

/// Copies client frames from `input` to the server's `to_server`, answering malformed ones
/// through `replies`. Ends at the end of input (closing `to_server`, so the server ends too).
pub async fn guard<R, W>(input: R, mut to_server: W, replies: mpsc::Sender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = tokio::io::BufReader::new(input);
    loop {
        let body = match read_frame(&mut reader).await {
            Ok(Some(Frame::Body(body))) => body,
            Ok(Some(Frame::Garbage(reason))) => {
                tracing::warn!("skipping malformed input: {reason}");
                let reply = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": reason}});
                let _ = replies.send(frame(reply.to_string().as_bytes())).await;
                continue;
            }
            Ok(None) => break,
            Err(err) => {
                tracing::error!("reading from the client failed: {err}");
                break;
            }
        };
        match validate(&body) {
            Ok(()) => {
                if to_server.write_all(&frame(&body)).await.is_err() {
                    break;
                }
                if to_server.flush().await.is_err() {
                    break;
                }
            }
            Err(reply) => {
                tracing::warn!("answering a malformed message with {reply}");
                if replies
                    .send(frame(reply.to_string().as_bytes()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    let _ = to_server.shutdown().await;
}

/// The method of the placeholder notification an [`Outbox`] entry is sent under. It never
/// reaches the client: [`pump`] puts the entry's frame in its place.
pub const OUTBOX_METHOD: &str = "$/hardfile/outbox";

/// Messages the server serializes itself (large diagnostics), to be written in the order the
/// server produced them relative to everything `tower-lsp-server` writes.
///
/// The server parks a ready frame here under a fresh id and sends a tiny placeholder
/// notification ([`OUTBOX_METHOD`], `{"id": …}`) through `tower-lsp-server`; [`pump`]
/// replaces the placeholder with the parked frame. The frame thus takes the placeholder's
/// place in the one outgoing stream: a request such as `client/registerCapability` or a
/// `window/showMessage` sent before it still reaches the client first.
#[derive(Debug, Default)]
pub struct Outbox {
    next: std::sync::atomic::AtomicU64,
    parked: std::sync::Mutex<std::collections::HashMap<u64, Vec<u8>>>,
}

/// What [`pump`] writes for one frame of the server.
enum Outgoing {
    /// The frame itself.
    Forward,
    /// The frame parked under this placeholder.
    Parked(Vec<u8>),
    /// Nothing: a placeholder whose frame is gone.
    Nothing,
}

/// The params of the placeholder notification.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct OutboxParams {
    /// The parked frame's id.
    pub id: u64,
}

/// The placeholder notification (see [`Outbox`]).
#[derive(Debug)]
pub enum OutboxNotification {}

impl tower_lsp_server::ls_types::notification::Notification for OutboxNotification {
    type Params = OutboxParams;
    const METHOD: &'static str = OUTBOX_METHOD;
}

impl Outbox {
    /// Parks `frame` (a whole frame, header included); returns the id to send.
    pub fn park(&self, frame: Vec<u8>) -> u64 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.lock().insert(id, frame);
        id
    }

    /// What to write for the server's frame `body`: the frame parked under it when it is a
    /// placeholder.
    fn resolve(&self, body: &[u8]) -> Outgoing {
        // Placeholders are tiny; nothing else is looked at.
        if body.len() > 128
            || !body
                .windows(OUTBOX_METHOD.len())
                .any(|w| w == OUTBOX_METHOD.as_bytes())
        {
            return Outgoing::Forward;
        }
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return Outgoing::Forward;
        };
        if value.get("method").and_then(Value::as_str) != Some(OUTBOX_METHOD) {
            return Outgoing::Forward;
        }
        match value
            .pointer("/params/id")
            .and_then(Value::as_u64)
            .and_then(|id| self.lock().remove(&id))
        {
            Some(parked) => Outgoing::Parked(parked),
            None => Outgoing::Nothing,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<u64, Vec<u8>>> {
        self.parked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Copies the server's frames from `from_server` into `frames`, one whole frame per item,
/// putting each [`Outbox`] frame in the place of its placeholder.
pub async fn pump<R: AsyncRead + Unpin>(
    from_server: R,
    frames: mpsc::Sender<Vec<u8>>,
    outbox: std::sync::Arc<Outbox>,
) {
    let mut reader = tokio::io::BufReader::new(from_server);
    while let Ok(Some(Frame::Body(body))) = read_frame(&mut reader).await {
        let bytes = match outbox.resolve(&body) {
            Outgoing::Parked(parked) => parked,
            Outgoing::Nothing => continue,
            Outgoing::Forward => frame(&body),
        };
        if frames.send(bytes).await.is_err() {
            break;
        }
    }
}

/// Writes every frame from `frames` to `output` until all senders are gone.
pub async fn write_all<W: AsyncWrite + Unpin>(mut frames: mpsc::Receiver<Vec<u8>>, mut output: W) {
    while let Some(bytes) = frames.recv().await {
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            tracing::error!("the client's output closed");
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pump_puts_parked_frames_in_their_placeholders_place() {
        let outbox = std::sync::Arc::new(Outbox::default());
        let parked = frame(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics"}"#);
        let id = outbox.park(parked.clone());
        let placeholder =
            format!(r#"{{"jsonrpc":"2.0","method":"{OUTBOX_METHOD}","params":{{"id":{id}}}}}"#);
        let before = br#"{"jsonrpc":"2.0","id":1,"method":"client/registerCapability"}"#;
        let after = br#"{"jsonrpc":"2.0","method":"window/logMessage"}"#;
        let mut stream = frame(before);
        stream.extend(frame(placeholder.as_bytes()));
        // A placeholder whose frame was already taken writes nothing.
        stream.extend(frame(placeholder.as_bytes()));
        stream.extend(frame(after));
        let (frames, mut received) = mpsc::channel(8);
        pump(&stream[..], frames, outbox).await;
        let mut order = Vec::new();
        while let Ok(bytes) = received.try_recv() {
            order.push(bytes);
        }
        assert_eq!(order, [frame(before), parked, frame(after)]);
    }

    #[tokio::test]
    async fn reads_frames_and_skips_garbage() {
        let input = b"Content-Length: 2\r\n\r\n{}\r\nX-Junk: 1\r\n\r\nContent-Length: zz\r\n\r\ncontent-length: 4\r\n\r\nnull";
        let mut reader = &input[..];
        assert_eq!(
            read_frame(&mut reader).await.ok().flatten(),
            Some(Frame::Body(b"{}".to_vec()))
        );
        assert!(matches!(
            read_frame(&mut reader).await,
            Ok(Some(Frame::Garbage(_)))
        ));
        assert!(matches!(
            read_frame(&mut reader).await,
            Ok(Some(Frame::Garbage(_)))
        ));
        assert_eq!(
            read_frame(&mut reader).await.ok().flatten(),
            Some(Frame::Body(b"null".to_vec()))
        );
        assert_eq!(read_frame(&mut reader).await.ok().flatten(), None);
    }

    #[test]
    fn validates_messages() {
        assert!(validate(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_ok());
        assert!(validate(br#"{"jsonrpc":"2.0","id":3,"result":null}"#).is_ok());
        let parse = validate(b"{not json").expect_err("parse error");
        assert_eq!(parse["error"]["code"], -32700);
        let invalid = validate(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).expect_err("invalid");
        assert_eq!(invalid["error"]["code"], -32600);
        assert_eq!(invalid["id"], 7);
        assert!(validate(b"[1,2]").is_err());
    }
}
