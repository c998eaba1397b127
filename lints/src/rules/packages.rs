//! Package-manager and RUN-script judgements shared by the HF2xx/HF3xx/HF5xx/HF7xx shell
//! rules: which manager a command is, whether it refreshes the index or installs, which
//! stages end up in the exported image, and edits that only touch exactly mapped bytes.

use crate::diagnostic::Edit;
use crate::rules::helpers::target_chain;
use crate::rules::run_scripts::RunScript;
use crate::rules::{Context, InstructionRef};
use crate::shell::{Command, Span, Word};

/// A system package manager family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    /// `apt-get`, `apt`.
    Apt,
    /// `apk`.
    Apk,
    /// `yum`, `dnf`, `microdnf`, `tdnf`.
    Rpm,
    /// `zypper`.
    Zypper,
}

/// The package manager a command runs, if any.
pub fn manager(command: &Command) -> Option<Manager> {
    Some(match command.name()? {
        // `xx-apt-get`/`xx-apk` are tonistiigi/xx's cross-compilation wrappers.
        "apt-get" | "apt" | "xx-apt-get" | "xx-apt" => Manager::Apt,
        "apk" | "xx-apk" => Manager::Apk,
        "yum" | "dnf" | "microdnf" | "tdnf" => Manager::Rpm,
        "zypper" => Manager::Zypper,
        _ => return None,
    })
}

/// The subcommand word (`install` in `apt-get -y install curl`), when static.
pub fn subcommand(command: &Command) -> Option<&Word> {
    command.subcommand().filter(|w| w.is_static)
}

fn sub_is(command: &Command, names: &[&str]) -> bool {
    subcommand(command).is_some_and(|w| names.contains(&w.text.as_str()))
}

/// Whether the command refreshes a package index and nothing else.
pub fn is_index_update(command: &Command) -> bool {
    match manager(command) {
        Some(Manager::Apt | Manager::Apk) => sub_is(command, &["update"]),
        Some(Manager::Rpm) => sub_is(command, &["makecache"]),
        Some(Manager::Zypper) => sub_is(command, &["refresh", "ref"]),
        None => false,
    }
}

/// Whether the command installs or upgrades packages (what an index update is for).
pub fn is_install_like(command: &Command) -> bool {
    match manager(command) {
        Some(Manager::Apt) => sub_is(
            command,
            &[
                "install",
                "upgrade",
                "dist-upgrade",
                "full-upgrade",
                "build-dep",
                "source",
                "reinstall",
            ],
        ),
        Some(Manager::Apk) => sub_is(command, &["add", "upgrade", "fix"]),
        Some(Manager::Rpm) => sub_is(
            command,
            &[
                "install",
                "groupinstall",
                "localinstall",
                "reinstall",
                "update",
                "upgrade",
                "distro-sync",
                "builddep",
                "module",
                "group",
            ],
        ),
        Some(Manager::Zypper) => sub_is(
            command,
            &[
                "install",
                "in",
                "update",
                "up",
                "dist-upgrade",
                "dup",
                "patch",
                "source-install",
                "si",
            ],
        ),
        None => false,
    }
}

/// Whether the command installs packages (`install`, `add`, `in`).
pub fn is_install(command: &Command) -> bool {
    match manager(command) {
        Some(Manager::Apt) => sub_is(command, &["install"]),
        Some(Manager::Apk) => sub_is(command, &["add"]),
        Some(Manager::Rpm) => sub_is(command, &["install", "groupinstall", "localinstall"]),
        Some(Manager::Zypper) => sub_is(command, &["install", "in"]),
        None => false,
    }
}

/// The operands after the subcommand: the packages of an install.
pub fn operands(command: &Command) -> Vec<&Word> {
    command.positional_args().into_iter().skip(1).collect()
}

/// Whether the instruction's stage puts its layers into the exported image: the target
/// stage and the stages it is built `FROM` (files copied out of other stages carry no
/// package caches or installed packages).
pub fn in_image_layers(cx: &Context<'_>, at: &InstructionRef<'_>) -> bool {
    let Some(stage) = at.stage else {
        return false;
    };
    target_chain(cx).iter().any(|s| s.index == stage)
}

/// Whether a command after script offset `after` satisfies `pred`.
pub fn later_command(run: &RunScript, after: usize, pred: impl Fn(&Command) -> bool) -> bool {
    run.commands()
        .iter()
        .any(|c| c.span.start >= after && pred(c))
}

/// Whether some argument of `command` starts with `prefix` (after quote removal).
pub fn has_arg_prefix(command: &Command, prefix: &str) -> bool {
    command.args.iter().any(|w| w.text.starts_with(prefix))
}

/// An edit removing a word (and the blanks after it on its line), when it maps exactly.
pub fn remove_word(cx: &Context<'_>, run: &RunScript, word: &Word) -> Option<Edit> {
    let span = run.exact_span(cx.source(), word.span)?;
    Some(Edit::delete(crate::rules::helpers::flag_removal_span(
        cx, span,
    )))
}

/// An edit inserting ` text` right after a word, when the word maps exactly.
pub fn insert_after_word(
    cx: &Context<'_>,
    run: &RunScript,
    word: &Word,
    text: &str,
) -> Option<Edit> {
    let span = run.exact_span(cx.source(), word.span)?;
    Some(Edit::insert(span.end, format!(" {text}")))
}

/// The top-level statement holding script offset `at` and its index.
pub fn statement_at(run: &RunScript, at: usize) -> Option<usize> {
    run.statements()
        .iter()
        .position(|s| s.span.start <= at && at < s.span.end.max(s.span.start + 1))
}

/// An edit appending ` && text` after top-level statement `index`, when that keeps the
/// meaning of the list: the statement is followed by `&&`, `;`, a newline or nothing, has
/// no heredoc, and its end maps exactly to the Dockerfile.
pub fn append_to_statement(
    cx: &Context<'_>,
    run: &RunScript,
    index: usize,
    text: &str,
) -> Option<Edit> {
    use crate::shell::SeparatorKind;
    let statement = run.statements().get(index)?;
    if let Some(separator) = statement.separator
        && !matches!(
            separator.kind,
            SeparatorKind::And | SeparatorKind::Semicolon | SeparatorKind::Newline
        )
    {
        return None;
    }
    if run.text_of(statement.span).contains("<<") {
        return None;
    }
    let end = statement.span.end;
    // The last byte must map exactly, so the insertion lands right after it.
    let last = run.exact_span(cx.source(), Span::new(end.checked_sub(1)?, end))?;
    Some(Edit::insert(last.end, format!(" && {text}")))
}

/// Programs that run the command given as their arguments under other conditions (another
/// user, root directory, or arguments read from stdin).
const WRAPPERS: [&str; 6] = ["sudo", "doas", "gosu", "su-exec", "chroot", "xargs"];

/// Whether a command is run through `sudo`/`doas` or similar (an appended command would
/// run without it).
pub fn is_wrapped(command: &Command) -> bool {
    command
        .wrappers
        .iter()
        .any(|w| WRAPPERS.contains(&w.name.as_str()))
}

/// Whether `text` contains `needle` case-insensitively.
pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}
