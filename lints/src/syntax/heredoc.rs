//! Finding heredoc markers (`<<EOF`, `<<-"EOF"`, `3<<EOF`) in an instruction line.

/// A heredoc marker found in a logical line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub name: String,
    pub fd: u32,
    pub expand: bool,
    pub chomp: bool,
    pub start: usize,
    pub end: usize,
}

/// BuildKit splits the whole line into shell words (quotes and escapes kept raw, `\` as the
/// escape, unset variables left alone) and takes every word of the shape
/// `^(\d*)<<(-?)\s*([^<]*)$` whose delimiter part is exactly one word.
pub(crate) fn heredocs_in_line(line: &str) -> Vec<Marker> {
    let Some(words) = raw_words(line) else {
        return Vec::new();
    };
    words
        .into_iter()
        .filter_map(|(start, end)| marker(&line[start..end], start, end))
        .collect()
}

fn marker(word: &str, start: usize, end: usize) -> Option<Marker> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let after_digits = &word[digits..];
    let after_angles = after_digits.strip_prefix("<<")?;
    let (chomp, rest) = match after_angles.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after_angles),
    };
    let rest = rest.trim_start_matches([' ', '\t', '\n', '\u{c}', '\r']);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    let raw = raw_words(rest)?;
    if raw.len() != 1 {
        return None;
    }
    let name = unquote(rest)?;
    let raw_quotes = rest.matches(['\'', '"']).count();
    let cooked_quotes = name.matches(['\'', '"']).count();
    Some(Marker {
        name,
        fd,
        expand: raw_quotes == cooked_quotes,
        chomp,
        start,
        end,
    })
}

/// Shell-style word boundaries with quotes and escapes kept; `None` on an unterminated quote.
fn raw_words(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                words.push((s, i));
            }
            continue;
        }
        start.get_or_insert(i);
        match c {
            '\\' => {
                chars.next();
            }
            '\'' => loop {
                match chars.next() {
                    Some((_, '\'')) => break,
                    Some(_) => {}
                    None => return None,
                }
            },
            '"' => loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((_, '\\')) => {
                        chars.next();
                    }
                    Some(_) => {}
                    None => return None,
                }
            },
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    Some(words)
}

/// Removes quotes and escapes from a single word.
fn unquote(word: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => {
                        if let Some(next) = chars.next() {
                            out.push(next);
                        }
                    }
                    c => out.push(c),
                }
            },
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, bool, bool, u32)> {
        heredocs_in_line(line)
            .into_iter()
            .map(|m| (m.name, m.expand, m.chomp, m.fd))
            .collect()
    }

    #[test]
    fn markers() {
        assert_eq!(names("RUN <<EOF"), vec![("EOF".into(), true, false, 0)]);
        assert_eq!(names("RUN <<-EOF"), vec![("EOF".into(), true, true, 0)]);
        assert_eq!(names("RUN <<'EOF'"), vec![("EOF".into(), false, false, 0)]);
        assert_eq!(
            names("RUN <<\"EOF\""),
            vec![("EOF".into(), false, false, 0)]
        );
        assert_eq!(
            names("COPY <<a <<b /dest/"),
            vec![("a".into(), true, false, 0), ("b".into(), true, false, 0)]
        );
        assert_eq!(
            names("RUN 3<<EOF cat /proc/self/fd/3"),
            vec![("EOF".into(), true, false, 3)]
        );
        assert!(names("RUN echo \"<<EOF\"").is_empty());
        assert!(names("RUN a<<EOF").is_empty());
        assert!(names("RUN << EOF").is_empty());
        assert!(names("RUN echo 'unterminated <<EOF").is_empty());
    }
}
