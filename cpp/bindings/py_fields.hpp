// The described fields of a core scheduler, to and from a Python scheduler's __dict__ (see
// describe.hpp): DictLoader reads every field before a compiled step (throwing NotModeled for a
// value the core does not model), DictStorer writes back the fields a step changes.
#pragma once

#include "py_accel.hpp"

namespace lrcore_py {

class DictLoader final : public lrcore::FieldVisitor {
 public:
  // Reads the dict in one pass (see prefetch), into `fetched` (scratch storage, reused).
  DictLoader(PyObject* object, PyObject* dict, const Kind& kind, Context& context,
             const lrcore::LRScheduler& owner, bool root, std::vector<PyObject*>& stepped,
             std::vector<PyObject*>& fetched)
      : object_(object), dict_(dict), names_(kind.field_names()), context_(context),
        owner_(owner), root_(root), stepped_(stepped), fetched_(fetched) {
    stepped_.resize(names_.size());  // (nullptr: cleared when the last step ended)
    prefetch();
  }

  // How many of the dict's keys are not field names (the optimizer is one).
  Py_ssize_t others() const { return others_; }

  void visit(const char* name, std::int64_t& v, const lrcore::Flags& f) override;
  void visit(const char* name, double& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::Num& v, const lrcore::Flags& f) override;
  void visit(const char* name, bool& v, const lrcore::Flags& f) override;
  void visit(const char* name, std::string& v, const lrcore::Flags& f) override;
  void visit(const char* name, std::vector<double>& v, const lrcore::Flags& f) override;
  void visit(const char* name, std::vector<std::int64_t>& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::Counter& v, const lrcore::Flags& f) override;
  void visit(const char* name, std::optional<double>& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::PerGroup<std::int64_t>& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::PerGroup<double>& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::PerGroup<lrcore::Num>& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::Phases& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::Children& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::Lambdas& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::CustomScale& v, const lrcore::Flags& f) override;

 private:
  // One pass over the dict, matching its keys with the field names by identity (attribute
  // names are interned; a key that is an equal string but another object is looked up by
  // value in next()). Reading every entry once costs less than a lookup per field.
  void prefetch();
  // The next field's value (borrowed), or nullptr for an absent optional field or a field that
  // is not an attribute.
  PyObject* next(const lrcore::Flags& f);

  PyObject* object_;
  PyObject* dict_;
  const std::vector<PyObject*>& names_;
  Context& context_;
  const lrcore::LRScheduler& owner_;
  bool root_;
  std::vector<PyObject*>& stepped_;
  std::vector<PyObject*>& fetched_;
  std::size_t index_ = 0;
  Py_ssize_t others_ = 0;
};

class DictStorer final : public lrcore::FieldVisitor {
 public:
  DictStorer(PyObject* dict, const Kind& kind, Context& context,
             const std::vector<PyObject*>& loaded, const lrcore::LRScheduler& owner, bool root)
      : dict_(dict), names_(kind.field_names()), context_(context), loaded_(loaded),
        owner_(owner), root_(root) {}

  void visit(const char* name, std::int64_t& v, const lrcore::Flags& f) override;
  void visit(const char* name, double& v, const lrcore::Flags& f) override;
  void visit(const char* name, lrcore::Num& v, const lrcore::Flags& f) override;
  void visit(const char* name, bool& v, const lrcore::Flags& f) override;
  void visit(const char*, std::string&, const lrcore::Flags&) override { ++index_; }
  void visit(const char* name, std::vector<double>& v, const lrcore::Flags& f) override;
  void visit(const char*, std::vector<std::int64_t>&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::Counter&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, std::optional<double>&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::PerGroup<std::int64_t>&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::PerGroup<double>&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::PerGroup<lrcore::Num>&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::Phases&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::Children&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::Lambdas&, const lrcore::Flags&) override { ++index_; }
  void visit(const char*, lrcore::CustomScale&, const lrcore::Flags&) override { ++index_; }

 private:
  // The stepped field's name and what the dict held for it when loaded (nullptr if absent or
  // not read), or no name for a field the step does not change.
  PyObject* next(const lrcore::Flags& f, PyObject** current);
  void put(PyObject* name, PyObject* value);

  PyObject* dict_;
  const std::vector<PyObject*>& names_;
  Context& context_;
  const std::vector<PyObject*>& loaded_;
  const lrcore::LRScheduler& owner_;
  bool root_;
  std::size_t index_ = 0;
};

// The description as Python sees it: (name, kind, per_group, state, stepped, nullable,
// optional, attribute, choices) for each field.
py::list describe_for_python(lrcore::LRScheduler& scheduler);

}  // namespace lrcore_py
