#!/usr/bin/env python3
"""GEMV time / GEMM time per M, threads and timing over the rounds of run.sh: the range of
the rounds' ratios (each round's GEMV and GEMM medians from the same sweep)."""
import glob
import json
import os
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
ratios = {}
for path in sorted(glob.glob(os.path.join(folder, "bench.*.json"))):
    t = {}
    for c in json.load(open(path))["cases"]:
        op = "gemv" if "gemv" in c["kernel"] else "gemm"
        for mode in ("hot", "cold"):
            if c["timing"].get(mode):
                t[(c["shape"]["m"], c["threads"], mode, op)] = c["timing"][mode]["median_s"]
    for (m, th, mode, op), s in t.items():
        if op == "gemv" and (m, th, mode, "gemm") in t:
            ratios.setdefault((m, th, mode), []).append(s / t[(m, th, mode, "gemm")])
for (m, th, mode), r in sorted(ratios.items()):
    print(f"M = {m} t{th} {mode:4s} GEMV / GEMM {min(r):.2f}-{max(r):.2f}")
