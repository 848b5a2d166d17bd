"""B/A of the AVX-VNNI GEMV (B) against the AVX-VNNI GEMM (A) at M = 1: medians over turns."""
import glob, json, statistics, sys, re
def load(side):
    out = {}
    for f in sorted(glob.glob(f"{side}.*.json")):
        for c in json.load(open(f))["cases"]:
            key = re.sub(r":kernel=[^:]+", "", c["descriptor"]).split(":place")[0]
            for mode in ("hot", "cold"):
                t = c["timing"].get(mode)
                if t and "median_s" in t:
                    out.setdefault((key, mode), []).append(t["median_s"] * 1e6)
    return out
a, b = load("gemm"), load("gemv")
print(f"{'case':28} {'mode':4} {'A GEMM us':>22} {'B GEMV us':>22} {'B/A med':>7} {'B/A min':>7}")
for k in sorted(a):
    if k not in b: continue
    ma, mb = statistics.median(a[k]), statistics.median(b[k])
    fa = lambda v: "/".join(f"{x:.0f}" for x in v)
    print(f"{k[0]:28} {k[1]:4} {fa(a[k]):>22} {fa(b[k]):>22} {mb/ma:7.2f} {min(b[k])/min(a[k]):7.2f}")
