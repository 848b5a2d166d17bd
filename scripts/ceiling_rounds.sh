#!/usr/bin/env bash
# How close the GEMMs come to their format ceiling (and to oneDNN), measured in rounds.
# On a shared VM a figure moves by 5-10 % between minutes, so a ceiling measured at one
# moment and a GEMM at another give a ratio that means little. Each round here measures
# the ceilings (`amxlab calibrate`, compute only) and right after them the GEMMs (`amxlab
# bench`, oneDNN in the same process); the summary gives per case the median and the
# range of the rounds' ratios. Each bench also times the ceiling paired with the kernel
# (`--paired-ceiling 3`: the format's golden-mix loop and the kernel back to back on the
# same CPUs, three times); "paired %" is the median of those, per round.
#
#   scripts/ceiling_rounds.sh OUT_DIR [ROUNDS] [--quick] [amxlab bench flags ...]
#
# --quick: `amxlab calibrate --quick` (shorter timings; its CTest uses it).
# Default sweep: --type q8_0,q4_0,q4_1,iq4_nl,q4_K --m 512 --n 4096 --k 4096
# --threads 1,2 --kernel auto (hot timing only). Writes OUT_DIR/cal.N.json,
# OUT_DIR/bench.N.json and OUT_DIR/summary.txt.
set -euo pipefail
[ $# -ge 1 ] || { awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 2; }  # the header comment
# OUT_DIR and AMXLAB as the caller wrote them (relative to the caller's folder); the
# default amxlab is the repository's build.
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift
[ -z "${AMXLAB:-}" ] || AMXLAB=$(cd "$(dirname "$AMXLAB")" && pwd)/$(basename "$AMXLAB")
cd "$(dirname "$0")/.."
rounds=5
if [ $# -ge 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  rounds=$1
  shift
fi
quick=()
if [ $# -ge 1 ] && [ "$1" = --quick ]; then
  quick=(--quick)
  shift
fi
sweep=("$@")
[ ${#sweep[@]} -gt 0 ] || sweep=(--type q8_0,q4_0,q4_1,iq4_nl,q4_K --m 512 --n 4096 --k 4096 --threads 1,2 --kernel auto)
amxlab=${AMXLAB:-build/release/harness/cli/amxlab}
[ -x "$amxlab" ] || { echo "ceiling_rounds: no $amxlab (build first, or set AMXLAB)" >&2; exit 2; }
for r in $(seq 1 "$rounds"); do
  echo "ceiling_rounds: round $r of $rounds"
  # --max-bytes 64K: the peaks and format ceilings, and almost none of the bandwidth sweep.
  "$amxlab" calibrate "${quick[@]}" --max-bytes 64K --out "$out/cal.$r.json" > /dev/null 2>> "$out/log.txt"
  "$amxlab" bench --no-cold --paired-ceiling 3 "${sweep[@]}" --calibration "$out/cal.$r.json" --out "$out/bench.$r.json" >> "$out/log.txt" 2>&1
done
python3 - "$out" "$rounds" << 'EOF' | tee "$out/summary.txt"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for r in range(1, rounds + 1):
    for c in json.load(open(f"{out}/bench.{r}.json"))["cases"]:
        t = c.get("timing") or {}
        if "gops" not in t:
            continue
        o = c.get("onednn_timing") or {}
        e = rows.setdefault(c["descriptor"], {"gops": [], "ceil": [], "pct": [], "paired": [], "x": []})
        e["gops"].append(t["gops"])
        if "format_ceiling_gops" in t:
            e["ceil"].append(t["format_ceiling_gops"])
            e["pct"].append(t["format_ceiling_pct"])
        if "pct_median" in t.get("format_ceiling_paired", {}):
            e["paired"].append(t["format_ceiling_paired"]["pct_median"])
        if "gops" in o:
            e["x"].append(t["gops"] / o["gops"])
def span(v, fmt):
    if not v:
        return "-"
    return (fmt % statistics.median(v)) + " [" + (fmt % min(v)) + ", " + (fmt % max(v)) + "]"
print(f"{rounds} rounds; median [min, max] over the rounds; each ratio from one round")
print(f"{'case':58} {'GOPS':>22} {'ceiling GOPS':>22} {'% of ceiling':>20} {'paired %':>20} {'x oneDNN':>22}")
for d, e in rows.items():
    print(f"{d[:58]:58} {span(e['gops'], '%.0f'):>22} {span(e['ceil'], '%.0f'):>22} "
          f"{span(e['pct'], '%.1f'):>20} {span(e['paired'], '%.1f'):>20} {span(e['x'], '%.3f'):>22}")
EOF
