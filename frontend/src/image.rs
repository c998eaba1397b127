//! The frontend image as a `docker load` tarball: `FROM scratch` plus the static binary.
//!
//! Layout (Docker's classic save format): `manifest.json`, `<config sha256>.json` and
//! `<diff id>/layer.tar`. Every timestamp and owner is fixed, so the same binary always gives the
//! same layer digest and image id.

use std::io::{self, Write};

use sha2::{Digest as _, Sha256};

/// Where the binary lives in the image.
pub const BINARY_PATH: &str = "/hardfile";
/// Label BuildKit checks before starting a frontend for `--print`/`--call`, inputs and
/// `--build-context`.
pub const CAPS_LABEL: &str = "moby.buildkit.frontend.caps";
/// The frontend capabilities we advertise.
pub const CAPS_VALUE: &str = "moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts";
/// Label that makes BuildKit run the frontend without network.
pub const NETWORK_NONE_LABEL: &str = "moby.buildkit.frontend.network.none";

/// The fixed timestamp of every file and of the image (the Unix epoch).
const EPOCH_RFC3339: &str = "1970-01-01T00:00:00Z";

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendImage {
    /// Image id: `sha256:` of the config JSON.
    pub image_id: String,
    /// `sha256:` of the uncompressed layer tar.
    pub diff_id: String,
    /// The config JSON.
    pub config: Vec<u8>,
    /// The tag recorded in `RepoTags`.
    pub tag: String,
}

/// The architecture name OCI uses for the platform this binary was built for.
pub fn oci_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

fn sha256_id(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn header(path: &str, size: usize, mode: u32) -> io::Result<tar::Header> {
    let mut header = tar::Header::new_ustar();
    header.set_path(path)?;
    header.set_size(size as u64);
    header.set_mode(mode);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    Ok(header)
}

fn append(
    builder: &mut tar::Builder<impl Write>,
    path: &str,
    data: &[u8],
    mode: u32,
) -> io::Result<()> {
    let header = header(path, data.len(), mode)?;
    builder.append(&header, data)
}

/// The single layer: the binary at [`BINARY_PATH`], mode 0755, owned by root, mtime 0.
pub fn layer_tar(binary: &[u8]) -> io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    append(
        &mut builder,
        BINARY_PATH.trim_start_matches('/'),
        binary,
        0o755,
    )?;
    builder.into_inner()
}

/// The image config JSON for a layer with diff id `diff_id`.
pub fn image_config(diff_id: &str) -> Vec<u8> {
    let config = serde_json::json!({
        "architecture": oci_architecture(),
        "os": "linux",
        "created": EPOCH_RFC3339,
        "config": {
            "Entrypoint": [BINARY_PATH, "frontend"],
            "WorkingDir": "/",
            "Labels": {
                CAPS_LABEL: CAPS_VALUE,
                NETWORK_NONE_LABEL: "true",
            },
        },
        "rootfs": { "type": "layers", "diff_ids": [diff_id] },
        "history": [{
            "created": EPOCH_RFC3339,
            "created_by": "hardfile image",
            "comment": "hardfile frontend binary",
        }],
    });
    config.to_string().into_bytes()
}

/// Writes the frontend image for `binary`, tagged `tag`, as a `docker load` tarball.
pub fn write_image_tarball(binary: &[u8], tag: &str, out: impl Write) -> io::Result<FrontendImage> {
    let layer = layer_tar(binary)?;
    let diff_id = sha256_id(&layer);
    let config = image_config(&diff_id);
    let image_id = sha256_id(&config);
    let config_name = format!("{}.json", image_id.trim_start_matches("sha256:"));
    let layer_name = format!("{}/layer.tar", diff_id.trim_start_matches("sha256:"));
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": [tag],
        "Layers": [layer_name],
    }])
    .to_string();

    let mut builder = tar::Builder::new(out);
    append(&mut builder, &config_name, &config, 0o644)?;
    append(&mut builder, &layer_name, &layer, 0o644)?;
    append(&mut builder, "manifest.json", manifest.as_bytes(), 0o644)?;
    builder.into_inner()?.flush()?;

    Ok(FrontendImage {
        image_id,
        diff_id,
        config,
        tag: tag.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read as _;

    use super::*;

    fn entries(tarball: &[u8]) -> BTreeMap<String, (Vec<u8>, tar::Header)> {
        let mut archive = tar::Archive::new(tarball);
        let mut out = BTreeMap::new();
        for entry in archive.entries().expect("entries") {
            let mut entry = entry.expect("entry");
            let path = entry.path().expect("path").to_string_lossy().into_owned();
            let header = entry.header().clone();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("read");
            out.insert(path, (data, header));
        }
        out
    }

    #[test]
    fn tarball_loads_with_consistent_digests() {
        let binary = b"\x7fELF fake static binary".to_vec();
        let mut tarball = Vec::new();
        let image = write_image_tarball(&binary, "hardfile:dev", &mut tarball).expect("write");
        let files = entries(&tarball);

        let manifest: serde_json::Value =
            serde_json::from_slice(&files["manifest.json"].0).expect("manifest json");
        let config_name = manifest[0]["Config"].as_str().expect("Config");
        let layer_name = manifest[0]["Layers"][0].as_str().expect("Layers");
        assert_eq!(manifest[0]["RepoTags"], serde_json::json!(["hardfile:dev"]));

        let config_bytes = &files[config_name].0;
        assert_eq!(
            format!("sha256:{}", config_name.trim_end_matches(".json")),
            image.image_id
        );
        assert_eq!(sha256_id(config_bytes), image.image_id);

        let layer = &files[layer_name].0;
        assert_eq!(sha256_id(layer), image.diff_id);
        let config: serde_json::Value = serde_json::from_slice(config_bytes).expect("config json");
        assert_eq!(config["rootfs"]["diff_ids"][0], image.diff_id.as_str());
        assert_eq!(config["rootfs"]["type"], "layers");
        assert_eq!(config["os"], "linux");
        assert_eq!(
            config["config"]["Entrypoint"],
            serde_json::json!(["/hardfile", "frontend"])
        );
        assert_eq!(config["config"]["Labels"][CAPS_LABEL], CAPS_VALUE);
        assert_eq!(config["config"]["Labels"][NETWORK_NONE_LABEL], "true");

        let layer_files = entries(layer);
        let (data, header) = &layer_files["hardfile"];
        assert_eq!(data, &binary);
        assert_eq!(header.mode().expect("mode"), 0o755);
        assert_eq!(header.mtime().expect("mtime"), 0);
        assert_eq!(header.uid().expect("uid"), 0);
    }

    #[test]
    fn same_binary_same_bytes() {
        let mut first = Vec::new();
        let mut second = Vec::new();
        let a = write_image_tarball(b"bin", "t:1", &mut first).expect("write");
        let b = write_image_tarball(b"bin", "t:1", &mut second).expect("write");
        assert_eq!(a, b);
        assert_eq!(first, second);
        let mut other = Vec::new();
        let c = write_image_tarball(b"bin2", "t:1", &mut other).expect("write");
        assert_ne!(a.image_id, c.image_id);
    }
}
