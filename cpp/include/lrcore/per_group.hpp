// PerGroup<T>: a scheduler argument that torch takes as one scalar for every param group, and
// that lrcore also takes as one value per group (pytorch issue 63488).
//
// It holds either one shared value (what torch holds) or one value per group, and says which:
// the schedules keep their shared fast path (a per-step factor computed once for all groups)
// when the value is shared, and compute group g with values[g], by the very operations torch uses
// with the scalar values[g], when it is per group. Both conversions are implicit, so that
// `StepLR(groups, 30, 0.1)` and `StepLR(groups, 30, std::vector<double>{0.1, 0.5})` both compile.
// A vector of one value is still "per group" (it is saved as a list, as given).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lrcore {

namespace detail {
// Out of line, so that PerGroup::value() stays a load and a branch on the step path.
[[noreturn]] inline void throw_per_group_value() {
  throw std::logic_error("the value is per group: read values() or [g]");
}
}  // namespace detail

template <class T>
class PerGroup {
 public:
  PerGroup() = default;
  PerGroup(T value) : shared_(std::move(value)) {}  // NOLINT: implicit, as the scalar it replaces
  PerGroup(std::vector<T> values) : values_(std::move(values)), per_group_(true) {}  // NOLINT

  // Given as one value per group.
  bool per_group() const noexcept { return per_group_; }
  // Group g's value (the shared value whatever g is, when shared).
  T operator[](std::size_t g) const { return per_group_ ? values_[g] : shared_; }
  // The shared value; std::logic_error when the value is per group.
  const T& value() const {
    if (per_group_) detail::throw_per_group_value();
    return shared_;
  }
  // The per-group values (empty when shared).
  const std::vector<T>& values() const noexcept { return values_; }

  // torch's _format_param check: a per-group value must have one value per param group.
  void require_size(const char* name, std::size_t groups) const {
    if (per_group_ && values_.size() != groups)
      throw std::invalid_argument(std::string(name) +
                                  " must have the same length as optimizer.param_groups. " + name +
                                  " has " + std::to_string(values_.size()) +
                                  " values, param_groups has " + std::to_string(groups) + ".");
  }

  // Applies `check` to every value (a constructor's range checks).
  template <class Check>
  void each(Check&& check) const {
    if (!per_group_) return check(shared_);
    for (const T& v : values_) check(v);
  }

 private:
  T shared_{};
  std::vector<T> values_;
  bool per_group_ = false;
};

}  // namespace lrcore
