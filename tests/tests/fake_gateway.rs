//! The frontend's gateway plumbing driven through the in-process fake gateway.

use std::collections::BTreeMap;

use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{FileRange, result::Result as PbRefs};
use bollard_buildkit_proto::pb;
use hardfile_frontend::bridge::{ImageConfigRequest, MAX_MESSAGE_SIZE, Solve, Warning};
use hardfile_frontend::caps::{frontend as fcaps, llb};
use hardfile_frontend::dockerfile_source::{
    ATTR_LOCAL_FOLLOW_PATHS, ATTR_LOCAL_SESSION, ATTR_LOCAL_SHARED_KEY_HINT,
    dockerfile_local_definition,
};
use hardfile_frontend::errors::{SOURCE_TYPE_URL, SUBREQUEST_TYPE_URL};
use hardfile_frontend::options::ResolveMode;
use hardfile_frontend::result::META_IMAGE_CONFIG;
use hardfile_frontend::{
    BuildResult, Frontend, FrontendError, Gateway, GatewayError, LoadOnlyFrontend, Options,
    Outcome, SourceRange, SourceSnippet, load_dockerfile,
};
use hardfile_tests::fake_gateway::{
    CLASSIC_STORE_REASON, Call, FakeGateway, SolveScript, rpc_status,
};
use prost::Message as _;

const DOCKERFILE: &str = "# syntax=example/hardfile:dev\n\nFROM alpine:3.20\nRUN false\n";

fn options() -> Options {
    Options {
        session_id: "session-1".to_owned(),
        ..Options::default()
    }
}

/// Loads the Dockerfile, solves the load definition again and returns it with an image config.
struct SolveAndReturn;

impl Frontend for SolveAndReturn {
    async fn build(
        &self,
        gateway: &mut Gateway,
        options: &Options,
    ) -> Result<BuildResult, FrontendError> {
        let dockerfile = load_dockerfile(gateway, options).await?;
        let solved = gateway
            .solve(Solve::definition(dockerfile.definition.clone()))
            .await?;
        let reference = solved
            .reference
            .ok_or_else(|| FrontendError::Message("no ref".to_owned()))?;
        Ok(BuildResult::single(reference)
            .with_metadata(META_IMAGE_CONFIG, br#"{"os":"linux"}"#.to_vec()))
    }
}

#[tokio::test]
async fn ping_caps_are_gated_on_enabled() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.remove_cap(fcaps::READ_DIR);
    fake.disable_cap(fcaps::GATEWAY_WARNINGS, "warnings are off here");
    let mut gateway = fake.connect().await?;

    let caps = gateway.caps();
    assert!(caps.has(llb::FILE_BASE));
    assert!(caps.has(fcaps::PROTO_REF_ARRAY));
    assert!(!caps.has(llb::MERGE_OP), "mergeop is present but disabled");
    assert!(
        caps.unavailable_reason(llb::MERGE_OP)
            .is_some_and(|reason| reason.contains(CLASSIC_STORE_REASON))
    );
    assert!(
        !caps.has(llb::FILE_COPY_MODE_STRING),
        "absent on BuildKit 0.13"
    );
    assert!(!caps.has(fcaps::GATEWAY_WARNINGS));
    assert_eq!(caps.workers()[0].platforms[0].architecture, "amd64");

    // Gated calls never reach the daemon.
    let delivered = gateway
        .warn(Warning {
            short: "ignored".to_owned(),
            ..Warning::default()
        })
        .await?;
    assert!(!delivered);
    let err = gateway
        .read_dir("ref-1", "/", None)
        .await
        .expect_err("readdir is gated");
    assert!(
        matches!(err, GatewayError::Unsupported { ref cap, .. } if cap == "readdir"),
        "{err}"
    );

    // A definition declaring a disabled LLB cap is refused before Solve, like the Go client does.
    let (mut definition, digest) = dockerfile_local_definition(&options());
    definition
        .metadata
        .get_mut(&digest)
        .expect("source metadata")
        .caps
        .insert(llb::MERGE_OP.to_owned(), true);
    let err = gateway
        .solve(Solve::definition(definition))
        .await
        .expect_err("mergeop");
    assert!(err.to_string().contains(CLASSIC_STORE_REASON), "{err}");

    assert_eq!(fake.methods(), ["Ping"]);
    Ok(())
}

#[tokio::test]
async fn reads_the_dockerfile_from_the_dockerfile_local() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    fake.add_file("Dockerfile.dockerignore", "node_modules\n");
    let mut gateway = fake.connect().await?;

    let loaded = load_dockerfile(&mut gateway, &options()).await?;
    assert_eq!(loaded.data, DOCKERFILE.as_bytes());
    assert_eq!(loaded.filename, "Dockerfile");
    assert_eq!(loaded.dockerignore.as_deref(), Some(&b"node_modules\n"[..]));
    assert_eq!(loaded.reference, "ref-1");

    assert_eq!(
        fake.methods(),
        ["Ping", "Inputs", "Solve", "ReadFile", "ReadFile"]
    );
    let solve = &fake.solves()[0];
    assert!(solve.allow_result_return && solve.allow_result_array_ref);
    let definition = solve.definition.as_ref().expect("definition");
    let op = pb::Op::decode(definition.def[0].as_slice())?;
    let Some(pb::op::Op::Source(source)) = op.op else {
        panic!("first op is not a source: {op:?}");
    };
    assert_eq!(source.identifier, "local://dockerfile");
    assert_eq!(source.attrs[ATTR_LOCAL_SESSION], "session-1");
    assert_eq!(source.attrs[ATTR_LOCAL_SHARED_KEY_HINT], "dockerfile");
    assert_eq!(
        source.attrs[ATTR_LOCAL_FOLLOW_PATHS],
        r#"["Dockerfile","Dockerfile.dockerignore","dockerfile"]"#
    );
    assert_eq!(
        loaded.vertex,
        hardfile_frontend::dockerfile_source::op_digest(&definition.def[0])
    );

    let reads: Vec<String> = fake.read_files().into_iter().map(|r| r.file_path).collect();
    assert_eq!(reads, ["Dockerfile", "Dockerfile.dockerignore"]);
    assert!(fake.read_files().iter().all(|r| r.r#ref == "ref-1"));
    Ok(())
}

#[tokio::test]
async fn falls_back_to_lowercase_dockerfile_and_honours_inputs() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("dockerfile", "FROM scratch\n");
    let mut gateway = fake.connect().await?;
    let loaded = load_dockerfile(&mut gateway, &options()).await?;
    assert_eq!(loaded.filename, "dockerfile");
    assert!(loaded.dockerignore.is_none());

    // A `dockerfile` frontend input wins over the local.
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", "FROM scratch\n");
    let (input, digest) = dockerfile_local_definition(&Options {
        dockerfile_local: "elsewhere".to_owned(),
        ..Options::default()
    });
    fake.add_input("dockerfile", input.clone());
    let mut gateway = fake.connect().await?;
    let loaded = load_dockerfile(&mut gateway, &options()).await?;
    assert_eq!(fake.solves()[0].definition.as_ref(), Some(&input));
    assert_eq!(loaded.vertex, digest);

    // A missing Dockerfile is a plain error naming the file.
    let fake = FakeGateway::new();
    let mut gateway = fake.connect().await?;
    let err = load_dockerfile(&mut gateway, &options())
        .await
        .expect_err("missing");
    assert!(
        err.to_string().contains("failed to read dockerfile"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn returns_a_ref_with_metadata() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    fake.push_solve(SolveScript::Ref("dockerfile-ref".to_owned()));
    fake.push_solve(SolveScript::Ref("image-ref".to_owned()));

    let outcome = fake.run(&SolveAndReturn, Ok(options())).await?;
    assert_eq!(outcome, Outcome::Built);
    let returned = fake.returned().expect("Return");
    assert!(returned.error.is_none());
    let result = returned.result.expect("result");
    assert!(matches!(result.result, Some(PbRefs::Ref(ref r)) if r.id == "image-ref"));
    assert_eq!(result.metadata[META_IMAGE_CONFIG], br#"{"os":"linux"}"#);
    assert_eq!(fake.methods().last(), Some(&"Return"));
    assert_eq!(fake.returns().len(), 1);
    Ok(())
}

#[tokio::test]
async fn located_error_carries_errdefs_source_with_the_line() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);

    let outcome = fake.run(&LoadOnlyFrontend, Ok(options())).await?;
    let status = fake.returned_error().expect("error Return");
    assert_eq!(outcome, Outcome::Failed(status.clone()));
    assert_eq!(status.code, 2, "Unknown, so BuildKit adds no code prefix");
    assert!(
        status.message.contains("cannot convert"),
        "{}",
        status.message
    );
    assert_eq!(status.details.len(), 1);
    assert_eq!(status.details[0].type_url, SOURCE_TYPE_URL);

    let json: serde_json::Value = serde_json::from_slice(&status.details[0].value)?;
    assert_eq!(json["info"]["filename"], "Dockerfile");
    assert_eq!(json["info"]["language"], "Dockerfile");
    assert_eq!(
        json["ranges"],
        serde_json::json!([{ "start": { "line": 3 }, "end": { "line": 3 } }])
    );
    let snippet = SourceSnippet::from_detail(&status.details[0]).expect("source detail");
    assert_eq!(snippet.data, DOCKERFILE.as_bytes());
    assert_eq!(snippet.ranges, [SourceRange::line(3)]);
    Ok(())
}

#[tokio::test]
async fn daemon_solve_error_is_forwarded_unchanged() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    let source = SourceSnippet::dockerfile("Dockerfile", DOCKERFILE, vec![SourceRange::line(4)]);
    let daemon_error = rpc_status(
        "process \"/bin/sh -c false\" did not complete successfully: exit code: 1",
        vec![
            Any {
                type_url: "github.com/moby/buildkit/errdefs.Solve+json".to_owned(),
                value: br#"{"inputIDs":["a"],"Subject":{"exec":{}}}"#.to_vec(),
            },
            source.to_detail(),
            Any {
                type_url: "github.com/moby/buildkit/errdefs.Vertex+json".to_owned(),
                value: br#"{"digest":"sha256:0123"}"#.to_vec(),
            },
        ],
    );
    fake.push_solve(SolveScript::Ref("dockerfile-ref".to_owned()));
    fake.fail_next_solve(daemon_error.clone());

    let outcome = fake.run(&SolveAndReturn, Ok(options())).await?;
    assert_eq!(outcome, Outcome::Failed(daemon_error.clone()));
    assert_eq!(fake.returned_error(), Some(daemon_error));
    Ok(())
}

#[tokio::test]
async fn options_and_subrequest_errors_are_returned() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    let bad = Options::from_env_vars([("BUILDKIT_FRONTEND_OPT_0", "shm-size=lots")]);
    fake.run(&LoadOnlyFrontend, bad).await?;
    let status = fake.returned_error().expect("error Return");
    assert!(status.message.contains("shm-size"), "{}", status.message);
    assert_eq!(fake.methods(), ["Ping", "Return"]);

    let fake = FakeGateway::new();
    let subrequest = Options {
        request_id: Some("frontend.bogus".to_owned()),
        ..options()
    };
    fake.run(&LoadOnlyFrontend, Ok(subrequest)).await?;
    let status = fake.returned_error().expect("error Return");
    assert_eq!(status.message, "unsupported request frontend.bogus");
    assert_eq!(status.details[0].type_url, SUBREQUEST_TYPE_URL);
    Ok(())
}

#[tokio::test]
async fn warn_resolve_and_file_calls_carry_their_fields() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    fake.add_image(
        "docker.io/library/alpine:3.20",
        "sha256:abc",
        br#"{"os":"linux"}"#.to_vec(),
    );
    fake.add_dir("etc", vec![]);
    let mut gateway = fake.connect().await?;
    let loaded = load_dockerfile(&mut gateway, &options()).await?;

    let delivered = gateway
        .warn(Warning {
            vertex: loaded.vertex.clone(),
            level: 0,
            short: "UserIsRoot: final stage runs as root (line 3)".to_owned(),
            detail: vec!["Running as root widens the blast radius.".to_owned()],
            url: "https://example.invalid/rules/HF101".to_owned(),
            source: Some(loaded.source_info()),
            ranges: vec![SourceRange::line(3)],
        })
        .await?;
    assert!(delivered);
    let warning = &fake.warnings()[0];
    assert_eq!(warning.digest, loaded.vertex);
    assert_eq!(warning.level, 1, "level 0 is sent as 1");
    assert_eq!(
        warning.short,
        b"UserIsRoot: final stage runs as root (line 3)"
    );
    assert_eq!(
        warning.detail,
        [b"Running as root widens the blast radius.".to_vec()]
    );
    assert_eq!(warning.url, "https://example.invalid/rules/HF101");
    let info = warning.info.as_ref().expect("source info");
    assert_eq!(info.filename, "Dockerfile");
    assert_eq!(info.language, "Dockerfile");
    assert_eq!(info.definition.as_ref(), Some(&loaded.definition));
    assert_eq!(warning.ranges[0].start.as_ref().map(|p| p.line), Some(3));

    let mut request = ImageConfigRequest::new("docker.io/library/alpine:3.20");
    request.resolve_mode = ResolveMode::Local;
    request.platform = Some(pb::Platform {
        os: "linux".to_owned(),
        architecture: "amd64".to_owned(),
        ..pb::Platform::default()
    });
    let image = gateway.resolve_image_config(request).await?;
    assert_eq!(image.digest, "sha256:abc");
    assert_eq!(image.config, br#"{"os":"linux"}"#);
    let sent = &fake.resolves()[0];
    assert_eq!(sent.resolve_mode, "local");
    assert_eq!(
        sent.log_name,
        "[internal] load metadata for docker.io/library/alpine:3.20"
    );
    assert_eq!(
        sent.platform.as_ref().map(|p| p.architecture.as_str()),
        Some("amd64")
    );
    let missing = gateway
        .resolve_image_config(ImageConfigRequest::new("docker.io/library/nope:1"))
        .await
        .expect_err("unknown image");
    assert!(matches!(
        missing,
        GatewayError::Rpc {
            call: "ResolveImageConfig",
            ..
        }
    ));

    // Without `resolveimage.resolvemode` the mode is not sent.
    let fake2 = FakeGateway::new();
    fake2.remove_cap(fcaps::RESOLVE_IMAGE_RESOLVE_MODE);
    fake2.add_image("a:1", "sha256:1", b"{}".to_vec());
    let mut gateway2 = fake2.connect().await?;
    let mut request = ImageConfigRequest::new("a:1");
    request.resolve_mode = ResolveMode::Pull;
    gateway2.resolve_image_config(request).await?;
    assert_eq!(fake2.resolves()[0].resolve_mode, "");

    let slice = gateway
        .read_file(
            &loaded.reference,
            "Dockerfile",
            Some(FileRange {
                offset: 31,
                length: 16,
            }),
        )
        .await?;
    assert_eq!(slice, b"FROM alpine:3.20");
    let stat = gateway.stat_file(&loaded.reference, "Dockerfile").await?;
    assert_eq!(stat.size, i64::try_from(DOCKERFILE.len())?);
    assert!(
        gateway
            .read_dir(&loaded.reference, "/etc", Some("*.conf"))
            .await?
            .is_empty()
    );
    let Some(Call::ReadDir(read_dir)) = fake.calls().last().cloned() else {
        panic!("last call is not ReadDir");
    };
    assert_eq!(read_dir.include_pattern, "*.conf");
    Ok(())
}

#[tokio::test]
async fn message_limit_is_sixteen_mebibytes() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    let big = vec![b'x'; 10 << 20];
    let too_big = vec![b'y'; MAX_MESSAGE_SIZE + 1];
    fake.add_file("big", big.clone());
    fake.add_file("too-big", too_big);
    let mut gateway = fake.connect().await?;
    let reference = gateway
        .solve(Solve::definition(dockerfile_local_definition(&options()).0))
        .await?
        .reference
        .expect("ref");

    // Above tonic's 4 MiB default, below BuildKit's 16 MiB.
    assert_eq!(
        gateway.read_file(&reference, "big", None).await?.len(),
        big.len()
    );
    let err = gateway
        .read_file(&reference, "too-big", None)
        .await
        .expect_err("over the limit");
    assert!(
        matches!(
            err,
            GatewayError::Rpc {
                call: "ReadFile",
                ..
            }
        ),
        "{err}"
    );

    // Requests over the limit fail too, and the connection stays usable.
    let mut definition = dockerfile_local_definition(&options()).0;
    definition.def.insert(0, vec![0; MAX_MESSAGE_SIZE + 1]);
    let err = gateway
        .solve(Solve::definition(definition))
        .await
        .expect_err("request too large");
    assert!(
        matches!(err, GatewayError::Rpc { call: "Solve", .. }),
        "{err}"
    );
    assert_eq!(
        gateway.read_file(&reference, "big", None).await?.len(),
        big.len()
    );
    Ok(())
}

#[tokio::test]
async fn return_is_sent_once_and_the_connection_is_never_reopened() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    let (stream, server) = fake.serve();
    let mut gateway = Gateway::connect(stream).await?;
    let solved = gateway
        .solve(Solve::definition(dockerfile_local_definition(&options()).0))
        .await?;
    let reference = solved.reference.expect("ref");
    gateway
        .return_result(&BuildResult::single(reference.clone()))
        .await?;
    let again = gateway.return_result(&BuildResult::metadata_only()).await;
    assert!(matches!(again, Err(GatewayError::AlreadyReturned)));
    assert_eq!(fake.returns().len(), 1);

    // The daemon goes away: calls fail instead of reconnecting to half-used pipes.
    server.abort();
    let _ = server.await;
    tokio::task::yield_now().await;
    let err = gateway
        .read_file(&reference, "Dockerfile", None)
        .await
        .expect_err("connection is gone");
    assert!(
        matches!(
            err,
            GatewayError::Rpc {
                call: "ReadFile",
                ..
            }
        ),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn metadata_only_results_and_frontend_solves() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    let mut gateway = fake.connect().await?;
    let solved = gateway
        .solve(Solve::frontend(
            "dockerfile.v0",
            BTreeMap::from([("filename".to_owned(), "Dockerfile".to_owned())]),
        ))
        .await?;
    assert!(solved.reference.is_some());
    let sent = &fake.solves()[0];
    assert_eq!(sent.frontend, "dockerfile.v0");
    assert_eq!(sent.frontend_opt["filename"], "Dockerfile");
    assert!(sent.definition.is_none());

    gateway
        .return_result(&BuildResult::metadata_only().with_metadata("result.json", b"{}".to_vec()))
        .await?;
    let result = fake.returned().and_then(|r| r.result).expect("result");
    assert!(matches!(result.result, Some(PbRefs::Ref(ref r)) if r.id.is_empty()));
    assert_eq!(result.metadata["result.json"], b"{}");
    Ok(())
}

#[cfg(unix)]
#[tokio::test]
async fn gateway_runs_over_os_pipes_like_stdio() -> anyhow::Result<()> {
    use hardfile_frontend::bridge::JoinedStream;
    use tokio::net::unix::pipe;

    // BuildKit hands the frontend two pipes; relay them to the fake's duplex end.
    let (to_frontend_tx, to_frontend_rx) = pipe::pipe()?;
    let (from_frontend_tx, from_frontend_rx) = pipe::pipe()?;
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    let (server_end, _server) = fake.serve();
    let (mut server_read, mut server_write) = tokio::io::split(server_end);
    let mut from_frontend_rx = from_frontend_rx;
    let mut to_frontend_tx = to_frontend_tx;
    tokio::spawn(async move { tokio::io::copy(&mut from_frontend_rx, &mut server_write).await });
    tokio::spawn(async move { tokio::io::copy(&mut server_read, &mut to_frontend_tx).await });

    let stream = JoinedStream::new(to_frontend_rx, from_frontend_tx);
    let outcome = hardfile_frontend::run_over(&SolveAndReturn, stream, Ok(options())).await?;
    assert_eq!(outcome, Outcome::Built);
    assert_eq!(
        fake.methods(),
        [
            "Ping", "Inputs", "Solve", "ReadFile", "ReadFile", "Solve", "Return"
        ]
    );
    Ok(())
}
