"""µs per scheduler step: lrcore vs torch.optim.lr_scheduler vs lrcore's pure-Python references.

Run it as ``lrcore bench``, ``python -m lrcore bench`` or ``python benchmarks/bench_step.py``.

For every scheduler and number of param groups, the three implementations drive twin optimizers
(``torch.optim.SGD`` with momentum, one tiny param per group, distinct lrs) in one process. Each
scheduler is built, the optimizer is stepped once (as in training, after the scheduler patched
it), and then only ``scheduler.step()`` is timed: a step count is calibrated per implementation
so that one sample takes about ``--sample-ms``, and the samples are taken in interleaved trials
(lrcore, torch, python in turn, so drift hits all three alike); each reported time is the median
of the trials. A Tensor-lr row (``torch.optim.Adam(lr=torch.tensor(0.01))``, 1 group) compares
lrcore with torch, and a "targets" summary closes the report.

torch is optional: without it, lrcore and the references are timed on a minimal duck optimizer
(an object whose ``param_groups`` is a list of dicts), and the torch columns stay empty.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
import types
import warnings
from typing import Any, Callable, Sequence, TextIO

from .. import __version__
from .. import lr_scheduler as LLR
from ..reference import lr_scheduler as RLR
from ..reference import schedules as _RSCHED
from ..reference import swa_utils as _RSWA
from .. import schedules as _LSCHED
from ..swa_utils import SWALR as _LrcoreSWALR

DEFAULT_GROUPS = (1, 10, 100, 1000, 10000)
QUICK_GROUPS = (1, 100, 1000)
IMPLS = ("lrcore", "torch", "python")

# Each spec builds a scheduler from an implementation namespace M (its lr_scheduler classes and
# SWALR) and an optimizer. Horizons are long so that the timed steps stay in the interesting
# part of each schedule rather than at a constant tail.
SPECS: dict[str, Callable[[Any, Any], Any]] = {
    "StepLR": lambda M, o: M.StepLR(o, step_size=30, gamma=0.1),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[300, 800], gamma=0.1),
    "ConstantLR": lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=10**6),
    "LinearLR": lambda M, o: M.LinearLR(o, start_factor=0.1, total_iters=10**6),
    "ExponentialLR": lambda M, o: M.ExponentialLR(o, gamma=0.9999),
    "PolynomialLR": lambda M, o: M.PolynomialLR(o, total_iters=10**7, power=2.0),
    "LambdaLR": lambda M, o: M.LambdaLR(o, lambda e: 0.999 ** e),
    "MultiplicativeLR": lambda M, o: M.MultiplicativeLR(o, lambda e: 0.99999),
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, T_max=1000, eta_min=1e-5),
    "CosineAnnealingWarmRestarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=2),
    "CyclicLR": lambda M, o: M.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=500),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=10**7),
    "ReduceLROnPlateau": lambda M, o: M.ReduceLROnPlateau(o, patience=10**9),
    "SequentialLR": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.1, total_iters=100), M.ExponentialLR(o, gamma=0.9999)],
        milestones=[100]),
    "ChainedScheduler": lambda M, o: M.ChainedScheduler(
        [M.ConstantLR(o, factor=0.5, total_iters=10**6), M.ExponentialLR(o, gamma=0.9999)]),
    "SWALR": lambda M, o: M.SWALR(o, swa_lr=0.05, anneal_epochs=10**6),
    # Schedules torch lacks (lrcore.schedules): lrcore vs its pure-Python references only.
    "WarmupCosineLR": lambda M, o: M.WarmupCosineLR(
        o, t_initial=10**6, warmup_steps=1000, warmup_lr_init=1e-5, min_lr_ratio=0.01),
    "WarmupStableDecayLR": lambda M, o: M.WarmupStableDecayLR(
        o, num_warmup_steps=1000, num_decay_steps=10**7, num_stable_steps=0),
    "InverseSqrtLR": lambda M, o: M.InverseSqrtLR(o, num_warmup_steps=1000),
    "HFScheduleLR": lambda M, o: M.HFScheduleLR(
        o, "cosine", num_warmup_steps=1000, num_training_steps=10**7),
    # A long warmup: every timed step is a damped one (the wrapped scheduler's lrs given back,
    # its step, the damped lrs written), the costlier of WarmupLR's two paths.
    "WarmupLR": lambda M, o: M.WarmupLR(M.CosineAnnealingLR(o, T_max=1000, eta_min=1e-5),
                                        warmup_steps=10**7),
    # transformers' GreedyLR, stepped with a constant metric: never better, never patient enough
    # to reduce, so every timed step is the bookkeeping one.
    "GreedyLR": lambda M, o: M.GreedyLR(o, patience=10**9),
}
# Specs that torch has no class for: their rows leave the torch column empty.
NOT_IN_TORCH = frozenset({"WarmupCosineLR", "WarmupStableDecayLR", "InverseSqrtLR", "HFScheduleLR",
                          "WarmupLR", "GreedyLR"})
# Stepped with a metric: scheduler.step(1.0).
METRIC_STEPPED = frozenset({"ReduceLROnPlateau", "GreedyLR"})
TENSOR_LR_SCHEDULERS = ("StepLR", "CosineAnnealingLR")

# Targets: (a) at 1 group torch/lrcore >= 6 for every scheduler, >= 3 for ReduceLROnPlateau
# (torch's whole step is short and reads a dozen attributes); (b) at 1000 groups torch/lrcore
# >= 8 for every scheduler whose step calls no user Python per group; (c) Tensor lr:
# torch/lrcore >= 5; (d) simulate() against stepping torch >= 50.
TARGET_SPEEDUP_1_GROUP = 6.0
TARGET_SPEEDUP_1_GROUP_PLATEAU = 3.0
TARGET_SPEEDUP_MANY_GROUPS = 8.0
TARGET_MANY_GROUPS = 1000
# Their steps call the user's lr_lambda once per group, as torch's do.
CALLS_USER_PYTHON_PER_GROUP = frozenset({"LambdaLR", "MultiplicativeLR"})
TARGET_SPEEDUP_TENSOR_LR = 5.0
TARGET_SPEEDUP_SIMULATE = 50.0

# torch's composites step their children at construction and then warn about step order.
_STEP_ORDER_WARNING = re.escape("Detected call of `lr_scheduler.step()`")


# --------------------------------------------------------------------------------- optimizers


class DuckOptimizer:
    """The least an lr scheduler needs: ``param_groups``, a list of dicts (used without torch)."""

    def __init__(self, groups: int) -> None:
        self.param_groups = [{"lr": 0.1 / (1 + g), "momentum": 0.9} for g in range(groups)]


def _load_torch() -> Any:
    """The torch module, or None when it cannot be imported."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def make_sgd(torch: Any, groups: int) -> Any:
    """torch.optim.SGD with momentum: one tiny param per group, lr 0.1/(1+g).

    The first group goes through SGD's constructor; the others are appended the way
    ``add_param_group`` would (its defaults, in its key order) minus its disjointness check,
    which is quadratic in the number of groups (~14 s for 10000 groups).
    """
    def param() -> Any:
        return torch.nn.Parameter(torch.zeros(1))

    opt = torch.optim.SGD([{"params": [param()], "lr": 0.1}], lr=0.1, momentum=0.9)
    for g in range(1, groups):
        group: dict[str, Any] = {"params": [param()], "lr": 0.1 / (1 + g)}
        for key, value in opt.defaults.items():
            group.setdefault(key, value)
        opt.param_groups.append(group)
    return opt


def make_tensor_lr_adam(torch: Any) -> Any:
    """torch.optim.Adam on one tiny param with a Tensor lr (one group)."""
    return torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=torch.tensor(0.01))


def _copy_value(value: Any) -> Any:
    clone = getattr(value, "clone", None)  # a Tensor lr: keep a copy, schedulers fill_ it
    return clone() if callable(clone) else value


class _Twin:
    """An optimizer plus a snapshot of its groups, restored before each scheduler is built."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer
        self.snapshot = [{k: _copy_value(v) for k, v in g.items() if k != "params"}
                         for g in optimizer.param_groups]

    def fresh(self) -> Any:
        for group, saved in zip(self.optimizer.param_groups, self.snapshot):
            params = group.get("params")
            group.clear()
            if params is not None:
                group["params"] = params
            group.update({k: _copy_value(v) for k, v in saved.items()})
        return self.optimizer


def _namespace(lr_module: Any, swalr: Any, *extra: Any) -> Any:
    names = {name: getattr(module, name) for module in (*extra, lr_module)
             for name in dir(module) if name[:1].isupper()}
    names["SWALR"] = swalr
    return types.SimpleNamespace(**names)


# ---------------------------------------------------------------------------------- timing


def _run_steps(scheduler: Any, steps: int, metric: bool) -> float:
    step = scheduler.step
    start = time.perf_counter()
    if metric:
        for _ in range(steps):
            step(1.0)
    else:
        for _ in range(steps):
            step()
    return time.perf_counter() - start


def _calibrate(scheduler: Any, metric: bool, sample_s: float) -> int:
    """Steps per sample: grow a probe until it takes ~1/8 of a sample, then scale to a sample."""
    _run_steps(scheduler, 1, metric)  # warm-up
    steps, elapsed = 1, _run_steps(scheduler, 1, metric)
    while elapsed < sample_s / 8:
        steps *= 4 if elapsed < sample_s / 64 else 2
        elapsed = _run_steps(scheduler, steps, metric)
    return max(1, round(steps * sample_s / elapsed))


def measure(builders: dict[str, Callable[[], Any]], *, metric: bool, trials: int,
            sample_s: float) -> dict[str, Any]:
    """Median µs per step of each implementation's scheduler, from interleaved trials.

    ``builders`` maps an implementation to a function returning its freshly built scheduler
    (its optimizer already stepped once). Each scheduler is built once and keeps stepping.
    """
    gc.collect()  # start each cell clean, not with the last cell's garbage
    schedulers = {label: build() for label, build in builders.items()}
    counts = {label: _calibrate(s, metric, sample_s) for label, s in schedulers.items()}
    samples: dict[str, list[float]] = {label: [] for label in schedulers}
    for _ in range(trials):
        for label, scheduler in schedulers.items():
            elapsed = _run_steps(scheduler, counts[label], metric)
            samples[label].append(elapsed / counts[label] * 1e6)
    return {"us": {label: statistics.median(v) for label, v in samples.items()},
            "samples_us": samples, "steps_per_sample": counts}


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or den is None or den <= 0 else num / den


# ---------------------------------------------------------------------------------- report


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "—" if value is None else format(value, spec) + suffix


def _header() -> str:
    return (f"{'scheduler':28} {'groups':>6} {'lrcore µs':>10} {'torch µs':>10} {'python µs':>10}"
            f" {'torch/lrcore':>12} {'python/lrcore':>13} {'lrcore ns/group':>15}")


def _row_line(row: dict[str, Any]) -> str:
    return (f"{row['scheduler']:28} {row['groups']:6d} {_fmt(row['lrcore_us'], '10.3f')}"
            f" {_fmt(row['torch_us'], '10.3f'):>10} {_fmt(row['python_us'], '10.3f'):>10}"
            f" {_fmt(row['torch_over_lrcore'], '11.1f', 'x'):>12}"
            f" {_fmt(row['python_over_lrcore'], '12.1f', 'x'):>13}"
            f" {_fmt(row['lrcore_ns_per_group'], '15.1f'):>15}")


def _make_row(name: str, groups: int, optimizer: str, m: dict[str, Any]) -> dict[str, Any]:
    us = m["us"]
    lrcore, torch_us, python_us = us.get("lrcore"), us.get("torch"), us.get("python")
    return {
        "scheduler": name, "groups": groups, "optimizer": optimizer,
        "lrcore_us": lrcore, "torch_us": torch_us, "python_us": python_us,
        "torch_over_lrcore": _ratio(torch_us, lrcore),
        "python_over_lrcore": _ratio(python_us, lrcore),
        "lrcore_ns_per_group": None if lrcore is None else lrcore * 1000 / groups,
        "samples_us": m["samples_us"], "steps_per_sample": m["steps_per_sample"],
    }


def evaluate_targets(rows: list[dict[str, Any]], tensor_rows: list[dict[str, Any]],
                     torch_available: bool,
                     sim: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The targets, each met / missed / not measured, with the measured values."""
    targets: list[dict[str, Any]] = []

    def add(key: str, description: str, values: dict[str, float | None],
            ok: Callable[[str, float], bool], unit: str, reason: str) -> None:
        measured = {k: v for k, v in values.items() if v is not None}
        if not measured:
            targets.append({"target": key, "description": description, "status": "not measured",
                            "reason": reason, "values": {}, "misses": []})
            return
        misses = sorted(k for k, v in measured.items() if not ok(k, v))
        targets.append({"target": key, "description": description,
                        "status": "missed" if misses else "met", "unit": unit,
                        "values": measured, "misses": misses,
                        "worst": min(measured.values()) if unit == "x"
                        else max(measured.values())})

    no_torch = "torch is not available" if not torch_available else ""

    def one_group_ok(name: str, v: float) -> bool:
        return v >= (TARGET_SPEEDUP_1_GROUP_PLATEAU if name == "ReduceLROnPlateau"
                     else TARGET_SPEEDUP_1_GROUP)

    add("a", f"1 group: torch/lrcore >= {TARGET_SPEEDUP_1_GROUP:g}x for every scheduler "
        f"(ReduceLROnPlateau >= {TARGET_SPEEDUP_1_GROUP_PLATEAU:g}x)",
        {r["scheduler"]: r["torch_over_lrcore"] for r in rows if r["groups"] == 1},
        one_group_ok, "x", no_torch or "1 group was not benchmarked")
    add("b", f"{TARGET_MANY_GROUPS} groups: torch/lrcore >= {TARGET_SPEEDUP_MANY_GROUPS:g}x for "
        "every scheduler that calls no user Python per group",
        {r["scheduler"]: r["torch_over_lrcore"] for r in rows
         if r["groups"] == TARGET_MANY_GROUPS and r["scheduler"] not in CALLS_USER_PYTHON_PER_GROUP},
        lambda _, v: v >= TARGET_SPEEDUP_MANY_GROUPS, "x",
        no_torch or f"{TARGET_MANY_GROUPS} groups were not benchmarked")
    add("c", f"Tensor lr: torch/lrcore >= {TARGET_SPEEDUP_TENSOR_LR:g}x",
        {r["scheduler"]: r["torch_over_lrcore"] for r in tensor_rows},
        lambda _, v: v >= TARGET_SPEEDUP_TENSOR_LR, "x", no_torch or "Tensor-lr rows were not run")
    simulated = {} if sim is None or "torch_over_lrcore" not in sim else {
        f"CosineAnnealingLR x {sim['steps']:,}": sim["torch_over_lrcore"]}
    add("d", f"simulate(): torch step() x N / lrcore simulate(N) >= {TARGET_SPEEDUP_SIMULATE:g}x"
        " (N = 10^6 in the default run)",
        simulated, lambda _, v: v >= TARGET_SPEEDUP_SIMULATE, "x",
        no_torch or "simulate was not run")
    return targets


def format_targets(targets: list[dict[str, Any]]) -> list[str]:
    lines = ["targets:"]
    for t in targets:
        head = f"  ({t['target']}) {t['description']}: "
        if t["status"] == "not measured":
            lines.append(head + f"NOT MEASURED ({t['reason']})")
            continue
        unit = t["unit"]
        fmt: Callable[[float], str] = (
            (lambda v: f"{v:.1f}x") if unit == "x" else (lambda v: f"{v:.1f} ns"))
        word = "worst" if len(t["values"]) > 1 else "measured"
        lines.append(head + f"{t['status'].upper()} ({word} {fmt(t['worst'])})")
        if t["misses"]:
            lines.append("      missed by: " + ", ".join(
                f"{k} {fmt(t['values'][k])}" for k in t["misses"]))
    return lines


def machine_description(torch: Any) -> dict[str, Any]:
    cpu = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import numpy

        numpy_version: str | None = numpy.__version__
    except ImportError:  # pragma: no cover - numpy is a dependency
        numpy_version = None
    return {
        "cpu": cpu or platform.processor() or platform.machine(),
        "logical_cores": os.cpu_count(),
        "os": platform.system(), "platform": platform.platform(), "machine": platform.machine(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "lrcore": __version__,
        "torch": None if torch is None else torch.__version__,
        "numpy": numpy_version,
        "datetime": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


# ------------------------------------------------------------------------------- simulate


def measure_simulate(torch: Any, steps: int, trials: int) -> dict[str, Any]:
    """CosineAnnealingLR, 1 group: lrcore's simulate(steps) against taking the same steps with
    torch and with the pure-Python reference (each timed once: it is the long part)."""
    spec = SPECS["CosineAnnealingLR"]

    def optimizer() -> Any:
        return make_sgd(torch, 1) if torch is not None else DuckOptimizer(1)

    lrcore_sched = spec(_namespace(LLR, _LrcoreSWALR), optimizer())
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        lrcore_sched.simulate(steps)
        times.append(time.perf_counter() - start)
    result: dict[str, Any] = {"scheduler": "CosineAnnealingLR", "groups": 1, "steps": steps,
                              "lrcore_simulate_s": statistics.median(times)}
    stepped: dict[str, Any] = {"python": _namespace(RLR, _RSWA.SWALR)}
    if torch is not None:
        import torch.optim.lr_scheduler as TLR
        from torch.optim.swa_utils import SWALR as TorchSWALR

        stepped = {"torch": _namespace(TLR, TorchSWALR), **stepped}
    for label, impl in stepped.items():
        opt = optimizer()
        scheduler = spec(impl, opt)
        if torch is not None:
            opt.step()  # after the scheduler patched it, as in training
        result[f"{label}_step_s"] = _run_steps(scheduler, steps, False)
        result[f"{label}_over_lrcore"] = result[f"{label}_step_s"] / result["lrcore_simulate_s"]
    return result


def format_simulate(sim: dict[str, Any]) -> list[str]:
    line = (f"{sim['scheduler']}, {sim['groups']} group, {sim['steps']:,} steps: "
            f"lrcore simulate() {sim['lrcore_simulate_s'] * 1e3:.1f} ms")
    for label in ("torch", "python"):
        if f"{label}_step_s" in sim:
            line += (f"; {label} step() x {sim['steps']:,} {sim[f'{label}_step_s'] * 1e3:.0f} ms"
                     f" ({sim[f'{label}_over_lrcore']:.0f}x)")
    return ["simulate (the whole trajectory at once, bit-identical to stepping):", "  " + line]


# ------------------------------------------------------------------------------------- run


def run(groups: Sequence[int] = DEFAULT_GROUPS, schedulers: Sequence[str] | None = None, *,
        trials: int = 5, sample_ms: float = 20.0, tensor_lr: bool = True,
        simulate_steps: int = 10**6, use_torch: bool | None = None,
        out: TextIO | None = None) -> dict[str, Any]:
    """Run the benchmark, print the table and targets to ``out``; return the results.

    ``use_torch``: None to use torch when importable, False to benchmark lrcore against the
    references only on a :class:`DuckOptimizer`, True to require torch.
    """
    out = sys.stdout if out is None else out
    started = time.perf_counter()
    names = list(SPECS) if schedulers is None else list(schedulers)
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        raise ValueError(f"unknown scheduler(s) {unknown}; choose from {list(SPECS)}")
    if not groups or any(g < 1 for g in groups):
        raise ValueError("groups must be positive integers")
    if trials < 1:
        raise ValueError("trials must be at least 1")
    torch = None if use_torch is False else _load_torch()
    if use_torch and torch is None:
        raise RuntimeError("torch was requested but cannot be imported")
    sample_s = sample_ms / 1000

    impls: dict[str, Any] = {"lrcore": _namespace(LLR, _LrcoreSWALR, _LSCHED),
                             "python": _namespace(RLR, _RSWA.SWALR, _RSCHED)}
    if torch is not None:
        import torch.optim.lr_scheduler as TLR
        from torch.optim.swa_utils import SWALR as TorchSWALR

        impls = {"lrcore": impls["lrcore"], "torch": _namespace(TLR, TorchSWALR),
                 "python": impls["python"]}
        optimizer_name = "torch.optim.SGD(momentum=0.9)"
        print(f"optimizer: {optimizer_name}, one param per group; torch {torch.__version__}",
              file=out)
    else:
        optimizer_name = "DuckOptimizer"
        print("torch is not available (or disabled): lrcore vs the pure-Python references only,"
              " on a duck optimizer (param_groups: a list of dicts)", file=out)
    print(f"µs per scheduler.step(): median of {trials} interleaved trials of ~{sample_ms:g} ms",
          file=out)

    # Twin optimizers per implementation and group count, built once and reset per scheduler.
    twins = {(label, g): _Twin(make_sgd(torch, g) if torch is not None else DuckOptimizer(g))
             for g in groups for label in impls}

    rows: list[dict[str, Any]] = []
    print(_header(), file=out, flush=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_STEP_ORDER_WARNING)
        for name in names:
            for g in groups:
                def builder(label: str, g: int = g, name: str = name) -> Callable[[], Any]:
                    def build() -> Any:
                        opt = twins[(label, g)].fresh()
                        scheduler = SPECS[name](impls[label], opt)
                        if torch is not None:
                            opt.step()  # after the scheduler patched it, as in training
                        return scheduler
                    return build

                m = measure({label: builder(label) for label in impls
                             if not (label == "torch" and name in NOT_IN_TORCH)},
                            metric=name in METRIC_STEPPED, trials=trials, sample_s=sample_s)
                row = _make_row(name, g, optimizer_name, m)
                rows.append(row)
                print(_row_line(row), file=out, flush=True)
        del twins

        tensor_rows: list[dict[str, Any]] = []
        if torch is not None and tensor_lr:
            print("\nTensor lr: torch.optim.Adam(lr=torch.tensor(0.01)), 1 group"
                  " (the references take float lrs only)", file=out)
            print(_header(), file=out, flush=True)
            for name in TENSOR_LR_SCHEDULERS:
                def tensor_builder(label: str, name: str = name) -> Callable[[], Any]:
                    def build() -> Any:
                        opt = make_tensor_lr_adam(torch)
                        scheduler = SPECS[name](impls[label], opt)
                        opt.step()
                        return scheduler
                    return build

                m = measure({label: tensor_builder(label) for label in ("lrcore", "torch")},
                            metric=False, trials=trials, sample_s=sample_s)
                row = _make_row(name, 1, "torch.optim.Adam(lr=Tensor)", m)
                tensor_rows.append(row)
                print(_row_line(row), file=out, flush=True)

    sim = None
    if simulate_steps > 0:
        sim = measure_simulate(torch, simulate_steps, trials)
        print("", file=out)
        for line in format_simulate(sim):
            print(line, file=out, flush=True)

    targets = evaluate_targets(rows, tensor_rows, torch is not None, sim)
    print("", file=out)
    for line in format_targets(targets):
        print(line, file=out)
    wall = time.perf_counter() - started
    print(f"\ntotal wall time: {wall:.1f} s", file=out, flush=True)
    return {"machine": machine_description(torch), "torch_available": torch is not None,
            "optimizer": optimizer_name, "trials": trials, "sample_ms": sample_ms,
            "results": rows, "tensor_lr": tensor_rows, "simulate": sim, "targets": targets,
            "total_wall_s": wall}


# ------------------------------------------------------------------------------------ plot


def plot(results: dict[str, Any], path: str) -> None:
    """µs per step against groups (log-log), one panel per scheduler plus the median."""
    try:
        import matplotlib
    except ImportError as error:
        raise RuntimeError(
            "--plot needs matplotlib, which is not installed: pip install matplotlib "
            "(or pip install 'lrcore[bench]')") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["results"]
    names = list(dict.fromkeys(r["scheduler"] for r in rows))
    labels = [impl for impl in IMPLS if any(r[f"{impl}_us"] is not None for r in rows)]
    colors = {"lrcore": "tab:blue", "torch": "tab:orange", "python": "tab:green"}
    panels = names + ["median over schedulers"] if len(names) > 1 else names
    ncols = min(4, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.5 * nrows + 0.8),
                             squeeze=False, sharey=True, layout="constrained")
    groups = sorted({r["groups"] for r in rows})
    # The median panel: the schedulers every implementation ran (torch lacks lrcore's own).
    common = [r for r in rows if all(r[f"{impl}_us"] is not None for impl in labels)]
    for index, (ax, panel) in enumerate(zip(axes.flat, panels)):
        median = panel == "median over schedulers"
        for impl in labels:
            if median:
                xs = groups
                ys = [statistics.median(r[f"{impl}_us"] for r in common if r["groups"] == g)
                      for g in groups]
            else:
                sel = sorted((r for r in rows if r["scheduler"] == panel and
                              r[f"{impl}_us"] is not None), key=lambda r: r["groups"])
                xs = [r["groups"] for r in sel]
                ys = [r[f"{impl}_us"] for r in sel]
                if not sel:
                    continue
            ax.plot(xs, ys, marker="o", markersize=3, color=colors[impl], label=impl,
                    linewidth=2.4 if median else 1.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(groups[0] / 2, groups[-1] * 2)
        ax.set_title(panel, fontsize=9, fontweight="bold" if median else "normal")
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=8)
        if index + ncols >= len(panels):  # nothing drawn below this panel
            ax.set_xlabel("param groups", fontsize=8)
        if index % ncols == 0:
            ax.set_ylabel("µs per step", fontsize=8)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    handles, legend_labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="outside lower center", ncol=len(labels),
               frameon=False, fontsize=9)
    fig.suptitle("scheduler.step() time vs number of param groups (log-log, lower is better)",
                 fontsize=11)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


# ------------------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--groups", type=int, nargs="+", metavar="N",
                        help="param-group counts (default: %s; --quick: %s)"
                        % (" ".join(map(str, DEFAULT_GROUPS)), " ".join(map(str, QUICK_GROUPS))))
    parser.add_argument("--schedulers", nargs="+", metavar="NAME", choices=list(SPECS),
                        help="schedulers to time (default: all built-in ones)")
    parser.add_argument("--trials", type=int, help="interleaved trials per cell, the median is"
                        " reported (default 5; --quick: 3)")
    parser.add_argument("--sample-ms", type=float,
                        help="target duration of one sample (default 20; --quick: 5)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer groups, trials and shorter samples: a rough run in seconds")
    parser.add_argument("--no-torch", action="store_true",
                        help="benchmark lrcore vs the references only, on a duck optimizer")
    parser.add_argument("--no-tensor-lr", action="store_true", help="skip the Tensor-lr rows")
    parser.add_argument("--simulate-steps", type=int, metavar="N",
                        help="steps for the simulate() comparison (default 1000000; --quick:"
                        " 100000; 0 skips it)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="draw µs per step vs groups (needs matplotlib)")


def execute(args: argparse.Namespace, argv: Sequence[str] | None = None,
            out: TextIO | None = None) -> dict[str, Any]:
    """Run what the parsed options ask for; write --json / --plot; return the results."""
    groups = args.groups or (QUICK_GROUPS if args.quick else DEFAULT_GROUPS)
    trials = args.trials if args.trials is not None else (3 if args.quick else 5)
    sample_ms = args.sample_ms if args.sample_ms is not None else (5.0 if args.quick else 20.0)
    simulate_steps = args.simulate_steps if args.simulate_steps is not None else (
        10**5 if args.quick else 10**6)
    results = run(groups, args.schedulers, trials=trials, sample_ms=sample_ms,
                  tensor_lr=not args.no_tensor_lr, simulate_steps=simulate_steps,
                  use_torch=False if args.no_torch else None, out=out)
    options = {k: v for k, v in vars(args).items() if k != "command"}
    options.update(groups=list(groups), trials=trials, sample_ms=sample_ms,
                   simulate_steps=simulate_steps)
    results["options"] = options
    results["argv"] = list(sys.argv) if argv is None else [sys.argv[0], *argv]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
        print(f"wrote {args.json}", file=out or sys.stdout)
    if args.plot:
        plot(results, args.plot)
        print(f"wrote {args.plot}", file=out or sys.stdout)
    return results


def run_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace,
                  argv: Sequence[str] | None = None) -> int:
    """Check the options (errors go through ``parser``), then :func:`execute` them."""
    if args.groups is not None and any(g < 1 for g in args.groups):
        parser.error("--groups must be positive integers")
    if args.trials is not None and args.trials < 1:
        parser.error("--trials must be at least 1")
    if args.sample_ms is not None and not args.sample_ms > 0:
        parser.error("--sample-ms must be positive")
    if args.simulate_steps is not None and args.simulate_steps < 0:
        parser.error("--simulate-steps must be non-negative")
    if args.plot:  # fail before the run, not after it
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error("--plot needs matplotlib, which is not installed: "
                         "pip install matplotlib (or pip install 'lrcore[bench]')")
    execute(args, argv)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lrcore bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run_from_args(parser, parser.parse_args(argv), argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
