//! LLB snapshot tests of the converter: one Dockerfile per instruction family and flag, converted
//! with a fake image resolver; the snapshot holds the definition dump and the image config.

use std::collections::BTreeMap;

use hardfile_proto::llb::dump_json;
use serde_json::{Value, json};

use super::{ConvertError, ConvertInput, Converted, ImageResolver, convert};
use crate::bridge::{ImageConfigRequest, ResolvedImage};
use crate::caps::Caps;
use crate::options::{NoCache, Options};

/// Docker 26.1.5's LLB caps (v0.13.2 minus merge/diff).
const LLB_CAPS: &[&str] = &[
    "source.image",
    "source.image.resolvemode",
    "source.local",
    "source.local.unique",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.followpaths",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.local.differ",
    "source.git",
    "source.git.keepgitdir",
    "source.git.fullurl",
    "source.http",
    "source.http.checksum",
    "source.http.perm",
    "exec.meta.base",
    "exec.meta.proxyenv",
    "exec.meta.network",
    "exec.meta.security",
    "exec.meta.setsdefaultpath",
    "exec.meta.ulimit",
    "exec.meta.cgroup.parent",
    "exec.mount.bind",
    "exec.mount.bind.readwrite-nooutput",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "exec.mount.tmpfs.size",
    "exec.mount.secret",
    "exec.mount.ssh",
    "file.base",
    "file.copy.includeexcludepatterns",
    "constraints",
    "platform",
    "meta.ignorecache",
    "meta.description",
    "meta.exportcache",
];

/// Answers with a small busybox-like config for any reference.
pub(crate) struct FakeResolver {
    pub requests: Vec<ImageConfigRequest>,
    pub configs: BTreeMap<String, Value>,
}

impl FakeResolver {
    pub fn new() -> Self {
        Self {
            requests: Vec::new(),
            configs: BTreeMap::new(),
        }
    }
}

fn busybox_config() -> Value {
    json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"],
            "Cmd": ["sh"],
            "Labels": null,
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "ADD rootfs /"}],
    })
}

impl ImageResolver for FakeResolver {
    async fn resolve_image(
        &mut self,
        request: ImageConfigRequest,
    ) -> Result<ResolvedImage, String> {
        let config = self
            .configs
            .get(&request.reference)
            .cloned()
            .unwrap_or_else(busybox_config);
        let reference = request.reference.clone();
        self.requests.push(request);
        if reference.contains("missing") {
            return Err("pull access denied".to_owned());
        }
        Ok(ResolvedImage {
            reference,
            digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"
                .to_owned(),
            config: serde_json::to_vec(&config).unwrap_or_default(),
        })
    }
}

fn run(
    dockerfile: &str,
    options: &Options,
    resolver: &mut FakeResolver,
) -> Result<Converted, ConvertError> {
    let caps = Caps::with_enabled(LLB_CAPS.iter().copied());
    let input = ConvertInput {
        dockerfile,
        filename: "Dockerfile",
        options,
        dockerignore: Some(b"*.log\n!keep.log\n"),
        caps: &caps,
        dockerfile_definition: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(convert(input, resolver))
}

fn options(args: &[(&str, &str)]) -> Options {
    let mut map = BTreeMap::new();
    map.insert("image-resolve-mode".to_owned(), "local".to_owned());
    for (k, v) in args {
        map.insert((*k).to_owned(), (*v).to_owned());
    }
    let mut options = Options::from_map(&map).expect("options");
    options.session_id = "session".to_owned();
    options
}

/// The snapshot: definition dump without the (bulky) source map data, plus the config.
fn snapshot(converted: &Converted) -> Value {
    let mut dump = dump_json(&converted.definition);
    if let Some(sources) = dump.get_mut("sources").and_then(Value::as_array_mut) {
        for source in sources {
            if let Some(object) = source.as_object_mut() {
                object.remove("data");
            }
        }
    }
    json!({
        "llb": dump,
        "config": serde_json::from_slice::<Value>(&converted.image_config_json()).unwrap_or(Value::Null),
        "target": converted.target_stage,
    })
}

fn check(name: &str, dockerfile: &str, args: &[(&str, &str)]) {
    let mut resolver = FakeResolver::new();
    let converted = run(dockerfile, &options(args), &mut resolver).expect("converts");
    insta::assert_json_snapshot!(name, snapshot(&converted));
}

fn error(dockerfile: &str) -> ConvertError {
    let mut resolver = FakeResolver::new();
    match run(dockerfile, &options(&[]), &mut resolver) {
        Ok(_) => panic!("expected an error for {dockerfile:?}"),
        Err(error) => error,
    }
}

#[test]
fn from_run_env_workdir_user_cmd() {
    check(
        "basic",
        "FROM localhost/hardfile/busybox\nENV A=1 B=\"two words\"\nWORKDIR /app\nUSER 1000:1000\nRUN echo $A > /tmp/a\nCMD [\"sh\", \"-c\", \"echo hi\"]\n",
        &[],
    );
}

#[test]
fn args_and_history() {
    check(
        "args",
        "ARG BASE=busybox\nARG V=1\nFROM ${BASE}\nARG V\nARG W=w-$V\nRUN echo $V $W\nENV E=$W\n",
        &[
            ("build-arg:W", "cli"),
            ("build-arg:HTTP_PROXY", "http://proxy:3128"),
        ],
    );
}

#[test]
fn multi_stage_copy() {
    check(
        "multistage",
        "FROM busybox AS build\nWORKDIR /src\nCOPY --chown=1:2 --chmod=0755 a.txt b/ ./\nRUN touch out\nFROM scratch\nCOPY --from=build /src/out /out\nCOPY --from=busybox:1.36 /bin/busybox /bin/\nENTRYPOINT [\"/out\"]\n",
        &[],
    );
}

#[test]
fn run_mounts_network_and_options() {
    check(
        "mounts",
        "FROM busybox AS base\nFROM busybox\nRUN --mount=type=cache,target=/root/.cache,id=c1,sharing=locked,uid=1000,mode=0700 \\\n    --mount=type=bind,from=base,source=/etc,target=etc \\\n    --mount=type=tmpfs,target=/t,size=1m \\\n    --mount=type=secret,id=token,required \\\n    --mount=type=ssh \\\n    --network=none true\n",
        &[
            ("add-hosts", "h1=1.2.3.4"),
            ("shm-size", "67108864"),
            ("ulimit", "nofile=1024:2048"),
            ("no-cache", ""),
        ],
    );
}

#[test]
fn add_sources_and_heredocs() {
    check(
        "add",
        "FROM busybox\nADD app.tar.gz /opt/\nADD --checksum=sha256:2222222222222222222222222222222222222222222222222222222222222222 https://example.com/f.txt /f.txt\nADD --keep-git-dir https://github.com/moby/buildkit.git#v0.13.2 /src\nCOPY <<EOF /etc/motd\nhello $HOSTNAME\nEOF\nRUN <<EOF\n#!/bin/sh\necho hi\nEOF\n",
        &[],
    );
}

#[test]
fn config_instructions() {
    check(
        "config",
        "FROM busybox\nLABEL a=b \"c d\"=e\nEXPOSE 80 8000-8001/UDP\nVOLUME /data [\"/x\"]\nSTOPSIGNAL SIGTERM\nSHELL [\"/bin/sh\", \"-ec\"]\nHEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost\nONBUILD RUN echo child\nMAINTAINER me\nCMD echo hi\nENTRYPOINT [\"/bin/sh\"]\n",
        &[
            ("label:org.example", "x"),
            ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
        ],
    );
}

#[test]
fn onbuild_triggers_of_base_images_run() {
    let mut resolver = FakeResolver::new();
    let mut config = busybox_config();
    config["config"]["OnBuild"] = json!(["RUN echo triggered", "ENV FROM_ONBUILD=1"]);
    resolver
        .configs
        .insert("docker.io/library/parent:latest".to_owned(), config);
    let converted = run("FROM parent\nRUN true\n", &options(&[]), &mut resolver).expect("converts");
    insta::assert_json_snapshot!("onbuild", snapshot(&converted));
}

#[test]
fn target_and_reachability() {
    let mut resolver = FakeResolver::new();
    let converted = run(
        "FROM busybox AS a\nRUN a\nFROM missing AS unused\nFROM busybox AS b\nRUN b\n",
        &options(&[("target", "a")]),
        &mut resolver,
    )
    .expect("converts");
    assert_eq!(converted.target_stage, "a");
    assert_eq!(
        resolver.requests.len(),
        1,
        "only reachable stages are resolved"
    );
    assert_eq!(
        resolver.requests[0].log_name,
        "[internal] load metadata for docker.io/library/busybox:latest"
    );
}

#[test]
fn errors_are_located() {
    let e = error("FROM busybox\nRUN --mount=type=bind,mode=0700,target=/x true\n");
    assert_eq!(e.lines, Some((2, 2)));
    assert!(e.message.contains("mode not allowed"), "{}", e.message);
    let e = error("FROM busybox AS a\nCOPY --from=later /a /b\nFROM busybox AS later\nFROM a\n");
    assert_eq!(e.lines, Some((2, 2)));
    let e = error("FROM busybox\nRUN --bogus true\n");
    assert_eq!(e.message, "unknown flag: bogus");
    let e = error("FROM missing\n");
    assert_eq!(e.lines, Some((1, 1)));
    let e = error("");
    assert_eq!(e.message, "the Dockerfile cannot be empty");
    let e = error("FROM busybox\nSTOPSIGNAL NOPE\n");
    assert_eq!(e.lines, Some((2, 2)));
}

#[test]
fn no_cache_for_named_stages_only() {
    let mut resolver = FakeResolver::new();
    let converted = run(
        "FROM busybox AS a\nRUN a\n",
        &Options {
            no_cache: Some(NoCache::Stages(vec!["b".to_owned()])),
            ..options(&[])
        },
        &mut resolver,
    )
    .expect("converts");
    let dump = dump_json(&converted.definition).to_string();
    assert!(!dump.contains("ignore_cache"));
}
