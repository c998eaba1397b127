//! hardfile's pure core: the Dockerfile parser ([`syntax`]), BuildKit's word expansion
//! ([`words`]), the semantic model ([`model`]) and the RUN command model ([`shell`]);
//! later modules add the CIS rules, fixes and policy.
//!
//! Everything here is synchronous and does no I/O beyond what callers pass in, so the CLI,
//! the language server and the BuildKit frontend all see exactly the same results.

pub mod check;
pub mod config;
pub mod context;
pub mod diagnostic;
pub mod fix;
pub mod model;
pub mod rules;
pub mod shell;
pub mod suppress;
pub mod syntax;
pub mod words;
