#!/usr/bin/env python3
"""scripts/targets_report.py on hand-made results files (CTest `targets_report`, fast),
and scripts/targets.sh --list against it: the verdicts without running a benchmark.

  test_targets_report.py REPO AMXLAB

1. Known figures give known verdicts: met, NOT MET on either side of a goal, "no data"
   (with the reason) for a missing case, a case without oneDNN timing, a failed case and
   a case without paired rounds; targets.md and targets.json are written.
2. Every case a target reads is one that `scripts/targets.sh --list` makes: a results
   file holding exactly the listed cases, each with every measurement, leaves no target
   without data (the board and its groups cannot drift apart).
"""
import json
import os
import subprocess
import sys
import tempfile

repo, amxlab = sys.argv[1], sys.argv[2]
tool = os.path.join(repo, "scripts", "targets_report.py")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def case(desc, hot_s, onednn_s=None, ceiling=None, roof=None, gops=None, verdict="PASS"):
    t = {"hot": {"median_s": hot_s}, "gops": gops if gops is not None else 1.0 / hot_s}
    if ceiling is not None:
        t["format_ceiling_paired"] = {"pct_median": ceiling}
    for mode, x in (roof or {}).items():
        t.setdefault(mode, {"median_s": hot_s})["roofline_paired"] = {"time_vs_roofline_median": x}
    c = {"descriptor": desc + ":kernel=auto:place=compact:numa=local:aq=runtime:seed=1", "verdict": verdict,
         "timing": t}
    if onednn_s is not None:
        c["onednn_timing"] = {"median_s": onednn_s}
    else:
        c["onednn_timing"] = {"skipped": "oneDNN has no f16 matmul here"}
    return c


def run(folder):
    p = subprocess.run([sys.executable, tool, folder], capture_output=True, text=True)
    check(p.returncode == 0, f"report exit {p.returncode}: {p.stderr}")
    with open(os.path.join(folder, "targets.json")) as f:
        rows = json.load(f)["targets"]
    check(os.path.exists(os.path.join(folder, "targets.md")), "targets.md not written")
    return {r["target"]: r for r in rows}, p.stdout


with tempfile.TemporaryDirectory() as tmp:
    # 1. Known figures.
    d1 = os.path.join(tmp, "known")
    os.makedirs(d1)
    cases = [
        case("q8_0:m1n256k512:t1", 1.2e-6, onednn_s=1.0e-6),       # 1.2 <= 1.5: met
        case("q8_0:m1n256k512:t2", 1.5e-6, onednn_s=1.0e-6),       # 1.5 / 1.2 = 1.25 > 1.1: NOT MET
        case("q4_0:m1n1024k4096:t1", 30e-6, onednn_s=20e-6),
        case("q4_0:m1n1024k4096:t2", 20e-6, onednn_s=20e-6),       # 1.5 < 1.7: NOT MET
        case("q4_0:m512n4096k4096:t1", 0.03, ceiling=91.0),        # met
        case("q4_0:m512n4096k4096:t2", 0.016, ceiling=89.9),       # NOT MET
        case("q4_1:m512n4096k4096:t1", 0.03),                      # no paired ceiling: no data
        case("q4_K:m1n4096k14336:t1", 1e-3, roof={"hot": 1.29, "cold": 1.11}),
        # The paired rounds' median (0.96), not the hot medians' 2.0, where a case has them.
        case("s8:m512n4096k4096:t1", 0.01, onednn_s=0.02),
        case("f16:m1n4096k4096:t1", 1e-3),                         # no oneDNN: no data
        case("bf16:m1n4096k4096:t1", 1e-3, onednn_s=0.96e-3, verdict="FAIL"),
    ]
    del cases[-1]["timing"]  # a failed case has no timing
    cases[-3]["timing"]["onednn_paired"] = {"speed_vs_onednn_median": 0.96}
    with open(os.path.join(d1, "a.json"), "w") as f:
        json.dump({"cases": cases}, f)
    rows, out = run(d1)
    expect = {
        "q8_0 1x256x512 1 thread: time / oneDNN u8s8s32's": ("met", 1.2),
        "q8_0 1x256x512: 2-thread time / 1-thread time": ("NOT MET", 1.25),
        "q4_0 1x1024x4096: 2-thread speed / 1-thread speed": ("NOT MET", 1.5),
        "q4_0 512x4096x4096 1 thread(s): % of the block format's ceiling": ("met", 91.0),
        "q4_0 512x4096x4096 2 thread(s): % of the block format's ceiling": ("NOT MET", 89.9),
        "q4_K 1x4096x14336 1 thread(s), hot: x of the read roofline": ("met", 1.29),
        "q4_K 1x4096x14336 1 thread(s), cold: x of the read roofline": ("NOT MET", 1.11),
        "s8 512x4096x4096 1 thread(s): speed / oneDNN's": ("met", 0.96),
    }
    for target, (verdict, value) in expect.items():
        r = rows.get(target)
        check(r is not None, f"no row '{target}'")
        if r is None:
            continue
        check(r["verdict"] == verdict, f"{target}: {r['verdict']}, want {verdict}")
        check(r["value"] is not None and abs(r["value"] - value) < 1e-9, f"{target}: value {r['value']}, want {value}")
    no_data = {
        "q4_1 512x4096x4096 1 thread(s): % of the block format's ceiling": "no paired ceiling",
        "f16 1x4096x4096 1 thread(s): speed / oneDNN's": "no oneDNN timing (oneDNN has no f16 matmul here)",
        "bf16 1x4096x4096 1 thread(s): speed / oneDNN's": "not timed (FAIL",
        "q5_K 1x4096x14336 1 thread(s), cold: x of the read roofline": "no case q5_K:m1n4096k14336:t1",
    }
    for target, why in no_data.items():
        r = rows.get(target, {})
        check(r.get("verdict") == "no data" and why in r.get("why", ""), f"{target}: {r}, want no data ({why})")
    check("met," in out and "not met" in out and "without data" in out, f"summary line missing: {out[-200:]}")

    # Rounds (r1, r2, r3): the median decides, the range is shown; a case missing from one
    # round leaves its target without data.
    d3 = os.path.join(tmp, "rounds")
    for i, (t1, onednn) in enumerate(((1.0e-6, 1.0e-6), (1.6e-6, 1.0e-6), (1.4e-6, 1.0e-6)), start=1):
        os.makedirs(os.path.join(d3, f"r{i}"))
        cs = [case("q8_0:m1n256k512:t1", t1, onednn_s=onednn)]
        if i != 2:
            cs.append(case("q4_0:m512n4096k4096:t1", 0.03, ceiling=95.0))
        with open(os.path.join(d3, f"r{i}", "small.json"), "w") as f:
            json.dump({"cases": cs}, f)
    rows, out = run(d3)
    r = rows["q8_0 1x256x512 1 thread: time / oneDNN u8s8s32's"]
    check(r["verdict"] == "met" and abs(r["value"] - 1.4) < 1e-9 and len(r["rounds"]) == 3,
          f"rounds: {r} (want the median 1.4 of 1.0, 1.6, 1.4: met)")
    check("1.4 [1, 1.6]" in out, f"rounds: no range in the table: {out[:400]}")
    r = rows["q4_0 512x4096x4096 1 thread(s): % of the block format's ceiling"]
    check(r["verdict"] == "no data", f"a case missing from round 2: {r}")

    # 2. The cases targets.sh lists, each with every measurement: no target without data.
    env = dict(os.environ, AMXLAB=amxlab)
    p = subprocess.run([os.path.join(repo, "scripts", "targets.sh"), "--list"], capture_output=True, text=True,
                       env=env, cwd=tmp)
    check(p.returncode == 0, f"targets.sh --list: exit {p.returncode}: {p.stderr}")
    listed = [line.split(":kernel=")[0] for line in p.stdout.splitlines() if line and not line.startswith("#")]
    check(len(listed) >= 60, f"targets.sh --list gave {len(listed)} cases")
    d2 = os.path.join(tmp, "listed")
    os.makedirs(d2)
    full = [case(d, 1e-3, onednn_s=1e-3, ceiling=90.0, roof={"hot": 1.0, "cold": 1.0}) for d in listed]
    with open(os.path.join(d2, "all.json"), "w") as f:
        json.dump({"cases": full}, f)
    rows, out = run(d2)
    missing = [f"{t}: {r.get('why')}" for t, r in rows.items() if r["verdict"] == "no data"]
    check(not missing, "targets without a listed case: " + "; ".join(missing))

    # 3. A file cut short (an interrupted round) or not a results file: one line that names
    # it and exit 1, not a traceback.
    for name, text, want in (("cut.json", '{"cases": [', "cannot read"),
                             ("list.json", "[1, 2]", "is not an amxlab results file")):
        d4 = os.path.join(tmp, "bad-" + name)
        os.makedirs(d4)
        with open(os.path.join(d4, name), "w") as f:
            f.write(text)
        p = subprocess.run([sys.executable, tool, d4], capture_output=True, text=True)
        check(p.returncode == 1 and want in p.stderr and name in p.stderr and "Traceback" not in p.stderr,
              f"{name}: exit {p.returncode}, stderr {p.stderr[-300:]!r}")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("targets_report: all checks passed")
