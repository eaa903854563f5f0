// No heap allocation per step: global operator new/delete are replaced with counting versions;
// after construction and one warm-up step, 50 further steps of every scheduler over 1000 param
// groups must allocate nothing, with arguments shared by all groups and given per group.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

#include "cases.hpp"
#include "composite_cases.hpp"

namespace {
std::atomic<long> g_allocations{0};
double* volatile g_sink = nullptr;
}

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t& t) noexcept {
  return operator new(size, t);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

int main() {
  constexpr std::size_t kGroups = 1000;
  constexpr int kSteps = 50;
  int failures = 0;
  {  // the counter sees the standard library's allocations
    const long before = g_allocations.load();
    std::vector<double> v(kGroups);
    g_sink = v.data();  // keeps the allocation from being optimized away
    if (g_allocations.load() - before != 1) {
      std::printf("FAIL: the counting operator new is not in use\n");
      return 1;
    }
  }
  std::vector<std::string> names = cases::kNames;
  names.insert(names.end(), cases::kPerGroupNames.begin(), cases::kPerGroupNames.end());
  for (const std::string& name : names) {
    lrcore::ParamGroups g = cases::make_groups(name, kGroups);
    cases::Run run = cases::make(name, g, kSteps + 1);
    run.step(1.0);  // warm-up: scratch buffers take their size
    const long before = g_allocations.load();
    for (int t = 0; t < kSteps; ++t) run.step(1.0);  // a constant metric: plateaus reduce
    const long count = g_allocations.load() - before;
    std::printf("%s %-16s %ld allocations in %d steps of %zu groups\n", count ? "FAIL" : "ok  ",
                name.c_str(), count, kSteps, kGroups);
    failures += count != 0;
  }
  for (const std::string& name : composite_cases::kNames) {  // plateau restarts, warmups
    lrcore::ParamGroups g = composite_cases::make_groups(kGroups);
    composite_cases::Run run = composite_cases::make(name, g, 2 * kSteps + 1);
    run.step(1.0);
    const long before = g_allocations.load();
    for (int t = 0; t < 2 * kSteps; ++t) run.step(1.0);  // past every milestone and warmup
    const long count = g_allocations.load() - before;
    std::printf("%s %-26s %ld allocations in %d steps of %zu groups\n", count ? "FAIL" : "ok  ",
                name.c_str(), count, 2 * kSteps, kGroups);
    failures += count != 0;
  }
  return failures == 0 ? 0 : 1;
}
