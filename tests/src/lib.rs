//! Shared helpers for hardfile's integration tests.
