//! Turning one logical line into an [`Instruction`], exactly as BuildKit's line parsers do.

use std::fmt::Write as _;

use super::ast::{Args, Flag, Instruction, KeyValue, Keyword, Span, Word};
use super::json::{JsonArray, parse_array};
use super::lines::{LogicalLine, is_go_space, is_go_space_byte, is_re_whitespace};

/// Parses `line.text[from..]` as an instruction. Errors are returned beside the instruction,
/// which is still built (with [`Args::Invalid`]) so later stages see the rest of the file.
pub(crate) fn parse_instruction(
    line: &LogicalLine,
    from: usize,
    escape: char,
) -> (Instruction, Option<(String, Span)>) {
    let text = &line.text;
    // strings.TrimSpace, then split at the first run of [\t\v\f\r ].
    let lead = from + super::lines::trim_start_len(&text[from..]);
    let trail = from + super::lines::trim_end_len(&text[from..]);
    let trail = trail.max(lead);
    let body = &text[lead..trail];
    let cmd_len = body.find(is_re_whitespace).unwrap_or(body.len());
    let cmd_end = lead + cmd_len;
    let keyword_text = text[lead..cmd_end].to_string();
    let keyword = Keyword::parse(&keyword_text);
    let after_cmd = &text[cmd_end..trail];
    let args_start =
        cmd_end + (after_cmd.len() - after_cmd.trim_start_matches(is_re_whitespace).len());

    let (flags, rest_start) = if cmd_end < trail {
        extract_flags(line, args_start, trail, escape)
    } else {
        (Vec::new(), trail)
    };
    // strings.TrimSpace(args)
    let rest_raw = &text[rest_start..trail];
    let rest_lead = rest_start + super::lines::trim_start_len(rest_raw);
    let rest_end = rest_start + super::lines::trim_end_len(rest_raw);
    let rest_end = rest_end.max(rest_lead);

    let mut error = None;
    let args = match parse_args(keyword, line, rest_lead, rest_end, escape) {
        Ok(args) => args,
        Err(message) => {
            let span = line.span(rest_lead, rest_end);
            error = Some((
                message,
                if span.is_empty() {
                    line.span(lead, trail)
                } else {
                    span
                },
            ));
            Args::Invalid(word(line, rest_lead, rest_end))
        }
    };
    let args = match (keyword, args) {
        (Keyword::Onbuild, Args::Rest(_)) => {
            let (inner, inner_error) = parse_instruction(line, rest_lead, escape);
            if error.is_none() {
                error = inner_error;
            }
            Args::Onbuild(Box::new(inner))
        }
        (_, args) => args,
    };

    let keyword_span = line.span(lead, cmd_end);
    let end = line.end_of(trail.max(cmd_end));
    let instruction = Instruction {
        keyword,
        keyword_text,
        keyword_span,
        flags,
        args,
        heredocs: Vec::new(),
        original: text[from..].to_string(),
        span: Span::new(keyword_span.start, end.max(keyword_span.end)),
        prev_comments: Vec::new(),
    };
    (instruction, error)
}

fn word(line: &LogicalLine, start: usize, end: usize) -> Word {
    Word {
        value: line.text[start..end].to_string(),
        span: line.span(start, end),
    }
}

/// BuildKit's `extractBuilderFlags`: leading `--words`, quotes removed, up to the first word
/// that does not start with `--` (or a bare `--`). Works on bytes like the Go code.
fn extract_flags(line: &LogicalLine, start: usize, end: usize, escape: char) -> (Vec<Flag>, usize) {
    let text = &line.text;
    let bytes = text.as_bytes();
    let mut flags = Vec::new();
    let mut pos = start;
    loop {
        while pos < end && is_go_space_byte(bytes[pos]) {
            pos += 1;
        }
        if pos >= end {
            return (flags, end);
        }
        if !(bytes[pos] == b'-' && pos + 1 < end && bytes[pos + 1] == b'-') {
            return (flags, pos);
        }
        let word_start = pos;
        let mut value = String::new();
        let mut quote: Option<char> = None;
        let mut blank_ok = false;
        while pos < end {
            let Some(c) = text[pos..end].chars().next() else {
                break;
            };
            if quote.is_none() && c.is_ascii() && is_go_space_byte(c as u8) {
                break;
            }
            pos += c.len_utf8();
            match quote {
                None => {
                    if c == '\'' || c == '"' {
                        quote = Some(c);
                        blank_ok = true;
                        continue;
                    }
                    if c == escape {
                        if pos == end {
                            continue;
                        }
                        if let Some(next) = text[pos..end].chars().next() {
                            pos += next.len_utf8();
                            value.push(next);
                        }
                        continue;
                    }
                    value.push(c);
                }
                Some(q) => {
                    if c == q {
                        quote = None;
                        continue;
                    }
                    if c == escape {
                        if pos == end {
                            quote = None;
                            continue;
                        }
                        if let Some(next) = text[pos..end].chars().next() {
                            pos += next.len_utf8();
                            value.push(next);
                        }
                        continue;
                    }
                    value.push(c);
                }
            }
        }
        if value == "--" {
            return (flags, pos.min(end));
        }
        if blank_ok || !value.is_empty() {
            let stripped = value.strip_prefix("--").unwrap_or(&value);
            let (name, flag_value) = match stripped.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (stripped.to_string(), None),
            };
            flags.push(Flag {
                text: value.clone(),
                name,
                value: flag_value,
                span: line.span(word_start, pos),
            });
        }
    }
}

fn parse_args(
    keyword: Keyword,
    line: &LogicalLine,
    start: usize,
    end: usize,
    escape: char,
) -> Result<Args, String> {
    let rest = &line.text[start..end];
    match keyword {
        Keyword::Add | Keyword::Copy | Keyword::Volume => match parse_json(line, start, end)? {
            Some(args) => Ok(args),
            None => Ok(whitespace_words(line, start, end)),
        },
        Keyword::Cmd | Keyword::Entrypoint | Keyword::Run | Keyword::Shell => {
            if rest.is_empty() {
                return Ok(Args::Empty);
            }
            Ok(parse_json(line, start, end)?.unwrap_or_else(|| Args::Rest(word(line, start, end))))
        }
        Keyword::Arg => {
            let words = parse_words(line, start, end, escape);
            Ok(if words.is_empty() {
                Args::Empty
            } else {
                Args::Words(words)
            })
        }
        Keyword::Env | Keyword::Label => parse_name_value(keyword, line, start, end, escape),
        Keyword::Expose | Keyword::From => Ok(whitespace_words(line, start, end)),
        Keyword::Healthcheck => parse_healthcheck(line, start, end),
        Keyword::Maintainer
        | Keyword::Stopsignal
        | Keyword::User
        | Keyword::Workdir
        | Keyword::Onbuild => Ok(if rest.is_empty() {
            Args::Empty
        } else {
            Args::Rest(word(line, start, end))
        }),
        Keyword::Unknown => Ok(Args::Empty),
    }
}

/// `parseJSON`: `Ok(None)` when the text is not a JSON array (shell form follows).
fn parse_json(line: &LogicalLine, start: usize, end: usize) -> Result<Option<Args>, String> {
    match parse_array(&line.text[start..end]) {
        JsonArray::Strings(items) => Ok(Some(Args::Exec {
            items: items
                .into_iter()
                .map(|(value, s, e)| Word {
                    value,
                    span: line.span(start + s, start + e),
                })
                .collect(),
            span: line.span(start, end),
        })),
        JsonArray::NotStrings => Err(
            "when using JSON array syntax, arrays must be comprised of strings only".to_string(),
        ),
        JsonArray::NotJson => Ok(None),
    }
}

/// `parseStringsWhitespaceDelimited`: split on `[\t\v\f\r ]+`, empty pieces kept as Go does.
fn whitespace_words(line: &LogicalLine, start: usize, end: usize) -> Args {
    if start >= end {
        return Args::Empty;
    }
    let text = &line.text[start..end];
    let mut words = Vec::new();
    let mut piece_start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_re_whitespace(c) {
            words.push(word(line, start + piece_start, start + i));
            let mut next = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_re_whitespace(d) {
                    break;
                }
                next = j + d.len_utf8();
                chars.next();
            }
            piece_start = next;
        }
    }
    words.push(word(line, start + piece_start, end));
    Args::Words(words)
}

/// `parseWords`: whitespace-separated words that respect quotes; quotes and escapes are
/// kept in the values, only an escape token at the very end is dropped.
fn parse_words(line: &LogicalLine, start: usize, end: usize, escape: char) -> Vec<Word> {
    parse_word_ranges(&line.text[start..end], escape)
        .into_iter()
        .map(|(value, s, e)| Word {
            value,
            span: line.span(start + s, start + e),
        })
        .collect()
}

/// [`parse_words`] on plain text: each word with its range relative to `text`.
fn parse_word_ranges(text: &str, escape: char) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut word_start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (word_start, quote) {
            (None, _) => {
                if is_go_space(c) {
                    continue;
                }
                word_start = Some(i);
                handle_word_char(
                    c,
                    &mut chars,
                    &mut current,
                    &mut quote,
                    &mut blank_ok,
                    escape,
                );
            }
            (Some(ws), None) => {
                if is_go_space(c) {
                    if blank_ok || !current.is_empty() {
                        words.push((std::mem::take(&mut current), ws, i));
                    }
                    current.clear();
                    word_start = None;
                    blank_ok = false;
                    continue;
                }
                handle_word_char(
                    c,
                    &mut chars,
                    &mut current,
                    &mut quote,
                    &mut blank_ok,
                    escape,
                );
            }
            (Some(_), Some(q)) => {
                if c == q {
                    quote = None;
                }
                if c == escape && q != '\'' {
                    if chars.peek().is_none() {
                        quote = None;
                        continue;
                    }
                    current.push(c);
                    if let Some((_, next)) = chars.next() {
                        current.push(next);
                    }
                    continue;
                }
                current.push(c);
            }
        }
    }
    if let Some(ws) = word_start
        && (blank_ok || !current.is_empty())
    {
        words.push((current, ws, text.len()));
    }
    words
}

fn handle_word_char(
    c: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    current: &mut String,
    quote: &mut Option<char>,
    blank_ok: &mut bool,
    escape: char,
) {
    if c == '\'' || c == '"' {
        *quote = Some(c);
        *blank_ok = true;
    }
    if c == escape {
        if chars.peek().is_none() {
            return;
        }
        current.push(c);
        if let Some((_, next)) = chars.next() {
            current.push(next);
        }
        return;
    }
    current.push(c);
}

/// `parseNameVal` for ENV and LABEL.
fn parse_name_value(
    keyword: Keyword,
    line: &LogicalLine,
    start: usize,
    end: usize,
    escape: char,
) -> Result<Args, String> {
    let words = parse_word_ranges(&line.text[start..end], escape);
    let Some(first) = words.first() else {
        return Ok(Args::Empty);
    };
    if !first.0.contains('=') {
        // Legacy `NAME value`: split the raw rest at the first whitespace run.
        let text = &line.text[start..end];
        let Some(sep) = text.find(is_re_whitespace) else {
            return Err(format!("{} must have two arguments", keyword.as_str()));
        };
        let after = &text[sep..];
        let value_start =
            start + sep + (after.len() - after.trim_start_matches(is_re_whitespace).len());
        return Ok(Args::Pairs(vec![KeyValue {
            key: word(line, start, start + sep),
            value: word(line, value_start, end),
            equals: false,
            span: line.span(start, end),
        }]));
    }
    let mut pairs = Vec::with_capacity(words.len());
    for (value, s, e) in words {
        let Some(eq) = value.find('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                go_quote(&value)
            ));
        };
        // parseWords keeps quotes and escapes, so the value is the logical text of the word
        // (only a dangling escape at the very end is dropped) and offsets map straight back.
        let key_end = start + s + eq;
        let value_end = (start + s + value.len()).min(start + e).max(key_end + 1);
        pairs.push(KeyValue {
            key: Word {
                value: value[..eq].to_string(),
                span: line.span(start + s, key_end),
            },
            value: Word {
                value: value[eq + 1..].to_string(),
                span: line.span(key_end + 1, value_end),
            },
            equals: true,
            span: line.span(start + s, start + e),
        });
    }
    Ok(Args::Pairs(pairs))
}

/// `parseHealthConfig`: subcommand word, then a maybe-JSON command.
fn parse_healthcheck(line: &LogicalLine, start: usize, end: usize) -> Result<Args, String> {
    let bytes = line.text.as_bytes();
    let mut sep = start;
    while sep < end && !is_go_space_byte(bytes[sep]) {
        sep += 1;
    }
    let mut next = sep;
    while next < end && is_go_space_byte(bytes[next]) {
        next += 1;
    }
    if sep == start {
        return Ok(Args::Empty);
    }
    let command = if next >= end {
        Args::Empty
    } else {
        parse_json(line, next, end)?.unwrap_or_else(|| Args::Rest(word(line, next, end)))
    };
    Ok(Args::Healthcheck {
        kind: word(line, start, sep),
        command: Box::new(command),
    })
}

/// Go's `strconv.Quote`, as BuildKit's dump uses it.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint` good for Dockerfile text: ASCII space is
/// printable, other spaces, controls and format characters are not.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xD800..=0xDFFF | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF)
}
