#!/usr/bin/env bash
# harness/inputs/q4_K_M_layer.txt (issue #11: a Q4_K_M-like layer, Q4_K gate/up and
# attention, Q6_K down) runs through the harness as a batch file: every line a case,
# checked bitwise against golden and against oneDNN, both types and both M (1 and 512)
# present. About 50 s on 2 cores (the M = 512 golden checks): label long.
set -euo pipefail
amxlab=${1:?usage: test_batch_q4_K_M.sh AMXLAB REPO_ROOT}
root=${2:?usage: test_batch_q4_K_M.sh AMXLAB REPO_ROOT}
batch=$root/harness/inputs/q4_K_M_layer.txt
out=$(mktemp --suffix=.json)
trap 'rm -f "$out"' EXIT
"$amxlab" check --no-isolate --batch "$batch" --out "$out"
python3 - "$batch" "$out" <<'PY'
import json, sys
batch, out = sys.argv[1], sys.argv[2]
lines = [l.strip() for l in open(batch) if l.strip() and not l.startswith("#")]
cases = json.load(open(out))["cases"]
fail = []
if len(cases) != len(lines):
    fail.append(f"{len(lines)} lines in the batch, {len(cases)} cases in the results")
types = {c["descriptor"].split(":")[0] for c in cases}
ms = {c["descriptor"].split(":")[1].split("n")[0] for c in cases}
if types != {"q4_K", "q6_K"}:
    fail.append(f"types {sorted(types)}, want q4_K and q6_K")
if ms != {"m1", "m512"}:
    fail.append(f"M values {sorted(ms)}, want m1 and m512")
for c in cases:
    g = c.get("checks", {}).get("golden", {})
    o = c.get("checks", {}).get("onednn_vs_golden", {})
    if c.get("verdict") != "PASS" or not g.get("bitwise") or not o.get("pass"):
        fail.append(f"{c['descriptor']}: {c.get('verdict')} golden {g} oneDNN {o}")
for f in fail:
    print("FAIL:", f)
if fail:
    sys.exit(1)
print(f"PASS: {len(cases)} cases of the Q4_K_M layer, bitwise to golden and within oneDNN's bound")
PY
