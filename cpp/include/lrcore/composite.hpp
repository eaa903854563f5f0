// Schedulers made of schedulers: SequentialLR (one after another, switching at milestones) and
// ChainedScheduler (all of them, every step, each on the lrs the previous one left).
//
// Unlike torch's, they accept a ReduceLROnPlateau child (long requested of torch): a composite holding
// one takes the metric, step_metric(metric), and passes it to the children that take it; the
// others step as usual. At a SequentialLR milestone a ReduceLROnPlateau restarts as the other
// schedulers do, from each group's initial_lr (see ReduceLROnPlateau::restart).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "plateau.hpp"
#include "scheduler.hpp"

namespace lrcore {

namespace detail {
inline void check_children(const char* who, const std::vector<SchedulerPtr>& children,
                           const Groups& groups, const char* none_message) {
  if (children.empty()) throw std::invalid_argument(std::string(who) + none_message);
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (!children[i])
      throw std::invalid_argument(std::string(who) + " at index " + std::to_string(i) +
                                  " is null");
    if (children[i]->groups().identity() != groups.identity())
      throw std::invalid_argument(std::string(who) +
                                  " expects all schedulers to belong to the same optimizer, but "
                                  "got scheduler at index " +
                                  std::to_string(i) + " with a different one.");
  }
}
// Whether any child takes the metric (a composite holding a ReduceLROnPlateau is stepped with it).
inline bool any_takes_metric(const Children& children) {
  for (LRScheduler* child : children.list)
    if (child->takes_metric()) return true;
  return false;
}
inline bool any_has_warmup(const Children& children) {
  for (LRScheduler* child : children.list)
    if (child->has_warmup()) return true;
  return false;
}
inline type_error metric_needed(const char* who) {
  return type_error(std::string(who) +
                    " holds a ReduceLROnPlateau: step it with the metric, step(metrics)");
}
// One step of a composite's child: with the metric if it takes one. Without a metric (only in a
// composite's initial step, see SequentialLR::initial_step) such a child gets its initial step
// instead (a ReduceLROnPlateau: a fresh start).
inline void step_child(LRScheduler& child, std::optional<double> metric) {
  if (!child.takes_metric()) child.step();
  else if (metric) child.step_metric(*metric);
  else child.initial_step();
}
// torch's _initial_step (step count 0, one step in "initial" mode) with `step` as the step.
template <class Step>
void initial_advance(LRScheduler& s, Step&& step) {
  s.set_step_count(0);
  s.set_is_initial(true);
  try {
    step();
  } catch (...) {
    s.set_is_initial(false);
    throw;
  }
  s.set_is_initial(false);
}
// A composite's child in a clone: copied once, however often it appears in the tree.
inline SchedulerPtr clone_child(const LRScheduler& child, Groups& groups,
                                LRScheduler::CloneMemo& memo) {
  auto found = memo.find(&child);
  if (found != memo.end()) return found->second;
  SchedulerPtr copy = child.clone_into(groups, memo);
  memo.emplace(&child, copy);
  return copy;
}
inline void clone_children(Children& children, Groups& groups, LRScheduler::CloneMemo& memo) {
  std::vector<SchedulerPtr> copies;
  copies.reserve(children.size());
  for (LRScheduler* child : children.list) copies.push_back(clone_child(*child, groups, memo));
  children.own(std::move(copies));
}
}  // namespace detail

class SequentialLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo& memo) const override {
    auto copy = copy_onto(*this, groups);
    detail::clone_children(static_cast<SequentialLR&>(*copy).schedulers_, groups, memo);
    return copy;
  }
  SequentialLR(Groups& groups, Unloaded) : LRScheduler(groups) {}
  const char* name() const override { return "SequentialLR"; }
  void describe(FieldVisitor& v) override {
    v("_milestones", milestones_);
    v("last_epoch", last_epoch_, stepped());
    v("_last_lr", last_lr_, Flags().holds_group_lrs());
    v("_schedulers", schedulers_);
  }
  // After a loader has set the children: what follows from them.
  void children_loaded() {
    takes_metric_ = detail::any_takes_metric(schedulers_);
    has_warmup_ = detail::any_has_warmup(schedulers_);
    last_stepped_ = nullptr;
  }
  // A loaded state's milestones must fit its children, as the constructor requires: a step
  // steps child bisect_right(milestones, epoch), which must exist.
  void after_load() override {
    if (milestones_.size() + 1 != schedulers_.size())
      throw std::invalid_argument("state '_milestones' has " + std::to_string(milestones_.size()) +
                                  " milestones for " + std::to_string(schedulers_.size()) +
                                  " schedulers: it needs one fewer");
    children_loaded();
  }
  const LRScheduler* last_lr_of() const override { return last_stepped_; }

  SequentialLR(Groups& groups, std::vector<SchedulerPtr> schedulers,
               std::vector<std::int64_t> milestones, std::int64_t last_epoch = -1)
      : LRScheduler(groups) {
    detail::check_children("SequentialLR", schedulers, groups,
                           " expects at least one scheduler, but got no scheduler.");
    if (milestones.size() != schedulers.size() - 1)
      throw std::invalid_argument(
          "Sequential Schedulers expects number of schedulers provided to be one more than the "
          "number of milestone points, but got number of schedulers " +
          std::to_string(schedulers.size()) + " and the number of milestones to be equal to " +
          std::to_string(milestones.size()));
    schedulers_.own(std::move(schedulers));
    milestones_ = std::move(milestones);
    children_loaded();
    last_epoch_ = next_epoch(last_epoch);
    // Reset every group to its initial lr and rewind the children, then let the scheduler that
    // owns epoch 0 take its initial step. (Only ReduceLROnPlateau children leave a group
    // without initial_lr: it is then the lr, as LRScheduler's constructor would record it.)
    const std::size_t n = groups.size();
    for (std::size_t g = 0; g < n; ++g)
      if (!groups.has(Key::initial_lr, g)) groups.set(Key::initial_lr, g, groups.get(Key::lr, g));
    std::vector<double> initial(n);
    groups.read(Key::initial_lr, initial.data());
    groups.write(Key::lr, initial.data());
    undo_epoch();
    const std::size_t idx = index_at(0);
    schedulers_[idx].initial_step();
    last_lr_ = schedulers_[idx].get_last_lr();
    last_stepped_ = &schedulers_[idx];
  }

  void step() override {
    if (takes_metric_) throw detail::metric_needed("SequentialLR");
    advance(std::nullopt);
  }
  // The step of a SequentialLR holding a ReduceLROnPlateau: the scheduler that owns the next
  // epoch gets the metric if it takes one (at its milestone, through restart()).
  void step_metric(double metric) override { advance(metric); }
  bool takes_metric() const override { return takes_metric_; }
  bool has_warmup() const override { return has_warmup_; }
  // As the first child of a SequentialLR: torch's _initial_step, a step(); holding a
  // ReduceLROnPlateau, that step gives the children that take the metric their initial step.
  void initial_step() override {
    if (!takes_metric_) return LRScheduler::initial_step();
    detail::initial_advance(*this, [this] { advance(std::nullopt); });
  }
  void step_epoch(double) override {
    throw std::invalid_argument("SequentialLR.step() takes no epoch");
  }
  void undo_epoch() override {
    for (LRScheduler* s : schedulers_.list) s->undo_epoch();
  }

  const Children& schedulers() const { return schedulers_; }
  const std::vector<std::int64_t>& milestones() const { return milestones_; }
  void set_milestones(std::vector<std::int64_t> milestones) { milestones_ = std::move(milestones); }

 private:
  void advance(std::optional<double> metric) {
    last_epoch_ = next_epoch(last_epoch_);
    try {
      const std::size_t idx = index_at(last_epoch_);
      // (torch's IndexError, where milestones were edited to outnumber the children)
      if (idx >= schedulers_.size()) throw std::out_of_range("list index out of range");
      LRScheduler& scheduler = schedulers_[idx];
      if (idx > 0 && milestones_[idx - 1] == last_epoch_) scheduler.restart(metric);
      else detail::step_child(scheduler, metric);
      last_lr_ = scheduler.get_last_lr();
      last_stepped_ = &scheduler;
    } catch (...) {
      --last_epoch_;
      throw;
    }
  }
  // bisect_right(milestones, epoch)
  std::size_t index_at(std::int64_t epoch) const {
    return static_cast<std::size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), epoch) -
                                    milestones_.begin());
  }
  Children schedulers_;
  std::vector<std::int64_t> milestones_;
  bool takes_metric_ = false;
  bool has_warmup_ = false;
  const LRScheduler* last_stepped_ = nullptr;  // (see last_lr_of)
};

class ChainedScheduler : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo& memo) const override {
    auto copy = copy_onto(*this, groups);
    detail::clone_children(static_cast<ChainedScheduler&>(*copy).schedulers_, groups, memo);
    return copy;
  }
  ChainedScheduler(Groups& groups, Unloaded) : LRScheduler(groups) {}
  const char* name() const override { return "ChainedScheduler"; }
  void describe(FieldVisitor& v) override {
    v("_last_lr", last_lr_, Flags().holds_group_lrs());
    v("_schedulers", schedulers_);
  }
  void children_loaded() { takes_metric_ = detail::any_takes_metric(schedulers_); }
  void after_load() override { children_loaded(); }

  ChainedScheduler(Groups& groups, std::vector<SchedulerPtr> schedulers) : LRScheduler(groups) {
    detail::check_children("ChainedScheduler", schedulers, groups,
                           " expects at least one scheduler to be chained, but got no scheduler.");
    schedulers_.own(std::move(schedulers));
    // A WarmupLR owns the lrs during its warmup: the other schedulers of a chain would see
    // their changes overwritten at its next step.
    if (schedulers_.size() > 1 && detail::any_has_warmup(schedulers_))
      throw std::invalid_argument(
          "ChainedScheduler cannot chain a WarmupLR with other schedulers: during its warmup it "
          "sets the lrs from its own scheduler's, undoing the others' changes. Warm up the "
          "chain instead: WarmupLR(ChainedScheduler([...]), warmup_steps)");
    children_loaded();
    last_lr_.resize(groups.size());
    current_lrs(last_lr_.data());
  }

  void step() override {
    if (takes_metric_) throw detail::metric_needed("ChainedScheduler");
    advance(std::nullopt);
  }
  // Every child steps in turn; the ReduceLROnPlateau among them get the metric.
  void step_metric(double metric) override { advance(metric); }
  bool takes_metric() const override { return takes_metric_; }
  bool has_warmup() const override { return schedulers_[0].has_warmup(); }
  // As the first child of a SequentialLR (see SequentialLR::initial_step).
  void initial_step() override {
    if (!takes_metric_) return LRScheduler::initial_step();
    detail::initial_advance(*this, [this] { advance(std::nullopt); });
  }
  void step_epoch(double) override {
    throw std::invalid_argument("ChainedScheduler.step() takes no epoch");
  }
  void undo_epoch() override {
    for (LRScheduler* s : schedulers_.list) s->undo_epoch();
  }

  const Children& schedulers() const { return schedulers_; }

 private:
  void advance(std::optional<double> metric) {
    for (LRScheduler* s : schedulers_.list) detail::step_child(*s, metric);
    last_lr_.resize(groups_->size());
    current_lrs(last_lr_.data());
  }
  Children schedulers_;
  bool takes_metric_ = false;
};

}  // namespace lrcore
