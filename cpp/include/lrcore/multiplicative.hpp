// Schedules that scale each group's lr by a factor: LambdaLR, MultiplicativeLR, StepLR,
// MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR.
//
// Each get_lr reproduces torch 2.13's chainable form operation for operation (it multiplies the
// group's current lr by a per-step factor computed once for all groups); each closed_form_lr
// reproduces torch's _get_closed_form_lr, used by the deprecated step(epoch). An argument given
// per group (PerGroup) makes group g's factor the one torch computes with the scalar values[g].
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
// lrs[g] * factor[g]; one shared factor takes the loop above. A per-group factor must have n
// values (the caller checked).
inline void scale(double* lrs, std::size_t n, const PerGroup<double>& factor) {
  if (!factor.per_group()) return scale(lrs, n, factor.value());
  const double* f = factor.values().data();
  for (std::size_t g = 0; g < n; ++g) lrs[g] = lrs[g] * f[g];
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
  StepLR(Groups& groups, PerGroup<std::int64_t> step_size, PerGroup<double> gamma = 0.1,
         std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), step_size(std::move(step_size)), gamma(std::move(gamma)) {
    this->step_size.require_size("step_size", groups.size());
    this->gamma.require_size("gamma", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (last_epoch_ == 0) return;
    if (step_size.per_group() || gamma.per_group()) return get_lr_per_group(out, n);
    if (pymath::mod(last_epoch_, step_size.value()) != 0) return;
    detail::scale(out, n, gamma.value());
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    if (!step_size.per_group() && !gamma.per_group()) {
      const double factor =
          functional::step_lr_factor(last_epoch_, step_size.value(), gamma.value());
      for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
      return true;
    }
    require_groups(n, step_size);
    require_groups(n, gamma);
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] * functional::step_lr_factor(last_epoch_, step_size[g], gamma[g]);
    return true;
  }

  PerGroup<std::int64_t> step_size;
  PerGroup<double> gamma;

 private:
  void get_lr_per_group(double* out, std::size_t n) {
    require_groups(n, step_size);
    require_groups(n, gamma);
    if (!step_size.per_group()) {
      if (pymath::mod(last_epoch_, step_size.value()) != 0) return;
      return detail::scale(out, n, gamma);
    }
    for (std::size_t g = 0; g < n; ++g)
      if (pymath::mod(last_epoch_, step_size[g]) == 0) out[g] = out[g] * gamma[g];
  }
};

// lr = base_lr * gamma ** (number of milestones reached); milestones may repeat (and are shared
// by all groups; gamma may be per group).
class MultiStepLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  MultiStepLR(Groups& groups, std::vector<std::int64_t> milestones, PerGroup<double> gamma = 0.1,
              std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), gamma(std::move(gamma)) {
    this->gamma.require_size("gamma", groups.size());
    set_milestones(std::move(milestones));
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    const auto hits = std::equal_range(milestones_.begin(), milestones_.end(), last_epoch_);
    const auto count = hits.second - hits.first;
    if (count == 0) return;
    const double power = static_cast<double>(count);
    if (!gamma.per_group()) return detail::scale(out, n, pymath::pow(gamma.value(), power));
    require_groups(n, gamma);
    for (std::size_t g = 0; g < n; ++g) out[g] = out[g] * pymath::pow(gamma[g], power);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    require_groups(n, gamma);
    if (!gamma.per_group()) {
      const double factor = functional::multi_step_lr_factor(
          last_epoch_, milestones_.data(), milestones_.size(), gamma.value());
      for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
      return true;
    }
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] * functional::multi_step_lr_factor(last_epoch_, milestones_.data(),
                                                               milestones_.size(), gamma[g]);
    return true;
  }

  // Sorted, with repeats (torch keeps a Counter).
  const std::vector<std::int64_t>& milestones() const { return milestones_; }
  void set_milestones(std::vector<std::int64_t> milestones) {
    std::sort(milestones.begin(), milestones.end());
    milestones_ = std::move(milestones);
  }

  PerGroup<double> gamma;

 private:
  std::vector<std::int64_t> milestones_;
};

// lr = base_lr * factor until total_iters, then base_lr.
class ConstantLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  ConstantLR(Groups& groups, PerGroup<double> factor = 1.0 / 3, PerGroup<std::int64_t> total_iters = 5,
             std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), factor(std::move(factor)), total_iters(std::move(total_iters)) {
    this->factor.require_size("factor", groups.size());
    this->total_iters.require_size("total_iters", groups.size());
    this->factor.each([](double f) {
      if (f > 1.0 || f < 0)
        throw std::invalid_argument("Constant multiplicative factor expected to be between 0 and 1.");
    });
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (factor.per_group() || total_iters.per_group()) return get_lr_per_group(out, n);
    if (last_epoch_ == 0) return detail::scale(out, n, factor.value());
    if (last_epoch_ != total_iters.value()) return;
    detail::scale(out, n, pymath::div(1.0, factor.value()));
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    if (!factor.per_group() && !total_iters.per_group()) {
      const double f =
          functional::constant_lr_factor(last_epoch_, factor.value(), total_iters.value());
      for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
      return true;
    }
    require_groups(n, factor);
    require_groups(n, total_iters);
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] * functional::constant_lr_factor(last_epoch_, factor[g], total_iters[g]);
    return true;
  }

  PerGroup<double> factor;
  PerGroup<std::int64_t> total_iters;

 private:
  void get_lr_per_group(double* out, std::size_t n) {
    require_groups(n, factor);
    require_groups(n, total_iters);
    if (last_epoch_ == 0) return detail::scale(out, n, factor);
    for (std::size_t g = 0; g < n; ++g)
      if (last_epoch_ == total_iters[g]) out[g] = out[g] * pymath::div(1.0, factor[g]);
  }
};

// lr goes linearly from base_lr * start_factor to base_lr * end_factor over total_iters.
class LinearLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  LinearLR(Groups& groups, PerGroup<double> start_factor = 1.0 / 3, PerGroup<double> end_factor = 1.0,
           PerGroup<std::int64_t> total_iters = 5, std::int64_t last_epoch = -1,
           Init init = Init::step)
      : LRScheduler(groups), start_factor(std::move(start_factor)),
        end_factor(std::move(end_factor)), total_iters(std::move(total_iters)) {
    this->start_factor.require_size("start_factor", groups.size());
    this->end_factor.require_size("end_factor", groups.size());
    this->total_iters.require_size("total_iters", groups.size());
    this->start_factor.each([](double f) {
      if (f > 1.0 || f <= 0)
        throw std::invalid_argument(
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    });
    this->end_factor.each([](double f) {
      if (f > 1.0 || f < 0)
        throw std::invalid_argument("Ending multiplicative factor expected to be between 0 and 1.");
    });
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (start_factor.per_group() || end_factor.per_group() || total_iters.per_group())
      return get_lr_per_group(out, n);
    if (last_epoch_ == 0) return detail::scale(out, n, start_factor.value());
    if (is_initial_ || last_epoch_ > total_iters.value()) return;
    detail::scale(out, n, factor(start_factor.value(), end_factor.value(), total_iters.value()));
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    if (!start_factor.per_group() && !end_factor.per_group() && !total_iters.per_group()) {
      const double f = functional::linear_lr_factor(last_epoch_, start_factor.value(),
                                                    end_factor.value(), total_iters.value());
      for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * f;
      return true;
    }
    require_groups(n, start_factor);
    require_groups(n, end_factor);
    require_groups(n, total_iters);
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] * functional::linear_lr_factor(last_epoch_, start_factor[g],
                                                           end_factor[g], total_iters[g]);
    return true;
  }

  PerGroup<double> start_factor;
  PerGroup<double> end_factor;
  PerGroup<std::int64_t> total_iters;

 private:
  void get_lr_per_group(double* out, std::size_t n) {
    require_groups(n, start_factor);
    require_groups(n, end_factor);
    require_groups(n, total_iters);
    if (last_epoch_ == 0) return detail::scale(out, n, start_factor);
    if (is_initial_) return;
    for (std::size_t g = 0; g < n; ++g)
      if (last_epoch_ <= total_iters[g])
        out[g] = out[g] * factor(start_factor[g], end_factor[g], total_iters[g]);
  }

  // torch's 1.0 + (end - start) / (total_iters * start + (last_epoch - 1) * (end - start))
  double factor(double start, double end, std::int64_t total) const {
    const double delta = end - start;
    const double denominator =
        static_cast<double>(total) * start + pymath::minus_one(last_epoch_) * delta;
    return 1.0 + pymath::div(delta, denominator);
  }
};

// lr = lr * gamma every step.
class ExponentialLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  ExponentialLR(Groups& groups, PerGroup<double> gamma, std::int64_t last_epoch = -1,
                Init init = Init::step)
      : LRScheduler(groups), gamma(std::move(gamma)) {
    this->gamma.require_size("gamma", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    if (gamma.per_group()) {
      require_groups(n, gamma);
      return detail::scale(out, n, gamma);
    }
    detail::scale(out, n, gamma.value());
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    if (!gamma.per_group()) {
      const double factor = functional::exponential_lr_factor(last_epoch_, gamma.value());
      for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
      return true;
    }
    require_groups(n, gamma);
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] * functional::exponential_lr_factor(last_epoch_, gamma[g]);
    return true;
  }

  PerGroup<double> gamma;
};

// lr = base_lr * (1 - min(total_iters, epoch) / total_iters) ** power.
class PolynomialLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  PolynomialLR(Groups& groups, PerGroup<std::int64_t> total_iters = 5, PerGroup<double> power = 1.0,
               std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), total_iters(std::move(total_iters)), power(std::move(power)) {
    this->total_iters.require_size("total_iters", groups.size());
    this->power.require_size("power", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    current_lrs(out);
    if (is_initial_) return;
    if (!total_iters.per_group() && !power.per_group()) {
      if (last_epoch_ > total_iters.value()) return;
      detail::scale(out, n, factor(total_iters.value(), power.value()));
      return;
    }
    require_groups(n, total_iters);
    require_groups(n, power);
    for (std::size_t g = 0; g < n; ++g)
      if (last_epoch_ <= total_iters[g]) out[g] = out[g] * factor(total_iters[g], power[g]);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    if (!total_iters.per_group() && !power.per_group()) {
      const double factor =
          functional::polynomial_lr_factor(last_epoch_, total_iters.value(), power.value());
      for (std::size_t g = 0; g < n; ++g) out[g] = base_lrs_[g] * factor;
      return true;
    }
    require_groups(n, total_iters);
    require_groups(n, power);
    for (std::size_t g = 0; g < n; ++g)
      out[g] = base_lrs_[g] *
               functional::polynomial_lr_factor(last_epoch_, total_iters[g], power[g]);
    return true;
  }

  PerGroup<std::int64_t> total_iters;
  PerGroup<double> power;

 private:
  // torch's ((1.0 - last_epoch / total_iters) / (1.0 - (last_epoch - 1) / total_iters)) ** power
  double factor(std::int64_t iters, double exponent) const {
    const double total = static_cast<double>(iters);
    const double now = 1.0 - pymath::div(static_cast<double>(last_epoch_), total);
    const double before = 1.0 - pymath::div(pymath::minus_one(last_epoch_), total);
    return pymath::pow(pymath::div(now, before), exponent);
  }
};

}  // namespace lrcore
