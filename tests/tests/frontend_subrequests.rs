//! The frontend's subrequests through the fake gateway: `frontend.subrequests.describe`,
//! `frontend.outline`, `frontend.targets` and `frontend.lint` answer with a metadata-only
//! `Return` in BuildKit's JSON shapes; an unknown request id comes back as BuildKit's
//! unsupported-subrequest error.

use bollard_buildkit_proto::moby::buildkit::v1::frontend::result::Result as PbResultRefs;
use hardfile_frontend::dockerfile_frontend::DockerfileFrontend;
use hardfile_frontend::errors::SUBREQUEST_TYPE_URL;
use hardfile_frontend::{Options, Outcome};
use hardfile_tests::fake_gateway::FakeGateway;
use serde_json::{Value, json};

const DOCKERFILE: &str = "\
# syntax=hardfile:dev
# VERSION the release to build
ARG VERSION=1.2
ARG UNUSED=x
ARG BASE=localhost/hardfile/busybox

# build compiles the app
FROM ${BASE} AS build
# GOFLAGS flags for the compiler
ARG GOFLAGS=-trimpath
RUN --mount=type=secret,id=npmrc,required=true --mount=type=ssh cat /run/secrets/npmrc > /out

FROM --platform=linux/amd64 localhost/hardfile/busybox AS release
ARG VERSION
COPY --from=build /out /out
USER 1000
";

fn options(request: &str) -> Options {
    Options {
        request_id: Some(request.to_owned()),
        session_id: "session-1".to_owned(),
        ..Options::default()
    }
}

/// Runs `request` against `dockerfile` and returns the metadata of the metadata-only result.
async fn answer(
    dockerfile: &str,
    options: Options,
) -> anyhow::Result<std::collections::HashMap<String, Vec<u8>>> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", dockerfile);
    let outcome = fake.run(&DockerfileFrontend, Ok(options)).await?;
    assert_eq!(outcome, Outcome::Built, "{:?}", fake.returned_error());
    let result = fake.returned().and_then(|r| r.result).expect("result");
    assert!(
        matches!(&result.result, Some(PbResultRefs::Ref(r)) if r.id.is_empty()),
        "metadata only: {:?}",
        result.result
    );
    assert!(
        !fake.methods().contains(&"ResolveImageConfig"),
        "no base is resolved"
    );
    assert_eq!(result.metadata["version"], b"1.0.0");
    Ok(result.metadata)
}

fn json_of(metadata: &std::collections::HashMap<String, Vec<u8>>) -> anyhow::Result<Value> {
    Ok(serde_json::from_slice(&metadata["result.json"])?)
}

fn text_of(metadata: &std::collections::HashMap<String, Vec<u8>>) -> String {
    String::from_utf8_lossy(&metadata["result.txt"]).into_owned()
}

/// Standard base64 decoding (Go encodes `[]byte` fields this way).
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = ALPHABET
            .iter()
            .position(|c| *c == byte)
            .expect("base64 character");
        bits = (bits << 6) | u32::try_from(value).expect("small");
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).expect("byte"));
        }
    }
    out
}

fn lines(first: u32, last: u32) -> Value {
    json!({"ranges": [{"start": {"line": first}, "end": {"line": last}}]})
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_lists_the_supported_requests() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.run(
        &DockerfileFrontend,
        Ok(options("frontend.subrequests.describe")),
    )
    .await?;
    assert_eq!(fake.methods(), ["Ping", "Return"], "no Dockerfile needed");
    let result = fake.returned().and_then(|r| r.result).expect("result");
    let json = json_of(&result.metadata)?;
    let names: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "frontend.outline",
            "frontend.targets",
            "frontend.lint",
            "frontend.subrequests.describe"
        ]
    );
    assert_eq!(
        json[0],
        json!({
            "name": "frontend.outline",
            "version": "1.0.0",
            "type": "rpc",
            "description": "List all parameters current build target supports",
            "opts": [{"name": "target", "description": "Target build stage"}],
            "inputs": null,
            "metadata": [
                {"name": "result.json", "description": ""},
                {"name": "result.txt", "description": ""}
            ],
            "refs": null
        })
    );
    assert_eq!(json[2]["metadata"][2]["name"], "result.statuscode");
    assert_eq!(
        text_of(&result.metadata),
        "NAME                 VERSION DESCRIPTION\n\
         outline              1.0.0   List all parameters current build target supports\n\
         targets              1.0.0   List all targets current build supports\n\
         lint                 1.0.0   Lint a Dockerfile\n\
         subrequests.describe 1.0.0   List available subrequest types\n"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn outline_lists_args_secrets_and_ssh_of_the_target() -> anyhow::Result<()> {
    let metadata = answer(DOCKERFILE, options("frontend.outline")).await?;
    let json = json_of(&metadata)?;
    assert_eq!(json["name"], "release");
    assert!(json.get("description").is_none());
    // VERSION is inherited from the global ARG (its comment, value and line); BASE is used by
    // the build stage's FROM; UNUSED is not used by any stage the target needs.
    assert_eq!(
        json["args"],
        json!([
            {"name": "VERSION", "description": "the release to build", "value": "1.2",
             "location": lines(3, 3)},
            {"name": "BASE", "value": "localhost/hardfile/busybox", "location": lines(5, 5)},
            {"name": "GOFLAGS", "description": "flags for the compiler", "value": "-trimpath",
             "location": lines(10, 10)},
        ])
    );
    assert_eq!(
        json["secrets"],
        json!([{"name": "npmrc", "required": true, "location": lines(11, 11)}])
    );
    assert_eq!(
        json["ssh"],
        json!([{"name": "default", "location": lines(11, 11)}])
    );
    let source = json["sources"][0].as_str().expect("source");
    assert_eq!(base64_decode(source), DOCKERFILE.as_bytes());
    let text = text_of(&metadata);
    assert!(text.starts_with("TARGET: release\n\n"), "{text}");
    assert!(
        text.contains("BUILD ARG   VALUE                        DESCRIPTION\n"),
        "{text}"
    );
    assert!(
        text.contains("SECRET   REQUIRED\nnpmrc    true\n"),
        "{text}"
    );

    // With a target and a build argument.
    let mut build = options("frontend.outline");
    build.target = Some("build".to_owned());
    build
        .build_args
        .insert("GOFLAGS".to_owned(), "-race".to_owned());
    let json = json_of(&answer(DOCKERFILE, build).await?)?;
    assert_eq!(json["name"], "build");
    assert_eq!(json["description"], "compiles the app");
    let args: Vec<(&str, &str)> = json["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap_or(""),
                a["value"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        args,
        [("BASE", "localhost/hardfile/busybox"), ("GOFLAGS", "-race")]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn targets_lists_the_stages() -> anyhow::Result<()> {
    let metadata = answer(DOCKERFILE, options("frontend.targets")).await?;
    let json = json_of(&metadata)?;
    assert_eq!(
        json["targets"],
        json!([
            {"name": "build", "description": "compiles the app", "base": "${BASE}",
             "location": lines(8, 8)},
            {"name": "release", "default": true, "base": "localhost/hardfile/busybox",
             "platform": "linux/amd64", "location": lines(13, 13)},
        ])
    );
    assert_eq!(
        base64_decode(json["sources"][0].as_str().expect("source")),
        DOCKERFILE.as_bytes()
    );
    assert_eq!(
        text_of(&metadata),
        "TARGET            DESCRIPTION\nbuild             compiles the app\nrelease (default) \n"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn lint_reports_hardfile_findings_in_buildkit_shape() -> anyhow::Result<()> {
    let metadata = answer(DOCKERFILE, options("frontend.lint")).await?;
    let json = json_of(&metadata)?;
    let warnings = json["warnings"].as_array().expect("warnings");
    assert!(!warnings.is_empty());
    for warning in warnings {
        let rule = warning["ruleName"].as_str().expect("ruleName");
        let (code, name) = rule.split_once('/').expect("code/name");
        assert!(code.starts_with("HF") && !name.is_empty(), "{rule}");
        assert_eq!(
            warning["url"],
            format!("https://hardfile.dev/rules/{code}"),
            "{warning}"
        );
        assert!(warning["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(
            warning["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
        let range = &warning["location"]["ranges"][0];
        assert!(range["start"]["line"].as_u64().is_some_and(|l| l >= 1));
        assert!(
            warning["location"].get("sourceIndex").is_none(),
            "index 0 is omitted as Go does"
        );
    }
    assert_eq!(json["sources"][0]["filename"], "Dockerfile");
    assert_eq!(json["sources"][0]["language"], "Dockerfile");
    assert_eq!(
        base64_decode(json["sources"][0]["data"].as_str().expect("data")),
        DOCKERFILE.as_bytes()
    );
    assert!(json.get("buildError").is_none());
    assert_eq!(metadata["result.statuscode"], b"1");
    let text = text_of(&metadata);
    assert!(
        text.starts_with("\nWARNING: HF"),
        "BuildKit's PrintTo layout: {text}"
    );
    assert!(text.contains(" - https://hardfile.dev/rules/HF"), "{text}");
    assert!(text.contains("Dockerfile:"), "framed snippet: {text}");
    assert!(text.contains(">>> "), "{text}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_request_is_an_unsupported_subrequest_error() -> anyhow::Result<()> {
    let fake = FakeGateway::new();
    fake.add_file("Dockerfile", DOCKERFILE);
    let outcome = fake
        .run(&DockerfileFrontend, Ok(options("frontend.bogus")))
        .await?;
    let status = fake.returned_error().expect("error Return");
    assert_eq!(outcome, Outcome::Failed(status.clone()));
    assert_eq!(status.message, "unsupported request frontend.bogus");
    assert_eq!(status.details[0].type_url, SUBREQUEST_TYPE_URL);
    assert_eq!(status.details[0].value, br#"{"name":"frontend.bogus"}"#);
    assert_eq!(fake.methods(), ["Ping", "Return"]);
    Ok(())
}
