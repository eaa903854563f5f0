// Bindings for CyclicLR and OneCycleLR.
#include "prelude.hpp"

namespace lrcore_py {

void register_cyclic(py::module_& m) {
  using namespace lrcore;

  BoundClass<CyclicLR> cyclic(m, "CyclicLR");
  cyclic
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<double> base_lr,
                       std::vector<double> max_lr, double step_size_up,
                       std::optional<double> step_size_down, std::string mode, double gamma,
                       ScaleFunction scale_fn, std::string scale_mode, bool cycle_momentum,
                       std::vector<double> base_momentum, std::vector<double> max_momentum,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<CyclicLR>>(
            g, std::move(base_lr), std::move(max_lr), step_size_up, step_size_down,
            std::move(mode), gamma, std::move(scale_fn), std::move(scale_mode), cycle_momentum,
            std::move(base_momentum), std::move(max_momentum), last_epoch, Init::deferred);
      }))
      .def_readwrite("max_lrs", &CyclicLR::max_lrs)
      .def_readwrite("total_size", &CyclicLR::total_size)
      .def_readwrite("step_ratio", &CyclicLR::step_ratio)
      .def_readwrite("mode", &CyclicLR::mode)
      .def_readwrite("gamma", &CyclicLR::gamma)
      .def_readwrite("scale_mode", &CyclicLR::scale_mode)
      .def_readwrite("cycle_momentum", &CyclicLR::cycle_momentum)
      .def_readwrite("use_beta1", &CyclicLR::use_beta1)
      .def_readwrite("base_momentums", &CyclicLR::base_momentums)
      .def_readwrite("max_momentums", &CyclicLR::max_momentums)
      .def_readwrite("scale_fn_custom", &CyclicLR::scale_fn_custom)
      .def("init_scale_fn", &CyclicLR::init_scale_fn)
      .def("scale_fn", &CyclicLR::scale_fn);
  def_scheduler_methods<CyclicLR>(cyclic);

  BoundClass<OneCycleLR> onecycle(m, "OneCycleLR");
  onecycle
      .def(py::init([](std::shared_ptr<DictGroups> g, std::vector<double> max_lr,
                       std::int64_t total_steps, double pct_start, std::string anneal_strategy,
                       bool cycle_momentum, std::vector<double> base_momentum,
                       std::vector<double> max_momentum, double div_factor,
                       double final_div_factor, bool three_phase, std::int64_t last_epoch) {
        return std::make_shared<Bound<OneCycleLR>>(
            g, std::move(max_lr), total_steps, pct_start, std::move(anneal_strategy),
            cycle_momentum, std::move(base_momentum), std::move(max_momentum), div_factor,
            final_div_factor, three_phase, last_epoch, Init::deferred);
      }))
      .def_readwrite("total_steps", &OneCycleLR::total_steps)
      .def_readwrite("anneal_strategy", &OneCycleLR::anneal_strategy)
      .def_readwrite("cycle_momentum", &OneCycleLR::cycle_momentum)
      .def_readwrite("use_beta1", &OneCycleLR::use_beta1)
      // torch's _schedule_phases: [{end_step, start_lr, end_lr, start_momentum, end_momentum}]
      .def_property(
          "phases",
          [](const Bound<OneCycleLR>& s) {
            py::list phases;
            for (const auto& p : s.phases)
              phases.append(py::make_tuple(p.end_step, key_name(p.start_lr), key_name(p.end_lr),
                                           key_name(p.start_momentum),
                                           key_name(p.end_momentum)));
            return phases;
          },
          [](Bound<OneCycleLR>& s, const std::vector<std::tuple<double, std::string, std::string,
                                                         std::string, std::string>>& phases) {
            auto key = [](const std::string& name) {
              for (int k = 0; k < kNumKeys; ++k)
                if (name == key_name(static_cast<Key>(k))) return static_cast<Key>(k);
              throw std::invalid_argument("unknown param group key in _schedule_phases: " + name);
            };
            std::vector<OneCycleLR::Phase> parsed;
            for (const auto& [end, sl, el, sm, em] : phases)
              parsed.push_back({end, key(sl), key(el), key(sm), key(em)});
            if (parsed.empty()) throw std::invalid_argument("_schedule_phases is empty");
            s.phases = std::move(parsed);
          });
  def_scheduler_methods<OneCycleLR>(onecycle);
}

}  // namespace lrcore_py
