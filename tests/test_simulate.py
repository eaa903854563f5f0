"""scheduler.simulate(num_steps): the coming lrs as a float64 array, without stepping.

The contract checked here:

* ``simulate(K)`` returns a C-contiguous float64 array of shape ``(K + 1, n_groups)``; row 0 is
  the groups' lrs now, row k the lrs after k more ``step()`` calls, bit for bit (compared as
  uint64 bit patterns, so -0.0 and NaN payloads count);
* neither the optimizer's param groups nor the scheduler's state (state_dict, last_epoch,
  get_last_lr, _step_count) change;
* the rows equal what torch 2.13's scheduler gives on the same configuration, stepped in lockstep;
* user callables (lr_lambda) are called exactly as K steps would call them;
* ReduceLROnPlateau takes ``simulate(metrics=seq)``;
* errors: bad num_steps, Python overrides of get_lr/step and values the core does not model (a
  user's scale_fn, Tensor lrs): NotImplementedError, nothing changed, and stepping still equals
  torch; and whatever stepping would raise (raised by simulate, nothing changed);
* the C++ loop runs with the GIL released; it works without torch on a duck optimizer.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
import warnings
import zlib

import numpy as np
import pytest
import torch
from hypothesis import assume, event, given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import (  # noqa: E402
    LEAF_KINDS, TLR, TSWA, Fn, build, chained_specs, hsettings, leaf_specs, make_opt, opt_spec,
    opt_specs, perturb_spec, plateau_specs, sequential_specs,
)

import lrcore  # noqa: E402
import lrcore.lr_scheduler as LLR  # noqa: E402  (always lrcore: simulate is lrcore's own API)
import lrcore.swa_utils as LSWA  # noqa: E402

# Where this process imports lrcore from (the source tree in development, site-packages when
# installed): subprocesses must import the same one.
LRCORE_PATH = os.path.dirname(os.path.dirname(os.path.abspath(lrcore.__file__)))


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def quiet():
    """torch's (and lrcore's) expected warnings while stepping: step order, step(epoch)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def lrs_of(opt) -> list[float]:
    return [float(g["lr"]) for g in opt.param_groups]


def state_of(sched, opt) -> str:
    """Everything simulate must leave alone, as one exact string (repr of floats round-trips,
    keeps -0.0, nan and the int/float distinction)."""
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    attrs = {a: getattr(sched, a) for a in ("last_epoch", "_step_count", "base_lrs")
             if hasattr(sched, a)}
    with quiet():
        sd = sched.state_dict()
        last = sched.get_last_lr()
    ids = (id(opt.param_groups), [id(g) for g in opt.param_groups])
    return repr((sd, groups, attrs, last, ids))


def _bits(a) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.uint64)


def assert_bits(sim: np.ndarray, rows, what: str = "") -> None:
    """sim equals rows bit for bit (and np.array_equal where there is no NaN)."""
    exp = np.asarray(rows, dtype=np.float64)
    assert sim.shape == exp.shape, f"{what}: shape {sim.shape} != {exp.shape}"
    if not np.isnan(exp).any():
        assert np.array_equal(sim, exp), _first_diff(sim, exp, what)
    assert np.array_equal(_bits(sim), _bits(exp)), _first_diff(sim, exp, what)


def assert_same_values(sim: np.ndarray, rows, what: str = "") -> None:
    """Exact equality with torch's values: bits, except that any NaN equals any NaN."""
    exp = np.asarray(rows, dtype=np.float64)
    assert sim.shape == exp.shape, f"{what}: shape {sim.shape} != {exp.shape}"
    both_nan = np.isnan(sim) & np.isnan(exp)
    same = (_bits(sim) == _bits(exp)) | both_nan
    assert same.all(), _first_diff(sim, exp, what)


def _first_diff(sim, exp, what) -> str:
    bad = np.argwhere(_bits(sim) != _bits(exp))
    if len(bad) == 0:
        return what
    r, c = bad[0]
    return (f"{what}: first difference at row {r}, group {c}: simulate {sim[r, c]!r} "
            f"vs {exp[r, c]!r}\nsimulate:\n{sim}\nexpected:\n{exp}")


def check_array(sim, k: int, n: int) -> None:
    assert isinstance(sim, np.ndarray)
    assert sim.dtype == np.float64
    assert sim.shape == (k + 1, n)
    assert sim.flags.c_contiguous


class Boom(Exception):
    pass


def seed_of(*parts) -> int:
    return zlib.crc32(repr(parts).encode())


LRS = [0.1, 0.05, 0.2, 0.01]
MOMENTA = [0.9, 0.8, 0.85, 0.95]
BETAS = [(0.9, 0.999), (0.85, 0.99), (0.8, 0.995), (0.95, 0.9999)]


def ospec_for(kind: str, n: int, extra=None):
    if kind == "sgd":
        return opt_spec("sgd", LRS[:n], momenta=MOMENTA[:n], extra=extra)
    return opt_spec("adam", LRS[:n], betas=BETAS[:n], extra=extra)


def twins(ospec, spec):
    """(opt_l, sched_l, opt_t, sched_t): the same configuration built with lrcore and torch."""
    opt_l, opt_t = make_opt(ospec), make_opt(ospec)
    with quiet():
        s_l = build(spec, opt_l, LLR, LSWA)
        s_t = build(spec, opt_t, TLR, TSWA)
    return opt_l, s_l, opt_t, s_t


def step_both(opt_l, s_l, opt_t, s_t, *args) -> None:
    with quiet():
        opt_l.step()
        s_l.step(*args)
        opt_t.step()
        s_t.step(*args)


def simulate_unchanged(sched, opt, *args, **kwargs) -> np.ndarray:
    """sched.simulate(...), checking that nothing changed. Runs with warnings as errors: simulate
    itself must not warn."""
    before = state_of(sched, opt)
    sim = sched.simulate(*args, **kwargs)
    assert state_of(sched, opt) == before, "simulate changed the scheduler or the optimizer"
    return sim


def check_future(opt_l, s_l, opt_t, s_t, k: int, what: str = "") -> np.ndarray:
    """simulate(k) on the lrcore side (nothing changes), then k lockstep steps: the rows equal
    lrcore's stepping bit for bit and torch's values."""
    n = len(opt_l.param_groups)
    sim = simulate_unchanged(s_l, opt_l, k)
    check_array(sim, k, n)
    rows_l, rows_t = [lrs_of(opt_l)], [lrs_of(opt_t)]
    for _ in range(k):
        step_both(opt_l, s_l, opt_t, s_t)
        rows_l.append(lrs_of(opt_l))
        rows_t.append(lrs_of(opt_t))
    assert_bits(sim, rows_l, f"{what}: simulate vs stepping")
    assert_same_values(sim, rows_t, f"{what}: simulate vs torch")
    return sim


def lockstep_rounds(opt_l, s_l, opt_t, s_t, rng, rounds=3, max_advance=12, max_k=15,
                    advance=None, what=""):
    """rounds times: advance a random number of steps (the first may be 0), then check_future."""
    for r in range(rounds):
        if advance is not None:
            advance(rng)
        else:
            for _ in range(rng.choice([0, rng.randint(1, max_advance)])):
                step_both(opt_l, s_l, opt_t, s_t)
        check_future(opt_l, s_l, opt_t, s_t, rng.randint(1, max_k), f"{what} round {r}")


# ----------------------------------------------------------------------------------------
# 1. every scheduler, 1-4 groups, vs stepping and vs torch
# ----------------------------------------------------------------------------------------

_LAMBDAS = [Fn("pow", 0.9, obj=True), Fn("cos", 9), Fn("sqrt_decay", 5, obj=True),
            Fn("stepdecay", 0.5, 3)]
_MULTS = [Fn("alt", 0.9, obj=True), Fn("inv", 0.1), Fn("const", 0.97, obj=True), Fn("pow", 0.99)]


def _per(n, values):
    return [values[i % len(values)] for i in range(n)]


def _cyclic(mode, **extra):
    def make(n):
        kw = {"base_lr": _per(n, [0.01, 0.002, 0.005]), "max_lr": _per(n, [0.1, 0.05, 0.2]),
              "step_size_up": 4, "step_size_down": 3, "mode": mode}
        if mode == "exp_range":
            kw["gamma"] = 0.97
        kw.update(extra)
        return {"cls": "CyclicLR", "kw": kw}
    return make


def _onecycle(anneal, three_phase):
    def make(n):
        return {"cls": "OneCycleLR",
                "kw": {"max_lr": _per(n, [0.5, 0.3, 1.0]), "total_steps": 100, "pct_start": 0.25,
                       "anneal_strategy": anneal, "three_phase": three_phase}}
    return make


def _leaf(cls, **kw):
    return {"cls": cls, "kw": kw}


CONFIGS = {
    "LambdaLR": ("sgd", lambda n: _leaf("LambdaLR", lr_lambda=Fn("warmup", 4))),
    "LambdaLR-per-group": ("adam", lambda n: _leaf("LambdaLR", lr_lambda=_per(n, _LAMBDAS))),
    "MultiplicativeLR": ("sgd", lambda n: _leaf("MultiplicativeLR", lr_lambda=Fn("const", 0.95))),
    "MultiplicativeLR-per-group": ("adam",
                                   lambda n: _leaf("MultiplicativeLR", lr_lambda=_per(n, _MULTS))),
    "StepLR": ("sgd", lambda n: _leaf("StepLR", step_size=3, gamma=0.5)),
    "MultiStepLR": ("adam", lambda n: _leaf("MultiStepLR", milestones=[2, 5, 5, 9], gamma=0.3)),
    "ConstantLR": ("sgd", lambda n: _leaf("ConstantLR", factor=0.5, total_iters=4)),
    "LinearLR-warmup": ("adam", lambda n: _leaf("LinearLR", start_factor=0.25, end_factor=1.0,
                                                total_iters=7)),
    "LinearLR-decay": ("sgd", lambda n: _leaf("LinearLR", start_factor=1.0, end_factor=0.1,
                                              total_iters=6)),
    "ExponentialLR": ("sgd", lambda n: _leaf("ExponentialLR", gamma=0.93)),
    "PolynomialLR": ("adam", lambda n: _leaf("PolynomialLR", total_iters=9, power=2.0)),
    "CosineAnnealingLR": ("sgd", lambda n: _leaf("CosineAnnealingLR", T_max=7, eta_min=1e-3)),
    "CosineAnnealingLR-T1": ("adam", lambda n: _leaf("CosineAnnealingLR", T_max=1)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda n: _leaf("CosineAnnealingWarmRestarts", T_0=3,
                                                           T_mult=2, eta_min=1e-4)),
    "CyclicLR-triangular-sgd": ("sgd", _cyclic("triangular")),
    "CyclicLR-triangular-adam": ("adam", _cyclic("triangular")),
    "CyclicLR-triangular2-sgd": ("sgd", _cyclic("triangular2")),
    "CyclicLR-triangular2-adam": ("adam", _cyclic("triangular2")),
    "CyclicLR-exp_range-sgd": ("sgd", _cyclic("exp_range")),
    "CyclicLR-exp_range-adam": ("adam", _cyclic("exp_range")),
    "CyclicLR-no-momentum": ("sgd", _cyclic("triangular2", cycle_momentum=False)),
    "OneCycleLR-cos-sgd": ("sgd", _onecycle("cos", False)),
    "OneCycleLR-cos-adam": ("adam", _onecycle("cos", False)),
    "OneCycleLR-linear-sgd": ("sgd", _onecycle("linear", False)),
    "OneCycleLR-linear-adam": ("adam", _onecycle("linear", False)),
    "OneCycleLR-cos-three_phase-sgd": ("sgd", _onecycle("cos", True)),
    "OneCycleLR-linear-three_phase-adam": ("adam", _onecycle("linear", True)),
    "SWALR-cos": ("sgd", lambda n: _leaf("SWALR", swa_lr=_per(n, [0.05, 0.01]), anneal_epochs=5)),
    "SWALR-linear": ("adam", lambda n: _leaf("SWALR", swa_lr=0.02, anneal_epochs=4,
                                             anneal_strategy="linear")),
    "SequentialLR": ("sgd", lambda n: {
        "cls": "SequentialLR", "milestones": [4],
        "children": [_leaf("LinearLR", start_factor=0.1, total_iters=4),
                     _leaf("CosineAnnealingLR", T_max=8, eta_min=1e-4)]}),
    "SequentialLR-3": ("adam", lambda n: {
        "cls": "SequentialLR", "milestones": [3, 8],
        "children": [_leaf("ConstantLR", factor=0.5, total_iters=3),
                     _leaf("ExponentialLR", gamma=0.9), _leaf("StepLR", step_size=2, gamma=0.5)]}),
    "SequentialLR-lambda": ("sgd", lambda n: {
        "cls": "SequentialLR", "milestones": [5],
        "children": [_leaf("LambdaLR", lr_lambda=Fn("warmup", 5)),
                     _leaf("MultiplicativeLR", lr_lambda=Fn("const", 0.9, obj=True))]}),
    "ChainedScheduler": ("sgd", lambda n: {
        "cls": "ChainedScheduler",
        "children": [_leaf("ConstantLR", factor=0.5, total_iters=5), _leaf("ExponentialLR", gamma=0.9),
                     _leaf("MultiplicativeLR", lr_lambda=Fn("alt", 0.95))]}),
    "ChainedScheduler-cyclic": ("adam", lambda n: {
        "cls": "ChainedScheduler", "pass_opt": True,
        "children": [_cyclic("triangular2")(n), _leaf("StepLR", step_size=5, gamma=0.7)]}),
    "nested-Sequential(Chained, Cosine)": ("sgd", lambda n: {
        "cls": "SequentialLR", "milestones": [4],
        "children": [{"cls": "ChainedScheduler",
                      "children": [_leaf("ConstantLR", factor=0.5, total_iters=3),
                                   _leaf("ExponentialLR", gamma=0.9)]},
                     _leaf("CosineAnnealingLR", T_max=6)]}),
    "nested-Chained(Sequential, Multiplicative)": ("adam", lambda n: {
        "cls": "ChainedScheduler",
        "children": [{"cls": "SequentialLR", "milestones": [5],
                      "children": [_leaf("LinearLR", start_factor=0.2, total_iters=4),
                                   _leaf("StepLR", step_size=3, gamma=0.5)]},
                     _leaf("MultiplicativeLR", lr_lambda=Fn("const", 0.97))]}),
    "nested-Sequential(Sequential, StepLR)": ("sgd", lambda n: {
        "cls": "SequentialLR", "milestones": [7],
        "children": [{"cls": "SequentialLR", "milestones": [3],
                      "children": [_leaf("ConstantLR", factor=0.3, total_iters=2),
                                   _leaf("ExponentialLR", gamma=0.8)]},
                     _leaf("StepLR", step_size=2)]}),
}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_scheduler_matches_stepping_and_torch(name, n):
    kind, make = CONFIGS[name]
    opt_l, s_l, opt_t, s_t = twins(ospec_for(kind, n), make(n))
    assert_bits(s_l.simulate(0), [lrs_of(opt_t)], "right after construction")
    rng = random.Random(seed_of(name, n))
    lockstep_rounds(opt_l, s_l, opt_t, s_t, rng, rounds=3, what=f"{name} n={n}")


def test_simulate_is_repeatable_and_prefix_consistent():
    """Two calls give the same array (a fresh one each time); simulate(k) is a prefix of
    simulate(K); mutating a returned array changes nothing."""
    for name in ("CosineAnnealingLR", "CyclicLR-exp_range-adam", "OneCycleLR-cos-sgd",
                 "SequentialLR-lambda", "nested-Chained(Sequential, Multiplicative)"):
        kind, make = CONFIGS[name]
        opt_l, s_l, opt_t, s_t = twins(ospec_for(kind, 3), make(3))
        for _ in range(5):
            step_both(opt_l, s_l, opt_t, s_t)
        a = s_l.simulate(40)
        b = s_l.simulate(40)
        assert a is not b and not np.shares_memory(a, b)
        assert_bits(a, b, name)
        for k in (0, 1, 7, 39):
            assert_bits(s_l.simulate(k), a[: k + 1], f"{name} prefix {k}")
        a[:] = 123.0
        assert_bits(s_l.simulate(40), b, f"{name} after mutating a result")
        check_future(opt_l, s_l, opt_t, s_t, 40, name)


def test_subclass_without_overrides_simulates():
    class MyStep(LLR.StepLR):
        extra = "no override"

    class MyCos(LLR.CosineAnnealingLR):
        def __init__(self, optimizer, **kw):
            super().__init__(optimizer, **kw)
            self.tag = 1

    for cls, kw in ((MyStep, {"step_size": 2, "gamma": 0.5}), (MyCos, {"T_max": 5})):
        opt = make_opt(ospec_for("sgd", 2))
        s = cls(opt, **kw)
        sim = simulate_unchanged(s, opt, 12)
        rows = [lrs_of(opt)]
        with quiet():
            for _ in range(12):
                opt.step()
                s.step()
                rows.append(lrs_of(opt))
        assert_bits(sim, rows, cls.__name__)


# Values the core does not model: stepping runs torch's algorithm in Python (lrcore.reference),
# and simulate() raises NotImplementedError (its documented answer), changing nothing.
UNMODELLED = {
    "CyclicLR-scale_fn-cycle": ("sgd", _cyclic("triangular", scale_fn=Fn("half"))),
    "CyclicLR-scale_fn-iterations": ("adam", _cyclic("triangular", scale_fn=Fn("inv", 0.05, obj=True),
                                                     scale_mode="iterations")),
    "SequentialLR-scale_fn-child": ("sgd", lambda n: {
        "cls": "SequentialLR", "milestones": [4],
        "children": [_leaf("LinearLR", start_factor=0.1, total_iters=4),
                     _cyclic("exp_range", scale_fn=Fn("pow", 0.9, obj=True))(n)]}),
    "ChainedScheduler-scale_fn-child": ("adam", lambda n: {
        "cls": "ChainedScheduler", "pass_opt": True,
        "children": [_leaf("ExponentialLR", gamma=0.9),
                     _cyclic("triangular", scale_fn=Fn("half"))(n)]}),
}


def _unmodelled(spec) -> bool:
    """Whether a spec holds (in itself or a child) a value the core does not model."""
    return "scale_fn" in spec.get("kw", {}) or any(map(_unmodelled, spec.get("children", ())))


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("name", list(UNMODELLED))
def test_unmodelled_values_raise_not_implemented(name, n):
    kind, make = UNMODELLED[name]
    assert _unmodelled(make(n))
    opt_l, s_l, opt_t, s_t = twins(ospec_for(kind, n), make(n))
    for k in (0, 1, 6):
        before = state_of(s_l, opt_l)
        with pytest.raises(NotImplementedError):
            s_l.simulate(k)
        assert state_of(s_l, opt_l) == before
        for _ in range(5):  # and stepping, in Python, is torch's
            step_both(opt_l, s_l, opt_t, s_t)
            assert_same_values(np.array([lrs_of(opt_l)]), [lrs_of(opt_t)], f"{name} stepping")


def test_tensor_lr_is_not_simulated():
    """A Tensor lr is not modelled: simulate() raises NotImplementedError and changes nothing;
    stepping fills the Tensor in place with torch's values, as torch does."""
    def opt_with_tensor_lr():
        p = torch.nn.Parameter(torch.zeros(2))
        return torch.optim.SGD([{"params": [p], "lr": torch.tensor(0.1, dtype=torch.float64)}],
                               lr=0.1)

    opt_l, opt_t = opt_with_tensor_lr(), opt_with_tensor_lr()
    s_l = LLR.CosineAnnealingLR(opt_l, 7, eta_min=1e-3)
    s_t = TLR.CosineAnnealingLR(opt_t, 7, eta_min=1e-3)
    held = opt_l.param_groups[0]["lr"]
    before = state_of(s_l, opt_l)
    with pytest.raises(NotImplementedError):
        s_l.simulate(20)
    assert state_of(s_l, opt_l) == before
    for _ in range(20):
        step_both(opt_l, s_l, opt_t, s_t)
        assert opt_l.param_groups[0]["lr"] is held
        assert held.dtype == torch.float64
        assert_bits(np.array([lrs_of(opt_l)]), [lrs_of(opt_t)], "tensor lr")


def _chain_same_step(m, o):
    s = m.StepLR(o, 2, 0.5)
    return m.ChainedScheduler([s, s])


def _chain_same_linear(m, o):
    s = m.LinearLR(o, 0.2, total_iters=6)
    return m.ChainedScheduler([s, s])


def _chain_sharing_a_sequential_child(m, o):
    b = m.StepLR(o, 3, 0.5)
    return m.ChainedScheduler([m.SequentialLR(o, [m.ExponentialLR(o, 0.9), b], [4]), b])


@pytest.mark.parametrize("make", [_chain_same_step, _chain_same_linear,
                                  _chain_sharing_a_sequential_child])
def test_composite_with_a_shared_child(make):
    """torch allows one scheduler object twice in a composite tree (ChainedScheduler([s, s]), or
    a child of a SequentialLR chained again beside it): it is then stepped twice per step.
    Stepping lrcore's does that and equals torch; simulate must give the same rows (so its copy
    must keep the sharing, not copy the shared child twice)."""
    ospec = ospec_for("sgd", 2)
    opt_l, opt_t = make_opt(ospec), make_opt(ospec)
    with quiet():
        s_l = make(LLR, opt_l)
        s_t = make(TLR, opt_t)
    check_future(opt_l, s_l, opt_t, s_t, 10, make.__name__)


def test_verbose_scheduler_simulates_silently(capsys):
    opt = make_opt(ospec_for("sgd", 2))
    s = LLR.StepLR(opt, 2, 0.5, verbose=True)
    capsys.readouterr()
    sim = simulate_unchanged(s, opt, 6)
    assert capsys.readouterr().out == ""
    rows = [lrs_of(opt)]
    with quiet():
        for _ in range(6):
            opt.step()
            s.step()
            rows.append(lrs_of(opt))
    assert_bits(sim, rows, "verbose")


# ----------------------------------------------------------------------------------------
# 2. random configurations (hypothesis)
# ----------------------------------------------------------------------------------------


def _random_future(ospec, spec, n0, k, make=None):
    """Build (from spec, or make(opt, module, swa_module)), step n0 times, then check simulate(k)
    against stepping and torch. When stepping raises within the k steps, simulate(k) raises the
    same exception (type and message) with nothing changed, and the longest simulate that does
    not raise equals the steps taken before the error."""
    if make is None:
        def make(opt, mod, swa):
            return build(spec, opt, mod, swa)
    opt_l, opt_t = make_opt(ospec), make_opt(ospec)
    try:
        with quiet():
            s_l = make(opt_l, LLR, LSWA)
            s_t = make(opt_t, TLR, TSWA)
    except Exception:  # noqa: BLE001 -- an invalid configuration (differential tests cover it)
        assume(False)
    for _ in range(n0):
        try:
            step_both(opt_l, s_l, opt_t, s_t)
        except Exception:  # noqa: BLE001 -- the sides part ways after an error
            return
    n = len(opt_l.param_groups)
    before = state_of(s_l, opt_l)
    sim_exc = None
    try:
        sim = s_l.simulate(k)
    except Exception as e:  # noqa: BLE001 -- checked against stepping below
        sim_exc = e
    assert state_of(s_l, opt_l) == before, f"simulate changed the state (raised {sim_exc!r})"
    if spec is not None and _unmodelled(spec):
        assert isinstance(sim_exc, NotImplementedError), f"simulate() gave {sim_exc!r}"
        event("not modelled: NotImplementedError")
        _steps_equal_torch(opt_l, s_l, opt_t, s_t, k, f"spec={spec}")
        return
    ok_k = k
    if sim_exc is not None:
        event(f"simulate raised {type(sim_exc).__name__}")
        ok_k = next(j for j in range(k - 1, -1, -1) if _simulates(s_l, j))
        sim = s_l.simulate(ok_k)
        assert state_of(s_l, opt_l) == before
    check_array(sim, ok_k, n)
    rows_l, rows_t = [lrs_of(opt_l)], [lrs_of(opt_t)]
    for j in range(1, k + 1):
        step_exc = None
        try:
            with quiet():
                opt_l.step()
                s_l.step()
        except Exception as e:  # noqa: BLE001
            step_exc = e
        if j <= ok_k:
            assert step_exc is None, f"step {j} raised {step_exc!r}, simulate({k}) did not"
        else:
            assert step_exc is not None, (f"simulate({k}) raised {sim_exc!r}, simulate({ok_k}) did "
                                          f"not, but step {j} did not raise")
            assert type(step_exc) is type(sim_exc), (step_exc, sim_exc)
            if str(sim_exc) == CORE_GET_LR_MESSAGE:  # see test_get_lr_error_message_is_torchs
                event("the core's own get_lr message")
            else:
                assert str(step_exc) == str(sim_exc), (step_exc, sim_exc)
            break
        rows_l.append(lrs_of(opt_l))
        with quiet():
            opt_t.step()
            s_t.step()
        rows_t.append(lrs_of(opt_t))
    assert_bits(sim, rows_l, f"simulate vs stepping; spec={spec}")
    assert_same_values(sim, rows_t, f"simulate vs torch; spec={spec}")


def _steps_equal_torch(opt_l, s_l, opt_t, s_t, k, what) -> None:
    """k lockstep steps: lrcore's lrs are torch's, and either both raise or neither."""
    for _ in range(k):
        errors = []
        for opt, s in ((opt_l, s_l), (opt_t, s_t)):
            try:
                with quiet():
                    opt.step()
                    s.step()
            except Exception as e:  # noqa: BLE001 -- compared with the other side's
                errors.append(type(e))
            else:
                errors.append(None)
        assert errors[0] == errors[1], f"{what}: stepping raised {errors} (lrcore, torch)"
        if errors[0] is not None:
            return
        assert_same_values(np.array([lrs_of(opt_l)]), [lrs_of(opt_t)], what)


# The message of the core's error where a scheduler without get_lr is asked for one (a
# ChainedScheduler restarted by a SequentialLR's milestone); torch's is empty.
CORE_GET_LR_MESSAGE = "get_lr is not implemented for this scheduler"


def test_get_lr_error_is_torchs():
    """A SequentialLR restarting a ChainedScheduler child at its milestone: torch's step raises
    NotImplementedError() (the base get_lr); stepping raises exactly that, simulate() the same
    type with the core's message (simulate() has no torch counterpart)."""
    def make(m, o):
        return m.SequentialLR(o, [m.StepLR(o, 1), m.ChainedScheduler([m.LambdaLR(o, Fn("pow", 0.5).make())])],
                              [1])

    opt_l, opt_t = make_opt(ospec_for("sgd", 1)), make_opt(ospec_for("sgd", 1))
    with quiet():
        s_l, s_t = make(LLR, opt_l), make(TLR, opt_t)
    with pytest.raises(NotImplementedError) as sim_err:
        s_l.simulate(2)
    with quiet(), pytest.raises(NotImplementedError) as step_err:
        opt_l.step()
        s_l.step()
    with quiet(), pytest.raises(NotImplementedError) as torch_err:
        opt_t.step()
        s_t.step()
    assert str(step_err.value) == str(torch_err.value)
    assert str(sim_err.value) == CORE_GET_LR_MESSAGE


def _simulates(sched, k) -> bool:
    try:
        sched.simulate(k)
    except Exception:  # noqa: BLE001
        return False
    return True


@hsettings(150)
@given(data=st.data())
def test_hypothesis_leaf_schedulers(data):
    ospec = data.draw(opt_specs(1, 4), label="optimizer")
    kind = data.draw(st.sampled_from(LEAF_KINDS), label="kind")
    spec = data.draw(leaf_specs(len(ospec["lrs"]), kinds=(kind,)), label="scheduler")
    n0 = data.draw(st.integers(0, 60), label="steps before")
    k = data.draw(st.integers(0, 80), label="num_steps")
    _random_future(ospec, spec, n0, k)


@hsettings(80)
@given(data=st.data())
def test_hypothesis_composites(data):
    ospec = data.draw(opt_specs(1, 4), label="optimizer")
    n = len(ospec["lrs"])
    spec = data.draw(st.one_of(sequential_specs(n), chained_specs(n)), label="scheduler")
    n0 = data.draw(st.integers(0, 40), label="steps before")
    k = data.draw(st.integers(0, 60), label="num_steps")
    _random_future(ospec, spec, n0, k)


def _raising_at(at):
    def lam(e):
        if e == at:
            raise Boom(f"lambda failed at epoch {e}")
        return 0.95 ** e
    return lam


@hsettings(60)
@given(data=st.data())
def test_hypothesis_errors_match_stepping(data):
    """Schedules that raise somewhere in the simulated range: OneCycleLR past total_steps, a
    lambda raising at some epoch (alone or inside composites)."""
    n = data.draw(st.integers(1, 3), label="groups")
    ospec = ospec_for(data.draw(st.sampled_from(["sgd", "adam"]), label="optimizer"), n)
    at = data.draw(st.integers(1, 30), label="failing epoch / total_steps")
    which = data.draw(st.sampled_from(["onecycle", "lambda", "mult", "sequential", "chained"]),
                      label="scheduler")
    spec = None
    make = None
    if which == "onecycle":
        spec = {"cls": "OneCycleLR", "kw": {"max_lr": 0.3, "total_steps": at,
                                             "three_phase": data.draw(st.booleans())}}
    elif which == "lambda":
        def make(o, m, swa):
            return m.LambdaLR(o, _raising_at(at))
    elif which == "mult":
        def make(o, m, swa):
            return m.MultiplicativeLR(o, _raising_at(at))
    elif which == "sequential":
        ms = data.draw(st.integers(0, 10), label="milestone")

        def make(o, m, swa):
            return m.SequentialLR(o, [m.ConstantLR(o, 0.5, 3), m.LambdaLR(o, _raising_at(at))], [ms])
    else:
        def make(o, m, swa):
            return m.ChainedScheduler([m.ExponentialLR(o, 0.9), m.LambdaLR(o, _raising_at(at))])
    n0 = data.draw(st.integers(0, 20), label="steps before")
    k = data.draw(st.integers(0, 40), label="num_steps")
    _random_future(ospec, spec, n0, k, make=make)


# ----------------------------------------------------------------------------------------
# 3. after load_state_dict, resuming with last_epoch, step(epoch), manual changes
# ----------------------------------------------------------------------------------------

RESUME_SPECS = {
    "StepLR": ("sgd", lambda n: _leaf("StepLR", step_size=3, gamma=0.5)),
    "MultiStepLR": ("adam", lambda n: _leaf("MultiStepLR", milestones=[4, 9, 9, 14], gamma=0.5)),
    "ExponentialLR": ("sgd", lambda n: _leaf("ExponentialLR", gamma=0.9)),
    "LinearLR": ("sgd", lambda n: _leaf("LinearLR", start_factor=0.3, total_iters=12)),
    "ConstantLR": ("adam", lambda n: _leaf("ConstantLR", factor=0.4, total_iters=8)),
    "PolynomialLR": ("sgd", lambda n: _leaf("PolynomialLR", total_iters=15, power=1.5)),
    "CosineAnnealingLR": ("sgd", lambda n: _leaf("CosineAnnealingLR", T_max=6, eta_min=1e-3)),
    "CosineAnnealingWarmRestarts": ("adam", lambda n: _leaf("CosineAnnealingWarmRestarts", T_0=4,
                                                            T_mult=2, eta_min=1e-4)),
    "LambdaLR": ("sgd", lambda n: _leaf("LambdaLR", lr_lambda=_per(n, [Fn("pow", 0.9, obj=True),
                                                                      Fn("cos", 11, obj=True)]))),
    "MultiplicativeLR": ("adam", lambda n: _leaf("MultiplicativeLR",
                                                 lr_lambda=Fn("alt", 0.9, obj=True))),
    "CyclicLR": ("sgd", _cyclic("exp_range")),
    "CyclicLR-adam": ("adam", _cyclic("triangular2")),
    "OneCycleLR": ("sgd", _onecycle("cos", True)),
    "SWALR": ("adam", lambda n: _leaf("SWALR", swa_lr=0.03, anneal_epochs=6)),
    "SequentialLR": CONFIGS["SequentialLR-3"],
    "ChainedScheduler": CONFIGS["ChainedScheduler"],
    "nested": CONFIGS["nested-Chained(Sequential, Multiplicative)"],
}


@pytest.mark.parametrize("name", list(RESUME_SPECS))
def test_after_load_state_dict(name):
    """A checkpoint (optimizer + scheduler state) loaded into a fresh pair, whose callable objects
    even start with other parameters: simulate equals the original's simulate, stepping, torch."""
    kind, make = RESUME_SPECS[name]
    rng = random.Random(seed_of("load", name))
    for n in (1, 3):
        spec = make(n)
        ospec = ospec_for(kind, n)
        a_l, sa_l, a_t, sa_t = twins(ospec, spec)
        for _ in range(rng.randint(1, 15)):
            step_both(a_l, sa_l, a_t, sa_t)
        b_l, sb_l, b_t, sb_t = twins(ospec, perturb_spec(spec))
        for _ in range(rng.randint(0, 5)):
            step_both(b_l, sb_l, b_t, sb_t)
        with quiet():
            b_l.load_state_dict(a_l.state_dict())
            sb_l.load_state_dict(sa_l.state_dict())
            b_t.load_state_dict(a_t.state_dict())
            sb_t.load_state_dict(sa_t.state_dict())
        k = rng.randint(5, 20)
        assert_bits(simulate_unchanged(sb_l, b_l, k), sa_l.simulate(k), f"{name}: loaded vs original")
        lockstep_rounds(b_l, sb_l, b_t, sb_t, rng, rounds=2, what=f"{name} loaded n={n}")


def _resume_extra(name, n):
    extra = []
    for i in range(n):
        g = {"initial_lr": [0.3, 0.07, 0.15][i % 3]}
        if name.startswith("OneCycleLR"):
            g.update(max_lr=[0.5, 0.3][i % 2], min_lr=2e-6, max_momentum=0.95, base_momentum=0.85)
        extra.append(g)
    return extra


@pytest.mark.parametrize("last_epoch", [0, 3, 11])
@pytest.mark.parametrize("name", [k for k in RESUME_SPECS if k not in
                                  ("SequentialLR", "ChainedScheduler", "nested")])
def test_resume_with_last_epoch(name, last_epoch):
    kind, make = RESUME_SPECS[name]
    n = 2
    spec = make(n)
    spec = dict(spec, kw=dict(spec["kw"], last_epoch=last_epoch))
    opt_l, s_l, opt_t, s_t = twins(ospec_for(kind, n, extra=_resume_extra(name, n)), spec)
    rng = random.Random(seed_of("resume", name, last_epoch))
    # right after construction (CosineAnnealingLR's resumed first step is special), then later
    check_future(opt_l, s_l, opt_t, s_t, 1, f"{name} last_epoch={last_epoch} first step")
    lockstep_rounds(opt_l, s_l, opt_t, s_t, rng, rounds=2, what=f"{name} last_epoch={last_epoch}")


EPOCH_NAMES = ["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "ConstantLR", "PolynomialLR",
               "CosineAnnealingLR", "LambdaLR", "MultiplicativeLR", "SWALR", "CyclicLR",
               "CosineAnnealingWarmRestarts"]


@pytest.mark.parametrize("name", EPOCH_NAMES)
def test_after_step_with_epoch(name):
    """After the deprecated step(epoch) (closed form where there is one), simulate still equals
    stepping and torch."""
    kind, make = RESUME_SPECS[name]
    n = 3
    opt_l, s_l, opt_t, s_t = twins(ospec_for(kind, n), make(n))
    rng = random.Random(seed_of("epoch", name))

    def advance(rng):
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.5:
                step_both(opt_l, s_l, opt_t, s_t)
            elif name == "CosineAnnealingWarmRestarts":
                step_both(opt_l, s_l, opt_t, s_t, rng.choice([rng.randint(0, 30), rng.randint(0, 80) / 8]))
            else:
                step_both(opt_l, s_l, opt_t, s_t, rng.randint(0, 25))

    lockstep_rounds(opt_l, s_l, opt_t, s_t, rng, rounds=4, advance=advance, what=f"{name} epoch")


@pytest.mark.parametrize("name", ["StepLR", "ExponentialLR", "CosineAnnealingLR", "MultiplicativeLR",
                                  "CyclicLR", "SequentialLR", "ChainedScheduler"])
def test_after_manual_lr_change(name):
    """A user writes group["lr"] between steps: simulate starts from what the groups hold."""
    kind, make = RESUME_SPECS[name]
    opt_l, s_l, opt_t, s_t = twins(ospec_for(kind, 2), make(2))
    for _ in range(4):
        step_both(opt_l, s_l, opt_t, s_t)
    for opt in (opt_l, opt_t):
        opt.param_groups[0]["lr"] = 0.0123
        opt.param_groups[1]["lr"] = 1
    sim = check_future(opt_l, s_l, opt_t, s_t, 12, f"{name} manual lr")
    assert sim[0].tolist() == [0.0123, 1.0]


def test_after_attribute_changes():
    """Hyperparameters changed on the instance (gamma, T_max, milestones) are simulated."""
    cases = [
        (_leaf("ExponentialLR", gamma=0.9), {"gamma": 0.7}),
        (_leaf("CosineAnnealingLR", T_max=6), {"T_max": 13, "eta_min": 0.001}),
        (_leaf("StepLR", step_size=3, gamma=0.5), {"step_size": 2, "gamma": 0.8}),
        (_leaf("LinearLR", start_factor=0.5, total_iters=5), {"total_iters": 9}),
    ]
    for spec, attrs in cases:
        opt_l, s_l, opt_t, s_t = twins(ospec_for("sgd", 2), spec)
        for _ in range(3):
            step_both(opt_l, s_l, opt_t, s_t)
        for k, v in attrs.items():
            setattr(s_l, k, v)
            setattr(s_t, k, v)
        check_future(opt_l, s_l, opt_t, s_t, 20, f"{spec} with {attrs}")


# ----------------------------------------------------------------------------------------
# 4. ReduceLROnPlateau
# ----------------------------------------------------------------------------------------


def _metric_stream(rng: random.Random, length: int, special: bool) -> list[float]:
    shape = rng.choice(["flat", "down", "up", "noise", "plateaus"])
    out, x = [], rng.uniform(-2, 5)
    for _ in range(length):
        if shape == "down":
            x -= rng.uniform(0, 0.05) * (rng.random() < 0.6)
        elif shape == "up":
            x += rng.uniform(0, 0.05) * (rng.random() < 0.6)
        elif shape == "noise":
            x = rng.gauss(1.0, 0.3)
        elif shape == "plateaus" and rng.random() < 0.15:
            x += rng.choice([-1, 1]) * rng.uniform(0, 0.5)
        v = x
        if special and rng.random() < 0.06:
            v = rng.choice([math.nan, math.inf, -math.inf, 0.0, -0.0])
        out.append(v)
    return out


def _plateau_twins(n, kw):
    ospec = ospec_for("sgd" if n % 2 else "adam", n)
    opt_l, opt_t = make_opt(ospec), make_opt(ospec)
    return opt_l, LLR.ReduceLROnPlateau(opt_l, **kw), opt_t, TLR.ReduceLROnPlateau(opt_t, **kw)


def _plateau_future(opt_l, s_l, opt_t, s_t, metrics, container, what):
    n = len(opt_l.param_groups)
    arg = container(metrics)
    use_num = len(metrics) % 2 == 0
    sim = (simulate_unchanged(s_l, opt_l, len(metrics), metrics=arg) if use_num
           else simulate_unchanged(s_l, opt_l, metrics=arg))
    check_array(sim, len(metrics), n)
    rows_l, rows_t = [lrs_of(opt_l)], [lrs_of(opt_t)]
    for m in metrics:
        with quiet():
            opt_l.step()
            s_l.step(m)
            opt_t.step()
            s_t.step(m)
        rows_l.append(lrs_of(opt_l))
        rows_t.append(lrs_of(opt_t))
    assert_bits(sim, rows_l, f"{what}: simulate vs stepping")
    assert_same_values(sim, rows_t, f"{what}: simulate vs torch")


CONTAINERS = [list, tuple, lambda m: np.asarray(m, dtype=np.float64)]


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
@pytest.mark.parametrize("cooldown", [0, 2])
@pytest.mark.parametrize("min_lr_kind", ["scalar", "list"])
def test_plateau_grid(mode, threshold_mode, cooldown, min_lr_kind):
    rng = random.Random(seed_of("plateau", mode, threshold_mode, cooldown, min_lr_kind))
    for n in (1, 3):
        min_lr = 1e-4 if min_lr_kind == "scalar" else _per(n, [1e-3, 0.0, 2e-4])
        kw = dict(mode=mode, threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr,
                  patience=rng.randint(0, 4), factor=rng.choice([0.1, 0.5, 0.3]),
                  threshold=rng.choice([1e-4, 0.0, 0.05]))
        opt_l, s_l, opt_t, s_t = _plateau_twins(n, kw)
        for r in range(3):
            for m in _metric_stream(rng, rng.randint(0, 10), special=False):
                with quiet():
                    opt_l.step()
                    s_l.step(m)
                    opt_t.step()
                    s_t.step(m)
            metrics = _metric_stream(rng, rng.randint(0, 40), special=(r == 2))
            _plateau_future(opt_l, s_l, opt_t, s_t, metrics, CONTAINERS[r % 3],
                            f"plateau {kw} n={n} round {r}")


@hsettings(80)
@given(data=st.data())
def test_plateau_hypothesis(data):
    n = data.draw(st.integers(1, 4), label="groups")
    spec = data.draw(plateau_specs(n), label="plateau")
    seed = data.draw(st.integers(0, 2 ** 32 - 1), label="seed")
    rng = random.Random(seed)
    opt_l, s_l, opt_t, s_t = _plateau_twins(n, spec["kw"])
    for m in _metric_stream(rng, data.draw(st.integers(0, 30), label="before"), special=True):
        with quiet():
            opt_l.step()
            s_l.step(m)
            opt_t.step()
            s_t.step(m)
    metrics = _metric_stream(rng, data.draw(st.integers(0, 60), label="length"), special=True)
    container = CONTAINERS[data.draw(st.integers(0, 2), label="container")]
    _plateau_future(opt_l, s_l, opt_t, s_t, metrics, container, f"plateau {spec}")


def test_plateau_int_metrics_and_empty():
    opt_l, s_l, opt_t, s_t = _plateau_twins(2, {"patience": 1, "factor": 0.5})
    _plateau_future(opt_l, s_l, opt_t, s_t, [3, 3, 2, 2, 2, 5, 1, 1, 1, 1], list, "int metrics")
    sim = simulate_unchanged(s_l, opt_l, metrics=[])
    check_array(sim, 0, 2)
    assert sim[0].tolist() == lrs_of(opt_l)
    check_array(simulate_unchanged(s_l, opt_l, 0, metrics=()), 0, 2)
    check_array(simulate_unchanged(s_l, opt_l, np.int64(3), metrics=np.array([1.0, 2.0, 3.0])), 3, 2)


def test_plateau_argument_errors():
    opt = make_opt(ospec_for("sgd", 2))
    s = LLR.ReduceLROnPlateau(opt, patience=0)
    with quiet():
        for m in (1.0, 2.0, 3.0):
            opt.step()
            s.step(m)
    before = state_of(s, opt)
    with pytest.raises(ValueError):
        s.simulate(3, metrics=[1.0, 2.0])  # num_steps must equal len(metrics)
    with pytest.raises(ValueError):
        s.simulate(0, metrics=[1.0])
    with pytest.raises(TypeError):
        s.simulate(3)  # no metrics
    with pytest.raises(TypeError):
        s.simulate()
    with pytest.raises(ValueError):
        s.simulate(metrics=[[1.0, 2.0], [3.0, 4.0]])  # 2-D
    with pytest.raises(ValueError):
        s.simulate(metrics=np.ones((2, 1)))
    with pytest.raises(ValueError):
        s.simulate(metrics=5.0)  # 0-D
    with pytest.raises(ValueError):
        s.simulate(-1, metrics=[])
    with pytest.raises(TypeError):
        s.simulate(2.0, metrics=[1.0, 2.0])
    assert state_of(s, opt) == before


# ----------------------------------------------------------------------------------------
# 5. user callables are called as stepping calls them
# ----------------------------------------------------------------------------------------


def Recorder(tag, log, f):
    """A function that logs (tag, type of argument, argument) and returns f(argument). A plain
    function, so that the log is not part of the scheduler's state_dict (as an object's
    __dict__ would be)."""

    def call(x):
        log.append((tag, type(x).__name__, x))
        return f(x)

    return call


def _calls_match(make, n=3, n0=3, k=17):
    log: list = []
    opt = make_opt(ospec_for("sgd", n))
    with quiet():
        s = make(opt, log)
        for _ in range(n0):
            opt.step()
            s.step()
    log.clear()
    sim = simulate_unchanged(s, opt, k)
    sim_log = list(log)
    log.clear()
    rows = [lrs_of(opt)]
    with quiet():
        for _ in range(k):
            opt.step()
            s.step()
            rows.append(lrs_of(opt))
    assert sim_log == log, f"simulate called {sim_log}\nstepping called {log}"
    assert_bits(sim, rows, "with recorders")
    return sim_log


def test_lambdas_called_as_stepping_calls_them():
    # one lambda per group
    calls = _calls_match(lambda o, log: LLR.LambdaLR(
        o, [Recorder(g, log, lambda e, g=g: 0.9 ** (e * (g + 1))) for g in range(3)]))
    assert len(calls) == 17 * 3 and {c[1] for c in calls} == {"int"}
    # one lambda shared by every group
    calls = _calls_match(lambda o, log: LLR.LambdaLR(o, Recorder("all", log, lambda e: 1 / (1 + e))))
    assert [c[2] for c in calls] == [e for e in range(4, 21) for _ in range(3)]
    calls = _calls_match(lambda o, log: LLR.MultiplicativeLR(
        o, [Recorder(g, log, lambda e: 0.95) for g in range(3)]))
    assert len(calls) == 17 * 3
    # inside composites: the milestone's update_lr(0), the chained children
    _calls_match(lambda o, log: LLR.SequentialLR(o, [
        LLR.LambdaLR(o, Recorder("warm", log, lambda e: (e + 1) / 6)),
        LLR.MultiplicativeLR(o, Recorder("mult", log, lambda e: 0.9))], milestones=[8]))
    _calls_match(lambda o, log: LLR.ChainedScheduler([
        LLR.MultiplicativeLR(o, Recorder("a", log, lambda e: 0.99)),
        LLR.LambdaLR(o, [Recorder(("b", g), log, lambda e: 0.97 ** e) for g in range(3)])]))


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_scale_fn_is_not_simulated(scale_mode):
    """A user's scale_fn is not modelled: simulate() raises NotImplementedError without calling
    it, and stepping calls it as torch's stepping does (same arguments, same lrs)."""
    logs: dict = {LLR: [], TLR: []}
    opts = {m: make_opt(ospec_for("sgd", 3)) for m in logs}
    with quiet():
        scheds = {m: m.CyclicLR(opts[m], 0.01, 0.1, step_size_up=3, step_size_down=2,
                                scale_fn=Recorder("scale", logs[m], lambda x: 1 / (1 + 0.1 * x)),
                                scale_mode=scale_mode) for m in logs}
    for m in logs:
        logs[m].clear()
    before = state_of(scheds[LLR], opts[LLR])
    with pytest.raises(NotImplementedError):
        scheds[LLR].simulate(10)
    assert logs[LLR] == [] and state_of(scheds[LLR], opts[LLR]) == before
    for _ in range(17):
        step_both(opts[LLR], scheds[LLR], opts[TLR], scheds[TLR])
        assert_bits(np.array([lrs_of(opts[LLR])]), [lrs_of(opts[TLR])], scale_mode)
    assert logs[LLR] == logs[TLR] and logs[LLR]


# ----------------------------------------------------------------------------------------
# 6. errors
# ----------------------------------------------------------------------------------------


def _every_kind(opt):
    return [
        LLR.StepLR(opt, 3), LLR.CosineAnnealingLR(opt, 5), LLR.LambdaLR(opt, lambda e: 0.9 ** e),
        LLR.CyclicLR(opt, 0.01, 0.1, 3), LLR.OneCycleLR(opt, 0.1, total_steps=50), LSWA.SWALR(opt, 0.01),
        LLR.SequentialLR(opt, [LLR.ConstantLR(opt), LLR.ExponentialLR(opt, 0.9)], [2]),
        LLR.ChainedScheduler([LLR.ConstantLR(opt), LLR.ExponentialLR(opt, 0.9)]),
    ]


def test_num_steps_errors():
    opt = make_opt(ospec_for("sgd", 2))
    with quiet():
        scheds = _every_kind(opt)
    for s in scheds:
        before = state_of(s, opt)
        with pytest.raises(ValueError):
            s.simulate(-1)
        with pytest.raises(ValueError):
            s.simulate(-10 ** 30)
        for bad in (3.0, 2.5, "3", None, True, [3], np.float64(3.0)):
            with pytest.raises(TypeError):
                s.simulate(bad)
        assert state_of(s, opt) == before
        check_array(s.simulate(np.int64(4)), 4, 2)  # numpy ints are ints


def test_num_steps_too_large_raises_instead_of_crashing():
    """simulate(2**64 - 1) (and other sizes no array can hold) must raise, not crash: row count
    num_steps + 1 must not wrap around to 0. Run in a subprocess: the bug is a segfault."""
    code = textwrap.dedent(
        """
        import lrcore.lr_scheduler as L

        class Opt:
            def __init__(self):
                self.param_groups = [{"lr": 0.1}, {"lr": 0.2}]

        s = L.StepLR(Opt(), 3)
        for n in (2**64 - 1, 2**64, 2**63, 2**63 - 1, 2**62):
            try:
                s.simulate(n)
            except (OverflowError, MemoryError, ValueError, TypeError) as e:
                print(n, type(e).__name__, flush=True)
            else:
                raise SystemExit(f"simulate({n}) returned")
        print("ok")
        """
    )
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, (f"simulate with a huge num_steps crashed the interpreter "
                                 f"(rc={out.returncode}; -11 is SIGSEGV)\nstdout:{out.stdout}\n"
                                 f"stderr:{out.stderr}")
    assert out.stdout.rstrip().endswith("ok")


class _MyLR(LLR.LRScheduler):
    def get_lr(self):
        return [base * 0.5 ** self.last_epoch for base in self.base_lrs]


class _StepGetLr(LLR.StepLR):
    def get_lr(self):
        return [g["lr"] * 0.9 for g in self.optimizer.param_groups]


class _StepStep(LLR.StepLR):
    def step(self, epoch=None):
        super().step(epoch)


class _PlateauStep(LLR.ReduceLROnPlateau):
    def step(self, metrics, epoch=None):
        super().step(metrics, epoch)


def _with_instance_step(s):
    """A step set on the instance (a wrapper a user or a library installs)."""
    step = s.step
    s.step = lambda *args, **kwargs: step(*args, **kwargs)
    return s


def test_python_overrides_raise_not_implemented():
    makers = [
        lambda o: _MyLR(o),
        lambda o: _with_instance_step(LLR.ExponentialLR(o, 0.9)),
        lambda o: _StepGetLr(o, 2),
        lambda o: _StepStep(o, 2),
        lambda o: LLR.SequentialLR(o, [_StepGetLr(o, 2), LLR.ExponentialLR(o, 0.9)], [3]),
        lambda o: LLR.SequentialLR(o, [LLR.ExponentialLR(o, 0.9), _MyLR(o)], [3]),
        lambda o: LLR.ChainedScheduler([LLR.ConstantLR(o), _StepStep(o, 2)]),
        lambda o: LLR.ChainedScheduler([LLR.SequentialLR(o, [LLR.ConstantLR(o), _MyLR(o)], [2]),
                                        LLR.ExponentialLR(o, 0.9)]),
    ]
    for make in makers:
        opt = make_opt(ospec_for("adam", 2))
        with quiet():
            s = make(opt)
            for _ in range(2):
                opt.step()
                s.step()
        before = state_of(s, opt)
        for k in (0, 5):
            with pytest.raises(NotImplementedError):
                s.simulate(k)
        assert state_of(s, opt) == before
        with quiet():  # the scheduler still steps normally afterwards
            opt.step()
            s.step()
    opt = make_opt(ospec_for("sgd", 1))
    p = _PlateauStep(opt)
    before = state_of(p, opt)
    with pytest.raises(NotImplementedError):
        p.simulate(metrics=[1.0, 2.0])
    assert state_of(p, opt) == before


def test_one_cycle_past_total_steps():
    for total, done in ((10, 4), (10, 0), (7, 7)):
        opt_l, s_l, opt_t, s_t = twins(ospec_for("sgd", 2), {
            "cls": "OneCycleLR", "kw": {"max_lr": [0.5, 0.3], "total_steps": total}})
        for _ in range(done):
            step_both(opt_l, s_l, opt_t, s_t)
        left = total - done
        sim = simulate_unchanged(s_l, opt_l, left)  # up to last_epoch == total_steps: fine
        before = state_of(s_l, opt_l)
        with pytest.raises(ValueError) as sim_err:
            s_l.simulate(left + 1)
        with pytest.raises(ValueError):
            s_l.simulate(left + 50)
        assert state_of(s_l, opt_l) == before
        assert_bits(check_future(opt_l, s_l, opt_t, s_t, left, f"OneCycleLR total={total}"), sim)
        with quiet(), pytest.raises(ValueError) as step_err:
            opt_l.step()
            s_l.step()
        assert str(step_err.value) == str(sim_err.value)
        with quiet(), pytest.raises(ValueError):
            opt_t.step()
            s_t.step()


def test_raising_callable_propagates_and_changes_nothing():
    err = Boom("lambda failed at epoch 6")

    def lam(e):
        if e == 6:
            raise err
        return 0.9 ** e

    makers = [
        (lambda o: LLR.LambdaLR(o, lam), 3),
        (lambda o: LLR.MultiplicativeLR(o, [lambda e: 0.9, lam]), 3),
        (lambda o: LLR.SequentialLR(o, [LLR.ConstantLR(o), LLR.LambdaLR(o, lam)], [2]), 5),
        (lambda o: LLR.ChainedScheduler([LLR.ExponentialLR(o, 0.9), LLR.LambdaLR(o, lam)]), 3),
    ]
    for make, ok_steps in makers:
        opt = make_opt(ospec_for("sgd", 2))
        with quiet():
            s = make(opt)
            for _ in range(2):
                opt.step()
                s.step()
        before = state_of(s, opt)
        good = s.simulate(ok_steps)  # stops just before the failing call
        for k in (ok_steps + 1, ok_steps + 10):
            with pytest.raises(Boom) as info:
                s.simulate(k)
            assert info.value is err
            assert state_of(s, opt) == before
        rows = [lrs_of(opt)]
        with quiet():
            for _ in range(ok_steps):
                opt.step()
                s.step()
                rows.append(lrs_of(opt))
            with pytest.raises(Boom) as info:
                opt.step()
                s.step()
        assert info.value is err
        assert_bits(good, rows, "before the failing call")


def test_bad_callable_result_same_error_as_stepping():
    """A lambda returning something that is not a number: simulate raises what stepping raises."""
    opt = make_opt(ospec_for("sgd", 1))
    s = LLR.LambdaLR(opt, lambda e: 1.0 if e < 3 else "not a number")
    before = state_of(s, opt)
    with pytest.raises(Exception) as sim_err:
        s.simulate(5)
    assert state_of(s, opt) == before
    with quiet(), pytest.raises(Exception) as step_err:
        for _ in range(5):
            opt.step()
            s.step()
    assert type(sim_err.value) is type(step_err.value)
    assert s.last_epoch == 2


# ----------------------------------------------------------------------------------------
# 7. the GIL is released while the C++ loop runs
# ----------------------------------------------------------------------------------------


def _python_work(iterations: int) -> int:
    x = 0
    for i in range(iterations):
        x += i & 7
    return x


def test_gil_released_during_simulate():
    """Thread A runs a long simulate; the main thread, once A has started, does pure-Python work
    that is several switch intervals long, then checks that A is still running.

    If simulate held the GIL during its loop, the main thread could not run any bytecode until the
    loop ended; its fixed amount of work (a count of iterations, not a deadline) would then start
    after A's simulate returned, and take many switch intervals, during which A (needing the GIL
    only briefly) finishes: A would be dead at the check. A's loop is calibrated to last about
    20x the main thread's sleep + work (at least 10**7 steps), so a busy machine slowing both
    sides alike leaves a wide margin.
    """
    class Opt:
        def __init__(self):
            self.param_groups = [{"lr": 0.1}]

    sched = LLR.CosineAnnealingLR(Opt(), T_max=1000, eta_min=1e-5)
    switch = sys.getswitchinterval()
    work_s = max(0.05, 8 * switch)
    sleep_s = 0.01

    # calibrate: iterations of pure-Python work for work_s, and the simulate speed
    t0 = time.perf_counter()
    _python_work(200_000)
    per_iter = (time.perf_counter() - t0) / 200_000
    iterations = int(work_s / per_iter) + 1
    t0 = time.perf_counter()
    sched.simulate(1_000_000)
    per_step = (time.perf_counter() - t0) / 1_000_000
    num_steps = int(min(max(20 * (work_s + sleep_s) / per_step, 10 ** 7), 3 * 10 ** 7))

    started = threading.Event()
    result: dict = {}

    def worker():
        started.set()
        try:
            result["array"] = sched.simulate(num_steps)
        except BaseException as e:  # noqa: BLE001 -- reported by the main thread
            result["error"] = e

    a = threading.Thread(target=worker, daemon=True)
    a.start()
    assert started.wait(30)
    time.sleep(sleep_s)  # let A get into simulate (sleeping releases the GIL)
    t0 = time.perf_counter()
    _python_work(iterations)
    main_work = time.perf_counter() - t0
    alive = a.is_alive()
    a.join(120)
    assert not a.is_alive()
    assert "error" not in result, result.get("error")
    assert alive, (f"simulate({num_steps}) finished before the main thread's {main_work:.3f}s of "
                   "Python work: it holds the GIL in its loop")
    arr = result["array"]
    check_array(arr, num_steps, 1)
    assert_bits(arr[:1001], sched.simulate(1000), "prefix of the long run")


# ----------------------------------------------------------------------------------------
# 8. without torch, on a duck optimizer
# ----------------------------------------------------------------------------------------


def test_without_torch_on_a_duck_optimizer():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # any import of torch fails
        import numpy as np
        from lrcore import lr_scheduler as L
        from lrcore.swa_utils import SWALR

        class Opt:
            def __init__(self):
                self.param_groups = [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.8}]
                self.defaults = {"lr": 0.1, "momentum": 0.9}
            def step(self):
                pass

        def state(s, o):
            return repr((s.state_dict(), o.param_groups, s.get_last_lr()))

        makers = [
            lambda o: L.StepLR(o, 2), lambda o: L.MultiStepLR(o, [2, 4]), lambda o: L.ConstantLR(o),
            lambda o: L.LinearLR(o), lambda o: L.ExponentialLR(o, 0.9), lambda o: L.PolynomialLR(o),
            lambda o: L.CosineAnnealingLR(o, 5), lambda o: L.CosineAnnealingWarmRestarts(o, 3, 2),
            lambda o: L.CyclicLR(o, 0.01, 0.1, 3), lambda o: L.OneCycleLR(o, 0.1, total_steps=40),
            lambda o: SWALR(o, 0.05), lambda o: L.LambdaLR(o, lambda e: 0.9 ** e),
            lambda o: L.MultiplicativeLR(o, lambda e: 0.9),
            lambda o: L.SequentialLR(o, [L.LinearLR(o), L.ExponentialLR(o, 0.9)], [3]),
            lambda o: L.ChainedScheduler([L.ConstantLR(o), L.ExponentialLR(o, 0.9)]),
        ]
        for make in makers:
            o = Opt()
            s = make(o)
            for _ in range(3):
                o.step(); s.step()
            before = state(s, o)
            sim = s.simulate(15)
            assert state(s, o) == before
            assert sim.dtype == np.float64 and sim.shape == (16, 2) and sim.flags.c_contiguous
            rows = [[g["lr"] for g in o.param_groups]]
            for _ in range(15):
                o.step(); s.step()
                rows.append([g["lr"] for g in o.param_groups])
            assert np.array_equal(sim.view(np.uint64), np.array(rows).view(np.uint64)), make
        o = Opt()
        p = L.ReduceLROnPlateau(o, patience=1)
        metrics = [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4]
        before = state(p, o)
        sim = p.simulate(metrics=metrics)
        assert state(p, o) == before
        rows = [[g["lr"] for g in o.param_groups]]
        for m in metrics:
            p.step(m)
            rows.append([g["lr"] for g in o.param_groups])
        assert np.array_equal(sim, np.array(rows))
        assert sys.modules.get("torch") is None, "lrcore imported torch"
        print("ok")
        """
    )
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ----------------------------------------------------------------------------------------
# 9. the array: shape, dtype, layout
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 4])
def test_array_shape_dtype_layout(n):
    opt = make_opt(ospec_for("sgd", n))
    with quiet():
        scheds = _every_kind(opt) + [LLR.ReduceLROnPlateau(opt)]
    for s in scheds:
        if isinstance(s, LLR.ReduceLROnPlateau):
            zero, five = s.simulate(metrics=[]), s.simulate(metrics=[1.0] * 5)
        else:
            zero, five = s.simulate(0), s.simulate(5)
        check_array(zero, 0, n)
        check_array(five, 5, n)
        assert zero[0].tolist() == lrs_of(opt)
        assert zero.flags.writeable and zero.flags.owndata


def test_raising_scale_fn_propagates_from_step_and_changes_nothing():
    """A scale_fn raising at some step: simulate() refuses the scheduler (NotImplementedError,
    without calling it); the step that calls it raises its error and leaves everything as it
    was, as the steps before it equal torch's."""
    err = Boom("scale_fn failed")

    def scale(x):
        if x >= 9:
            raise err
        return 1.0

    opts = [make_opt(ospec_for("sgd", 2)) for _ in range(2)]
    with quiet():
        s_l = LLR.CyclicLR(opts[0], 0.01, 0.1, 2, scale_fn=scale, scale_mode="iterations")
        s_t = TLR.CyclicLR(opts[1], 0.01, 0.1, 2, scale_fn=scale, scale_mode="iterations")
    with pytest.raises(NotImplementedError):
        s_l.simulate(12)
    for _ in range(8):
        step_both(opts[0], s_l, opts[1], s_t)
        assert_bits(np.array([lrs_of(opts[0])]), [lrs_of(opts[1])], "before the failing call")
    before = state_of(s_l, opts[0])
    with quiet(), pytest.raises(Boom) as info:
        s_l.step()
    assert info.value is err
    assert state_of(s_l, opts[0]) == before
    with quiet(), pytest.raises(Boom):
        s_t.step()


# ----------------------------------------------------------------------------------------
# 10. composites holding a ReduceLROnPlateau (lrcore's extension): simulate(metrics=...)
# ----------------------------------------------------------------------------------------


def _warmup_then_plateau(o):
    return LLR.SequentialLR(o, [LLR.LinearLR(o, 0.1, total_iters=5),
                                LLR.ReduceLROnPlateau(o, patience=1, cooldown=1)], [5])


def _chained_with_plateau(o):
    return LLR.ChainedScheduler([LLR.ExponentialLR(o, 0.95),
                                 LLR.ReduceLROnPlateau(o, factor=0.5, patience=2)])


def _nested_with_plateau(o):
    return LLR.ChainedScheduler([_warmup_then_plateau(o), LLR.ConstantLR(o, 0.5, 3)])


@pytest.mark.parametrize("make", [_warmup_then_plateau, _chained_with_plateau,
                                  _nested_with_plateau])
def test_composites_with_a_plateau_take_metrics(make):
    """simulate(metrics=...) of a composite holding a ReduceLROnPlateau: the lrs of the coming
    step(metrics[k]) calls, bit for bit, nothing changed; and those equal the Python reference's
    (torch has no such composite), stepped with the compiled steps off."""
    rng = random.Random(seed_of("composite plateau", make.__name__))
    opts = [make_opt(ospec_for("sgd", 2)) for _ in range(2)]
    with quiet():
        compiled, reference = make(opts[0]), make(opts[1])
    for r in range(3):
        metrics = _metric_stream(rng, rng.randint(0, 25), special=(r == 2))
        with pytest.raises(TypeError):
            compiled.simulate(len(metrics))  # it is stepped with a metric
        sim = simulate_unchanged(compiled, opts[0], metrics=metrics)
        check_array(sim, len(metrics), 2)
        rows_c, rows_r = [lrs_of(opts[0])], [lrs_of(opts[1])]
        for m in metrics:
            with quiet():
                opts[0].step()
                compiled.step(m)
                lrcore._core.set_compiled_steps(False)
                try:
                    opts[1].step()
                    reference.step(m)
                finally:
                    lrcore._core.set_compiled_steps(True)
            rows_c.append(lrs_of(opts[0]))
            rows_r.append(lrs_of(opts[1]))
        assert_bits(sim, rows_c, f"{make.__name__} round {r}: simulate vs stepping")
        assert_bits(sim, rows_r, f"{make.__name__} round {r}: simulate vs the reference")
