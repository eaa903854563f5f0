"""Bad input, table-driven (issue 6): every constructor argument of every scheduler.

Each case builds one scheduler with one argument varied, on a torch optimizer, with torch and
with lrcore (``_pairs``-style: two identical optimizers). Outcomes:

- ``rejected-same-type``: torch raises; lrcore raises the same type (the same message where
  torch's does not depend on the value) and leaves the param groups exactly as they were before
  the call (keys, key order, value types, the very same objects). torch itself sometimes writes
  before raising (initial_lr, CyclicLR's lrs); lrcore never does (README, "Where lrcore
  deliberately differs").
- ``accepted-same-values``: both accept; the groups, get_last_lr, last_epoch and base_lrs are
  compared exactly, then a few steps (ReduceLROnPlateau: NaN and inf metrics among them) are
  compared exactly, including the same exception on a step where torch raises one.
- ``lrcore-stricter``: torch accepts at construction, lrcore raises the listed type there (before
  anything changes). Used where torch's object is broken anyway (it raises on a later step, or
  would keep a value no integer/float step can use) and for ints beyond int64, which lrcore
  refuses with OverflowError rather than wrapping.
- ``per-group-same-values``: a list (or tuple) with one value per param group for an argument
  lrcore takes per group (pytorch issue 63488; torch takes one scalar there and fails on a list,
  at once or at a later step): each group is compared exactly, after construction and every
  step, with torch built with that group's scalar (tests/_per_group.py), the state_dict with the
  torch runs' states merged.
- ``per-group-rejected``: such a list of the wrong length (ValueError, torch's _format_param
  message), or with an element the scalar check refuses (that check's error): lrcore raises the
  listed type before anything changes, whatever torch does with the list.

Every case runs in this process: a crash in C++ kills pytest, which fails the run.

``python tests/test_bad_input.py --markdown`` prints the table (tests/bad_input_table.md).
"""

from __future__ import annotations

import copy
import math
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

if __name__ == "__main__":  # --markdown: run from the repository root
    import os

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np
import pytest
import torch

from _pairs import (LR, SWA, TLR, TSWA, UNDER_TEST, Fn, Pair, _call, _resolve, diff,
                    opt_spec)
from _per_group import Runs, merged_state, scalar_kw

REJ = "rejected-same-type"
ACC = "accepted-same-values"
STRICT = "lrcore-stricter"
PER = "per-group-same-values"
PER_REJ = "per-group-rejected"

NAN, INF = float("nan"), float("inf")


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
# their outcomes: None for per-group-same-values, else the type of per-group-rejected
INT_PER = {"[3,5] (3,3)": None, "[3] [3,5,7] []": ValueError, "[3,1.5] [3,None]": TypeError,
           "[3,2**63]": OverflowError}
FLOAT_PER = {"[0.5,0.25] (0.5,0.5) [0.5,nan]": None, "[0.5]*3 []": ValueError,
             "[0.5,'0.5'] [0.5,None]": TypeError}

STRINGS = [V("''", ""), V("'foo'", "foo"), V("None", None), V("1", 1), V("upper", "UPPER")]
BOOLS = [V("True", True), V("False", False), V("0", 0), V("1", 1), V("None", None),
         V("'yes'", "yes"), V("np.bool_(True)", thunk(lambda: np.bool_(True)))]


# --------------------------------------------------------------------------------------------
# the cases


@dataclass
class Case:
    cls: str
    arg: str
    label: str
    kw: dict
    expect: str
    error: type | None = None  # STRICT: the type lrcore raises
    same_msg: bool = True  # REJ: compare messages too
    resume: bool = False  # the groups carry initial_lr etc. (last_epoch != -1)
    lrs: tuple = (0.1, 0.2)
    kind: str = "sgd"
    metrics: tuple = (1.0, NAN, 0.5, 0.5, INF, NAN, -INF, 0.1, 0.1, 0.1)
    steps: int = 8
    children: list | None = None  # composites: specs of the children, built first
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.cls}.{self.arg}={self.label}"


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

# What lrcore refuses where torch accepts (see the module docstring), by value label.
# int64 arguments: big ints do not wrap (OverflowError); a float count or epoch is refused as
# int() would refuse it (NaN: ValueError, inf: OverflowError) or else with TypeError; strings,
# None and lists (torch fails on them at a later step) with TypeError, except where lrcore takes
# one value per group (INT_PER, FLOAT_PER).
INT64_STRICT = {"2**63 2**70 -2**70 inf": OverflowError,
                "1.5 2.0 '3' None [3] tensor(3)": TypeError, "nan": ValueError}
# last_epoch = 2**63 - 1: the initial step would take it past int64.
EPOCH_STRICT = dict(INT64_STRICT, **{"2**63-1": OverflowError})
# float arguments: strings and None (torch fails on them at a later step, or never uses them).
# Tensors as hyperparameters: torch's arithmetic with them turns the float lrs into float32
# tensors; lrcore refuses them (TypeError) rather than compute different numbers.
FLOAT_STRICT = {"'0.5' None tensor(0.5)": TypeError}
# torch's messages that depend on the value (its incidental TypeErrors)
INCIDENTAL = "'0.5' None"


def vary(cls: str, arg: str, values: list[V], *, rejected: str = "", stricter: dict | None = None,
         any_msg: str = "", base: dict | None = None, omit: str = "",
         per_group: dict | None = None, **extra: Any) -> None:
    """One case per value of ``cls``'s ``arg``. ``rejected``/``any_msg``: space-separated labels
    torch rejects / whose message depends on the value; ``stricter``: {labels: error type};
    ``per_group``: {labels: None (per-group-same-values) or the per-group-rejected type}, for
    the arguments lrcore takes per group (it decides, whatever torch does with a list)."""
    per: dict[str, type | None] = {}
    for labels, err in (per_group or {}).items():
        for label in labels.split():
            per[label] = err
    rej = set(rejected.split()) - set(per)
    strict: dict[str, type] = {}
    for labels, err in (stricter or {}).items():
        for label in labels.split():
            if label not in rej and label not in per:  # torch rejects it too: the same type
                strict[label] = err
    msg_free = set(any_msg.split())
    known = {v.label for v in values}
    unknown = (rej | set(strict) | msg_free | set(omit.split()) | set(per)) - known
    assert not unknown, f"{cls}.{arg}: unknown labels {unknown}"
    for v in values:
        if v.label in omit.split():
            continue
        kw = {k: (x if isinstance(x, V) else V(repr(x), x))
              for k, x in (base if base is not None else BASE[cls]).items()}
        kw[arg] = v
        if v.label in per:
            err = per[v.label]
            note = ("one value per group" if err is None else
                    "wrong length" if err is ValueError and len(v.value) != 2 else "a bad element")
            CASES.append(Case(cls, arg, v.label, kw, PER if err is None else PER_REJ, error=err,
                              note=note, **extra))
            continue
        expect = REJ if v.label in rej else STRICT if v.label in strict else ACC
        CASES.append(Case(cls, arg, v.label, kw, expect, error=strict.get(v.label),
                          same_msg=v.label not in msg_free, **extra))


def case(cls: str, arg: str, label: str, kw: dict, expect: str = ACC, **extra: Any) -> None:
    CASES.append(Case(cls, arg, label, {k: (v if isinstance(v, V) else V(repr(v), v))
                                         for k, v in kw.items()}, expect, **extra))


def _build_table() -> None:
    # the optimizer argument (lrcore takes any object whose param_groups is a list of dicts, so
    # its message for a non-optimizer says so)
    for cls in BASE:
        if cls == "ChainedScheduler":
            continue
        for label, obj in (("object()", thunk(object)), ("None", None)):
            kw = {k: (v if isinstance(v, V) else V(repr(v), v)) for k, v in BASE[cls].items()}
            kw["opt"] = V(label, obj)
            CASES.append(Case(cls, "optimizer", label, kw, REJ,
                              same_msg=cls in ("SWALR", "SequentialLR")))
        for lrs in ((NAN, INF), (-INF, 0.0), (-0.1, 1e308), (5e-324, -0.0)):
            case(cls, "optimizer", "lrs=" + ",".join(map(repr, lrs)), BASE[cls], lrs=lrs)
    # last_epoch: resuming (initial_lr present), and fresh groups without initial_lr
    epoch_rejected = {"LambdaLR": "-2**70", "CosineAnnealingWarmRestarts": "nan inf",
                      "CyclicLR": "nan inf", "OneCycleLR": "2**31 2**62 2**63-1 2**63 2**70 inf"}
    for cls in LAST_EPOCH_CLASSES:
        extra = epoch_rejected.get(cls, "")
        strict = dict(EPOCH_STRICT)
        if cls == "CosineAnnealingWarmRestarts":  # T_cur is a float: exact to 2**53 only
            strict["2**62"] = OverflowError
        vary(cls, "last_epoch", INTS, resume=True, rejected="'3' None [3] " + extra,
             # LambdaLR: torch hands the lambda numpy epochs, and numpy's power rounds otherwise
             omit="np.int64(3)" if cls == "LambdaLR" else "",
             stricter=strict, any_msg="'3' None [3] " + ("-2**70" if cls == "LambdaLR" else ""))
        case(cls, "last_epoch", "0 (no initial_lr)", dict(BASE[cls], last_epoch=0),
             REJ if cls != "SequentialLR" else ACC,
             note="SequentialLR passes last_epoch + 1 to nobody: accepted" if cls == "SequentialLR" else "")
    for cls in ("LambdaLR", "MultiplicativeLR"):
        vary(cls, "lr_lambda", [
            V("fn", Fn("pow", 0.9)), V("obj", Fn("pow", 0.9, obj=True)),
            V("[fn]*2", [Fn("pow", 0.9), Fn("inv", 0.5)]), V("(fn,fn)", (Fn("pow", 0.9), Fn("pow", 0.5))),
            V("[fn]*3", [Fn("pow", 0.9)] * 3), V("[fn]", [Fn("pow", 0.9)]), V("[]", []),
            V("nan", Fn("const", NAN)), V("inf", Fn("const", INF)), V("-1", Fn("const", -1.0)),
            V("0", Fn("const", 0.0)), V("nan_at_2", Fn("nan_at", 2)),
            V("returns_str", thunk(lambda: lambda e: "x")),
            V("raises", thunk(lambda: lambda e: 1 / 0)),
            V("0.5", 0.5), V("None", None), V("[0.5,0.5]", [0.5, 0.5])],
            # MultiplicativeLR's initial step does not call the lambda: a bad one fails a step
            rejected="[fn]*3 [fn] [] 0.5 None [0.5,0.5]" +
                     (" returns_str raises" if cls == "LambdaLR" else ""),
            any_msg="returns_str 0.5 None [0.5,0.5]")
    vary("StepLR", "step_size", INTS + INT_LISTS, stricter=INT64_STRICT, per_group=INT_PER)
    for cls in ("StepLR", "MultiStepLR", "ExponentialLR"):
        vary(cls, "gamma", FLOATS + FLOAT_LISTS, stricter=FLOAT_STRICT, per_group=FLOAT_PER)
    vary("MultiStepLR", "milestones", [
        V("[]", []), V("[3,3]", [3, 3]), V("[5,1]", [5, 1]), V("[-1]", [-1]), V("[0]", [0]),
        V("[1.5]", [1.5]), V("[2.0]", [2.0]), V("[2**70]", [2**70]), V("[2**63-1]", [2**63 - 1]),
        V("[True]", [True]), V("(1,2)", (1, 2)), V("{1,2}", {1, 2}), V("range(3)", range(3)),
        V("np.array([1,2])", thunk(lambda: np.array([1, 2]))),
        V("[np.int64(2)]", thunk(lambda: [np.int64(2)])), V("None", None), V("3", 3),
        V("'12'", "12"), V("[nan]", [NAN]), V("[None]", [None])],
        rejected="3", stricter={"[1.5] None '12' [nan] [None]": TypeError, "[2**70]": OverflowError})
    vary("ConstantLR", "factor", FLOATS + FLOAT_LISTS + [V("[0.5,2.0]", [0.5, 2.0])],
         rejected="-0.5 2.0 inf -inf 1e308 2**70 '0.5' None", any_msg=INCIDENTAL,
         stricter=FLOAT_STRICT, per_group=dict(FLOAT_PER, **{"[0.5,2.0]": ValueError}))
    for cls in ("ConstantLR", "LinearLR", "PolynomialLR"):
        vary(cls, "total_iters", INTS + INT_LISTS, stricter=INT64_STRICT, per_group=INT_PER)
    vary("LinearLR", "start_factor", FLOATS + FLOAT_LISTS + [V("[0.5,0.0]", [0.5, 0.0])],
         rejected="0.0 -0.0 -0.5 2.0 inf -inf 1e308 2**70 '0.5' None", any_msg=INCIDENTAL,
         stricter=FLOAT_STRICT, per_group=dict(FLOAT_PER, **{"[0.5,0.0]": ValueError}))
    vary("LinearLR", "end_factor", FLOATS + FLOAT_LISTS + [V("[0.5,-0.5]", [0.5, -0.5])],
         rejected="-0.5 2.0 inf -inf 1e308 2**70 '0.5' None", any_msg=INCIDENTAL,
         stricter=FLOAT_STRICT, per_group=dict(FLOAT_PER, **{"[0.5,-0.5]": ValueError}))
    vary("PolynomialLR", "power", FLOATS + FLOAT_LISTS, stricter=FLOAT_STRICT,
         per_group=FLOAT_PER)
    # a float T_max is accepted (torch's float period test), so are floats in a list
    vary("CosineAnnealingLR", "T_max", INTS + INT_LISTS,
         stricter={"'3' None tensor(3)": TypeError},
         per_group={"[3,5] (3,3) [3,1.5] [3,2**63]": None, "[3] [3,5,7] []": ValueError,
                    "[3,None]": TypeError})
    vary("CosineAnnealingLR", "eta_min", FLOATS + FLOAT_LISTS, stricter=FLOAT_STRICT,
         per_group=FLOAT_PER)
    not_positive_int = "0 -1 False -2**70 1.5 2.0 nan inf np.int64(3) tensor(3) '3' None [3]"
    vary("CosineAnnealingWarmRestarts", "T_0", INTS, rejected=not_positive_int,
         stricter=INT64_STRICT)
    vary("CosineAnnealingWarmRestarts", "T_mult", INTS, rejected=not_positive_int,
         stricter=INT64_STRICT)
    vary("CosineAnnealingWarmRestarts", "eta_min", FLOATS + FLOAT_LISTS,
         rejected="np.int64(1) tensor(0.5) '0.5' None",  # torch's check, element by element:
         per_group=dict(FLOAT_PER, **{"[0.5,'0.5'] [0.5,None]": ValueError}))
    for arg in ("base_lr", "max_lr", "base_momentum", "max_momentum"):
        vary("CyclicLR", arg, FLOATS + [V("[0.01]*2", [0.01, 0.02]), V("[0.01]*3", [0.01] * 3),
                                        V("[]", [])],
             rejected="'0.5' None [0.01]*3 []", any_msg=INCIDENTAL, stricter=FLOAT_STRICT)
    vary("CyclicLR", "step_size_up", INTS, rejected="0 False nan None [3]")
    vary("CyclicLR", "step_size_down", INTS, rejected="nan inf [3]")
    vary("CyclicLR", "gamma", FLOATS, base=dict(BASE["CyclicLR"], mode="exp_range"),
         rejected="'0.5' None", any_msg=INCIDENTAL, stricter=FLOAT_STRICT)
    vary("CyclicLR", "mode", STRINGS + [V("'triangular2'", "triangular2"),
                                        V("'exp_range'", "exp_range")],
         rejected="'' 'foo' None 1 upper")
    vary("CyclicLR", "scale_fn", [V("None", None), V("fn", Fn("half")),
                                  V("obj", Fn("half", obj=True)), V("0.5", 0.5)],
         rejected="0.5", any_msg="0.5")
    vary("CyclicLR", "scale_mode", STRINGS + [V("'iterations'", "iterations")],
         base=dict(BASE["CyclicLR"], scale_fn=Fn("half")), stricter={"None 1": TypeError})
    vary("CyclicLR", "cycle_momentum", BOOLS)
    for arg in ("max_lr", "base_momentum", "max_momentum"):
        vary("OneCycleLR", arg, FLOATS + [V("[0.1]*2", [0.1, 0.2]), V("[0.1]*3", [0.1] * 3)],
             rejected="'0.5' None [0.1]*3", any_msg=INCIDENTAL, stricter=FLOAT_STRICT)
    vary("OneCycleLR", "total_steps", INTS, rejected=not_positive_int, stricter=INT64_STRICT)
    spe = {"max_lr": 0.1, "total_steps": None, "epochs": 2, "steps_per_epoch": 5}
    for arg in ("epochs", "steps_per_epoch"):  # total_steps = epochs * steps_per_epoch: int64
        vary("OneCycleLR", arg, INTS, base=spe, rejected=not_positive_int,
             stricter={"2**62 2**63-1 2**63 2**70": OverflowError})
    vary("OneCycleLR", "pct_start", FLOATS,
         rejected="-0.5 2.0 1 True inf -inf 1e308 2**70 np.int64(1) tensor(0.5) '0.5' None")
    vary("OneCycleLR", "anneal_strategy", STRINGS + [V("'linear'", "linear")],
         rejected="'' 'foo' None 1 upper")
    vary("OneCycleLR", "cycle_momentum", BOOLS)
    for arg in ("div_factor", "final_div_factor"):
        vary("OneCycleLR", arg, FLOATS, rejected="0.0 -0.0 '0.5' None", any_msg=INCIDENTAL,
             stricter=FLOAT_STRICT)
    vary("OneCycleLR", "three_phase", BOOLS)
    vary("SWALR", "swa_lr", FLOATS + [V("[0.05]*2", [0.05, 0.06]), V("[0.05]*3", [0.05] * 3)],
         rejected="'0.5' None [0.05]*3", any_msg=INCIDENTAL, stricter=FLOAT_STRICT)
    vary("SWALR", "anneal_epochs", INTS,
         rejected="-1 -2**70 1.5 2.0 nan inf np.int64(3) tensor(3) '3' None [3]",
         stricter=INT64_STRICT)
    vary("SWALR", "anneal_strategy", STRINGS + [V("'linear'", "linear")],
         rejected="'' 'foo' None 1 upper")
    vary("ReduceLROnPlateau", "mode", STRINGS + [V("'max'", "max")],
         rejected="'' 'foo' None 1 upper")
    vary("ReduceLROnPlateau", "factor", FLOATS,
         rejected="1.0 2.0 1 True inf 1e308 2**70 np.int64(1) '0.5' None",
         stricter=FLOAT_STRICT)
    vary("ReduceLROnPlateau", "patience", INTS, stricter=INT64_STRICT)
    vary("ReduceLROnPlateau", "threshold", FLOATS, stricter=FLOAT_STRICT,
         omit="np.int64(1)")  # torch computes with numpy then, and numpy warns (inf * 0)
    vary("ReduceLROnPlateau", "threshold_mode", STRINGS + [V("'abs'", "abs")],
         rejected="'' 'foo' None 1 upper")
    vary("ReduceLROnPlateau", "cooldown", INTS, stricter=INT64_STRICT)
    vary("ReduceLROnPlateau", "min_lr", FLOATS + [V("[0.01]*2", [0.01, 0.02]),
                                                  V("[0.01]*3", [0.01] * 3), V("[]", [])],
         rejected="[0.01]*3 []", stricter=FLOAT_STRICT)
    vary("ReduceLROnPlateau", "eps", FLOATS, stricter=FLOAT_STRICT)
    vary("SequentialLR", "milestones", [
        V("[]", []), V("[2,3]", [2, 3]), V("[0]", [0]), V("[-1]", [-1]), V("[2**70]", [2**70]),
        V("[2**63-1]", [2**63 - 1]), V("[1.5]", [1.5]), V("[True]", [True]), V("None", None),
        V("(2,)", (2,)), V("[np.int64(2)]", thunk(lambda: [np.int64(2)]))],
        rejected="[] [2,3] None", stricter={"[2**70]": OverflowError, "[1.5]": TypeError})
    vary("SequentialLR", "schedulers", [V("[]", []), V("[object()]", thunk(lambda: [object()]))],
         rejected="[] [object()]")
    vary("ChainedScheduler", "schedulers",
         [V("[]", []), V("[object()]", thunk(lambda: [object()]))], rejected="[] [object()]")
    vary("ChainedScheduler", "optimizer", [V("None", None), V("object()", thunk(object))],
         rejected="object()")


_build_table()


# --------------------------------------------------------------------------------------------
# running a case


def _frozen_value(v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return ("tensor", v.dtype, v.shape, v.detach().clone().tolist(), v._version)
    if isinstance(v, float):
        return ("float", type(v), "nan" if v != v else v.hex())
    if isinstance(v, (list, tuple)):
        return (type(v), tuple(_frozen_value(x) for x in v))
    if isinstance(v, dict):
        return (type(v), tuple((k, _frozen_value(x)) for k, x in v.items()))
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


RESUME_KEYS = {"initial_lr": None, "max_lr": 0.5, "min_lr": 1e-4, "max_momentum": 0.95,
               "base_momentum": 0.85}


def _plain(a: Any, b: Any, key: Any = None) -> Any:
    """torch's value ``a`` as lrcore gives it back (``b``): numbers are numbers (README): a bool
    or numpy scalar given as a hyperparameter comes back as a Python number, a truthy
    cycle_momentum as a bool, a tuple of milestones as a list."""
    if key == "cycle_momentum":
        return bool(a)
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(a, bool) and not isinstance(b, bool):
        return int(a)
    if isinstance(a, dict) and isinstance(b, dict):
        return type(a)({k: _plain(x, b.get(k), k) for k, x in a.items()})
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        return type(b)(_plain(x, y) for x, y in zip(a, b))
    return a


SCHEDULER_KEYS = {"lr", "initial_lr", "momentum", "max_lr", "min_lr", "max_momentum",
                  "base_momentum", "swa_lr", "betas"}


class NormalizedPair(Pair):
    """Pair whose torch side is read through _plain (see above)."""

    def check_groups(self, where: str) -> None:
        for a, b in zip(self.opt_t.param_groups, self.opt_l.param_groups):
            da = {k: (_plain(v, b.get(k)) if k in SCHEDULER_KEYS else v)
                  for k, v in a.items() if k != "params"}
            db = {k: v for k, v in b.items() if k != "params"}
            d = diff(da, db, "param_groups")
            if d:
                raise AssertionError(f"{where}: {d}")

    def check_sched(self, i: int, where: str) -> None:
        st_, sl_ = self.scheds[i]
        pairs = [("get_last_lr()", st_.get_last_lr(), sl_.get_last_lr())]
        for attr in ("last_epoch", "base_lrs"):
            if hasattr(st_, attr):
                pairs.append((attr, getattr(st_, attr), getattr(sl_, attr)))
        for name, a, b in pairs:
            d = diff(_plain(a, b), b, f"sched[{i}].{name}")
            if d:
                raise AssertionError(f"{where}: {d}")

    def check_state_dicts(self, where: str = "") -> None:
        if self.retired is not None:
            return
        for i, (st_, sl_) in enumerate(self.scheds):
            b = sl_.state_dict()
            d = diff(_plain(st_.state_dict(), b), b, f"sched[{i}].state_dict()")
            if d:
                raise AssertionError(f"{where}: {d}")


def make_pair(c: Case) -> Pair:
    extra = None
    if c.resume:
        extra = [{k: (lr if v is None else v) for k, v in RESUME_KEYS.items()} for lr in c.lrs]
    finite = tuple(lr if isinstance(lr, float) and math.isfinite(lr) and lr >= 0 else 0.1
                   for lr in c.lrs)
    pair = NormalizedPair(opt_spec(c.kind, finite, extra=extra), c.id)
    for opt in (pair.opt_t, pair.opt_l):
        for g, lr in zip(opt.param_groups, c.lrs):
            g["lr"] = lr
    return pair


def _ctor(c: Case, mod: Any, swa: Any, opt: Any) -> Callable[[], Any]:
    """Build the children (outside the checked call) and return the constructor call."""
    kw = {k: v.make() for k, v in c.kw.items()}
    target = kw.pop("opt", opt)  # the optimizer argument, when varied
    if c.cls == "SWALR":
        return lambda: swa.SWALR(target, **kw)
    klass = getattr(mod, c.cls)
    if c.cls in ("SequentialLR", "ChainedScheduler"):
        from _pairs import build

        children = kw.pop("schedulers", None)
        if children is None:
            children = [build(s, opt, mod, swa) for s in (c.children or CHILDREN)]
        if c.cls == "SequentialLR":
            return lambda: klass(target, children, **kw)
        return lambda: klass(children, **kw)
    return lambda: klass(target, **kw)


def run_per_group_case(c: Case) -> None:
    """A per-group list: compared group by group with torch (see tests/_per_group.py), or
    rejected with the listed type before anything changes."""
    kw = {k: v.make() for k, v in c.kw.items()}
    if c.expect == PER_REJ:
        pair = make_pair(c)
        before = freeze_groups(pair.opt_l)
        _, el, _ = _call(lambda: getattr(LR, c.cls)(pair.opt_l, **kw))
        assert isinstance(el, c.error), f"[{c.id}]: lrcore gave {el!r}, expected {c.error.__name__}"
        assert str(el), f"[{c.id}] an empty message"
        assert_groups_unchanged(before, pair.opt_l, f"[{c.id}]")
        return
    runs = Runs(opt_spec(c.kind, c.lrs), lambda o: getattr(LR, c.cls)(o, **kw),
                lambda o, g: getattr(TLR, c.cls)(o, **scalar_kw(c.cls, kw, g)), c.id,
                merged_state(c.cls, kw))
    assert not runs.retired, f"[{c.id}]: torch raised with a group's scalar"
    for _ in range(c.steps):
        runs.step()


def run_case(c: Case) -> None:
    if c.expect in (PER, PER_REJ):
        if UNDER_TEST == "lrcore":  # torch takes no lists there: nothing to compare it with
            run_per_group_case(c)
        return
    pair = make_pair(c)
    where = f"[{c.id}]"
    call_t = _ctor(c, TLR, TSWA, pair.opt_t)
    call_l = _ctor(c, LR, SWA, pair.opt_l)
    before = freeze_groups(pair.opt_l)
    st_, et, wt = _call(call_t)
    sl_, el, wl = _call(call_l)
    observed = "rejected" if et is not None else "accepted"
    if c.expect == REJ:
        assert et is not None, f"{where}: torch accepted (table says {c.expect})"
        assert isinstance(el, type(et)), f"{where}: torch raised {et!r}, lrcore raised {el!r}"
        if c.same_msg and UNDER_TEST != "torch":
            assert str(el) == str(et), f"{where}: messages differ: {str(et)!r} vs {str(el)!r}"
    else:
        assert et is None, f"{where}: torch raised {et!r} (table says {c.expect})"
    if c.expect == STRICT and UNDER_TEST != "torch":
        assert isinstance(el, c.error), f"{where}: lrcore gave {el!r}, expected {c.error.__name__}"
        assert str(el), f"{where}: an empty message"
    if el is not None or (c.expect == STRICT and UNDER_TEST != "torch"):
        if UNDER_TEST != "torch":
            assert_groups_unchanged(before, pair.opt_l, where)
        return
    if c.expect == STRICT:  # torch under test
        return
    assert observed == "accepted"
    assert el is None, f"{where}: lrcore raised {el!r}, torch did not"
    assert wt == wl, f"{where}: warnings differ: {wt} vs {wl}"
    pair.scheds.append((st_, sl_))
    pair.check(where + " construct")
    for k in range(c.steps):
        if c.cls == "ReduceLROnPlateau":
            pair.call(0, "step", c.metrics[k % len(c.metrics)], opt_step=True)
        else:
            pair.call(0, "step", opt_step=True)
    pair.check_state_dicts(where + " after steps")


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
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


# --------------------------------------------------------------------------------------------
# Malformed state dicts (issue 6, part 3)
#
# Each case saves a scheduler's state after two steps, breaks it, and loads it. Rejected cases:
# the error type in the table, then the scheduler and its children are exactly as they were
# (state_dict equal, the groups the same objects) and step as an untouched twin does. Accepted
# cases (NaN values): loaded into torch and lrcore alike, then stepped and compared exactly.
# The markdown's "torch" column says what torch's load_state_dict does with the same state
# (mostly nothing: it is __dict__.update), i.e. where lrcore is stricter.

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


@dataclass
class StateCase:
    spec: str
    label: str
    mutate: Callable[[dict], Any]
    error: type | None  # None: accepted (compared with torch)

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


def _state_table() -> None:
    def add(spec: str, label: str, mutate: Callable[[dict], Any], error: type | None) -> None:
        STATE_CASES.append(StateCase(spec, label, mutate, error))

    other = {"StepLR": "ExponentialLR-like", "ReduceLROnPlateau": "StepLR"}
    for spec in STATE_SPECS:
        composite = "children" in STATE_SPECS[spec]
        plateau = spec == "ReduceLROnPlateau"
        add(spec, "not a dict", lambda sd: list(sd.items()), TypeError)
        add(spec, "None", lambda sd: None, TypeError)
        add(spec, "missing _last_lr", _del("_last_lr"), KeyError)
        add(spec, "extra key", _set("bogus", 1), KeyError)
        add(spec, "_last_lr too short", _set("_last_lr", [0.1]), ValueError)
        add(spec, "_last_lr too long", _set("_last_lr", [0.1, 0.2, 0.3]), ValueError)
        add(spec, "_last_lr scalar", _set("_last_lr", 0.1), TypeError)
        add(spec, "_last_lr [str]", _set("_last_lr", ["0.1", 0.2]), TypeError)
        add(spec, "_last_lr [None]", _set("_last_lr", [None, 0.2]), TypeError)
        add(spec, "_last_lr NaN", _set("_last_lr", [NAN, INF]), None)
        if spec != "ChainedScheduler":
            add(spec, "last_epoch str", _set("last_epoch", "3"), TypeError)
            add(spec, "last_epoch None", _set("last_epoch", None), TypeError)
            add(spec, "last_epoch [3]", _set("last_epoch", [3]), TypeError)
            add(spec, "last_epoch 2.5", _set("last_epoch", 2.5), TypeError)
            add(spec, "last_epoch NaN", _set("last_epoch", NAN), ValueError)
            add(spec, "last_epoch 2**70", _set("last_epoch", 2**70), OverflowError)
            add(spec, "last_epoch True", _set("last_epoch", True), TypeError)
        if not composite and not plateau:
            add(spec, "missing base_lrs", _del("base_lrs"), KeyError)
            add(spec, "base_lrs too short", _set("base_lrs", [0.1]), ValueError)
            add(spec, "base_lrs str", _set("base_lrs", "0.1"), TypeError)
            add(spec, "base_lrs NaN", _set("base_lrs", [NAN, 0.2]), None)
            add(spec, "_step_count -1", _set("_step_count", -1), ValueError)
            add(spec, "_step_count 1.5", _set("_step_count", 1.5), TypeError)
            add(spec, "_is_initial str", _set("_is_initial", "no"), TypeError)
            add(spec, "ReduceLROnPlateau's state", lambda sd: _plateau_state(), KeyError)
        if composite:
            add(spec, "_schedulers one short", _with(lambda sd: sd["_schedulers"].pop()), ValueError)
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
    add("SequentialLR", "_milestones too many", _set("_milestones", [1, 2]), ValueError)
    add("SequentialLR", "_milestones [str]", _set("_milestones", ["1"]), TypeError)
    add("SequentialLR", "_milestones 2**70", _set("_milestones", [2**70]), OverflowError)
    add("StepLR", "step_size str", _set("step_size", "2"), TypeError)
    add("StepLR", "gamma None", _set("gamma", None), TypeError)
    # gamma may be a list with one value per param group (two here); each an int or float
    add("StepLR", "gamma [0.5]", _set("gamma", [0.5]), ValueError)
    add("StepLR", "gamma [0.5, '0.5']", _set("gamma", [0.5, "0.5"]), TypeError)
    add("StepLR", "gamma [[0.5], 0.5]", _set("gamma", [[0.5], 0.5]), TypeError)
    add("StepLR", "step_size [2, 2.5]", _set("step_size", [2, 2.5]), TypeError)
    add("CosineAnnealingLR", "T_max [4]*3", _set("T_max", [4, 4, 4]), ValueError)
    add("StepLR", "gamma NaN", _set("gamma", NAN), None)
    add("StepLR", "ExponentialLR's state", lambda sd: _exp_state(), KeyError)
    add("MultiStepLR", "milestones str", _set("milestones", "13"), TypeError)
    add("MultiStepLR", "milestones None", _set("milestones", None), TypeError)
    add("MultiStepLR", "milestones negative count", _set("milestones", Counter({1: -1})), ValueError)
    add("MultiStepLR", "milestones str keys", _set("milestones", Counter({"1": 1})), TypeError)
    add("MultiStepLR", "milestones empty", _set("milestones", Counter()), None)
    add("LambdaLR", "lr_lambdas too long", _set("lr_lambdas", [None, None, None]), ValueError)
    add("LambdaLR", "lr_lambdas [5, None]", _set("lr_lambdas", [5, None]), TypeError)
    add("LambdaLR", "missing lr_lambdas", _del("lr_lambdas"), KeyError)
    add("CosineAnnealingLR", "T_max str", _set("T_max", "4"), TypeError)
    add("CosineAnnealingLR", "eta_min NaN", _set("eta_min", NAN), None)
    add("CosineAnnealingWarmRestarts", "T_i 0", _set("T_i", 0), ValueError)
    add("CosineAnnealingWarmRestarts", "T_i -2", _set("T_i", -2), ValueError)
    add("CosineAnnealingWarmRestarts", "T_0 0", _set("T_0", 0), ValueError)
    add("CosineAnnealingWarmRestarts", "T_mult 0", _set("T_mult", 0), ValueError)
    add("CosineAnnealingWarmRestarts", "T_cur str", _set("T_cur", "1"), TypeError)
    add("CyclicLR", "max_lrs too short", _set("max_lrs", [0.1]), ValueError)
    add("CyclicLR", "base_momentums 3", _set("base_momentums", [0.8] * 3), ValueError)
    add("CyclicLR", "mode 3", _set("mode", 3), TypeError)
    add("CyclicLR", "total_size str", _set("total_size", "4"), TypeError)
    add("CyclicLR", "cycle_momentum str", _set("cycle_momentum", "yes"), TypeError)
    add("CyclicLR", "_scale_fn_custom 5", _set("_scale_fn_custom", 5), TypeError)
    add("CyclicLR", "missing max_lrs", _del("max_lrs"), KeyError)
    add("CyclicLR", "max_lrs NaN", _set("max_lrs", [NAN, 0.1]), None)
    add("OneCycleLR", "_schedule_phases []", _set("_schedule_phases", []), TypeError)
    add("OneCycleLR", "phase lacks end_step",
        _with(lambda sd: sd["_schedule_phases"][0].pop("end_step")), KeyError)
    add("OneCycleLR", "phase bad key name",
        _with(lambda sd: sd["_schedule_phases"][0].__setitem__("end_lr", "lr")), ValueError)
    add("OneCycleLR", "phase not a dict", _set("_schedule_phases", [1, 2]), TypeError)
    add("OneCycleLR", "total_steps 0", _set("total_steps", 0), ValueError)
    add("OneCycleLR", "total_steps str", _set("total_steps", "20"), TypeError)
    add("OneCycleLR", "_anneal_func_type foo", _set("_anneal_func_type", "foo"), ValueError)
    add("SWALR", "_anneal_strategy foo", _set("_anneal_strategy", "foo"), ValueError)
    add("SWALR", "anneal_epochs -1", _set("anneal_epochs", -1), ValueError)
    add("ReduceLROnPlateau", "mode foo", _set("mode", "foo"), ValueError)
    add("ReduceLROnPlateau", "threshold_mode foo", _set("threshold_mode", "foo"), ValueError)
    add("ReduceLROnPlateau", "min_lrs too long", _set("min_lrs", [0.0] * 3), ValueError)
    add("ReduceLROnPlateau", "num_bad_epochs -1", _set("num_bad_epochs", -1), ValueError)
    add("ReduceLROnPlateau", "cooldown_counter -3", _set("cooldown_counter", -3), ValueError)
    add("ReduceLROnPlateau", "patience 1.5", _set("patience", 1.5), TypeError)
    add("ReduceLROnPlateau", "default_min_lr str", _set("default_min_lr", "0"), TypeError)
    add("ReduceLROnPlateau", "best NaN", _set("best", NAN), None)
    add("ReduceLROnPlateau", "factor NaN", _set("factor", NAN), None)
    add("ReduceLROnPlateau", "missing best", _del("best"), KeyError)
    add("ReduceLROnPlateau", "StepLR's state", lambda sd: _step_state(), KeyError)


def _exp_state() -> dict:
    return _state_of({"cls": "ExponentialLR", "kw": {"gamma": 0.9}})


def _step_state() -> dict:
    return _state_of(STATE_SPECS["StepLR"])


def _plateau_state() -> dict:
    return _state_of(STATE_SPECS["ReduceLROnPlateau"])


def _state_of(spec: dict) -> dict:
    from _pairs import build, make_opt

    opt = make_opt(opt_spec("sgd", (0.1, 0.2)))
    return build(spec, opt, LR, SWA).state_dict()


def _state_step(sched: Any, opt: Any, k: int) -> None:
    opt.step()
    if type(sched).__name__ == "ReduceLROnPlateau":
        sched.step((1.0, NAN, 0.5, 2.0, 0.1)[k % 5])
    else:
        sched.step()


_state_table()


def _build_state_pair(spec: dict) -> tuple[Any, Any, Any, Any]:
    from _pairs import build, make_opt

    opts = [make_opt(opt_spec("sgd", (0.1, 0.2))) for _ in range(2)]
    scheds = [build(spec, o, LR, SWA) for o in opts]
    for k in range(2):
        for s, o in zip(scheds, opts):
            _state_step(s, o, k)
    return scheds[0], opts[0], scheds[1], opts[1]


@pytest.mark.parametrize("c", STATE_CASES, ids=[c.id for c in STATE_CASES])
def test_bad_state_dict(c: StateCase) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if c.error is None:
            _accepted_state(c)
            return
        sched, opt, twin, twin_opt = _build_state_pair(STATE_SPECS[c.spec])
        bad = c.mutate(copy.deepcopy(sched.state_dict()))
        before_state = copy.deepcopy(sched.state_dict())
        before_groups = freeze_groups(opt)
        with pytest.raises(c.error) as info:
            sched.load_state_dict(bad)
        assert str(info.value), f"[{c.id}] an empty message"
        d = diff(before_state, sched.state_dict(), "state_dict after the failed load")
        assert d is None, f"[{c.id}] {d}"
        assert_groups_unchanged(before_groups, opt, f"[{c.id}]")
        for k in range(2, 6):
            _state_step(sched, opt, k)
            _state_step(twin, twin_opt, k)
            d = diff(twin.get_last_lr(), sched.get_last_lr(), "get_last_lr") or diff(
                twin.state_dict(), sched.state_dict(), "state_dict")
            assert d is None, f"[{c.id}] after a failed load, step {k}: {d}"


def _accepted_state(c: StateCase) -> None:
    """Both load the broken state (torch's own state, broken the same way) and step alike."""
    spec = STATE_SPECS[c.spec]
    pair = NormalizedPair(opt_spec("sgd", (0.1, 0.2)), c.id)
    assert pair.construct(spec, check=False)
    pair.scheds[0] = (pair.scheds[0][0], pair.scheds[0][1])
    is_plateau = spec["cls"] == "ReduceLROnPlateau"
    for k in range(2):
        pair.call(0, "step", *((1.0,) if is_plateau else ()), opt_step=True)
    st_, sl_ = pair.scheds[0]
    bad_t = c.mutate(copy.deepcopy(st_.state_dict()))
    bad_l = c.mutate(copy.deepcopy(sl_.state_dict()))
    pair.nops += 1
    st_.load_state_dict(bad_t)
    sl_.load_state_dict(bad_l)
    pair.check_state_dicts(f"[{c.id}] after the load")
    for k in range(2, 6):
        pair.call(0, "step", *(((1.0, NAN, 0.5, 2.0)[k % 4],) if is_plateau else ()),
                  opt_step=True)
    pair.check_state_dicts(f"[{c.id}] after steps")


def _torch_state_outcome(c: StateCase) -> str:
    """What torch's load_state_dict does with the same broken state (for the markdown)."""
    from _pairs import build, make_opt

    if c.error is None:
        return "accepts"
    opt = make_opt(opt_spec("sgd", (0.1, 0.2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = build(STATE_SPECS[c.spec], opt, TLR, TSWA)
        try:
            bad = c.mutate(copy.deepcopy(s.state_dict()))
        except Exception as e:  # noqa: BLE001 -- torch's state differs in shape
            return f"n/a ({type(e).__name__} breaking it)"
        try:
            s.load_state_dict(bad)
        except Exception as e:  # noqa: BLE001
            return f"raises {type(e).__name__}"
        try:
            for k in range(3):
                _state_step(s, opt, k)
        except Exception as e:  # noqa: BLE001
            return f"accepts; a later step raises {type(e).__name__}"
    return "accepts"


def markdown() -> str:
    counts = Counter(c.expect for c in CASES)
    lines = ["# Bad-input cases (generated: `python tests/test_bad_input.py --markdown`)", "",
             f"{len(CASES)} cases: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
             "", "| scheduler | argument | value | outcome | note |", "|---|---|---|---|---|"]
    for c in CASES:
        outcome = c.expect + (f" ({c.error.__name__})" if c.error else "")
        lines.append(f"| {c.cls} | {c.arg} | `{c.label}` | {outcome} | {c.note} |")
    rejected = sum(1 for c in STATE_CASES if c.error is not None)
    lines += ["", "# Malformed state dicts", "",
              f"{len(STATE_CASES)} cases: {rejected} rejected (scheduler left exactly as it was), "
              f"{len(STATE_CASES) - rejected} accepted (compared with torch).", "",
              "| scheduler | state | lrcore | torch 2.13 |", "|---|---|---|---|"]
    for c in STATE_CASES:
        lrcore = f"raises {c.error.__name__}" if c.error else "accepts, same values"
        lines.append(f"| {c.spec} | {c.label} | {lrcore} | {_torch_state_outcome(c)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--markdown" in sys.argv:
        sys.stdout.write(markdown())
    elif "--discover" in sys.argv:
        # For writing the table: what torch and lrcore do with each case, whatever it expects.
        for c in CASES:
            pair = make_pair(c)
            _, et, _ = _call(_ctor(c, TLR, TSWA, pair.opt_t))
            _, el, _ = _call(_ctor(c, LR, SWA, pair.opt_l))
            tag = "ok" if (et is None) == (c.expect != REJ) else "TABLE?"
            print(f"{tag:6} {c.id:60} torch={type(et).__name__ if et else '-':18} "
                  f"lrcore={type(el).__name__ if el else '-':18} {str(et)[:60] if et else ''}")
