// Schedules torch lacks: WarmupCosineLR (timm's CosineLRScheduler), WarmupStableDecayLR (Hugging
// Face transformers' get_wsd_schedule), InverseSqrtLR (transformers' get_inverse_sqrt_schedule,
// or the Noam form) and HFScheduleLR (the other schedules of transformers' get_scheduler).
//
// Each is a function of the step (last_epoch) and the group's base lr (its initial_lr), like
// torch's LambdaLR: get_lr() and closed_form_lr() compute the same values. Every value is computed
// with the operations, in the order and with the types (int or float) of the Python source it
// follows, so that it equals that source's result bit for bit (for step counts below 2**53):
//   * timm/scheduler/cosine_lr.py, CosineLRScheduler._get_lr(t), t = last_epoch;
//   * transformers/optimization.py, base_lr * <schedule>_lr_lambda(last_epoch), as LambdaLR.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "functional.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

namespace schedules {

// Python's float ** float for the cases these schedules meet: a negative base with a
// non-integral exponent raises ValueError (C's pow returns NaN).
inline double py_pow(double base, double exponent) {
  if (base < 0.0 && std::isfinite(exponent) && exponent != std::floor(exponent))
    throw std::domain_error("math domain error");
  return pymath::pow(base, exponent);
}

// Python's math.log(x, base) for x > 0: log(x) / log(base).
inline double py_log(double x, double base) {
  if (!(x > 0.0) || !(base > 0.0)) throw std::domain_error("math domain error");
  return pymath::div(std::log(x), std::log(base));
}

inline std::int64_t imax(std::int64_t a, std::int64_t b) { return b > a ? b : a; }

// The shapes of WSD's warmup and decay phases.
enum class Shape : int { linear = 0, cosine = 1, one_minus_sqrt = 2 };

inline Shape shape_from_int(int value) {
  if (value < 0 || value > 2) throw std::invalid_argument("unknown shape code " + std::to_string(value));
  return static_cast<Shape>(value);
}

inline const char* shape_name(Shape shape) {
  switch (shape) {
    case Shape::linear: return "linear";
    case Shape::cosine: return "cosine";
    case Shape::one_minus_sqrt: return "1-sqrt";
  }
  return "?";
}
inline Shape shape_named(const std::string& name) {
  if (name == "linear") return Shape::linear;
  if (name == "cosine") return Shape::cosine;
  if (name == "1-sqrt") return Shape::one_minus_sqrt;
  throw std::invalid_argument("Unknown warmup type: " + name +
                              ", expected 'linear', 'cosine' or '1-sqrt'");
}

// The warmup phase of transformers' _get_wsd_scheduler_lambda: at step < num_warmup_steps, a
// factor rising from min_lr_ratio (step 0) towards 1 with the given shape. WarmupLR uses it too.
inline double warmup_factor(std::int64_t step, std::int64_t num_warmup_steps, Shape warmup_type,
                            double min_lr_ratio) {
  using functional::kPi;
  const double progress =
      static_cast<double>(step) / static_cast<double>(imax(1, num_warmup_steps));
  double factor = progress;
  if (warmup_type == Shape::cosine) factor = 0.5 * (1.0 - std::cos(kPi * progress));
  else if (warmup_type == Shape::one_minus_sqrt) factor = 1.0 - std::sqrt(1.0 - progress);
  factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio;
  return pymath::max(0.0, factor);
}

// transformers' _get_wsd_scheduler_lambda(current_step, ...).
inline double wsd_factor(std::int64_t step, std::int64_t num_warmup_steps,
                         std::int64_t num_stable_steps, std::int64_t num_decay_steps,
                         Shape warmup_type, Shape decay_type, double min_lr_ratio,
                         double num_cycles) {
  using functional::kPi;
  if (step < num_warmup_steps)
    return warmup_factor(step, num_warmup_steps, warmup_type, min_lr_ratio);
  if (step < num_warmup_steps + num_stable_steps) return 1.0;
  if (step < num_warmup_steps + num_stable_steps + num_decay_steps) {
    const double progress = static_cast<double>(step - num_warmup_steps - num_stable_steps) /
                            static_cast<double>(imax(1, num_decay_steps));
    double factor = 1.0 - progress;
    if (decay_type == Shape::cosine)
      factor = 0.5 * (1.0 + std::cos(kPi * num_cycles * 2.0 * progress));
    else if (decay_type == Shape::one_minus_sqrt) factor = 1.0 - std::sqrt(progress);
    factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio;
    return pymath::max(0.0, factor);
  }
  return min_lr_ratio;
}

// transformers' _get_inverse_sqrt_schedule_lr_lambda(current_step, ...).
inline double inverse_sqrt_factor(std::int64_t step, std::int64_t num_warmup_steps,
                                  std::int64_t timescale) {
  if (step < num_warmup_steps)
    return static_cast<double>(step) / static_cast<double>(imax(1, num_warmup_steps));
  const std::int64_t shift = timescale - num_warmup_steps;
  return 1.0 / std::sqrt(pymath::div(static_cast<double>(step + shift),
                                     static_cast<double>(timescale)));
}

// The Noam schedule (Vaswani et al. 2017, as usually written for LambdaLR), s = step + 1:
//   scale * min(s ** -0.5, s * num_warmup_steps ** -1.5)
inline double noam_factor(std::int64_t step, std::int64_t num_warmup_steps, double scale) {
  const double s = static_cast<double>(step + 1);
  const double decay = pymath::pow(s, -0.5);
  const double warm = s * pymath::pow(static_cast<double>(num_warmup_steps), -1.5);
  return scale * pymath::min(decay, warm);
}

// The schedules of transformers' get_scheduler that are LambdaLR factors.
enum class HFKind : int {
  linear = 0,
  cosine = 1,
  cosine_with_restarts = 2,
  polynomial = 3,
  constant = 4,
  constant_with_warmup = 5,
  cosine_with_min_lr = 6,
  cosine_warmup_with_min_lr = 7,
};

struct HFParams {
  HFKind kind = HFKind::constant;
  std::int64_t num_warmup_steps = 0;
  std::int64_t num_training_steps = 0;
  double num_cycles = 0.5;
  double lr_end = 1e-7;
  double power = 1.0;
  double lr_init = 1.0;
  double min_lr_rate = 0.0;
  double warmup_lr_rate = std::numeric_limits<double>::quiet_NaN();  // NaN: None
};

// transformers' lambdas, each transcribed operation for operation.
inline double hf_factor(const HFParams& p, std::int64_t step) {
  using functional::kPi;
  const std::int64_t nw = p.num_warmup_steps;
  const std::int64_t nt = p.num_training_steps;
  const auto warmup = [&] { return static_cast<double>(step) / static_cast<double>(imax(1, nw)); };
  switch (p.kind) {
    case HFKind::constant:
      return 1.0;
    case HFKind::constant_with_warmup:
      if (step < nw) return static_cast<double>(step) / pymath::max(1.0, static_cast<double>(nw));
      return 1.0;
    case HFKind::linear:
      if (step < nw) return warmup();
      return pymath::max(0.0, static_cast<double>(nt - step) / static_cast<double>(imax(1, nt - nw)));
    case HFKind::cosine:
    case HFKind::cosine_with_min_lr: {
      if (step < nw) return warmup();
      const double progress =
          static_cast<double>(step - nw) / static_cast<double>(imax(1, nt - nw));
      double factor = 0.5 * (1.0 + std::cos(kPi * p.num_cycles * 2.0 * progress));
      factor = factor * (1.0 - p.min_lr_rate) + p.min_lr_rate;
      return pymath::max(0.0, factor);
    }
    case HFKind::cosine_with_restarts: {
      if (step < nw) return warmup();
      const double progress =
          static_cast<double>(step - nw) / static_cast<double>(imax(1, nt - nw));
      if (progress >= 1.0) return 0.0;
      return pymath::max(
          0.0, 0.5 * (1.0 + std::cos(kPi * pymath::mod(p.num_cycles * progress, 1.0))));
    }
    case HFKind::polynomial: {
      if (step < nw) return warmup();
      if (step > nt) return pymath::div(p.lr_end, p.lr_init);
      const double lr_range = p.lr_init - p.lr_end;
      const std::int64_t decay_steps = nt - nw;
      const double pct_remaining =
          1.0 - pymath::div(static_cast<double>(step - nw), static_cast<double>(decay_steps));
      const double decay = lr_range * py_pow(pct_remaining, p.power) + p.lr_end;
      return pymath::div(decay, p.lr_init);
    }
    case HFKind::cosine_warmup_with_min_lr: {
      const double cs = static_cast<double>(step);
      const double w = static_cast<double>(nw);
      const double t = static_cast<double>(nt);
      if (cs < w) {
        if (std::isnan(p.warmup_lr_rate)) return (cs + 1.0) / pymath::max(1.0, w);
        return p.warmup_lr_rate + (1.0 - p.warmup_lr_rate) * cs / pymath::max(1.0, w - 1);
      }
      const double progress = (cs - w + 1.0) / pymath::max(1.0, t - w);
      double factor = 0.5 * (1.0 + std::cos(kPi * p.num_cycles * 2.0 * progress));
      factor = factor * (1.0 - p.min_lr_rate) + p.min_lr_rate;
      return pymath::max(0.0, factor);
    }
  }
  throw std::invalid_argument("unknown schedule");
}

inline void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

}  // namespace schedules

// Base of the schedules here: lr = f(last_epoch, base_lr) for both get_lr and the closed form.
class FormulaSchedule : public LRScheduler {
 public:
  void get_lr(double* out, std::size_t n) override { compute(out, n); }
  bool closed_form_lr(double* out, std::size_t n) override {
    compute(out, n);
    return true;
  }

 protected:
  explicit FormulaSchedule(Groups& groups) : LRScheduler(groups) {}
  FormulaSchedule(const FormulaSchedule&) = default;
  virtual void values(std::int64_t step, double* out, std::size_t n) const = 0;

 private:
  void compute(double* out, std::size_t n) {
    require_groups(n, base_lrs_.size());
    values(last_epoch_, out, n);
  }
};

// timm's CosineLRScheduler: linear warmup from warmup_lr_init over warmup_steps steps, then cosine
// cycles of t_initial * cycle_mul**i steps from base_lr * cycle_decay**i down to the floor, for
// cycle_limit cycles, then the floor. The floor is eta_min (the same for every group, timm's
// lr_min) or, when floor_is_ratio, min_lr_ratio * the group's base lr.
//
// One deviation from timm: with cycle_mul < 1 the cycles shrink and all fit in
// t_initial / (1 - cycle_mul) steps; past that timm's math.log raises ValueError, lrcore gives
// the floor.
class WarmupCosineLR : public FormulaSchedule {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  // The floor is eta_min, or min_lr_ratio times each group's base lr (at most one is given;
  // neither: 0).
  WarmupCosineLR(Groups& groups, std::int64_t t_initial, std::int64_t warmup_steps = 0,
                 double warmup_lr_init = 0.0, std::optional<double> eta_min = std::nullopt,
                 std::optional<double> min_lr_ratio = std::nullopt, double cycle_mul = 1.0,
                 double cycle_decay = 1.0, std::int64_t cycle_limit = 1,
                 bool warmup_prefix = false, double k_decay = 1.0, std::int64_t last_epoch = -1,
                 Init init = Init::step)
      : FormulaSchedule(groups), t_initial(t_initial), warmup_steps(warmup_steps),
        warmup_lr_init(warmup_lr_init), eta_min(eta_min), min_lr_ratio(min_lr_ratio),
        cycle_mul(cycle_mul), cycle_decay(cycle_decay), cycle_limit(cycle_limit),
        warmup_prefix(warmup_prefix), k_decay(k_decay) {
    validate();
    init_base(last_epoch);
    finish_init(init);
  }
  WarmupCosineLR(Groups& groups, Unloaded) : FormulaSchedule(groups) {}
  const char* name() const override { return "WarmupCosineLR"; }
  void describe(FieldVisitor& v) override {
    v("t_initial", t_initial);
    v("warmup_steps", warmup_steps);
    v("warmup_lr_init", warmup_lr_init);
    v("eta_min", eta_min, Flags().may_be_none());
    v("min_lr_ratio", min_lr_ratio, Flags().may_be_none());
    v("cycle_mul", cycle_mul);
    v("cycle_decay", cycle_decay);
    v("cycle_limit", cycle_limit);
    v("warmup_prefix", warmup_prefix);
    v("k_decay", k_decay);
    describe_base(v);
  }
  void after_load() override { validate(); }

  void validate() const {
    using schedules::require;
    require(t_initial > 0, "t_initial must be a positive integer, got " + std::to_string(t_initial));
    require(warmup_steps >= 0, "warmup_steps must be non-negative, got " + std::to_string(warmup_steps));
    require(std::isfinite(warmup_lr_init), "warmup_lr_init must be finite");
    require(!(eta_min && min_lr_ratio),
            "give eta_min (an absolute floor) or min_lr_ratio (a fraction of each group's "
            "initial lr), not both");
    if (eta_min)
      require(std::isfinite(*eta_min) && *eta_min >= 0,
              "eta_min must be finite and >= 0, got " + pymath::repr(*eta_min));
    if (min_lr_ratio)
      require(std::isfinite(*min_lr_ratio) && *min_lr_ratio >= 0,
              "min_lr_ratio must be finite and >= 0, got " + pymath::repr(*min_lr_ratio));
    require(std::isfinite(cycle_mul) && cycle_mul > 0,
            "cycle_mul must be finite and > 0, got " + pymath::repr(cycle_mul));
    require(std::isfinite(cycle_decay) && cycle_decay > 0,
            "cycle_decay must be finite and > 0, got " + pymath::repr(cycle_decay));
    require(cycle_limit >= 1, "cycle_limit must be >= 1, got " + std::to_string(cycle_limit));
    require(std::isfinite(k_decay) && k_decay > 0,
            "k_decay must be finite and > 0, got " + pymath::repr(k_decay));
  }

  std::int64_t t_initial = 1;
  std::int64_t warmup_steps = 0;
  double warmup_lr_init = 0.0;
  std::optional<double> eta_min;
  std::optional<double> min_lr_ratio;
  double cycle_mul = 1.0;
  double cycle_decay = 1.0;
  std::int64_t cycle_limit = 1;
  bool warmup_prefix = false;
  double k_decay = 1.0;

 protected:
  void values(std::int64_t step, double* out, std::size_t n) const override {
    using functional::kPi;
    const auto floor_of = [&](std::size_t g) {
      return min_lr_ratio ? base_lrs_[g] * *min_lr_ratio : eta_min.value_or(0.0);
    };
    std::int64_t t = step;
    if (t < warmup_steps) {  // timm: warmup_lr_init + t * ((v - warmup_lr_init) / warmup_t)
      const double td = static_cast<double>(t);
      const double wt = static_cast<double>(warmup_steps);
      for (std::size_t g = 0; g < n; ++g)
        out[g] = warmup_lr_init + td * ((base_lrs_[g] - warmup_lr_init) / wt);
      return;
    }
    if (warmup_prefix) t = t - warmup_steps;
    std::int64_t i;
    double t_i, t_curr;
    if (cycle_mul != 1) {
      const double x = 1 - static_cast<double>(t) / static_cast<double>(t_initial) * (1 - cycle_mul);
      if (!(x > 0.0)) {  // past every (shrinking) cycle: timm raises here
        for (std::size_t g = 0; g < n; ++g) out[g] = floor_of(g);
        return;
      }
      i = pymath::floor_to_int(schedules::py_log(x, cycle_mul));
      const double mul_i = pymath::pow(cycle_mul, static_cast<double>(i));
      t_i = mul_i * static_cast<double>(t_initial);
      t_curr = static_cast<double>(t) - (1 - mul_i) / (1 - cycle_mul) * static_cast<double>(t_initial);
    } else {
      i = pymath::floordiv(t, t_initial);
      t_i = static_cast<double>(t_initial);
      t_curr = static_cast<double>(t - t_initial * i);
    }
    if (!(i < cycle_limit)) {
      for (std::size_t g = 0; g < n; ++g) out[g] = floor_of(g);
      return;
    }
    const double gamma = pymath::pow(cycle_decay, static_cast<double>(i));
    const double c = 1 + std::cos(pymath::div(kPi * schedules::py_pow(t_curr, k_decay),
                                              schedules::py_pow(t_i, k_decay)));
    for (std::size_t g = 0; g < n; ++g) {
      const double lr_min = floor_of(g);
      const double lr_max = base_lrs_[g] * gamma;
      out[g] = lr_min + 0.5 * (lr_max - lr_min) * c;
    }
  }
};

// Hugging Face's warmup-stable-decay: lr = base_lr * wsd_factor(last_epoch).
class WarmupStableDecayLR : public FormulaSchedule {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  WarmupStableDecayLR(Groups& groups, std::int64_t num_warmup_steps,
                      std::int64_t num_stable_steps, std::int64_t num_decay_steps,
                      std::string warmup_type = "linear", std::string decay_type = "cosine",
                      double min_lr_ratio = 0.0, double num_cycles = 0.5,
                      std::int64_t last_epoch = -1, Init init = Init::step)
      : FormulaSchedule(groups), num_warmup_steps(num_warmup_steps),
        num_stable_steps(num_stable_steps), num_decay_steps(num_decay_steps),
        warmup_type(std::move(warmup_type)), decay_type(std::move(decay_type)),
        min_lr_ratio(min_lr_ratio), num_cycles(num_cycles) {
    validate();
    init_base(last_epoch);
    finish_init(init);
  }
  WarmupStableDecayLR(Groups& groups, Unloaded) : FormulaSchedule(groups) {}
  const char* name() const override { return "WarmupStableDecayLR"; }
  void describe(FieldVisitor& v) override {
    v("num_warmup_steps", num_warmup_steps);
    v("num_stable_steps", num_stable_steps);
    v("num_decay_steps", num_decay_steps);
    v("warmup_type", warmup_type, one_of(choices::shapes));
    v("decay_type", decay_type, one_of(choices::shapes));
    v("min_lr_ratio", min_lr_ratio);
    v("num_cycles", num_cycles);
    describe_base(v);
  }
  void after_load() override { validate(); }

  void validate() const {
    using schedules::require;
    require(num_warmup_steps >= 0, "num_warmup_steps must be non-negative, got " +
                                       std::to_string(num_warmup_steps));
    require(num_stable_steps >= 0, "num_stable_steps must be non-negative, got " +
                                       std::to_string(num_stable_steps));
    require(num_decay_steps >= 0, "num_decay_steps must be non-negative, got " +
                                      std::to_string(num_decay_steps));
    require(std::isfinite(min_lr_ratio), "min_lr_ratio must be finite");
    require(std::isfinite(num_cycles), "num_cycles must be finite");
    (void)schedules::shape_named(warmup_type);
    (void)schedules::shape_named(decay_type);
  }

  std::int64_t num_warmup_steps = 0;
  std::int64_t num_stable_steps = 0;
  std::int64_t num_decay_steps = 0;
  std::string warmup_type = "linear";
  std::string decay_type = "cosine";
  double min_lr_ratio = 0.0;
  double num_cycles = 0.5;

 protected:
  void values(std::int64_t step, double* out, std::size_t n) const override {
    const double f = schedules::wsd_factor(step, num_warmup_steps, num_stable_steps,
                                           num_decay_steps, schedules::shape_named(warmup_type),
                                           schedules::shape_named(decay_type), min_lr_ratio,
                                           num_cycles);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
  }
};

// Inverse square root with linear warmup (transformers' get_inverse_sqrt_schedule), or, with
// noam, the Noam schedule: lr = base_lr * factor(last_epoch).
class InverseSqrtLR : public FormulaSchedule {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  InverseSqrtLR(Groups& groups, std::int64_t num_warmup_steps, std::int64_t timescale,
                bool noam = false, double noam_scale = 1.0, std::int64_t last_epoch = -1,
                Init init = Init::step)
      : FormulaSchedule(groups), num_warmup_steps(num_warmup_steps), timescale(timescale),
        noam(noam), noam_scale(noam_scale) {
    validate();
    init_base(last_epoch);
    finish_init(init);
  }
  InverseSqrtLR(Groups& groups, Unloaded) : FormulaSchedule(groups) {}
  const char* name() const override { return "InverseSqrtLR"; }
  void describe(FieldVisitor& v) override {
    v("num_warmup_steps", num_warmup_steps);
    v("timescale", timescale);
    v("noam", noam);
    v("noam_scale", noam_scale);
    describe_base(v);
  }
  void after_load() override { validate(); }

  void validate() const {
    using schedules::require;
    require(num_warmup_steps >= 0, "num_warmup_steps must be non-negative, got " +
                                       std::to_string(num_warmup_steps));
    require(timescale > 0, "timescale must be a positive integer, got " + std::to_string(timescale));
    require(!noam || num_warmup_steps > 0, "the Noam schedule needs num_warmup_steps > 0");
    require(std::isfinite(noam_scale), "noam_scale must be finite");
  }

  std::int64_t num_warmup_steps = 0;
  std::int64_t timescale = 1;
  bool noam = false;
  double noam_scale = 1.0;

 protected:
  void values(std::int64_t step, double* out, std::size_t n) const override {
    const double f = noam ? schedules::noam_factor(step, num_warmup_steps, noam_scale)
                          : schedules::inverse_sqrt_factor(step, num_warmup_steps, timescale);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
  }
};

// The LambdaLR schedules of transformers' get_scheduler: lr = base_lr * hf_factor(last_epoch).
class HFScheduleLR : public FormulaSchedule {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  HFScheduleLR(Groups& groups, schedules::HFParams params, std::int64_t last_epoch = -1,
               Init init = Init::step)
      : FormulaSchedule(groups), params(params) {
    validate();
    init_base(last_epoch);
    finish_init(init);
    lr_lambdas_.functions.resize(groups.size());
  }
  const char* name() const override { return "HFScheduleLR"; }
  // transformers' schedulers are torch LambdaLRs: their state is a LambdaLR's, whose lambdas
  // (saved as None: functions) carry the schedule's parameters, which the state does not hold.
  void describe(FieldVisitor& v) override {
    describe_base(v);
    v("lr_lambdas", lr_lambdas_);
  }

  void validate() const {
    using schedules::require;
    require(params.num_warmup_steps >= 0, "num_warmup_steps must be non-negative, got " +
                                              std::to_string(params.num_warmup_steps));
    require(params.num_training_steps >= 0, "num_training_steps must be non-negative, got " +
                                                std::to_string(params.num_training_steps));
  }

  schedules::HFParams params;

 private:
  Lambdas lr_lambdas_;  // one empty function per group: what the state saves of them

 protected:
  void values(std::int64_t step, double* out, std::size_t n) const override {
    const double f = schedules::hf_factor(params, step);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
  }
};

}  // namespace lrcore
