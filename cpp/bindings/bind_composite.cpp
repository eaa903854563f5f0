// Bindings for SequentialLR and ChainedScheduler: their children are core schedulers (the cores
// of lrcore Python schedulers, hooks included).
#include "prelude.hpp"

namespace lrcore_py {

void register_composite(py::module_& m) {
  using namespace lrcore;

  BoundClass<SequentialLR> sequential(m, "SequentialLR");
  def_hooks<SequentialLR>(sequential);
  def_simulate<SequentialLR>(sequential);
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
  def_step_method<ChainedScheduler, false>(chained);
  chained
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<SchedulerPtr> schedulers) {
        return std::make_shared<Bound<ChainedScheduler>>(g, std::move(schedulers));
      }))
      .def("step", [](Bound<ChainedScheduler>& s) {
        DictGroups::Batch batch(*s.groups_holder);
        s.ChainedScheduler::step();
      });
}

}  // namespace lrcore_py
