#!/usr/bin/env python3
"""The statistics of scripts/ab.sh: per case the bitwise verdicts of both sides, whether
any output bit moved between them, and B's speed against A with a confidence interval and
a Mann-Whitney test over the interleaved turns.

  ab_report.py split-cases CASES_B A_INFO_JSON CASES_A   cases whose kernels A has
  ab_report.py report DIR [--threshold PCT] [--base TEXT] [--no-plot]

report reads DIR/order.txt (the turns as run: a.1, b.1, b.2, a.2, ...) and DIR/<turn>.json
(amxlab results), writes DIR/ab.json and DIR/ab.png, prints a table, and exits 1 on a new
mismatch, a moved bit, or a significant slowdown beyond the threshold (else 0).

A slowdown counts when B's median time exceeds A's by more than the threshold AND the
two-sided Mann-Whitney test over the per-turn medians rejects equality at 5 % (exact
distribution: the turns are few). The interval is a percentile bootstrap (2000 resamples,
fixed seed) of the ratio of medians. Speed ratio = A's median time / B's: above 1, B is
faster.
"""
import argparse
import itertools
import json
import math
import os
import random
import sys


def kernel_names(descriptor):
    for field in descriptor.split(":"):
        if field.startswith("kernel="):
            return field[len("kernel="):].split("+")
    return []


def split_cases(cases_b, a_info, cases_a):
    try:
        with open(a_info) as f:
            known = {k["name"] for k in json.load(f).get("kernels", [])}
    except (OSError, ValueError, KeyError, TypeError):
        known = set()
    reserved = ("auto", "golden")
    with open(cases_b) as f, open(cases_a, "w") as out:
        for line in f:
            d = line.strip()
            if not d:
                continue
            names = [k for k in kernel_names(d) if k not in reserved and not k.startswith("test.")]
            if not known or all(k in known for k in names):
                out.write(d + "\n")
    return 0


def mann_whitney_p(x, y):
    """Two-sided exact p of the Mann-Whitney U statistic (ties: mid-ranks, permutation)."""
    pooled = sorted(x + y)
    def rank(v):
        lo = pooled.index(v)
        hi = lo + pooled.count(v) - 1
        return (lo + hi) / 2 + 1
    ranks = [rank(v) for v in x + y]
    nx = len(x)
    observed = sum(ranks[:nx])
    mean = nx * (len(pooled) + 1) / 2
    dev = abs(observed - mean)
    total = extreme = 0
    for combo in itertools.combinations(range(len(pooled)), nx):
        s = sum(ranks[i] for i in combo)
        total += 1
        if abs(s - mean) >= dev - 1e-9:
            extreme += 1
    return extreme / total


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def bootstrap_ci(a, b, resamples=2000, seed=12345):
    rng = random.Random(seed)
    ratios = []
    for _ in range(resamples):
        ra = [rng.choice(a) for _ in a]
        rb = [rng.choice(b) for _ in b]
        ratios.append(median(ra) / median(rb))
    ratios.sort()
    return ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]


def load_turns(folder):
    with open(os.path.join(folder, "order.txt")) as f:
        order = [line.strip() for line in f if line.strip()]
    turns = []
    for t in order:
        side, rnd = t.split(".")
        path = os.path.join(folder, t + ".json")
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit(f"ab_report: turn {t}: cannot read {path}: {e}")
        turns.append((side, int(rnd), doc))
    return order, turns


def interleaving(order, turns):
    """The turns alternate sides (A B / B A per round) and the files' start times follow
    the recorded order."""
    # Turns 2i and 2i+1 are one round: the same round number, one A and one B (B alone
    # when the base had none of the cases).
    pairs = [order[i:i + 2] for i in range(0, len(order), 2)]
    sides = {t.split(".")[0] for t in order}
    if sides == {"b"}:
        paired = True
    else:
        paired = all(len(p) == 2 and p[0].split(".")[1] == p[1].split(".")[1] and
                     {p[0].split(".")[0], p[1].split(".")[0]} == {"a", "b"} for p in pairs)
    starts = [doc.get("run", {}).get("started", "") for _, _, doc in turns]
    in_order = all(starts[i] <= starts[i + 1] for i in range(len(starts) - 1))
    return {"turns": order, "paired_rounds": paired, "start_times_in_order": in_order,
            "ok": paired and in_order}


def report(folder, threshold, base, plot):
    order, turns = load_turns(folder)
    cases = {}
    for side, rnd, doc in turns:
        for c in doc.get("cases", []):
            d = c.get("descriptor", "")
            e = cases.setdefault(d, {"a": [], "b": []})
            hot = (c.get("timing") or {}).get("hot") or {}
            # The turn's fastest repetition: interference only adds time, so the minimum
            # is the steadiest per-turn figure (measured: scripts/ab_rates.sh).
            e[side].append({"round": rnd, "verdict": c.get("verdict"), "reason": c.get("reason", ""),
                            "seconds": hot.get("min_s", hot.get("median_s")),
                            "digest": c.get("output_checksum"),
                            "kernel": c.get("kernel")})
    rows, failed = [], False
    for d, e in sorted(cases.items()):
        a, b = e["a"], e["b"]
        row = {"descriptor": d, "kernel_b": b[0]["kernel"] if b else None,
               "kernel_a": a[0]["kernel"] if a else None,
               "verdict_a": sorted({s["verdict"] for s in a}), "verdict_b": sorted({s["verdict"] for s in b})}
        alarms = []
        if not b:
            row["status"] = "gone in B"
            alarms.append("case missing in B")
        if b and any(s["verdict"] != "PASS" for s in b):
            bad = next(s for s in b if s["verdict"] != "PASS")
            alarms.append(f"B {bad['verdict']}: {bad['reason']}")
        if not a:
            row["status"] = "new in B (the base lacks its kernel)"
        da = {s["digest"] for s in a if s["digest"]}
        db = {s["digest"] for s in b if s["digest"]}
        if a and b:
            if not da or not db:
                row["bits"] = "unknown (a side records no output checksum)"
            elif len(da) > 1 or len(db) > 1:
                row["bits"] = "unstable within a side"
                alarms.append("output differs between turns of one side")
            elif da != db:
                row["bits"] = "MOVED"
                alarms.append(f"output bits moved (checksum {da.pop()} -> {db.pop()})")
            else:
                row["bits"] = "identical"
            ta = [s["seconds"] for s in a if s["seconds"]]
            tb = [s["seconds"] for s in b if s["seconds"]]
            if len(ta) >= 2 and len(tb) >= 2:
                speed = median(ta) / median(tb)
                lo, hi = bootstrap_ci(ta, tb)
                p = mann_whitney_p(ta, tb)
                row.update({"samples_a_s": ta, "samples_b_s": tb, "speed_b_over_a": speed,
                            "ci95": [lo, hi], "mann_whitney_p": p})
                slowdown = 1 / speed - 1
                if slowdown * 100 > threshold and p < 0.05:
                    alarms.append(f"slower by {100 * slowdown:.1f} % (p = {p:.3f})")
        row["alarms"] = alarms
        failed = failed or bool(alarms)
        rows.append(row)
    inter = interleaving(order, turns)
    doc = {"schema": "amxlab.ab", "schema_version": 1, "base": base, "threshold_pct": threshold,
           "interleaving": inter, "cases": rows, "pass": not failed}
    with open(os.path.join(folder, "ab.json"), "w") as f:
        json.dump(doc, f, indent=2)
    print(f"{'case':<60} {'A':<6} {'B':<6} {'bits':<10} {'B/A speed':>9} {'95% CI':>15} {'p':>6}  verdict")
    for r in rows:
        s = r.get("speed_b_over_a")
        ci = r.get("ci95")
        pv = r.get("mann_whitney_p")
        print(f"{r['descriptor'].split(':place=')[0]:<60} {','.join(r['verdict_a']) or '-':<6} "
              f"{','.join(r['verdict_b']) or '-':<6} {r.get('bits', r.get('status', '-'))[:10]:<10} "
              f"{(f'{s:.3f}' if s else '-'):>9} {(f'[{ci[0]:.3f}, {ci[1]:.3f}]' if ci else '-'):>15} "
              f"{(f'{pv:.3f}' if s else '-'):>6}  "
              f"{'; '.join(r['alarms']) if r['alarms'] else r.get('status', 'ok')}")
    print(f"interleaving: {' '.join(inter['turns'])} ({'verified' if inter['ok'] else 'NOT interleaved'})")
    if plot:
        draw(rows, os.path.join(folder, "ab.png"), base, threshold)
    print(f"ab: {'PASS' if not failed else 'FAIL'} against {base}; {os.path.join(folder, 'ab.json')}")
    return 1 if failed else 0


def draw(rows, path, base, threshold):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("ab: matplotlib missing, no plot (scripts/bootstrap.sh installs it)")
        return
    timed = [r for r in rows if r.get("speed_b_over_a")]
    if not timed:
        return
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(timed) + 1.5))
    y = range(len(timed))
    speeds = [r["speed_b_over_a"] for r in timed]
    err = [[s - r["ci95"][0] for s, r in zip(speeds, timed)], [r["ci95"][1] - s for s, r in zip(speeds, timed)]]
    colors = ["tab:red" if r["alarms"] else "tab:blue" for r in timed]
    ax.errorbar(speeds, list(y), xerr=err, fmt="none", ecolor="gray")
    ax.scatter(speeds, list(y), c=colors, zorder=3)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.axvline(1 / (1 + threshold / 100), color="tab:red", lw=0.8, ls="--")
    ax.set_yticks(list(y))
    ax.set_yticklabels([r["descriptor"].split(":place=")[0] for r in timed], fontsize=7)
    ax.set_xlabel("B/A speed (A time / B time; 95% bootstrap CI)")
    ax.set_title(f"working tree vs {base}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split-cases")
    s.add_argument("cases_b")
    s.add_argument("a_info")
    s.add_argument("cases_a")
    r = sub.add_parser("report")
    r.add_argument("folder")
    r.add_argument("--threshold", type=float, default=3.0)
    r.add_argument("--base", default="base")
    r.add_argument("--no-plot", action="store_true")
    a = p.parse_args()
    if a.cmd == "split-cases":
        return split_cases(a.cases_b, a.a_info, a.cases_a)
    return report(a.folder, a.threshold, a.base, not a.no_plot)


if __name__ == "__main__":
    sys.exit(main())
