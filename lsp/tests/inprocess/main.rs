//! In-process tests of the language server, one module per feature: the server runs on a
//! Tokio task and the test talks to it through in-memory pipes.

mod common;

mod code_actions;
mod config;
mod diagnostics;
mod navigation;
mod robustness;
