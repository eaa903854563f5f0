// Closed forms of the schedules, one value at a time and vectorized over arrays of steps.
//
// Each per-value function is the single source of truth for its formula: the scheduler classes
// (multiplicative.hpp, cosine.hpp, cyclic.hpp) call them too. Each reproduces torch 2.13's Python
// arithmetic operation for operation (the order of operations, int vs float semantics of //, /,
// ** and min, and the exceptions Python raises where C++ would return inf/NaN).
//
// The loops take `n` steps and `G` per-group values (base lrs, ...) and write n * G results,
// row-major: out[i * G + g] is group g at steps[i]. Integer schedules take int64 steps (torch's
// last_epoch is a Python int); CosineAnnealingWarmRestarts takes double epochs (step(epoch)
// accepts fractional epochs).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "errors.hpp"
#include "pymath.hpp"

namespace lrcore::functional {

inline constexpr double kPi = 3.141592653589793;  // math.pi

// ---- Python semantics beyond pymath ---------------------------------------------------------

// float ** float where Python's result is a float; a negative base to a non-integer power is a
// complex number in Python, which no float64 can hold: ValueError here.
inline double real_pow(double base, double exponent) {
  if (base < 0.0 && std::isfinite(exponent) && exponent != std::floor(exponent))
    throw std::domain_error("negative number raised to a fractional power (Python: complex result)");
  return pymath::pow(base, exponent);
}

// math.cos: ValueError for an infinite argument.
inline double cos(double x) {
  if (std::isinf(x)) throw std::domain_error("math domain error");
  return std::cos(x);
}

// math.floor / int() of a float: a Python int, so NaN and infinity raise.
inline void require_integral_convertible(double x) {
  if (std::isnan(x)) throw std::invalid_argument("cannot convert float NaN to integer");
  if (std::isinf(x)) throw std::overflow_error("cannot convert float infinity to integer");
}

// int / int (Python's true division): exact as double division while both fit in 53 bits.
inline double int_truediv(std::int64_t a, std::int64_t b) {
  if (b == 0) throw zero_division_error("division by zero");
  return static_cast<double>(a) / static_cast<double>(b);
}

// ---- Multiplicative closed forms (torch's _get_closed_form_lr): lr = base_lr * factor -------

// gamma ** (last_epoch // step_size)
inline double step_lr_factor(std::int64_t epoch, std::int64_t step_size, double gamma) {
  return pymath::pow(gamma, static_cast<double>(pymath::floordiv(epoch, step_size)));
}

// gamma ** bisect_right(sorted milestones, last_epoch); milestones sorted, repeats kept.
inline double multi_step_lr_factor(std::int64_t epoch, const std::int64_t* milestones,
                                   std::size_t n_milestones, double gamma) {
  const auto reached = std::upper_bound(milestones, milestones + n_milestones, epoch) - milestones;
  return pymath::pow(gamma, static_cast<double>(reached));
}

// factor + (last_epoch >= total_iters) * (1 - factor)
inline double constant_lr_factor(std::int64_t epoch, double factor, std::int64_t total_iters) {
  const double reached = epoch >= total_iters ? 1.0 : 0.0;
  return factor + reached * (1 - factor);
}

// start_factor + (end_factor - start_factor) * min(total_iters, last_epoch) / total_iters
inline double linear_lr_factor(std::int64_t epoch, double start_factor, double end_factor,
                               std::int64_t total_iters) {
  const double progress = static_cast<double>(std::min(total_iters, epoch));
  return start_factor +
         pymath::div((end_factor - start_factor) * progress, static_cast<double>(total_iters));
}

// gamma ** last_epoch
inline double exponential_lr_factor(std::int64_t epoch, double gamma) {
  return pymath::pow(gamma, static_cast<double>(epoch));
}

// (1.0 - min(total_iters, last_epoch) / total_iters) ** power
inline double polynomial_lr_factor(std::int64_t epoch, std::int64_t total_iters, double power) {
  return real_pow(1.0 - int_truediv(std::min(total_iters, epoch), total_iters), power);
}

// ---- Cosine annealing: eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T)) / 2 ------------

// 1 + cos(pi * t / T), the part shared by every group.
inline double cosine_term(double t, double T) { return 1 + functional::cos(pymath::div(kPi * t, T)); }

// The "* c / 2" is torch's ((x * c) / 2), never x * (c / 2): they differ for subnormals.
inline double cosine_value(double base_lr, double eta_min, double term) {
  return eta_min + (base_lr - eta_min) * term / 2;
}

// T_mult ** n, exact as Python's integer power for every value a double holds exactly.
inline double int_pow(std::int64_t base, std::int64_t n) {
  double result = 1;
  for (std::int64_t i = 0; i < n; ++i) result *= static_cast<double>(base);
  return result;
}

struct WarmRestartsPoint {
  double T_cur;
  double T_i;
};

// The explicit-epoch branch of torch's CosineAnnealingWarmRestarts.step(epoch), epoch >= 0.
// log_mult is std::log(T_mult) (math.log's base), passed in so that loops compute it once.
inline WarmRestartsPoint warm_restarts_point(double epoch, std::int64_t T_0, std::int64_t T_mult,
                                             double log_mult) {
  const double t0 = static_cast<double>(T_0);
  if (!(epoch >= t0)) return {epoch, t0};
  if (T_mult == 1) return {pymath::mod(epoch, t0), t0};
  const double log_arg = pymath::div(epoch, t0) * static_cast<double>(T_mult - 1) + 1;
  const double log_n = std::log(log_arg) / log_mult;
  require_integral_convertible(log_n);  // int(math.log(...))
  const auto n = static_cast<std::int64_t>(log_n);
  const double mult_n = int_pow(T_mult, n);
  return {epoch - pymath::div(t0 * (mult_n - 1), static_cast<double>(T_mult - 1)), t0 * mult_n};
}
inline WarmRestartsPoint warm_restarts_point(double epoch, std::int64_t T_0, std::int64_t T_mult) {
  return warm_restarts_point(epoch, T_0, T_mult, std::log(static_cast<double>(T_mult)));
}

// ---- CyclicLR -------------------------------------------------------------------------------

struct CyclicPoint {
  double cycle;         // math.floor(1 + last_epoch / total_size)
  double scale_factor;  // position in the cycle: 0 -> 1 (up) -> 0 (down)
};

inline CyclicPoint cyclic_point(std::int64_t epoch, double total_size, double step_ratio) {
  const double position = pymath::div(static_cast<double>(epoch), total_size);
  const double cycle = std::floor(1 + position);
  require_integral_convertible(cycle);
  const double x = 1.0 + position - cycle;
  const double scale_factor =
      x <= step_ratio ? pymath::div(x, step_ratio) : pymath::div(x - 1, step_ratio - 1);
  return {cycle, scale_factor};
}

// 1 / (2.0 ** (cycle - 1))
inline double triangular2_scale(double cycle) {
  return pymath::div(1.0, pymath::pow(2.0, cycle - 1));
}
// gamma ** last_epoch
inline double exp_range_scale(double gamma, std::int64_t epoch) {
  return pymath::pow(gamma, static_cast<double>(epoch));
}

// base_lr + (max_lr - base_lr) * scale_factor * scale
inline double cyclic_lr_value(double base_lr, double max_lr, double scale_factor, double scale) {
  const double base_height = (max_lr - base_lr) * scale_factor;
  return base_lr + base_height * scale;
}
// max_momentum - (max_momentum - base_momentum) * scale_factor * scale
inline double cyclic_momentum_value(double base_momentum, double max_momentum,
                                    double scale_factor, double scale) {
  const double base_height = (max_momentum - base_momentum) * scale_factor;
  return max_momentum - base_height * scale;
}

// ---- OneCycleLR -----------------------------------------------------------------------------

// The phase holding step_num and the fraction of it done: the first phase with
// step_num <= end_step (the last one otherwise). end_step_of(i) gives phase i's end_step.
template <class EndStep>
inline std::size_t one_cycle_phase(double step, std::size_t n_phases, EndStep end_step_of,
                                   double* pct) {
  double start_step = 0.0;
  for (std::size_t i = 0; i < n_phases; ++i) {
    const double end_step = end_step_of(i);
    if (step <= end_step || i == n_phases - 1) {
      *pct = pymath::div(step - start_step, end_step - start_step);
      return i;
    }
    start_step = end_step;
  }
  return n_phases;  // n_phases == 0: unreachable for OneCycleLR
}

// _annealing_cos: the part shared by every group, cos(pi * pct) + 1 ...
inline double anneal_cos_term(double pct) { return functional::cos(kPi * pct) + 1; }
// ... and end + (start - end) / 2.0 * cos_out.
inline double anneal_cos_value(double start, double end, double cos_out) {
  return end + (start - end) / 2.0 * cos_out;
}
// _annealing_linear: (end - start) * pct + start
inline double anneal_linear_value(double start, double end, double pct) {
  return (end - start) * pct + start;
}

// ---- Vectorized loops -----------------------------------------------------------------------
//
// Large arrays are split into contiguous chunks computed on up to hardware_concurrency() threads
// (each value depends only on its own step, so the result is the same as one loop's; see
// set_max_threads). If steps
// fail, the exception of the first failing step is rethrown, as a serial loop would.

namespace detail {
inline std::atomic<std::size_t>& max_threads_setting() {
  static std::atomic<std::size_t> value{0};
  return value;
}
}  // namespace detail

// The most threads a loop uses; 0 (the default): std::thread::hardware_concurrency().
inline void set_max_threads(std::size_t n) { detail::max_threads_setting().store(n); }
inline std::size_t max_threads() {
  const std::size_t n = detail::max_threads_setting().load();
  return n != 0 ? n : std::max(1u, std::thread::hardware_concurrency());
}

namespace detail {

inline constexpr std::size_t kMinChunk = std::size_t{1} << 16;  // steps per thread, at least

inline std::size_t thread_count(std::size_t n) {
  return std::max<std::size_t>(1, std::min(max_threads(), n / kMinChunk));
}

// body(begin, end) over [0, n), in chunks, in parallel when n is large.
template <class Body>
inline void parallel_chunks(std::size_t n, Body body) {
  const std::size_t T = thread_count(n);
  if (T <= 1) return body(std::size_t{0}, n);
  const std::size_t chunk = (n + T - 1) / T;
  std::vector<std::exception_ptr> errors(T);
  auto run = [&](std::size_t t) {
    const std::size_t begin = t * chunk;
    const std::size_t end = std::min(n, begin + chunk);
    try {
      if (begin < end) body(begin, end);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(T - 1);
  for (std::size_t t = 1; t < T; ++t) {
    try {
      threads.emplace_back(run, t);
    } catch (const std::system_error&) {  // no thread to be had: compute that chunk here
      run(t);
    }
  }
  run(0);
  for (std::thread& th : threads) th.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

// out[i * G + g] = base[g] * factor(steps[i]) for i in [begin, end).
template <class Factor>
inline void scale_range(const std::int64_t* steps, std::size_t begin, std::size_t end,
                        const double* base, std::size_t G, double* out, Factor&& factor) {
  if (G == 1) {
    const double b = base[0];
    for (std::size_t i = begin; i < end; ++i) out[i] = b * factor(steps[i]);
    return;
  }
  for (std::size_t i = begin; i < end; ++i) {
    const double f = factor(steps[i]);
    for (std::size_t g = 0; g < G; ++g) out[i * G + g] = base[g] * f;
  }
}

// scale_range over all n steps, in parallel chunks; make_factor() gives each chunk its own
// factor functor (its own memo).
template <class MakeFactor>
inline void scale_loop(const std::int64_t* steps, std::size_t n, const double* base,
                       std::size_t G, double* out, MakeFactor make_factor) {
  parallel_chunks(n, [&](std::size_t begin, std::size_t end) {
    scale_range(steps, begin, end, base, G, out, make_factor());
  });
}
}  // namespace detail

inline void step_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                    std::size_t G, std::int64_t step_size, double gamma, double* out) {
  // pow is pure: reuse the factor while epoch // step_size stays the same (sorted steps).
  detail::scale_loop(steps, n, base_lrs, G, out, [&] {
    return [=, have = false, last_k = std::int64_t{0}, last_f = 0.0](std::int64_t e) mutable {
      const std::int64_t k = pymath::floordiv(e, step_size);
      if (!have || k != last_k) {
        last_f = pymath::pow(gamma, static_cast<double>(k));
        last_k = k;
        have = true;
      }
      return last_f;
    };
  });
}

inline void multi_step_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                          std::size_t G, const std::int64_t* milestones, std::size_t n_milestones,
                          double gamma, double* out) {
  // The factor changes only when the number of milestones reached does.
  detail::scale_loop(steps, n, base_lrs, G, out, [&] {
    return [=, last_k = std::int64_t{-1}, last_f = 0.0](std::int64_t e) mutable {
      const std::int64_t k =
          std::upper_bound(milestones, milestones + n_milestones, e) - milestones;
      if (k != last_k) {
        last_f = pymath::pow(gamma, static_cast<double>(k));
        last_k = k;
      }
      return last_f;
    };
  });
}

inline void constant_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                        std::size_t G, double factor, std::int64_t total_iters, double* out) {
  detail::scale_loop(steps, n, base_lrs, G, out, [&] {
    return [=](std::int64_t e) { return constant_lr_factor(e, factor, total_iters); };
  });
}

inline void linear_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                      std::size_t G, double start_factor, double end_factor,
                      std::int64_t total_iters, double* out) {
  detail::scale_loop(steps, n, base_lrs, G, out, [&] {
    return [=](std::int64_t e) {
      return linear_lr_factor(e, start_factor, end_factor, total_iters);
    };
  });
}

inline void exponential_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                           std::size_t G, double gamma, double* out) {
  detail::scale_loop(steps, n, base_lrs, G, out, [&] {
    return [=](std::int64_t e) { return exponential_lr_factor(e, gamma); };
  });
}

inline void polynomial_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                          std::size_t G, std::int64_t total_iters, double power, double* out) {
  // From total_iters on (total_iters != 0) the factor is constant: computed once.
  detail::scale_loop(steps, n, base_lrs, G, out, [&] {
    return [=, have_tail = false, tail = 0.0](std::int64_t e) mutable {
      if (e >= total_iters && total_iters != 0) {
        if (!have_tail) {
          tail = polynomial_lr_factor(e, total_iters, power);
          have_tail = true;
        }
        return tail;
      }
      return polynomial_lr_factor(e, total_iters, power);
    };
  });
}

inline void cosine_annealing_lr(const std::int64_t* steps, std::size_t n, const double* base_lrs,
                                std::size_t G, double T_max, double eta_min, double* out) {
  detail::parallel_chunks(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const double term = cosine_term(static_cast<double>(steps[i]), T_max);
      for (std::size_t g = 0; g < G; ++g)
        out[i * G + g] = cosine_value(base_lrs[g], eta_min, term);
    }
  });
}

inline void cosine_annealing_warm_restarts(const double* epochs, std::size_t n,
                                           const double* base_lrs, std::size_t G,
                                           std::int64_t T_0, std::int64_t T_mult, double eta_min,
                                           double* out) {
  const double log_mult = std::log(static_cast<double>(T_mult));
  detail::parallel_chunks(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const double epoch = epochs[i];
      if (epoch < 0)
        throw std::invalid_argument("Expected non-negative epoch, but got " + pymath::repr(epoch));
      const WarmRestartsPoint p = warm_restarts_point(epoch, T_0, T_mult, log_mult);
      require_integral_convertible(std::floor(epoch));  // last_epoch = math.floor(epoch)
      const double term = cosine_term(p.T_cur, p.T_i);
      for (std::size_t g = 0; g < G; ++g)
        out[i * G + g] = cosine_value(base_lrs[g], eta_min, term);
    }
  });
}

enum class CyclicMode { triangular, triangular2, exp_range };

namespace detail {
inline double cyclic_scale(CyclicMode mode, double gamma, double cycle, std::int64_t epoch) {
  switch (mode) {
    case CyclicMode::triangular2: return triangular2_scale(cycle);
    case CyclicMode::exp_range: return exp_range_scale(gamma, epoch);
    default: return 1.0;
  }
}
}  // namespace detail

// lrs (momentum == false) or momenta (momentum == true): lo/hi are base_lr/max_lr or
// base_momentum/max_momentum, one per group.
inline void cyclic(const std::int64_t* steps, std::size_t n, const double* lo, const double* hi,
                   std::size_t G, double total_size, double step_ratio, CyclicMode mode,
                   double gamma, bool momentum, double* out) {
  detail::parallel_chunks(n, [&](std::size_t begin, std::size_t end) {
    // triangular2's scale depends only on the cycle: recomputed when the cycle changes.
    double last_cycle = std::nan(""), last_scale = 1.0;
    for (std::size_t i = begin; i < end; ++i) {
      const CyclicPoint p = cyclic_point(steps[i], total_size, step_ratio);
      double scale;
      if (mode == CyclicMode::triangular2) {
        if (!(p.cycle == last_cycle)) {
          last_scale = triangular2_scale(p.cycle);
          last_cycle = p.cycle;
        }
        scale = last_scale;
      } else {
        scale = detail::cyclic_scale(mode, gamma, p.cycle, steps[i]);
      }
      double* row = out + i * G;
      if (momentum) {
        for (std::size_t g = 0; g < G; ++g)
          row[g] = cyclic_momentum_value(lo[g], hi[g], p.scale_factor, scale);
      } else {
        for (std::size_t g = 0; g < G; ++g)
          row[g] = cyclic_lr_value(lo[g], hi[g], p.scale_factor, scale);
      }
    }
  });
}

// One phase of OneCycleLR: where it ends and which of the per-group values it goes between
// (indices into each group's row of values).
struct OneCyclePhase {
  double end_step;
  std::size_t start, end;
};

// values: G rows of `stride` values (e.g. initial_lr, max_lr, min_lr); each phase anneals from
// values[g * stride + phase.start] to values[g * stride + phase.end].
inline void one_cycle(const std::int64_t* steps, std::size_t n, const double* values,
                      std::size_t stride, std::size_t G, const OneCyclePhase* phases,
                      std::size_t n_phases, std::int64_t total_steps, bool cos_strategy,
                      double* out) {
  detail::parallel_chunks(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::int64_t step_num = steps[i];
      if (step_num > total_steps)
        throw std::invalid_argument("Tried to step " + std::to_string(step_num) +
                                    " times. The specified number of total steps is " +
                                    std::to_string(total_steps));
      double pct = 0;
      const OneCyclePhase& ph = phases[one_cycle_phase(
          static_cast<double>(step_num), n_phases,
          [&](std::size_t k) { return phases[k].end_step; }, &pct)];
      double* row = out + i * G;
      const double* v = values;
      if (cos_strategy) {
        const double cos_out = anneal_cos_term(pct);
        for (std::size_t g = 0; g < G; ++g, v += stride)
          row[g] = anneal_cos_value(v[ph.start], v[ph.end], cos_out);
      } else {
        for (std::size_t g = 0; g < G; ++g, v += stride)
          row[g] = anneal_linear_value(v[ph.start], v[ph.end], pct);
      }
    }
  });
}

}  // namespace lrcore::functional
