//! hardfile's pure core: the Dockerfile parser ([`syntax`]), the semantic model ([`model`]),
//! and (in later modules) the CIS rules, fixes and policy.
//!
//! Everything here is synchronous and does no I/O beyond what callers pass in, so the CLI,
//! the language server and the BuildKit frontend all see exactly the same results.

pub mod syntax;
pub mod model;
