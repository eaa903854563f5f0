"""Per-group arguments (pytorch issue 63488): a list with one value per param group where torch
takes one scalar, differential against torch 2.13.

The oracle (tests/_per_group.py, ``Runs``): for each group g, a torch optimizer with the same
groups driven by torch's scheduler built with the scalar ``values[g]``. lrcore's group g must be
torch's group g of run g, bit for bit, after construction and after every operation, and the
state_dict must be the torch runs' states merged (a list for each argument given per group).

Operations: ``step()``, the deprecated ``step(epoch)`` (closed form), ``simulate()`` (against the
steps that follow), ``state_dict()``/``load_state_dict()`` into a scheduler rebuilt on a rebuilt
optimizer (built with scalars, so the lists come from the state), pickle and deepcopy of the
optimizer with its scheduler, assigning per-group values, resuming with ``last_epoch=``, and
SequentialLR / ChainedScheduler of per-group children.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings
from collections import Counter
from typing import Any

import pytest
import torch
import torch.optim.lr_scheduler as TLR
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import UNDER_TEST, diff, hsettings, lr_floats, make_opt, opt_spec  # noqa: E402
from _per_group import (  # noqa: E402
    PER_GROUP_ARGS, Runs, given_per_group, merged_state, number, scalar_kw,
)

if UNDER_TEST != "lrcore":  # torch takes no lists here: nothing to validate the suite against
    pytest.skip("per-group arguments are lrcore's own", allow_module_level=True)

import lrcore.lr_scheduler as LR  # noqa: E402
from lrcore.app import plot  # noqa: E402

NAN, INF = float("nan"), float("inf")

# Every argument that may be per group, by class, with the values a scalar may take (the
# shapes a trainer passes, and edges the scalar path accepts: NaN, infinities, zeros,
# ZeroDivisionError at some step).
gamma_values = st.one_of(st.sampled_from([0.1, 0.5, 0.9, 1.0, 0.0, -0.0, 2.0, 1e-300]),
                         st.floats(0.01, 1.2), st.sampled_from([NAN, INF, 1]))
PER_GROUP: dict[str, dict[str, Any]] = {
    "StepLR": {"step_size": st.one_of(st.integers(1, 12), st.integers(-4, 40)),
               "gamma": gamma_values},
    "MultiStepLR": {"gamma": gamma_values},
    "ConstantLR": {"factor": st.one_of(st.sampled_from([0.0, 1.0, 1.0 / 3, 0.5, 0.1, -0.0, NAN, 1]),
                                       st.floats(0.0, 1.0)),
                   "total_iters": st.integers(-2, 15)},
    "LinearLR": {"start_factor": st.one_of(st.sampled_from([1.0, 1.0 / 3, 0.5, 0.1, 1e-3, 5e-324, 1]),
                                           st.floats(1e-4, 1.0)),
                 "end_factor": st.one_of(st.sampled_from([0.0, 1.0, 0.5, -0.0, 0]), st.floats(0.0, 1.0)),
                 "total_iters": st.integers(-2, 15)},
    "ExponentialLR": {"gamma": gamma_values},
    "PolynomialLR": {"total_iters": st.integers(0, 20),
                     "power": st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, -1.0, 1]),
                                        st.floats(0.0, 5.0))},
    # ints and floats for T_max (torch's period test is integer arithmetic for an int)
    "CosineAnnealingLR": {"T_max": st.one_of(st.integers(1, 30), st.integers(-3, 0),
                                             st.sampled_from([10.0, 4.0, 7.5, 0.5, 2.25]),
                                             st.floats(0.5, 30.0)),
                          "eta_min": st.one_of(st.sampled_from([0.0, 1e-6, 1e-3, 0, -0.01, NAN]),
                                               st.floats(0.0, 0.5))},
    "CosineAnnealingWarmRestarts": {"eta_min": st.one_of(st.sampled_from([0.0, 0, 1e-5, True, -0.0]),
                                                         st.floats(0.0, 0.2))},
}
REQUIRED = {"StepLR": ("step_size",), "ExponentialLR": ("gamma",),
            "CosineAnnealingLR": ("T_max",)}
# Arguments that stay scalar (shared by all groups)
SHARED: dict[str, dict[str, Any]] = {
    "MultiStepLR": {"milestones": st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)),
                                           max_size=6)},
    "CosineAnnealingWarmRestarts": {"T_0": st.integers(1, 10), "T_mult": st.integers(1, 3)},
}
CLASSES = list(PER_GROUP)
assert {c: tuple(a) for c, a in PER_GROUP.items()} == PER_GROUP_ARGS


def leaf_runs(cls: str, kw: dict, ospec: dict, label: str = "", last_epoch: int | None = None) -> Runs:
    extra = {} if last_epoch is None else {"last_epoch": last_epoch}
    return Runs(ospec, lambda o: getattr(LR, cls)(o, **kw, **extra),
                lambda o, g: getattr(TLR, cls)(o, **scalar_kw(cls, kw, g), **extra),
                label or f"{cls}({kw})", merged_state(cls, kw))


@st.composite
def per_group_kw(draw, cls: str, n: int) -> dict:
    """Arguments for ``cls`` on n groups: each per-group argument left out (where optional),
    scalar, a list (random values, or one value repeated) or a tuple."""
    kw = {k: draw(s) for k, s in SHARED.get(cls, {}).items()}
    for arg, elem in PER_GROUP[cls].items():
        modes = ["scalar", "list", "list", "same", "tuple"]
        if arg not in REQUIRED.get(cls, ()):
            modes.append("omit")
        mode = draw(st.sampled_from(modes))
        if mode == "omit":
            continue
        if mode == "scalar":
            kw[arg] = draw(elem)
        elif mode == "same":
            kw[arg] = [draw(elem)] * n
        else:
            values = draw(st.lists(elem, min_size=n, max_size=n))
            kw[arg] = tuple(values) if mode == "tuple" else values
    return kw


@st.composite
def optimizers(draw, min_groups: int = 1, max_groups: int = 5, resume: bool = False) -> dict:
    n = draw(st.integers(min_groups, max_groups))
    lrs = draw(st.lists(lr_floats, min_size=n, max_size=n))
    extra = [{"initial_lr": draw(lr_floats)} for _ in range(n)] if resume else None
    return opt_spec("sgd", lrs, momenta=[0.9] * n, extra=extra)


def _ops(cls: str):
    epoch = st.integers(0, 45)
    if cls == "CosineAnnealingWarmRestarts":
        epoch = st.one_of(epoch, st.floats(0.0, 45.0))
    return st.lists(st.one_of(
        st.tuples(st.just("step"), st.integers(1, 10)),
        st.tuples(st.just("step"), st.integers(1, 10)),
        st.tuples(st.just("epoch"), epoch),
        st.tuples(st.just("simulate"), st.integers(0, 8)),
        st.tuples(st.sampled_from(["pickle", "deepcopy", "resume"]), st.none()),
    ), max_size=8)


def run_ops(runs: Runs, cls: str, kw: dict, ops: list) -> None:
    for op, arg in ops:
        if op == "step":
            for _ in range(arg):
                runs.step()
        elif op == "epoch":
            runs.step(arg)
        elif op == "simulate":
            runs.simulate_then_step(arg)
        elif op == "resume":  # rebuilt with scalars: the per-group values come from the state
            runs.resume(lambda o: getattr(LR, cls)(o, **scalar_kw(cls, kw, 0)))
        else:
            runs.copy(op)


# --------------------------------------------------------------------------------------------
# differential tests


@pytest.mark.parametrize("cls", CLASSES)
@hsettings(120)
@given(data=st.data())
def test_per_group_against_torch(cls, data):
    """step(), step(epoch), simulate(), state round trips, pickle/deepcopy: group g == torch
    built with values[g]."""
    ospec = data.draw(optimizers(), label="optimizer")
    kw = data.draw(per_group_kw(cls, len(ospec["lrs"])), label="kwargs")
    runs = leaf_runs(cls, kw, ospec)
    if runs.retired:
        return
    run_ops(runs, cls, kw, data.draw(_ops(cls), label="ops"))
    for _ in range(12):
        runs.step()


@pytest.mark.parametrize("cls", CLASSES)
@hsettings(40)
@given(data=st.data())
def test_per_group_resume_with_last_epoch(cls, data):
    """Built with last_epoch=k on groups that carry initial_lr (torch's resume), then stepped."""
    ospec = data.draw(optimizers(resume=True), label="optimizer")
    kw = data.draw(per_group_kw(cls, len(ospec["lrs"])), label="kwargs")
    last_epoch = data.draw(st.integers(0, 40), label="last_epoch")
    runs = leaf_runs(cls, kw, ospec, last_epoch=last_epoch)
    for _ in range(15):
        runs.step()


COMPOSITE_CHILDREN = ["StepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                      "CosineAnnealingLR", "MultiStepLR", "CosineAnnealingWarmRestarts"]


@pytest.mark.parametrize("composite", ["SequentialLR", "ChainedScheduler"])
@hsettings(60)
@given(data=st.data())
def test_per_group_children_of_composites(composite, data):
    """SequentialLR and ChainedScheduler of per-group children: group g == torch's composite of
    children built with values[g]."""
    ospec = data.draw(optimizers(), label="optimizer")
    n = len(ospec["lrs"])
    classes = data.draw(st.lists(st.sampled_from(COMPOSITE_CHILDREN), min_size=1, max_size=3),
                        label="children")
    kws = [data.draw(per_group_kw(c, n), label=f"{c} kwargs") for c in classes]
    milestones = sorted(data.draw(st.lists(st.integers(0, 20), min_size=len(classes) - 1,
                                           max_size=len(classes) - 1), label="milestones"))

    def build(mod: Any, o: Any, g: int | None) -> Any:
        kids = [getattr(mod, c)(o, **(kw if g is None else scalar_kw(c, kw, g)))
                for c, kw in zip(classes, kws)]
        if composite == "SequentialLR":
            return mod.SequentialLR(o, kids, milestones=milestones)
        return mod.ChainedScheduler(kids)

    runs = Runs(ospec, lambda o: build(LR, o, None), lambda o, g: build(TLR, o, g),
                f"{composite}({list(zip(classes, kws))}, {milestones})")
    if runs.retired:
        return
    for op in data.draw(st.lists(st.sampled_from(["step", "step", "step", "simulate", "pickle",
                                                  "deepcopy", "resume"]), max_size=30),
                        label="ops"):
        if op == "step":
            runs.step()
        elif op == "simulate":
            runs.simulate_then_step(3)
        elif op == "resume":
            runs.resume(lambda o: build(LR, o, 0))
        else:
            runs.copy(op)
    for _ in range(5):
        runs.step()


@pytest.mark.parametrize("cls", CLASSES)
@hsettings(30)
@given(data=st.data())
def test_assigning_per_group_values(cls, data):
    """``scheduler.gamma = [...]`` mid-run: as if each torch run had been given values[g]; reading
    it back gives the list (the scalar when a scalar is assigned)."""
    ospec = data.draw(optimizers(min_groups=2), label="optimizer")
    n = len(ospec["lrs"])
    kw = data.draw(per_group_kw(cls, n), label="kwargs")
    runs = leaf_runs(cls, kw, ospec)
    if runs.retired:
        return
    for _ in range(data.draw(st.integers(0, 8), label="steps before")):
        runs.step()
    if runs.retired:
        return
    arg = data.draw(st.sampled_from(sorted(PER_GROUP[cls])), label="argument")
    values = data.draw(st.lists(PER_GROUP[cls][arg], min_size=n, max_size=n), label="values")
    setattr(runs.s, arg, values)
    for g, sched_t in enumerate(runs.t):
        setattr(sched_t, arg, values[g])
    d = diff(number(values), getattr(runs.s, arg), f"{arg} read back")
    assert d is None, d
    kw = dict(kw, **{arg: values})
    runs.expected_state = merged_state(cls, kw)
    for _ in range(10):
        runs.step()
    if runs.retired:
        return
    setattr(runs.s, arg, values[0])  # back to one value for all groups
    for sched_t in runs.t:
        setattr(sched_t, arg, values[0])
    d = diff(number(values[0]), getattr(runs.s, arg), f"{arg} read back")
    assert d is None, d
    runs.expected_state = merged_state(cls, dict(kw, **{arg: values[0]}))
    for _ in range(5):
        runs.step()


# --------------------------------------------------------------------------------------------
# fixed cases: a reading of the contract


def _opt(n: int = 3) -> Any:
    return make_opt(opt_spec("sgd", [0.1 * (g + 1) for g in range(n)], momenta=[0.9] * n))


GOOD = {  # one per-group configuration per class, 3 groups
    "StepLR": {"step_size": [2, 3, 5], "gamma": [0.5, 0.9, 0.1]},
    "MultiStepLR": {"milestones": [2, 4, 4], "gamma": [0.5, 0.9, 0.1]},
    "ConstantLR": {"factor": [0.5, 0.25, 1.0], "total_iters": [2, 4, 0]},
    "LinearLR": {"start_factor": [0.5, 0.25, 1.0], "end_factor": [1.0, 0.0, 0.3],
                 "total_iters": [2, 4, 9]},
    "ExponentialLR": {"gamma": [0.5, 0.9, 0.99]},
    "PolynomialLR": {"total_iters": [5, 10, 20], "power": [1.0, 2.0, 0.5]},
    "CosineAnnealingLR": {"T_max": [5, 10, 7.5], "eta_min": [0.0, 0.01, 0.001]},
    "CosineAnnealingWarmRestarts": {"T_0": 4, "T_mult": 2, "eta_min": [0.0, 0.01, 0.001]},
}


@pytest.mark.parametrize("cls", CLASSES)
def test_fixed_per_group_runs(cls):
    """A fixed per-group run of every class against torch (30 steps, a jump, a resume)."""
    kw = GOOD[cls]
    runs = leaf_runs(cls, kw, opt_spec("sgd", [0.1, 0.2, 0.3], momenta=[0.9] * 3))
    for _ in range(12):
        runs.step()
    runs.step(7)
    runs.resume(lambda o: getattr(LR, cls)(o, **scalar_kw(cls, kw, 0)))
    runs.simulate_then_step(10)
    for _ in range(8):
        runs.step()
    assert not runs.retired
    for key in given_per_group(cls, kw):
        assert isinstance(runs.s.state_dict()[key], list), key


def test_groups_really_differ():
    """The per-group path is not the shared one: three groups, three different decays."""
    opt = _opt()
    sched = LR.ExponentialLR(opt, gamma=[0.5, 0.9, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt.step()
        sched.step()
    assert [g["lr"] for g in opt.param_groups] == [0.1 * 0.5, 0.2 * 0.9, 0.30000000000000004]


@pytest.mark.parametrize("cls", CLASSES)
def test_one_group_list_stays_per_group(cls):
    """A list for a one-group optimizer is per group: the state and the attribute keep a list."""
    kw = {k: (v[:1] if k in PER_GROUP[cls] and isinstance(v, list) else v)
          for k, v in GOOD[cls].items()}
    runs = leaf_runs(cls, kw, opt_spec("sgd", [0.1], momenta=[0.9]))
    for _ in range(6):
        runs.step()
    for key in given_per_group(cls, kw):
        assert isinstance(runs.s.state_dict()[key], list), key
        assert isinstance(getattr(runs.s, key), list), key


@pytest.mark.parametrize("cls", CLASSES)
def test_scalar_state_is_torchs(cls):
    """Scalars give today's state_dict: the same keys, values and types as torch's (exactly, no
    number interchange), and it loads into torch's scheduler, which continues identically."""
    kw = scalar_kw(cls, GOOD[cls], 1)
    opt_l, opt_t = _opt(), _opt()
    sl, st_ = getattr(LR, cls)(opt_l, **kw), getattr(TLR, cls)(opt_t, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            for o, s in ((opt_l, sl), (opt_t, st_)):
                o.step()
                s.step()
        state_l, state_t = sl.state_dict(), st_.state_dict()
        for key, value in state_t.items():
            assert type(state_l[key]) is type(value), (key, state_l[key], value)
        assert diff(state_t, state_l) is None
        twin = getattr(TLR, cls)(_opt(), **kw)
        twin.optimizer.load_state_dict(opt_l.state_dict())
        twin.load_state_dict(state_l)
        for _ in range(5):
            for o, s in ((opt_t, st_), (twin.optimizer, twin)):
                o.step()
                s.step()
            assert diff(st_.get_last_lr(), twin.get_last_lr()) is None


def test_cosine_T_max_int_per_group():
    """T_max's int-ness is kept per group: torch's exact integer period test for the ints, the
    float test for the floats (they part ways only beyond 2**53)."""
    big = 2**60
    opt = _opt(2)
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    sched = LR.CosineAnnealingLR(opt, T_max=[big, float(big)], last_epoch=2 * big)
    assert sched.T_max == [big, big]
    assert sched._core.T_max_int == [True, False]
    sched.T_max = (3, 3.0)
    assert sched._core.T_max_int == [True, False]
    sched.T_max = 3
    assert sched._core.T_max_int is True and sched.T_max == 3


def test_warm_restarts_clock_is_shared():
    """CosineAnnealingWarmRestarts: T_0/T_mult are scalars (the shared clock T_i/T_cur, as
    torch keeps them); eta_min may be per group, and is checked as torch checks the scalar."""
    opt = _opt(2)
    with pytest.raises(TypeError):
        LR.CosineAnnealingWarmRestarts(opt, T_0=[2, 3])
    with pytest.raises(ValueError, match="Expected float or int eta_min"):
        LR.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min=[0.0, "x"])
    sched = LR.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min=(0, 0.01))
    assert sched.state_dict()["eta_min"] == [0, 0.01]
    assert isinstance(sched.state_dict()["T_i"], int)


# --------------------------------------------------------------------------------------------
# bad per-group values: torch's errors, nothing changed


def _frozen(opt: Any) -> list:
    def value(v: Any) -> Any:
        return v.hex() if isinstance(v, float) else v
    return [[(k, type(v), value(v), id(v)) for k, v in g.items() if k != "params"]
            for g in opt.param_groups]


def _bad_cases() -> list:
    cases = []
    for cls, args in PER_GROUP.items():
        for arg in args:
            good = GOOD[cls][arg] if isinstance(GOOD[cls][arg], list) else [GOOD[cls][arg]] * 3
            cases.append((cls, arg, "too short", good[:2], ValueError))
            cases.append((cls, arg, "too long", good + good[:1], ValueError))
            cases.append((cls, arg, "empty", [], ValueError))
            cases.append((cls, arg, "a string", [good[0], "0.5", good[2]], TypeError
                          if cls != "CosineAnnealingWarmRestarts" else ValueError))
            cases.append((cls, arg, "None", [good[0], None, good[2]], TypeError
                          if cls != "CosineAnnealingWarmRestarts" else ValueError))
            cases.append((cls, arg, "a tensor", [good[0], torch.tensor(1.0), good[2]], TypeError
                          if cls != "CosineAnnealingWarmRestarts" else ValueError))
            cases.append((cls, arg, "nested", [good[0], [good[1]], good[2]], TypeError
                          if cls != "CosineAnnealingWarmRestarts" else ValueError))
    ints = [("StepLR", "step_size"), ("ConstantLR", "total_iters"), ("LinearLR", "total_iters"),
            ("PolynomialLR", "total_iters")]
    for cls, arg in ints:  # each element checked as the scalar is (_checks._int64)
        cases.append((cls, arg, "a float", [2, 2.5, 3], TypeError))
        cases.append((cls, arg, "2.0", [2, 2.0, 3], TypeError))
        cases.append((cls, arg, "2**63", [2, 2**63, 3], OverflowError))
        cases.append((cls, arg, "nan", [2, NAN, 3], ValueError))
    cases += [  # the scalar's range checks, element by element
        ("ConstantLR", "factor", "1.5", [0.5, 1.5, 0.5], ValueError),
        ("ConstantLR", "factor", "-0.1", [-0.1, 0.5, 0.5], ValueError),
        ("LinearLR", "start_factor", "0.0", [0.5, 0.5, 0.0], ValueError),
        ("LinearLR", "start_factor", "1.5", [1.5, 0.5, 0.5], ValueError),
        ("LinearLR", "end_factor", "-1", [0.5, -1, 0.5], ValueError),
        ("LinearLR", "end_factor", "inf", [0.5, 0.5, INF], ValueError),
    ]
    return cases


BAD = _bad_cases()


@pytest.mark.parametrize("cls,arg,label,value,error", BAD,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _, _ in BAD])
def test_bad_per_group_values(cls, arg, label, value, error):
    """Wrong length: ValueError with torch's _format_param message; a bad element: the error the
    scalar raises. The param groups are left exactly as they were."""
    opt = _opt()
    before = _frozen(opt)
    kw = dict(GOOD[cls], **{arg: value})
    with pytest.raises(error) as info:
        getattr(LR, cls)(opt, **kw)
    if label in ("too short", "too long", "empty"):
        assert str(info.value) == (
            f"{arg} must have the same length as optimizer.param_groups. "
            f"{arg} has {len(value)} values, param_groups has 3.")
    assert _frozen(opt) == before


@pytest.mark.parametrize("cls", CLASSES)
def test_bad_assignment_changes_nothing(cls):
    opt = _opt()
    sched = getattr(LR, cls)(opt, **GOOD[cls])
    for arg in PER_GROUP[cls]:
        before = sched.state_dict()
        with pytest.raises(ValueError, match="must have the same length"):
            setattr(sched, arg, [getattr(sched, arg)[0]] if isinstance(getattr(sched, arg), list)
                    else [getattr(sched, arg)])
        assert diff(before, sched.state_dict()) is None


def _bad_state_cases() -> list:
    cases = []
    for cls, args in PER_GROUP.items():
        for arg in args:
            cases.append((cls, arg, "too short", lambda v: v[:2], ValueError))
            cases.append((cls, arg, "too long", lambda v: v + v[:1], ValueError))
            cases.append((cls, arg, "a string", lambda v: [v[0], "1", v[2]], TypeError))
            cases.append((cls, arg, "None", lambda v: [v[0], None, v[2]], TypeError))
            cases.append((cls, arg, "nested", lambda v: [v[0], [v[1]], v[2]], TypeError))
            cases.append((cls, arg, "a dict", lambda v: {0: v[0]}, TypeError))
    for cls, arg in (("StepLR", "step_size"), ("LinearLR", "total_iters")):
        cases.append((cls, arg, "a float", lambda v: [v[0], 1.5, v[2]], TypeError))
        cases.append((cls, arg, "a bool", lambda v: [v[0], True, v[2]], TypeError))
        cases.append((cls, arg, "2**70", lambda v: [v[0], 2**70, v[2]], OverflowError))
    return cases


BAD_STATES = _bad_state_cases()


@pytest.mark.parametrize("cls,arg,label,mutate,error", BAD_STATES,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _, _ in BAD_STATES])
def test_bad_per_group_state(cls, arg, label, mutate, error):
    """load_state_dict checks the lists (one value per group, each of the scalar's type) before
    loading anything: the scheduler is left as it was, and steps as an untouched twin."""
    opt, twin_opt = _opt(), _opt()
    kw = dict(GOOD[cls])
    kw[arg] = kw[arg] if isinstance(kw[arg], list) else [kw[arg]] * 3
    sched, twin = getattr(LR, cls)(opt, **kw), getattr(LR, cls)(twin_opt, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for o, s in ((opt, sched), (twin_opt, twin)):
            o.step()
            s.step()
        state = sched.state_dict()
        bad = dict(copy.deepcopy(state), **{arg: mutate(list(state[arg]))})
        groups = _frozen(opt)
        with pytest.raises(error):
            sched.load_state_dict(bad)
        assert diff(state, sched.state_dict()) is None
        assert _frozen(opt) == groups
        for _ in range(4):
            for o, s in ((opt, sched), (twin_opt, twin)):
                o.step()
                s.step()
            assert diff(twin.get_last_lr(), sched.get_last_lr()) is None


@pytest.mark.parametrize("cls", CLASSES)
def test_state_lists_load_either_way(cls):
    """A scalar state loads into a per-group scheduler and a per-group state into a scalar one;
    a tuple in a state loads as a list."""
    kw = GOOD[cls]
    scalar = scalar_kw(cls, kw, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = getattr(LR, cls)(_opt(), **kw), getattr(LR, cls)(_opt(), **scalar)
        state_a, state_b = a.state_dict(), b.state_dict()
        a.load_state_dict(state_b)
        assert diff(state_b, a.state_dict()) is None
        b.load_state_dict({k: (tuple(v) if k in PER_GROUP[cls] and isinstance(v, list) else v)
                           for k, v in state_a.items()})
        assert diff(state_a, b.state_dict()) is None


def test_cli_horizon_takes_the_longest_group():
    import ast

    def steps(spec: str) -> Any:
        return plot.default_steps(ast.parse(spec, mode="eval").body)

    assert steps("CosineAnnealingLR(T_max=[30, 120])") == 120
    assert steps("StepLR(step_size=[10, 30])") == 150
    assert steps("LinearLR(total_iters=(8, 4))") == 10


def test_milestones_stay_shared():
    """MultiStepLR's milestones are one Counter for all groups; a list of lists is refused."""
    sched = LR.MultiStepLR(_opt(), milestones=[2, 4], gamma=[0.5, 0.1, 1.0])
    assert sched.milestones == Counter({2: 1, 4: 1})
    with pytest.raises(TypeError):
        LR.MultiStepLR(_opt(), milestones=[[2], [4], [6]])
