// Schedules that scale each group's lr by a factor: LambdaLR, MultiplicativeLR, StepLR,
// MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR.
//
// Each get_lr reproduces torch 2.13's chainable form operation for operation (it multiplies the
// group's current lr by a per-step factor computed once for all groups); each closed_form_lr
// reproduces torch's _get_closed_form_lr, used by the deprecated step(epoch).
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

using EpochFunction = std::function<double(std::int64_t)>;

namespace detail {
inline std::vector<EpochFunction> one_per_group(std::vector<EpochFunction> fns, std::size_t n) {
  if (fns.size() == 1 && n != 1) fns.assign(n, fns.front());
  if (fns.size() != n)
    throw std::invalid_argument("Expected " + std::to_string(n) + " lr_lambdas, but got " +
                                std::to_string(fns.size()));
  return fns;
}
inline void scale(double* lrs, std::size_t n, double factor) {
  for (std::size_t g = 0; g < n; ++g) lrs[g] = lrs[g] * factor;
}
}  // namespace detail

// lr = base_lr * lr_lambda(epoch), one function per group (or one for all).
class LambdaLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  LambdaLR(Groups& groups, std::vector<EpochFunction> lr_lambdas, std::int64_t last_epoch = -1,
           Init init = Init::step)
      : LRScheduler(groups), lr_lambdas_(detail::one_per_group(std::move(lr_lambdas), groups.size())) {
    init_base(last_epoch);
    finish_init(init);
  }
  LambdaLR(Groups& groups, EpochFunction lr_lambda, std::int64_t last_epoch = -1,
           Init init = Init::step)
      : LambdaLR(groups, std::vector<EpochFunction>{std::move(lr_lambda)}, last_epoch, init) {}

  void get_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    require_groups(n, lr_lambdas_.size());
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * lr_lambdas_[g](last_epoch_);
  }

 private:
  std::vector<EpochFunction> lr_lambdas_;
};

// lr = lr * lr_lambda(epoch) on every step after the first.
class MultiplicativeLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  MultiplicativeLR(Groups& groups, std::vector<EpochFunction> lr_lambdas,
                   std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), lr_lambdas_(detail::one_per_group(std::move(lr_lambdas), groups.size())) {
    init_base(last_epoch);
    finish_init(init);
  }
  MultiplicativeLR(Groups& groups, EpochFunction lr_lambda, std::int64_t last_epoch = -1,
                   Init init = Init::step)
      : MultiplicativeLR(groups, std::vector<EpochFunction>{std::move(lr_lambda)}, last_epoch, init) {}

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    require_groups(n, lr_lambdas_.size());
    for (std::size_t g = 0; g < n; ++g) out[g] = out[g] * lr_lambdas_[g](last_epoch_);
  }

 private:
  std::vector<EpochFunction> lr_lambdas_;
};

// lr = base_lr * gamma ** (epoch // step_size).
class StepLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  StepLR(Groups& groups, std::int64_t step_size, double gamma = 0.1, std::int64_t last_epoch = -1,
         Init init = Init::step)
      : LRScheduler(groups), step_size(step_size), gamma(gamma) {
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (last_epoch_ == 0 || pymath::mod(last_epoch_, step_size) != 0) return;
    detail::scale(out, n, gamma);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double factor = functional::step_lr_factor(last_epoch_, step_size, gamma);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
    return true;
  }

  std::int64_t step_size;
  double gamma;
};

// lr = base_lr * gamma ** (number of milestones reached); milestones may repeat.
class MultiStepLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  MultiStepLR(Groups& groups, std::vector<std::int64_t> milestones, double gamma = 0.1,
              std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), gamma(gamma) {
    set_milestones(std::move(milestones));
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    const auto hits = std::equal_range(milestones_.begin(), milestones_.end(), last_epoch_);
    const auto count = hits.second - hits.first;
    if (count == 0) return;
    detail::scale(out, n, pymath::pow(gamma, static_cast<double>(count)));
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double factor = functional::multi_step_lr_factor(last_epoch_, milestones_.data(),
                                                           milestones_.size(), gamma);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
    return true;
  }

  // Sorted, with repeats (torch keeps a Counter).
  const std::vector<std::int64_t>& milestones() const { return milestones_; }
  void set_milestones(std::vector<std::int64_t> milestones) {
    std::sort(milestones.begin(), milestones.end());
    milestones_ = std::move(milestones);
  }

  double gamma;

 private:
  std::vector<std::int64_t> milestones_;
};

// lr = base_lr * factor until total_iters, then base_lr.
class ConstantLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  ConstantLR(Groups& groups, double factor = 1.0 / 3, std::int64_t total_iters = 5,
             std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), factor(factor), total_iters(total_iters) {
    if (factor > 1.0 || factor < 0)
      throw std::invalid_argument("Constant multiplicative factor expected to be between 0 and 1.");
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (last_epoch_ == 0) return detail::scale(out, n, factor);
    if (last_epoch_ != total_iters) return;
    detail::scale(out, n, pymath::div(1.0, factor));
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double f = functional::constant_lr_factor(last_epoch_, factor, total_iters);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
    return true;
  }

  double factor;
  std::int64_t total_iters;
};

// lr goes linearly from base_lr * start_factor to base_lr * end_factor over total_iters.
class LinearLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  LinearLR(Groups& groups, double start_factor = 1.0 / 3, double end_factor = 1.0,
           std::int64_t total_iters = 5, std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), start_factor(start_factor), end_factor(end_factor),
        total_iters(total_iters) {
    if (start_factor > 1.0 || start_factor <= 0)
      throw std::invalid_argument(
          "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    if (end_factor > 1.0 || end_factor < 0)
      throw std::invalid_argument("Ending multiplicative factor expected to be between 0 and 1.");
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (last_epoch_ == 0) return detail::scale(out, n, start_factor);
    if (is_initial_ || last_epoch_ > total_iters) return;
    const double delta = end_factor - start_factor;
    const double denominator = static_cast<double>(total_iters) * start_factor +
                               pymath::minus_one(last_epoch_) * delta;
    detail::scale(out, n, 1.0 + pymath::div(delta, denominator));
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double f =
        functional::linear_lr_factor(last_epoch_, start_factor, end_factor, total_iters);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
    return true;
  }

  double start_factor;
  double end_factor;
  std::int64_t total_iters;
};

// lr = lr * gamma every step.
class ExponentialLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  ExponentialLR(Groups& groups, double gamma, std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), gamma(gamma) {
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    detail::scale(out, n, gamma);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double factor = functional::exponential_lr_factor(last_epoch_, gamma);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
    return true;
  }

  double gamma;
};

// lr = base_lr * (1 - min(total_iters, epoch) / total_iters) ** power.
class PolynomialLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  PolynomialLR(Groups& groups, std::int64_t total_iters = 5, double power = 1.0,
               std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), total_iters(total_iters), power(power) {
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_ || last_epoch_ > total_iters) return;
    const double total = static_cast<double>(total_iters);
    const double now = 1.0 - pymath::div(static_cast<double>(last_epoch_), total);
    const double before = 1.0 - pymath::div(pymath::minus_one(last_epoch_), total);
    detail::scale(out, n, pymath::pow(pymath::div(now, before), power));
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double factor = functional::polynomial_lr_factor(last_epoch_, total_iters, power);
    for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
    return true;
  }

  std::int64_t total_iters;
  double power;
};

}  // namespace lrcore
