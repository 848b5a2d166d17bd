// `amxlab calibrate`: measured compute peaks, read-bandwidth curve and cache knees of
// this machine (harness/calibrate), printed as a table and written as JSON for
// `amxlab bench/run --calibration FILE`.
#include <fmt/core.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/calibrate/calibration.h"
#include "harness/cli/commands.h"
#include "harness/cli/machine_info.h"
#include "harness/cli/time_tag.h"
#include "harness/cli/whole_number.h"
#include "harness/io/atomic_write.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::cli {
namespace {

struct CalibrateFlags {
  std::vector<int> threads;
  bool quick = false;
  bool json = false;
  std::string out;
  std::string max_bytes;
};

uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page)
                               : uint64_t{1} << 34;
}

// "256M", "1G", "65536", "32K" (binary multiples).
uint64_t parse_size(const std::string& text) {
  std::string digits = text;
  uint64_t mult = 1;
  if (!digits.empty()) {
    const char s = static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back())));
    if (s == 'K' || s == 'M' || s == 'G') {
      mult = s == 'K' ? (1ull << 10) : s == 'M' ? (1ull << 20) : (1ull << 30);
      digits.pop_back();
    }
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    throw Error("--max-bytes: '" + io::printable(text, 80) + "' is not a size (e.g. 268435456, 256M, 1G)");
  // More than 12 digits is more than any memory here: the check below says so.
  const uint64_t value = digits.size() > 12 ? UINT64_MAX / 2 : std::stoull(digits);
  // The read loop allocates the working set: more than the machine's memory would end
  // in the OOM killer, and value * mult must not wrap.
  const uint64_t memory = physical_memory_bytes();
  if (value == 0 || value > memory / 2 / mult)
    throw Error("--max-bytes: '" + io::printable(text, 80) +
                "' must be more than 0 and at most half of this machine's " + std::to_string(memory >> 20) +
                " MiB of memory");
  return value * mult;
}

int run_calibrate(const CalibrateFlags& f, const CLI::App& cmd) {
  calibrate::CalibrateOptions o;
  o.threads = f.threads;
  o.quick = f.quick;
  if (cmd.count("--max-bytes") > 0) o.max_bytes = parse_size(f.max_bytes);  // '' is not a size
  if (cmd.count("--out") > 0 && f.out.empty()) throw Error("--out: an empty path");
  // Progress goes to stderr so that --json leaves stdout to the document.
  o.progress = [](const std::string& line) { fmt::print(stderr, "  {}\n", line); };
  const std::string path = !f.out.empty() ? f.out : "results/local/calibration-" + utc_time_tag() + ".json";
  // Everything that can be refused is refused before minutes of measuring.
  calibrate::check_options(o);
  if (std::filesystem::is_directory(path))
    throw Error("--out " + io::printable(path, 200) + " is a directory: name a file");
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::absolute(path).parent_path(), ec);
  if (ec) throw Error("--out " + io::printable(path, 200) + ": cannot create its folder: " + ec.message());

  fmt::print(stderr, "amxlab calibrate ({}): measuring...\n", f.quick ? "quick" : "full");
  calibrate::Calibration c = calibrate::run_calibration(o);

  const nlohmann::json info = machine_info();  // after measuring: it starts oneDNN (OpenMP) threads
  c.llc_bytes = calibrate::llc_bytes_of(info["topology"]["caches"]);
  for (const int t : c.threads) {
    if (c.cold_bytes_from_llc(t))
      c.notes.push_back(fmt::format(
          "{} thread(s): no knee of the curve ends above twice the reported last-level cache ({} MiB): "
          "cold working sets use {} MiB (a larger --max-bytes may find the curve's own knee)",
          t, c.llc_bytes >> 20, c.cold_bytes(t) >> 20));
  }
  nlohmann::json doc = calibrate::to_json(c);
  doc["machine"] = {{"cpu", info["cpu"]}, {"topology", info["topology"]}, {"build", info["build"]}};
  doc["measured_at"] = utc_time_tag();

  const std::string text = doc.dump(2) + "\n";
  io::write_file_atomically(path, text);

  if (f.json) {
    fmt::print("{}", text);
  } else {
    fmt::print("{}", calibrate::format_table(c));
  }
  fmt::print(stderr, "calibration: {}\n", path);
  return 0;
}

}  // namespace

void register_calibrate_command(CLI::App& app) {
  auto f = std::make_shared<CalibrateFlags>();
  auto* cmd = app.add_subcommand(
      "calibrate", "measure compute peaks, read bandwidth over working-set sizes and the cache knees");
  cmd->add_option("--threads", f->threads, "thread counts, e.g. 1,2 (default: 1 and all allowed CPUs)")
      ->default_str("1,all")
      ->delimiter(',')
      ->check(whole_number(1, 4096));
  cmd->add_flag("--quick", f->quick, "fewer sizes (x2 steps up to 256 MiB), shorter timings (CI)");
  cmd->add_flag("--json", f->json, "print the JSON document instead of the table");
  cmd->add_option("--out", f->out, "JSON file to write (default results/local/calibration-<time>.json)");
  cmd->add_option("--max-bytes", f->max_bytes, "largest working set, e.g. 1G (default 1G, quick 256M)");
  cmd->callback([f, cmd] {
    const int rc = run_calibrate(*f, *cmd);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace amxlab::cli
