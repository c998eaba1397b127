//! Lossless, BuildKit-exact Dockerfile parser.
