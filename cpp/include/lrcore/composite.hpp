// Schedulers made of schedulers: SequentialLR (one after another, switching at milestones) and
// ChainedScheduler (all of them, every step, each on the lrs the previous one left).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "plateau.hpp"
#include "scheduler.hpp"

namespace lrcore {

using SchedulerPtr = std::shared_ptr<LRScheduler>;

namespace detail {
inline void check_children(const char* who, const std::vector<SchedulerPtr>& children,
                           const Groups& groups, const char* none_message) {
  if (children.empty()) throw std::invalid_argument(std::string(who) + none_message);
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (!children[i])
      throw std::invalid_argument(std::string(who) + " at index " + std::to_string(i) +
                                  " is null");
    if (dynamic_cast<const ReduceLROnPlateau*>(children[i].get()))
      throw std::invalid_argument(
          std::string(who) +
          " does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to "
          "be specified when calling `step`, but got one at index " +
          std::to_string(i) + " in the given schedulers sequence.");
    if (children[i]->groups().identity() != groups.identity())
      throw std::invalid_argument(std::string(who) +
                                  " expects all schedulers to belong to the same optimizer, but "
                                  "got scheduler at index " +
                                  std::to_string(i) + " with a different one.");
  }
}
// A composite's child in a clone: copied once, however often it appears in the tree.
inline SchedulerPtr clone_child(const SchedulerPtr& child, Groups& groups,
                                LRScheduler::CloneMemo& memo) {
  auto found = memo.find(child.get());
  if (found != memo.end()) return found->second;
  SchedulerPtr copy = child->clone_into(groups, memo);
  memo.emplace(child.get(), copy);
  return copy;
}
}  // namespace detail

class SequentialLR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo& memo) const override {
    auto copy = copy_onto(*this, groups);
    for (auto& child : static_cast<SequentialLR&>(*copy).schedulers_) child = detail::clone_child(child, groups, memo);
    return copy;
  }
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
    schedulers_ = std::move(schedulers);
    milestones_ = std::move(milestones);
    last_epoch_ = next_epoch(last_epoch);
    // Reset every group to its initial lr and rewind the children, then let the scheduler that
    // owns epoch 0 take its initial step.
    const std::size_t n = groups.size();
    std::vector<double> initial(n);
    groups.read(Key::initial_lr, initial.data());
    groups.write(Key::lr, initial.data());
    undo_epoch();
    const std::size_t idx = index_at(0);
    schedulers_[idx]->initial_step();
    last_lr_ = schedulers_[idx]->get_last_lr();
  }

  void step() override {
    last_epoch_ = next_epoch(last_epoch_);
    try {
      const std::size_t idx = index_at(last_epoch_);
      LRScheduler& scheduler = *schedulers_[idx];
      if (idx > 0 && milestones_[idx - 1] == last_epoch_) scheduler.update_lr(0);
      else scheduler.step();
      last_lr_ = scheduler.get_last_lr();
    } catch (...) {
      --last_epoch_;
      throw;
    }
  }
  void step_epoch(double) override {
    throw std::invalid_argument("SequentialLR.step() takes no epoch");
  }
  void undo_epoch() override {
    for (auto& s : schedulers_) s->undo_epoch();
  }

  const std::vector<SchedulerPtr>& schedulers() const { return schedulers_; }
  const std::vector<std::int64_t>& milestones() const { return milestones_; }
  void set_milestones(std::vector<std::int64_t> milestones) { milestones_ = std::move(milestones); }

 private:
  // bisect_right(milestones, epoch)
  std::size_t index_at(std::int64_t epoch) const {
    return static_cast<std::size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), epoch) -
                                    milestones_.begin());
  }
  std::vector<SchedulerPtr> schedulers_;
  std::vector<std::int64_t> milestones_;
};

class ChainedScheduler : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo& memo) const override {
    auto copy = copy_onto(*this, groups);
    for (auto& child : static_cast<ChainedScheduler&>(*copy).schedulers_) child = detail::clone_child(child, groups, memo);
    return copy;
  }
  ChainedScheduler(Groups& groups, std::vector<SchedulerPtr> schedulers) : LRScheduler(groups) {
    detail::check_children("ChainedScheduler", schedulers, groups,
                           " expects at least one scheduler to be chained, but got no scheduler.");
    schedulers_ = std::move(schedulers);
    last_lr_.resize(groups.size());
    current_lrs(last_lr_.data());
  }

  void step() override {
    for (auto& s : schedulers_) s->step();
    last_lr_.resize(groups_->size());
    current_lrs(last_lr_.data());
  }
  void step_epoch(double) override {
    throw std::invalid_argument("ChainedScheduler.step() takes no epoch");
  }
  void undo_epoch() override {
    for (auto& s : schedulers_) s->undo_epoch();
  }

  const std::vector<SchedulerPtr>& schedulers() const { return schedulers_; }

 private:
  std::vector<SchedulerPtr> schedulers_;
};

}  // namespace lrcore
