#!/usr/bin/env python3
"""Every performance target of issues #10-#13, read from the results files that
scripts/targets.sh writes (one `amxlab bench` run per group), with a verdict each.

    scripts/targets_report.py DIR      (DIR/r1, DIR/r2, ...: one round of results files
                                        each, <group>.json; or the files in DIR itself)

Each target is written in its issue's own terms (a time ratio, a speed ratio, a % of the
format ceiling, an x of the read roofline) and computed per round from what the harness
recorded: the median of the paired rounds for ceilings, rooflines and oneDNN (kernel and reference
timed back to back on the same CPUs), the hot median times otherwise. The verdict
is on the median over the rounds; the table gives their range too. A target whose case or
measurement is missing in any round is reported as "no data" with the reason, never as met.
Writes DIR/targets.md (the table) and DIR/targets.json; prints the table. Exit 0 always
(a board, not a gate): the verdicts are the output.
"""
import json
import os
import statistics
import sys


class NoData(Exception):
    pass


def load_cases(folder):
    cases = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json") or name == "targets.json":
            continue
        path = os.path.join(folder, name)
        try:
            with open(path) as f:
                doc = json.load(f)
            for c in doc.get("cases", []):
                cases[c["descriptor"]] = c
        except (OSError, ValueError, RecursionError) as e:
            raise SystemExit(f"targets_report: cannot read {path!r}: {e}")
        except (AttributeError, KeyError, TypeError) as e:
            raise SystemExit(f"targets_report: {path!r} is not an amxlab results file ({type(e).__name__}: {e})")
    return cases


def find(cases, prefix):
    """The case whose descriptor starts with `prefix:` (type:shape:tN)."""
    hits = [c for d, c in cases.items() if d.startswith(prefix + ":")]
    if not hits:
        raise NoData(f"no case {prefix}")
    c = hits[0]
    if "timing" not in c or "hot" not in c["timing"]:
        raise NoData(f"{prefix}: not timed ({c.get('verdict', '?')}: {c.get('reason', '')})")
    return c


def hot_s(c):
    return c["timing"]["hot"]["median_s"]


def onednn_s(c):
    o = c.get("onednn_timing") or {}
    if "median_s" not in o:
        raise NoData(f"{c['descriptor'].split(':kernel')[0]}: no oneDNN timing ({o.get('skipped', 'none recorded')})")
    return o["median_s"]


def speed_vs_onednn(c):
    """oneDNN's time / ours: the median of the paired rounds (`--paired-onednn`) where the
    case has them, else the two hot medians (oneDNN timed after ours: a results file
    made without the pairing)."""
    p = c["timing"].get("onednn_paired") or {}
    if "speed_vs_onednn_median" in p:
        return p["speed_vs_onednn_median"]
    return onednn_s(c) / hot_s(c)


def ceiling_pct(c):
    p = c["timing"].get("format_ceiling_paired") or {}
    if "pct_median" not in p:
        raise NoData(f"{c['descriptor'].split(':kernel')[0]}: no paired ceiling ({p.get('skipped', 'not run')})")
    return p["pct_median"]


def roofline_x(c, mode):
    t = c["timing"].get(mode) or {}
    p = t.get("roofline_paired") or {}
    if "time_vs_roofline_median" not in p:
        raise NoData(f"{c['descriptor'].split(':kernel')[0]} {mode}: no paired roofline ({p.get('skipped', 'not run')})")
    return p["time_vs_roofline_median"]


# (issue, target in the issue's words, measure(cases) -> value, comparison, goal)
def targets():
    t = []

    def add(issue, what, fn, cmp, goal):
        t.append((issue, what, fn, cmp, goal))

    add(10, "q8_0 1x256x512 1 thread: time / oneDNN u8s8s32's",
        lambda k: 1.0 / speed_vs_onednn(find(k, "q8_0:m1n256k512:t1")), "<=", 1.5)
    add(10, "q8_0 1x256x512: 2-thread time / 1-thread time", lambda k: hot_s(find(k, "q8_0:m1n256k512:t2")) /
        hot_s(find(k, "q8_0:m1n256k512:t1")), "<=", 1.1)
    add(10, "q4_0 1x1024x4096: 2-thread speed / 1-thread speed", lambda k: hot_s(find(k, "q4_0:m1n1024k4096:t1")) /
        hot_s(find(k, "q4_0:m1n1024k4096:t2")), ">=", 1.7)
    for th in (1, 2):
        for mode, goal in (("hot", 1.3), ("cold", 1.1)):
            add(10, f"q4_0 1x4096x14336 {th} thread(s), {mode}: x of the read roofline",
                lambda k, th=th, mode=mode: roofline_x(find(k, f"q4_0:m1n4096k14336:t{th}"), mode), "<=", goal)
    for ty in ("q4_K", "q5_K", "q6_K", "iq4_xs"):
        for th in (1, 2):
            for mode, goal in (("cold", 1.1), ("hot", 1.3)):
                add(11, f"{ty} 1x4096x14336 {th} thread(s), {mode}: x of the read roofline",
                    lambda k, ty=ty, th=th, mode=mode: roofline_x(find(k, f"{ty}:m1n4096k14336:t{th}"), mode),
                    "<=", goal)
    for ty, goal in (("q4_K", 0.7), ("q5_K", 0.6), ("q6_K", 0.6), ("iq4_xs", 0.6), ("iq4_nl", 0.6),
                     ("q2_K", 0.5), ("q3_K", 0.5)):
        for th in (1, 2):
            add(11, f"{ty} 512x4096x4096 {th} thread(s): speed / oneDNN s8s8's",
                lambda k, ty=ty, th=th: speed_vs_onednn(find(k, f"{ty}:m512n4096k4096:t{th}")), ">=", goal)
    for ty in ("q8_0", "q4_0", "q4_1"):
        for th in (1, 2):
            add(11, f"{ty} 512x4096x4096 {th} thread(s): % of the block format's ceiling",
                lambda k, ty=ty, th=th: ceiling_pct(find(k, f"{ty}:m512n4096k4096:t{th}")), ">=", 90.0)
    for ty, goal in (("s8", 0.95), ("u8", 0.95), ("bf16", 0.95), ("f32", 0.9)):
        for th in (1, 2):
            add(12, f"{ty} 512x4096x4096 {th} thread(s): speed / oneDNN's",
                lambda k, ty=ty, th=th: speed_vs_onednn(find(k, f"{ty}:m512n4096k4096:t{th}")), ">=", goal)
    for ty in ("s8", "u8", "bf16", "f16", "f32"):
        for th in (1, 2):
            add(12, f"{ty} 1x4096x4096 {th} thread(s): speed / oneDNN's",
                lambda k, ty=ty, th=th: speed_vs_onednn(find(k, f"{ty}:m1n4096k4096:t{th}")), ">=", 0.95)
    for th in (1, 2):
        add(12, f"f16 1x4096x14336 {th} thread(s), cold: x of the read roofline",
            lambda k, th=th: roofline_x(find(k, f"f16:m1n4096k14336:t{th}"), "cold"), "<=", 1.1)
    moe = "e128top8t512n768k2048"
    for ty in ("q4_0", "q8_0"):
        for th in (1, 2):
            add(13, f"{ty} MoE {moe} uniform {th} thread(s): speed / oneDNN's per-expert loop",
                lambda k, ty=ty, th=th: speed_vs_onednn(find(k, f"{ty}:{moe}:t{th}")),
                ">=", 1.5)
            add(13, f"{ty} MoE {moe} {th} thread(s): GOPS / dense 32x768x2048's",
                lambda k, ty=ty, th=th: find(k, f"{ty}:{moe}:t{th}")["timing"]["gops"] /
                find(k, f"{ty}:m32n768k2048:t{th}")["timing"]["gops"], ">=", 0.8)
            add(13, f"{ty} MoE e128top8t1n768k2048 {th} thread(s), cold: x of the read roofline (8 experts' bytes)",
                lambda k, ty=ty, th=th: roofline_x(find(k, f"{ty}:e128top8t1n768k2048:t{th}"), "cold"), "<=", 1.15)
    return t


def judge(rounds):
    """rounds: one {descriptor: case} per round."""
    rows = []
    for issue, what, fn, cmp, goal in targets():
        row = {"issue": issue, "target": what, "goal": f"{cmp} {goal:g}", "value": None}
        try:
            values = [fn(cases) for cases in rounds]
            v = statistics.median(values)
            met = v <= goal if cmp == "<=" else v >= goal
            row.update(value=v, rounds=values, verdict="met" if met else "NOT MET")
        except NoData as e:
            row.update(verdict="no data", why=str(e))
        rows.append(row)
    return rows


def table(rows):
    lines = ["| issue | target | goal | measured (median [range] of rounds) | verdict |", "|---|---|---|---|---|"]
    for r in rows:
        v = "-"
        if r["value"] is not None:
            v = f"{r['value']:.3g}"
            if len(r["rounds"]) > 1:
                v += f" [{min(r['rounds']):.3g}, {max(r['rounds']):.3g}]"
        verdict = r["verdict"] + (f" ({r['why']})" if "why" in r else "")
        lines.append(f"| #{r['issue']} | {r['target']} | {r['goal']} | {v} | {verdict} |")
    met = sum(r["verdict"] == "met" for r in rows)
    missed = sum(r["verdict"] == "NOT MET" for r in rows)
    lines.append("")
    lines.append(f"{met} met, {missed} not met, {len(rows) - met - missed} without data, of {len(rows)} targets")
    return "\n".join(lines)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = sys.argv[1]
    subs = sorted((d for d in os.listdir(folder) if d.startswith("r") and d[1:].isdigit()), key=lambda d: int(d[1:]))
    rounds = [load_cases(os.path.join(folder, d)) for d in subs] or [load_cases(folder)]
    rows = judge(rounds)
    text = table(rows)
    with open(os.path.join(folder, "targets.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(folder, "targets.json"), "w") as f:
        json.dump({"schema": "amxlab.targets", "rounds": len(rounds), "targets": rows}, f, indent=1)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
