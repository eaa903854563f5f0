"""state_dict / load_state_dict: same keys, same values (and Python types) as torch 2.13;
round trips torch -> module under test and module under test -> torch continue bit-identically.

Round-trip protocol (the canonical resume order): build a fresh optimizer and a fresh
scheduler, then ``optimizer.load_state_dict(saved_optimizer_state)`` and
``scheduler.load_state_dict(saved_scheduler_state)``.  State dicts travel through
``pickle`` (as ``torch.save`` would), which also checks they are picklable.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import sys
import warnings
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import (  # noqa: E402
    LEAF_KINDS, LR, SWA, TLR, TSWA, Fn, Pair, _call, any_specs, both, build, diff,
    hsettings, leaf_specs, make_opt, metric_streams, opt_spec, opt_specs, perturb_spec,
    plateau_specs, run_steps,
)

ALL_KINDS = LEAF_KINDS + ["SequentialLR", "ChainedScheduler"]
# kinds whose state_dict keys do not depend on constructor arguments: a fresh scheduler
# built with *different* hyperparameters must behave as the saved one after loading
CONFIG_FREE_KEYS = {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                    "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "SWALR",
                    "ReduceLROnPlateau"}


def _pickled(sd):
    return pickle.loads(pickle.dumps(sd))


def _fresh_pair(ospec, spec, label):
    p = Pair(ospec, label)
    ok = p.construct_with(lambda o: build(spec, o, TLR, TSWA), lambda o: build(spec, o, LR, SWA),
                          f"construct fresh {spec['cls']}")
    return p if ok else None


def _load(pair: Pair, opt_state_t, opt_state_l, sd_t, sd_l, where):
    """Load optimizer states, then scheduler state dicts (torch side gets sd_t, tested sd_l)."""
    pair.opt_t.load_state_dict(opt_state_t)
    pair.opt_l.load_state_dict(opt_state_l)
    st_, sl_ = pair.scheds[0]
    _, _, exc = both(lambda: st_.load_state_dict(_pickled(sd_t)),
                     lambda: sl_.load_state_dict(_pickled(sd_l)), pair.where(where))
    assert exc is None, f"{where}: torch's load_state_dict raised {exc!r}"
    pair.check(pair.where(f"after {where}"))
    pair.check_state_dicts(pair.where(f"after {where}"))


def _cross_check(ref_sched, ref_opt, sched, opt, where):
    """A torch scheduler that kept running vs a scheduler that was saved/loaded."""
    for i, (a, b) in enumerate(zip(ref_opt.param_groups, opt.param_groups)):
        da = {k: v for k, v in a.items() if k != "params"}
        db = {k: v for k, v in b.items() if k != "params"}
        d = diff(da, db, f"param_groups[{i}]")
        assert d is None, f"{where}: {d}"
    d = diff(ref_sched.get_last_lr(), sched.get_last_lr(), "get_last_lr()")
    assert d is None, f"{where}: {d}"
    if hasattr(ref_sched, "last_epoch"):
        d = diff(ref_sched.last_epoch, sched.last_epoch, "last_epoch")
        assert d is None, f"{where}: {d}"


def _continue(ref: Pair, loaded: Pair, steps: int, cross, metrics=None):
    """Step the original pair and the loaded pair in lockstep.

    ``cross``: list of (name, ref_sched, ref_opt, sched, opt) compared after every step.
    """
    for j in range(steps):
        args = () if metrics is None else (metrics[j],)
        ref.step(0, *args)
        loaded.step(0, *args)
        if ref.retired is not None or loaded.retired is not None:
            return  # a failed step: the sides part ways there (see Pair.call)
        loaded.check_state_dicts(loaded.where("state_dict after continuing"))
        for name, rs, ro, s, o in cross():
            _cross_check(rs, ro, s, o, f"{name} continue step {j}")


# ----------------------------------------------------------------------------------------
# state_dict equality at every step, for random configurations
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(15)
@given(data=st.data())
def test_state_dict_equal_every_step(kind, data):
    ospec = data.draw(opt_specs(max_groups=5), label="optimizer")
    spec = data.draw(any_specs(len(ospec["lrs"]), kind), label="scheduler")
    steps = data.draw(st.integers(0, 120), label="steps")
    pair = Pair(ospec, f"sd {kind}")
    if not pair.construct(spec):
        return
    pair.check_state_dicts(pair.where("state_dict after construction"))
    run_steps(pair, steps, state_dicts=True)


# ----------------------------------------------------------------------------------------
# round trips
# ----------------------------------------------------------------------------------------


def _fresh_spec(data, kind, n, spec):
    if kind in CONFIG_FREE_KEYS and data.draw(st.booleans(), label="fresh with other args"):
        return data.draw(leaf_specs(n, kinds=(kind,)), label="fresh scheduler")
    return perturb_spec(spec)


@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(12)
@given(data=st.data())
def test_round_trip_torch_to_tested(kind, data):
    ospec = data.draw(opt_specs(max_groups=5), label="optimizer")
    n = len(ospec["lrs"])
    spec = data.draw(any_specs(n, kind), label="scheduler")
    k = data.draw(st.integers(0, 150), label="save at step")
    m = data.draw(st.integers(0, 80), label="continue for")
    a = Pair(ospec, f"original {kind}")
    if not a.construct(spec):
        return
    run_steps(a, k)
    if a.retired is not None:  # a step failed: the sides parted ways (see Pair.call)
        return
    sd_t = a.scheds[0][0].state_dict()
    opt_state = a.opt_t.state_dict()

    b = _fresh_pair(ospec, _fresh_spec(data, kind, n, spec), f"loaded {kind}")
    if b is None:
        b = _fresh_pair(ospec, perturb_spec(spec), f"loaded {kind}")
    if b is None:  # perturbed callables made construction raise (on both sides)
        return
    _load(b, opt_state, opt_state, sd_t, sd_t, "load torch's state_dict")
    # the tested scheduler, loaded from torch's state, vs torch's original that kept running
    _continue(a, b, m, lambda: [("torch original vs tested loaded",
                                 a.scheds[0][0], a.opt_t, b.scheds[0][1], b.opt_l)])


@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(12)
@given(data=st.data())
def test_round_trip_tested_to_torch(kind, data):
    ospec = data.draw(opt_specs(max_groups=5), label="optimizer")
    n = len(ospec["lrs"])
    spec = data.draw(any_specs(n, kind), label="scheduler")
    k = data.draw(st.integers(0, 150), label="save at step")
    m = data.draw(st.integers(0, 80), label="continue for")
    a = Pair(ospec, f"original {kind}")
    if not a.construct(spec):
        return
    run_steps(a, k)
    if a.retired is not None:  # a step failed: the sides parted ways (see Pair.call)
        return
    a.check_state_dicts(a.where("before saving"))
    sd_l = a.scheds[0][1].state_dict()
    opt_state_l = a.opt_l.state_dict()

    # torch loads the tested module's state dict; the tested module loads its own
    c = _fresh_pair(ospec, _fresh_spec(data, kind, n, spec), f"loaded {kind}")
    if c is None:
        c = _fresh_pair(ospec, perturb_spec(spec), f"loaded {kind}")
    if c is None:  # perturbed callables made construction raise (on both sides)
        return
    _load(c, opt_state_l, opt_state_l, sd_l, sd_l, "load tested module's state_dict")
    _continue(a, c, m, lambda: [
        ("torch original vs torch loaded from tested", a.scheds[0][0], a.opt_t,
         c.scheds[0][0], c.opt_t),
        ("tested original vs tested reloaded", a.scheds[0][0], a.opt_t,
         c.scheds[0][1], c.opt_l),
    ])


@hsettings(40)
@given(data=st.data())
def test_plateau_round_trip(data):
    ospec = data.draw(opt_specs(max_groups=5), label="optimizer")
    n = len(ospec["lrs"])
    spec = data.draw(plateau_specs(n), label="scheduler")
    metrics = data.draw(metric_streams(max_len=100), label="metrics")
    cut = data.draw(st.integers(0, len(metrics)), label="save after")
    a = Pair(ospec, "plateau original")
    if not a.construct(spec):
        return
    for x in metrics[:cut]:
        a.step(0, x)
        a.check_state_dicts(a.where("plateau state_dict"))
    sd_t, sd_l = a.scheds[0][0].state_dict(), a.scheds[0][1].state_dict()
    ost_t, ost_l = a.opt_t.state_dict(), a.opt_l.state_dict()
    fresh = data.draw(st.one_of(st.just(spec), plateau_specs(n)), label="fresh scheduler")
    b = _fresh_pair(ospec, fresh, "plateau from torch")
    c = _fresh_pair(ospec, fresh, "plateau from tested")
    if b is None or c is None:
        return
    _load(b, ost_t, ost_t, sd_t, sd_t, "load torch's state_dict")
    _load(c, ost_l, ost_l, sd_l, sd_l, "load tested state_dict")
    rest = metrics[cut:]
    for j, x in enumerate(rest):
        a.step(0, x)
        for p in (b, c):
            p.step(0, x)
            p.check_state_dicts(p.where("plateau state_dict after load"))
        _cross_check(a.scheds[0][0], a.opt_t, b.scheds[0][1], b.opt_l, f"torch->tested {j}")
        _cross_check(a.scheds[0][0], a.opt_t, c.scheds[0][0], c.opt_t, f"tested->torch {j}")


# ----------------------------------------------------------------------------------------
# fixed nested / stateful cases
# ----------------------------------------------------------------------------------------

NESTED = {
    "seq_warmup_chained": {"cls": "SequentialLR", "milestones": [4, 9], "children": [
        {"cls": "LinearLR", "kw": {"start_factor": 0.1, "total_iters": 4}},
        {"cls": "ChainedScheduler", "children": [
            {"cls": "ExponentialLR", "kw": {"gamma": 0.9}},
            {"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}}]},
        {"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 3, "T_mult": 2}}]},
    "chained_seq_cawr": {"cls": "ChainedScheduler", "pass_opt": True, "children": [
        {"cls": "SequentialLR", "milestones": [0, 5], "children": [
            {"cls": "ConstantLR", "kw": {"factor": 0.5, "total_iters": 3}},
            {"cls": "MultiStepLR", "kw": {"milestones": [6, 6, 8], "gamma": 0.5}},
            {"cls": "LambdaLR", "kw": {"lr_lambda": [Fn("pow", 0.95, obj=True),
                                                     Fn("warmup", 3)]}}]},
        {"cls": "MultiplicativeLR", "kw": {"lr_lambda": Fn("const", 0.99, obj=True)}}]},
    "seq_onecycle_swalr": {"cls": "SequentialLR", "milestones": [20], "children": [
        {"cls": "OneCycleLR", "kw": {"max_lr": [0.5, 0.2], "total_steps": 20,
                                     "three_phase": True}},
        {"cls": "SWALR", "kw": {"swa_lr": 0.05, "anneal_epochs": 4}}]},
    "cyclic_custom_obj": {"cls": "CyclicLR", "kw": {
        "base_lr": 0.01, "max_lr": [0.1, 0.3], "step_size_up": 4, "step_size_down": 2,
        "scale_fn": Fn("pow", 0.9, obj=True), "scale_mode": "iterations"}},
    "cyclic_exp_range": {"cls": "CyclicLR", "kw": {
        "base_lr": 0.01, "max_lr": 0.2, "step_size_up": 5, "mode": "exp_range", "gamma": 0.95}},
    "onecycle_linear": {"cls": "OneCycleLR", "kw": {
        "max_lr": 0.3, "epochs": 3, "steps_per_epoch": 10, "anneal_strategy": "linear"}},
    "cawr_mult3": {"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 2, "T_mult": 3,
                                                                 "eta_min": 1e-3}},
    "lambda_objects": {"cls": "LambdaLR", "kw": {"lr_lambda": [
        Fn("stepdecay", 0.5, 3, obj=True), Fn("cos", 12, obj=True)]}},
}


@pytest.mark.parametrize("opt_kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", sorted(NESTED))
def test_nested_round_trips(name, opt_kind):
    spec = NESTED[name]
    ospec = opt_spec(opt_kind, [0.1, 0.02])
    for k in (0, 1, 4, 5, 9, 10, 17):
        a = Pair(ospec, f"{name} original")
        assert a.construct(spec)
        run_steps(a, k, state_dicts=True)
        sd_t, sd_l = a.scheds[0][0].state_dict(), a.scheds[0][1].state_dict()
        ost_t, ost_l = a.opt_t.state_dict(), a.opt_l.state_dict()
        b = _fresh_pair(ospec, perturb_spec(spec), f"{name} from torch")
        c = _fresh_pair(ospec, perturb_spec(spec), f"{name} from tested")
        _load(b, ost_t, ost_t, sd_t, sd_t, "load torch's state_dict")
        _load(c, ost_l, ost_l, sd_l, sd_l, "load tested state_dict")
        for j in range(12):
            for p in (a, b, c):
                p.step(0)
            if any(p.retired is not None for p in (a, b, c)):
                break  # a failed step: the sides part ways there (see Pair.call)
            b.check_state_dicts(b.where("after load"))
            c.check_state_dicts(c.where("after load"))
            _cross_check(a.scheds[0][0], a.opt_t, b.scheds[0][1], b.opt_l, f"torch->tested {j}")
            _cross_check(a.scheds[0][0], a.opt_t, c.scheds[0][0], c.opt_t, f"tested->torch {j}")


def test_cawr_fractional_epoch_state_round_trip():
    """T_cur becomes a float on the step(epoch) path; the state must keep it a float."""
    spec = {"cls": "CosineAnnealingWarmRestarts", "kw": {"T_0": 3, "T_mult": 2}}
    ospec = opt_spec("sgd", [0.1, 0.5])
    a = Pair(ospec, "cawr fractional")
    assert a.construct(spec)
    for e in [0.25, 1.5, 2.75, 3.0, 4.2, 9.0, 10.5, 22.0]:
        a.step(0, e)
        a.check_state_dicts(a.where("state_dict after step(epoch)"))
    sd_t = a.scheds[0][0].state_dict()
    b = _fresh_pair(ospec, spec, "cawr loaded")
    _load(b, a.opt_t.state_dict(), a.opt_t.state_dict(), sd_t, sd_t, "load")
    for j in range(30):
        a.step(0)
        b.step(0)
        _cross_check(a.scheds[0][0], a.opt_t, b.scheds[0][1], b.opt_l, f"continue {j}")


def test_lambda_object_state_is_restored():
    """Callable objects' __dict__ is saved; loading overwrites the fresh objects' attributes."""
    spec = {"cls": "LambdaLR", "kw": {"lr_lambda": [Fn("pow", 0.9, obj=True),
                                                    Fn("warmup", 5, obj=True)]}}
    ospec = opt_spec("sgd", [0.1, 0.2])
    a = Pair(ospec, "lambda obj")
    assert a.construct(spec)
    run_steps(a, 7)
    sd_t = a.scheds[0][0].state_dict()
    assert sd_t["lr_lambdas"] == [{"name": "pow", "params": [0.9]},
                                  {"name": "warmup", "params": [5]}]
    other = {"cls": "LambdaLR", "kw": {"lr_lambda": [Fn("pow", 0.5, obj=True),
                                                     Fn("warmup", 9, obj=True)]}}
    b = _fresh_pair(ospec, other, "lambda obj loaded")
    _load(b, a.opt_t.state_dict(), a.opt_t.state_dict(), sd_t, sd_t, "load")
    assert b.scheds[0][1].lr_lambdas[0].params == [0.9]
    assert b.scheds[0][1].lr_lambdas[1].params == [5]
    for j in range(10):
        a.step(0)
        b.step(0)
        _cross_check(a.scheds[0][0], a.opt_t, b.scheds[0][1], b.opt_l, f"continue {j}")


def test_state_dict_key_types():
    """Spot checks of the Python types torch keeps in state dicts."""
    rnd = random.Random(0)
    ospec = opt_spec("adam", [0.1, 0.2])
    cases = [
        ({"cls": "MultiStepLR", "kw": {"milestones": [3, 3, 5]}}, "milestones", "Counter"),
        ({"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1}}, "total_size", "float"),
        ({"cls": "OneCycleLR", "kw": {"max_lr": 0.1, "total_steps": 10}}, "_schedule_phases",
         "list"),
        ({"cls": "SWALR", "kw": {"swa_lr": 0.1}}, "_anneal_strategy", "str"),
        ({"cls": "ReduceLROnPlateau", "kw": {}}, "best", "float"),
        ({"cls": "StepLR", "kw": {"step_size": 2}}, "_step_count", "int"),
        ({"cls": "StepLR", "kw": {"step_size": 2}}, "_is_initial", "bool"),
    ]
    for spec, key, tname in cases:
        p = Pair(ospec, "types")
        assert p.construct(spec)
        if spec["cls"] == "ReduceLROnPlateau":
            p.step(0, 1.0)
        else:
            run_steps(p, rnd.randint(1, 5), state_dicts=True)
        sd_l = p.scheds[0][1].state_dict()
        assert type(sd_l[key]).__name__ == tname, (spec["cls"], key, type(sd_l[key]))


# ----------------------------------------------------------------------------------------
# JSON: a state written as JSON and read back (tuples become lists, MultiStepLR's milestones a
# dict with str keys) loads, and the run goes on as torch's original
# ----------------------------------------------------------------------------------------


def _json(sd):
    return json.loads(json.dumps(sd))


def _json_continue(a: Pair, sched, opt, steps, where, metrics=None):
    """The torch original (a) and a scheduler loaded from JSON step on alike: lrs, last lrs,
    last_epoch and the state_dict, exactly."""
    st_ = a.scheds[0][0]
    d = diff(st_.state_dict(), sched.state_dict(), "state_dict() after the load", exact=True)
    assert d is None, f"{where}: {d}"
    for j in range(steps):
        args = () if metrics is None else (metrics[j],)
        a.opt_t.step()
        opt.step()
        _, et, _ = _call(lambda: st_.step(*args))
        _, el, _ = _call(lambda: sched.step(*args))
        assert type(el) is type(et), f"{where} step {j}: torch raised {et!r}, lrcore {el!r}"
        if et is not None:
            return
        _cross_check(st_, a.opt_t, sched, opt, f"{where} step {j}")
        d = diff(st_.state_dict(), sched.state_dict(), f"state_dict() at step {j}", exact=True)
        assert d is None, f"{where}: {d}"


@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(10)
@given(data=st.data())
def test_json_round_trip(kind, data):
    ospec = data.draw(opt_specs(max_groups=4), label="optimizer")
    n = len(ospec["lrs"])
    spec = data.draw(any_specs(n, kind), label="scheduler")
    k = data.draw(st.integers(0, 60), label="save at step")
    a = Pair(ospec, f"json {kind}")
    if not a.construct(spec):
        return
    run_steps(a, k)
    if a.retired is not None:
        return
    saved = _json(a.scheds[0][1].state_dict())
    opt_state = a.opt_l.state_dict()
    b = _fresh_pair(ospec, perturb_spec(spec), f"json {kind} loaded")
    if b is None:
        return
    b.opt_l.load_state_dict(opt_state)
    sched = b.scheds[0][1]
    sched.load_state_dict(saved)
    _json_continue(a, sched, b.opt_l, data.draw(st.integers(1, 40), label="continue for"),
                   f"json {kind}")


@hsettings(20)
@given(data=st.data())
def test_json_round_trip_plateau(data):
    ospec = data.draw(opt_specs(max_groups=4), label="optimizer")
    spec = data.draw(plateau_specs(len(ospec["lrs"])), label="scheduler")
    metrics = [float(x) for x in data.draw(metric_streams(max_len=60), label="metrics")]
    cut = data.draw(st.integers(0, len(metrics)), label="save after")
    a = Pair(ospec, "json plateau")
    if not a.construct(spec):
        return
    for x in metrics[:cut]:
        a.step(0, x)
    saved = _json(a.scheds[0][1].state_dict())
    b = _fresh_pair(ospec, spec, "json plateau loaded")
    b.opt_l.load_state_dict(a.opt_l.state_dict())
    sched = b.scheds[0][1]
    sched.load_state_dict(saved)
    rest = metrics[cut:]
    _json_continue(a, sched, b.opt_l, len(rest), "json plateau", metrics=rest)


@pytest.mark.parametrize("nested", [False, True])
def test_json_milestones_come_back_as_ints(nested):
    """MultiStepLR's Counter becomes {"3": 2, ...} in JSON; loading turns the keys back into
    ints, alone and as a SequentialLR's child."""
    spec = {"cls": "MultiStepLR", "kw": {"milestones": [3, 3, 5], "gamma": 0.5}}
    if nested:
        spec = {"cls": "SequentialLR", "milestones": [2], "children": [
            {"cls": "ConstantLR", "kw": {"factor": 0.5, "total_iters": 2}}, spec]}
    ospec = opt_spec("sgd", [0.1, 0.2])
    a = Pair(ospec, "json milestones")
    assert a.construct(spec)
    run_steps(a, 2)
    saved = _json(a.scheds[0][1].state_dict())
    milestones = (saved["_schedulers"][1] if nested else saved)["milestones"]
    assert milestones == {"3": 2, "5": 1}
    b = _fresh_pair(ospec, spec, "json milestones loaded")
    b.opt_l.load_state_dict(a.opt_l.state_dict())
    sched = b.scheds[0][1]
    sched.load_state_dict(saved)
    loaded = (sched._schedulers[1] if nested else sched).milestones
    assert type(loaded) is Counter and loaded == Counter({3: 2, 5: 1})
    _json_continue(a, sched, b.opt_l, 10, "json milestones")


# ----------------------------------------------------------------------------------------
# a composite's children keep the lrs of their own steps
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("composite", ["SequentialLR", "ChainedScheduler"])
def test_composite_children_keep_their_own_last_lr(composite):
    """A ChainedScheduler's child: what it computed, before the next child's step; a
    SequentialLR's idle child: those of its last step (the compiled step once wrote the
    composite's lrs into every child)."""
    def run(mod):
        opt = make_opt(opt_spec("sgd", (0.1,)))
        children = [mod.ConstantLR(opt, factor=0.5, total_iters=2), mod.ExponentialLR(opt, 0.9)]
        s = (mod.SequentialLR(opt, children, milestones=[2]) if composite == "SequentialLR"
             else mod.ChainedScheduler(children))
        for _ in range(3):
            opt.step()
            s.step()
        return [c.state_dict() for c in children]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = diff(run(TLR), run(LR), "children's states", exact=True)
    assert d is None, d
