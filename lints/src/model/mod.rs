//! Semantic model: stages, ARG/ENV scopes, expansion.
