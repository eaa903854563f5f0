// Bindings for the multiplicative family (StepLR, MultiStepLR, ...). Constructors always defer
// the initial step: the Python layer installs its hooks, then calls initial_step().
#include "prelude.hpp"

namespace lrcore_py {

namespace {
constexpr auto kDeferred = lrcore::Init::deferred;
}

void register_multiplicative(py::module_& m) {
  using namespace lrcore;

  BoundClass<LambdaLR> lambda(m, "LambdaLR");
  lambda.def(py::init([](std::shared_ptr<DictGroups> g, std::vector<EpochFunction> fns,
                         std::int64_t last_epoch) {
    return std::make_shared<Bound<LambdaLR>>(g, std::move(fns), last_epoch, kDeferred);
  }));
  def_scheduler_methods<LambdaLR>(lambda);

  BoundClass<MultiplicativeLR> mult(m, "MultiplicativeLR");
  mult.def(py::init([](std::shared_ptr<DictGroups> g, std::vector<EpochFunction> fns,
                       std::int64_t last_epoch) {
    return std::make_shared<Bound<MultiplicativeLR>>(g, std::move(fns), last_epoch, kDeferred);
  }));
  def_scheduler_methods<MultiplicativeLR>(mult);

  BoundClass<StepLR> step(m, "StepLR");
  step.def(py::init([](std::shared_ptr<DictGroups> g, std::int64_t step_size, double gamma,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<StepLR>>(g, step_size, gamma, last_epoch, kDeferred);
      }))
      .def_readwrite("step_size", &StepLR::step_size)
      .def_readwrite("gamma", &StepLR::gamma);
  def_scheduler_methods<StepLR>(step);

  BoundClass<MultiStepLR> multistep(m, "MultiStepLR");
  multistep
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<std::int64_t> milestones,
                       double gamma, std::int64_t last_epoch) {
        return std::make_shared<Bound<MultiStepLR>>(g, std::move(milestones), gamma, last_epoch,
                                                    kDeferred);
      }))
      .def_property("milestones", &MultiStepLR::milestones, &MultiStepLR::set_milestones)
      .def_readwrite("gamma", &MultiStepLR::gamma);
  def_scheduler_methods<MultiStepLR>(multistep);

  BoundClass<ConstantLR> constant(m, "ConstantLR");
  constant
      .def(py::init([](std::shared_ptr<DictGroups> g, double factor, std::int64_t total_iters,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<ConstantLR>>(g, factor, total_iters, last_epoch, kDeferred);
      }))
      .def_readwrite("factor", &ConstantLR::factor)
      .def_readwrite("total_iters", &ConstantLR::total_iters);
  def_scheduler_methods<ConstantLR>(constant);

  BoundClass<LinearLR> linear(m, "LinearLR");
  linear
      .def(py::init([](std::shared_ptr<DictGroups> g, double start_factor, double end_factor,
                       std::int64_t total_iters, std::int64_t last_epoch) {
        return std::make_shared<Bound<LinearLR>>(g, start_factor, end_factor, total_iters,
                                                 last_epoch, kDeferred);
      }))
      .def_readwrite("start_factor", &LinearLR::start_factor)
      .def_readwrite("end_factor", &LinearLR::end_factor)
      .def_readwrite("total_iters", &LinearLR::total_iters);
  def_scheduler_methods<LinearLR>(linear);

  BoundClass<ExponentialLR> exponential(m, "ExponentialLR");
  exponential
      .def(py::init([](std::shared_ptr<DictGroups> g, double gamma, std::int64_t last_epoch) {
        return std::make_shared<Bound<ExponentialLR>>(g, gamma, last_epoch, kDeferred);
      }))
      .def_readwrite("gamma", &ExponentialLR::gamma);
  def_scheduler_methods<ExponentialLR>(exponential);

  BoundClass<PolynomialLR> polynomial(m, "PolynomialLR");
  polynomial
      .def(py::init([](std::shared_ptr<DictGroups> g, std::int64_t total_iters, double power,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<PolynomialLR>>(g, total_iters, power, last_epoch, kDeferred);
      }))
      .def_readwrite("total_iters", &PolynomialLR::total_iters)
      .def_readwrite("power", &PolynomialLR::power);
  def_scheduler_methods<PolynomialLR>(polynomial);
}

}  // namespace lrcore_py
