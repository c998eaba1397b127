//! The Dockerfile frontend: read the Dockerfile and `.dockerignore` through the gateway, warn
//! about lint findings, convert to LLB, solve, and return the image config with the result.

use std::collections::BTreeMap;

use hardfile_lints::check::check;
use hardfile_lints::config::{Config, Profile};
use hardfile_lints::syntax::{self, LineIndex};
use hardfile_proto::llb::{self, Differ, OpBuilder};

use crate::bridge::{Gateway, ImageConfigRequest, ResolvedImage, Solve, Warning};
use crate::convert::{self, ConvertError, ConvertInput, Converted, ImageResolver};
use crate::dockerfile_source::{LoadedDockerfile, load_dockerfile};
use crate::errors::{FrontendError, GatewayError, SourceRange};
use crate::options::Options;
use crate::result::{
    BuildResult, META_BASE_IMAGE_CONFIG, META_IMAGE_CONFIG, META_REFS_PLATFORMS, ResultRefs,
};
use crate::{Frontend, caps, subrequests};

/// hardfile's Dockerfile frontend: converts with [`convert::convert`], builds through the gateway.
#[derive(Debug, Clone, Copy, Default)]
pub struct DockerfileFrontend;

impl ImageResolver for Gateway {
    async fn resolve_image(
        &mut self,
        request: ImageConfigRequest,
    ) -> Result<ResolvedImage, String> {
        self.resolve_image_config(request)
            .await
            .map_err(|error| match error {
                GatewayError::Rpc { status, .. } => status.message,
                other => other.to_string(),
            })
    }
}

impl Frontend for DockerfileFrontend {
    async fn build(
        &self,
        gateway: &mut Gateway,
        options: &Options,
    ) -> Result<BuildResult, FrontendError> {
        if let Some(request) = &options.request_id {
            return subrequests::handle(gateway, options, request).await;
        }
        let dockerfile = load_dockerfile(gateway, options).await?;
        let text = String::from_utf8_lossy(&dockerfile.data).into_owned();
        warn_lint_findings(gateway, &dockerfile, &text, options).await;

        let dockerignore = match &dockerfile.dockerignore {
            Some(data) => Some(data.clone()),
            None => read_context_dockerignore(gateway, options).await?,
        };
        let caps = gateway.caps().clone();
        let input = ConvertInput {
            dockerfile: &text,
            filename: &dockerfile.filename,
            options,
            dockerignore: dockerignore.as_deref(),
            caps: &caps,
            dockerfile_definition: Some(dockerfile.definition.clone()),
        };
        let converted = convert::convert(input, gateway)
            .await
            .map_err(|error| located_error(&error, &dockerfile))?;
        let Converted {
            definition,
            image,
            base_image,
            platform,
            ..
        } = converted;
        let solved = gateway
            .solve(Solve::definition(definition).with_cache_imports(options.cache_imports.clone()))
            .await?;
        let mut result = BuildResult {
            refs: solved
                .reference
                .filter(|r| !r.is_empty())
                .map_or(ResultRefs::None, ResultRefs::Single),
            metadata: BTreeMap::new(),
        };
        result
            .metadata
            .insert(META_IMAGE_CONFIG.to_owned(), image.to_json());
        if let Some(base) = base_image {
            result
                .metadata
                .insert(META_BASE_IMAGE_CONFIG.to_owned(), base.to_json());
        }
        let id = convert::from::format_platform(&platform);
        let platforms = serde_json::json!({
            "Platforms": [{
                "ID": id,
                "Platform": {"architecture": platform.architecture, "os": platform.os},
            }]
        });
        result.metadata.insert(
            META_REFS_PLATFORMS.to_owned(),
            platforms.to_string().into_bytes(),
        );
        Ok(result)
    }
}

/// A conversion error as a located frontend error (the Dockerfile snippet at its lines).
pub fn located_error(error: &ConvertError, dockerfile: &LoadedDockerfile) -> FrontendError {
    match error.lines {
        Some((first, last)) => {
            let ranges = if error.per_line {
                SourceRange::per_line(first, last)
            } else {
                vec![SourceRange::lines(first, last)]
            };
            FrontendError::located(error.message.clone(), dockerfile.snippet(ranges))
        }
        None => FrontendError::Message(error.message.clone()),
    }
}

/// Reads `.dockerignore` from the context (`[internal] load .dockerignore`); missing is empty.
async fn read_context_dockerignore(
    gateway: &mut Gateway,
    options: &Options,
) -> Result<Option<Vec<u8>>, FrontendError> {
    let name = &options.context_local;
    let mut local = llb::Local::new(name);
    if !options.session_id.is_empty() {
        local = local.session_id(&options.session_id);
    }
    let output = local
        .follow_paths(&[".dockerignore"])
        .shared_key_hint(&format!("{name}-.dockerignore"))
        .differ(Differ::None, false)
        .custom_name("[internal] load .dockerignore")
        .build();
    let definition = llb::marshal(Some(&output));
    let solved = gateway.solve(Solve::definition(definition)).await?;
    let Some(reference) = solved.reference else {
        return Ok(None);
    };
    Ok(gateway
        .read_file(&reference, ".dockerignore", None)
        .await
        .ok())
}

/// Sends the lint findings (profile `dev`: nothing blocks) as gateway warnings.
async fn warn_lint_findings(
    gateway: &mut Gateway,
    dockerfile: &LoadedDockerfile,
    text: &str,
    options: &Options,
) {
    if !gateway
        .caps()
        .has_frontend(caps::frontend::GATEWAY_WARNINGS)
    {
        return;
    }
    let file = syntax::parse(text);
    let config = Config {
        profile: Profile::Dev,
        build_args: options.build_args.clone(),
        target: options.target.clone(),
        ..Config::default()
    };
    let report = check(&file, &config, None);
    let index = LineIndex::new(text);
    let info = dockerfile.source_info();
    for diagnostic in report.diagnostics {
        let (first, last) = convert::span_lines(&index, diagnostic.span);
        let warning = Warning {
            vertex: dockerfile.vertex.clone(),
            level: 1,
            short: format!(
                "{} {}: {} (line {first})",
                diagnostic.code, diagnostic.name, diagnostic.message
            ),
            detail: diagnostic.help.clone().into_iter().collect(),
            url: String::new(),
            source: Some(info.clone()),
            ranges: vec![SourceRange::lines(first, last)],
        };
        if let Err(error) = gateway.warn(warning).await {
            tracing::debug!(%error, "warning not delivered");
            return;
        }
    }
}
