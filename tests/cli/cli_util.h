// Running the amxlab binary from tests: a command line in, exit status and output out.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace amxlab::testing {

inline const std::string kAmxlab = AMXLAB_BINARY;
inline const std::string kData = std::string(AMXLAB_TEST_DATA_DIR);

struct CommandResult {
  int status = -1;
  std::string output;
};

// Runs `amxlab <args>` through the shell, capturing stdout and stderr.
inline CommandResult run_amxlab(const std::string& args) {
  CommandResult r;
  const std::string cmd = kAmxlab + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

// A file's whole text ("" where it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(read_text(path));
}

// A path under /tmp for this test process. Every such path (file or folder) is removed
// when the process exits: a failed assertion returns before a test's own cleanup, and
// CI used to leave ~470 files behind per run.
inline std::string temp_file(const std::string& name) {
  struct Cleanup {
    std::vector<std::string> paths;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& p : paths) std::filesystem::remove_all(p, ec);
    }
  };
  static Cleanup cleanup;
  std::string path = "/tmp/amxlab-test-" + std::to_string(getpid()) + "-" + name;
  cleanup.paths.push_back(path);
  return path;
}

// Runs `amxlab <args> --out <temp file>` and returns the command's result with the
// results document it wrote (null when it wrote none); the file is removed.
struct SweepResult {
  CommandResult command;
  nlohmann::json doc;
};
inline SweepResult run_sweep_to_json(const std::string& args) {
  const std::string out = temp_file("sweep.json");
  SweepResult r{run_amxlab(args + " --out " + out), nullptr};
  std::ifstream in(out);
  if (in) r.doc = nlohmann::json::parse(in, nullptr, false);
  std::remove(out.c_str());
  return r;
}

// Runs `amxlab <args> --out <temp file>` for a single case and returns its record (the
// command's exit status in *status when given); the file is removed.
inline nlohmann::json run_single_case(const std::string& args, int* status = nullptr) {
  const std::string out = temp_file("single.json");
  const CommandResult r = run_amxlab(args + " --out " + out);
  if (status != nullptr) *status = r.status;
  nlohmann::json c = read_json(out)["cases"][0];
  std::remove(out.c_str());
  return c;
}

}  // namespace amxlab::testing
