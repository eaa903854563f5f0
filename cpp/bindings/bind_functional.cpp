// Bindings for lrcore::functional: the vectorized closed forms, as lrcore._core.functional_*.
// The Python layer (lrcore/functional.py) validates arguments and shapes the inputs: steps
// (int64, or float64 epochs for warm restarts) of any shape, and per-group values as 1-D arrays.
// Each returns a new float64 array of shape steps.shape (per_group false, one group) or
// steps.shape + (G,) (per_group true). The loops run without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "py.hpp"

namespace lrcore_py {

namespace {

namespace fn = lrcore::functional;

constexpr int kIn = py::array::c_style | py::array::forcecast;
using Int64s = py::array_t<std::int64_t, kIn>;
using Doubles = py::array_t<double, kIn>;

// A new float64 array for steps (and G groups, as a last axis when per_group).
template <class Steps>
py::array_t<double> result_for(const Steps& steps, std::size_t G, bool per_group) {
  std::vector<py::ssize_t> shape(steps.shape(), steps.shape() + steps.ndim());
  if (per_group) shape.push_back(static_cast<py::ssize_t>(G));
  else if (G != 1) throw py::value_error("one group expected");
  return py::array_t<double>(shape);
}

std::size_t groups_of(const Doubles& values) {
  if (values.ndim() != 1) throw py::value_error("per-group values must be 1-D");
  return static_cast<std::size_t>(values.shape(0));
}

// out = base * factor(steps): the multiplicative closed forms share this shape.
template <class Loop>
py::array_t<double> scaled(const Int64s& steps, const Doubles& base_lrs, bool per_group,
                           Loop loop) {
  const std::size_t G = groups_of(base_lrs);
  py::array_t<double> out = result_for(steps, G, per_group);
  const std::int64_t* s = steps.data();
  const double* b = base_lrs.data();
  double* o = out.mutable_data();
  const auto n = static_cast<std::size_t>(steps.size());
  {
    py::gil_scoped_release release;
    loop(s, n, b, G, o);
  }
  return out;
}

}  // namespace

void register_functional(py::module_& m) {
  using py::arg;

  m.def("functional_set_max_threads", &fn::set_max_threads, arg("n"));
  m.def("functional_max_threads", &fn::max_threads);

  m.def("functional_step_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, std::int64_t step_size, double gamma) {
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::step_lr(s, n, b, G, step_size, gamma, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("step_size"), arg("gamma"));

  m.def("functional_multi_step_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, std::vector<std::int64_t> milestones,
           double gamma) {
          std::sort(milestones.begin(), milestones.end());
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::multi_step_lr(s, n, b, G, milestones.data(), milestones.size(), gamma, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("milestones"), arg("gamma"));

  m.def("functional_constant_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, double factor,
           std::int64_t total_iters) {
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::constant_lr(s, n, b, G, factor, total_iters, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("factor"), arg("total_iters"));

  m.def("functional_linear_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, double start_factor, double end_factor,
           std::int64_t total_iters) {
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::linear_lr(s, n, b, G, start_factor, end_factor, total_iters, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("start_factor"), arg("end_factor"),
        arg("total_iters"));

  m.def("functional_exponential_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, double gamma) {
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::exponential_lr(s, n, b, G, gamma, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("gamma"));

  m.def("functional_polynomial_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, std::int64_t total_iters,
           double power) {
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::polynomial_lr(s, n, b, G, total_iters, power, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("total_iters"), arg("power"));

  m.def("functional_cosine_annealing_lr",
        [](Int64s steps, Doubles base_lrs, bool per_group, double T_max, double eta_min) {
          return scaled(steps, base_lrs, per_group, [&](auto s, auto n, auto b, auto G, auto o) {
            fn::cosine_annealing_lr(s, n, b, G, T_max, eta_min, o);
          });
        },
        arg("steps"), arg("base_lrs"), arg("per_group"), arg("T_max"), arg("eta_min"));

  m.def("functional_cosine_annealing_warm_restarts",
        [](Doubles epochs, Doubles base_lrs, bool per_group, std::int64_t T_0,
           std::int64_t T_mult, double eta_min) {
          const std::size_t G = groups_of(base_lrs);
          py::array_t<double> out = result_for(epochs, G, per_group);
          const double* e = epochs.data();
          const double* b = base_lrs.data();
          double* o = out.mutable_data();
          const auto n = static_cast<std::size_t>(epochs.size());
          {
            py::gil_scoped_release release;
            fn::cosine_annealing_warm_restarts(e, n, b, G, T_0, T_mult, eta_min, o);
          }
          return out;
        },
        arg("epochs"), arg("base_lrs"), arg("per_group"), arg("T_0"), arg("T_mult"),
        arg("eta_min"));

  m.def("functional_cyclic",
        [](Int64s steps, Doubles lo, Doubles hi, bool per_group, double total_size,
           double step_ratio, const std::string& mode, double gamma, bool momentum) {
          const std::size_t G = groups_of(lo);
          if (groups_of(hi) != G) throw py::value_error("lo and hi differ in length");
          fn::CyclicMode m_ = mode == "triangular2" ? fn::CyclicMode::triangular2
                              : mode == "exp_range" ? fn::CyclicMode::exp_range
                                                    : fn::CyclicMode::triangular;
          py::array_t<double> out = result_for(steps, G, per_group);
          const std::int64_t* s = steps.data();
          const double* l = lo.data();
          const double* h = hi.data();
          double* o = out.mutable_data();
          const auto n = static_cast<std::size_t>(steps.size());
          {
            py::gil_scoped_release release;
            fn::cyclic(s, n, l, h, G, total_size, step_ratio, m_, gamma, momentum, o);
          }
          return out;
        },
        arg("steps"), arg("lo"), arg("hi"), arg("per_group"), arg("total_size"),
        arg("step_ratio"), arg("mode"), arg("gamma"), arg("momentum"));

  // values: (G, stride) per-group values; phases: (end_step, start index, end index) each.
  m.def("functional_one_cycle",
        [](Int64s steps, Doubles values, bool per_group,
           std::vector<std::tuple<double, std::size_t, std::size_t>> phase_list,
           std::int64_t total_steps, bool cos_strategy) {
          if (values.ndim() != 2) throw py::value_error("values must be 2-D");
          const auto G = static_cast<std::size_t>(values.shape(0));
          const auto stride = static_cast<std::size_t>(values.shape(1));
          std::vector<fn::OneCyclePhase> phases;
          for (const auto& [end_step, start, end] : phase_list) {
            if (start >= stride || end >= stride) throw py::value_error("phase index out of range");
            phases.push_back({end_step, start, end});
          }
          if (phases.empty()) throw py::value_error("no phases");
          py::array_t<double> out = result_for(steps, G, per_group);
          const std::int64_t* s = steps.data();
          const double* v = values.data();
          double* o = out.mutable_data();
          const auto n = static_cast<std::size_t>(steps.size());
          {
            py::gil_scoped_release release;
            fn::one_cycle(s, n, v, stride, G, phases.data(), phases.size(), total_steps,
                          cos_strategy, o);
          }
          return out;
        },
        arg("steps"), arg("values"), arg("per_group"), arg("phases"), arg("total_steps"),
        arg("cos_strategy"));
}

}  // namespace lrcore_py
