// Bindings for the multiplicative family (StepLR, MultiStepLR, ...). Constructors always defer
// the initial step: the Python layer installs its hooks, then calls initial_step().
#include "prelude.hpp"

namespace lrcore_py {

namespace {
constexpr auto kDeferred = lrcore::Init::deferred;

// A Python callable as the core's EpochFunction, called as directly as CPython allows (torch calls
// a LambdaLR lambda once per group per step). simulate() calls it with the GIL released, so it
// takes the GIL when it does not hold it.
lrcore::EpochFunction epoch_function(py::object fn) {
  auto holder = std::make_shared<py::object>(std::move(fn));
  return [holder](std::int64_t epoch) -> double {
    auto call = [&]() -> double {
      PyObject* arg = PyLong_FromLongLong(epoch);
      if (!arg) throw py::error_already_set();
      PyObject* result = PyObject_Vectorcall(holder->ptr(), &arg, 1, nullptr);
      Py_DECREF(arg);
      if (!result) throw py::error_already_set();
      py::object owned = py::reinterpret_steal<py::object>(result);
      return to_double(result);
    };
    if (PyGILState_Check()) return call();
    py::gil_scoped_acquire gil;
    return call();
  };
}

std::vector<lrcore::EpochFunction> epoch_functions(const std::vector<py::object>& fns) {
  std::vector<lrcore::EpochFunction> out;
  out.reserve(fns.size());
  for (const auto& fn : fns) out.push_back(epoch_function(fn));
  return out;
}
}  // namespace

void register_multiplicative(py::module_& m) {
  using namespace lrcore;

  BoundClass<LambdaLR> lambda(m, "LambdaLR");
  lambda.def(py::init([](std::shared_ptr<DictGroups> g, const std::vector<py::object>& fns,
                         std::int64_t last_epoch) {
    return std::make_shared<Bound<LambdaLR>>(g, epoch_functions(fns), last_epoch, kDeferred);
  }));
  def_scheduler_methods<LambdaLR>(lambda);

  BoundClass<MultiplicativeLR> mult(m, "MultiplicativeLR");
  mult.def(py::init([](std::shared_ptr<DictGroups> g, const std::vector<py::object>& fns,
                       std::int64_t last_epoch) {
    return std::make_shared<Bound<MultiplicativeLR>>(g, epoch_functions(fns), last_epoch,
                                                     kDeferred);
  }));
  def_scheduler_methods<MultiplicativeLR>(mult);

  BoundClass<StepLR> step(m, "StepLR");
  step.def(py::init([](std::shared_ptr<DictGroups> g, PerGroup<std::int64_t> step_size,
                       PerGroup<double> gamma, std::int64_t last_epoch) {
        return std::make_shared<Bound<StepLR>>(g, step_size, gamma, last_epoch, kDeferred);
      }))
      .def_readwrite("step_size", &StepLR::step_size)
      .def_readwrite("gamma", &StepLR::gamma);
  def_scheduler_methods<StepLR>(step);

  BoundClass<MultiStepLR> multistep(m, "MultiStepLR");
  multistep
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<std::int64_t> milestones,
                       PerGroup<double> gamma, std::int64_t last_epoch) {
        return std::make_shared<Bound<MultiStepLR>>(g, std::move(milestones), gamma, last_epoch,
                                                    kDeferred);
      }))
      .def_property("milestones", &MultiStepLR::milestones, &MultiStepLR::set_milestones)
      .def_readwrite("gamma", &MultiStepLR::gamma);
  def_scheduler_methods<MultiStepLR>(multistep);

  BoundClass<ConstantLR> constant(m, "ConstantLR");
  constant
      .def(py::init([](std::shared_ptr<DictGroups> g, PerGroup<double> factor,
                       PerGroup<std::int64_t> total_iters, std::int64_t last_epoch) {
        return std::make_shared<Bound<ConstantLR>>(g, factor, total_iters, last_epoch, kDeferred);
      }))
      .def_readwrite("factor", &ConstantLR::factor)
      .def_readwrite("total_iters", &ConstantLR::total_iters);
  def_scheduler_methods<ConstantLR>(constant);

  BoundClass<LinearLR> linear(m, "LinearLR");
  linear
      .def(py::init([](std::shared_ptr<DictGroups> g, PerGroup<double> start_factor,
                       PerGroup<double> end_factor, PerGroup<std::int64_t> total_iters,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<LinearLR>>(g, start_factor, end_factor, total_iters,
                                                 last_epoch, kDeferred);
      }))
      .def_readwrite("start_factor", &LinearLR::start_factor)
      .def_readwrite("end_factor", &LinearLR::end_factor)
      .def_readwrite("total_iters", &LinearLR::total_iters);
  def_scheduler_methods<LinearLR>(linear);

  BoundClass<ExponentialLR> exponential(m, "ExponentialLR");
  exponential
      .def(py::init([](std::shared_ptr<DictGroups> g, PerGroup<double> gamma,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<ExponentialLR>>(g, gamma, last_epoch, kDeferred);
      }))
      .def_readwrite("gamma", &ExponentialLR::gamma);
  def_scheduler_methods<ExponentialLR>(exponential);

  BoundClass<PolynomialLR> polynomial(m, "PolynomialLR");
  polynomial
      .def(py::init([](std::shared_ptr<DictGroups> g, PerGroup<std::int64_t> total_iters,
                       PerGroup<double> power, std::int64_t last_epoch) {
        return std::make_shared<Bound<PolynomialLR>>(g, total_iters, power, last_epoch, kDeferred);
      }))
      .def_readwrite("total_iters", &PolynomialLR::total_iters)
      .def_readwrite("power", &PolynomialLR::power);
  def_scheduler_methods<PolynomialLR>(polynomial);
}

}  // namespace lrcore_py
