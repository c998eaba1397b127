//! Differential suite: every case in `tests/differential/` is built by the engine's built-in
//! Dockerfile frontend and by hardfile's frontend, and the two images must have identical
//! config fields and root filesystems (see `hardfile_tests::engine`).
//!
//! One test per case. `HARDFILE_DIFF_FRONTEND=stock` builds both sides with the stock frontend
//! (proves the harness); engine policy as in `engine::require_engine`.

use hardfile_tests::engine;
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let cases = match engine::differential_cases() {
        Ok(cases) => cases,
        Err(err) => {
            eprintln!("cannot list tests/differential: {err}");
            std::process::exit(2);
        }
    };
    let trials = cases
        .into_iter()
        .map(|case| {
            Trial::test(case.name.clone(), move || {
                if !engine::require_engine(&case.name) {
                    return Ok(());
                }
                engine::run_differential_case(&case).map_err(Failed::from)
            })
            .with_kind("differential")
        })
        .chain(std::iter::once(
            Trial::test("harness-detects-differences", harness_detects_differences)
                .with_kind("differential"),
        ))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// The comparison must see a difference between the busybox base and an image built on it.
fn harness_detects_differences() -> Result<(), Failed> {
    if !engine::require_engine("harness-detects-differences") {
        return Ok(());
    }
    let dir = engine::repo_root().join("tests/differential/01-from-image");
    let spec = engine::BuildSpec::new(
        &dir,
        "hardfile-diff/harness-self-check:stock",
        engine::FrontendChoice::Stock,
    );
    let built = engine::docker_build(&spec)?;
    let image = built.image()?.to_owned();
    let base = engine::snapshot(&engine::busybox_image())?;
    let child = engine::snapshot(&image)?;
    let lines = engine::diff_snapshots("base", &base, "child", &child, false);
    engine::remove_images(&["hardfile-diff/harness-self-check:stock"]);
    let only_hello = lines
        .iter()
        .any(|line| line.starts_with("only in child: /hello.txt"));
    if only_hello && lines.len() == 1 {
        Ok(())
    } else {
        Err(format!(
            "expected exactly /hello.txt to differ, got:\n{}",
            engine::render_diff(&lines, 20)
        )
        .into())
    }
}
