//! What a build hands back to BuildKit through `Return`.

use std::collections::{BTreeMap, HashMap};

use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    self as gw, RefMap, RefMapDeprecated, result::Result as PbResultRefs,
};

/// Metadata key: image config JSON for a single-platform result.
pub const META_IMAGE_CONFIG: &str = "containerimage.config";
/// Metadata key: base image config JSON.
pub const META_BASE_IMAGE_CONFIG: &str = "containerimage.base.config";
/// Metadata key: platforms of a per-platform result (`{"Platforms":[{"ID":…,"Platform":…}]}`).
pub const META_REFS_PLATFORMS: &str = "refs.platforms";
/// Metadata key: `SOURCE_DATE_EPOCH` in decimal unix seconds.
pub const META_SOURCE_DATE_EPOCH: &str = "source.date.epoch";
/// Metadata key: a subrequest's JSON answer.
pub const META_RESULT_JSON: &str = "result.json";
/// Metadata key: a subrequest's human-readable answer.
pub const META_RESULT_TXT: &str = "result.txt";
/// Metadata key: a subrequest's exit status (`"0"` / `"1"`).
pub const META_RESULT_STATUS_CODE: &str = "result.statuscode";
/// Metadata key: the version of a subrequest's answer format.
pub const META_VERSION: &str = "version";

/// The filesystem part of a result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ResultRefs {
    /// No filesystem: a metadata-only answer (subrequests) or an empty image.
    #[default]
    None,
    /// One reference id, obtained from an earlier `Solve`.
    Single(String),
    /// One reference id per key (platform id), for multi-platform results.
    PerPlatform(BTreeMap<String, String>),
}

/// A build's result: references from earlier solves plus exporter metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildResult {
    /// The filesystem(s).
    pub refs: ResultRefs,
    /// Exporter metadata (`containerimage.config`, `result.json`, …).
    pub metadata: BTreeMap<String, Vec<u8>>,
}

impl BuildResult {
    /// A result made of one solved reference.
    pub fn single(reference: impl Into<String>) -> Self {
        Self {
            refs: ResultRefs::Single(reference.into()),
            metadata: BTreeMap::new(),
        }
    }

    /// A metadata-only result (subrequest answers).
    pub fn metadata_only() -> Self {
        Self::default()
    }

    /// Adds one metadata entry.
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The wire form. `ref_array` is whether the daemon has `proto.refarray`; without it the
    /// deprecated string refs are used, as BuildKit's Go client does.
    pub fn to_pb(&self, ref_array: bool) -> gw::Result {
        let metadata: HashMap<String, Vec<u8>> = self
            .metadata
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let refs = match (&self.refs, ref_array) {
            // "No ref" travels as an empty id, which BuildKit reads as a scratch result.
            (ResultRefs::None, true) => PbResultRefs::Ref(gw::Ref::default()),
            (ResultRefs::None, false) => PbResultRefs::RefDeprecated(String::new()),
            (ResultRefs::Single(id), true) => PbResultRefs::Ref(gw::Ref {
                id: id.clone(),
                def: None,
            }),
            (ResultRefs::Single(id), false) => PbResultRefs::RefDeprecated(id.clone()),
            (ResultRefs::PerPlatform(map), true) => PbResultRefs::Refs(RefMap {
                refs: map
                    .iter()
                    .map(|(key, id)| {
                        (
                            key.clone(),
                            gw::Ref {
                                id: id.clone(),
                                def: None,
                            },
                        )
                    })
                    .collect(),
            }),
            (ResultRefs::PerPlatform(map), false) => {
                PbResultRefs::RefsDeprecated(RefMapDeprecated {
                    refs: map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                })
            }
        };
        gw::Result {
            metadata,
            attestations: HashMap::new(),
            result: Some(refs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ref_uses_ref_field_when_supported() {
        let result = BuildResult::single("r1").with_metadata(META_IMAGE_CONFIG, b"{}".to_vec());
        let pb = result.to_pb(true);
        assert_eq!(pb.metadata[META_IMAGE_CONFIG], b"{}");
        assert!(matches!(pb.result, Some(PbResultRefs::Ref(ref r)) if r.id == "r1"));
        let old = result.to_pb(false);
        assert!(matches!(old.result, Some(PbResultRefs::RefDeprecated(ref id)) if id == "r1"));
    }

    #[test]
    fn metadata_only_sends_an_empty_ref() {
        let pb = BuildResult::metadata_only().to_pb(true);
        assert!(matches!(pb.result, Some(PbResultRefs::Ref(ref r)) if r.id.is_empty()));
    }

    #[test]
    fn per_platform_refs() {
        let result = BuildResult {
            refs: ResultRefs::PerPlatform(BTreeMap::from([("linux/amd64".into(), "r1".into())])),
            metadata: BTreeMap::new(),
        };
        assert!(
            matches!(result.to_pb(true).result, Some(PbResultRefs::Refs(ref m)) if m.refs["linux/amd64"].id == "r1")
        );
        assert!(
            matches!(result.to_pb(false).result, Some(PbResultRefs::RefsDeprecated(ref m)) if m.refs["linux/amd64"] == "r1")
        );
    }
}
