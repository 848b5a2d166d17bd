#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, all of it inside one folder: munged,
# slurmctld and slurmd with a generated munge key and slurm.conf, as root, nothing
# changed outside DIR (the packages are Debian's slurm-wlm and munge, which
# scripts/bootstrap.sh installs where it can).
#
#   scripts/slurm/local_cluster.sh start DIR    # prints: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm/local_cluster.sh stop DIR     # stops every daemon it started, by pid
#
# start exits 77 (with the reason on stderr) when Slurm cannot be used here: not root,
# a program missing, or a daemon that does not come up within 30 s (its log is printed).
set -uo pipefail

cmd=${1:?usage: local_cluster.sh start|stop DIR}
dir=${2:?usage: local_cluster.sh start|stop DIR}

stop() {
  local f pid
  for f in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null)
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Job steps slurmd started (slurmstepd) do not outlive the cluster either.
  pkill -KILL -f "slurmstepd.*$dir" 2>/dev/null || true
}

skip() {
  echo "local_cluster: $*" >&2
  stop
  exit 77
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "local_cluster: unknown command '$cmd' (start or stop)" >&2; exit 2 ;;
esac

[ "$(id -u)" -eq 0 ] || skip "needs root (slurmd runs jobs as any user)"
for p in munged slurmctld slurmd sbatch squeue sinfo scancel; do
  command -v "$p" >/dev/null || skip "$p is not installed (apt-get install slurm-wlm munge)"
done
mkdir -p "$dir/state" "$dir/spool" || skip "cannot create $dir"
dir=$(cd "$dir" && pwd -P)
chmod 755 "$dir"
host=$(hostname -s)
# Two free TCP ports (not listening now), from a range seeded by the pid.
# The listening sockets are read whole, then matched: `ss | awk | grep -q` under pipefail
# fails by SIGPIPE on a host with many sockets and would hand out a port in use.
port() {
  local p=$(( 20000 + (RANDOM + $$ + $1) % 30000 ))
  local listening
  listening=$(ss -ltn 2>/dev/null | awk '{print $4}') || listening=""
  while grep -q ":$p\$" <<<"$listening"; do p=$((p + 1)); done
  echo "$p"
}
ctl_port=$(port 0)
d_port=$(port 7)
[ "$d_port" -ne "$ctl_port" ] || d_port=$((ctl_port + 1))

head -c 1024 /dev/urandom >"$dir/munge.key" && chmod 400 "$dir/munge.key"
munged -f --socket="$dir/munge.sock" --key-file="$dir/munge.key" --log-file="$dir/munged.log" \
  --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" >/dev/null 2>&1 ||
  skip "munged did not start: $(tail -n 3 "$dir/munged.log" 2>/dev/null)"

cpus=$(nproc)
cat >"$dir/slurm.conf" <<CONF
ClusterName=amxlab$$
SlurmctldHost=$host
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobRequeue=1
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
MaxArraySize=1001
MinJobAge=300
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" >/dev/null 2>&1 || skip "slurmctld did not start: $(tail -n 5 "$dir/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" >/dev/null 2>&1 || skip "slurmd did not start: $(tail -n 5 "$dir/slurmd.log" 2>/dev/null)"
for _ in $(seq 60); do
  if grep -qE '^(idle|mix|alloc)' <<<"$(sinfo -h -o %t 2>/dev/null)"; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
skip "the node did not become idle in 30 s: $(sinfo 2>&1 | tail -n 2); slurmctld: $(tail -n 3 "$dir/slurmctld.log" 2>/dev/null)"
