//! The exec-form decision: is the rest of the line a JSON array, as Go's `encoding/json` sees it?

/// Outcome of reading an instruction's rest as a JSON array.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// Valid JSON array of strings: each string with its byte range (quotes included)
    /// relative to the input.
    Strings(Vec<(String, usize, usize)>),
    /// Valid JSON array with a non-string element: BuildKit rejects the instruction.
    NotStrings,
    /// Not JSON (or not an array): BuildKit falls back to the shell form.
    NotJson,
}

/// Reads `text` (leading whitespace allowed) as Go's `json.Unmarshal` into `[]any` would.
pub(crate) fn parse_array(text: &str) -> JsonArray {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    p.skip_go_space_prefix();
    if p.peek() != Some(b'[') {
        return JsonArray::NotJson;
    }
    let Some(items) = p.array_top() else {
        return JsonArray::NotJson;
    };
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return JsonArray::NotJson;
    }
    let mut strings = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s, start, end) => strings.push((s, start, end)),
            Value::Other => return JsonArray::NotStrings,
        }
    }
    JsonArray::Strings(strings)
}

enum Value {
    String(String, usize, usize),
    Other,
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_go_space_prefix(&mut self) {
        self.pos = super::lines::trim_start_len(self.text);
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn array_top(&mut self) -> Option<Vec<Value>> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(items);
        }
        loop {
            self.skip_ws();
            items.push(self.value(0)?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        // Go's decoder limits nesting to 10000; stay well within our stack.
        if depth > 512 {
            return None;
        }
        match self.peek()? {
            b'"' => {
                let start = self.pos;
                let s = self.string()?;
                Some(Value::String(s, start, self.pos))
            }
            b'[' => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(Value::Other);
                }
                loop {
                    self.skip_ws();
                    self.value(depth + 1)?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(Value::Other);
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Some(Value::Other);
                }
                loop {
                    self.skip_ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    self.string()?;
                    self.skip_ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    self.value(depth + 1)?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Some(Value::Other);
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<Value> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Some(Value::Other)
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Option<Value> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(Value::Other)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = self.text.get(self.pos..)?;
            let c = rest.chars().next()?;
            match c {
                '"' => {
                    self.pos += 1;
                    return Some(out);
                }
                '\\' => {
                    self.pos += 1;
                    let esc = self.peek()?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            out.push(self.utf16(first));
                        }
                        _ => return None,
                    }
                }
                c if (c as u32) < 0x20 => return None,
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Decodes a `\u` escape, pairing surrogates as Go does (a lone one becomes U+FFFD).
    fn utf16(&mut self, first: u32) -> char {
        if (0xD800..0xDC00).contains(&first) {
            let save = self.pos;
            if self.bytes.get(self.pos) == Some(&b'\\')
                && self.bytes.get(self.pos + 1) == Some(&b'u')
            {
                self.pos += 2;
                if let Some(second) = self.hex4()
                    && (0xDC00..0xE000).contains(&second)
                {
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return char::from_u32(code).unwrap_or('\u{FFFD}');
                }
            }
            self.pos = save;
            return '\u{FFFD}';
        }
        char::from_u32(first).unwrap_or('\u{FFFD}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        match parse_array(text) {
            JsonArray::Strings(v) => v.into_iter().map(|(s, _, _)| s).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arrays() {
        assert_eq!(strings(r#"["a", "b c"]"#), vec!["a", "b c"]);
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(strings(r#"  ["\u00e9\n"] "#), vec!["é\n"]);
        assert_eq!(strings(r#"["\ud83d\ude00"]"#), vec!["😀"]);
        assert_eq!(parse_array(r#"[["a"]]"#), JsonArray::NotStrings);
        assert_eq!(parse_array(r#"["a", 1]"#), JsonArray::NotStrings);
        assert_eq!(parse_array("['a']"), JsonArray::NotJson);
        assert_eq!(parse_array(r#"["a""#), JsonArray::NotJson);
        assert_eq!(parse_array(r#"["a"] x"#), JsonArray::NotJson);
        assert_eq!(parse_array("[01]"), JsonArray::NotJson);
        assert_eq!(parse_array("[\"a\tb\"]"), JsonArray::NotJson);
    }

    #[test]
    fn spans_cover_literals() {
        let text = r#"[ "ab", "c" ]"#;
        let JsonArray::Strings(items) = parse_array(text) else {
            panic!()
        };
        assert_eq!(&text[items[0].1..items[0].2], r#""ab""#);
        assert_eq!(&text[items[1].1..items[1].2], r#""c""#);
    }
}
