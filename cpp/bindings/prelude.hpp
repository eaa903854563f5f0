// Shared by every binding file (always included first): pybind11, the core, the param-group view
// over a Python optimizer, and Bound<T>, the core scheduler as the Python layer holds it.
#pragma once

#include <pybind11/functional.h>
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

  void get_lr(double* out, std::size_t n) override {
    if (get_lr_hook && !get_lr_hook.is_none())
      return call_python_lr_method("get_lr", get_lr_hook, out, n);
    T::get_lr(out, n);
  }
  void step() override {
    if (step_hook && !step_hook.is_none()) {
      owner(step_hook).attr("step")();
      return;
    }
    T::step();
  }

 private:
  static py::object owner(const py::object& weak) {
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
  py::object values = owner(hook).attr(method)();
  py::sequence seq = values.cast<py::sequence>();
  const std::size_t m = seq.size();
  if (m != n)
    throw py::value_error(std::string("zip() argument 2 is ") + (m < n ? "shorter" : "longer") +
                          " than argument 1");
  for (std::size_t g = 0; g < n; ++g) out[g] = to_double(py::object(seq[g]).ptr());
}

// Where the Python layer installs its overrides (see Bound).
template <class T, class Cls>
void def_hooks(Cls& cls) {
  cls.def_readwrite("get_lr_hook", &Bound<T>::get_lr_hook)
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
             s.T::get_lr(out.data(), out.size());
             return out;
           })
      .def("closed_form_lr",
           [](Bound<T>& s) -> std::optional<std::vector<double>> {
             std::vector<double> out(s.groups().size());
             if (!s.T::closed_form_lr(out.data(), out.size())) return std::nullopt;
             return out;
           })
      ;
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

}  // namespace lrcore_py
