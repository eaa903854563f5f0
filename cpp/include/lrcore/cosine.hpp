// Cosine schedules: CosineAnnealingLR (SGDR without restarts, torch's chainable recursion) and
// CosineAnnealingWarmRestarts (SGDR).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "functional.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

// The "* c / 2" below is torch's ((x * c) / 2), never x * (c / 2): they differ for subnormals.
namespace detail {
using functional::kPi;

// Python's arithmetic on int-or-float values: an int result where both operands are ints.
// An int result a double cannot hold exactly (beyond 2**53, where Python's ints go on exactly):
// std::overflow_error, as for an epoch beyond int64.
inline Num exact(Num r) {
  if (r.integral && !(std::fabs(r.value) <= 9007199254740992.0))
    throw std::overflow_error("an integer beyond 2**53, which lrcore's core does not hold exactly");
  return r;
}
inline Num plus_one(const Num& a) {
  Num r(a.value + 1);
  r.integral = a.integral;
  return exact(r);
}
inline Num py_mod(const Num& a, const Num& b) {
  if (a.integral && b.integral) {
    Num r(static_cast<double>(pymath::mod(static_cast<std::int64_t>(a.value),
                                          static_cast<std::int64_t>(b.value))));
    r.integral = true;
    return r;
  }
  return Num(pymath::mod(a.value, b.value));
}
inline Num times_int(const Num& a, std::int64_t b) {
  Num r(a.value * static_cast<double>(b));
  r.integral = a.integral;
  return exact(r);
}
}  // namespace detail

// lr follows eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, computed as torch
// does: by a recursion on the current lr, so that it composes with other schedulers. T_max and
// eta_min may be per group: group g then follows torch's recursion with T_max[g], eta_min[g].
// T_max keeps Python's int/float distinction: torch's period test (last_epoch - 1 - T_max) %
// (2 * T_max) is integer arithmetic for an int T_max.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Groups& groups, PerGroup<Num> T_max, PerGroup<double> eta_min = 0.0,
                    std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), T_max(std::move(T_max)), eta_min(std::move(eta_min)) {
    this->T_max.require_size("T_max", groups.size());
    this->eta_min.require_size("eta_min", groups.size());
    // get_lr's per-group memos, sized now: the first get_lr after the initial step (which
    // returns before them) may come any step later, a SequentialLR child's at its milestone.
    if (this->T_max.per_group() || this->eta_min.per_group())
      group_terms_.assign(groups.size(), kNoTerm);
    init_base(last_epoch);
    finish_init(init);
  }
  // T_max as a float (a double), or as an int.
  CosineAnnealingLR(Groups& groups, double T_max, PerGroup<double> eta_min = 0.0,
                    std::int64_t last_epoch = -1, Init init = Init::step)
      : CosineAnnealingLR(groups, PerGroup<Num>(Num(T_max)), std::move(eta_min), last_epoch, init) {}
  // Any integer type: an int, long or std::int64_t count of steps is an int T_max (with int
  // and double alone, an std::int64_t argument would be ambiguous between them).
  template <class Int, typename std::enable_if<std::is_integral<Int>::value &&
                                                   !std::is_same<Int, bool>::value,
                                               int>::type = 0>
  CosineAnnealingLR(Groups& groups, Int T_max, PerGroup<double> eta_min = 0.0,
                    std::int64_t last_epoch = -1, Init init = Init::step)
      : CosineAnnealingLR(groups, PerGroup<Num>(Num::of_int(static_cast<std::int64_t>(T_max))),
                          std::move(eta_min), last_epoch, init) {}
  // T_max per group, all ints or all floats (a list of Python ints or of floats); a mix of the
  // two is a std::vector<Num>.
  CosineAnnealingLR(Groups& groups, const std::vector<std::int64_t>& T_max,
                    PerGroup<double> eta_min = 0.0, std::int64_t last_epoch = -1,
                    Init init = Init::step)
      : CosineAnnealingLR(groups, PerGroup<std::int64_t>(T_max).map(Num::of_int),
                          std::move(eta_min), last_epoch, init) {}
  CosineAnnealingLR(Groups& groups, const std::vector<double>& T_max,
                    PerGroup<double> eta_min = 0.0, std::int64_t last_epoch = -1,
                    Init init = Init::step)
      : CosineAnnealingLR(groups, PerGroup<double>(T_max).map([](double t) { return Num(t); }),
                          std::move(eta_min), last_epoch, init) {}
  CosineAnnealingLR(Groups& groups, Unloaded) : LRScheduler(groups) {}

  const char* name() const override { return "CosineAnnealingLR"; }
  void describe(FieldVisitor& v) override {
    v("T_max", T_max);
    v("eta_min", eta_min);
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  void get_lr(double* out, std::size_t n) override {
    using detail::kPi;
    current_lrs(out);
    if (is_initial_) return;
    const double epoch = static_cast<double>(last_epoch_);
    const bool resumed = step_count_ == 1 && last_epoch_ > 0;  // torch: closed form, once
    const double epoch_before = pymath::minus_one(last_epoch_);  // float(last_epoch - 1)
    // One memo per group whenever the loop below goes group by group: eta_min per group with a
    // shared T_max too.
    if ((T_max.per_group() || eta_min.per_group()) && group_terms_.size() != n)
      group_terms_.assign(n, kNoTerm);
    for_each_group_at(n, [&](std::size_t g, const Num& T, double e) {
      if (resumed) {
        require_groups(n, base_lrs_.size());
        return Update{this, out, Update::closed, e, 1 + std::cos(pymath::div(epoch * kPi, T.value))};
      }
      if (at_period_bottom(T)) {  // the bottom of a period: climb back
        require_groups(n, base_lrs_.size());
        return Update{this, out, Update::climb, e, 1 - std::cos(pymath::div(kPi, T.value))};
      }
      // torch's ratio of 1 + cos(pi * e / T_max) at e = epoch and e = epoch - 1. The second is
      // the first of the previous step (the same operation on the same numbers): remembered.
      Term& memo = g == kEveryGroup ? previous_ : group_terms_[g];
      const double now = functional::cosine_term(epoch, T.value);
      const double before = memo.epoch == epoch_before && memo.T_max == T.value
                                ? memo.term
                                : functional::cosine_term(epoch_before, T.value);
      const double ratio = pymath::div(now, before);
      memo = {epoch, T.value, now};
      return Update{this, out, Update::ratio, e, ratio};
    }, T_max, eta_min);
  }
  bool closed_form_lr(double* out, std::size_t n) override {
    require_groups(n, base_lrs_.size());
    const double epoch = static_cast<double>(last_epoch_);
    for_each_group(n, [&](const Num& T, double e) {
      const double c = functional::cosine_term(epoch, T.value);
      return [this, out, e, c](std::size_t g) {
        out[g] = functional::cosine_value(base_lrs_[g], e, c);
      };
    }, T_max, eta_min);
    return true;
  }

  PerGroup<Num> T_max;
  PerGroup<double> eta_min;

 private:
  // torch's (last_epoch - 1 - T_max) % (2 * T_max) == 0: integer arithmetic for an int T_max
  // (a double matches it only below 2**53), float arithmetic for a float one.
  bool at_period_bottom(const Num& T) const {
    constexpr double kLimit = 4611686018427387904.0;  // 2**62: 2 * T_max fits in int64
    if (T.integral && std::fabs(T.value) < kLimit) {
      const auto t = static_cast<std::int64_t>(T.value);
      const std::int64_t period = 2 * t;
      if (period == 0) throw zero_division_error("integer modulo by zero");
      // (a - 1 - t) mod period, without overflowing a - 1 - t
      const std::int64_t r = pymath::mod(pymath::mod(last_epoch_, period) -
                                             pymath::mod(1 + t, period), period);
      return r == 0;
    }
    const double epoch = static_cast<double>(last_epoch_);
    return pymath::mod(epoch - 1 - T.value, 2 * T.value) == 0;
  }

  // One step's update of group i, by torch's three cases.
  struct Update {
    enum Case { closed, climb, ratio };
    const CosineAnnealingLR* self;
    double* out;
    Case which;
    double e, c;
    void operator()(std::size_t i) const {
      switch (which) {
        case closed: out[i] = e + (self->base_lrs_[i] - e) * c / 2; break;
        case climb: out[i] = out[i] + (self->base_lrs_[i] - e) * c / 2; break;
        case ratio: out[i] = c * (out[i] - e) + e; break;
      }
    }
  };

  struct Term {
    double epoch, T_max, term;
  };
  static constexpr Term kNoTerm{std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::quiet_NaN(), 0.0};  // matches nothing
  // Memos of cosine_term(epoch, T): a pure function of its arguments, so a memo made by any
  // scheduler (a scheduler object the bindings reuse) is right for any other.
  Term previous_ = kNoTerm;
  std::vector<Term> group_terms_;
};

// SGDR: cosine from base_lr to eta_min over T_i epochs, then restart with T_i *= T_mult. The
// restart clock (T_0, T_mult, T_i, T_cur) is shared by all groups, as torch keeps it; eta_min
// may be per group. T_i and T_cur keep Python's int/float distinction (they become floats when
// step(epoch) is given a float, or its T_mult formula applies).
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Groups& groups, std::int64_t T_0, std::int64_t T_mult = 1,
                              PerGroup<double> eta_min = 0.0, std::int64_t last_epoch = -1,
                              Init init = Init::step)
      : LRScheduler(groups), T_0(T_0), T_i(Num::of_int(T_0)), T_mult(T_mult),
        eta_min(std::move(eta_min)), T_cur(Num::of_int(last_epoch)) {
    validate();
    this->eta_min.require_size("eta_min", groups.size());
    init_base(last_epoch);
    finish_init(init);
  }
  CosineAnnealingWarmRestarts(Groups& groups, Unloaded) : LRScheduler(groups) {}

  void validate() const {
    if (T_0 <= 0)
      throw std::invalid_argument("Expected positive integer T_0, but got " + std::to_string(T_0));
    if (T_mult < 1)
      throw std::invalid_argument("Expected integer T_mult >= 1, but got " +
                                  std::to_string(T_mult));
  }

  const char* name() const override { return "CosineAnnealingWarmRestarts"; }
  void describe(FieldVisitor& v) override {
    v("T_0", T_0);
    v("T_i", T_i, stepped());
    v("T_mult", T_mult);
    v("eta_min", eta_min);
    v("T_cur", T_cur, stepped());
    describe_base(v);
  }
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }

  // torch's CosineAnnealingWarmRestarts.step(): note it does not count _step_count.
  void step() override {
    const State saved = save();
    try {
      // The epoch stays an int64 (torch: math.floor of an int, exact at any size).
      std::int64_t epoch = 0;
      if (last_epoch_ < 0) {
        advance_to(Num::of_int(0));
      } else {
        epoch = next_epoch(last_epoch_);
        T_cur = detail::plus_one(T_cur);
        if (T_cur.value >= T_i.value) {
          T_cur = detail::py_mod(T_cur, T_i);
          T_i = detail::times_int(T_i, T_mult);
        }
      }
      last_epoch_ = epoch;
      apply_lr(false);
    } catch (...) {
      restore(saved);
      throw;
    }
  }

  // torch's step(epoch): any non-negative epoch, fractional included (an int epoch keeps T_cur
  // an int where torch's does).
  void step_epoch(double epoch) override { step_epoch(Num(epoch)); }
  void step_epoch(const Num& epoch) {
    if (epoch.value < 0)
      throw std::invalid_argument("Expected non-negative epoch, but got " + py_repr(epoch));
    detail::exact(epoch);
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
    const double c = functional::cosine_term(T_cur.value, T_i.value);
    for_each_group(n, [&](double e) {
      return [this, out, e, c](std::size_t g) {
        out[g] = functional::cosine_value(base_lrs_[g], e, c);
      };
    }, eta_min);
  }

  std::int64_t T_0 = 1;
  Num T_i;
  std::int64_t T_mult = 1;
  PerGroup<double> eta_min;
  Num T_cur;

 private:
  struct State {
    Num T_i, T_cur;
    std::int64_t last_epoch;
  };
  State save() const { return {T_i, T_cur, last_epoch_}; }
  void restore(const State& s) {
    T_i = s.T_i;
    T_cur = s.T_cur;
    last_epoch_ = s.last_epoch;
  }

  static std::string py_repr(const Num& x) {
    if (x.integral) return std::to_string(static_cast<long long>(x.value));
    return pymath::repr(x.value);
  }

  // The explicit-epoch branch of torch's step(epoch).
  void advance_to(const Num& epoch) {
    const functional::WarmRestartsPoint p = functional::warm_restarts_point(epoch.value, T_0, T_mult);
    if (!(epoch.value >= static_cast<double>(T_0))) {  // T_i = T_0; T_cur = epoch
      T_i = Num::of_int(T_0);
      T_cur = epoch;
    } else if (T_mult == 1) {  // T_cur = epoch % T_0 (T_i unchanged)
      T_cur = detail::py_mod(epoch, Num::of_int(T_0));
    } else {  // the float formula; T_i = T_0 * T_mult ** n, an int
      T_cur = Num(p.T_cur);
      Num t_i(p.T_i);
      t_i.integral = true;
      T_i = detail::exact(t_i);
    }
  }

  void apply(const Num& epoch) {
    last_epoch_ = pymath::floor_to_int(epoch.value);
    apply_lr(false);
  }
};

}  // namespace lrcore
