//! File ops: mkdir, mkfile, rm, symlink and copy actions, chained (`client/llb/fileop.go`).
//!
//! A file op holds a list of actions. Each action reads an input (a real op input, the result of
//! an earlier action of the same op, or scratch) and, for copies, a secondary input to copy
//! from. Only the last action's result is the op's output (index 0). Paths are used as given:
//! make them absolute first (see [`super::normalize_path`]).

use std::collections::BTreeSet;

use super::{OpBuilder, OpOptions, Output, as_index, build_vertex, caps, input_index};
use crate::ops;

/// Handle on an action already added to a [`FileOp`]; only meaningful for that op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionId(usize);

/// What an action reads.
#[derive(Clone, Debug)]
pub enum FileInput {
    /// The empty filesystem.
    Scratch,
    /// Another op's output.
    Output(Output),
    /// The result of an earlier action of the same file op.
    Action(ActionId),
}

impl From<Output> for FileInput {
    fn from(output: Output) -> Self {
        Self::Output(output)
    }
}

impl From<Option<Output>> for FileInput {
    fn from(output: Option<Output>) -> Self {
        output.map_or(Self::Scratch, Self::Output)
    }
}

impl From<ActionId> for FileInput {
    fn from(id: ActionId) -> Self {
        Self::Action(id)
    }
}

/// A user or group for ownership.
#[derive(Clone, Debug)]
pub enum UserRef {
    /// Numeric id.
    Id(u32),
    /// A name looked up in `/etc/passwd` / `/etc/group` of the action's own input.
    Name(String),
    /// A name looked up in another filesystem.
    NameIn(String, FileInput),
}

/// Ownership of created or copied files.
#[derive(Clone, Debug, Default)]
pub struct Chown {
    /// Owner; `None` keeps the default (root, or the source owner for copies).
    pub user: Option<UserRef>,
    /// Group; `None` keeps the default.
    pub group: Option<UserRef>,
}

/// Create a directory.
#[derive(Clone, Debug)]
pub struct Mkdir {
    /// Absolute path.
    pub path: String,
    /// Permission bits.
    pub mode: u32,
    /// Create missing parents (`mkdir -p`).
    pub make_parents: bool,
    /// Ownership.
    pub owner: Option<Chown>,
    /// Modification time in Unix nanoseconds; `None` is "now".
    pub timestamp: Option<i64>,
}

impl Mkdir {
    /// `mkdir` of `path` with `mode`, no parents.
    pub fn new(path: impl Into<String>, mode: u32) -> Self {
        Self {
            path: path.into(),
            mode,
            make_parents: false,
            owner: None,
            timestamp: None,
        }
    }
}

/// Create a file with given content.
#[derive(Clone, Debug)]
pub struct Mkfile {
    /// Absolute path.
    pub path: String,
    /// Permission bits.
    pub mode: u32,
    /// Content.
    pub data: Vec<u8>,
    /// Ownership.
    pub owner: Option<Chown>,
    /// Modification time in Unix nanoseconds; `None` is "now".
    pub timestamp: Option<i64>,
}

impl Mkfile {
    /// A file at `path` with `mode` and `data`.
    pub fn new(path: impl Into<String>, mode: u32, data: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            mode,
            data: data.into(),
            owner: None,
            timestamp: None,
        }
    }
}

/// Remove a path.
#[derive(Clone, Debug, Default)]
pub struct Rm {
    /// Absolute path (or pattern with `allow_wildcard`).
    pub path: String,
    /// Succeed when nothing matches.
    pub allow_not_found: bool,
    /// Treat the path as a pattern.
    pub allow_wildcard: bool,
}

impl Rm {
    /// Remove `path`, failing when it does not exist.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }
}

/// Create a symlink (cap after v0.13).
#[derive(Clone, Debug)]
pub struct Symlink {
    /// Link target.
    pub oldpath: String,
    /// Link path.
    pub newpath: String,
    /// Ownership.
    pub owner: Option<Chown>,
    /// Modification time in Unix nanoseconds; `None` is "now".
    pub timestamp: Option<i64>,
}

/// Copy files from a secondary input onto the action's input.
#[derive(Clone, Debug)]
pub struct CopyAction {
    /// Where to copy from.
    pub from: FileInput,
    /// Source path (absolute, may hold wildcards).
    pub src: String,
    /// Destination path; a trailing `/` means "into this directory".
    pub dest: String,
    /// Ownership of the copied files.
    pub owner: Option<Chown>,
    /// Permission bits of the copied files; `None` keeps the source's.
    pub mode: Option<u32>,
    /// Symbolic mode such as `u+x` (cap after v0.13).
    pub mode_str: Option<String>,
    /// Follow a symlink at `src`.
    pub follow_symlink: bool,
    /// Copy the contents of a source directory, not the directory itself.
    pub dir_copy_contents: bool,
    /// Unpack archives like Docker's `ADD`.
    pub attempt_unpack: bool,
    /// Create missing parents of `dest`.
    pub create_dest_path: bool,
    /// Expand wildcards in `src`.
    pub allow_wildcard: bool,
    /// Let a wildcard match nothing.
    pub allow_empty_wildcard: bool,
    /// Modification time in Unix nanoseconds; `None` keeps the source's.
    pub timestamp: Option<i64>,
    /// Only copy paths matching these patterns.
    pub include_patterns: Vec<String>,
    /// Skip paths matching these patterns.
    pub exclude_patterns: Vec<String>,
    /// Paths that must exist in the source (cap after v0.13).
    pub required_paths: Vec<String>,
    /// Replace existing destination paths even when types differ (cap after v0.13).
    pub always_replace_existing_dest_paths: bool,
}

impl CopyAction {
    /// A plain copy: every flag off, mode and timestamp kept.
    pub fn new(
        from: impl Into<FileInput>,
        src: impl Into<String>,
        dest: impl Into<String>,
    ) -> Self {
        Self {
            from: from.into(),
            src: src.into(),
            dest: dest.into(),
            owner: None,
            mode: None,
            mode_str: None,
            follow_symlink: false,
            dir_copy_contents: false,
            attempt_unpack: false,
            create_dest_path: false,
            allow_wildcard: false,
            allow_empty_wildcard: false,
            timestamp: None,
            include_patterns: Vec::new(),
            exclude_patterns: Vec::new(),
            required_paths: Vec::new(),
            always_replace_existing_dest_paths: false,
        }
    }

    /// The flags a Dockerfile `COPY` uses: follow symlinks, copy directory contents, create the
    /// destination path, allow (empty) wildcards.
    pub fn dockerfile(
        from: impl Into<FileInput>,
        src: impl Into<String>,
        dest: impl Into<String>,
    ) -> Self {
        Self {
            follow_symlink: true,
            dir_copy_contents: true,
            create_dest_path: true,
            allow_wildcard: true,
            allow_empty_wildcard: true,
            ..Self::new(from, src, dest)
        }
    }
}

/// One action of a file op.
#[derive(Clone, Debug)]
pub enum FileAction {
    /// See [`Mkdir`].
    Mkdir(Mkdir),
    /// See [`Mkfile`].
    Mkfile(Mkfile),
    /// See [`Rm`].
    Rm(Rm),
    /// See [`Symlink`].
    Symlink(Symlink),
    /// See [`CopyAction`].
    Copy(CopyAction),
}

macro_rules! into_action {
    ($($name:ident),*) => {$(
        impl From<$name> for FileAction {
            fn from(action: $name) -> Self {
                Self::$name(action)
            }
        }
    )*};
}

into_action!(Mkdir, Mkfile, Rm, Symlink);

impl From<CopyAction> for FileAction {
    fn from(action: CopyAction) -> Self {
        Self::Copy(action)
    }
}

/// Builder of a file op.
#[derive(Clone, Debug)]
pub struct FileOp {
    base: FileInput,
    actions: Vec<(FileInput, FileAction)>,
    options: OpOptions,
}

impl OpBuilder for FileOp {
    fn options_mut(&mut self) -> &mut OpOptions {
        &mut self.options
    }
}

impl FileOp {
    /// A file op whose first chained action applies to `base` (`None` is scratch).
    pub fn new(base: Option<Output>) -> Self {
        Self {
            base: base.into(),
            actions: Vec::new(),
            options: OpOptions::default(),
        }
    }

    /// Chains `action` on the result of the previous action (or on the base for the first).
    #[must_use]
    pub fn then(mut self, action: impl Into<FileAction>) -> Self {
        let input = self.actions.len().checked_sub(1).map_or_else(
            || self.base.clone(),
            |last| FileInput::Action(ActionId(last)),
        );
        self.actions.push((input, action.into()));
        self
    }

    /// Adds `action` reading `input` explicitly; returns a handle later actions can read.
    pub fn push(&mut self, input: impl Into<FileInput>, action: impl Into<FileAction>) -> ActionId {
        self.actions.push((input.into(), action.into()));
        ActionId(self.actions.len() - 1)
    }

    /// Whether no action was added.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Builds the op; its output is the last action's result.
    pub fn build(self) -> Output {
        let Self {
            actions, options, ..
        } = self;
        let mut caps: BTreeSet<&str> = BTreeSet::from([caps::FILE_BASE]);

        // Real inputs first, in the order actions use them, so action references can be
        // numbered after them.
        let mut inputs: Vec<Output> = Vec::new();
        for (input, action) in &actions {
            if let FileInput::Output(output) = input {
                input_index(&mut inputs, output);
            }
            if let FileAction::Copy(copy) = action
                && let FileInput::Output(output) = &copy.from
            {
                input_index(&mut inputs, output);
            }
            for user in owner_of(action).into_iter().flat_map(chown_refs) {
                if let UserRef::NameIn(_, FileInput::Output(output)) = user {
                    input_index(&mut inputs, output);
                }
            }
        }
        let real_inputs = inputs.len();
        let resolve = |inputs: &mut Vec<Output>, input: &FileInput| match input {
            FileInput::Scratch => -1,
            FileInput::Output(output) => input_index(inputs, output),
            FileInput::Action(ActionId(index)) => as_index(real_inputs + index),
        };

        let last = actions.len().saturating_sub(1);
        let mut pb_actions = Vec::with_capacity(actions.len());
        for (position, (input, action)) in actions.into_iter().enumerate() {
            let own_input = resolve(&mut inputs, &input);
            let mut secondary_input = -1;
            let chown = |owner: Option<Chown>, inputs: &mut Vec<Output>| {
                owner.map(|owner| ops::ChownOpt {
                    user: owner
                        .user
                        .map(|u| user_opt(u, own_input, |i| resolve(inputs, i))),
                    group: owner
                        .group
                        .map(|g| user_opt(g, own_input, |i| resolve(inputs, i))),
                })
            };
            let body = match action {
                FileAction::Mkdir(mkdir) => ops::file_action::Action::Mkdir(ops::FileActionMkDir {
                    path: mkdir.path,
                    mode: mode_bits(mkdir.mode),
                    make_parents: mkdir.make_parents,
                    owner: chown(mkdir.owner, &mut inputs),
                    timestamp: mkdir.timestamp.unwrap_or(-1),
                }),
                FileAction::Mkfile(mkfile) => {
                    ops::file_action::Action::Mkfile(ops::FileActionMkFile {
                        path: mkfile.path,
                        mode: mode_bits(mkfile.mode),
                        data: mkfile.data,
                        owner: chown(mkfile.owner, &mut inputs),
                        timestamp: mkfile.timestamp.unwrap_or(-1),
                    })
                }
                FileAction::Rm(rm) => {
                    if rm.allow_wildcard {
                        caps.insert(caps::FILE_RM_WILDCARD);
                    }
                    ops::file_action::Action::Rm(ops::FileActionRm {
                        path: rm.path,
                        allow_not_found: rm.allow_not_found,
                        allow_wildcard: rm.allow_wildcard,
                    })
                }
                FileAction::Symlink(symlink) => {
                    caps.insert(caps::FILE_SYMLINK_CREATE);
                    ops::file_action::Action::Symlink(ops::FileActionSymlink {
                        oldpath: symlink.oldpath,
                        newpath: symlink.newpath,
                        owner: chown(symlink.owner, &mut inputs),
                        timestamp: symlink.timestamp.unwrap_or(-1),
                    })
                }
                FileAction::Copy(copy) => {
                    if !copy.include_patterns.is_empty() || !copy.exclude_patterns.is_empty() {
                        caps.insert(caps::FILE_COPY_INCLUDE_EXCLUDE_PATTERNS);
                    }
                    if !copy.required_paths.is_empty() {
                        caps.insert(caps::FILE_COPY_REQUIRED_PATHS);
                    }
                    if copy.always_replace_existing_dest_paths {
                        caps.insert(caps::FILE_COPY_ALWAYS_REPLACE_EXISTING_DEST_PATHS);
                    }
                    if copy.mode_str.is_some() {
                        caps.insert(caps::FILE_COPY_MODE_STRING);
                    }
                    secondary_input = resolve(&mut inputs, &copy.from);
                    ops::file_action::Action::Copy(ops::FileActionCopy {
                        src: copy.src,
                        dest: copy.dest,
                        owner: chown(copy.owner, &mut inputs),
                        mode: copy.mode.map_or(-1, mode_bits),
                        follow_symlink: copy.follow_symlink,
                        dir_copy_contents: copy.dir_copy_contents,
                        attempt_unpack_docker_compatibility: copy.attempt_unpack,
                        create_dest_path: copy.create_dest_path,
                        allow_wildcard: copy.allow_wildcard,
                        allow_empty_wildcard: copy.allow_empty_wildcard,
                        timestamp: copy.timestamp.unwrap_or(-1),
                        include_patterns: copy.include_patterns,
                        exclude_patterns: copy.exclude_patterns,
                        always_replace_existing_dest_paths: copy.always_replace_existing_dest_paths,
                        mode_str: copy.mode_str.unwrap_or_default(),
                        required_paths: copy.required_paths,
                    })
                }
            };
            pb_actions.push(ops::FileAction {
                input: own_input,
                secondary_input,
                output: if position == last { 0 } else { -1 },
                action: Some(body),
            });
        }
        debug_assert_eq!(
            inputs.len(),
            real_inputs,
            "all real inputs are collected up front"
        );

        let body = ops::op::Op::File(ops::FileOp {
            actions: pb_actions,
        });
        Output::new(build_vertex(body, inputs, false, options, &caps), 0)
    }
}

fn owner_of(action: &FileAction) -> Option<&Chown> {
    match action {
        FileAction::Mkdir(a) => a.owner.as_ref(),
        FileAction::Mkfile(a) => a.owner.as_ref(),
        FileAction::Symlink(a) => a.owner.as_ref(),
        FileAction::Copy(a) => a.owner.as_ref(),
        FileAction::Rm(_) => None,
    }
}

fn chown_refs(chown: &Chown) -> impl Iterator<Item = &UserRef> {
    chown.user.iter().chain(chown.group.iter())
}

/// `UserRef` → `pb.UserOpt`; a bare name resolves against the action's own input.
fn user_opt(
    user: UserRef,
    own_input: i64,
    mut resolve: impl FnMut(&FileInput) -> i64,
) -> ops::UserOpt {
    let user = match user {
        UserRef::Id(id) => ops::user_opt::User::ById(id),
        UserRef::Name(name) => ops::user_opt::User::ByName(ops::NamedUserOpt {
            name,
            input: own_input,
        }),
        UserRef::NameIn(name, input) => ops::user_opt::User::ByName(ops::NamedUserOpt {
            name,
            input: resolve(&input),
        }),
    };
    ops::UserOpt { user: Some(user) }
}

/// Permission bits as the signed field LLB uses (`0o7777` at most, so always in range).
fn mode_bits(mode: u32) -> i32 {
    i32::try_from(mode & 0o7777).unwrap_or(0)
}
