"""Differential tests: every scheduler of the module under test vs torch 2.13, exact equality.

Run against torch itself (validates the suite):
    LRCORE_UNDER_TEST=torch python -m pytest tests/test_differential.py
"""

from __future__ import annotations

import itertools
import os
import random
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import (  # noqa: E402
    ALL_NAMES, EPOCH_KINDS, LEAF_KINDS, LR, SWA, TLR, TSWA, UNDER_TEST, Fn, Pair, _call,
    no_momentum_opt,
    any_specs, both, build, diff, hsettings, leaf_specs, make_opt, metric_streams, opt_spec,
    opt_specs, plateau_specs, resume_extra, run_steps,
)

ALL_KINDS = LEAF_KINDS + ["SequentialLR", "ChainedScheduler"]


# ----------------------------------------------------------------------------------------
# API surface
# ----------------------------------------------------------------------------------------


def test_api_surface():
    for name in ALL_NAMES + ["EPOCH_DEPRECATION_WARNING"]:
        assert hasattr(LR, name), name
    assert LR.EPOCH_DEPRECATION_WARNING == TLR.EPOCH_DEPRECATION_WARNING
    assert hasattr(SWA, "SWALR")
    classes = [(getattr(TLR, n), getattr(LR, n)) for n in ALL_NAMES] + [(TSWA.SWALR, SWA.SWALR)]
    for (ta, la), (tb, lb) in itertools.product(classes, repeat=2):
        assert issubclass(ta, tb) == issubclass(la, lb), (la, lb)
    assert LR._LRScheduler is not LR.LRScheduler
    assert LR._LRScheduler.__name__ == "_LRScheduler"


# ----------------------------------------------------------------------------------------
# the seed's worked examples
# ----------------------------------------------------------------------------------------


def test_seed_steplr_example():
    pair = Pair(opt_spec("sgd", [0.1]), "seed StepLR")
    assert pair.construct({"cls": "StepLR", "kw": {"step_size": 10, "gamma": 0.5}})
    used_t, used_l = [], []
    for _epoch in range(1, 21):  # lr used during epoch e = lr after e-1 scheduler steps
        used_t.append(pair.opt_t.param_groups[0]["lr"])
        used_l.append(pair.opt_l.param_groups[0]["lr"])
        pair.step()
    assert used_t == [0.1] * 10 + [0.05] * 10
    assert used_l == used_t


def test_seed_plateau_example():
    pair = Pair(opt_spec("adam", [0.001]), "seed ReduceLROnPlateau")
    assert pair.construct({"cls": "ReduceLROnPlateau",
                           "kw": {"mode": "min", "factor": 0.1, "patience": 5}})
    after_t, after_l = [], []
    for _ in range(12):
        pair.step(0, 0.5)  # flat validation loss
        after_t.append(pair.opt_t.param_groups[0]["lr"])
        after_l.append(pair.opt_l.param_groups[0]["lr"])
    first_change = next(i + 1 for i, v in enumerate(after_t) if v != 0.001)
    assert first_change == 7  # derived by running torch 2.13
    assert after_t[:6] == [0.001] * 6
    assert after_t[6] == 0.001 * 0.1 and abs(after_t[6] - 0.0001) < 1e-18
    assert after_l == after_t


def test_seed_cosine_example():
    pair = Pair(opt_spec("adam", [0.1]), "seed CosineAnnealingLR")
    assert pair.construct({"cls": "CosineAnnealingLR", "kw": {"T_max": 100, "eta_min": 0}})
    lrs = [pair.opt_l.param_groups[0]["lr"]]
    for _ in range(100):
        pair.step()
        lrs.append(pair.opt_l.param_groups[0]["lr"])
    assert lrs[0] == 0.1
    assert abs(lrs[100]) < 1e-12
    assert all(lrs[i + 1] < lrs[i] for i in range(100))


# ----------------------------------------------------------------------------------------
# random configurations for every scheduler
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(40)
@given(data=st.data())
def test_random_schedule(kind, data):
    ospec = data.draw(opt_specs(), label="optimizer")
    spec = data.draw(any_specs(len(ospec["lrs"]), kind), label="scheduler")
    steps = data.draw(st.integers(0, 250), label="steps")
    pair = Pair(ospec, f"random {kind}")
    if pair.construct(spec):
        run_steps(pair, steps)


@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(6)
@given(data=st.data())
def test_get_lr_called_directly(kind, data):
    """get_lr() outside step(): same values, same 'use get_last_lr()' warning, same side effects."""
    ospec = data.draw(opt_specs(max_groups=4), label="optimizer")
    spec = data.draw(any_specs(len(ospec["lrs"]), kind), label="scheduler")
    steps = data.draw(st.integers(0, 40), label="steps")
    pair = Pair(ospec, f"get_lr {kind}")
    if not pair.construct(spec):
        return
    run_steps(pair, steps)
    vt, vl, exc = pair.call(0, "get_lr")
    if exc is None:
        d = diff(vt, vl, "get_lr()")
        assert d is None, d
    run_steps(pair, 3)


# ----------------------------------------------------------------------------------------
# last_epoch resumes
# ----------------------------------------------------------------------------------------


def _with_last_epoch(spec, k):
    out = dict(spec)
    out["kw"] = dict(spec["kw"], last_epoch=k)
    return out


@pytest.mark.parametrize("kind", LEAF_KINDS)
@hsettings(20)
@given(data=st.data())
def test_resume_last_epoch(kind, data):
    ospec = data.draw(opt_specs(), label="optimizer")
    n = len(ospec["lrs"])
    spec = data.draw(leaf_specs(n, kinds=(kind,)), label="scheduler")
    k = data.draw(st.integers(0, 80), label="last_epoch")
    steps = data.draw(st.integers(0, 120), label="steps")
    if data.draw(st.booleans(), label="from checkpoint keys"):
        # groups carry initial_lr (and OneCycleLR's keys) as a loaded checkpoint would
        ospec["extra"] = resume_extra(kind, n, data.draw)
        pair = Pair(ospec, f"resume {kind}")
        if pair.construct(_with_last_epoch(spec, k)):
            run_steps(pair, steps)
    else:
        # run a while, then build a new scheduler with last_epoch=k on the same optimizer
        pair = Pair(ospec, f"resume-continue {kind}")
        if not pair.construct(spec):
            return
        run_steps(pair, data.draw(st.integers(0, 60), label="first steps"))
        if pair.construct(_with_last_epoch(spec, k)):
            run_steps(pair, steps, i=1)


def test_resume_without_initial_lr_raises():
    for spec in ({"cls": "StepLR", "kw": {"step_size": 3, "last_epoch": 4}},
                 {"cls": "CosineAnnealingLR", "kw": {"T_max": 3, "last_epoch": 0}}):
        pair = Pair(opt_spec("sgd", [0.1, 0.2]), "resume KeyError")
        assert not pair.construct(spec)


# ----------------------------------------------------------------------------------------
# deprecated step(epoch)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", EPOCH_KINDS)
@hsettings(20)
@given(data=st.data())
def test_step_with_epoch(kind, data):
    ospec = data.draw(opt_specs(max_groups=4), label="optimizer")
    spec = data.draw(leaf_specs(len(ospec["lrs"]), kinds=(kind,)), label="scheduler")
    ep = st.integers(-2, 150)
    if kind == "CosineAnnealingWarmRestarts":
        ep = st.one_of(ep, st.floats(0.0, 150.0), st.integers(0, 40).map(lambda i: i / 8))
    ops = data.draw(st.lists(st.one_of(st.none(), ep), max_size=60), label="ops")
    pair = Pair(ospec, f"step(epoch) {kind}")
    if not pair.construct(spec):
        return
    for e in ops:
        if e is None:
            pair.step()
            continue
        pair.step(0, e)
        if pair.retired is not None:  # both raised earlier: the step did not run (Pair.call)
            return
        if kind != "CosineAnnealingWarmRestarts":  # CAWR.step(epoch) does not warn in 2.13
            assert any(str(m) == TLR.EPOCH_DEPRECATION_WARNING for _, m in pair.last_warnings)


def test_a_refused_step_warns_once():
    """OneCycleLR.step(epoch) past the end: one deprecation warning, then torch's ValueError."""
    def run(mod):
        opt = make_opt(opt_spec("sgd", [0.0]))
        sched = mod.OneCycleLR(opt, max_lr=1.0, total_steps=1)
        opt.step()
        _, error, warned = _call(lambda: sched.step(2))
        return type(error), warned

    (error_t, warned_t), (error_l, warned_l) = run(TLR), run(LR)
    assert error_t is error_l is ValueError
    assert warned_l == warned_t and len(warned_t) == 1


@pytest.mark.parametrize("T_0,T_mult", [(1, 2), (3, 2), (5, 3), (10, 1), (7, 4)])
def test_cawr_fractional_epochs(T_0, T_mult):
    """The documented usage: scheduler.step(epoch + i / iters) with T_mult > 1."""
    pair = Pair(opt_spec("sgd", [0.1, 0.05, 1.0]), "CAWR fractional")
    assert pair.construct({"cls": "CosineAnnealingWarmRestarts",
                           "kw": {"T_0": T_0, "T_mult": T_mult, "eta_min": 1e-4}})
    iters = 7
    for epoch in range(40):
        for i in range(iters):
            pair.step(0, epoch + i / iters)
    for e in [0.5, 3.25, 100.0, 0.0, 2.999999, 1e3 + 0.1]:  # jumps backwards and forwards
        pair.step(0, e)
    assert not pair.construct({"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 0}})
    pair.step(0, -1)  # ValueError on both sides


@pytest.mark.parametrize("T_0", [1, 2, 3, 5])
@pytest.mark.parametrize("T_mult", [2, 3, 4])
def test_cawr_epoch_sweep(T_0, T_mult):
    """Every integer and half epoch: hits the exact restart points where
    math.log(x, T_mult) rounds below an integer (e.g. math.log(243, 3) < 5)."""
    pair = Pair(opt_spec("sgd", [0.1]), "CAWR sweep")
    assert pair.construct({"cls": "CosineAnnealingWarmRestarts",
                           "kw": {"T_0": T_0, "T_mult": T_mult}})
    for e in range(0, 400):
        pair.step(0, e)
        pair.step(0, e + 0.5)


# ----------------------------------------------------------------------------------------
# chaining
# ----------------------------------------------------------------------------------------


@hsettings(60)
@given(data=st.data())
def test_two_schedulers_interleaved(data):
    ospec = data.draw(opt_specs(), label="optimizer")
    n = len(ospec["lrs"])
    s1 = data.draw(leaf_specs(n), label="scheduler 1")
    s2 = data.draw(leaf_specs(n), label="scheduler 2")
    plan = data.draw(st.lists(st.sampled_from([0, 1, 2]), max_size=150), label="plan")
    pair = Pair(ospec, "two schedulers")
    if not pair.construct(s1) or not pair.construct(s2):
        return
    for p in plan:
        if p == 2:
            pair.step(0)
            pair.call(1, "step")
        else:
            pair.step(p)


@pytest.mark.parametrize("kids", [
    [{"cls": "StepLR", "kw": {"step_size": 3, "gamma": 0.5}},
     {"cls": "ExponentialLR", "kw": {"gamma": 0.9}}],
    [{"cls": "ConstantLR", "kw": {"factor": 0.1, "total_iters": 2}},
     {"cls": "ExponentialLR", "kw": {"gamma": 0.9}}],
    [{"cls": "LinearLR", "kw": {"start_factor": 0.25, "total_iters": 4}},
     {"cls": "CosineAnnealingLR", "kw": {"T_max": 10, "eta_min": 1e-3}},
     {"cls": "MultiplicativeLR", "kw": {"lr_lambda": Fn("const", 0.97)}}],
    [{"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}},
     {"cls": "MultiStepLR", "kw": {"milestones": [3, 3, 7], "gamma": 0.5}}],
])
def test_chained_scheduler_fixed(kids):
    for kind in ("sgd", "adam"):
        pair = Pair(opt_spec(kind, [0.1, 0.02, 1.0]), "ChainedScheduler")
        assert pair.construct({"cls": "ChainedScheduler", "children": kids, "pass_opt": False})
        run_steps(pair, 40)


# ----------------------------------------------------------------------------------------
# SequentialLR milestone edges
# ----------------------------------------------------------------------------------------

SEQ_POOL = [
    {"cls": "LinearLR", "kw": {"start_factor": 0.1, "total_iters": 3}},
    {"cls": "ExponentialLR", "kw": {"gamma": 0.9}},
    {"cls": "ConstantLR", "kw": {"factor": 0.5, "total_iters": 2}},
    {"cls": "CosineAnnealingLR", "kw": {"T_max": 6, "eta_min": 0.001}},
    {"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 3, "T_mult": 2}},
    {"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 2}},
    {"cls": "MultiplicativeLR", "kw": {"lr_lambda": Fn("const", 0.8)}},
    {"cls": "LambdaLR", "kw": {"lr_lambda": Fn("warmup", 4)}},
    {"cls": "PolynomialLR", "kw": {"total_iters": 4, "power": 2.0}},
    {"cls": "StepLR", "kw": {"step_size": 2, "gamma": 0.5}},
    {"cls": "OneCycleLR", "kw": {"max_lr": 0.5, "total_steps": 30}},
    {"cls": "SWALR", "kw": {"swa_lr": 0.05, "anneal_epochs": 3}},
]
SEQ_MILESTONES = [[0], [1], [2], [5], [1000], [0, 0], [0, 1], [2, 2], [3, 6], [1, 1000]]


def _seq_cases():
    rnd = random.Random(1234)
    cases = []
    for ms in SEQ_MILESTONES:
        for _ in range(4):
            kids = [rnd.choice(SEQ_POOL) for _ in range(len(ms) + 1)]
            cases.append((kids, ms))
    return cases


@pytest.mark.parametrize("kids,milestones", _seq_cases())
def test_sequential_milestone_edges(kids, milestones):
    pair = Pair(opt_spec("sgd", [0.1, 0.3]), "SequentialLR edges")
    assert pair.construct({"cls": "SequentialLR", "children": kids, "milestones": milestones})
    run_steps(pair, 25)


def test_sequential_warmup_then_cosine_and_nesting():
    specs = [
        {"cls": "SequentialLR", "milestones": [5],
         "children": [{"cls": "LinearLR", "kw": {"start_factor": 0.01, "total_iters": 5}},
                      {"cls": "CosineAnnealingLR", "kw": {"T_max": 45}}]},
        {"cls": "SequentialLR", "milestones": [4],
         "children": [{"cls": "ChainedScheduler", "children": SEQ_POOL[:2]},
                      {"cls": "SequentialLR", "milestones": [3], "children": SEQ_POOL[2:4]}]},
        {"cls": "ChainedScheduler", "pass_opt": True,
         "children": [{"cls": "SequentialLR", "milestones": [2, 6], "children": SEQ_POOL[4:7]},
                      {"cls": "ExponentialLR", "kw": {"gamma": 0.95}}]},
    ]
    for spec in specs:
        pair = Pair(opt_spec("adam", [0.1, 0.01]), "nested composites")
        assert pair.construct(spec)
        run_steps(pair, 50)


# ----------------------------------------------------------------------------------------
# ReduceLROnPlateau
# ----------------------------------------------------------------------------------------


PLATEAU_ATTRS = ("best", "num_bad_epochs", "cooldown_counter", "in_cooldown", "last_epoch",
                 "mode", "threshold", "threshold_mode", "min_lrs", "factor", "patience",
                 "cooldown", "eps", "mode_worse")


def _check_plateau_attrs(pair, where):
    st_, sl_ = pair.scheds[0]
    for a in PLATEAU_ATTRS:
        d = diff(getattr(st_, a), getattr(sl_, a), a)
        assert d is None, f"{where}: {d}"


@hsettings(100)
@given(data=st.data())
def test_plateau_random(data):
    ospec = data.draw(opt_specs(), label="optimizer")
    spec = data.draw(plateau_specs(len(ospec["lrs"])), label="scheduler")
    metrics = data.draw(metric_streams(), label="metrics")
    epoch_every = data.draw(st.sampled_from([0, 0, 3, 1]), label="epoch every")
    pair = Pair(ospec, "ReduceLROnPlateau")
    if not pair.construct(spec):
        return
    _check_plateau_attrs(pair, "after construction")
    for i, m in enumerate(metrics):
        if epoch_every and i % epoch_every == 0:
            pair.step(0, m, epoch=i + 10)
        else:
            pair.step(0, m)
        _check_plateau_attrs(pair, f"after metric #{i}")


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
@pytest.mark.parametrize("min_lr", [0, 1e-3, [1e-3, 0.0, 5e-2]])
def test_plateau_grid(mode, threshold_mode, min_lr):
    for patience, cooldown, eps in [(0, 0, 1e-8), (2, 3, 1e-8), (5, 1, 1e-3), (1, 0, 0.0)]:
        pair = Pair(opt_spec("sgd", [0.1, 0.01, 1.0]), "plateau grid")
        assert pair.construct({"cls": "ReduceLROnPlateau", "kw": dict(
            mode=mode, threshold_mode=threshold_mode, min_lr=min_lr, patience=patience,
            cooldown=cooldown, eps=eps, factor=0.5, threshold=0.01)})
        rnd = random.Random(patience * 100 + cooldown)
        x = 1.0
        for _ in range(150):
            x += rnd.choice([-0.02, 0.0, 0.0, 0.0, 0.005, 0.02])
            pair.step(0, x)
            _check_plateau_attrs(pair, "grid")


@pytest.mark.parametrize("eps", [0.05, 0.0, 0.025])
@pytest.mark.parametrize("min_lr", [0, 0.05, 0.1])
def test_plateau_eps_and_min_lr_boundaries(eps, min_lr):
    """old_lr - new_lr == eps exactly (0.1 - 0.05 == 0.05) and lr == min_lr: no reduction."""
    pair = Pair(opt_spec("sgd", [0.1, 0.2, 0.05]), "plateau boundaries")
    assert pair.construct({"cls": "ReduceLROnPlateau", "kw": dict(
        factor=0.5, patience=0, eps=eps, min_lr=min_lr)})
    for _ in range(12):
        pair.step(0, 1.0)
        _check_plateau_attrs(pair, "boundaries")


# ----------------------------------------------------------------------------------------
# CyclicLR / OneCycleLR / SWALR / Lambda / Polynomial / Linear / Constant: fixed grids
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("opt_kind", ["sgd", "adam"])
@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("cycle_momentum", [True, False])
def test_cyclic_modes(opt_kind, mode, cycle_momentum):
    pair = Pair(opt_spec(opt_kind, [0.1, 0.2, 0.3]), "CyclicLR")
    assert pair.construct({"cls": "CyclicLR", "kw": dict(
        base_lr=[0.001, 0.01, 0.002], max_lr=0.1, step_size_up=7, step_size_down=4, mode=mode,
        gamma=0.97, cycle_momentum=cycle_momentum, base_momentum=0.8,
        max_momentum=[0.9, 0.95, 0.99])})
    run_steps(pair, 120)


@pytest.mark.parametrize("opt_kind", ["sgd", "adam"])
@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
@pytest.mark.parametrize("fn", [Fn("half"), Fn("pow", 0.99, obj=True), Fn("inv", 0.1)])
def test_cyclic_custom_scale_fn(opt_kind, scale_mode, fn):
    pair = Pair(opt_spec(opt_kind, [0.1, 0.2]), "CyclicLR scale_fn")
    assert pair.construct({"cls": "CyclicLR", "kw": dict(
        base_lr=0.01, max_lr=[0.1, 0.5], step_size_up=5, scale_fn=fn, scale_mode=scale_mode,
        mode="not-a-mode")})  # mode is ignored when scale_fn is given
    run_steps(pair, 80)


@pytest.mark.parametrize("opt_kind", ["sgd", "adam"])
@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("steps_kw", [{"total_steps": 50}, {"epochs": 4, "steps_per_epoch": 13}])
def test_one_cycle_grid(opt_kind, anneal, three_phase, steps_kw):
    pair = Pair(opt_spec(opt_kind, [0.1, 0.2]), "OneCycleLR")
    assert pair.construct({"cls": "OneCycleLR", "kw": dict(
        max_lr=[0.5, 1.0], anneal_strategy=anneal, three_phase=three_phase, pct_start=0.3,
        **steps_kw)})
    total = steps_kw.get("total_steps") or steps_kw["epochs"] * steps_kw["steps_per_epoch"]
    assert run_steps(pair, total) == 0
    assert run_steps(pair, 2) == 2  # stepping past total_steps raises ValueError on both sides


@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 2, 5, 10])
@pytest.mark.parametrize("swa_lr", [0.05, [0.05, 0.5, 1e-3]])
def test_swalr_grid(anneal, anneal_epochs, swa_lr):
    pair = Pair(opt_spec("sgd", [0.1, 0.2, 0.01]), "SWALR")
    assert pair.construct({"cls": "SWALR", "kw": dict(
        swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=anneal)})
    run_steps(pair, 20)


def test_swalr_after_cosine_switch():
    """The documented SWA recipe: a regular scheduler, then SWALR from swa_start on."""
    pair = Pair(opt_spec("sgd", [0.1, 0.05]), "SWA switch")
    assert pair.construct({"cls": "CosineAnnealingLR", "kw": {"T_max": 100}})
    assert pair.construct({"cls": "SWALR", "kw": {"swa_lr": 0.05, "anneal_epochs": 7,
                                                  "anneal_strategy": "linear"}})
    for epoch in range(60):
        pair.step(1 if epoch > 30 else 0)


@pytest.mark.parametrize("cls", ["LambdaLR", "MultiplicativeLR"])
@pytest.mark.parametrize("container", [list, tuple, None])
def test_lambda_lists(cls, container):
    fns = ([Fn("pow", 0.9), Fn("warmup", 5, obj=True), Fn("cos", 20)] if cls == "LambdaLR"
           else [Fn("const", 0.9), Fn("alt", 0.8, obj=True), Fn("inv", 0.05)])
    lam = fns[0] if container is None else container(fns)
    pair = Pair(opt_spec("sgd", [0.1, 0.2, 0.3]), cls)
    assert pair.construct({"cls": cls, "kw": {"lr_lambda": lam}})
    run_steps(pair, 40)
    bad = Pair(opt_spec("sgd", [0.1, 0.2]), cls + " wrong length")
    assert not bad.construct({"cls": cls, "kw": {"lr_lambda": fns}})


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0])
@pytest.mark.parametrize("total_iters", [0, 1, 2, 5, 13])
def test_polynomial_powers(power, total_iters):
    pair = Pair(opt_spec("adam", [0.1, 1.0]), "PolynomialLR")
    assert pair.construct({"cls": "PolynomialLR",
                           "kw": {"power": power, "total_iters": total_iters}})
    run_steps(pair, total_iters + 5)


@pytest.mark.parametrize("start,end", [(1.0, 0.0), (1e-8, 1.0), (0.5, 0.5), (1.0, 1.0),
                                       (1 / 3, 1.0), (0.9, 0.1), (1e-3, 0.0)])
@pytest.mark.parametrize("total_iters", [0, 1, 2, 5])
def test_linear_edges(start, end, total_iters):
    pair = Pair(opt_spec("sgd", [0.1, 3.0]), "LinearLR")
    assert pair.construct({"cls": "LinearLR", "kw": dict(
        start_factor=start, end_factor=end, total_iters=total_iters)})
    run_steps(pair, total_iters + 4)


@pytest.mark.parametrize("factor", [0.0, 1e-12, 1 / 3, 0.5, 1.0])
@pytest.mark.parametrize("total_iters", [0, 1, 2, 5])
def test_constant_edges(factor, total_iters):
    # factor == 0: torch raises ZeroDivisionError at step total_iters (1.0 / factor)
    pair = Pair(opt_spec("sgd", [0.1, 3.0]), "ConstantLR")
    assert pair.construct({"cls": "ConstantLR",
                           "kw": dict(factor=factor, total_iters=total_iters)})
    run_steps(pair, total_iters + 4)


def test_int_lrs_keep_python_types():
    """Integer lrs are left as ints by torch wherever the group lr is returned unchanged."""
    specs = [{"cls": "StepLR", "kw": {"step_size": 3}},
             {"cls": "MultiStepLR", "kw": {"milestones": [2, 4]}},
             {"cls": "ExponentialLR", "kw": {"gamma": 1}},
             {"cls": "ReduceLROnPlateau", "kw": {"patience": 1}},
             {"cls": "LinearLR", "kw": {"total_iters": 2}},
             {"cls": "CosineAnnealingLR", "kw": {"T_max": 4, "eta_min": 0}}]
    for spec in specs:
        pair = Pair(opt_spec("sgd", [1, 2]), "int lrs")
        assert pair.construct(spec)
        for _ in range(8):
            if spec["cls"] == "ReduceLROnPlateau":
                pair.step(0, 1)
            else:
                pair.step()


# ----------------------------------------------------------------------------------------
# long runs (>= 10,000 steps)
# ----------------------------------------------------------------------------------------

LONG_RUNS = [
    ("cosine_T1000", opt_spec("sgd", [0.1, 0.03]),
     {"cls": "CosineAnnealingLR", "kw": {"T_max": 1000, "eta_min": 1e-5}}, 12000),
    ("cosine_T7", opt_spec("adam", [0.1, 1.0, 3e-4]),
     {"cls": "CosineAnnealingLR", "kw": {"T_max": 7}}, 10000),
    ("cyclic_triangular2_sgd", opt_spec("sgd", [0.1, 0.2]),
     {"cls": "CyclicLR", "kw": {"base_lr": 1e-3, "max_lr": [0.1, 0.3], "step_size_up": 500,
                                "step_size_down": 300, "mode": "triangular2"}}, 10000),
    ("cyclic_exp_range_adam", opt_spec("adam", [0.1]),
     {"cls": "CyclicLR", "kw": {"base_lr": 1e-4, "max_lr": 1e-2, "step_size_up": 250,
                                "mode": "exp_range", "gamma": 0.9997}}, 10000),
    ("onecycle_cos_adam", opt_spec("adam", [0.1, 0.2]),
     {"cls": "OneCycleLR", "kw": {"max_lr": [0.01, 0.1], "total_steps": 10000}}, 10000),
    ("onecycle_linear_3phase_sgd", opt_spec("sgd", [0.1]),
     {"cls": "OneCycleLR", "kw": {"max_lr": 0.5, "epochs": 40, "steps_per_epoch": 250,
                                  "anneal_strategy": "linear", "three_phase": True}}, 10000),
    ("exponential_0.999", opt_spec("sgd", [0.1, 1.0]),
     {"cls": "ExponentialLR", "kw": {"gamma": 0.999}}, 20000),
    ("exponential_underflow", opt_spec("sgd", [0.1]),
     {"cls": "ExponentialLR", "kw": {"gamma": 0.9}}, 10000),
    ("cawr_T10_mult2", opt_spec("sgd", [0.1]),
     {"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 10, "T_mult": 2, "eta_min": 1e-6}},
     10000),
    ("polynomial_10k", opt_spec("sgd", [0.1]),
     {"cls": "PolynomialLR", "kw": {"total_iters": 10000, "power": 2.0}}, 10001),
    ("sequential_warmup_cosine", opt_spec("adam", [3e-4, 1e-3]),
     {"cls": "SequentialLR", "milestones": [500],
      "children": [{"cls": "LinearLR", "kw": {"start_factor": 1e-3, "total_iters": 500}},
                   {"cls": "CosineAnnealingLR", "kw": {"T_max": 9500}}]}, 10000),
    ("swalr_cos_5000", opt_spec("sgd", [0.1]),
     {"cls": "SWALR", "kw": {"swa_lr": 0.01, "anneal_epochs": 5000}}, 10000),
    ("multiplicative_10k", opt_spec("sgd", [0.1]),
     {"cls": "MultiplicativeLR", "kw": {"lr_lambda": Fn("alt", 0.97)}}, 10000),
]


@pytest.mark.parametrize("name,ospec,spec,steps", LONG_RUNS, ids=[r[0] for r in LONG_RUNS])
def test_long_run(name, ospec, spec, steps):
    pair = Pair(ospec, f"long {name}")
    assert pair.construct(spec)
    assert run_steps(pair, steps) == 0


# ----------------------------------------------------------------------------------------
# constructor / step errors: same exception types
# ----------------------------------------------------------------------------------------

def _step_n(sched, n):
    for _ in range(n):
        sched.step()


ERRORS = {
    "constant_factor_gt1": lambda m, s, o, o2: m.ConstantLR(o, factor=1.5),
    "constant_factor_neg": lambda m, s, o, o2: m.ConstantLR(o, factor=-0.1),
    "linear_start_0": lambda m, s, o, o2: m.LinearLR(o, start_factor=0.0),
    "linear_start_gt1": lambda m, s, o, o2: m.LinearLR(o, start_factor=1.5),
    "linear_end_neg": lambda m, s, o, o2: m.LinearLR(o, end_factor=-0.1),
    "linear_end_gt1": lambda m, s, o, o2: m.LinearLR(o, end_factor=1.1),
    "cawr_T0_0": lambda m, s, o, o2: m.CosineAnnealingWarmRestarts(o, T_0=0),
    "cawr_T0_float": lambda m, s, o, o2: m.CosineAnnealingWarmRestarts(o, T_0=1.5),
    "cawr_Tmult_0": lambda m, s, o, o2: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    "cawr_Tmult_float": lambda m, s, o, o2: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
    "cawr_eta_min_str": lambda m, s, o, o2: m.CosineAnnealingWarmRestarts(o, 2, eta_min="x"),
    "onecycle_no_steps": lambda m, s, o, o2: m.OneCycleLR(o, max_lr=0.1),
    "onecycle_total_0": lambda m, s, o, o2: m.OneCycleLR(o, max_lr=0.1, total_steps=0),
    "onecycle_total_float": lambda m, s, o, o2: m.OneCycleLR(o, max_lr=0.1, total_steps=5.0),
    "onecycle_epochs_0": lambda m, s, o, o2: m.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3),
    "onecycle_spe_0": lambda m, s, o, o2: m.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=0),
    "onecycle_pct_int": lambda m, s, o, o2: m.OneCycleLR(o, 0.1, total_steps=9, pct_start=1),
    "onecycle_pct_gt1": lambda m, s, o, o2: m.OneCycleLR(o, 0.1, total_steps=9, pct_start=1.5),
    "onecycle_anneal": lambda m, s, o, o2: m.OneCycleLR(o, 0.1, total_steps=9,
                                                        anneal_strategy="foo"),
    "onecycle_maxlr_len": lambda m, s, o, o2: m.OneCycleLR(o, [0.1] * 5, total_steps=9),
    "cyclic_bad_mode": lambda m, s, o, o2: m.CyclicLR(o, 0.01, 0.1, mode="foo"),
    "cyclic_base_len": lambda m, s, o, o2: m.CyclicLR(o, [0.01] * 5, 0.1),
    "cyclic_no_momentum": lambda m, s, o, o2: m.CyclicLR(
        no_momentum_opt(), 0.01, 0.1),
    "onecycle_no_momentum": lambda m, s, o, o2: m.OneCycleLR(
        no_momentum_opt(), 0.01, total_steps=5),
    "swalr_anneal": lambda m, s, o, o2: s.SWALR(o, 0.05, anneal_strategy="foo"),
    "swalr_epochs_neg": lambda m, s, o, o2: s.SWALR(o, 0.05, anneal_epochs=-1),
    "swalr_epochs_float": lambda m, s, o, o2: s.SWALR(o, 0.05, anneal_epochs=1.5),
    "swalr_len": lambda m, s, o, o2: s.SWALR(o, [0.05] * 5),
    "plateau_factor_1": lambda m, s, o, o2: m.ReduceLROnPlateau(o, factor=1.0),
    "plateau_mode": lambda m, s, o, o2: m.ReduceLROnPlateau(o, mode="foo"),
    "plateau_threshold_mode": lambda m, s, o, o2: m.ReduceLROnPlateau(o, threshold_mode="foo"),
    "plateau_min_lr_len": lambda m, s, o, o2: m.ReduceLROnPlateau(o, min_lr=[0.0] * 5),
    "lambda_len": lambda m, s, o, o2: m.LambdaLR(o, [lambda e: 1.0] * 5),
    "multiplicative_len": lambda m, s, o, o2: m.MultiplicativeLR(o, [lambda e: 1.0] * 5),
    "multiplicative_not_callable": lambda m, s, o, o2: m.MultiplicativeLR(o, [0.5, 0.5]),
    "not_an_optimizer": lambda m, s, o, o2: m.StepLR(object(), 3),
    "onecycle_not_an_optimizer": lambda m, s, o, o2: m.OneCycleLR(object(), 0.1, total_steps=3),
    "plateau_not_an_optimizer": lambda m, s, o, o2: m.ReduceLROnPlateau(object()),
    "sequential_empty": lambda m, s, o, o2: m.SequentialLR(o, [], milestones=[]),
    "sequential_milestones_len": lambda m, s, o, o2: m.SequentialLR(
        o, [m.StepLR(o, 2), m.ExponentialLR(o, 0.9)], milestones=[]),
    "sequential_other_opt": lambda m, s, o, o2: m.SequentialLR(
        o, [m.StepLR(o, 2), m.ExponentialLR(o2, 0.9)], milestones=[3]),
    "sequential_no_optimizer_attr": lambda m, s, o, o2: m.SequentialLR(o, [object()], []),
    "chained_empty": lambda m, s, o, o2: m.ChainedScheduler([]),
    # A ReduceLROnPlateau child: torch refuses it, lrcore accepts it (tests/test_composite_metric.py)
    "chained_other_opt": lambda m, s, o, o2: m.ChainedScheduler(
        [m.StepLR(o, 2), m.StepLR(o2, 2)]),
    "chained_step_epoch": lambda m, s, o, o2: m.ChainedScheduler([m.StepLR(o, 2)]).step(3),
    "sequential_step_epoch": lambda m, s, o, o2: m.SequentialLR(
        o, [m.StepLR(o, 2)], milestones=[]).step(3),
    "cawr_negative_epoch": lambda m, s, o, o2: m.CosineAnnealingWarmRestarts(o, 3).step(-1),
    "onecycle_overstep": lambda m, s, o, o2: _step_n(m.OneCycleLR(o, 0.1, total_steps=1), 3),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match(name):
    fn = ERRORS[name]
    o_t, o2_t = make_opt(opt_spec("sgd", [0.1, 0.2])), make_opt(opt_spec("sgd", [0.1, 0.2]))
    o_l, o2_l = make_opt(opt_spec("sgd", [0.1, 0.2])), make_opt(opt_spec("sgd", [0.1, 0.2]))
    for o in (o_t, o_l):
        o.step()
    _, _, exc = both(lambda: fn(TLR, TSWA, o_t, o2_t), lambda: fn(LR, SWA, o_l, o2_l), name)
    assert exc is not None, f"{name}: torch did not raise"


def test_spec_builder_roundtrip_sanity():
    """The harness builds the same objects for torch and the module under test."""
    o = make_opt(opt_spec("sgd", [0.1]))
    s = build({"cls": "StepLR", "kw": {"step_size": 2}}, o, LR, SWA)
    assert type(s).__name__ == "StepLR"
