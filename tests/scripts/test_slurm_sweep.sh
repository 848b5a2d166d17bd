#!/usr/bin/env bash
# CTest: the fleet sweep (scripts/slurm/sweep.sbatch) on a real Slurm: a single-node
# cluster on localhost (scripts/slurm/local_cluster.sh, every daemon stopped by pid at
# exit, whatever happens). Exit 77 (skipped, with the reason) where Slurm cannot be
# installed or started.
#   1. a job array over a batch: the merged file holds every case once, from one build;
#      a shard with a crashing case still writes its other case; two merges of the same
#      shards give the same file;
#   2. one array task cancelled mid-run: the merge job fails naming that shard as
#      incomplete; the task resubmitted completes its shard through --resume without
#      running its finished case again, and the merge then succeeds.
#
#   tests/scripts/test_slurm_sweep.sh BUILD_DIR
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
build=${1:?usage: $0 BUILD_DIR}
amxlab="$build/harness/cli/amxlab"
tmp=$(mktemp -d /tmp/amxlab-slurm-test.XXXXXX)
cleanup() {
  # Our private cluster: cancel whatever is still queued or running, stop the daemons by
  # pid, and end any task process that outlived them (their command lines name $tmp).
  [ -f "$tmp/cluster/slurm.conf" ] && SLURM_CONF="$tmp/cluster/slurm.conf" scancel --user="$(id -un)" 2>/dev/null
  "$repo/scripts/slurm/local_cluster.sh" stop "$tmp/cluster"
  pkill -KILL -f "$tmp/" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # a killed test (CTest's timeout) still runs the EXIT trap
fail() {
  echo "FAIL: $*"
  for f in "$tmp"/logs/*.log "$tmp"/*/merge.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  exit 1
}
[ -x "$amxlab" ] || fail "no $amxlab"

"$repo/scripts/slurm/local_cluster.sh" start "$tmp/cluster" >"$tmp/start.out" 2>"$tmp/start.err"
rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIPPED: $(cat "$tmp/start.err")"
  exit 77
fi
[ "$rc" -eq 0 ] || fail "local_cluster.sh start exited $rc: $(cat "$tmp/start.err")"
export SLURM_CONF="$tmp/cluster/slurm.conf"
export AMXLAB_BIN="$amxlab"
mkdir -p "$tmp/logs" "$tmp/scratch"
# The sweeps' per-case scratch files go here, so the check at the end sees what a
# cancelled task leaves behind (a sweep ended by scancel's SIGTERM removes its own).
export TMPDIR="$tmp/scratch"
flags=(--no-cold --no-onednn --reps 1 --min-time 0.005)

# Waits (bounded) until a file exists; false on timeout.
wait_for() {
  local file=$1 seconds=$2
  for _ in $(seq $((seconds * 4))); do
    [ -s "$file" ] && return 0
    sleep 0.25
  done
  return 1
}
cases_in() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['cases']))" "$1" 2>/dev/null || echo 0; }

# --- 1. a job array, a crashing case, merge twice ---------------------------------------
cat >"$tmp/batch1.txt" <<'BATCH'
q8_0:m1n64k64:t1
q4_0:m2n64k64:t1
q4_K:m1n32k256:t1
s8:m3n40k37:t1
bf16:m2n40k37:t1
q8_0:m13n32k32:t1:kernel=test.crash
q4_0:e8top2t5n32k64:t1
q6_K:m4n16k256:t1
BATCH
(cd "$repo" && sbatch -Q --array=0-3 --output="$tmp/logs/run1-%A_%a.log" scripts/slurm/sweep.sbatch \
  "$tmp/batch1.txt" "$tmp/run1" "${flags[@]}") || fail "sbatch of the array"
wait_for "$tmp/run1/merged.json" 90 || fail "no merged.json after 90 s ($(squeue 2>&1 | tail -n 5))"
python3 - "$tmp/batch1.txt" "$tmp/run1/merged.json" <<'PY' || fail "merged.json does not hold every case once"
import json, sys
want = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
doc = json.load(open(sys.argv[2]))
got = [c["descriptor"] for c in doc["cases"]]
assert len(got) == len(set(got)) == len(want), (len(got), len(want))
for w in want:
    assert sum(1 for g in got if g.startswith(w.split(":kernel=")[0] + ":")) >= 1, w
builds = {json.dumps(m["build"], sort_keys=True) for m in doc["merged_from"]}
assert len(builds) == 1, builds
crash = [c for c in doc["cases"] if "test.crash" in c["descriptor"]]
assert len(crash) == 1 and crash[0]["verdict"] == "CRASHED", crash
PY
"$amxlab" merge "$tmp"/run1/shard-*-of-4.json --out "$tmp/again1.json" >/dev/null || fail "merge again"
"$amxlab" merge "$tmp"/run1/shard-*-of-4.json --out "$tmp/again2.json" >/dev/null || fail "merge again"
cmp -s "$tmp/again1.json" "$tmp/again2.json" || fail "two merges of the same shards differ"

# --- 2. one task cancelled mid-run, then resubmitted --------------------------------------
cat >"$tmp/batch2.txt" <<'BATCH'
q8_0:m1n64k64:t1
q4_0:m2n64k64:t1
q4_K:m1n32k256:t1
q8_0:m13n32k32:t1:kernel=test.hang
BATCH
job=$(cd "$repo" && sbatch --parsable --array=0-1 --output="$tmp/logs/run2-%A_%a.log" scripts/slurm/sweep.sbatch \
  "$tmp/batch2.txt" "$tmp/run2" "${flags[@]}" --timeout 120) || fail "sbatch of the second array"
job=${job%%;*}
# Shard 1 runs q4_0:m2... then hangs on test.hang: cancel it once its first case is in.
for _ in $(seq 360); do
  [ "$(cases_in "$tmp/run2/shard-1-of-2.json")" -ge 1 ] && break
  sleep 0.25
done
[ "$(cases_in "$tmp/run2/shard-1-of-2.json")" -ge 1 ] || fail "shard 1 did not write its first case"
first_before=$(python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['cases'][0], sort_keys=True))" "$tmp/run2/shard-1-of-2.json")
scancel "${job}_1" || fail "scancel ${job}_1"
wait_for "$tmp/run2/merge.log" 90 || fail "the merge job did not run after the cancelled task"
for _ in $(seq 40); do grep -q "merge" "$tmp/run2/merge.log" && break; sleep 0.25; done
grep -q "incomplete 1 (" "$tmp/run2/merge.log" || fail "merge does not name shard 1 as incomplete: $(cat "$tmp/run2/merge.log")"
[ ! -f "$tmp/run2/merged.json" ] || fail "a merge of an incomplete sweep wrote merged.json"
"$amxlab" merge "$tmp"/run2/shard-*-of-2.json --out "$tmp/partial.json" >"$tmp/partial.log" 2>&1 &&
  fail "merge of an incomplete sweep exited 0"
grep -q "incomplete 1 (" "$tmp/partial.log" || fail "merge does not name shard 1: $(cat "$tmp/partial.log")"
# Resubmit index 1 alone (an array of one: AMXLAB_SHARDS keeps the shard count), with a
# case timeout so the hanging case ends as TIMEOUT.
(cd "$repo" && AMXLAB_SHARDS=2 sbatch -Q --array=1 --output="$tmp/logs/run2-resubmit-%A_%a.log" \
  scripts/slurm/sweep.sbatch "$tmp/batch2.txt" "$tmp/run2" "${flags[@]}" --timeout 3) || fail "resubmission"
for _ in $(seq 240); do
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get('run_end') and len(d['cases'])==2 else 1)" \
    "$tmp/run2/shard-1-of-2.json" 2>/dev/null && break
  sleep 0.25
done
[ "$(cases_in "$tmp/run2/shard-1-of-2.json")" -eq 2 ] || fail "the resubmitted shard did not complete"
first_after=$(python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['cases'][0], sort_keys=True))" "$tmp/run2/shard-1-of-2.json")
[ "$first_before" = "$first_after" ] || fail "the finished case was run again"
grep -q "1 already in the file" "$tmp"/logs/run2-resubmit-*.log || fail "the resubmitted task did not resume"
"$amxlab" merge "$tmp"/run2/shard-*-of-2.json --out "$tmp/run2/merged.json" >/dev/null || fail "merge after the resubmission"
[ "$(cases_in "$tmp/run2/merged.json")" -eq 4 ] || fail "merged.json after the resubmission does not hold 4 cases"
left=$(ls -A "$tmp/scratch")
[ -z "$left" ] || fail "scratch files left behind by the sweeps: $left"
echo "PASS"
