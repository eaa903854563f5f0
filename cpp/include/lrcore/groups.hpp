// How a scheduler sees an optimizer's param groups.
//
// torch's schedulers read and write the optimizer's `param_groups` dicts on every step (the
// chainable forms read the current "lr"), so the core never caches them: it reads what the groups
// hold, computes, and writes back, through this interface. A C++ trainer uses ParamGroups (plain
// vectors it owns); the Python bindings implement Groups over the optimizer's dicts.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"

namespace lrcore {

// The per-group values that torch's schedulers read or write.
enum class Key : int {
  lr,
  initial_lr,
  momentum,  // SGD-style group["momentum"]
  beta1,     // Adam-style group["betas"][0]
  max_lr,
  min_lr,
  max_momentum,
  base_momentum,
  swa_lr,
};
inline constexpr int kNumKeys = 9;

inline const char* key_name(Key key) {
  switch (key) {
    case Key::lr: return "lr";
    case Key::initial_lr: return "initial_lr";
    case Key::momentum: return "momentum";
    case Key::beta1: return "betas";
    case Key::max_lr: return "max_lr";
    case Key::min_lr: return "min_lr";
    case Key::max_momentum: return "max_momentum";
    case Key::base_momentum: return "base_momentum";
    case Key::swa_lr: return "swa_lr";
  }
  return "?";
}

// One key's values for every group, for reading or writing several keys in one pass.
struct Column {
  Key key;
  double* values;
};
struct ConstColumn {
  Key key;
  const double* values;
};

// Which momentum-like hyperparameter the optimizer has (torch looks at optimizer.defaults).
enum class MomentumKind { none, momentum, beta1 };

class Groups {
 public:
  virtual ~Groups() = default;
  virtual std::size_t size() const = 0;
  virtual bool has(Key key, std::size_t group) const = 0;
  virtual double get(Key key, std::size_t group) const = 0;  // throws key_error if absent
  virtual void set(Key key, std::size_t group, double value) = 0;
  virtual MomentumKind momentum_kind() const = 0;
  // The name of the entry holding `key` in these groups' terms, for messages: a view driving
  // another field than the lr names initial_lr "initial_weight_decay".
  virtual std::string name_of(Key key) const { return key_name(key); }
  // Two Groups with the same identity are views of the same optimizer.
  virtual const void* identity() const { return this; }

  // Bulk access: out/values hold size() entries. Implementations override these for speed.
  virtual void read(Key key, double* out) const {
    const std::size_t n = size();
    for (std::size_t g = 0; g < n; ++g) out[g] = get(key, g);
  }
  virtual void write(Key key, const double* values) {
    const std::size_t n = size();
    for (std::size_t g = 0; g < n; ++g) set(key, g, values[g]);
  }
  // Several keys at once. Where a pass over the groups is what costs (Python dicts), this is one
  // pass: group by group, each column in order.
  virtual void read_columns(const Column* columns, std::size_t count) const {
    for (std::size_t c = 0; c < count; ++c) read(columns[c].key, columns[c].values);
  }
  virtual void write_columns(const ConstColumn* columns, std::size_t count) {
    for (std::size_t c = 0; c < count; ++c) write(columns[c].key, columns[c].values);
  }
};

// Param groups owned by a C++ trainer: one lr per group, plus whatever other keys schedulers set
// (initial_lr, momentum, max_lr, ...). The trainer's optimizer reads lr(g) before each update.
class ParamGroups final : public Groups {
 public:
  ParamGroups() = default;
  explicit ParamGroups(std::vector<double> lrs, MomentumKind momentum = MomentumKind::none)
      : momentum_kind_(momentum) {
    const std::size_t n = lrs.size();
    for (auto& column : values_) column.assign(n, 0.0);
    for (auto& column : present_) column.assign(n, 0);
    values_[index(Key::lr)] = std::move(lrs);
    present_[index(Key::lr)].assign(n, 1);
  }
  // Groups whose optimizer has momentum (SGD) or beta1 (Adam), for CyclicLR / OneCycleLR.
  ParamGroups(std::vector<double> lrs, std::vector<double> momentum, MomentumKind kind)
      : ParamGroups(std::move(lrs), kind) {
    if (momentum.size() != size())
      throw std::invalid_argument("momentum must have one value per param group");
    const Key key = kind == MomentumKind::beta1 ? Key::beta1 : Key::momentum;
    values_[index(key)] = std::move(momentum);
    present_[index(key)].assign(size(), 1);
  }

  std::size_t size() const override { return values_[index(Key::lr)].size(); }
  MomentumKind momentum_kind() const override { return momentum_kind_; }
  bool has(Key key, std::size_t group) const override {
    return group < size() && present_[index(key)][group] != 0;
  }
  double get(Key key, std::size_t group) const override {
    if (!has(key, group))
      throw key_error(std::string("param group ") + std::to_string(group) + " has no '" +
                      key_name(key) + "'");
    return values_[index(key)][group];
  }
  void set(Key key, std::size_t group, double value) override {
    values_[index(key)].at(group) = value;
    present_[index(key)][group] = 1;
  }
  void read(Key key, double* out) const override {
    const auto& column = values_[index(key)];
    const auto& present = present_[index(key)];
    for (std::size_t g = 0; g < column.size(); ++g) {
      if (!present[g]) (void)get(key, g);  // throws key_error
      out[g] = column[g];
    }
  }
  void write(Key key, const double* values) override {
    auto& column = values_[index(key)];
    for (std::size_t g = 0; g < column.size(); ++g) column[g] = values[g];
    auto& present = present_[index(key)];
    if (!all_present_[index(key)]) {
      present.assign(column.size(), 1);
      all_present_[index(key)] = true;
    }
  }

  double lr(std::size_t group) const { return values_[index(Key::lr)].at(group); }
  void set_lr(std::size_t group, double value) { set(Key::lr, group, value); }
  double momentum(std::size_t group) const {
    return get(momentum_kind_ == MomentumKind::beta1 ? Key::beta1 : Key::momentum, group);
  }
  const std::vector<double>& lrs() const { return values_[index(Key::lr)]; }

 private:
  static constexpr std::size_t index(Key key) { return static_cast<std::size_t>(key); }
  MomentumKind momentum_kind_ = MomentumKind::none;
  std::vector<double> values_[kNumKeys];
  std::vector<char> present_[kNumKeys];
  bool all_present_[kNumKeys] = {};  // present_[key] is all ones (skip re-marking on write)
};

// What `source` holds now, every key of every group, as ParamGroups: the groups a copy of a
// scheduler runs on when its future is computed without touching the real ones.
inline ParamGroups snapshot(const Groups& source) {
  const std::size_t n = source.size();
  std::vector<double> lrs(n);
  source.read(Key::lr, lrs.data());
  ParamGroups copy(std::move(lrs), source.momentum_kind());
  for (int k = 0; k < kNumKeys; ++k) {
    const Key key = static_cast<Key>(k);
    if (key == Key::lr) continue;
    for (std::size_t g = 0; g < n; ++g)
      if (source.has(key, g)) copy.set(key, g, source.get(key, g));
  }
  return copy;
}

}  // namespace lrcore
