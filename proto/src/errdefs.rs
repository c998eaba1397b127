//! Typed error details of BuildKit (`solver/errdefs`), carried as JSON inside `google.protobuf.Any`.
//!
//! BuildKit registers these types with `typeurl` as `github.com/moby/buildkit/errdefs.<Name>+json`,
//! so the `Any.value` is the Go `encoding/json` form of the struct, not protobuf. The most useful
//! one is [`Source`]: a file, its bytes and line ranges, which the client prints as a framed
//! Dockerfile snippet under the error.
//!
//! Field names follow the Go JSON tags (`filename`, `data` as base64, `sourceIndex`, …); zero
//! values are omitted like Go's `omitempty`, except `Range.start`/`end`, which Go always writes.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ops;
use crate::rpc::Any;

/// Prefix of every BuildKit type URL.
pub const TYPE_URL_PREFIX: &str = "github.com/moby/buildkit/";

/// Errors while reading a typed detail out of an `Any`.
#[derive(Debug, thiserror::Error)]
pub enum DetailError {
    /// The `Any` holds another type.
    #[error("expected type URL {expected}, found {found}")]
    TypeUrl {
        /// The URL this type is registered under.
        expected: &'static str,
        /// The URL found in the `Any`.
        found: String,
    },
    /// The value is not the JSON this type expects.
    #[error("invalid JSON in {type_url}: {source}")]
    Json {
        /// The URL of the detail being decoded.
        type_url: &'static str,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// A BuildKit error detail with a fixed JSON type URL.
pub trait TypedDetail: Serialize + for<'de> Deserialize<'de> {
    /// The full type URL, e.g. `github.com/moby/buildkit/errdefs.Source+json`.
    const TYPE_URL: &'static str;

    /// Wraps the JSON encoding of `self` in an `Any`.
    fn to_any(&self) -> Any {
        Any {
            type_url: Self::TYPE_URL.to_owned(),
            // Serializing these plain structs into memory cannot fail: no maps with non-string
            // keys, no custom serializers that error.
            value: serde_json::to_vec(self).unwrap_or_default(),
        }
    }

    /// Reads the detail back from an `Any` with the matching type URL.
    fn from_any(any: &Any) -> Result<Self, DetailError> {
        if any.type_url != Self::TYPE_URL {
            return Err(DetailError::TypeUrl {
                expected: Self::TYPE_URL,
                found: any.type_url.clone(),
            });
        }
        serde_json::from_slice(&any.value).map_err(|source| DetailError::Json {
            type_url: Self::TYPE_URL,
            source,
        })
    }
}

/// A range as `((start_line, start_character), (end_line, end_character))`, lines 1-based.
pub type LineSpan = ((i32, i32), (i32, i32));

/// `errdefs.Source`: where in which file an error happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The file (name, bytes, language, and the definition that loaded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<SourceInfo>,
    /// Ranges inside the file; lines are 1-based.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
}

impl TypedDetail for Source {
    const TYPE_URL: &'static str = "github.com/moby/buildkit/errdefs.Source+json";
}

impl Source {
    /// A Dockerfile source detail: file name, file bytes, and ranges given as
    /// `((start_line, start_character), (end_line, end_character))`, lines 1-based.
    pub fn new(filename: &str, data: &[u8], ranges: &[LineSpan]) -> Self {
        Self {
            info: Some(SourceInfo {
                filename: filename.to_owned(),
                data: data.to_vec(),
                definition: None,
                language: "Dockerfile".to_owned(),
            }),
            ranges: ranges
                .iter()
                .map(|&((start_line, start_char), (end_line, end_char))| Range {
                    start: Position {
                        line: start_line,
                        character: start_char,
                    },
                    end: Position {
                        line: end_line,
                        character: end_char,
                    },
                })
                .collect(),
        }
    }

    /// The same detail built from the protobuf source info and ranges of a source map.
    pub fn from_proto(info: &ops::SourceInfo, ranges: &[ops::Range]) -> Self {
        Self {
            info: Some(SourceInfo::from(info)),
            ranges: ranges.iter().map(Range::from).collect(),
        }
    }
}

/// Shortcut for [`Source::new`] followed by [`TypedDetail::to_any`].
pub fn source_any(filename: &str, data: &[u8], ranges: &[LineSpan]) -> Any {
    Source::new(filename, data, ranges).to_any()
}

/// `errdefs.Subrequest`: an unsupported subrequest (`{"name": id}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subrequest {
    /// The request id, e.g. `frontend.unknown`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl TypedDetail for Subrequest {
    const TYPE_URL: &'static str = "github.com/moby/buildkit/errdefs.Subrequest+json";
}

/// `errdefs.FrontendCap`: a frontend capability the caller needs but we lack.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendCap {
    /// The capability id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl TypedDetail for FrontendCap {
    const TYPE_URL: &'static str = "github.com/moby/buildkit/errdefs.FrontendCap+json";
}

/// `errdefs.Vertex`: the digest of the vertex an error belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vertex {
    /// `sha256:…` digest of the op.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
}

impl TypedDetail for Vertex {
    const TYPE_URL: &'static str = "github.com/moby/buildkit/errdefs.Vertex+json";
}

/// JSON form of `pb.SourceInfo`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// File name as shown to the user.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filename: String,
    /// File content (base64 in JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "base64_bytes")]
    pub data: Vec<u8>,
    /// The LLB definition that loaded the file, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Definition>,
    /// Language name (`Dockerfile`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
}

/// JSON form of `pb.Range`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// First position.
    #[serde(default)]
    pub start: Position,
    /// Last position.
    #[serde(default)]
    pub end: Position,
}

/// JSON form of `pb.Position`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub line: i32,
    /// Character in the line.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub character: i32,
}

/// JSON form of `pb.Definition`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Marshalled ops (base64 each).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "base64_list")]
    pub def: Vec<Vec<u8>>,
    /// Per-op metadata keyed by digest.
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: BTreeMap<String, OpMetadata>,
    /// Source map (Go spells the field `Source`).
    #[serde(
        rename = "Source",
        alias = "source",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<SourceMapJson>,
}

/// JSON form of `pb.OpMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpMetadata {
    /// Never cache this op.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_cache: bool,
    /// Description map (`llb.customname`, …).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub description: BTreeMap<String, String>,
    /// Export-cache override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_cache: Option<ExportCache>,
    /// Caps the op needs (Go always writes this key).
    #[serde(default, deserialize_with = "null_as_default")]
    pub caps: BTreeMap<String, bool>,
    /// Progress group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_group: Option<ProgressGroup>,
}

/// JSON form of `pb.ExportCache`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCache {
    /// Whether to export.
    #[serde(rename = "Value", default, skip_serializing_if = "std::ops::Not::not")]
    pub value: bool,
}

/// JSON form of `pb.ProgressGroup`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressGroup {
    /// Group id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Group name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Weak grouping.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub weak: bool,
}

/// JSON form of `pb.Source` (the source map inside a definition).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceMapJson {
    /// Locations keyed by op digest.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub locations: BTreeMap<String, Locations>,
    /// The files referenced by `sourceIndex`.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub infos: Vec<SourceInfo>,
}

/// JSON form of `pb.Locations`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locations {
    /// The locations of one op.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub locations: Vec<Location>,
}

/// JSON form of `pb.Location`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Index into `infos`.
    #[serde(rename = "sourceIndex", default, skip_serializing_if = "is_zero")]
    pub source_index: i32,
    /// Ranges in that file.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
}

/// Go writes `null` for nil maps and slices; read it as empty.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(value: &i32) -> bool {
    *value == 0
}

mod base64_bytes {
    use super::{Deserialize, Deserializer, STANDARD, Serializer};
    use base64::Engine as _;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        // Go writes `null` for a nil slice.
        let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

mod base64_list {
    use super::{Deserialize, Deserializer, STANDARD, Serialize, Serializer};
    use base64::Engine as _;

    #[allow(clippy::ptr_arg)] // serde's `with` passes `&Vec<_>`
    pub fn serialize<S: Serializer>(list: &Vec<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
        let encoded: Vec<String> = list.iter().map(|bytes| STANDARD.encode(bytes)).collect();
        encoded.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<u8>>, D::Error> {
        let list = Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default();
        list.into_iter()
            .map(|text| STANDARD.decode(text).map_err(serde::de::Error::custom))
            .collect()
    }
}

impl From<&ops::SourceInfo> for SourceInfo {
    fn from(info: &ops::SourceInfo) -> Self {
        Self {
            filename: info.filename.clone(),
            data: info.data.clone(),
            definition: info.definition.as_ref().map(Definition::from),
            language: info.language.clone(),
        }
    }
}

impl From<&SourceInfo> for ops::SourceInfo {
    fn from(info: &SourceInfo) -> Self {
        Self {
            filename: info.filename.clone(),
            data: info.data.clone(),
            definition: info.definition.as_ref().map(ops::Definition::from),
            language: info.language.clone(),
        }
    }
}

impl From<&ops::Range> for Range {
    fn from(range: &ops::Range) -> Self {
        let position = |p: Option<&ops::Position>| {
            p.map_or_else(Position::default, |p| Position {
                line: p.line,
                character: p.character,
            })
        };
        Self {
            start: position(range.start.as_ref()),
            end: position(range.end.as_ref()),
        }
    }
}

impl From<&Range> for ops::Range {
    fn from(range: &Range) -> Self {
        Self {
            start: Some(ops::Position {
                line: range.start.line,
                character: range.start.character,
            }),
            end: Some(ops::Position {
                line: range.end.line,
                character: range.end.character,
            }),
        }
    }
}

impl From<&ops::Definition> for Definition {
    fn from(def: &ops::Definition) -> Self {
        Self {
            def: def.def.clone(),
            metadata: def
                .metadata
                .iter()
                .map(|(digest, md)| {
                    let md = OpMetadata {
                        ignore_cache: md.ignore_cache,
                        description: md.description.clone(),
                        export_cache: md.export_cache.map(|e| ExportCache { value: e.value }),
                        caps: md.caps.clone(),
                        progress_group: md.progress_group.as_ref().map(|g| ProgressGroup {
                            id: g.id.clone(),
                            name: g.name.clone(),
                            weak: g.weak,
                        }),
                    };
                    (digest.clone(), md)
                })
                .collect(),
            source: def.source.as_ref().map(|source| SourceMapJson {
                locations: source
                    .locations
                    .iter()
                    .map(|(digest, locs)| {
                        let locs = Locations {
                            locations: locs
                                .locations
                                .iter()
                                .map(|l| Location {
                                    source_index: l.source_index,
                                    ranges: l.ranges.iter().map(Range::from).collect(),
                                })
                                .collect(),
                        };
                        (digest.clone(), locs)
                    })
                    .collect(),
                infos: source.infos.iter().map(SourceInfo::from).collect(),
            }),
        }
    }
}

impl From<&Definition> for ops::Definition {
    fn from(def: &Definition) -> Self {
        Self {
            def: def.def.clone(),
            metadata: def
                .metadata
                .iter()
                .map(|(digest, md)| {
                    let md = ops::OpMetadata {
                        ignore_cache: md.ignore_cache,
                        description: md.description.clone(),
                        export_cache: md.export_cache.map(|e| ops::ExportCache { value: e.value }),
                        caps: md.caps.clone(),
                        progress_group: md.progress_group.as_ref().map(|g| ops::ProgressGroup {
                            id: g.id.clone(),
                            name: g.name.clone(),
                            weak: g.weak,
                        }),
                    };
                    (digest.clone(), md)
                })
                .collect(),
            source: def.source.as_ref().map(|source| ops::Source {
                locations: source
                    .locations
                    .iter()
                    .map(|(digest, locs)| {
                        let locs = ops::Locations {
                            locations: locs
                                .locations
                                .iter()
                                .map(|l| ops::Location {
                                    source_index: l.source_index,
                                    ranges: l.ranges.iter().map(ops::Range::from).collect(),
                                })
                                .collect(),
                        };
                        (digest.clone(), locs)
                    })
                    .collect(),
                infos: source.infos.iter().map(ops::SourceInfo::from).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn source_any_has_buildkit_type_url_and_go_json_shape() {
        let any = source_any(
            "Dockerfile",
            b"FROM alpine\nRUN false\n",
            &[((2, 0), (2, 0))],
        );
        assert_eq!(any.type_url, "github.com/moby/buildkit/errdefs.Source+json");
        let json: serde_json::Value = serde_json::from_slice(&any.value).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "info": {
                    "filename": "Dockerfile",
                    "data": "RlJPTSBhbHBpbmUKUlVOIGZhbHNlCg==",
                    "language": "Dockerfile"
                },
                "ranges": [{"start": {"line": 2}, "end": {"line": 2}}]
            })
        );
        // Field order matches Go's struct order, which keeps the bytes stable.
        assert_eq!(
            String::from_utf8(any.value.clone()).unwrap(),
            r#"{"info":{"filename":"Dockerfile","data":"RlJPTSBhbHBpbmUKUlVOIGZhbHNlCg==","language":"Dockerfile"},"ranges":[{"start":{"line":2},"end":{"line":2}}]}"#
        );
        let back = Source::from_any(&any).unwrap();
        assert_eq!(back.info.unwrap().data, b"FROM alpine\nRUN false\n");
        assert_eq!(back.ranges[0].start.line, 2);
    }

    #[test]
    fn source_keeps_zero_positions_as_empty_objects() {
        let source = Source::new("Dockerfile", b"", &[((0, 0), (0, 0))]);
        let json = serde_json::to_value(&source).unwrap();
        assert_eq!(
            json["ranges"][0],
            serde_json::json!({"start": {}, "end": {}})
        );
    }

    #[test]
    fn from_any_rejects_other_type_urls_and_bad_json() {
        let any = Subrequest {
            name: "frontend.nope".into(),
        }
        .to_any();
        assert_eq!(
            any.type_url,
            "github.com/moby/buildkit/errdefs.Subrequest+json"
        );
        assert_eq!(any.value, br#"{"name":"frontend.nope"}"#);
        assert!(matches!(
            Source::from_any(&any),
            Err(DetailError::TypeUrl { .. })
        ));
        let broken = Any {
            type_url: Source::TYPE_URL.into(),
            value: b"{".to_vec(),
        };
        assert!(matches!(
            Source::from_any(&broken),
            Err(DetailError::Json { .. })
        ));
    }

    #[test]
    fn go_json_with_nulls_and_definition_decodes() {
        let go = br#"{"info":{"filename":"Dockerfile","data":"eA==","definition":{"def":["CgA="],"metadata":{"sha256:x":{"caps":null,"description":{"llb.customname":"n"}}},"Source":null},"language":"Dockerfile"},"ranges":[{"start":{"line":1},"end":{"line":1,"character":3}}]}"#;
        let any = Any {
            type_url: Source::TYPE_URL.into(),
            value: go.to_vec(),
        };
        // Go writes `"caps":null` for a nil map.
        let parsed = Source::from_any(&any);
        let source = parsed.unwrap();
        let info = ops::SourceInfo::from(source.info.as_ref().unwrap());
        let def = info.definition.unwrap();
        assert_eq!(def.def, vec![vec![0x0a, 0x00]]);
        assert_eq!(def.metadata["sha256:x"].description["llb.customname"], "n");
        assert_eq!(source.ranges[0].end.character, 3);
    }

    #[test]
    fn proto_round_trip_through_json_model() {
        let info = ops::SourceInfo {
            filename: "Dockerfile".into(),
            data: b"FROM scratch\n".to_vec(),
            definition: Some(ops::Definition {
                def: vec![vec![1, 2, 3]],
                ..ops::Definition::default()
            }),
            language: "Dockerfile".into(),
        };
        let ranges = [ops::Range {
            start: Some(ops::Position {
                line: 1,
                character: 0,
            }),
            end: Some(ops::Position {
                line: 1,
                character: 12,
            }),
        }];
        let source = Source::from_proto(&info, &ranges);
        let back = Source::from_any(&source.to_any()).unwrap();
        assert_eq!(ops::SourceInfo::from(back.info.as_ref().unwrap()), info);
        assert_eq!(ops::Range::from(&back.ranges[0]), ranges[0]);
    }
}
