#include "dispatch/dispatch.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/hwy_targets.h"
#include "hwy/targets.h"
#include "kernels/and_popcount.h"
#include "kernels/pack_bit_rows.h"
#include "kernels/rotate_rows.h"
#include "kernels/select_rows.h"
#include "kernels/select_top_k.h"
#include "kernels/transpose_bits.h"
#include "phase_router/error.h"

namespace phase_router {
namespace {

struct Target {
  const KernelTable* kernels;
  bool supported;
};

// Compiled targets, best first; generic last (it runs everywhere).
const std::vector<Target>& AllTargets() {
  static const std::vector<Target> targets = [] {
    std::vector<Target> all;
    const int64_t supported = hwy::SupportedTargets();
    for (const HwyTarget& t : HwyCompiledTargets()) {
      all.push_back({t.kernels, (supported & t.bit) != 0});
    }
    all.push_back({&GenericKernels(), true});
    return all;
  }();
  return targets;
}

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::atomic<const KernelTable*> g_forced{nullptr};

}  // namespace

const KernelTable& GenericKernels() {
  static constexpr KernelTable kTable = {
      "generic",
      0,
      &generic::PackBitRows,
      &generic::CountNonzeroBytes,
      &generic::RotateRowsOnRing,
      &generic::TransposeBits,
      &generic::AndPopcountRows,
      &generic::SelectLowestK,
      &generic::SelectRandomK,
      &generic::SelectRows,
      &generic::FillArcColumns,
      &CandidatesBySourceArc,
      &SelectFromCandidates,
      &generic::BuildFeistelTable,
      &generic::FeistelPermute,
  };
  return kTable;
}

std::vector<std::string> CompiledTargetNames() {
  std::vector<std::string> names;
  for (const Target& t : AllTargets()) names.push_back(t.kernels->name);
  return names;
}

std::vector<std::string> SupportedTargetNames() {
  std::vector<std::string> names;
  for (const Target& t : AllTargets()) {
    if (t.supported) names.push_back(t.kernels->name);
  }
  return names;
}

const KernelTable& KernelsFor(std::string_view name) {
  for (const Target& t : AllTargets()) {
    if (!SameName(name, t.kernels->name)) continue;
    if (!t.supported) {
      throw Error(ErrorCode::kBadOption,
                  "target '" + std::string(name) + "' is compiled but this CPU cannot run it "
                  "(supported: " + Join(SupportedTargetNames()) + ")");
    }
    return *t.kernels;
  }
  throw Error(ErrorCode::kBadOption, "unknown target '" + std::string(name) +
                                         "' (compiled: " + Join(CompiledTargetNames()) + ")");
}

void ForceKernels(std::string_view name) {
  g_forced.store(name.empty() ? nullptr : &KernelsFor(name));
}

const KernelTable& ActiveKernels() {
  if (const KernelTable* forced = g_forced.load()) return *forced;
  if (const char* env = std::getenv("PHASE_ROUTER_TARGET"); env && *env) {
    try {
      return KernelsFor(env);
    } catch (const Error& e) {
      throw Error(ErrorCode::kBadOption, std::string("PHASE_ROUTER_TARGET: ") + e.what());
    }
  }
  for (const Target& t : AllTargets()) {
    if (t.supported) return *t.kernels;
  }
  return GenericKernels();
}

}  // namespace phase_router
