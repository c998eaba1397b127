//! Short documentation for instructions, flags and parser directives, shown on hover.
//! Written for hardfile; each entry says what the instruction does and, where it matters,
//! what it means for hardening.

use hardfile_lints::syntax::Keyword;

/// Markdown for an instruction keyword.
pub fn instruction(keyword: Keyword) -> Option<&'static str> {
    Some(match keyword {
        Keyword::From => {
            "```dockerfile\nFROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]\n```\n\
             Starts a build stage from a base image. The last stage (or `--target`) is the image \
             that is exported. Pin bases by digest so a rebuild cannot silently pick up another image."
        }
        Keyword::Run => {
            "```dockerfile\nRUN [--mount=...] [--network=...] [--security=...] <command>\nRUN [\"executable\", \"arg\"]\n```\n\
             Runs a command in a new layer. Shell form runs through `SHELL` (default `/bin/sh -c`); \
             exec form runs the program directly. Use `--mount=type=secret` for credentials: \
             anything written to a layer stays in the image."
        }
        Keyword::Cmd => {
            "```dockerfile\nCMD [\"executable\", \"arg\"]\nCMD command arg\n```\n\
             The default command (or default arguments to `ENTRYPOINT`) of a container. Only the \
             last `CMD` of a stage counts. Exec form lets the process receive signals directly."
        }
        Keyword::Label => {
            "```dockerfile\nLABEL <key>=<value> [<key>=<value>...]\n```\n\
             Adds metadata to the image. Prefer the `org.opencontainers.image.*` keys (`source`, \
             `revision`, `authors`, `licenses`) that registries and scanners read."
        }
        Keyword::Maintainer => {
            "```dockerfile\nMAINTAINER <name>\n```\n\
             **Deprecated.** Sets the legacy `Author` field. Use \
             `LABEL org.opencontainers.image.authors=\"...\"` instead."
        }
        Keyword::Expose => {
            "```dockerfile\nEXPOSE <port>[/<protocol>] [...]\n```\n\
             Documents the ports the container listens on; it publishes nothing by itself. \
             Avoid privileged ports (below 1024) so the service can run as a non-root user."
        }
        Keyword::Env => {
            "```dockerfile\nENV <key>=<value> [...]\n```\n\
             Sets environment variables for later instructions and for containers run from the \
             image. Values are stored in the image config in plain text: never put secrets here."
        }
        Keyword::Add => {
            "```dockerfile\nADD [--chown=...] [--chmod=...] [--checksum=...] [--link] <src>... <dest>\n```\n\
             Copies files, and also fetches URLs, clones Git repositories and unpacks local \
             archives. Prefer `COPY` unless you need those; verify remote sources with `--checksum`."
        }
        Keyword::Copy => {
            "```dockerfile\nCOPY [--from=<stage|image>] [--chown=...] [--chmod=...] [--link] [--parents] [--exclude=...] <src>... <dest>\n```\n\
             Copies files from the build context, another stage or an image into the image. \
             Copy only what the image needs; a `.dockerignore` keeps secrets out of the context."
        }
        Keyword::Entrypoint => {
            "```dockerfile\nENTRYPOINT [\"executable\", \"arg\"]\nENTRYPOINT command arg\n```\n\
             The executable a container runs; `CMD` supplies default arguments. Shell form runs \
             under `/bin/sh -c`, so the process does not receive signals as PID 1."
        }
        Keyword::Volume => {
            "```dockerfile\nVOLUME [\"/data\"]\n```\n\
             Declares mount points for externally managed data. Changes made to the path by \
             later build steps are discarded."
        }
        Keyword::User => {
            "```dockerfile\nUSER <user>[:<group>]\nUSER <uid>[:<gid>]\n```\n\
             Sets the user (and group) for later `RUN`, `CMD` and `ENTRYPOINT`. The exported \
             image should end with a non-root user (CIS 4.1); a numeric UID works without `/etc/passwd`."
        }
        Keyword::Workdir => {
            "```dockerfile\nWORKDIR /path\n```\n\
             Sets the working directory for later instructions, creating it if needed. Use \
             absolute paths."
        }
        Keyword::Arg => {
            "```dockerfile\nARG <name>[=<default>]\n```\n\
             Declares a build argument (`--build-arg`). Before the first `FROM` it is only \
             visible to `FROM` lines. Build arguments can end up in the image history: never \
             pass secrets this way; use `RUN --mount=type=secret`."
        }
        Keyword::Onbuild => {
            "```dockerfile\nONBUILD <INSTRUCTION>\n```\n\
             Registers an instruction that runs when another build uses this image as its base. \
             Images built from yours inherit these steps."
        }
        Keyword::Stopsignal => {
            "```dockerfile\nSTOPSIGNAL <signal>\n```\n\
             The system call signal sent to the container to stop it (default `SIGTERM`)."
        }
        Keyword::Healthcheck => {
            "```dockerfile\nHEALTHCHECK [--interval=...] [--timeout=...] [--start-period=...] [--start-interval=...] [--retries=...] CMD <command>\nHEALTHCHECK NONE\n```\n\
             Tells the runtime how to check that the container still works (CIS 4.6). \
             `NONE` disables a check inherited from the base image."
        }
        Keyword::Shell => {
            "```dockerfile\nSHELL [\"executable\", \"parameters\"]\n```\n\
             Changes the shell used by the shell form of `RUN`, `CMD` and `ENTRYPOINT`. \
             `[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` makes pipelines fail when any part fails."
        }
        Keyword::Unknown => return None,
    })
}

/// Markdown for flag `name` of an instruction.
pub fn flag(keyword: Keyword, name: &str) -> Option<&'static str> {
    Some(match (keyword, name) {
        (Keyword::From, "platform") => {
            "`--platform=<os>/<arch>[/<variant>]`: the platform of the base image to pull, for \
             multi-platform images (`$BUILDPLATFORM`, `$TARGETPLATFORM`)."
        }
        (Keyword::Run, "mount") => {
            "`--mount=type=<bind|cache|tmpfs|secret|ssh>,...`: mounts something for this command \
             only; nothing mounted ends up in the layer.\n\n\
             - `type=secret,id=<id>[,target=...][,env=...]`: a build secret\n\
             - `type=ssh`: the SSH agent socket\n\
             - `type=cache,target=<dir>`: a persistent cache (package managers)\n\
             - `type=bind,from=<stage>,source=...,target=...`: files from a stage or the context\n\
             - `type=tmpfs,target=<dir>`: a scratch directory"
        }
        (Keyword::Run, "network") => {
            "`--network=<default|none|host>`: the network of this command. `none` builds without \
             network access; `host` needs the `network.host` entitlement."
        }
        (Keyword::Run, "security") => {
            "`--security=<sandbox|insecure>`: `insecure` runs the command with all capabilities \
             (needs the `security.insecure` entitlement). Avoid it."
        }
        (Keyword::Copy | Keyword::Add, "chown") => {
            "`--chown=<user>[:<group>]`: owner of the copied files (default root). Files the \
             application must not modify should stay owned by root."
        }
        (Keyword::Copy | Keyword::Add, "chmod") => {
            "`--chmod=<mode>`: permissions of the copied files, octal (`0644`) or symbolic. \
             Avoid world-writable modes."
        }
        (Keyword::Copy | Keyword::Add, "link") => {
            "`--link`: copies into an independent layer, so the copy is not invalidated when \
             earlier layers change."
        }
        (Keyword::Copy | Keyword::Add, "exclude") => {
            "`--exclude=<pattern>`: leaves out paths matching the pattern (repeatable)."
        }
        (Keyword::Copy, "from") => {
            "`--from=<stage|image|context>`: copies from a previous stage (by name or index), an \
             image, or a named build context instead of the main context. Pin images by digest."
        }
        (Keyword::Copy, "parents") => {
            "`--parents`: keeps the parent directories of the sources under the destination."
        }
        (Keyword::Add, "checksum") => {
            "`--checksum=sha256:<hex>`: verifies a remote source (URL or Git) before using it."
        }
        (Keyword::Add, "keep-git-dir") => {
            "`--keep-git-dir`: keeps the `.git` directory when adding a Git repository."
        }
        (Keyword::Add, "unpack") => {
            "`--unpack=<bool>`: whether archives are extracted (local archives are by default, \
             remote ones are not)."
        }
        (Keyword::Healthcheck, "interval") => {
            "`--interval=<duration>`: time between checks (default `30s`)."
        }
        (Keyword::Healthcheck, "timeout") => {
            "`--timeout=<duration>`: a check taking longer fails (default `30s`)."
        }
        (Keyword::Healthcheck, "start-period") => {
            "`--start-period=<duration>`: failures during this initial period do not count (default `0s`)."
        }
        (Keyword::Healthcheck, "start-interval") => {
            "`--start-interval=<duration>`: time between checks during the start period (default `5s`)."
        }
        (Keyword::Healthcheck, "retries") => {
            "`--retries=<n>`: consecutive failures before the container is unhealthy (default 3)."
        }
        _ => return None,
    })
}

/// Markdown for a parser directive.
pub fn directive(name: &str) -> Option<&'static str> {
    Some(match name {
        "syntax" => {
            "`# syntax=<frontend image>`: the BuildKit frontend that builds this file, e.g. \
             `docker/dockerfile:1`. Must be the first line."
        }
        "escape" => {
            "`# escape=<\\ or `>`: the character that escapes and continues lines (default `\\`; \
             `` ` `` suits Windows paths)."
        }
        "check" => {
            "`# check=skip=<checks>;error=<bool>`: BuildKit build checks to skip, and whether \
             check failures fail the build. hardfile honours it for the rules mapped to those checks."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_documented() {
        for keyword in Keyword::ALL {
            let doc = instruction(keyword).unwrap_or_default();
            assert!(doc.contains(keyword.as_str()), "{keyword:?}");
        }
        assert!(flag(Keyword::Run, "mount").is_some());
        assert!(flag(Keyword::Run, "chown").is_none());
    }
}
