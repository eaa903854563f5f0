// The core's view of a Python optimizer's param groups during one compiled step.
//
// It reads each key the step needs once, as a column (one value per group), from the groups'
// dicts; the step computes on the columns; commit() then writes what changed back into the
// dicts, as torch does (group["lr"] = new float; an Adam beta1 as a new betas tuple). Until
// commit() nothing in Python has changed, so a step that fails leaves the groups as they were.
#pragma once

#include "py.hpp"

#include <array>
#include <vector>

namespace lrcore_py {

class PyGroups final : public lrcore::Groups {
 public:
  // Take optimizer.param_groups: a list of dicts (anything else is not modeled).
  // `ints_kept`: an int lr or momentum must stay an int where torch keeps it (a step; simulate()
  // returns floats, and takes them). `key`: the field the scheduler drives (a str, as the
  // scheduler's `key` attribute holds it; null: "lr"): Key::lr reads and writes it, and the
  // entries torch names after the lr (initial_lr, max_lr, ...) are named after it.
  void bind(PyObject* optimizer, bool ints_kept = true, PyObject* key = nullptr);
  // Whether `key` (null: "lr") is the key the groups are bound with.
  bool drives(PyObject* key) const;
  // The dict entry holding `key` (for Key::lr with an element key, the tuple field).
  PyObject* name(lrcore::Key key) const { return names_[static_cast<std::size_t>(key)]; }
  std::string name_of(lrcore::Key key) const override;
  // Forget the columns (the groups stay bound).
  void reset();
  // Forget the groups too (no reference to Python objects is left).
  void release();

  std::size_t size() const override { return n_; }
  bool has(lrcore::Key key, std::size_t group) const override;
  double get(lrcore::Key key, std::size_t group) const override;
  void set(lrcore::Key key, std::size_t group, double value) override;
  void read(lrcore::Key key, double* out) const override;
  void write(lrcore::Key key, const double* values) override;
  lrcore::MomentumKind momentum_kind() const override;
  const void* identity() const override { return optimizer_; }

  PyObject* optimizer() const { return optimizer_; }
  // Read `key` now (a value the core does not model throws NotModeled before the step starts).
  void preload(lrcore::Key key) const { (void)column(key); }
  // Group g's `key` becomes `value`, an object the core cannot hold as a double (what torch
  // computes from a user function's numpy or Tensor result), written as it is.
  void set_object(lrcore::Key key, std::size_t group, py::object value);
  // Write every changed value into the dicts. After it, lr_object(g) is what group g holds.
  void commit();
  // What group g's `key` holds at this point of the step, as an object: a value the step set,
  // or the dict's (a new reference).
  py::object current(lrcore::Key key, std::size_t group) const;
  // The object group g's "lr" holds (after commit: the value written, or the one kept).
  PyObject* lr_object(std::size_t g) const { return lr_objects_[g]; }
  // The groups' lrs as a new list of the objects they hold: torch's
  // _param_groups_val_list(optimizer, "lr") for float lrs.
  PyObject* lr_list() const;

 private:
  struct Column {
    bool loaded = false;
    bool dirty = false;
    std::vector<double> values;
    std::vector<PyObject*> held;    // what each dict held (a reference), nullptr if absent
    std::vector<unsigned char> changed;
    std::vector<py::object> objects;  // set_object's values (empty when none)
  };
  Column& column(lrcore::Key key) const;
  void load(lrcore::Key key, Column& c) const;


  PyObject* optimizer_ = nullptr;
  // The groups' dicts (references: a user's function called during the step may change
  // optimizer.param_groups, which the step then does not see, as torch's does not).
  std::vector<PyObject*> groups_;
  std::size_t n_ = 0;
  bool ints_kept_ = true;
  mutable std::array<Column, lrcore::kNumKeys> columns_;
  std::vector<PyObject*> lr_objects_;
  mutable int momentum_kind_ = -1;
  // The driven key: its object (a reference, null for "lr"), the names of the entries it
  // renames (references), and for an element of a tuple field its index (-1 otherwise).
  void use_key(PyObject* key);
  int element(lrcore::Key key) const {
    return key == lrcore::Key::beta1 ? 0 : key == lrcore::Key::lr ? lr_element_ : -1;
  }
  PyObject* key_ = nullptr;
  std::array<PyObject*, lrcore::kNumKeys> names_{};
  int lr_element_ = -1;

 public:
  PyGroups() = default;
  PyGroups(const PyGroups&) = delete;
  PyGroups& operator=(const PyGroups&) = delete;
  ~PyGroups();
};

}  // namespace lrcore_py
