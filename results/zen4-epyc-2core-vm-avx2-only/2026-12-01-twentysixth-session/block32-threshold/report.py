#!/usr/bin/env python3
"""GEMV / GEMM time per type, M, threads and timing over the rounds of run.sh: the range
of the rounds' ratios of medians."""
import glob
import json
import os
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
t = {}
for path in sorted(glob.glob(os.path.join(folder, "bench.*.json"))):
    r = os.path.basename(path).split(".")[1]
    for c in json.load(open(path))["cases"]:
        f = dict(x.split("=", 1) for x in c["descriptor"].split(":")[3:] if "=" in x)
        typ, shape, thr = c["descriptor"].split(":")[:3]
        op = "gemv" if "_gemv_" in f["kernel"] else "gemm"
        for mode in ("hot", "cold"):
            if c["timing"].get(mode):
                t[(typ, shape, thr, mode, r, op)] = c["timing"][mode]["median_s"]
keys = sorted({k[:4] for k in t}, key=lambda k: (k[0], int(k[1][1:k[1].index("n")]), k[2], k[3]))
for k in keys:
    ratios = [t[k + (r, "gemv")] / t[k + (r, "gemm")] for r in sorted({x[4] for x in t})
              if k + (r, "gemv") in t and k + (r, "gemm") in t]
    if ratios:
        print(f"{k[0]:7s} {k[1]:14s} {k[2]:3s} {k[3]:4s} GEMV/GEMM {min(ratios):.2f}-{max(ratios):.2f}")
