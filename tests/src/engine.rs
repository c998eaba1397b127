//! Real-engine test helpers: find the engine, build and load hardfile's frontend image, build a
//! context with the stock Dockerfile frontend or with hardfile, and compare the resulting images
//! (config fields and root filesystem) with a readable diff.
//!
//! Engine policy: with `HARDFILE_REQUIRE_ENGINE=1` (set by `scripts/test`, so by CI) a missing
//! engine is a test failure; otherwise the test prints why it skips and passes.
//!
//! Environment:
//! - `HARDFILE_TEST_FRONTEND_IMAGE`: use this frontend image as is (no cargo build, no load).
//! - `HARDFILE_DIFF_FRONTEND=stock`: build side (b) with the stock frontend too; proves the
//!   harness itself (every case must then be identical).
//! - `HARDFILE_TEST_KEEP_IMAGES=1`: keep the built images even when a comparison passes.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use sha2::{Digest as _, Sha256};

/// The busybox base image `scripts/engine` makes.
pub const DEFAULT_BUSYBOX: &str = "localhost/hardfile/busybox:latest";
/// The Debian base image `scripts/engine` makes.
pub const DEFAULT_DEBIAN: &str = "localhost/hardfile/debian:bookworm";

/// Rust target of the static frontend binary (glibc, `+crt-static`).
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The workspace root (the parent of this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `HARDFILE_TEST_BUSYBOX` or the default.
pub fn busybox_image() -> String {
    std::env::var("HARDFILE_TEST_BUSYBOX").unwrap_or_else(|_| DEFAULT_BUSYBOX.to_owned())
}

/// `HARDFILE_TEST_DEBIAN` or the default.
pub fn debian_image() -> String {
    std::env::var("HARDFILE_TEST_DEBIAN").unwrap_or_else(|_| DEFAULT_DEBIAN.to_owned())
}

fn engine_required() -> bool {
    std::env::var("HARDFILE_REQUIRE_ENGINE").is_ok_and(|v| v == "1")
}

/// Why the engine cannot be used, or `None` when it answers and has the base images.
fn engine_problem() -> Option<String> {
    static PROBLEM: OnceLock<Option<String>> = OnceLock::new();
    PROBLEM
        .get_or_init(|| {
            match Command::new("docker")
                .args(["info", "--format", "{{.ServerVersion}}"])
                .stdin(Stdio::null())
                .output()
            {
                Err(err) => return Some(format!("cannot run the docker CLI: {err}")),
                Ok(out) if !out.status.success() => {
                    return Some(format!(
                        "no Docker Engine answers (`docker info`: {})",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
                Ok(_) => {}
            }
            for image in [busybox_image(), debian_image()] {
                if image_id(&image).is_none() {
                    return Some(format!(
                        "base image {image} is missing; run scripts/engine to create it"
                    ));
                }
            }
            None
        })
        .clone()
}

/// True when the engine can be used. When it cannot: panics under `HARDFILE_REQUIRE_ENGINE=1`,
/// otherwise prints the reason and returns false (the caller returns early, i.e. skips).
pub fn require_engine(test: &str) -> bool {
    match engine_problem() {
        None => true,
        Some(problem) if engine_required() => panic!(
            "{test}: HARDFILE_REQUIRE_ENGINE=1 but the engine is unusable: {problem}\n\
             (run scripts/engine, or unset HARDFILE_REQUIRE_ENGINE to skip engine tests)"
        ),
        Some(problem) => {
            eprintln!("SKIPPED {test}: {problem} (HARDFILE_REQUIRE_ENGINE is not 1)");
            false
        }
    }
}

/// The local id of an image, or `None`.
pub fn image_id(reference: &str) -> Option<String> {
    let out = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", reference])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn run(command: &mut Command, what: &str) -> Result<Output, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("{what}: cannot start: {err}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Path of the static release binary the frontend image is made from.
pub fn static_binary_path() -> PathBuf {
    repo_root()
        .join("target/engine-frontend")
        .join(STATIC_TARGET)
        .join("release/hardfile")
}

/// Builds the static `hardfile` binary (cached in `target/engine-frontend`; cargo's lock makes
/// concurrent test processes wait for one build).
pub fn build_static_binary() -> Result<PathBuf, String> {
    let root = repo_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(&root)
        .args(["build", "--release", "--quiet", "--target", STATIC_TARGET])
        .args(["-p", "hardfile"])
        .env("CARGO_TARGET_DIR", root.join("target/engine-frontend"))
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        // Tests rebuild this binary whenever the converter changes: trade speed of the
        // frontend (irrelevant here) for build time. `scripts/bench-frontend` and the README
        // build use the real release profile.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true");
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(var);
    }
    run(&mut command, "static build of hardfile")?;
    Ok(static_binary_path())
}

/// The frontend image under test: `HARDFILE_TEST_FRONTEND_IMAGE`, or the static binary built
/// here and loaded as the content-addressed tag `hardfile:t-<12 hex of the image id>` (also
/// tagged `hardfile:test`). Computed once per process.
pub fn frontend_image() -> Result<String, String> {
    static IMAGE: OnceLock<Result<String, String>> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            if let Ok(image) = std::env::var("HARDFILE_TEST_FRONTEND_IMAGE")
                && !image.is_empty()
            {
                return Ok(image);
            }
            let binary_path = build_static_binary()?;
            let binary = std::fs::read(&binary_path)
                .map_err(|err| format!("cannot read {}: {err}", binary_path.display()))?;
            load_frontend_image(&binary)
        })
        .clone()
}

/// Loads `binary` as the frontend image (unless the engine already has it) and returns its tag.
pub fn load_frontend_image(binary: &[u8]) -> Result<String, String> {
    let probe = hardfile_frontend::image::write_image_tarball(binary, "x", std::io::sink())
        .map_err(|err| format!("cannot compute the frontend image: {err}"))?;
    let short = &probe.image_id.trim_start_matches("sha256:")[..12];
    let tag = format!("hardfile:t-{short}");
    if image_id(&tag).as_deref() != Some(probe.image_id.as_str()) {
        let mut tarball = Vec::new();
        hardfile_frontend::image::write_image_tarball(binary, &tag, &mut tarball)
            .map_err(|err| format!("cannot write the frontend image: {err}"))?;
        let mut child = Command::new("docker")
            .arg("load")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("cannot run docker load: {err}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            std::io::Write::write_all(&mut stdin, &tarball)
                .map_err(|err| format!("cannot write to docker load: {err}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|err| format!("docker load: {err}"))?;
        if !out.status.success() {
            return Err(format!(
                "docker load failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    // A convenience name for humans; tests use the content-addressed tag.
    let _ = Command::new("docker")
        .args(["tag", &tag, "hardfile:test"])
        .output();
    Ok(tag)
}

/// Which frontend builds a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontendChoice {
    /// The engine's built-in Dockerfile frontend.
    Stock,
    /// `--build-arg BUILDKIT_SYNTAX=<image>`.
    SyntaxArg(String),
    /// A `# syntax=<image>` first line added to (a copy of) the Dockerfile.
    SyntaxLine(String),
}

impl FrontendChoice {
    /// Short name for tags and messages.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Stock => "stock",
            Self::SyntaxArg(_) => "hardfile",
            Self::SyntaxLine(_) => "hardfile-syntax",
        }
    }
}

/// One `docker buildx build`.
#[derive(Debug, Clone)]
pub struct BuildSpec {
    /// The build context directory.
    pub context: PathBuf,
    /// The Dockerfile, relative to the context (default `Dockerfile`).
    pub dockerfile: String,
    /// Extra `docker buildx build` arguments (before the context).
    pub args: Vec<String>,
    /// Extra environment for the docker client (e.g. `SOURCE_DATE_EPOCH`).
    pub env: Vec<(String, String)>,
    /// The frontend.
    pub frontend: FrontendChoice,
    /// Tag for the result.
    pub tag: String,
}

impl BuildSpec {
    /// A build of `context/Dockerfile` tagged `tag` by `frontend`.
    pub fn new(
        context: impl Into<PathBuf>,
        tag: impl Into<String>,
        frontend: FrontendChoice,
    ) -> Self {
        Self {
            context: context.into(),
            dockerfile: "Dockerfile".to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            frontend,
            tag: tag.into(),
        }
    }
}

/// What a build gave.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    /// The image id when the build succeeded.
    pub image_id: Option<String>,
    /// Plain progress output and errors (`--progress=plain` writes both to stderr).
    pub output: String,
    /// The command, for messages.
    pub command: String,
}

impl BuildOutcome {
    /// The image id, or an error with the build output.
    pub fn image(&self) -> Result<&str, String> {
        self.image_id
            .as_deref()
            .ok_or_else(|| format!("build failed: {}\n{}", self.command, tail(&self.output, 60)))
    }
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs the build (`--network=none`, plain progress, image id through `--iidfile`).
pub fn docker_build(spec: &BuildSpec) -> Result<BuildOutcome, String> {
    let scratch = tempfile::tempdir().map_err(|err| format!("tempdir: {err}"))?;
    let iidfile = scratch.path().join("iid");
    let mut context = spec.context.clone();
    let mut command = Command::new("docker");
    command
        .args(["buildx", "build", "--progress=plain", "--network=none"])
        .arg("--iidfile")
        .arg(&iidfile)
        .args(["-t", &spec.tag]);
    match &spec.frontend {
        FrontendChoice::Stock => {}
        FrontendChoice::SyntaxArg(image) => {
            command
                .arg("--build-arg")
                .arg(format!("BUILDKIT_SYNTAX={image}"));
        }
        FrontendChoice::SyntaxLine(image) => {
            // A copy of the context whose Dockerfile starts with the syntax directive.
            let copy = scratch.path().join("context");
            copy_dir(&spec.context, &copy)?;
            let path = copy.join(&spec.dockerfile);
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            std::fs::write(&path, format!("# syntax={image}\n{text}"))
                .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            context = copy;
        }
    }
    command.arg("-f").arg(context.join(&spec.dockerfile));
    command.args(&spec.args).arg(&context);
    command.env("DOCKER_BUILDKIT", "1");
    for (key, value) in &spec.env {
        command.env(key, value);
    }
    let mut rendered = String::new();
    for (key, value) in &spec.env {
        let _ = write!(rendered, "{key}={value} ");
    }
    let rendered = format!(
        "{rendered}docker {}",
        command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run docker buildx build: {err}"))?;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let image_id = if out.status.success() {
        Some(
            std::fs::read_to_string(&iidfile)
                .map_err(|err| format!("build succeeded but left no image id: {err}\n{output}"))?
                .trim()
                .to_owned(),
        )
    } else {
        None
    };
    Ok(BuildOutcome {
        image_id,
        output,
        command: rendered,
    })
}

/// Checks that BuildKit really started `choice`'s frontend image (it resolves the image's
/// config first); a no-op for the stock frontend.
pub fn check_frontend_used(outcome: &BuildOutcome, choice: &FrontendChoice) -> Result<(), String> {
    let (FrontendChoice::SyntaxArg(image) | FrontendChoice::SyntaxLine(image)) = choice else {
        return Ok(());
    };
    let name = if image.contains('/') {
        image.clone()
    } else {
        format!("docker.io/library/{image}")
    };
    let wanted = format!("resolve image config for docker-image://{name}");
    if outcome.output.contains(&wanted) {
        Ok(())
    } else {
        Err(format!(
            "the build did not go through {image} (no `{wanted}` in the output):\n{}",
            tail(&outcome.output, 30)
        ))
    }
}

/// Base images of a Dockerfile that would need a registry: every `FROM` image that is not
/// `scratch`, an earlier stage, or a `localhost/` image (global `ARG` defaults are expanded).
/// Empty when the Dockerfile builds offline on the local images.
pub fn non_local_bases(dockerfile: &str) -> Vec<String> {
    let mut args: BTreeMap<String, String> = BTreeMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut remote = Vec::new();
    let mut seen_from = false;
    for line in dockerfile.lines() {
        let mut words = line.split_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        if keyword.eq_ignore_ascii_case("ARG") && !seen_from {
            for word in words {
                if let Some((name, value)) = word.split_once('=') {
                    args.insert(name.to_owned(), value.trim_matches('"').to_owned());
                }
            }
        } else if keyword.eq_ignore_ascii_case("FROM") {
            seen_from = true;
            let rest: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
            let Some(image) = rest.first() else { continue };
            let mut image = (*image).to_owned();
            for (name, value) in &args {
                image = image
                    .replace(&format!("${{{name}}}"), value)
                    .replace(&format!("${name}"), value);
            }
            let local = image == "scratch"
                || image.starts_with("localhost/")
                || stages
                    .iter()
                    .any(|stage| stage.eq_ignore_ascii_case(&image));
            if !local {
                remote.push(image);
            }
            if rest.len() >= 3 && rest[1].eq_ignore_ascii_case("AS") {
                stages.push(rest[2].to_owned());
            }
        }
    }
    remote
}

/// Recursively copies `from` to `to` (files, directories, symlinks; modes kept).
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let err = |what: &Path, e: std::io::Error| format!("copy {}: {e}", what.display());
    std::fs::create_dir_all(to).map_err(|e| err(to, e))?;
    let meta = std::fs::metadata(from).map_err(|e| err(from, e))?;
    std::fs::set_permissions(to, meta.permissions()).map_err(|e| err(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| err(from, e))? {
        let entry = entry.map_err(|e| err(from, e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| err(&source, e))?;
        if kind.is_dir() {
            copy_dir(&source, &target)?;
        } else if kind.is_symlink() {
            let link = std::fs::read_link(&source).map_err(|e| err(&source, e))?;
            std::os::unix::fs::symlink(link, &target).map_err(|e| err(&target, e))?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| err(&source, e))?;
        }
    }
    Ok(())
}

/// Removes images (errors ignored).
pub fn remove_images(references: &[&str]) {
    if references.is_empty() {
        return;
    }
    let _ = Command::new("docker")
        .args(["image", "rm", "--force"])
        .args(references)
        .stdin(Stdio::null())
        .output();
}

/// Whether images should be kept after a passing comparison.
pub fn keep_images() -> bool {
    std::env::var("HARDFILE_TEST_KEEP_IMAGES").is_ok_and(|v| v == "1")
}

/// The image config fields the differential suite compares.
pub const CONFIG_FIELDS: &[&str] = &[
    "Env",
    "Cmd",
    "Entrypoint",
    "User",
    "WorkingDir",
    "ExposedPorts",
    "Labels",
    "Healthcheck",
    "Volumes",
    "StopSignal",
    "Shell",
    "OnBuild",
];

/// `docker image inspect`: the whole object.
pub fn inspect(image: &str) -> Result<serde_json::Value, String> {
    let out = run(
        Command::new("docker").args(["image", "inspect", "--format", "{{json .}}", image]),
        &format!("docker image inspect {image}"),
    )?;
    serde_json::from_slice(&out.stdout).map_err(|err| format!("inspect JSON of {image}: {err}"))
}

/// The compared config fields (`null`, missing, empty list and empty object are the same:
/// `docker image inspect` itself does not distinguish them consistently).
pub fn config_fields(inspect: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    CONFIG_FIELDS
        .iter()
        .map(|field| {
            let value = inspect
                .get("Config")
                .and_then(|config| config.get(*field))
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let value = match &value {
                serde_json::Value::Array(a) if a.is_empty() => serde_json::Value::Null,
                serde_json::Value::Object(o) if o.is_empty() => serde_json::Value::Null,
                serde_json::Value::String(s) if s.is_empty() => serde_json::Value::Null,
                _ => value,
            };
            ((*field).to_owned(), value)
        })
        .collect()
}

/// One filesystem entry as compared (no mtimes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsEntry {
    /// `file`, `dir`, `symlink`, `hardlink`, `char`, `block`, `fifo`.
    pub kind: &'static str,
    /// Permission bits including setuid/setgid/sticky.
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Symlink or hardlink target.
    pub link: Option<String>,
    /// sha256 of a regular file's content.
    pub sha256: Option<String>,
    /// Size of a regular file.
    pub size: u64,
    /// Extended attributes (PAX `SCHILY.xattr.*`), e.g. `security.capability`, as hex.
    pub xattrs: BTreeMap<String, String>,
}

impl fmt::Display for FsEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:04o} {}:{}",
            self.kind, self.mode, self.uid, self.gid
        )?;
        if let Some(link) = &self.link {
            write!(f, " -> {link}")?;
        }
        if let Some(hash) = &self.sha256 {
            write!(f, " {} bytes sha256:{}", self.size, &hash[..12])?;
        }
        for (key, value) in &self.xattrs {
            write!(f, " xattr {key}={value}")?;
        }
        Ok(())
    }
}

/// A root filesystem: absolute path → entry.
pub type Filesystem = BTreeMap<String, FsEntry>;

fn normalize_path(raw: &str) -> String {
    let trimmed = raw.trim_start_matches("./").trim_matches('/');
    format!("/{trimmed}")
}

/// Walks a tar stream into a [`Filesystem`].
pub fn read_tar(reader: impl std::io::Read) -> Result<Filesystem, String> {
    let mut archive = tar::Archive::new(reader);
    let mut fs = Filesystem::new();
    for entry in archive.entries().map_err(|err| format!("tar: {err}"))? {
        let mut entry = entry.map_err(|err| format!("tar entry: {err}"))?;
        let path = normalize_path(
            &entry
                .path()
                .map_err(|err| format!("tar path: {err}"))?
                .to_string_lossy(),
        );
        let header = entry.header().clone();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => "file",
            tar::EntryType::Directory => "dir",
            tar::EntryType::Symlink => "symlink",
            tar::EntryType::Link => "hardlink",
            tar::EntryType::Char => "char",
            tar::EntryType::Block => "block",
            tar::EntryType::Fifo => "fifo",
            _ => "other",
        };
        let link = entry
            .link_name()
            .map_err(|err| format!("tar link of {path}: {err}"))?
            .map(|l| {
                let l = l.to_string_lossy().into_owned();
                if kind == "hardlink" {
                    normalize_path(&l)
                } else {
                    l
                }
            });
        let mut xattrs = BTreeMap::new();
        if let Some(extensions) = entry
            .pax_extensions()
            .map_err(|err| format!("tar pax of {path}: {err}"))?
        {
            for ext in extensions.flatten() {
                if let Some(name) = ext.key().ok().and_then(|k| k.strip_prefix("SCHILY.xattr.")) {
                    xattrs.insert(name.to_owned(), hex::encode(ext.value_bytes()));
                }
            }
        }
        let (sha256, size) = if kind == "file" {
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            let mut size = 0u64;
            loop {
                let n = entry
                    .read(&mut buf)
                    .map_err(|err| format!("tar read {path}: {err}"))?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                hasher.update(&buf[..n]);
            }
            (Some(hex::encode(hasher.finalize())), size)
        } else {
            (None, 0)
        };
        fs.insert(
            path,
            FsEntry {
                kind,
                mode: header.mode().map_err(|err| format!("tar mode: {err}"))? & 0o7777,
                uid: header.uid().map_err(|err| format!("tar uid: {err}"))?,
                gid: header.gid().map_err(|err| format!("tar gid: {err}"))?,
                link,
                sha256,
                size,
                xattrs,
            },
        );
    }
    Ok(fs)
}

/// The root filesystem of `image`: `docker create` + `docker export`, walked as a tar.
pub fn export_filesystem(image: &str) -> Result<Filesystem, String> {
    // The command is never run; it only lets `docker create` accept images without CMD.
    let out = run(
        Command::new("docker").args([
            "create",
            "--network",
            "none",
            "--entrypoint",
            "/hardfile-never-runs",
            image,
        ]),
        &format!("docker create {image}"),
    )?;
    let container = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let result = (|| {
        let mut child = Command::new("docker")
            .args(["export", &container])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("docker export: {err}"))?;
        let stdout = child.stdout.take().ok_or("docker export: no stdout")?;
        let fs = read_tar(stdout);
        let out = child
            .wait_with_output()
            .map_err(|err| format!("docker export: {err}"))?;
        if !out.status.success() {
            return Err(format!(
                "docker export failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        fs
    })();
    let _ = Command::new("docker")
        .args(["rm", "--force", &container])
        .stdin(Stdio::null())
        .output();
    result
}

/// Everything compared about one image.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Image id.
    pub id: String,
    /// The compared config fields.
    pub config: BTreeMap<String, serde_json::Value>,
    /// `Created`, `Architecture`, `Os`: compared only when asked.
    pub created: serde_json::Value,
    /// The root filesystem.
    pub fs: Filesystem,
}

/// Inspects and exports `image`.
pub fn snapshot(image: &str) -> Result<Snapshot, String> {
    let inspected = inspect(image)?;
    Ok(Snapshot {
        id: image.to_owned(),
        config: config_fields(&inspected),
        created: inspected
            .get("Created")
            .cloned()
            .unwrap_or(serde_json::Value::Null),
        fs: export_filesystem(image)?,
    })
}

/// A readable list of differences between two snapshots (empty when identical).
pub fn diff_snapshots(
    a_name: &str,
    a: &Snapshot,
    b_name: &str,
    b: &Snapshot,
    compare_created: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (field, a_value) in &a.config {
        let b_value = b.config.get(field).unwrap_or(&serde_json::Value::Null);
        if a_value != b_value {
            lines.push(format!(
                "config {field}:\n    {a_name}: {a_value}\n    {b_name}: {b_value}"
            ));
        }
    }
    if compare_created && a.created != b.created {
        lines.push(format!(
            "Created:\n    {a_name}: {}\n    {b_name}: {}",
            a.created, b.created
        ));
    }
    lines.extend(diff_filesystems(a_name, &a.fs, b_name, &b.fs));
    lines
}

/// Differences between two filesystems, one line per path.
pub fn diff_filesystems(a_name: &str, a: &Filesystem, b_name: &str, b: &Filesystem) -> Vec<String> {
    let mut lines = Vec::new();
    for (path, a_entry) in a {
        match b.get(path) {
            None => lines.push(format!("only in {a_name}: {path} ({a_entry})")),
            Some(b_entry) if a_entry != b_entry => lines.push(format!(
                "{path}:\n    {a_name}: {a_entry}\n    {b_name}: {b_entry}"
            )),
            Some(_) => {}
        }
    }
    for (path, b_entry) in b {
        if !a.contains_key(path) {
            lines.push(format!("only in {b_name}: {path} ({b_entry})"));
        }
    }
    lines
}

/// Joins diff lines into a message, at most `limit` of them.
pub fn render_diff(lines: &[String], limit: usize) -> String {
    let mut out = String::new();
    for line in lines.iter().take(limit) {
        let _ = writeln!(out, "  {line}");
    }
    if lines.len() > limit {
        let _ = writeln!(out, "  … and {} more differences", lines.len() - limit);
    }
    out
}

/// A line of a case's `case.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseDirective {
    /// `arg <docker build argument>`: `${CASE}` is the case directory.
    Arg(String),
    /// `env KEY=VALUE` for the docker client.
    Env(String, String),
    /// `setup <dockerfile> <tag>`: built (stock frontend, case dir as context) before the case.
    Setup(String, String),
    /// `ssh-key`: a throwaway key is generated and passed as `--ssh default=<key>`.
    SshKey,
    /// `syntax-line`: side (b) uses a `# syntax=` line rather than `BUILDKIT_SYNTAX`.
    SyntaxLine,
    /// `reference <file>`: side (a) builds this Dockerfile instead (the stock frontend of the
    /// engine lacks a feature; the file gives the same result without it).
    Reference(String),
    /// `compare created`: also compare the image's `Created` time.
    CompareCreated,
}

/// Parses `case.conf` text: one directive per line, `#` comments.
pub fn parse_case_conf(text: &str) -> Result<Vec<CaseDirective>, String> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let bad = || format!("case.conf line {}: cannot parse {raw:?}", index + 1);
        out.push(match word {
            "arg" if !rest.is_empty() => CaseDirective::Arg(rest.to_owned()),
            "env" => {
                let (key, value) = rest.split_once('=').ok_or_else(bad)?;
                CaseDirective::Env(key.to_owned(), value.to_owned())
            }
            "setup" => {
                let (file, tag) = rest.split_once(char::is_whitespace).ok_or_else(bad)?;
                CaseDirective::Setup(file.to_owned(), tag.trim().to_owned())
            }
            "ssh-key" => CaseDirective::SshKey,
            "syntax-line" => CaseDirective::SyntaxLine,
            "reference" if !rest.is_empty() => CaseDirective::Reference(rest.to_owned()),
            "compare" if rest == "created" => CaseDirective::CompareCreated,
            _ => return Err(bad()),
        });
    }
    Ok(out)
}

/// A differential case directory.
#[derive(Debug, Clone)]
pub struct DiffCase {
    /// Directory name, e.g. `01-from-image`.
    pub name: String,
    /// The directory.
    pub dir: PathBuf,
    /// Its `case.conf` (empty when absent).
    pub directives: Vec<CaseDirective>,
}

/// All cases under `tests/differential/` (directories with a `Dockerfile`), sorted by name.
pub fn differential_cases() -> Result<Vec<DiffCase>, String> {
    let root = repo_root().join("tests/differential");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&root).map_err(|err| format!("{}: {err}", root.display()))? {
        let dir = entry
            .map_err(|err| format!("{}: {err}", root.display()))?
            .path();
        if !dir.join("Dockerfile").is_file() {
            continue;
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let conf = dir.join("case.conf");
        let directives = if conf.is_file() {
            let text = std::fs::read_to_string(&conf)
                .map_err(|err| format!("{}: {err}", conf.display()))?;
            parse_case_conf(&text).map_err(|err| format!("{name}: {err}"))?
        } else {
            Vec::new()
        };
        cases.push(DiffCase {
            name,
            dir,
            directives,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// Splits an `arg` directive into words (whitespace; no quoting needed by the cases).
fn arg_words(arg: &str, case_dir: &Path) -> Vec<String> {
    let dir = case_dir.to_string_lossy();
    arg.split_whitespace()
        .map(|word| word.replace("${CASE}", &dir))
        .collect()
}

/// Side (b)'s frontend for the differential suite, from `HARDFILE_DIFF_FRONTEND`.
pub fn side_b_frontend(syntax_line: bool) -> Result<FrontendChoice, String> {
    if std::env::var("HARDFILE_DIFF_FRONTEND").is_ok_and(|v| v == "stock") {
        return Ok(FrontendChoice::Stock);
    }
    let image = frontend_image()?;
    Ok(if syntax_line {
        FrontendChoice::SyntaxLine(image)
    } else {
        FrontendChoice::SyntaxArg(image)
    })
}

fn generate_ssh_key(dir: &Path) -> Result<PathBuf, String> {
    let key = dir.join("id_ed25519");
    run(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "hardfile-test", "-f"])
            .arg(&key),
        "ssh-keygen",
    )?;
    Ok(key)
}

/// Builds a differential case with the stock frontend and with side (b), and compares them.
/// `Ok(())` when identical; `Err` holds the readable difference or the failure.
pub fn run_differential_case(case: &DiffCase) -> Result<(), String> {
    let scratch = tempfile::tempdir().map_err(|err| format!("tempdir: {err}"))?;
    let mut args = Vec::new();
    let mut env = Vec::new();
    let mut syntax_line = false;
    let mut reference = None;
    let mut compare_created = false;
    for directive in &case.directives {
        match directive {
            CaseDirective::Arg(arg) => args.extend(arg_words(arg, &case.dir)),
            CaseDirective::Env(key, value) => env.push((key.clone(), value.clone())),
            CaseDirective::Setup(file, tag) => {
                let mut spec = BuildSpec::new(&case.dir, tag, FrontendChoice::Stock);
                spec.dockerfile.clone_from(file);
                docker_build(&spec)?
                    .image()
                    .map_err(|err| format!("setup {file}: {err}"))?;
            }
            CaseDirective::SshKey => {
                let key = generate_ssh_key(scratch.path())?;
                args.push("--ssh".to_owned());
                args.push(format!("default={}", key.display()));
            }
            CaseDirective::SyntaxLine => syntax_line = true,
            CaseDirective::Reference(file) => reference = Some(file.clone()),
            CaseDirective::CompareCreated => compare_created = true,
        }
    }
    let side_b = side_b_frontend(syntax_line)?;
    let tag_a = format!("hardfile-diff/{}:stock", case.name);
    let tag_b = format!("hardfile-diff/{}:{}", case.name, side_b.label());

    let mut spec_a = BuildSpec::new(&case.dir, &tag_a, FrontendChoice::Stock);
    if let Some(file) = &reference {
        spec_a.dockerfile.clone_from(file);
    }
    spec_a.args.clone_from(&args);
    spec_a.env.clone_from(&env);
    let built_a = docker_build(&spec_a)?;
    let image_a = built_a
        .image()
        .map_err(|err| format!("stock frontend (the reference) failed:\n{err}"))?
        .to_owned();

    let mut spec_b = BuildSpec::new(&case.dir, &tag_b, side_b.clone());
    if side_b == FrontendChoice::Stock
        && let Some(file) = &reference
    {
        // Harness self-check: the stock frontend cannot build the case's own Dockerfile.
        spec_b.dockerfile.clone_from(file);
    }
    spec_b.args = args;
    spec_b.env = env;
    let built_b = docker_build(&spec_b)?;
    let image_b = built_b
        .image()
        .map_err(|err| format!("{} build failed:\n{err}", side_b.label()))?
        .to_owned();
    check_frontend_used(&built_b, &side_b)?;

    let snap_a = snapshot(&image_a)?;
    let snap_b = snapshot(&image_b)?;
    let lines = diff_snapshots("stock", &snap_a, side_b.label(), &snap_b, compare_created);
    if lines.is_empty() {
        if !keep_images() {
            remove_images(&[&tag_a, &tag_b]);
        }
        Ok(())
    } else {
        Err(format!(
            "{}: {} differences between {tag_a} and {tag_b}:\n{}",
            case.name,
            lines.len(),
            render_diff(&lines, 60)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conf_parses_every_directive() {
        let text = "# flags\narg --target final\nenv SOURCE_DATE_EPOCH=0\nsetup base.Dockerfile hd/base:1\nssh-key\nsyntax-line\nreference Dockerfile.stock\ncompare created\n";
        let parsed = parse_case_conf(text).expect("parses");
        assert_eq!(
            parsed,
            vec![
                CaseDirective::Arg("--target final".into()),
                CaseDirective::Env("SOURCE_DATE_EPOCH".into(), "0".into()),
                CaseDirective::Setup("base.Dockerfile".into(), "hd/base:1".into()),
                CaseDirective::SshKey,
                CaseDirective::SyntaxLine,
                CaseDirective::Reference("Dockerfile.stock".into()),
                CaseDirective::CompareCreated,
            ]
        );
        assert!(parse_case_conf("bogus line").is_err());
    }

    #[test]
    fn tar_walk_records_types_modes_owners_and_hashes() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        header.set_uid(0);
        header.set_gid(0);
        builder
            .append_data(&mut header, "app/", &[][..])
            .expect("dir");
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o4750);
        header.set_size(2);
        header.set_uid(65532);
        header.set_gid(65532);
        builder
            .append_data(&mut header, "app/x", &b"hi"[..])
            .expect("file");
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        header.set_mode(0o777);
        // `docker export` always writes numeric owner fields; a fresh header has none.
        header.set_uid(0);
        header.set_gid(0);
        builder
            .append_link(&mut header, "app/l", "x")
            .expect("link");
        let bytes = builder.into_inner().expect("tar");
        let fs = read_tar(&bytes[..]).expect("walk");
        assert_eq!(fs["/app"].kind, "dir");
        let file = &fs["/app/x"];
        assert_eq!(
            (file.kind, file.mode, file.uid, file.gid, file.size),
            ("file", 0o4750, 65532, 65532, 2)
        );
        assert_eq!(
            file.sha256.as_deref(),
            Some("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
        );
        assert_eq!(fs["/app/l"].link.as_deref(), Some("x"));

        let mut other = fs.clone();
        if let Some(entry) = other.get_mut("/app/x") {
            entry.mode = 0o750;
        }
        other.remove("/app/l");
        let lines = diff_filesystems("a", &fs, "b", &other);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("4750") && l.contains("0750")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("only in a: /app/l")),
            "{lines:?}"
        );
    }

    #[test]
    fn non_local_bases_expands_args_and_knows_stages() {
        let text = "ARG BASE=localhost/hardfile/busybox:latest\nFROM ${BASE} AS build\nFROM build\nFROM --platform=$BUILDPLATFORM scratch\nFROM python:latest\n";
        assert_eq!(non_local_bases(text), vec!["python:latest".to_owned()]);
    }

    #[test]
    fn empty_config_values_compare_equal_to_null() {
        let a =
            config_fields(&serde_json::json!({"Config": {"Env": [], "Labels": {}, "User": ""}}));
        let b = config_fields(&serde_json::json!({"Config": {}}));
        assert_eq!(a, b);
    }
}
