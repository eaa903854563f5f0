// ns per group per step for every scheduler (the configurations of tests/cpp/cases.hpp), over 1
// and 1000 param groups (lrcore::ParamGroups). Each figure is the best of 5 timed runs of about
// 2M group-steps (the 59 steps after a warm-up step of freshly built 60-step schedules). Schedules whose per-step factor is shared by all groups are
// marked "shared": their target is <= 2 ns/group at 1000 groups.
//
//   bench_groups [NAME...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

#include "cases.hpp"

namespace {

bool shared_factor(const std::string& name) {
  for (const char* s : {"step", "multistep", "constant", "linear", "exponential", "polynomial",
                        "cosine", "sequential", "sequential3", "chained"})
    if (name == s) return true;
  return false;
}

double ns_per_group_step(const std::string& name, std::size_t n) {
  // Each run is the tests' 60-step schedule, rebuilt between runs (untimed), so that lrs stay
  // in range (millions of ExponentialLR steps would reach subnormals, then zero).
  const int chunk = 60;
  const long group_steps = 2'000'000;
  const long chunks = std::max<long>(group_steps / (chunk * static_cast<long>(n)), 4);
  const int repeats = 5;
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    double ns = 0;
    for (long c = 0; c < chunks; ++c) {
      lrcore::ParamGroups g = cases::make_groups(name, n);
      cases::Run run = cases::make(name, g, chunk + 1);
      run.step(1.0);  // warm-up: scratch buffers take their size
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 1; i < chunk; ++i) run.step(1.0);
      const auto t1 = std::chrono::steady_clock::now();
      ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
    }
    best = std::min(best, ns / static_cast<double>(chunks * (chunk - 1)) / static_cast<double>(n));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) names = cases::kNames;
  std::printf("%-16s %14s %14s  %s\n", "scheduler", "1 group", "1000 groups", "(ns/group/step)");
  for (const std::string& name : names) {
    const double one = ns_per_group_step(name, 1);
    const double thousand = ns_per_group_step(name, 1000);
    std::printf("%-16s %14.2f %14.2f  %s\n", name.c_str(), one, thousand,
                shared_factor(name) ? (thousand <= 2.0 ? "shared, <= 2 ns" : "shared, OVER 2 ns")
                                    : "");
    std::fflush(stdout);
  }
  return 0;
}
