#!/usr/bin/env python3
"""Median [min, max] over the rounds of before.N.json / after.N.json: time and time over
the read roofline (hot: at the working set, cold: at the streamed working set). Reads
this script's folder, or the folder given as the first argument."""
import glob, json, statistics, sys, os

here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rows = {}
for side in ("before", "after"):
    for f in sorted(glob.glob(os.path.join(here, f"{side}.*.json"))):
        for c in json.load(open(f))["cases"]:
            key = c["descriptor"].split(":kernel")[0]
            t = c["timing"]
            for mode in ("hot", "cold"):
                if not t.get(mode):  # --no-cold runs time hot only
                    continue
                rows.setdefault((key, mode), {}).setdefault(side, []).append(
                    (t[mode]["median_s"] * 1e6, t[mode].get("time_vs_memory_roofline") or 0.0))

def fmt(v):
    us = [a for a, _ in v]; r = [b for _, b in v]
    return f"{statistics.median(us):.0f} us, {statistics.median(r):.2f}x [{min(r):.2f}, {max(r):.2f}]"

print("| case | timing | before | after |")
print("|---|---|---|---|")
for (key, mode), d in sorted(rows.items()):
    print(f"| {key} | {mode} | {fmt(d['before'])} | {fmt(d['after'])} |")
