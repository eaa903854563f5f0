// SWALR (torch.optim.swa_utils): anneal each group's lr to its swa_lr over anneal_epochs, then
// hold it.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cosine.hpp"
#include "cyclic.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

namespace lrcore {

class SWALR : public LRScheduler {
 public:
  std::unique_ptr<LRScheduler> clone_into(Groups& groups, CloneMemo&) const override {
    return copy_onto(*this, groups);
  }
  SWALR(Groups& groups, Unloaded) : LRScheduler(groups) {}
  const char* name() const override { return "SWALR"; }
  void describe(FieldVisitor& v) override {
    v("_anneal_strategy", anneal_strategy, one_of(choices::cos_linear));
    v("anneal_epochs", anneal_epochs);
    describe_base(v);
  }
  // torch's load_state_dict: _set_anneal_func(_anneal_strategy).
  void after_load() override { cosine = anneal_strategy == "cos"; }
  SWALR(Groups& groups, std::vector<double> swa_lr, std::int64_t anneal_epochs = 10,
        std::string anneal_strategy = "cos", std::int64_t last_epoch = -1, Init init = Init::step)
      : LRScheduler(groups), anneal_epochs(anneal_epochs) {
    std::vector<double> swa_lrs = detail::per_group("swa_lr", std::move(swa_lr), groups.size());
    if (anneal_strategy != "cos" && anneal_strategy != "linear")
      throw std::invalid_argument("anneal_strategy must be one of 'cos' or 'linear', instead got " +
                                  anneal_strategy);
    if (anneal_epochs < 0)
      throw std::invalid_argument("anneal_epochs must be equal or greater than 0, got " +
                                  std::to_string(anneal_epochs));
    require_initial_lr(last_epoch);  // before swa_lr is written
    this->anneal_strategy = std::move(anneal_strategy);
    cosine = this->anneal_strategy == "cos";
    groups.write(Key::swa_lr, swa_lrs.data());
    init_base(last_epoch);
    finish_init(init);
  }

  // torch's anneal_func, the function _set_anneal_func chose.
  double anneal_func(double t) const {
    if (cosine) return (1 - std::cos(detail::kPi * t)) / 2;
    return t;
  }

  void get_lr(double* out, std::size_t n) override {
    std::int64_t step = step_count_ - 1;
    if (anneal_epochs == 0) step = std::max<std::int64_t>(1, step);
    const double span = static_cast<double>(std::max<std::int64_t>(1, anneal_epochs));
    const double prev_t = pymath::max(0, pymath::min(1, static_cast<double>(step - 1) / span));
    const double prev_alpha = anneal_func(prev_t);
    const double t = pymath::max(0, pymath::min(1, static_cast<double>(step) / span));
    const double alpha = anneal_func(t);
    swa_.resize(n);
    const Column columns[] = {{Key::lr, out}, {Key::swa_lr, swa_.data()}};
    groups_->read_columns(columns, 2);  // one pass over the groups
    for (std::size_t g = 0; g < n; ++g) {
      // torch's _get_initial_lr: undo the previous step's interpolation.
      const double prev_lr =
          prev_alpha == 1 ? swa_[g] : pymath::div(out[g] - prev_alpha * swa_[g], 1 - prev_alpha);
      out[g] = swa_[g] * alpha + prev_lr * (1 - alpha);
    }
  }

  std::int64_t anneal_epochs = 10;
  std::string anneal_strategy = "cos";
  // torch's anneal_func: the cosine anneal (else the linear one), set from anneal_strategy when
  // the scheduler is built or loaded.
  bool cosine = true;

 private:
  std::vector<double> swa_;
};

}  // namespace lrcore
