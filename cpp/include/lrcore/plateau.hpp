// ReduceLROnPlateau: multiply the lrs by `factor` once a metric has stopped improving for
// `patience` steps.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

class ReduceLROnPlateau : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  ReduceLROnPlateau(Groups& groups, Unloaded) : LRScheduler(groups) {}
  explicit ReduceLROnPlateau(Groups& groups, const std::string& mode = "min", double factor = 0.1,
                             std::int64_t patience = 10, double threshold = 1e-4,
                             const std::string& threshold_mode = "rel", std::int64_t cooldown = 0,
                             std::vector<double> min_lr = {0.0}, double eps = 1e-8,
                             bool min_lr_is_list = false)
      : LRScheduler(groups), factor(factor), patience(patience), cooldown(cooldown), eps(eps) {
    if (factor >= 1.0) throw std::invalid_argument("Factor should be < 1.0.");
    const std::size_t n = groups.size();
    if (min_lr_is_list || min_lr.size() != 1) {
      if (min_lr.size() != n)
        throw std::invalid_argument("expected " + std::to_string(n) + " min_lrs, got " +
                                    std::to_string(min_lr.size()));
      min_lrs = std::move(min_lr);
    } else {
      default_min_lr = min_lr.front();
      min_lrs.assign(n, *default_min_lr);
    }
    init_is_better(mode, threshold, threshold_mode);
    last_epoch_ = 0;
    last_lr_.resize(n);
    current_lrs(last_lr_.data());
    took_min_lr.reserve(n);  // (a plateau a composite steps later allocates nothing then)
    reset();
    // A step (or a composite's restart()) then allocates nothing.
    for (auto* buffer : {&last_lr_scratch_, &restart_lrs_, &held_lrs_, &saved_last_lr_})
      buffer->reserve(n);
  }

  const char* name() const override { return "ReduceLROnPlateau"; }
  void describe(FieldVisitor& v) override {
    v("factor", factor);
    v("default_min_lr", default_min_lr);
    v("min_lrs", min_lrs, stepped().refilled_from("default_min_lr"));
    v("patience", patience);
    v("cooldown", cooldown);
    v("eps", eps);
    v("last_epoch", last_epoch_, stepped());
    v("_last_lr", last_lr_, Flags().holds_group_lrs());
    v("mode_worse", mode_worse);
    v("mode", mode, one_of(choices::min_max));
    v("threshold", threshold);
    v("threshold_mode", threshold_mode, one_of(choices::rel_abs));
    v("best", best, stepped());
    v("cooldown_counter", cooldown_counter, stepped());
    v("num_bad_epochs", num_bad_epochs, stepped());
  }

  // torch's load_state_dict: _init_is_better(mode, threshold, threshold_mode).
  void after_load() override { init_is_better(mode, threshold, threshold_mode); }

  void reset() {
    best = mode_worse;
    cooldown_counter = 0;
    num_bad_epochs = 0;
  }

  // torch's _init_is_better: validate and set mode, threshold and threshold_mode.
  void init_is_better(const std::string& mode, double threshold, const std::string& threshold_mode) {
    if (mode != "min" && mode != "max")
      throw std::invalid_argument("mode " + mode + " is unknown!");
    if (threshold_mode != "rel" && threshold_mode != "abs")
      throw std::invalid_argument("threshold mode " + threshold_mode + " is unknown!");
    mode_worse = mode == "max" ? -std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::infinity();
    this->mode = mode;
    this->threshold = threshold;
    this->threshold_mode = threshold_mode;
  }

  // torch's _is_better, by the mode and threshold mode as they are now.
  bool is_better(double a, double best_so_far) const {
    const bool mode_min = mode == "min";
    const bool rel = threshold_mode == "rel";
    if (mode_min && rel) return a < best_so_far * (1.0 - threshold);
    if (mode_min && threshold_mode == "abs") return a < best_so_far - threshold;
    if (mode == "max" && rel) return a > best_so_far * (threshold + 1.0);
    return a > best_so_far + threshold;
  }
  bool in_cooldown() const { return cooldown_counter > 0; }

  // torch's step(metrics, epoch=None).
  void step(double metric, std::optional<std::int64_t> epoch = std::nullopt) {
    const std::size_t n = groups_->size();
    // Everything that can fail (reading the groups, a changed group count) happens before any
    // state changes.
    last_lr_scratch_.resize(n);
    current_lrs(last_lr_scratch_.data());
    took_min_lr.assign(n, 0);  // sized at the first step: later steps allocate nothing
    const std::int64_t new_epoch = epoch ? *epoch : next_epoch(last_epoch_);
    bool better = is_better(metric, best);
    std::int64_t bad = better ? 0 : num_bad_epochs + 1;
    std::int64_t counter = cooldown_counter;
    if (counter > 0) {
      --counter;
      bad = 0;
    }
    if (bad > patience) {
      reduce_lr(last_lr_scratch_.data(), n);
      counter = cooldown;
      bad = 0;
    }
    last_epoch_ = new_epoch;
    if (better) best = Num(metric);
    num_bad_epochs = bad;
    cooldown_counter = counter;
    std::swap(last_lr_, last_lr_scratch_);
  }

  void step() override {
    throw type_error("ReduceLROnPlateau.step() needs the metric: step(metrics)");
  }
  void step_epoch(double) override {
    throw type_error("ReduceLROnPlateau.step() needs the metric: step(metrics)");
  }

  // Inside a composite (an lrcore extension: torch's composites refuse a ReduceLROnPlateau).
  bool takes_metric() const override { return true; }
  void step_metric(double metric) override { step(metric, std::nullopt); }

  // SequentialLR's constructor gives the child that owns epoch 0 its initial step, after setting
  // every group's lr to its initial_lr. A ReduceLROnPlateau has no initial step: it starts
  // afresh on the groups' lrs as they are (epoch 0, nothing monitored yet).
  void initial_step() override {
    const std::size_t n = groups_->size();
    last_lr_scratch_.resize(n);
    current_lrs(last_lr_scratch_.data());  // the only thing that can fail: before any change
    took_min_lr.assign(n, 0);
    reset();
    last_epoch_ = 0;
    std::swap(last_lr_, last_lr_scratch_);
  }

  // SequentialLR's hand-over at a milestone, where every other scheduler restarts at its epoch 0
  // (torch's _update_lr(0): lrs computed from each group's initial_lr): the lrs go back to the
  // groups' initial_lr, the monitor starts afresh (best, bad epochs, cooldown), and the metric of
  // the step that hands over is the first one recorded. A failure leaves everything as it was.
  void restart(std::optional<double> metric) override {
    const std::size_t n = groups_->size();
    restart_lrs_.resize(n);
    held_lrs_.resize(n);
    groups_->read(Key::initial_lr, restart_lrs_.data());  // KeyError before anything changes
    current_lrs(held_lrs_.data());
    const Monitor saved = monitor();
    const std::int64_t saved_epoch = last_epoch_;
    saved_last_lr_ = last_lr_;  // capacity kept from earlier steps: no allocation per step
    groups_->write(Key::lr, restart_lrs_.data());
    try {
      reset();
      last_epoch_ = 0;
      last_lr_ = restart_lrs_;
      if (metric) step_metric(*metric);  // virtual: a Python step override (verbose) sees it
    } catch (...) {
      groups_->write(Key::lr, held_lrs_.data());
      set_monitor(saved);
      last_epoch_ = saved_epoch;
      last_lr_ = saved_last_lr_;
      throw;
    }
  }

  double factor = 0.1;
  std::optional<double> default_min_lr;
  std::vector<double> min_lrs;
  std::int64_t patience = 10;
  std::int64_t cooldown = 0;
  double eps = 1e-8;
  std::string mode = "min";
  double threshold = 1e-4;
  std::string threshold_mode = "rel";
  double mode_worse = std::numeric_limits<double>::infinity();
  // A float, unless the user set an int (which a step keeps until a better metric replaces it).
  Num best = std::numeric_limits<double>::infinity();
  std::int64_t cooldown_counter = 0;
  std::int64_t num_bad_epochs = 0;
  // Written by a step, not state: the groups whose new lr is their min_lr itself (torch's
  // max(old_lr * factor, min_lr) returns the min_lr object, an int where it is one).
  std::vector<unsigned char> took_min_lr;

 private:
  // torch's _reduce_lr; lrs holds the groups' current lrs and receives the new ones.
  void reduce_lr(double* lrs, std::size_t n) {
    if (n != min_lrs.size()) {
      if (!default_min_lr)
        throw std::runtime_error(
            "The number of param groups in the `optimizer` (" + std::to_string(n) +
            ") differs from when `ReduceLROnPlateau` was initialized (" +
            std::to_string(min_lrs.size()) +
            "), usually due to a new param group being added to the optimizer. Please modify "
            "the `min_lrs` field to match the length of the `optimizer` param groups.");
      min_lrs.assign(n, *default_min_lr);
    }
    for (std::size_t g = 0; g < n; ++g) {  // (step() cleared took_min_lr)
      const double old_lr = lrs[g];
      const double reduced = old_lr * factor;
      const double new_lr = pymath::max(reduced, min_lrs[g]);
      if (old_lr - new_lr > eps) {
        groups_->set(Key::lr, g, new_lr);
        lrs[g] = new_lr;
        took_min_lr[g] = min_lrs[g] > reduced;
      }
    }
  }
  struct Monitor {
    Num best;
    std::int64_t cooldown_counter, num_bad_epochs;
  };
  Monitor monitor() const { return {best, cooldown_counter, num_bad_epochs}; }
  void set_monitor(const Monitor& m) {
    best = m.best;
    cooldown_counter = m.cooldown_counter;
    num_bad_epochs = m.num_bad_epochs;
  }
  std::vector<double> last_lr_scratch_;
  std::vector<double> restart_lrs_, held_lrs_, saved_last_lr_;  // restart()'s buffers
};

}  // namespace lrcore
