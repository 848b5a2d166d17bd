#!/usr/bin/env python3
"""Per case and round of plain.N.json, f16.N.json, moe.N.json: our hot time, oneDNN's
(timed in the same case), their ratio, and the cold time over the read roofline."""
import glob, json, os, sys

here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
print("| case | round | ours hot us | oneDNN us | oneDNN time / ours | cold x roofline |")
print("|---|---|---|---|---|---|")
for kind in ("plain", "f16", "moe"):
    for f in sorted(glob.glob(os.path.join(here, f"{kind}.*.json"))):
        rnd = f.rsplit(".", 2)[-2]
        for c in json.load(open(f))["cases"]:
            t = c.get("timing", {})
            if "hot" not in t:
                continue
            ours = t["hot"]["median_s"] * 1e6
            od = c.get("onednn_timing", {}).get("median_s")
            cold = t.get("cold", {}).get("time_vs_memory_roofline") if isinstance(t.get("cold"), dict) else None
            key = c["descriptor"].split(":kernel")[0]
            print(f"| {key} | {rnd} | {ours:.1f} | {od * 1e6:.1f} | {od * 1e6 / ours:.2f} | "
                  f"{'' if cold is None else f'{cold:.2f}'} |" if od else
                  f"| {key} | {rnd} | {ours:.1f} | - | - | {'' if cold is None else f'{cold:.2f}'} |")
