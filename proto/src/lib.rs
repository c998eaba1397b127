//! BuildKit wire types and a small typed LLB builder.
//!
//! - [`ops`], [`gateway`], [`rpc`]: the protobuf messages BuildKit speaks, re-exported from
//!   `bollard-buildkit-proto` under names that do not move when that crate reorganises.
//! - [`errdefs`]: the typed error details BuildKit exchanges as JSON inside `google.protobuf.Any`
//!   (`errdefs.Source` and friends), which the generated crate does not carry.
//! - [`llb`]: an immutable graph of LLB ops with shared outputs, marshalled into an
//!   [`ops::Definition`] exactly the way BuildKit's Go client does, plus a stable JSON dump for
//!   snapshot tests.

#![warn(missing_docs)]

pub mod errdefs;
pub mod llb;

/// LLB op messages (`solver/pb/ops.proto`): `Op`, `ExecOp`, `FileOp`, `Definition`, source maps.
pub mod ops {
    pub use bollard_buildkit_proto::pb::*;
}

/// Gateway messages and gRPC stubs (`frontend/gateway/pb/gateway.proto`, with
/// `llb_bridge_client` / `llb_bridge_server`), plus the message types they embed: API caps,
/// worker records, file stats and source policies.
pub mod gateway {
    pub use bollard_buildkit_proto::fsutil::types::Stat;
    pub use bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap;
    pub use bollard_buildkit_proto::moby::buildkit::v1::frontend::*;
    pub use bollard_buildkit_proto::moby::buildkit::v1::sourcepolicy;
    pub use bollard_buildkit_proto::moby::buildkit::v1::types::WorkerRecord;
}

/// `google.rpc.Status` and the `google.protobuf.Any` it carries in `details`.
pub mod rpc {
    pub use bollard_buildkit_proto::google::protobuf::Any;
    pub use bollard_buildkit_proto::google::rpc::Status;
    use prost::Message;

    /// The full `google.rpc.Status` behind a tonic error, typed details included.
    ///
    /// BuildKit puts the encoded status in the `grpc-status-details-bin` trailer; when it is
    /// missing or unreadable, the code and message of the tonic status are kept without details.
    pub fn status_from_tonic(status: &tonic::Status) -> Status {
        let details = status.details();
        if !details.is_empty()
            && let Ok(decoded) = Status::decode(details)
        {
            return decoded;
        }
        Status {
            code: status.code() as i32,
            message: status.message().to_owned(),
            details: Vec::new(),
        }
    }

    /// A tonic status carrying `status` (code, message and encoded details), for servers and
    /// fakes that answer like BuildKit does.
    pub fn status_to_tonic(status: &Status) -> tonic::Status {
        tonic::Status::with_details(
            tonic::Code::from_i32(status.code),
            status.message.clone(),
            status.encode_to_vec().into(),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use prost::Message;

    use super::*;

    #[test]
    fn gateway_names_resolve_and_status_keeps_typed_details() {
        let _: Option<gateway::llb_bridge_client::LlbBridgeClient<tonic::transport::Channel>> =
            None;
        let pong = gateway::PongResponse {
            workers: vec![gateway::WorkerRecord::default()],
            ..gateway::PongResponse::default()
        };
        assert_eq!(pong.workers.len(), 1);

        let status = rpc::Status {
            code: 2,
            message: "dockerfile parse error".into(),
            details: vec![errdefs::source_any(
                "Dockerfile",
                b"FROM\n",
                &[((1, 0), (1, 0))],
            )],
        };
        let over_the_wire = rpc::status_to_tonic(&status);
        assert_eq!(over_the_wire.code(), tonic::Code::Unknown);
        assert_eq!(rpc::status_from_tonic(&over_the_wire), status);
        assert_eq!(
            rpc::Status::decode(over_the_wire.details()).unwrap(),
            status
        );

        let plain = tonic::Status::not_found("no such file");
        let converted = rpc::status_from_tonic(&plain);
        assert_eq!(converted.code, tonic::Code::NotFound as i32);
        assert!(converted.details.is_empty());
    }
}
