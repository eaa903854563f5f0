// DictGroups: the core's view of a Python optimizer's param_groups dicts; and the translation of
// the core's exceptions into the Python exceptions torch raises.
#include "prelude.hpp"

#include <structmember.h>

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
  if (PyDict_CheckExact(group)) {  // the hot path: a plain dict holding a float
    PyObject* value = PyDict_GetItemWithError(group, key_object(key));
    if (value && key == lrcore::Key::beta1 && PyTuple_CheckExact(value) &&
        PyTuple_GET_SIZE(value) > 0)
      value = PyTuple_GET_ITEM(value, 0);
    if (value && PyFloat_CheckExact(value)) return PyFloat_AS_DOUBLE(value);
  }
  py::object value = item(group, key);
  if (key == lrcore::Key::beta1) value = value[py::int_(0)];
  return to_double(value.ptr());
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Make `*slot` (a value held by a dict or a tuple) equal `value` without allocating, when no one
// else can tell: a float that only its container references is updated in place. Anything holding
// a reference of its own (a variable, an optimizer.state_dict() copy, a checkpoint) raises the
// reference count, and then a new float is made as torch would. Returns false if it cannot.
bool update_float(PyObject* current, double value) {
  if (!current || !PyFloat_CheckExact(current)) return false;
  if (same_bits(PyFloat_AS_DOUBLE(current), value)) return true;  // nothing to do
#ifdef Py_GIL_DISABLED
  return false;  // reference counts are not a proof of exclusivity there
#else
  if (Py_REFCNT(current) != 1) return false;
  reinterpret_cast<PyFloatObject*>(current)->ob_fval = value;
  return true;
#endif
}

void assign(PyObject* group, lrcore::Key key, double value) {
  const bool plain = PyDict_CheckExact(group);
  py::object held;  // a dict subclass's __getitem__ returns a new reference
  PyObject* current = nullptr;
  if (plain) {
    current = PyDict_GetItemWithError(group, key_object(key));
    if (!current && PyErr_Occurred()) throw py::error_already_set();
  } else {
    current = PyObject_GetItem(group, key_object(key));
    if (current) {
      held = py::reinterpret_steal<py::object>(current);
    } else if (PyErr_ExceptionMatches(PyExc_KeyError)) {
      PyErr_Clear();
    } else {
      throw py::error_already_set();
    }
  }
  if (key == lrcore::Key::beta1) {
    // torch: group["betas"] = (beta1, *group["betas"][1:])
    if (current && PyTuple_CheckExact(current) && PyTuple_GET_SIZE(current) > 0 &&
        Py_REFCNT(current) == 1 && update_float(PyTuple_GET_ITEM(current, 0), value))
      return;
    py::tuple old = py::tuple(item(group, key));
    py::tuple betas(old.size() == 0 ? 1 : old.size());
    betas[0] = py::float_(value);
    for (std::size_t i = 1; i < old.size(); ++i) betas[i] = old[i];
    set_item(group, key, betas.ptr());
    return;
  }
  if (update_float(current, value)) return;
  if (key == lrcore::Key::lr && current && !PyFloat_Check(current) && !PyLong_Check(current)) {
    static PyObject* fill = PyUnicode_InternFromString("fill_");
    PyObject* method = PyObject_GetAttr(current, fill);
    if (method) {
      // A Tensor lr is updated in place, as torch's _update_param_group_val does (unless it
      // already holds the value: reading it costs a fraction of a fill_).
      py::object bound = py::reinterpret_steal<py::object>(method);
      const double held_value = PyFloat_AsDouble(current);
      if (held_value == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
      } else if (same_bits(held_value, value)) {
        return;
      }
      py::float_ boxed(value);
      PyObject* result = PyObject_CallOneArg(method, boxed.ptr());
      if (!result) throw py::error_already_set();
      Py_DECREF(result);
      return;
    }
    if (!PyErr_ExceptionMatches(PyExc_AttributeError)) throw py::error_already_set();
    PyErr_Clear();
  }
  py::float_ boxed(value);
  if (plain) {
    if (PyDict_SetItem(group, key_object(key), boxed.ptr()) != 0) throw py::error_already_set();
    return;
  }
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

namespace {
// With many groups, a pass over them is bound by memory latency: each group's dict and its key
// table are somewhere else in the heap. Ask for the ones a few groups ahead while working on this
// one (a hint only: it reads nothing and changes nothing).
inline void prefetch_group(PyObject* list, std::size_t n, std::size_t g) {
#if defined(__GNUC__) || defined(__clang__)
  constexpr std::size_t kDictAhead = 8, kKeysAhead = 4;
  if (g + kDictAhead < n) __builtin_prefetch(PyList_GET_ITEM(list, g + kDictAhead));
  if (g + kKeysAhead < n) {
    PyObject* group = PyList_GET_ITEM(list, g + kKeysAhead);
    if (PyDict_CheckExact(group)) {
      const char* keys = reinterpret_cast<const char*>(reinterpret_cast<PyDictObject*>(group)->ma_keys);
      for (int line = 0; line < 4; ++line) __builtin_prefetch(keys + 64 * line);
    }
  }
#else
  (void)list, (void)n, (void)g;
#endif
}
}  // namespace

void DictGroups::read(lrcore::Key key, double* out) const {
  py::list list = groups();
  const std::size_t n = list.size();
  for (std::size_t g = 0; g < n; ++g) {
    prefetch_group(list.ptr(), n, g);
    out[g] = value_of(PyList_GET_ITEM(list.ptr(), g), key);
  }
}

void DictGroups::write(lrcore::Key key, const double* values) {
  py::list list = groups();
  const std::size_t n = list.size();
  for (std::size_t g = 0; g < n; ++g) {
    prefetch_group(list.ptr(), n, g);
    assign(PyList_GET_ITEM(list.ptr(), g), key, values[g]);
  }
}

void DictGroups::read_columns(const lrcore::Column* columns, std::size_t count) const {
  py::list list = groups();
  const std::size_t n = list.size();
  for (std::size_t g = 0; g < n; ++g) {
    prefetch_group(list.ptr(), n, g);
    PyObject* group = PyList_GET_ITEM(list.ptr(), g);
    for (std::size_t c = 0; c < count; ++c) columns[c].values[g] = value_of(group, columns[c].key);
  }
}

void DictGroups::write_columns(const lrcore::ConstColumn* columns, std::size_t count) {
  py::list list = groups();
  const std::size_t n = list.size();
  for (std::size_t g = 0; g < n; ++g) {
    prefetch_group(list.ptr(), n, g);
    PyObject* group = PyList_GET_ITEM(list.ptr(), g);
    for (std::size_t c = 0; c < count; ++c) assign(group, columns[c].key, columns[c].values[g]);
  }
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

PyObject* call_python_step(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                           PyObject* kwnames) {
  static PyObject* name = PyUnicode_InternFromString("_python_step");
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  std::vector<PyObject*> all(static_cast<std::size_t>(nargs + nkw + 1));
  all[0] = self;
  for (Py_ssize_t i = 0; i < nargs + nkw; ++i) all[static_cast<std::size_t>(i + 1)] = args[i];
  return PyObject_VectorcallMethod(name, all.data(), static_cast<std::size_t>(nargs + 1), kwnames);
}

CoreSlot& core_slot() {
  static CoreSlot slot;
  return slot;
}

void register_groups(py::module_& m) {
  m.def(
      "set_core_slot",
      [](py::handle descriptor) {
        if (Py_TYPE(descriptor.ptr()) != &PyMemberDescr_Type)
          throw py::type_error("set_core_slot() takes the member descriptor of a __slots__ entry");
        auto* member = reinterpret_cast<PyMemberDescrObject*>(descriptor.ptr());
        if (member->d_member->type != T_OBJECT_EX)
          throw py::type_error("set_core_slot(): not an object slot");
        core_slot().offset = member->d_member->offset;
        core_slot().owner = member->d_common.d_type;
        Py_INCREF(core_slot().owner);  // kept for the life of the process
      },
      "Tell the fast step() where the Python LRScheduler class keeps _core (its __slots__).");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const lrcore::key_error& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const lrcore::zero_division_error& e) {
      PyErr_SetString(PyExc_ZeroDivisionError, e.what());
    } catch (const lrcore::not_implemented_error& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const lrcore::type_error& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    }
  });
  py::class_<DictGroups, std::shared_ptr<DictGroups>>(m, "DictGroups",
                                                        "The param groups of a Python optimizer.")
      .def(py::init<py::object>(), py::arg("optimizer"));
}

}  // namespace lrcore_py
