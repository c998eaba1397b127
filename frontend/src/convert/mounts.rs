//! `RUN --mount=type=bind|cache|tmpfs|secret|ssh` (BuildKit's `instructions/commands_runmount.go`
//! parsing and `dockerfile2llb/convert_runmount.go`, `convert_secrets.go`, `convert_ssh.go`).

use hardfile_proto::llb::{
    self, BindMount, CacheMount, Chown, FileOp, Mkdir, Mount as LlbMount, OpBuilder, SecretMount,
    SshMount, TmpfsMount, UserRef,
};
use hardfile_proto::ops;

use super::{Cmd, ConvertError, Converter, StageState};
use crate::caps;

/// Mount types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountType {
    /// `bind` (default).
    Bind,
    /// `cache`.
    Cache,
    /// `tmpfs`.
    Tmpfs,
    /// `secret`.
    Secret,
    /// `ssh`.
    Ssh,
}

impl MountType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Bind => "bind",
            Self::Cache => "cache",
            Self::Tmpfs => "tmpfs",
            Self::Secret => "secret",
            Self::Ssh => "ssh",
        }
    }
}

/// One parsed `--mount` (`instructions.Mount`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunMount {
    /// Type.
    pub kind: MountType,
    /// `from=`.
    pub from: String,
    /// `source=`/`src=`.
    pub source: String,
    /// `target=`/`dst=`/`destination=`.
    pub target: String,
    /// Read-only.
    pub readonly: bool,
    /// tmpfs `size=` in bytes.
    pub size_limit: i64,
    /// `id=`.
    pub cache_id: String,
    /// `sharing=`.
    pub sharing: String,
    /// `required`.
    pub required: bool,
    /// `mode=` (octal).
    pub mode: Option<u32>,
    /// `uid=`.
    pub uid: Option<u32>,
    /// `gid=`.
    pub gid: Option<u32>,
}

/// Go's `encoding/csv` reading one record.
fn csv_fields(value: &str) -> Result<Vec<String>, ConvertError> {
    let mut fields = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => {
                        return Err(ConvertError::new(
                            "failed to parse csv mounts: extraneous or missing \" in quoted-field",
                        ));
                    }
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(_) => {
                    return Err(ConvertError::new(
                        "failed to parse csv mounts: extraneous or missing \" in quoted-field",
                    ));
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => {
                        fields.push(field);
                        break;
                    }
                    Some('"') => {
                        return Err(ConvertError::new(
                            "failed to parse csv mounts: bare \" in non-quoted-field",
                        ));
                    }
                    Some(c) => field.push(c),
                }
            }
        }
    }
}

/// The raw `from=` of a `--mount` value, as BuildKit reads it before expansion.
pub fn raw_from(value: &str) -> Option<String> {
    let fields = csv_fields(value).ok()?;
    let mut from = None;
    for field in fields {
        if let Some((key, value)) = field.split_once('=')
            && key.eq_ignore_ascii_case("from")
        {
            from = Some(value.to_owned());
        }
    }
    from.filter(|f| !f.is_empty())
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConvertError> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(ConvertError::new(format!(
            "invalid value for {key}: {value}"
        ))),
    }
}

/// `units.RAMInBytes`.
fn ram_in_bytes(value: &str) -> Option<i64> {
    let trimmed = value.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let number: f64 = trimmed[..split].parse().ok()?;
    let unit = trimmed[split..].to_ascii_lowercase();
    let multiplier: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0f64.powi(4),
        "p" | "pb" | "pib" => 1024.0f64.powi(5),
        _ => return None,
    };
    #[allow(clippy::cast_possible_truncation)]
    Some((number * multiplier) as i64)
}

/// `parseMount` with an expander.
pub fn parse_mount(
    value: &str,
    expand: &dyn Fn(&str) -> Result<String, ConvertError>,
) -> Result<RunMount, ConvertError> {
    let fields = csv_fields(value)?;
    let mut mount = RunMount {
        kind: MountType::Bind,
        from: String::new(),
        source: String::new(),
        target: String::new(),
        readonly: false,
        size_limit: 0,
        cache_id: String::new(),
        sharing: String::new(),
        required: false,
        mode: None,
        uid: None,
        gid: None,
    };
    let mut ro_auto = true;
    for field in fields {
        let (key, raw, has_value) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), v.to_owned(), true),
            None => (field.to_ascii_lowercase(), String::new(), false),
        };
        if !has_value {
            match key.as_str() {
                "readonly" | "ro" => {
                    mount.readonly = true;
                    ro_auto = false;
                }
                "readwrite" | "rw" => {
                    mount.readonly = false;
                    ro_auto = false;
                }
                "required" if matches!(mount.kind, MountType::Secret | MountType::Ssh) => {
                    mount.required = true;
                }
                "required" => {
                    return Err(ConvertError::new(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        mount.kind.as_str()
                    )));
                }
                _ => {
                    return Err(ConvertError::new(format!(
                        "invalid field '{field}' must be a key=value pair"
                    )));
                }
            }
            continue;
        }
        let value = expand(&raw)?;
        match key.as_str() {
            "type" => {
                mount.kind = match value.to_ascii_lowercase().as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ => {
                        return Err(ConvertError::new(format!(
                            "unsupported mount type {value:?}"
                        )));
                    }
                };
            }
            "from" => mount.from = value,
            "source" | "src" => mount.source = value,
            "target" | "dst" | "destination" => mount.target = value,
            "readonly" | "ro" => {
                mount.readonly = parse_bool(&key, &value)?;
                ro_auto = false;
            }
            "readwrite" | "rw" => {
                mount.readonly = !parse_bool(&key, &value)?;
                ro_auto = false;
            }
            "required" => {
                if matches!(mount.kind, MountType::Secret | MountType::Ssh) {
                    mount.required = parse_bool(&key, &value)?;
                } else {
                    return Err(ConvertError::new(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        mount.kind.as_str()
                    )));
                }
            }
            "size" => {
                if mount.kind == MountType::Tmpfs {
                    mount.size_limit = ram_in_bytes(&value).ok_or_else(|| {
                        ConvertError::new(format!("invalid value for {key}: {value}"))
                    })?;
                } else {
                    return Err(ConvertError::new(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        mount.kind.as_str()
                    )));
                }
            }
            "id" => mount.cache_id = value,
            "sharing" => {
                let lower = value.to_ascii_lowercase();
                if !matches!(lower.as_str(), "shared" | "private" | "locked") {
                    return Err(ConvertError::new(format!(
                        "unsupported sharing value {value:?}"
                    )));
                }
                mount.sharing = lower;
            }
            "mode" => {
                mount.mode =
                    Some(u32::from_str_radix(&value, 8).map_err(|_| {
                        ConvertError::new(format!("invalid value {value} for mode"))
                    })?);
            }
            "uid" => {
                mount.uid =
                    Some(value.parse().map_err(|_| {
                        ConvertError::new(format!("invalid value {value} for uid"))
                    })?);
            }
            "gid" => {
                mount.gid =
                    Some(value.parse().map_err(|_| {
                        ConvertError::new(format!("invalid value {value} for gid"))
                    })?);
            }
            _ => {
                return Err(ConvertError::new(format!(
                    "unexpected key '{key}' in '{field}'"
                )));
            }
        }
    }
    let file_info_allowed = matches!(
        mount.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    if !file_info_allowed {
        let kind = mount.kind.as_str();
        if mount.mode.is_some() {
            return Err(ConvertError::new(format!(
                "mode not allowed for {kind:?} type mounts"
            )));
        }
        if mount.uid.is_some() {
            return Err(ConvertError::new(format!(
                "uid not allowed for {kind:?} type mounts"
            )));
        }
        if mount.gid.is_some() {
            return Err(ConvertError::new(format!(
                "gid not allowed for {kind:?} type mounts"
            )));
        }
    }
    if ro_auto {
        mount.readonly = !matches!(mount.kind, MountType::Cache | MountType::Tmpfs);
    }
    if mount.kind == MountType::Secret {
        if !mount.from.is_empty() {
            return Err(ConvertError::new("secret mount should not have a from"));
        }
        if !mount.sharing.is_empty() {
            return Err(ConvertError::new("secret mount should not define sharing"));
        }
        if mount.source.is_empty() && mount.target.is_empty() && mount.cache_id.is_empty() {
            return Err(ConvertError::new(
                "invalid secret mount. one of source, target required",
            ));
        }
        if !mount.source.is_empty() && !mount.cache_id.is_empty() {
            return Err(ConvertError::new("both source and id can't be set"));
        }
    }
    if !mount.sharing.is_empty() && mount.kind != MountType::Cache {
        return Err(ConvertError::new(format!(
            "invalid cache sharing set for {} mount",
            mount.kind.as_str()
        )));
    }
    Ok(mount)
}

/// Go's `path.Base`.
fn base_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() {
            ".".into()
        } else {
            "/".into()
        };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

#[allow(clippy::assigning_clones)]
impl Converter<'_> {
    /// The mounts of a RUN, as `(destination, mount)` pairs.
    pub(crate) fn run_mounts(
        &mut self,
        state: &StageState,
        cmd: &Cmd<'_>,
    ) -> Result<Vec<(String, LlbMount)>, ConvertError> {
        let mut out = Vec::new();
        let mut ssh_count = 0usize;
        let namespace = self
            .options()
            .cache_mount_namespace
            .clone()
            .unwrap_or_default();
        for (n, flag) in cmd.instruction.flags_named("mount").enumerate() {
            let raw = flag.value.clone().unwrap_or_default();
            let mut mount = parse_mount(&raw, &|word| self.expand(state, word))?;
            if mount.from.is_empty() && mount.kind == MountType::Cache {
                mount.from = "scratch".to_owned();
            }
            let mut source = self.context.clone();
            if !mount.from.is_empty() {
                let stage = self.source_stage(cmd, n, &mount.from).ok_or_else(|| {
                    ConvertError::new(format!(
                        "cannot mount from stage {:?} to {:?}, stage needs to be defined before current command",
                        mount.from, mount.target
                    ))
                })?;
                source = self.dispatched_output(stage).ok_or_else(|| {
                    ConvertError::new(format!(
                        "cannot mount from stage {:?} to {:?}, stage needs to be defined before current command",
                        mount.from, mount.target
                    ))
                })?;
            }
            match mount.kind {
                MountType::Secret => {
                    let mut id = if mount.source.is_empty() {
                        mount.cache_id.clone()
                    } else {
                        mount.source.clone()
                    };
                    if id.is_empty() {
                        if mount.target.is_empty() {
                            return Err(ConvertError::new("one of source, target required"));
                        }
                        id = base_name(&mount.target);
                    }
                    let target = if mount.target.is_empty() {
                        format!("/run/secrets/{}", base_name(&id))
                    } else {
                        mount.target.clone()
                    };
                    let mut secret = SecretMount::new(id);
                    secret.optional = !mount.required;
                    secret.uid = mount.uid.unwrap_or(0);
                    secret.gid = mount.gid.unwrap_or(0);
                    secret.mode = mount.mode.unwrap_or(0o400);
                    out.push((target, LlbMount::Secret(secret)));
                    continue;
                }
                MountType::Ssh => {
                    let id = if mount.cache_id.is_empty() {
                        "default".to_owned()
                    } else {
                        mount.cache_id.clone()
                    };
                    let target = if mount.target.is_empty() {
                        format!("/run/buildkit/ssh_agent.{ssh_count}")
                    } else {
                        mount.target.clone()
                    };
                    ssh_count += 1;
                    let mut ssh = SshMount::new(id);
                    ssh.optional = !mount.required;
                    ssh.uid = mount.uid.unwrap_or(0);
                    ssh.gid = mount.gid.unwrap_or(0);
                    ssh.mode = mount.mode.unwrap_or(0o600);
                    out.push((target, LlbMount::Ssh(ssh)));
                    continue;
                }
                _ => {}
            }
            if mount.kind == MountType::Tmpfs {
                source = None;
            }
            let cleaned = llb::clean_path(&mount.target);
            let target = if cleaned.starts_with('/') {
                mount.target.clone()
            } else {
                llb::clean_path(&format!("/{}/{}", state.dir, mount.target))
            };
            if target == "/" {
                return Err(ConvertError::new(format!(
                    "invalid mount target {target:?}"
                )));
            }
            let mut selector = String::new();
            let src = llb::clean_path(&format!("/{}", mount.source));
            if src == "/" {
                if mount.uid.is_some() || mount.gid.is_some() || mount.mode.is_some() {
                    let mkdir = Mkdir {
                        path: "/cache".to_owned(),
                        mode: mount.mode.unwrap_or(0o755),
                        make_parents: false,
                        owner: Some(Chown {
                            user: Some(UserRef::Id(mount.uid.unwrap_or(0))),
                            group: Some(UserRef::Id(mount.gid.unwrap_or(0))),
                        }),
                        timestamp: None,
                    };
                    source = Some(
                        FileOp::new(source)
                            .then(mkdir)
                            .custom_name("[internal] settings cache mount permissions")
                            .build(),
                    );
                    selector = "/cache".to_owned();
                }
            } else {
                selector.clone_from(&src);
            }
            let llb_mount = match mount.kind {
                MountType::Tmpfs => LlbMount::Tmpfs(TmpfsMount {
                    size: mount.size_limit,
                }),
                MountType::Cache => {
                    let sharing = match mount.sharing.as_str() {
                        "private" => ops::CacheSharingOpt::Private,
                        "locked" => ops::CacheSharingOpt::Locked,
                        _ => ops::CacheSharingOpt::Shared,
                    };
                    let id = if mount.cache_id.is_empty() {
                        llb::clean_path(&mount.target)
                    } else {
                        mount.cache_id.clone()
                    };
                    // A read-only cache mount is still a cache mount in LLB terms.
                    LlbMount::Cache(CacheMount {
                        id: format!("{namespace}/{id}"),
                        sharing,
                        source: source.clone(),
                        selector: selector.clone(),
                    })
                }
                _ => {
                    let mut bind = if mount.readonly {
                        BindMount::readonly(source.clone())
                    } else {
                        BindMount::new(source.clone())
                    };
                    if !mount.readonly
                        && self
                            .caps()
                            .has_llb(caps::llb::EXEC_MOUNT_BIND_READ_WRITE_NO_OUTPUT)
                    {
                        bind.discard_output = true;
                    }
                    LlbMount::Bind(bind.selector(selector.clone()))
                }
            };
            out.push((target, llb_mount));
            if mount.from.is_empty() {
                self.context_paths
                    .insert(llb::clean_path(&format!("/{}", mount.source)));
            }
        }
        Ok(out)
    }

    /// The filesystem of an earlier stage, or of an implicit image stage: `None` when the stage
    /// is not dispatched yet, `Some(None)` when it is scratch.
    #[allow(clippy::option_option)]
    pub(crate) fn dispatched_output(&self, stage: usize) -> Option<Option<llb::Output>> {
        if self.plan.stages[stage].noinit {
            return Some(self.plan.resolved[stage].output.clone());
        }
        self.stage_output(stage).map(|state| state.output.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<RunMount, ConvertError> {
        parse_mount(value, &|w| Ok(w.to_owned()))
    }

    #[test]
    fn mount_defaults_and_errors() {
        let m = parse("type=cache,target=/root/.cache").expect("cache");
        assert_eq!(m.kind, MountType::Cache);
        assert!(!m.readonly);
        let m = parse("target=/src").expect("bind");
        assert!(m.readonly);
        let m = parse("type=bind,target=/src,rw").expect("rw");
        assert!(!m.readonly);
        assert!(parse("type=bind,target=/x,mode=0700").is_err());
        assert!(parse("type=secret").is_err());
        assert_eq!(
            parse("type=tmpfs,target=/t,size=64m")
                .expect("tmpfs")
                .size_limit,
            64 << 20
        );
        assert_eq!(
            raw_from("type=bind,from=build,target=/x").as_deref(),
            Some("build")
        );
        assert_eq!(csv_fields(r#""a,b",c"#).expect("csv"), vec!["a,b", "c"]);
    }
}
