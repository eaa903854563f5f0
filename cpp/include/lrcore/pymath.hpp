// Arithmetic with Python's semantics, so that the core computes exactly what torch's Python code
// computes: floor division and modulo round toward negative infinity, and division by zero raises
// instead of producing inf/NaN (or undefined behaviour for integers).
#pragma once

#include <cmath>
#include <limits>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "errors.hpp"

namespace lrcore::pymath {

inline std::int64_t floordiv(std::int64_t a, std::int64_t b) {
  if (b == 0) throw zero_division_error("integer division or modulo by zero");
  if (b == -1) {  // a / -1 overflows (and traps) for a = -2**63
    if (a == std::numeric_limits<std::int64_t>::min())
      throw std::overflow_error("-2**63 // -1 does not fit in a 64-bit integer");
    return -a;
  }
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

inline std::int64_t mod(std::int64_t a, std::int64_t b) {
  if (b == 0) throw zero_division_error("integer modulo by zero");
  if (b == -1) return 0;  // a % -1 traps for a = -2**63; it is 0 for every a
  std::int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// Python's float % (CPython float_rem): the result takes the sign of the divisor.
inline double mod(double a, double b) {
  if (b == 0.0) throw zero_division_error("float modulo");
  double r = std::fmod(a, b);
  if (r != 0.0) {
    if ((b < 0.0) != (r < 0.0)) r += b;
  } else {
    r = std::copysign(0.0, b);
  }
  return r;
}

inline double div(double a, double b) {
  if (b == 0.0) throw zero_division_error("float division by zero");
  return a / b;
}

// Python's float ** float (CPython float_pow): C's pow, except where Python raises instead of
// returning inf.
inline double pow(double base, double exponent) {
  if (base == 0.0 && exponent < 0.0 && std::isfinite(exponent))
    throw zero_division_error("0.0 cannot be raised to a negative power");
  const double result = std::pow(base, exponent);
  if (std::isinf(result) && std::isfinite(base) && std::isfinite(exponent))
    throw std::overflow_error("(34, 'Numerical result out of range')");
  return result;
}

// Python's max(a, b) / min(a, b): the first argument wins ties and NaN comparisons.
inline double max(double a, double b) { return b > a ? b : a; }
inline double min(double a, double b) { return b < a ? b : a; }

// An integral double as int64. Python's int has no bound; beyond int64 (where the cast would be
// undefined behaviour) this raises OverflowError, as Python does converting such an int to C.
inline std::int64_t to_int64(double x) {
  if (std::isnan(x)) throw std::invalid_argument("cannot convert float NaN to integer");
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
    throw std::overflow_error("Python int too large to convert to C long");
  return static_cast<std::int64_t>(x);
}

// Python's math.floor for a float, as an integer: ValueError for NaN, OverflowError for inf, as
// Python, and OverflowError beyond int64 (where Python would give a big int).
inline std::int64_t floor_to_int(double x) {
  if (std::isnan(x)) throw std::invalid_argument("cannot convert float NaN to integer");
  const double f = std::floor(x);
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
    throw std::overflow_error(std::isinf(x) ? "cannot convert float infinity to integer"
                                            : "epoch does not fit in a 64-bit integer");
  return static_cast<std::int64_t>(f);
}

// float(epoch - 1) for an int64 epoch, as Python computes it (exactly, then rounded), without
// overflowing at -2**63 (where float(-2**63 - 1) == -2**63).
inline double minus_one(std::int64_t epoch) {
  if (epoch == std::numeric_limits<std::int64_t>::min()) return static_cast<double>(epoch);
  return static_cast<double>(epoch - 1);
}

// Python's repr(float): the shortest digits that round-trip, in fixed notation for exponents in
// [-4, 16), else scientific ("1e-05", "1.5e+16"); so that messages match torch's f-strings.
inline std::string repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // [-]d[.ddd]e[+-]XX
  const std::size_t e = sci.find('e');
  const int exponent = std::atoi(sci.c_str() + e + 1);
  std::string sign;
  std::string digits;
  for (std::size_t i = 0; i < e; ++i) {
    if (sci[i] == '-') sign = "-";
    else if (sci[i] != '.') digits += sci[i];
  }
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) mantissa += "." + digits.substr(1);
    const int magnitude = exponent < 0 ? -exponent : exponent;
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") +
           std::to_string(magnitude);
  }
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  if (static_cast<std::size_t>(point) >= digits.size())
    return sign + digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0') + ".0";
  return sign + digits.substr(0, static_cast<std::size_t>(point)) + "." +
         digits.substr(static_cast<std::size_t>(point));
}

}  // namespace lrcore::pymath
