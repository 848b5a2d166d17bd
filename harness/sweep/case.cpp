#include "harness/sweep/case.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <vector>

#include "harness/io/printable.h"
#include "harness/sweep/routing.h"
#include "kernels/core/error.h"
#include "kernels/registry.h"

namespace amxlab::harness {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

template <class T>
bool parse_int(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Every parse error leaves through here. Descriptors come from batch files and results
// files as well as the command line, and the message quotes them (and the bad value in
// `why`): each part escaped and bounded.
[[noreturn]] void fail(std::string_view descriptor, const std::string& field, const std::string& why) {
  throw Error("case '" + io::printable(descriptor, 300) + "': field " + io::printable(field, 80) + ": " +
              io::printable(why, 300));
}

// "e128top8t512n768k2048": experts, top_k, tokens, N, K.
void parse_moe_shape(std::string_view descriptor, std::string_view text, Case& c) {
  const size_t pt = text.find("top"), pm = text.find('t', pt == std::string_view::npos ? 0 : pt + 3),
               pn = text.find('n'), pk = text.find('k');
  const auto bad = [&](const char* why) {
    fail(descriptor, "shape", "'" + std::string(text) + "' " + why + " (MoE shape: e<E>top<k>t<T>n<N>k<K>)");
  };
  if (pt == std::string_view::npos || pm == std::string_view::npos || pn == std::string_view::npos ||
      pk == std::string_view::npos || !(pt < pm && pm < pn && pn < pk))
    bad("is not of the form e<E>top<k>t<T>n<N>k<K>");
  if (!parse_int(text.substr(1, pt - 1), c.experts) ||
      !parse_int(text.substr(pt + 3, pm - pt - 3), c.top_k) ||
      !parse_int(text.substr(pm + 1, pn - pm - 1), c.m) ||
      !parse_int(text.substr(pn + 1, pk - pn - 1), c.n) || !parse_int(text.substr(pk + 1), c.k))
    bad("has a non-integer dimension");
  if (c.experts < 1 || c.top_k < 1) bad("needs E >= 1 and top_k >= 1");
  c.route = "uniform";
}

// "m512n4096k4096": three integers after the letters m, n, k, in that order.
void parse_shape(std::string_view descriptor, std::string_view text, Case& c) {
  if (!text.empty() && text[0] == 'e') {
    parse_moe_shape(descriptor, text, c);
    return;
  }
  const size_t pn = text.find('n'), pk = text.find('k');
  if (text.empty() || text[0] != 'm' || pn == std::string_view::npos || pk == std::string_view::npos ||
      pk < pn) {
    fail(descriptor, "shape", "'" + std::string(text) + "' is not of the form m<M>n<N>k<K>");
  }
  if (!parse_int(text.substr(1, pn - 1), c.m) || !parse_int(text.substr(pn + 1, pk - pn - 1), c.n) ||
      !parse_int(text.substr(pk + 1), c.k)) {
    fail(descriptor, "shape", "'" + std::string(text) + "' has a non-integer dimension");
  }
}

// Values are printable ASCII tokens: nothing a descriptor is cut at, and no byte that
// would reach a terminal or a message raw once the case is running (kernel=<anything>
// is echoed by "unknown kernel" and every reproducer).
bool valid_value(std::string_view v) {
  if (v.empty() || v.find_first_of(":,= \t") != std::string_view::npos) return false;
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::string Case::shape() const {
  if (moe()) {
    return "e" + std::to_string(experts) + "top" + std::to_string(top_k) + "t" + std::to_string(m) + "n" +
           std::to_string(n) + "k" + std::to_string(k);
  }
  return "m" + std::to_string(m) + "n" + std::to_string(n) + "k" + std::to_string(k);
}

std::string Case::descriptor() const {
  return std::string(name(type)) + ":" + shape() + ":t" + std::to_string(threads) + ":kernel=" + kernel +
         (moe() ? ":route=" + route : std::string()) + ":place=" + place + ":numa=" + numa +
         ":aq=" + name(act_quant) + ":seed=" + std::to_string(seed);
}

Case parse_case(std::string_view d) {
  const auto fields = split(d, ':');
  if (fields.size() < 3) fail(d, "descriptor", "needs at least <type>:m<M>n<N>k<K>:t<threads>");
  Case c;
  const auto type = parse_qtype(fields[0]);
  if (!type) fail(d, "type", "unknown type '" + std::string(fields[0]) + "'");
  c.type = *type;
  parse_shape(d, fields[1], c);
  if (fields[2].size() < 2 || fields[2][0] != 't' || !parse_int(fields[2].substr(1), c.threads)) {
    fail(d, "threads", "'" + std::string(fields[2]) + "' is not of the form t<threads>");
  }
  bool seen[7] = {};
  for (size_t i = 3; i < fields.size(); ++i) {
    const auto f = fields[i];
    const size_t eq = f.find('=');
    if (eq == std::string_view::npos) fail(d, std::string(f), "expected key=value");
    const auto key = f.substr(0, eq), value = f.substr(eq + 1);
    if (!valid_value(value))
      fail(d, std::string(key), "empty value or one holding ':', ',', '=', space or a non-printable byte");
    static constexpr std::string_view kKeys[] = {"kernel", "place", "numa", "aq", "seed", "threads", "route"};
    size_t idx = 0;
    while (idx < std::size(kKeys) && kKeys[idx] != key) ++idx;
    if (idx == std::size(kKeys) || idx == 5)
      fail(d, std::string(key), "unknown key (kernel, place, numa, aq, seed, route)");
    if (seen[idx]) fail(d, std::string(key), "given twice");
    seen[idx] = true;
    switch (idx) {
      case 0: c.kernel = std::string(value); break;
      case 1:
        if (!valid_place(value))
          fail(d, "place", "'" + std::string(value) + "' is not compact, scatter or node.<i>");
        c.place = std::string(value);
        break;
      case 2:
        if (!valid_numa(value)) {
          fail(d, "numa",
               "'" + std::string(value) + "' is not local, bind.<node>, remote, interleave or replicate");
        }
        c.numa = std::string(value);
        break;
      case 3: {
        const auto v = parse_act_quant(value);
        if (!v) fail(d, "aq", "'" + std::string(value) + "' is not runtime or ref");
        c.act_quant = *v;
        break;
      }
      case 6:
        if (!c.moe())
          fail(d, "route", "applies to mixture-of-experts cases only (shape e<E>top<k>t<T>n<N>k<K>)");
        if (!parse_route(value))
          fail(d, "route", "'" + std::string(value) + "' is not uniform, zipf, one, sparse or file");
        c.route = std::string(value);
        break;
      default:
        if (!parse_int(value, c.seed))
          fail(d, "seed", "'" + std::string(value) + "' is not an unsigned integer");
        break;
    }
  }
  validate_case(c);
  return c;
}

bool valid_numa(std::string_view v) {
  if (v == "local" || v == "remote" || v == "interleave" || v == "replicate") return true;
  int node = 0;
  return v.substr(0, 5) == "bind." && parse_int(v.substr(5), node) && node >= 0;
}

bool is_test_kernel(std::string_view name) {
  return std::find(std::begin(kTestKernels), std::end(kTestKernels), name) != std::end(kTestKernels);
}

std::string test_kernel_list() {
  std::string out;
  for (const char* k : kTestKernels) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

bool valid_place(std::string_view v) {
  if (v == "compact" || v == "scatter") return true;
  int node = 0;
  return v.substr(0, 5) == "node." && parse_int(v.substr(5), node) && node >= 0;
}

void validate_case(const Case& c) {
  const std::string d = c.descriptor();
  if (c.m < 1 || c.n < 1 || c.k < 1) fail(d, "shape", "M, N and K must be >= 1");
  if (c.threads < 1 || c.threads > 4096) fail(d, "threads", "must be between 1 and 4096");
  const auto& tr = traits(c.type);
  if (!tr.weight_type && c.type != QType::U8) fail(d, "type", std::string(tr.name) + " is not a weight type");
  // A kernel no build registers, or one of another type, can run on no machine: refused
  // with the descriptor (a batch line), not left to be each case's ERROR. A registered
  // kernel this CPU cannot run is the machine's matter: SKIPPED with the reason.
  if (c.kernel.rfind("test.", 0) == 0) {
    if (!is_test_kernel(c.kernel)) fail(d, "kernel", "unknown test kernel (" + test_kernel_list() + ")");
  } else if (c.kernel != "auto" && c.kernel != "golden") {
    // A MoE case may name its two kernels, <large>+<small> (moe_kernels_named).
    const size_t plus = c.moe() ? c.kernel.find('+') : std::string::npos;
    const std::vector<std::string> parts =
        plus == std::string::npos
            ? std::vector<std::string>{c.kernel}
            : std::vector<std::string>{c.kernel.substr(0, plus), c.kernel.substr(plus + 1)};
    for (const std::string& part : parts) {
      const KernelDesc* k = find_kernel(part);
      if (k == nullptr)
        fail(d, "kernel",
             "'" + part + "' is no registered kernel (auto, golden, or a name `amxlab info` lists)");
      if (k->weight_type != c.type)
        fail(d, "kernel", part + " reads " + name(k->weight_type) + " weights, the case is " + tr.name);
    }
  }
  if (c.moe()) {
    if (c.experts > (int64_t{1} << 20) || c.top_k > c.experts)
      fail(d, "shape", "needs 1 <= top_k <= E <= 2^20 (a token's experts are distinct)");
    if (!parse_route(c.route))
      fail(d, "route", "'" + c.route + "' is not uniform, zipf, one, sparse or file");
  } else if (!c.route.empty()) {
    fail(d, "route", "applies to mixture-of-experts cases only");
  }
  // The quantiser variant (aq) is a choice of the block types' activation quantiser; the
  // plain types take their activations as they are, so aq=ref would repeat aq=runtime.
  if (!tr.block_quantized && c.act_quant == ActQuant::ref)
    fail(d, "aq", std::string(tr.name) + " quantises no activations: aq=ref applies to block types only");
  if (c.k % tr.block_elems != 0) {
    fail(d, "shape",
         "K=" + std::to_string(c.k) + " is not a multiple of the " + tr.name + " block size " +
             std::to_string(tr.block_elems));
  }
}

}  // namespace amxlab::harness
