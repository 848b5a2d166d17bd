#!/usr/bin/env python3
"""Per case the minimum over rounds of the hot minimum, A and B: the noise of this VM in
these rounds (medians moved 2x between rounds) leaves the minimum as the steadier figure."""
import glob, json, sys
d = sys.argv[1] if len(sys.argv) > 1 else "."
res = {}
for f in sorted(glob.glob(f"{d}/[AB].*.json")):
    v = f.split("/")[-1][0]
    for c in json.load(open(f))["cases"]:
        k = c["descriptor"].split(":kernel")[0]
        res.setdefault(k, {}).setdefault(v, []).append(c["timing"]["hot"]["min_s"] * 1e6)
print("| case | A min us | B min us | B / A |\n|---|---|---|---|")
for k, x in res.items():
    print(f"| {k} | {min(x['A']):.0f} | {min(x['B']):.0f} | {min(x['B']) / min(x['A']):.2f} |")
