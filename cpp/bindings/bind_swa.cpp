// Binding for SWALR.
#include "prelude.hpp"

namespace lrcore_py {

void register_swa(py::module_& m) {
  using lrcore::SWALR;
  BoundClass<SWALR> swa(m, "SWALR");
  swa.def(py::init([](std::shared_ptr<DictGroups> g, std::vector<double> swa_lr,
                      std::int64_t anneal_epochs, std::string anneal_strategy,
                      std::int64_t last_epoch) {
       return std::make_shared<Bound<SWALR>>(g, std::move(swa_lr), anneal_epochs,
                                             std::move(anneal_strategy), last_epoch,
                                             lrcore::Init::deferred);
     }))
      .def_readwrite("anneal_epochs", &SWALR::anneal_epochs)
      .def_readwrite("anneal_strategy", &SWALR::anneal_strategy)
      .def("anneal_func", &SWALR::anneal_func);
  def_scheduler_methods<SWALR>(swa);
}

}  // namespace lrcore_py
