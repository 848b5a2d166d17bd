#!/usr/bin/env python3
"""B / A per case and timing (hot, cold) over the alternating turns of run.sh: medians
of the turns' medians, and the ratio of the fastest repetitions."""
import glob
import json
import os
import statistics as st
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
samples = {}
for path in glob.glob(os.path.join(folder, "[AB].*.json")):
    side = os.path.basename(path)[0]
    for c in json.load(open(path))["cases"]:
        for mode in ("hot", "cold"):
            t = c["timing"].get(mode)
            if t:
                key = (c["descriptor"].split(":kernel")[0], mode)
                samples.setdefault(key, {}).setdefault(side, []).append((t["median_s"], t["min_s"]))
for (case, mode), s in sorted(samples.items()):
    a, b = s["A"], s["B"]
    am, bm = st.median(x[0] for x in a), st.median(x[0] for x in b)
    amin, bmin = min(x[1] for x in a), min(x[1] for x in b)
    print(f"{case:26s} {mode:4s} A {am * 1e6:7.0f} us  B {bm * 1e6:7.0f} us  "
          f"B/A medians {bm / am:.2f}  minima {bmin / amin:.2f}")
