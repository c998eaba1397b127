//! Shared helpers for hardfile's integration tests.

pub mod corpus;
pub mod engine;
pub mod fake_gateway;
