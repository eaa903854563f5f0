// Bindings for CosineAnnealingLR and CosineAnnealingWarmRestarts.
#include "prelude.hpp"

namespace lrcore_py {

void register_cosine(py::module_& m) {
  using namespace lrcore;

  BoundClass<CosineAnnealingLR> cosine(m, "CosineAnnealingLR");
  cosine
      .def(py::init([](std::shared_ptr<DictGroups> g, PerGroup<double> T_max,
                       PerGroup<double> eta_min, std::int64_t last_epoch) {
        return std::make_shared<Bound<CosineAnnealingLR>>(g, T_max, eta_min, last_epoch,
                                                          Init::deferred);
      }))
      .def_readwrite("T_max", &CosineAnnealingLR::T_max)
      .def_readwrite("eta_min", &CosineAnnealingLR::eta_min)
      .def_readwrite("T_max_int", &CosineAnnealingLR::T_max_int);
  def_scheduler_methods<CosineAnnealingLR>(cosine);

  BoundClass<CosineAnnealingWarmRestarts> restarts(m, "CosineAnnealingWarmRestarts");
  restarts
      .def(py::init([](std::shared_ptr<DictGroups> g, std::int64_t T_0, std::int64_t T_mult,
                       PerGroup<double> eta_min, std::int64_t last_epoch) {
        return std::make_shared<Bound<CosineAnnealingWarmRestarts>>(g, T_0, T_mult, eta_min,
                                                                    last_epoch, Init::deferred);
      }))
      .def_readwrite("T_0", &CosineAnnealingWarmRestarts::T_0)
      .def_readwrite("T_i", &CosineAnnealingWarmRestarts::T_i)
      .def_readwrite("T_mult", &CosineAnnealingWarmRestarts::T_mult)
      .def_readwrite("eta_min", &CosineAnnealingWarmRestarts::eta_min)
      .def_readwrite("T_cur", &CosineAnnealingWarmRestarts::T_cur);
  def_scheduler_methods<CosineAnnealingWarmRestarts>(restarts);
}

}  // namespace lrcore_py
