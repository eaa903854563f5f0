// Exceptions the core throws. Each maps onto the exception type torch's Python code raises for the
// same input: std::invalid_argument -> ValueError, key_error -> KeyError,
// zero_division_error -> ZeroDivisionError,
// not_implemented_error -> NotImplementedError, std::runtime_error -> RuntimeError.
#pragma once

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

}  // namespace lrcore
