//! Quote removal: the value of a word node, and whether it is static.

use tree_sitter::Node;

/// Node kinds whose value is only known at run time.
const DYNAMIC: &[&str] = &[
    "simple_expansion",
    "expansion",
    "command_substitution",
    "arithmetic_expansion",
    "process_substitution",
    "brace_expression",
];

/// The value of `node` after quote removal, and whether it is static.
pub(super) fn value(node: Node<'_>, src: &str) -> (String, bool) {
    let mut text = String::new();
    let is_static = append_value(node, src, &mut text, 0);
    (text, is_static)
}

fn raw<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// Appends the value of `node`; returns whether it is static.
fn append_value(node: Node<'_>, src: &str, out: &mut String, depth: usize) -> bool {
    let kind = node.kind();
    if depth > 64 || node.is_error() || node.is_missing() {
        out.push_str(raw(node, src));
        return false;
    }
    match kind {
        "raw_string" => {
            let text = raw(node, src);
            let inner = text.strip_prefix('\'').unwrap_or(text);
            out.push_str(inner.strip_suffix('\'').unwrap_or(inner));
            true
        }
        "string" => append_double_quoted(node, src, out, depth),
        "heredoc_start" => {
            let text = raw(node, src);
            out.push_str(text.trim_matches(['\'', '"']));
            true
        }
        "translated_string" => {
            // `$"…"`: a locale-translated string; its value depends on the locale.
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                append_value(child, src, out, depth + 1);
            }
            false
        }
        "ansi_c_string" => {
            let text = raw(node, src);
            let inner = text.strip_prefix("$'").unwrap_or(text);
            unescape_ansi_c(inner.strip_suffix('\'').unwrap_or(inner), out);
            true
        }
        "concatenation" | "variable_assignment" => {
            let mut is_static = true;
            let mut cursor = node.walk();
            let mut at = node.start_byte();
            for child in node.children(&mut cursor) {
                if child.start_byte() > at {
                    unescape_unquoted(src.get(at..child.start_byte()).unwrap_or(""), out);
                }
                is_static &= append_value(child, src, out, depth + 1);
                at = child.end_byte();
            }
            is_static
        }
        "word" | "command_name" if node.named_child_count() > 0 => {
            let mut is_static = true;
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                is_static &= append_value(child, src, out, depth + 1);
            }
            is_static
        }
        "word" | "number" | "extglob_pattern" | "variable_name" | "test_operator" => {
            unescape_unquoted(raw(node, src), out);
            true
        }
        _ if DYNAMIC.contains(&kind) => {
            out.push_str(raw(node, src));
            false
        }
        _ => {
            out.push_str(raw(node, src));
            node.named_child_count() == 0
        }
    }
}

/// `"…"`: the text between the quotes with `\$ \` \" \\` and backslash-newline resolved;
/// expansions are copied as written.
fn append_double_quoted(node: Node<'_>, src: &str, out: &mut String, depth: usize) -> bool {
    let mut is_static = true;
    let mut cursor = node.walk();
    let start = node.start_byte() + 1;
    let mut at = start;
    for child in node.children(&mut cursor) {
        if !child.is_named() {
            // The quotes themselves (and a MISSING closing quote). tree-sitter-bash makes
            // blanks between an expansion and the closing quote part of the quote token.
            if child.start_byte() > node.start_byte()
                && let Some(blanks) = raw(child, src).strip_suffix('"')
            {
                unescape_double_quoted(blanks, out);
            }
            at = at.max(child.end_byte());
            continue;
        }
        if child.start_byte() > at {
            unescape_double_quoted(src.get(at..child.start_byte()).unwrap_or(""), out);
        }
        if child.kind() == "string_content" {
            unescape_double_quoted(raw(child, src), out);
        } else {
            is_static &= append_value(child, src, out, depth + 1);
        }
        at = child.end_byte();
    }
    let end = node.end_byte().saturating_sub(1);
    if end > at && src.get(end..node.end_byte()) == Some("\"") {
        unescape_double_quoted(src.get(at..end).unwrap_or(""), out);
    }
    is_static
}

fn unescape_unquoted(text: &str, out: &mut String) {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(next) => out.push(next),
            }
        } else {
            out.push(c);
        }
    }
}

fn unescape_double_quoted(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('\n') => {
                    chars.next();
                }
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    chars.next();
                    out.push(next);
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
}

pub(super) fn unescape_ansi_c(text: &str, out: &mut String) {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('e' | 'E') => out.push('\u{1b}'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other @ ('\\' | '\'' | '"' | '?')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes() {
        let mut out = String::new();
        unescape_unquoted("a\\ b\\\nc", &mut out);
        assert_eq!(out, "a bc");
        out.clear();
        unescape_double_quoted(r#"\$x \"y\" \n"#, &mut out);
        assert_eq!(out, r#"$x "y" \n"#);
        out.clear();
        unescape_ansi_c(r"a\tb\'", &mut out);
        assert_eq!(out, "a\tb'");
    }
}
