//! Instruction-level checks BuildKit makes after parsing.
