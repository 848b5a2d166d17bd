#!/usr/bin/python3
"""Draws amxlab results into PNG files.

  scripts/plot.py RESULTS.json [MORE.json ...] --out DIR

- throughput-<type>-n<N>k<K>-t<T>.png: GOPS vs M for every kernel, with oneDNN's int8
  matmul of the same shape and, when the run had a calibration, the roofline
  (peak int8 or read bandwidth at the working-set size, whichever binds);
- bandwidth.png: read bandwidth vs working-set size from the calibration, per thread
  count, with the measured knees.
Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import collections
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(paths):
    docs = []
    for p in paths:
        with open(p) as f:
            doc = json.load(f)
        if doc.get("schema") != "amxlab.results":
            sys.exit(f"{p}: not an amxlab results file")
        docs.append(doc)
    return docs


def throughput_plots(docs, out):
    groups = collections.defaultdict(lambda: collections.defaultdict(list))
    onednn = collections.defaultdict(dict)
    roof = collections.defaultdict(dict)
    for doc in docs:
        for c in doc["cases"]:
            t = c.get("timing")
            if not t or "gops" not in t:
                continue
            s = c["shape"]
            key = (c["type"], s["n"], s["k"], c["threads"])
            groups[key][c.get("kernel", "?")].append((s["m"], t["gops"]))
            o = c.get("onednn_timing")
            if o and "gops" in o:
                onednn[key][s["m"]] = o["gops"]
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
            ax.plot(ms, [onednn[key][m] for m in ms], "k--", marker="s", label="oneDNN int8 (same shape)")
        if roof[key]:
            ms = sorted(roof[key])
            ax.plot(ms, [roof[key][m] for m in ms], ":", color="grey", label="measured roofline")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("M (rows of activations)")
        ax.set_ylabel("GOPS (2*M*N*K / s)")
        ax.set_title(f"{typ}  N={n} K={k}  threads={threads}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        path = os.path.join(out, f"throughput-{typ}-n{n}k{k}-t{threads}.png")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def bandwidth_plot(docs, out):
    for doc in docs:
        cal = doc.get("calibration")
        if not cal or not cal.get("bandwidth"):
            continue
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
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        path = os.path.join(out, "bandwidth.png")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return [path]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+")
    ap.add_argument("--out", default="results/local/plots")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    docs = load(args.results)
    written = throughput_plots(docs, args.out) + bandwidth_plot(docs, args.out)
    for p in written:
        print(p)
    if not written:
        print("no timed cases or calibration in the input: nothing to plot")


if __name__ == "__main__":
    main()
