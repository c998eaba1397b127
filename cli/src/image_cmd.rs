//! `hardfile image`: the frontend image (`FROM scratch` + this very binary) as a `docker load`
//! tarball, written to a file or standard output, or loaded into the local engine.
//!
//! The binary must be statically linked, since the image has no libc. Build it with
//! `RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --target x86_64-unknown-linux-gnu -p hardfile`.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, bail};
use hardfile_frontend::image::{FrontendImage, write_image_tarball};

/// The tag `hardfile image` and `hardfile build` use when none is given.
pub fn default_tag() -> String {
    format!("hardfile:{}", env!("CARGO_PKG_VERSION"))
}

/// Arguments of `hardfile image`.
#[derive(clap::Args)]
pub struct ImageArgs {
    /// Image reference recorded in the tarball [default: hardfile:<version>].
    #[arg(long, short = 't')]
    tag: Option<String>,
    /// Pipe the tarball to `docker load` instead of writing it.
    #[arg(long, conflicts_with = "output")]
    load: bool,
    /// Write the tarball to FILE (`-` for standard output, the default when it is not a terminal).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write the image even if this binary is dynamically linked (it will not run in the image).
    #[arg(long)]
    allow_dynamic: bool,
}

/// Runs `hardfile image`.
pub fn run(args: &ImageArgs) -> anyhow::Result<ExitCode> {
    let tag = args.tag.clone().unwrap_or_else(default_tag);
    let binary = own_binary(args.allow_dynamic)?;
    if args.load {
        let image = docker_load(&binary, &tag)?;
        eprintln!(
            "hardfile: loaded {} ({}, binary {:.1} MB)",
            image.tag,
            image.image_id,
            megabytes(binary.len())
        );
        return Ok(ExitCode::SUCCESS);
    }
    let image = match args.output.as_deref() {
        Some(path) if path != Path::new("-") => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let image = write_image_tarball(&binary, &tag, &mut out)
                .with_context(|| format!("cannot write {}", path.display()))?;
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
            image
        }
        _ => {
            let stdout = std::io::stdout();
            if args.output.is_none() && stdout.is_terminal() {
                bail!(
                    "refusing to write an image tarball to a terminal; use --output FILE, \
                     --output - or --load"
                );
            }
            let mut out = std::io::BufWriter::new(stdout.lock());
            let image = write_image_tarball(&binary, &tag, &mut out)
                .context("cannot write to standard output")?;
            out.flush().context("cannot write to standard output")?;
            image
        }
    };
    eprintln!(
        "hardfile: wrote {} ({}); load it with `docker load -i <file>`",
        image.tag, image.image_id
    );
    Ok(ExitCode::SUCCESS)
}

fn megabytes(bytes: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let bytes = bytes as f64;
    bytes / 1_048_576.0
}

/// The running executable's bytes; an error if it is dynamically linked (unless allowed).
pub fn own_binary(allow_dynamic: bool) -> anyhow::Result<Vec<u8>> {
    let path = std::env::current_exe().context("cannot locate the running hardfile binary")?;
    let binary = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    if !allow_dynamic && has_interpreter(&binary) {
        bail!(
            "{} is dynamically linked, so it cannot run in a FROM scratch image; build a static \
             binary with\n  RUSTFLAGS='-C target-feature=+crt-static' cargo build --release \
             --target x86_64-unknown-linux-gnu -p hardfile\n(or pass --allow-dynamic)",
            path.display()
        );
    }
    Ok(binary)
}

/// Pipes the image tarball for `binary` into `docker load`.
pub fn docker_load(binary: &[u8], tag: &str) -> anyhow::Result<FrontendImage> {
    let mut child = Command::new("docker")
        .arg("load")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot run `docker load` (is the docker CLI installed?)")?;
    let written = {
        let stdin = child
            .stdin
            .take()
            .context("`docker load` has no standard input")?;
        let mut stdin = std::io::BufWriter::new(stdin);
        write_image_tarball(binary, tag, &mut stdin).and_then(|image| {
            stdin.flush()?;
            Ok(image)
        })
    };
    let status = child.wait().context("`docker load` did not finish")?;
    if !status.success() {
        bail!("`docker load` failed ({status})");
    }
    written.context("cannot write the image to `docker load`")
}

/// True when the ELF file has a `PT_INTERP` program header (it needs a dynamic loader).
/// Non-ELF input gives false.
pub fn has_interpreter(elf: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 || elf[5] != 1 {
        // Only 64-bit little-endian binaries are built; anything else is not ours to judge.
        return false;
    }
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let Some(phoff) = elf
        .get(0x20..0x28)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
        .and_then(|v| usize::try_from(v).ok())
    else {
        return false;
    };
    let (Some(phentsize), Some(phnum)) = (u16_at(0x36), u16_at(0x38)) else {
        return false;
    };
    (0..usize::from(phnum)).any(|index| {
        let at = phoff + index * usize::from(phentsize);
        elf.get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .is_some_and(|b| u32::from_le_bytes(b) == PT_INTERP)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_elf_has_no_interpreter() {
        assert!(!has_interpreter(b"#!/bin/sh\n"));
        assert!(!has_interpreter(&[]));
    }

    #[test]
    fn test_binary_interpreter_matches_its_linking() {
        let path = std::env::current_exe().expect("current exe");
        let bytes = std::fs::read(path).expect("read");
        let static_build = cfg!(target_feature = "crt-static");
        assert_eq!(has_interpreter(&bytes), !static_build);
    }

    #[test]
    fn default_tag_carries_the_version() {
        assert_eq!(
            default_tag(),
            format!("hardfile:{}", env!("CARGO_PKG_VERSION"))
        );
    }
}
