// Compiled with -mamx-tile -mamx-int8 -mamx-bf16 (sources.cmake). Those flags only
// enable the AMX instructions (and XSAVE), which gcc never emits on its own, so the
// ordinary code of this file is baseline x86-64 code.
#include "kernels/tile/native_crosscheck.h"

#include <cstring>
#include <random>
#include <vector>

#include "kernels/tile/demo_gemm.h"
#include "kernels/tile/emulator.h"
#include "kernels/tile/native_backend.h"

namespace amxlab::tile {
namespace {

struct Spec {
  bool bf16 = false;
  int m = 1, ncb = 4, kq = 1;  // C: m x ncb, A: m x 4kq, B: kq x ncb
  int steps = 1;
  TileOp ops[3][2] = {};
  bool c_from_memory[2] = {};
  int xr = 1, xcb = 1;  // copy tile
  int perm = 0;
};

struct Region {
  std::size_t offset = 0;
  std::ptrdiff_t stride = 0;
};

struct Layout {
  Region c_in[2], a[3], b0[3], b1[3], x_in;
  Region c_out[2], x_out;
  std::size_t in_bytes = 0, out_bytes = 0;
};

std::size_t place(std::size_t& cursor, std::mt19937_64& rng, int rows, int colsb, Region& r) {
  cursor += rng() % 64;  // random misalignment
  r.offset = cursor;
  r.stride = colsb + static_cast<std::ptrdiff_t>(rng() % 3 == 0 ? 0 : rng() % 96);
  cursor += static_cast<std::size_t>((rows - 1) * r.stride + colsb);
  return cursor;
}

TileOp random_int8_op(std::mt19937_64& rng) {
  const TileOp ops[] = {TileOp::tdpbssd, TileOp::tdpbsud, TileOp::tdpbusd, TileOp::tdpbuud};
  return ops[rng() % 4];
}

Spec random_spec(std::mt19937_64& rng) {
  Spec s;
  s.bf16 = rng() % 3 == 0;
  s.m = 1 + static_cast<int>(rng() % 16);
  s.ncb = 4 * (1 + static_cast<int>(rng() % 16));
  s.kq = 1 + static_cast<int>(rng() % 16);
  if (rng() % 4 == 0) {  // full tiles a quarter of the time
    s.m = 16;
    s.ncb = 64;
    s.kq = 16;
  }
  s.steps = 1 + static_cast<int>(rng() % 3);
  for (auto& step : s.ops)
    for (auto& op : step) op = s.bf16 ? TileOp::tdpbf16ps : random_int8_op(rng);
  s.c_from_memory[0] = rng() % 2;
  s.c_from_memory[1] = rng() % 2;
  s.xr = 1 + static_cast<int>(rng() % 16);
  // Whole dwords: silicon (Emerald Rapids) raises #UD on a tile of colsb % 4 != 0
  // (README.md, "Strict checks"), so such a tile is not a program to compare.
  s.xcb = 4 * (1 + static_cast<int>(rng() % 16));
  s.perm = static_cast<int>(rng() % 4);
  return s;
}

Layout random_layout(const Spec& s, std::mt19937_64& rng) {
  Layout L;
  std::size_t in = 0, out = 0;
  for (int i = 0; i < 2; ++i) place(in, rng, s.m, s.ncb, L.c_in[i]);
  for (int st = 0; st < s.steps; ++st) {
    place(in, rng, s.m, 4 * s.kq, L.a[st]);
    place(in, rng, s.kq, s.ncb, L.b0[st]);
    place(in, rng, s.kq, s.ncb, L.b1[st]);
  }
  place(in, rng, s.xr, s.xcb, L.x_in);
  for (int i = 0; i < 2; ++i) place(out, rng, s.m, s.ncb, L.c_out[i]);
  place(out, rng, s.xr, s.xcb, L.x_out);
  L.in_bytes = in + 64;
  L.out_bytes = out + 64;
  return L;
}

uint16_t random_bf16(std::mt19937_64& rng) {
  const uint16_t sign = static_cast<uint16_t>((rng() & 1u) << 15);
  switch (rng() % 16) {
    case 0: return static_cast<uint16_t>(rng());                                                // any bits
    case 1: return static_cast<uint16_t>(sign | (1u + rng() % 127u));                           // denormal
    case 2: return sign;                                                                        // zero
    case 3: return static_cast<uint16_t>(sign | ((55u + rng() % 20u) << 7) | (rng() & 0x7fu));  // tiny
    default: return static_cast<uint16_t>(sign | ((117u + rng() % 20u) << 7) | (rng() & 0x7fu));
  }
}

void fill_inputs(const Spec& s, std::vector<uint8_t>& in, std::mt19937_64& rng) {
  if (!s.bf16) {
    const uint8_t extremes[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    const bool extreme = rng() % 4 == 0;
    for (auto& v : in) v = extreme ? extremes[rng() % 5] : static_cast<uint8_t>(rng());
    return;
  }
  for (std::size_t i = 0; i + 1 < in.size(); i += 2) {
    const uint16_t h = random_bf16(rng);
    std::memcpy(&in[i], &h, 2);
  }
  // The fp32 C inputs of bf16 programs are written by the caller (it knows the layout).
}

template <int C, int A, int B, class Tiles>
void dp(Tiles& t, TileOp op) {
  switch (op) {
    case TileOp::tdpbssd: t.template dpbssd<C, A, B>(); break;
    case TileOp::tdpbsud: t.template dpbsud<C, A, B>(); break;
    case TileOp::tdpbusd: t.template dpbusd<C, A, B>(); break;
    case TileOp::tdpbuud: t.template dpbuud<C, A, B>(); break;
    default: t.template dpbf16ps<C, A, B>(); break;
  }
}

// The random tile program, written once for both backends.
template <int C0, int C1, int A, int B0, int B1, int X, class Tiles>
void program(Tiles& t, const Spec& s, const Layout& L, const uint8_t* in, uint8_t* out) {
  t.declare_buffer(in, L.in_bytes, "in", BufferAccess::read);
  t.declare_buffer(out, L.out_bytes, "out", BufferAccess::write);
  TileConfig cfg = TileConfig::palette1();
  cfg.set(C0, s.m, s.ncb).set(C1, s.m, s.ncb).set(A, s.m, 4 * s.kq);
  cfg.set(B0, s.kq, s.ncb).set(B1, s.kq, s.ncb).set(X, s.xr, s.xcb);
  t.configure(cfg);
  if (s.c_from_memory[0])
    t.template loadd<C0>(in + L.c_in[0].offset, L.c_in[0].stride);
  else
    t.template zero<C0>();
  if (s.c_from_memory[1])
    t.template loadd<C1>(in + L.c_in[1].offset, L.c_in[1].stride);
  else
    t.template zero<C1>();
  t.template loadd<X>(in + L.x_in.offset, L.x_in.stride);
  for (int st = 0; st < s.steps; ++st) {
    t.template loadd<A>(in + L.a[st].offset, L.a[st].stride);
    t.template loadd<B0>(in + L.b0[st].offset, L.b0[st].stride);
    t.template loadd<B1>(in + L.b1[st].offset, L.b1[st].stride);
    dp<C0, A, B0>(t, s.ops[st][0]);
    dp<C1, A, B1>(t, s.ops[st][1]);
  }
  t.template stored<C0>(out + L.c_out[0].offset, L.c_out[0].stride);
  t.template stored<C1>(out + L.c_out[1].offset, L.c_out[1].stride);
  t.template stored<X>(out + L.x_out.offset, L.x_out.stride);
  t.release();
}

template <class Tiles>
void run_program(Tiles& t, const Spec& s, const Layout& L, const uint8_t* in, uint8_t* out) {
  switch (s.perm) {
    case 0: program<0, 1, 2, 3, 4, 5>(t, s, L, in, out); break;
    case 1: program<7, 6, 5, 4, 3, 2>(t, s, L, in, out); break;
    case 2: program<3, 5, 7, 1, 0, 6>(t, s, L, in, out); break;
    default: program<6, 2, 0, 7, 5, 1>(t, s, L, in, out); break;
  }
}

std::string describe(const Spec& s, uint64_t index, uint64_t seed) {
  std::string d = "program #" + std::to_string(index) + " (seed " + std::to_string(seed) +
                  "): " + (s.bf16 ? "bf16" : "int8") + " M=" + std::to_string(s.m) +
                  " C.colsb=" + std::to_string(s.ncb) + " K dwords=" + std::to_string(s.kq) +
                  " steps=" + std::to_string(s.steps) + " ops";
  for (int st = 0; st < s.steps; ++st)
    d += std::string(" ") + tile_op_name(s.ops[st][0]) + "/" + tile_op_name(s.ops[st][1]);
  d += " copy tile " + std::to_string(s.xr) + "x" + std::to_string(s.xcb) + " perm " + std::to_string(s.perm);
  return d;
}

std::string first_diff(const std::vector<uint8_t>& nat, const std::vector<uint8_t>& emu) {
  for (std::size_t i = 0; i < nat.size(); ++i)
    if (nat[i] != emu[i])
      return "first differing output byte " + std::to_string(i) + ": native " + std::to_string(nat[i]) +
             ", emulated " + std::to_string(emu[i]);
  return "";
}

void demo_check(NativeCrosscheckReport& r, std::mt19937_64& rng) {
  struct Shape {
    int m, n, k;
    bool u8;
  };
  const Shape shapes[] = {{16, 32, 64, false}, {37, 64, 128, false}, {5, 32, 192, true}, {33, 96, 64, true}};
  for (const Shape& sh : shapes) {
    std::vector<uint8_t> a(static_cast<std::size_t>(sh.m) * sh.k);
    std::vector<int8_t> b(static_cast<std::size_t>(sh.k) * sh.n);
    for (auto& v : a) v = static_cast<uint8_t>(rng());
    for (auto& v : b) v = static_cast<int8_t>(static_cast<uint8_t>(rng()));
    const std::vector<uint8_t> bp = pack_b_vnni(b.data(), sh.k, sh.n, sh.n);
    std::vector<int32_t> cn(static_cast<std::size_t>(sh.m) * sh.n, 0x5a5a5a5a);
    std::vector<int32_t> ce = cn;
    EmulatedTiles emu;
    if (sh.u8) {
      run_native([&](NativeTiles& t) {
        demo_gemm_int8<true>(t, sh.m, sh.n, sh.k, a.data(), sh.k, bp.data(), 4 * sh.n, cn.data(), sh.n);
      });
      demo_gemm_int8<true>(emu, sh.m, sh.n, sh.k, a.data(), sh.k, bp.data(), 4 * sh.n, ce.data(), sh.n);
    } else {
      run_native([&](NativeTiles& t) {
        demo_gemm_int8<false>(t, sh.m, sh.n, sh.k, a.data(), sh.k, bp.data(), 4 * sh.n, cn.data(), sh.n);
      });
      demo_gemm_int8<false>(emu, sh.m, sh.n, sh.k, a.data(), sh.k, bp.data(), 4 * sh.n, ce.data(), sh.n);
    }
    ++r.demo_runs;
    if (cn != ce && r.demo_mismatches++ == 0)
      r.first_demo_mismatch = "demo_gemm_int8 M=" + std::to_string(sh.m) + " N=" + std::to_string(sh.n) +
                              " K=" + std::to_string(sh.k) + (sh.u8 ? " u8" : " s8");
  }
}

}  // namespace

NativeCrosscheckReport run_native_tile_crosscheck(uint64_t programs, uint64_t seed, std::FILE* trace) {
  require_amx_usable();  // throws Error("AMX unusable: <reason>")
  NativeCrosscheckReport r;
  std::mt19937_64 rng(seed);
  for (uint64_t i = 0; i < programs; ++i) {
    const Spec s = random_spec(rng);
    const Layout L = random_layout(s, rng);
    std::vector<uint8_t> in(L.in_bytes);
    fill_inputs(s, in, rng);
    if (s.bf16) {
      // fp32 accumulator inputs: rows of the two C regions get fp32 values.
      for (int c = 0; c < 2; ++c)
        for (int row = 0; row < s.m; ++row)
          for (int n = 0; n < s.ncb / 4; ++n) {
            uint32_t v = static_cast<uint32_t>(rng());
            if (rng() % 4 != 0) v = (v & 0x807fffffu) | (static_cast<uint32_t>(110u + rng() % 30u) << 23);
            std::memcpy(&in[L.c_in[c].offset + static_cast<std::size_t>(row * L.c_in[c].stride) + 4 * n], &v,
                        4);
          }
    }
    std::vector<uint8_t> out_native(L.out_bytes, 0xa5);
    if (trace != nullptr) {
      std::fprintf(trace, "tile-selftest: running %s\n", describe(s, i, seed).c_str());
      std::fflush(trace);
    }
    run_native([&](NativeTiles& t) { run_program(t, s, L, in.data(), out_native.data()); });
    ++r.programs;
    if (!s.bf16) {
      ++r.int8_programs;
      std::vector<uint8_t> out_emu(L.out_bytes, 0xa5);
      EmulatedTiles emu;
      run_program(emu, s, L, in.data(), out_emu.data());
      if (out_emu != out_native && r.int8_mismatches++ == 0)
        r.first_int8_mismatch = describe(s, i, seed) + "; " + first_diff(out_native, out_emu);
    } else {
      ++r.bf16_programs;
      for (int o = 0; o < 3; ++o) {
        std::vector<uint8_t> out_emu(L.out_bytes, 0xa5);
        EmulatorOptions opt;
        opt.bf16_order = kAllBf16Orders[o];
        EmulatedTiles emu(opt);
        run_program(emu, s, L, in.data(), out_emu.data());
        if (out_emu == out_native)
          ++r.bf16_matches[o];
        else if (r.first_bf16_mismatch[o].empty())
          r.first_bf16_mismatch[o] = describe(s, i, seed) + "; " + first_diff(out_native, out_emu);
      }
    }
  }
  demo_check(r, rng);
  return r;
}

}  // namespace amxlab::tile
