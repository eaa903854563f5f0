"""Reference trajectories for tests/cpp/test_schedules.cpp (the C++ API of lrcore.schedules'
classes), written by tests/test_cpp.py from lrcore.reference.schedules (torch has no such
schedules). Each case here has a twin, by name, in test_schedules.cpp."""

from __future__ import annotations

from pathlib import Path

from lrcore.reference import schedules as R

BASE_LRS = [0.1, 0.05, 0.3]
STEPS = 60

CASES = {
    "wcos": lambda o: R.WarmupCosineLR(o, 9, warmup_steps=4, warmup_lr_init=1e-4, min_lr_ratio=0.05,
                                       cycle_mul=1.5, cycle_decay=0.7, cycle_limit=4,
                                       warmup_prefix=True, k_decay=1.3),
    "wcos_eta": lambda o: R.WarmupCosineLR(o, 10, warmup_steps=3, eta_min=1e-3, cycle_limit=3),
    "wsd": lambda o: R.WarmupStableDecayLR(o, 5, 20, num_stable_steps=15, warmup_type="cosine",
                                           decay_type="1-sqrt", min_lr_ratio=0.1),
    "isqrt": lambda o: R.InverseSqrtLR(o, 8),
    "noam": lambda o: R.InverseSqrtLR(o, 8, noam=True, d_model=512),
    "hf_cos_min": lambda o: R.HFScheduleLR(o, "cosine_warmup_with_min_lr", 6, 50, min_lr_rate=0.1,
                                           warmup_lr_rate=0.05),
    # lr_init: the optimizer's lr (the first group's here, 0.1), as transformers takes it
    "hf_poly": lambda o: R.HFScheduleLR(o, "polynomial", 5, 40, lr_end=1e-4, power=2.0),
    "hf_restarts": lambda o: R.HFScheduleLR(o, "cosine_with_restarts", 4, 50, num_cycles=3),
}


class _Opt:
    def __init__(self) -> None:
        self.param_groups = [{"lr": lr} for lr in BASE_LRS]


def write(data: Path) -> None:
    """DATA/schedules_NAME.traj: each group's lr after construction and after each step."""
    for name, make in CASES.items():
        opt = _Opt()
        sched = make(opt)
        lines = []
        for t in range(STEPS + 1):
            if t:
                sched.step()
            lines.append(" ".join(float(g["lr"]).hex() for g in opt.param_groups))
        (data / f"schedules_{name}.traj").write_text("\n".join(lines) + "\n")
