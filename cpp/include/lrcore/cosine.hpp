// Cosine schedules: CosineAnnealingLR (SGDR without restarts, torch's chainable recursion) and
// CosineAnnealingWarmRestarts (SGDR).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "functional.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

// The "* c / 2" below is torch's ((x * c) / 2), never x * (c / 2): they differ for subnormals.
namespace detail {
using functional::kPi;
}

// lr follows eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, computed as torch
// does: by a recursion on the current lr, so that it composes with other schedulers. T_max and
// eta_min may be per group: group g then follows torch's recursion with T_max[g], eta_min[g].
class CosineAnnealingLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  CosineAnnealingLR(Groups& groups, PerGroup<double> T_max, PerGroup<double> eta_min = 0.0,
                    std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), T_max(std::move(T_max)), eta_min(std::move(eta_min)) {
    this->T_max.require_size("T_max", groups.size());
    this->eta_min.require_size("eta_min", groups.size());
    // per-group T_max: the terms' cache, sized now so that no step allocates (a T_max made per
    // group later sizes it on its first step)
    if (this->T_max.per_group()) group_terms_.assign(groups.size(), kNoTerm);
    init_base(last_epoch);
    finish_init(init);
  }

  void get_lr(double* out, std::size_t n) override {
    using detail::kPi;
    current_lrs(out);
    if (is_initial_) return;
    if (T_max.per_group() || eta_min.per_group() || T_max_int.per_group())
      return get_lr_per_group(out, n);
    const double T = T_max.value();
    const double e = eta_min.value();
    const double epoch = static_cast<double>(last_epoch_);
    if (step_count_ == 1 && last_epoch_ > 0) {  // resumed with last_epoch: closed form once
      require_groups(n, base_lrs_.size());
      const double c = 1 + std::cos(pymath::div(epoch * kPi, T));
      for (std::size_t g = 0; g < n; ++g) out[g] = e + (base_lrs_[g] - e) * c / 2;
      return;
    }
    if (at_period_bottom(T, T_max_int.value())) {  // the bottom of a period: climb back
      require_groups(n, base_lrs_.size());
      const double c = 1 - std::cos(pymath::div(kPi, T));
      for (std::size_t g = 0; g < n; ++g) out[g] = out[g] + (base_lrs_[g] - e) * c / 2;
      return;
    }
    const double ratio = shared_ratio(epoch, T);
    for (std::size_t g = 0; g < n; ++g) out[g] = ratio * (out[g] - e) + e;
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    require_groups(n, T_max);
    require_groups(n, eta_min);
    const double epoch = static_cast<double>(last_epoch_);
    if (!T_max.per_group()) {
      const double c = functional::cosine_term(epoch, T_max.value());
      for (std::size_t g = 0; g < n; ++g)
        out[g] = functional::cosine_value(base_lrs_[g], eta_min[g], c);
      return true;
    }
    for (std::size_t g = 0; g < n; ++g)
      out[g] = functional::cosine_value(base_lrs_[g], eta_min[g],
                                        functional::cosine_term(epoch, T_max[g]));
    return true;
  }

  PerGroup<double> T_max;
  PerGroup<double> eta_min;
  // T_max was given as an int (per group where T_max is): torch's (last_epoch - 1 - T_max) %
  // (2 * T_max) is then exact integer arithmetic, which a double only matches below 2**53.
  PerGroup<bool> T_max_int = false;

 private:
  // torch's ratio of 1 + cos(pi * e / T_max) at e = epoch and e = epoch - 1. The second is the
  // first of the previous step (the same operation on the same numbers), so it is remembered.
  double shared_ratio(double epoch, double T) {
    const double now = functional::cosine_term(epoch, T);
    const double epoch_before = pymath::minus_one(last_epoch_);  // float(last_epoch - 1)
    const double before = previous_.epoch == epoch_before && previous_.T_max == T
                              ? previous_.term
                              : functional::cosine_term(epoch_before, T);
    const double ratio = pymath::div(now, before);
    previous_ = {epoch, T, now};
    return ratio;
  }

  // get_lr with an argument given per group: group g as torch computes it with T_max[g],
  // eta_min[g] (a shared T_max still computes its cosine terms once for all groups).
  void get_lr_per_group(double* out, std::size_t n) {
    using detail::kPi;
    require_groups(n, T_max);
    require_groups(n, eta_min);
    require_groups(n, T_max_int);
    require_groups(n, base_lrs_.size());
    const double epoch = static_cast<double>(last_epoch_);
    if (step_count_ == 1 && last_epoch_ > 0) {  // resumed with last_epoch: closed form once
      for (std::size_t g = 0; g < n; ++g) {
        const double c = 1 + std::cos(pymath::div(epoch * kPi, T_max[g]));
        out[g] = eta_min[g] + (base_lrs_[g] - eta_min[g]) * c / 2;
      }
      return;
    }
    if (T_max.per_group() || T_max_int.per_group()) return per_group_recursion(out, n, epoch);
    const double T = T_max.value();
    const double* e = eta_min.values().data();  // eta_min is the one given per group
    if (at_period_bottom(T, T_max_int.value())) {
      const double c = 1 - std::cos(pymath::div(kPi, T));
      for (std::size_t g = 0; g < n; ++g) out[g] = out[g] + (base_lrs_[g] - e[g]) * c / 2;
      return;
    }
    const double ratio = shared_ratio(epoch, T);
    for (std::size_t g = 0; g < n; ++g) out[g] = ratio * (out[g] - e[g]) + e[g];
  }

  // Every group with its own T_max (and period test): torch's three cases, group by group. Each
  // group's 1 + cos(pi * (epoch - 1) / T_max) is its previous step's term, remembered as in the
  // shared case (the cache is sized on the first such step, and void if a step fails midway).
  void per_group_recursion(double* out, std::size_t n, double epoch) {
    using detail::kPi;
    const double epoch_before = pymath::minus_one(last_epoch_);
    const bool cached = group_terms_epoch_ == epoch_before && group_terms_.size() == n;
    group_terms_epoch_ = std::nan("");
    if (group_terms_.size() != n) group_terms_.assign(n, kNoTerm);
    for (std::size_t g = 0; g < n; ++g) {
      const double T = T_max[g];
      const double e = eta_min[g];
      Term& previous = group_terms_[g];
      if (at_period_bottom(T, T_max_int[g])) {
        out[g] = out[g] + (base_lrs_[g] - e) * (1 - std::cos(pymath::div(kPi, T))) / 2;
        previous = kNoTerm;
        continue;
      }
      const double now = functional::cosine_term(epoch, T);
      const double before = cached && previous.T_max == T
                                ? previous.term
                                : functional::cosine_term(epoch_before, T);
      out[g] = pymath::div(now, before) * (out[g] - e) + e;
      previous = {epoch, T, now};
    }
    group_terms_epoch_ = epoch;
  }

  bool at_period_bottom(double T, bool T_is_int) const {
    constexpr double kLimit = 4611686018427387904.0;  // 2**62: 2 * T_max fits in int64
    if (T_is_int && T == std::floor(T) && std::fabs(T) < kLimit) {
      const auto t = static_cast<std::int64_t>(T);
      const std::int64_t period = 2 * t;
      if (period == 0) throw zero_division_error("integer modulo by zero");
      // (a - 1 - t) mod period, without overflowing a - 1 - t
      const std::int64_t r = pymath::mod(pymath::mod(last_epoch_, period) -
                                             pymath::mod(1 + t, period), period);
      return r == 0;
    }
    const double epoch = static_cast<double>(last_epoch_);
    return pymath::mod(epoch - 1 - T, 2 * T) == 0;
  }

  struct Term {
    double epoch, T_max, term;
  };
  static constexpr Term kNoTerm{std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::quiet_NaN(), 0.0};  // matches nothing
  Term previous_ = kNoTerm;
  std::vector<Term> group_terms_;  // per-group T_max: each group's term at group_terms_epoch_
  double group_terms_epoch_ = std::nan("");
};

// SGDR: cosine from base_lr to eta_min over T_i epochs, then restart with T_i *= T_mult.
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  CosineAnnealingWarmRestarts(Groups& groups, std::int64_t T_0, std::int64_t T_mult = 1,
                              PerGroup<double> eta_min = 0.0, std::int64_t last_epoch = -1,
                              Init init = Init::step)
      : LRScheduler(groups), T_0(T_0), T_i(static_cast<double>(T_0)), T_mult(T_mult),
        eta_min(std::move(eta_min)), T_cur(static_cast<double>(last_epoch)) {
    if (T_0 <= 0)
      throw std::invalid_argument("Expected positive integer T_0, but got " + std::to_string(T_0));
    if (T_mult < 1)
      throw std::invalid_argument("Expected integer T_mult >= 1, but got " +
                                  std::to_string(T_mult));
    this->eta_min.require_size("eta_min", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }

  // torch's CosineAnnealingWarmRestarts.step(): note it does not count _step_count.
  void step() override {
    const State saved = save();
    try {
      double epoch;
      if (last_epoch_ < 0) {
        epoch = 0;
        advance_to(epoch);
      } else {
        epoch = static_cast<double>(next_epoch(last_epoch_));
        T_cur = T_cur + 1;
        if (T_cur >= T_i) {
          T_cur = pymath::mod(T_cur, T_i);
          T_i = T_i * static_cast<double>(T_mult);
        }
      }
      apply(epoch);
    } catch (...) {
      restore(saved);
      throw;
    }
  }

  // torch's step(epoch): any non-negative epoch, fractional included.
  void step_epoch(double epoch) override {
    if (epoch < 0)
      throw std::invalid_argument("Expected non-negative epoch, but got " + py_repr(epoch));
    const State saved = save();
    try {
      advance_to(epoch);
      apply(epoch);
    } catch (...) {
      restore(saved);
      throw;
    }
  }

  void get_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double c = functional::cosine_term(T_cur, T_i);
    if (eta_min.per_group()) {
      require_groups(n, eta_min);
      const double* e = eta_min.values().data();
      for (std::size_t g = 0; g < n; ++g)
        out[g] = functional::cosine_value(base_lrs_[g], e[g], c);
      return;
    }
    const double e = eta_min.value();
    for (std::size_t g = 0; g < n; ++g) out[g] = functional::cosine_value(base_lrs_[g], e, c);
  }

  // The restart clock (T_0, T_mult, T_i, T_cur) is shared by all groups, as torch keeps it;
  // eta_min may be per group.
  std::int64_t T_0;
  double T_i;
  std::int64_t T_mult;
  PerGroup<double> eta_min;
  double T_cur;

 private:
  struct State {
    double T_i, T_cur;
    std::int64_t last_epoch;
  };
  State save() const { return {T_i, T_cur, last_epoch_}; }
  void restore(const State& s) {
    T_i = s.T_i;
    T_cur = s.T_cur;
    last_epoch_ = s.last_epoch;
  }

  static std::string py_repr(double x) {
    if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
    return std::to_string(x);
  }

  // The explicit-epoch branch of torch's step(epoch).
  void advance_to(double epoch) {
    const functional::WarmRestartsPoint p = functional::warm_restarts_point(epoch, T_0, T_mult);
    T_cur = p.T_cur;
    if (!(epoch >= static_cast<double>(T_0)) || T_mult != 1) T_i = p.T_i;  // T_mult == 1 keeps T_i
  }

  void apply(double epoch) {
    last_epoch_ = pymath::floor_to_int(epoch);
    apply_lr(false);
  }
};

}  // namespace lrcore
