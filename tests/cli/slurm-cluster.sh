# shellcheck shell=bash
# tests/cli/slurm-cluster.sh: a real single-node Slurm cluster on localhost for the tests that
# need one (Debian's slurm-wlm and munge; needs root). Source it, then:
#
#   slurm_cluster_start DIR || { fail "$SLURM_CLUSTER_ERROR"; finish; exit; }
#   ...sbatch, squeue, scancel now reach the cluster (SLURM_CONF is exported)...
#   slurm_cluster_stop             # also run at exit by the trap the start sets
#
# munged runs with a key of its own and slurmctld and slurmd with ports derived from the shell's
# pid, so several suites may each run a cluster at once. slurm_cluster_start returns 1 with
# the reason in SLURM_CLUSTER_ERROR when the cluster cannot start: a test never passes silently
# without one.
SLURM_CLUSTER_DIR=
SLURM_CLUSTER_ERROR=

slurm_cluster_start() {
    local S=$1 p
    SLURM_CLUSTER_ERROR=
    if [ "$(id -u)" != 0 ]; then
        SLURM_CLUSTER_ERROR="this suite starts slurmd and munged: it needs root"
        return 1
    fi
    for p in munged slurmctld slurmd sbatch squeue scancel sinfo; do
        if ! command -v "$p" >/dev/null && [ ! -x "/usr/sbin/$p" ]; then
            SLURM_CLUSTER_ERROR="$p is missing (scripts/setup installs slurm-wlm and munge)"
            return 1
        fi
    done
    case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
    SLURM_CLUSTER_DIR=$S
    mkdir -p "$S"/{state,spool,log,munge}
    chmod 700 "$S/munge"
    head -c 1024 /dev/urandom >"$S/munge/munge.key" && chmod 600 "$S/munge/munge.key"
    local port=$((20000 + ($$ % 5000) * 2)) host
    host=$(hostname)
    cat >"$S/slurm.conf" <<CONF
ClusterName=timeside-test
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.socket.2
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=5
NodeName=$host CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$S/slurm.conf
    trap 'slurm_cluster_stop; rm -rf "$T"' EXIT
    if ! munged --force -S "$S/munge/munge.socket.2" --key-file="$S/munge/munge.key" \
        --log-file="$S/munge/munged.log" --pid-file="$S/munge/munged.pid" --seed-file="$S/munge/seed"; then
        SLURM_CLUSTER_ERROR="munged does not start: $(tail -2 "$S/munge/munged.log" 2>/dev/null)"
        return 1
    fi
    if ! slurmctld -f "$SLURM_CONF"; then
        SLURM_CLUSTER_ERROR="slurmctld does not start: $(tail -3 "$S/log/slurmctld.log" 2>/dev/null)"
        return 1
    fi
    if ! slurmd -f "$SLURM_CONF"; then
        SLURM_CLUSTER_ERROR="slurmd does not start: $(tail -3 "$S/log/slurmd.log" 2>/dev/null)"
        return 1
    fi
    local _
    for _ in $(seq 1 100); do
        sinfo -h -o %t 2>/dev/null | grep -q idle && return 0
        sleep 0.2
    done
    SLURM_CLUSTER_ERROR="the cluster is not up after 20 s: $(sinfo 2>&1 | tail -2) $(tail -3 "$S/log/slurmctld.log")"
    return 1
}

# Stops what slurm_cluster_start started (by their pid files) and waits for them to exit.
slurm_cluster_stop() {
    local S=$SLURM_CLUSTER_DIR f pid pids=() _
    [ -n "$S" ] || return 0
    for f in slurmd slurmctld munge/munged; do
        if [ -s "$S/$f.pid" ]; then
            pid=$(cat "$S/$f.pid")
            kill "$pid" 2>/dev/null && pids+=("$pid")
        fi
    done
    for _ in $(seq 1 50); do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    SLURM_CLUSTER_DIR=
}
