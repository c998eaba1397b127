//! hardfile-lsp (filled by its own issue).
