#!/bin/bash
# ts-serve's Slurm backend on a real single-node Slurm cluster on localhost (started and stopped
# by tests/cli/slurm-cluster.sh; needs root): tests/serve/slurm_jobs.py runs jobs with backend
# slurm against the same jobs run by the local workers, a failing item, a cancel, a restart.
. "$TS_SRC/tests/cli/lib.sh"
. "$TS_SRC/tests/cli/slurm-cluster.sh"
slurm_cluster_start "$T/slurm" && pass || { fail "$SLURM_CLUSTER_ERROR"; finish; exit; }
if "$PY" "$TS_SRC/tests/serve/slurm_jobs.py" >"$T/py.log" 2>&1; then
    pass
else
    fail "tests/serve/slurm_jobs.py: $(grep -E '^(FAIL|ERROR|AssertionError|.*Error:)' "$T/py.log" | head -5)"
    sed 's/^/    /' "$T/py.log" >&2
fi
finish
