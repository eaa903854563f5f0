// The C++ API of the schedules torch lacks (lrcore/schedules.hpp), against the trajectories
// tests/test_cpp.py writes from lrcore.reference.schedules (tests/_schedule_cases.py, same case
// names): test_schedules DIR reads DIR/schedules_NAME.traj (each group's lr, as float.hex(),
// after construction and after each step) and requires the same bits from stepping, from a
// clone stepped on other groups (what simulate() runs) and from step_epoch (the closed form).
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

#include "trajectory.hpp"

namespace {

using namespace lrcore;
using trajectory::read_lines;
using trajectory::same;
using schedules::HFKind;
using schedules::HFParams;

const std::vector<double> kBaseLrs = {0.1, 0.05, 0.3};
const std::vector<std::string> kNames = {"wcos", "wcos_eta", "wsd", "isqrt", "noam",
                                         "hf_cos_min", "hf_poly", "hf_restarts"};

std::unique_ptr<LRScheduler> make(const std::string& name, ParamGroups& g) {
  if (name == "wcos")
    return std::make_unique<WarmupCosineLR>(g, 9, 4, 1e-4, /*eta_min=*/std::nullopt,
                                            /*min_lr_ratio=*/0.05, 1.5, 0.7, 4, true, 1.3);
  if (name == "wcos_eta")
    return std::make_unique<WarmupCosineLR>(g, 10, 3, 0.0, /*eta_min=*/1e-3,
                                            /*min_lr_ratio=*/std::nullopt, 1.0, 1.0, 3);
  if (name == "wsd")
    return std::make_unique<WarmupStableDecayLR>(g, 5, 15, 20, "cosine", "1-sqrt", 0.1);
  if (name == "isqrt") return std::make_unique<InverseSqrtLR>(g, 8, 8);
  if (name == "noam") return std::make_unique<InverseSqrtLR>(g, 8, 8, true, std::pow(512.0, -0.5));
  HFParams p;
  if (name == "hf_cos_min") {
    p.kind = HFKind::cosine_warmup_with_min_lr;
    p.num_warmup_steps = 6;
    p.num_training_steps = 50;
    p.min_lr_rate = 0.1;
    p.warmup_lr_rate = 0.05;
  } else if (name == "hf_poly") {
    p.kind = HFKind::polynomial;
    p.num_warmup_steps = 5;
    p.num_training_steps = 40;
    p.lr_end = 1e-4;
    p.power = 2.0;
    p.lr_init = 0.1;
  } else if (name == "hf_restarts") {
    p.kind = HFKind::cosine_with_restarts;
    p.num_warmup_steps = 4;
    p.num_training_steps = 50;
    p.num_cycles = 3;
  } else {
    throw std::invalid_argument("unknown case " + name);
  }
  return std::make_unique<HFScheduleLR>(g, p);
}

std::vector<double> lrs(const ParamGroups& g) {
  std::vector<double> v;
  for (std::size_t i = 0; i < g.size(); ++i) v.push_back(g.lr(i));
  return v;
}

int run_case(const std::string& name, const std::string& dir) {
  const auto expected = read_lines(dir + "/schedules_" + name + ".traj");
  int failures = 0;
  auto fail = [&](const char* what, std::size_t t) {
    std::cerr << name << ": " << what << " differs at step " << t << "\n";
    ++failures;
  };
  ParamGroups g(kBaseLrs);
  auto s = make(name, g);
  ParamGroups other(std::vector<double>{9.0, 9.0, 9.0});
  other.write(Key::initial_lr, kBaseLrs.data());  // the clone reads base_lrs from itself
  auto copy = s->clone(other);
  ParamGroups jump(kBaseLrs);
  auto closed = make(name, jump);
  if (!same(lrs(g), expected.at(0))) fail("construction", 0);
  for (std::size_t t = 1; t < expected.size(); ++t) {
    s->step();
    copy->step();
    closed->step_epoch(static_cast<double>(t));
    if (!same(lrs(g), expected[t])) fail("step()", t);
    if (!same(s->get_last_lr(), expected[t])) fail("get_last_lr()", t);
    if (!same(lrs(other), expected[t])) fail("clone", t);
    if (!same(lrs(jump), expected[t])) fail("step_epoch", t);
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]).empty()) {
    std::cerr << "usage: test_schedules DIR\n";
    return 2;
  }
  int failures = 0;
  for (const auto& name : kNames) {
    try {
      failures += run_case(name, argv[1]);
    } catch (const std::exception& e) {
      std::cerr << name << ": " << e.what() << "\n";
      ++failures;
    }
  }
  std::cout << kNames.size() << " schedule cases, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
