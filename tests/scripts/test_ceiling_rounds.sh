#!/usr/bin/env bash
# scripts/ceiling_rounds.sh end to end on a small case: two rounds of calibrate + bench,
# the summary names the case with its rounds' GOPS, ceiling, % of ceiling, paired % and
# x oneDNN; no arguments is a usage error.
set -euo pipefail
amxlab=$1
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$root/scripts/ceiling_rounds.sh" > "$tmp/usage.txt" 2>&1; then
  echo "FAIL: no arguments was accepted"; exit 1
fi
grep -q "OUT_DIR" "$tmp/usage.txt" || { echo "FAIL: no usage text"; cat "$tmp/usage.txt"; exit 1; }
AMXLAB="$amxlab" "$root/scripts/ceiling_rounds.sh" "$tmp/out" 2 --quick --type q8_0 --m 8 --n 32 --k 64 --threads 1 --kernel auto
for f in cal.1.json cal.2.json bench.1.json bench.2.json summary.txt; do
  [ -s "$tmp/out/$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
python3 - "$tmp/out" << 'PY'
import json, sys
out = sys.argv[1]
lines = open(f"{out}/summary.txt").read().splitlines()
assert lines[0].startswith("2 rounds"), lines[0]
row = [l for l in lines if l.startswith("q8_0:m8n32k64:t1")]
assert len(row) == 1, lines
cells = row[0].split()
first = json.load(open(f"{out}/bench.1.json"))["cases"][0]["timing"]
skipped = first.get("format_ceiling_paired", {}).get("skipped", "")
if skipped:
    # A CPU with neither AVX-512 VNNI nor AVX2 has no golden-mix loop: the ceiling columns
    # say "-", the reason is recorded, GOPS and x oneDNN are still there.
    assert "AVX2" in skipped, skipped
    flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
    assert not ("avx2" in flags and "fma" in flags), "this CPU has AVX2 and FMA, yet the ceiling was skipped: " + skipped
    assert len(cells) == 1 + 3 + 3 + 3 and cells[4:7] == ["-"] * 3 and "-" not in cells[1:4] + cells[7:], row[0]
    print("ceiling_rounds: PASS (no ceiling on this CPU: " + skipped + ")")
    sys.exit(0)
# GOPS, ceiling, % of ceiling, paired %, x oneDNN: each "median [min, max]" (3 tokens), none "-"
assert len(cells) == 1 + 5 * 3 and "-" not in cells[1:], row[0]
for r in (1, 2):
    cal = json.load(open(f"{out}/cal.{r}.json"))
    case = json.load(open(f"{out}/bench.{r}.json"))["cases"][0]
    t = case["timing"]
    # block32 with VPDPBUSD (AVX-512 VNNI), block32_signed with the plain AVX2 dot
    assert t["format_ceiling_mix"] in ("block32", "block32_signed"), t
    assert t["format_ceiling_paired"]["mix"] == t["format_ceiling_mix"], t
    assert len(t["format_ceiling_paired"]["rounds"]) == 3, t
    # the bench used this round's calibration: its ceiling is the file's mix naming q8_0
    # at 1 thread
    ceilings = [c for th in cal["peaks"] if th["threads"] == 1 for c in th["format_ceilings"]
                if "q8_0" in c["types"].split()]
    assert len(ceilings) == 1 and ceilings[0]["mix"] == t["format_ceiling_mix"], (ceilings, t)
    assert abs(ceilings[0]["gops"]["value"] - t["format_ceiling_gops"]) < 1e-6 * t["format_ceiling_gops"], (ceilings, t)
print("ceiling_rounds: PASS")
PY
