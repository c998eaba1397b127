//! Instruction-level checks BuildKit makes after parsing (its `instructions.Parse` step):
//! unknown instructions and flags, argument counts, stage names, HEALTHCHECK shape. Messages
//! are BuildKit's, so users see the same words whether they lint or build.

use std::fmt::Write as _;

use super::ast::{Args, Dockerfile, Instruction, Keyword, Span, SyntaxError, SyntaxSeverity};

/// How a flag takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagKind {
    /// `--name=value`, once.
    String,
    /// `--name=value`, repeatable.
    Strings,
    /// `--name` or `--name=true|false`.
    Bool,
}

fn known_flags(keyword: Keyword) -> &'static [(&'static str, FlagKind)] {
    use FlagKind::{Bool, String, Strings};
    match keyword {
        Keyword::Add => &[
            ("exclude", Strings),
            ("chown", String),
            ("chmod", String),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", String),
        ],
        Keyword::Copy => &[
            ("exclude", Strings),
            ("parents", Bool),
            ("chown", String),
            ("from", String),
            ("chmod", String),
            ("link", Bool),
        ],
        Keyword::From => &[("platform", String)],
        Keyword::Run => &[
            ("mount", Strings),
            ("network", String),
            ("security", String),
        ],
        Keyword::Healthcheck => &[
            ("interval", String),
            ("timeout", String),
            ("start-period", String),
            ("start-interval", String),
            ("retries", String),
        ],
        _ => &[],
    }
}

/// All instruction-level errors of `file`, in file order.
pub fn validate(file: &Dockerfile) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut seen_from = false;
    for instruction in &file.instructions {
        if instruction.keyword == Keyword::From {
            seen_from = true;
        } else if !seen_from && !matches!(instruction.keyword, Keyword::Arg | Keyword::Unknown) {
            push(
                &mut errors,
                "no build stage in current context",
                instruction.keyword_span,
            );
        }
        validate_instruction(instruction, &mut errors, false);
    }
    errors
}

fn push(errors: &mut Vec<SyntaxError>, message: impl Into<String>, span: Span) {
    errors.push(SyntaxError {
        message: message.into(),
        span,
        severity: SyntaxSeverity::Error,
    });
}

fn arg_count(args: &Args) -> usize {
    match args {
        Args::Empty => 0,
        Args::Exec { items, .. } | Args::Words(items) => items.len(),
        Args::Pairs(pairs) => pairs.len(),
        Args::Rest(_) | Args::Invalid(_) | Args::Onbuild(_) | Args::Healthcheck { .. } => 1,
    }
}

/// Suggests the closest known instruction, as BuildKit's `suggest` package does.
fn suggestion(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    Keyword::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                edit_distance(&lower, &k.as_str().to_ascii_lowercase()),
            )
        })
        .filter(|&(_, d)| d <= 2)
        .min_by_key(|&(_, d)| d)
        .map(|(name, _)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

fn validate_flags(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let known = known_flags(instruction.keyword);
    let mut seen: Vec<&str> = Vec::new();
    for flag in &instruction.flags {
        if !flag.text.starts_with("--") {
            push(
                errors,
                format!("arg should start with -- : {}", flag.text),
                flag.span,
            );
            continue;
        }
        let Some(&(_, kind)) = known.iter().find(|(name, _)| *name == flag.name) else {
            push(errors, format!("unknown flag: {}", flag.name), flag.span);
            continue;
        };
        if kind != FlagKind::Strings {
            if seen.contains(&flag.name.as_str()) {
                push(
                    errors,
                    format!("duplicate flag specified: {}", flag.name),
                    flag.span,
                );
            }
            seen.push(&flag.name);
        }
        match (kind, flag.value.as_deref()) {
            (FlagKind::String | FlagKind::Strings, None) => {
                push(
                    errors,
                    format!("missing a value on flag: {}", flag.name),
                    flag.span,
                );
            }
            (FlagKind::Bool, Some(v))
                if !matches!(v.to_ascii_lowercase().as_str(), "true" | "false") =>
            {
                push(
                    errors,
                    format!("expecting boolean value for flag {}, not: {v}", flag.name),
                    flag.span,
                );
            }
            _ => {}
        }
    }
}

fn validate_instruction(
    instruction: &Instruction,
    errors: &mut Vec<SyntaxError>,
    in_onbuild: bool,
) {
    let name = instruction.keyword.as_str();
    let at = instruction.keyword_span;
    if instruction.keyword == Keyword::Unknown {
        let mut message = format!("unknown instruction: {}", instruction.keyword_text);
        if let Some(close) = suggestion(&instruction.keyword_text) {
            let _ = write!(message, " (did you mean {}?)", close.to_ascii_lowercase());
        }
        push(errors, message, at);
        return;
    }
    if matches!(instruction.args, Args::Invalid(_)) {
        // The parser already reported it.
        return;
    }
    validate_flags(instruction, errors);
    let count = arg_count(&instruction.args);
    let span = instruction.span;
    match instruction.keyword {
        Keyword::Env | Keyword::Label | Keyword::Arg | Keyword::Expose | Keyword::Volume => {
            if count == 0 {
                push(
                    errors,
                    format!("{name} requires at least one argument"),
                    span,
                );
            }
            if let Args::Pairs(pairs) = &instruction.args
                && pairs.iter().any(|p| p.key.value.is_empty())
            {
                push(errors, format!("{name} names can not be blank"), span);
            }
            if instruction.keyword == Keyword::Volume
                && let Args::Exec { items, .. } | Args::Words(items) = &instruction.args
                && items.iter().any(|w| w.value.trim().is_empty())
            {
                push(errors, "VOLUME specified can not be an empty string", span);
            }
        }
        Keyword::Maintainer | Keyword::Workdir | Keyword::User | Keyword::Stopsignal
            if count != 1 =>
        {
            push(
                errors,
                format!("{name} requires exactly one argument"),
                span,
            );
        }
        Keyword::Add | Keyword::Copy if count < 2 => {
            push(
                errors,
                format!(
                    "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
                ),
                span,
            );
        }
        Keyword::From => validate_from(instruction, errors),
        Keyword::Shell => match &instruction.args {
            Args::Exec { items, .. } if !items.is_empty() => {}
            Args::Exec { .. } | Args::Empty => {
                push(errors, "SHELL requires at least one argument", span);
            }
            _ => push(
                errors,
                "SHELL requires the arguments to be in JSON form",
                span,
            ),
        },
        Keyword::Healthcheck => validate_healthcheck(instruction, errors),
        Keyword::Onbuild => match &instruction.args {
            Args::Onbuild(inner) => {
                match inner.keyword {
                    Keyword::Onbuild => push(
                        errors,
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                        inner.keyword_span,
                    ),
                    Keyword::Maintainer | Keyword::From => push(
                        errors,
                        format!(
                            "{} isn't allowed as an ONBUILD trigger",
                            inner.keyword.as_str()
                        ),
                        inner.keyword_span,
                    ),
                    _ => {}
                }
                if !in_onbuild {
                    validate_instruction(inner, errors, true);
                }
            }
            _ => push(errors, "ONBUILD requires at least one argument", span),
        },
        _ => {}
    }
}

fn validate_from(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let Args::Words(words) = &instruction.args else {
        push(
            errors,
            "FROM requires either one or three arguments",
            instruction.span,
        );
        return;
    };
    if words.len() == 3 && words[1].value.eq_ignore_ascii_case("as") {
        let stage = words[2].value.to_ascii_lowercase();
        let mut chars = stage.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            });
        if !valid {
            push(
                errors,
                format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    super::go_quote(&words[2].value)
                ),
                words[2].span,
            );
        }
    } else if words.len() != 1 {
        push(
            errors,
            "FROM requires either one or three arguments",
            instruction.span,
        );
    }
}

/// Parses a Go duration such as `30s`, `1m30s`, `1.5h`, `500ms`; `None` when invalid.
pub fn parse_go_duration(text: &str) -> Option<std::time::Duration> {
    let mut rest = text;
    if rest == "0" {
        return Some(std::time::Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return None;
        }
        let value: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    Some(std::time::Duration::from_secs_f64(total))
}

fn validate_healthcheck(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let span = instruction.span;
    let Args::Healthcheck { kind, command } = &instruction.args else {
        push(errors, "HEALTHCHECK requires at least one argument", span);
        return;
    };
    match kind.value.to_ascii_uppercase().as_str() {
        "NONE" => {
            if !matches!(**command, Args::Empty) {
                push(errors, "HEALTHCHECK NONE takes no arguments", span);
            }
        }
        "CMD" => {
            if matches!(**command, Args::Empty) {
                push(errors, "Missing command after HEALTHCHECK CMD", span);
            }
            for flag in &instruction.flags {
                let Some(value) = flag.value.as_deref() else {
                    continue;
                };
                if flag.name == "retries" {
                    if value.parse::<i64>().is_err() {
                        push(
                            errors,
                            format!(
                                "strconv.ParseInt: parsing {}: invalid syntax",
                                super::go_quote(value)
                            ),
                            flag.span,
                        );
                    } else if value.starts_with('-') {
                        push(
                            errors,
                            format!("--retries cannot be negative ({value})"),
                            flag.span,
                        );
                    }
                } else if matches!(
                    flag.name.as_str(),
                    "interval" | "timeout" | "start-period" | "start-interval"
                ) {
                    match parse_go_duration(value) {
                        None => push(
                            errors,
                            format!("time: invalid duration {}", super::go_quote(value)),
                            flag.span,
                        ),
                        Some(d) if !d.is_zero() && d < std::time::Duration::from_millis(1) => push(
                            errors,
                            format!("Interval \"{}\" cannot be less than 1ms", flag.name),
                            flag.span,
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
        other => push(
            errors,
            format!("Unknown type \"{other}\" in HEALTHCHECK (try CMD)"),
            kind.span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    fn messages(text: &str) -> Vec<(String, String)> {
        let file = parse(text);
        file.diagnostics
            .iter()
            .map(|d| {
                (
                    d.message.clone(),
                    d.span.text(text).unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn unknown_instruction_and_flags() {
        assert_eq!(
            messages(
                "FROM a\nRUNN x\nCOPY --form=b a /\nRUN --mount=type=cache,target=/x --mount=type=tmpfs,target=/t true\n"
            ),
            vec![
                (
                    "unknown instruction: RUNN (did you mean run?)".to_string(),
                    "RUNN".to_string()
                ),
                ("unknown flag: form".to_string(), "--form=b".to_string()),
            ]
        );
        assert_eq!(
            messages("FROM a\nCOPY --from a /\n")[0].0,
            "missing a value on flag: from"
        );
        assert_eq!(
            messages("FROM a\nCOPY --link=maybe a /\n")[0].0,
            "expecting boolean value for flag link, not: maybe"
        );
        assert_eq!(
            messages("FROM a\nCOPY --chown=1 --chown=2 a /\n")[0].0,
            "duplicate flag specified: chown"
        );
    }

    #[test]
    fn argument_shapes() {
        assert_eq!(
            messages("FROM a b\n")[0].0,
            "FROM requires either one or three arguments"
        );
        assert_eq!(messages("FROM a AS 1x\n")[0].1, "1x");
        assert_eq!(
            messages("RUN x\nFROM a\n")[0].0,
            "no build stage in current context"
        );
        assert!(
            messages("ARG X=1\nFROM a\nCOPY <<EOF\nx\nEOF\n")[0]
                .0
                .starts_with("COPY requires at least two")
        );
        assert_eq!(
            messages("FROM a\nSHELL sh -c\n")[0].0,
            "SHELL requires the arguments to be in JSON form"
        );
        assert_eq!(
            messages("FROM a\nONBUILD FROM b\n")[0].0,
            "FROM isn't allowed as an ONBUILD trigger"
        );
        assert_eq!(
            messages("FROM a\nHEALTHCHECK NOPE x\n")[0].0,
            "Unknown type \"NOPE\" in HEALTHCHECK (try CMD)"
        );
        assert_eq!(
            messages("FROM a\nHEALTHCHECK --interval=5x CMD true\n")[0].0,
            "time: invalid duration \"5x\""
        );
        assert!(messages("FROM a AS b\nCOPY --from=b --chmod=755 x /y\nHEALTHCHECK --interval=1m30s --retries=3 CMD true\n").is_empty());
    }

    #[test]
    fn go_durations() {
        use super::parse_go_duration;
        assert_eq!(parse_go_duration("1m30s").map(|d| d.as_secs()), Some(90));
        assert_eq!(parse_go_duration("1.5h").map(|d| d.as_secs()), Some(5400));
        assert!(parse_go_duration("5").is_none());
        assert!(parse_go_duration("").is_none());
    }
}
