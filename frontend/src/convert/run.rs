//! `RUN` → exec op: shell and exec form, heredocs, SHELL, environment, user, working directory,
//! `--network`, `--security`, mounts, and the frontend-wide RUN settings (`add-hosts`,
//! `shm-size`, `ulimit`, `cgroup-parent`, proxy build args, `no-cache`).

use hardfile_lints::words::{EmptyEnv, Lexer};
use hardfile_proto::llb::{self, BindMount, Exec, FileOp, Mkfile, OpBuilder, TmpfsMount};
use hardfile_proto::ops;
use std::fmt::Write as _;

use super::image_config::command_line;
use super::{Cmd, ConvertError, Converter, StageState, env_map};
use crate::caps;

/// A heredoc marker word (`<<EOF`, `<<-"EOF"`, `3<<EOF`): name, chomp, expand.
pub(crate) fn parse_heredoc_word(src: &str) -> Option<(String, bool, bool)> {
    let digits = src.bytes().take_while(u8::is_ascii_digit).count();
    let rest = src[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let mut lexer = Lexer::new('\\');
    lexer.skip_unset_env = true;
    let words = lexer.process_words(rest, &EmptyEnv).ok()?;
    if words.len() != 1 {
        return None;
    }
    lexer.raw_quotes = true;
    let raw = lexer.process_words(rest, &EmptyEnv).ok()?;
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    let expand = raw.len() == 1 && quotes(&words[0]) == quotes(&raw[0]);
    Some((words[0].clone(), chomp, expand))
}

/// `ChompHeredocContent`: strips leading tabs of every line.
pub(crate) fn chomp(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

/// `summarizeHeredoc`: the first line, with `...` when there are more.
fn summarize_heredoc(doc: &str) -> String {
    let doc = doc.trim();
    let normalized = doc.replace("\r\n", "\n");
    let mut lines = normalized.split('\n');
    let first = lines.next().unwrap_or_default().to_owned();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

/// `runCommandString`: `|N K=V … args` for the RUN history entry.
fn run_command_string(
    args: &[String],
    build_args: &[(String, Option<String>)],
    env: &[(String, String)],
) -> String {
    let env = env_map(env);
    let mut parts: Vec<String> = build_args
        .iter()
        .map(|(key, value)| {
            let value = env
                .get(key.as_str())
                .map_or_else(|| value.clone().unwrap_or_default(), |v| (*v).to_owned());
            format!("{key}={value}")
        })
        .collect();
    if !parts.is_empty() {
        parts.insert(0, format!("|{}", parts.len()));
    }
    parts.extend(args.iter().cloned());
    parts.join(" ")
}

impl Converter<'_> {
    pub(crate) fn dispatch_run(
        &mut self,
        stage: usize,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let instruction = cmd.instruction;
        let (mut args, shell) = command_line(instruction);
        let mut custom_name = instruction.original.trim().to_owned();
        let mut extra_mounts: Vec<(String, llb::Mount)> = Vec::new();

        if !instruction.heredocs.is_empty() {
            if args.len() != 1 || !shell {
                return Err(ConvertError::new(format!(
                    "parsing produced an invalid run command: {args:?}"
                )));
            }
            let first = &instruction.heredocs[0];
            if parse_heredoc_word(&args[0]).is_some() {
                let mut data = first.content.clone();
                if first.chomp {
                    data = chomp(&data);
                }
                if state.image.os != "windows" && first.content.starts_with("#!") {
                    let file = FileOp::new(None)
                        .then(Mkfile::new(
                            llb::clean_path(&format!("/{}", first.name)),
                            0o755,
                            data.into_bytes(),
                        ))
                        .custom_name("[internal] preparing inline document")
                        .build();
                    extra_mounts.push((
                        "/dev/pipes/".to_owned(),
                        llb::Mount::Bind(BindMount::readonly(Some(file)).selector("/")),
                    ));
                    args = vec![llb::clean_path(&format!("/dev/pipes/{}", first.name))];
                } else {
                    args = vec![data];
                }
                let _ = write!(custom_name, " ({})", summarize_heredoc(&first.content));
            } else {
                let mut full = args[0].clone();
                for heredoc in &instruction.heredocs {
                    full.push('\n');
                    full.push_str(&heredoc.content);
                    full.push_str(&heredoc.name);
                }
                args = vec![full];
            }
        }
        if shell {
            args = state.image.with_shell(&args);
        }

        let mut exec = Exec::new(state.output.clone(), args.clone())
            .envs(state.env_list())
            .cwd(state.dir.clone())
            .user(state.user.clone())
            .platform(state.platform.clone())
            .description(
                "com.docker.dockerfile.v1.command",
                instruction.original.trim().to_owned(),
            )
            .location(self.location(cmd));
        if let Some(hostname) = &self.options().hostname {
            exec = exec.hostname(hostname.clone());
        }
        if self.ignore_cache(stage) {
            exec = exec.ignore_cache(true);
        }
        if let Some(proxy) = &self.plan.proxy {
            exec = exec.proxy_env(proxy.clone());
        }
        if self.caps().has_llb(caps::llb::EXEC_META_SETS_DEFAULT_PATH) {
            exec = exec.cap(caps::llb::EXEC_META_SETS_DEFAULT_PATH);
        }

        for (dest, mount) in self.run_mounts(state, cmd)? {
            exec = exec.mount(dest, mount);
        }
        for (dest, mount) in extra_mounts {
            exec = exec.mount(dest, mount);
        }

        if let Some(security) = instruction.flag("security") {
            match security.value.as_deref().unwrap_or_default() {
                "insecure" => exec = exec.security(ops::SecurityMode::Insecure),
                "sandbox" => {}
                other => {
                    return Err(ConvertError::new(format!(
                        "unsupported security mode {other:?}"
                    )));
                }
            }
        }
        let network = match instruction.flag("network") {
            None => state.network,
            Some(flag) => match flag.value.as_deref().unwrap_or_default() {
                "default" => state.network,
                "none" => ops::NetMode::None,
                "host" => ops::NetMode::Host,
                other => {
                    return Err(ConvertError::new(format!("invalid network mode {other:?}")));
                }
            },
        };
        exec = exec.network(network);

        if self.caps().has_llb(caps::llb::EXEC_META_ULIMIT) {
            for ulimit in &self.options().ulimits {
                exec = exec.ulimit(ulimit.name.clone(), ulimit.soft, ulimit.hard);
            }
        }
        let shown = self.display_text(state, cmd, true);
        let shown = match custom_name.strip_prefix(instruction.original.trim()) {
            Some(suffix) if !suffix.is_empty() => format!("{shown}{suffix}"),
            _ => shown,
        };
        let name = self.progress_name(stage, state, &shown);
        exec = exec.custom_name(name);
        for host in &self.options().add_hosts {
            exec = exec.extra_host(host.host.clone(), host.ip.to_string());
        }
        if self.caps().has_llb(caps::llb::EXEC_MOUNT_TMPFS_SIZE)
            && let Some(size) = self.options().shm_size.filter(|&s| s > 0)
        {
            exec = exec.mount(
                "/dev/shm",
                TmpfsMount {
                    size: i64::try_from(size).unwrap_or(i64::MAX),
                },
            );
        }
        if self.caps().has_llb(caps::llb::EXEC_META_CGROUP_PARENT)
            && let Some(parent) = self
                .options()
                .cgroup_parent
                .as_ref()
                .filter(|p| !p.is_empty())
        {
            exec = exec.cgroup_parent(parent.clone());
        }

        state.output = Some(exec.build().root());
        let message = format!(
            "RUN {}",
            run_command_string(&args, &state.build_args, &state.env)
        );
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, true, true, epoch.as_deref());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_words() {
        assert_eq!(
            parse_heredoc_word("<<EOF"),
            Some(("EOF".to_owned(), false, true))
        );
        assert_eq!(
            parse_heredoc_word("<<-'EOF'"),
            Some(("EOF".to_owned(), true, false))
        );
        assert_eq!(parse_heredoc_word("echo <<EOF"), None);
        assert_eq!(chomp("\t\ta\n\tb\n"), "a\nb\n");
    }

    #[test]
    fn run_history() {
        let args = vec!["/bin/sh".to_owned(), "-c".to_owned(), "echo hi".to_owned()];
        let build_args = vec![
            ("A".to_owned(), Some("1".to_owned())),
            ("B".to_owned(), None),
        ];
        let env = vec![("A".to_owned(), "2".to_owned())];
        assert_eq!(
            run_command_string(&args, &build_args, &env),
            "|2 A=2 B= /bin/sh -c echo hi"
        );
    }
}
