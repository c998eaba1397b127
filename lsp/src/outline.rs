//! Document symbols (stages with their instructions) and folding ranges (stages,
//! multi-line instructions, heredoc bodies, comment blocks).

use hardfile_lints::syntax::{Args, Dockerfile, Instruction, Keyword, Span};
use tower_lsp_server::ls_types::{DocumentSymbol, FoldingRange, FoldingRangeKind, SymbolKind};

use crate::convert::Text;

/// The outline: one symbol per stage (named after `AS name`, or the image), with its
/// instructions as children; instructions before the first `FROM` stand alone.
pub fn document_symbols(file: &Dockerfile, text: &Text) -> Vec<DocumentSymbol> {
    let mut out: Vec<DocumentSymbol> = Vec::new();
    let mut stage: Option<(DocumentSymbol, Span)> = None;
    let mut stage_index = 0usize;
    for instruction in &file.instructions {
        let symbol = instruction_symbol(instruction, text);
        if instruction.keyword == Keyword::From {
            if let Some((symbol, _)) = stage.take() {
                out.push(symbol);
            }
            let (name, detail) = stage_name(instruction, stage_index);
            stage_index += 1;
            #[allow(deprecated)] // `deprecated` is a required field of the struct
            let stage_symbol = DocumentSymbol {
                name,
                detail,
                kind: SymbolKind::MODULE,
                tags: None,
                deprecated: None,
                range: text.range(instruction.span),
                selection_range: text.range(instruction.span),
                children: Some(vec![symbol]),
            };
            stage = Some((stage_symbol, instruction.span));
        } else if let Some((parent, span)) = &mut stage {
            *span = span.cover(instruction.span);
            parent.range = text.range(*span);
            parent.children.get_or_insert_with(Vec::new).push(symbol);
        } else {
            out.push(symbol);
        }
    }
    if let Some((symbol, _)) = stage {
        out.push(symbol);
    }
    out
}

/// `AS name` when given, else `stage N`; the detail is the image.
fn stage_name(from: &Instruction, index: usize) -> (String, Option<String>) {
    let Args::Words(words) = &from.args else {
        return (format!("stage {index}"), None);
    };
    let image = words.first().map(|w| w.value.clone());
    let alias = match words.as_slice() {
        [_, as_word, name, ..] if as_word.value.eq_ignore_ascii_case("as") => {
            Some(name.value.clone())
        }
        _ => None,
    };
    (alias.unwrap_or_else(|| format!("stage {index}")), image)
}

fn instruction_symbol(instruction: &Instruction, text: &Text) -> DocumentSymbol {
    let kind = match instruction.keyword {
        Keyword::Arg | Keyword::Env => SymbolKind::VARIABLE,
        Keyword::Label => SymbolKind::PROPERTY,
        Keyword::From => SymbolKind::CLASS,
        _ => SymbolKind::FUNCTION,
    };
    let name = if instruction.keyword == Keyword::Unknown {
        instruction.keyword_text.clone()
    } else {
        instruction.keyword.as_str().to_string()
    };
    #[allow(deprecated)] // `deprecated` is a required field of the struct
    DocumentSymbol {
        name,
        detail: detail(instruction),
        kind,
        tags: None,
        deprecated: None,
        range: text.range(instruction.span),
        selection_range: text.range(instruction.keyword_span),
        children: None,
    }
}

/// A short description. ENV, ARG and LABEL show names only: values may be secrets.
fn detail(instruction: &Instruction) -> Option<String> {
    let text = match &instruction.args {
        Args::Pairs(pairs) => pairs
            .iter()
            .map(|p| p.key.value.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Args::Words(words) if instruction.keyword == Keyword::Arg => words
            .iter()
            .map(|w| w.value.split('=').next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" "),
        Args::Words(words) => words
            .iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Args::Exec { items, .. } => items
            .iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Args::Rest(word) => word.value.clone(),
        Args::Healthcheck { kind, .. } => kind.value.clone(),
        Args::Onbuild(inner) => inner.keyword_text.clone(),
        Args::Empty | Args::Invalid(_) => return None,
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then(|| truncate(&line, 60))
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Folding ranges: stages, instructions over several lines, heredoc bodies, and runs of
/// two or more comment lines.
pub fn folding_ranges(file: &Dockerfile, text: &Text) -> Vec<FoldingRange> {
    let line = |offset: usize| text.position(offset).line;
    let mut out = Vec::new();
    let mut push = |start: u32, end: u32, kind: Option<FoldingRangeKind>| {
        if end > start {
            out.push(FoldingRange {
                start_line: start,
                start_character: None,
                end_line: end,
                end_character: None,
                kind,
                collapsed_text: None,
            });
        }
    };
    let stages: Vec<&Instruction> = file
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::From)
        .collect();
    for (i, from) in stages.iter().enumerate() {
        let next = stages.get(i + 1).map_or(usize::MAX, |n| n.span.start);
        let last = file
            .instructions
            .iter()
            .filter(|x| x.span.start >= from.span.start && x.span.start < next)
            .map(|x| x.span.end)
            .max()
            .unwrap_or(from.span.end);
        push(
            line(from.span.start),
            line(last),
            Some(FoldingRangeKind::Region),
        );
    }
    for instruction in &file.instructions {
        push(
            line(instruction.span.start),
            line(instruction.span.end),
            None,
        );
        for heredoc in instruction.heredocs.iter().chain(
            instruction
                .onbuild_inner()
                .into_iter()
                .flat_map(|i| &i.heredocs),
        ) {
            let end = heredoc.terminator.map_or(heredoc.body.end, |t| t.end);
            push(line(heredoc.marker.start), line(end), None);
        }
    }
    let mut run: Option<(u32, u32)> = None;
    for comment in file.comments.iter().map(|c| line(c.span.start)) {
        run = match run {
            Some((start, end)) if comment == end + 1 => Some((start, comment)),
            Some((start, end)) => {
                push(start, end, Some(FoldingRangeKind::Comment));
                Some((comment, comment))
            }
            None => Some((comment, comment)),
        };
    }
    if let Some((start, end)) = run {
        push(start, end, Some(FoldingRangeKind::Comment));
    }
    // A one-heredoc instruction folds exactly like its heredoc: keep one.
    out.sort_by_key(|r| (r.start_line, std::cmp::Reverse(r.end_line)));
    out.dedup_by_key(|r| (r.start_line, r.end_line));
    out
}
