//! hardfile's Dockerfile frontend end to end through the in-process fake gateway: the recorded
//! calls (read, resolve, solve, warn, return), the definition it solves and the image config it
//! returns; and a conversion error coming back located.

use bollard_buildkit_proto::pb;
use hardfile_frontend::dockerfile_frontend::DockerfileFrontend;
use hardfile_frontend::errors::SOURCE_TYPE_URL;
use hardfile_frontend::result::{META_BASE_IMAGE_CONFIG, META_IMAGE_CONFIG, META_REFS_PLATFORMS};
use hardfile_frontend::{Options, Outcome};
use hardfile_tests::fake_gateway::FakeGateway;
use prost::Message as _;

const DOCKERFILE: &str = "\
FROM localhost/hardfile/busybox AS build
ARG V=1
WORKDIR /src
COPY a.txt ./
RUN echo $V > out
FROM localhost/hardfile/busybox
COPY --from=build /src/out /out
USER 1000
CMD [\"cat\", \"/out\"]
";

const BUSYBOX: &str = r#"{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},
"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
"history":[{"created_by":"ADD rootfs /"}]}"#;

const DIGEST: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn options() -> Options {
    let mut map = std::collections::BTreeMap::new();
    map.insert("image-resolve-mode".to_owned(), "local".to_owned());
    let mut options = Options::from_map(&map).expect("options");
    "session-1".clone_into(&mut options.session_id);
    options
}

fn fake() -> FakeGateway {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    fake.add_file(".dockerignore", "*.log\n");
    fake.add_image("localhost/hardfile/busybox:latest", DIGEST, BUSYBOX);
    fake
}

#[tokio::test(flavor = "multi_thread")]
async fn multi_stage_build_through_the_gateway() {
    let fake = fake();
    let outcome = fake
        .run(&DockerfileFrontend, Ok(options()))
        .await
        .expect("runs");
    assert_eq!(outcome, Outcome::Built);

    let methods = fake.methods();
    assert_eq!(methods.first(), Some(&"Ping"));
    assert_eq!(methods.last(), Some(&"Return"));
    for method in ["Solve", "ReadFile", "ResolveImageConfig"] {
        assert!(methods.contains(&method), "{method} in {methods:?}");
    }

    // One resolve per distinct reachable base, in local mode, with BuildKit's log name.
    let resolves = fake.resolves();
    assert_eq!(resolves.len(), 2, "both stages resolve their base");
    assert_eq!(resolves[0].r#ref, "localhost/hardfile/busybox:latest");
    assert_eq!(resolves[0].resolve_mode, "local");
    assert_eq!(
        resolves[0].log_name,
        "[internal] load metadata for localhost/hardfile/busybox:latest"
    );

    // The last solve is the build: its ops carry the pinned image, the context and the source map.
    let solves = fake.solves();
    let build = solves
        .last()
        .and_then(|s| s.definition.clone())
        .expect("definition");
    let ops: Vec<pb::Op> = build
        .def
        .iter()
        .map(|bytes| pb::Op::decode(bytes.as_slice()).expect("op"))
        .collect();
    let identifiers: Vec<String> = ops
        .iter()
        .filter_map(|op| match &op.op {
            Some(pb::op::Op::Source(source)) => Some(source.identifier.clone()),
            _ => None,
        })
        .collect();
    assert!(identifiers.contains(&format!(
        "docker-image://localhost/hardfile/busybox:latest@{DIGEST}"
    )));
    let context = ops
        .iter()
        .find_map(|op| match &op.op {
            Some(pb::op::Op::Source(s)) if s.identifier == "local://context" => Some(s.clone()),
            _ => None,
        })
        .expect("context source");
    assert_eq!(context.attrs["local.followpaths"], r#"["a.txt"]"#);
    assert_eq!(context.attrs["local.excludepatterns"], r#"["*.log"]"#);
    assert_eq!(context.attrs["local.session"], "session-1");
    let source = build.source.expect("source map");
    assert_eq!(source.infos[0].filename, "Dockerfile");
    assert_eq!(source.infos[0].data, DOCKERFILE.as_bytes());
    assert!(!source.locations.is_empty());

    // The returned config: the final stage, its history, the base config and platforms.
    let returned = fake.returned().expect("Return");
    let result = returned.result.expect("result");
    let config: serde_json::Value =
        serde_json::from_slice(&result.metadata[META_IMAGE_CONFIG]).expect("config json");
    assert_eq!(config["config"]["User"], "1000");
    assert_eq!(config["config"]["Cmd"], serde_json::json!(["cat", "/out"]));
    assert_eq!(config["config"]["ArgsEscaped"], true);
    assert!(config.get("created").is_none());
    let history: Vec<&str> = config["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["created_by"].as_str())
        .collect();
    assert_eq!(
        history,
        vec![
            "ADD rootfs /",
            "COPY /src/out /out # buildkit",
            "USER 1000",
            "CMD [\"cat\" \"/out\"]",
        ]
    );
    assert!(result.metadata.contains_key(META_BASE_IMAGE_CONFIG));
    let platforms: serde_json::Value =
        serde_json::from_slice(&result.metadata[META_REFS_PLATFORMS]).expect("platforms");
    assert_eq!(platforms["Platforms"][0]["ID"], "linux/amd64");
}

#[tokio::test(flavor = "multi_thread")]
async fn conversion_errors_come_back_located() {
    let fake = FakeGateway::new();
    fake.add_file(
        "Dockerfile",
        "FROM localhost/hardfile/busybox\n\nRUN --bogus true\n",
    );
    fake.add_image("localhost/hardfile/busybox:latest", DIGEST, BUSYBOX);
    let outcome = fake
        .run(&DockerfileFrontend, Ok(options()))
        .await
        .expect("runs");
    let Outcome::Failed(status) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert_eq!(status.message, "unknown flag: bogus");
    let detail = status
        .details
        .iter()
        .find(|d| d.type_url == SOURCE_TYPE_URL)
        .expect("errdefs.Source detail");
    let json: serde_json::Value = serde_json::from_slice(&detail.value).expect("json");
    assert_eq!(json["ranges"][0]["start"]["line"], 3);
    assert_eq!(json["info"]["filename"], "Dockerfile");
}
