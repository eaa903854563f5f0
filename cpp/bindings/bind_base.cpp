// The state every scheduler shares (torch's LRScheduler attributes), and the core used for a
// user's Python subclass of LRScheduler (its get_lr is the Python one).
#include "prelude.hpp"

namespace lrcore_py {

void register_base(py::module_& m) {
  using lrcore::LRScheduler;
  py::class_<LRScheduler, std::shared_ptr<LRScheduler>>(m, "Scheduler",
                                                        "State shared by every core scheduler.")
      .def_property("last_epoch", &LRScheduler::last_epoch, &LRScheduler::set_last_epoch)
      .def_property("step_count", &LRScheduler::step_count, &LRScheduler::set_step_count)
      .def_property("base_lrs", &LRScheduler::base_lrs, &LRScheduler::set_base_lrs)
      .def_property("last_lr", &LRScheduler::get_last_lr, &LRScheduler::set_last_lr)
      .def_property("is_initial", &LRScheduler::is_initial, &LRScheduler::set_is_initial)
      .def_property("within_step", &LRScheduler::get_lr_called_within_step,
                    &LRScheduler::set_get_lr_called_within_step)
      .def_property_readonly("takes_metric", &LRScheduler::takes_metric,
                             "Stepped with the metric: a ReduceLROnPlateau, or a composite holding one.")
      .def("undo_epoch", &LRScheduler::undo_epoch);

  BoundClass<LRScheduler> generic(m, "LRScheduler",
                                  "Core for a Python subclass that supplies get_lr().");
  generic.def(py::init([](std::shared_ptr<DictGroups> groups, std::int64_t last_epoch) {
                return std::make_shared<Bound<LRScheduler>>(groups, last_epoch,
                                                            lrcore::Init::deferred);
              }),
              py::arg("groups"), py::arg("last_epoch"));
  def_scheduler_methods<LRScheduler>(generic);
}

}  // namespace lrcore_py
