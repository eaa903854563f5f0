// Shared by every binding file (always included first): pybind11, the core, the param-group view
// over a Python optimizer, and Bound<T>, the core scheduler as the Python layer holds it.
#pragma once

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <lrcore/lrcore.hpp>

namespace py = pybind11;

// lrcore::PerGroup<T> from Python: a list or tuple is one value per group, anything else the one
// shared value (as T converts it); back to Python: the number, or a list of them.
namespace pybind11::detail {
template <class T>
struct type_caster<lrcore::PerGroup<T>> {
  PYBIND11_TYPE_CASTER(lrcore::PerGroup<T>, make_caster<T>::name + const_name(" | list[") +
                                                make_caster<T>::name + const_name("]"));

  bool load(handle src, bool convert) {
    if (PyList_Check(src.ptr()) || PyTuple_Check(src.ptr())) {
      make_caster<std::vector<T>> values;
      if (!values.load(src, convert)) return false;
      value = lrcore::PerGroup<T>(cast_op<std::vector<T>&&>(std::move(values)));
      return true;
    }
    make_caster<T> one;
    if (!one.load(src, convert)) return false;
    value = lrcore::PerGroup<T>(cast_op<T>(one));
    return true;
  }
  static handle cast(const lrcore::PerGroup<T>& src, return_value_policy policy, handle parent) {
    if (src.per_group()) return make_caster<std::vector<T>>::cast(src.values(), policy, parent);
    return make_caster<T>::cast(src.value(), policy, parent);
  }
};
}  // namespace pybind11::detail

namespace lrcore_py {

// The param groups of any Python object with `param_groups` (a list of dicts): a torch
// optimizer, or anything shaped like one. Reads `optimizer.param_groups` on every access, as
// torch does (an optimizer's load_state_dict replaces the list).
class DictGroups final : public lrcore::Groups {
 public:
  explicit DictGroups(py::object optimizer);

  std::size_t size() const override;
  bool has(lrcore::Key key, std::size_t group) const override;
  double get(lrcore::Key key, std::size_t group) const override;
  void set(lrcore::Key key, std::size_t group, double value) override;
  void read(lrcore::Key key, double* out) const override;
  void write(lrcore::Key key, const double* values) override;
  void read_columns(const lrcore::Column* columns, std::size_t count) const override;
  void write_columns(const lrcore::ConstColumn* columns, std::size_t count) override;
  lrcore::MomentumKind momentum_kind() const override { return momentum_kind_; }
  const void* identity() const override { return optimizer_.ptr(); }

  const py::object& optimizer() const { return optimizer_; }

  // While a Batch lives (one step), optimizer.param_groups is looked up once and reused.
  class Batch {
   public:
    explicit Batch(const DictGroups& groups);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    const DictGroups& groups_;
    bool outermost_;
  };

 private:
  py::list groups() const;  // optimizer.param_groups, checked to be a list
  py::object optimizer_;
  mutable py::object batch_groups_;  // set while a Batch is open
  lrcore::MomentumKind momentum_kind_;
};

struct GroupsHolder {
  std::shared_ptr<DictGroups> groups_holder;
};

// A core scheduler bound to a Python optimizer. A Python subclass that overrides get_lr() or
// step() installs hooks, so that the core (its own steps, and composites stepping it) calls the
// Python override, as torch's Python dispatch would.
template <class T>
class Bound final : public GroupsHolder, public T {
 public:
  template <class... Args>
  explicit Bound(std::shared_ptr<DictGroups> groups, Args&&... args)
      : GroupsHolder{std::move(groups)}, T(*groups_holder, std::forward<Args>(args)...) {}

  bool python_step = false;      // step() must run the Python class's _python_step (verbose)
  bool step_overridden = false;  // a Python subclass overrides step()
  py::object get_lr_hook;  // weakref to the Python scheduler whose get_lr() to call, or None
  py::object step_hook;    // weakref to the Python scheduler whose step() to call, or None
  py::object closed_form_hook;  // weakref to the scheduler whose _get_closed_form_lr() to call

  bool closed_form_lr(double* out, std::size_t n) override {
    if (closed_form_hook && !closed_form_hook.is_none()) {
      call_python_lr_method("_get_closed_form_lr", closed_form_hook, out, n);
      return true;
    }
    return T::closed_form_lr(out, n);
  }

  // simulate() copies the core's schedule; Python overrides cannot be copied.
  std::unique_ptr<lrcore::LRScheduler> clone_into(lrcore::Groups& groups,
                                                  lrcore::LRScheduler::CloneMemo& memo) const override {
    if ((get_lr_hook && !get_lr_hook.is_none()) || (closed_form_hook && !closed_form_hook.is_none()) ||
        step_overridden)
      throw lrcore::not_implemented_error(
          "simulate() runs lrcore's own schedules; this scheduler (or a child of it) overrides "
          "get_lr() or step() in Python");
    return T::clone_into(groups, memo);
  }

  void get_lr(double* out, std::size_t n) override {
    if (get_lr_hook && !get_lr_hook.is_none())
      return call_python_lr_method("get_lr", get_lr_hook, out, n);
    T::get_lr(out, n);
  }
  void step() override {
    if (step_hook && !step_hook.is_none()) {
      alive(step_hook).attr("step")();
      return;
    }
    T::step();
  }
  // A composite stepping this child with the metric (see LRScheduler::step_metric).
  void step_metric(double metric) override {
    if (step_hook && !step_hook.is_none()) {
      py::object self = alive(step_hook);
      if (T::takes_metric()) self.attr("step")(metric);
      else self.attr("step")();
      return;
    }
    T::step_metric(metric);
  }

 private:
  static py::object alive(const py::object& weak) {
    py::object obj = weak();
    if (obj.is_none()) throw std::runtime_error("the scheduler owning this core was deleted");
    return obj;
  }
  void call_python_lr_method(const char* method, const py::object& hook, double* out,
                             std::size_t n);
};

// Python float() of an lr-like value (float, int, numpy scalar, 1-element tensor).
double to_double(PyObject* value);

// torch's step-order warnings, given on the second step() (step_count == 1).
void warn_step_order(const py::object& optimizer);

template <class T>
void Bound<T>::call_python_lr_method(const char* method, const py::object& hook, double* out,
                                     std::size_t n) {
  py::object values = alive(hook).attr(method)();
  py::sequence seq = values.cast<py::sequence>();
  const std::size_t m = seq.size();
  if (m != n)
    throw py::value_error(std::string("zip() argument 2 is ") + (m < n ? "shorter" : "longer") +
                          " than argument 1");
  for (std::size_t g = 0; g < n; ++g) out[g] = to_double(py::object(seq[g]).ptr());
}

// Runs f (which returns a new reference) for a raw CPython method: a C++ exception becomes the
// Python exception pybind11's translators give it, and the method returns nullptr.
template <class F>
PyObject* guarded(F&& f) noexcept {
  try {
    return f();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();
  }
  return nullptr;
}

// type(self)._python_step(self, *args, **kwargs): the Python layer's full step, for whatever the
// raw step does not handle itself (the deprecated epoch, a metric that is not a plain number,
// verbose printing).
PyObject* call_python_step(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                           PyObject* kwnames);

// Where the Python base class keeps `_core` (a __slots__ member), set once by the Python layer.
struct CoreSlot {
  PyTypeObject* owner = nullptr;  // the Python LRScheduler class
  Py_ssize_t offset = 0;
};
CoreSlot& core_slot();

// self._core as a new reference: read from the slot when self is an LRScheduler.
inline PyObject* core_object(PyObject* self) {
  const CoreSlot& slot = core_slot();
  if (slot.owner && PyObject_TypeCheck(self, slot.owner)) {
    PyObject* core = *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(self) + slot.offset);
    if (core) {
      Py_INCREF(core);
      return core;
    }
  }
  static PyObject* name = PyUnicode_InternFromString("_core");
  return PyObject_GetAttr(self, name);  // raises AttributeError if unset
}

// The core of a Python scheduler: self._core, as a Bound<T>.
template <class T>
Bound<T>& core_of(PyObject* self, py::object& holder) {
  PyObject* core = core_object(self);
  if (!core) throw py::error_already_set();
  holder = py::reinterpret_steal<py::object>(core);
  // The common case without pybind11's general caster: a core made by these bindings, whose
  // instance holds the one Bound<T> value.
  static PyTypeObject* bound_type = reinterpret_cast<PyTypeObject*>(py::type::of<Bound<T>>().ptr());
  if (Py_TYPE(core) == bound_type) {
    auto* inst = reinterpret_cast<py::detail::instance*>(core);
    void* value = inst->simple_layout ? inst->simple_value_holder[0] : nullptr;
    if (value) return *static_cast<Bound<T>*>(value);
  }
  return py::cast<Bound<T>&>(holder);
}

inline bool no_arguments(Py_ssize_t nargs, PyObject* kwnames) {
  return nargs == 0 && !(kwnames && PyTuple_GET_SIZE(kwnames) != 0);
}

// The Python class's step(self, epoch=None), written against the CPython API so that a training
// loop's scheduler.step() reaches the core with no Python frame and no pybind11 dispatch. Composites
// (kWarn false) do not give torch's step-order warning, as torch's do not.
template <class T, bool kWarn>
PyObject* class_step(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return guarded([&]() -> PyObject* {
    py::object holder;
    Bound<T>& s = core_of<T>(self, holder);
    if (s.python_step || !no_arguments(nargs, kwnames))
      return call_python_step(self, args, nargs, kwnames);
    if (kWarn && s.step_count() == 1) warn_step_order(s.groups_holder->optimizer());
    DictGroups::Batch batch(*s.groups_holder);
    s.T::step();
    Py_RETURN_NONE;
  });
}

// Makes `def` a method of a Python class (a method descriptor, as a C type's methods are).
inline py::object method_for(py::handle python_class, PyMethodDef* def) {
  if (!PyType_Check(python_class.ptr())) throw py::type_error("step_method() takes a class");
  PyObject* descr = PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(python_class.ptr()), def);
  if (!descr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(descr);
}

// Core class T gets step_method(python_class): the step() that the Python class installs.
template <class T, bool kWarn = true, class Cls>
void def_step_method(Cls& cls) {
  static PyMethodDef def = {"step",
                            reinterpret_cast<PyCFunction>(
                                reinterpret_cast<void (*)(void)>(&class_step<T, kWarn>)),
                            METH_FASTCALL | METH_KEYWORDS,
                            "step($self, epoch=None)\n--\n\n"
                            "Advance one step (call it after ``optimizer.step()``).\n\n"
                            "``epoch`` is deprecated, as in torch: it jumps to that epoch, using "
                            "the closed form where the schedule has one."};
  cls.def_static("step_method", [](py::handle python_class) { return method_for(python_class, &def); });
}

// simulate(num_steps) (or, for ReduceLROnPlateau, simulate(metrics)): the lrs of the coming steps
// as a (steps + 1, groups) array, computed on copies with the GIL released.
template <class Run>
py::array_t<double> simulate(const lrcore::LRScheduler& scheduler, std::size_t steps, Run&& run) {
  lrcore::Simulation simulation(scheduler);  // reads the Python groups: the GIL is held
  const std::size_t n = simulation.num_groups();
  const std::size_t limit = static_cast<std::size_t>(PY_SSIZE_T_MAX) / sizeof(double);
  if (steps >= limit || (n != 0 && steps + 1 > limit / n))
    throw py::value_error("simulate(): " + std::to_string(steps) + " steps of " +
                          std::to_string(n) + " groups is more than an array can hold");
  py::array_t<double> out({steps + 1, n});
  double* data = out.mutable_data();
  {
    py::gil_scoped_release release;  // user callables (lambdas, scale_fn) take it back to run
    run(simulation, data);
  }
  return out;
}

template <class T, class Cls>
void def_simulate(Cls& cls) {
  cls.def("simulate", [](const Bound<T>& s, std::size_t steps) {
    return simulate(s, steps, [&](lrcore::Simulation& sim, double* out) { sim.run(steps, out); });
  });
}

// Composites (which may hold a ReduceLROnPlateau): step_metric(metric), and
// simulate_metrics(metrics), simulate() for the coming step(metrics[k]) calls.
template <class T, class Cls>
void def_metric_methods(Cls& cls) {
  cls.def("step_metric",
          [](Bound<T>& s, double metric) {
            DictGroups::Batch batch(*s.groups_holder);
            s.T::step_metric(metric);
          })
      .def("simulate_metrics",
           [](const Bound<T>& s, py::array_t<double, py::array::c_style | py::array::forcecast> metrics) {
             if (metrics.ndim() != 1) throw py::value_error("metrics must be one-dimensional");
             const std::size_t steps = static_cast<std::size_t>(metrics.shape(0));
             const double* values = metrics.data();
             return simulate(s, steps, [&](lrcore::Simulation& sim, double* out) {
               sim.run(values, steps, out);
             });
           });
}

// Where the Python layer installs its overrides (see Bound).
template <class T, class Cls>
void def_hooks(Cls& cls) {
  cls.def_readwrite("python_step", &Bound<T>::python_step)
      .def_readwrite("step_overridden", &Bound<T>::step_overridden)
      .def_readwrite("get_lr_hook", &Bound<T>::get_lr_hook)
      .def_readwrite("step_hook", &Bound<T>::step_hook)
      .def_readwrite("closed_form_hook", &Bound<T>::closed_form_hook);
}

// The methods that must reach T's own implementation, not the Python hooks (which call back into
// them): stepping, the initial step, get_lr and the closed form as torch's methods.
template <class T, class Cls>
void def_scheduler_methods(Cls& cls) {
  cls.def("step",
          [](Bound<T>& s) {
            if (s.step_count() == 1) warn_step_order(s.groups_holder->optimizer());
            DictGroups::Batch batch(*s.groups_holder);
            s.T::step();
          })
      .def("step_epoch",
           [](Bound<T>& s, double epoch) {
             if (s.step_count() == 1) warn_step_order(s.groups_holder->optimizer());
             DictGroups::Batch batch(*s.groups_holder);
             s.T::step_epoch(epoch);
           })
      .def("update_lr",
           [](Bound<T>& s, std::optional<std::int64_t> epoch) { s.T::update_lr(epoch); })
      .def("initial_step", [](Bound<T>& s) { s.T::initial_step(); })
      .def("compute_lr",
           [](Bound<T>& s) {
             std::vector<double> out(s.groups().size());
             lrcore::LRScheduler::Immediate immediate(s);  // momentum written at once, as torch
             s.T::get_lr(out.data(), out.size());
             return out;
           })
      .def("closed_form_lr",
           [](Bound<T>& s) -> std::optional<std::vector<double>> {
             std::vector<double> out(s.groups().size());
             if (!s.T::closed_form_lr(out.data(), out.size())) return std::nullopt;
             return out;
           });
  def_step_method<T>(cls);
  def_simulate<T>(cls);
  def_hooks<T>(cls);
}

template <class T>
using BoundClass = py::class_<Bound<T>, lrcore::LRScheduler, std::shared_ptr<Bound<T>>>;

void register_groups(py::module_& m);
void register_base(py::module_& m);
void register_multiplicative(py::module_& m);
void register_cosine(py::module_& m);
void register_cyclic(py::module_& m);
void register_plateau(py::module_& m);
void register_swa(py::module_& m);
void register_composite(py::module_& m);
void register_functional(py::module_& m);
void register_schedules(py::module_& m);

}  // namespace lrcore_py
