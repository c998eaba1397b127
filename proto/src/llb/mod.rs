//! A small typed LLB builder.
//!
//! Ops are built with typed builders ([`Image`], [`Local`], [`Git`], [`Http`], [`Exec`],
//! [`FileOp`], [`Merge`]) and become immutable [`Vertex`]es shared through [`Arc`]. A vertex is
//! encoded and digested once, when it is built, because its inputs are already final; an
//! [`Output`] names one output of a vertex and is what the next op takes as input. Scratch (the
//! empty filesystem) is `None` wherever an `Option<Output>` is asked for.
//!
//! [`marshal`] walks the graph from a final output and produces the [`ops::Definition`] BuildKit
//! solves, following BuildKit's Go client (`client/llb/state.go`, `marshal.go`): ops in
//! dependency order, identical ops once, metadata keyed by digest, the source map, and a terminal
//! op that only points at the result. [`dump_json`] renders a definition for snapshot tests.
//!
//! ```
//! use hardfile_proto::llb::{self, Exec, Image, OpBuilder};
//!
//! let base = Image::new("docker.io/library/alpine:3.20")
//!     .platform(llb::platform("linux", "amd64"))
//!     .build();
//! let run = Exec::new(Some(base), ["/bin/sh", "-c", "echo hi"])
//!     .custom_name("RUN echo hi")
//!     .build();
//! let def = llb::marshal(Some(&run.root()));
//! assert_eq!(def.def.len(), 3); // image, exec, terminal
//! ```

pub mod caps;
mod dump;
mod exec;
mod file;
mod marshal;
mod merge;
mod path;
mod source;
mod sourcemap;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use prost::Message;
use sha2::{Digest as _, Sha256};

use crate::ops;

pub use dump::dump_json;
pub use exec::{
    BindMount, CacheMount, Exec, ExecOutputs, Mount, SecretMount, SshMount, TmpfsMount,
};
pub use file::{
    ActionId, Chown, CopyAction, FileAction, FileInput, FileOp, Mkdir, Mkfile, Rm, Symlink, UserRef,
};
pub use marshal::{marshal, op_digest};
pub use merge::{Merge, merge};
pub use path::{clean_path, normalize_path};
pub use source::{Differ, Git, Http, Image, Local, ResolveMode, Source};
pub use sourcemap::{Location, SourceMap, line_range, range};

/// Description key BuildKit shows as the vertex name in progress output.
pub const CUSTOM_NAME: &str = "llb.customname";

/// A content digest, `sha256:<hex>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(String);

impl Digest {
    /// The SHA-256 digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// The `sha256:…` text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Digest> for String {
    fn from(digest: Digest) -> Self {
        digest.0
    }
}

/// A platform as LLB carries it.
pub fn platform(os: &str, architecture: &str) -> ops::Platform {
    ops::Platform {
        os: os.to_owned(),
        architecture: architecture.to_owned(),
        ..ops::Platform::default()
    }
}

/// One built op: its protobuf form, encoded bytes, digest, inputs, metadata and source locations.
///
/// Vertices are immutable; builders return them inside [`Output`]s.
#[derive(Debug)]
pub struct Vertex {
    op: ops::Op,
    bytes: Vec<u8>,
    digest: Digest,
    inputs: Vec<Output>,
    metadata: ops::OpMetadata,
    locations: Vec<Location>,
}

impl Vertex {
    /// Encodes `op` (whose `inputs` must already name `inputs`) and computes its digest.
    fn new(op: ops::Op, inputs: Vec<Output>, options: OpOptions, caps: &BTreeSet<&str>) -> Self {
        let bytes = op.encode_to_vec();
        let digest = Digest::of(&bytes);
        let mut all_caps: BTreeMap<String, bool> =
            caps.iter().map(|cap| ((*cap).to_owned(), true)).collect();
        all_caps.extend(options.caps.into_iter().map(|cap| (cap, true)));
        let metadata = ops::OpMetadata {
            ignore_cache: options.ignore_cache,
            description: options.description,
            export_cache: options.export_cache.map(|value| ops::ExportCache { value }),
            caps: all_caps,
            progress_group: options.progress_group,
        };
        Self {
            op,
            bytes,
            digest,
            inputs,
            metadata,
            locations: options.locations,
        }
    }

    /// The op as sent to BuildKit.
    pub fn op(&self) -> &ops::Op {
        &self.op
    }

    /// The deterministic protobuf encoding of [`Vertex::op`].
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `sha256:` digest of [`Vertex::bytes`], the op's identity in the definition.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The outputs this op reads, in the order of `op().inputs`.
    pub fn inputs(&self) -> &[Output] {
        &self.inputs
    }

    /// Metadata (description, caps, cache flags, progress group).
    pub fn metadata(&self) -> &ops::OpMetadata {
        &self.metadata
    }

    /// Source locations attached to this op.
    pub fn locations(&self) -> &[Location] {
        &self.locations
    }
}

/// One output of a vertex: a filesystem state later ops can read.
#[derive(Clone, Debug)]
pub struct Output {
    vertex: Arc<Vertex>,
    index: i64,
}

impl Output {
    fn new(vertex: Arc<Vertex>, index: i64) -> Self {
        Self { vertex, index }
    }

    /// The op producing this output.
    pub fn vertex(&self) -> &Arc<Vertex> {
        &self.vertex
    }

    /// The output index inside that op.
    pub fn index(&self) -> i64 {
        self.index
    }

    /// Digest of the producing op.
    pub fn digest(&self) -> &Digest {
        &self.vertex.digest
    }

    /// The `pb.Input` edge pointing at this output.
    pub fn to_input(&self) -> ops::Input {
        ops::Input {
            digest: self.vertex.digest.0.clone(),
            index: self.index,
        }
    }
}

/// Two outputs are the same when they name the same output of byte-identical ops.
impl PartialEq for Output {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index && self.vertex.digest == other.vertex.digest
    }
}

impl Eq for Output {}

/// Options every op accepts: platform, worker constraints, metadata and source locations.
#[derive(Clone, Debug, Default)]
pub struct OpOptions {
    /// Platform of platform-specific ops (exec, image and OCI layout sources); ignored by the
    /// others, as BuildKit's client does.
    pub platform: Option<ops::Platform>,
    /// `WorkerConstraints.filter`.
    pub worker_constraints: Vec<String>,
    /// Description map; [`CUSTOM_NAME`] names the vertex in progress output.
    pub description: BTreeMap<String, String>,
    /// Never use the cache for this op.
    pub ignore_cache: bool,
    /// Override whether this op's result is exported to remote caches.
    pub export_cache: Option<bool>,
    /// Extra caps, on top of those the builder declares for the features used.
    pub caps: BTreeSet<String>,
    /// Progress group shown by the client.
    pub progress_group: Option<ops::ProgressGroup>,
    /// Where in the source files this op comes from.
    pub locations: Vec<Location>,
}

/// Chainable setters for [`OpOptions`], shared by all op builders.
pub trait OpBuilder: Sized {
    /// The options being built.
    fn options_mut(&mut self) -> &mut OpOptions;

    /// Replaces all options at once (handy when one instruction's options apply to several ops).
    #[must_use]
    fn with_options(mut self, options: OpOptions) -> Self {
        *self.options_mut() = options;
        self
    }

    /// Sets the platform (kept only on platform-specific ops).
    #[must_use]
    fn platform(mut self, platform: ops::Platform) -> Self {
        self.options_mut().platform = Some(platform);
        self
    }

    /// Names the vertex in progress output (`llb.customname`).
    #[must_use]
    fn custom_name(self, name: impl Into<String>) -> Self {
        self.description(CUSTOM_NAME, name)
    }

    /// Adds one description entry.
    #[must_use]
    fn description(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options_mut()
            .description
            .insert(key.into(), value.into());
        self
    }

    /// Marks the op as never cached.
    #[must_use]
    fn ignore_cache(mut self, ignore: bool) -> Self {
        self.options_mut().ignore_cache = ignore;
        self
    }

    /// Overrides cache export for this op.
    #[must_use]
    fn export_cache(mut self, export: bool) -> Self {
        self.options_mut().export_cache = Some(export);
        self
    }

    /// Declares an extra cap.
    #[must_use]
    fn cap(mut self, cap: impl Into<String>) -> Self {
        self.options_mut().caps.insert(cap.into());
        self
    }

    /// Puts the op in a progress group.
    #[must_use]
    fn progress_group(
        mut self,
        id: impl Into<String>,
        name: impl Into<String>,
        weak: bool,
    ) -> Self {
        self.options_mut().progress_group = Some(ops::ProgressGroup {
            id: id.into(),
            name: name.into(),
            weak,
        });
        self
    }

    /// Adds a worker constraint filter.
    #[must_use]
    fn worker_constraint(mut self, filter: impl Into<String>) -> Self {
        self.options_mut().worker_constraints.push(filter.into());
        self
    }

    /// Attaches a source location.
    #[must_use]
    fn location(mut self, location: Location) -> Self {
        self.options_mut().locations.push(location);
        self
    }
}

/// Builds the vertex for an op body: inputs, platform (when kept) and empty constraints like
/// BuildKit's `MarshalConstraints`.
fn build_vertex(
    body: ops::op::Op,
    inputs: Vec<Output>,
    keep_platform: bool,
    mut options: OpOptions,
    caps: &BTreeSet<&str>,
) -> Arc<Vertex> {
    let platform = if keep_platform {
        options.platform.take()
    } else {
        None
    };
    let op = ops::Op {
        inputs: inputs.iter().map(Output::to_input).collect(),
        platform,
        constraints: Some(ops::WorkerConstraints {
            filter: std::mem::take(&mut options.worker_constraints),
        }),
        op: Some(body),
    };
    Arc::new(Vertex::new(op, inputs, options, caps))
}

/// Index of `output` in `inputs`, appending it when new (BuildKit deduplicates op inputs).
fn input_index(inputs: &mut Vec<Output>, output: &Output) -> i64 {
    let position = inputs
        .iter()
        .position(|known| known == output)
        .unwrap_or_else(|| {
            inputs.push(output.clone());
            inputs.len() - 1
        });
    as_index(position)
}

/// `usize` → protobuf index; graphs never come near `i64::MAX` entries.
fn as_index(position: usize) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}

/// Go `encoding/json` of a string list: like serde_json, plus Go's HTML-safe escapes, so attrs
/// holding JSON arrays are byte-identical to the ones BuildKit's own frontend sends.
fn go_json_strings<S: AsRef<str>>(items: &[S]) -> String {
    let list: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_owned());
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
