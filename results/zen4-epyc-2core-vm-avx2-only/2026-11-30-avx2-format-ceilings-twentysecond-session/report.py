#!/usr/bin/python3
"""A/B rounds of a folder (A.<round>.json, B.<round>.json from `amxlab bench`): per case the
median over rounds of our hot time, of the ratio to oneDNN timed in the same case, and of
the paired format-ceiling percentage (each round's own median of its pairs).

  report.py DIR
"""
import glob
import json
import os
import statistics
import sys


def short(descriptor):
    return descriptor.split(":kernel=")[0]


def rounds(d, side):
    per_case = {}
    for f in sorted(glob.glob(os.path.join(d, f"{side}.*.json"))):
        for c in json.load(open(f))["cases"]:
            t = c["timing"]
            ref = c.get("onednn_timing", {}).get("median_s")
            pct = t.get("format_ceiling_paired", {}).get("pct_median")
            per_case.setdefault(short(c["descriptor"]), []).append(
                (t["hot"]["median_s"], ref / t["hot"]["median_s"] if ref else None, pct))
    return per_case


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    a, b = rounds(d, "A"), rounds(d, "B")
    print("| case | A ms | B ms | B / A | A x oneDNN | B x oneDNN | A % ceiling | B % ceiling |")
    print("|---|---|---|---|---|---|---|---|")
    for key in a:
        at, bt = med(r[0] for r in a[key]), med(r[0] for r in b[key])
        print(f"| {key} | {at * 1e3:.2f} | {bt * 1e3:.2f} | {bt / at:.2f} | "
              f"{med(r[1] for r in a[key]):.2f} | {med(r[1] for r in b[key]):.2f} | "
              f"{med(r[2] for r in a[key]):.1f} | {med(r[2] for r in b[key]):.1f} |")


if __name__ == "__main__":
    main()
