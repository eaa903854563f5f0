// Optional libtorch adapter (not included by lrcore.hpp): lrcore schedulers over a
// torch::optim::Optimizer's param groups.
//
//   torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
//   auto sched = lrcore::attach<lrcore::OneCycleLR>(optimizer, std::vector<double>{0.1}, 1000);
//   for (...) { ...; optimizer.step(); sched->step(); }
//
// Another hyperparameter than the lr, by its Python name (see KeyView):
//   auto wd = lrcore::attach<lrcore::CosineAnnealingLR>(optimizer, lrcore::drive("weight_decay"),
//                                                       1000, 0.4);
//
// A group's lr is its options' get_lr()/set_lr(); momentum is SGDOptions::momentum, beta1 is
// AdamOptions/AdamWOptions::betas()[0] (which CyclicLR and OneCycleLR cycle, as torch does).
// Keys that libtorch's options cannot hold (initial_lr, max_lr, min_lr, max_momentum,
// base_momentum, swa_lr: Python keeps them in the group dicts) are kept here, per group.
#pragma once

#include <array>
#include <map>
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
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

  // A named hyperparameter (for a KeyView: a scheduler driving it): the options' weight_decay,
  // momentum, dampening, eps, alpha, lr_decay, "betas[0]" and "betas[1]", lr; any other name
  // (initial_weight_decay, ...) is kept here, per group.
  bool has_named(const std::string& name, std::size_t g) const override {
    if (g >= size()) return false;
    double value = 0.0;
    if (option(name, g, &value, nullptr)) return true;
    const auto found = named_.find(name);
    return found != named_.end() && g < found->second.size() && found->second[g].second;
  }
  double get_named(const std::string& name, std::size_t g) const override {
    double value = 0.0;
    if (g < size() && option(name, g, &value, nullptr)) return value;
    if (!has_named(name, g))
      throw key_error("param group " + std::to_string(g) + " has no '" + name + "'");
    return named_.find(name)->second[g].first;
  }
  void set_named(const std::string& name, std::size_t g, double value) override {
    if (g >= size())
      throw key_error("param group " + std::to_string(g) + " cannot hold '" + name + "'");
    if (option(name, g, nullptr, &value)) return;
    auto& column = named_[name];
    if (column.size() < size()) column.resize(size(), {0.0, false});
    column[g] = {value, true};
  }

  torch::optim::Optimizer& optimizer() const { return *optimizer_; }

 private:
  // Reads (`out`) or writes (`in`) the option `name` of group g; false if its options have
  // none of that name. (libtorch's options are getter/setter pairs: o.x() and o.x(value).)
  bool option(const std::string& name, std::size_t g, double* out, const double* in) const {
    auto rw = [&](auto& o, auto get, auto set) {
      if (out) *out = get(o);
      if (in) set(o, *in);
      return true;
    };
#define LRCORE_OPTION(field)                                          \
  [](auto& o) { return static_cast<double>(o.field()); },             \
  [](auto& o, double v) { o.field(static_cast<std::decay_t<decltype(o.field())>>(v)); }
    if (name == "lr") {
      if (out) *out = options(g).get_lr();
      if (in) options(g).set_lr(*in);
      return true;
    }
    if (name == "weight_decay") {
      if (auto* o = sgd(g)) return rw(*o, LRCORE_OPTION(weight_decay));
      if (auto* o = adam(g)) return rw(*o, LRCORE_OPTION(weight_decay));
      if (auto* o = adamw(g)) return rw(*o, LRCORE_OPTION(weight_decay));
      if (auto* o = rmsprop(g)) return rw(*o, LRCORE_OPTION(weight_decay));
      if (auto* o = adagrad(g)) return rw(*o, LRCORE_OPTION(weight_decay));
      return false;
    }
    if (name == "eps") {
      if (auto* o = adam(g)) return rw(*o, LRCORE_OPTION(eps));
      if (auto* o = adamw(g)) return rw(*o, LRCORE_OPTION(eps));
      if (auto* o = rmsprop(g)) return rw(*o, LRCORE_OPTION(eps));
      if (auto* o = adagrad(g)) return rw(*o, LRCORE_OPTION(eps));
      return false;
    }
    if (name == "momentum") {
      if (auto* o = sgd(g)) return rw(*o, LRCORE_OPTION(momentum));
      if (auto* o = rmsprop(g)) return rw(*o, LRCORE_OPTION(momentum));
      return false;
    }
    if (name == "dampening") {
      if (auto* o = sgd(g)) return rw(*o, LRCORE_OPTION(dampening));
      return false;
    }
    if (name == "alpha") {
      if (auto* o = rmsprop(g)) return rw(*o, LRCORE_OPTION(alpha));
      return false;
    }
    if (name == "lr_decay") {
      if (auto* o = adagrad(g)) return rw(*o, LRCORE_OPTION(lr_decay));
      return false;
    }
#undef LRCORE_OPTION
    if (name == "betas[0]" || name == "betas[1]") {
      const bool second = name == "betas[1]";
      auto element = [&](auto& o) {
        auto betas = o.betas();
        double& b = second ? std::get<1>(betas) : std::get<0>(betas);
        if (out) *out = b;
        if (in) {
          b = *in;
          o.betas(betas);
        }
        return true;
      };
      if (auto* o = adam(g)) return element(*o);
      if (auto* o = adamw(g)) return element(*o);
      return false;
    }
    return false;
  }

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
  torch::optim::RMSpropOptions* rmsprop(std::size_t g) const {
    return dynamic_cast<torch::optim::RMSpropOptions*>(&options(g));
  }
  torch::optim::AdagradOptions* adagrad(std::size_t g) const {
    return dynamic_cast<torch::optim::AdagradOptions*>(&options(g));
  }

  torch::optim::Optimizer* optimizer_;
  MomentumKind kind_ = MomentumKind::none;
  std::array<std::vector<std::pair<double, bool>>, kNumKeys> extra_;
  std::map<std::string, std::vector<std::pair<double, bool>>> named_;
};

// A scheduler attached to a libtorch optimizer: owns the TorchGroups view and the scheduler.
// The hyperparameter a scheduler attached with attach(optimizer, drive("weight_decay"), ...)
// drives instead of the lr (see KeyView).
struct Drive {
  std::string key;
};
inline Drive drive(std::string key) { return Drive{std::move(key)}; }

// Whether a constructor's arguments start with a Drive.
template <class... Args>
constexpr bool starts_with_drive() {
  if constexpr (sizeof...(Args) == 0) return false;
  else return std::is_same_v<std::decay_t<std::tuple_element_t<0, std::tuple<Args...>>>, Drive>;
}

template <class Scheduler>
class Attached {
 public:
  template <class... Args, class = std::enable_if_t<!starts_with_drive<Args...>()>>
  explicit Attached(torch::optim::Optimizer& optimizer, Args&&... args)
      : groups_(std::make_unique<TorchGroups>(optimizer)),
        scheduler_(std::make_unique<Scheduler>(*groups_, std::forward<Args>(args)...)) {}
  template <class... Args>
  Attached(torch::optim::Optimizer& optimizer, Drive key, Args&&... args)
      : groups_(std::make_unique<TorchGroups>(optimizer)),
        view_(std::make_unique<KeyView>(*groups_, std::move(key.key))),
        scheduler_(std::make_unique<Scheduler>(*view_, std::forward<Args>(args)...)) {}
  Scheduler* operator->() const { return scheduler_.get(); }
  Scheduler& operator*() const { return *scheduler_; }
  TorchGroups& groups() const { return *groups_; }

 private:
  std::unique_ptr<TorchGroups> groups_;  // declared first: the scheduler refers to it
  std::unique_ptr<KeyView> view_;        // (null: the scheduler drives the lr)
  std::unique_ptr<Scheduler> scheduler_;
};

// One line: auto sched = lrcore::attach<lrcore::StepLR>(optimizer, 30, 0.1);
template <class Scheduler, class... Args>
Attached<Scheduler> attach(torch::optim::Optimizer& optimizer, Args&&... args) {
  return Attached<Scheduler>(optimizer, std::forward<Args>(args)...);
}

}  // namespace lrcore
