#!/usr/bin/env python3
# Writes the probe's variants of kernels/vnni/kqn_gemv_tile.h (as of commit 54b6a06) into
# the current folder, each a copy with one change (probes only: noepi and loadonly give
# wrong results on purpose), and one translation unit per variant exposing run_<name>().
import sys
src = open(sys.argv[1] if len(sys.argv) > 1 else "kernels/vnni/kqn_gemv_tile.h").read()

def sub(s, old, new):
    assert old in s, old[:60]
    return s.replace(old, new)

EPI = """        sum[s] = _mm512_add_epi32(sum[s], _mm512_add_epi32(_mm512_mullo_epi32(dlo[s], scales(q)),
                                                           _mm512_mullo_epi32(dhi[s], scales(kPairs + q))));"""
UNPACK = """          __m512i lo, hi;
          if constexpr (X && has_unpack_x(KIND)) {"""
ROWS = """#pragma GCC unroll 8
      for (int r = 0; r < kRowsPerSub; ++r) {
        const int kk = q * kRowsPerSub + r;
        const __m512i alo =
            _mm512_set1_epi32(load_i32(ab + kq_records::kQ8KCodeOffset + 4 * static_cast<size_t>(kk)));
        const __m512i ahi =
            _mm512_set1_epi32(load_i32(ab + kq_records::kQ8KCodeOffset + 128 + 4 * static_cast<size_t>(kk)));
#pragma GCC unroll 4
        for (int s = 0; s < NS; ++s) {"""
REC = "for (int s = 0; s < NS; ++s) rec[s] = ws[s] + static_cast<size_t>(b) * R::kBytes;"
ORDER = "const StripOrder<kNS> order(g.n0 / 16, (g.n1 + 15) / 16, true);"

v = {"base": src}
# noepi: the per-pair VPMULLD epilogue replaced by one add (wrong results: timing only)
v["noepi"] = sub(src, EPI, "        (void)scales;\n        sum[s] = _mm512_add_epi32(sum[s], _mm512_add_epi32(dlo[s], dhi[s]));")
# loadonly: noepi, and every code row only XORed into a chain (no unpack, no VPDPBUSD)
v["loadonly"] = sub(v["noepi"], UNPACK, "          dlo[s] = _mm512_xor_si512(dlo[s], raw);\n          if constexpr (true) continue;\n" + UNPACK)
# sr: strips outer, rows inner within each sub-block pair (512-byte runs per stream in program order)
v["sr"] = sub(src, ROWS, ROWS.replace("#pragma GCC unroll 8\n      for (int r = 0; r < kRowsPerSub; ++r) {", "#pragma GCC unroll 4\n      for (int s = 0; s < NS; ++s) {\n#pragma GCC unroll 8\n        for (int r = 0; r < kRowsPerSub; ++r) {", 1).replace("#pragma GCC unroll 4\n        for (int s = 0; s < NS; ++s) {", ""))
# interleaved records: a tile's 4 strips stored record by record (one ascending stream per tile)
def inter(s):
    s = sub(s, REC, "for (int s = 0; s < NS; ++s) rec[s] = w + (static_cast<size_t>(ts.first) * g.superblocks + static_cast<size_t>(b) * NS + s) * R::kBytes;")
    return sub(s, ORDER, ORDER.replace("true", "false"))
v["ibase"] = inter(src)
v["iload"] = inter(v["loadonly"])
# wide: a tile's four strips stored row by row (headers of the four, then code row kk of
# strip 0..3 for kk = 0..31): one strictly ascending stream per tile
ROW = "_mm512_loadu_si512(rec[s] + R::kR.nib_row(kk))"
def wide(s):
    s = sub(s, REC, "const uint8_t* tb = w + (static_cast<size_t>(ts.first) * g.superblocks + static_cast<size_t>(b) * NS) * R::kBytes;\n    for (int s = 0; s < NS; ++s) rec[s] = tb + s * R::kR.header_bytes;")
    s = sub(s, ORDER, ORDER.replace("true", "false"))
    return sub(s, ROW, "_mm512_loadu_si512(tb + NS * R::kR.header_bytes + NS * (R::kR.nib_row(kk) - R::kR.header_bytes) + 64 * s)")
v["wbase"] = wide(src)
v["wload"] = wide(v["loadonly"])
# rolled: the row loop not unrolled (each load instruction walks its stream 64 bytes at a time)
RROLL = "#pragma GCC unroll 8\n      for (int r = 0; r < kRowsPerSub; ++r) {"
v["rbase"] = sub(src, RROLL, RROLL.replace("unroll 8", "unroll 1"))
v["rload"] = sub(v["loadonly"], RROLL, RROLL.replace("unroll 8", "unroll 1"))
# pf<b|l><KiB><t0|t2>: one prefetch per strip and super-block, KiB ahead in the strip's stream
for tag, body in (("b", src), ("l", v["loadonly"])):
    for ahead in (8, 16, 32):
        for hint in ("T0", "T2"):
            v[f"pf{tag}{ahead}{hint.lower()}"] = sub(body, REC, REC + f"\n    for (int s = 0; s < NS; ++s) _mm_prefetch(reinterpret_cast<const char*>(rec[s] + {ahead * 1024}), _MM_HINT_{hint});")
for name, text in v.items():
    open(f"{name}.h", "w").write(text)
    open(f"v_{name}.cpp", "w").write(f'#include "{name}.h"\nnamespace amxlab::vnni::raw {{\nvoid run_{name}(const KqArgs& g) {{ drive<kNibQ4_K, false>(g); }}\n}}\n')
