// WarmupLR: a warmup in front of any scheduler, without SequentialLR's pitfalls.
//
// For the first warmup_steps steps the groups get the wrapped scheduler's lrs times a factor that
// rises from start_factor to 1 (transformers' warmup shapes: linear, cosine, 1-sqrt); from then on
// they get the wrapped scheduler's lrs exactly. The wrapped scheduler never sees the damping:
// while the groups hold damped lrs, each step first gives them back the wrapped scheduler's own
// lrs (its get_last_lr()), so a chainable schedule (CosineAnnealingLR, ReduceLROnPlateau, ...)
// follows, bit for bit, the trajectory it has alone. Once the warmup is over the wrapper is
// transparent: the wrapped scheduler steps on the groups as they are (a hand-edited lr takes
// effect, as in torch).
//
// With `prefix`, the wrapped scheduler starts after the warmup: during the warmup its lrs (those of
// its epoch 0) are damped and it does not step; at step warmup_steps the groups hold them in full;
// its epoch k is the wrapper's step warmup_steps + k. Without it (the default) both start together.
//
// What SequentialLR([LinearLR(...), S], [W]) gets wrong and this does not:
// - the state is the whole story: it keeps the groups' lrs, and load_state() (and Python's
//   load_state_dict) puts them back, so resuming does not depend on whether the optimizer's state
//   was loaded before or after the schedulers were rebuilt (SequentialLR's constructor resets every lr
//   to initial_lr, and a LinearLR child's initial step multiplies the current lr again);
// - the wrapped scheduler's epochs are not shifted or restarted by a milestone, so no lr repeats
//   or jumps at the hand-over, and any scheduler can be wrapped, ReduceLROnPlateau included
//   (step_metric passes the metric on).
//
// Since it owns the lrs during the warmup, a WarmupLR cannot share a ChainedScheduler with other
// schedulers (their changes would be overwritten at its next step): warm up the chain instead.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "composite.hpp"
#include "per_group.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"
#include "schedules.hpp"

namespace lrcore {

class WarmupLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo& memo) const override {
    auto copy = copy_onto(*this, groups);
    detail::clone_children(static_cast<WarmupLR&>(*copy).scheduler_, groups, memo);
    return copy;
  }
  WarmupLR(Groups& groups, Unloaded) : LRScheduler(groups) {}
  const char* name() const override { return "WarmupLR"; }
  void describe(FieldVisitor& v) override {
    v("warmup_steps", warmup_steps);
    v("start_factor", start_factor);
    v("warmup_type", warmup_type, one_of(choices::shapes));
    v("prefix", prefix);
    v("base_lrs", base_lrs_, Flags().only_sometimes());
    v("last_epoch", last_epoch_, stepped());
    v("_step_count", step_count_, stepped());
    v("_last_lr", last_lr_, Flags().holds_group_lrs());
    v("_group_lrs", group_lrs_, Flags().not_attribute());
    v("_schedulers", scheduler_);
  }
  // Before a save: the groups' lrs now (the state keeps them, as "_group_lrs").
  void before_save() override {
    group_lrs_.resize(groups_->size());
    current_lrs(group_lrs_.data());
  }
  // After a load: the groups get back the lrs they held when the state was saved, so that
  // resuming does not depend on what they hold now.
  void after_load() override {
    validate();
    children_loaded();
    require_groups(groups_->size(), group_lrs_.size());
    groups_->write(Key::lr, group_lrs_.data());
  }
  // After a loader has set the child: what follows from it.
  void children_loaded() { takes_metric_ = scheduler_[0].takes_metric(); }

  // `start_factor`: one value for every group, or one per group.
  WarmupLR(Groups& groups, SchedulerPtr scheduler, std::int64_t warmup_steps,
           PerGroup<double> start_factor = 0.0, std::string warmup_type = "linear",
           bool prefix = false)
      : LRScheduler(groups), warmup_steps(warmup_steps), start_factor(std::move(start_factor)),
        warmup_type(std::move(warmup_type)), prefix(prefix) {
    detail::check_children("WarmupLR", {scheduler}, groups,
                           " expects a scheduler to warm up, but got none.");
    validate();
    scheduler_.own({std::move(scheduler)});
    children_loaded();
    const std::size_t n = groups.size();
    held_.reserve(n);
    last_lr_.reserve(n);
    // base_lrs: what the warmup leads to, the wrapped scheduler's lrs now. (No initial_lr is
    // written: the wrapped scheduler has written it, or, a ReduceLROnPlateau, does not need it.)
    base_lrs_ = scheduler_[0].get_last_lr();
    last_epoch_ = 0;
    step_count_ = 1;
    write_lrs(0);
  }

  // The parameters' checks (also after a state is loaded).
  void validate() const {
    if (warmup_steps < 0)
      throw std::invalid_argument("warmup_steps must be non-negative, got " +
                                  std::to_string(warmup_steps));
    start_factor.require_size("start_factor", groups_->size());
    start_factor.each([](double f) {
      if (!(f >= 0.0 && f <= 1.0))
        throw std::invalid_argument("start_factor must be in [0, 1], got " + pymath::repr(f));
    });
    (void)shape();
  }

  void step() override {
    if (takes_metric_) throw detail::metric_needed("WarmupLR");
    advance(std::nullopt);
  }
  void step_metric(double metric) override { advance(metric); }
  bool takes_metric() const override { return takes_metric_; }
  bool has_warmup() const override { return true; }
  void step_epoch(double) override {
    throw std::invalid_argument("WarmupLR.step() takes no epoch");
  }

  // Inside a SequentialLR: its constructor rewinds the children and gives the first one its
  // initial step (on the groups reset to initial_lr); at a milestone a child restarts at epoch 0.
  // The warmup starts again with the wrapped scheduler in both.
  void undo_epoch() override {
    scheduler_[0].undo_epoch();
    last_epoch_ = previous_epoch(last_epoch_);
  }
  void initial_step() override {
    scheduler_[0].initial_step();
    step_count_ = 1;
    write_lrs(0);
  }
  void restart(std::optional<double> metric) override {
    scheduler_[0].restart(takes_metric_ ? metric : std::nullopt);
    write_lrs(0);
  }

  // The factor of group g at step t (1 once the warmup is over).
  double factor(std::int64_t t, std::size_t g) const {
    if (!damped(t)) return 1.0;
    return schedules::warmup_factor(t, warmup_steps, shape(), start_factor[g]);
  }

  LRScheduler& scheduler() const { return scheduler_[0]; }

  std::int64_t warmup_steps = 0;
  PerGroup<double> start_factor;
  std::string warmup_type = "linear";
  bool prefix = false;

 private:
  bool damped(std::int64_t t) const { return t < warmup_steps; }
  schedules::Shape shape() const { return schedules::shape_named(warmup_type); }

  void advance(std::optional<double> metric) {
    const std::int64_t t = next_epoch(last_epoch_);
    const std::size_t n = groups_->size();
    const bool inner_steps = !prefix || t > warmup_steps;
    if (inner_steps && damped(last_epoch_)) {
      // The groups hold damped lrs: the wrapped scheduler steps from its own. What they hold is
      // kept for a failed step to put back (not last_lr_: a hand-set lr must survive that too).
      const std::vector<double>& inner = scheduler_[0].get_last_lr();
      require_groups(n, inner.size());
      held_.resize(n);
      groups_->read(Key::lr, held_.data());
      groups_->write(Key::lr, inner.data());
      try {
        detail::step_child(scheduler_[0], metric);
      } catch (...) {
        groups_->write(Key::lr, held_.data());
        throw;
      }
    } else if (inner_steps) {
      detail::step_child(scheduler_[0], metric);
    }
    if (inner_steps && !damped(t)) {  // transparent: the groups hold the wrapped lrs
      last_lr_ = scheduler_[0].get_last_lr();  // (no pass over the groups; capacity reserved)
      last_epoch_ = t;
    } else {
      write_lrs(t);
    }
    ++step_count_;
  }

  // The groups' lrs at step t: the wrapped scheduler's lrs, times the factor during the warmup.
  void write_lrs(std::int64_t t) {
    const std::vector<double>& inner = scheduler_[0].get_last_lr();
    const std::size_t n = groups_->size();
    require_groups(n, inner.size());
    values_.resize(n);
    if (!damped(t)) {
      std::copy(inner.begin(), inner.end(), values_.begin());
    } else if (!start_factor.per_group()) {
      const double f = factor(t, 0);
      for (std::size_t g = 0; g < n; ++g) values_[g] = inner[g] * f;
    } else {
      for (std::size_t g = 0; g < n; ++g) values_[g] = inner[g] * factor(t, g);
    }
    groups_->write(Key::lr, values_.data());
    std::swap(last_lr_, values_);
    last_epoch_ = t;
  }

  Children scheduler_;
  bool takes_metric_ = false;
  std::vector<double> values_, held_, group_lrs_;
};

}  // namespace lrcore
