// Optional libtorch adapter (not included by lrcore.hpp): lrcore schedulers over a
// torch::optim::Optimizer's param groups.
//
//   torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
//   auto sched = lrcore::attach<lrcore::OneCycleLR>(optimizer, std::vector<double>{0.1}, 1000);
//   for (...) { ...; optimizer.step(); sched->step(); }
//
// A group's lr is its options' get_lr()/set_lr(); momentum is SGDOptions::momentum, beta1 is
// AdamOptions/AdamWOptions::betas()[0] (which CyclicLR and OneCycleLR cycle, as torch does).
// Keys that libtorch's options cannot hold (initial_lr, max_lr, min_lr, max_momentum,
// base_momentum, swa_lr: Python keeps them in the group dicts) are kept here, per group.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <torch/optim.h>

#include "groups.hpp"

namespace lrcore {

class TorchGroups final : public Groups {
 public:
  explicit TorchGroups(torch::optim::Optimizer& optimizer) : optimizer_(&optimizer) {
    // torch's CyclicLR/OneCycleLR look at optimizer.defaults for "momentum" / "betas".
    const torch::optim::OptimizerOptions& d = optimizer.defaults();
    if (dynamic_cast<const torch::optim::SGDOptions*>(&d)) kind_ = MomentumKind::momentum;
    else if (dynamic_cast<const torch::optim::AdamOptions*>(&d) ||
             dynamic_cast<const torch::optim::AdamWOptions*>(&d))
      kind_ = MomentumKind::beta1;
  }

  std::size_t size() const override { return optimizer_->param_groups().size(); }
  MomentumKind momentum_kind() const override { return kind_; }
  const void* identity() const override { return optimizer_; }

  bool has(Key key, std::size_t g) const override {
    if (g >= size()) return false;
    switch (key) {
      case Key::lr: return true;
      case Key::momentum: return sgd(g) != nullptr;
      case Key::beta1: return adam(g) != nullptr || adamw(g) != nullptr;
      default: {
        const auto& column = extra_[index(key)];
        return g < column.size() && column[g].second;
      }
    }
  }

  double get(Key key, std::size_t g) const override {
    if (!has(key, g))
      throw key_error(std::string("param group ") + std::to_string(g) + " has no '" +
                      key_name(key) + "'");
    switch (key) {
      case Key::lr: return options(g).get_lr();
      case Key::momentum: return sgd(g)->momentum();
      case Key::beta1:
        return adam(g) ? std::get<0>(adam(g)->betas()) : std::get<0>(adamw(g)->betas());
      default: return extra_[index(key)][g].first;
    }
  }

  void set(Key key, std::size_t g, double value) override {
    switch (key) {
      case Key::lr: options(g).set_lr(value); return;
      case Key::momentum:
        if (auto* o = sgd(g)) { o->momentum(value); return; }
        break;
      case Key::beta1:
        if (auto* o = adam(g)) { o->betas(std::make_tuple(value, std::get<1>(o->betas()))); return; }
        if (auto* o = adamw(g)) { o->betas(std::make_tuple(value, std::get<1>(o->betas()))); return; }
        break;
      default: {
        auto& column = extra_[index(key)];
        if (g >= size()) break;
        if (column.size() < size()) column.resize(size(), {0.0, false});  // only on growth
        column[g] = {value, true};
        return;
      }
    }
    throw key_error(std::string("param group ") + std::to_string(g) + " cannot hold '" +
                    key_name(key) + "'");
  }

  torch::optim::Optimizer& optimizer() const { return *optimizer_; }

 private:
  static constexpr std::size_t index(Key key) { return static_cast<std::size_t>(key); }
  torch::optim::OptimizerOptions& options(std::size_t g) const {
    return optimizer_->param_groups().at(g).options();
  }
  torch::optim::SGDOptions* sgd(std::size_t g) const {
    return dynamic_cast<torch::optim::SGDOptions*>(&options(g));
  }
  torch::optim::AdamOptions* adam(std::size_t g) const {
    return dynamic_cast<torch::optim::AdamOptions*>(&options(g));
  }
  torch::optim::AdamWOptions* adamw(std::size_t g) const {
    return dynamic_cast<torch::optim::AdamWOptions*>(&options(g));
  }

  torch::optim::Optimizer* optimizer_;
  MomentumKind kind_ = MomentumKind::none;
  std::array<std::vector<std::pair<double, bool>>, kNumKeys> extra_;
};

// A scheduler attached to a libtorch optimizer: owns the TorchGroups view and the scheduler.
template <class Scheduler>
class Attached {
 public:
  template <class... Args>
  explicit Attached(torch::optim::Optimizer& optimizer, Args&&... args)
      : groups_(std::make_unique<TorchGroups>(optimizer)),
        scheduler_(std::make_unique<Scheduler>(*groups_, std::forward<Args>(args)...)) {}
  Scheduler* operator->() const { return scheduler_.get(); }
  Scheduler& operator*() const { return *scheduler_; }
  TorchGroups& groups() const { return *groups_; }

 private:
  std::unique_ptr<TorchGroups> groups_;  // declared first: the scheduler refers to it
  std::unique_ptr<Scheduler> scheduler_;
};

// One line: auto sched = lrcore::attach<lrcore::StepLR>(optimizer, 30, 0.1);
template <class Scheduler, class... Args>
Attached<Scheduler> attach(torch::optim::Optimizer& optimizer, Args&&... args) {
  return Attached<Scheduler>(optimizer, std::forward<Args>(args)...);
}

}  // namespace lrcore
