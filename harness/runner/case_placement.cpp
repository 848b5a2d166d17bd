#include "harness/runner/case_placement.h"

#include <cstring>
#include <map>
#include <mutex>

#include "harness/numa/planner.h"
#include "harness/numa/verify.h"

namespace amxlab::harness {

// Hands a PackedWeights the memory PlacedWeights already placed and touched (one copy).
// Owns nothing: PlacedWeights frees it.
class CasePlacement::Borrowed final : public MemoryResource {
 public:
  Borrowed(std::span<std::byte> region, std::string description)
      : region_(region), description_(std::move(description)) {}
  void* allocate(size_t bytes) override {
    require(!taken_ && bytes <= region_.size(),
            "placed weights: " + std::to_string(bytes) + " bytes do not fit the placed " +
                std::to_string(region_.size()) + " (or the region is taken)");
    taken_ = true;
    return region_.data();
  }
  void deallocate(void*, size_t) noexcept override { taken_ = false; }
  std::string describe() const override { return description_; }

 private:
  std::span<std::byte> region_;
  std::string description_;
  bool taken_ = false;
};

const topo::Topology& machine_topology() {
  static const topo::Topology t = topo::discover();
  return t;
}

int parse_page_query(const std::string& spec) {
  if (spec == "move_pages") return -1;
  if (spec == "unavailable") return -2;
  const std::string digits = spec.rfind("lie:", 0) == 0 ? spec.substr(4) : std::string();
  const bool ok =
      !digits.empty() && digits.size() <= 4 && digits.find_first_not_of("0123456789") == std::string::npos;
  if (!ok) throw Error("--page-query '" + spec + "': expected move_pages, unavailable or lie:<node number>");
  return std::stoi(digits);
}

std::shared_ptr<threading::ThreadPool> pool_on(const std::vector<int>& cpus) {
  static std::mutex mutex;
  static std::map<std::vector<int>, std::weak_ptr<threading::ThreadPool>> pools;
  const std::lock_guard<std::mutex> lock(mutex);
  std::weak_ptr<threading::ThreadPool>& slot = pools[cpus];
  if (auto live = slot.lock()) return live;
  auto fresh = std::make_shared<threading::ThreadPool>(cpus);
  slot = fresh;
  return fresh;
}

namespace {

std::unique_ptr<numa::PageQuery> make_page_query(const std::string& spec) {
  const int lie = parse_page_query(spec);
  if (lie == -1) return std::make_unique<numa::MovePagesQuery>();
  if (lie == -2) {
    // As on a kernel without NUMA support: every query fails.
    return std::make_unique<numa::FakePageQuery>(
        [](const void*) -> int { throw Error("move_pages: Function not implemented (simulated)"); },
        "unavailable");
  }
  return std::make_unique<numa::FakePageQuery>([lie](const void*) { return lie; },
                                               "lie (every page on node " + std::to_string(lie) + ")");
}

}  // namespace

CasePlacement::CasePlacement(const Case& c, const PlacementOptions& options) : options_(options) {
  const topo::Topology& topology = machine_topology();
  const numa::Placement place = numa::parse_placement(c.place);
  const numa::Policy policy = numa::parse_policy(c.numa);
  slots_ = numa::plan_workers(topology, place, c.threads);
  plan_ = numa::plan_placement(policy, topology, slots_);
  if (plan_.skipped) throw CaseSkipped("numa=" + policy.name() + " cannot be realised here: " + plan_.reason);
  std::vector<int> cpus;
  cpus.reserve(slots_.size());
  for (const auto& s : slots_) cpus.push_back(s.cpu);
  pool_ = pool_on(cpus);
  report_["place"] = place.name();
}

ParallelFor CasePlacement::parallel_for() {
  std::shared_ptr<threading::ThreadPool> pool = pool_;
  return [pool](int64_t count, const std::function<void(int64_t)>& fn) { pool->parallel_for(count, fn); };
}

void CasePlacement::place(const PackedWeights& packed) {
  require(placed_ == nullptr, "CasePlacement::place: the weights are already placed");
  // Place, touch from the pinned workers, then copy the packed bytes in: the pages are
  // where the policy put them before a byte of weights is written.
  const size_t bytes = packed.bytes().size();
  placed_ =
      std::make_unique<numa::PlacedWeights>(plan_, slots_, bytes, numa::AllocOptions{options_.hugepages});
  placed_->touch();
  copies_.reserve(static_cast<size_t>(placed_->copies()));
  for (int i = 0; i < placed_->copies(); ++i) {
    borrowed_.push_back(std::make_unique<Borrowed>(placed_->copy(i), placed_->memory_description()));
    copies_.push_back(packed.empty_like(*borrowed_.back()));  // expert stacking kept
    std::memcpy(copies_.back().mutable_bytes().data(), packed.bytes().data(), bytes);
  }
  for (const auto& s : slots_) {
    const std::byte* mine = placed_->for_worker(s.worker).data();
    for (const auto& copy : copies_) {
      if (copy.bytes().data() == mine) of_worker_.push_back(&copy);
    }
  }
  require(of_worker_.size() == slots_.size(), "placed weights: a worker has no copy to read");

  const auto query = make_page_query(options_.page_query);
  const std::string place_name = report_.value("place", std::string());
  numa::PlacementReport r;
  try {
    r = placed_->verify(*query);
  } catch (const Error& e) {
    // Without move_pages (a kernel without NUMA, a seccomp profile that refuses it) the
    // pages of numa=local — placed by plain first touch, no system call — cannot be read
    // back, but the case means what it says; any other policy promised a placement.
    if (plan_.policy.kind != numa::PolicyKind::local) throw;
    r.policy = plan_.policy.name();
    r.status = "unverified";
    r.expected = plan_.expected;
    r.backend = query->name();
    r.memory = placed_->memory_description();
    r.reason = std::string("page nodes cannot be read here: ") + e.what();
  }
  report_ = numa::to_json(r);
  report_["place"] = place_name;
  report_["workers"] = numa::describe(slots_);
  report_["worker_nodes"] = numa::worker_nodes(slots_);
  report_["oversubscribed"] = numa::oversubscription_note(slots_);
  report_["hugepages_requested"] = options_.hugepages;
  report_["copies"] = placed_->copies();
  flagged_ = r.flagged;
  flag_reason_ = r.reason;
}

CasePlacement::~CasePlacement() = default;

}  // namespace amxlab::harness
