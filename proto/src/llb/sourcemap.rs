//! Source maps: which lines of which file an op comes from (`client/llb/sourcemap.go`).
//!
//! BuildKit uses them to attach `errdefs.Source` to a failing vertex, so a failing `RUN` points
//! at its Dockerfile lines without the frontend doing anything.

use std::sync::Arc;

use crate::ops;

/// A source file ops can point into.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceMap {
    /// File name as shown to the user.
    pub filename: String,
    /// Language name; BuildKit's Dockerfile frontend uses `Dockerfile`.
    pub language: String,
    /// File content.
    pub data: Vec<u8>,
    /// The definition that loaded the file (the Dockerfile's `local://dockerfile` op), if any.
    pub definition: Option<ops::Definition>,
}

impl SourceMap {
    /// A Dockerfile source map without a loading definition.
    pub fn new(filename: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Self {
            filename: filename.into(),
            language: "Dockerfile".to_owned(),
            data: data.into(),
            definition: None,
        }
    }

    /// Sets the language name.
    #[must_use]
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = language.into();
        self
    }

    /// Sets the definition that loaded the file.
    #[must_use]
    pub fn with_definition(mut self, definition: ops::Definition) -> Self {
        self.definition = Some(definition);
        self
    }

    /// The protobuf `SourceInfo` for this file.
    pub fn to_info(&self) -> ops::SourceInfo {
        ops::SourceInfo {
            filename: self.filename.clone(),
            data: self.data.clone(),
            definition: self.definition.clone(),
            language: self.language.clone(),
        }
    }

    /// Whether two maps describe the same file, as BuildKit's `equalSourceMap` decides: same
    /// name, language and bytes, and (when both have one) the same loading op at the head.
    pub(crate) fn same_file(&self, other: &Self) -> bool {
        if self.filename != other.filename
            || self.language != other.language
            || self.data != other.data
        {
            return false;
        }
        match (&self.definition, &other.definition) {
            (Some(a), Some(b)) => a.def.last() == b.def.last(),
            _ => true,
        }
    }
}

/// A place in a source file: the map and one or more ranges.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    /// The file.
    pub source: Arc<SourceMap>,
    /// Ranges in it; lines 1-based.
    pub ranges: Vec<ops::Range>,
}

impl Location {
    /// A location in `source`.
    pub fn new(source: &Arc<SourceMap>, ranges: Vec<ops::Range>) -> Self {
        Self {
            source: Arc::clone(source),
            ranges,
        }
    }
}

/// A range from `(line, character)` to `(line, character)`; lines are 1-based.
pub fn range(start: (i32, i32), end: (i32, i32)) -> ops::Range {
    ops::Range {
        start: Some(ops::Position {
            line: start.0,
            character: start.1,
        }),
        end: Some(ops::Position {
            line: end.0,
            character: end.1,
        }),
    }
}

/// Lines `first..=last` as one range with character 0 at both ends, the shape BuildKit's
/// Dockerfile frontend gives an instruction.
pub fn line_range(first: i32, last: i32) -> ops::Range {
    range((first, 0), (last, 0))
}
