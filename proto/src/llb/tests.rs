#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use prost::Message;

use super::*;

fn amd64() -> ops::Platform {
    platform("linux", "amd64")
}

fn alpine() -> Output {
    Image::new("docker.io/library/alpine:3.20")
        .resolve_mode(ResolveMode::Local)
        .platform(amd64())
        .custom_name("[internal] load metadata for docker.io/library/alpine:3.20")
        .build()
}

fn decode(bytes: &[u8]) -> ops::Op {
    ops::Op::decode(bytes).unwrap()
}

fn body(output: &Output) -> ops::op::Op {
    output.vertex().op().op.clone().unwrap()
}

#[test]
fn encoding_follows_go_field_order_and_presence() {
    let image = Image::new("docker.io/library/alpine:latest")
        .platform(amd64())
        .build();
    let id = b"docker-image://docker.io/library/alpine:latest";
    let mut expected = vec![0x1a, u8::try_from(id.len() + 2).unwrap(), 0x0a];
    expected.push(u8::try_from(id.len()).unwrap());
    expected.extend_from_slice(id);
    // platform (10): architecture (1) then os (2)
    expected.extend_from_slice(&[0x52, 14, 0x0a, 5]);
    expected.extend_from_slice(b"amd64");
    expected.extend_from_slice(&[0x12, 5]);
    expected.extend_from_slice(b"linux");
    // constraints (11): always present, empty
    expected.extend_from_slice(&[0x5a, 0]);
    assert_eq!(image.vertex().bytes(), expected.as_slice());
    assert_eq!(
        image.digest().as_str(),
        format!(
            "sha256:{}",
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&expected))
        )
    );
}

#[test]
fn identical_ops_have_equal_stable_digests() {
    let a = alpine();
    let b = alpine();
    assert!(!Arc::ptr_eq(a.vertex(), b.vertex()));
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a, b);
    assert_eq!(op_digest(a.vertex().op()), *a.digest());
    let other = Image::new("docker.io/library/alpine:3.21")
        .platform(amd64())
        .build();
    assert_ne!(a.digest(), other.digest());
    // Metadata is not part of the digest.
    let renamed = Image::new("docker.io/library/alpine:3.20")
        .resolve_mode(ResolveMode::Local)
        .platform(amd64())
        .custom_name("something else")
        .build();
    assert_eq!(a.digest(), renamed.digest());
}

#[test]
fn identical_subgraphs_are_marshalled_once() {
    let run = |base: Output| {
        Exec::new(Some(base), ["/bin/sh", "-c", "make"])
            .custom_name("RUN make")
            .build()
            .root()
    };
    let left = run(alpine());
    let right = run(alpine());
    let combined = FileOp::new(Some(left))
        .then(CopyAction::new(right, "/out", "/out2"))
        .build();
    let def = marshal(Some(&combined));
    // image, exec, file, terminal: the two identical image+exec chains collapse.
    assert_eq!(def.def.len(), 4);
    let file = decode(&def.def[2]);
    assert_eq!(file.inputs.len(), 1, "equal outputs are one input");
    let Some(ops::op::Op::File(file_op)) = file.op else {
        panic!("expected a file op")
    };
    assert_eq!(file_op.actions[0].input, 0);
    assert_eq!(file_op.actions[0].secondary_input, 0);
    // every op has a metadata entry, the terminal too
    assert_eq!(def.metadata.len(), 4);
}

#[test]
fn ops_are_in_dependency_order_and_terminal_is_last() {
    let ctx = Local::new("context").session_id("s1").build();
    let run = Exec::new(Some(alpine()), ["true"]).build().root();
    let copied = FileOp::new(Some(run.clone()))
        .then(CopyAction::dockerfile(ctx.clone(), "/", "/app/"))
        .custom_name("COPY . /app/")
        .build();
    let def = marshal(Some(&copied));
    let digests: Vec<Digest> = def.def.iter().map(|b| Digest::of(b)).collect();
    let position = |d: &Digest| digests.iter().position(|x| x == d).unwrap();
    assert!(position(alpine().digest()) < position(run.digest()));
    assert!(position(run.digest()) < position(copied.digest()));
    assert!(position(ctx.digest()) < position(copied.digest()));

    let terminal = decode(def.def.last().unwrap());
    assert_eq!(
        terminal,
        ops::Op {
            inputs: vec![ops::Input {
                digest: copied.digest().to_string(),
                index: 0
            }],
            ..ops::Op::default()
        }
    );
    let terminal_md = &def.metadata[digests.last().unwrap().as_str()];
    let caps: Vec<&str> = terminal_md.caps.keys().map(String::as_str).collect();
    assert_eq!(caps, ["constraints", "meta.description", "platform"]);
    assert!(terminal_md.description.is_empty());
}

#[test]
fn scratch_marshals_to_an_empty_definition() {
    assert_eq!(marshal(None), ops::Definition::default());
}

#[test]
fn every_op_kind_round_trips_through_prost() {
    let image = alpine();
    let local = Local::new("context")
        .session_id("sess")
        .shared_key_hint("context")
        .exclude_patterns(&["node_modules", "*.log"])
        .follow_paths(&["src", "<odd&name>"])
        .include_patterns(&["src/**"])
        .differ(Differ::None, false)
        .build();
    let git = Git::new("https://github.com/moby/buildkit.git", Some("v0.13.2"))
        .keep_git_dir()
        .build();
    let http = Http::new("https://example.com/tool.tar.gz")
        .checksum("sha256:0000")
        .filename("tool.tar.gz")
        .perm(0o755)
        .uid(1000)
        .gid(1000)
        .build();
    let exec = Exec::new(Some(image.clone()), ["sh", "-c", "x"])
        .mount(
            "/cache",
            CacheMount::new("go", ops::CacheSharingOpt::Locked),
        )
        .build()
        .root();
    let file = FileOp::new(None)
        .then(Mkdir::new("/a", 0o755))
        .then(Mkfile::new("/a/b", 0o644, "hi"))
        .then(Rm::new("/a/c"))
        .build();
    let merged = Merge::new(vec![image.clone(), file.clone()]).build();
    for output in [image, local, git, http, exec, file, merged] {
        let vertex = output.vertex();
        assert_eq!(&decode(vertex.bytes()), vertex.op());
        assert_eq!(Digest::of(vertex.bytes()), *vertex.digest());
    }
}

#[test]
fn source_ops_carry_buildkit_attrs_caps_and_platform_rules() {
    let image = alpine();
    let attrs = |o: &Output| match body(o) {
        ops::op::Op::Source(s) => (s.identifier, s.attrs),
        other => panic!("not a source: {other:?}"),
    };
    let caps = |o: &Output| -> Vec<String> { o.vertex().metadata().caps.keys().cloned().collect() };
    assert_eq!(attrs(&image).1["image.resolvemode"], "local");
    assert_eq!(caps(&image), ["source.image"]);
    assert!(image.vertex().op().platform.is_some());

    let pulled = Image::new("docker.io/library/alpine:3.20")
        .resolve_mode(ResolveMode::Pull)
        .record_type("internal")
        .build();
    assert_eq!(caps(&pulled), ["source.image", "source.image.resolvemode"]);
    assert_eq!(attrs(&pulled).1["image.recordtype"], "internal");

    let local = Local::new("context")
        .platform(amd64())
        .session_id("sess")
        .exclude_patterns(&["a&b", "<x>"])
        .build();
    let (id, local_attrs) = attrs(&local);
    assert_eq!(id, "local://context");
    assert_eq!(
        local_attrs["local.excludepatterns"],
        r#"["a\u0026b","\u003cx\u003e"]"#
    );
    assert!(
        local.vertex().op().platform.is_none(),
        "local sources have no platform"
    );
    assert_eq!(
        caps(&local),
        [
            "source.local",
            "source.local.excludepatterns",
            "source.local.sessionid"
        ]
    );
    let anonymous = Local::new("context").build();
    assert_eq!(attrs(&anonymous).1["local.unique"], "");

    let git = Git::new("git@github.com:moby/buildkit.git", Some("master:frontend"));
    let (id, git_attrs) = attrs(&git.build());
    assert_eq!(id, "git://github.com/moby/buildkit.git#master:frontend");
    assert_eq!(git_attrs["git.fullurl"], "git@github.com:moby/buildkit.git");
    assert_eq!(git_attrs["git.mountsshsock"], "default");
    assert_eq!(git_attrs["git.authtokensecret"], "GIT_AUTH_TOKEN");
    let (id, _) = attrs(&Git::new("github.com/moby/buildkit", None).build());
    assert_eq!(id, "git://github.com/moby/buildkit");
    let (id, https_attrs) = attrs(&Git::new("https://user@host:8443/a/./b/", None).build());
    assert_eq!(id, "git://host:8443/a/b");
    assert_eq!(https_attrs["git.fullurl"], "https://user@host:8443/a/./b/");

    let http = Http::new("https://example.com/x")
        .perm(0o755)
        .uid(1)
        .build();
    let (id, http_attrs) = attrs(&http);
    assert_eq!(id, "https://example.com/x");
    assert_eq!(http_attrs["http.perm"], "0755");
    assert_eq!(http_attrs["http.uid"], "1");
    assert!(!http_attrs.contains_key("http.gid"));
    assert_eq!(
        caps(&http),
        ["soruce.http.uidgid", "source.http", "source.http.perm"]
    );
}

#[test]
fn exec_mounts_are_sorted_with_outputs_inputs_and_caps() {
    let base = alpine();
    let ctx = Local::new("context").session_id("s").build();
    let outputs = Exec::new(Some(base.clone()), ["sh", "-c", "build"])
        .env("PATH", "/bin")
        .env("A", "1")
        .env("PATH", "/usr/bin:/bin")
        .cwd("/src")
        .user("app")
        .network(ops::NetMode::None)
        .mount("/run/secrets/tok", SecretMount::new("tok"))
        .mount(
            "/src",
            BindMount::readonly(Some(ctx.clone())).selector("app"),
        )
        .mount("/out", BindMount::new(None))
        .mount("/tmp", TmpfsMount { size: 1 << 20 })
        .mount(
            "/root/.cache",
            CacheMount::new("cache", ops::CacheSharingOpt::Shared),
        )
        .mount("/run/ssh", SshMount::new("default"))
        .mount("/etc2", BindMount::readonly(Some(base.clone())))
        .build();
    let ops::op::Op::Exec(exec) = outputs.vertex().op().op.clone().unwrap() else {
        panic!("expected exec")
    };
    let meta = exec.meta.unwrap();
    assert_eq!(
        meta.env,
        ["A=1", "PATH=/usr/bin:/bin", "SSH_AUTH_SOCK=/run/ssh"]
    );
    assert!(meta.remove_mount_stubs_recursive);
    let summary: Vec<(&str, i64, i64)> = exec
        .mounts
        .iter()
        .map(|m| (m.dest.as_str(), m.input, m.output))
        .collect();
    assert_eq!(
        summary,
        [
            ("/", 0, 0),
            ("/etc2", 0, -1),
            ("/out", -1, 1),
            ("/root/.cache", -1, -1),
            ("/src", 1, -1),
            ("/tmp", -1, -1),
            ("/run/secrets/tok", -1, -1),
            ("/run/ssh", -1, -1),
        ]
    );
    assert_eq!(outputs.vertex().inputs(), [base, ctx]);
    assert_eq!(outputs.root().index(), 0);
    assert_eq!(outputs.output("/out").unwrap().index(), 1);
    assert!(outputs.output("/src").is_none());
    assert_eq!(exec.mounts[4].selector, "app");
    assert_eq!(exec.mounts[6].secret_opt.as_ref().unwrap().mode, 0o400);
    let caps: Vec<&str> = outputs
        .vertex()
        .metadata()
        .caps
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        caps,
        [
            "exec.meta.base",
            "exec.meta.network",
            "exec.mount.bind",
            "exec.mount.cache",
            "exec.mount.cache.sharing",
            "exec.mount.secret",
            "exec.mount.selector",
            "exec.mount.ssh",
            "exec.mount.tmpfs",
            "exec.mount.tmpfs.size",
        ]
    );
}

#[test]
fn file_actions_chain_through_relative_indexes() {
    let base = alpine();
    let ctx = Local::new("context").session_id("s").build();
    let mut op = FileOp::new(Some(base.clone()));
    let heredoc = op.push(
        FileInput::Scratch,
        Mkfile::new("/script.sh", 0o755, "#!/bin/sh\necho hi\n"),
    );
    let dir = op.push(
        base.clone(),
        Mkdir {
            make_parents: true,
            owner: Some(Chown {
                user: Some(UserRef::Name("app".into())),
                group: Some(UserRef::Id(1000)),
            }),
            ..Mkdir::new("/app", 0o755)
        },
    );
    let copied = op.push(
        dir,
        CopyAction {
            owner: Some(Chown {
                user: Some(UserRef::NameIn("app".into(), base.clone().into())),
                group: None,
            }),
            mode: Some(0o640),
            exclude_patterns: vec!["*.md".into()],
            ..CopyAction::dockerfile(ctx.clone(), "/src", "/app/")
        },
    );
    op.push(copied, CopyAction::new(heredoc, "/script.sh", "/app/run"));
    let built = op.custom_name("COPY").build();
    let ops::op::Op::File(file) = body(&built) else {
        panic!("expected file op")
    };
    assert_eq!(built.vertex().inputs(), [base, ctx]);
    let shape: Vec<(i64, i64, i64)> = file
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    // 2 real inputs, so action k is index 2 + k
    assert_eq!(shape, [(-1, -1, -1), (0, -1, -1), (3, 1, -1), (4, 2, 0)]);
    let Some(ops::file_action::Action::Mkdir(mkdir)) = &file.actions[1].action else {
        panic!("expected mkdir")
    };
    let owner = mkdir.owner.as_ref().unwrap();
    assert_eq!(
        owner.user.as_ref().unwrap().user,
        Some(ops::user_opt::User::ByName(ops::NamedUserOpt {
            name: "app".into(),
            input: 0
        }))
    );
    assert_eq!(mkdir.timestamp, -1);
    let Some(ops::file_action::Action::Copy(copy)) = &file.actions[2].action else {
        panic!("expected copy")
    };
    assert_eq!(copy.mode, 0o640);
    assert!(copy.follow_symlink && copy.dir_copy_contents && copy.allow_empty_wildcard);
    assert!(!copy.attempt_unpack_docker_compatibility);
    let Some(ops::file_action::Action::Copy(plain)) = &file.actions[3].action else {
        panic!("expected copy")
    };
    assert_eq!(plain.mode, -1);
    assert!(
        built.vertex().op().platform.is_none(),
        "file ops have no platform"
    );
    let caps: Vec<&str> = built
        .vertex()
        .metadata()
        .caps
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(caps, ["file.base", "file.copy.includeexcludepatterns"]);
}

#[test]
fn merge_drops_scratch_and_shortcuts_single_layers() {
    let a = alpine();
    assert!(merge(vec![None, None]).is_none());
    assert_eq!(merge(vec![None, Some(a.clone())]), Some(a.clone()));
    let layer = FileOp::new(None).then(Mkdir::new("/x", 0o755)).build();
    let merged = merge(vec![Some(a.clone()), None, Some(layer.clone())]).unwrap();
    let ops::op::Op::Merge(m) = body(&merged) else {
        panic!("expected merge")
    };
    assert_eq!(m.inputs.iter().map(|i| i.input).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(merged.vertex().inputs(), [a, layer]);
    assert!(merged.vertex().metadata().caps.contains_key("mergeop"));
}

#[test]
fn source_locations_are_collected_by_digest_and_files_deduplicated() {
    let text = "FROM alpine\nRUN make\n";
    let dockerfile = Arc::new(SourceMap::new("Dockerfile", text));
    let same_file = Arc::new(SourceMap::new("Dockerfile", text));
    let base = Image::new("docker.io/library/alpine:latest")
        .platform(amd64())
        .location(Location::new(&dockerfile, vec![line_range(1, 1)]))
        .build();
    let run = Exec::new(Some(base.clone()), ["/bin/sh", "-c", "make"])
        .location(Location::new(&same_file, vec![range((2, 0), (2, 8))]))
        .build()
        .root();
    let def = marshal(Some(&run));
    let source = def.source.unwrap();
    assert_eq!(source.infos.len(), 1);
    assert_eq!(source.infos[0].filename, "Dockerfile");
    assert_eq!(source.infos[0].language, "Dockerfile");
    assert_eq!(source.locations.len(), 2);
    let run_locations = &source.locations[run.digest().as_str()].locations;
    assert_eq!(run_locations[0].source_index, 0);
    assert_eq!(run_locations[0].ranges, [range((2, 0), (2, 8))]);
    assert!(source.locations.contains_key(base.digest().as_str()));
}

#[test]
fn metadata_of_identical_ops_is_merged() {
    let a = Image::new("docker.io/library/busybox:latest")
        .custom_name("first")
        .build();
    let b = Image::new("docker.io/library/busybox:latest")
        .ignore_cache(true)
        .description("extra", "x")
        .build();
    let layered = Merge::new(vec![a.clone(), b]).build();
    let def = marshal(Some(&layered));
    assert_eq!(def.def.len(), 3, "busybox once, merge, terminal");
    let md = &def.metadata[a.digest().as_str()];
    assert!(md.ignore_cache);
    assert_eq!(md.description[CUSTOM_NAME], "first");
    assert_eq!(md.description["extra"], "x");
    let terminal = Digest::of(def.def.last().unwrap());
    assert!(
        def.metadata[terminal.as_str()]
            .caps
            .contains_key("meta.ignorecache")
    );
}

/// FROM alpine / RUN apk add curl (with a cache mount) / COPY --chown=app . /app, as the
/// frontend's converter will produce it.
fn representative_definition() -> ops::Definition {
    let text = "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\nCOPY --chown=app . /app\n";
    let loader = Local::new("dockerfile")
        .session_id("session-1")
        .follow_paths(&["Dockerfile", "Dockerfile.dockerignore", "dockerfile"])
        .shared_key_hint("dockerfile")
        .differ(Differ::None, false)
        .custom_name("[internal] load build definition from Dockerfile")
        .build();
    let dockerfile =
        Arc::new(SourceMap::new("Dockerfile", text).with_definition(marshal(Some(&loader))));
    let at = |line| Location::new(&dockerfile, vec![line_range(line, line)]);

    let base = Image::new("docker.io/library/alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        .resolve_mode(ResolveMode::Local)
        .platform(amd64())
        .custom_name("[stage-0 1/3] FROM docker.io/library/alpine:3.20")
        .location(at(1))
        .build();
    let run = Exec::new(Some(base), ["/bin/sh", "-c", "apk add curl"])
        .envs(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        .platform(amd64())
        .mount(
            "/var/cache/apk",
            CacheMount::new("/var/cache/apk", ops::CacheSharingOpt::Shared),
        )
        .custom_name("[stage-0 2/3] RUN apk add curl")
        .location(at(2))
        .build()
        .root();
    let context = Local::new("context")
        .session_id("session-1")
        .exclude_patterns(&[".git"])
        .shared_key_hint("context")
        .custom_name("[internal] load build context")
        .build();
    let copy = FileOp::new(Some(run))
        .then(CopyAction {
            owner: Some(Chown {
                user: Some(UserRef::Name("app".into())),
                group: None,
            }),
            ..CopyAction::dockerfile(context, "/", "/app")
        })
        .custom_name("[stage-0 3/3] COPY --chown=app . /app")
        .location(at(3))
        .build();
    marshal(Some(&copy))
}

#[test]
fn representative_graph_dump_snapshot() {
    let def = representative_definition();
    // marshalling is deterministic
    assert_eq!(def, representative_definition());
    insta::assert_json_snapshot!("from_run_copy", dump_json(&def));
}
