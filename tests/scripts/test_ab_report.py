#!/usr/bin/env python3
"""scripts/ab_report.py on hand-made turns (CTest `ab_report`, fast): the verdict logic
without builds. Each case below is a results file written here with known samples,
verdicts and digests, so the expected outcome is known without running any kernel.

  test_ab_report.py REPO
"""
import json
import os
import subprocess
import sys
import tempfile

repo = sys.argv[1]
tool = os.path.join(repo, "scripts", "ab_report.py")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def case(desc, t, verdict="PASS", digest="00000000000000aa", kernel="q8_0_gemv_1x64__avx512vnni"):
    return {"descriptor": desc, "kernel": kernel, "verdict": verdict, "reason": "" if verdict == "PASS" else "x",
            "output_checksum": digest, "timing": {"hot": {"median_s": t}}}


def write_turns(folder, order, cases_of):
    """cases_of(side, round) -> list of case records."""
    os.makedirs(folder, exist_ok=True)
    for i, turn in enumerate(order):
        side, rnd = turn.split(".")
        doc = {"run": {"started": f"20261128T0000{i:02d}Z"}, "cases": cases_of(side, int(rnd))}
        with open(os.path.join(folder, turn + ".json"), "w") as f:
            json.dump(doc, f)
    with open(os.path.join(folder, "order.txt"), "w") as f:
        f.write("\n".join(order) + "\n")


def report(folder, *extra):
    r = subprocess.run([sys.executable, tool, "report", folder, "--no-plot", *extra], capture_output=True, text=True)
    with open(os.path.join(folder, "ab.json")) as f:
        return r.returncode, json.load(f), r.stdout


order = ["a.1", "b.1", "b.2", "a.2", "a.3", "b.3", "b.4", "a.4", "a.5", "b.5"]
D = "q8_0:m1n64k64:t1:kernel=auto:place=compact:numa=local:aq=runtime:seed=1"
N = "q8_0:m1n64k64:t1:kernel=q8_0_gemv_new__avx512vnni:place=compact:numa=local:aq=runtime:seed=1"
jitter = [1.00, 1.02, 0.99, 1.01, 0.98]

with tempfile.TemporaryDirectory() as tmp:
    # Same code: equal digests, overlapping times -> exit 0, bits identical, interleaving ok.
    same = os.path.join(tmp, "same")
    write_turns(same, order, lambda s, r: [case(D, 1e-4 * jitter[r - 1] * (1.005 if s == "b" else 1))])
    rc, j, out = report(same)
    check(rc == 0, f"same code: exit {rc}\n{out}")
    check(j["cases"][0]["bits"] == "identical", "same code: bits not identical")
    check(j["interleaving"]["ok"], "same code: interleaving not verified")

    # B 10 % slower on every turn -> significant, beyond 3 % -> exit 1 with "slower by".
    slow = os.path.join(tmp, "slow")
    write_turns(slow, order, lambda s, r: [case(D, 1e-4 * jitter[r - 1] * (1.10 if s == "b" else 1))])
    rc, j, out = report(slow)
    check(rc == 1 and any("slower by" in a for a in j["cases"][0]["alarms"]), f"slowdown missed: exit {rc}\n{out}")
    check(j["cases"][0]["mann_whitney_p"] < 0.05, "slowdown: p not < 0.05")
    # ... but not beyond a 20 % threshold -> exit 0.
    rc, j, out = report(slow, "--threshold", "20")
    check(rc == 0, f"10 % slower under a 20 % threshold: exit {rc}")

    # One bit moved: B's digest differs although both pass -> exit 1, MOVED.
    moved = os.path.join(tmp, "moved")
    write_turns(moved, order, lambda s, r: [case(D, 1e-4, digest="00000000000000ab" if s == "b" else "00000000000000aa")])
    rc, j, out = report(moved)
    check(rc == 1 and j["cases"][0]["bits"] == "MOVED", f"moved bit missed: exit {rc}\n{out}")

    # B fails its check -> exit 1.
    bad = os.path.join(tmp, "bad")
    write_turns(bad, order, lambda s, r: [case(D, 1e-4, verdict="FAIL" if s == "b" else "PASS")])
    rc, j, out = report(bad)
    check(rc == 1 and any(a.startswith("B FAIL") for a in j["cases"][0]["alarms"]), f"B failure missed: {out}")

    # A kernel the base lacks: the case is only in B's turns -> "new in B", no alarm.
    new = os.path.join(tmp, "new")
    write_turns(new, order, lambda s, r: [case(D, 1e-4)] + ([case(N, 1e-4, kernel="q8_0_gemv_new__avx512vnni")] if s == "b" else []))
    rc, j, out = report(new)
    row = next(c for c in j["cases"] if c["descriptor"] == N)
    check(rc == 0 and row["status"].startswith("new in B") and not row["alarms"], f"new kernel: exit {rc}\n{out}")

    # Not interleaved (all A turns, then all B turns) -> recorded as such.
    blocked = os.path.join(tmp, "blocked")
    write_turns(blocked, ["a.1", "a.2", "b.1", "b.2"], lambda s, r: [case(D, 1e-4)])
    rc, j, out = report(blocked)
    check(not j["interleaving"]["ok"], "AABB order reported as interleaved")

    # split-cases: a case naming a kernel the base lacks is dropped from A's list.
    cb, info, ca = (os.path.join(tmp, x) for x in ("cases.b.txt", "info.json", "cases.a.txt"))
    with open(cb, "w") as f:
        f.write(f"{D}\n{N}\nq4_0:e8top2t4n64k64:t1:kernel=q4_0_gemm_4x32__avx512vnni+q4_0_gemv_1x64__avx512vnni\n")
    with open(info, "w") as f:
        json.dump({"kernels": [{"name": n} for n in
                               ("q8_0_gemv_1x64__avx512vnni", "q4_0_gemm_4x32__avx512vnni", "q4_0_gemv_1x64__avx512vnni")]}, f)
    subprocess.run([sys.executable, tool, "split-cases", cb, info, ca], check=True)
    with open(ca) as f:
        kept = [line.strip() for line in f if line.strip()]
    check(len(kept) == 2 and N not in kept, f"split-cases kept {kept}")

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("PASS: ab_report: same code passes; slowdown, moved bit, B failure flagged; new kernel reported; "
      "interleaving checked; split-cases drops what the base lacks")
