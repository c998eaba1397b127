//! A stable, readable JSON rendering of a definition, for snapshot tests and `--print` style
//! debugging.
//!
//! Shape: `{"ops": [...], "terminal": {...}, "sources": [...]}`. Ops keep definition order; each
//! shows its digest, inputs (`{"digest", "index"}`), platform, the decoded op body, its metadata
//! (caps as a sorted list) and its source locations (`"line:char-line:char"`). Fields at their
//! protobuf default are left out, except indexes and modes where `0` and `-1` both mean
//! something. Enums are shown by their protobuf names.

use prost::Message;
use serde_json::{Map, Value, json};

use super::Digest;
use crate::ops;

/// Renders `definition` as JSON; undecodable entries show their decode error instead of failing.
pub fn dump_json(definition: &ops::Definition) -> Value {
    let mut op_list = Vec::new();
    let mut terminal = Value::Null;
    let last = definition.def.len().saturating_sub(1);
    for (position, bytes) in definition.def.iter().enumerate() {
        let digest = Digest::of(bytes);
        let mut entry = Map::new();
        entry.insert("digest".into(), json!(digest.as_str()));
        let op = match ops::Op::decode(bytes.as_slice()) {
            Ok(op) => op,
            Err(error) => {
                entry.insert("error".into(), json!(error.to_string()));
                op_list.push(Value::Object(entry));
                continue;
            }
        };
        if !op.inputs.is_empty() {
            entry.insert(
                "inputs".into(),
                op.inputs.iter().map(input_json).collect::<Vec<_>>().into(),
            );
        }
        if let Some(platform) = &op.platform {
            entry.insert("platform".into(), platform_json(platform));
        }
        if let Some(constraints) = &op.constraints
            && !constraints.filter.is_empty()
        {
            entry.insert("constraints".into(), json!(constraints.filter));
        }
        if let Some(body) = &op.op {
            let (kind, value) = body_json(body);
            entry.insert(kind.into(), value);
        }
        if let Some(md) = definition.metadata.get(digest.as_str()) {
            let md = metadata_json(md);
            if !md.is_empty() {
                entry.insert("metadata".into(), Value::Object(md));
            }
        }
        if let Some(locations) = definition
            .source
            .as_ref()
            .and_then(|source| source.locations.get(digest.as_str()))
        {
            entry.insert(
                "locations".into(),
                locations
                    .locations
                    .iter()
                    .map(|location| {
                        json!({
                            "source": location.source_index,
                            "ranges": location.ranges.iter().map(range_text).collect::<Vec<_>>(),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
        if position == last && op.op.is_none() {
            terminal = Value::Object(entry);
        } else {
            op_list.push(Value::Object(entry));
        }
    }

    let sources: Vec<Value> = definition
        .source
        .iter()
        .flat_map(|source| source.infos.iter())
        .map(|info| {
            let head = info
                .definition
                .as_ref()
                .and_then(|def| def.def.last())
                .map(|bytes| Digest::of(bytes).to_string());
            json!({
                "filename": info.filename,
                "language": info.language,
                "data": String::from_utf8_lossy(&info.data),
                "definition": head,
            })
        })
        .collect();

    sorted_keys(json!({ "ops": op_list, "terminal": terminal, "sources": sources }))
}

/// Rebuilds objects with sorted keys, so the dump does not depend on whether some crate in the
/// build enabled serde_json's `preserve_order`.
fn sorted_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted_keys(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

fn input_json(input: &ops::Input) -> Value {
    json!({ "digest": input.digest, "index": input.index })
}

fn platform_json(platform: &ops::Platform) -> Value {
    let mut out = Map::new();
    put_str(&mut out, "os", &platform.os);
    put_str(&mut out, "architecture", &platform.architecture);
    put_str(&mut out, "variant", &platform.variant);
    put_str(&mut out, "osVersion", &platform.os_version);
    put_list(&mut out, "osFeatures", &platform.os_features);
    Value::Object(out)
}

fn range_text(range: &ops::Range) -> String {
    let position = |p: Option<&ops::Position>| {
        p.map_or_else(|| "?".to_owned(), |p| format!("{}:{}", p.line, p.character))
    };
    format!(
        "{}-{}",
        position(range.start.as_ref()),
        position(range.end.as_ref())
    )
}

fn metadata_json(md: &ops::OpMetadata) -> Map<String, Value> {
    let mut out = Map::new();
    put_bool(&mut out, "ignoreCache", md.ignore_cache);
    if !md.description.is_empty() {
        out.insert("description".into(), json!(md.description));
    }
    if let Some(export) = md.export_cache {
        out.insert("exportCache".into(), json!(export.value));
    }
    let caps: Vec<&String> = md
        .caps
        .iter()
        .filter(|(_, on)| **on)
        .map(|(cap, _)| cap)
        .collect();
    if !caps.is_empty() {
        out.insert("caps".into(), json!(caps));
    }
    if let Some(group) = &md.progress_group {
        out.insert(
            "progressGroup".into(),
            json!({ "id": group.id, "name": group.name, "weak": group.weak }),
        );
    }
    out
}

fn body_json(body: &ops::op::Op) -> (&'static str, Value) {
    match body {
        ops::op::Op::Source(source) => (
            "source",
            json!({ "identifier": source.identifier, "attrs": source.attrs }),
        ),
        ops::op::Op::Exec(exec) => ("exec", exec_json(exec)),
        ops::op::Op::File(file) => (
            "file",
            json!({ "actions": file.actions.iter().map(file_action_json).collect::<Vec<_>>() }),
        ),
        ops::op::Op::Merge(merge) => (
            "merge",
            json!({ "inputs": merge.inputs.iter().map(|i| i.input).collect::<Vec<_>>() }),
        ),
        ops::op::Op::Diff(diff) => (
            "diff",
            json!({
                "lower": diff.lower.map(|l| l.input),
                "upper": diff.upper.map(|u| u.input),
            }),
        ),
        ops::op::Op::Build(build) => (
            "build",
            json!({
                "builder": build.builder,
                "inputs": build.inputs.iter().map(|(k, v)| (k.clone(), v.input)).collect::<std::collections::BTreeMap<_, _>>(),
                "attrs": build.attrs,
                "hasDefinition": build.def.is_some(),
            }),
        ),
    }
}

fn exec_json(exec: &ops::ExecOp) -> Value {
    let mut out = Map::new();
    if let Some(meta) = &exec.meta {
        let mut m = Map::new();
        m.insert("args".into(), json!(meta.args));
        put_list(&mut m, "env", &meta.env);
        put_str(&mut m, "cwd", &meta.cwd);
        put_str(&mut m, "user", &meta.user);
        put_str(&mut m, "hostname", &meta.hostname);
        if !meta.extra_hosts.is_empty() {
            m.insert(
                "extraHosts".into(),
                meta.extra_hosts
                    .iter()
                    .map(|h| json!({ "host": h.host, "ip": h.ip }))
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
        if !meta.ulimit.is_empty() {
            m.insert(
                "ulimit".into(),
                meta.ulimit
                    .iter()
                    .map(|u| json!({ "name": u.name, "soft": u.soft, "hard": u.hard }))
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
        put_str(&mut m, "cgroupParent", &meta.cgroup_parent);
        if let Some(proxy) = &meta.proxy_env {
            let mut p = Map::new();
            put_str(&mut p, "httpProxy", &proxy.http_proxy);
            put_str(&mut p, "httpsProxy", &proxy.https_proxy);
            put_str(&mut p, "ftpProxy", &proxy.ftp_proxy);
            put_str(&mut p, "noProxy", &proxy.no_proxy);
            put_str(&mut p, "allProxy", &proxy.all_proxy);
            m.insert("proxyEnv".into(), Value::Object(p));
        }
        put_bool(
            &mut m,
            "removeMountStubsRecursive",
            meta.remove_mount_stubs_recursive,
        );
        if !meta.valid_exit_codes.is_empty() {
            m.insert("validExitCodes".into(), json!(meta.valid_exit_codes));
        }
        out.insert("meta".into(), Value::Object(m));
    }
    if exec.network != 0 {
        out.insert(
            "network".into(),
            json!(enum_name::<ops::NetMode>(exec.network)),
        );
    }
    if exec.security != 0 {
        out.insert(
            "security".into(),
            json!(enum_name::<ops::SecurityMode>(exec.security)),
        );
    }
    out.insert(
        "mounts".into(),
        exec.mounts
            .iter()
            .map(mount_json)
            .collect::<Vec<_>>()
            .into(),
    );
    if !exec.secretenv.is_empty() {
        out.insert(
            "secretEnv".into(),
            exec.secretenv
                .iter()
                .map(|s| json!({ "id": s.id, "name": s.name, "optional": s.optional }))
                .collect::<Vec<_>>()
                .into(),
        );
    }
    if !exec.cdi_devices.is_empty() {
        out.insert(
            "cdiDevices".into(),
            exec.cdi_devices
                .iter()
                .map(|d| json!({ "name": d.name, "optional": d.optional }))
                .collect::<Vec<_>>()
                .into(),
        );
    }
    Value::Object(out)
}

fn mount_json(mount: &ops::Mount) -> Value {
    let mut out = Map::new();
    out.insert("dest".into(), json!(mount.dest));
    out.insert("input".into(), json!(mount.input));
    out.insert("output".into(), json!(mount.output));
    if mount.mount_type != 0 {
        out.insert(
            "type".into(),
            json!(enum_name::<ops::MountType>(mount.mount_type)),
        );
    }
    put_str(&mut out, "selector", &mount.selector);
    put_bool(&mut out, "readonly", mount.readonly);
    if let Some(cache) = &mount.cache_opt {
        out.insert(
            "cache".into(),
            json!({ "id": cache.id, "sharing": enum_name::<ops::CacheSharingOpt>(cache.sharing) }),
        );
    }
    if let Some(tmpfs) = &mount.tmpfs_opt {
        out.insert("tmpfs".into(), json!({ "size": tmpfs.size }));
    }
    if let Some(secret) = &mount.secret_opt {
        out.insert(
            "secret".into(),
            json!({
                "id": secret.id, "uid": secret.uid, "gid": secret.gid,
                "mode": format!("{:#o}", secret.mode), "optional": secret.optional,
            }),
        );
    }
    if let Some(ssh) = &mount.ssh_opt {
        out.insert(
            "ssh".into(),
            json!({
                "id": ssh.id, "uid": ssh.uid, "gid": ssh.gid,
                "mode": format!("{:#o}", ssh.mode), "optional": ssh.optional,
            }),
        );
    }
    if mount.content_cache != 0 {
        out.insert(
            "contentCache".into(),
            json!(enum_name::<ops::MountContentCache>(mount.content_cache)),
        );
    }
    put_str(&mut out, "resultId", &mount.result_id);
    Value::Object(out)
}

fn file_action_json(action: &ops::FileAction) -> Value {
    let mut out = Map::new();
    out.insert("input".into(), json!(action.input));
    out.insert("secondaryInput".into(), json!(action.secondary_input));
    out.insert("output".into(), json!(action.output));
    let Some(body) = &action.action else {
        return Value::Object(out);
    };
    let (kind, value) = match body {
        ops::file_action::Action::Copy(copy) => {
            let mut c = Map::new();
            c.insert("src".into(), json!(copy.src));
            c.insert("dest".into(), json!(copy.dest));
            put_owner(&mut c, copy.owner.as_ref());
            c.insert("mode".into(), mode_json(copy.mode));
            put_str(&mut c, "modeStr", &copy.mode_str);
            put_bool(&mut c, "followSymlink", copy.follow_symlink);
            put_bool(&mut c, "dirCopyContents", copy.dir_copy_contents);
            put_bool(
                &mut c,
                "attemptUnpackDockerCompatibility",
                copy.attempt_unpack_docker_compatibility,
            );
            put_bool(&mut c, "createDestPath", copy.create_dest_path);
            put_bool(&mut c, "allowWildcard", copy.allow_wildcard);
            put_bool(&mut c, "allowEmptyWildcard", copy.allow_empty_wildcard);
            put_timestamp(&mut c, copy.timestamp);
            put_list(&mut c, "includePatterns", &copy.include_patterns);
            put_list(&mut c, "excludePatterns", &copy.exclude_patterns);
            put_list(&mut c, "requiredPaths", &copy.required_paths);
            put_bool(
                &mut c,
                "alwaysReplaceExistingDestPaths",
                copy.always_replace_existing_dest_paths,
            );
            ("copy", c)
        }
        ops::file_action::Action::Mkfile(mkfile) => {
            let mut c = Map::new();
            c.insert("path".into(), json!(mkfile.path));
            c.insert("mode".into(), mode_json(mkfile.mode));
            c.insert("data".into(), json!(String::from_utf8_lossy(&mkfile.data)));
            put_owner(&mut c, mkfile.owner.as_ref());
            put_timestamp(&mut c, mkfile.timestamp);
            ("mkfile", c)
        }
        ops::file_action::Action::Mkdir(mkdir) => {
            let mut c = Map::new();
            c.insert("path".into(), json!(mkdir.path));
            c.insert("mode".into(), mode_json(mkdir.mode));
            put_bool(&mut c, "makeParents", mkdir.make_parents);
            put_owner(&mut c, mkdir.owner.as_ref());
            put_timestamp(&mut c, mkdir.timestamp);
            ("mkdir", c)
        }
        ops::file_action::Action::Rm(rm) => {
            let mut c = Map::new();
            c.insert("path".into(), json!(rm.path));
            put_bool(&mut c, "allowNotFound", rm.allow_not_found);
            put_bool(&mut c, "allowWildcard", rm.allow_wildcard);
            ("rm", c)
        }
        ops::file_action::Action::Symlink(symlink) => {
            let mut c = Map::new();
            c.insert("oldpath".into(), json!(symlink.oldpath));
            c.insert("newpath".into(), json!(symlink.newpath));
            put_owner(&mut c, symlink.owner.as_ref());
            put_timestamp(&mut c, symlink.timestamp);
            ("symlink", c)
        }
    };
    out.insert(kind.into(), Value::Object(value));
    Value::Object(out)
}

/// Octal text for set modes, `-1` (keep) as a number.
fn mode_json(mode: i32) -> Value {
    if mode < 0 {
        json!(mode)
    } else {
        json!(format!("{mode:#o}"))
    }
}

fn put_owner(out: &mut Map<String, Value>, owner: Option<&ops::ChownOpt>) {
    let Some(owner) = owner else { return };
    let user_json = |user: Option<&ops::UserOpt>| match user.and_then(|u| u.user.as_ref()) {
        None => Value::Null,
        Some(ops::user_opt::User::ById(id)) => json!({ "id": id }),
        Some(ops::user_opt::User::ByName(named)) => {
            json!({ "name": named.name, "input": named.input })
        }
    };
    out.insert(
        "owner".into(),
        json!({ "user": user_json(owner.user.as_ref()), "group": user_json(owner.group.as_ref()) }),
    );
}

fn put_timestamp(out: &mut Map<String, Value>, timestamp: i64) {
    if timestamp != -1 {
        out.insert("timestamp".into(), json!(timestamp));
    }
}

fn put_str(out: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        out.insert(key.into(), json!(value));
    }
}

fn put_bool(out: &mut Map<String, Value>, key: &str, value: bool) {
    if value {
        out.insert(key.into(), json!(true));
    }
}

fn put_list(out: &mut Map<String, Value>, key: &str, values: &[String]) {
    if !values.is_empty() {
        out.insert(key.into(), json!(values));
    }
}

/// Protobuf name of an enum value, or the number when unknown.
fn enum_name<E>(value: i32) -> Value
where
    E: TryFrom<i32> + EnumName,
{
    E::try_from(value).map_or_else(|_| json!(value), |e| json!(e.name()))
}

/// Uniform access to the generated `as_str_name`.
trait EnumName {
    fn name(&self) -> &'static str;
}

macro_rules! enum_name_impl {
    ($($ty:ty),*) => {$(
        impl EnumName for $ty {
            fn name(&self) -> &'static str {
                self.as_str_name()
            }
        }
    )*};
}

enum_name_impl!(
    ops::NetMode,
    ops::SecurityMode,
    ops::MountType,
    ops::CacheSharingOpt,
    ops::MountContentCache
);
