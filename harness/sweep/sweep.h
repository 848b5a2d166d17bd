// Sweeps: lists of values multiplied into cases (benchdnn style), batch files of
// descriptors, and deterministic sharding.
#pragma once

#include <string>
#include <vector>

#include "harness/sweep/case.h"

namespace amxlab::harness {

struct SweepSpec {
  std::vector<std::string> kernels{"auto"};  // "all" = every registry kernel of the type
  std::vector<QType> types{QType::Q8_0};
  std::vector<int64_t> m{1}, n{4096}, k{4096};
  std::vector<int> threads{1};
  std::vector<std::string> place{"compact"};
  std::vector<std::string> numa{"local"};
  std::vector<ActQuant> act_quant{ActQuant::runtime};
  std::vector<uint64_t> seeds{1};
  // "all" leaves out the stand-ins (Engine::stand_in: another encoding of a kernel's body,
  // checked by the tests): the main job's quick every-kernel pass.
  bool all_without_stand_ins = false;
};

struct Expansion {
  std::vector<Case> cases;
  std::vector<std::string> dropped;  // "<descriptor>: <why>" for combinations that cannot exist
};

// The cross product, in a fixed order. Combinations that cannot exist (K not a multiple
// of the type's block; a kernel of another type) are listed in `dropped`, not silently lost.
Expansion expand(const SweepSpec& spec);

// Comma-separated list parsers for the CLI flags; errors name the flag and the item.
std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text);
std::vector<QType> parse_type_list(const std::string& flag, const std::string& text);
std::vector<std::string> parse_string_list(const std::string& flag, const std::string& text);

// Flags that apply to listed cases (--case, --batch), as benchdnn's modifiers apply to a
// batch: each non-empty list replaces that field in every listed case, the lists
// multiplied (--threads 1,2 runs each case at 1 and at 2 threads; --kernel all every
// registered kernel of the case's type). Type and shape are what a listed case is: they
// have no modifier. Combinations that cannot exist are listed in `dropped`, with why.
struct CaseModifiers {
  std::vector<std::string> kernels;
  std::vector<int> threads;
  std::vector<std::string> place, numa;
  std::vector<ActQuant> act_quant;
  std::vector<uint64_t> seeds;
  bool empty() const {
    return kernels.empty() && threads.empty() && place.empty() && numa.empty() && act_quant.empty() &&
           seeds.empty();
  }
};
Expansion modify(const std::vector<Case>& cases, const CaseModifiers& mods);

// A batch file: one descriptor per line; blank lines and '#' comments ignored.
// Errors name the file, the line and the field; a file that holds no case (a directory,
// an empty file, only comments) is an error too, not an empty sweep.
std::vector<Case> read_batch_file(const std::string& path);
std::vector<Case> parse_batch(const std::string& text, const std::string& source_name);

// Shard `index` of `count` (0 <= index < count): every count-th case starting at index,
// so shards are disjoint, cover the sweep, and do not depend on the machine.
std::vector<Case> shard(const std::vector<Case>& cases, int index, int count);
// A digest of the cases' descriptors in order (64-bit FNV-1a, hex): recorded before
// sharding, it tells the shards of one sweep from those of another (merge, --resume).
std::string sweep_digest(const std::vector<Case>& cases);
// Parses "i/n" as given to --shard.
void parse_shard(const std::string& text, int& index, int& count);

}  // namespace amxlab::harness
