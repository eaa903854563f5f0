// Compiled steps for Python scheduler objects.
//
// A Python scheduler holds torch's attributes in its __dict__. Its class's step() is the C
// function here: it loads a core scheduler (a Kind's "scratch" object, reused from step to step)
// from those attributes and from the optimizer's param groups, runs the core's step on them, and
// writes back what torch's step writes: the groups' values, and the attributes the step changes
// (each Flags::stepped field of the core's description). Nothing in Python changes until the step
// has succeeded. Whatever the core does not model (a Tensor lr, a user's override of a method
// torch's step calls, an unusual value) makes the loader throw NotModeled before anything has
// changed, and the class's Python step (lrcore.reference's, run atomically) takes over.
#pragma once

#include "py.hpp"
#include "py_groups.hpp"

#include <memory>
#include <string>
#include <vector>

namespace lrcore_py {

class Context;

// How a class is stepped from Python (its step()'s arguments).
enum class Family {
  leaf,           // step(epoch=None): the deprecated epoch jumps by the closed form
  warm_restarts,  // step(epoch=None): any non-negative epoch, fractional included
  plateau,        // step(metrics, epoch=None)
  composite,      // step(metrics=None): the metric, if a child takes one
};

// A core scheduler class as the bindings know it.
class Kind {
 public:
  Kind(std::string name, Family family);
  virtual ~Kind() = default;
  Kind(const Kind&) = delete;
  Kind& operator=(const Kind&) = delete;

  const std::string& name() const { return name_; }
  Family family() const { return family_; }
  int id() const { return id_; }

  // A core scheduler of this class with no state yet.
  virtual std::unique_ptr<lrcore::LRScheduler> make(lrcore::Groups& groups) const = 0;
  // After the described fields are loaded: the attributes torch's step depends on that the core
  // does not hold as fields (CyclicLR's _scale_fn_ref, SWALR's anneal_func), checked and turned
  // into the core's terms, and a composite's derived state.
  virtual void load_extra(lrcore::LRScheduler&, PyObject* /*dict*/, Context&) const {}
  // After the core's step, before the groups are written (results the core cannot hold).
  virtual void finish(lrcore::LRScheduler&, Context&) const {}

  // The fields' names, interned, in describe() order.
  const std::vector<PyObject*>& field_names() const { return field_names_; }
  // Methods torch's step calls, whose presence in an instance's __dict__ (an override set on
  // the instance) means the step is not modeled.
  std::vector<PyObject*> hooks;
  // Python objects the loader compares attributes with (the built-in scale and anneal
  // functions), set by the Python layer.
  py::dict objects;

 protected:
  void describe_fields(lrcore::LRScheduler& prototype);

 private:
  std::string name_;
  Family family_;
  int id_;
  std::vector<PyObject*> field_names_;
};

// The registered kinds, by name.
Kind* find_kind(const std::string& name);
void add_kind(std::unique_ptr<Kind> kind);

template <class T>
class KindOf : public Kind {
 public:
  KindOf(const char* name, Family family) : Kind(name, family) {
    lrcore::ParamGroups none;
    T prototype(none, lrcore::Unloaded{});
    describe_fields(prototype);
  }
  std::unique_ptr<lrcore::LRScheduler> make(lrcore::Groups& groups) const override {
    return std::make_unique<T>(groups, lrcore::Unloaded{});
  }
};

// What a Python class's step does: the kind it is stepped as (nullptr: its Python step, always),
// and that Python step, run atomically (a callable taking the scheduler and step's arguments).
// A composite's compiled step steps a child only if the child's class leaves what composites
// call on a child (step, get_last_lr, ...) as lrcore's (`child`).
struct Plan {
  Kind* kind = nullptr;
  bool child = false;
  py::object fallback;
};
// The plan of a Python class (from its __dict__'s "_lrcore_plan"), or nullptr.
Plan* plan_of(PyTypeObject* type);

// One compiled step (or simulate()): the schedulers loaded from a tree of Python objects, the
// optimizer's groups, and what must be kept alive meanwhile.
class Context final : public lrcore::LRScheduler::StepObserver {
 public:
  Context() = default;
  ~Context() override { clear(); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Load the scheduler `obj` (the root: its optimizer's groups are bound), whose class's plan
  // is `plan`. Throws NotModeled.
  lrcore::LRScheduler& load_root(PyObject* obj, const Plan& plan);
  // Load a child of a composite being loaded (the same object twice: the same scheduler).
  lrcore::LRScheduler& load_child(PyObject* obj);
  // After the core's step: write the groups, then every loaded scheduler's stepped fields.
  void commit();
  // Give the schedulers back to their kinds' pools and drop the references.
  void clear();

  PyGroups& groups() { return groups_; }
  // The Python object a scheduler was loaded from.
  PyObject* object_of(const lrcore::LRScheduler& s) const;
  PyObject* dict_of(const lrcore::LRScheduler& s) const;
  // Keep `obj` alive until the step ends.
  void keep(PyObject* obj) { refs_.push_back(py::reinterpret_borrow<py::object>(obj)); }
  // User code (an lr_lambda) has run: a later error is the step's, not the core's.
  bool python_called = false;

  // lr_lambdas calls, one record per group (see Kind "LambdaLR").
  struct LambdaCall {
    const lrcore::LRScheduler* owner;
    PyObject* function;
    std::size_t group;
    PyObject* result = nullptr;  // a result that is not a plain number (a reference)
    PyObject* lr = nullptr;      // then, the group's lr when it was called (a reference)
  };
  // Whether `s` is the scheduler whose step() was called (not a composite's child).
  bool is_root(const lrcore::LRScheduler& s) const {
    return used_ > 0 && nodes_.front().scheduler.get() == &s;
  }
  // simulate(): a user function's result is taken as float(result) (the values are float64).
  bool simulating = false;
  std::vector<LambdaCall>& lambda_calls() { return lambda_calls_; }

  // torch's warnings: the step order (StepObserver) and step(epoch)'s deprecation. They are
  // issued by flush_warnings() once the core's step has succeeded: when it fails, the Python
  // step runs instead and issues them itself (once, with torch's error).
  void second_step(lrcore::LRScheduler& scheduler) override;
  void warn_epoch_deprecated();
  void flush_warnings();

  // Whether compiled steps are on (lrcore.lr_scheduler can turn them off, for tests).
  static bool& enabled();

 private:
  struct Node {
    PyObject* object;
    PyObject* dict;
    const Kind* kind;
    std::unique_ptr<lrcore::LRScheduler> scheduler;
    // What the dict held for each field, where the step may change it (references), by the
    // field's index: the store compares with them instead of looking them up again.
    std::vector<PyObject*> stepped;
    std::vector<PyObject*> fetched;  // the loader's scratch storage
  };
  lrcore::LRScheduler& load(PyObject* obj, const Plan& plan, bool root);

  enum class Pending { step_order, child_step_order, epoch };
  std::vector<Pending> pending_;
  std::size_t flushed_ = 0;  // how many of pending_ were issued
  PyGroups groups_;
  std::vector<Node> nodes_;  // the first used_ are this step's (the others keep their storage)
  std::size_t used_ = 0;
  std::vector<py::object> refs_;
  std::vector<LambdaCall> lambda_calls_;
};

// A Context from a per-thread pool (a step calling another step gets its own).
class ContextLease {
 public:
  ContextLease();
  ~ContextLease();
  ContextLease(const ContextLease&) = delete;
  ContextLease& operator=(const ContextLease&) = delete;
  Context* operator->() { return context_.get(); }
  Context& operator*() { return *context_; }

 private:
  std::unique_ptr<Context> context_;
};

// A scheduler of this kind from the per-thread pool, or a new one.
std::unique_ptr<lrcore::LRScheduler> acquire(const Kind& kind, lrcore::Groups& groups);
void give_back(const Kind& kind, std::unique_ptr<lrcore::LRScheduler> scheduler);

}  // namespace lrcore_py
