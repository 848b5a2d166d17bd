#!/usr/bin/env python3
"""GEMV / GEMM time per (type, M, threads), hot and cold: median over rounds of the ratio."""
import glob, json, re, statistics, sys
d = sys.argv[1] if len(sys.argv) > 1 else "."
rows = {}
for f in sorted(glob.glob(f"{d}/*.json")):
    for c in json.load(open(f))["cases"]:
        op = "gemv" if "_gemv_" in c["kernel"] else "gemm"
        key = (c["type"], c["shape"]["m"], c["threads"])
        t = c["timing"]
        rows.setdefault(key, {}).setdefault(f, {})[op] = (t["hot"]["median_s"], t["cold"]["median_s"])
print("| type | M | threads | GEMV / GEMM hot | cold | GEMV us hot / cold | GEMM us hot / cold |")
print("|---|---|---|---|---|---|---|")
for key in sorted(rows):
    per = [v for v in rows[key].values() if "gemv" in v and "gemm" in v]
    med = lambda xs: statistics.median(xs)
    hot = med([v["gemv"][0] / v["gemm"][0] for v in per])
    cold = med([v["gemv"][1] / v["gemm"][1] for v in per])
    us = lambda op, i: med([v[op][i] for v in per]) * 1e6
    print(f"| {key[0]} | {key[1]} | {key[2]} | {hot:.2f} | {cold:.2f} | {us('gemv',0):.0f} / {us('gemv',1):.0f} | {us('gemm',0):.0f} / {us('gemm',1):.0f} |")
