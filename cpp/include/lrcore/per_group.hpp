// PerGroup<T>: a scheduler argument that torch takes as one scalar for every param group, and
// that lrcore also takes as one value per group (long requested of torch).
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
#include <type_traits>
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

  // Every value through `f` (a PerGroup of another type, per group where this is).
  template <class F>
  auto map(F&& f) const -> PerGroup<decltype(f(std::declval<const T&>()))> {
    using U = decltype(f(std::declval<const T&>()));
    if (!per_group_) return PerGroup<U>(f(shared_));
    std::vector<U> out;
    out.reserve(values_.size());
    for (const T& v : values_) out.push_back(f(v));
    return PerGroup<U>(std::move(out));
  }

  // Setters for a loader that fills one in place (keeping its vector's capacity).
  void set_shared(T value) {
    shared_ = std::move(value);
    per_group_ = false;
    values_.clear();
  }
  std::vector<T>& set_per_group() {
    per_group_ = true;
    return values_;
  }

 private:
  T shared_{};
  std::vector<T> values_;
  bool per_group_ = false;
};

namespace detail {
[[noreturn]] inline void throw_group_count(std::size_t groups, std::size_t values) {
  throw std::invalid_argument("the optimizer has " + std::to_string(groups) +
                              " param groups but the scheduler has " + std::to_string(values) +
                              " values per group (was a param group added?)");
}
}  // namespace detail

// The group index for_each_group_at gives make() when every argument is shared.
inline constexpr std::size_t kEveryGroup = static_cast<std::size_t>(-1);

// A formula's shared and per-group paths in one. make(group, values...) returns what to do for
// group g, a callable of g; it is made once, with group kEveryGroup, when every argument is
// shared (the factor of a step is then computed once, as torch computes it once), else once per
// group g with that group's values (torch's result for the scalars values[g]). A per-group
// argument must have n values.
template <class Make, class... T>
void for_each_group_at(std::size_t n, Make&& make, const PerGroup<T>&... args) {
  if (!(args.per_group() || ...)) {
    auto update = make(kEveryGroup, args.value()...);
    for (std::size_t g = 0; g < n; ++g) update(g);
    return;
  }
  const bool sized[] = {(!args.per_group() || args.values().size() == n)...};
  const std::size_t sizes[] = {(args.per_group() ? args.values().size() : n)...};
  for (std::size_t i = 0; i < sizeof...(T); ++i)
    if (!sized[i]) detail::throw_group_count(n, sizes[i]);
  for (std::size_t g = 0; g < n; ++g) make(g, args[g]...)(g);
}

// for_each_group_at for a make(values...) that does not need the group.
template <class Make, class... T>
void for_each_group(std::size_t n, Make&& make, const PerGroup<T>&... args) {
  for_each_group_at(n, [&](std::size_t, const T&... values) { return make(values...); }, args...);
}

}  // namespace lrcore
