#!/bin/bash
# placeholder suite
. "$TS_SRC/tests/cli/lib.sh"
finish
