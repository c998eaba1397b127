//! BuildKit's parser dump (`Node.Dump`), the text form of `buildkit-parser/*/result`.

use super::ast::{Args, Dockerfile, Instruction, Keyword};
use super::instruction::go_quote;

/// Prints the tree as BuildKit's parser dump: one `(keyword [flags] "arg"…)` line per
/// instruction, and a final newline.
pub fn dump(file: &Dockerfile) -> String {
    let mut out = String::new();
    for instruction in &file.instructions {
        out.push('(');
        out.push_str(&dump_instruction(instruction));
        out.push_str(")\n");
    }
    // Node.Dump trims the joined lines, then the caller prints one newline.
    let trimmed = out.trim();
    format!("{trimmed}\n")
}

fn dump_instruction(instruction: &Instruction) -> String {
    let mut out = instruction.keyword_text.to_lowercase();
    if !instruction.flags.is_empty() {
        let flags: Vec<String> = instruction
            .flags
            .iter()
            .map(|f| go_quote(&f.text))
            .collect();
        out.push_str(" [");
        out.push_str(&flags.join(" "));
        out.push(']');
    }
    let mut push = |value: &str| {
        out.push(' ');
        out.push_str(&go_quote(value));
    };
    dump_args(&instruction.args, instruction.keyword, &mut push);
    if let Args::Onbuild(inner) = &instruction.args {
        out.push_str(" (");
        out.push_str(&dump_instruction(inner));
        out.push(')');
    }
    out.trim().to_string()
}

fn dump_args(args: &Args, keyword: Keyword, push: &mut impl FnMut(&str)) {
    match args {
        Args::Empty => {
            // parseIgnore returns an empty node, which prints as "".
            if keyword == Keyword::Unknown {
                push("");
            }
        }
        Args::Exec { items, .. } | Args::Words(items) => {
            for item in items {
                push(&item.value);
            }
        }
        Args::Rest(word) | Args::Invalid(word) => push(&word.value),
        Args::Pairs(pairs) => {
            for pair in pairs {
                push(&pair.key.value);
                push(&pair.value.value);
                push(if pair.equals { "=" } else { "" });
            }
        }
        Args::Healthcheck { kind, command } => {
            push(&kind.value);
            dump_args(command, Keyword::Healthcheck, push);
        }
        Args::Onbuild(_) => {}
    }
}
