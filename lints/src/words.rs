//! BuildKit's shell-word lexer: unquoting and `$VAR` expansion of Dockerfile words.
