// The extension module lrcore._core: the compiled steps and simulate() of the Python scheduler
// classes (bind_accel.cpp, kinds.cpp) and the vectorized closed forms (bind_functional.cpp).
#include "py.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "lrcore's C++ core: torch.optim.lr_scheduler's schedules, bit-identical to torch";
  m.attr("__version__") = LRCORE_VERSION;
  // The core's exceptions as the Python exceptions torch raises for the same input.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const lrcore::key_error& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const lrcore::zero_division_error& e) {
      PyErr_SetString(PyExc_ZeroDivisionError, e.what());
    } catch (const lrcore::not_implemented_error& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const lrcore::type_error& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    }
  });
  lrcore_py::register_accel(m);
  lrcore_py::register_functional(m);
  lrcore_py::register_snapshot(m);
}
