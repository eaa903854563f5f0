// The extension module lrcore._core: registers each family's bindings, nothing else.
#include "prelude.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "lrcore's C++ core: torch.optim.lr_scheduler's schedules, bit-identical to torch";
  m.attr("__version__") = LRCORE_VERSION;
  lrcore_py::register_groups(m);
  lrcore_py::register_base(m);
  lrcore_py::register_multiplicative(m);
  lrcore_py::register_cosine(m);
  lrcore_py::register_cyclic(m);
  lrcore_py::register_plateau(m);
  lrcore_py::register_swa(m);
  lrcore_py::register_composite(m);
  lrcore_py::register_functional(m);
  lrcore_py::register_schedules(m);
}
