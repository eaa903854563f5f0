"""Tensors in lrcore's schedulers, compared with torch 2.13 bit for bit.

torch's schedulers take 0-d Tensors as hyperparameters (gamma, eta_min, max_lr, swa_lr, ...)
and Tensor lrs in the optimizer (the torch.compile recipe, ``Adam(params,
lr=torch.tensor(0.01))``, and the capturable and fused optimizers). A Tensor lr is filled in
place (torch's ``_update_param_group_val``); arithmetic with a Tensor hyperparameter turns float
lrs into float32 Tensors; copies (``base_lrs``, ``get_last_lr()``, ``initial_lr``) are clones.
lrcore runs such schedulers on its Python reference step (lrcore.reference), except a lambda's
Tensor result, which its compiled LambdaLR/MultiplicativeLR step hands to Python arithmetic.

Every check here is against torch, after the constructor and after every step: each param
group's values (all keys but ``params``), ``get_last_lr()``, ``base_lrs`` and ``state_dict()``
(same types, same dtype, same bits, same key order), and which of those values are the same
object (a group's Tensor lr stays one object, filled in place; no copy aliases it). Where torch
fails, lrcore fails with the same exception type and, unlike torch, changes nothing (its failed
calls are atomic): a Tensor lr keeps its value and its identity.
"""

from __future__ import annotations

import copy
import io
import math
import pickle
import types
import warnings
from collections import Counter
from typing import Any, Callable

import pytest
import torch
import torch.optim.lr_scheduler as TLR
import torch.optim.swa_utils as TSWA

import lrcore.lr_scheduler as LLR
import lrcore.swa_utils as LSWA

from _exact import assert_same, diff

TORCH = types.SimpleNamespace(**{n: getattr(TLR, n) for n in TLR.__all__}, SWALR=TSWA.SWALR)
LRCORE = types.SimpleNamespace(**{n: getattr(LLR, n) for n in TLR.__all__}, SWALR=LSWA.SWALR)
SIDES = (("torch", TORCH), ("lrcore", LRCORE))


def t32(value: Any) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float32)


def t64(value: Any) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64)


# ------------------------------------------------------------------------------------------
# What a scheduler and its optimizer hold, at one moment


def _groups(opt: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


def _slots(sched: Any, opt: Any) -> list[tuple[str, Any]]:
    """Every place a Tensor can be held: the groups' values (betas' items too), the
    scheduler's attributes and their lists' items."""
    slots: list[tuple[str, Any]] = []
    tensor = torch.Tensor
    for i, group in enumerate(opt.param_groups):
        for key, value in group.items():
            if isinstance(value, tensor):
                slots.append((f"group{i}[{key!r}]", value))
            elif isinstance(value, tuple):
                slots += [(f"group{i}[{key!r}][{j}]", v) for j, v in enumerate(value)
                          if isinstance(v, tensor)]
    for key, value in vars(sched).items():
        if isinstance(value, tensor):
            slots.append((key, value))
        elif isinstance(value, list):
            slots += [(f"{key}[{j}]", v) for j, v in enumerate(value) if isinstance(v, tensor)]
    return slots


class Watch:
    """One side's scheduler and optimizer, read after each call: their values, and the
    identities of the Tensors they hold (which slots hold one object, and which slot still
    holds the object it held at the previous look)."""

    def __init__(self) -> None:
        self.previous: dict[str, Any] = {}
        self.lrs: list[Any] = []

    def look(self, sched: Any, opt: Any, full: bool = True) -> dict[str, Any]:
        lrs = [g["lr"] for g in opt.param_groups]
        kept_lrs = [i < len(self.lrs) and self.lrs[i] is lr for i, lr in enumerate(lrs)]
        self.lrs = lrs
        if not full:
            return {"lrs": lrs, "get_last_lr": sched.get_last_lr(),
                    "same lr object as before": kept_lrs}
        slots = _slots(sched, opt)
        first: dict[int, str] = {}
        shared = {name: first.setdefault(id(value), name) for name, value in slots}
        kept = {name: self.previous.get(name) is value for name, value in slots}
        self.previous = dict(slots)
        return {
            "groups": _groups(opt),
            "get_last_lr": sched.get_last_lr() if "_last_lr" in vars(sched) else None,
            "base_lrs": vars(sched).get("base_lrs"),
            "state_dict": sched.state_dict(),
            "same object as": shared,
            "same object as before": kept,
            "same lr object as before": kept_lrs,
        }


class Pair:
    """The same scheduler built on torch's classes and lrcore's, each on its own optimizer
    (two identical ones), driven in lockstep and compared after every call."""

    def __init__(self, build: Callable[[Any, Any], Any], make_opt: Callable[[], Any],
                 label: str) -> None:
        self.label = label
        self.opts = [make_opt(), make_opt()]
        self.watches = [Watch(), Watch()]
        self.scheds: list[Any] = []
        errors: list[BaseException | None] = []
        self.before = [copy.deepcopy(_groups(o)) for o in self.opts]
        for (_, ns), opt in zip(SIDES, self.opts):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    self.scheds.append(build(ns, opt))
                    errors.append(None)
                except Exception as e:  # noqa: BLE001 -- compared below
                    self.scheds.append(None)
                    errors.append(e)
        self.error = errors[0]
        self._same_outcome(errors, "constructor")
        self.steps = 0
        if self.error is None:
            self.compare("after the constructor")

    def _same_outcome(self, errors: list[BaseException | None], what: str) -> None:
        te, le = errors
        if te is None and le is not None:
            raise AssertionError(f"{self.label}: {what}: lrcore raised {le!r}, torch did not")
        if te is not None and type(le) is not type(te):
            raise AssertionError(f"{self.label}: {what}: torch raised {te!r}, lrcore {le!r}")

    def compare(self, where: str, full: bool = True) -> None:
        a = self.watches[0].look(self.scheds[0], self.opts[0], full)
        b = self.watches[1].look(self.scheds[1], self.opts[1], full)
        assert_same(a, b, f"{self.label}, {where}")

    def step(self, *args: Any, full: bool = True) -> BaseException | None:
        """opt.step(), then scheduler.step(*args) on both sides; compare (``full``: everything,
        else the lrs). Returns torch's exception (lrcore's is of the same type), if any."""
        errors: list[BaseException | None] = []
        for opt, sched in zip(self.opts, self.scheds):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt.step()
                try:
                    sched.step(*args)
                    errors.append(None)
                except Exception as e:  # noqa: BLE001 -- compared
                    errors.append(e)
        self.steps += 1
        self._same_outcome(errors, f"step {self.steps}")
        if errors[0] is None:
            self.compare(f"step {self.steps}", full)
        return errors[0]

    def run(self, n: int, args: Callable[[int], tuple[Any, ...]] = lambda i: (),
            full_every: int = 1) -> None:
        for i in range(n):
            full = (i + 1) % full_every == 0 or i == n - 1
            err = self.step(*args(i), full=full)
            assert err is None, f"{self.label}: torch raised at step {i + 1}: {err!r}"


def grads(opt: Any) -> Any:
    """Give every parameter a gradient, so that opt.step() uses the lr."""
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad = torch.full_like(p, 0.5)
    return opt


# ------------------------------------------------------------------------------------------
# Optimizers


def _params(n: int = 2) -> list[torch.nn.Parameter]:
    return [torch.nn.Parameter(torch.zeros(2)) for _ in range(n)]


def sgd(lr: Any = 0.1, lr2: Any = 0.05, **kw: Any) -> Callable[[], Any]:
    def make() -> Any:
        p = _params()
        return torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": _fresh(lr2)}],
                               lr=_fresh(lr), momentum=0.9, **kw)

    return make


def adam(lr: Any = 0.1, lr2: Any = 0.05, **kw: Any) -> Callable[[], Any]:
    def make() -> Any:
        p = _params()
        return torch.optim.Adam([{"params": [p[0]]}, {"params": [p[1]], "lr": _fresh(lr2)}],
                                lr=_fresh(lr), **kw)

    return make


def _fresh(value: Any) -> Any:
    return value.clone() if isinstance(value, torch.Tensor) else value


# ------------------------------------------------------------------------------------------
# (1) 0-d Tensor hyperparameters: accepted exactly where torch accepts them


def lam_pow(e: int) -> float:
    return 0.95 ** e


def lam_const(e: int) -> float:
    return 0.97


HYPER: list[tuple[str, str, dict[str, Any], str]] = [
    # (label, class, kwargs, optimizer kind)
    ("StepLR gamma", "StepLR", dict(step_size=3, gamma=t32(0.5)), "sgd"),
    ("StepLR gamma float64", "StepLR", dict(step_size=3, gamma=t64(0.5)), "sgd"),
    ("StepLR step_size", "StepLR", dict(step_size=torch.tensor(3), gamma=0.5), "sgd"),
    ("MultiStepLR gamma", "MultiStepLR", dict(milestones=[2, 5, 5], gamma=t32(0.5)), "sgd"),
    # a Counter of Tensors holds no int: torch never decays
    ("MultiStepLR milestones", "MultiStepLR",
     dict(milestones=[torch.tensor(2), torch.tensor(5)], gamma=0.5), "sgd"),
    ("ConstantLR factor", "ConstantLR", dict(factor=t32(0.5), total_iters=4), "sgd"),
    ("ConstantLR total_iters", "ConstantLR", dict(factor=0.5, total_iters=torch.tensor(4)),
     "sgd"),
    ("ConstantLR factor > 1", "ConstantLR", dict(factor=t32(2.0)), "sgd"),
    ("LinearLR start_factor", "LinearLR", dict(start_factor=t32(0.25), total_iters=4), "sgd"),
    ("LinearLR end_factor", "LinearLR", dict(start_factor=0.25, end_factor=t32(0.5),
                                             total_iters=4), "sgd"),
    ("LinearLR total_iters", "LinearLR", dict(start_factor=0.25, total_iters=torch.tensor(4)),
     "sgd"),
    ("LinearLR start_factor 0", "LinearLR", dict(start_factor=t32(0.0)), "sgd"),
    ("LinearLR end_factor > 1", "LinearLR", dict(end_factor=t32(1.5)), "sgd"),
    ("ExponentialLR gamma", "ExponentialLR", dict(gamma=t32(0.9)), "sgd"),
    ("ExponentialLR gamma float64", "ExponentialLR", dict(gamma=t64(0.9)), "sgd"),
    ("PolynomialLR power", "PolynomialLR", dict(total_iters=6, power=t32(2.0)), "sgd"),
    ("PolynomialLR total_iters", "PolynomialLR", dict(total_iters=torch.tensor(6), power=2.0),
     "sgd"),
    ("CosineAnnealingLR eta_min", "CosineAnnealingLR", dict(T_max=6, eta_min=t32(0.001)),
     "sgd"),
    ("CosineAnnealingLR T_max", "CosineAnnealingLR", dict(T_max=torch.tensor(6),
                                                          eta_min=0.001), "sgd"),
    # torch checks isinstance(eta_min, (float, int)) and isinstance(T_0 / T_mult, int)
    ("CosineAnnealingWarmRestarts eta_min", "CosineAnnealingWarmRestarts",
     dict(T_0=3, eta_min=t32(0.001)), "sgd"),
    ("CosineAnnealingWarmRestarts T_0", "CosineAnnealingWarmRestarts",
     dict(T_0=torch.tensor(3)), "sgd"),
    ("CosineAnnealingWarmRestarts T_mult", "CosineAnnealingWarmRestarts",
     dict(T_0=3, T_mult=torch.tensor(2)), "sgd"),
    ("SequentialLR milestones", "SequentialLR", dict(
        schedulers=lambda ns, opt: [ns.ConstantLR(opt, factor=0.5, total_iters=2),
                                    ns.ExponentialLR(opt, gamma=0.9)],
        milestones=[torch.tensor(4)]), "sgd"),
    ("ReduceLROnPlateau factor", "ReduceLROnPlateau", dict(factor=t32(0.5), patience=1), "sgd"),
    ("ReduceLROnPlateau patience, cooldown", "ReduceLROnPlateau",
     dict(factor=0.5, patience=torch.tensor(1), cooldown=torch.tensor(2)), "sgd"),
    ("ReduceLROnPlateau factor >= 1", "ReduceLROnPlateau", dict(factor=t32(1.0)), "sgd"),
    ("ReduceLROnPlateau min_lr", "ReduceLROnPlateau",
     dict(factor=0.5, patience=1, min_lr=t32(0.02)), "sgd"),
    ("ReduceLROnPlateau min_lr list", "ReduceLROnPlateau",
     dict(factor=0.5, patience=1, min_lr=[t32(0.02), 0.001]), "sgd"),
    ("ReduceLROnPlateau threshold", "ReduceLROnPlateau",
     dict(factor=0.5, patience=1, threshold=t32(0.05)), "sgd"),
    ("ReduceLROnPlateau threshold abs max", "ReduceLROnPlateau",
     dict(mode="max", threshold_mode="abs", factor=0.5, patience=1, threshold=t32(0.05)),
     "sgd"),
    ("ReduceLROnPlateau eps", "ReduceLROnPlateau", dict(factor=0.5, patience=1, eps=t32(1e-2)),
     "sgd"),
    ("CyclicLR base_lr", "CyclicLR", dict(base_lr=t32(0.01), max_lr=0.1, step_size_up=3), "sgd"),
    ("CyclicLR max_lr", "CyclicLR", dict(base_lr=0.01, max_lr=t32(0.1), step_size_up=3), "sgd"),
    ("CyclicLR lr lists", "CyclicLR", dict(base_lr=[t32(0.01), 0.02], max_lr=[0.1, t64(0.2)],
                                           step_size_up=3, mode="triangular2"), "sgd"),
    ("CyclicLR base_momentum", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                base_momentum=t32(0.8)), "sgd"),
    ("CyclicLR max_momentum (Adam's beta1)", "CyclicLR",
     dict(base_lr=0.01, max_lr=0.1, step_size_up=3, max_momentum=t32(0.95)), "adam"),
    ("CyclicLR gamma", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3,
                                        mode="exp_range", gamma=t32(0.9)), "sgd"),
    ("CyclicLR step sizes", "CyclicLR", dict(base_lr=0.01, max_lr=0.1,
                                             step_size_up=torch.tensor(3),
                                             step_size_down=t32(2.0)), "sgd"),
    ("OneCycleLR max_lr", "OneCycleLR", dict(max_lr=t32(0.1), total_steps=40), "sgd"),
    ("OneCycleLR max_lr list (Adam)", "OneCycleLR",
     dict(max_lr=[t32(0.1), 0.05], total_steps=40, three_phase=True), "adam"),
    ("OneCycleLR div_factor", "OneCycleLR", dict(max_lr=0.1, total_steps=40,
                                                 div_factor=t32(10.0)), "sgd"),
    ("OneCycleLR final_div_factor", "OneCycleLR",
     dict(max_lr=0.1, total_steps=40, final_div_factor=t64(100.0),
          anneal_strategy="linear"), "sgd"),
    ("OneCycleLR momenta", "OneCycleLR", dict(max_lr=0.1, total_steps=40,
                                              base_momentum=t32(0.8),
                                              max_momentum=t32(0.9)), "sgd"),
    ("OneCycleLR pct_start", "OneCycleLR", dict(max_lr=0.1, total_steps=40,
                                                pct_start=t32(0.3)), "sgd"),
    ("OneCycleLR total_steps", "OneCycleLR", dict(max_lr=0.1, total_steps=torch.tensor(40)),
     "sgd"),
    ("SWALR swa_lr", "SWALR", dict(swa_lr=t32(0.01), anneal_epochs=4), "sgd"),
    ("SWALR swa_lr list", "SWALR", dict(swa_lr=[t32(0.01), 0.02], anneal_epochs=4,
                                        anneal_strategy="linear"), "sgd"),
    ("SWALR anneal_epochs", "SWALR", dict(swa_lr=0.01, anneal_epochs=torch.tensor(4)), "sgd"),
    ("LambdaLR Tensor factor", "LambdaLR", dict(lr_lambda=lambda e: t32(0.9) ** e), "sgd"),
    ("MultiplicativeLR Tensor factor", "MultiplicativeLR",
     dict(lr_lambda=lambda e: t32(0.9)), "sgd"),
]

PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.8, 0.85, 0.86, 0.87, 0.88, 0.5]


def _metric_args(cls: str, n: int) -> Callable[[int], tuple[Any, ...]]:
    if cls != "ReduceLROnPlateau":
        return lambda i: ()
    return lambda i: (PLATEAU_METRICS[i % len(PLATEAU_METRICS)] + 0.001 * (i // 10),)


def _hyper_params() -> list[Any]:
    out = []
    for label, cls, kwargs, kind in HYPER:
        out.append(pytest.param(label, cls, kwargs, kind, id=label))
    return out


def _tensors_in(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors_in(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors_in(v)]
    return []


@pytest.mark.parametrize("label, cls, kwargs, kind", _hyper_params())
def test_tensor_hyperparameter(label: str, cls: str, kwargs: dict[str, Any], kind: str) -> None:
    """Accepted where torch accepts it (else the same exception type); then 30 steps with
    torch's values and types: Tensors where torch's arithmetic makes Tensors. After 15 steps
    the caller's Tensors change in place: torch keeps some (StepLR's gamma is the caller's
    Tensor) and copies others (CyclicLR's max_lrs are clones); so must lrcore."""
    make_opt = sgd() if kind == "sgd" else adam()
    given: dict[int, dict[str, Any]] = {}

    def build(ns: Any, opt: Any) -> Any:
        given[id(ns)] = mine = copy.deepcopy(kwargs)
        args = {k: (v(ns, opt) if k == "schedulers" else v) for k, v in mine.items()}
        return getattr(ns, cls)(opt, **args)

    pair = Pair(build, make_opt, label)
    if pair.error is not None:
        # torch refused it; lrcore too, and left the groups as they were
        assert_same(pair.before[1], _groups(pair.opts[1]), f"{label}: the groups")
        return
    args = _metric_args(cls, 30)
    pair.run(15, args)
    with torch.no_grad():
        for mine in given.values():
            for tensor in _tensors_in(mine):
                if tensor.is_floating_point():
                    tensor.mul_(0.75)
                else:
                    tensor.add_(1)
    pair.run(15, lambda i: args(i + 15))


def test_tensor_metric() -> None:
    """ReduceLROnPlateau stepped with 0-d Tensor metrics (float32 and float64): torch converts
    with float(); the lrs stay floats."""
    pair = Pair(lambda ns, opt: ns.ReduceLROnPlateau(opt, factor=0.5, patience=1), sgd(),
                "Tensor metrics")
    values = [t32(m) if i % 2 else t64(m) for i, m in enumerate(PLATEAU_METRICS * 3)]
    pair.run(len(values), lambda i: (values[i],))


def test_tensor_hyperparameters_in_composites() -> None:
    """SequentialLR and ChainedScheduler of children holding Tensor hyperparameters."""
    def build(ns: Any, opt: Any) -> Any:
        # (torch's SequentialLR cannot switch to a ChainedScheduler: NotImplementedError)
        warm = ns.ChainedScheduler([ns.LinearLR(opt, start_factor=t32(0.1), total_iters=5),
                                    ns.ConstantLR(opt, factor=t32(0.5), total_iters=3)])
        return ns.SequentialLR(opt, [warm, ns.ExponentialLR(opt, gamma=t64(0.95))],
                               milestones=[6])

    Pair(build, sgd(), "SequentialLR of Tensor hyperparameters").run(40)


def test_tensor_hyperparameter_set_after_construction() -> None:
    """A hyperparameter replaced by a Tensor between steps (and back): from that step the
    lrs are torch's Tensors; a float again, and the Tensor lrs stay Tensors as in torch."""
    pair = Pair(lambda ns, opt: ns.ExponentialLR(opt, gamma=0.9), sgd(), "gamma reassigned")
    pair.run(5)
    for sched in pair.scheds:
        sched.gamma = t32(0.8)
    pair.run(5)
    for sched in pair.scheds:
        sched.gamma = 0.7
    pair.run(5)


# ------------------------------------------------------------------------------------------
# (2) Tensor lrs in the optimizer, for every class


def _seq(ns: Any, opt: Any) -> Any:
    return ns.SequentialLR(opt, [ns.LinearLR(opt, start_factor=0.1, total_iters=5),
                                 ns.CosineAnnealingLR(opt, T_max=20, eta_min=0.001)],
                           milestones=[5])


def _chained(ns: Any, opt: Any) -> Any:
    return ns.ChainedScheduler([ns.ConstantLR(opt, factor=0.5, total_iters=4),
                                ns.ExponentialLR(opt, gamma=0.95)])


CLASSES: dict[str, Callable[[Any, Any], Any]] = {
    "LambdaLR": lambda ns, opt: ns.LambdaLR(opt, lam_pow),
    "LambdaLR per group": lambda ns, opt: ns.LambdaLR(opt, [lam_pow, lam_const]),
    "MultiplicativeLR": lambda ns, opt: ns.MultiplicativeLR(opt, lam_const),
    "StepLR": lambda ns, opt: ns.StepLR(opt, step_size=7, gamma=0.5),
    "MultiStepLR": lambda ns, opt: ns.MultiStepLR(opt, [5, 9, 9, 20], gamma=0.3),
    "ConstantLR": lambda ns, opt: ns.ConstantLR(opt, factor=0.5, total_iters=6),
    "LinearLR": lambda ns, opt: ns.LinearLR(opt, start_factor=0.25, total_iters=10),
    "ExponentialLR": lambda ns, opt: ns.ExponentialLR(opt, gamma=0.93),
    "PolynomialLR": lambda ns, opt: ns.PolynomialLR(opt, total_iters=20, power=2.0),
    "CosineAnnealingLR": lambda ns, opt: ns.CosineAnnealingLR(opt, T_max=10, eta_min=0.001),
    "SequentialLR": _seq,
    "ChainedScheduler": _chained,
    "ReduceLROnPlateau": lambda ns, opt: ns.ReduceLROnPlateau(opt, factor=0.5, patience=1,
                                                               cooldown=1, min_lr=0.001),
    "CyclicLR": lambda ns, opt: ns.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                            mode="triangular2"),
    "CyclicLR exp_range": lambda ns, opt: ns.CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=0.1,
                                                      step_size_up=3, step_size_down=5,
                                                      mode="exp_range", gamma=0.97),
    "CosineAnnealingWarmRestarts": lambda ns, opt: ns.CosineAnnealingWarmRestarts(
        opt, T_0=5, T_mult=2, eta_min=0.001),
    "OneCycleLR": lambda ns, opt: ns.OneCycleLR(opt, max_lr=[0.1, 0.05], total_steps=61),
    "OneCycleLR linear three_phase": lambda ns, opt: ns.OneCycleLR(
        opt, max_lr=0.2, total_steps=61, anneal_strategy="linear", three_phase=True),
    "SWALR": lambda ns, opt: ns.SWALR(opt, swa_lr=0.01, anneal_epochs=7),
    "SWALR linear": lambda ns, opt: ns.SWALR(opt, swa_lr=[0.01, 0.02], anneal_epochs=4,
                                             anneal_strategy="linear"),
}
N_STEPS = 60
# Every class of torch.optim.lr_scheduler (but the base classes) and SWALR is here.
assert {k.split(" ")[0] for k in CLASSES} == set(TLR.__all__) - {"LRScheduler"} | {"SWALR"}


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", list(CLASSES))
def test_tensor_lrs(name: str, kind: str) -> None:
    """Every group's lr a float32 Tensor: 60 steps, each lr torch's Tensor, filled in place."""
    make = sgd if kind == "sgd" else adam
    pair = Pair(CLASSES[name], make(t32(0.1), t32(0.05)), f"{name}, Tensor lrs, {kind}")
    pair.run(N_STEPS, _metric_args(name, N_STEPS))
    for gt, gl in zip(pair.opts[0].param_groups, pair.opts[1].param_groups):
        assert isinstance(gl["lr"], torch.Tensor) and gl["lr"].item() == gt["lr"].item()
    for t, lc in zip(pair.scheds[0].get_last_lr(), pair.scheds[1].get_last_lr()):
        assert lc.item() == t.item()


@pytest.mark.parametrize("name", list(CLASSES))
def test_mixed_tensor_and_float_lrs(name: str) -> None:
    """Group 0's lr a Tensor, group 1's a float: each keeps torch's type."""
    pair = Pair(CLASSES[name], sgd(t32(0.1), 0.05), f"{name}, mixed lrs")
    pair.run(N_STEPS, _metric_args(name, N_STEPS))
    assert isinstance(pair.opts[1].param_groups[1]["lr"], type(pair.opts[0].param_groups[1]["lr"]))


# Long runs: float32 Tensor arithmetic (torch's) drifts away from float64 within a few hundred
# steps, so a float64 computation stored into the Tensor would fail these.
OPTIMIZERS: dict[str, Callable[[], Any]] = {
    "SGD": sgd(t32(0.1), t32(0.05)),
    "SGD foreach": sgd(t32(0.1), t32(0.05), foreach=True),
    "SGD fused": sgd(t32(0.1), t32(0.05), fused=True),
    "SGD float64 lr": sgd(t64(0.1), t64(0.05)),
    "SGD bfloat16 lr": sgd(torch.tensor(0.1, dtype=torch.bfloat16),
                           torch.tensor(0.05, dtype=torch.bfloat16)),
    "SGD 1-element lr": sgd(t32([0.1]), t32([0.05])),
    "Adam": adam(t32(0.1), t32(0.05)),
    "Adam fused": adam(t32(0.1), t32(0.05), fused=True),
    "Adam capturable foreach": adam(t32(0.1), t32(0.05), capturable=True, foreach=True),
    "AdamW fused": lambda: torch.optim.AdamW(_params(1), lr=t32(0.01), fused=True),
}


# The optimizers run 2000 steps; the others 400.
LONGEST = ("SGD", "SGD float64 lr", "Adam fused", "Adam capturable foreach")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_long_exponential_run(name: str) -> None:
    """2000 (or 400) steps of ExponentialLR on Tensor lrs; with gradients (but the capturable
    one, which needs an accelerator to step), so the optimizer's updates are compared too."""
    steps = 2000 if name in LONGEST else 400
    pair = Pair(lambda ns, opt: ns.ExponentialLR(opt, gamma=0.997), OPTIMIZERS[name], name)
    if "capturable" not in name:
        for opt in pair.opts:
            grads(opt)
    pair.run(steps, full_every=100)
    params = [[p.detach().clone() for g in o.param_groups for p in g["params"]]
              for o in pair.opts]
    assert_same(params[0], params[1], f"{name}: parameters after {steps} steps")
    # float64 arithmetic would have given another value by now
    exact = 0.1
    for _ in range(steps):
        exact *= 0.997
    lr = pair.opts[1].param_groups[0]["lr"]
    if lr.dtype == torch.float32 and name != "AdamW fused":
        assert lr.item() != t32(exact).item()


@pytest.mark.parametrize("name", ["CosineAnnealingLR", "CyclicLR", "OneCycleLR", "SWALR",
                                  "CosineAnnealingWarmRestarts", "ReduceLROnPlateau"])
def test_long_runs(name: str) -> None:
    """600 steps of the recursive and cyclic schedules on float32 Tensor lrs."""
    build = CLASSES[name]
    if name == "OneCycleLR":
        def build(ns: Any, opt: Any) -> Any:
            return ns.OneCycleLR(opt, max_lr=[0.1, 0.05], total_steps=601)
    pair = Pair(build, adam(t32(0.1), t32(0.05)), f"{name}, 600 steps")
    pair.run(600, _metric_args(name, 600), full_every=50)


def test_torch_compile_recipe() -> None:
    """torch's recipe for a compiled optimizer step with a scheduler: a Tensor lr (so that a
    new lr does not recompile), ``opt.step(); sched.step()`` inside torch.compile (the eager
    backend: dynamo traces, and runs lrcore's compiled step where it breaks the graph). The
    lrs and parameters are those of torch's scheduler run without compiling."""
    out = []
    for compiled, (_, ns) in ((False, SIDES[0]), (True, SIDES[1])):
        warnings.simplefilter("ignore")  # torch's own deprecation warnings while tracing
        torch._dynamo.reset()
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=t32(0.05), momentum=0.9)
        sched = ns.LinearLR(opt, start_factor=0.5, total_iters=4)

        def step() -> None:
            opt.step()
            sched.step()

        if compiled:
            step = torch.compile(step, fullgraph=False, backend="eager")
        lrs = []
        lr = opt.param_groups[0]["lr"]
        for _ in range(7):
            opt.zero_grad()
            model(torch.ones(2, 3)).sum().backward()
            step()
            assert opt.param_groups[0]["lr"] is lr
            lrs.append(lr.clone())
        # (the parameters are not compared: the compiled optimizer step is another kernel)
        out.append((lrs, sched.state_dict()))
    assert_same(out[0], out[1], "compiled steps")


@pytest.mark.parametrize("name", [
    "StepLR", "CosineAnnealingLR", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau",
    "SequentialLR", "ChainedScheduler"])
def test_tensor_lr_set_between_steps(name: str) -> None:
    """A group's lr replaced by a Tensor after some steps (lrcore then steps on torch's
    algorithm), and by a float again (back on the core)."""
    pair = Pair(CLASSES[name], sgd(), f"{name}, lr replaced")
    args = _metric_args(name, 45)
    pair.run(15, args)
    for opt in pair.opts:
        opt.param_groups[0]["lr"] = t32(float(opt.param_groups[0]["lr"]))
    pair.run(15, lambda i: args(i + 15))
    for opt in pair.opts:
        opt.param_groups[0]["lr"] = float(opt.param_groups[0]["lr"])
    pair.run(15, lambda i: args(i + 30))


def test_tensor_lr_with_tensor_hyperparameter() -> None:
    """Tensor lrs and a float64 Tensor gamma: torch's fill_ rounds each product to float32."""
    pair = Pair(lambda ns, opt: ns.ExponentialLR(opt, gamma=t64(0.99)), sgd(t32(0.1), t32(0.05)),
                "float64 gamma on float32 lrs")
    pair.run(300)


# ------------------------------------------------------------------------------------------
# (4) state_dict round trips holding Tensors


def _save_load(state: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


ROUND_TRIPS = {
    "torch.save": _save_load,
    "pickle": lambda state: pickle.loads(pickle.dumps(state)),
    "deepcopy": copy.deepcopy,
}


def _round_trip_params() -> list[Any]:
    # torch.save for every class; pickle and deepcopy (the same for plain states) for a few
    out = [pytest.param(n, "torch.save", id=f"{n}-torch.save") for n in CLASSES]
    out += [pytest.param(n, how, id=f"{n}-{how}") for how in ("pickle", "deepcopy")
            for n in ("CyclicLR", "OneCycleLR", "SequentialLR", "MultiStepLR")]
    return out


@pytest.mark.parametrize("name, how", _round_trip_params())
def test_state_dict_round_trip(name: str, how: str) -> None:
    """After 13 steps on Tensor lrs, the optimizer's and scheduler's states go through
    torch.save (weights_only), pickle or deepcopy into fresh ones, which continue as torch's;
    torch's state loads into lrcore's scheduler and lrcore's into torch's with the same
    results."""
    trip = ROUND_TRIPS[how]
    args = _metric_args(name, 40)
    make_opt = adam(t32(0.1), t64(0.05))
    pair = Pair(CLASSES[name], make_opt, f"{name} before saving")
    pair.run(13, args)
    saved = [(trip(o.state_dict()), trip(s.state_dict())) for o, s in zip(pair.opts, pair.scheds)]
    assert_same(saved[0][1], saved[1][1], f"{name}: the saved states")
    # resumed from its own state, and from the other library's
    for label, order in (("own state", (0, 1)), ("the other's state", (1, 0))):
        resumed = Pair(CLASSES[name], make_opt, f"{name} resumed from {label} ({how})")
        for side, source in enumerate(order):
            opt_state, sched_state = saved[source]
            resumed.opts[side].load_state_dict(copy.deepcopy(opt_state))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                resumed.scheds[side].load_state_dict(copy.deepcopy(sched_state))
        resumed.compare("after load_state_dict")
        resumed.run(25, lambda i: args(i + 13))


def test_state_dict_with_tensors_into_float_scheduler() -> None:
    """A state saved with Tensor lrs (Tensor base_lrs and _last_lr) loaded into a scheduler
    of an optimizer with float lrs: torch then computes with the Tensor base_lrs."""
    pair = Pair(lambda ns, opt: ns.LambdaLR(opt, lam_pow), sgd(t32(0.1), t32(0.05)), "save")
    pair.run(4)
    states = [s.state_dict() for s in pair.scheds]
    resumed = Pair(lambda ns, opt: ns.LambdaLR(opt, lam_pow), sgd(), "load into floats")
    for sched, state in zip(resumed.scheds, states):
        sched.load_state_dict(copy.deepcopy(state))
    resumed.compare("after load_state_dict")
    resumed.run(10)


# ------------------------------------------------------------------------------------------
# (5) Failures leave Tensors unchanged


def _holdings(sched: Any, opt: Any) -> tuple[Any, ...]:
    """The scheduler's state and the groups, copied, and the objects they hold."""
    objects = [id(v) for _, v in _slots(sched, opt)]
    return (copy.deepcopy(vars(sched) | {"optimizer": None}), copy.deepcopy(_groups(opt)),
            objects, [id(g) for g in opt.param_groups])


def _unchanged(before: tuple[Any, ...], sched: Any, opt: Any, where: str) -> None:
    after = _holdings(sched, opt)
    for what, a, b in zip(("scheduler attributes", "param groups", "Tensor objects",
                           "group objects"), before, after):
        found = diff(a, b)
        if found:
            raise AssertionError(f"{where}: the failed call changed the {what}: {found}")


class Flaky:
    """An lr_lambda that raises from a given epoch on."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at

    def __call__(self, epoch: int) -> float:
        if epoch >= self.fail_at:
            raise RuntimeError("lambda failed")
        return 0.9 ** epoch

    def __eq__(self, other: object) -> bool:
        return type(other) is Flaky and vars(other) == vars(self)


def test_failed_step_leaves_tensors_unchanged() -> None:
    """A lambda raising at step 5: the same exception as torch's, and lrcore's Tensor lrs,
    scheduler and groups are as before the call (torch's last_epoch has moved on)."""
    pair = Pair(lambda ns, opt: ns.LambdaLR(opt, Flaky(5)), sgd(t32(0.1), t32(0.05)), "flaky")
    pair.run(4)
    sched, opt = pair.scheds[1], pair.opts[1]
    before = _holdings(sched, opt)
    assert isinstance(pair.step(), RuntimeError)
    _unchanged(before, sched, opt, "LambdaLR step")
    assert pair.scheds[0].last_epoch == 5 and sched.last_epoch == 4


def test_failure_half_way_through_the_groups() -> None:
    """torch fills group 0's Tensor lr, then fails on group 1's (a 2-element value cannot
    fill a 0-d Tensor): lrcore puts group 0's value back into the same Tensor."""

    def bad(epoch: int) -> Any:
        return t32([0.5, 0.5]) if epoch == 3 else 0.5

    pair = Pair(lambda ns, opt: ns.LambdaLR(opt, [lam_pow, bad]), sgd(t32(0.1), t32(0.05)),
                "half way")
    pair.run(2)
    torch_lr0 = pair.opts[0].param_groups[0]["lr"].clone()
    sched, opt = pair.scheds[1], pair.opts[1]
    before = _holdings(sched, opt)
    assert isinstance(pair.step(), RuntimeError)
    assert not torch.equal(pair.opts[0].param_groups[0]["lr"], torch_lr0)  # torch wrote it
    _unchanged(before, sched, opt, "LambdaLR step")


def test_one_cycle_past_its_end_leaves_tensors_unchanged() -> None:
    """OneCycleLR stepped past total_steps: ValueError, as torch; nothing changed."""
    pair = Pair(lambda ns, opt: ns.OneCycleLR(opt, max_lr=t32(0.1), total_steps=10),
                adam(t32(0.1), t32(0.05)), "OneCycleLR past its end")
    pair.run(10)
    sched, opt = pair.scheds[1], pair.opts[1]
    before = _holdings(sched, opt)
    assert isinstance(pair.step(), ValueError)
    _unchanged(before, sched, opt, "OneCycleLR step")


def _no_momentum() -> Any:
    p = _params()
    return torch.optim.Adagrad([{"params": [p[0]]}, {"params": [p[1]]}], lr=t32(0.1))


def _children(ns: Any, opt: Any) -> Any:
    return [ns.ExponentialLR(opt, 0.9), ns.StepLR(opt, 2)]


# (label, optimizer, what is built first, the constructor torch refuses, whether torch has
# changed a group by the time it raises)
FAILING_CONSTRUCTORS = [
    ("CyclicLR invalid mode", sgd(t32(0.1), t32(0.05)), None,
     lambda ns, opt, _: ns.CyclicLR(opt, base_lr=t32(0.01), max_lr=0.1, mode="nope"), True),
    ("CyclicLR without momentum", _no_momentum, None,
     lambda ns, opt, _: ns.CyclicLR(opt, base_lr=0.01, max_lr=0.1), True),
    ("OneCycleLR pct_start", sgd(t32(0.1), t32(0.05)), None,
     lambda ns, opt, _: ns.OneCycleLR(opt, max_lr=t32(0.1), total_steps=10, pct_start=1.5),
     False),
    ("SWALR anneal_epochs", sgd(t32(0.1), t32(0.05)), None,
     lambda ns, opt, _: ns.SWALR(opt, swa_lr=t32(0.01), anneal_epochs=-1), True),
    ("ConstantLR factor", sgd(t32(0.1), t32(0.05)), None,
     lambda ns, opt, _: ns.ConstantLR(opt, factor=t32(1.5)), False),
    ("LambdaLR raising", sgd(t32(0.1), t32(0.05)), None,
     lambda ns, opt, _: ns.LambdaLR(opt, Flaky(0)), True),
    ("SequentialLR milestones", sgd(t32(0.1), t32(0.05)), _children,
     lambda ns, opt, children: ns.SequentialLR(opt, children, milestones=[]), False),
]


@pytest.mark.parametrize("label, make_opt, first, build, torch_writes", FAILING_CONSTRUCTORS,
                         ids=[c[0] for c in FAILING_CONSTRUCTORS])
def test_failed_constructor_leaves_tensors_unchanged(label: str, make_opt: Any, first: Any,
                                                     build: Any, torch_writes: bool) -> None:
    """A constructor torch refuses: lrcore raises the same type, and its Tensor lrs hold
    their values (where torch has written to the groups before raising, as marked), its
    groups the same objects and no new key."""
    opts = [make_opt(), make_opt()]
    errors = []
    for (_, ns), opt in zip(SIDES, opts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            made_first = first(ns, opt) if first else None
            before = copy.deepcopy(_groups(opt))
            objects = [id(v) for g in opt.param_groups for v in g.values()]
            with pytest.raises(Exception) as info:
                build(ns, opt, made_first)
        errors.append(info.type)
        changed = diff(before, _groups(opt))
        if ns is LRCORE:
            assert changed is None, f"{label}: {changed}"
            assert objects == [id(v) for g in opt.param_groups for v in g.values()]
        else:
            assert (changed is not None) == torch_writes, f"{label}: torch changed {changed}"
    assert errors[0] is errors[1], errors


def test_failed_load_leaves_tensors_unchanged() -> None:
    """A CyclicLR state from torch 1.13-2.1 holding a custom scale_fn (the function itself):
    torch 2.13's load_state_dict raises TypeError half way; lrcore raises TypeError and its
    scheduler, Tensor lrs and Tensor base_lrs are as before."""

    def scale(x: float) -> float:
        return float(0.5 ** x)

    pair = Pair(lambda ns, opt: ns.CyclicLR(opt, base_lr=t32(0.01), max_lr=t32(0.1),
                                            step_size_up=2, scale_fn=scale),
                sgd(t32(0.1), t32(0.05)), "CyclicLR custom scale_fn")
    pair.run(3)
    state = pair.scheds[0].state_dict()
    state["_scale_fn_custom"] = scale  # the layout of torch 1.13 to 2.1
    errors = []
    sched, opt = pair.scheds[1], pair.opts[1]
    before = _holdings(sched, opt)
    for s in pair.scheds:
        with pytest.raises(TypeError) as info:
            s.load_state_dict(dict(state))
        errors.append(info.type)
    _unchanged(before, sched, opt, "CyclicLR load_state_dict")


# ------------------------------------------------------------------------------------------
# Odds and ends of torch's Tensor handling


def test_initial_lr_and_base_lrs_are_clones() -> None:
    """The constructor's initial_lr is a clone of the Tensor lr, base_lrs clones of that;
    a second scheduler on the same optimizer keeps the first one's initial_lr."""

    def build(ns: Any, opt: Any) -> Any:
        first = ns.StepLR(opt, step_size=2, gamma=0.5)
        return ns.ChainedScheduler([first, ns.ExponentialLR(opt, gamma=0.9)])

    Pair(build, sgd(t32(0.1), t32(0.05)), "two schedulers on one optimizer").run(10)


def test_cawr_fractional_epochs_on_tensor_lrs() -> None:
    """CosineAnnealingWarmRestarts stepped with fractional epochs (the deprecated form)."""
    epochs = [0.5, 1.25, 2.0, 3.75, 4.5, 6.0, 7.5, 9.0, 12.5, 15.0, 20.25, 31.0]
    pair = Pair(lambda ns, opt: ns.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2,
                                                               eta_min=0.001),
                sgd(t32(0.1), t32(0.05)), "CAWR fractional epochs")
    pair.run(len(epochs), lambda i: (epochs[i],))


def test_closed_form_on_tensor_lrs() -> None:
    """step(epoch) (torch's deprecated closed form) on Tensor lrs and Tensor gamma."""
    for name, build in (
            ("StepLR", lambda ns, opt: ns.StepLR(opt, step_size=3, gamma=t32(0.5))),
            ("MultiStepLR", lambda ns, opt: ns.MultiStepLR(opt, [2, 4], gamma=0.5)),
            ("ExponentialLR", lambda ns, opt: ns.ExponentialLR(opt, gamma=0.9)),
            ("CosineAnnealingLR", lambda ns, opt: ns.CosineAnnealingLR(opt, T_max=5)),
            ("LinearLR", lambda ns, opt: ns.LinearLR(opt, total_iters=4)),
            ("PolynomialLR", lambda ns, opt: ns.PolynomialLR(opt, total_iters=4)),
            ("ConstantLR", lambda ns, opt: ns.ConstantLR(opt, total_iters=4))):
        pair = Pair(build, sgd(t32(0.1), t32(0.05)), f"{name} closed form")
        for epoch in (3, 1, 7, 7, 2, 10):
            assert pair.step(epoch) is None


def test_counter_and_numbers_stay_torch_types() -> None:
    """MultiStepLR's milestones stay a Counter, ints stay ints, next to Tensor lrs."""
    pair = Pair(lambda ns, opt: ns.MultiStepLR(opt, [2, 2, 3], gamma=t32(0.5)),
                sgd(t32(0.1), t32(0.05)), "MultiStepLR")
    pair.run(5)
    state = pair.scheds[1].state_dict()
    assert type(state["milestones"]) is Counter and type(state["last_epoch"]) is int
    assert math.isclose(pair.opts[1].param_groups[0]["lr"].item(), 0.1 * 0.125, rel_tol=1e-6)
