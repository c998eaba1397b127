//! Graph → `pb.Definition`, the way BuildKit's Go client marshals a state
//! (`client/llb/state.go` `Marshal`, `marshal`; `sourcemap.go` `sourceMapCollector`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use prost::Message;

use super::{Digest, Output, SourceMap, Vertex, caps};
use crate::ops;

/// Digest of an op: `sha256:` over its protobuf encoding, as BuildKit recomputes it.
pub fn op_digest(op: &ops::Op) -> Digest {
    Digest::of(&op.encode_to_vec())
}

/// Marshals the graph ending at `result` into a definition.
///
/// - `def`: every op reachable from `result` once, inputs before the ops reading them (depth
///   first, inputs in order), then the terminal op, an `Op` holding only the input edge to
///   `result`. Byte-identical ops built separately appear once.
/// - `metadata`: per op digest, the op's metadata (merged when identical ops carry different
///   metadata); the terminal op declares `constraints`, `platform`, and `meta.*` caps for the
///   metadata features any op uses.
/// - `source`: the distinct source files and, per op digest, the locations pointing into them.
///
/// `None` (scratch) gives an empty definition, which BuildKit solves to an empty result.
pub fn marshal(result: Option<&Output>) -> ops::Definition {
    let Some(result) = result else {
        return ops::Definition::default();
    };

    let mut def = Vec::new();
    let mut metadata: BTreeMap<String, ops::OpMetadata> = BTreeMap::new();
    let mut sources = SourceCollector::default();
    let mut emitted_digests: HashSet<&Digest> = HashSet::new();
    let mut visited: HashSet<*const Vertex> = HashSet::new();

    // Iterative post-order walk: long Dockerfiles make deep chains.
    let mut stack: Vec<(&Arc<Vertex>, usize)> = vec![(result.vertex(), 0)];
    while let Some(top) = stack.last_mut() {
        let vertex: &Arc<Vertex> = top.0;
        if let Some(input) = vertex.inputs().get(top.1) {
            top.1 += 1;
            if !visited.contains(&Arc::as_ptr(input.vertex())) {
                stack.push((input.vertex(), 0));
            }
            continue;
        }
        stack.pop();
        if !visited.insert(Arc::as_ptr(vertex)) {
            continue;
        }
        let entry = metadata.entry(vertex.digest().0.clone()).or_default();
        merge_metadata(entry, vertex.metadata());
        sources.add(vertex.digest(), vertex);
        if emitted_digests.insert(vertex.digest()) {
            def.push(vertex.bytes().to_vec());
        }
    }

    let terminal = ops::Op {
        inputs: vec![result.to_input()],
        ..ops::Op::default()
    };
    let terminal_bytes = terminal.encode_to_vec();
    let mut terminal_caps = BTreeMap::from([
        (caps::CONSTRAINTS.to_owned(), true),
        (caps::PLATFORM.to_owned(), true),
    ]);
    for md in metadata.values() {
        if md.ignore_cache {
            terminal_caps.insert(caps::META_IGNORE_CACHE.to_owned(), true);
        }
        if !md.description.is_empty() {
            terminal_caps.insert(caps::META_DESCRIPTION.to_owned(), true);
        }
        if md.export_cache.is_some() {
            terminal_caps.insert(caps::META_EXPORT_CACHE.to_owned(), true);
        }
    }
    let terminal_entry = metadata.entry(Digest::of(&terminal_bytes).0).or_default();
    terminal_entry.caps = terminal_caps;
    def.push(terminal_bytes);

    ops::Definition {
        def,
        metadata,
        source: Some(sources.finish()),
    }
}

/// BuildKit's `mergeMetadata`: flags are OR-ed, maps united, later values win.
fn merge_metadata(into: &mut ops::OpMetadata, from: &ops::OpMetadata) {
    into.ignore_cache |= from.ignore_cache;
    into.description.extend(
        from.description
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    if from.export_cache.is_some() {
        into.export_cache = from.export_cache;
    }
    into.caps
        .extend(from.caps.keys().map(|cap| (cap.clone(), true)));
    if from.progress_group.is_some() {
        into.progress_group.clone_from(&from.progress_group);
    }
}

/// Distinct source files, and per op digest the locations pointing into them.
#[derive(Default)]
struct SourceCollector {
    maps: Vec<Arc<SourceMap>>,
    index_by_ptr: HashMap<*const SourceMap, i32>,
    locations: BTreeMap<String, Vec<ops::Location>>,
}

impl SourceCollector {
    fn add(&mut self, digest: &Digest, vertex: &Vertex) {
        for location in vertex.locations() {
            let source_index = self.index_of(&location.source);
            self.locations
                .entry(digest.0.clone())
                .or_default()
                .push(ops::Location {
                    source_index,
                    ranges: location.ranges.clone(),
                });
        }
    }

    fn index_of(&mut self, map: &Arc<SourceMap>) -> i32 {
        if let Some(&index) = self.index_by_ptr.get(&Arc::as_ptr(map)) {
            return index;
        }
        let position = self
            .maps
            .iter()
            .position(|known| known.same_file(map))
            .unwrap_or_else(|| {
                self.maps.push(Arc::clone(map));
                self.maps.len() - 1
            });
        let index = i32::try_from(position).unwrap_or(i32::MAX);
        self.index_by_ptr.insert(Arc::as_ptr(map), index);
        index
    }

    fn finish(self) -> ops::Source {
        ops::Source {
            locations: self
                .locations
                .into_iter()
                .map(|(digest, locations)| (digest, ops::Locations { locations }))
                .collect(),
            infos: self.maps.iter().map(|map| map.to_info()).collect(),
        }
    }
}
