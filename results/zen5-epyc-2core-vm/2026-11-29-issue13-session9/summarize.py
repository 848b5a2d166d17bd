#!/usr/bin/env python3
"""Median [min, max] over the rounds of old.N.json / new.N.json: our hot time and its
ratio to the oneDNN per-expert loop's hot time in the same process (loop / ours)."""
import collections, glob, json, os, statistics

here = os.path.dirname(os.path.abspath(__file__))
rows = collections.defaultdict(lambda: collections.defaultdict(list))
for side in ("old", "new"):
    for f in sorted(glob.glob(os.path.join(here, f"{side}.*.json"))):
        for c in json.load(open(f))["cases"]:
            key = c["descriptor"].split(":kernel")[0]
            ours = c["timing"]["hot"]["median_s"]
            loop = c["onednn_timing"]["median_s"]
            rows[key][side].append((ours * 1e6, loop / ours))


def fmt(v):
    us = [a for a, _ in v]
    x = [b for _, b in v]
    return f"{statistics.median(us):.0f} us, {statistics.median(x):.2f}x [{min(x):.2f}, {max(x):.2f}]"


print("| case | old (7076fef) | new (03ac3f8) |")
print("|---|---|---|")
for key, d in sorted(rows.items()):
    print(f"| {key} | {fmt(d['old'])} | {fmt(d['new'])} |")
