// Exceptions the core throws. Each maps onto the exception type torch's Python code raises for the
// same input: std::invalid_argument -> ValueError, key_error -> KeyError,
// zero_division_error -> ZeroDivisionError,
// not_implemented_error -> NotImplementedError, type_error -> TypeError,
// std::runtime_error -> RuntimeError.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace lrcore {

// A param group lacks a key a scheduler needs (torch: KeyError).
struct key_error : std::out_of_range {
  using std::out_of_range::out_of_range;
};

// Python would raise ZeroDivisionError where C++ would silently produce inf/NaN or be undefined.
struct zero_division_error : std::domain_error {
  using std::domain_error::domain_error;
};

// A scheduler without a get_lr of its own was stepped (torch: NotImplementedError).
struct not_implemented_error : std::logic_error {
  using std::logic_error::logic_error;
};

// A call with the wrong arguments, such as step() without the metric a ReduceLROnPlateau needs
// (Python: TypeError, as for a missing positional argument).
struct type_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The epoch after `epoch`. Epochs are int64 (Python ints are not): one past 2**63 - 1 throws
// std::overflow_error (Python: OverflowError) instead of wrapping around, which is undefined.
inline std::int64_t next_epoch(std::int64_t epoch) {
  if (epoch == std::numeric_limits<std::int64_t>::max())
    throw std::overflow_error("last_epoch would pass 2**63 - 1, the largest epoch lrcore holds");
  return epoch + 1;
}
// The epoch before `epoch` (SequentialLR's undo), likewise.
inline std::int64_t previous_epoch(std::int64_t epoch) {
  if (epoch == std::numeric_limits<std::int64_t>::min())
    throw std::overflow_error("last_epoch would pass -2**63, the smallest epoch lrcore holds");
  return epoch - 1;
}

}  // namespace lrcore
