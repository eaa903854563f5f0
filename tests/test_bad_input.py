"""Bad input, table-driven: every constructor argument of every scheduler, and malformed state
dicts, each run beside torch 2.13.

Each constructor case builds one scheduler with one argument varied, with torch and with lrcore,
on two identical torch optimizers, then steps both (ReduceLROnPlateau: NaN and inf metrics among
its metrics). What lrcore must do is found by running torch, not written in the table:

- torch raises at construction: lrcore raises the same type, its message is torch's (or begins
  with torch's and says more), and the param groups are exactly as they were (keys, key order,
  value types, the very same objects), where torch sometimes writes before raising.
- torch accepts: lrcore accepts with the same warnings, and its groups, get_last_lr(),
  last_epoch, base_lrs, the names of its attributes and its state_dict (types and key order
  included) equal torch's after construction and after every step. Where a torch step raises,
  lrcore's raises the same type and leaves its scheduler and the groups as they were.

The table declares only lrcore's deliberate differences, and each declaration is checked:

- ``stricter=``: torch takes a value at construction that it cannot compute with (a string or
  None where a number goes, a list where one number goes, a string for a flag) and fails with it
  at a later step, or never reads it as given; lrcore raises at construction, changing nothing,
  with the declared type, which must be the type torch's later step raises where it raises
  within the steps run.
- per-group lists (lrcore's extension, long requested of torch): for the arguments lrcore takes
  per group (tests/_per_group.py), a list or tuple with one value per param group makes each
  group torch's run built with that group's scalar, compared exactly after every step; the
  wrong length raises ValueError; an element torch's construction refuses raises what torch
  raises for it; an element torch takes and fails with later is ``stricter=``.

Malformed state dicts: torch's load_state_dict takes almost anything (it is a __dict__ update);
where it raises, lrcore raises the same type. Each case declares what lrcore refuses where torch
loads (``refused=``, lrcore's checks of a state: python/lrcore/_impl/checks.py); a refusal
leaves the scheduler and the groups as they were (they then step as an untouched torch twin),
and its type must be the type a torch step raises after loading that state, where one raises.
Every other state is loaded by both and stepped in lockstep, compared exactly.

Every case runs in this process: a crash in C++ kills pytest, which fails the run.

``python tests/test_bad_input.py --markdown > tests/bad_input_table.md`` writes the table: each
case with torch's outcome and lrcore's, found by running them, deliberate differences marked.
"""

from __future__ import annotations

import copy
import math
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

if __name__ == "__main__":  # --markdown: run from the repository root
    import os

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np
import pytest
import torch

from _pairs import (LR, SWA, TLR, TSWA, UNDER_TEST, Fn, _call, _resolve, build, diff, make_opt,
                    opt_spec)
from _per_group import PER_GROUP_ARGS, Runs, merged_state, scalar_kw

NAN, INF = float("nan"), float("inf")
TESTING_LRCORE = UNDER_TEST == "lrcore"

# --------------------------------------------------------------------------------------------
# values, each with a short label


class V:
    """A value and its label; ``make()`` gives a fresh copy per side."""

    def __init__(self, label: str, value: Any):
        self.label, self.value = label, value

    def make(self) -> Any:
        v = self.value
        if callable(v) and isinstance(v, _Thunk):
            return v()
        return _resolve(v)


class _Thunk:
    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn

    def __call__(self) -> Any:
        return self.fn()


def thunk(fn: Callable[[], Any]) -> _Thunk:
    return _Thunk(fn)


INTS = [
    V("0", 0), V("1", 1), V("-1", -1), V("3", 3), V("True", True), V("False", False),
    V("2**31", 2**31), V("2**62", 2**62), V("2**63-1", 2**63 - 1), V("2**63", 2**63),
    V("2**70", 2**70), V("-2**70", -2**70), V("1.5", 1.5), V("2.0", 2.0), V("nan", NAN),
    V("inf", INF), V("np.int64(3)", thunk(lambda: np.int64(3))),
    V("tensor(3)", thunk(lambda: torch.tensor(3))), V("'3'", "3"), V("None", None),
    V("[3]", [3]),
]

FLOATS = [
    V("0.0", 0.0), V("-0.0", -0.0), V("0.5", 0.5), V("1.0", 1.0), V("-0.5", -0.5), V("2.0", 2.0),
    V("1", 1), V("True", True), V("nan", NAN), V("inf", INF), V("-inf", -INF),
    V("5e-324", 5e-324), V("1e308", 1e308), V("2**70", 2**70),
    V("np.float64(0.5)", thunk(lambda: np.float64(0.5))),
    V("np.int64(1)", thunk(lambda: np.int64(1))),
    V("tensor(0.5)", thunk(lambda: torch.tensor(0.5))), V("'0.5'", "0.5"), V("None", None),
]

# Lists for the arguments lrcore takes per group (two param groups in every case).
INT_LISTS = [V("[3,5]", [3, 5]), V("(3,3)", (3, 3)), V("[3,5,7]", [3, 5, 7]), V("[]", []),
             V("[3,1.5]", [3, 1.5]), V("[3,2**63]", [3, 2**63]), V("[3,None]", [3, None])]
FLOAT_LISTS = [V("[0.5,0.25]", [0.5, 0.25]), V("(0.5,0.5)", (0.5, 0.5)),
               V("[0.5,nan]", [0.5, NAN]), V("[0.5]*3", [0.5] * 3), V("[]", []),
               V("[0.5,'0.5']", [0.5, "0.5"]), V("[0.5,None]", [0.5, None])]

STRINGS = [V("''", ""), V("'foo'", "foo"), V("None", None), V("1", 1), V("upper", "UPPER")]
BOOLS = [V("True", True), V("False", False), V("0", 0), V("1", 1), V("None", None),
         V("'yes'", "yes"), V("np.bool_(True)", thunk(lambda: np.bool_(True)))]

# What lrcore refuses at construction where torch takes the value (see the module docstring).
# A string or None where a number goes: torch fails with it at a later step.
INT_JUNK = {"'3' None": TypeError}
FLOAT_JUNK = {"'0.5' None": TypeError}
# ... and as an element of a per-group list, where torch takes it as the scalar.
INT_LIST_JUNK = {"[3,None]": TypeError}
FLOAT_LIST_JUNK = {"[0.5,'0.5'] [0.5,None]": TypeError}


# --------------------------------------------------------------------------------------------
# the cases


@dataclass
class Case:
    cls: str
    arg: str
    label: str
    kw: dict
    stricter: type | None = None  # declared: lrcore refuses at construction, with this type
    resume: bool = False  # the groups carry initial_lr etc. (last_epoch != -1)
    lrs: tuple = (0.1, 0.2)
    kind: str = "sgd"
    metrics: tuple = (1.0, NAN, 0.5, 0.5, INF, NAN, -INF, 0.1, 0.1, 0.1)
    steps: int = 8
    children: list | None = None  # composites: specs of the children, built first
    note: str = ""
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.cls}.{self.arg}={self.label}"

    @property
    def per_group(self) -> bool:
        """A list for an argument lrcore takes per group (lrcore's extension)."""
        v = self.kw[self.arg].value if self.arg in self.kw else None
        return self.arg in PER_GROUP_ARGS.get(self.cls, ()) and isinstance(v, (list, tuple))


BASE: dict[str, dict] = {
    "LambdaLR": {"lr_lambda": Fn("pow", 0.9)},
    "MultiplicativeLR": {"lr_lambda": Fn("const", 0.9)},
    "StepLR": {"step_size": 2, "gamma": 0.5},
    "MultiStepLR": {"milestones": [1, 3], "gamma": 0.5},
    "ConstantLR": {"factor": 0.5, "total_iters": 3},
    "LinearLR": {"start_factor": 0.5, "end_factor": 1.0, "total_iters": 3},
    "ExponentialLR": {"gamma": 0.9},
    "PolynomialLR": {"total_iters": 4, "power": 2.0},
    "CosineAnnealingLR": {"T_max": 3, "eta_min": 0.01},
    "CosineAnnealingWarmRestarts": {"T_0": 2, "T_mult": 2, "eta_min": 0.01},
    "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2},
    "OneCycleLR": {"max_lr": 0.1, "total_steps": 10},
    "SWALR": {"swa_lr": 0.05, "anneal_epochs": 3},
    "ReduceLROnPlateau": {"patience": 1},
    "SequentialLR": {"milestones": [2]},
    "ChainedScheduler": {},
}
CHILDREN = [{"cls": "ConstantLR", "kw": {"factor": 0.5, "total_iters": 2}},
            {"cls": "ExponentialLR", "kw": {"gamma": 0.9}}]
LAST_EPOCH_CLASSES = [c for c in BASE if c not in ("ReduceLROnPlateau", "ChainedScheduler")]

CASES: list[Case] = []


def _labels(table: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for labels, value in (table or {}).items():
        for label in labels.split():
            out[label] = value
    return out


def vary(cls: str, arg: str, values: list[V], *, stricter: dict | None = None,
         base: dict | None = None, omit: str = "", xfail: dict | None = None,
         **extra: Any) -> None:
    """One case per value of ``cls``'s ``arg``. ``stricter``: {labels: the type lrcore raises
    at construction where torch takes the value}; ``omit``: labels left out; ``xfail``:
    {labels: reason}."""
    strict, fails = _labels(stricter), _labels(xfail)
    known = {v.label for v in values}
    unknown = (set(strict) | set(fails) | set(omit.split())) - known
    assert not unknown, f"{cls}.{arg}: unknown labels {unknown}"
    for v in values:
        if v.label in omit.split():
            continue
        kw = {k: (x if isinstance(x, V) else V(repr(x), x))
              for k, x in (base if base is not None else BASE[cls]).items()}
        kw[arg] = v
        CASES.append(Case(cls, arg, v.label, kw, stricter=strict.get(v.label),
                          xfail=fails.get(v.label, ""), **extra))


def case(cls: str, arg: str, label: str, kw: dict, **extra: Any) -> None:
    CASES.append(Case(cls, arg, label, {k: (v if isinstance(v, V) else V(repr(v), v))
                                         for k, v in kw.items()}, **extra))


def _build_table() -> None:
    # the optimizer argument (lrcore takes any object whose param_groups is a list of dicts, so
    # its message for a non-optimizer says so after torch's)
    for cls in BASE:
        if cls == "ChainedScheduler":
            continue
        for label, obj in (("object()", thunk(object)), ("None", None)):
            kw = {k: (v if isinstance(v, V) else V(repr(v), v)) for k, v in BASE[cls].items()}
            kw["opt"] = V(label, obj)
            CASES.append(Case(cls, "optimizer", label, kw))
        for lrs in ((NAN, INF), (-INF, 0.0), (-0.1, 1e308), (5e-324, -0.0)):
            case(cls, "optimizer", "lrs=" + ",".join(map(repr, lrs)), BASE[cls], lrs=lrs)
    # last_epoch: resuming (initial_lr present), and fresh groups without initial_lr
    for cls in LAST_EPOCH_CLASSES:
        vary(cls, "last_epoch", INTS, resume=True)
        case(cls, "last_epoch", "0 (no initial_lr)", dict(BASE[cls], last_epoch=0))
    for cls in ("LambdaLR", "MultiplicativeLR"):
        vary(cls, "lr_lambda", [
            V("fn", Fn("pow", 0.9)), V("obj", Fn("pow", 0.9, obj=True)),
            V("[fn]*2", [Fn("pow", 0.9), Fn("inv", 0.5)]), V("(fn,fn)", (Fn("pow", 0.9), Fn("pow", 0.5))),
            V("[fn]*3", [Fn("pow", 0.9)] * 3), V("[fn]", [Fn("pow", 0.9)]), V("[]", []),
            V("nan", Fn("const", NAN)), V("inf", Fn("const", INF)), V("-1", Fn("const", -1.0)),
            V("0", Fn("const", 0.0)), V("nan_at_2", Fn("nan_at", 2)),
            V("returns_str", thunk(lambda: lambda e: "x")),
            V("raises", thunk(lambda: lambda e: 1 / 0)),
            V("0.5", 0.5), V("None", None), V("[0.5,0.5]", [0.5, 0.5])])
    vary("StepLR", "step_size", INTS + INT_LISTS, stricter={**INT_JUNK, **INT_LIST_JUNK})
    for cls in ("StepLR", "MultiStepLR", "ExponentialLR"):
        vary(cls, "gamma", FLOATS + FLOAT_LISTS, stricter={**FLOAT_JUNK, **FLOAT_LIST_JUNK})
    # a string, or a None among the milestones: torch never reaches such a milestone
    vary("MultiStepLR", "milestones", [
        V("[]", []), V("[3,3]", [3, 3]), V("[5,1]", [5, 1]), V("[-1]", [-1]), V("[0]", [0]),
        V("[1.5]", [1.5]), V("[2.0]", [2.0]), V("[2**70]", [2**70]), V("[2**63-1]", [2**63 - 1]),
        V("[True]", [True]), V("(1,2)", (1, 2)), V("{1,2}", {1, 2}), V("range(3)", range(3)),
        V("np.array([1,2])", thunk(lambda: np.array([1, 2]))),
        V("[np.int64(2)]", thunk(lambda: [np.int64(2)])), V("None", None), V("3", 3),
        V("'12'", "12"), V("[nan]", [NAN]), V("[None]", [None])],
        stricter={"'12' [None]": TypeError})
    vary("ConstantLR", "factor", FLOATS + FLOAT_LISTS + [V("[0.5,2.0]", [0.5, 2.0])])
    for cls in ("ConstantLR", "LinearLR", "PolynomialLR"):
        # ConstantLR: torch never reaches a string or None total_iters (the factor stays)
        vary(cls, "total_iters", INTS + INT_LISTS, stricter={**INT_JUNK, **INT_LIST_JUNK})
    vary("LinearLR", "start_factor", FLOATS + FLOAT_LISTS + [V("[0.5,0.0]", [0.5, 0.0])])
    vary("LinearLR", "end_factor", FLOATS + FLOAT_LISTS + [V("[0.5,-0.5]", [0.5, -0.5])])
    vary("PolynomialLR", "power", FLOATS + FLOAT_LISTS,
         stricter={**FLOAT_JUNK, **FLOAT_LIST_JUNK})
    vary("CosineAnnealingLR", "T_max", INTS + INT_LISTS, stricter={**INT_JUNK, **INT_LIST_JUNK})
    vary("CosineAnnealingLR", "eta_min", FLOATS + FLOAT_LISTS,
         stricter={**FLOAT_JUNK, **FLOAT_LIST_JUNK})
    vary("CosineAnnealingWarmRestarts", "T_0", INTS)
    vary("CosineAnnealingWarmRestarts", "T_mult", INTS)
    vary("CosineAnnealingWarmRestarts", "eta_min", FLOATS + FLOAT_LISTS)
    for arg in ("base_lr", "max_lr", "base_momentum", "max_momentum"):
        vary("CyclicLR", arg, FLOATS + [V("[0.01]*2", [0.01, 0.02]), V("[0.01]*3", [0.01] * 3),
                                        V("[]", [])])
    vary("CyclicLR", "step_size_up", INTS)
    vary("CyclicLR", "step_size_down", INTS)
    vary("CyclicLR", "gamma", FLOATS, base=dict(BASE["CyclicLR"], mode="exp_range"))
    vary("CyclicLR", "mode", STRINGS + [V("'triangular2'", "triangular2"),
                                        V("'exp_range'", "exp_range")])
    vary("CyclicLR", "scale_fn", [V("None", None), V("fn", Fn("half")),
                                  V("obj", Fn("half", obj=True)), V("0.5", 0.5)])
    # torch reads any scale_mode but "cycle" as "iterations"
    vary("CyclicLR", "scale_mode", STRINGS + [V("'iterations'", "iterations")],
         base=dict(BASE["CyclicLR"], scale_fn=Fn("half")), stricter={"None 1": TypeError})
    # a string flag: "no" would be true
    vary("CyclicLR", "cycle_momentum", BOOLS, stricter={"'yes'": TypeError})
    for arg in ("max_lr", "base_momentum", "max_momentum"):
        vary("OneCycleLR", arg, FLOATS + [V("[0.1]*2", [0.1, 0.2]), V("[0.1]*3", [0.1] * 3)])
    vary("OneCycleLR", "total_steps", INTS)
    spe = {"max_lr": 0.1, "total_steps": None, "epochs": 2, "steps_per_epoch": 5}
    for arg in ("epochs", "steps_per_epoch"):
        vary("OneCycleLR", arg, INTS, base=spe)
    vary("OneCycleLR", "pct_start", FLOATS)
    vary("OneCycleLR", "anneal_strategy", STRINGS + [V("'linear'", "linear")])
    vary("OneCycleLR", "cycle_momentum", BOOLS, stricter={"'yes'": TypeError})
    for arg in ("div_factor", "final_div_factor"):
        vary("OneCycleLR", arg, FLOATS)
    vary("OneCycleLR", "three_phase", BOOLS)
    vary("SWALR", "swa_lr", FLOATS + [V("[0.05]*2", [0.05, 0.06]), V("[0.05]*3", [0.05] * 3)])
    vary("SWALR", "anneal_epochs", INTS)
    vary("SWALR", "anneal_strategy", STRINGS + [V("'linear'", "linear")])
    vary("ReduceLROnPlateau", "mode", STRINGS + [V("'max'", "max")])
    vary("ReduceLROnPlateau", "factor", FLOATS)
    plateau_ints = {"'3' None [3]": TypeError}
    vary("ReduceLROnPlateau", "patience", INTS, stricter=plateau_ints)
    vary("ReduceLROnPlateau", "threshold", FLOATS, stricter=FLOAT_JUNK)
    vary("ReduceLROnPlateau", "threshold_mode", STRINGS + [V("'abs'", "abs")])
    vary("ReduceLROnPlateau", "cooldown", INTS, stricter=plateau_ints)
    vary("ReduceLROnPlateau", "min_lr", FLOATS + [V("[0.01]*2", [0.01, 0.02]),
                                                  V("[0.01]*3", [0.01] * 3), V("[]", [])],
         stricter=FLOAT_JUNK)
    vary("ReduceLROnPlateau", "eps", FLOATS, stricter=FLOAT_JUNK)
    vary("SequentialLR", "milestones", [
        V("[]", []), V("[2,3]", [2, 3]), V("[0]", [0]), V("[-1]", [-1]), V("[2**70]", [2**70]),
        V("[2**63-1]", [2**63 - 1]), V("[1.5]", [1.5]), V("[True]", [True]), V("None", None),
        V("(2,)", (2,)), V("[np.int64(2)]", thunk(lambda: [np.int64(2)]))])
    vary("SequentialLR", "schedulers", [V("[]", []), V("[object()]", thunk(lambda: [object()]))])
    vary("ChainedScheduler", "schedulers",
         [V("[]", []), V("[object()]", thunk(lambda: [object()]))])
    vary("ChainedScheduler", "optimizer", [V("None", None), V("object()", thunk(object))])


_build_table()


# --------------------------------------------------------------------------------------------
# comparing, freezing


def _frozen_value(v: Any, version: bool = True) -> Any:
    """``v`` as a value to compare: types, floats bit for bit, a Tensor's values (and its
    version counter: whether it was written to)."""
    if isinstance(v, torch.Tensor):
        return ("tensor", v.dtype, v.shape, v.detach().clone().tolist(),
                v._version if version else None)
    if isinstance(v, float):
        return ("float", type(v), "nan" if v != v else v.hex())
    if isinstance(v, (list, tuple)):
        return (type(v), tuple(_frozen_value(x, version) for x in v))
    if isinstance(v, dict):
        return (type(v), tuple((k, _frozen_value(x, version)) for k, x in v.items()))
    return (type(v), v)


def freeze_groups(opt: Any) -> list:
    """Every group's non-params items: keys in order, types, values (bit for bit), objects."""
    return [[(k, _frozen_value(v), v) for k, v in g.items() if k != "params"]
            for g in opt.param_groups]


def assert_groups_unchanged(before: list, opt: Any, where: str) -> None:
    after = freeze_groups(opt)
    assert [[(k, f) for k, f, _ in g] for g in after] == \
        [[(k, f) for k, f, _ in g] for g in before], f"{where}: the param groups changed"
    for ga, gb in zip(after, before):
        for (k, _, a), (_, _, b) in zip(ga, gb):
            assert a is b, f"{where}: group[{k!r}] was replaced by an equal object"


def assert_unchanged(groups: list, opt: Any, where: str, state: Any = None,
                     sched: Any = None) -> None:
    """After a failed call: the groups (and the scheduler) as they were, frozen before it.
    lrcore's guarantee; torch itself writes before raising (other modules are not checked)."""
    if not TESTING_LRCORE:
        return
    assert_groups_unchanged(groups, opt, where)
    if sched is not None:
        assert freeze_scheduler(sched) == state, f"{where}: the failed call changed the scheduler"


def freeze_scheduler(s: Any) -> Any:
    """A scheduler's attributes (and its children's), names in order, values bit for bit (a
    Tensor's values: one added to in place and put back has a new version)."""
    attrs = vars(s)
    return [(k, (id(v) if k == "optimizer" else
                 [freeze_scheduler(c) for c in v] if k == "_schedulers" else
                 _frozen_value(v, version=False)))
            for k, v in attrs.items()]


def _items(group: dict) -> dict:
    return {k: v for k, v in group.items() if k != "params"}


def compare(st_: Any, sl_: Any, opt_t: Any, opt_l: Any, where: str) -> None:
    """torch's scheduler and groups against lrcore's: exactly (types, key order)."""
    for i, (a, b) in enumerate(zip(opt_t.param_groups, opt_l.param_groups, strict=True)):
        d = diff(_items(a), _items(b), f"param_groups[{i}]", exact=True)
        assert d is None, f"{where}: {d}"
    d = diff(st_.get_last_lr(), sl_.get_last_lr(), "get_last_lr()", exact=True)
    for attr in ("last_epoch", "base_lrs"):
        if d is None and hasattr(st_, attr):
            d = diff(getattr(st_, attr), getattr(sl_, attr), attr, exact=True)
    assert d is None, f"{where}: {d}"
    assert list(vars(sl_)) == list(vars(st_)), \
        f"{where}: attributes {list(vars(st_))} (torch) vs {list(vars(sl_))} (lrcore)"
    d = diff(st_.state_dict(), sl_.state_dict(), "state_dict()", exact=True)
    assert d is None, f"{where}: {d}"


def _same_message(et: BaseException, el: BaseException) -> bool:
    """lrcore's message is torch's, or torch's and more (its duck-typed optimizer argument);
    object addresses aside."""
    def norm(e: BaseException) -> str:
        return re.sub(r"0x[0-9a-f]+", "0x?", str(e))
    return norm(el) == norm(et) or norm(el).startswith(norm(et))


def _name(e: BaseException | None) -> str:
    return type(e).__name__ if e is not None else "-"


# --------------------------------------------------------------------------------------------
# running a constructor case


RESUME_KEYS = {"initial_lr": None, "max_lr": 0.5, "min_lr": 1e-4, "max_momentum": 0.95,
               "base_momentum": 0.85}


def make_opts(c: Case, n: int = 2) -> list[Any]:
    extra = None
    if c.resume:
        extra = [{k: (lr if v is None else v) for k, v in RESUME_KEYS.items()} for lr in c.lrs]
    finite = tuple(lr if isinstance(lr, float) and math.isfinite(lr) and lr >= 0 else 0.1
                   for lr in c.lrs)
    opts = [make_opt(opt_spec(c.kind, finite, extra=extra)) for _ in range(n)]
    for opt in opts:
        for g, lr in zip(opt.param_groups, c.lrs):
            g["lr"] = lr
    return opts


def _ctor(c: Case, mod: Any, swa: Any, opt: Any, kw: dict | None = None) -> Callable[[], Any]:
    """Build the children (outside the checked call) and return the constructor call."""
    kw = {k: v.make() for k, v in c.kw.items()} if kw is None else dict(kw)
    target = kw.pop("opt", opt)  # the optimizer argument, when varied
    if c.cls == "SWALR":
        return lambda: swa.SWALR(target, **kw)
    klass = getattr(mod, c.cls)
    if c.cls in ("SequentialLR", "ChainedScheduler"):
        children = kw.pop("schedulers", None)
        if children is None:
            children = [build(s, opt, mod, swa) for s in (c.children or CHILDREN)]
        if c.cls == "SequentialLR":
            return lambda: klass(target, children, **kw)
        return lambda: klass(children, **kw)
    return lambda: klass(target, **kw)


def _step_args(c: Case, k: int) -> tuple:
    return (c.metrics[k % len(c.metrics)],) if c.cls == "ReduceLROnPlateau" else ()


def torch_later(c: Case, sched: Any, opt: Any) -> tuple[int, BaseException | None]:
    """Step torch's scheduler alone: the first step that raises (1-based) and its error."""
    for k in range(c.steps):
        opt.step()
        _, e, _ = _call(lambda: sched.step(*_step_args(c, k)))
        if e is not None:
            return k + 1, e
    return 0, None


def _torch_says(error: BaseException | None, step: int = 0) -> str:
    if error is None:
        return "accepts"
    if step:
        return f"accepts; step {step} raises {_name(error)}"
    return f"raises {_name(error)}"


@dataclass
class Outcome:
    torch: str
    lrcore: str
    deliberate: str = ""


def run_case(c: Case) -> Outcome:
    if c.per_group:
        return run_per_group_case(c)
    where = f"[{c.id}]"
    stricter = c.stricter if TESTING_LRCORE else None
    opt_t, opt_l = make_opts(c)
    call_t, call_l = _ctor(c, TLR, TSWA, opt_t), _ctor(c, LR, SWA, opt_l)
    before = freeze_groups(opt_l)
    st_, et, wt = _call(call_t)
    sl_, el, wl = _call(call_l)
    if et is not None:
        assert stricter is None, f"{where}: declared stricter, but torch refuses it itself"
        assert isinstance(el, type(et)), f"{where}: torch raised {et!r}, lrcore {el!r}"
        assert _same_message(et, el), f"{where}: messages differ: {str(et)!r} vs {str(el)!r}"
        assert_unchanged(before, opt_l, where)
        return Outcome(_torch_says(et), "same")
    if stricter is not None:
        assert isinstance(el, stricter), \
            f"{where}: lrcore gave {el!r}, the table says it refuses with {stricter.__name__}"
        assert str(el), f"{where}: an empty message"
        assert_unchanged(before, opt_l, where)
        step, later = torch_later(c, st_, opt_t)
        assert later is None or isinstance(later, stricter), \
            f"{where}: torch's step {step} raises {later!r}, lrcore refuses with {el!r}"
        why = f"torch fails at step {step}" if later is not None else \
            f"torch does not fail in {c.steps} steps"
        return Outcome(_torch_says(later, step), f"raises {_name(el)}",
                       f"refused at construction ({why})")
    assert el is None, f"{where}: lrcore raised {el!r}, torch did not"
    assert wl == wt, f"{where}: warnings differ: {wt} (torch) vs {wl} (lrcore)"
    compare(st_, sl_, opt_t, opt_l, f"{where} construction")
    step, et = lockstep(st_, sl_, opt_t, opt_l, range(c.steps), lambda k: _step_args(c, k), where)
    return Outcome(_torch_says(et, step), "same")


def run_per_group_case(c: Case) -> Outcome:
    """A list for an argument lrcore takes per group: each group against torch built with that
    group's scalar (tests/_per_group.py)."""
    where = f"[{c.id}]"
    kw = {k: v.make() for k, v in c.kw.items()}
    values = kw[c.arg]
    n = len(c.lrs)
    # what torch does with the list itself, for the table
    opt_t, = make_opts(c, 1)
    st_, et, _ = _call(_ctor(c, TLR, TSWA, opt_t))
    if et is not None:
        said = _torch_says(et)
    else:
        step, later = torch_later(c, st_, opt_t)
        said = _torch_says(later, step)
    if not TESTING_LRCORE:  # torch takes no lists there: nothing to compare it with
        return Outcome(said, "-")
    opt_l, = make_opts(c, 1)
    before = freeze_groups(opt_l)
    if len(values) != n:
        _, el, _ = _call(_ctor(c, LR, SWA, opt_l, kw))
        assert isinstance(el, ValueError), f"{where}: lrcore gave {el!r} for {len(values)} " \
                                           f"values on {n} groups, expected ValueError"
        assert str(el), f"{where}: an empty message"
        assert_unchanged(before, opt_l, where)
        return Outcome(said, f"raises {_name(el)}", "per group: one value per group expected")
    t_opts = make_opts(c, n)
    runs = [_call(_ctor(c, TLR, TSWA, t_opts[g], scalar_kw(c.cls, kw, g))) for g in range(n)]
    first = next((e for _, e, _ in runs if e is not None), None)
    if first is not None or c.stricter is not None:
        _, el, _ = _call(_ctor(c, LR, SWA, opt_l, kw))
        assert_unchanged(before, opt_l, where)
        if first is not None:
            assert c.stricter is None, f"{where}: declared stricter, but torch refuses a group's value"
            assert isinstance(el, type(first)), \
                f"{where}: torch raised {first!r} with a group's value, lrcore {el!r}"
            return Outcome(said, f"raises {_name(el)}",
                           "per group: what torch raises with the group's value")
        assert isinstance(el, c.stricter), \
            f"{where}: lrcore gave {el!r}, the table says it refuses with {c.stricter.__name__}"
        for g, (s, _, _) in enumerate(runs):
            step, later = torch_later(c, s, t_opts[g])
            assert later is None or isinstance(later, c.stricter), \
                f"{where}: torch with group {g}'s value raises {later!r} at step {step}"
        return Outcome(said, f"raises {_name(el)}",
                       "per group: refused at construction (torch fails with the group's value)")
    merge = merged_state(c.cls, kw)

    def expected_state(states: list[dict]) -> dict:
        # the list as given: torch keeps an argument as it gets it (a tuple stays a tuple)
        return {k: (type(values)(v) if k == c.arg else v) for k, v in merge(states).items()}

    check = Runs(opt_spec(c.kind, c.lrs), lambda o: getattr(LR, c.cls)(o, **kw),
                 lambda o, g: getattr(TLR, c.cls)(o, **scalar_kw(c.cls, kw, g)), c.id,
                 expected_state)
    assert not check.retired, f"{where}: lrcore raised, torch did not with each group's value"
    for _ in range(c.steps):
        check.step()
    return Outcome(said, "each group as torch with its value", "per group")


def _marks(reason: str) -> list:
    if not reason or not TESTING_LRCORE:
        return []
    return [pytest.mark.xfail(strict=True, reason=reason)]


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id, marks=_marks(c.xfail)) for c in CASES])
def test_bad_input(c: Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # compared explicitly
        run_case(c)


def test_table_covers_every_argument() -> None:
    import inspect

    for name in BASE:
        klass = getattr(TSWA if name == "SWALR" else TLR, name)
        params = set(inspect.signature(klass.__init__).parameters) - {"self"}
        varied = {c.arg for c in CASES if c.cls == name}
        missing = params - varied
        assert not missing, f"{name}: no bad-input case for {sorted(missing)}"


def lockstep(st_: Any, sl_: Any, opt_t: Any, opt_l: Any, steps: range,
             args: Callable[[int], tuple], where: str) -> tuple[int, BaseException | None]:
    """Step torch's and lrcore's schedulers together, comparing exactly after every step. A
    step torch raises on: lrcore raises the same type and changes nothing; returns that step
    (1-based, counted from the range's start) and torch's error."""
    for n, k in enumerate(steps, 1):
        opt_t.step()
        opt_l.step()
        groups, state = freeze_groups(opt_l), freeze_scheduler(sl_)
        _, et, wt = _call(lambda: st_.step(*args(k)))
        _, el, wl = _call(lambda: sl_.step(*args(k)))
        w = f"{where} step {n}{args(k)}"
        if et is not None:
            assert isinstance(el, type(et)), f"{w}: torch raised {et!r}, lrcore {el!r}"
            assert wl == wt, f"{w}: warnings differ: {wt} (torch) vs {wl} (lrcore)"
            assert_unchanged(groups, opt_l, w, state, sl_)
            return n, et
        assert el is None, f"{w}: lrcore raised {el!r}, torch did not"
        assert wl == wt, f"{w}: warnings differ: {wt} (torch) vs {wl} (lrcore)"
        compare(st_, sl_, opt_t, opt_l, w)
    return 0, None


# --------------------------------------------------------------------------------------------
# Malformed state dicts
#
# Each case saves a scheduler's state after two steps (torch's and lrcore's, equal), breaks it
# the same way, and loads it, then steps on. See the module docstring for what is expected.

STATE_SPECS: dict[str, dict] = {
    "StepLR": {"cls": "StepLR", "kw": {"step_size": 2, "gamma": 0.5}},
    "MultiStepLR": {"cls": "MultiStepLR", "kw": {"milestones": [1, 3, 3], "gamma": 0.5}},
    "LambdaLR": {"cls": "LambdaLR", "kw": {"lr_lambda": Fn("pow", 0.9, obj=True)}},
    "CosineAnnealingLR": {"cls": "CosineAnnealingLR", "kw": {"T_max": 4}},
    "CosineAnnealingWarmRestarts": {"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 2}},
    "CyclicLR": {"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2}},
    "OneCycleLR": {"cls": "OneCycleLR", "kw": {"max_lr": 0.1, "total_steps": 20}},
    "SWALR": {"cls": "SWALR", "kw": {"swa_lr": 0.05, "anneal_epochs": 3}},
    "ReduceLROnPlateau": {"cls": "ReduceLROnPlateau", "kw": {"patience": 0}},
    "SequentialLR": {"cls": "SequentialLR", "milestones": [3], "children": CHILDREN},
    "ChainedScheduler": {"cls": "ChainedScheduler", "children": CHILDREN},
    "SequentialLR(Chained)": {"cls": "SequentialLR", "milestones": [2], "children": [
        {"cls": "ChainedScheduler", "children": CHILDREN},
        {"cls": "ExponentialLR", "kw": {"gamma": 0.8}}]},
}
COMPOSITES = {k for k, v in STATE_SPECS.items() if "children" in v}


@dataclass
class StateCase:
    spec: str
    label: str
    mutate: Callable[[dict], Any]
    refused: type | None = None  # declared: where torch loads it, lrcore raises this
    # a refusal whose type is not the one torch's later step raises, and why
    exempt: str = ""
    per_group: tuple | None = None  # (key, values): lrcore loads one value per group
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.spec}:{self.label}"


def _set(key: str, value: Any) -> Callable[[dict], dict]:
    def f(sd: dict) -> dict:
        sd[key] = copy.deepcopy(value)
        return sd
    return f


def _del(key: str) -> Callable[[dict], dict]:
    def f(sd: dict) -> dict:
        del sd[key]
        return sd
    return f


def _child(i: int, inner: Callable[[dict], Any]) -> Callable[[dict], dict]:
    def f(sd: dict) -> dict:
        sd["_schedulers"][i] = inner(sd["_schedulers"][i])
        return sd
    return f


def _with(fn: Callable[[dict], None]) -> Callable[[dict], dict]:
    def f(sd: dict) -> dict:
        fn(sd)
        return sd
    return f


STATE_CASES: list[StateCase] = []
# lrcore's extension: one value per param group; the wrong length is lrcore's ValueError
WRONG_LENGTH = "a per-group list of the wrong length: lrcore's ValueError"


def _state_table() -> None:
    def add(spec: str, label: str, mutate: Callable[[dict], Any], refused: type | None = None,
            **extra: Any) -> None:
        STATE_CASES.append(StateCase(spec, label, mutate, refused, **extra))

    for spec in STATE_SPECS:
        composite = spec in COMPOSITES
        plateau = spec == "ReduceLROnPlateau"
        add(spec, "not a dict", lambda sd: list(sd.items()), TypeError)
        add(spec, "None", lambda sd: None, TypeError)
        add(spec, "missing _last_lr", _del("_last_lr"),
            None if plateau else KeyError)  # torch 2.2's ReduceLROnPlateau saved none
        add(spec, "extra key", _set("bogus", 1), KeyError)
        add(spec, "_last_lr too short", _set("_last_lr", [0.1]), ValueError)
        add(spec, "_last_lr too long", _set("_last_lr", [0.1, 0.2, 0.3]), ValueError)
        add(spec, "_last_lr scalar", _set("_last_lr", 0.1), TypeError)
        add(spec, "_last_lr [str]", _set("_last_lr", ["0.1", 0.2]), TypeError)
        add(spec, "_last_lr [None]", _set("_last_lr", [None, 0.2]), TypeError)
        add(spec, "_last_lr NaN", _set("_last_lr", [NAN, INF]))
        if spec != "ChainedScheduler":
            add(spec, "last_epoch str", _set("last_epoch", "3"), TypeError)
            add(spec, "last_epoch None", _set("last_epoch", None), TypeError)
            add(spec, "last_epoch [3]", _set("last_epoch", [3]), TypeError)
            add(spec, "last_epoch 2.5", _set("last_epoch", 2.5))
            add(spec, "last_epoch NaN", _set("last_epoch", NAN))
            add(spec, "last_epoch 2**70", _set("last_epoch", 2**70))
            add(spec, "last_epoch True", _set("last_epoch", True))
        if not composite and not plateau:
            add(spec, "missing base_lrs", _del("base_lrs"), KeyError)
            add(spec, "base_lrs too short", _set("base_lrs", [0.1]), ValueError)
            add(spec, "base_lrs str", _set("base_lrs", "0.1"), TypeError)
            add(spec, "base_lrs NaN", _set("base_lrs", [NAN, 0.2]))
            add(spec, "_step_count -1", _set("_step_count", -1), ValueError)
            add(spec, "_step_count 1.5", _set("_step_count", 1.5))
            add(spec, "_is_initial str", _set("_is_initial", "no"), TypeError)
            add(spec, "ReduceLROnPlateau's state", lambda sd: _plateau_state(), KeyError)
        if composite:
            add(spec, "_schedulers one short", _with(lambda sd: sd["_schedulers"].pop()),
                ValueError)
            add(spec, "_schedulers one more",
                _with(lambda sd: sd["_schedulers"].append(sd["_schedulers"][-1])), ValueError)
            add(spec, "_schedulers not a list", _set("_schedulers", None), TypeError)
            add(spec, "child 0 not a dict", _child(0, lambda c: 3), TypeError)
            add(spec, "last child missing key", _child(-1, lambda c: {k: v for k, v in c.items()
                                                                      if k != "_last_lr"}),
                KeyError)
            add(spec, "last child bad last_epoch", _child(-1, _set("last_epoch", "x")), TypeError)
            add(spec, "last child _last_lr short", _child(-1, _set("_last_lr", [])), ValueError)
            add(spec, "missing _schedulers", _del("_schedulers"), KeyError)
            add(spec, "StepLR's state", lambda sd: _step_state(), KeyError)
    add("SequentialLR", "_milestones too many", _set("_milestones", [1, 2]), IndexError)
    add("SequentialLR", "_milestones too few", _set("_milestones", []), ValueError)
    add("SequentialLR", "_milestones [str]", _set("_milestones", ["1"]), TypeError)
    add("SequentialLR", "_milestones 2**70", _set("_milestones", [2**70]))
    add("StepLR", "step_size str", _set("step_size", "2"), TypeError)
    add("StepLR", "gamma None", _set("gamma", None), TypeError)
    # gamma may be a list with one value per param group (two here); each a number
    add("StepLR", "gamma [0.5]", _set("gamma", [0.5]), ValueError, exempt=WRONG_LENGTH)
    add("StepLR", "gamma [0.5, '0.5']", _set("gamma", [0.5, "0.5"]), TypeError)
    add("StepLR", "gamma [[0.5], 0.5]", _set("gamma", [[0.5], 0.5]), TypeError)
    add("StepLR", "step_size [2, None]", _set("step_size", [2, None]), TypeError)
    add("StepLR", "step_size [2, 2.5]", _set("step_size", [2, 2.5]),
        per_group=("step_size", [2, 2.5]))
    add("CosineAnnealingLR", "T_max [4]*3", _set("T_max", [4, 4, 4]), ValueError,
        exempt=WRONG_LENGTH)
    add("StepLR", "gamma NaN", _set("gamma", NAN))
    add("StepLR", "ExponentialLR's state", lambda sd: _exp_state(), KeyError)
    add("MultiStepLR", "milestones str", _set("milestones", "13"), TypeError)
    add("MultiStepLR", "milestones None", _set("milestones", None), TypeError)
    add("MultiStepLR", "milestones negative count", _set("milestones", Counter({1: -1})),
        ValueError)
    add("MultiStepLR", "milestones str keys", _set("milestones", Counter({"1": 1})), TypeError)
    add("MultiStepLR", "milestones empty", _set("milestones", Counter()))
    add("LambdaLR", "lr_lambdas too long", _set("lr_lambdas", [None, None, None]), ValueError)
    add("LambdaLR", "lr_lambdas [5, None]", _set("lr_lambdas", [5, None]), TypeError)
    add("LambdaLR", "missing lr_lambdas", _del("lr_lambdas"), KeyError)
    add("CosineAnnealingLR", "T_max str", _set("T_max", "4"), TypeError)
    add("CosineAnnealingLR", "eta_min NaN", _set("eta_min", NAN))
    add("CosineAnnealingWarmRestarts", "T_i 0", _set("T_i", 0))
    add("CosineAnnealingWarmRestarts", "T_i -2", _set("T_i", -2))
    add("CosineAnnealingWarmRestarts", "T_0 0", _set("T_0", 0))
    add("CosineAnnealingWarmRestarts", "T_mult 0", _set("T_mult", 0))
    add("CosineAnnealingWarmRestarts", "T_cur str", _set("T_cur", "1"), TypeError)
    add("CyclicLR", "max_lrs too short", _set("max_lrs", [0.1]), ValueError)
    add("CyclicLR", "base_momentums 3", _set("base_momentums", [0.8] * 3), ValueError)
    add("CyclicLR", "mode 3", _set("mode", 3), TypeError)
    add("CyclicLR", "total_size str", _set("total_size", "4"), TypeError)
    add("CyclicLR", "cycle_momentum str", _set("cycle_momentum", "yes"), TypeError)
    add("CyclicLR", "_scale_fn_custom 5", _set("_scale_fn_custom", 5), TypeError)
    add("CyclicLR", "missing max_lrs", _del("max_lrs"), KeyError)
    add("CyclicLR", "max_lrs NaN", _set("max_lrs", [NAN, 0.1]))
    add("OneCycleLR", "_schedule_phases []", _set("_schedule_phases", []), TypeError,
        exempt="torch's step fails on no phases with UnboundLocalError, an accident of its code")
    add("OneCycleLR", "phase lacks end_step",
        _with(lambda sd: sd["_schedule_phases"][0].pop("end_step")), KeyError)
    add("OneCycleLR", "phase end_lr names lr",
        _with(lambda sd: sd["_schedule_phases"][0].__setitem__("end_lr", "lr")))
    add("OneCycleLR", "phase not a dict", _set("_schedule_phases", [1, 2]), TypeError)
    add("OneCycleLR", "total_steps 0", _set("total_steps", 0))
    add("OneCycleLR", "total_steps str", _set("total_steps", "20"), TypeError)
    add("OneCycleLR", "_anneal_func_type foo", _set("_anneal_func_type", "foo"), ValueError)
    add("SWALR", "_anneal_strategy foo", _set("_anneal_strategy", "foo"), ValueError)
    add("SWALR", "anneal_epochs -1", _set("anneal_epochs", -1), ValueError)
    add("ReduceLROnPlateau", "mode foo", _set("mode", "foo"), ValueError)
    add("ReduceLROnPlateau", "threshold_mode foo", _set("threshold_mode", "foo"), ValueError)
    add("ReduceLROnPlateau", "min_lrs too long", _set("min_lrs", [0.0] * 3), ValueError)
    add("ReduceLROnPlateau", "num_bad_epochs -1", _set("num_bad_epochs", -1), ValueError)
    add("ReduceLROnPlateau", "cooldown_counter -3", _set("cooldown_counter", -3), ValueError)
    add("ReduceLROnPlateau", "patience 1.5", _set("patience", 1.5))
    add("ReduceLROnPlateau", "default_min_lr str", _set("default_min_lr", "0"), TypeError)
    add("ReduceLROnPlateau", "best NaN", _set("best", NAN))
    add("ReduceLROnPlateau", "factor NaN", _set("factor", NAN))
    add("ReduceLROnPlateau", "missing best", _del("best"), KeyError)
    add("ReduceLROnPlateau", "StepLR's state", lambda sd: _step_state(), KeyError)


def _exp_state() -> dict:
    return _state_of({"cls": "ExponentialLR", "kw": {"gamma": 0.9}})


def _step_state() -> dict:
    return _state_of(STATE_SPECS["StepLR"])


def _plateau_state() -> dict:
    return _state_of(STATE_SPECS["ReduceLROnPlateau"])


def _state_of(spec: dict) -> dict:
    opt = make_opt(opt_spec("sgd", (0.1, 0.2)))
    return build(spec, opt, LR, SWA).state_dict()


def _state_args(sched: Any) -> Callable[[int], tuple]:
    if type(sched).__name__ == "ReduceLROnPlateau":
        return lambda k: ((1.0, NAN, 0.5, 2.0, 0.1)[k % 5],)
    return lambda k: ()


_state_table()


def _stepped(spec: dict, mod: Any, swa: Any) -> tuple[Any, Any]:
    opt = make_opt(opt_spec("sgd", (0.1, 0.2)))
    sched = build(spec, opt, mod, swa)
    args = _state_args(sched)
    for k in range(2):
        opt.step()
        sched.step(*args(k))
    return sched, opt


def run_state_case(c: StateCase) -> Outcome:
    where = f"[{c.id}]"
    spec = STATE_SPECS[c.spec]
    st_, opt_t = _stepped(spec, TLR, TSWA)
    twin, opt_twin = _stepped(spec, TLR, TSWA)
    sl_, opt_l = _stepped(spec, LR, SWA)
    compare(st_, sl_, opt_t, opt_l, f"{where} before the load")
    args = _state_args(sl_)
    try:
        bad_t = c.mutate(copy.deepcopy(st_.state_dict()))
    except Exception as e:  # noqa: BLE001 -- torch's state differs in shape
        raise AssertionError(f"{where}: breaking torch's state raised {e!r}") from e
    bad_l = c.mutate(copy.deepcopy(sl_.state_dict()))
    groups, state = freeze_groups(opt_l), freeze_scheduler(sl_)
    _, et, _ = _call(lambda: st_.load_state_dict(bad_t))
    if c.per_group is not None and TESTING_LRCORE:
        return _per_group_state(c, spec, sl_, opt_l, bad_l, et)
    _, el, _ = _call(lambda: sl_.load_state_dict(bad_l))
    if et is not None or (c.refused is not None and TESTING_LRCORE):
        expected = type(et) if et is not None else c.refused
        assert isinstance(el, expected), f"{where}: lrcore gave {el!r}, expected {expected}"
        assert str(el), f"{where}: an empty message"
        assert_unchanged(groups, opt_l, f"{where} after the failed load", state, sl_)
        if TESTING_LRCORE:  # it steps on as a torch twin that was never given the state
            lockstep(twin, sl_, opt_twin, opt_l, range(2, 6), args,
                     f"{where} after the failed load")
        if et is not None:
            return Outcome(_torch_says(et), "same")
        step, later = lockstep_alone(st_, opt_t, range(2, 6), args)
        if later is not None and not c.exempt:
            assert isinstance(later, c.refused), \
                f"{where}: torch's step {step} after the load raises {later!r}, lrcore refuses " \
                f"with {el!r}"
        return Outcome(_torch_says(later, step), f"raises {_name(el)}",
                       "refused at load" + (f" ({c.exempt})" if c.exempt and later is not None
                                            else ""))
    assert el is None, f"{where}: lrcore raised {el!r}, torch did not"
    compare(st_, sl_, opt_t, opt_l, f"{where} after the load")
    step, et = lockstep(st_, sl_, opt_t, opt_l, range(2, 6), args, f"{where} after the load")
    return Outcome(_torch_says(et, step), "same")


def lockstep_alone(sched: Any, opt: Any, steps: range,
                   args: Callable[[int], tuple]) -> tuple[int, BaseException | None]:
    for n, k in enumerate(steps, 1):
        opt.step()
        _, e, _ = _call(lambda: sched.step(*args(k)))
        if e is not None:
            return n, e
    return 0, None


def _per_group_state(c: StateCase, spec: dict, sl_: Any, opt_l: Any, bad_l: dict,
                     et: BaseException | None) -> Outcome:
    """A state holding one value per group: group g steps as torch's run given that state with
    the g-th value."""
    where = f"[{c.id}]"
    key, values = c.per_group
    sl_.load_state_dict(bad_l)
    runs = []
    for g, value in enumerate(values):
        s, o = _stepped(spec, TLR, TSWA)
        sd = s.state_dict()
        sd[key] = value
        s.load_state_dict(sd)
        runs.append((s, o))
    for k in range(2, 6):
        opt_l.step()
        sl_.step()
        for g, (s, o) in enumerate(runs):
            o.step()
            s.step()
            d = diff(o.param_groups[g]["lr"], opt_l.param_groups[g]["lr"], f"group {g} lr",
                     exact=True) or diff(s.get_last_lr()[g], sl_.get_last_lr()[g],
                                         f"get_last_lr()[{g}]", exact=True) or diff(
                s.last_epoch, sl_.last_epoch, "last_epoch", exact=True)
            assert d is None, f"{where} step {k}: {d}"
    said = _torch_says(et) if et is not None else "accepts"
    return Outcome(said, "each group as torch with its value", "per group")


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id, marks=_marks(c.xfail))
                               for c in STATE_CASES])
def test_bad_state_dict(c: StateCase) -> None:
    if not TESTING_LRCORE and (c.refused is not None or c.per_group is not None):
        pytest.skip("lrcore's own checks of a state")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_state_case(c)


# --------------------------------------------------------------------------------------------
# values beyond what a double holds exactly, and ints torch keeps: compiled steps give torch's


def _both(run: Callable[[Any], Any]) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(LR), run(TLR)


@pytest.mark.skipif(not TESTING_LRCORE, reason="lrcore's compiled core")
def test_warm_restarts_epoch_beyond_2_to_the_53() -> None:
    def run(mod: Any) -> Any:
        opt = make_opt(opt_spec("sgd", (0.1,), extra=[{"initial_lr": 0.1}]))
        s = mod.CosineAnnealingWarmRestarts(opt, T_0=2, last_epoch=2**62)
        opt.step()
        s.step()
        return s.last_epoch

    got, want = _both(run)
    assert got == want == 2**62 + 2


@pytest.mark.skipif(not TESTING_LRCORE, reason="lrcore's compiled core")
def test_an_int_lr_becomes_the_float_torch_computes() -> None:
    def run(mod: Any) -> Any:
        opt = make_opt(opt_spec("sgd", (0.1,)))
        mod.CyclicLR(opt, base_lr=1, max_lr=2, step_size_up=2)
        return opt.param_groups[0]["lr"]

    got, want = _both(run)
    assert type(got) is type(want) is float and got == want


@pytest.mark.skipif(not TESTING_LRCORE, reason="lrcore's compiled core")
def test_plateau_writes_torch_s_min_lr() -> None:
    def run(mod: Any) -> Any:
        opt = make_opt(opt_spec("sgd", (0.1,)))
        s = mod.ReduceLROnPlateau(opt, factor=-0.5, patience=0)
        for m in (1.0, 1.0):
            opt.step()
            s.step(m)
        return opt.param_groups[0]["lr"]

    got, want = _both(run)
    assert type(got) is type(want) is int and got == want == 0


@pytest.mark.skipif(not TESTING_LRCORE, reason="lrcore's compiled core")
def test_warm_restarts_period_beyond_int64() -> None:
    def run(mod: Any) -> Any:
        opt = make_opt(opt_spec("sgd", (0.1,)))
        s = mod.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2**62)
        for _ in range(2):
            opt.step()
            s.step()
        return s.T_i

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(LR) == run(TLR) == 2**63


# --------------------------------------------------------------------------------------------
# the table


def _row(fn: Callable[[], Outcome], torch_alone: Callable[[], str], xfail: str) -> Outcome:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn()
        except AssertionError as e:
            said = torch_alone()
            if xfail:
                return Outcome(said, f"differs: {xfail}")
            return Outcome(said, f"**differs**: {str(e).splitlines()[0][:160]}")


def _torch_alone(c: Case) -> str:
    opt, = make_opts(c, 1)
    sched, error, _ = _call(_ctor(c, TLR, TSWA, opt))
    if error is not None:
        return _torch_says(error)
    step, later = torch_later(c, sched, opt)
    return _torch_says(later, step)


def markdown() -> str:
    rows = [(c, _row(lambda c=c: run_case(c), lambda c=c: _torch_alone(c), c.xfail))
            for c in CASES]
    deliberate = sum(1 for _, o in rows if o.deliberate)
    bugs = sum(1 for c in CASES if c.xfail)
    lines = ["# Bad-input cases (generated: `python tests/test_bad_input.py --markdown`)", "",
             "torch 2.13's outcome and lrcore's, each found by running them side by side. "
             "\"same\": lrcore does what torch does (the same exception type, or the same "
             "values, bit for bit, at every step). A deliberate difference says why.", "",
             f"{len(rows)} constructor cases: {len(rows) - deliberate - bugs} same as torch, "
             f"{deliberate} deliberate differences, {bugs} differences that are known core bugs "
             "(xfail).", "",
             "| scheduler | argument | value | torch 2.13 | lrcore | deliberate difference |",
             "|---|---|---|---|---|---|"]
    for c, o in rows:
        lines.append(f"| {c.cls} | {c.arg} | `{c.label}` | {o.torch} | {o.lrcore} | "
                     f"{o.deliberate} |")
    rows_s = [(c, _row(lambda c=c: run_state_case(c), lambda: "?", c.xfail))
              for c in STATE_CASES]
    refused = sum(1 for _, o in rows_s if o.deliberate)
    lines += ["", "# Malformed state dicts", "",
              f"{len(rows_s)} cases: {len(rows_s) - refused} same as torch, {refused} deliberate "
              "differences (lrcore refuses, or loads one value per group, where torch loads).",
              "", "| scheduler | state | torch 2.13 | lrcore | deliberate difference |",
              "|---|---|---|---|---|"]
    for c, o in rows_s:
        lines.append(f"| {c.spec} | {c.label} | {o.torch} | {o.lrcore} | {o.deliberate} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--markdown" in sys.argv:
        sys.stdout.write(markdown())
