// The compiled step() of the Python scheduler classes, simulate(), and what the Python layer
// asks the core about its classes (their descriptions, their plans).
#include <pybind11/numpy.h>

#include "py_accel.hpp"
#include "py_fields.hpp"

#include <array>
#include <cmath>
#include <optional>

namespace lrcore_py {
namespace {

// try_step's answer when the core does not model the scheduler: the Python step runs instead.
char not_modeled_tag;
PyObject* const kNotModeled = reinterpret_cast<PyObject*>(&not_modeled_tag);

PyObject* argument(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, Py_ssize_t index,
                   const char* name, bool* extra) {
  PyObject* found = index < nargs ? args[index] : nullptr;
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  Py_ssize_t used = 0;
  for (Py_ssize_t i = 0; i < nkw; ++i) {
    if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, i), name) == 0) {
      if (found) *extra = true;  // given twice: Python's TypeError
      found = args[nargs + i];
      ++used;
    }
  }
  (void)used;
  return found;
}

// One compiled step of `self`, or kNotModeled.
PyObject* try_step(PyObject* self, const Plan& plan, PyObject* const* args, Py_ssize_t nargs,
                   PyObject* kwnames) {
  const Family family = plan.kind->family();
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  bool extra = false;
  // Arguments as the family's step takes them; anything unusual: the Python step (and its error).
  PyObject* first = nullptr;   // epoch, or the metric
  PyObject* second = nullptr;  // the plateau's epoch
  if (family == Family::plateau) {
    first = argument(args, nargs, kwnames, 0, "metrics", &extra);
    second = argument(args, nargs, kwnames, 1, "epoch", &extra);
    if (!first || nargs + nkw > 2) return kNotModeled;
  } else {
    first = argument(args, nargs, kwnames, 0, family == Family::composite ? "metrics" : "epoch",
                     &extra);
    if (nargs + nkw > 1) return kNotModeled;
  }
  if (extra) return kNotModeled;
  if (first == Py_None && family != Family::plateau) first = nullptr;
  if (second == Py_None) second = nullptr;

  ContextLease context;
  try {
    std::optional<double> metric;
    if (family == Family::plateau || (family == Family::composite && first))
      metric = as_float(first);  // float(metrics), as torch's step begins
    std::optional<std::int64_t> epoch;
    std::optional<lrcore::Num> fractional_epoch;
    if (family == Family::leaf && first) epoch = plain_int(first);
    if (family == Family::plateau && second) epoch = plain_int(second);
    if (family == Family::warm_restarts && first) {
      if (PyFloat_CheckExact(first)) fractional_epoch = lrcore::Num(PyFloat_AS_DOUBLE(first));
      else fractional_epoch = lrcore::Num::of_int(plain_int(first));
    }

    lrcore::LRScheduler& s = context->load_root(self, plan);
    if (family == Family::composite && metric && !s.takes_metric()) return kNotModeled;
    if (family == Family::leaf) {
      // torch's order: the step-order warning (the second step), then the epoch's deprecation.
      s.set_observer(nullptr);
      if (s.step_count() == 1) context->second_step(s);
    }
    if (epoch && family != Family::warm_restarts) context->warn_epoch_deprecated();

    switch (family) {
      case Family::leaf:
        if (epoch) s.step_epoch(static_cast<double>(*epoch));
        else s.step();
        break;
      case Family::warm_restarts: {
        auto& w = static_cast<lrcore::CosineAnnealingWarmRestarts&>(s);
        if (fractional_epoch) w.step_epoch(*fractional_epoch);
        else w.step();
        break;
      }
      case Family::plateau:
        static_cast<lrcore::ReduceLROnPlateau&>(s).step(*metric, epoch);
        break;
      case Family::composite:
        if (metric) s.step_metric(*metric);
        else s.step();
        break;
    }
    context->flush_warnings();  // (one that is an error by the filters fails the step)
    context->commit();
    Py_RETURN_NONE;
  } catch (const NotModeled&) {
    return kNotModeled;
  } catch (py::error_already_set& e) {
    // A user function raised (torch had warned before calling it), or a warning did.
    if (context->python_called) {
      try {
        context->flush_warnings();
      } catch (py::error_already_set& w) {
        w.restore();
        return nullptr;
      }
    }
    e.restore();
    return nullptr;
  } catch (const std::exception&) {
    // The core refused (a division by zero, a step past OneCycleLR's end...): the Python step
    // raises torch's own error, with torch's message. Unless user code already ran, in which
    // case running it again could do more than torch: the core's error is the step's.
    if (!context->python_called) return kNotModeled;
    try {
      context->flush_warnings();
    } catch (py::error_already_set& w) {
      w.restore();
      return nullptr;
    }
    throw;
  }
}

PyObject* run_fallback(const Plan& plan, PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  std::vector<PyObject*> all(static_cast<std::size_t>(nargs + nkw + 1));
  all[0] = self;
  for (Py_ssize_t i = 0; i < nargs + nkw; ++i) all[static_cast<std::size_t>(i + 1)] = args[i];
  return PyObject_Vectorcall(plan.fallback.ptr(), all.data(), static_cast<std::size_t>(nargs + 1),
                             kwnames);
}

// The step() of every lrcore scheduler class (a method descriptor, see make_step).
PyObject* step_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  try {
    Plan* plan = plan_of(Py_TYPE(self));
    if (!plan) {
      PyErr_Format(PyExc_TypeError, "%s is not an lrcore scheduler class", Py_TYPE(self)->tp_name);
      return nullptr;
    }
    if (plan->kind && Context::enabled()) {
      PyObject* result = try_step(self, *plan, args, nargs, kwnames);
      if (result != kNotModeled) return result;
    }
    return run_fallback(*plan, self, args, nargs, kwnames);
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();
  }
  return nullptr;
}


void destroy_plan(PyObject* capsule) {
  delete static_cast<Plan*>(PyCapsule_GetPointer(capsule, "lrcore.plan"));
}

Kind& kind_named(const std::string& name) {
  Kind* kind = find_kind(name);
  if (!kind) throw py::value_error("no scheduler kind '" + name + "'");
  return *kind;
}

// simulate(): the lrs of the coming steps, on a copy of the scheduler and of its groups.
py::array_t<double> simulate(py::handle scheduler, std::size_t steps, py::object metrics) {
  ContextLease context;
  context->simulating = true;
  lrcore::LRScheduler* loaded = nullptr;
  try {
    const Plan* plan = plan_of(Py_TYPE(scheduler.ptr()));
    if (!plan) throw NotModeled();
    loaded = &context->load_root(scheduler.ptr(), *plan);
  } catch (const NotModeled&) {
    throw lrcore::not_implemented_error(
        "simulate() runs lrcore's own schedules on plain float values; this scheduler (or one "
        "it holds) overrides a method torch's step() calls, or holds Tensor or other values "
        "lrcore's core does not model");
  }
  lrcore::Simulation simulation(*loaded);
  const std::size_t n = simulation.num_groups();
  std::vector<double> values;
  if (!metrics.is_none()) {
    py::array_t<double, py::array::c_style | py::array::forcecast> m(metrics);
    if (m.ndim() != 1) throw py::value_error("metrics must be one-dimensional");
    values.assign(m.data(), m.data() + m.shape(0));
    steps = values.size();
  }
  const std::size_t limit = static_cast<std::size_t>(PY_SSIZE_T_MAX) / sizeof(double);
  if (steps >= limit || (n != 0 && steps + 1 > limit / n))
    throw py::value_error("simulate(): " + std::to_string(steps) + " steps of " +
                          std::to_string(n) + " groups is more than an array can hold");
  py::array_t<double> out({steps + 1, n});
  double* data = out.mutable_data();
  {
    py::gil_scoped_release release;  // user functions (lr_lambdas) take it back to run
    if (metrics.is_none()) simulation.run(steps, data);
    else simulation.run(values.data(), steps, data);
  }
  return out;
}

}  // namespace

void register_kinds();

void register_accel(py::module_& m) {
  register_kinds();
  m.def(
      "make_step",
      [](py::handle cls, const std::string& doc) {
        if (!PyType_Check(cls.ptr())) throw py::type_error("make_step() takes a class");
        // One method definition per class (its docstring carries the class's signature), kept
        // for the life of the process as the class's method object refers to it.
        auto* text = new std::string(doc);
        auto* def = new PyMethodDef{
            "step", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(&step_method)),
            METH_FASTCALL | METH_KEYWORDS, text->c_str()};
        PyObject* descr = PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(cls.ptr()), def);
        if (!descr) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(descr);
      },
      py::arg("cls"), py::arg("doc"),
      "The compiled step() method (doc: its docstring, starting with its text signature), for an lrcore scheduler class.");
  m.def(
      "make_plan",
      [](py::object kind, py::object fallback, bool child) {
        auto plan = std::make_unique<Plan>();
        if (!kind.is_none()) plan->kind = &kind_named(kind.cast<std::string>());
        plan->child = child;
        plan->fallback = std::move(fallback);
        PyObject* capsule = PyCapsule_New(plan.get(), "lrcore.plan", destroy_plan);
        if (!capsule) throw py::error_already_set();
        plan.release();
        return py::reinterpret_steal<py::object>(capsule);
      },
      py::arg("kind"), py::arg("fallback"), py::arg("child"),
      "A class's plan: the core's kind that steps it (None: its Python step), that Python step, "
      "which runs when the core does not model an instance, and whether a composite's compiled "
      "step may step it as a child.");
  m.def(
      "describe",
      [](const std::string& name) {
        lrcore::ParamGroups none;
        std::unique_ptr<lrcore::LRScheduler> prototype = kind_named(name).make(none);
        return describe_for_python(*prototype);
      },
      py::arg("kind"),
      "The fields of a core scheduler class: (name, kind, per_group, state, stepped, nullable, "
      "optional, attribute, choices) for each, in torch's state_dict order.");
  m.def(
      "kinds", [] {
        py::list names;
        for (const char* name : {"LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
                                 "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                                 "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
                                 "OneCycleLR", "ReduceLROnPlateau", "SWALR", "SequentialLR",
                                 "ChainedScheduler", "WarmupLR", "WarmupCosineLR",
                                 "WarmupStableDecayLR", "InverseSqrtLR"})
          if (find_kind(name)) names.append(name);
        return names;
      },
      "The names of the core's scheduler classes.");
  m.def(
      "set_kind_object",
      [](const std::string& name, const std::string& key, py::object value) {
        kind_named(name).objects[py::str(key)] = std::move(value);
      },
      py::arg("kind"), py::arg("key"), py::arg("value"), "Give a kind a Python object its loader compares attributes with.");
  m.def(
      "set_compiled_steps", [](bool on) { Context::enabled() = on; }, py::arg("on"),
      "Turn the compiled steps on or off (off: every step runs the Python code; for tests).");
  m.def("compiled_steps", [] { return Context::enabled(); });
  m.def("simulate", &simulate, py::arg("scheduler"), py::arg("num_steps"),
        py::arg("metrics") = py::none(),
        "The lrs of the coming steps (or of step(metrics[k])), without taking them.");
}

}  // namespace lrcore_py
