//! `hardfile build [docker build arguments…]`: `docker buildx build` (or `docker build` when
//! buildx is missing) with `--build-arg BUILDKIT_SYNTAX=<hardfile image>`, so every Dockerfile is
//! built by hardfile's frontend whatever its `# syntax=` line says.
//!
//! Without `--frontend`, the image is `hardfile:<version>` made from this very binary: it is
//! loaded into the engine first when it is missing or was made from another binary.

use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use hardfile_frontend::image::write_image_tarball;

use crate::image_cmd::{default_tag, docker_load, own_binary};

/// Arguments of `hardfile build`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// Frontend image to build with, used as is (also `HARDFILE_FRONTEND_IMAGE`) [default:
    /// hardfile:<version>, loaded from this binary when missing or stale].
    #[arg(long, value_name = "IMAGE")]
    frontend: Option<String>,
    /// Print the docker command before running it.
    #[arg(long)]
    verbose: bool,
    /// Everything else goes to `docker buildx build`, e.g. `-t app:1 --target prod .`
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 0..,
        value_name = "DOCKER BUILD ARGS"
    )]
    docker_args: Vec<String>,
}

/// Runs `hardfile build`; the exit code is docker's.
pub fn run(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let frontend = args.frontend.clone().or_else(|| {
        std::env::var("HARDFILE_FRONTEND_IMAGE")
            .ok()
            .filter(|v| !v.is_empty())
    });
    let image = match &frontend {
        Some(image) => {
            if image_id(image)?.is_none() {
                bail!(
                    "frontend image {image} is not in the local image store; load it with `hardfile image --tag {image} --load`"
                );
            }
            image.clone()
        }
        None => ensure_own_image()?,
    };
    let mut command = if buildx_available() {
        let mut command = Command::new("docker");
        command.args(["buildx", "build"]);
        command
    } else {
        let mut command = Command::new("docker");
        command.arg("build").env("DOCKER_BUILDKIT", "1");
        command
    };
    command
        .arg("--build-arg")
        .arg(format!("BUILDKIT_SYNTAX={image}"))
        .args(&args.docker_args);
    if args.verbose {
        eprintln!("hardfile: {command:?}");
    }
    let status = command
        .status()
        .context("cannot run docker (is the docker CLI installed?)")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}

/// `hardfile:<version>` from this binary, loaded unless the engine already has that exact image.
fn ensure_own_image() -> anyhow::Result<String> {
    let tag = default_tag();
    let binary = own_binary(false)?;
    let wanted = write_image_tarball(&binary, &tag, std::io::sink())
        .context("cannot compute the frontend image")?;
    if image_id(&tag)?.as_deref() != Some(wanted.image_id.as_str()) {
        eprintln!(
            "hardfile: loading frontend image {tag} ({})",
            wanted.image_id
        );
        docker_load(&binary, &tag)?;
    }
    Ok(tag)
}

/// The local image id of `reference`, or `None` when the engine does not have it.
fn image_id(reference: &str) -> anyhow::Result<Option<String>> {
    let output = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", reference])
        .output()
        .context("cannot run `docker image inspect` (is the docker CLI installed?)")?;
    if output.status.success() {
        Ok(Some(
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        ))
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No such image") || stderr.contains("No such object") {
            Ok(None)
        } else {
            bail!(
                "`docker image inspect {reference}` failed: {}",
                stderr.trim()
            );
        }
    }
}

fn buildx_available() -> bool {
    Command::new("docker")
        .args(["buildx", "version"])
        .output()
        .is_ok_and(|output| output.status.success())
}
