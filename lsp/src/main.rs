//! `hardfile-lsp`: the language server alone, for editors and tests that do not use the
//! `hardfile lsp` subcommand of the main binary.

fn main() -> std::io::Result<()> {
    hardfile_lsp::run_stdio()
}
