//! Merge ops: layer several filesystems on top of each other (`client/llb/merge.go`).
//!
//! Needs cap `mergeop`, which Docker's classic image store reports disabled: check the Ping caps
//! before using it (the Dockerfile frontend falls back to a plain copy for `COPY --link`).

use std::collections::BTreeSet;

use super::{OpBuilder, OpOptions, Output, as_index, build_vertex, caps};
use crate::ops;

/// Builder of a merge op over at least two inputs.
#[derive(Clone, Debug)]
pub struct Merge {
    layers: Vec<Output>,
    options: OpOptions,
}

impl OpBuilder for Merge {
    fn options_mut(&mut self) -> &mut OpOptions {
        &mut self.options
    }
}

impl Merge {
    /// Merges `layers`, later ones on top.
    pub fn new(layers: Vec<Output>) -> Self {
        Self {
            layers,
            options: OpOptions::default(),
        }
    }

    /// Builds the op (no platform: merges are platform independent).
    pub fn build(self) -> Output {
        // One input per layer, repeats included, as BuildKit's client does.
        let merge_inputs = (0..self.layers.len())
            .map(|position| ops::MergeInput {
                input: as_index(position),
            })
            .collect();
        let body = ops::op::Op::Merge(ops::MergeOp {
            inputs: merge_inputs,
        });
        let caps = BTreeSet::from([caps::MERGE_OP]);
        Output::new(
            build_vertex(body, self.layers, false, self.options, &caps),
            0,
        )
    }
}

/// Merges `layers` like BuildKit's `llb.Merge`: scratch layers are dropped, nothing left is
/// scratch, a single layer is returned as is, otherwise a merge op with default options.
pub fn merge(layers: Vec<Option<Output>>) -> Option<Output> {
    let mut layers: Vec<Output> = layers.into_iter().flatten().collect();
    match layers.len() {
        0 => None,
        1 => layers.pop(),
        _ => Some(Merge::new(layers).build()),
    }
}
