//! hardfile-proto (filled by its own issue).
