//! hardfile-frontend (filled by its own issue).
