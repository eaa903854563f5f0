// Schedules that scale each group's lr by a factor: LambdaLR, MultiplicativeLR, StepLR,
// MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR.
//
// Each get_lr reproduces torch 2.13's chainable form operation for operation (it multiplies the
// group's current lr by a per-step factor computed once for all groups); each closed_form_lr
// reproduces torch's _get_closed_form_lr, used by the deprecated step(epoch). An argument given
// per group (PerGroup) makes group g's factor the one torch computes with the scalar values[g]:
// for_each_group computes the factor once when every argument is shared, per group otherwise.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "functional.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

namespace detail {
inline std::vector<EpochFunction> one_per_group(std::vector<EpochFunction> fns, std::size_t n) {
  if (fns.size() == 1 && n != 1) fns.assign(n, fns.front());
  if (fns.size() != n)
    throw std::invalid_argument("Expected " + std::to_string(n) + " lr_lambdas, but got " +
                                std::to_string(fns.size()));
  return fns;
}
}  // namespace detail

// lr = base_lr * lr_lambda(epoch), one function per group (or one for all).
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Groups& groups, std::vector<EpochFunction> lr_lambdas, std::int64_t last_epoch = -1,
           Init init = Init::step)
      : LRScheduler(groups) {
    this->lr_lambdas.functions = detail::one_per_group(std::move(lr_lambdas), groups.size());
    init_base(last_epoch);
    finish_init(init);
  }
  LambdaLR(Groups& groups, EpochFunction lr_lambda, std::int64_t last_epoch = -1,
           Init init = Init::step)
      : LambdaLR(groups, std::vector<EpochFunction>{std::move(lr_lambda)}, last_epoch, init) {}
  LambdaLR(Groups& groups, Unloaded) : LRScheduler(groups) {}

  const char* name() const override { return "LambdaLR"; }
  void describe(FieldVisitor& v) override {
    describe_base(v);
    v("lr_lambdas", lr_lambdas);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    require_groups(n, lr_lambdas.functions.size());
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] * lr_lambdas.functions[g](last_epoch_);
  }

  Lambdas lr_lambdas;
};

// lr = lr * lr_lambda(epoch) on every step after the first.
class MultiplicativeLR : public LRScheduler {
 public:
  MultiplicativeLR(Groups& groups, std::vector<EpochFunction> lr_lambdas,
                   std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups) {
    this->lr_lambdas.functions = detail::one_per_group(std::move(lr_lambdas), groups.size());
    init_base(last_epoch);
    finish_init(init);
  }
  MultiplicativeLR(Groups& groups, EpochFunction lr_lambda, std::int64_t last_epoch = -1,
                   Init init = Init::step)
      : MultiplicativeLR(groups, std::vector<EpochFunction>{std::move(lr_lambda)}, last_epoch,
                         init) {}
  MultiplicativeLR(Groups& groups, Unloaded) : LRScheduler(groups) {}

  const char* name() const override { return "MultiplicativeLR"; }
  void describe(FieldVisitor& v) override {
    describe_base(v);
    v("lr_lambdas", lr_lambdas);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    require_groups(n, lr_lambdas.functions.size());
    for (std::size_t g = 0; g < n; ++g) out[g] = out[g] * lr_lambdas.functions[g](last_epoch_);
  }

  Lambdas lr_lambdas;
};

// A base class for the schedules of this family with a closed form base_lr * factor.
class FactorSchedule : public LRScheduler {
 protected:
  using LRScheduler::LRScheduler;
  // out[g] = base_lrs[g] * f(g), the closed forms' shape.
  template <class Make, class... T>
  bool closed_form(double* out, std::size_t n, Make&& factor, const PerGroup<T>&... args) {
    require_groups(n, base_lrs_.size());
    for_each_group(
        n,
        [&](const T&... values) {
          const double f = factor(values...);
          return [this, out, f](std::size_t g) { out[g] = base_lrs_[g] * f; };
        },
        args...);
    return true;
  }
  // out[g] = out[g] * f where f is given (std::nullopt: the group keeps its lr).
  template <class Make, class... T>
  static void scale(double* out, std::size_t n, Make&& factor, const PerGroup<T>&... args) {
    for_each_group(
        n,
        [&](const T&... values) {
          const std::optional<double> f = factor(values...);
          return [out, f](std::size_t g) {
            if (f) out[g] = out[g] * *f;
          };
        },
        args...);
  }
};

// lr = base_lr * gamma ** (epoch // step_size).
class StepLR : public FactorSchedule {
 public:
  StepLR(Groups& groups, PerGroup<std::int64_t> step_size, PerGroup<double> gamma = 0.1,
         std::int64_t last_epoch = -1, Init init = Init::step)
      : FactorSchedule(groups), step_size(std::move(step_size)), gamma(std::move(gamma)) {
    this->step_size.require_size("step_size", groups.size());
    this->gamma.require_size("gamma", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }
  StepLR(Groups& groups, Unloaded) : FactorSchedule(groups) {}

  const char* name() const override { return "StepLR"; }
  void describe(FieldVisitor& v) override {
    v("step_size", step_size);
    v("gamma", gamma);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (last_epoch_ == 0) return;
    scale(out, n, [this](std::int64_t size, double g) -> std::optional<double> {
      if (pymath::mod(last_epoch_, size) != 0) return std::nullopt;
      return g;
    }, step_size, gamma);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    return closed_form(out, n, [this](std::int64_t size, double g) {
      return functional::step_lr_factor(last_epoch_, size, g);
    }, step_size, gamma);
  }

  PerGroup<std::int64_t> step_size;
  PerGroup<double> gamma;
};

// lr = base_lr * gamma ** (number of milestones reached); milestones may repeat (and are shared
// by all groups; gamma may be per group).
class MultiStepLR : public FactorSchedule {
 public:
  MultiStepLR(Groups& groups, std::vector<std::int64_t> milestones, PerGroup<double> gamma = 0.1,
              std::int64_t last_epoch = -1, Init init = Init::step)
      : FactorSchedule(groups), gamma(std::move(gamma)) {
    this->gamma.require_size("gamma", groups.size());
    set_milestones(std::move(milestones));
    init_base(last_epoch);
    finish_init(init);
  }
  MultiStepLR(Groups& groups, Unloaded) : FactorSchedule(groups) {}

  const char* name() const override { return "MultiStepLR"; }
  void describe(FieldVisitor& v) override {
    v("milestones", milestones);
    v("gamma", gamma);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    const auto& m = milestones.elements;
    const auto hits = std::equal_range(m.begin(), m.end(), last_epoch_);
    const auto count = hits.second - hits.first;
    if (count == 0) return;
    const double power = static_cast<double>(count);
    scale(out, n, [power](double g) -> std::optional<double> { return pymath::pow(g, power); },
          gamma);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    const auto& m = milestones.elements;
    return closed_form(out, n, [this, &m](double g) {
      return functional::multi_step_lr_factor(last_epoch_, m.data(), m.size(), g);
    }, gamma);
  }

  // Sorted, with repeats (torch keeps a Counter).
  const std::vector<std::int64_t>& milestones_list() const { return milestones.elements; }
  void set_milestones(std::vector<std::int64_t> epochs) {
    std::sort(epochs.begin(), epochs.end());
    milestones.elements = std::move(epochs);
  }

  Counter milestones;
  PerGroup<double> gamma;
};

// lr = base_lr * factor until total_iters, then base_lr.
class ConstantLR : public FactorSchedule {
 public:
  ConstantLR(Groups& groups, PerGroup<double> factor = 1.0 / 3, PerGroup<std::int64_t> total_iters = 5,
             std::int64_t last_epoch = -1, Init init = Init::step)
      : FactorSchedule(groups), factor(std::move(factor)), total_iters(std::move(total_iters)) {
    this->factor.require_size("factor", groups.size());
    this->total_iters.require_size("total_iters", groups.size());
    validate();
    init_base(last_epoch);
    finish_init(init);
  }
  ConstantLR(Groups& groups, Unloaded) : FactorSchedule(groups) {}

  void validate() const {
    factor.each([](double f) {
      if (f > 1.0 || f < 0)
        throw std::invalid_argument("Constant multiplicative factor expected to be between 0 and 1.");
    });
  }

  const char* name() const override { return "ConstantLR"; }
  void describe(FieldVisitor& v) override {
    v("factor", factor);
    v("total_iters", total_iters);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    scale(out, n, [this](double f, std::int64_t total) -> std::optional<double> {
      if (last_epoch_ == 0) return f;
      if (last_epoch_ != total) return std::nullopt;
      return pymath::div(1.0, f);
    }, factor, total_iters);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    return closed_form(out, n, [this](double f, std::int64_t total) {
      return functional::constant_lr_factor(last_epoch_, f, total);
    }, factor, total_iters);
  }

  PerGroup<double> factor;
  PerGroup<std::int64_t> total_iters;
};

// lr goes linearly from base_lr * start_factor to base_lr * end_factor over total_iters.
class LinearLR : public FactorSchedule {
 public:
  LinearLR(Groups& groups, PerGroup<double> start_factor = 1.0 / 3, PerGroup<double> end_factor = 1.0,
           PerGroup<std::int64_t> total_iters = 5, std::int64_t last_epoch = -1,
           Init init = Init::step)
      : FactorSchedule(groups), start_factor(std::move(start_factor)),
        end_factor(std::move(end_factor)), total_iters(std::move(total_iters)) {
    this->start_factor.require_size("start_factor", groups.size());
    this->end_factor.require_size("end_factor", groups.size());
    this->total_iters.require_size("total_iters", groups.size());
    validate();
    init_base(last_epoch);
    finish_init(init);
  }
  LinearLR(Groups& groups, Unloaded) : FactorSchedule(groups) {}

  void validate() const {
    start_factor.each([](double f) {
      if (f > 1.0 || f <= 0)
        throw std::invalid_argument(
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    });
    end_factor.each([](double f) {
      if (f > 1.0 || f < 0)
        throw std::invalid_argument("Ending multiplicative factor expected to be between 0 and 1.");
    });
  }

  const char* name() const override { return "LinearLR"; }
  void describe(FieldVisitor& v) override {
    v("start_factor", start_factor);
    v("end_factor", end_factor);
    v("total_iters", total_iters);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    scale(out, n, [this](double start, double end, std::int64_t total) -> std::optional<double> {
      if (last_epoch_ == 0) return start;
      if (is_initial_ || last_epoch_ > total) return std::nullopt;
      // torch's 1.0 + (end - start) / (total_iters * start + (last_epoch - 1) * (end - start))
      const double delta = end - start;
      return 1.0 + pymath::div(delta, static_cast<double>(total) * start +
                                          pymath::minus_one(last_epoch_) * delta);
    }, start_factor, end_factor, total_iters);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    return closed_form(out, n, [this](double start, double end, std::int64_t total) {
      return functional::linear_lr_factor(last_epoch_, start, end, total);
    }, start_factor, end_factor, total_iters);
  }

  PerGroup<double> start_factor;
  PerGroup<double> end_factor;
  PerGroup<std::int64_t> total_iters;
};

// lr = lr * gamma every step.
class ExponentialLR : public FactorSchedule {
 public:
  ExponentialLR(Groups& groups, PerGroup<double> gamma, std::int64_t last_epoch = -1,
                Init init = Init::step)
      : FactorSchedule(groups), gamma(std::move(gamma)) {
    this->gamma.require_size("gamma", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }
  ExponentialLR(Groups& groups, Unloaded) : FactorSchedule(groups) {}

  const char* name() const override { return "ExponentialLR"; }
  void describe(FieldVisitor& v) override {
    v("gamma", gamma);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    scale(out, n, [](double g) -> std::optional<double> { return g; }, gamma);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    return closed_form(out, n, [this](double g) {
      return functional::exponential_lr_factor(last_epoch_, g);
    }, gamma);
  }

  PerGroup<double> gamma;
};

// lr = base_lr * (1 - min(total_iters, epoch) / total_iters) ** power.
class PolynomialLR : public FactorSchedule {
 public:
  PolynomialLR(Groups& groups, PerGroup<std::int64_t> total_iters = 5, PerGroup<double> power = 1.0,
               std::int64_t last_epoch = -1, Init init = Init::step)
      : FactorSchedule(groups), total_iters(std::move(total_iters)), power(std::move(power)) {
    this->total_iters.require_size("total_iters", groups.size());
    this->power.require_size("power", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }
  PolynomialLR(Groups& groups, Unloaded) : FactorSchedule(groups) {}

  const char* name() const override { return "PolynomialLR"; }
  void describe(FieldVisitor& v) override {
    v("total_iters", total_iters);
    v("power", power);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    scale(out, n, [this](std::int64_t iters, double exponent) -> std::optional<double> {
      if (last_epoch_ > iters) return std::nullopt;
      // torch's ((1.0 - last_epoch / total_iters) / (1.0 - (last_epoch - 1) / total_iters)) ** power
      const double total = static_cast<double>(iters);
      const double now = 1.0 - pymath::div(static_cast<double>(last_epoch_), total);
      const double before = 1.0 - pymath::div(pymath::minus_one(last_epoch_), total);
      return pymath::pow(pymath::div(now, before), exponent);
    }, total_iters, power);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    return closed_form(out, n, [this](std::int64_t iters, double exponent) {
      return functional::polynomial_lr_factor(last_epoch_, iters, exponent);
    }, total_iters, power);
  }

  PerGroup<std::int64_t> total_iters;
  PerGroup<double> power;
};

}  // namespace lrcore
