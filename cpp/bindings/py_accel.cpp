#include "py_accel.hpp"

#include <array>
#include <cmath>
#include <cstring>

#include "py_fields.hpp"

namespace lrcore_py {

// ---- Kinds and their pools ---------------------------------------------------------------

namespace {

// Kept for the life of the process (never destroyed: kinds hold Python objects, which cannot
// be released once the interpreter has finalized).
std::vector<std::unique_ptr<Kind>>& registry() {
  static auto* kinds = new std::vector<std::unique_ptr<Kind>>();
  return *kinds;
}

class NameCollector final : public lrcore::FieldVisitor {
 public:
  std::vector<PyObject*> names;
  template <class T>
  void add(const char* name, T&) {
    names.push_back(interned(name));
  }
  void visit(const char* n, std::int64_t& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, double& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::Num& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, bool& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, std::string& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, std::vector<double>& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, std::vector<std::int64_t>& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::Counter& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, std::optional<double>& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::PerGroup<std::int64_t>& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::PerGroup<double>& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::PerGroup<lrcore::Num>& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::Phases& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::Children& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::Lambdas& v, const lrcore::Flags&) override { add(n, v); }
  void visit(const char* n, lrcore::CustomScale& v, const lrcore::Flags&) override { add(n, v); }
};

constexpr std::size_t kMaxKinds = 32;
using Pool = std::vector<std::unique_ptr<lrcore::LRScheduler>>;
thread_local std::array<Pool, kMaxKinds> pools;

}  // namespace

Kind::Kind(std::string name, Family family)
    : name_(std::move(name)), family_(family), id_(static_cast<int>(registry().size())) {
  if (registry().size() >= kMaxKinds) throw std::logic_error("too many scheduler kinds");
}

void Kind::describe_fields(lrcore::LRScheduler& prototype) {
  NameCollector names;
  prototype.describe(names);
  field_names_ = std::move(names.names);
}

Kind* find_kind(const std::string& name) {
  for (auto& kind : registry())
    if (kind->name() == name) return kind.get();
  return nullptr;
}

void add_kind(std::unique_ptr<Kind> kind) { registry().push_back(std::move(kind)); }

std::unique_ptr<lrcore::LRScheduler> acquire(const Kind& kind, lrcore::Groups& groups) {
  Pool& pool = pools[static_cast<std::size_t>(kind.id())];
  if (pool.empty()) return kind.make(groups);
  std::unique_ptr<lrcore::LRScheduler> s = std::move(pool.back());
  pool.pop_back();
  s->set_groups(groups);
  return s;
}

void give_back(const Kind& kind, std::unique_ptr<lrcore::LRScheduler> scheduler) {
  scheduler->set_observer(nullptr);
  pools[static_cast<std::size_t>(kind.id())].push_back(std::move(scheduler));
}

// ---- Plans -------------------------------------------------------------------------------

namespace {
constexpr const char* kPlanCapsule = "lrcore.plan";
}

Plan* plan_of(PyTypeObject* type) {
  static PyObject* name = interned("_lrcore_plan");
  PyObject* dict = type->tp_dict;
  if (!dict) return nullptr;
  PyObject* capsule = PyDict_GetItemWithError(dict, name);
  if (!capsule) {
    if (PyErr_Occurred()) PyErr_Clear();
    return nullptr;
  }
  if (!PyCapsule_CheckExact(capsule)) return nullptr;
  return static_cast<Plan*>(PyCapsule_GetPointer(capsule, kPlanCapsule));
}

// ---- Context -----------------------------------------------------------------------------

bool& Context::enabled() {
  static bool on = true;
  return on;
}

lrcore::LRScheduler& Context::load_root(PyObject* obj, const Plan& plan) {
  return load(obj, plan, true);
}

lrcore::LRScheduler& Context::load_child(PyObject* obj) {
  for (std::size_t i = 0; i < used_; ++i)
    if (nodes_[i].object == obj) return *nodes_[i].scheduler;
  const Plan* plan = plan_of(Py_TYPE(obj));
  if (!plan) throw NotModeled();
  return load(obj, *plan, false);
}

lrcore::LRScheduler& Context::load(PyObject* obj, const Plan& plan, bool root) {
  static PyObject* optimizer_name = interned("optimizer");
  static PyObject* verbose_name = interned("verbose");
  static PyObject* key_name = interned("key");
  static const std::array<PyObject*, 3> child_hooks = {interned("step"), interned("_update_lr"),
                                                       interned("get_last_lr")};
  if (!plan.kind || (!root && !plan.child)) throw NotModeled();
  const Kind& kind = *plan.kind;
  PyObject* dict = PyObject_GenericGetDict(obj, nullptr);
  if (!dict) {
    PyErr_Clear();
    throw NotModeled();
  }
  keep(dict);
  Py_DECREF(dict);
  PyObject* optimizer = PyDict_GetItemWithError(dict, optimizer_name);
  if (!optimizer) {
    if (PyErr_Occurred()) throw py::error_already_set();
    throw NotModeled();
  }
  // The field the scheduler drives: its `key` attribute, set only when it is not "lr".
  PyObject* key = PyDict_GetItemWithError(dict, key_name);
  if (!key && PyErr_Occurred()) throw py::error_already_set();
  if (root) {
    groups_.bind(optimizer, !simulating, key);
    groups_.preload(lrcore::Key::lr);  // every step writes the lrs; a Tensor lr is not modeled
  } else if (optimizer != groups_.optimizer() || !groups_.drives(key)) {
    throw NotModeled();  // a child rebound to another optimizer or key: torch steps that one
  }
  if (used_ == nodes_.size()) nodes_.emplace_back();
  Node& node = nodes_[used_++];
  node.object = obj;
  node.dict = dict;
  node.kind = &kind;
  node.scheduler = acquire(kind, groups_);
  lrcore::LRScheduler& s = *node.scheduler;
  s.set_observer(this);
  DictLoader loader(obj, dict, kind, *this, s, root, node.stepped, node.fetched);
  s.describe(loader);
  kind.load_extra(s, dict, *this);
  // Attributes beyond the fields and the optimizer: verbose printing (the Python step prints),
  // or an override set on the instance (scheduler.get_lr = ...) of a method torch's step calls.
  if (loader.others() > 1) {
    auto held = [&](PyObject* name) {
      PyObject* found = PyDict_GetItemWithError(dict, name);
      if (!found && PyErr_Occurred()) throw py::error_already_set();
      return found;
    };
    PyObject* verbose = held(verbose_name);
    if (verbose && verbose != Py_False && !simulating) throw NotModeled();  // (simulate prints nothing)
    for (PyObject* hook : kind.hooks)
      if (held(hook)) throw NotModeled();
    if (!root)
      for (PyObject* hook : child_hooks)
        if (held(hook)) throw NotModeled();
  }
  return s;
}

PyObject* Context::object_of(const lrcore::LRScheduler& s) const {
  for (std::size_t i = 0; i < used_; ++i)
    if (nodes_[i].scheduler.get() == &s) return nodes_[i].object;
  return nullptr;
}

PyObject* Context::dict_of(const lrcore::LRScheduler& s) const {
  for (std::size_t i = 0; i < used_; ++i)
    if (nodes_[i].scheduler.get() == &s) return nodes_[i].dict;
  return nullptr;
}

void Context::commit() {
  for (std::size_t i = 0; i < used_; ++i) nodes_[i].kind->finish(*nodes_[i].scheduler, *this);
  groups_.commit();
  // Children before their composites (the load order is depth first): a SequentialLR's
  // _last_lr is the list its child's step made.
  for (std::size_t i = used_; i-- > 0;) {
    Node& node = nodes_[i];
    DictStorer storer(node.dict, *node.kind, *this, node.stepped, *node.scheduler, i == 0);
    node.scheduler->describe(storer);
  }
}

void Context::clear() {
  for (std::size_t i = 0; i < used_; ++i) {
    Node& node = nodes_[i];
    for (PyObject*& held : node.stepped) Py_CLEAR(held);
    if (node.scheduler) give_back(*node.kind, std::move(node.scheduler));
  }
  used_ = 0;
  for (LambdaCall& call : lambda_calls_) {
    Py_CLEAR(call.result);
    Py_CLEAR(call.lr);
  }
  lambda_calls_.clear();
  groups_.release();
  refs_.clear();
  pending_.clear();
  flushed_ = 0;
  python_called = false;
  simulating = false;
}

void Context::second_step(lrcore::LRScheduler& scheduler) {
  const bool root = used_ > 0 && nodes_.front().scheduler.get() == &scheduler;
  pending_.push_back(root || used_ == 0 ? Pending::step_order : Pending::child_step_order);
}

void Context::warn_epoch_deprecated() { pending_.push_back(Pending::epoch); }

void Context::flush_warnings() {
  // torch's LRScheduler.step() warns about the step order naming the frame that called step():
  // the user's, or, for a composite's child, the composite's step in torch's module.
  static PyObject* warn_step_order =
      py::object(py::module_::import("lrcore._impl.warn").attr("warn_step_order")).release().ptr();
  static PyObject* warn = py::object(py::module_::import("lrcore._impl.warn").attr("warn")).release().ptr();
  static const char* const kEpochDeprecation =
      "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
      "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
      "epoch is different from None, the closed form is used instead of the new chainable form, "
      "where available. Please open an issue if you are unable to replicate your use case: "
      "https://github.com/pytorch/pytorch/issues/new/choose.";
  while (flushed_ < pending_.size()) {
    const Pending warning = pending_[flushed_++];  // (one that raises is issued all the same)
    switch (warning) {
      case Pending::step_order:
      case Pending::child_step_order: {
        PyObject* composite = warning == Pending::step_order ? Py_None : nodes_.front().object;
        py::handle function(warn_step_order);
        function(py::handle(groups_.optimizer()), py::handle(composite));
        break;
      }
      case Pending::epoch:
        py::handle function(warn);
        function(kEpochDeprecation, py::handle(PyExc_UserWarning), 1);
        break;
    }
  }
}

namespace {
thread_local std::vector<std::unique_ptr<Context>> free_contexts;
}

ContextLease::ContextLease() {
  if (free_contexts.empty()) {
    context_ = std::make_unique<Context>();
  } else {
    context_ = std::move(free_contexts.back());
    free_contexts.pop_back();
  }
}

ContextLease::~ContextLease() {
  context_->clear();
  free_contexts.push_back(std::move(context_));
}

}  // namespace lrcore_py
