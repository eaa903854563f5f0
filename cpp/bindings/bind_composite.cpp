// Bindings for SequentialLR, ChainedScheduler and WarmupLR: their children are core schedulers
// (the cores of lrcore Python schedulers, hooks included).
#include "prelude.hpp"

namespace lrcore_py {

void register_composite(py::module_& m) {
  using namespace lrcore;

  BoundClass<SequentialLR> sequential(m, "SequentialLR");
  def_hooks<SequentialLR>(sequential);
  def_simulate<SequentialLR>(sequential);
  def_metric_methods<SequentialLR>(sequential);
  def_step_method<SequentialLR, false>(sequential);
  sequential
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<SchedulerPtr> schedulers,
                       std::vector<std::int64_t> milestones, std::int64_t last_epoch) {
        return std::make_shared<Bound<SequentialLR>>(g, std::move(schedulers),
                                                     std::move(milestones), last_epoch);
      }))
      .def("step", [](Bound<SequentialLR>& s) {
        DictGroups::Batch batch(*s.groups_holder);
        s.SequentialLR::step();
      })
      .def_property("milestones", &SequentialLR::milestones, &SequentialLR::set_milestones);

  BoundClass<ChainedScheduler> chained(m, "ChainedScheduler");
  def_hooks<ChainedScheduler>(chained);
  def_simulate<ChainedScheduler>(chained);
  def_metric_methods<ChainedScheduler>(chained);
  def_step_method<ChainedScheduler, false>(chained);
  chained
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<SchedulerPtr> schedulers) {
        return std::make_shared<Bound<ChainedScheduler>>(g, std::move(schedulers));
      }))
      .def("step", [](Bound<ChainedScheduler>& s) {
        DictGroups::Batch batch(*s.groups_holder);
        s.ChainedScheduler::step();
      });

  BoundClass<WarmupLR> warmup(m, "WarmupLR");
  def_hooks<WarmupLR>(warmup);
  def_simulate<WarmupLR>(warmup);
  def_metric_methods<WarmupLR>(warmup);
  def_step_method<WarmupLR, true>(warmup);
  warmup
      .def(py::init([](std::shared_ptr<DictGroups> g, SchedulerPtr scheduler,
                       std::int64_t warmup_steps, PerGroup<double> start_factor, int warmup_type,
                       bool prefix) {
        return std::make_shared<Bound<WarmupLR>>(g, std::move(scheduler), warmup_steps,
                                                 std::move(start_factor),
                                                 schedules::shape_from_int(warmup_type), prefix);
      }))
      .def("step",
           [](Bound<WarmupLR>& s) {
             if (s.step_count() == 1) warn_step_order(s.groups_holder->optimizer());
             DictGroups::Batch batch(*s.groups_holder);
             s.WarmupLR::step();
           })
      .def("group_lrs",
           [](const Bound<WarmupLR>& s) {
             DictGroups::Batch batch(*s.groups_holder);
             return s.group_lrs();
           })
      .def("sync_groups",
           [](Bound<WarmupLR>& s, const std::vector<double>& lrs) {
             DictGroups::Batch batch(*s.groups_holder);
             s.sync_groups(lrs);
           })
      .def("validate", &WarmupLR::validate)
      .def("factor", &WarmupLR::factor)
      .def_readwrite("warmup_steps", &WarmupLR::warmup_steps)
      .def_readwrite("start_factor", &WarmupLR::start_factor)
      .def_property(
          "warmup_type", [](const Bound<WarmupLR>& s) { return static_cast<int>(s.warmup_type); },
          [](Bound<WarmupLR>& s, int v) { s.warmup_type = schedules::shape_from_int(v); })
      .def_readwrite("prefix", &WarmupLR::prefix);
}

}  // namespace lrcore_py
