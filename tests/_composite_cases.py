"""Reference trajectories for tests/cpp/test_composites.cpp: lrcore's extensions beyond torch in
C++ (composites holding a ReduceLROnPlateau, WarmupLR), written by tests/test_cpp.py from the
oracles of tests/_oracles.py over torch's own schedulers. Each case has a twin, by name, in
tests/cpp/composite_cases.hpp."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.optim.lr_scheduler as TLR

from lrcore.reference import schedules as RS
import _oracles as O

BASE_LRS = [0.1, 0.05, 0.3]
STEPS = 60
# Falls, then wobbles on a plateau: the ReduceLROnPlateau cases reduce.
METRICS = [1.0 / (1 + min(t, 12)) + 0.001 * ((t * 7) % 5) for t in range(STEPS)]


def _plateau(o, *args):
    return TLR.ReduceLROnPlateau(o, *args)


CASES = {
    "seq_warmup_plateau": lambda o: O.Sequential(
        o, [TLR.LinearLR(o, 0.1, 1.0, 5), _plateau(o, "min", 0.5, 2, 0.01, "rel", 1, 0.001)], [5]),
    "seq_plateau_first": lambda o: O.Sequential(
        o, [_plateau(o, "min", 0.5, 1), TLR.StepLR(o, 7, 0.5)], [20]),
    "chained_plateau": lambda o: O.Chained([TLR.ExponentialLR(o, 0.97), _plateau(o, "min", 0.1, 3)]),
    "warmup_cosine": lambda o: RS.WarmupLR(TLR.CosineAnnealingLR(o, 25, 0.001), 6, 0.1, "cosine"),
    "warmup_plateau_prefix": lambda o: RS.WarmupLR(_plateau(o, "min", 0.5, 2), 5, 0.0, "linear",
                                                   True),
    "warmup_onecycle_per_group": lambda o: RS.WarmupLR(
        TLR.OneCycleLR(o, [0.1, 0.2, 0.3], total_steps=STEPS + 1, cycle_momentum=False), 10,
        [0.0, 0.5, 1.0], "1-sqrt"),
    "seq_into_warmup": lambda o: O.Sequential(
        o, [TLR.ConstantLR(o, 0.5, 3), RS.WarmupLR(TLR.ExponentialLR(o, 0.9), 4)], [10]),
}


def write(data: Path) -> None:
    """DATA/composites_NAME.traj: each group's lr after construction and after each step (as
    float.hex), the metric cases stepped on METRICS; DATA/composites_metrics.txt."""
    (data / "composites_metrics.txt").write_text("".join(f"{m.hex()}\n" for m in METRICS))
    for name, make in CASES.items():
        opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}
                               for lr in BASE_LRS], lr=0.1)
        sched = make(opt)
        lines = []
        for t in range(STEPS + 1):
            if t:
                opt.step()
                O.step_child(sched, METRICS[t - 1])
            lines.append(" ".join(float(g["lr"]).hex() for g in opt.param_groups))
        (data / f"composites_{name}.traj").write_text("\n".join(lines) + "\n")
