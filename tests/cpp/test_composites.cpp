// lrcore's extensions beyond torch in C++ (composites holding a ReduceLROnPlateau, WarmupLR),
// against the trajectories tests/test_cpp.py writes from torch's schedulers driven by
// tests/_oracles.py (tests/_composite_cases.py, same case names as composite_cases.hpp):
// test_composites DIR reads DIR/composites_NAME.traj and DIR/composites_metrics.txt and requires
// the same bits from stepping, from a clone stepped on a copy of the groups (what simulate()
// runs), and from a scheduler rebuilt on other groups that loads the state saved at step K
// (after a JSON round trip) and continues. A WarmupLR must put its lrs back into the groups
// when its state is loaded: the rebuilt one's groups hold other lrs.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

#include "composite_cases.hpp"
#include "trajectory.hpp"

namespace {

using namespace lrcore;
using trajectory::read_lines;
using trajectory::same;
constexpr std::size_t kCut = 23;

int run_case(const std::string& name, const std::string& dir) {
  const auto expected = read_lines(dir + "/composites_" + name + ".traj");
  const auto metrics = read_lines(dir + "/composites_metrics.txt");
  int failures = 0;
  auto fail = [&](const char* what, std::size_t t) {
    std::cerr << name << ": " << what << " differs at step " << t << "\n";
    ++failures;
  };
  ParamGroups g = composite_cases::make_groups();
  composite_cases::Run run = composite_cases::make(name, g);
  ParamGroups other = snapshot(g);
  composite_cases::Run copy{run.sched->clone(other)};
  ParamGroups resumed_groups = composite_cases::make_groups();
  composite_cases::Run resumed;
  if (!same(g.lrs(), expected.at(0))) fail("construction", 0);
  for (std::size_t t = 1; t < expected.size(); ++t) {
    const double metric = metrics.at(t - 1).at(0);
    run.step(metric);
    copy.step(metric);
    if (resumed.sched) resumed.step(metric);
    if (!same(g.lrs(), expected[t])) fail("step", t);
    if (!same(run.sched->get_last_lr(), expected[t])) fail("get_last_lr()", t);
    if (!same(other.lrs(), expected[t])) fail("clone", t);
    if (resumed.sched && !same(resumed_groups.lrs(), expected[t])) fail("resumed", t);
    if (t == kCut) {
      const State saved = save_state(*run.sched);
      const State text = State::from_json(to_json(saved));
      if (text != saved) fail("state JSON round trip", t);
      resumed = composite_cases::make(name, resumed_groups);
      resumed_groups = snapshot(g);  // the optimizer's state (initial_lr, ...), loaded
      const bool warmup = dynamic_cast<WarmupLR*>(resumed.sched.get()) != nullptr;
      if (warmup)  // its own lrs must come back from its state, whatever the groups hold
        for (std::size_t i = 0; i < resumed_groups.size(); ++i) resumed_groups.set_lr(i, 9.0);
      load_state(*resumed.sched, text);
      if (!same(resumed_groups.lrs(), expected[t])) fail("lrs after load_state", t);
    }
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]).empty()) {
    std::cerr << "usage: test_composites DIR\n";
    return 2;
  }
  int failures = 0;
  for (const auto& name : composite_cases::kNames) {
    try {
      failures += run_case(name, argv[1]);
    } catch (const std::exception& e) {
      std::cerr << name << ": " << e.what() << "\n";
      ++failures;
    }
  }
  std::cout << composite_cases::kNames.size() << " composite cases, " << failures
            << " failures\n";
  return failures == 0 ? 0 : 1;
}
