// The core's scheduler classes, as the compiled steps load them: each class's family (how its
// step is called), the methods whose override on an instance means the step is not modeled, and
// what its loader reads besides the described fields.
#include "py_accel.hpp"

#include <initializer_list>

namespace lrcore_py {
namespace {

using lrcore::Key;
using lrcore::LRScheduler;

template <class T>
class Simple : public KindOf<T> {
 public:
  Simple(const char* name, Family family, std::initializer_list<const char*> hook_names)
      : KindOf<T>(name, family) {
    for (const char* hook : hook_names) this->hooks.push_back(interned(hook));
  }
};

// The methods LRScheduler.step calls (step -> _update_lr -> get_lr / _get_closed_form_lr).
#define LRCORE_LEAF_HOOKS "_update_lr", "get_lr", "_get_closed_form_lr"

// LambdaLR and MultiplicativeLR: a lambda's result that is not a plain number (a numpy number, a
// Tensor) makes the group's lr what torch computes from it, with Python's arithmetic.
template <class T, bool kFromBase>
class Lambdas : public Simple<T> {
 public:
  explicit Lambdas(const char* name) : Simple<T>(name, Family::leaf, {LRCORE_LEAF_HOOKS}) {}
  void finish(LRScheduler& s, Context& context) const override {
    static PyObject* base_lrs_name = interned("base_lrs");
    PyObject* base_lrs = nullptr;
    for (Context::LambdaCall& call : context.lambda_calls()) {
      if (call.owner != &s || !call.result) continue;
      py::object factor = py::reinterpret_borrow<py::object>(call.result);
      py::object lr;
      if (kFromBase) {  // base_lr * lmbda(epoch)
        if (!base_lrs) base_lrs = PyDict_GetItemWithError(context.dict_of(s), base_lrs_name);
        if (!base_lrs) throw py::error_already_set();
        lr = py::reinterpret_borrow<py::object>(PySequence_Fast_ITEMS(base_lrs)[call.group]);
      } else {  // group["lr"] * lmbda(epoch), the lr as it was when lmbda was called
        lr = py::reinterpret_borrow<py::object>(call.lr);
      }
      PyObject* value = PyNumber_Multiply(lr.ptr(), factor.ptr());
      if (!value) throw py::error_already_set();
      context.groups().set_object(Key::lr, call.group, py::reinterpret_steal<py::object>(value));
    }
  }
};

// CyclicLR: torch's scale_fn is _scale_fn_ref, chosen from mode when the scheduler was built or
// loaded (not mode as it is now): one of the built-in static functions, or for exp_range
// partial(_exp_range_scale_fn, gamma) with the gamma of that moment.
class Cyclic : public Simple<lrcore::CyclicLR> {
 public:
  Cyclic() : Simple("CyclicLR", Family::leaf, {LRCORE_LEAF_HOOKS, "scale_fn"}) {}
  void load_extra(LRScheduler& s, PyObject* dict, Context&) const override {
    static PyObject* ref_name = interned("_scale_fn_ref");
    static PyObject* partial_type =
        py::object(py::module_::import("functools").attr("partial")).release().ptr();
    auto& c = static_cast<lrcore::CyclicLR&>(s);
    PyObject* ref = PyDict_GetItemWithError(dict, ref_name);
    if (!ref) {
      if (PyErr_Occurred()) throw py::error_already_set();
      throw NotModeled();
    }
    if (object("triangular") == ref) {
      c.scale = lrcore::CyclicLR::Scale::triangular;
    } else if (object("triangular2") == ref) {
      c.scale = lrcore::CyclicLR::Scale::triangular2;
    } else if (reinterpret_cast<PyObject*>(Py_TYPE(ref)) == partial_type) {
      py::handle partial(ref);
      py::object func = partial.attr("func");
      py::object args = partial.attr("args");
      py::object keywords = partial.attr("keywords");
      if (func.ptr() != object("exp_range") || py::len(args) != 1 || py::len(keywords) != 0)
        throw NotModeled();
      c.scale = lrcore::CyclicLR::Scale::exp_range;
      c.scale_gamma = plain_number(py::tuple(args)[0].ptr());
    } else {
      throw NotModeled();
    }
  }

 private:
  PyObject* object(const char* key) const {
    PyObject* found = PyDict_GetItemString(objects.ptr(), key);
    return found;
  }
};

// ReduceLROnPlateau: a group reduced to an int min_lr holds that int, as torch's max() returns it.
class Plateau : public Simple<lrcore::ReduceLROnPlateau> {
 public:
  Plateau() : Simple("ReduceLROnPlateau", Family::plateau, {"_is_better", "_reduce_lr"}) {}
  void load_extra(LRScheduler& s, PyObject*, Context&) const override {
    static_cast<lrcore::ReduceLROnPlateau&>(s).took_min_lr.clear();  // (a reused core object's)
  }
  void finish(LRScheduler& s, Context& context) const override {
    static PyObject* min_lrs_name = interned("min_lrs");
    const auto& took = static_cast<lrcore::ReduceLROnPlateau&>(s).took_min_lr;
    PyObject* min_lrs = nullptr;
    for (std::size_t g = 0; g < took.size(); ++g) {
      if (!took[g]) continue;
      if (!min_lrs) min_lrs = PyDict_GetItemWithError(context.dict_of(s), min_lrs_name);
      if (!min_lrs) throw py::error_already_set();
      PyObject* min_lr = nullptr;
      if ((PyList_CheckExact(min_lrs) || PyTuple_CheckExact(min_lrs)) && static_cast<std::size_t>(PySequence_Fast_GET_SIZE(min_lrs)) ==
                                      took.size()) {
        min_lr = PySequence_Fast_ITEMS(min_lrs)[g];
      } else {  // the step refilled min_lrs with [default_min_lr] * n
        static PyObject* default_name = interned("default_min_lr");
        min_lr = PyDict_GetItemWithError(context.dict_of(s), default_name);
        if (!min_lr) {
          if (PyErr_Occurred()) throw py::error_already_set();
          throw NotModeled();
        }
      }
      if (PyFloat_CheckExact(min_lr)) continue;
      // A later scheduler of a composite computed on the float: the Python step, then.
      if (!context.is_root(s)) throw NotModeled();
      context.groups().set_object(Key::lr, g, py::reinterpret_borrow<py::object>(min_lr));
    }
  }
};

// SWALR: anneal_func is the function _set_anneal_func chose (one of SWALR's static ones).
class Swa : public Simple<lrcore::SWALR> {
 public:
  Swa() : Simple("SWALR", Family::leaf, {LRCORE_LEAF_HOOKS, "_get_initial_lr"}) {}
  void load_extra(LRScheduler& s, PyObject* dict, Context&) const override {
    static PyObject* name = interned("anneal_func");
    PyObject* f = PyDict_GetItemWithError(dict, name);
    if (!f) {
      if (PyErr_Occurred()) throw py::error_already_set();
      throw NotModeled();
    }
    auto& w = static_cast<lrcore::SWALR&>(s);
    if (f == PyDict_GetItemString(objects.ptr(), "cos")) w.cosine = true;
    else if (f == PyDict_GetItemString(objects.ptr(), "linear")) w.cosine = false;
    else throw NotModeled();
  }
};

// Composites: what follows from their children once loaded.
template <class T>
class Composite : public Simple<T> {
 public:
  explicit Composite(const char* name) : Simple<T>(name, Family::composite, {}) {}
  void load_extra(LRScheduler& s, PyObject*, Context&) const override {
    static_cast<T&>(s).children_loaded();
  }
};

}  // namespace

template <class T>
void simple(const char* name, Family family, std::initializer_list<const char*> hooks) {
  add_kind(std::make_unique<Simple<T>>(name, family, hooks));
}

void register_kinds() {
  add_kind(std::make_unique<Lambdas<lrcore::LambdaLR, true>>("LambdaLR"));
  add_kind(std::make_unique<Lambdas<lrcore::MultiplicativeLR, false>>("MultiplicativeLR"));
  simple<lrcore::StepLR>("StepLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::MultiStepLR>("MultiStepLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::ConstantLR>("ConstantLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::LinearLR>("LinearLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::ExponentialLR>("ExponentialLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::PolynomialLR>("PolynomialLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::CosineAnnealingLR>("CosineAnnealingLR", Family::leaf,
                                    {LRCORE_LEAF_HOOKS, "_group_lr"});
  simple<lrcore::CosineAnnealingWarmRestarts>("CosineAnnealingWarmRestarts",
                                              Family::warm_restarts, {"get_lr"});
  add_kind(std::make_unique<Cyclic>());
  simple<lrcore::OneCycleLR>("OneCycleLR", Family::leaf,
                             {LRCORE_LEAF_HOOKS, "_anneal_func", "_annealing_cos",
                              "_annealing_linear"});
  add_kind(std::make_unique<Plateau>());
  add_kind(std::make_unique<Swa>());
  add_kind(std::make_unique<Composite<lrcore::SequentialLR>>("SequentialLR"));
  add_kind(std::make_unique<Composite<lrcore::ChainedScheduler>>("ChainedScheduler"));
  add_kind(std::make_unique<Composite<lrcore::WarmupLR>>("WarmupLR"));
  simple<lrcore::WarmupCosineLR>("WarmupCosineLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::WarmupStableDecayLR>("WarmupStableDecayLR", Family::leaf, {LRCORE_LEAF_HOOKS});
  simple<lrcore::InverseSqrtLR>("InverseSqrtLR", Family::leaf, {LRCORE_LEAF_HOOKS});
}

}  // namespace lrcore_py
