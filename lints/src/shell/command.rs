//! What rules ask of a command: its normalised name, flags, flag values, positional
//! arguments; and the unwrapping of prefix commands such as `sudo` and `env`.

use super::{Assignment, Command, Span, Word, Wrapper};

/// One argument of a command, classified as an option or an operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParsedArg<'a> {
    /// An option: `--name`, `--name=value`, or one letter of a short group (`-qy` gives `-q`
    /// and `-y`). `value` is set for `--name=value`, for an attached short value
    /// (`-oAPT::…`) and for options known to take the next argument (see
    /// [`Command::value_options`]).
    Flag {
        /// `--name` or `-x`.
        name: String,
        /// Its value, when it has one.
        value: Option<Word>,
        /// The word it came from.
        word: &'a Word,
    },
    /// An operand.
    Positional(&'a Word),
    /// `--`: everything after it is an operand.
    EndOfOptions(&'a Word),
}

impl Word {
    /// The part of this word from byte `offset` of [`Word::text`] on, e.g. the value of
    /// `--flag=value`. The span is exact when the word has no quoting; otherwise it is the
    /// whole word.
    #[must_use]
    pub fn tail(&self, offset: usize) -> Word {
        let text = self.text.get(offset..).unwrap_or_default().to_owned();
        if self.raw == self.text && self.span.len() == self.raw.len() && offset <= self.raw.len() {
            Word {
                raw: text.clone(),
                text,
                span: Span::new(self.span.start + offset, self.span.end),
                is_static: self.is_static,
            }
        } else {
            Word {
                text,
                raw: self.raw.clone(),
                span: self.span,
                is_static: self.is_static,
            }
        }
    }

    /// The program name this word denotes: the last path component (`/usr/bin/apt-get` →
    /// `apt-get`), or `None` when the word is not static.
    pub fn program_name(&self) -> Option<&str> {
        if !self.is_static {
            return None;
        }
        let name = self.text.rsplit('/').next().unwrap_or_default();
        (!name.is_empty()).then_some(name)
    }
}

impl Command {
    /// The normalised program name: last path component of [`Command::program`], when static.
    pub fn name(&self) -> Option<&str> {
        self.program.as_ref().and_then(Word::program_name)
    }

    /// Whether the normalised program name is `name`.
    pub fn is(&self, name: &str) -> bool {
        self.name() == Some(name)
    }

    /// Whether one of the [`Command::wrappers`] is `name` (`sudo`, `env`, …).
    pub fn is_wrapped_by(&self, name: &str) -> bool {
        self.wrappers.iter().any(|wrapper| wrapper.name == name)
    }

    /// Options of this program known to take the next argument as their value, from a small
    /// built-in table (apt-get, apk, dnf/yum, zypper, pip, npm, curl, wget, git, tar,
    /// useradd, install, …). Used to tell option values from operands.
    pub fn value_options(&self) -> &'static [&'static str] {
        self.name().map_or(&[], value_options)
    }

    /// The arguments classified into options and operands (see [`ParsedArg`]).
    pub fn parsed_args(&self) -> Vec<ParsedArg<'_>> {
        parse_args(&self.args, self.value_options())
    }

    /// Whether the option `flag` is given. `--long` matches `--long` and `--long=…`; a short
    /// `-x` also matches inside combined groups (`-qy` has `-y`, `-fsSL` has `-s`, but the
    /// value in `-oAPT::…` is not searched); any other single-dash word (`-name`, `-rf`) must
    /// match a whole argument or its part before `=`. Options after `--` do not count.
    pub fn has_flag(&self, flag: &str) -> bool {
        if is_short(flag) || flag.starts_with("--") {
            // A necessary condition, checked first because rules ask for many flags that
            // are absent: some word spells the option (a long one as a prefix, a short one
            // as a letter of a single-dash group).
            let spelled = |word: &Word| match flag.strip_prefix("--") {
                Some(_) => word.text.starts_with(flag),
                None => {
                    word.text.starts_with('-')
                        && !word.text.starts_with("--")
                        && word.text[1..].contains(&flag[1..])
                }
            };
            if !self.args.iter().any(spelled) {
                return false;
            }
            self.parsed_args()
                .iter()
                .any(|arg| matches!(arg, ParsedArg::Flag { name, .. } if name == flag))
        } else {
            self.args
                .iter()
                .take_while(|word| word.text != "--")
                .any(|word| {
                    word.text == flag
                        || word
                            .text
                            .strip_prefix(flag)
                            .is_some_and(|rest| rest.starts_with('='))
                })
        }
    }

    /// Whether any of `flags` is given (see [`Command::has_flag`]).
    pub fn has_any_flag(&self, flags: &[&str]) -> bool {
        flags.iter().any(|flag| self.has_flag(flag))
    }

    /// The value of the first occurrence of option `flag`: `--flag=value`, `--flag value`,
    /// `-fvalue` or `-f value`. For an option missing from [`Command::value_options`] and
    /// written alone, the next argument is taken when it is not an option itself.
    pub fn flag_value(&self, flag: &str) -> Option<Word> {
        self.flag_values(flag).into_iter().next()
    }

    /// The values of every occurrence of option `flag` (see [`Command::flag_value`]).
    pub fn flag_values(&self, flag: &str) -> Vec<Word> {
        let parsed = self.parsed_args();
        let mut values = Vec::new();
        for (index, arg) in parsed.iter().enumerate() {
            let ParsedArg::Flag { name, value, word } = arg else {
                continue;
            };
            if name != flag {
                continue;
            }
            if let Some(value) = value {
                values.push(value.clone());
            } else if word.text == *flag
                && let Some(ParsedArg::Positional(next)) = parsed.get(index + 1)
            {
                values.push((*next).clone());
            } else if !is_short(flag) && !flag.starts_with("--") {
                // Single-dash long option such as `-name value`.
                if let Some(ParsedArg::Positional(next)) = parsed.get(index + 1) {
                    values.push((*next).clone());
                }
            }
        }
        if values.is_empty() && !is_short(flag) && !flag.starts_with("--") {
            let mut words = self.args.iter();
            while let Some(word) = words.next() {
                if word.text == "--" {
                    break;
                }
                if word.text == flag {
                    if let Some(next) = words.next() {
                        values.push(next.clone());
                    }
                } else if let Some(rest) = word.text.strip_prefix(flag)
                    && rest.starts_with('=')
                {
                    values.push(word.tail(flag.len() + 1));
                }
            }
        }
        values
    }

    /// The operands: arguments that are neither options nor option values, in order.
    pub fn positional_args(&self) -> Vec<&Word> {
        self.parsed_args()
            .into_iter()
            .filter_map(|arg| match arg {
                ParsedArg::Positional(word) => Some(word),
                _ => None,
            })
            .collect()
    }

    /// The first operand: `install` in `apt-get -y install curl`.
    pub fn subcommand(&self) -> Option<&Word> {
        self.positional_args().into_iter().next()
    }

    /// Whether the first operand is one of `names` (`is_subcommand(&["install", "in"])`).
    pub fn is_subcommand(&self, names: &[&str]) -> bool {
        self.subcommand()
            .is_some_and(|word| word.is_static && names.contains(&word.text.as_str()))
    }
}

fn is_short(flag: &str) -> bool {
    let mut chars = flag.chars();
    chars.next() == Some('-') && chars.next().is_some_and(|c| c != '-') && chars.next().is_none()
}

/// Classifies `args` with `value_options` naming the options that take the next argument.
pub(super) fn parse_args<'a>(args: &'a [Word], value_options: &[&str]) -> Vec<ParsedArg<'a>> {
    let mut out = Vec::with_capacity(args.len());
    let mut index = 0;
    let mut operands_only = false;
    while let Some(word) = args.get(index) {
        index += 1;
        let text = word.text.as_str();
        if operands_only || !word.raw.starts_with(['-', '"', '\'']) && !word.is_static {
            out.push(ParsedArg::Positional(word));
            continue;
        }
        if text == "--" {
            operands_only = true;
            out.push(ParsedArg::EndOfOptions(word));
            continue;
        }
        if let Some(long) = text.strip_prefix("--") {
            if let Some((name, _)) = long.split_once('=') {
                out.push(ParsedArg::Flag {
                    name: format!("--{name}"),
                    value: Some(word.tail(name.len() + 3)),
                    word,
                });
            } else {
                let value = if value_options.contains(&text) {
                    index += 1;
                    args.get(index - 1).cloned()
                } else {
                    None
                };
                out.push(ParsedArg::Flag {
                    name: text.to_owned(),
                    value,
                    word,
                });
            }
            continue;
        }
        let Some(group) = text.strip_prefix('-').filter(|group| !group.is_empty()) else {
            out.push(ParsedArg::Positional(word));
            continue;
        };
        // A group with other characters (`-Dkey=value`, `-qO-`) is read letter by letter
        // only up to an option known to take a value; otherwise its first letter gets the
        // rest as value.
        let takes_value = |letter: char| {
            value_options.iter().any(|option| {
                option
                    .strip_prefix('-')
                    .is_some_and(|rest| rest.len() == letter.len_utf8() && rest.starts_with(letter))
            })
        };
        let all_alphanumeric = group
            .chars()
            .take_while(|&c| !takes_value(c))
            .all(|c| c.is_ascii_alphanumeric());
        for (offset, letter) in group.char_indices() {
            let name = format!("-{letter}");
            let rest = offset + letter.len_utf8();
            let takes_value = takes_value(letter);
            if takes_value || !all_alphanumeric {
                let value = if rest < group.len() {
                    Some(word.tail(rest + 1))
                } else if takes_value {
                    index += 1;
                    args.get(index - 1).cloned()
                } else {
                    None
                };
                out.push(ParsedArg::Flag { name, value, word });
                break;
            }
            out.push(ParsedArg::Flag {
                name,
                value: None,
                word,
            });
        }
    }
    out
}

fn value_options(name: &str) -> &'static [&'static str] {
    match name {
        "apt-get" | "apt" | "apt-cache" | "apt-mark" => &[
            "-o",
            "-c",
            "-t",
            "--option",
            "--config-file",
            "--target-release",
            "--default-release",
        ],
        "apk" => &[
            "-X",
            "-p",
            "-t",
            "--repository",
            "--root",
            "--virtual",
            "--repositories-file",
            "--arch",
            "--cache-dir",
            "--keys-dir",
        ],
        "yum" | "dnf" | "microdnf" | "tdnf" => &[
            "-c",
            "-d",
            "-e",
            "-x",
            "--config",
            "--installroot",
            "--releasever",
            "--enablerepo",
            "--disablerepo",
            "--exclude",
            "--repo",
            "--repoid",
            "--setopt",
        ],
        "zypper" => &["-r", "-R", "--repo", "--root"],
        "pip" | "pip3" | "uv" => &[
            "-r",
            "-c",
            "-i",
            "-f",
            "-t",
            "--requirement",
            "--constraint",
            "--index-url",
            "--extra-index-url",
            "--find-links",
            "--trusted-host",
            "--target",
            "--prefix",
            "--root",
            "--cache-dir",
            "--python",
            "--platform",
            "--python-version",
            "--only-binary",
            "--no-binary",
            "--cert",
            "--proxy",
            "--timeout",
            "--retries",
        ],
        "npm" | "pnpm" | "yarn" => &["-w", "--workspace", "--prefix", "--registry", "--cache"],
        "curl" => &[
            "-o",
            "-H",
            "-d",
            "-u",
            "-X",
            "-A",
            "-e",
            "-m",
            "-w",
            "-x",
            "-b",
            "-c",
            "-F",
            "-T",
            "-r",
            "-C",
            "-E",
            "-K",
            "-z",
            "--output",
            "--output-dir",
            "--header",
            "--data",
            "--data-raw",
            "--data-binary",
            "--data-urlencode",
            "--user",
            "--request",
            "--user-agent",
            "--referer",
            "--max-time",
            "--connect-timeout",
            "--retry",
            "--retry-delay",
            "--retry-max-time",
            "--write-out",
            "--proxy",
            "--cookie",
            "--cookie-jar",
            "--form",
            "--upload-file",
            "--range",
            "--cacert",
            "--capath",
            "--cert",
            "--key",
            "--resolve",
            "--proto",
            "--proto-redir",
            "--config",
            "--limit-rate",
        ],
        "wget" => &[
            "-O",
            "-P",
            "-o",
            "-a",
            "-t",
            "-T",
            "-U",
            "-i",
            "-e",
            "-w",
            "-l",
            "--output-document",
            "--directory-prefix",
            "--output-file",
            "--append-output",
            "--tries",
            "--timeout",
            "--user-agent",
            "--header",
            "--user",
            "--password",
            "--input-file",
            "--execute",
            "--ca-certificate",
            "--certificate",
            "--private-key",
        ],
        "git" => &["-c", "-C", "--git-dir", "--work-tree"],
        "tar" => &["-f", "-C", "-T", "-X", "-I", "--file", "--directory"],
        "useradd" | "adduser" | "usermod" => &[
            "-u",
            "-g",
            "-G",
            "-d",
            "-s",
            "-c",
            "-k",
            "-e",
            "-f",
            "-K",
            "-p",
            "-b",
            "-h",
            "-R",
            "--uid",
            "--gid",
            "--groups",
            "--home",
            "--home-dir",
            "--shell",
            "--comment",
            "--skel",
            "--password",
            "--gecos",
            "--ingroup",
        ],
        "groupadd" | "addgroup" | "groupmod" => &["-g", "-K", "-p", "-R", "--gid"],
        "install" => &["-m", "-o", "-g", "-t", "-S", "--mode", "--owner", "--group"],
        "chmod" | "chown" | "chgrp" => &["--reference"],
        "mkdir" => &["-m", "--mode"],
        "cp" | "mv" | "ln" => &["-t", "-S", "--target-directory", "--suffix"],
        "sed" => &["-e", "-f", "--expression", "--file"],
        "grep" => &["-e", "-f", "-m", "-A", "-B", "-C", "--regexp", "--file"],
        "gpg" => &["-o", "--output", "--homedir", "--keyring", "--keyserver"],
        "unzip" => &["-d"],
        "gem" => &[
            "-v",
            "-i",
            "-n",
            "--version",
            "--install-dir",
            "--bindir",
            "--source",
        ],
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "set" => &["-o", "-O"],
        _ => &[],
    }
}

/// How to skip the options of a prefix command.
struct WrapperSpec {
    /// Short options taking a value.
    short_values: &'static str,
    /// Long options taking the next argument (when not written `--opt=value`).
    long_values: &'static [&'static str],
    /// Short options meaning the prefix does not run a command (`sudo -l`, `command -v`).
    stops: &'static str,
    /// Operands before the command (`timeout DURATION`, `gosu USER`).
    operands: usize,
    /// Whether `NAME=value` words before the command are assignments.
    assignments: bool,
    /// Whether options are recognised at all.
    options: bool,
}

const fn spec(short_values: &'static str, long_values: &'static [&'static str]) -> WrapperSpec {
    WrapperSpec {
        short_values,
        long_values,
        stops: "",
        operands: 0,
        assignments: false,
        options: true,
    }
}

fn wrapper_spec(name: &str) -> Option<WrapperSpec> {
    Some(match name {
        "sudo" => WrapperSpec {
            stops: "elvkKVsi",
            assignments: true,
            ..spec(
                "ugpCDhrtUTc",
                &[
                    "--user",
                    "--group",
                    "--prompt",
                    "--close-from",
                    "--chdir",
                    "--role",
                    "--type",
                    "--other-user",
                    "--command-timeout",
                    "--host",
                ],
            )
        },
        "doas" => WrapperSpec {
            stops: "s",
            ..spec("uC", &[])
        },
        "env" => WrapperSpec {
            stops: "S",
            assignments: true,
            ..spec("uC", &["--unset", "--chdir"])
        },
        "command" => WrapperSpec {
            stops: "vV",
            ..spec("", &[])
        },
        "exec" => spec("a", &[]),
        "nice" => spec("n", &["--adjustment"]),
        "time" => spec("fo", &["--format", "--output"]),
        "timeout" => WrapperSpec {
            operands: 1,
            ..spec("sk", &["--signal", "--kill-after"])
        },
        "ionice" => WrapperSpec {
            stops: "pP",
            ..spec("cn", &["--class", "--classdata"])
        },
        "stdbuf" => spec("ioe", &["--input", "--output", "--error"]),
        "gosu" | "su-exec" => WrapperSpec {
            operands: 1,
            options: false,
            ..spec("", &[])
        },
        "chroot" => WrapperSpec {
            operands: 1,
            ..spec("", &["--userspec", "--groups"])
        },
        "nohup" | "busybox" => WrapperSpec {
            options: false,
            ..spec("", &[])
        },
        "xargs" => spec(
            "adEIiLlnPs",
            &[
                "--arg-file",
                "--delimiter",
                "--max-lines",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--process-slot-var",
            ],
        ),
        _ => return None,
    })
}

/// Appends `more` to the words of `command` (the words after the target of a redirection
/// that applies to a whole list, `a && xargs < in apt-get install`), then unwraps the
/// prefixes again: `more` may hold the command that a wrapper runs.
pub(super) fn append_words(command: &mut Command, more: &[Word]) {
    if more.is_empty() {
        return;
    }
    let Some(program) = command.program.take() else {
        return;
    };
    let mut words = Vec::new();
    for wrapper in command.wrappers.drain(..) {
        words.push(wrapper.word);
        words.extend(wrapper.args);
    }
    words.push(program);
    words.append(&mut command.args);
    words.extend(more.iter().cloned());
    let unwrapped = unwrap(words);
    command.program = unwrapped.program;
    command.args = unwrapped.args;
    command.wrappers = unwrapped.wrappers;
    command.assignments.extend(unwrapped.assignments);
}

/// A command after its prefixes have been unwrapped.
pub(super) struct Unwrapped {
    pub(super) program: Option<Word>,
    pub(super) args: Vec<Word>,
    pub(super) wrappers: Vec<Wrapper>,
    pub(super) assignments: Vec<Assignment>,
}

/// Splits `words` (program first) into wrappers, the real program and its arguments.
pub(super) fn unwrap(mut words: Vec<Word>) -> Unwrapped {
    let mut wrappers = Vec::new();
    let mut assignments = Vec::new();
    for _ in 0..8 {
        let Some(name) = words.first().and_then(Word::program_name) else {
            break;
        };
        let Some(spec) = wrapper_spec(name) else {
            break;
        };
        let name = name.to_owned();
        let Some((command_at, wrapper_assignments)) = skip_wrapper_args(&words, &spec) else {
            break;
        };
        let mut rest = words.split_off(command_at);
        std::mem::swap(&mut words, &mut rest);
        let mut prefix = rest.into_iter().enumerate();
        let Some((_, word)) = prefix.next() else {
            break;
        };
        let mut args = Vec::new();
        for (index, arg) in prefix {
            if wrapper_assignments.contains(&index) {
                assignments.extend(word_assignment(&arg));
            } else {
                args.push(arg);
            }
        }
        wrappers.push(Wrapper { name, word, args });
    }
    let mut words = words.into_iter();
    let program = words.next();
    Unwrapped {
        program,
        args: words.collect(),
        wrappers,
        assignments,
    }
}

/// The assignment a `NAME=value` word makes (as given to `env` or `sudo`).
fn word_assignment(word: &Word) -> Option<Assignment> {
    let name = assignment_name(&word.text)?.to_owned();
    let value = word.tail(name.len() + 1);
    Some(Assignment {
        name,
        value,
        span: word.span,
    })
}

/// Returns the index of the wrapped command in `words` and the indexes of assignments
/// before it, or `None` when the prefix runs no command.
fn skip_wrapper_args(words: &[Word], spec: &WrapperSpec) -> Option<(usize, Vec<usize>)> {
    let mut index = 1;
    let mut assignments = Vec::new();
    loop {
        let word = words.get(index)?;
        let text = word.text.as_str();
        if !word.is_static {
            break;
        }
        if spec.options && text == "--" {
            index += 1;
            break;
        }
        if spec.options
            && let Some(long) = text.strip_prefix("--")
        {
            index += if !long.contains('=') && spec.long_values.contains(&text) {
                2
            } else {
                1
            };
            continue;
        }
        if spec.options
            && let Some(group) = text.strip_prefix('-')
            && !group.is_empty()
        {
            if group.chars().all(|c| c.is_ascii_digit()) {
                // `nice -10`
                index += 1;
                continue;
            }
            let mut skip = 1;
            for (offset, letter) in group.char_indices() {
                if spec.stops.contains(letter) {
                    return None;
                }
                if spec.short_values.contains(letter) {
                    if offset + letter.len_utf8() == group.len() {
                        skip = 2;
                    }
                    break;
                }
            }
            index += skip;
            continue;
        }
        if spec.assignments && assignment_name(text).is_some() {
            assignments.push(index);
            index += 1;
            continue;
        }
        break;
    }
    index += spec.operands;
    (index < words.len()).then_some((index, assignments))
}

/// The variable name of a `NAME=value` word.
pub(super) fn assignment_name(text: &str) -> Option<&str> {
    let (name, _) = text.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some(name)
}
