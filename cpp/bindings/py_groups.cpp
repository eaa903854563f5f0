#include "py_groups.hpp"

#include <cmath>
#include <cstring>

namespace lrcore_py {
namespace {

PyObject* key_object(lrcore::Key key) {
  static std::array<PyObject*, lrcore::kNumKeys> names = [] {
    std::array<PyObject*, lrcore::kNumKeys> out{};
    for (int k = 0; k < lrcore::kNumKeys; ++k)
      out[static_cast<std::size_t>(k)] = interned(lrcore::key_name(static_cast<lrcore::Key>(k)));
    return out;
  }();
  return names[static_cast<std::size_t>(key)];
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The entries torch names after the lr, which a scheduler driving another key names after it.
const char* renamed_prefix(lrcore::Key key) {
  switch (key) {
    case lrcore::Key::initial_lr: return "initial_";
    case lrcore::Key::max_lr: return "max_";
    case lrcore::Key::min_lr: return "min_";
    case lrcore::Key::swa_lr: return "swa_";
    default: return nullptr;
  }
}

bool is_lr(PyObject* key) {
  return key == nullptr ||
         (PyUnicode_CheckExact(key) && PyUnicode_CompareWithASCIIString(key, "lr") == 0);
}

// The keys a step writes to the groups.
bool written(lrcore::Key key) {
  return key == lrcore::Key::lr || key == lrcore::Key::momentum || key == lrcore::Key::beta1;
}

}  // namespace

PyGroups::~PyGroups() {
  release();
  for (PyObject*& name : names_) Py_CLEAR(name);
  Py_CLEAR(key_);
}

// The names the key gives the entries (see lrcore.reference.lr_scheduler._renamed): "lr" keeps
// torch's; "weight_decay" drives group["weight_decay"] from group["initial_weight_decay"];
// "betas[1]" drives group["betas"][1] from group["initial_betas_1"].
void PyGroups::use_key(PyObject* key) {
  if (key == key_ && names_[0]) return;  // the names of this very object are derived already
  std::array<PyObject*, lrcore::kNumKeys> names{};
  int element = -1;
  auto clear = [&] {
    for (PyObject*& name : names) Py_CLEAR(name);
  };
  if (is_lr(key)) {
    for (int k = 0; k < lrcore::kNumKeys; ++k) {
      names[static_cast<std::size_t>(k)] = key_object(static_cast<lrcore::Key>(k));
      Py_INCREF(names[static_cast<std::size_t>(k)]);
    }
  } else {
    if (!PyUnicode_CheckExact(key)) throw NotModeled();
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(key, &size);
    if (!text) throw py::error_already_set();
    const std::string spelled(text, static_cast<std::size_t>(size));
    std::string field = spelled;
    std::string flat = spelled;
    if (!spelled.empty() && spelled.back() == ']') {
      const std::size_t open = spelled.find('[');
      if (open == std::string::npos || open == 0) throw NotModeled();
      const std::string digits = spelled.substr(open + 1, spelled.size() - open - 2);
      if (digits.empty() || digits.size() > 9) throw NotModeled();
      for (char c : digits)
        if (c < '0' || c > '9') throw NotModeled();
      element = std::stoi(digits);
      field = spelled.substr(0, open);
      flat = field + "_" + std::to_string(element);
    }
    for (int k = 0; k < lrcore::kNumKeys; ++k) {
      const auto which = static_cast<lrcore::Key>(k);
      PyObject*& name = names[static_cast<std::size_t>(k)];
      if (which == lrcore::Key::lr) {
        name = PyUnicode_FromStringAndSize(field.data(), static_cast<Py_ssize_t>(field.size()));
      } else if (const char* prefix = renamed_prefix(which)) {
        const std::string renamed = prefix + flat;
        name = PyUnicode_FromStringAndSize(renamed.data(), static_cast<Py_ssize_t>(renamed.size()));
      } else {
        name = key_object(which);
        Py_INCREF(name);
      }
      if (!name) {
        clear();
        throw py::error_already_set();
      }
      PyUnicode_InternInPlace(&name);
    }
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    Py_XDECREF(names_[k]);
    names_[k] = names[k];
  }
  Py_XINCREF(key);
  Py_XSETREF(key_, key);
  lr_element_ = element;
}

bool PyGroups::drives(PyObject* key) const {
  if (key == key_) return true;
  if (is_lr(key)) return is_lr(key_);
  if (!PyUnicode_CheckExact(key)) return false;
  if (key_ == nullptr) return false;
  return PyUnicode_Compare(key, key_) == 0;
}

std::string PyGroups::name_of(lrcore::Key key) const {
  PyObject* name = key == lrcore::Key::lr && key_ ? key_ : names_[static_cast<std::size_t>(key)];
  if (!name) return lrcore::key_name(key);
  const char* text = PyUnicode_AsUTF8(name);
  if (!text) {
    PyErr_Clear();
    return lrcore::key_name(key);
  }
  return text;
}

void PyGroups::release() {
  reset();
  for (PyObject* group : groups_) Py_DECREF(group);
  groups_.clear();
  n_ = 0;
}

void PyGroups::bind(PyObject* optimizer, bool ints_kept, PyObject* key) {
  ints_kept_ = ints_kept;
  static PyObject* name = interned("param_groups");
  release();
  use_key(key);
  py::object list = py::reinterpret_steal<py::object>(PyObject_GetAttr(optimizer, name));
  if (!list) {
    PyErr_Clear();
    throw NotModeled();
  }
  if (!PyList_CheckExact(list.ptr())) throw NotModeled();
  const Py_ssize_t n = PyList_GET_SIZE(list.ptr());
  for (Py_ssize_t g = 0; g < n; ++g)
    if (!PyDict_CheckExact(PyList_GET_ITEM(list.ptr(), g))) throw NotModeled();
  groups_.reserve(static_cast<std::size_t>(n));
  for (Py_ssize_t g = 0; g < n; ++g) {
    PyObject* group = PyList_GET_ITEM(list.ptr(), g);
    Py_INCREF(group);
    groups_.push_back(group);
  }
  optimizer_ = optimizer;
  n_ = static_cast<std::size_t>(n);
  momentum_kind_ = -1;
}

void PyGroups::reset() {
  for (Column& c : columns_) {
    if (c.loaded)
      for (PyObject*& held : c.held) Py_CLEAR(held);
    c.objects.clear();
    c.loaded = false;
    c.dirty = false;
  }
}

void PyGroups::set_object(lrcore::Key key, std::size_t group, py::object value) {
  Column& c = column(key);
  if (group >= n_) throw lrcore::key_error("param group index out of range");
  if (element(key) >= 0) throw NotModeled();  // an object in a tuple field: the Python step
  c.objects.resize(n_);
  c.objects[group] = std::move(value);
  c.changed[group] = 1;
  c.dirty = true;
}

void PyGroups::load(lrcore::Key key, Column& c) const {
  c.values.resize(n_);
  c.held.resize(n_);
  c.changed.assign(n_, 0);
  PyObject* name = names_[static_cast<std::size_t>(key)];
  const int index = element(key);
  for (std::size_t g = 0; g < n_; ++g) c.held[g] = nullptr;
  c.loaded = true;  // (the references taken so far are released by reset())
  for (std::size_t g = 0; g < n_; ++g) {
    PyObject* value = PyDict_GetItemWithError(groups_[g], name);
    if (!value) {
      if (PyErr_Occurred()) throw py::error_already_set();
      c.values[g] = std::nan("");
      continue;
    }
    Py_INCREF(value);
    c.held[g] = value;
    PyObject* number = value;
    if (index >= 0) {  // group["betas"][0], in a tuple as torch's Adam holds it
      if (!PyTuple_CheckExact(value) || PyTuple_GET_SIZE(value) <= index) throw NotModeled();
      number = PyTuple_GET_ITEM(value, index);
    }
    // An int lr or momentum: torch's step keeps it an int where it passes the value through or
    // multiplies it by an int, which values held as doubles cannot tell; the Python step does.
    if (ints_kept_ && written(key) && !PyFloat_CheckExact(number)) throw NotModeled();
    c.values[g] = plain_number(number);
  }
}

PyGroups::Column& PyGroups::column(lrcore::Key key) const {
  Column& c = columns_[static_cast<std::size_t>(key)];
  if (!c.loaded) {
    try {
      load(key, c);
    } catch (...) {
      for (PyObject*& held : c.held) Py_CLEAR(held);
      c.loaded = false;
      throw;
    }
  }
  return c;
}

bool PyGroups::has(lrcore::Key key, std::size_t group) const {
  const Column& c = column(key);
  return group < n_ && c.held[group] != nullptr;
}

double PyGroups::get(lrcore::Key key, std::size_t group) const {
  const Column& c = column(key);
  if (group >= n_) throw lrcore::key_error("param group index out of range");
  if (!c.held[group] && !c.changed[group])
    throw lrcore::key_error(std::string("param group ") + std::to_string(group) + " has no '" +
                            name_of(key) + "'");
  return c.values[group];
}

void PyGroups::set(lrcore::Key key, std::size_t group, double value) {
  Column& c = column(key);
  if (group >= n_) throw lrcore::key_error("param group index out of range");
  // torch writes beta1 as group["betas"] = (beta1, *group["betas"][1:]): a KeyError without it.
  if (element(key) >= 0 && !c.held[group]) throw NotModeled();
  c.values[group] = value;
  c.changed[group] = 1;
  c.dirty = true;
}

void PyGroups::read(lrcore::Key key, double* out) const {
  const Column& c = column(key);
  for (std::size_t g = 0; g < n_; ++g) {
    if (!c.held[g] && !c.changed[g])
      throw lrcore::key_error(std::string("param group ") + std::to_string(g) + " has no '" +
                              name_of(key) + "'");
    out[g] = c.values[g];
  }
}

void PyGroups::write(lrcore::Key key, const double* values) {
  Column& c = column(key);
  for (std::size_t g = 0; g < n_; ++g) {
    if (element(key) >= 0 && !c.held[g]) throw NotModeled();  // as in set()
    c.values[g] = values[g];
    c.changed[g] = 1;
  }
  c.dirty = true;
}

lrcore::MomentumKind PyGroups::momentum_kind() const {
  if (momentum_kind_ < 0) {
    static PyObject* defaults_name = interned("defaults");
    static PyObject* betas = interned("betas");
    static PyObject* momentum = interned("momentum");
    py::object defaults = py::reinterpret_steal<py::object>(PyObject_GetAttr(optimizer_, defaults_name));
    if (!defaults) {
      PyErr_Clear();
      if (n_ > 0) defaults = py::reinterpret_borrow<py::object>(groups_[0]);
    }
    lrcore::MomentumKind kind = lrcore::MomentumKind::none;
    if (defaults) {
      const int has_betas = PySequence_Contains(defaults.ptr(), betas);
      const int has_momentum = has_betas == 1 ? 0 : PySequence_Contains(defaults.ptr(), momentum);
      if (has_betas < 0 || has_momentum < 0) throw py::error_already_set();
      if (has_betas == 1) kind = lrcore::MomentumKind::beta1;
      else if (has_momentum == 1) kind = lrcore::MomentumKind::momentum;
    }
    momentum_kind_ = static_cast<int>(kind);
  }
  return static_cast<lrcore::MomentumKind>(momentum_kind_);
}

void PyGroups::commit() {
  lr_objects_.assign(n_, nullptr);
  for (int k = 0; k < lrcore::kNumKeys; ++k) {
    const auto key = static_cast<lrcore::Key>(k);
    Column& c = columns_[static_cast<std::size_t>(k)];
    if (!c.dirty) continue;
    PyObject* name = names_[static_cast<std::size_t>(k)];
    const int index = element(key);
    for (std::size_t g = 0; g < n_; ++g) {
      if (!c.changed[g]) continue;
      if (!c.objects.empty() && c.objects[g]) {
        if (PyDict_SetItem(groups_[g], name, c.objects[g].ptr()) != 0) throw py::error_already_set();
        if (key == lrcore::Key::lr) lr_objects_[g] = c.objects[g].ptr();
        continue;
      }
      PyObject* held = c.held[g];
      const double v = c.values[g];
      if (held) {
        PyObject* current = index >= 0 ? PyTuple_GET_ITEM(held, index) : held;
        if (same_bits(PyFloat_CheckExact(current) ? PyFloat_AS_DOUBLE(current)
                                                  : plain_number(current), v))
          continue;  // the value it holds: torch would write an equal float
      }
      py::object value = py::reinterpret_steal<py::object>(PyFloat_FromDouble(v));
      if (!value) throw py::error_already_set();
      PyObject* number = value.ptr();  // (the tuple below holds it)
      if (index >= 0) {  // torch: group["betas"] = (beta1, *group["betas"][1:]); any element so
        // The tuple the dict holds now: another column of the same field (beta1 and "betas[1]")
        // may have replaced the one this column read.
        PyObject* now = PyDict_GetItemWithError(groups_[g], name);
        if (!now && PyErr_Occurred()) throw py::error_already_set();
        if (now && PyTuple_CheckExact(now) && PyTuple_GET_SIZE(now) == PyTuple_GET_SIZE(held))
          held = now;
        const Py_ssize_t size = PyTuple_GET_SIZE(held);  // (set() required the tuple)
        py::object tuple = py::reinterpret_steal<py::object>(PyTuple_New(size));
        if (!tuple) throw py::error_already_set();
        for (Py_ssize_t i = 0; i < size; ++i) {
          PyObject* item = i == index ? value.release().ptr() : PyTuple_GET_ITEM(held, i);
          if (i != index) Py_INCREF(item);
          PyTuple_SET_ITEM(tuple.ptr(), i, item);
        }
        value = std::move(tuple);
      }
      if (PyDict_SetItem(groups_[g], name, value.ptr()) != 0) throw py::error_already_set();
      if (key == lrcore::Key::lr && index < 0) lr_objects_[g] = number;  // the dict holds it
    }
    c.dirty = false;
  }
  Column& lr = column(lrcore::Key::lr);
  for (std::size_t g = 0; g < n_; ++g) {
    if (lr_element_ >= 0) {  // the element of the tuple the dict holds after every column
      PyObject* now = PyDict_GetItemWithError(groups_[g], names_[0]);
      if (!now && PyErr_Occurred()) throw py::error_already_set();
      if (!now || !PyTuple_CheckExact(now) || PyTuple_GET_SIZE(now) <= lr_element_)
        now = lr.held[g];  // (the column's own tuple, which it required)
      lr_objects_[g] = PyTuple_GET_ITEM(now, lr_element_);
    } else if (!lr_objects_[g]) {
      lr_objects_[g] = lr.held[g];
    }
  }
}

py::object PyGroups::current(lrcore::Key key, std::size_t group) const {
  const Column& c = column(key);
  if (group >= n_) throw lrcore::key_error("param group index out of range");
  if (!c.objects.empty() && c.objects[group]) return c.objects[group];
  if (c.changed[group]) return py::float_(c.values[group]);
  if (!c.held[group]) throw NotModeled();
  return py::reinterpret_borrow<py::object>(c.held[group]);
}

PyObject* PyGroups::lr_list() const {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(n_));
  if (!list) throw py::error_already_set();
  for (std::size_t g = 0; g < n_; ++g) {
    PyObject* item = lr_objects_[g];
    if (PyFloat_CheckExact(item) || PyLong_CheckExact(item)) {
      Py_INCREF(item);
    } else {  // a lambda's Tensor result: torch's _param_groups_val_list holds a clone
      static PyObject* copy =
          py::object(py::module_::import("lrcore.reference.lr_scheduler").attr("_copy"))
              .release()
              .ptr();
      item = PyObject_CallOneArg(copy, item);
      if (!item) {
        Py_DECREF(list);
        throw py::error_already_set();
      }
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(g), item);
  }
  return list;
}

}  // namespace lrcore_py
