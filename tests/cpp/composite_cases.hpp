// lrcore's extensions beyond torch, as the C++ tests build them: composites holding a
// ReduceLROnPlateau and WarmupLR. The same configurations as CASES in tests/_composite_cases.py,
// whose trajectories come from torch's schedulers driven by tests/_oracles.py.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

namespace composite_cases {

using namespace lrcore;

inline const std::vector<double> kBaseLrs = {0.1, 0.05, 0.3};
inline const std::vector<std::string> kNames = {
    "seq_warmup_plateau", "seq_plateau_first",         "chained_plateau", "warmup_cosine",
    "warmup_plateau_prefix", "warmup_onecycle_per_group", "seq_into_warmup"};

// A scheduler, stepped with the metric when it takes one.
struct Run {
  std::shared_ptr<LRScheduler> sched;
  void step(double metric) {
    if (sched->takes_metric()) sched->step_metric(metric);
    else sched->step();
  }
};

inline ParamGroups make_groups(std::size_t n = 3) {
  std::vector<double> lrs(n);
  for (std::size_t g = 0; g < n; ++g) lrs[g] = kBaseLrs[g % 3];
  return ParamGroups(lrs);
}

// `steps`: how many steps the run takes after construction (OneCycleLR's total_steps).
inline Run make(const std::string& name, ParamGroups& g, std::int64_t steps = 60) {
  const std::size_t n = g.size();
  auto per_group = [n](std::vector<double> three) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = three[i % 3];
    return v;
  };
  auto plateau = [&g](double factor, std::int64_t patience, double threshold = 1e-4,
                      std::int64_t cooldown = 0, double min_lr = 0.0) {
    return std::make_shared<ReduceLROnPlateau>(g, "min", factor, patience, threshold, "rel",
                                               cooldown, std::vector<double>{min_lr});
  };
  using Children = std::vector<SchedulerPtr>;
  using Milestones = std::vector<std::int64_t>;
  Run r;
  if (name == "seq_warmup_plateau") {
    auto warmup = std::make_shared<LinearLR>(g, 0.1, 1.0, 5);
    auto p = plateau(0.5, 2, 0.01, 1, 0.001);
    r.sched = std::make_shared<SequentialLR>(g, Children{warmup, p}, Milestones{5});
  } else if (name == "seq_plateau_first") {
    auto p = plateau(0.5, 1);
    auto step = std::make_shared<StepLR>(g, 7, 0.5);
    r.sched = std::make_shared<SequentialLR>(g, Children{p, step}, Milestones{20});
  } else if (name == "chained_plateau") {
    auto e = std::make_shared<ExponentialLR>(g, 0.97);
    auto p = plateau(0.1, 3);
    r.sched = std::make_shared<ChainedScheduler>(g, Children{e, p});
  } else if (name == "warmup_cosine") {
    auto c = std::make_shared<CosineAnnealingLR>(g, 25, 0.001);
    r.sched = std::make_shared<WarmupLR>(g, c, 6, 0.1, "cosine");
  } else if (name == "warmup_plateau_prefix") {
    r.sched = std::make_shared<WarmupLR>(g, plateau(0.5, 2), 5, 0.0, "linear",
                                         /*prefix=*/true);
  } else if (name == "warmup_onecycle_per_group") {
    auto one = std::make_shared<OneCycleLR>(g, per_group({0.1, 0.2, 0.3}), steps + 1, 0.3, "cos",
                                            /*cycle_momentum=*/false);
    r.sched = std::make_shared<WarmupLR>(g, one, 10, PerGroup<double>(per_group({0.0, 0.5, 1.0})),
                                         "1-sqrt");
  } else if (name == "seq_into_warmup") {
    auto c = std::make_shared<ConstantLR>(g, 0.5, 3);
    auto e = std::make_shared<ExponentialLR>(g, 0.9);
    auto w = std::make_shared<WarmupLR>(g, e, 4);
    r.sched = std::make_shared<SequentialLR>(g, Children{c, w}, Milestones{10});
  } else {
    throw std::invalid_argument("unknown case " + name);
  }
  return r;
}

}  // namespace composite_cases
