// How a scheduler sees an optimizer's param groups.
//
// torch's schedulers read and write the optimizer's `param_groups` dicts on every step (the
// chainable forms read the current "lr"), so the core never caches them: it reads what the groups
// hold, computes, and writes back, through this interface. A C++ trainer uses ParamGroups (plain
// vectors it owns); the Python bindings implement Groups over the optimizer's dicts.
#pragma once

#include <array>
#include <cstddef>
#include <map>
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

  // Other hyperparameters of the groups, by name (weight_decay, betas[1], ...): what a
  // scheduler driving another key than the lr reads and writes through a KeyView. Groups that
  // hold none have none.
  virtual bool has_named(const std::string& name, std::size_t group) const {
    (void)name;
    (void)group;
    return false;
  }
  virtual double get_named(const std::string& name, std::size_t group) const {
    throw key_error("param group " + std::to_string(group) + " has no '" + name + "'");
  }
  virtual void set_named(const std::string& name, std::size_t group, double value) {
    (void)value;
    throw key_error("param group " + std::to_string(group) + " cannot hold '" + name + "'");
  }

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

  // A named hyperparameter of every group (weight decay, ...), for a scheduler driving it
  // through a KeyView: one value per group.
  void set_field(const std::string& name, std::vector<double> values) {
    if (values.size() != size())
      throw std::invalid_argument("'" + name + "' must have one value per param group");
    named_[name] = {std::move(values), std::vector<char>(size(), 1)};
  }
  double field(const std::string& name, std::size_t group) const { return get_named(name, group); }
  bool has_named(const std::string& name, std::size_t group) const override {
    const auto found = named_.find(name);
    return found != named_.end() && group < found->second.second.size() &&
           found->second.second[group] != 0;
  }
  double get_named(const std::string& name, std::size_t group) const override {
    if (!has_named(name, group))
      throw key_error("param group " + std::to_string(group) + " has no '" + name + "'");
    return named_.find(name)->second.first[group];
  }
  void set_named(const std::string& name, std::size_t group, double value) override {
    if (group >= size())
      throw key_error("param group " + std::to_string(group) + " cannot hold '" + name + "'");
    auto& column = named_[name];
    if (column.first.size() != size()) {  // a field the groups did not hold yet
      column.first.assign(size(), 0.0);
      column.second.assign(size(), 0);
    }
    column.first[group] = value;
    column.second[group] = 1;
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
  std::map<std::string, std::pair<std::vector<double>, std::vector<char>>> named_;
};

// The groups as a scheduler driving another hyperparameter than the lr sees them: its lr is the
// field `key` ("weight_decay"; an element of a tuple field is named as in Python, "betas[1]",
// where the groups understand it: a libtorch optimizer's), and the entries torch names after
// the lr are named after the key (initial_lr is "initial_weight_decay", max_lr
// "max_weight_decay"; for "betas[1]", "initial_betas_1"), as lrcore's Python schedulers name
// them. Momentum and beta1 stay the groups' own. The view refers to `groups`, which must
// outlive it.
class KeyView final : public Groups {
 public:
  KeyView(Groups& groups, std::string key) : groups_(&groups), key_(std::move(key)) {
    if (key_.empty()) throw std::invalid_argument("a KeyView needs the name of a field");
    std::string flat = key_;
    if (key_.back() == ']') {
      const std::size_t open = key_.find('[');
      const std::string digits =
          open == std::string::npos ? "" : key_.substr(open + 1, key_.size() - open - 2);
      if (open == 0 || digits.empty() ||
          digits.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("key '" + key_ + "': an element is written name[index]");
      flat = key_.substr(0, open) + "_" + std::to_string(std::stoul(digits));
    }
    names_[index(Key::lr)] = key_;
    names_[index(Key::initial_lr)] = "initial_" + flat;
    names_[index(Key::max_lr)] = "max_" + flat;
    names_[index(Key::min_lr)] = "min_" + flat;
    names_[index(Key::swa_lr)] = "swa_" + flat;
  }

  const std::string& key() const { return key_; }
  std::size_t size() const override { return groups_->size(); }
  MomentumKind momentum_kind() const override { return groups_->momentum_kind(); }
  const void* identity() const override { return groups_->identity(); }
  std::string name_of(Key key) const override {
    return renamed(key) ? names_[index(key)] : groups_->name_of(key);
  }
  bool has(Key key, std::size_t group) const override {
    return renamed(key) ? groups_->has_named(names_[index(key)], group) : groups_->has(key, group);
  }
  double get(Key key, std::size_t group) const override {
    return renamed(key) ? groups_->get_named(names_[index(key)], group) : groups_->get(key, group);
  }
  void set(Key key, std::size_t group, double value) override {
    if (renamed(key)) groups_->set_named(names_[index(key)], group, value);
    else groups_->set(key, group, value);
  }
  bool has_named(const std::string& name, std::size_t group) const override {
    return groups_->has_named(name, group);
  }
  double get_named(const std::string& name, std::size_t group) const override {
    return groups_->get_named(name, group);
  }
  void set_named(const std::string& name, std::size_t group, double value) override {
    groups_->set_named(name, group, value);
  }

 private:
  static constexpr std::size_t index(Key key) { return static_cast<std::size_t>(key); }
  bool renamed(Key key) const { return !names_[index(key)].empty(); }
  Groups* groups_;
  std::string key_;
  std::array<std::string, kNumKeys> names_{};
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
