# Shared helpers for the CLI suites. A suite sources this, calls `check` / `expect` per case,
# and ends with `finish`, which prints "N passed, M failed" and sets the exit status.
set -u
export PATH="$TS_BIN:$PATH"
export NO_COLOR=1 LC_ALL=C.UTF-8
PY=/usr/bin/python3 # Debian's python, with numpy
HELP="$TS_SRC/tests/cli/tsnum.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# pycheck "what" SCRIPT ARGS...: a Python check passes when it exits 0; else its last line.
pycheck() {
    local what=$1 out; shift
    if out=$("$PY" "$@" 2>&1); then pass; else fail "$what: $(printf '%s\n' "$out" | tail -n 1)"; fi
}

# check "what" COMMAND...: the command must exit 0.
check() {
    local what=$1; shift
    if "$@" >"$T/.out" 2>"$T/.err"; then pass; else fail "$what (exit $?): $(head -c 300 "$T/.err")"; fi
}

# expect_fail "what" STATUS WORD COMMAND...: the command must exit STATUS with an empty
# stdout and a message on stderr that contains WORD (usually the input's name).
expect_fail() {
    local what=$1 want=$2 word=$3; shift 3
    "$@" >"$T/.out" 2>"$T/.err" </dev/null
    local s=$?
    if [ "$s" != "$want" ]; then fail "$what: exit $s, want $want: $(head -c 300 "$T/.err")"; return; fi
    if [ -s "$T/.out" ]; then fail "$what: stdout not empty ($(stat -c %s "$T/.out") bytes)"; return; fi
    if ! grep -qF -- "$word" "$T/.err"; then fail "$what: stderr lacks '$word': $(head -c 300 "$T/.err")"; return; fi
    pass
}

# num "what" PYTHON-EXPRESSION-ASSERTIONS...: runs tsnum.py with the arguments; it exits
# non-zero with a message when an assertion fails.
num() {
    local what=$1; shift
    if out=$("$PY" "$HELP" "$@" 2>&1); then pass; else fail "$what: $out"; fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}
