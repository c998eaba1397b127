//! `hardfile fix`: apply fixes to a fixpoint and write the result atomically, print it as a
//! unified diff, or only say whether anything would change.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use hardfile_lints::context::{BuildContext, FsContext};
use hardfile_lints::fix::{FixOutcome, apply_fixes};

use crate::inputs::Input;
use crate::lint_cmd::{InputArgs, collect_inputs};
use crate::options::ConfigArgs;
use crate::{EXIT_ERROR, EXIT_FINDINGS};

/// Arguments of `hardfile fix`.
#[derive(clap::Args)]
pub struct FixArgs {
    /// Dockerfiles or directories (default: the current directory); `-` fixes standard
    /// input and prints the result.
    pub paths: Vec<PathBuf>,
    /// Also apply unsafe fixes (valid, but may change behaviour).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of the changes and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,
    /// Write nothing; exit 1 when some file would change.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs `hardfile fix`.
pub fn run(args: &FixArgs) -> anyhow::Result<ExitCode> {
    let inputs = collect_inputs(&args.paths, &args.input)?;
    let mut failed = false;
    let mut changed_files = 0usize;
    let mut applied = 0usize;
    let mut remaining = 0usize;
    let mut stdout = std::io::stdout().lock();
    for input in &inputs {
        match fix_one(input, args) {
            Ok((source, outcome)) => {
                remaining += outcome.remaining.len();
                if outcome.changed() {
                    changed_files += 1;
                    applied += outcome.applied.len();
                }
                if let Err(err) = emit(input, args, &source, &outcome, &mut stdout) {
                    eprintln!("hardfile: {err:#}");
                    failed = true;
                }
            }
            Err(err) => {
                eprintln!("hardfile: {err:#}");
                failed = true;
            }
        }
    }
    stdout.flush()?;
    let verb = if args.diff || args.check {
        "Would fix"
    } else {
        "Fixed"
    };
    eprintln!(
        "{verb} {applied} finding{} in {changed_files} of {} file{} ({remaining} remaining).",
        if applied == 1 { "" } else { "s" },
        inputs.len(),
        if inputs.len() == 1 { "" } else { "s" },
    );
    Ok(if failed {
        ExitCode::from(EXIT_ERROR)
    } else if args.check && changed_files > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn fix_one(input: &Input, args: &FixArgs) -> anyhow::Result<(String, FixOutcome)> {
    let source = input.read()?;
    let config = args
        .config
        .resolve(&input.config_anchor)
        .with_context(|| format!("configuration for {}", input.display))?;
    let context = input.context.as_deref().map(FsContext::new);
    let outcome = apply_fixes(
        &source,
        &config,
        context.as_ref().map(|c| c as &dyn BuildContext),
        args.unsafe_fixes,
    )
    .with_context(|| format!("{}: cannot fix (file left unchanged)", input.display))?;
    Ok((source, outcome))
}

/// Prints, writes or only reports the outcome of one file.
fn emit(
    input: &Input,
    args: &FixArgs,
    source: &str,
    outcome: &FixOutcome,
    stdout: &mut impl Write,
) -> anyhow::Result<()> {
    for (code, message) in &outcome.applied {
        let verb = if args.diff || args.check {
            "would apply"
        } else {
            "applied"
        };
        eprintln!("{}: {verb} {code}: {message}", input.display);
    }
    if args.diff {
        if outcome.changed() {
            let diff = similar::TextDiff::from_lines(source, &outcome.output);
            write!(
                stdout,
                "{}",
                diff.unified_diff().context_radius(3).header(
                    &format!("a/{}", input.display),
                    &format!("b/{}", input.display)
                )
            )?;
        }
        return Ok(());
    }
    if args.check {
        return Ok(());
    }
    match &input.path {
        // Standard input: the fixed text goes to standard output, changed or not.
        None => stdout.write_all(outcome.output.as_bytes())?,
        Some(path) if outcome.changed() => write_atomically(path, outcome.output.as_bytes())?,
        Some(_) => {}
    }
    Ok(())
}

/// Replaces the file at `path` with `contents` so that readers see either the old or the
/// new file, never a partial one: a temporary file in the same directory is written,
/// given the original's permissions (and owner, when allowed), synced, then renamed over
/// the original. On any failure the original is untouched and the temporary removed.
/// A symbolic link is followed: its target is replaced, the link kept.
pub fn write_atomically(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let target = std::fs::canonicalize(path)
        .with_context(|| format!("cannot resolve {}", path.display()))?;
    let metadata =
        std::fs::metadata(&target).with_context(|| format!("cannot stat {}", target.display()))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".hardfile-fix-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().set_permissions(metadata.permissions()))
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
    {
        use std::os::unix::fs::MetadataExt;
        // Keeping the owner only works for root or the same owner; otherwise the file
        // belongs to whoever ran the fix, as with any editor's save.
        let _ =
            std::os::unix::fs::fchown(temp.as_file(), Some(metadata.uid()), Some(metadata.gid()));
    }
    temp.persist(&target)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    // The rename is durable once the directory entry is.
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn atomic_write_keeps_mode_and_follows_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("Dockerfile");
        std::fs::write(&file, "old").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        write_atomically(&link, b"new").expect("writes");
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("stat")
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&file).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).expect("ls").count();
        assert_eq!(leftovers, 2);
    }

    #[test]
    fn failed_write_leaves_original() {
        let missing = Path::new("/nonexistent-dir-hardfile/Dockerfile");
        assert!(write_atomically(missing, b"x").is_err());
    }
}
