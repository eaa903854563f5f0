// The base of every scheduler: torch's LRScheduler, its state and its step protocol.
//
// A step is: advance last_epoch, compute the new lrs (get_lr: torch's chainable form, reading the
// groups' current lrs; or, for the deprecated step(epoch), the closed form), write them to the
// groups. Values are computed into a buffer owned by the scheduler (no allocation once the number
// of groups is known) and written only when all are computed, so a failing step leaves the groups
// and the scheduler as they were.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "describe.hpp"
#include "errors.hpp"
#include "groups.hpp"
#include "per_group.hpp"
#include "pymath.hpp"

namespace lrcore {

// Constructors take an Init: `step` performs torch's initial step, as torch's constructors do;
// `deferred` leaves it to the caller (initial_step()), for wrappers that must finish setting up
// first.
enum class Init { step, deferred };

// Constructs a scheduler with no state yet, for a caller that loads every field next (through
// describe(): the Python bindings, which load a scheduler from a Python object's attributes).
struct Unloaded {};

class LRScheduler;
using SchedulerPtr = std::shared_ptr<LRScheduler>;

// OneCycleLR's phases (see cyclic.hpp).
struct Phase {
  Num end_step;  // an int for the last phase (total_steps - 1), as torch's
  Key start_lr, end_lr, start_momentum, end_momentum;
};
using Phases = std::vector<Phase>;

// A composite's children, in order: the schedulers it steps. A C++ trainer's composite owns
// them (`owned`); a composite loaded by the bindings points at children loaded the same way.
struct Children {
  std::vector<LRScheduler*> list;
  std::vector<SchedulerPtr> owned;

  void own(std::vector<SchedulerPtr> children) {
    owned = std::move(children);
    list.clear();
    for (const auto& c : owned) list.push_back(c.get());
  }
  std::size_t size() const { return list.size(); }
  LRScheduler& operator[](std::size_t i) const { return *list[i]; }
};

// A user's function of the epoch (LambdaLR's lr_lambdas), held as state that cannot be saved
// (torch saves None for a function).
using EpochFunction = std::function<double(std::int64_t)>;
struct Lambdas {
  std::vector<EpochFunction> functions;
};
// CyclicLR's custom scale_fn (null: none), likewise.
struct CustomScale {
  EpochFunction function;
};

// The visitor every use of a scheduler's fields goes through (see describe.hpp): one overload
// per C++ type a field can have.
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  template <class T>
  void operator()(const char* name, T& value, const Flags& flags = Flags()) {
    visit(name, value, flags);
  }

  virtual void visit(const char* name, std::int64_t& value, const Flags& flags) = 0;
  virtual void visit(const char* name, double& value, const Flags& flags) = 0;
  virtual void visit(const char* name, Num& value, const Flags& flags) = 0;
  virtual void visit(const char* name, bool& value, const Flags& flags) = 0;
  virtual void visit(const char* name, std::string& value, const Flags& flags) = 0;
  virtual void visit(const char* name, std::vector<double>& value, const Flags& flags) = 0;
  virtual void visit(const char* name, std::vector<std::int64_t>& value, const Flags& flags) = 0;
  virtual void visit(const char* name, Counter& value, const Flags& flags) = 0;
  virtual void visit(const char* name, std::optional<double>& value, const Flags& flags) = 0;
  virtual void visit(const char* name, PerGroup<std::int64_t>& value, const Flags& flags) = 0;
  virtual void visit(const char* name, PerGroup<double>& value, const Flags& flags) = 0;
  virtual void visit(const char* name, PerGroup<Num>& value, const Flags& flags) = 0;
  virtual void visit(const char* name, Phases& value, const Flags& flags) = 0;
  virtual void visit(const char* name, Children& value, const Flags& flags) = 0;
  virtual void visit(const char* name, Lambdas& value, const Flags& flags) = 0;
  virtual void visit(const char* name, CustomScale& value, const Flags& flags) = 0;
};

class LRScheduler {
 public:
  // A scheduler whose get_lr a subclass supplies, as torch's LRScheduler.__init__ (a subclass
  // passes Init::deferred and calls initial_step() once it is constructed).
  LRScheduler(Groups& groups, std::int64_t last_epoch, Init init) : groups_(&groups) {
    init_base(last_epoch);
    finish_init(init);
  }
  LRScheduler(Groups& groups, Unloaded) : groups_(&groups) {}
  virtual ~LRScheduler() = default;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // The scheduler's fields, torch's attributes in torch's state_dict order (see describe.hpp).
  virtual void describe(FieldVisitor& v) { describe_base(v); }
  // The name of the scheduler's class (torch's, or lrcore's for its own schedules).
  virtual const char* name() const { return "LRScheduler"; }
  // Around a save and a load of the fields (state.hpp, the bindings): fields computed for the
  // state, and what torch's load_state_dict recomputes from what it loaded.
  virtual void before_save() {}
  virtual void after_load() {}
  // Whether the scheduler holds `field`, one its describe() marks only_sometimes(): torch sets
  // some attributes in some configurations only, and its state_dict has them then only.
  virtual bool has_field(const char* field) const {
    (void)field;
    return true;
  }

  // An independent copy of this scheduler, in the same state, stepping `groups` instead (which
  // must have as many groups). Composites copy their children onto `groups` too, a child shared
  // by several composites (or listed twice) once. This is how a schedule's future is computed
  // without touching it (see simulate.hpp).
  std::unique_ptr<LRScheduler> clone(Groups& groups) const {
    CloneMemo memo;
    return clone_into(groups, memo);
  }
  // clone(), for the copies made so far in one clone() (original -> copy).
  using CloneMemo = std::unordered_map<const LRScheduler*, SchedulerPtr>;
  virtual std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo& memo) const {
    (void)memo;
    return copy_onto(*this, groups);
  }
  // Point the scheduler at other groups (of the same optimizer, or a copy of them).
  void set_groups(Groups& groups) { groups_ = &groups; }

  // Told of each step() before it changes anything, while the step count is 1 (the bindings give
  // torch's warnings about the order of optimizer.step() and scheduler.step() there).
  class StepObserver {
   public:
    virtual ~StepObserver() = default;
    virtual void second_step(LRScheduler& scheduler) = 0;
  };
  void set_observer(StepObserver* observer) { observer_ = observer; }

  // torch's step(): one more epoch, chainable form.
  virtual void step() {
    if (step_count_ == 1 && observer_) observer_->second_step(*this);
    ++step_count_;
    try {
      update_lr(std::nullopt);
    } catch (...) {
      --step_count_;
      throw;
    }
  }

  // torch's deprecated step(epoch): jump to `epoch`, closed form where the schedule has one.
  virtual void step_epoch(double epoch) {
    if (epoch != std::floor(epoch) || !std::isfinite(epoch))
      throw std::invalid_argument("epoch must be an integer for this scheduler");
    if (!(epoch >= -9223372036854775808.0 && epoch < 9223372036854775808.0))
      throw std::overflow_error("epoch does not fit in a 64-bit integer");
    if (step_count_ == 1 && observer_) observer_->second_step(*this);
    ++step_count_;
    try {
      update_lr(pymath::to_int64(epoch));
    } catch (...) {
      --step_count_;
      throw;
    }
  }

  // torch's _update_lr(epoch): what step() does after counting the step; SequentialLR calls it
  // directly with epoch 0 at a milestone.
  virtual void update_lr(std::optional<std::int64_t> epoch) {
    const std::int64_t saved_epoch = last_epoch_;
    try {
      if (!epoch) {
        last_epoch_ = next_epoch(last_epoch_);
        apply_lr(false);
      } else {
        last_epoch_ = *epoch;
        apply_lr(true);
      }
    } catch (...) {
      last_epoch_ = saved_epoch;
      throw;
    }
  }

  // torch's _initial_step(): reset the step count and step once in "initial" mode.
  virtual void initial_step() {
    step_count_ = 0;
    is_initial_ = true;
    try {
      step();
    } catch (...) {
      is_initial_ = false;
      throw;
    }
    is_initial_ = false;
  }

  // SequentialLR's recursive_undo: take back one epoch (composites recurse into their children).
  virtual void undo_epoch() { last_epoch_ = previous_epoch(last_epoch_); }

  // Whether a step needs the monitored metric: ReduceLROnPlateau, and the composites holding one
  // (lrcore's SequentialLR, ChainedScheduler and WarmupLR accept it; torch's refuse it). Such a
  // scheduler is stepped with step_metric(); its step() throws type_error.
  virtual bool takes_metric() const { return false; }
  // A step that passes `metric` to every ReduceLROnPlateau inside; a scheduler without one
  // ignores it and steps.
  virtual void step_metric(double metric) {
    (void)metric;
    step();
  }
  // Whether this is, or holds, a WarmupLR (which owns the lrs during its warmup, so it cannot
  // share a ChainedScheduler with other schedulers).
  // The scheduler whose last lrs are this one's after the last step, as the same list in torch
  // (SequentialLR's _last_lr is its stepped child's get_last_lr()), or null.
  virtual const LRScheduler* last_lr_of() const { return nullptr; }
  virtual bool has_warmup() const { return false; }
  // SequentialLR's hand-over at a milestone: start again at epoch 0 (torch's _update_lr(0)). A
  // scheduler that takes the metric gets the metric of the step that hands over.
  virtual void restart(std::optional<double> metric) {
    (void)metric;
    update_lr(0);
  }

  // Within its scope, get_lr() writes momentum to the groups at once, as torch's get_lr() called
  // on its own does.
  class Immediate {
   public:
    explicit Immediate(LRScheduler& s) : s_(s), saved_(s.staging_) { s_.staging_ = false; }
    ~Immediate() { s_.staging_ = saved_; }
    Immediate(const Immediate&) = delete;
    Immediate& operator=(const Immediate&) = delete;

   private:
    LRScheduler& s_;
    bool saved_;
  };

  // torch's get_lr(): the chainable form at last_epoch, from the groups' current values.
  // Writes n values to out; may also write momentum to the groups (CyclicLR, OneCycleLR).
  virtual void get_lr(double* out, std::size_t n) {
    (void)out;
    (void)n;
    throw not_implemented_error("get_lr is not implemented for this scheduler");
  }

  // torch's _get_closed_form_lr(): returns false where the schedule has none.
  virtual bool closed_form_lr(double* out, std::size_t n) {
    (void)out;
    (void)n;
    return false;
  }

  // State, mirroring torch's attributes.
  std::int64_t last_epoch() const { return last_epoch_; }
  void set_last_epoch(std::int64_t epoch) { last_epoch_ = epoch; }
  std::int64_t step_count() const { return step_count_; }
  void set_step_count(std::int64_t count) { step_count_ = count; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  void set_base_lrs(std::vector<double> lrs) { base_lrs_ = std::move(lrs); }
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  void set_last_lr(std::vector<double> lrs) { last_lr_ = std::move(lrs); }
  bool is_initial() const { return is_initial_; }
  void set_is_initial(bool value) { is_initial_ = value; }
  bool get_lr_called_within_step() const { return within_step_; }
  void set_get_lr_called_within_step(bool value) { within_step_ = value; }
  Groups& groups() const { return *groups_; }

 protected:
  explicit LRScheduler(Groups& groups) : groups_(&groups) {}
  LRScheduler(const LRScheduler&) = default;  // for clone(): a copy shares the groups until rebound

  // torch's LRScheduler attributes, in the order torch's state_dict has them after a
  // scheduler's own (a class lists its own fields, then calls this).
  void describe_base(FieldVisitor& v) {
    v("base_lrs", base_lrs_);
    v("last_epoch", last_epoch_, stepped());
    v("_step_count", step_count_, stepped());
    v("_is_initial", is_initial_);
    v("_get_lr_called_within_step", within_step_, Flags().step_output());
    v("_last_lr", last_lr_, Flags().holds_group_lrs());
  }

  // clone() for a scheduler class: a copy of `self` bound to `groups`.
  template <class Derived>
  static std::unique_ptr<LRScheduler> copy_onto(const Derived& self, Groups& groups) {
    std::unique_ptr<Derived> copy(new Derived(self));
    copy->groups_ = &groups;
    copy->observer_ = nullptr;
    return copy;
  }

  // torch's LRScheduler.__init__ up to the initial step: record initial_lr (setdefault) for a
  // fresh run, or require it when resuming, and take base_lrs from it.
  void init_base(std::int64_t last_epoch) {
    const std::size_t n = groups_->size();
    require_initial_lr(last_epoch);
    if (last_epoch == -1) {
      for (std::size_t g = 0; g < n; ++g)
        if (!groups_->has(Key::initial_lr, g))
          groups_->set(Key::initial_lr, g, groups_->get(Key::lr, g));
    }
    base_lrs_.resize(n);
    last_lr_.reserve(n);  // apply_lr swaps it into values_: a later first step does not allocate
    groups_->read(Key::initial_lr, base_lrs_.data());
    last_epoch_ = last_epoch;
  }

  // torch's KeyError when resuming (last_epoch != -1) without each group's initial_lr. Schedules
  // that write to the groups before init_base call it first, so that nothing is written.
  void require_initial_lr(std::int64_t last_epoch) const {
    if (last_epoch == -1) return;
    const std::size_t n = groups_->size();
    for (std::size_t g = 0; g < n; ++g)
      if (!groups_->has(Key::initial_lr, g))
        throw key_error("param '" + groups_->name_of(Key::initial_lr) +
                        "' is not specified in param_groups[" +
                        std::to_string(g) +
                        "] when resuming scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run (not "
                        "recommended)");
  }

  // Compute the lrs for the current last_epoch (closed form if asked and available, else get_lr)
  // and write them to the groups; last_lr becomes what was written.
  void apply_lr(bool closed_form) {
    const std::size_t n = groups_->size();
    values_.resize(n);  // allocates only when the number of groups changes
    WithinStep within(*this);
    {
      Staging staging(*this);
      if (!closed_form || !closed_form_lr(values_.data(), n)) get_lr(values_.data(), n);
    }
    if (staged_.values) {
      const ConstColumn columns[] = {staged_, {Key::lr, values_.data()}};
      staged_ = {Key::lr, nullptr};
      groups_->write_columns(columns, 2);
    } else {
      groups_->write(Key::lr, values_.data());
    }
    std::swap(last_lr_, values_);
  }

  // For get_lr() of schedules that also set momentum (CyclicLR, OneCycleLR): torch writes it to
  // the groups inside get_lr. Within a step, it is written with the lrs instead, in the same pass
  // over the groups (the values are the same; `values` must live until the step writes them).
  // get_lr() called on its own (torch's get_lr()) writes at once.
  void write_momentum(Key key, const double* values) {
    if (staging_) staged_ = {key, values};
    else groups_->write(key, values);
  }

  void finish_init(Init init) {
    if (init == Init::step) initial_step();
  }

  // Schedules that pair each group with a per-group value need one per group (torch's
  // zip(..., strict=True) raises ValueError otherwise).
  void require_groups(std::size_t n, std::size_t expected) const {
    if (n != expected)
      throw std::invalid_argument("the optimizer has " + std::to_string(n) +
                                  " param groups but the scheduler has " +
                                  std::to_string(expected) +
                                  " values per group (was a param group added?)");
  }

  // The groups' current lrs, as torch's _param_groups_val_list(optimizer, "lr").
  void current_lrs(double* out) const { groups_->read(Key::lr, out); }

  Groups* groups_;
  std::int64_t last_epoch_ = -1;
  std::int64_t step_count_ = 0;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  bool is_initial_ = false;
  bool within_step_ = false;
  StepObserver* observer_ = nullptr;

 private:
  struct WithinStep {
    explicit WithinStep(LRScheduler& s) : s_(s) { s_.within_step_ = true; }
    ~WithinStep() { s_.within_step_ = false; }
    LRScheduler& s_;
  };
  // While the scheduler's own step runs get_lr (not a get_lr of it called from elsewhere).
  struct Staging {
    explicit Staging(LRScheduler& s) : s_(s), saved_(s.staging_) {
      s_.staging_ = true;
      s_.staged_ = {Key::lr, nullptr};
    }
    ~Staging() { s_.staging_ = saved_; }
    LRScheduler& s_;
    bool saved_;
  };
  std::vector<double> values_;
  bool staging_ = false;
  ConstColumn staged_{Key::lr, nullptr};
};

}  // namespace lrcore
