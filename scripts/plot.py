#!/usr/bin/python3
"""Draws amxlab results into PNG files.

  scripts/plot.py RESULTS.json [MORE.json ...] [--out DIR]

Inputs: results files (amxlab.results, schema_version 1: check, bench, run, numa, model,
merge) and calibration files (amxlab calibrate --out: amxlab.calibration.v1). A file that
is neither is refused with a one-line error (exit 2); the folder DIR is made only when
there is something to draw.

- throughput-<type>-n<N>k<K>-t<T>.png: GOPS vs M for every kernel, with oneDNN's int8
  matmul of the same shape and, when the run had a calibration, the roofline
  (peak int8 or read bandwidth at the working-set size, whichever binds);
- ratio-<type>-t<T>.png (s8, u8, bf16, f16, f32): speed / oneDNN's vs M, one line per (N, K);
- bandwidth.png: read bandwidth vs working-set size from a calibration file, or from the
  calibration a results file carries (run with --calibration), per thread count, with the
  measured knees (bandwidth-2.png, ... for further, different calibrations);
- moe-<type>-e<E>top<k>n<N>k<K>-t<T>.png (mixture-of-experts cases): GOPS of the routed
  work vs tokens per batch T, per routing: ours hot and over rotating routings (cold),
  oneDNN's per-expert matmul loop, the emulated AMX kernels' Sapphire Rapids model (one
  core; not a measurement), and our dense GEMM at M = T * top_k / E = 32 when the run
  has it;
- model-<model>-t<T>.png (from `amxlab model`): each tensor class's share of the matmul
  time per token, decode and prefill, ours and oneDNN's totals in the title;
- numa-<type>-m<M>-n<N>k<K>.png (from `amxlab numa` or any run with several NUMA
  policies): GB/s of GGUF weight bytes vs threads, one line per policy and thread
  placement, hot (solid) and cold (dashed), the observed page placement in the legend.
Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import collections
import json
import os
import re
import sys

RESULTS_SCHEMA = "amxlab.results"
# The only version the C++ reader accepts (kResultsSchemaVersion, harness/results/results_file.h).
RESULTS_SCHEMA_VERSION = 1
CALIBRATION_SCHEMA = "amxlab.calibration.v1"

plt = None  # matplotlib.pyplot, imported by use_matplotlib() once the arguments are read


def use_matplotlib():
    global plt
    try:
        import matplotlib
    except ImportError:
        sys.exit(
            f"plot.py: this Python ({sys.executable}) has no matplotlib: run the script as "
            "scripts/plot.py (it starts /usr/bin/python3, where scripts/bootstrap.sh installs "
            "python3-matplotlib), or install matplotlib for this Python"
        )
    matplotlib.use("Agg")
    import matplotlib.pyplot

    plt = matplotlib.pyplot


def fail(message):
    """A one-line error on stderr, exit 2 (bad input)."""
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(2)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_calibration(cal, where):
    """The bandwidth curve bandwidth_plot() reads: a list of {bytes, threads, gbps}."""
    bw = cal.get("bandwidth")
    if bw is None:
        return
    if not isinstance(bw, list):
        fail(f'{where}: "bandwidth" is not a list')
    for i, point in enumerate(bw):
        if not isinstance(point, dict) or not all(is_number(point.get(k)) for k in ("bytes", "threads", "gbps")):
            fail(f'{where}: bandwidth[{i}] is not {{bytes, threads, gbps}} with numbers')


def check_case(c, where):
    """What every plot reads of a case without looking first: its type, threads and shape
    (and, when present, the MoE fields and the timings as objects)."""
    if not isinstance(c.get("type"), str) or not c["type"]:
        fail(f'{where}: "type" is not a non-empty string')
    if not is_number(c.get("threads")) or c["threads"] < 1:
        fail(f'{where}: "threads" is not a number >= 1')
    s = c.get("shape")
    if not isinstance(s, dict) or not all(is_number(s.get(k)) for k in ("m", "n", "k")):
        fail(f'{where}: "shape" is not {{m, n, k}} with numbers')
    if "moe" in c:
        e = c["moe"]
        if not isinstance(e, dict) or not all(is_number(e.get(k)) for k in ("experts", "top_k")) \
                or not isinstance(e.get("route"), str):
            fail(f'{where}: "moe" is not {{experts, top_k, route}} with numbers and a string')
    for k in ("timing", "onednn_timing"):
        if c.get(k) is not None and not isinstance(c[k], dict):
            fail(f'{where}: "{k}" is not an object')


def load_one(p):
    if os.path.isdir(p):
        fail(f"{p}: is a directory, not a results file")
    try:
        with open(p, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        fail(f"{p}: no such file")
    except OSError as e:
        fail(f"{p}: cannot read it: {e.strerror or e}")
    if not raw.strip():
        fail(f"{p}: empty file, not an amxlab results file")
    try:
        doc = json.loads(raw)
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
        fail(f"{p}: not JSON ({e})")
    except RecursionError:  # nested deeper than the parser's recursion limit
        fail(f"{p}: not JSON that can be read here (nested too deeply)")
    if not isinstance(doc, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(doc), "a number")
        fail(f"{p}: the JSON is {kind}, not an object: not an amxlab results file")
    schema = doc.get("schema")
    if schema == CALIBRATION_SCHEMA:
        if not isinstance(doc.get("bandwidth"), list):
            fail(f'{p}: calibration file without a "bandwidth" list')
        check_calibration(doc, p)
        # A results document with no cases that carries this calibration.
        return {"schema": RESULTS_SCHEMA, "schema_version": RESULTS_SCHEMA_VERSION, "cases": [], "calibration": doc}
    if schema != RESULTS_SCHEMA:
        what = "no \"schema\"" if schema is None else f"schema {json.dumps(schema)[:80]}"
        fail(f"{p}: {what}: not an amxlab results file ({RESULTS_SCHEMA}) or calibration file ({CALIBRATION_SCHEMA})")
    version = doc.get("schema_version")
    if not is_number(version) or version != RESULTS_SCHEMA_VERSION:
        fail(f"{p}: schema_version {json.dumps(version)[:40]} is not supported (this script reads "
             f"{RESULTS_SCHEMA_VERSION})")
    if not isinstance(doc.get("cases"), list):
        fail(f'{p}: "cases" is not a list')
    if not all(isinstance(c, dict) for c in doc["cases"]):
        fail(f'{p}: "cases" holds something that is not an object')
    for i, c in enumerate(doc["cases"]):
        check_case(c, f"{p}: cases[{i}]")
    if isinstance(doc.get("calibration"), dict):
        check_calibration(doc["calibration"], f"{p}: calibration")
    return doc


def load(paths):
    return [load_one(p) for p in paths]


def save(fig, ax, path, written, **legend):
    ax.grid(True, alpha=0.3)
    ax.legend(**legend)
    fig.tight_layout()
    folder = os.path.dirname(path) or "."
    if os.path.exists(folder) and not os.path.isdir(folder):
        fail(f"--out {folder}: exists and is not a folder")
    try:
        os.makedirs(folder, exist_ok=True)  # only once there is a figure
        fig.savefig(path, dpi=110)
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror or e}")
    plt.close(fig)
    written.append(path)


def vs_m_axes(ax, ylabel, title):
    ax.set_xscale("log", base=2)
    ax.set_xlabel("M (rows of activations)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def throughput_plots(docs, out):
    groups = collections.defaultdict(lambda: collections.defaultdict(list))
    onednn = collections.defaultdict(dict)
    onednn_kind = {}
    roof = collections.defaultdict(dict)
    for doc in docs:
        for c in doc["cases"]:
            t = c.get("timing")
            if not t or "gops" not in t or "moe" in c:
                continue
            numa = c.get("numa") if isinstance(c.get("numa"), dict) else {}
            if numa.get("policy", "local") != "local" or numa.get("place", "compact") != "compact":
                continue  # placement experiments go to the numa plots
            s = c["shape"]
            key = (c["type"], s["n"], s["k"], c["threads"])
            groups[key][c.get("kernel", "?")].append((s["m"], t["gops"]))
            o = c.get("onednn_timing")
            if o and "gops" in o:
                onednn[key][s["m"]] = o["gops"]
                onednn_kind[key] = o.get("kind", "int8")
            if "roofline_gops" in t:
                roof[key][s["m"]] = t["roofline_gops"]
    written = []
    for key, kernels in sorted(groups.items()):
        typ, n, k, threads = key
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for kernel, pts in sorted(kernels.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=kernel)
        if onednn[key]:
            ms = sorted(onednn[key])
            kind = onednn_kind.get(key, "int8").split(" ")[0]
            ax.plot(ms, [onednn[key][m] for m in ms], "k--", marker="s", label=f"oneDNN {kind} (same shape)")
        if roof[key]:
            ms = sorted(roof[key])
            ax.plot(ms, [roof[key][m] for m in ms], ":", color="grey", label="measured roofline")
        vs_m_axes(ax, "GOPS (2*M*N*K / s)", f"{typ}  N={n} K={k}  threads={threads}")
        save(fig, ax, os.path.join(out, f"throughput-{typ}-n{n}k{k}-t{threads}.png"), written, fontsize=8)
    return written


def ratio_plots(docs, out):
    """ratio-<type>-t<T>.png: our GOPS / oneDNN's GOPS vs M, one line per (N, K), for the
    types that oneDNN runs on the same terms (s8, u8, bf16, f32; f16 against its f32)."""
    series = collections.defaultdict(lambda: collections.defaultdict(dict))
    for doc in docs:
        for c in doc["cases"]:
            t, o = c.get("timing"), c.get("onednn_timing")
            if not t or not o or "gops" not in t or "gops" not in o or not o["gops"]:
                continue
            if c["type"] not in ("s8", "u8", "bf16", "f16", "f32") or "moe" in c:
                continue
            s = c["shape"]
            series[(c["type"], c["threads"])][(s["n"], s["k"])][s["m"]] = t["gops"] / o["gops"]
    written = []
    for (typ, threads), lines in sorted(series.items()):
        if not any(len(v) > 1 for v in lines.values()):
            continue
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for (n, k), pts in sorted(lines.items()):
            ms = sorted(pts)
            ax.plot(ms, [pts[m] for m in ms], marker="o", label=f"N={n} K={k}")
        ax.axhline(1.0, color="k", linestyle="--", linewidth=1)
        vs_m_axes(ax, "speed / oneDNN's (same shape, threads)", f"{typ}  threads={threads}: kernel=auto vs oneDNN")
        save(fig, ax, os.path.join(out, f"ratio-{typ}-t{threads}.png"), written, fontsize=8)
    return written


def moe_plots(docs, out):
    series = collections.defaultdict(lambda: collections.defaultdict(dict))
    dense = {}
    for doc in docs:
        for c in doc["cases"]:
            t = c.get("timing") or {}
            s = c["shape"]
            if "moe" not in c:
                if "gops" in t:
                    dense[(c["type"], s["n"], s["k"], c["threads"], s["m"])] = t["gops"]
                continue
            e = c["moe"]
            key = (c["type"], e["experts"], e["top_k"], s["n"], s["k"], c["threads"])
            route = e["route"]
            if t.get("kind") == "model" and t.get("modelled_gops_one_core"):
                series[key][f"{c['kernel']} {route} (SPR model, one core)"][s["m"]] = t["modelled_gops_one_core"]
                continue
            if "gops" not in t:
                continue
            ops = 2.0 * s["m"] * e["top_k"] * s["n"] * s["k"]
            series[key][f"ours {route} hot"][s["m"]] = t["gops"]
            if t.get("cold", {}).get("median_s"):
                series[key][f"ours {route} rotating routings"][s["m"]] = ops / t["cold"]["median_s"] * 1e-9
            o = c.get("onednn_timing") or {}
            if o.get("gops"):
                series[key][f"oneDNN per-expert loop {route}"][s["m"]] = o["gops"]
    written = []
    for key, lines in sorted(series.items()):
        typ, experts, top_k, n, k, threads = key
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        for label, pts in sorted(lines.items()):
            ts = sorted(pts)
            style = "k--" if label.startswith("oneDNN") else (":" if "model" in label else "-")
            ax.plot(ts, [pts[x] for x in ts], style, marker="o", label=label)
        m_mean = max(1, 512 * top_k // experts)
        d = dense.get((typ, n, k, threads, m_mean))
        if d:
            ax.axhline(d, color="grey", linestyle="-.", linewidth=1, label=f"ours dense M={m_mean} (hot)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("T (tokens per batch)")
        ax.set_ylabel("GOPS (2 * T * top_k * N * K / s)")
        ax.set_title(f"{typ} MoE  E={experts} top-{top_k} N={n} K={k}  threads={threads}")
        save(fig, ax, os.path.join(out, f"moe-{typ}-e{experts}top{top_k}n{n}k{k}-t{threads}.png"), written,
             fontsize=7)
    return written


def model_plots(docs, out):
    written = []
    for doc in docs:
        m = doc.get("model")
        if not m or not m.get("projection"):
            continue
        p = m["projection"]
        classes = sorted(p.get("classes", {}).items())
        if not classes:
            continue
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
        names = [c for c, _ in classes]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], [100 * v["decode_share"] for _, v in classes], width=0.4, label="decode (M=1)")
        ax.bar([x + 0.2 for x in xs], [100 * v["prefill_share"] for _, v in classes], width=0.4, label="prefill (M=512)")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(names, rotation=15, fontsize=8)
        ax.set_ylabel("% of matmul time per token")
        o, d = p["ours"], p["onednn"]
        # A run with --no-onednn has zero oneDNN totals: say so rather than plot "0.0 tok/s".
        if d["decode_tokens_per_s"] > 0 or d["prefill_tokens_per_s"] > 0:
            theirs = f"{d['decode_tokens_per_s']:.1f} / {d['prefill_tokens_per_s']:.1f}"
            theirs += " (some cases not timed)" if "note" in d else ""
        else:
            theirs = "not measured"
        ax.set_title(f"{m['inventory']['source']}\nours: decode {o['decode_tokens_per_s']:.1f} tok/s, prefill "
                     f"{o['prefill_tokens_per_s']:.1f}; oneDNN: {theirs}  "
                     f"({100 * p['covered_fraction']:.0f} % of weights covered)", fontsize=8)
        slug = re.sub(r"[^A-Za-z0-9_.]+", "-", m["inventory"]["source"].replace("manifest ", "").replace("recipe ", ""))
        save(fig, ax, os.path.join(out, f"model-{slug.strip('-')}-t{p['threads']}.png"), written, fontsize=8)
    return written


def bandwidth_plot(docs, out):
    """bandwidth.png from the first calibration with a bandwidth curve; bandwidth-2.png, ...
    from any different one (results files of one calibration carry equal copies)."""
    written, seen = [], []
    for doc in docs:
        cal = doc.get("calibration")
        if not isinstance(cal, dict) or not cal.get("bandwidth") or cal in seen:
            continue
        seen.append(cal)
        by_threads = collections.defaultdict(list)
        for p in cal["bandwidth"]:
            by_threads[p["threads"]].append((p["bytes"], p["gbps"]))
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for t, pts in sorted(by_threads.items()):
            pts.sort()
            ax.plot([b / 2**20 for b, _ in pts], [g for _, g in pts], marker=".", label=f"{t} thread(s)")
        for knee in cal.get("knees", []):
            b = knee["bytes"] if isinstance(knee, dict) else knee
            ax.axvline(b / 2**20, color="grey", linestyle=":")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("working set (MiB)")
        ax.set_ylabel("read bandwidth (GB/s)")
        ax.set_title("measured read bandwidth (amxlab calibrate)")
        name = "bandwidth.png" if len(seen) == 1 else f"bandwidth-{len(seen)}.png"
        save(fig, ax, os.path.join(out, name), written, fontsize=8)
    return written


def numa_plots(docs, out):
    groups = collections.defaultdict(lambda: collections.defaultdict(lambda: {"hot": [], "cold": []}))
    observed = {}
    for doc in docs:
        for c in doc["cases"]:
            t, numa = c.get("timing"), c.get("numa")
            if not t or not isinstance(numa, dict) or "weight_bytes" not in t or "status" not in numa:
                continue
            s = c["shape"]
            key = (c["type"], s["m"], s["n"], s["k"])
            line = f'{numa.get("policy", "?")} / {numa.get("place", "?")}'
            for which in ("hot", "cold"):
                if which in t and t[which].get("median_s"):
                    groups[key][line][which].append((c["threads"], t["weight_bytes"] / t[which]["median_s"] * 1e-9))
            obs = numa.get("observed") or {}
            observed[(key, line)] = " ".join(f"n{n}:{100 * f:.0f}%" for n, f in sorted(obs.items()))
    written = []
    for key, lines in sorted(groups.items()):
        if len(lines) < 2:
            continue  # one policy only for this shape: the throughput plots say it all
        typ, m, n, k = key
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for i, (line, pts) in enumerate(sorted(lines.items())):
            color = f"C{i % 10}"
            for which, style in (("hot", "-"), ("cold", "--")):
                p = sorted(pts[which])
                if p:
                    label = f"{line} [{observed.get((key, line), '')}]" if which == "hot" else None
                    ax.plot([x for x, _ in p], [y for _, y in p], style, color=color, marker="o", label=label)
        ax.set_xlabel("threads")
        ax.set_ylabel("GB/s of GGUF weights (solid hot, dashed cold)")
        ax.set_title(f"NUMA placement  {typ}  M={m} N={n} K={k}")
        save(fig, ax, os.path.join(out, f"numa-{typ}-m{m}-n{n}k{k}.png"), written, fontsize=7,
             title="policy / place [observed pages]", title_fontsize=7)
    return written


def why_nothing(docs):
    """Why no figure came out of these (valid) documents, in one line."""
    cases = [c for d in docs for c in d["cases"]]
    timed = [c for c in cases if isinstance(c.get("timing"), dict) and
             ("gops" in c["timing"] or c["timing"].get("modelled_gops_one_core"))]
    if not cases:
        what = "no cases"
    elif not timed:
        what = (f"none of the {len(cases)} case(s) has a timing (checks and emulated dense cases have none: "
                "time cases with amxlab bench, run, numa or model)")
    else:
        what = (f"the {len(timed)} timed case(s) fit no figure (throughput plots take numa=local "
                "place=compact, ratio plots two M values of one N, K, NUMA plots two policies of one shape)")
    return (f"{what}, and no calibration bandwidth curve (pass the file from amxlab calibrate --out, "
            "or a results file run with --calibration)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+", metavar="FILE.json",
                    help="results files (amxlab check/bench/run/numa/model/merge) or calibration files "
                         "(amxlab calibrate --out)")
    ap.add_argument("--out", default="results/local/plots", metavar="DIR",
                    help="folder for the PNG files (default: %(default)s); made only when there is "
                         "something to draw")
    args = ap.parse_args()
    docs = load(args.results)
    use_matplotlib()
    written = (throughput_plots(docs, args.out) + ratio_plots(docs, args.out) + moe_plots(docs, args.out) +
               model_plots(docs, args.out) + bandwidth_plot(docs, args.out) + numa_plots(docs, args.out))
    for p in written:
        print(p)
    if not written:
        print(f"plot.py: nothing to plot, nothing written to {args.out}: {why_nothing(docs)}")


if __name__ == "__main__":
    main()
