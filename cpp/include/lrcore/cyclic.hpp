// Cyclical schedules that also cycle momentum: CyclicLR (Smith 2015) and OneCycleLR (Smith 2018).
// Momentum goes to the groups' "momentum" (SGD-style) or beta1 (Adam-style), as torch does.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cosine.hpp"
#include "functional.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

namespace detail {
// torch's _format_param: one value per group, a single value broadcast to every group.
inline std::vector<double> per_group(const char* name, std::vector<double> values, std::size_t n) {
  if (values.size() == 1 && n != 1) values.assign(n, values.front());
  if (values.size() != n)
    throw std::invalid_argument(std::string(name) +
                                " must have the same length as optimizer.param_groups. " + name +
                                " has " + std::to_string(values.size()) +
                                " values, param_groups has " + std::to_string(n) + ".");
  return values;
}

inline Key momentum_key(bool use_beta1) { return use_beta1 ? Key::beta1 : Key::momentum; }

inline bool resolve_use_beta1(const Groups& groups) {
  const MomentumKind kind = groups.momentum_kind();
  if (kind == MomentumKind::none)
    throw std::invalid_argument(
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
  return kind == MomentumKind::beta1;
}
}  // namespace detail

using ScaleFunction = EpochFunction;

// Triangular cycles between base_lr and max_lr (momentum between max and base momentum).
class CyclicLR : public LRScheduler {
 public:
  // The scale torch's scale_fn gives (its _scale_fn_ref, chosen from mode when the scheduler is
  // built or loaded, not at each step): 1, 1 / 2 ** (cycle - 1), or scale_gamma ** iteration.
  enum class Scale { triangular, triangular2, exp_range };

  CyclicLR(Groups& groups, std::vector<double> base_lr, std::vector<double> max_lr,
           double step_size_up = 2000, std::optional<double> step_size_down = std::nullopt,
           std::string mode = "triangular", double gamma = 1.0, ScaleFunction scale_fn = nullptr,
           std::string scale_mode = "cycle", bool cycle_momentum = true,
           std::vector<double> base_momentum = {0.8}, std::vector<double> max_momentum = {0.9},
           std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), gamma(gamma), cycle_momentum(cycle_momentum) {
    const std::size_t n = groups.size();
    std::vector<double> base_lrs = detail::per_group("base_lr", std::move(base_lr), n);
    max_lrs = detail::per_group("max_lr", std::move(max_lr), n);
    const double down = step_size_down ? *step_size_down : step_size_up;
    total_size = step_size_up + down;
    step_ratio = pymath::div(step_size_up, total_size);
    if (mode != "triangular" && mode != "triangular2" && mode != "exp_range" && !scale_fn)
      throw std::invalid_argument("mode is invalid and scale_fn is None");
    this->mode = std::move(mode);
    scale_fn_custom.function = std::move(scale_fn);
    this->scale_mode = std::move(scale_mode);
    init_scale_fn();
    if (cycle_momentum) {
      use_beta1 = detail::resolve_use_beta1(groups);
      base_momentums = detail::per_group("base_momentum", std::move(base_momentum), n);
      max_momentums = detail::per_group("max_momentum", std::move(max_momentum), n);
    }
    // The initial step's position in the cycle: its errors (a zero, NaN or infinite cycle
    // length) before anything is written.
    if (last_epoch == -1) (void)functional::cyclic_point(0, total_size, step_ratio);
    // All arguments are valid: now write to the groups, as torch does.
    if (last_epoch == -1) {
      groups.write(Key::lr, base_lrs.data());
      if (cycle_momentum) {
        groups.write(detail::momentum_key(use_beta1), max_momentums.data());
        groups.write(Key::max_momentum, max_momentums.data());
        groups.write(Key::base_momentum, base_momentums.data());
      }
    }
    init_base(last_epoch);
    pending_base_lrs_ = std::move(base_lrs);
    finish_init(init);
  }
  CyclicLR(Groups& groups, Unloaded) : LRScheduler(groups) {}

  const char* name() const override { return "CyclicLR"; }
  void describe(FieldVisitor& v) override {
    v("max_lrs", max_lrs);
    v("total_size", total_size);
    v("step_ratio", step_ratio);
    v("mode", mode);
    v("gamma", gamma);
    v("scale_mode", scale_mode);
    v("cycle_momentum", cycle_momentum);
    v("use_beta1", use_beta1, Flags().only_sometimes());
    v("base_momentums", base_momentums, Flags().only_sometimes());
    v("max_momentums", max_momentums, Flags().only_sometimes());
    describe_base(v);
    v("_scale_fn_custom", scale_fn_custom);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  // torch's load_state_dict: _init_scale_fn().
  void after_load() override { init_scale_fn(); }
  // torch sets use_beta1 and the momentum bounds only with cycle_momentum.
  bool has_field(const char*) const override { return cycle_momentum; }

  // torch's CyclicLR sets base_lrs from base_lr only after the initial step, which used the
  // groups' initial_lr.
  void initial_step() override {
    LRScheduler::initial_step();
    if (pending_base_lrs_) {
      base_lrs_ = std::move(*pending_base_lrs_);
      pending_base_lrs_.reset();
    }
  }

  // torch's _init_scale_fn: the scale follows mode (and gamma) as they are now; the built-in
  // modes fix scale_mode.
  void init_scale_fn() {
    if (scale_fn_custom.function) return;
    scale_gamma = gamma;
    if (mode == "triangular") {
      scale = Scale::triangular;
      scale_mode = "cycle";
    } else if (mode == "triangular2") {
      scale = Scale::triangular2;
      scale_mode = "cycle";
    } else if (mode == "exp_range") {
      scale = Scale::exp_range;
      scale_mode = "iterations";
    }
  }

  // scale_fn(x) for x = the cycle (a double: math.floor's value, possibly beyond int64, which a
  // custom scale_fn then gets as OverflowError) or the iteration.
  double scale_at(double x) const {
    if (scale_fn_custom.function) return scale_fn_custom.function(pymath::floor_to_int(x));
    switch (scale) {
      case Scale::triangular2: return functional::triangular2_scale(x);
      case Scale::exp_range: return pymath::pow(scale_gamma, x);
      case Scale::triangular: break;
    }
    return 1.0;
  }

  void get_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    require_groups(n, max_lrs.size());
    const functional::CyclicPoint point = functional::cyclic_point(last_epoch_, total_size, step_ratio);
    const double scale_factor = point.scale_factor;
    // torch calls scale_fn once per group with the same argument: the same value each time.
    const double s = scale_at(scale_mode == "cycle" ? point.cycle : static_cast<double>(last_epoch_));
    for (std::size_t g = 0; g < n; ++g)
      out[g] = functional::cyclic_lr_value(base_lrs_[g], max_lrs[g], scale_factor, s);
    if (cycle_momentum) {
      require_groups(n, max_momentums.size());
      require_groups(n, base_momentums.size());
      momentum_.resize(n);
      for (std::size_t g = 0; g < n; ++g)
        momentum_[g] = functional::cyclic_momentum_value(base_momentums[g], max_momentums[g],
                                                         scale_factor, s);
      write_momentum(detail::momentum_key(use_beta1), momentum_.data());
    }
  }

  std::vector<double> max_lrs;
  double total_size = 0;
  double step_ratio = 0;
  std::string mode;
  double gamma = 1.0;
  CustomScale scale_fn_custom;
  std::string scale_mode;
  bool cycle_momentum = true;
  bool use_beta1 = false;
  std::vector<double> base_momentums;
  std::vector<double> max_momentums;
  // What scale_fn computes (torch's _scale_fn_ref): set by init_scale_fn.
  Scale scale = Scale::triangular;
  double scale_gamma = 1.0;

 private:
  std::optional<std::vector<double>> pending_base_lrs_;
  std::vector<double> momentum_;
};

// One cycle: warm up from max_lr / div_factor to max_lr, then anneal to
// max_lr / div_factor / final_div_factor (three_phase: back to the start first).
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Groups& groups, std::vector<double> max_lr, std::int64_t total_steps,
             double pct_start = 0.3, std::string anneal_strategy = "cos",
             bool cycle_momentum = true, std::vector<double> base_momentum = {0.85},
             std::vector<double> max_momentum = {0.95}, double div_factor = 25.0,
             double final_div_factor = 1e4, bool three_phase = false,
             std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), total_steps(total_steps), cycle_momentum(cycle_momentum) {
    if (total_steps <= 0)
      throw std::invalid_argument("Expected positive integer total_steps, but got " +
                                  std::to_string(total_steps));
    const double total = static_cast<double>(total_steps);
    if (three_phase) {
      phases = {{pct_start * total - 1, Key::initial_lr, Key::max_lr, Key::max_momentum,
                 Key::base_momentum},
                {2 * pct_start * total - 2, Key::max_lr, Key::initial_lr, Key::base_momentum,
                 Key::max_momentum},
                {Num::of_int(total_steps - 1), Key::initial_lr, Key::min_lr, Key::max_momentum,
                 Key::max_momentum}};
    } else {
      phases = {{pct_start * total - 1, Key::initial_lr, Key::max_lr, Key::max_momentum,
                 Key::base_momentum},
                {Num::of_int(total_steps - 1), Key::max_lr, Key::min_lr, Key::base_momentum,
                 Key::max_momentum}};
    }
    if (pct_start < 0 || pct_start > 1)
      throw std::invalid_argument("Expected float between 0 and 1 pct_start, but got " +
                                  pymath::repr(pct_start));
    if (anneal_strategy != "cos" && anneal_strategy != "linear")
      throw std::invalid_argument("anneal_strategy must be one of 'cos' or 'linear', instead got " +
                                  anneal_strategy);
    anneal_func_type = std::move(anneal_strategy);
    const std::size_t n = groups.size();
    std::vector<double> max_lrs = detail::per_group("max_lr", std::move(max_lr), n);
    std::vector<double> max_momentums, base_momentums;
    if (cycle_momentum) {
      use_beta1 = detail::resolve_use_beta1(groups);
      max_momentums = detail::per_group("max_momentum", std::move(max_momentum), n);
      base_momentums = detail::per_group("base_momentum", std::move(base_momentum), n);
    }
    if (last_epoch == -1) {
      std::vector<double> initial(n), minimum(n);
      for (std::size_t g = 0; g < n; ++g) {
        initial[g] = pymath::div(max_lrs[g], div_factor);
        minimum[g] = pymath::div(initial[g], final_div_factor);
      }
      groups.write(Key::initial_lr, initial.data());
      groups.write(Key::max_lr, max_lrs.data());
      groups.write(Key::min_lr, minimum.data());
      if (cycle_momentum) {
        groups.write(detail::momentum_key(use_beta1), max_momentums.data());
        groups.write(Key::max_momentum, max_momentums.data());
        groups.write(Key::base_momentum, base_momentums.data());
      }
    }
    init_base(last_epoch);
    finish_init(init);
  }
  OneCycleLR(Groups& groups, Unloaded) : LRScheduler(groups) {}

  const char* name() const override { return "OneCycleLR"; }
  void describe(FieldVisitor& v) override {
    v("total_steps", total_steps);
    v("_schedule_phases", phases);
    v("_anneal_func_type", anneal_func_type, one_of(choices::cos_linear));
    v("cycle_momentum", cycle_momentum);
    v("use_beta1", use_beta1, Flags().only_sometimes());
    describe_base(v);
  }
  // torch sets use_beta1 only with cycle_momentum.
  bool has_field(const char*) const override { return cycle_momentum; }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    const std::int64_t step_num = last_epoch_;
    if (step_num > total_steps)
      throw std::invalid_argument("Tried to step " + std::to_string(step_num) +
                                  " times. The specified number of total steps is " +
                                  std::to_string(total_steps));
    // (torch's get_lr leaves computed_lr unbound without phases: UnboundLocalError)
    if (phases.empty()) throw std::runtime_error("OneCycleLR has no schedule phases");
    if (anneal_func_type != "cos" && anneal_func_type != "linear")
      throw std::invalid_argument("Unknown _anneal_func_type: " + anneal_func_type);
    // The phase and the position in it are the same for every group.
    double pct = 0;
    const Phase* phase = &phases[functional::one_cycle_phase(
        static_cast<double>(step_num), phases.size(),
        [this](std::size_t i) { return phases[i].end_step; }, &pct)];
    start_.resize(n);
    end_.resize(n);
    if (cycle_momentum) {
      start_momentum_.resize(n);
      end_momentum_.resize(n);
      momentum_.resize(n);
    }
    // torch reads each group's phase bounds on every step: one pass over the groups for all.
    const Column columns[] = {{phase->start_lr, start_.data()},
                              {phase->end_lr, end_.data()},
                              {phase->start_momentum, start_momentum_.data()},
                              {phase->end_momentum, end_momentum_.data()}};
    groups_->read_columns(columns, cycle_momentum ? 4 : 2);
    anneal(start_.data(), end_.data(), pct, out, n);
    if (cycle_momentum) {
      anneal(start_momentum_.data(), end_momentum_.data(), pct, momentum_.data(), n);
      write_momentum(detail::momentum_key(use_beta1), momentum_.data());
    }
  }

  std::int64_t total_steps = 1;
  Phases phases;
  std::string anneal_func_type = "cos";
  bool cycle_momentum = true;
  bool use_beta1 = false;

 private:
  void anneal(const double* start, const double* end, double pct, double* out,
              std::size_t n) const {
    if (anneal_func_type == "cos") {
      const double cos_out = functional::anneal_cos_term(pct);
      for (std::size_t g = 0; g < n; ++g) out[g] = functional::anneal_cos_value(start[g], end[g], cos_out);
    } else {
      for (std::size_t g = 0; g < n; ++g) out[g] = functional::anneal_linear_value(start[g], end[g], pct);
    }
  }
  std::vector<double> start_, end_, start_momentum_, end_momentum_, momentum_;
};

}  // namespace lrcore
