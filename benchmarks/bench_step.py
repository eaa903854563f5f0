"""µs per scheduler step: lrcore vs torch 2.13 vs lrcore's pure-Python references.

All three run side by side in one process on twin optimizers, each timed as the median of
repeated trials, and the ratios are printed (and written as JSON with --json FILE).
Usage: python benchmarks/bench_step.py [--groups 1 100] [--steps 2000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import time
import warnings

import torch
import torch.optim.lr_scheduler as TLR
from torch.optim.swa_utils import SWALR as TorchSWALR

import lrcore.lr_scheduler as LLR
import lrcore.reference as RLR
from lrcore.swa_utils import SWALR as LrcoreSWALR

# torch's composites step their children at construction and then warn about step order.
warnings.filterwarnings("ignore", message=re.escape("Detected call of `lr_scheduler.step()`"))

SPECS = {
    "StepLR": lambda M, o: M.StepLR(o, step_size=30, gamma=0.1),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[300, 800], gamma=0.1),
    "ExponentialLR": lambda M, o: M.ExponentialLR(o, gamma=0.9999),
    "LinearLR": lambda M, o: M.LinearLR(o, start_factor=0.1, total_iters=10**6),
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, T_max=1000, eta_min=1e-5),
    "CosineAnnealingWarmRestarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=2),
    "CyclicLR": lambda M, o: M.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=500),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=10**7),
    "PolynomialLR": lambda M, o: M.PolynomialLR(o, total_iters=10**7, power=2.0),
    "LambdaLR": lambda M, o: M.LambdaLR(o, lambda e: 0.999 ** e),
    "SequentialLR": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.1, total_iters=100), M.ExponentialLR(o, gamma=0.9999)],
        milestones=[100]),
    "ChainedScheduler": lambda M, o: M.ChainedScheduler(
        [M.ConstantLR(o, factor=0.5, total_iters=10**6), M.ExponentialLR(o, gamma=0.9999)]),
    "ReduceLROnPlateau": lambda M, o: M.ReduceLROnPlateau(o, patience=10**9),
}
SWA = {"torch": TorchSWALR, "lrcore": LrcoreSWALR, "python": RLR.SWALR}


def make_optimizer(groups: int) -> torch.optim.Optimizer:
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 / (1 + g)}
              for g in range(groups)]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9)


def time_steps(scheduler, steps: int, plateau: bool) -> float:
    step = scheduler.step
    start = time.perf_counter()
    if plateau:
        for _ in range(steps):
            step(1.0)
    else:
        for _ in range(steps):
            step()
    return (time.perf_counter() - start) / steps * 1e6


def measure(name: str, groups: int, steps: int, repeat: int) -> dict[str, float]:
    modules = {"torch": TLR, "lrcore": LLR, "python": RLR}
    samples: dict[str, list[float]] = {k: [] for k in modules}
    for _ in range(repeat):
        for label, module in modules.items():  # interleaved, so drift hits all three alike
            opt = make_optimizer(groups)
            if name == "SWALR":
                sched = SWA[label](opt, swa_lr=0.05, anneal_epochs=10**6)
            else:
                sched = SPECS[name](module, opt)
            opt.step()  # after the scheduler patched it, as in training
            samples[label].append(time_steps(sched, steps, name == "ReduceLROnPlateau"))
    return {k: statistics.median(v) for k, v in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    rows = []
    print(f"{'scheduler':28} {'groups':>6} {'lrcore µs':>10} {'torch µs':>10} {'python µs':>10}"
          f" {'torch/lrcore':>12} {'python/lrcore':>13}")
    for groups in args.groups:
        for name in list(SPECS) + ["SWALR"]:
            t = measure(name, groups, max(50, args.steps // max(1, groups // 10)), args.repeat)
            rows.append({"scheduler": name, "groups": groups, **t})
            print(f"{name:28} {groups:6d} {t['lrcore']:10.3f} {t['torch']:10.3f} {t['python']:10.3f}"
                  f" {t['torch'] / t['lrcore']:11.1f}x {t['python'] / t['lrcore']:12.1f}x",
                  flush=True)
    if args.json:
        machine = {"platform": platform.platform(), "processor": platform.processor(),
                   "python": platform.python_version(), "torch": torch.__version__}
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
