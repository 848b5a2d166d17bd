#!/usr/bin/python3
"""A/B summary of the rounds in this folder: per case, the median over rounds of our hot
time and of oneDNN's (same case, same run), for A and B, and B / A.

  report.py [DIR]
"""
import glob
import json
import os
import statistics
import sys


def load(d, side):
    out = {}
    for f in sorted(glob.glob(os.path.join(d, f"{side}.*.json"))):
        for c in json.load(open(f))["cases"]:
            key = c["descriptor"].replace(":kernel=auto", "").replace(":place=compact:numa=local:aq=runtime:seed=1", "")
            ours = c["timing"]["hot"]["median_s"]
            ref = c.get("onednn_timing", {}).get("median_s")
            out.setdefault(key, []).append((ours, ref))
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    a, b = load(d, "A"), load(d, "B")
    print("| case | A ms | B ms | B / A | A x oneDNN | B x oneDNN |")
    print("|---|---|---|---|---|---|")
    for key in a:
        am = statistics.median(t for t, _ in a[key])
        bm = statistics.median(t for t, _ in b[key])
        ar = statistics.median(r / t for t, r in a[key] if r)
        br = statistics.median(r / t for t, r in b[key] if r)
        print(f"| {key} | {am * 1e3:.2f} | {bm * 1e3:.2f} | {bm / am:.2f} | {ar:.2f} | {br:.2f} |")


if __name__ == "__main__":
    main()
