#!/bin/bash
# Placeholder suite (being written).
. "$TS_SRC/tests/cli/lib.sh"
ts-serialize --list-formats >f.txt && grep -q jsonl f.txt && pass || fail "--list-formats"
finish
