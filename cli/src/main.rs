//! The `hardfile` binary.
fn main() {}
