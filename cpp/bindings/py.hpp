// What every binding file includes first: pybind11, the core, and the few rules the bindings
// share. The bindings translate between Python objects and the core; the core knows nothing of
// Python.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>

#include <lrcore/lrcore.hpp>

namespace py = pybind11;

namespace lrcore_py {

// A scheduler (or its optimizer's param groups) holds something the core does not model: a
// Tensor lr, a user's override of a method torch's step calls, a hyperparameter that is not a
// plain number... Thrown while a compiled step loads, before anything has changed; the step then
// runs lrcore.reference's Python code instead, which computes with anything torch does.
struct NotModeled {};

// Python's float(x) for the plain numbers the core models: a float, or an int a double holds
// exactly. Anything else (a bool, a numpy number, a Tensor, a huge int) is not modeled.
inline double plain_number(PyObject* value) {
  if (PyFloat_CheckExact(value)) return PyFloat_AS_DOUBLE(value);
  if (PyLong_CheckExact(value)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    constexpr long long kExact = 1LL << 53;
    if (overflow == 0 && v <= kExact && v >= -kExact) return static_cast<double>(v);
    if (PyErr_Occurred()) PyErr_Clear();
  }
  throw NotModeled();
}

// An int the core holds as int64 (a bool or a float is not modeled).
inline std::int64_t plain_int(PyObject* value) {
  if (PyLong_CheckExact(value)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow == 0 && !(v == -1 && PyErr_Occurred())) return v;
    if (PyErr_Occurred()) PyErr_Clear();
  }
  throw NotModeled();
}

// Python's float(x) for anything float() takes (a metric: a float, an int, a 0-d Tensor...).
inline double as_float(PyObject* value) {
  if (PyFloat_CheckExact(value)) return PyFloat_AS_DOUBLE(value);
  const double result = PyFloat_AsDouble(value);
  if (result == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return result;
}

// An interned string, made once for the life of the process.
inline PyObject* interned(const char* text) {
  PyObject* s = PyUnicode_InternFromString(text);
  if (!s) throw py::error_already_set();
  return s;
}

void register_accel(py::module_& m);
void register_functional(py::module_& m);
void register_snapshot(py::module_& m);

}  // namespace lrcore_py
