#!/usr/bin/env python3
"""Median [min, max] over the rounds of 4k.N.json / huge.N.json: time and time over the
read roofline (hot: at the working set, cold: at the streamed working set)."""
import glob, json, os, statistics, sys

here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rows = {}
for side in ("4k", "huge"):
    for f in sorted(glob.glob(os.path.join(here, f"{side}.*.json"))):
        for c in json.load(open(f))["cases"]:
            key = c["descriptor"].split(":kernel")[0]
            for mode in ("hot", "cold"):
                t = c["timing"][mode]
                rows.setdefault((key, mode), {}).setdefault(side, []).append(
                    (t["median_s"] * 1e6, t["time_vs_memory_roofline"]))


def fmt(v):
    us = [a for a, _ in v]
    r = [b for _, b in v]
    return f"{statistics.median(us):.0f} us, {statistics.median(r):.2f}x [{min(r):.2f}, {max(r):.2f}]"


print("| case | timing | 4 KiB pages | huge pages |")
print("|---|---|---|---|")
for (key, mode), d in sorted(rows.items()):
    print(f"| {key} | {mode} | {fmt(d['4k'])} | {fmt(d['huge'])} |")
