#!/usr/bin/python3
"""Puts an `amxlab model` projection next to the same inventory at fixed reference rates.

  scripts/model_rates.py MODEL.json [MORE.json ...] [--gemv-us 647] [--gemm-gops 602]

The reference (issue #14's yardstick): llama.cpp's CPU kernels on this kind of machine,
2 threads, measured outside the lab: a Q4_0 1x4096x14336 GEMV in 647 us (its weights,
4096 x 14336 x 18/32 bytes, streamed at that rate) and a Q4_0 512x4096x4096 GEMM at
602 GOPS. Decode at the reference rate = the GGUF bytes a token reads (each matmul
tensor's bytes x its count; expert tensors: top_k of E experts) at the GEMV's bytes/s;
prefill = the operations per token (2 N K per tensor, expert tensors x top_k, the LM
head one row per 512-token batch) at the GEMM's GOPS. Prints ours / reference per file;
the issue's goal is <= 0.5 for both. A projection of several rounds (`amxlab model
--rounds R`) also shows the rounds' range of each ratio.
"""
import argparse
import json


def spread(p, ref_dec, ref_pre):
    """The rounds' range of the decode (cold) and prefill ratios, or '-' for one round."""
    r = p.get("rounds")
    if not r:
        return "-"
    dec, pre = r["ours"]["decode_ms_per_token"], r["ours"]["prefill_ms_per_token"]
    return (f"{r['rounds']}: [{dec['min'] / ref_dec:.2f}, {dec['max'] / ref_dec:.2f}], "
            f"[{pre['min'] / ref_pre:.2f}, {pre['max'] / ref_pre:.2f}]")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+")
    ap.add_argument("--gemv-us", type=float, default=647.0)
    ap.add_argument("--gemm-gops", type=float, default=602.0)
    args = ap.parse_args()
    bytes_per_s = 4096 * 14336 * 18 / 32 / (args.gemv_us * 1e-6)
    print("| file | threads | ours decode ms/tok cold (hot) | reference decode | ratio cold (hot) | ours prefill ms/tok |"
          " reference prefill | ratio | oneDNN decode / prefill ms/tok | covered | rounds: ratio cold decode, prefill [min, max] |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for path in args.results:
        try:
            with open(path) as f:
                doc = json.load(f)
            m = doc["model"]
        except (OSError, ValueError, RecursionError) as e:
            raise SystemExit(f"model_rates: cannot read {path!r}: {e}")
        except (KeyError, TypeError) as e:
            raise SystemExit(f"model_rates: {path!r} is not an amxlab model results file ({type(e).__name__}: {e})")
        p, inv = m["projection"], m["inventory"]
        top_k, experts = inv.get("top_k", 0), inv.get("experts", 0)
        dec_bytes = ops = 0.0
        for c in p["cases"]:
            shape = c["shape"]
            n = int(shape.split("n")[-1].split("k")[0])
            k = int(shape.split("k")[-1])
            frac = top_k / experts if shape.startswith("e") else 1.0
            dec_bytes += c["bytes_each"] * c["count"] * frac
            rows = (top_k if shape.startswith("e") else 1) * (1.0 / 512 if c.get("lm_head") else 1.0)
            ops += 2.0 * n * k * c["count"] * rows
        ref_dec = dec_bytes / bytes_per_s * 1e3
        ref_pre = ops / (args.gemm_gops * 1e9) * 1e3
        o, d = p["ours"], p["onednn"]
        hot = o.get("decode_hot_ms_per_token", o["decode_ms_per_token"])
        print(f"| {path.split('/')[-1]} | {p['threads']} | {o['decode_ms_per_token']:.2f} ({hot:.2f}) | {ref_dec:.2f} | "
              f"{o['decode_ms_per_token'] / ref_dec:.2f} ({hot / ref_dec:.2f}) | {o['prefill_ms_per_token']:.3f} | {ref_pre:.3f} | "
              f"{o['prefill_ms_per_token'] / ref_pre:.2f} | {d['decode_ms_per_token']:.2f} / {d['prefill_ms_per_token']:.3f} | "
              f"{100 * p['covered_fraction']:.0f} % | {spread(p, ref_dec, ref_pre)} |")


if __name__ == "__main__":
    main()
