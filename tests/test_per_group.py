"""Per-group arguments (long requested of torch): a list with one value per param group where torch
takes one scalar, differential against torch 2.13.

The oracle (tests/_per_group.py, ``Runs``): for each group g, a torch optimizer with the same
groups driven by torch's scheduler built with the scalar ``values[g]``. lrcore's group g must be
torch's group g of run g, bit for bit, after construction and after every operation, and the
state_dict must be the torch runs' states merged (each argument given per group kept as given,
a list or a tuple of the runs' values).

Operations: ``step()``, the deprecated ``step(epoch)`` (closed form), ``simulate()`` (against the
steps that follow; or NotImplementedError where the next step runs lrcore's Python reference),
``state_dict()``/``load_state_dict()`` into a scheduler rebuilt on a rebuilt optimizer (built
with scalars, so the lists come from the state), pickle and deepcopy of the optimizer with its
scheduler, assigning per-group values or changing one in place (plain attributes: the next step
uses them), resuming with ``last_epoch=``, and SequentialLR / ChainedScheduler of per-group
children.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import textwrap
import warnings
from collections import Counter
from typing import Any

import pytest
import torch
import torch.optim.lr_scheduler as TLR
from hypothesis import assume, given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import UNDER_TEST, diff, hsettings, lr_floats, make_opt, opt_spec  # noqa: E402
from _per_group import (  # noqa: E402
    PER_GROUP_ARGS, Runs, given_per_group, merged_state, scalar_kw,
)

if UNDER_TEST != "lrcore":  # torch takes no lists here: nothing to validate the suite against
    pytest.skip("per-group arguments are lrcore's own", allow_module_level=True)

import lrcore.lr_scheduler as LR  # noqa: E402
from lrcore.app import plot  # noqa: E402

NAN, INF = float("nan"), float("inf")

# A CosineAnnealingLR whose eta_min is per group and whose T_max is shared crashes the core
# (a write past the end of its per-group memo, cosine.hpp: group_terms_ is sized only when
# T_max is per group): see test_cosine_per_group_eta_min_with_a_shared_T_max. While it does,
# generated cases that would build one give it a per-group T_max instead (the process would
# die); the check runs in a subprocess, once.
COSINE_CRASH = textwrap.dedent("""
    import lrcore.lr_scheduler as L

    class Opt:
        def __init__(self):
            self.param_groups = [{"lr": 0.1}, {"lr": 0.2}]

    s = L.CosineAnnealingLR(Opt(), T_max=5, eta_min=[0.0, 0.01])
    for _ in range(8):
        s.step()
    print(s.optimizer.param_groups[1]["lr"])
""")


def _run_isolated(code: str) -> subprocess.CompletedProcess:
    root = os.path.dirname(os.path.dirname(os.path.abspath(LR.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)


CORE_COSINE_CRASHES = _run_isolated(COSINE_CRASH).returncode != 0


def _cosine_crash(cls: str, kw: dict) -> bool:
    """Whether ``cls(**kw)`` is the scheduler that crashes the core (while it does)."""
    return (CORE_COSINE_CRASHES and cls == "CosineAnnealingLR"
            and isinstance(kw.get("eta_min"), (list, tuple))
            and not isinstance(kw.get("T_max"), (list, tuple)))

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
    if _cosine_crash(cls, kw):
        kw["T_max"] = [kw["T_max"]] * n
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
    """``scheduler.gamma = [...]`` mid-run takes effect at the next step, as any attribute
    change does: as if each torch run had been given values[g]; the attribute is the object
    assigned (and the scalar, when a scalar is assigned back)."""
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
    assume(not _cosine_crash(cls, dict(kw, **{arg: values})))
    setattr(runs.s, arg, values)
    for g, sched_t in enumerate(runs.t):
        setattr(sched_t, arg, values[g])
    assert getattr(runs.s, arg) is values
    kw = dict(kw, **{arg: values})
    runs.expected_state = merged_state(cls, kw)
    for _ in range(10):
        runs.step()
    if runs.retired:
        return
    setattr(runs.s, arg, values[0])  # back to one value for all groups
    for sched_t in runs.t:
        setattr(sched_t, arg, values[0])
    assert getattr(runs.s, arg) is values[0]
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
    """T_max's int-ness is kept per group: torch's exact integer period test for an int, the
    float test for a float. Resumed at last_epoch = 2**60 with T_max 2**60, where they part
    ways: the int's next step is no period bottom, and its ratio divides by zero
    (ZeroDivisionError); the float's rounded epoch is a bottom, and the lr climbs. Group g is
    torch's run with T_max[g], each way round."""
    big = 2**60
    ospec = opt_spec("sgd", [0.1, 0.1], momenta=[0.9] * 2, extra=[{"initial_lr": 0.1}] * 2)
    int_first = leaf_runs("CosineAnnealingLR", {"T_max": [big, float(big)], "eta_min": 0.001},
                          ospec, last_epoch=big)
    assert int_first.s.T_max == [big, float(big)] and type(int_first.s.T_max[0]) is int
    int_first.step()
    assert int_first.retired, "group 0's int T_max did not raise torch's ZeroDivisionError"
    float_first = leaf_runs("CosineAnnealingLR", {"T_max": [float(big), 3], "eta_min": 0.001},
                            ospec, last_epoch=big)
    for _ in range(3):
        float_first.step()
    assert not float_first.retired, "group 0's float T_max was taken for an int"


def test_cosine_per_group_eta_min_with_a_shared_T_max():
    """Run apart first (a crash would end the test session), then against torch's runs."""
    out = _run_isolated(COSINE_CRASH)
    assert out.returncode == 0, f"the process died (return code {out.returncode})"
    runs = leaf_runs("CosineAnnealingLR", {"T_max": 5, "eta_min": [0.0, 0.01]},
                     opt_spec("sgd", [0.1, 0.2], momenta=[0.9] * 2))
    for _ in range(12):
        runs.step()
    runs.step(3)
    runs.simulate_then_step(6)
    assert not runs.retired


# Another value for each per-group argument (for one group's value changed in place).
OTHER = {
    "StepLR": {"step_size": 4, "gamma": 0.7},
    "MultiStepLR": {"gamma": 0.3},
    "ConstantLR": {"factor": 0.6, "total_iters": 7},
    "LinearLR": {"start_factor": 0.2, "end_factor": 0.8, "total_iters": 12},
    "ExponentialLR": {"gamma": 0.8},
    "PolynomialLR": {"total_iters": 15, "power": 3.0},
    "CosineAnnealingLR": {"T_max": 4, "eta_min": 0.05},
    "CosineAnnealingWarmRestarts": {"eta_min": 0.02},
}


@pytest.mark.parametrize("cls", CLASSES)
def test_one_group_value_changed_in_place(cls):
    """``scheduler.gamma[1] = v`` changes the list the scheduler holds (its attribute, as given):
    from the next step group 1 is torch's run given v, the other groups are unchanged."""
    kw = copy.deepcopy(GOOD[cls])
    runs = leaf_runs(cls, kw, opt_spec("sgd", [0.1, 0.2, 0.3], momenta=[0.9] * 3))
    for _ in range(3):
        runs.step()
    for arg, value in OTHER[cls].items():
        held = getattr(runs.s, arg)
        assert held is kw[arg]
        held[1] = value
        setattr(runs.t[1], arg, value)
        runs.expected_state = merged_state(cls, kw)
        for _ in range(6):
            runs.step()
    assert not runs.retired


def test_warm_restarts_clock_is_shared():
    """CosineAnnealingWarmRestarts: T_0/T_mult are scalars (the shared clock T_i/T_cur, as
    torch keeps them); eta_min may be per group, and is checked as torch checks the scalar."""
    opt = _opt(2)
    with pytest.raises(TypeError):
        LR.CosineAnnealingWarmRestarts(opt, T_0=[2, 3])
    with pytest.raises(ValueError, match="Expected float or int eta_min"):
        LR.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min=[0.0, "x"])
    eta_min = (0, 0.01)
    sched = LR.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min=eta_min)
    assert sched.state_dict()["eta_min"] is eta_min  # kept as given, as torch keeps a scalar
    assert isinstance(sched.state_dict()["T_i"], int)


# --------------------------------------------------------------------------------------------
# bad per-group values: torch's errors, nothing changed


def _frozen(opt: Any) -> list:
    def value(v: Any) -> Any:
        return v.hex() if isinstance(v, float) else v
    return [[(k, type(v), value(v), id(v)) for k, v in g.items() if k != "params"]
            for g in opt.param_groups]


def _good(cls: str, arg: str) -> list:
    value = GOOD[cls][arg]
    return list(value) if isinstance(value, list) else [value] * 3


def _length_message(arg: str, count: int) -> str:
    """The length error's message (torch's _format_param's, or lrcore's constructor check's):
    it names the argument and both counts."""
    return rf"\b{arg}\b.* has {count} values, .*has 3\b"


LENGTHS = [(cls, arg, label, make) for cls, args in PER_GROUP.items() for arg in args
           for label, make in (("too short", lambda v: v[:2]), ("too long", lambda v: v + v[:1]),
                               ("empty", lambda v: []))]


@pytest.mark.parametrize("cls,arg,label,make", LENGTHS,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _ in LENGTHS])
def test_wrong_length_is_refused(cls, arg, label, make):
    """A per-group list of the wrong length: ValueError naming the argument and both counts;
    the param groups are left exactly as they were."""
    opt = _opt()
    before = _frozen(opt)
    value = make(_good(cls, arg))
    with pytest.raises(ValueError, match=_length_message(arg, len(value))):
        getattr(LR, cls)(opt, **dict(GOOD[cls], **{arg: value}))
    assert _frozen(opt) == before


def _never_cases() -> list:
    """Elements that can never be computed with (a string, None, a list where a number goes):
    refused when the scheduler is built, with the type torch raises when it computes with one
    (CosineAnnealingWarmRestarts checks eta_min in its constructor: ValueError)."""
    cases = []
    for cls, args in PER_GROUP.items():
        error = ValueError if cls == "CosineAnnealingWarmRestarts" else TypeError
        for arg in args:
            good = _good(cls, arg)
            cases.append((cls, arg, "a string", [good[0], "0.5", good[2]], error))
            cases.append((cls, arg, "None", [good[0], None, good[2]], error))
            cases.append((cls, arg, "nested", [good[0], [good[1]], good[2]], error))
    cases += [  # the scalar's range checks (torch's constructors'), element by element
        ("ConstantLR", "factor", "1.5", [0.5, 1.5, 0.5], ValueError),
        ("ConstantLR", "factor", "-0.1", [-0.1, 0.5, 0.5], ValueError),
        ("LinearLR", "start_factor", "0.0", [0.5, 0.5, 0.0], ValueError),
        ("LinearLR", "start_factor", "1.5", [1.5, 0.5, 0.5], ValueError),
        ("LinearLR", "end_factor", "-1", [0.5, -1, 0.5], ValueError),
        ("LinearLR", "end_factor", "inf", [0.5, 0.5, INF], ValueError),
    ]
    return cases


NEVER = _never_cases()


@pytest.mark.parametrize("cls,arg,label,value,error", NEVER,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _, _ in NEVER])
def test_values_that_cannot_work_are_refused(cls, arg, label, value, error):
    opt = _opt()
    before = _frozen(opt)
    with pytest.raises(error):
        getattr(LR, cls)(opt, **dict(GOOD[cls], **{arg: value}))
    assert _frozen(opt) == before


def _computed_cases() -> list:
    """Elements torch computes with (a Tensor, a float or a huge int where an int is usual, NaN,
    a bool): accepted, and group g is torch's run with values[g] (a Tensor included, through
    lrcore's Python path)."""
    cases = []
    for cls, args in PER_GROUP.items():
        for arg in args:
            good = _good(cls, arg)
            cases.append((cls, arg, "a tensor", [good[0], torch.tensor(0.5, dtype=torch.float64),
                                                 good[2]]))
            cases.append((cls, arg, "a bool", [good[0], True, good[2]]))
    for cls, arg in (("StepLR", "step_size"), ("ConstantLR", "total_iters"),
                     ("LinearLR", "total_iters"), ("PolynomialLR", "total_iters")):
        cases.append((cls, arg, "a float", [2, 2.5, 3]))
        cases.append((cls, arg, "2.0", [2, 2.0, 3]))
        cases.append((cls, arg, "2**63", [2, 2**63, 3]))
        cases.append((cls, arg, "nan", [2, NAN, 3]))
    return cases


COMPUTED = _computed_cases()


@pytest.mark.parametrize("cls,arg,label,value", COMPUTED,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _ in COMPUTED])
def test_values_torch_computes_with_are_taken(cls, arg, label, value):
    kw = dict(GOOD[cls], **{arg: value})
    runs = leaf_runs(cls, kw, opt_spec("sgd", [0.1, 0.2, 0.3], momenta=[0.9] * 3))
    for _ in range(8):
        runs.step()
    runs.step(5)
    for _ in range(4):
        runs.step()


@pytest.mark.parametrize("cls", CLASSES)
def test_wrong_length_assigned_fails_the_step_that_reads_it(cls):
    """Assigning is not checked (it is an attribute, as in torch); the first step that reads a
    per-group list of the wrong length raises ValueError (too long: the length error; too short
    with values that differ: the error for a group added later, naming the attribute) and
    changes nothing (neither the
    groups nor the scheduler); a right value assigned back, it steps on as a twin that never
    had the wrong one."""
    opt, twin_opt = _opt(), _opt()
    sched, twin = getattr(LR, cls)(opt, **GOOD[cls]), getattr(LR, cls)(twin_opt, **GOOD[cls])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for arg in PER_GROUP[cls]:
            good = getattr(sched, arg)
            for wrong in (_good(cls, arg)[:2], _good(cls, arg) + [_good(cls, arg)[0]]):
                setattr(sched, arg, wrong)
                for _ in range(8):  # (a step reads it where torch's step would)
                    groups, state = _frozen(opt), sched.state_dict()
                    opt.step()
                    try:
                        sched.step()
                    except ValueError as e:
                        if len(wrong) > len(opt.param_groups):
                            assert re.search(_length_message(arg, len(wrong)), str(e)), e
                        else:  # how a group added later looks: the error names the fix
                            assert f"append the new group's value to scheduler.{arg}" in str(e), e
                        break
                    twin_opt.step()
                    twin.step()
                else:
                    raise AssertionError(f"{cls}.{arg} = {wrong}: no step failed")
                assert _frozen(opt) == groups
                assert diff(state, sched.state_dict()) is None
                setattr(sched, arg, good)
        for _ in range(4):
            for o, s in ((opt, sched), (twin_opt, twin)):
                o.step()
                s.step()
            assert diff(twin.state_dict(), sched.state_dict()) is None
            assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in twin_opt.param_groups]


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
    return cases


BAD_STATES = _bad_state_cases()


def _per_group_pair(cls: str, arg: str) -> tuple:
    """Two schedulers built alike, with ``arg`` per group, each stepped once."""
    opt, twin_opt = _opt(), _opt()
    kw = dict(GOOD[cls], **{arg: _good(cls, arg)})
    sched, twin = getattr(LR, cls)(opt, **kw), getattr(LR, cls)(twin_opt, **kw)
    for o, s in ((opt, sched), (twin_opt, twin)):
        o.step()
        s.step()
    return opt, sched, twin_opt, twin


@pytest.mark.parametrize("cls,arg,label,mutate,error", BAD_STATES,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _, _ in BAD_STATES])
def test_bad_per_group_state(cls, arg, label, mutate, error):
    """load_state_dict checks the lists (one value per group, each a number) before loading
    anything: the scheduler is left as it was, and steps as an untouched twin."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt, sched, twin_opt, twin = _per_group_pair(cls, arg)
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


NUMBER_STATES = [(cls, arg, label, value) for cls, arg in (("StepLR", "step_size"),
                                                           ("LinearLR", "total_iters"))
                 for label, value in (("a float", 1.5), ("a bool", True), ("2**70", 2**70))]


@pytest.mark.parametrize("cls,arg,label,value", NUMBER_STATES,
                         ids=[f"{c}.{a}={lab}" for c, a, lab, _ in NUMBER_STATES])
def test_per_group_state_of_numbers_torch_computes_with(cls, arg, label, value):
    """A state whose list holds a number torch computes with where an int is usual loads (as
    torch's load takes anything), and the scheduler then steps as its twin given the same
    values by assignment (which the per-group runs check against torch)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt, sched, twin_opt, twin = _per_group_pair(cls, arg)
        state = sched.state_dict()
        values = [state[arg][0], value, state[arg][2]]
        sched.load_state_dict(dict(copy.deepcopy(state), **{arg: values}))
        setattr(twin, arg, list(values))
        assert getattr(sched, arg) == values
        for _ in range(6):
            for o, s in ((opt, sched), (twin_opt, twin)):
                o.step()
                s.step()
            assert diff(twin.state_dict(), sched.state_dict()) is None
            assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in twin_opt.param_groups]


@pytest.mark.parametrize("cls", CLASSES)
def test_state_lists_load_either_way(cls):
    """A scalar state loads into a per-group scheduler and a per-group state into a scalar one;
    a tuple in a state is kept as the tuple it is (the state is the attributes)."""
    kw = GOOD[cls]
    scalar = scalar_kw(cls, kw, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = getattr(LR, cls)(_opt(), **kw), getattr(LR, cls)(_opt(), **scalar)
        state_a, state_b = a.state_dict(), b.state_dict()
        a.load_state_dict(state_b)
        assert diff(state_b, a.state_dict()) is None
        tuples = {k: (tuple(v) if k in PER_GROUP[cls] and isinstance(v, list) else v)
                  for k, v in state_a.items()}
        b.load_state_dict(dict(tuples))
        assert diff(tuples, b.state_dict()) is None


@pytest.mark.parametrize("cls", CLASSES)
def test_a_short_list_at_construction_is_the_length_error(cls):
    """A per-group list shorter than the groups the scheduler is built with fails with the
    length error (not the message for a param group added after construction), even when all
    its values agree. (After construction a short uniform list is how a group added later
    looks: it is adopted, see test_a_group_added_after_construction.)"""
    for arg in PER_GROUP[cls]:
        opt = _opt()
        kwargs = dict(GOOD[cls], **{arg: [_good(cls, arg)[0]] * 2})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ValueError, match=_length_message(arg, 2)):
                getattr(LR, cls)(opt, **kwargs)


@pytest.mark.parametrize("uniform", [True, False])
def test_a_group_added_after_construction(uniform):
    """optimizer.add_param_group after construction: a per-group list whose values agree gives
    the new group that value (so the run equals torch's with the scalar); otherwise the step
    raises ValueError naming the attribute to append to, and changes nothing."""
    gamma = [0.5, 0.5] if uniform else [0.5, 0.9]
    opt_l, opt_t = _opt(2), _opt(2)
    s_l, s_t = LR.ExponentialLR(opt_l, gamma), TLR.ExponentialLR(opt_t, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for o, s in ((opt_l, s_l), (opt_t, s_t)):
            o.step()
            s.step()
            o.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.7})
        if not uniform:
            groups, state = _frozen(opt_l), s_l.state_dict()
            with pytest.raises(ValueError, match=r"param group 2 was added .*scheduler\.gamma"):
                s_l.step()
            assert _frozen(opt_l) == groups and diff(state, s_l.state_dict()) is None
            return
        for _ in range(4):
            for o, s in ((opt_l, s_l), (opt_t, s_t)):
                o.step()
                s.step()
            assert [g["lr"] for g in opt_l.param_groups] == [g["lr"] for g in opt_t.param_groups]
        assert s_l.gamma == [0.5] * 3


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
