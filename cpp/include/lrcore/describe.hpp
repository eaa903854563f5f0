// What a scheduler holds, described once: each scheduler class lists its fields, in the order
// and under the names of torch's attributes (its state_dict keys), with
//
//   template <class V> void describe(V& v) { v("step_size", step_size); v("gamma", gamma); ... }
//
// Everything that reads or writes a scheduler's fields is a visitor over that list: the state
// (state.hpp: save_state/load_state and its JSON), the Python bindings (which load a scheduler
// from the attributes of a Python object before a step and store what the step changed), and the
// description the Python layer validates arguments and state dicts with. A field's kind follows
// from its C++ type (see Kind); Flags says the rest.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace lrcore {

// An int or a float, as Python holds it: torch keeps some values as ints until arithmetic makes
// them floats (CosineAnnealingWarmRestarts' T_cur and T_i, CosineAnnealingLR's T_max), and the
// int/float distinction is part of the state (and of T_max's period test).
struct Num {
  double value = 0;
  bool integral = false;  // an int in Python (its value then an integer below 2**53)

  Num() = default;
  Num(double v) : value(v) {}  // NOLINT: a float
  static Num of_int(std::int64_t i) {
    Num n(static_cast<double>(i));
    n.integral = true;
    return n;
  }
  operator double() const { return value; }  // NOLINT: used as the number it is
};

// MultiStepLR's milestones: torch's Counter, held as the sorted list of its elements (a milestone
// counted twice appears twice).
struct Counter {
  std::vector<std::int64_t> elements;
};

// The kinds of fields, by C++ type:
//   integer  std::int64_t           real      double           number  Num
//   boolean  bool                   string    std::string      reals   std::vector<double>
//   integers std::vector<int64_t>   counter   Counter          optional_real std::optional<double>
// and kinds whose C++ value is described by a class of its own (phases, children, callables).
// PerGroup<T> of integer, real or number is "per group": one value, or one per param group.
enum class Kind {
  integer,
  real,
  number,
  boolean,
  string,
  reals,
  integers,
  counter,
  optional_real,
  phases,
  children,
  lambdas,
  callable_state,
};

inline const char* kind_name(Kind k) {
  switch (k) {
    case Kind::integer: return "int";
    case Kind::real: return "real";
    case Kind::number: return "number";
    case Kind::boolean: return "bool";
    case Kind::string: return "str";
    case Kind::reals: return "reals";
    case Kind::integers: return "ints";
    case Kind::counter: return "counter";
    case Kind::optional_real: return "optional_real";
    case Kind::phases: return "phases";
    case Kind::children: return "children";
    case Kind::lambdas: return "lambdas";
    case Kind::callable_state: return "callable_state";
  }
  return "?";
}

// The values a string field may hold: a null-terminated list of static strings.
using Choices = const char* const*;
namespace choices {
inline constexpr const char* min_max[] = {"min", "max", nullptr};
inline constexpr const char* rel_abs[] = {"rel", "abs", nullptr};
inline constexpr const char* cos_linear[] = {"cos", "linear", nullptr};
inline constexpr const char* shapes[] = {"linear", "cosine", "1-sqrt", nullptr};
}  // namespace choices

// How a field takes part, beyond its kind.
struct Flags {
  // Part of the state (state_dict, save_state).
  bool state = true;
  // Changed by a step: what the bindings write back to the Python object after one.
  bool stepped = false;
  // Written by a step and not read by it (torch's _last_lr, _get_lr_called_within_step): a
  // scheduler stepped on its own need not load it (one a composite steps may have it read).
  bool output = false;
  // After a step, the groups' lrs (torch's _param_groups_val_list(optimizer, "lr")).
  bool group_lrs = false;
  // May be None (std::optional, or a per-group default).
  bool nullable = false;
  // Absent from a state saved in some configurations (CyclicLR's momentum bounds without
  // cycle_momentum).
  bool optional = false;
  // An attribute of the Python object. A few state keys are not (WarmupLR's "_group_lrs", the
  // groups' lrs, computed when the state is saved): the scheduler fills them in before_save()
  // and uses them in after_load().
  bool attribute = true;
  // The values a string field may hold (null: any).
  Choices choices = nullptr;
  // A list a step may refill with one field's value (torch's [self.default_min_lr] * n): the
  // name of that field, whose Python object the refilled list then holds.
  const char* filled_from = nullptr;

  constexpr Flags& step_changes() {
    stepped = true;
    return *this;
  }
  constexpr Flags& step_output() {
    stepped = true;
    output = true;
    return *this;
  }
  constexpr Flags& holds_group_lrs() {
    group_lrs = true;
    return step_output();
  }
  constexpr Flags& may_be_none() {
    nullable = true;
    return *this;
  }
  constexpr Flags& only_sometimes() {
    optional = true;
    return *this;
  }
  constexpr Flags& not_attribute() {
    attribute = false;
    return *this;
  }
  constexpr Flags& one_of(Choices values) {
    choices = values;
    return *this;
  }
  constexpr Flags& refilled_from(const char* field) {
    filled_from = field;
    return *this;
  }
  // Whether `value` is one of the choices (any value when there are none).
  bool allows(const std::string& value) const {
    if (!choices) return true;
    for (Choices c = choices; *c; ++c)
      if (value == *c) return true;
    return false;
  }
};

inline constexpr Flags stepped() { return Flags().step_changes(); }
inline constexpr Flags one_of(Choices values) { return Flags().one_of(values); }

}  // namespace lrcore
