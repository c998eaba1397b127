//! Running the rules over one Dockerfile: [`check`].

use serde::Serialize;

use crate::config::{Config, Knowledge};
use crate::context::BuildContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;
use crate::rules::{self, Context, InstructionRef, Scope};
use crate::shell::ScriptCache;
use crate::suppress::{self, Suppressions};
use crate::syntax::{Dockerfile, SyntaxSeverity};

/// The code of syntax errors reported by the parser.
pub const SYNTAX_ERROR_CODE: &str = "HF000";

/// The name of syntax errors reported by the parser.
pub const SYNTAX_ERROR_NAME: &str = "syntax-error";

/// What [`check`] found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Findings, sorted by position; severities after configuration; syntax errors
    /// included as `HF000`.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by a suppression comment, directive or build argument, with the
    /// reason given (if any).
    pub suppressed: Vec<(Diagnostic, Option<String>)>,
    /// What is known about the base image's user (from configuration; the frontend
    /// knows the real base config).
    pub base_user: Knowledge,
}

impl Report {
    /// The most serious severity among the findings.
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }
}

/// Checks a parsed Dockerfile with the rules `config` enables. `build_context` lets
/// rules look at the files COPY/ADD read (`None`: they treat them as unknown).
pub fn check(
    file: &Dockerfile,
    config: &Config,
    build_context: Option<&dyn BuildContext>,
) -> Report {
    check_cached(file, config, build_context, None)
}

/// [`check`] for callers that check successive versions of one document (the language
/// server): RUN scripts whose text did not change are taken from `scripts` instead of being
/// parsed again, and scripts the file no longer has are dropped from it. The report is the
/// one [`check`] gives.
pub fn check_cached(
    file: &Dockerfile,
    config: &Config,
    build_context: Option<&dyn BuildContext>,
    scripts: Option<&ScriptCache>,
) -> Report {
    let model = Model::build(file, &config.build_args, config.target.as_deref());
    let mut cx = Context::new(file, &model, config, build_context);
    if let Some(cache) = scripts {
        cx = cx.with_script_cache(cache);
    }
    let enabled = rules::enabled(config);
    let found = if file.source.len() >= PARALLEL_FROM_BYTES {
        run_rules_on_two_threads(&cx, &enabled)
    } else {
        run_rules(&cx, enabled.iter())
    };

    if let Some(cache) = scripts {
        cache.forget_unused();
    }

    let suppressions = Suppressions::collect(file, config);
    let mut diagnostics = Vec::new();
    let mut suppressed = Vec::new();
    for mut diagnostic in found {
        if let Some(s) = suppressions.find(&diagnostic) {
            suppressed.push((diagnostic, s.reason.clone()));
        } else {
            if suppressions.promotes_to_error(&diagnostic) {
                diagnostic.severity = Severity::Error;
            }
            diagnostics.push(diagnostic);
        }
    }
    diagnostics.extend(syntax_diagnostics(file));
    sort(&mut diagnostics);
    suppressed.sort_by(|a, b| order(&a.0, &b.0));
    Report {
        diagnostics,
        suppressed,
        base_user: config.base_user,
    }
}

/// Files at least this large have their rules split over two threads. Below it the
/// thread costs more than it saves, and callers that check many files (the CLI) already use
/// every core; the language server checks one large file per keystroke and gains most.
const PARALLEL_FROM_BYTES: usize = 64 * 1024;

/// Runs each rule's fold over every instruction (and, through the one ONBUILD wrapper, the
/// bodies of ONBUILD instructions), with the severity configuration gives the rule.
fn run_rules<'r>(
    cx: &Context<'_>,
    enabled: impl Iterator<Item = &'r (rules::RuleEntry, Severity)>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (entry, severity) in enabled {
        let mut rule = (entry.new)();
        let mut out = Vec::new();
        for (index, instruction) in cx.file.instructions.iter().enumerate() {
            let stage = cx.model.stage_of(index);
            rule.check(
                cx,
                InstructionRef {
                    index,
                    instruction,
                    onbuild: false,
                    stage,
                },
                &mut out,
            );
            // The one ONBUILD wrapper: bodies are checked like instructions, except by
            // rules about the exported image, which an ONBUILD body does not change.
            if entry.meta.scope == Scope::Instruction
                && let Some(inner) = instruction.onbuild_inner()
            {
                rule.check(
                    cx,
                    InstructionRef {
                        index,
                        instruction: inner,
                        onbuild: true,
                        stage,
                    },
                    &mut out,
                );
            }
        }
        rule.finish(cx, &mut out);
        for mut diagnostic in out {
            diagnostic.severity = *severity;
            found.push(diagnostic);
        }
    }
    found
}

/// [`run_rules`] with every other rule on a second thread. The report is identical to one
/// thread's: findings are sorted by position, span, code and message afterwards, and two
/// rules never share a code.
fn run_rules_on_two_threads(
    cx: &Context<'_>,
    enabled: &[(rules::RuleEntry, Severity)],
) -> Vec<Diagnostic> {
    let (even, odd) = std::thread::scope(|scope| {
        let odd = scope.spawn(|| run_rules(cx, enabled.iter().skip(1).step_by(2)));
        let even = run_rules(cx, enabled.iter().step_by(2));
        (
            even,
            odd.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    let mut found = even;
    found.extend(odd);
    found
}

/// Parses `source` and checks it.
pub fn check_source(
    source: &str,
    config: &Config,
    build_context: Option<&dyn BuildContext>,
) -> Report {
    check(&crate::syntax::parse(source), config, build_context)
}

/// Parser errors as `HF000` findings (parser warnings belong to rules such as
/// `NoEmptyContinuation`).
fn syntax_diagnostics(file: &Dockerfile) -> impl Iterator<Item = Diagnostic> + '_ {
    file.diagnostics
        .iter()
        .filter(|d| d.severity == SyntaxSeverity::Error)
        .map(|d| {
            Diagnostic::new(
                SYNTAX_ERROR_CODE,
                SYNTAX_ERROR_NAME,
                Severity::Error,
                d.span,
                d.message.clone(),
            )
        })
}

fn order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    (a.span.start, a.span.end, a.code, &a.message).cmp(&(
        b.span.start,
        b.span.end,
        b.code,
        &b.message,
    ))
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(order);
}

/// Re-exported so callers can list suppressions without running rules.
pub use suppress::Suppression;
