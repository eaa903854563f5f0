#include "py_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lrcore_py {
namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// A list or tuple (the containers torch's attributes are), as a fast sequence.
bool is_sequence(PyObject* value) { return PyList_CheckExact(value) || PyTuple_CheckExact(value); }

lrcore::Num plain_num(PyObject* value) {
  if (PyFloat_CheckExact(value)) return lrcore::Num(PyFloat_AS_DOUBLE(value));
  const double v = plain_number(value);  // an int a double holds exactly, or NotModeled
  lrcore::Num n(v);
  n.integral = true;
  return n;
}

PyObject* counter_type() {
  static PyObject* type = [] {
    py::object counter = py::module_::import("collections").attr("Counter");
    return counter.release().ptr();
  }();
  return type;
}

// The key a phase names, in the groups' names (those of the driven key: "initial_weight_decay").
lrcore::Key phase_key(PyObject* name, const PyGroups& groups) {
  static const lrcore::Key keys[] = {lrcore::Key::initial_lr, lrcore::Key::max_lr,
                                     lrcore::Key::min_lr, lrcore::Key::max_momentum,
                                     lrcore::Key::base_momentum};
  if (!PyUnicode_CheckExact(name)) throw NotModeled();
  for (lrcore::Key key : keys) {
    PyObject* held = groups.name(key);
    if (name == held) return key;
    const int compared = PyUnicode_Compare(name, held);
    if (compared == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (compared == 0) return key;
  }
  throw NotModeled();  // a key torch would read from the groups, that the core does not name
}

template <class T>
T element(PyObject* value);
template <>
std::int64_t element<std::int64_t>(PyObject* value) {
  return plain_int(value);
}
template <>
double element<double>(PyObject* value) {
  return plain_number(value);
}
template <>
lrcore::Num element<lrcore::Num>(PyObject* value) {
  return plain_num(value);
}

// A list or tuple of numbers (absent: empty).
template <class T>
void load_list(PyObject* value, std::vector<T>& v) {
  if (!value) {
    v.clear();
    return;
  }
  if (!is_sequence(value)) throw NotModeled();
  PyObject** items = PySequence_Fast_ITEMS(value);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
  v.resize(static_cast<std::size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = element<T>(items[i]);
}

template <class T>
void load_per_group(PyObject* value, lrcore::PerGroup<T>& v) {
  if (!is_sequence(value)) return v.set_shared(element<T>(value));
  PyObject** items = PySequence_Fast_ITEMS(value);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
  std::vector<T>& out = v.set_per_group();
  out.resize(static_cast<std::size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = element<T>(items[i]);
}

}  // namespace

// ---- DictLoader --------------------------------------------------------------------------

void DictLoader::prefetch() {
  const std::size_t n = names_.size();
  fetched_.assign(n, nullptr);
  Py_ssize_t pos = 0;
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  std::size_t cursor = 0;  // the dict's order is usually the fields' order: try the next first
  while (PyDict_Next(dict_, &pos, &key, &value)) {
    std::size_t i = cursor;
    std::size_t tried = 0;
    while (tried < n && names_[i] != key) {
      i = i + 1 == n ? 0 : i + 1;
      ++tried;
    }
    if (tried == n) {
      ++others_;
      continue;
    }
    fetched_[i] = value;
    cursor = i + 1 == n ? 0 : i + 1;
  }
}

PyObject* DictLoader::next(const lrcore::Flags& f) {
  const std::size_t index = index_++;
  if (!f.attribute) return nullptr;
  PyObject* value = fetched_[index];
  if (!value) {
    value = PyDict_GetItemWithError(dict_, names_[index]);
    if (!value && PyErr_Occurred()) throw py::error_already_set();
  }
  if (value && f.stepped) {
    Py_INCREF(value);
    stepped_[index] = value;  // what the store compares the step's result with
  }
  if (f.output && root_) return nullptr;  // nothing reads it before the step writes it
  if (value) return value;
  if (f.optional) return nullptr;
  // Not in the instance: a class attribute (torch's _get_lr_called_within_step and _is_initial
  // default to False), or nothing (torch's step would raise AttributeError).
  PyObject* inherited = PyObject_GetAttr(object_, names_[index]);
  if (!inherited) {
    PyErr_Clear();
    throw NotModeled();
  }
  context_.keep(inherited);
  Py_DECREF(inherited);
  return inherited;
}

void DictLoader::visit(const char*, std::int64_t& v, const lrcore::Flags& f) {
  if (PyObject* value = next(f)) v = plain_int(value);
  else v = 0;
}

void DictLoader::visit(const char*, double& v, const lrcore::Flags& f) {
  if (PyObject* value = next(f)) v = plain_number(value);
  else v = 0;
}

void DictLoader::visit(const char*, lrcore::Num& v, const lrcore::Flags& f) {
  if (PyObject* value = next(f)) v = plain_num(value);
  else v = lrcore::Num();
}

void DictLoader::visit(const char*, bool& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  if (!value) {
    v = false;
    return;
  }
  if (value == Py_True) v = true;
  else if (value == Py_False) v = false;
  else throw NotModeled();
}

void DictLoader::visit(const char*, std::string& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  if (!value) {
    v.clear();
    return;
  }
  if (!PyUnicode_CheckExact(value)) throw NotModeled();
  Py_ssize_t size = 0;
  const char* text = PyUnicode_AsUTF8AndSize(value, &size);
  if (!text) throw py::error_already_set();
  v.assign(text, static_cast<std::size_t>(size));
  if (!f.allows(v)) throw NotModeled();
}

void DictLoader::visit(const char*, std::vector<double>& v, const lrcore::Flags& f) {
  load_list(next(f), v);
}

void DictLoader::visit(const char*, std::vector<std::int64_t>& v, const lrcore::Flags& f) {
  load_list(next(f), v);
}

void DictLoader::visit(const char*, lrcore::Counter& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  v.elements.clear();
  if (!value) return;
  if (reinterpret_cast<PyObject*>(Py_TYPE(value)) != counter_type()) throw NotModeled();
  Py_ssize_t pos = 0;
  PyObject* key = nullptr;
  PyObject* count = nullptr;
  while (PyDict_Next(value, &pos, &key, &count)) {
    const std::int64_t epoch = plain_int(key);
    const std::int64_t times = plain_int(count);
    if (times < 0) throw NotModeled();  // torch's chainable and closed forms disagree there
    for (std::int64_t k = 0; k < times; ++k) v.elements.push_back(epoch);
  }
  std::sort(v.elements.begin(), v.elements.end());
}

void DictLoader::visit(const char*, std::optional<double>& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  if (!value || value == Py_None) v.reset();
  else v = plain_number(value);
}

void DictLoader::visit(const char*, lrcore::PerGroup<std::int64_t>& v, const lrcore::Flags& f) {
  if (PyObject* value = next(f)) load_per_group(value, v);
  else v.set_shared(0);
}

void DictLoader::visit(const char*, lrcore::PerGroup<double>& v, const lrcore::Flags& f) {
  if (PyObject* value = next(f)) load_per_group(value, v);
  else v.set_shared(0);
}

void DictLoader::visit(const char*, lrcore::PerGroup<lrcore::Num>& v, const lrcore::Flags& f) {
  if (PyObject* value = next(f)) load_per_group(value, v);
  else v.set_shared(lrcore::Num());
}

void DictLoader::visit(const char*, lrcore::Phases& v, const lrcore::Flags& f) {
  static PyObject* end_step = interned("end_step");
  static PyObject* start_lr = interned("start_lr");
  static PyObject* end_lr = interned("end_lr");
  static PyObject* start_momentum = interned("start_momentum");
  static PyObject* end_momentum = interned("end_momentum");
  PyObject* value = next(f);
  v.clear();
  if (!value) return;
  if (!is_sequence(value)) throw NotModeled();
  PyObject** items = PySequence_Fast_ITEMS(value);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* phase = items[i];
    if (!PyDict_CheckExact(phase)) throw NotModeled();
    auto item = [&](PyObject* key) {
      PyObject* x = PyDict_GetItemWithError(phase, key);
      if (!x) {
        if (PyErr_Occurred()) throw py::error_already_set();
        throw NotModeled();
      }
      return x;
    };
    const PyGroups& groups = context_.groups();
    v.push_back({plain_num(item(end_step)), phase_key(item(start_lr), groups),
                 phase_key(item(end_lr), groups), phase_key(item(start_momentum), groups),
                 phase_key(item(end_momentum), groups)});
  }
}

void DictLoader::visit(const char*, lrcore::Children& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  v.list.clear();
  v.owned.clear();
  if (!value) return;
  if (!is_sequence(value)) throw NotModeled();
  PyObject** items = PySequence_Fast_ITEMS(value);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
  for (Py_ssize_t i = 0; i < n; ++i) v.list.push_back(&context_.load_child(items[i]));
}

void DictLoader::visit(const char*, lrcore::Lambdas& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  v.functions.clear();
  if (!value) return;
  if (!is_sequence(value)) throw NotModeled();
  PyObject** items = PySequence_Fast_ITEMS(value);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
  // base_lr * lmbda(epoch) is an int in torch when both are: an int base_lr runs the Python step.
  static PyObject* base_lrs_name = interned("base_lrs");
  PyObject* base_lrs = PyDict_GetItemWithError(dict_, base_lrs_name);
  if (!base_lrs && PyErr_Occurred()) throw py::error_already_set();
  if (base_lrs && is_sequence(base_lrs) && !context_.simulating) {
    PyObject** bases = PySequence_Fast_ITEMS(base_lrs);
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(base_lrs); ++i)
      if (!PyFloat_CheckExact(bases[i])) throw NotModeled();
  }
  auto& calls = context_.lambda_calls();
  for (Py_ssize_t i = 0; i < n; ++i) {
    const std::size_t index = calls.size();
    calls.push_back({&owner_, items[i], static_cast<std::size_t>(i)});
    Context* context = &context_;
    v.functions.emplace_back([context, index](std::int64_t epoch) -> double {
      // lr_lambda(epoch), called as torch calls it (simulate() calls it without the GIL).
      auto call = [&]() -> double {
        Context::LambdaCall& record = context->lambda_calls()[index];
        context->python_called = true;
        PyObject* arg = PyLong_FromLongLong(epoch);
        if (!arg) throw py::error_already_set();
        PyObject* result = PyObject_Vectorcall(record.function, &arg, 1, nullptr);
        Py_DECREF(arg);
        if (!result) throw py::error_already_set();
        if (context->simulating) {
          py::object owned = py::reinterpret_steal<py::object>(result);
          return as_float(result);
        }
        if (PyFloat_CheckExact(result)) {
          const double x = PyFloat_AS_DOUBLE(result);
          Py_DECREF(result);
          return x;
        }
        try {
          const double x = plain_number(result);
          Py_DECREF(result);
          return x;
        } catch (const NotModeled&) {
        }
        // A numpy number, a Tensor...: torch's lr is computed from the object (finish()), and
        // a composite's later children would compute on that object, which the core cannot
        // hold: the step runs in Python then (this lambda is called again there).
        py::object owned = py::reinterpret_steal<py::object>(result);
        if (!context->is_root(*record.owner)) throw NotModeled();
        py::object lr = context->groups().current(lrcore::Key::lr, record.group);
        Py_XDECREF(record.result);
        Py_XDECREF(record.lr);
        record.result = owned.release().ptr();
        record.lr = lr.release().ptr();
        return std::nan("");
      };
      if (PyGILState_Check()) return call();
      py::gil_scoped_acquire gil;
      return call();
    });
  }
}

void DictLoader::visit(const char*, lrcore::CustomScale& v, const lrcore::Flags& f) {
  PyObject* value = next(f);
  v.function = nullptr;
  if (value && value != Py_None) throw NotModeled();  // a user's scale_fn: torch calls it per group
}

// ---- DictStorer --------------------------------------------------------------------------

PyObject* DictStorer::next(const lrcore::Flags& f, PyObject** current) {
  const std::size_t index = index_++;
  if (!f.stepped || !f.attribute) return nullptr;
  *current = loaded_[index];
  return names_[index];
}

void DictStorer::put(PyObject* name, PyObject* value) {
  if (!value) throw py::error_already_set();
  const int status = PyDict_SetItem(dict_, name, value);
  Py_DECREF(value);
  if (status != 0) throw py::error_already_set();
}

void DictStorer::visit(const char*, std::int64_t& v, const lrcore::Flags& f) {
  PyObject* current = nullptr;
  PyObject* name = next(f, &current);
  if (!name) return;
  if (current && PyLong_CheckExact(current)) {
    int overflow = 0;
    const long long held = PyLong_AsLongLongAndOverflow(current, &overflow);
    if (overflow == 0 && held == v) return;
    if (PyErr_Occurred()) PyErr_Clear();
  }
  put(name, PyLong_FromLongLong(v));
}

void DictStorer::visit(const char*, double& v, const lrcore::Flags& f) {
  PyObject* current = nullptr;
  PyObject* name = next(f, &current);
  if (!name) return;
  if (current && PyFloat_CheckExact(current) && same_bits(PyFloat_AS_DOUBLE(current), v)) return;
  put(name, PyFloat_FromDouble(v));
}

void DictStorer::visit(const char*, lrcore::Num& v, const lrcore::Flags& f) {
  PyObject* current = nullptr;
  PyObject* name = next(f, &current);
  if (!name) return;
  if (v.integral) {
    const auto i = static_cast<long long>(v.value);
    if (current && PyLong_CheckExact(current)) {
      int overflow = 0;
      if (PyLong_AsLongLongAndOverflow(current, &overflow) == i && overflow == 0) return;
      if (PyErr_Occurred()) PyErr_Clear();
    }
    put(name, PyLong_FromLongLong(i));
    return;
  }
  if (current && PyFloat_CheckExact(current) && same_bits(PyFloat_AS_DOUBLE(current), v.value))
    return;
  put(name, PyFloat_FromDouble(v.value));
}

void DictStorer::visit(const char*, bool& v, const lrcore::Flags& f) {
  PyObject* current = nullptr;
  PyObject* name = next(f, &current);
  if (!name) return;
  PyObject* value = v ? Py_True : Py_False;
  if (current == value) return;
  Py_INCREF(value);
  put(name, value);
}

void DictStorer::visit(const char*, std::vector<double>& v, const lrcore::Flags& f) {
  PyObject* current = nullptr;
  PyObject* name = next(f, &current);
  if (!name) return;
  if (f.group_lrs) {
    if (const lrcore::LRScheduler* source = owner_.last_lr_of()) {
      PyObject* dict = context_.dict_of(*source);
      PyObject* list = dict ? PyDict_GetItemWithError(dict, name) : nullptr;
      if (!list && PyErr_Occurred()) throw py::error_already_set();
      if (list) {
        Py_INCREF(list);
        put(name, list);
        return;
      }
    }
  }
  if (f.group_lrs && root_) {
    // torch's _param_groups_val_list(optimizer, "lr"): a new list of what the groups hold.
    // (A composite's child took the list when it stepped, before the later children: its own
    // values, written below.)
    put(name, context_.groups().lr_list());
    return;
  }
  if (current && PyList_CheckExact(current) &&
      static_cast<std::size_t>(PyList_GET_SIZE(current)) == v.size()) {
    bool same = true;
    for (std::size_t i = 0; i < v.size() && same; ++i) {
      PyObject* item = PyList_GET_ITEM(current, static_cast<Py_ssize_t>(i));
      same = PyFloat_CheckExact(item) ? same_bits(PyFloat_AS_DOUBLE(item), v[i])
                                      : PyLong_CheckExact(item) &&
                                            PyLong_AsDouble(item) == v[i];
    }
    if (same) return;
  }
  PyObject* fill = nullptr;  // the object the list is refilled with, if it is
  if (f.filled_from) {
    fill = PyDict_GetItemString(dict_, f.filled_from);
    double value = 0;
    if (fill && PyFloat_CheckExact(fill)) value = PyFloat_AS_DOUBLE(fill);
    else if (fill && PyLong_CheckExact(fill)) value = PyLong_AsDouble(fill);
    else fill = nullptr;
    if (PyErr_Occurred()) throw py::error_already_set();
    for (std::size_t i = 0; i < v.size() && fill; ++i)
      if (!same_bits(v[i], value)) fill = nullptr;
  }
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(v.size()));
  if (!list) throw py::error_already_set();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (fill) Py_INCREF(fill);
    PyObject* item = fill ? fill : PyFloat_FromDouble(v[i]);
    if (!item) {
      Py_DECREF(list);
      throw py::error_already_set();
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item);
  }
  put(name, list);
}

// ---- The description, for Python ---------------------------------------------------------

namespace {
class Describer final : public lrcore::FieldVisitor {
 public:
  py::list out;

  void visit(const char* n, std::int64_t&, const lrcore::Flags& f) override { add(n, "int", false, f); }
  void visit(const char* n, double&, const lrcore::Flags& f) override { add(n, "real", false, f); }
  void visit(const char* n, lrcore::Num&, const lrcore::Flags& f) override { add(n, "number", false, f); }
  void visit(const char* n, bool&, const lrcore::Flags& f) override { add(n, "bool", false, f); }
  void visit(const char* n, std::string&, const lrcore::Flags& f) override { add(n, "str", false, f); }
  void visit(const char* n, std::vector<double>&, const lrcore::Flags& f) override {
    add(n, "reals", false, f);
  }
  void visit(const char* n, std::vector<std::int64_t>&, const lrcore::Flags& f) override {
    add(n, "ints", false, f);
  }
  void visit(const char* n, lrcore::Counter&, const lrcore::Flags& f) override { add(n, "counter", false, f); }
  void visit(const char* n, std::optional<double>&, const lrcore::Flags& f) override {
    lrcore::Flags nullable = f;
    nullable.nullable = true;
    add(n, "real", false, nullable);
  }
  void visit(const char* n, lrcore::PerGroup<std::int64_t>&, const lrcore::Flags& f) override {
    add(n, "int", true, f);
  }
  void visit(const char* n, lrcore::PerGroup<double>&, const lrcore::Flags& f) override {
    add(n, "real", true, f);
  }
  void visit(const char* n, lrcore::PerGroup<lrcore::Num>&, const lrcore::Flags& f) override {
    add(n, "number", true, f);
  }
  void visit(const char* n, lrcore::Phases&, const lrcore::Flags& f) override { add(n, "phases", false, f); }
  void visit(const char* n, lrcore::Children&, const lrcore::Flags& f) override {
    add(n, "children", false, f);
  }
  void visit(const char* n, lrcore::Lambdas&, const lrcore::Flags& f) override { add(n, "lambdas", false, f); }
  void visit(const char* n, lrcore::CustomScale&, const lrcore::Flags& f) override {
    add(n, "callable_state", false, f);
  }

 private:
  void add(const char* name, const char* kind, bool per_group, const lrcore::Flags& f) {
    py::list values;
    for (lrcore::Choices c = f.choices; c && *c; ++c) values.append(py::str(*c));
    py::tuple choices(values);
    out.append(py::make_tuple(name, kind, per_group, f.state, f.stepped, f.nullable, f.optional,
                              f.attribute, choices));
  }
};
}  // namespace

py::list describe_for_python(lrcore::LRScheduler& scheduler) {
  Describer d;
  scheduler.describe(d);
  return d.out;
}

}  // namespace lrcore_py
