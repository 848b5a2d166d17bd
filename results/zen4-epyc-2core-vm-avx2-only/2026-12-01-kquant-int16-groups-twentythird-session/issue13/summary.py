#!/usr/bin/env python3
"""Issue #13's cases over the rounds moe.*.json: medians [min, max] of our hot time, of
oneDNN's time over ours in the same case, and of the paired cold read-roofline ratio."""
import glob, json, statistics as st
rows = {}
for f in sorted(glob.glob("moe.*.json")):
    for c in json.load(open(f))["cases"]:
        d = c["descriptor"].split(":place")[0].replace(":kernel=auto", "")
        t = c["timing"]
        r = rows.setdefault(d, {"ms": [], "x": [], "cold": []})
        r["ms"].append(t["hot"]["median_s"] * 1e3)
        o = c.get("onednn_timing") or {}
        if o.get("median_s"):
            r["x"].append(o["median_s"] / t["hot"]["median_s"])
        p = (t.get("cold") or {}).get("roofline_paired") or {}
        if p.get("time_vs_roofline_median"):
            r["cold"].append(p["time_vs_roofline_median"])
f = lambda v: "%.2f [%.2f, %.2f]" % (st.median(v), min(v), max(v)) if v else "-"
print("| case | ours ms | x oneDNN | cold x read roofline (paired) |\n|---|---|---|---|")
for d, r in rows.items():
    print(f"| {d} | {st.median(r['ms']):.2f} | {f(r['x'])} | {f(r['cold'])} |")
