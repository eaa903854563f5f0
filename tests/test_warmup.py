"""WarmupLR: a warmup in front of any scheduler, without SequentialLR's resume pitfalls.

Oracles: torch's own scheduler stepping alone on a twin optimizer, its lrs multiplied by the
warmup factor written out here from transformers' ``_get_wsd_scheduler_lambda`` (its warmup
lines); and, for WarmupLR inside composites and composites inside it, tests/_oracles.py. Every
value is compared exactly.
"""

from __future__ import annotations

import copy
import math
import pickle
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch
import torch.optim.lr_scheduler as TLR
from hypothesis import given
from hypothesis import strategies as st

import lrcore
from lrcore import _core
from _oracles import Run
from _pairs import (LR, SWA, TSWA, build, chained_specs, diff, hsettings, leaf_specs, make_opt,
                    metric_streams, opt_spec, opt_specs, plateau_specs, sequential_specs)

pytestmark = [pytest.mark.skipif(LR is TLR, reason="lrcore's own class"),
              pytest.mark.filterwarnings("ignore:Detected call of:UserWarning"),
              pytest.mark.filterwarnings("ignore:Seems like:UserWarning")]

SHAPES = ("linear", "cosine", "1-sqrt")


# The compiled step and the reference (Python) step of WarmupLR, each against the oracle.
STEPS = pytest.mark.parametrize("compiled", [
    pytest.param(True, id="compiled"),
    pytest.param(False, id="reference")])


@contextmanager
def _steps(compiled):
    before = _core.compiled_steps()
    _core.set_compiled_steps(compiled)
    try:
        yield
    finally:
        _core.set_compiled_steps(before)


def hf_warmup(t: int, warmup_steps: int, shape: str, start: float) -> float:
    """transformers' _get_wsd_scheduler_lambda, its warmup branch (min_lr_ratio = start)."""
    progress = float(t) / float(max(1, warmup_steps))
    if shape == "linear":
        factor = progress
    elif shape == "cosine":
        factor = 0.5 * (1.0 - math.cos(math.pi * progress))
    else:
        factor = 1.0 - math.sqrt(1.0 - progress)
    factor = factor * (1.0 - start) + start
    return max(0.0, factor)


def _groups(opt, drop=()):
    return [{k: v for k, v in g.items() if k != "params" and k not in drop} for g in opt.param_groups]


def _call(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 -- compared with the other side
        return None, e


class Twin:
    """lrcore's WarmupLR(child) on one optimizer; torch's child alone on a twin optimizer."""

    def __init__(self, ospec, child, kw):
        self.W = kw.get("warmup_steps", 0)
        self.start = kw.get("start_factor", 0.0)
        self.shape = kw.get("warmup_type", "linear")
        self.prefix = kw.get("prefix", False)
        self.plateau = child["cls"] == "ReduceLROnPlateau"
        self.ot, self.ol = make_opt(ospec), make_opt(ospec)
        self.where = f"opt={ospec!r} child={child!r} kw={kw!r}"
        self.tchild, et = _call(lambda: build(child, self.ot, TLR, TSWA))
        self.lchild, el = _call(lambda: build(child, self.ol, LR, SWA))
        assert (et is None) == (el is None), f"{self.where}: {et!r} vs {el!r}"
        self.ok = et is None
        if self.ok:
            self.warm = lrcore.WarmupLR(self.lchild, **kw)
            self.t = 0
            self.check("construct")

    def factor(self, g):
        s = self.start[g] if isinstance(self.start, list) else self.start
        return hf_warmup(self.t, self.W, self.shape, s)

    def check(self, what):
        where = f"{self.where} step {self.t} {what}"
        lt = [g["lr"] for g in self.ot.param_groups]
        if self.t < self.W:
            expected = [lr * self.factor(g) for g, lr in enumerate(lt)]
        else:
            expected = lt
        d = diff(expected, [g["lr"] for g in self.ol.param_groups], "lrs")
        assert d is None, f"{where}: {d}"
        d = diff(expected, self.warm.get_last_lr(), "get_last_lr()")
        assert d is None, f"{where}: {d}"
        d = diff(_groups(self.ot, ("lr",)), _groups(self.ol, ("lr",)), "other group values")
        assert d is None, f"{where}: {d}"
        d = diff(self.tchild.get_last_lr(), self.lchild.get_last_lr(), "the child's get_last_lr()")
        assert d is None, f"{where}: {d}"
        assert self.warm.last_epoch == self.t, where

    def step(self, metric=None):
        self.ot.step()
        self.ol.step()
        t = self.t + 1
        et = el = None
        if not self.prefix or t > self.W:
            _, et = _call(lambda: self.tchild.step(metric) if self.plateau else self.tchild.step())
        _, el = _call(lambda: self.warm.step(metric) if self.plateau else self.warm.step())
        if et is not None or el is not None:
            assert isinstance(el, type(et)), f"{self.where} step {t}: torch {et!r}, lrcore {el!r}"
            self.ok = False
            return
        self.t = t
        self.check("step")

    def edit(self, scale):
        """A hand edit of every group's lr (the same on both sides), after the warmup."""
        for ot, ol in zip(self.ot.param_groups, self.ol.param_groups):
            ot["lr"] = ot["lr"] * scale
            ol["lr"] = ol["lr"] * scale


warmup_kws = st.fixed_dictionaries(
    {"warmup_steps": st.one_of(st.integers(0, 3), st.integers(0, 40))},
    optional={"start_factor": st.one_of(st.sampled_from([0.0, 0.01, 0.1, 1.0 / 3, 1.0]),
                                        st.floats(0.0, 1.0)),
              "warmup_type": st.sampled_from(SHAPES), "prefix": st.booleans()})


@st.composite
def children(draw, n):
    r = draw(st.integers(0, 9))
    if r < 6:
        return draw(leaf_specs(n))
    if r < 8:
        return draw(plateau_specs(n))
    return draw(sequential_specs(n) if r == 8 else chained_specs(n))


@STEPS
@given(data=st.data())
@hsettings(400)
def test_warmup_is_the_wrapped_scheduler_times_the_factor(compiled, data):
    with _steps(compiled):
        ospec = data.draw(opt_specs(max_groups=4))
        n = len(ospec["lrs"])
        child = data.draw(children(n))
        kw = data.draw(warmup_kws)
        if data.draw(st.booleans()):  # one start factor per group
            kw["start_factor"] = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
        twin = Twin(ospec, child, kw)
        metrics = data.draw(metric_streams(max_len=80)) if twin.plateau else [None] * data.draw(
            st.integers(0, 80))
        edit_at = data.draw(st.one_of(st.none(), st.integers(0, 80)))
        for k, metric in enumerate(metrics):
            if not twin.ok:
                break
            if k == edit_at and twin.t >= twin.W:
                twin.edit(0.5)  # after the warmup, a hand edit takes effect as with torch
            twin.step(metric)


@st.composite
def warmup_trees(draw, n, depth=0):
    """Trees of WarmupLR, SequentialLR and ChainedScheduler over torch's leaf schedulers."""
    kind = draw(st.sampled_from(["WarmupLR", "SequentialLR", "ChainedScheduler"]))

    def child():
        return draw(warmup_trees(n, depth + 1)) if depth < 2 and draw(st.integers(0, 2)) == 0 \
            else draw(leaf_specs(n))

    if kind == "WarmupLR":
        return {"cls": kind, "child": child(), "kw": draw(warmup_kws)}
    kids = [child() for _ in range(draw(st.integers(1, 3)))]
    if not any("WarmupLR" in repr(k) for k in kids):
        kids[0] = {"cls": "WarmupLR", "child": kids[0], "kw": draw(warmup_kws)}
    if kind == "ChainedScheduler":
        return {"cls": kind, "children": kids, "pass_opt": draw(st.booleans())}
    ms = sorted(draw(st.lists(st.one_of(st.integers(0, 3), st.integers(0, 40)),
                              min_size=len(kids) - 1, max_size=len(kids) - 1)))
    return {"cls": kind, "children": kids, "milestones": ms}


@STEPS
@given(data=st.data())
@hsettings(250)
def test_warmup_inside_and_around_composites_matches_the_oracle(compiled, data):
    with _steps(compiled):
        ospec = data.draw(opt_specs(max_groups=3))
        spec = data.draw(warmup_trees(len(ospec["lrs"])))
        run = Run(ospec, spec)
        for k in range(data.draw(st.integers(0, 60))):
            if not run.ok:
                break
            run.step(None, k)


def test_the_twin_can_fail():
    """The comparison sees a warmup one step off."""
    twin = Twin(opt_spec("sgd", [0.1]), {"cls": "ExponentialLR", "kw": {"gamma": 0.9}},
                {"warmup_steps": 5})
    twin.t += 1
    with pytest.raises(AssertionError):
        twin.check("shifted")


# --------------------------------------------------------------------------------------------
# the documented behaviour, by hand


def _opt(lrs=(0.1,)):
    return make_opt(opt_spec("sgd", list(lrs)))


@STEPS
def test_the_first_steps_by_hand(compiled):
    with _steps(compiled):
        opt = _opt((0.1, 0.2))
        sched = lrcore.WarmupLR(lrcore.ExponentialLR(opt, gamma=0.5), warmup_steps=4)
        lrs = [[g["lr"] for g in opt.param_groups]]
        for _ in range(5):
            opt.step()
            sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
        # ExponentialLR alone: 0.1 * 0.5**t; times t/4 during the 4 warmup steps; then alone.
        assert lrs == [[0.0, 0.0], [0.05 * 0.25, 0.1 * 0.25], [0.025 * 0.5, 0.05 * 0.5],
                       [0.0125 * 0.75, 0.025 * 0.75], [0.00625, 0.0125], [0.003125, 0.00625]]
        assert sched.scheduler.get_last_lr() == [0.003125, 0.00625]


@STEPS
def test_prefix_starts_the_wrapped_scheduler_after_the_warmup(compiled):
    with _steps(compiled):
        opt = _opt()
        sched = lrcore.WarmupLR(lrcore.ExponentialLR(opt, gamma=0.5), 2, start_factor=0.5,
                                prefix=True)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(4):
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        assert lrs == [0.05, 0.1 * 0.75, 0.1, 0.05, 0.025]


def test_matches_transformers_constant_with_warmup_bit_for_bit():
    a, b = _opt((0.1, 3e-4)), _opt((0.1, 3e-4))
    warm = lrcore.WarmupLR(lrcore.HFScheduleLR(a, "constant"), warmup_steps=37)
    hf = lrcore.schedules.get_constant_schedule_with_warmup(b, num_warmup_steps=37)
    for _ in range(50):
        warm.step()
        hf.step()
        assert [g["lr"] for g in a.param_groups] == [g["lr"] for g in b.param_groups]


@STEPS
def test_plateau_reductions_are_of_the_full_lr(compiled):
    with _steps(compiled):
        opt = _opt()
        plateau = lrcore.ReduceLROnPlateau(opt, factor=0.5, patience=0)
        warm = lrcore.WarmupLR(plateau, warmup_steps=4)
        for loss in (1.0, 2.0, 3.0):  # two reductions during the warmup
            warm.step(loss)
        assert plateau.get_last_lr() == [0.025]
        assert opt.param_groups[0]["lr"] == 0.025 * 0.75
        warm.step(0.5)
        assert opt.param_groups[0]["lr"] == 0.025


# --------------------------------------------------------------------------------------------
# resuming: the pitfalls of SequentialLR([LinearLR, ...]) that WarmupLR does not have

W, T, CUT, TOTAL = 5, 20, 8, 20
ORDERS = ["build-opt-sched", "opt-build-sched", "build-sched-opt"]


def _lrcore_run(opt):
    return lrcore.WarmupLR(lrcore.CosineAnnealingLR(opt, T_max=T), warmup_steps=W, start_factor=0.1)


def _torch_run(opt):
    return TLR.SequentialLR(opt, [TLR.LinearLR(opt, start_factor=0.1, total_iters=W),
                                  TLR.CosineAnnealingLR(opt, T_max=T)], milestones=[W])


def _train(opt, sched, steps):
    """`steps` training steps; each step's lrs."""
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append([g["lr"] for g in opt.param_groups])
    return out


def _rebuild(make, order, ckpt, lrs):
    """A fresh optimizer and scheduler loaded from `ckpt` (optimizer state, scheduler state), in
    `order`: build, load the optimizer, load the scheduler; or the optimizer first; or the
    scheduler's state before the optimizer's."""
    opt = _opt(lrs)
    if order == "opt-build-sched":
        opt.load_state_dict(ckpt[0])
        sched = make(opt)
        sched.load_state_dict(ckpt[1])
        return opt, sched
    sched = make(opt)
    if order == "build-opt-sched":
        opt.load_state_dict(ckpt[0])
        sched.load_state_dict(ckpt[1])
    else:
        sched.load_state_dict(ckpt[1])
        opt.load_state_dict(ckpt[0])
    return opt, sched


def _resume(make, order, cut=CUT, lrs=(0.1, 0.2)):
    """Train `cut` steps, checkpoint, rebuild in `order`, train to TOTAL; also uninterrupted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = _opt(lrs)
        whole = _train(opt, make(opt), TOTAL)
        opt = _opt(lrs)
        sched = make(opt)
        first = _train(opt, sched, cut)
        ckpt = copy.deepcopy((opt.state_dict(), sched.state_dict()))
        return whole, first + _train(*_rebuild(make, order, ckpt, lrs), TOTAL - cut)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("cut", [2, 8])
def test_warmup_resumes_exactly_in_any_order(order, cut):
    whole, resumed = _resume(_lrcore_run, order, cut)
    assert resumed == whole


def test_torch_sequential_lr_drifts_when_the_optimizer_is_loaded_first():
    """Why WarmupLR exists: rebuilt after the optimizer's state is loaded, torch's SequentialLR
    resets every lr to initial_lr, and the cosine then recurses from the wrong lr."""
    whole, resumed = _resume(_torch_run, "opt-build-sched")
    assert resumed != whole
    whole, resumed = _resume(_torch_run, "build-opt-sched")
    assert resumed == whole


@pytest.mark.parametrize("cut", range(0, 14))
def test_state_dict_round_trip_at_every_step(cut):
    opt = _opt((0.1, 0.2))
    sched = lrcore.WarmupLR(lrcore.OneCycleLR(opt, max_lr=1.0, total_steps=30), 6,
                            start_factor=[0.0, 0.5], warmup_type="cosine")
    for _ in range(cut):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert state["start_factor"] == [0.0, 0.5] and state["warmup_type"] == "cosine"
    opt2 = _opt((0.1, 0.2))
    sched2 = lrcore.WarmupLR(lrcore.OneCycleLR(opt2, max_lr=1.0, total_steps=30), 6,
                             start_factor=[0.0, 0.5], warmup_type="cosine")
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(copy.deepcopy(state))
    for _ in range(10):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert _groups(opt) == _groups(opt2)
        assert sched.state_dict() == sched2.state_dict()


def test_state_is_the_attributes_plus_the_groups_lrs():
    """state_dict(): the attributes (the wrapped scheduler's state in place of it) and
    ``_group_lrs``, the lrs the groups held when it was saved, which load_state_dict puts back
    (and does not keep as an attribute)."""
    opt = _opt((0.1, 0.2))
    inner = lrcore.CosineAnnealingLR(opt, 10)
    warm = lrcore.WarmupLR(inner, 4)
    for _ in range(2):
        opt.step()
        warm.step()
    opt.param_groups[0]["lr"] = 0.5  # a hand edit: saved as the groups hold it
    state = warm.state_dict()
    assert list(state) == [k for k in vars(warm) if k not in ("optimizer", "_schedulers")] + [
        "_group_lrs", "_schedulers"]
    assert state["_group_lrs"] == [0.5, opt.param_groups[1]["lr"]]
    assert state["_schedulers"] == [inner.state_dict()]
    opt2 = _opt((0.3, 0.4))
    warm2 = lrcore.WarmupLR(lrcore.CosineAnnealingLR(opt2, 10), 4)
    warm2.load_state_dict(copy.deepcopy(state))
    assert [g["lr"] for g in opt2.param_groups] == state["_group_lrs"]
    assert "_group_lrs" not in vars(warm2) and warm2.state_dict() == state


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_pickle_and_deepcopy(how):
    opt = _opt((0.1, 0.2))
    sched = lrcore.WarmupLR(lrcore.CosineAnnealingLR(opt, 10), 4, prefix=True)
    for _ in range(3):
        sched.step()
    copier = (lambda x: pickle.loads(pickle.dumps(x))) if how == "pickle" else copy.deepcopy
    opt2, sched2 = copier((opt, sched))
    assert sched2.optimizer is opt2 and sched2.scheduler.optimizer is opt2
    for _ in range(8):
        sched.step()
        sched2.step()
        assert _groups(opt) == _groups(opt2)


@STEPS
@pytest.mark.parametrize("prefix", [False, True])
def test_simulate_equals_stepping(compiled, prefix):
    with _steps(compiled):
        opt = _opt((0.1, 0.2))
        sched = lrcore.WarmupLR(lrcore.CosineAnnealingLR(opt, 7), 5, 0.2, "1-sqrt", prefix)
        sched.step()
        future = sched.simulate(20)
        rows = [[g["lr"] for g in opt.param_groups]]
        for _ in range(20):
            sched.step()
            rows.append([g["lr"] for g in opt.param_groups])
        assert np.array_equal(future, np.array(rows))


# --------------------------------------------------------------------------------------------
# bad input: the type torch would raise for such an argument, and nothing changes

BAD = {
    "negative warmup_steps": ({"warmup_steps": -1}, ValueError),
    "float warmup_steps": ({"warmup_steps": 2.5}, TypeError),
    "start_factor > 1": ({"warmup_steps": 3, "start_factor": 1.5}, ValueError),
    "start_factor NaN": ({"warmup_steps": 3, "start_factor": float("nan")}, ValueError),
    "start_factor str": ({"warmup_steps": 3, "start_factor": "0.1"}, TypeError),
    "start_factor length": ({"warmup_steps": 3, "start_factor": [0.1, 0.2, 0.3]}, ValueError),
    "warmup_type": ({"warmup_steps": 3, "warmup_type": "exp"}, ValueError),
    "prefix not a bool": ({"warmup_steps": 3, "prefix": "yes"}, TypeError),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_arguments_change_nothing(name):
    kw, error = BAD[name]
    opt = _opt((0.1, 0.2))
    child = lrcore.StepLR(opt, 2)
    before, state = _groups(opt), child.state_dict()
    with pytest.raises(error):
        lrcore.WarmupLR(child, **kw)
    assert _groups(opt) == before and child.state_dict() == state


def test_a_torch_scheduler_is_wrapped():
    """A WarmupLR wraps any object with ``optimizer`` stepping like a scheduler, torch's own
    included: torch's scheduler's lrs times the factor, bit for bit."""
    theirs = _opt((0.1, 0.2))
    warm = lrcore.WarmupLR(TLR.StepLR(theirs, 2, 0.5), 3, start_factor=0.1)
    alone = _opt((0.1, 0.2))
    step_lr = TLR.StepLR(alone, 2, 0.5)
    for t in range(1, 8):
        for opt, sched in ((theirs, warm), (alone, step_lr)):
            opt.step()
            sched.step()
        factor = hf_warmup(t, 3, "linear", 0.1) if t < 3 else 1.0
        expected = [g["lr"] * factor for g in alone.param_groups]
        assert [g["lr"] for g in theirs.param_groups] == expected
    with pytest.raises(TypeError):
        lrcore.WarmupLR(object(), 3)


BAD_STATES = {
    "warmup_steps": (-1, ValueError),
    "start_factor": ([0.1], ValueError),
    "warmup_type": ("exp", ValueError),
    "prefix": ("yes", TypeError),  # an int is a flag, as torch takes its bool hyperparameters
    "_schedulers": ([], ValueError),
}


@pytest.mark.parametrize("key", sorted(BAD_STATES))
def test_bad_states_are_refused_and_change_nothing(key):
    value, error = BAD_STATES[key]
    opt = _opt((0.1, 0.2))
    sched = lrcore.WarmupLR(lrcore.StepLR(opt, 2), 3)
    sched.step()
    state, groups = sched.state_dict(), _groups(opt)
    bad = dict(copy.deepcopy(state), **{key: value})
    with pytest.raises(error):
        sched.load_state_dict(bad)
    assert sched.state_dict() == state and _groups(opt) == groups


def test_a_warmup_cannot_share_a_chain():
    """During its warmup a WarmupLR sets the lrs from its own scheduler's: chained with others,
    their changes would not carry over. Refused, before anything changes."""
    opt = _opt()
    warm = lrcore.WarmupLR(lrcore.ExponentialLR(opt, 0.9), 4)
    other = lrcore.StepLR(opt, 2, 0.5)
    for children in ([warm, other], [other, warm],
                     [lrcore.SequentialLR(opt, [lrcore.ConstantLR(opt), warm], [2]), other]):
        groups, states = _groups(opt), [c.state_dict() for c in children]
        with pytest.raises(ValueError, match="Warm up the chain instead"):
            lrcore.ChainedScheduler(children)
        assert _groups(opt) == groups and [c.state_dict() for c in children] == states
    lrcore.ChainedScheduler([warm])  # alone, it is the chain
    lrcore.WarmupLR(lrcore.ChainedScheduler([lrcore.ExponentialLR(opt, 0.9), other]), 4)


@pytest.mark.parametrize("cut", [1, 3, 6, 9])
def test_a_warmup_inside_a_composite_leaves_the_lrs_to_the_composite_on_load(cut):
    """Loaded as a SequentialLR's child, a WarmupLR must not put back its own last lrs: before
    its milestone the lrs are its sibling's (it puts back the groups' saved lrs)."""
    def make(opt):
        return lrcore.SequentialLR(opt, [lrcore.StepLR(opt, 2, 0.5),
                                         lrcore.WarmupLR(lrcore.ExponentialLR(opt, 0.9), 4)], [5])

    opt = _opt()
    sched = make(opt)
    _train(opt, sched, cut)
    ckpt = copy.deepcopy((opt.state_dict(), sched.state_dict()))
    whole = _train(opt, sched, 5)
    assert _train(*_rebuild(make, "build-opt-sched", ckpt, (0.1,)), 5) == whole


@pytest.mark.parametrize("prefix", [False, True])
def test_a_failing_step_changes_nothing(prefix):
    """The wrapped scheduler raises mid-warmup (OneCycleLR past total_steps): the groups keep
    their damped lrs, both schedulers their state."""
    opt = _opt((0.1, 0.2))
    warm = lrcore.WarmupLR(lrcore.OneCycleLR(opt, max_lr=1.0, total_steps=3), 10, prefix=prefix)
    steps = 0
    while True:
        groups, state = _groups(opt), warm.state_dict()
        try:
            warm.step()
        except ValueError:
            break
        steps += 1
    assert steps == (13 if prefix else 3)  # OneCycleLR steps to total_steps, then raises
    assert _groups(opt) == groups and warm.state_dict() == state


@pytest.mark.parametrize("order", ORDERS)
def test_a_hand_set_lr_survives_a_resume(order):
    """After the warmup a hand-set lr takes effect as with torch; the checkpoint taken after it
    resumes to the same lrs in any order (the state keeps the groups' lrs)."""
    def make(opt):
        return lrcore.WarmupLR(lrcore.CosineAnnealingLR(opt, T_max=20), warmup_steps=3)

    opt = _opt((0.1, 0.2))
    sched = make(opt)
    _train(opt, sched, 5)
    opt.param_groups[1]["lr"] = 0.5  # by hand
    ckpt = copy.deepcopy((opt.state_dict(), sched.state_dict()))
    whole = _train(opt, sched, 6)
    opt2, sched2 = _rebuild(make, order, ckpt, (0.1, 0.2))
    assert opt2.param_groups[1]["lr"] == 0.5
    assert _train(opt2, sched2, 6) == whole
