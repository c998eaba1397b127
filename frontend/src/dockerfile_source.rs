//! Loading the Dockerfile through the gateway (BuildKit's `dockerui` `ReadEntrypoint`).
//!
//! The Dockerfile lives in a client-side local source (`local://dockerfile`) that only the daemon
//! can read: we solve a one-op definition for it, then `ReadFile` from the resulting reference.
//! The digest of that source op is the vertex warnings are attached to, and its definition goes
//! into `SourceInfo.definition` so snippets point at the right file.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message as _;
use sha2::{Digest as _, Sha256};

use crate::bridge::{Gateway, Solve};
use crate::caps;
use crate::errors::{FrontendError, GatewayError, SourceRange, SourceSnippet};
use crate::options::{DEFAULT_FILENAME, Options};

/// Attribute: client session holding the local directory.
pub const ATTR_LOCAL_SESSION: &str = "local.session";
/// Attribute: JSON list of paths to transfer (and nothing else).
pub const ATTR_LOCAL_FOLLOW_PATHS: &str = "local.followpaths";
/// Attribute: cache sharing hint.
pub const ATTR_LOCAL_SHARED_KEY_HINT: &str = "local.sharedkeyhint";
/// Attribute: how changed files are detected.
pub const ATTR_LOCAL_DIFFER: &str = "local.differ";
/// Description key: the vertex name shown in progress output.
pub const DESCRIPTION_CUSTOM_NAME: &str = "llb.customname";

/// The Dockerfile as read from the client, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedDockerfile {
    /// Its path in the Dockerfile local (the `filename` option, or lowercase `dockerfile`).
    pub filename: String,
    /// Its bytes.
    pub data: Vec<u8>,
    /// `<filename>.dockerignore`, when present (it replaces the context's `.dockerignore`).
    pub dockerignore: Option<Vec<u8>>,
    /// The solved reference holding the file.
    pub reference: String,
    /// Digest of the loading op: the vertex to attach warnings to.
    pub vertex: String,
    /// The definition that loaded the file, for `SourceInfo.definition`.
    pub definition: pb::Definition,
}

impl LoadedDockerfile {
    /// A snippet of this Dockerfile for errors.
    pub fn snippet(&self, ranges: Vec<SourceRange>) -> SourceSnippet {
        SourceSnippet::dockerfile(self.filename.clone(), self.data.clone(), ranges)
    }

    /// The `SourceInfo` for warnings and source maps (with the loading definition).
    pub fn source_info(&self) -> pb::SourceInfo {
        self.snippet(Vec::new())
            .to_source_info(Some(self.definition.clone()))
    }
}

/// `sha256:<hex>` of serialized op bytes, the way BuildKit names vertices.
pub fn op_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The definition of the local source holding the Dockerfile, and the digest of its source op.
pub fn dockerfile_local_definition(options: &Options) -> (pb::Definition, String) {
    let filename = options.filename.as_str();
    let mut follow_paths = vec![filename.to_owned(), format!("{filename}.dockerignore")];
    // `dockerfile` is accepted as well as `Dockerfile` (moby/moby#10858).
    if let Some(lowercase) = lowercase_fallback(filename) {
        follow_paths.push(lowercase);
    }

    let mut attrs = BTreeMap::new();
    let mut op_caps = BTreeMap::from([(caps::llb::SOURCE_LOCAL.to_owned(), true)]);
    if !options.session_id.is_empty() {
        attrs.insert(ATTR_LOCAL_SESSION.to_owned(), options.session_id.clone());
        op_caps.insert(caps::llb::SOURCE_LOCAL_SESSION_ID.to_owned(), true);
    }
    attrs.insert(
        ATTR_LOCAL_FOLLOW_PATHS.to_owned(),
        serde_json::Value::from(follow_paths).to_string(),
    );
    op_caps.insert(caps::llb::SOURCE_LOCAL_FOLLOW_PATHS.to_owned(), true);
    attrs.insert(
        ATTR_LOCAL_SHARED_KEY_HINT.to_owned(),
        options.dockerfile_local.clone(),
    );
    op_caps.insert(caps::llb::SOURCE_LOCAL_SHARED_KEY_HINT.to_owned(), true);
    // Not required: daemons without the differ simply compare contents.
    attrs.insert(ATTR_LOCAL_DIFFER.to_owned(), "none".to_owned());

    let source = pb::Op {
        inputs: Vec::new(),
        // Local sources are platform independent.
        platform: None,
        constraints: Some(pb::WorkerConstraints::default()),
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{}", options.dockerfile_local),
            attrs,
        })),
    };
    let source_bytes = source.encode_to_vec();
    let source_digest = op_digest(&source_bytes);

    let terminal = pb::Op {
        inputs: vec![pb::Input {
            digest: source_digest.clone(),
            index: 0,
        }],
        ..pb::Op::default()
    };
    let terminal_bytes = terminal.encode_to_vec();
    let terminal_digest = op_digest(&terminal_bytes);

    let source_metadata = pb::OpMetadata {
        description: BTreeMap::from([(
            DESCRIPTION_CUSTOM_NAME.to_owned(),
            format!("[internal] load build definition from {filename}"),
        )]),
        caps: op_caps,
        ..pb::OpMetadata::default()
    };
    let terminal_metadata = pb::OpMetadata {
        caps: BTreeMap::from([
            (caps::llb::CONSTRAINTS.to_owned(), true),
            (caps::llb::META_DESCRIPTION.to_owned(), true),
            (caps::llb::PLATFORM.to_owned(), true),
        ]),
        ..pb::OpMetadata::default()
    };
    let definition = pb::Definition {
        def: vec![source_bytes, terminal_bytes],
        metadata: BTreeMap::from([
            (source_digest.clone(), source_metadata),
            (terminal_digest, terminal_metadata),
        ]),
        source: None,
    };
    (definition, source_digest)
}

fn lowercase_fallback(filename: &str) -> Option<String> {
    let (dir, base) = match filename.rsplit_once('/') {
        Some((dir, base)) => (Some(dir), base),
        None => (None, filename),
    };
    (base == DEFAULT_FILENAME).then(|| match dir {
        Some(dir) if !dir.is_empty() && dir != "." => format!("{dir}/dockerfile"),
        Some("") => "/dockerfile".to_owned(),
        _ => "dockerfile".to_owned(),
    })
}

/// The vertex a definition produces: the input of its trailing return op, or its last op.
fn head_digest(definition: &pb::Definition) -> Option<String> {
    let last = definition.def.last()?;
    match pb::Op::decode(last.as_slice()) {
        Ok(op) if op.op.is_none() && op.inputs.len() == 1 => Some(op.inputs[0].digest.clone()),
        _ => Some(op_digest(last)),
    }
}

/// Solves the Dockerfile local (or the `dockerfile` frontend input) and reads the Dockerfile and
/// its `.dockerignore` companion.
pub async fn load_dockerfile(
    gateway: &mut Gateway,
    options: &Options,
) -> Result<LoadedDockerfile, FrontendError> {
    let mut from_input = None;
    if !options.dockerfile_local_forced {
        let mut inputs = gateway.inputs().await?;
        from_input = inputs.remove(&options.dockerfile_local);
    }
    let (definition, vertex) = match from_input {
        Some(definition) => {
            let vertex = head_digest(&definition).unwrap_or_default();
            (definition, vertex)
        }
        None => dockerfile_local_definition(options),
    };

    let solved = gateway.solve(Solve::definition(definition.clone())).await?;
    let reference = solved.reference.ok_or_else(|| {
        FrontendError::Gateway(GatewayError::Protocol {
            call: "Solve",
            detail: "the Dockerfile source produced no reference".to_owned(),
        })
    })?;

    let mut filename = options.filename.clone();
    let data = match gateway.read_file(&reference, &filename, None).await {
        Ok(data) => data,
        Err(first) => {
            let Some(lowercase) = lowercase_fallback(&filename) else {
                return Err(read_error(&filename, first));
            };
            match gateway.read_file(&reference, &lowercase, None).await {
                Ok(data) => {
                    filename = lowercase;
                    data
                }
                Err(_) => return Err(read_error(&filename, first)),
            }
        }
    };
    let dockerignore = gateway
        .read_file(
            &reference,
            &format!("{}.dockerignore", options.filename),
            None,
        )
        .await
        .ok();

    Ok(LoadedDockerfile {
        filename,
        data,
        dockerignore,
        reference,
        vertex,
        definition,
    })
}

fn read_error(filename: &str, error: GatewayError) -> FrontendError {
    match error {
        GatewayError::Rpc { status, .. } => FrontendError::Message(format!(
            "failed to read dockerfile: open {filename}: {}",
            status.message
        )),
        other => FrontendError::Gateway(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_definition_matches_buildkit_shape() {
        let options = Options {
            session_id: "s1".into(),
            ..Options::default()
        };
        let (definition, digest) = dockerfile_local_definition(&options);
        assert_eq!(definition.def.len(), 2);
        assert_eq!(op_digest(&definition.def[0]), digest);
        let op = pb::Op::decode(definition.def[0].as_slice()).expect("decode");
        let Some(pb::op::Op::Source(source)) = op.op else {
            panic!("not a source op");
        };
        assert_eq!(source.identifier, "local://dockerfile");
        assert_eq!(
            source.attrs[ATTR_LOCAL_FOLLOW_PATHS],
            r#"["Dockerfile","Dockerfile.dockerignore","dockerfile"]"#
        );
        assert_eq!(source.attrs[ATTR_LOCAL_SHARED_KEY_HINT], "dockerfile");
        assert_eq!(source.attrs[ATTR_LOCAL_SESSION], "s1");
        assert_eq!(source.attrs[ATTR_LOCAL_DIFFER], "none");
        assert!(op.platform.is_none());
        assert_eq!(
            definition.metadata[&digest].description[DESCRIPTION_CUSTOM_NAME],
            "[internal] load build definition from Dockerfile"
        );
        assert_eq!(head_digest(&definition), Some(digest));
    }

    #[test]
    fn lowercase_fallback_only_for_dockerfile() {
        assert_eq!(
            lowercase_fallback("Dockerfile").as_deref(),
            Some("dockerfile")
        );
        assert_eq!(
            lowercase_fallback("app/Dockerfile").as_deref(),
            Some("app/dockerfile")
        );
        assert_eq!(lowercase_fallback("Containerfile"), None);
    }

    #[test]
    fn digest_is_stable() {
        let (a, da) = dockerfile_local_definition(&Options::default());
        let (b, db) = dockerfile_local_definition(&Options::default());
        assert_eq!(a, b);
        assert_eq!(da, db);
    }
}
