// Bindings for the schedules torch lacks (schedules.hpp): WarmupCosineLR, WarmupStableDecayLR,
// InverseSqrtLR and HFScheduleLR. Enumerations cross as ints; the Python layer names them.
#include "prelude.hpp"

namespace lrcore_py {

void register_schedules(py::module_& m) {
  using namespace lrcore;
  using schedules::HFKind;
  using schedules::HFParams;
  using schedules::Shape;

  BoundClass<WarmupCosineLR> cosine(m, "WarmupCosineLR");
  cosine
      .def(py::init([](std::shared_ptr<DictGroups> g, std::int64_t t_initial,
                       std::int64_t warmup_steps, double warmup_lr_init, double eta_min,
                       double min_lr_ratio, bool floor_is_ratio, double cycle_mul,
                       double cycle_decay, std::int64_t cycle_limit, bool warmup_prefix,
                       double k_decay, std::int64_t last_epoch) {
        return std::make_shared<Bound<WarmupCosineLR>>(
            g, t_initial, warmup_steps, warmup_lr_init, eta_min, min_lr_ratio, floor_is_ratio,
            cycle_mul, cycle_decay, cycle_limit, warmup_prefix, k_decay, last_epoch,
            Init::deferred);
      }))
      .def_readwrite("t_initial", &WarmupCosineLR::t_initial)
      .def_readwrite("warmup_steps", &WarmupCosineLR::warmup_steps)
      .def_readwrite("warmup_lr_init", &WarmupCosineLR::warmup_lr_init)
      .def_readwrite("eta_min", &WarmupCosineLR::eta_min)
      .def_readwrite("min_lr_ratio", &WarmupCosineLR::min_lr_ratio)
      .def_readwrite("floor_is_ratio", &WarmupCosineLR::floor_is_ratio)
      .def_readwrite("cycle_mul", &WarmupCosineLR::cycle_mul)
      .def_readwrite("cycle_decay", &WarmupCosineLR::cycle_decay)
      .def_readwrite("cycle_limit", &WarmupCosineLR::cycle_limit)
      .def_readwrite("warmup_prefix", &WarmupCosineLR::warmup_prefix)
      .def_readwrite("k_decay", &WarmupCosineLR::k_decay)
      .def("validate", &WarmupCosineLR::validate);
  def_scheduler_methods<WarmupCosineLR>(cosine);

  BoundClass<WarmupStableDecayLR> wsd(m, "WarmupStableDecayLR");
  wsd.def(py::init([](std::shared_ptr<DictGroups> g, std::int64_t num_warmup_steps,
                      std::int64_t num_stable_steps, std::int64_t num_decay_steps,
                      int warmup_type, int decay_type, double min_lr_ratio, double num_cycles,
                      std::int64_t last_epoch) {
        return std::make_shared<Bound<WarmupStableDecayLR>>(
            g, num_warmup_steps, num_stable_steps, num_decay_steps,
            schedules::shape_from_int(warmup_type), schedules::shape_from_int(decay_type),
            min_lr_ratio, num_cycles, last_epoch, Init::deferred);
      }))
      .def_readwrite("num_warmup_steps", &WarmupStableDecayLR::num_warmup_steps)
      .def_readwrite("num_stable_steps", &WarmupStableDecayLR::num_stable_steps)
      .def_readwrite("num_decay_steps", &WarmupStableDecayLR::num_decay_steps)
      .def_property(
          "warmup_type", [](const Bound<WarmupStableDecayLR>& s) { return static_cast<int>(s.warmup_type); },
          [](Bound<WarmupStableDecayLR>& s, int v) { s.warmup_type = schedules::shape_from_int(v); })
      .def_property(
          "decay_type", [](const Bound<WarmupStableDecayLR>& s) { return static_cast<int>(s.decay_type); },
          [](Bound<WarmupStableDecayLR>& s, int v) { s.decay_type = schedules::shape_from_int(v); })
      .def_readwrite("min_lr_ratio", &WarmupStableDecayLR::min_lr_ratio)
      .def_readwrite("num_cycles", &WarmupStableDecayLR::num_cycles)
      .def("validate", &WarmupStableDecayLR::validate);
  def_scheduler_methods<WarmupStableDecayLR>(wsd);

  BoundClass<InverseSqrtLR> isqrt(m, "InverseSqrtLR");
  isqrt
      .def(py::init([](std::shared_ptr<DictGroups> g, std::int64_t num_warmup_steps,
                       std::int64_t timescale, bool noam, double noam_scale,
                       std::int64_t last_epoch) {
        return std::make_shared<Bound<InverseSqrtLR>>(g, num_warmup_steps, timescale, noam,
                                                      noam_scale, last_epoch, Init::deferred);
      }))
      .def_readwrite("num_warmup_steps", &InverseSqrtLR::num_warmup_steps)
      .def_readwrite("timescale", &InverseSqrtLR::timescale)
      .def_readwrite("noam", &InverseSqrtLR::noam)
      .def_readwrite("noam_scale", &InverseSqrtLR::noam_scale)
      .def("validate", &InverseSqrtLR::validate);
  def_scheduler_methods<InverseSqrtLR>(isqrt);

  BoundClass<HFScheduleLR> hf(m, "HFScheduleLR");
  hf.def(py::init([](std::shared_ptr<DictGroups> g, int kind, std::int64_t num_warmup_steps,
                     std::int64_t num_training_steps, double num_cycles, double lr_end,
                     double power, double lr_init, double min_lr_rate, double warmup_lr_rate,
                     std::int64_t last_epoch) {
       if (kind < 0 || kind > 7) throw py::value_error("unknown schedule code");
       HFParams p;
       p.kind = static_cast<HFKind>(kind);
       p.num_warmup_steps = num_warmup_steps;
       p.num_training_steps = num_training_steps;
       p.num_cycles = num_cycles;
       p.lr_end = lr_end;
       p.power = power;
       p.lr_init = lr_init;
       p.min_lr_rate = min_lr_rate;
       p.warmup_lr_rate = warmup_lr_rate;
       return std::make_shared<Bound<HFScheduleLR>>(g, p, last_epoch, Init::deferred);
     }))
      .def_property(
          "kind", [](const Bound<HFScheduleLR>& s) { return static_cast<int>(s.params.kind); },
          [](Bound<HFScheduleLR>& s, int v) {
            if (v < 0 || v > 7) throw py::value_error("unknown schedule code");
            s.params.kind = static_cast<HFKind>(v);
          })
#define LRCORE_HF_FIELD(name)                                              \
  def_property(                                                           \
      #name, [](const Bound<HFScheduleLR>& s) { return s.params.name; },         \
      [](Bound<HFScheduleLR>& s, decltype(HFParams::name) v) { s.params.name = v; })
      .LRCORE_HF_FIELD(num_warmup_steps)
      .LRCORE_HF_FIELD(num_training_steps)
      .LRCORE_HF_FIELD(num_cycles)
      .LRCORE_HF_FIELD(lr_end)
      .LRCORE_HF_FIELD(power)
      .LRCORE_HF_FIELD(lr_init)
      .LRCORE_HF_FIELD(min_lr_rate)
      .LRCORE_HF_FIELD(warmup_lr_rate)
#undef LRCORE_HF_FIELD
      .def("validate", &HFScheduleLR::validate);
  def_scheduler_methods<HFScheduleLR>(hf);
}

}  // namespace lrcore_py
