"""lrcore.functional vs torch 2.13: every closed form, bit for bit (float64 ==, NaN == NaN).

The oracle is torch's own scheduler: _get_closed_form_lr() at last_epoch = step for the
multiplicative/cosine schedules; group['lr'] / momentum after stepping to last_epoch = step for
CyclicLR and OneCycleLR (get_lr there depends only on last_epoch); step(epoch) for warm restarts.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrcore
from lrcore import functional as F

TLR = torch.optim.lr_scheduler
SETTINGS = settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# ---- oracle ---------------------------------------------------------------------------------


def _optimizer(base_lrs, momentum=True):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in base_lrs]
    if momentum:
        return torch.optim.SGD(groups, lr=base_lrs[0], momentum=0.9)
    return torch.optim.SGD(groups, lr=base_lrs[0])


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")
    return ctx


def torch_closed_form(cls, base_lrs, steps, **kw):
    """_get_closed_form_lr() at last_epoch = s, for each s: shape (len(steps), n_groups)."""
    ctx = _quiet()
    try:
        sched = cls(_optimizer(base_lrs, momentum=False), **kw)
        rows = []
        for s in steps:
            sched.last_epoch = int(s)
            rows.append([float(v) for v in sched._get_closed_form_lr()])
        return np.array(rows, dtype=np.float64).reshape(len(steps), len(base_lrs))
    finally:
        ctx.__exit__(None, None, None)


def torch_stepped(cls, n_groups, steps, momentum_of=False, **kw):
    """group['lr'] (or momentum) once the scheduler's last_epoch is s, for each s."""
    ctx = _quiet()
    try:
        opt = _optimizer([0.5] * n_groups)
        sched = cls(opt, **kw)
        key = "momentum" if momentum_of else "lr"
        rows = []
        for s in steps:
            s = int(s)
            if s == 0:
                sched = cls(_optimizer([0.5] * n_groups), **kw)  # fresh: the constructor's step
                opt = sched.optimizer
            else:
                sched.last_epoch = s - 1
                sched.step()
            rows.append([float(g[key]) for g in opt.param_groups])
        return np.array(rows, dtype=np.float64).reshape(len(steps), n_groups)
    finally:
        ctx.__exit__(None, None, None)


def torch_warm_restarts(base_lrs, epochs, **kw):
    ctx = _quiet()
    try:
        opt = _optimizer(base_lrs, momentum=False)
        sched = TLR.CosineAnnealingWarmRestarts(opt, **kw)
        rows = []
        for e in epochs:
            sched.step(e.item() if isinstance(e, np.generic) else e)
            rows.append([float(g["lr"]) for g in opt.param_groups])
        return np.array(rows, dtype=np.float64).reshape(len(epochs), len(base_lrs))
    finally:
        ctx.__exit__(None, None, None)


def same(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    ok = (a == b) | (np.isnan(a) & np.isnan(b))
    # also the sign of zeros
    ok &= np.signbit(a) == np.signbit(b)
    if not ok.all():
        i = np.argwhere(~ok)[0]
        raise AssertionError(f"first mismatch at {tuple(i)}: lrcore {a[tuple(i)]!r} torch {b[tuple(i)]!r}")


def check_both(lr_fn, torch_fn, base_lrs, steps):
    """Per-group (sequence base_lr) and scalar base_lr forms, vs torch (or the same exception)."""
    try:
        expected = torch_fn(base_lrs, steps)
    except (ArithmeticError, ValueError) as e:
        with pytest.raises(type(e)):
            lr_fn(np.asarray(steps, dtype=np.int64), list(base_lrs))
        return
    same(lr_fn(np.asarray(steps, dtype=np.int64), list(base_lrs)), expected)
    same(lr_fn(np.asarray(steps, dtype=np.int64), base_lrs[0]), expected[:, 0])


# ---- strategies -----------------------------------------------------------------------------

base_lrs_st = st.lists(
    st.one_of(st.floats(1e-8, 10.0), st.sampled_from([0.0, 1.0, 0.1, 1e-300, 5e-324])),
    min_size=1,
    max_size=3,
)
unit = st.floats(0.0, 1.0)
gamma_st = st.one_of(st.floats(0.0, 1.5), st.sampled_from([0.0, 0.1, 0.5, 1.0, 0.999]))
BIG = [10**6, 10**9, 2**40, 2**52]


def step_array(edges, draw_list, negative=True):
    """0, 1, small steps, the given edges and their neighbours, large steps; and (for the
    closed forms, where torch's Python // and min see them) negative steps."""
    s = {0, 1, 2, 3}
    for e in edges:
        s.update({e - 1, e, e + 1})
    s.update(BIG)
    s.update(draw_list)
    if negative:
        s.update({-1, -2, -7, -(10**6)})
    return sorted(x for x in s if negative or x >= 0)


extra_steps = st.lists(st.integers(0, 10**7), max_size=10)


# ---- _get_closed_form_lr schedules ----------------------------------------------------------


@SETTINGS
@given(base_lrs_st, st.integers(1, 50), gamma_st, extra_steps)
def test_step_lr(base_lrs, step_size, gamma, extra):
    steps = step_array([step_size, 2 * step_size, 7 * step_size], extra)
    check_both(
        lambda s, b: F.step_lr(s, b, step_size, gamma),
        lambda b, s: torch_closed_form(TLR.StepLR, b, s, step_size=step_size, gamma=gamma),
        base_lrs,
        steps,
    )


@SETTINGS
@given(base_lrs_st, st.lists(st.integers(0, 60), max_size=6), gamma_st, extra_steps)
def test_multi_step_lr(base_lrs, milestones, gamma, extra):
    milestones = milestones + milestones[:2]  # repeated milestones count twice
    steps = step_array(milestones, extra)
    check_both(
        lambda s, b: F.multi_step_lr(s, b, milestones, gamma),
        lambda b, s: torch_closed_form(TLR.MultiStepLR, b, s, milestones=milestones, gamma=gamma),
        base_lrs,
        steps,
    )


@SETTINGS
@given(base_lrs_st, unit, st.integers(0, 40), extra_steps)
def test_constant_lr(base_lrs, factor, total_iters, extra):
    steps = step_array([total_iters], extra)
    check_both(
        lambda s, b: F.constant_lr(s, b, factor, total_iters),
        lambda b, s: torch_closed_form(
            TLR.ConstantLR, b, s, factor=factor, total_iters=total_iters
        ),
        base_lrs,
        steps,
    )


@SETTINGS
@given(
    base_lrs_st,
    st.floats(1e-9, 1.0).filter(lambda x: x > 0),
    unit,
    st.integers(1, 40),
    extra_steps,
)
def test_linear_lr(base_lrs, start_factor, end_factor, total_iters, extra):
    steps = step_array([total_iters], extra)
    check_both(
        lambda s, b: F.linear_lr(s, b, start_factor, end_factor, total_iters),
        lambda b, s: torch_closed_form(
            TLR.LinearLR,
            b,
            s,
            start_factor=start_factor,
            end_factor=end_factor,
            total_iters=total_iters,
        ),
        base_lrs,
        steps,
    )


@SETTINGS
@given(base_lrs_st, st.one_of(st.floats(0.5, 1.0), st.sampled_from([0.0, 1.0, 0.9, 0.99])),
       st.lists(st.integers(0, 5000), max_size=10))
def test_exponential_lr(base_lrs, gamma, extra):
    steps = sorted({0, 1, 2, 10, 100, 1000, 4999, *extra})
    if gamma == 1.0 or gamma == 0.0:
        steps += [10**9, 2**52]
    check_both(
        lambda s, b: F.exponential_lr(s, b, gamma),
        lambda b, s: torch_closed_form(TLR.ExponentialLR, b, s, gamma=gamma),
        base_lrs,
        steps,
    )


@SETTINGS
@given(base_lrs_st, st.integers(1, 60), st.one_of(st.floats(0.0, 4.0), st.sampled_from([0.0, 1.0, 2.0, 0.5])), extra_steps)
def test_polynomial_lr(base_lrs, total_iters, power, extra):
    steps = step_array([total_iters], extra)
    check_both(
        lambda s, b: F.polynomial_lr(s, b, total_iters, power),
        lambda b, s: torch_closed_form(
            TLR.PolynomialLR, b, s, total_iters=total_iters, power=power
        ),
        base_lrs,
        steps,
    )


@SETTINGS
@given(
    base_lrs_st,
    st.one_of(st.integers(1, 200), st.floats(0.5, 300.0)),
    st.one_of(st.floats(0.0, 1e-3), st.just(0.0)),
    extra_steps,
)
def test_cosine_annealing_lr(base_lrs, T_max, eta_min, extra):
    t = int(T_max)
    steps = step_array([t, 2 * t, 3 * t, t // 2], extra)
    check_both(
        lambda s, b: F.cosine_annealing_lr(s, b, T_max, eta_min),
        lambda b, s: torch_closed_form(TLR.CosineAnnealingLR, b, s, T_max=T_max, eta_min=eta_min),
        base_lrs,
        steps,
    )


# ---- warm restarts: step(epoch) -------------------------------------------------------------


@SETTINGS
@given(
    base_lrs_st,
    st.integers(1, 30),
    st.integers(1, 4),
    st.floats(0.0, 1e-3),
    st.lists(st.floats(0.0, 1e6), max_size=12),
)
def test_cosine_annealing_warm_restarts(base_lrs, T_0, T_mult, eta_min, extra):
    epochs = [0.0, 0.5, 1.0, T_0 - 0.5, float(T_0), T_0 + 0.25, 2.0 * T_0, 3.5 * T_0]
    if T_mult > 1:
        epochs += [float(T_0 * (1 + T_mult)), T_0 * (1 + T_mult) - 1e-9, T_0 * (1 + T_mult + T_mult**2) + 0.1]
    epochs += [1e9 + 0.5, 12345.678] + extra
    expected = torch_warm_restarts(base_lrs, epochs, T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    got = F.cosine_annealing_warm_restarts(np.array(epochs), base_lrs, T_0, T_mult, eta_min)
    same(got, expected)
    same(F.cosine_annealing_warm_restarts(epochs, base_lrs[0], T_0, T_mult, eta_min), expected[:, 0])
    ints = [e for e in range(0, 4 * T_0 * T_mult + 3)]
    same(
        F.cosine_annealing_warm_restarts(np.array(ints), base_lrs, T_0, T_mult, eta_min),
        torch_warm_restarts(base_lrs, ints, T_0=T_0, T_mult=T_mult, eta_min=eta_min),
    )


# ---- CyclicLR -------------------------------------------------------------------------------


@SETTINGS
@given(
    st.lists(st.tuples(st.floats(1e-6, 1.0), st.floats(1e-6, 10.0)), min_size=1, max_size=3),
    st.one_of(st.integers(1, 40), st.floats(0.5, 50.0)),
    st.one_of(st.none(), st.integers(0, 40), st.floats(0.5, 50.0)),
    st.sampled_from(["triangular", "triangular2", "exp_range"]),
    st.floats(0.9, 1.0),
    extra_steps,
)
def test_cyclic(pairs, up, down, mode, gamma, extra):
    base = [p[0] for p in pairs]
    top = [p[1] for p in pairs]
    bm = [0.8 - 0.1 * i for i in range(len(pairs))]
    mm = [0.9 + 0.01 * i for i in range(len(pairs))]
    total = float(up) + float(down if down is not None else up)
    steps = step_array([int(total), int(2 * total), int(float(up))], extra, negative=False)
    if mode == "triangular2":  # 2.0 ** (cycle - 1) overflows past ~1000 cycles (tested below)
        steps = [x for x in steps if x < 1000 * total]
    kw = dict(step_size_up=up, step_size_down=down, mode=mode, gamma=gamma)
    n = len(pairs)
    s = np.array(steps)
    try:
        exp_lr = torch_stepped(TLR.CyclicLR, n, steps, base_lr=base, max_lr=top,
                               base_momentum=bm, max_momentum=mm, **kw)
    except (ArithmeticError, ValueError) as e:  # e.g. triangular2's 2.0 ** (cycle - 1) overflows
        with pytest.raises(type(e)):
            F.cyclic_lr(s, base, top, **kw)
        with pytest.raises(type(e)):
            F.cyclic_momentum(s, bm, mm, **kw)
        return
    exp_m = torch_stepped(TLR.CyclicLR, n, steps, momentum_of=True, base_lr=base, max_lr=top,
                          base_momentum=bm, max_momentum=mm, **kw)
    same(F.cyclic_lr(s, base, top, **kw), exp_lr)
    same(F.cyclic_momentum(s, bm, mm, **kw), exp_m)
    same(F.cyclic_lr(s, base[0], top[0], **kw), exp_lr[:, 0])
    same(F.cyclic_momentum(s, bm[0], mm[0], **kw), exp_m[:, 0])


# ---- OneCycleLR -----------------------------------------------------------------------------


@SETTINGS
@given(
    st.lists(st.floats(1e-4, 10.0), min_size=1, max_size=3),
    st.integers(2, 500),
    st.floats(0.05, 0.95),
    st.sampled_from(["cos", "linear"]),
    st.booleans(),
    st.floats(1.0, 100.0),
    st.floats(1.0, 1e5),
)
def test_one_cycle(max_lrs, total_steps, pct_start, strategy, three_phase, div, final_div):
    kw = dict(total_steps=total_steps, pct_start=pct_start, anneal_strategy=strategy,
              three_phase=three_phase)
    bm = [0.85 - 0.05 * i for i in range(len(max_lrs))]
    mm = [0.95] * len(max_lrs)
    ends = [pct_start * total_steps - 1, 2 * pct_start * total_steps - 2, total_steps - 1]
    steps = sorted({min(max(0, int(x) + d), total_steps) for x in ends for d in (-1, 0, 1)}
                   | {0, 1, total_steps, total_steps // 2})
    n = len(max_lrs)
    ctx = _quiet()
    try:
        try:
            exp_lr = torch_stepped(TLR.OneCycleLR, n, steps, max_lr=max_lrs, base_momentum=bm,
                                   max_momentum=mm, div_factor=div, final_div_factor=final_div, **kw)
        except ZeroDivisionError:
            with pytest.raises(ZeroDivisionError):
                F.one_cycle_lr(np.array(steps), max_lrs, div_factor=div, final_div_factor=final_div, **kw)
            return
        exp_m = torch_stepped(TLR.OneCycleLR, n, steps, momentum_of=True, max_lr=max_lrs,
                              base_momentum=bm, max_momentum=mm, div_factor=div,
                              final_div_factor=final_div, **kw)
    finally:
        ctx.__exit__(None, None, None)
    s = np.array(steps)
    same(F.one_cycle_lr(s, max_lrs, div_factor=div, final_div_factor=final_div, **kw), exp_lr)
    same(F.one_cycle_momentum(s, base_momentum=bm, max_momentum=mm, **kw), exp_m)
    same(F.one_cycle_lr(s, max_lrs[0], div_factor=div, final_div_factor=final_div, **kw),
         exp_lr[:, 0])
    same(F.one_cycle_momentum(s, base_momentum=bm[0], max_momentum=0.95, **kw), exp_m[:, 0])


def test_one_cycle_every_step_and_epochs_form():
    for three_phase in (False, True):
        for strategy in ("cos", "linear"):
            kw = dict(epochs=7, steps_per_epoch=13, pct_start=0.25, anneal_strategy=strategy,
                      three_phase=three_phase)
            ctx = _quiet()
            try:
                opt = _optimizer([0.5])
                sched = TLR.OneCycleLR(opt, max_lr=2.0, **kw)
                lrs, moms = [opt.param_groups[0]["lr"]], [opt.param_groups[0]["momentum"]]
                for _ in range(7 * 13):
                    sched.step()
                    lrs.append(opt.param_groups[0]["lr"])
                    moms.append(opt.param_groups[0]["momentum"])
            finally:
                ctx.__exit__(None, None, None)
            steps = np.arange(7 * 13 + 1)
            same(F.one_cycle_lr(steps, 2.0, **kw), lrs)
            same(F.one_cycle_momentum(steps, **kw), moms)


# ---- shapes and types -----------------------------------------------------------------------


def test_shapes_and_scalars():
    assert isinstance(F.step_lr(5, 0.1, 2), float)
    assert F.step_lr(5, 0.1, 2) == torch_closed_form(TLR.StepLR, [0.1], [5], step_size=2)[0, 0]
    assert F.step_lr(np.int64(5), 0.1, 2) == F.step_lr(5, 0.1, 2)
    out = F.step_lr(5, [0.1, 0.2], 2)
    assert out.shape == (2,)
    s = np.arange(12).reshape(3, 4)
    assert F.cosine_annealing_lr(s, 0.1, 10).shape == (3, 4)
    assert F.cosine_annealing_lr(s, [0.1, 0.2], 10).shape == (3, 4, 2)
    assert F.cosine_annealing_lr(s, [0.1], 10).shape == (3, 4, 1)
    assert F.cyclic_lr(s, 0.1, [1.0, 2.0], 3).shape == (3, 4, 2)
    assert F.cosine_annealing_warm_restarts(2.5, 0.1, 3) == torch_warm_restarts([0.1], [2.5], T_0=3)[0, 0]
    # float and list steps with integral values are accepted; fractional ones are not
    same(F.step_lr([0.0, 3.0, 6.0], 0.1, 3), F.step_lr(np.array([0, 3, 6]), 0.1, 3))
    same(F.step_lr(np.array([0, 3, 6], dtype=np.int32), 0.1, 3), F.step_lr([0, 3, 6], 0.1, 3))
    with pytest.raises(ValueError):
        F.step_lr([0.5], 0.1, 3)
    with pytest.raises(TypeError):
        F.step_lr([0], 0.1, 3.0)
    # non-contiguous input
    big = np.arange(20)[::2]
    same(F.exponential_lr(big, 0.1, 0.9), F.exponential_lr(np.ascontiguousarray(big), 0.1, 0.9))
    assert lrcore.functional is F


def test_one_cycle_shapes():
    s = np.arange(12).reshape(3, 4)
    assert F.one_cycle_lr(s, [1.0, 2.0], 20).shape == (3, 4, 2)
    assert F.one_cycle_lr([], 1.0, 20).shape == (0,)


def test_nan_inf_parameters():
    steps = [0, 1, 5, 10]
    for gamma in (math.nan, math.inf):
        same(F.step_lr(steps, [0.1], 2, gamma),
             torch_closed_form(TLR.StepLR, [0.1], steps, step_size=2, gamma=gamma))
    same(F.cosine_annealing_lr(steps, [0.1], math.inf),
         torch_closed_form(TLR.CosineAnnealingLR, [0.1], steps, T_max=math.inf))
    same(F.cosine_annealing_lr(steps, [math.nan, math.inf], 4, 0.0),
         torch_closed_form(TLR.CosineAnnealingLR, [math.nan, math.inf], steps, T_max=4))
    same(F.polynomial_lr(steps, [0.1], 5, math.nan),
         torch_closed_form(TLR.PolynomialLR, [0.1], steps, total_iters=5, power=math.nan))
    same(F.exponential_lr([0, 1, 500], [1e300], 1.0),
         torch_closed_form(TLR.ExponentialLR, [1e300], [0, 1, 500], gamma=1.0))


# ---- errors: the exception torch raises -----------------------------------------------------


def torch_error(fn):
    ctx = _quiet()
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    finally:
        ctx.__exit__(None, None, None)
    return None


def closed_form_call(cls, steps, **kw):
    def run():
        torch_closed_form(cls, [0.1], steps, **kw)
    return run


def _one_cycle_core(ours, theirs):
    """A case whose arguments pass the Python checks and reach the core's functional_one_cycle."""
    return pytest.param(ours, theirs)


ERROR_CASES = [
    (lambda: F.step_lr([3], 0.1, 0), closed_form_call(TLR.StepLR, [3], step_size=0)),
    (lambda: F.exponential_lr([1000], 0.1, 10.0), closed_form_call(TLR.ExponentialLR, [1000], gamma=10.0)),
    (lambda: F.exponential_lr([-1], 0.1, 0.0), closed_form_call(TLR.ExponentialLR, [-1], gamma=0.0)),
    (lambda: F.cyclic_lr([10**9], 0.1, 1.0, 1, mode="triangular2"), lambda: torch_stepped(TLR.CyclicLR, 1, [10**9], base_lr=0.1, max_lr=1.0, step_size_up=1, mode="triangular2")),
    (lambda: F.step_lr([-2], 0.1, 1, 0.0), closed_form_call(TLR.StepLR, [-2], step_size=1, gamma=0.0)),
    (lambda: F.constant_lr([1], 0.1, 1.5), closed_form_call(TLR.ConstantLR, [1], factor=1.5)),
    (lambda: F.constant_lr([1], 0.1, -0.1), closed_form_call(TLR.ConstantLR, [1], factor=-0.1)),
    (lambda: F.linear_lr([1], 0.1, 0.0), closed_form_call(TLR.LinearLR, [1], start_factor=0.0)),
    (lambda: F.linear_lr([1], 0.1, 0.5, 1.5), closed_form_call(TLR.LinearLR, [1], start_factor=0.5, end_factor=1.5)),
    (lambda: F.linear_lr([1], 0.1, total_iters=0), closed_form_call(TLR.LinearLR, [1], total_iters=0)),
    (lambda: F.polynomial_lr([1], 0.1, total_iters=0), closed_form_call(TLR.PolynomialLR, [1], total_iters=0)),
    (lambda: F.polynomial_lr([5], 0.1, 5, -1.0), closed_form_call(TLR.PolynomialLR, [5], total_iters=5, power=-1.0)),
    (lambda: F.cosine_annealing_lr([1], 0.1, 0), closed_form_call(TLR.CosineAnnealingLR, [1], T_max=0)),
    (lambda: F.cosine_annealing_lr([10**6], 0.1, 1e-310), closed_form_call(TLR.CosineAnnealingLR, [10**6], T_max=1e-310)),
    (lambda: F.cosine_annealing_warm_restarts([1.0], 0.1, 0), lambda: torch_warm_restarts([0.1], [1.0], T_0=0)),
    (lambda: F.cosine_annealing_warm_restarts([1.0], 0.1, 2.0), lambda: torch_warm_restarts([0.1], [1.0], T_0=2.0)),
    (lambda: F.cosine_annealing_warm_restarts([1.0], 0.1, 2, 0), lambda: torch_warm_restarts([0.1], [1.0], T_0=2, T_mult=0)),
    (lambda: F.cosine_annealing_warm_restarts([1.0], 0.1, 2, 1, "x"), lambda: torch_warm_restarts([0.1], [1.0], T_0=2, eta_min="x")),
    (lambda: F.cosine_annealing_warm_restarts([-1.5], 0.1, 2), lambda: torch_warm_restarts([0.1], [-1.5], T_0=2)),
    (lambda: F.cosine_annealing_warm_restarts([3, -1], 0.1, 2), lambda: torch_warm_restarts([0.1], [3, -1], T_0=2)),
    (lambda: F.cosine_annealing_warm_restarts([math.nan], 0.1, 2), lambda: torch_warm_restarts([0.1], [math.nan], T_0=2)),
    (lambda: F.cosine_annealing_warm_restarts([math.inf], 0.1, 2), lambda: torch_warm_restarts([0.1], [math.inf], T_0=2)),
    (lambda: F.cosine_annealing_warm_restarts([math.inf], 0.1, 2, 2), lambda: torch_warm_restarts([0.1], [math.inf], T_0=2, T_mult=2)),
    (lambda: F.cyclic_lr([0], 0.1, 1.0, 0, 0), lambda: torch_stepped(TLR.CyclicLR, 1, [0], base_lr=0.1, max_lr=1.0, step_size_up=0, step_size_down=0)),
    (lambda: F.cyclic_lr([0], 0.1, 1.0, 0, 4), lambda: torch_stepped(TLR.CyclicLR, 1, [0], base_lr=0.1, max_lr=1.0, step_size_up=0, step_size_down=4)),
    (lambda: F.cyclic_lr([0], 0.1, 1.0, mode="bad"), lambda: torch_stepped(TLR.CyclicLR, 1, [0], base_lr=0.1, max_lr=1.0, mode="bad")),
    (lambda: F.cyclic_momentum([0], mode="bad"), lambda: torch_stepped(TLR.CyclicLR, 1, [0], base_lr=0.1, max_lr=1.0, mode="bad")),
    (lambda: F.cyclic_lr([0], [0.1, 0.2], [1.0, 2.0, 3.0]), lambda: torch_stepped(TLR.CyclicLR, 2, [0], base_lr=[0.1, 0.2], max_lr=[1.0, 2.0, 3.0])),
    (lambda: F.one_cycle_lr([0], 1.0, 0), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=0)),
    (lambda: F.one_cycle_lr([0], 1.0, 10.0), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=10.0)),
    (lambda: F.one_cycle_lr([0], 1.0), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0)),
    (lambda: F.one_cycle_lr([0], 1.0, epochs=0, steps_per_epoch=3), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, epochs=0, steps_per_epoch=3)),
    (lambda: F.one_cycle_lr([0], 1.0, epochs=2, steps_per_epoch=-3), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, epochs=2, steps_per_epoch=-3)),
    (lambda: F.one_cycle_lr([0], 1.0, 10, pct_start=1), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=10, pct_start=1)),
    (lambda: F.one_cycle_lr([0], 1.0, 10, pct_start=1.5), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=10, pct_start=1.5)),
    (lambda: F.one_cycle_lr([0], 1.0, 10, anneal_strategy="x"), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=10, anneal_strategy="x")),
    _one_cycle_core(lambda: F.one_cycle_lr([0], 1.0, 10, pct_start=0.1), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=10, pct_start=0.1)),
    (lambda: F.one_cycle_lr([0], 1.0, 10, div_factor=0.0), lambda: torch_stepped(TLR.OneCycleLR, 1, [0], max_lr=1.0, total_steps=10, div_factor=0.0)),
    _one_cycle_core(lambda: F.one_cycle_lr([12], 1.0, 10), lambda: torch_stepped(TLR.OneCycleLR, 1, [12], max_lr=1.0, total_steps=10)),
    (lambda: F.one_cycle_momentum([0], 10, max_momentum=[0.9, 0.9], base_momentum=[0.8] * 3), None),
]


@pytest.mark.parametrize("ours,theirs", ERROR_CASES, ids=[str(i) for i in range(len(ERROR_CASES))])
def test_errors_match_torch(ours, theirs):
    with pytest.raises(Exception) as info:
        ours()
    if theirs is None:
        assert info.type is ValueError
        return
    expected = torch_error(theirs)
    assert expected is not None, "torch raised nothing"
    etype, emsg = expected
    assert info.type is etype, (info.type, etype, emsg)
    if etype is ValueError and ("Expected" in emsg or "Tried to step" in emsg):
        assert str(info.value) == emsg


def test_classes_still_share_the_formulas():
    """The scheduler classes and the functions agree (one source of truth in the core)."""
    ctx = _quiet()
    try:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.3)
        sched = lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=17, eta_min=0.01)
        lrs = []
        for e in range(1, 40):
            sched.step(e)
            lrs.append(opt.param_groups[0]["lr"])
    finally:
        ctx.__exit__(None, None, None)
    same(F.cosine_annealing_lr(np.arange(1, 40), 0.3, 17, 0.01), lrs)


def test_threads_do_not_change_values_or_errors():
    n = 5 * 2**16 + 7
    steps = np.arange(n, dtype=np.int64)
    epochs = steps * 0.37
    before = F.get_max_threads()
    try:
        results = []
        for threads in (1, 4):
            F.set_max_threads(threads)
            assert F.get_max_threads() == threads
            results.append([
                F.exponential_lr(steps, [0.1, 0.3], 0.99999),
                F.step_lr(steps, 0.1, 1000, 0.9),
                F.cosine_annealing_lr(steps, 0.1, 7919, 1e-4),
                F.cosine_annealing_warm_restarts(epochs, 0.1, 10, 2, 1e-4),
                F.cyclic_lr(steps, 0.01, 1.0, 2000, mode="triangular2"),
            ])
        for a, b in zip(*results):
            same(a, b)
        # spot check against torch
        pick = [0, 1, 2**16, 3 * 2**16 + 1, n - 1]
        same(results[1][0][pick], torch_closed_form(TLR.ExponentialLR, [0.1, 0.3], pick, gamma=0.99999))
        with pytest.raises(ValueError):
            F.set_max_threads(-1)
    finally:
        F.set_max_threads(0)
    assert F.get_max_threads() == before


def test_threads_one_cycle():
    """one_cycle over several threads: the values of one thread, and the first failing step's
    error, as a serial loop would raise it."""
    n = 5 * 2**16 + 7
    steps = np.arange(n, dtype=np.int64)
    try:
        results = []
        for threads in (1, 4):
            F.set_max_threads(threads)
            results.append(F.one_cycle_momentum(steps, n, three_phase=True))
            bad = steps.copy()
            bad[3 * 2**16] = n + 5
            bad[-1] = n + 9
            with pytest.raises(ValueError, match=f"Tried to step {n + 5} times"):
                F.one_cycle_lr(bad, 1.0, n)
        same(results[0], results[1])
    finally:
        F.set_max_threads(0)
