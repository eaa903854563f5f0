// DictGroups: the core's view of a Python optimizer's param_groups dicts; and the translation of
// the core's exceptions into the Python exceptions torch raises.
#include "prelude.hpp"

namespace lrcore_py {
namespace {

// Interned dict keys, made once and kept for the life of the process.
PyObject* key_object(lrcore::Key key) {
  static PyObject* names[lrcore::kNumKeys] = {};
  PyObject*& name = names[static_cast<int>(key)];
  if (!name) name = PyUnicode_InternFromString(lrcore::key_name(key));
  return name;
}

// group[key] as a new reference; KeyError if absent.
py::object item(PyObject* group, lrcore::Key key) {
  PyObject* name = key_object(key);
  if (PyDict_Check(group)) {
    PyObject* value = PyDict_GetItemWithError(group, name);
    if (value) return py::reinterpret_borrow<py::object>(value);
    if (PyErr_Occurred()) throw py::error_already_set();
    PyErr_SetObject(PyExc_KeyError, name);
    throw py::error_already_set();
  }
  PyObject* value = PyObject_GetItem(group, name);
  if (!value) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(value);
}

void set_item(PyObject* group, lrcore::Key key, PyObject* value) {
  if (PyObject_SetItem(group, key_object(key), value) != 0) throw py::error_already_set();
}

double value_of(PyObject* group, lrcore::Key key) {
  py::object value = item(group, key);
  if (key == lrcore::Key::beta1) value = value[py::int_(0)];
  return to_double(value.ptr());
}

void assign(PyObject* group, lrcore::Key key, double value) {
  if (key == lrcore::Key::beta1) {
    // torch: group["betas"] = (beta1, *group["betas"][1:])
    py::tuple old = py::tuple(item(group, key));
    py::tuple betas(old.size() == 0 ? 1 : old.size());
    betas[0] = py::float_(value);
    for (std::size_t i = 1; i < old.size(); ++i) betas[i] = old[i];
    set_item(group, key, betas.ptr());
    return;
  }
  if (key == lrcore::Key::lr) {
    PyObject* current = PyDict_Check(group) ? PyDict_GetItemWithError(group, key_object(key))
                                            : nullptr;
    if (current && PyFloat_CheckExact(current)) {
      const double old = PyFloat_AS_DOUBLE(current);
      if (std::memcmp(&old, &value, sizeof value) == 0) return;  // same float: nothing to do
    } else if (current && !PyLong_Check(current) && PyObject_HasAttrString(current, "fill_")) {
      // A Tensor lr is updated in place, as torch's _update_param_group_val does.
      py::handle(current).attr("fill_")(value);
      return;
    }
    if (PyErr_Occurred()) throw py::error_already_set();
  }
  py::float_ boxed(value);
  set_item(group, key, boxed.ptr());
}

lrcore::MomentumKind detect_momentum(const py::object& optimizer) {
  // torch decides from optimizer.defaults; an optimizer without defaults is judged by its groups.
  py::object defaults = py::getattr(optimizer, "defaults", py::none());
  if (defaults.is_none()) {
    py::object groups = py::getattr(optimizer, "param_groups", py::none());
    if (!groups.is_none() && py::len(groups) > 0) defaults = py::list(groups)[0];
  }
  if (defaults.is_none()) return lrcore::MomentumKind::none;
  if (defaults.contains("betas")) return lrcore::MomentumKind::beta1;
  if (defaults.contains("momentum")) return lrcore::MomentumKind::momentum;
  return lrcore::MomentumKind::none;
}

}  // namespace

double to_double(PyObject* value) {
  if (PyFloat_CheckExact(value)) return PyFloat_AS_DOUBLE(value);
  const double result = PyFloat_AsDouble(value);
  if (result == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return result;
}

DictGroups::DictGroups(py::object optimizer)
    : optimizer_(std::move(optimizer)), momentum_kind_(detect_momentum(optimizer_)) {
  (void)groups();  // fail now, not at the first step, if there are no param groups
}

DictGroups::Batch::Batch(const DictGroups& groups)
    : groups_(groups), outermost_(!groups.batch_groups_) {
  if (outermost_) groups_.batch_groups_ = groups_.groups();
}

DictGroups::Batch::~Batch() {
  if (outermost_) groups_.batch_groups_ = py::object();
}

py::list DictGroups::groups() const {
  if (batch_groups_) return py::reinterpret_borrow<py::list>(batch_groups_);
  static PyObject* name = PyUnicode_InternFromString("param_groups");
  PyObject* raw = PyObject_GetAttr(optimizer_.ptr(), name);
  if (!raw) throw py::error_already_set();
  py::object groups = py::reinterpret_steal<py::object>(raw);
  if (PyList_CheckExact(groups.ptr())) return py::reinterpret_borrow<py::list>(groups);
  return py::list(groups);
}

std::size_t DictGroups::size() const { return groups().size(); }

bool DictGroups::has(lrcore::Key key, std::size_t group) const {
  py::list list = groups();
  if (group >= list.size()) return false;
  const int found = PySequence_Contains(PyList_GET_ITEM(list.ptr(), group), key_object(key));
  if (found < 0) throw py::error_already_set();
  return found == 1;
}

double DictGroups::get(lrcore::Key key, std::size_t group) const {
  py::list list = groups();
  if (group >= list.size()) throw py::index_error("param group index out of range");
  return value_of(PyList_GET_ITEM(list.ptr(), group), key);
}

void DictGroups::set(lrcore::Key key, std::size_t group, double value) {
  py::list list = groups();
  if (group >= list.size()) throw py::index_error("param group index out of range");
  assign(PyList_GET_ITEM(list.ptr(), group), key, value);
}

void DictGroups::read(lrcore::Key key, double* out) const {
  py::list list = groups();
  const std::size_t n = list.size();
  for (std::size_t g = 0; g < n; ++g) out[g] = value_of(PyList_GET_ITEM(list.ptr(), g), key);
}

void DictGroups::write(lrcore::Key key, const double* values) {
  py::list list = groups();
  const std::size_t n = list.size();
  for (std::size_t g = 0; g < n; ++g) assign(PyList_GET_ITEM(list.ptr(), g), key, values[g]);
}

void warn_step_order(const py::object& optimizer) {
  py::object step = py::getattr(optimizer, "step", py::none());
  if (step.is_none()) return;  // an optimizer-like object without step(): nothing to check
  const char* message = nullptr;
  if (!py::hasattr(step, "_wrapped_by_lr_sched")) {
    message =
        "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
        "initialization. Please, make sure to call `optimizer.step()` before "
        "`lr_scheduler.step()`. See more details at "
        "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";
  } else if (!py::getattr(optimizer, "_opt_called", py::bool_(false)).cast<bool>()) {
    message =
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and "
        "later, you should call them in the opposite order: `optimizer.step()` before "
        "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first "
        "value of the learning rate schedule. See more details at "
        "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";
  }
  // stacklevel 2: the frame that called the Python step() (this C++ code has no frame).
  if (message && PyErr_WarnEx(PyExc_UserWarning, message, 2) != 0) throw py::error_already_set();
}

void register_groups(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const lrcore::key_error& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const lrcore::zero_division_error& e) {
      PyErr_SetString(PyExc_ZeroDivisionError, e.what());
    } catch (const lrcore::not_implemented_error& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    }
  });
  py::class_<DictGroups, std::shared_ptr<DictGroups>>(m, "DictGroups",
                                                        "The param groups of a Python optimizer.")
      .def(py::init<py::object>(), py::arg("optimizer"));
}

}  // namespace lrcore_py
