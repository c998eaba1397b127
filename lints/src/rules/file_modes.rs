//! File-mode parsing shared by HF510 (setuid/setgid) and HF511 (world-writable): numeric
//! and symbolic `chmod` modes, and where a mode is given (`chmod`, `install -m`,
//! `mkdir -m`, `COPY --chmod`).

use crate::shell::{Command, Word};

/// What a mode grants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModeBits {
    /// Adds the setuid bit.
    pub setuid: bool,
    /// Adds the setgid bit.
    pub setgid: bool,
    /// Makes the file writable by others.
    pub world_writable: bool,
    /// Sets the sticky bit (world-writable directories such as `/tmp`).
    pub sticky: bool,
    /// Whether the mode is numeric (octal).
    pub numeric: bool,
}

/// Parses an octal (`4755`, `0777`) or symbolic (`u+s,o+w`) mode; `None` when it is
/// neither (a variable, a reference).
pub fn parse_mode(mode: &str) -> Option<ModeBits> {
    if !mode.is_empty() && mode.len() <= 5 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let digits: Vec<u32> = mode.bytes().map(|b| u32::from(b - b'0')).collect();
        let other = *digits.last()?;
        let special = if digits.len() >= 4 {
            digits[digits.len() - 4]
        } else {
            0
        };
        return Some(ModeBits {
            setuid: special & 4 != 0,
            setgid: special & 2 != 0,
            sticky: special & 1 != 0,
            world_writable: other & 2 != 0,
            numeric: true,
        });
    }
    let mut bits = ModeBits::default();
    let mut any = false;
    for clause in mode.split(',') {
        let who_len = clause
            .find(|c: char| !matches!(c, 'u' | 'g' | 'o' | 'a'))
            .unwrap_or(clause.len());
        let who = &clause[..who_len];
        let mut rest = &clause[who_len..];
        if rest.is_empty() {
            return None;
        }
        while let Some(op) = rest.chars().next() {
            if !matches!(op, '+' | '-' | '=') {
                return None;
            }
            let perms_len = rest[1..]
                .find(['+', '-', '='])
                .map_or(rest.len() - 1, |i| i);
            let perms = &rest[1..=perms_len];
            if !perms.chars().all(|c| "rwxXstugo".contains(c)) {
                return None;
            }
            any = true;
            if op != '-' {
                let all = who.is_empty() || who.contains('a');
                if perms.contains('s') {
                    bits.setuid |= all || who.contains('u');
                    bits.setgid |= all || who.contains('g');
                }
                if perms.contains('w') && (who.contains('a') || who.contains('o')) {
                    bits.world_writable = true;
                }
                if perms.contains('t') {
                    bits.sticky = true;
                }
            }
            rest = &rest[1 + perms_len..];
        }
    }
    any.then_some(bits)
}

/// The mode words a command sets: `chmod MODE`, `install -m MODE`, `mkdir -m MODE`.
pub fn mode_words(command: &Command) -> Vec<&Word> {
    match command.name() {
        Some("chmod") => {
            // `chmod -x f` only removes bits; `--reference` copies another file's mode.
            if command
                .args
                .iter()
                .any(|w| w.text.starts_with("--reference"))
            {
                return Vec::new();
            }
            command
                .args
                .iter()
                .find(|w| !w.text.starts_with('-'))
                .into_iter()
                .collect()
        }
        Some("install" | "mkdir") => {
            let mut words = Vec::new();
            let args = &command.args;
            for (i, word) in args.iter().enumerate() {
                if (word.text == "-m" || word.text == "--mode")
                    && let Some(value) = args.get(i + 1)
                {
                    words.push(value);
                }
            }
            words
        }
        _ => Vec::new(),
    }
}

/// Whether the mode is for directories: `mkdir -m`, `install -d -m`, `chmod -R`, or
/// `chmod` on what `find -type d` found (setgid on directories only makes new files
/// inherit the group).
pub fn on_directories(command: &Command, finder: Option<&Command>) -> bool {
    if command.is("mkdir")
        || (command.is("install")
            && command
                .args
                .iter()
                .any(|w| w.text == "-d" || w.text == "--directory"))
    {
        return true;
    }
    command.is("chmod")
        && (command
            .args
            .iter()
            .any(|w| w.text == "-R" || w.text == "--recursive")
            || finder.is_some_and(|f| {
                f.args
                    .windows(2)
                    .any(|p| p[0].text == "-type" && p[1].text == "d")
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let m = parse_mode("4755").expect("mode");
        assert!(m.setuid && !m.setgid && !m.world_writable);
        let m = parse_mode("2775").expect("mode");
        assert!(m.setgid && !m.setuid);
        assert!(parse_mode("777").expect("mode").world_writable);
        let m = parse_mode("1777").expect("mode");
        assert!(m.world_writable && m.sticky);
        assert!(!parse_mode("755").expect("mode").world_writable);
        let m = parse_mode("u+s").expect("mode");
        assert!(m.setuid && !m.setgid);
        assert!(parse_mode("+s").expect("mode").setgid);
        assert!(parse_mode("a+rwx").expect("mode").world_writable);
        assert!(parse_mode("o+w,u-s").expect("mode").world_writable);
        assert!(!parse_mode("u-s").expect("mode").setuid);
        assert!(!parse_mode("+x").expect("mode").world_writable);
        assert_eq!(parse_mode("$MODE"), None);
    }
}
