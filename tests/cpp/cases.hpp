// The schedules the C++ tests run: one per case name, the same configurations as CASES in
// tests/test_cpp.py (which runs them in torch). The kPerGroupNames cases give arguments one value
// per group (PerGroup, pytorch issue 63488): test_cpp.py runs torch once per group with that
// group's scalar, and writes group g of run g. Each builds its scheduler over param groups whose
// lrs cycle through kBaseLrs and whose momentum (SGD) or beta1 (Adam) is 0.9.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

namespace cases {

using namespace lrcore;

inline const double kBaseLrs[3] = {0.1, 0.05, 0.3};
inline const std::vector<std::string> kNames = {
    "step",        "multistep",       "constant",      "linear",         "exponential",
    "polynomial",  "lambda",          "multiplicative", "cosine",        "warm_restarts",
    "cyclic_tri2", "cyclic_exp_adam", "onecycle",      "onecycle_adam",  "plateau",
    "plateau_max_abs", "sequential",  "sequential3",   "chained",        "swalr",
    "swalr_linear"};
inline const std::vector<std::string> kPerGroupNames = {
    "step_pg",      "step_gamma_pg", "multistep_pg",     "constant_pg",      "linear_pg",
    "exponential_pg", "polynomial_pg", "cosine_pg",      "cosine_eta_pg",    "warm_restarts_pg",
    "sequential_pg", "chained_pg"};

inline MomentumKind kind_of(const std::string& name) {
  if (name == "cyclic_exp_adam" || name == "onecycle_adam") return MomentumKind::beta1;
  if (name == "cyclic_tri2" || name == "onecycle") return MomentumKind::momentum;
  return MomentumKind::none;
}

inline ParamGroups make_groups(const std::string& name, std::size_t n) {
  std::vector<double> lrs(n);
  for (std::size_t g = 0; g < n; ++g) lrs[g] = kBaseLrs[g % 3];
  const MomentumKind kind = kind_of(name);
  if (kind == MomentumKind::none) return ParamGroups(lrs);
  return ParamGroups(lrs, std::vector<double>(n, 0.9), kind);
}

// A scheduler and how to step it (ReduceLROnPlateau takes the metric).
struct Run {
  std::shared_ptr<LRScheduler> sched;
  ReduceLROnPlateau* plateau = nullptr;
  void step(double metric) {
    if (plateau) plateau->step(metric);
    else sched->step();
  }
};

// `steps`: how many steps the run will take after construction (OneCycleLR's total_steps).
inline Run make(const std::string& name, ParamGroups& g, std::int64_t steps) {
  const std::size_t n = g.size();
  auto per_group = [n](std::vector<double> three) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = three[i % 3];
    return v;
  };
  auto ints = [n](std::vector<std::int64_t> three) {
    std::vector<std::int64_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = three[i % 3];
    return v;
  };
  Run r;
  if (name == "step") r.sched = std::make_shared<StepLR>(g, 7, 0.5);
  else if (name == "multistep")
    r.sched = std::make_shared<MultiStepLR>(g, std::vector<std::int64_t>{5, 12, 12, 30}, 0.3);
  else if (name == "constant") r.sched = std::make_shared<ConstantLR>(g, 0.25, 9);
  else if (name == "linear") r.sched = std::make_shared<LinearLR>(g, 0.2, 0.9, 17);
  else if (name == "exponential") r.sched = std::make_shared<ExponentialLR>(g, 0.93);
  else if (name == "polynomial") r.sched = std::make_shared<PolynomialLR>(g, 40, 1.7);
  else if (name == "lambda") {
    // torch: [lambda e: 0.95 ** e, lambda e: 1 / (1 + e), lambda e: 0.5 if e < 10 else 0.1]
    std::vector<EpochFunction> fns = {
        [](std::int64_t e) { return std::pow(0.95, static_cast<double>(e)); },
        [](std::int64_t e) { return 1.0 / static_cast<double>(1 + e); },
        [](std::int64_t e) { return e < 10 ? 0.5 : 0.1; }};
    std::vector<EpochFunction> per(n);
    for (std::size_t i = 0; i < n; ++i) per[i] = fns[i % 3];
    r.sched = std::make_shared<LambdaLR>(g, per);
  } else if (name == "multiplicative")
    r.sched = std::make_shared<MultiplicativeLR>(g, [](std::int64_t) { return 0.97; });
  else if (name == "cosine") r.sched = std::make_shared<CosineAnnealingLR>(g, 25, 0.001);
  else if (name == "warm_restarts")
    r.sched = std::make_shared<CosineAnnealingWarmRestarts>(g, 5, 2, 0.001);
  else if (name == "cyclic_tri2")
    r.sched = std::make_shared<CyclicLR>(g, std::vector<double>{0.01}, per_group({0.1, 0.2, 0.3}),
                                         4, 6, "triangular2");
  else if (name == "cyclic_exp_adam")
    r.sched = std::make_shared<CyclicLR>(g, std::vector<double>{0.01}, std::vector<double>{0.1}, 5,
                                         std::nullopt, "exp_range", 0.97);
  else if (name == "onecycle")
    r.sched = std::make_shared<OneCycleLR>(g, per_group({0.1, 0.2, 0.3}), steps + 1);
  else if (name == "onecycle_adam")
    r.sched = std::make_shared<OneCycleLR>(g, std::vector<double>{0.5}, steps + 1, 0.25, "linear",
                                           true, std::vector<double>{0.8},
                                           std::vector<double>{0.92}, 25.0, 1e4, true);
  else if (name == "plateau") {
    auto p = std::make_shared<ReduceLROnPlateau>(g, "min", 0.5, 3, 0.01, "rel", 2,
                                                 std::vector<double>{0.002});
    r.plateau = p.get();
    r.sched = p;
  } else if (name == "plateau_max_abs") {
    auto p = std::make_shared<ReduceLROnPlateau>(g, "max", 0.1, 2, 1e-4, "abs", 0,
                                                 per_group({0.01, 0.0, 0.05}), 1e-8, true);
    r.plateau = p.get();
    r.sched = p;
  } else if (name == "sequential") {
    auto a = std::make_shared<LinearLR>(g, 0.1, 1.0, 5);
    auto b = std::make_shared<CosineAnnealingLR>(g, 20, 0.0);
    r.sched = std::make_shared<SequentialLR>(g, std::vector<SchedulerPtr>{a, b},
                                             std::vector<std::int64_t>{5});
  } else if (name == "sequential3") {
    auto a = std::make_shared<ConstantLR>(g, 0.5, 3);
    auto b = std::make_shared<ExponentialLR>(g, 0.9);
    auto c = std::make_shared<StepLR>(g, 5, 0.5);
    r.sched = std::make_shared<SequentialLR>(g, std::vector<SchedulerPtr>{a, b, c},
                                             std::vector<std::int64_t>{10, 30});
  } else if (name == "chained") {
    auto a = std::make_shared<ConstantLR>(g, 0.5, 4);
    auto b = std::make_shared<ExponentialLR>(g, 0.9);
    r.sched = std::make_shared<ChainedScheduler>(g, std::vector<SchedulerPtr>{a, b});
  } else if (name == "swalr")
    r.sched = std::make_shared<SWALR>(g, per_group({0.05, 0.02, 0.2}), 8, "cos");
  else if (name == "swalr_linear")
    r.sched = std::make_shared<SWALR>(g, std::vector<double>{0.01}, 5, "linear");
  // per group (vectors where torch takes one scalar)
  else if (name == "step_pg")
    r.sched = std::make_shared<StepLR>(g, ints({3, 7, 5}), per_group({0.5, 0.9, 0.1}));
  else if (name == "step_gamma_pg")
    r.sched = std::make_shared<StepLR>(g, 4, per_group({0.5, 0.9, 0.1}));
  else if (name == "multistep_pg")
    r.sched = std::make_shared<MultiStepLR>(g, std::vector<std::int64_t>{5, 12, 12, 30},
                                            per_group({0.3, 0.9, 2.0}));
  else if (name == "constant_pg")
    r.sched = std::make_shared<ConstantLR>(g, per_group({0.25, 1.0, 0.5}), ints({9, 3, 0}));
  else if (name == "linear_pg")
    r.sched = std::make_shared<LinearLR>(g, per_group({0.2, 1.0, 0.5}), per_group({0.9, 0.1, 1.0}),
                                         ints({17, 5, 40}));
  else if (name == "exponential_pg")
    r.sched = std::make_shared<ExponentialLR>(g, per_group({0.93, 0.5, 1.0}));
  else if (name == "polynomial_pg")
    r.sched = std::make_shared<PolynomialLR>(g, ints({40, 10, 25}), per_group({1.7, 1.0, 0.5}));
  else if (name == "cosine_pg") {
    // torch's [25, 7.5, 10]: 25 and 10 are ints (so saved as ints), 7.5 a float
    const std::vector<Num> three = {Num::of_int(25), Num(7.5), Num::of_int(10)};
    std::vector<Num> T_max(n);
    for (std::size_t i = 0; i < n; ++i) T_max[i] = three[i % 3];
    r.sched = std::make_shared<CosineAnnealingLR>(g, PerGroup<Num>(T_max),
                                                  per_group({0.001, 0.0, 0.01}));
  } else if (name == "cosine_eta_pg")
    r.sched = std::make_shared<CosineAnnealingLR>(g, 12, per_group({0.001, 0.0, 0.05}));
  else if (name == "warm_restarts_pg")
    r.sched = std::make_shared<CosineAnnealingWarmRestarts>(g, 5, 2, per_group({0.001, 0.0, 0.02}));
  else if (name == "sequential_pg") {
    auto a = std::make_shared<LinearLR>(g, per_group({0.1, 0.5, 1.0}), 1.0, ints({5, 3, 5}));
    auto b = std::make_shared<CosineAnnealingLR>(g, ints({20, 30, 9}),
                                                 per_group({0.0, 0.001, 0.01}));
    r.sched = std::make_shared<SequentialLR>(g, std::vector<SchedulerPtr>{a, b},
                                             std::vector<std::int64_t>{5});
  } else if (name == "chained_pg") {
    auto a = std::make_shared<ConstantLR>(g, per_group({0.5, 0.1, 1.0}), 4);
    auto b = std::make_shared<ExponentialLR>(g, per_group({0.9, 0.99, 0.95}));
    r.sched = std::make_shared<ChainedScheduler>(g, std::vector<SchedulerPtr>{a, b});
  }
  else throw std::invalid_argument("unknown case " + name);
  return r;
}

}  // namespace cases
