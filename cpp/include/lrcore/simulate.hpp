// A schedule's future, computed without touching it: a copy of the scheduler, in its current
// state, stepping a copy of its param groups. Every value is what stepping the real scheduler
// would give, bit for bit, because it is the same code on the same numbers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <stdexcept>

#include "groups.hpp"
#include "scheduler.hpp"

namespace lrcore {

class Simulation {
 public:
  explicit Simulation(const LRScheduler& scheduler)
      : groups_(snapshot(scheduler.groups())), scheduler_(scheduler.clone(groups_)) {}
  Simulation(const Simulation&) = delete;  // the copy steps groups_: it must stay where it is
  Simulation& operator=(const Simulation&) = delete;

  std::size_t num_groups() const { return groups_.size(); }

  // Row 0 of out is the groups' lrs now; row k (of steps + 1, num_groups() columns each) the lrs
  // after k more step() calls.
  void run(std::size_t steps, double* out) {
    if (scheduler_->takes_metric())
      throw std::invalid_argument(
          "this scheduler is stepped with a metric (it is or holds a ReduceLROnPlateau): give "
          "the metrics");
    record(out);
    for (std::size_t k = 1; k <= steps; ++k) {
      scheduler_->step();
      record(out + k * num_groups());
    }
  }

  // The same for a scheduler stepped with the metric (ReduceLROnPlateau, or a composite holding
  // one): step k is step_metric(metrics[k - 1]).
  void run(const double* metrics, std::size_t steps, double* out) {
    if (!scheduler_->takes_metric())
      throw std::invalid_argument(
          "only a ReduceLROnPlateau, or a composite holding one, is stepped with metrics");
    record(out);
    for (std::size_t k = 1; k <= steps; ++k) {
      scheduler_->step_metric(metrics[k - 1]);
      record(out + k * num_groups());
    }
  }

 private:
  void record(double* row) const { std::copy(groups_.lrs().begin(), groups_.lrs().end(), row); }

  ParamGroups groups_;
  std::unique_ptr<LRScheduler> scheduler_;
};

}  // namespace lrcore
