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

/// Gateway messages and gRPC stubs (`frontend/gateway/pb/gateway.proto`) plus API caps.
pub mod gateway {
    pub use bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap;
    pub use bollard_buildkit_proto::moby::buildkit::v1::frontend::*;
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
