// Snapshot: what a Python step (lrcore.reference's code, a subclass's override) may change in
// schedulers and param groups, taken before it runs so that a failed step can be undone
// (lrcore._impl.transaction.atomic). It is taken before every step that runs Python, so it is
// copied here: written in Python, the copying cost more than the step it guards.
#include <utility>
#include <vector>

#include "py.hpp"

namespace lrcore_py {
namespace {

// Values of the types no Tensor has (the Python side tests the others with isinstance).
bool plain(PyObject* v) {
  return PyFloat_CheckExact(v) || PyLong_CheckExact(v) || PyBool_Check(v) ||
         PyUnicode_CheckExact(v) || v == Py_None || PyList_CheckExact(v) ||
         PyTuple_CheckExact(v) || PyDict_CheckExact(v);
}

// getattr(obj, name, None): an AttributeError gives nullptr, another error is raised.
py::object attribute_or_null(py::handle obj, PyObject* name) {
  PyObject* value = PyObject_GetAttr(obj.ptr(), name);
  if (!value) {
    if (!PyErr_ExceptionMatches(PyExc_AttributeError)) throw py::error_already_set();
    PyErr_Clear();
    return py::object();
  }
  return py::reinterpret_steal<py::object>(value);
}

// The same keys in the same order, each with the same object.
bool same_items(PyObject* a, PyObject* b) {
  if (PyDict_Size(a) != PyDict_Size(b)) return false;
  Py_ssize_t i = 0, j = 0;
  PyObject *ka, *va, *kb, *vb;
  while (PyDict_Next(a, &i, &ka, &va) && PyDict_Next(b, &j, &kb, &vb)) {
    if (va != vb) return false;
    if (ka != kb) {
      const int differ = PyObject_RichCompareBool(ka, kb, Py_NE);
      if (differ < 0) throw py::error_already_set();
      if (differ) return false;
    }
  }
  return true;
}

class Snapshot {
 public:
  Snapshot(py::handle scheduler, py::handle optimizer) {
    if (!scheduler.is_none()) add_scheduler(scheduler);
    if (optimizer.is_none()) return;
    static PyObject* param_groups = interned("param_groups");
    py::object groups = attribute_or_null(optimizer, param_groups);
    if (!groups || !PyList_Check(groups.ptr())) return;
    for (Py_ssize_t g = 0; g < PyList_GET_SIZE(groups.ptr()); ++g) {
      py::handle group(PyList_GET_ITEM(groups.ptr(), g));
      if (!PyDict_Check(group.ptr())) continue;
      py::object items = py::reinterpret_steal<py::object>(PyDict_Copy(group.ptr()));
      if (!items) throw py::error_already_set();
      add_candidates(items.ptr());
      groups_.emplace_back(py::reinterpret_borrow<py::object>(group), std::move(items));
    }
  }

  // Every scheduler's attributes (and the contents of the lists among them) and every group's
  // items, as they were. A group whose items are the same objects in the same order is left.
  void restore() {
    for (auto& [target, contents] : lists_)
      if (PyList_SetSlice(target.ptr(), 0, PyList_GET_SIZE(target.ptr()), contents.ptr()) != 0)
        throw py::error_already_set();
    for (auto& [attrs, items] : attrs_) {
      PyDict_Clear(attrs.ptr());
      if (PyDict_Update(attrs.ptr(), items.ptr()) != 0) throw py::error_already_set();
    }
    for (auto& [group, items] : groups_) {
      if (same_items(group.ptr(), items.ptr())) continue;
      group.attr("clear")();
      group.attr("update")(items);
    }
  }

  // The values that may be Tensors (of every type but the plain ones), whose contents the
  // Python side copies: a Tensor lr is filled in place, and `last_epoch += 1` adds in place.
  py::list candidates;

 private:
  void add_scheduler(py::handle scheduler) {
    static PyObject* dict_name = interned("__dict__");
    static PyObject* schedulers_name = interned("_schedulers");
    for (PyObject* seen : seen_)
      if (seen == scheduler.ptr()) return;
    seen_.push_back(scheduler.ptr());
    py::object attrs = attribute_or_null(scheduler, dict_name);
    if (!attrs || !PyDict_Check(attrs.ptr())) return;
    py::object items = py::reinterpret_steal<py::object>(PyDict_Copy(attrs.ptr()));
    if (!items) throw py::error_already_set();
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(items.ptr(), &pos, &key, &value)) {
      if (PyList_CheckExact(value)) {
        py::object copy = py::reinterpret_steal<py::object>(
            PyList_GetSlice(value, 0, PyList_GET_SIZE(value)));
        if (!copy) throw py::error_already_set();
        lists_.emplace_back(py::reinterpret_borrow<py::object>(value), std::move(copy));
      } else if (!plain(value)) {
        candidates.append(py::handle(value));
      }
    }
    PyObject* children = PyDict_GetItemWithError(items.ptr(), schedulers_name);
    if (!children && PyErr_Occurred()) throw py::error_already_set();
    attrs_.emplace_back(std::move(attrs), items);
    if (!children) return;
    const int truthy = PyObject_IsTrue(children);
    if (truthy < 0) throw py::error_already_set();
    if (!truthy) return;
    py::object held = py::reinterpret_borrow<py::object>(children);  // (items keeps it alive)
    for (py::handle child : held) add_scheduler(child);
  }

  void add_candidates(PyObject* items) {
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(items, &pos, &key, &value))
      if (!plain(value)) candidates.append(py::handle(value));
  }

  std::vector<PyObject*> seen_;  // (a few schedulers: a list is quicker than a set)
  std::vector<std::pair<py::object, py::object>> lists_, attrs_, groups_;
};

}  // namespace

void register_snapshot(py::module_& m) {
  py::class_<Snapshot>(m, "Snapshot",
                       "What a Python step may change in a scheduler (and every scheduler it "
                       "holds) and in an optimizer's param groups, to put back if it fails.")
      .def(py::init<py::handle, py::handle>(), py::arg("scheduler"), py::arg("optimizer"))
      .def_readonly("candidates", &Snapshot::candidates,
                    "The values that may be Tensors (the caller copies those that are).")
      .def("restore", &Snapshot::restore, "Put everything back as it was.");
}

}  // namespace lrcore_py
