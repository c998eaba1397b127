//! Errors of the frontend, and the one place where they become a `google.rpc.Status`.
//!
//! BuildKit rebuilds a typed error from the `Status` we hand to `Return`: each detail is an
//! `Any` whose type URL is a Go `typeurl` registration (`github.com/moby/buildkit/<type>+json`)
//! and whose value is **JSON**, not protobuf. `errdefs.Source` details make the client print
//! `Dockerfile:3` with a framed snippet. We use gRPC code 2 (Unknown) because BuildKit prefixes
//! the message with the code name for every other code.
//!
//! Errors the daemon sent us (a failing `Solve`, for instance) already carry BuildKit's own
//! details (`errdefs.Solve`, `errdefs.Vertex`, sources from the definition's source map) and are
//! forwarded unchanged.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::google::rpc::Status as RpcStatus;
use bollard_buildkit_proto::pb;
use prost::Message as _;
use serde::{Deserialize, Serialize};

use crate::options::OptionsError;

/// gRPC code `Unknown`: the only code BuildKit prints without a prefix.
pub const CODE_UNKNOWN: i32 = 2;
/// Type URL of a source-location detail.
pub const SOURCE_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Source+json";
/// Type URL of an unsupported-subrequest detail.
pub const SUBREQUEST_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Subrequest+json";
/// Language tag BuildKit uses for Dockerfile sources.
pub const DOCKERFILE_LANGUAGE: &str = "Dockerfile";

/// A position in a source file: 1-based line, 0-based character (BuildKit's `pb.Position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourcePosition {
    /// 1-based line number.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub line: u32,
    /// 0-based character offset in the line (BuildKit's parser always sends 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub character: u32,
}

/// A range in a source file (BuildKit's `pb.Range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceRange {
    /// First position.
    #[serde(default)]
    pub start: SourcePosition,
    /// Last position.
    #[serde(default)]
    pub end: SourcePosition,
}

impl SourceRange {
    /// The whole of 1-based line `line`.
    pub fn line(line: u32) -> Self {
        Self::lines(line, line)
    }

    /// Lines `start..=end` (1-based) as one range.
    pub fn lines(start: u32, end: u32) -> Self {
        Self {
            start: SourcePosition {
                line: start,
                character: 0,
            },
            end: SourcePosition {
                line: end,
                character: 0,
            },
        }
    }

    /// Lines `start..=end` as one range per line, as BuildKit's Dockerfile parser reports them.
    pub fn per_line(start: u32, end: u32) -> Vec<Self> {
        (start..=end.max(start)).map(Self::line).collect()
    }

    /// The protobuf form, for `Warn` and source maps.
    pub fn to_pb(self) -> pb::Range {
        let position = |p: SourcePosition| pb::Position {
            line: i32::try_from(p.line).unwrap_or(i32::MAX),
            character: i32::try_from(p.character).unwrap_or(i32::MAX),
        };
        pb::Range {
            start: Some(position(self.start)),
            end: Some(position(self.end)),
        }
    }
}

/// A source file and the ranges of it an error or warning is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSnippet {
    /// File name as the user knows it (`Dockerfile`).
    pub filename: String,
    /// The whole file.
    pub data: Vec<u8>,
    /// Language tag (`Dockerfile`).
    pub language: String,
    /// Ranges in the file (1-based lines).
    pub ranges: Vec<SourceRange>,
}

impl SourceSnippet {
    /// A Dockerfile snippet pointing at `ranges`.
    pub fn dockerfile(
        filename: impl Into<String>,
        data: impl Into<Vec<u8>>,
        ranges: Vec<SourceRange>,
    ) -> Self {
        Self {
            filename: filename.into(),
            data: data.into(),
            language: DOCKERFILE_LANGUAGE.to_owned(),
            ranges,
        }
    }

    /// The protobuf `SourceInfo` (for `Warn`), with the definition that loaded the file if known.
    pub fn to_source_info(&self, definition: Option<pb::Definition>) -> pb::SourceInfo {
        pb::SourceInfo {
            filename: self.filename.clone(),
            data: self.data.clone(),
            definition,
            language: self.language.clone(),
        }
    }

    /// The `errdefs.Source` detail BuildKit turns into a framed snippet.
    pub fn to_detail(&self) -> Any {
        let json = SourceJson {
            info: SourceInfoJson {
                filename: self.filename.clone(),
                data: BASE64.encode(&self.data),
                language: self.language.clone(),
            },
            ranges: self.ranges.clone(),
        };
        Any {
            type_url: SOURCE_TYPE_URL.to_owned(),
            // Serializing plain strings and integers cannot fail.
            value: serde_json::to_vec(&json).unwrap_or_default(),
        }
    }

    /// Reads an `errdefs.Source` detail back; `None` for other detail types or malformed JSON.
    pub fn from_detail(detail: &Any) -> Option<Self> {
        if detail.type_url != SOURCE_TYPE_URL {
            return None;
        }
        let json: SourceJson = serde_json::from_slice(&detail.value).ok()?;
        Some(Self {
            filename: json.info.filename,
            data: BASE64.decode(json.info.data).ok()?,
            language: json.info.language,
            ranges: json.ranges,
        })
    }
}

/// `errdefs.Source` as Go's `encoding/json` writes it (`omitempty` everywhere but `start`/`end`).
#[derive(Serialize, Deserialize)]
struct SourceJson {
    #[serde(default)]
    info: SourceInfoJson,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<SourceRange>,
}

#[derive(Default, Serialize, Deserialize)]
struct SourceInfoJson {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    filename: String,
    /// Go encodes `[]byte` as standard base64.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    data: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    language: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// Something went wrong talking to the gateway.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The stdio pipes could not be set up.
    #[error("cannot open the gateway transport: {0}")]
    Transport(#[source] std::io::Error),
    /// The HTTP/2 connection could not be established.
    #[error("cannot connect to the BuildKit gateway: {0}")]
    Connect(#[source] tonic::transport::Error),
    /// The daemon answered a call with an error; `status` is exactly what it sent.
    #[error("{call}: {}", status.message)]
    Rpc {
        /// The gateway method (`Solve`, `ReadFile`, …).
        call: &'static str,
        /// The daemon's status, details included.
        status: RpcStatus,
    },
    /// The daemon did not answer in time.
    #[error("{call}: no answer from the daemon within {seconds}s")]
    Timeout {
        /// The gateway method.
        call: &'static str,
        /// The time limit.
        seconds: u64,
    },
    /// A capability this call or definition needs is missing or disabled.
    #[error("{reason}")]
    Unsupported {
        /// The capability id.
        cap: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The answer was not what the protocol promises.
    #[error("{call}: unexpected answer: {detail}")]
    Protocol {
        /// The gateway method.
        call: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// `Return` may be called once per build.
    #[error("a result was already returned to the gateway")]
    AlreadyReturned,
}

impl GatewayError {
    /// Wraps a status received from the daemon, keeping its typed details.
    pub fn rpc(call: &'static str, status: &tonic::Status) -> Self {
        Self::Rpc {
            call,
            status: rpc_status_from_tonic(status),
        }
    }
}

/// Why a build (or subrequest) failed.
#[derive(Debug, thiserror::Error)]
pub enum FrontendError {
    /// An error about the user's files, with the snippets to show.
    #[error("{message}")]
    Located {
        /// One-line message.
        message: String,
        /// Where (several snippets are allowed; each becomes one `errdefs.Source`).
        sources: Vec<SourceSnippet>,
    },
    /// An error the daemon reported, forwarded unchanged.
    #[error("{}", .0.message)]
    Daemon(RpcStatus),
    /// A gateway call failed.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// The frontend options are invalid.
    #[error(transparent)]
    Options(#[from] OptionsError),
    /// The client asked for a subrequest this frontend does not answer.
    #[error("unsupported request {name}")]
    UnsupportedSubrequest {
        /// The `requestid` value.
        name: String,
    },
    /// Any other failure, without location.
    #[error("{0}")]
    Message(String),
}

impl FrontendError {
    /// An error pointing at `ranges` of a Dockerfile.
    pub fn located(message: impl Into<String>, source: SourceSnippet) -> Self {
        Self::Located {
            message: message.into(),
            sources: vec![source],
        }
    }

    /// The status to send in `ReturnRequest.error`.
    pub fn to_rpc_status(&self) -> RpcStatus {
        to_rpc_status(self)
    }
}

/// Maps an error to the `google.rpc.Status` handed to BuildKit's `Return`.
pub fn to_rpc_status(error: &FrontendError) -> RpcStatus {
    match error {
        FrontendError::Daemon(status)
        | FrontendError::Gateway(GatewayError::Rpc { status, .. }) => status.clone(),
        FrontendError::Located { message, sources } => RpcStatus {
            code: CODE_UNKNOWN,
            message: message.clone(),
            details: sources.iter().map(SourceSnippet::to_detail).collect(),
        },
        FrontendError::UnsupportedSubrequest { name } => RpcStatus {
            code: CODE_UNKNOWN,
            message: error.to_string(),
            details: vec![Any {
                type_url: SUBREQUEST_TYPE_URL.to_owned(),
                value: serde_json::json!({ "name": name }).to_string().into_bytes(),
            }],
        },
        FrontendError::Gateway(_) | FrontendError::Options(_) | FrontendError::Message(_) => {
            RpcStatus {
                code: CODE_UNKNOWN,
                message: error.to_string(),
                details: Vec::new(),
            }
        }
    }
}

/// The `google.rpc.Status` behind a tonic status: decoded from its details
/// (`grpc-status-details-bin`) when the peer sent one, else rebuilt from code and message.
pub fn rpc_status_from_tonic(status: &tonic::Status) -> RpcStatus {
    if !status.details().is_empty()
        && let Ok(decoded) = RpcStatus::decode(status.details())
    {
        return decoded;
    }
    RpcStatus {
        code: status.code() as i32,
        message: status.message().to_owned(),
        details: Vec::new(),
    }
}

/// A tonic status carrying `status` in full, as a gRPC server sends it (used by test gateways).
pub fn tonic_status_from_rpc(status: &RpcStatus) -> tonic::Status {
    tonic::Status::with_details(
        tonic::Code::from_i32(status.code),
        status.message.clone(),
        status.encode_to_vec().into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet() -> SourceSnippet {
        SourceSnippet::dockerfile(
            "Dockerfile",
            b"FROM alpine\nRUN true\nUSER root\n".to_vec(),
            SourceRange::per_line(3, 3),
        )
    }

    #[test]
    fn source_detail_has_buildkit_json_shape() {
        let detail = snippet().to_detail();
        assert_eq!(
            detail.type_url,
            "github.com/moby/buildkit/errdefs.Source+json"
        );
        let json: serde_json::Value = serde_json::from_slice(&detail.value).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "info": {
                    "filename": "Dockerfile",
                    "data": BASE64.encode(b"FROM alpine\nRUN true\nUSER root\n"),
                    "language": "Dockerfile"
                },
                "ranges": [{ "start": { "line": 3 }, "end": { "line": 3 } }]
            })
        );
        assert_eq!(SourceSnippet::from_detail(&detail), Some(snippet()));
    }

    #[test]
    fn located_errors_use_code_unknown() {
        let status = FrontendError::located("root user", snippet()).to_rpc_status();
        assert_eq!(status.code, CODE_UNKNOWN);
        assert_eq!(status.message, "root user");
        assert_eq!(status.details.len(), 1);
    }

    #[test]
    fn daemon_errors_are_forwarded_unchanged() {
        let original = RpcStatus {
            code: 2,
            message: "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
                .into(),
            details: vec![
                Any {
                    type_url: "github.com/moby/buildkit/errdefs.Solve+json".into(),
                    value: b"{}".to_vec(),
                },
                snippet().to_detail(),
            ],
        };
        let received = tonic_status_from_rpc(&original);
        let error = FrontendError::from(GatewayError::rpc("Solve", &received));
        assert_eq!(error.to_rpc_status(), original);
        assert_eq!(
            FrontendError::Daemon(original.clone()).to_rpc_status(),
            original
        );
    }

    #[test]
    fn status_without_details_is_rebuilt() {
        let status = rpc_status_from_tonic(&tonic::Status::not_found("no such file"));
        assert_eq!(status.code, 5);
        assert_eq!(status.message, "no such file");
    }

    #[test]
    fn subrequest_detail_names_the_request() {
        let status = FrontendError::UnsupportedSubrequest {
            name: "frontend.bogus".into(),
        }
        .to_rpc_status();
        assert_eq!(status.details[0].type_url, SUBREQUEST_TYPE_URL);
        assert_eq!(status.details[0].value, br#"{"name":"frontend.bogus"}"#);
    }
}
