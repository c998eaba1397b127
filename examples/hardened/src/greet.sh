#!/bin/sh
# Prints a greeting; `--check` is the health probe.
if [ "$1" = "--check" ]; then
    exit 0
fi
echo "hello, ${1:-world}"
