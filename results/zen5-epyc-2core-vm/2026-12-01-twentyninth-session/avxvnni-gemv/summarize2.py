"""Interleaved A (AVX-VNNI GEMM) / B (AVX-VNNI GEMV) at M = 1: per case, B/A of the
median and of the fastest repetition, paired by seed (A and B ran back to back), then
the median over the seeds."""
import json, re, statistics
cases = json.load(open("interleaved.json"))["cases"]
rec = {}
for c in cases:
    d = c["descriptor"]
    side = "B" if "_gemv_" in d else "A"
    seed = re.search(r"seed=(\d+)", d).group(1)
    key = re.sub(r":kernel=[^:]+", "", d).split(":place")[0]
    for mode in ("hot", "cold"):
        t = c["timing"].get(mode)
        if t and "median_s" in t:
            rec.setdefault((key, mode), {}).setdefault(seed, {})[side] = (t["median_s"], t["min_s"])
print(f"{'case':24} {'mode':4} {'A med us':>9} {'B med us':>9} {'B/A med (per seed)':>28} {'B/A min':>7}")
for (key, mode), seeds in sorted(rec.items()):
    pairs = [v for v in seeds.values() if "A" in v and "B" in v]
    r_med = [v["B"][0] / v["A"][0] for v in pairs]
    r_min = [v["B"][1] / v["A"][1] for v in pairs]
    a = statistics.median(v["A"][0] for v in pairs) * 1e6
    b = statistics.median(v["B"][0] for v in pairs) * 1e6
    print(f"{key:24} {mode:4} {a:9.0f} {b:9.0f} {statistics.median(r_med):6.2f} ({' '.join(f'{x:.2f}' for x in r_med)}) {statistics.median(r_min):7.2f}")
