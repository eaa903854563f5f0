// Binding for ReduceLROnPlateau.
#include "prelude.hpp"

namespace lrcore_py {

namespace {

using lrcore::ReduceLROnPlateau;

// scheduler.step(metrics) with a plain float or int metric, with no Python frame; anything else
// (a tensor, a numpy scalar, the deprecated epoch, verbose) goes to the Python _python_step.
PyObject* plateau_step(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  return guarded([&]() -> PyObject* {
    py::object holder;
    Bound<ReduceLROnPlateau>& s = core_of<ReduceLROnPlateau>(self, holder);
    const bool plain = nargs == 1 && no_arguments(0, kwnames) && !s.python_step &&
                       (PyFloat_CheckExact(args[0]) || PyLong_CheckExact(args[0]));
    if (!plain) return call_python_step(self, args, nargs, kwnames);
    const double metric = to_double(args[0]);  // float(metrics), OverflowError included
    DictGroups::Batch batch(*s.groups_holder);
    s.ReduceLROnPlateau::step(metric, std::nullopt);
    Py_RETURN_NONE;
  });
}

PyMethodDef plateau_step_def = {
    "step", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(&plateau_step)),
    METH_FASTCALL | METH_KEYWORDS,
    "step($self, metrics, epoch=None)\n--\n\nRecord the metric; reduce the lrs if it has "
    "stopped improving."};

}  // namespace

void register_plateau(py::module_& m) {
  BoundClass<ReduceLROnPlateau> plateau(m, "ReduceLROnPlateau");
  def_hooks<ReduceLROnPlateau>(plateau);
  def_metric_methods<ReduceLROnPlateau>(plateau);
  plateau.def_static("step_method",
                     [](py::handle python_class) { return method_for(python_class, &plateau_step_def); });
  plateau
      .def(py::init([](std::shared_ptr<DictGroups> g, const std::string& mode, double factor,
                       std::int64_t patience, double threshold, const std::string& threshold_mode,
                       std::int64_t cooldown, std::vector<double> min_lr, double eps,
                       bool min_lr_is_list) {
        return std::make_shared<Bound<ReduceLROnPlateau>>(g, mode, factor, patience, threshold,
                                                          threshold_mode, cooldown,
                                                          std::move(min_lr), eps, min_lr_is_list);
      }))
      .def("step", [](Bound<ReduceLROnPlateau>& s, double metric,
                      std::optional<std::int64_t> epoch) {
             DictGroups::Batch batch(*s.groups_holder);
             s.ReduceLROnPlateau::step(metric, epoch);
           },
           py::arg("metric"), py::arg("epoch") = py::none())
      .def("reset", &ReduceLROnPlateau::reset)
      .def("init_is_better", &ReduceLROnPlateau::init_is_better)
      .def("is_better", &ReduceLROnPlateau::is_better)
      .def_readwrite("factor", &ReduceLROnPlateau::factor)
      .def_readwrite("default_min_lr", &ReduceLROnPlateau::default_min_lr)
      .def_readwrite("min_lrs", &ReduceLROnPlateau::min_lrs)
      .def_readwrite("patience", &ReduceLROnPlateau::patience)
      .def_readwrite("cooldown", &ReduceLROnPlateau::cooldown)
      .def_readwrite("eps", &ReduceLROnPlateau::eps)
      .def_readwrite("threshold", &ReduceLROnPlateau::threshold)
      .def_readwrite("mode_max", &ReduceLROnPlateau::mode_max)
      .def_readwrite("threshold_abs", &ReduceLROnPlateau::threshold_abs)
      .def_readwrite("mode_worse", &ReduceLROnPlateau::mode_worse)
      .def_readwrite("best", &ReduceLROnPlateau::best)
      .def_readwrite("cooldown_counter", &ReduceLROnPlateau::cooldown_counter)
      .def_readwrite("num_bad_epochs", &ReduceLROnPlateau::num_bad_epochs);
}

}  // namespace lrcore_py
