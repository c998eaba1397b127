//! BuildKit's shell-word lexer: unquoting and `$VAR` expansion of Dockerfile words.
//!
//! Dockerfile instructions such as `ENV`, `COPY` or `WORKDIR` do not run a shell, yet their
//! arguments are unquoted and expanded by BuildKit's own small lexer
//! (`frontend/dockerfile/shell/lex.go`). [`Lexer`] reproduces that lexer exactly, quirks included,
//! so that what hardfile reports about a word is what BuildKit will build:
//!
//! * single quotes keep everything literally; double quotes keep everything but `$` expansions
//!   and escapes of `"`, `$` and the escape token;
//! * outside quotes the escape token (`\` or `` ` ``) takes the next character literally, and a
//!   trailing escape token is dropped;
//! * `$NAME`, `${NAME}` and the modifiers `:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//`,
//!   whose patterns are shell globs with `*` and `?`;
//! * `<<` keeps the blanks that follow it (heredoc markers), and never splits there.
//!
//! Lookups go through the [`Env`] trait and are case-sensitive, as BuildKit's are on Unix.

mod go_unicode;

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash};

/// How deeply `${...}` may nest before expansion gives up.
///
/// BuildKit has no limit (Go's stacks grow); hardfile stops far beyond any real Dockerfile so
/// that hostile input cannot exhaust the stack.
pub const MAX_NESTING: usize = 200;

/// The variables a word expansion can see.
///
/// Implemented for slices, arrays and vectors of `(name, value)` pairs (the last pair with a
/// name wins, like BuildKit's `EnvsFromSlice`), for `HashMap` and `BTreeMap`, for references
/// and for [`EmptyEnv`]. Names are compared case-sensitively.
pub trait Env {
    /// The value of `name`, or `None` when it is not set (an empty value is set).
    fn get(&self, name: &str) -> Option<&str>;

    /// Every name that is set, each once.
    fn keys(&self) -> Vec<String>;
}

/// An environment in which nothing is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmptyEnv;

impl Env for EmptyEnv {
    fn get(&self, _name: &str) -> Option<&str> {
        None
    }

    fn keys(&self) -> Vec<String> {
        Vec::new()
    }
}

impl<E: Env + ?Sized> Env for &E {
    fn get(&self, name: &str) -> Option<&str> {
        (**self).get(name)
    }

    fn keys(&self) -> Vec<String> {
        (**self).keys()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Env for [(K, V)] {
    fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(key, _)| key.as_ref() == name)
            .map(|(_, value)| value.as_ref())
    }

    fn keys(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.iter()
            .map(|(key, _)| key.as_ref())
            .filter(|key| seen.insert(*key))
            .map(str::to_owned)
            .collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> Env for [(K, V); N] {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }

    fn keys(&self) -> Vec<String> {
        Env::keys(self.as_slice())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Env for Vec<(K, V)> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }

    fn keys(&self) -> Vec<String> {
        Env::keys(self.as_slice())
    }
}

impl<K, V, S> Env for HashMap<K, V, S>
where
    K: Borrow<str> + Hash + Eq,
    V: AsRef<str>,
    S: BuildHasher,
{
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(AsRef::as_ref)
    }

    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = HashMap::keys(self)
            .map(|key| key.borrow().to_owned())
            .collect();
        keys.sort_unstable();
        keys
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> Env for BTreeMap<K, V> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(AsRef::as_ref)
    }

    fn keys(&self) -> Vec<String> {
        BTreeMap::keys(self)
            .map(|key| key.borrow().to_owned())
            .collect()
    }
}

/// A failed expansion, displayed exactly as BuildKit reports it:
/// `failed to process "<word>": <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {}: {reason}", go_quote(.word))]
pub struct WordError {
    /// The whole word that was being processed.
    pub word: String,
    /// What went wrong.
    pub reason: WordErrorKind,
}

/// Why a word could not be expanded; the messages are BuildKit's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordErrorKind {
    /// A `'` without its closing partner.
    #[error("unexpected end of statement while looking for matching single-quote")]
    UnterminatedSingleQuote,
    /// A `"` without its closing partner.
    #[error("unexpected end of statement while looking for matching double-quote")]
    UnterminatedDoubleQuote,
    /// `${` that reaches the end of the word before its `}`.
    #[error("syntax error: missing '}}'")]
    MissingBrace,
    /// `${VAR/pattern` that reaches the end of the word before the second `/`.
    #[error("syntax error: missing '/' in ${{}}")]
    MissingSlash,
    /// `${}`, `${{...`, `${:...`.
    #[error("syntax error: bad substitution")]
    BadSubstitution,
    /// An operator BuildKit does not know, such as `${VAR:=x}`, `${VAR:#x}` or `${#VAR}`.
    /// The text is the operator as BuildKit quotes it (`U+FFFD` stands for the end of the word).
    #[error("unsupported modifier ({0}) in substitution")]
    UnsupportedModifier(String),
    /// `${VAR?message}` with `VAR` unset, or `${VAR:?message}` with `VAR` unset or empty.
    #[error("{name}: {message}")]
    Required {
        /// The variable that had to be set.
        name: String,
        /// The word's own message, or BuildKit's default.
        message: String,
    },
    /// A glob pattern with a backslash before anything but `*`, `?`, `\`, `}` or `/`.
    #[error("invalid pattern ({pattern}) in substitution: invalid escape '\\{escaped}'")]
    InvalidPattern {
        /// The pattern as BuildKit reports it (reversed for `%` and `%%`, as BuildKit does).
        pattern: String,
        /// The character after the backslash (`U+FFFD` at the end of the pattern).
        escaped: char,
    },
    /// Substitutions nested deeper than [`MAX_NESTING`] (hardfile's own limit).
    #[error("syntax error: substitutions nested more than {MAX_NESTING} deep")]
    TooDeep,
}

/// The full outcome of expanding one word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded, unquoted word, inner blanks kept.
    pub result: String,
    /// The same expansion split into words the way [`Lexer::process_words`] does.
    pub words: Vec<String>,
    /// Variables that were looked up and found (even when empty).
    pub matched: BTreeSet<String>,
    /// Variables that were looked up and not set; BuildKit's `UndefinedVar` check reads these.
    pub unmatched: BTreeSet<String>,
}

/// BuildKit's word lexer, with the same switches as its `shell.Lex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    /// The escape token: `\` by default, `` ` `` after `# escape=``.
    pub escape: char,
    /// Keep quote characters in the output instead of removing them.
    pub raw_quotes: bool,
    /// Keep escape tokens in the output instead of removing them.
    pub raw_escapes: bool,
    /// Leave references to unset variables as written (`$X`, `${X:-w}`) instead of expanding them.
    pub skip_unset_env: bool,
    /// Treat `'` and `"` as ordinary characters.
    pub skip_process_quotes: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Self::new('\\')
    }
}

impl Lexer {
    /// A lexer with the given escape token and every switch off.
    pub const fn new(escape: char) -> Self {
        Self {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset_env: false,
            skip_process_quotes: false,
        }
    }

    /// Unquotes `word` and expands its variables from `env`, keeping inner blanks.
    pub fn process_word<E: Env + ?Sized>(&self, word: &str, env: &E) -> Result<String, WordError> {
        self.process_word_with_matches(word, env)
            .map(|expansion| expansion.result)
    }

    /// Like [`Lexer::process_word`], then splits the result at blanks outside quotes.
    ///
    /// Blanks produced by an expansion split too; quoted empty strings produce no word. Like
    /// BuildKit, a `${VAR<op>...}` expansion discards the part of the current word before it
    /// (`a${X:-b}c` gives `bc`), since BuildKit's nested lexer shares and resets the word buffer.
    pub fn process_words<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Vec<String>, WordError> {
        self.process_word_with_matches(word, env)
            .map(|expansion| expansion.words)
    }

    /// Expands `word` and also reports which variables it looked up, found or not.
    pub fn process_word_with_matches<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Expansion, WordError> {
        // Go's text/scanner skips a byte-order mark at the very start.
        let text = word.strip_prefix('\u{FEFF}').unwrap_or(word);
        let mut expander = Expander {
            lexer: self,
            env,
            chars: text.chars().collect(),
            pos: 0,
            raw_escapes: self.raw_escapes,
            depth: 0,
            word_buffer: String::new(),
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
        };
        match expander.process_until(None, self.raw_escapes) {
            Ok((result, words)) => Ok(Expansion {
                result,
                words,
                matched: expander.matched,
                unmatched: expander.unmatched,
            }),
            Err(Failure::Error(reason)) => Err(WordError {
                word: word.to_owned(),
                reason,
            }),
            // Only nested calls look for a stop character, and they translate this themselves.
            Err(Failure::Unterminated) => Err(WordError {
                word: word.to_owned(),
                reason: WordErrorKind::MissingBrace,
            }),
        }
    }
}

/// Internal failure: either a reportable error, or "the stop character never came", which the
/// caller turns into the message that fits its construct.
enum Failure {
    Error(WordErrorKind),
    Unterminated,
}

impl From<WordErrorKind> for Failure {
    fn from(kind: WordErrorKind) -> Self {
        Self::Error(kind)
    }
}

/// Words being split out of an expansion.
///
/// The pending word's text lives in [`Expander::word_buffer`], which every nested
/// `process_until` clears, exactly as BuildKit's shared buffer is.
#[derive(Default)]
struct WordSplitter {
    words: Vec<String>,
    in_word: bool,
}

impl WordSplitter {
    fn add_char(&mut self, buffer: &mut String, ch: char) {
        if !ch.is_whitespace() {
            self.add_raw_char(buffer, ch);
        } else if self.in_word && !buffer.is_empty() {
            self.words.push(std::mem::take(buffer));
            self.in_word = false;
        }
    }

    fn add_raw_char(&mut self, buffer: &mut String, ch: char) {
        buffer.push(ch);
        self.in_word = true;
    }

    fn add_str(&mut self, buffer: &mut String, text: &str) {
        for ch in text.chars() {
            self.add_char(buffer, ch);
        }
    }

    fn add_raw_str(&mut self, buffer: &mut String, text: &str) {
        buffer.push_str(text);
        self.in_word = true;
    }

    fn finish(mut self, buffer: &mut String) -> Vec<String> {
        if !buffer.is_empty() {
            self.words.push(std::mem::take(buffer));
        }
        self.words
    }
}

/// One expansion in progress: a cursor over the word plus what has been looked up.
struct Expander<'a, E: ?Sized> {
    lexer: &'a Lexer,
    env: &'a E,
    chars: Vec<char>,
    pos: usize,
    raw_escapes: bool,
    depth: usize,
    word_buffer: String,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

impl<E: Env + ?Sized> Expander<'_, E> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        if let Some(value) = self.env.get(name) {
            self.matched.insert(name.to_owned());
            Some(value.to_owned())
        } else {
            self.unmatched.insert(name.to_owned());
            None
        }
    }

    /// Processes characters up to `stop` (consumed) or the end of the word, returning the
    /// expanded text and its split words. `raw_escapes` applies for the duration of the call.
    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), Failure> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let outcome = self.process_until_inner(stop);
        self.raw_escapes = saved;
        outcome
    }

    fn process_until_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), Failure> {
        let mut result = String::new();
        let mut words = WordSplitter::default();
        self.word_buffer.clear();
        let quotes = !self.lexer.skip_process_quotes;

        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += 1;
                return Ok((result, words.finish(&mut self.word_buffer)));
            }
            match ch {
                '$' => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                    words.add_str(&mut self.word_buffer, &value);
                }
                '<' => {
                    let text = self.process_possible_heredoc();
                    result.push_str(&text);
                    words.add_raw_str(&mut self.word_buffer, &text);
                }
                '\'' if quotes => {
                    let text = self.process_single_quote()?;
                    result.push_str(&text);
                    words.add_raw_str(&mut self.word_buffer, &text);
                }
                '"' if quotes => {
                    let text = self.process_double_quote()?;
                    result.push_str(&text);
                    words.add_raw_str(&mut self.word_buffer, &text);
                }
                _ => {
                    self.pos += 1;
                    if ch == self.lexer.escape {
                        if self.raw_escapes {
                            words.add_raw_char(&mut self.word_buffer, ch);
                            result.push(ch);
                        }
                        // A trailing escape token escapes nothing and disappears.
                        let Some(escaped) = self.next() else { break };
                        words.add_raw_char(&mut self.word_buffer, escaped);
                        result.push(escaped);
                    } else {
                        words.add_char(&mut self.word_buffer, ch);
                        result.push(ch);
                    }
                }
            }
        }
        if stop.is_some() {
            return Err(Failure::Unterminated);
        }
        Ok((result, words.finish(&mut self.word_buffer)))
    }

    fn process_single_quote(&mut self) -> Result<String, Failure> {
        let mut text = String::new();
        let raw = self.lexer.raw_quotes;
        self.pos += 1;
        if raw {
            text.push('\'');
        }
        loop {
            match self.next() {
                None => return Err(WordErrorKind::UnterminatedSingleQuote.into()),
                Some('\'') => {
                    if raw {
                        text.push('\'');
                    }
                    return Ok(text);
                }
                Some(ch) => text.push(ch),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, Failure> {
        let mut text = String::new();
        let raw = self.lexer.raw_quotes;
        let escape = self.lexer.escape;
        self.pos += 1;
        if raw {
            text.push('"');
        }
        loop {
            match self.peek() {
                None => return Err(WordErrorKind::UnterminatedDoubleQuote.into()),
                Some('"') => {
                    self.pos += 1;
                    if raw {
                        text.push('"');
                    }
                    return Ok(text);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    text.push_str(&value);
                }
                Some(mut ch) => {
                    self.pos += 1;
                    if ch == escape {
                        if self.raw_escapes {
                            text.push(ch);
                        }
                        match self.peek() {
                            // The loop then reports the missing closing quote.
                            None => continue,
                            // Only these can be escaped; before anything else the escape
                            // token stays (and with raw escapes it is then doubled, as in
                            // BuildKit).
                            Some(next) if next == '"' || next == '$' || next == escape => {
                                self.pos += 1;
                                ch = next;
                            }
                            Some(_) => {}
                        }
                    }
                    text.push(ch);
                }
            }
        }
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.pos += 1;
        if self.peek() != Some('<') {
            return "<".to_owned();
        }
        self.pos += 1;
        let mut text = "<<".to_owned();
        while let Some(blank @ (' ' | '\t' | '\r')) = self.peek() {
            text.push(blank);
            self.pos += 1;
        }
        text
    }

    /// Reads a variable name: a run of digits, one special parameter, or letters, digits
    /// and `_` (letters and digits in Go's Unicode sense).
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && go_unicode::is_digit(ch) {
                while let Some(digit) = self.peek().filter(|&c| go_unicode::is_digit(c)) {
                    name.push(digit);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                name.push(ch);
                return name;
            }
            if !go_unicode::is_letter(ch) && !go_unicode::is_digit(ch) && ch != '_' {
                break;
            }
            name.push(ch);
            self.pos += 1;
        }
        name
    }

    /// Expands the `$...` at the cursor.
    fn process_dollar(&mut self) -> Result<String, Failure> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.pos += 1;
        match self.peek() {
            None => return Err(WordErrorKind::MissingBrace.into()),
            Some('{' | '}' | ':') => return Err(WordErrorKind::BadSubstitution.into()),
            Some(_) => {}
        }
        let name = self.process_name();
        let modifier = self.next();
        let mut modifier_text = go_rune_text(modifier);
        match modifier {
            Some('}') => Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let null_is_unset = modifier == Some(':');
                let operator = if null_is_unset {
                    let operator = self.next();
                    modifier_text.push_str(&go_rune_text(operator));
                    operator
                } else {
                    modifier
                };
                let is_trim = matches!(operator, Some('#' | '%'));
                if null_is_unset && is_trim {
                    return Err(WordErrorKind::UnsupportedModifier(modifier_text).into());
                }
                let argument = self.nested(Some('}'), is_trim, WordErrorKind::MissingBrace)?;
                let value = self.lookup(&name);
                if self.lexer.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{modifier_text}{argument}}}"));
                }
                let is_null = value
                    .as_deref()
                    .is_none_or(|v| null_is_unset && v.is_empty());
                match operator {
                    Some('-') => Ok(if is_null {
                        argument
                    } else {
                        value.unwrap_or_default()
                    }),
                    Some('+') => Ok(if is_null { String::new() } else { argument }),
                    Some('?') => match value {
                        Some(value) if !(null_is_unset && value.is_empty()) => Ok(value),
                        _ => {
                            let message = if !argument.is_empty() {
                                argument
                            } else if value.is_none() {
                                "is not allowed to be unset".to_owned()
                            } else {
                                "is not allowed to be empty".to_owned()
                            };
                            Err(WordErrorKind::Required { name, message }.into())
                        }
                    },
                    Some(trim @ ('#' | '%')) => {
                        let value = value.unwrap_or_default();
                        let (pattern, greedy) = match argument.strip_prefix(trim) {
                            Some(rest) => (rest, true),
                            None => (argument.as_str(), false),
                        };
                        Ok(if trim == '%' {
                            trim_suffix(pattern, &value, greedy)?
                        } else {
                            trim_prefix(pattern, &value, greedy)?
                        })
                    }
                    _ => Err(WordErrorKind::UnsupportedModifier(modifier_text).into()),
                }
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.pos += 1;
                }
                let pattern = self.nested(Some('/'), true, WordErrorKind::MissingSlash)?;
                let replacement = self.nested(Some('}'), true, WordErrorKind::MissingBrace)?;
                let value = self.lookup(&name);
                if self.lexer.skip_unset_env && value.is_none() {
                    // BuildKit writes a single `/` back even for `//`.
                    return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                }
                let value: Vec<char> = value.unwrap_or_default().chars().collect();
                let glob = Glob::compile(&pattern, true, false)?;
                Ok(if replace_all {
                    glob.replace_all(&value, &replacement)
                } else {
                    glob.replace_first(&value, &replacement)
                })
            }
            _ => Err(WordErrorKind::UnsupportedModifier(modifier_text).into()),
        }
    }

    /// Runs a nested `process_until` for a modifier's argument. When the word ends before
    /// `stop`, BuildKit reports `at_end` instead of whatever went wrong inside.
    fn nested(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        at_end: WordErrorKind,
    ) -> Result<String, Failure> {
        if self.depth >= MAX_NESTING {
            return Err(WordErrorKind::TooDeep.into());
        }
        self.depth += 1;
        let outcome = self.process_until(stop, raw_escapes);
        self.depth -= 1;
        match outcome {
            Ok((text, _)) => Ok(text),
            Err(_) if self.peek().is_none() => Err(at_end.into()),
            Err(failure) => Err(failure),
        }
    }
}

/// Go's `string(r)` for a scanner rune, where the end of input (`-1`) becomes `U+FFFD`.
fn go_rune_text(ch: Option<char>) -> String {
    ch.unwrap_or(char::REPLACEMENT_CHARACTER).to_string()
}

/// Go's `strconv.Quote`, used by BuildKit to show the failing word.
fn go_quote(text: &str) -> String {
    use std::fmt::Write as _;

    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            _ if go_unicode::is_print(ch) => out.push(ch),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            _ if ch < ' ' || ch == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(ch));
            }
            _ if u32::from(ch) < 0x1_0000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(ch));
            }
            _ => {
                let _ = write!(out, "\\U{:08x}", u32::from(ch));
            }
        }
    }
    out.push('"');
    out
}

/// Removes the shortest (or with `greedy` the longest) prefix of `value` matching `pattern`.
fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, Failure> {
    let chars: Vec<char> = value.chars().collect();
    Ok(Glob::compile(pattern, greedy, true)?.strip_prefix(&chars))
}

/// Removes the shortest (or longest) matching suffix by trimming a prefix of the reversed
/// value with the reversed pattern, as BuildKit does (its error messages then show the
/// reversed pattern).
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, Failure> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a glob pattern, keeping each `\x` escape pair in order.
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pieces: Vec<&[char]> = Vec::with_capacity(chars.len());
    let mut rest = chars.as_slice();
    while let Some(&first) = rest.first() {
        let len = if first == '\\' && rest.len() > 1 {
            2
        } else {
            1
        };
        let (piece, tail) = rest.split_at(len);
        pieces.push(piece);
        rest = tail;
    }
    pieces.iter().rev().flat_map(|piece| piece.iter()).collect()
}

/// One fixed-width element of a compiled glob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GlobChar {
    /// Exactly this character.
    Literal(char),
    /// `?`: any character but a newline (Go's `.`).
    Any,
}

impl GlobChar {
    fn matches(self, ch: char) -> bool {
        match self {
            Self::Literal(literal) => ch == literal,
            Self::Any => ch != '\n',
        }
    }
}

/// A shell glob as BuildKit compiles it to a Go regular expression: `*`, `?` and backslash
/// escapes, no bracket expressions. `*` stands for any run of characters without a newline
/// (Go's `.*`, or `.*?` when not `greedy`), and matching follows Go's leftmost-first rules.
///
/// The pattern is kept as a fixed-width `head` followed by one fixed-width segment per `*`.
struct Glob {
    head: Vec<GlobChar>,
    after_stars: Vec<Vec<GlobChar>>,
    greedy: bool,
    anchored: bool,
}

impl Glob {
    fn compile(pattern: &str, greedy: bool, anchored: bool) -> Result<Self, WordErrorKind> {
        let mut head = Vec::new();
        let mut after_stars: Vec<Vec<GlobChar>> = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(ch) = chars.next() {
            let piece = match ch {
                '*' => {
                    after_stars.push(Vec::new());
                    continue;
                }
                '?' => GlobChar::Any,
                '\\' => {
                    // `\}` and `\/` only protect the delimiters of `${...}`.
                    if matches!(chars.peek(), Some('}' | '/')) {
                        continue;
                    }
                    match chars.next() {
                        Some(escaped @ ('*' | '?' | '\\')) => GlobChar::Literal(escaped),
                        other => {
                            return Err(WordErrorKind::InvalidPattern {
                                pattern: pattern.to_owned(),
                                escaped: other.unwrap_or(char::REPLACEMENT_CHARACTER),
                            });
                        }
                    }
                }
                _ => GlobChar::Literal(ch),
            };
            after_stars.last_mut().unwrap_or(&mut head).push(piece);
        }
        Ok(Self {
            head,
            after_stars,
            greedy,
            anchored,
        })
    }

    /// Where `segment` ends when laid at `pos`, if it fits.
    fn walk(segment: &[GlobChar], text: &[char], pos: usize) -> Option<usize> {
        let end = pos + segment.len();
        let window = text.get(pos..end)?;
        segment
            .iter()
            .zip(window)
            .all(|(piece, &ch)| piece.matches(ch))
            .then_some(end)
    }

    /// For every start position, the end of the match Go's regexp engine would prefer there.
    ///
    /// Backtracking tries a greedy `*` at `pos` with the longest run first (up to the next
    /// newline) and takes the first run after which the rest matches; a lazy `*` tries the
    /// shortest first. Both choices only depend on the same `*` one position further on, so
    /// they are computed right to left, one `*` at a time from the last: O(pattern × text).
    fn preferred_ends(&self, text: &[char]) -> Vec<Option<usize>> {
        let len = text.len();
        // The preferred end for the rest of the pattern from the `*` after the current one.
        let mut star_ends: Option<Vec<Option<usize>>> = None;
        for segment in self.after_stars.iter().rev() {
            let rest_end = |pos: usize| {
                let end = Self::walk(segment, text, pos)?;
                match &star_ends {
                    Some(ends) => ends.get(end).copied().flatten(),
                    None => Some(end),
                }
            };
            let mut ends = vec![None; len + 1];
            for pos in (0..=len).rev() {
                // Whether the `*` can cover text[pos], i.e. try positions beyond `pos`.
                let further = match text.get(pos) {
                    Some(&ch) if ch != '\n' => ends.get(pos + 1).copied().flatten(),
                    _ => None,
                };
                ends[pos] = if self.greedy {
                    further.or_else(|| rest_end(pos))
                } else {
                    rest_end(pos).or(further)
                };
            }
            star_ends = Some(ends);
        }
        let starts = if self.anchored { 0..=0 } else { 0..=len };
        starts
            .map(|start| {
                let end = Self::walk(&self.head, text, start)?;
                match &star_ends {
                    Some(ends) => ends.get(end).copied().flatten(),
                    None => Some(end),
                }
            })
            .collect()
    }

    /// The leftmost match at or after `from`, as `(start, end)`, given `preferred_ends`.
    fn find(ends: &[Option<usize>], from: usize) -> Option<(usize, usize)> {
        ends.iter()
            .enumerate()
            .skip(from)
            .find_map(|(start, end)| end.map(|end| (start, end)))
    }

    /// `${VAR#pattern}` and friends: the text after the preferred match at the start.
    fn strip_prefix(&self, text: &[char]) -> String {
        let end = Self::find(&self.preferred_ends(text), 0).map_or(0, |(_, end)| end);
        text.get(end..).unwrap_or_default().iter().collect()
    }

    /// `${VAR/pattern/replacement}`: the first match replaced, literally.
    fn replace_first(&self, text: &[char], replacement: &str) -> String {
        match Self::find(&self.preferred_ends(text), 0) {
            Some((start, end)) => {
                let mut out: String = text[..start].iter().collect();
                out.push_str(replacement);
                out.extend(&text[end..]);
                out
            }
            None => text.iter().collect(),
        }
    }

    /// `${VAR//pattern/replacement}`: Go's `Regexp.ReplaceAllString`, including its handling
    /// of empty matches and its `$0`/`${0}` template expansion of the replacement.
    fn replace_all(&self, text: &[char], replacement: &str) -> String {
        let ends = self.preferred_ends(text);
        let mut out = String::new();
        let mut last_end = 0;
        let mut search = 0;
        while let Some((start, end)) = Self::find(&ends, search) {
            out.extend(&text[last_end..start]);
            // An empty match right after a previous match is not replaced again.
            if end > last_end || start == 0 {
                expand_template(&mut out, replacement, &text[start..end]);
            }
            last_end = end;
            search = if search < end { end } else { search + 1 };
        }
        out.extend(&text[last_end..]);
        out
    }
}

/// Go's `Regexp.Expand` for a pattern without groups: `$$` is `$`, `$0` and `${0}` are the
/// whole match, any other well-formed reference is empty, and a malformed one is literal.
fn expand_template(out: &mut String, template: &str, matched: &[char]) {
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'$') {
            out.push('$');
            i += 1;
            continue;
        }
        let braced = chars.get(i) == Some(&'{');
        let name_start = if braced { i + 1 } else { i };
        let name_len = chars[name_start..]
            .iter()
            .take_while(|&&c| go_unicode::is_letter(c) || go_unicode::is_digit(c) || c == '_')
            .count();
        let name_end = name_start + name_len;
        if name_len == 0 || (braced && chars.get(name_end) != Some(&'}')) {
            out.push('$');
            continue;
        }
        if chars[name_start..name_end] == ['0'] {
            out.extend(matched);
        }
        i = if braced { name_end + 1 } else { name_end };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(&'static str, &'static str)> {
        vec![
            ("PWD", "/home"),
            ("SHELL", "bash"),
            ("NULL", ""),
            ("FOO", "xxyy"),
        ]
    }

    fn expand(word: &str) -> Result<String, String> {
        Lexer::default()
            .process_word(word, &env())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn plain_and_braced_references() {
        let cases = [
            ("$PWD", "/home"),
            ("${PWD}", "/home"),
            ("$PWD.x", "/home.x"),
            ("${PWD}x", "/homex"),
            ("$UNSET-x", "-x"),
            ("$", "$"),
            ("a$", "a$"),
            ("$.", "$."),
            ("$1x", "x"),
            ("$@x", "x"),
        ];
        for (word, want) in cases {
            assert_eq!(expand(word).as_deref(), Ok(want), "{word}");
        }
    }

    #[test]
    fn default_and_alternative_operators() {
        let cases = [
            ("${UNSET:-d}", "d"),
            ("${NULL:-d}", "d"),
            ("${PWD:-d}", "/home"),
            ("${UNSET-d}", "d"),
            ("${NULL-d}", ""),
            ("${PWD-d}", "/home"),
            ("${UNSET:+a}", ""),
            ("${NULL:+a}", ""),
            ("${PWD:+a}", "a"),
            ("${UNSET+a}", ""),
            ("${NULL+a}", "a"),
            ("${PWD+a}", "a"),
            ("${UNSET:-${SHELL:-no}}", "bash"),
            ("${UNSET:-a b}", "a b"),
            ("${UNSET:-'}'}", "}"),
        ];
        for (word, want) in cases {
            assert_eq!(expand(word).as_deref(), Ok(want), "{word}");
        }
    }

    #[test]
    fn required_operators() {
        let cases = [
            ("${PWD:?m}", Ok("/home")),
            ("${PWD?m}", Ok("/home")),
            ("${NULL?m}", Ok("")),
            (
                "${NULL:?}",
                Err(r#"failed to process "${NULL:?}": NULL: is not allowed to be empty"#),
            ),
            (
                "${NULL:?say $SHELL}",
                Err(r#"failed to process "${NULL:?say $SHELL}": NULL: say bash"#),
            ),
            (
                "${NOPE?}",
                Err(r#"failed to process "${NOPE?}": NOPE: is not allowed to be unset"#),
            ),
            (
                "${NOPE:?oops}",
                Err(r#"failed to process "${NOPE:?oops}": NOPE: oops"#),
            ),
        ];
        for (word, want) in cases {
            assert_eq!(
                expand(word).as_deref().map_err(String::as_str),
                want,
                "{word}"
            );
        }
    }

    #[test]
    fn trim_operators() {
        let cases = [
            ("${FOO#x}", "xyy"),
            ("${FOO##*x}", "yy"),
            ("${FOO#*x}", "xyy"),
            ("${FOO#*}", "xxyy"),
            ("${FOO##*}", ""),
            ("${FOO%y}", "xxy"),
            ("${FOO%%y*}", "xx"),
            ("${FOO%y*}", "xxy"),
            ("${FOO%?}", "xxy"),
            ("${FOO#}", "xxyy"),
            ("${FOO%%}", "xxyy"),
            ("${FOO#nomatch}", "xxyy"),
            ("${UNSET#x}", ""),
            ("${PWD#/}", "home"),
            ("${PWD#\\/}", "home"),
            ("${FOO#\\*}", "xxyy"),
        ];
        for (word, want) in cases {
            assert_eq!(expand(word).as_deref(), Ok(want), "{word}");
        }
    }

    #[test]
    fn replace_operators() {
        let cases = [
            ("${FOO/x/a}", "axyy"),
            ("${FOO//x/a}", "aayy"),
            ("${FOO/x*/a}", "a"),
            ("${FOO//?/-}", "----"),
            ("${FOO/nomatch/a}", "xxyy"),
            ("${PWD//\\//|}", "|home"),
            ("${FOO///}", "xxyy"),
            ("${FOO/x/$0}", "xyy"),
            ("${FOO//x/[\\$0]}", "[\\x][\\x]yy"),
            ("${UNSET/x/y}", ""),
        ];
        for (word, want) in cases {
            assert_eq!(expand(word).as_deref(), Ok(want), "{word}");
        }
    }

    #[test]
    fn glob_special_characters_and_escapes() {
        let cases = [
            (r"${V#()[]{\}^$.\*\?|\\}", r"()[]{}^$.*?|\x", "x"),
            (r"${V%%\**}", "xx**", "xx"),
            (r"${V%%\**\*}", "a***yy*", "a"),
            (r"${V#?\?}", "???y", "?y"),
            ("${V#*x*y}", "xxyy", "y"),
            (
                "${V/$N/.} - ${V//$N/.}",
                "/foo*/*/*.txt",
                "/foo.*/*.txt - /foo..*.txt",
            ),
            ("${V//\\//\\/}", "/tmp/foo.txt", r"\/tmp\/foo.txt"),
            ("${V//a*/<$0>}", "xab\nab", "x<>\n<>"),
            ("${V##*}", "line1\nline2", "\nline2"),
            ("${V%%b*}", "ab\nab", "ab\na"),
        ];
        for (word, value, want) in cases {
            let env = [("V", value), ("N", r"\*/")];
            let got = Lexer::default().process_word(word, &env);
            assert_eq!(got.as_deref(), Ok(want), "{word} on {value:?}");
        }
    }

    #[test]
    fn malformed_substitutions() {
        let cases = [
            ("${}", "syntax error: bad substitution"),
            ("${:-x}", "syntax error: bad substitution"),
            ("${{x}", "syntax error: bad substitution"),
            ("${", "syntax error: missing '}'"),
            ("${X:-a", "syntax error: missing '}'"),
            ("${X/a", "syntax error: missing '/' in ${}"),
            ("${X//a}", "syntax error: missing '/' in ${}"),
            ("${X/a/b", "syntax error: missing '}'"),
            ("${X:=a}", "unsupported modifier (:=) in substitution"),
            ("${X:#a}", "unsupported modifier (:#) in substitution"),
            ("${#X}", "unsupported modifier (X) in substitution"),
            ("${X", "unsupported modifier (\u{FFFD}) in substitution"),
            (
                "${FOO#\\x}",
                r"invalid pattern (\x) in substitution: invalid escape '\x'",
            ),
            (
                "${FOO%a\\x}",
                r"invalid pattern (\xa) in substitution: invalid escape '\x'",
            ),
            (
                "'a",
                "unexpected end of statement while looking for matching single-quote",
            ),
            (
                "\"a",
                "unexpected end of statement while looking for matching double-quote",
            ),
        ];
        for (word, want) in cases {
            let err = Lexer::default().process_word(word, &env()).expect_err(word);
            assert_eq!(err.reason.to_string(), want, "{word}");
        }
    }

    #[test]
    fn error_message_quotes_word_like_go() {
        let err = Lexer::default()
            .process_word("a\t\"\\\u{0}é${", &EmptyEnv)
            .expect_err("fails");
        assert_eq!(
            err.to_string(),
            "failed to process \"a\\t\\\"\\\\\\x00é${\": syntax error: missing '}'"
        );
    }

    #[test]
    fn backtick_escape_token() {
        let lexer = Lexer::new('`');
        let cases = [
            ("a`$PWD", ("a$PWD")),
            ("a\\$PWD", ("a\\/home")),
            ("C:\\path\\x", ("C:\\path\\x")),
            ("\"a`\"b\"", ("a\"b")),
            ("\"a``b\"", ("a`b")),
            ("\"a`xb\"", ("a`xb")),
            ("\"a\\\"b", ("a\\b")),
            ("a`", ("a")),
            ("a`` b", ("a` b")),
            ("'a`'", ("a`")),
            ("${UNSET:-`}}", ("}")),
        ];
        for (word, want) in cases {
            assert_eq!(
                lexer.process_word(word, &env()).as_deref(),
                Ok(want),
                "{word}"
            );
        }
    }

    #[test]
    fn switches() {
        let mut lexer = Lexer {
            raw_quotes: true,
            skip_unset_env: true,
            ..Lexer::default()
        };
        assert_eq!(
            lexer
                .process_word("'a'\"$NO ${NO:-x} ${NO//a/b}\"", &env())
                .as_deref(),
            Ok("'a'\"$NO ${NO:-x} ${NO/a/b}\"")
        );
        lexer = Lexer {
            raw_escapes: true,
            ..Lexer::default()
        };
        assert_eq!(
            lexer.process_word("a\\ b\"\\t\\$\"", &env()).as_deref(),
            Ok("a\\ b\\\\t\\$")
        );
        lexer = Lexer {
            skip_process_quotes: true,
            ..Lexer::default()
        };
        assert_eq!(
            lexer.process_words("'a b' \"$SHELL\"", &env()),
            Ok(vec![
                "'a".to_owned(),
                "b'".to_owned(),
                "\"bash\"".to_owned()
            ])
        );
    }

    #[test]
    fn words_and_heredoc_markers() {
        let lexer = Lexer::default();
        let env = [("SP", " a  b ")];
        let words = |word: &str| lexer.process_words(word, &env).expect("expands");
        assert_eq!(words("x$SP y"), ["x", "a", "b", "y"]);
        assert_eq!(words("'' \"\" x"), ["x"]);
        assert_eq!(words("cat <<  EOF"), ["cat", "<<  EOF"]);
        // BuildKit's shared word buffer drops "a" here.
        assert_eq!(words("a${NO:-b}c d"), ["bc", "d"]);
    }

    #[test]
    fn matches_are_reported() {
        let env = [("FOO", "1"), ("EMPTY", "")];
        let got = Lexer::default()
            .process_word_with_matches("$FOO ${EMPTY:-x} ${BAR} ${BAZ:+y}", &env)
            .expect("expands");
        assert_eq!(got.result, "1 x  ");
        assert_eq!(got.matched.iter().collect::<Vec<_>>(), ["EMPTY", "FOO"]);
        assert_eq!(got.unmatched.iter().collect::<Vec<_>>(), ["BAR", "BAZ"]);
    }

    #[test]
    fn env_implementations_agree() {
        let pairs = vec![
            ("A".to_owned(), "1".to_owned()),
            ("A".to_owned(), "2".to_owned()),
            ("b".to_owned(), String::new()),
        ];
        let hash: HashMap<&str, &str> = [("A", "2"), ("b", "")].into_iter().collect();
        let tree: BTreeMap<String, String> = pairs.iter().cloned().collect();
        let lexer = Lexer::default();
        for env in [&pairs as &dyn Env, &hash, &tree] {
            assert_eq!(
                lexer.process_word("$A-${b-u}-$a", env).as_deref(),
                Ok("2--")
            );
            assert_eq!(env.keys(), ["A", "b"]);
        }
        assert_eq!(lexer.process_word("${A:-u}", &EmptyEnv).as_deref(), Ok("u"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let ok = format!(
            "{}x{}",
            "${A:-".repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        );
        assert_eq!(
            Lexer::default().process_word(&ok, &EmptyEnv).as_deref(),
            Ok("x")
        );
        let deep = format!(
            "{}x{}",
            "${A:-".repeat(MAX_NESTING + 1),
            "}".repeat(MAX_NESTING + 1)
        );
        let err = Lexer::default()
            .process_word(&deep, &EmptyEnv)
            .expect_err("too deep");
        assert_eq!(err.reason, WordErrorKind::TooDeep);
    }

    #[test]
    fn glob_matching_is_polynomial() {
        let value = "a".repeat(20_000);
        let env = [("V", value.as_str())];
        let word = "${V//*a*a*a*a*a*b/x}";
        assert_eq!(
            Lexer::default().process_word(word, &env).as_deref(),
            Ok(value.as_str())
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(word in "\\PC*", escape in proptest::sample::select(vec!['\\', '`'])) {
            let env = [("A", "a b"), ("E", ""), ("P", "*?\\")];
            for switches in 0..16_u8 {
                let lexer = Lexer {
                    escape,
                    raw_quotes: switches & 1 != 0,
                    raw_escapes: switches & 2 != 0,
                    skip_unset_env: switches & 4 != 0,
                    skip_process_quotes: switches & 8 != 0,
                };
                let _ = lexer.process_word_with_matches(&word, &env);
            }
        }

        #[test]
        fn never_panics_on_dense_syntax(word in "[${}:#%/?*+\\-\\\\`'\" \nAa0é]{0,40}") {
            let env = [("A", "a\nb*"), ("E", "")];
            let _ = Lexer::default().process_words(&word, &env);
            let _ = Lexer::new('`').process_word(&word, &env);
        }
    }
}
