"""The schedules torch lacks (lrcore.schedules): each against a pure-Python transcription of
its documented formula, exactly (same bits), step after step.

* WarmupCosineLR vs timm's CosineLRScheduler._get_lr (lrcore.reference.schedules.timm_cosine_lr);
* WarmupStableDecayLR, InverseSqrtLR, HFScheduleLR and get_scheduler vs transformers' lambdas,
  transcribed again *here* from transformers/optimization.py, the lr being
  ``base_lr * lambda(step)`` as torch's LambdaLR computes it; and, where transformers is
  installed, HFScheduleLR (get_scheduler) and GreedyLR against transformers itself: lrs bit for
  bit, equal states, each loading the other's state mid-run.

Also: simulate() equals stepping, step(epoch) (the closed form) equals stepping, state_dict
save/load mid-run continues identically, last_epoch resumes, several groups with different
lrs, and bad arguments raise ValueError/TypeError leaving the optimizer untouched.
"""

from __future__ import annotations

import copy
import math
import warnings
from functools import partial

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import lrcore
from lrcore.reference import schedules as R
from lrcore import schedules as S

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class Opt:
    """A duck optimizer: param_groups and defaults (no step(), so no step-order warnings)."""

    def __init__(self, lrs, default_lr=None):
        self.param_groups = [{"lr": lr, "momentum": 0.9} for lr in lrs]
        self.defaults = {"lr": lrs[0] if default_lr is None else default_lr}


def trajectory(scheduler, steps):
    out = [scheduler.get_last_lr()]
    for _ in range(steps):
        scheduler.step()
        out.append(scheduler.get_last_lr())
    return out


def check_common(make, lrs, steps):
    """simulate() and step(epoch) agree with stepping; lrs in the groups are the last lrs."""
    opt = Opt(lrs)
    s = make(opt)
    sim = s.simulate(steps)
    traj = trajectory(s, steps)
    assert [list(row) for row in sim] == traj
    assert [g["lr"] for g in opt.param_groups] == traj[-1]
    opt2 = Opt(lrs)
    s2 = make(opt2)
    for epoch in (steps, 0, steps // 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the epoch deprecation warning
            s2.step(epoch)
        assert s2.get_last_lr() == traj[epoch]
    return traj


lrs_st = st.lists(st.floats(1e-5, 1.0), min_size=1, max_size=3)


# ------------------------------------------------------------------------------- WarmupCosineLR


@SETTINGS
@given(
    lrs=lrs_st,
    t_initial=st.integers(1, 20),
    warmup=st.integers(0, 8),
    warmup_lr_init=st.floats(0, 1e-3),
    floor=st.one_of(st.none(), st.tuples(st.just("eta_min"), st.floats(0, 1e-3)),
                    st.tuples(st.just("min_lr_ratio"), st.floats(0, 0.5))),
    cycle_mul=st.one_of(st.just(1.0), st.floats(0.3, 3.0)),
    cycle_decay=st.floats(0.2, 1.0),
    cycle_limit=st.integers(1, 5),
    warmup_prefix=st.booleans(),
    k_decay=st.one_of(st.just(1.0), st.floats(0.3, 3.0)),
    steps=st.integers(0, 80),
)
def test_warmup_cosine_is_timm_formula(lrs, t_initial, warmup, warmup_lr_init, floor, cycle_mul,
                                       cycle_decay, cycle_limit, warmup_prefix, k_decay, steps):
    kw = dict(t_initial=t_initial, warmup_steps=warmup, warmup_lr_init=warmup_lr_init,
              cycle_mul=cycle_mul, cycle_decay=cycle_decay, cycle_limit=cycle_limit,
              warmup_prefix=warmup_prefix, k_decay=k_decay)
    if floor is not None:
        kw[floor[0]] = floor[1]
    # timm's formula itself fails where math.log rounds a cycle boundary up (the cycle's step
    # comes out a hair below 0, and a non-integer k_decay power of it is complex): lrcore raises
    # there as timm does; such schedules are not drawn.
    try:
        for t in range(steps + 1):
            for b in lrs:
                R.timm_cosine_lr(t, b, t_initial=t_initial, lr_min=0.0, warmup_t=warmup,
                                 warmup_lr_init=warmup_lr_init, cycle_mul=cycle_mul,
                                 cycle_decay=cycle_decay, cycle_limit=cycle_limit,
                                 warmup_prefix=warmup_prefix, k_decay=k_decay)
    except TypeError:
        assume(False)
    traj = check_common(lambda o: S.WarmupCosineLR(o, **kw), lrs, steps)

    def expected(t, base):
        if floor is None:
            lr_min = 0.0
        elif floor[0] == "eta_min":
            lr_min = floor[1]
        else:
            lr_min = base * floor[1]  # the ratio's floor is per group
        return R.timm_cosine_lr(t, base, t_initial=t_initial, lr_min=lr_min, warmup_t=warmup,
                                warmup_lr_init=warmup_lr_init, cycle_mul=cycle_mul,
                                cycle_decay=cycle_decay, cycle_limit=cycle_limit,
                                warmup_prefix=warmup_prefix, k_decay=k_decay)

    assert traj == [[expected(t, b) for b in lrs] for t in range(steps + 1)]
    # the reference class (lrcore bench's baseline) steps the same
    assert trajectory(R.WarmupCosineLR(Opt(lrs), **kw), steps) == traj


def test_warmup_cosine_known_values():
    opt = Opt([1.0, 0.5])
    s = S.WarmupCosineLR(opt, t_initial=4, warmup_steps=2, warmup_lr_init=0.0, min_lr_ratio=0.1,
                         warmup_prefix=True)
    traj = trajectory(s, 8)
    assert traj[0] == [0.0, 0.0] and traj[1] == [0.5, 0.25]
    assert traj[2] == [1.0, 0.5]  # the cycle starts at the base lr after the warmup
    assert traj[6] == traj[7] == [0.1, 0.05]  # the floor, per group


def test_warmup_cosine_shrinking_cycles_end_at_floor():
    # timm raises ValueError (math.log of a non-positive number) once cycle_mul < 1 runs out
    s = S.WarmupCosineLR(Opt([1.0]), t_initial=4, cycle_mul=0.5, cycle_limit=100, eta_min=0.01)
    traj = trajectory(s, 20)
    assert traj[-1] == [0.01]
    with pytest.raises(ValueError):
        math.log(1 - 8 / 4 * (1 - 0.5), 0.5)


# -------------------------------------------------------------------------- transformers lambdas
# Transcribed from transformers/optimization.py (the functions' bodies, unchanged).


def _lin(current_step, *, num_warmup_steps, num_training_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def _cos(current_step, *, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _restarts(current_step, *, num_warmup_steps, num_training_steps, num_cycles):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _poly(current_step, *, num_warmup_steps, num_training_steps, lr_end, power, lr_init):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init


def _const(_=None):
    return 1


def _const_warm(current_step, *, num_warmup_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _isqrt(current_step, *, num_warmup_steps, timescale=None):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def _cos_lr_rate(current_step, *, num_warmup_steps, num_training_steps, num_cycles,
                 min_lr_rate=0.0, warmup_lr_rate=None):
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)
    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.) / max(1., num_warmup_steps)
        else:
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (max(1, num_warmup_steps - 1))
    progress = (current_step - num_warmup_steps + 1.) / (max(1., num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _wsd(current_step, *, num_warmup_steps, num_stable_steps, num_decay_steps, warmup_type,
         decay_type, min_lr_ratio, num_cycles):
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0
    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def lambda_traj(lrs, lr_lambda, steps, start=0):
    """torch LambdaLR's values: base_lr * lr_lambda(last_epoch)."""
    return [[base * lr_lambda(t) for base in lrs] for t in range(start, start + steps + 1)]


# ----------------------------------------------------------------------- WarmupStableDecayLR


shape_st = st.sampled_from(["linear", "cosine", "1-sqrt"])


@SETTINGS
@given(lrs=lrs_st, nw=st.integers(0, 15), ns=st.integers(0, 15), nd=st.integers(0, 15),
       warmup_type=shape_st, decay_type=shape_st,
       min_lr_ratio=st.one_of(st.just(0), st.floats(0, 0.5)),
       num_cycles=st.one_of(st.just(0.5), st.floats(0.1, 2.0)),
       by_training=st.booleans(), steps=st.integers(0, 60))
def test_wsd_is_transformers_lambda(lrs, nw, ns, nd, warmup_type, decay_type, min_lr_ratio,
                                    num_cycles, by_training, steps):
    kw = dict(warmup_type=warmup_type, decay_type=decay_type, min_lr_ratio=min_lr_ratio,
              num_cycles=num_cycles)
    if by_training:
        kw["num_training_steps"] = nw + ns + nd
    else:
        kw["num_stable_steps"] = ns
    traj = check_common(lambda o: S.WarmupStableDecayLR(o, nw, nd, **kw), lrs, steps)
    lam = partial(_wsd, num_warmup_steps=nw, num_stable_steps=ns, num_decay_steps=nd,
                  warmup_type=warmup_type, decay_type=decay_type, min_lr_ratio=min_lr_ratio,
                  num_cycles=num_cycles)
    assert traj == lambda_traj(lrs, lam, steps)
    assert trajectory(R.WarmupStableDecayLR(Opt(lrs), nw, nd, **kw), steps) == traj
    # get_scheduler("warmup_stable_decay") gives the same, as transformers' LambdaLR
    g = lrcore.get_scheduler("warmup_stable_decay", Opt(lrs), num_warmup_steps=nw,
                             num_training_steps=kw.get("num_training_steps"),
                             scheduler_specific_kwargs={"num_decay_steps": nd, **{
                                 k: v for k, v in kw.items() if k != "num_training_steps"}})
    assert isinstance(g, S.HFScheduleLR) and g.schedule == "warmup_stable_decay"
    assert trajectory(g, steps) == traj


def test_wsd_both_lengths_warns_and_uses_stable():
    with pytest.warns(UserWarning, match="num_stable_steps will be used"):
        s = S.WarmupStableDecayLR(Opt([0.1]), 2, 3, num_training_steps=100, num_stable_steps=4)
    assert s.num_stable_steps == 4


# ------------------------------------------------------------------------------ InverseSqrtLR


@SETTINGS
@given(lrs=lrs_st, nw=st.integers(0, 30), timescale=st.one_of(st.none(), st.integers(1, 50)),
       steps=st.integers(0, 80))
def test_inverse_sqrt_is_transformers_lambda(lrs, nw, timescale, steps):
    traj = check_common(lambda o: S.InverseSqrtLR(o, nw, timescale), lrs, steps)
    ts = (nw or 10_000) if timescale is None else timescale
    assert traj == lambda_traj(lrs, partial(_isqrt, num_warmup_steps=nw, timescale=ts), steps)
    assert trajectory(R.InverseSqrtLR(Opt(lrs), nw, timescale), steps) == traj


@SETTINGS
@given(lrs=lrs_st, nw=st.integers(1, 30), d_model=st.one_of(st.none(), st.integers(1, 4096)),
       steps=st.integers(0, 80))
def test_noam(lrs, nw, d_model, steps):
    traj = check_common(lambda o: S.InverseSqrtLR(o, nw, noam=True, d_model=d_model), lrs, steps)
    scale = float(d_model) ** -0.5 if d_model is not None else float(nw) ** 0.5

    def lam(step):  # the usual Noam LambdaLR: d_model**-0.5 * min(s**-0.5, s * warmup**-1.5)
        s = step + 1
        return scale * min(s ** -0.5, s * nw ** -1.5)

    assert traj == lambda_traj(lrs, lam, steps)


# ------------------------------------------------------------------------------ get_scheduler


@SETTINGS
@given(lrs=lrs_st, nw=st.integers(0, 12), extra=st.integers(0, 25), steps=st.integers(0, 60),
       num_cycles=st.floats(0.1, 3.0), restarts=st.integers(1, 4),
       min_lr_rate=st.floats(0, 0.5), power=st.floats(0.5, 3.0),
       warmup_lr_rate=st.one_of(st.none(), st.floats(0, 0.5)), default_lr=st.floats(0.01, 2.0))
def test_get_scheduler_every_name_is_transformers(lrs, nw, extra, steps, num_cycles, restarts,
                                                  min_lr_rate, power, warmup_lr_rate, default_lr):
    nt = nw + extra
    lr_end = default_lr / 10
    cases = {
        "linear": ({}, partial(_lin, num_warmup_steps=nw, num_training_steps=nt)),
        "cosine": ({"num_cycles": num_cycles},
                   partial(_cos, num_warmup_steps=nw, num_training_steps=nt, num_cycles=num_cycles)),
        "cosine_with_restarts": ({"num_cycles": restarts},
                                 partial(_restarts, num_warmup_steps=nw, num_training_steps=nt,
                                         num_cycles=restarts)),
        "constant": ({}, _const),
        "constant_with_warmup": ({}, partial(_const_warm, num_warmup_steps=nw)),
        "inverse_sqrt": ({}, partial(_isqrt, num_warmup_steps=nw, timescale=nw or 10_000)),
        "cosine_with_min_lr": ({"min_lr_rate": min_lr_rate},
                               partial(_cos, num_warmup_steps=nw, num_training_steps=nt,
                                       num_cycles=0.5, min_lr_rate=min_lr_rate)),
        "cosine_warmup_with_min_lr": ({"min_lr": lr_end, "warmup_lr_rate": warmup_lr_rate},
                                      partial(_cos_lr_rate, num_warmup_steps=nw,
                                              num_training_steps=nt, num_cycles=0.5,
                                              min_lr_rate=lr_end / default_lr,
                                              warmup_lr_rate=warmup_lr_rate)),
    }
    if nt > nw:  # transformers divides by zero at step nt == nw
        cases["polynomial"] = ({"lr_end": lr_end, "power": power},
                               partial(_poly, num_warmup_steps=nw, num_training_steps=nt,
                                       lr_end=lr_end, power=power, lr_init=default_lr))
    for name, (kwargs, lam) in cases.items():
        s = lrcore.get_scheduler(name, Opt(lrs, default_lr), num_warmup_steps=nw,
                                 num_training_steps=nt, scheduler_specific_kwargs=kwargs)
        assert isinstance(s, lrcore.LRScheduler)
        traj = trajectory(s, steps)
        assert traj == lambda_traj(lrs, lam, steps), name
        s2 = lrcore.get_scheduler(name, Opt(lrs, default_lr), nw, nt, **kwargs)  # kwargs form
        assert [list(r) for r in s2.simulate(steps)] == traj, name
        # the reference class (lrcore bench's baseline), from the same name and arguments
        args = {"constant": (), "constant_with_warmup": (nw,), "inverse_sqrt": (nw,)}.get(
            name, (nw, nt))
        ref = R.HFScheduleLR(Opt(lrs, default_lr), name, *args, **kwargs)
        assert trajectory(ref, steps) == traj, name


def test_get_scheduler_names_and_errors():
    assert set(S.SCHEDULER_NAMES) == {
        "linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
        "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr",
        "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy"}
    greedy = lrcore.get_scheduler("greedy", Opt([0.1]), scheduler_specific_kwargs={"patience": 0})
    assert type(greedy) is lrcore.GreedyLR and greedy.patience == 0
    p = lrcore.get_scheduler("reduce_lr_on_plateau", Opt([0.1]), patience=0, factor=0.5)
    assert type(p).__name__ == "ReduceLROnPlateau" and isinstance(p, lrcore.ReduceLROnPlateau)
    p.step(1.0)
    p.step(2.0)
    assert p.get_last_lr() == [0.05]
    assert isinstance(lrcore.get_scheduler("constant", Opt([0.1])), S.HFScheduleLR)
    for name in S.SCHEDULER_NAMES:
        if name in ("constant", "reduce_lr_on_plateau", "greedy"):
            continue
        with pytest.raises(ValueError, match="requires `num_warmup_steps`"):
            lrcore.get_scheduler(name, Opt([0.1]), num_training_steps=10)
    for name in ("linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr",
                 "cosine_warmup_with_min_lr"):
        with pytest.raises(ValueError, match="requires `num_training_steps`"):
            lrcore.get_scheduler(name, Opt([0.1]), num_warmup_steps=2)
    with pytest.raises(ValueError, match="not a valid SchedulerType"):
        lrcore.get_scheduler("cosine_annealing", Opt([0.1]), 1, 10)
    with pytest.raises(ValueError, match="Either num_training_steps or num_stable_steps"):
        lrcore.get_scheduler("warmup_stable_decay", Opt([0.1]), 1, num_decay_steps=3)
    with pytest.raises(TypeError):  # no num_decay_steps: a missing argument, as transformers
        lrcore.get_scheduler("warmup_stable_decay", Opt([0.1]), 1, 10)
    with pytest.raises(TypeError):  # linear takes no num_cycles
        lrcore.get_scheduler("linear", Opt([0.1]), 1, 10, num_cycles=2)
    with pytest.raises(ValueError, match="One of min_lr or min_lr_rate"):
        lrcore.get_scheduler("cosine_with_min_lr", Opt([0.1]), 1, 10)
    with pytest.raises(ValueError, match="Only one of min_lr or min_lr_rate"):
        lrcore.get_scheduler("cosine_with_min_lr", Opt([0.1]), 1, 10, min_lr=0.0, min_lr_rate=0.1)
    with pytest.raises(ValueError, match="must be smaller than initial lr"):
        lrcore.get_scheduler("polynomial", Opt([0.1]), 1, 10, lr_end=0.5)

    class SchedulerType(str):  # stands for transformers' SchedulerType (a str Enum)
        @property
        def value(self):
            return str(self)

    s = lrcore.get_scheduler(SchedulerType("linear"), Opt([0.1]), 2, 10)
    assert s.schedule == "linear"


# ------------------------------------------------------------- state, resume, groups, validation

MAKERS = {
    "WarmupCosineLR": lambda o, **k: S.WarmupCosineLR(o, 6, warmup_steps=3, warmup_lr_init=1e-4,
                                                      min_lr_ratio=0.1, cycle_mul=1.5,
                                                      cycle_decay=0.8, cycle_limit=4, **k),
    "WarmupCosineLR-eta_min": lambda o, **k: S.WarmupCosineLR(o, 5, warmup_steps=2, eta_min=1e-3,
                                                              cycle_limit=3, k_decay=1.5, **k),
    "WarmupStableDecayLR": lambda o, **k: S.WarmupStableDecayLR(o, 3, 7, num_stable_steps=4,
                                                                decay_type="1-sqrt",
                                                                warmup_type="cosine",
                                                                min_lr_ratio=0.05, **k),
    "InverseSqrtLR": lambda o, **k: S.InverseSqrtLR(o, 5, 7, **k),
    "InverseSqrtLR-noam": lambda o, **k: S.InverseSqrtLR(o, 5, noam=True, d_model=64, **k),
    "HFScheduleLR": lambda o, **k: S.HFScheduleLR(o, "cosine_warmup_with_min_lr", 4, 20,
                                                  min_lr_rate=0.1, warmup_lr_rate=0.2, **k),
    # transformers' polynomial decay starts from optimizer.defaults["lr"] (Opt: the first lr)
    "HFScheduleLR-poly": lambda o, **k: S.HFScheduleLR(o, "polynomial", 3, 15, lr_end=1e-3,
                                                       power=2.0, **k),
}
LRS = [0.1, 0.02, 0.5]


@pytest.mark.parametrize("key", MAKERS)
def test_state_dict_mid_run_continues_equal(key):
    make = MAKERS[key]
    a = make(Opt(LRS))
    trajectory(a, 9)
    state = copy.deepcopy(a.state_dict())
    expected = trajectory(a, 20)[1:]
    b = make(Opt(LRS))  # a fresh run, then the saved state
    b.load_state_dict(state)
    assert b.state_dict() == state
    assert trajectory(b, 20)[1:] == expected
    # the state also loads into a scheduler built on other lrs, except where the schedule's
    # own arguments depend on them: transformers' polynomial lambda holds the optimizer's
    # default lr, and a LambdaLR's state holds no lambda
    if key == "HFScheduleLR-poly":
        return
    other = make(Opt([1.0, 2.0, 3.0]))
    other.load_state_dict(state)
    assert trajectory(other, 20)[1:] == expected


@pytest.mark.parametrize("key", MAKERS)
def test_last_epoch_resume(key):
    make = MAKERS[key]
    a = make(Opt(LRS))
    trajectory(a, 7)
    opt = Opt([0.9] * 3, default_lr=LRS[0])  # a torch optimizer's defaults stay its own
    for group, lr in zip(opt.param_groups, LRS):
        group["initial_lr"] = lr
    b = make(opt, last_epoch=6)
    assert b.last_epoch == a.last_epoch == 7
    assert b.get_last_lr() == a.get_last_lr()
    assert trajectory(b, 15) == trajectory(a, 15)
    with pytest.raises(KeyError, match="initial_lr"):
        make(Opt(LRS), last_epoch=3)


# The state torch 2.13's LRScheduler itself gives every scheduler.
_TORCH_BASE_STATE = frozenset({"base_lrs", "last_epoch", "_step_count", "_is_initial",
                               "_get_lr_called_within_step", "_last_lr", "verbose"})


@pytest.mark.parametrize("key", MAKERS)
def test_bad_state_leaves_scheduler_unchanged(key):
    s = MAKERS[key](Opt(LRS))
    trajectory(s, 3)
    before = s.state_dict()
    with pytest.raises(KeyError):
        s.load_state_dict({"last_epoch": 1})
    # the first of the class's own attributes (an HFScheduleLR's: LambdaLR's lr_lambdas)
    bad = dict(before, **{next(k for k in before if k not in _TORCH_BASE_STATE): "x"})
    with pytest.raises((TypeError, ValueError)):
        s.load_state_dict(bad)
    assert s.state_dict() == before


BAD = [
    (S.WarmupCosineLR, dict(t_initial=0), ValueError),
    (S.WarmupCosineLR, dict(t_initial=2.5), TypeError),
    (S.WarmupCosineLR, dict(t_initial=True), TypeError),
    (S.WarmupCosineLR, dict(t_initial=5, warmup_steps=-1), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, eta_min=0.1, min_lr_ratio=0.1), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, eta_min=-0.1), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, min_lr_ratio="a"), TypeError),
    (S.WarmupCosineLR, dict(t_initial=5, cycle_mul=0.0), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, cycle_decay=math.inf), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, cycle_limit=0), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, k_decay=0.0), ValueError),
    (S.WarmupCosineLR, dict(t_initial=5, warmup_prefix=1), TypeError),
    (S.WarmupCosineLR, dict(t_initial=5, last_epoch=-2), ValueError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=1, num_decay_steps=2), ValueError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=1, num_decay_steps=2, num_stable_steps=1,
                                 decay_type="exp"), ValueError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=1, num_decay_steps=2, num_stable_steps=1,
                                 warmup_type="step"), ValueError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=5, num_decay_steps=6, num_training_steps=10),
     ValueError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=1.0, num_decay_steps=2, num_stable_steps=1),
     TypeError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=1, num_decay_steps=2, num_stable_steps=-1),
     ValueError),
    (S.WarmupStableDecayLR, dict(num_warmup_steps=1, num_decay_steps=2, num_stable_steps=1,
                                 min_lr_ratio=None), TypeError),
    (S.InverseSqrtLR, dict(num_warmup_steps=-1), ValueError),
    (S.InverseSqrtLR, dict(num_warmup_steps=3, timescale=0), ValueError),
    (S.InverseSqrtLR, dict(num_warmup_steps="3"), TypeError),
    (S.InverseSqrtLR, dict(num_warmup_steps=0, noam=True), ValueError),
    (S.InverseSqrtLR, dict(num_warmup_steps=3, d_model=16), ValueError),
    (S.HFScheduleLR, dict(schedule="cosine_annealing"), ValueError),
    (S.HFScheduleLR, dict(schedule="linear", num_training_steps=None), TypeError),
    (S.HFScheduleLR, dict(schedule="linear", num_warmup_steps=2), TypeError),
    (S.HFScheduleLR, dict(schedule="polynomial", num_warmup_steps=2, num_training_steps=10,
                          lr_end=0.5), ValueError),
]


@pytest.mark.parametrize("cls,kwargs,error", BAD)
def test_bad_arguments_change_nothing(cls, kwargs, error):
    opt = Opt(LRS)
    before = copy.deepcopy(opt.param_groups)
    with pytest.raises(error):
        cls(opt, **kwargs)
    assert opt.param_groups == before


def test_not_an_optimizer():
    with pytest.raises(TypeError):
        S.WarmupCosineLR(object(), 5)


def test_torch_optimizer_and_isinstance():
    torch = pytest.importorskip("torch")
    params = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    opt = torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.01}], lr=0.1)
    s = lrcore.get_scheduler("cosine", opt, num_warmup_steps=2, num_training_steps=10)
    assert isinstance(s, torch.optim.lr_scheduler.LRScheduler)
    lrs = []
    for _ in range(10):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr())
    lam = partial(_cos, num_warmup_steps=2, num_training_steps=10, num_cycles=0.5)
    assert lrs == lambda_traj([0.1, 0.01], lam, 10)[1:]


def test_exported():
    for name in ("WarmupCosineLR", "WarmupStableDecayLR", "InverseSqrtLR", "HFScheduleLR",
                 "get_scheduler"):
        assert name in lrcore.__all__ and getattr(lrcore, name) is getattr(S, name)


def test_in_composites():
    opt = Opt(LRS)
    warm = S.WarmupCosineLR(opt, 10, warmup_steps=3)
    tail = lrcore.ExponentialLR(opt, 0.9)
    seq = lrcore.SequentialLR(opt, [warm, tail], milestones=[6])
    sim = seq.simulate(12)
    assert [list(r) for r in sim] == trajectory(seq, 12)
    opt = Opt(LRS)
    chained = lrcore.ChainedScheduler([S.InverseSqrtLR(opt, 4), lrcore.ConstantLR(opt, 0.5, 3)])
    sim = chained.simulate(10)
    assert [list(r) for r in sim] == trajectory(chained, 10)


def test_polynomial_divides_by_zero_like_transformers():
    # num_training_steps == num_warmup_steps: transformers' lambda divides 0 by 0 at that step
    s = lrcore.get_scheduler("polynomial", Opt([0.1]), 3, 3)
    trajectory(s, 2)
    before = s.state_dict()
    with pytest.raises(ZeroDivisionError):
        s.step()
    with pytest.raises(ZeroDivisionError):
        _poly(3, num_warmup_steps=3, num_training_steps=3, lr_end=1e-7, power=1.0, lr_init=0.1)
    assert s.state_dict() == before


# --------------------------------------------------------------- transformers itself (5.24)
#
# HFScheduleLR is the LambdaLR transformers' get_scheduler builds, GreedyLR transformers'
# GreedyLR: on twin torch optimizers, every lr equals transformers' after every step, the
# states are equal, and each loads the other's state mid-run and continues identically.

HF_CASES = {
    "linear": {},
    "cosine": {"num_cycles": 0.7},
    "cosine_with_restarts": {"num_cycles": 3},
    "polynomial": {"lr_end": 1e-4, "power": 2.0},
    "constant": {},
    "constant_with_warmup": {},
    "inverse_sqrt": {"timescale": 7},
    "cosine_with_min_lr": {"min_lr_rate": 0.1},
    "cosine_warmup_with_min_lr": {"min_lr": 1e-3, "warmup_lr_rate": 0.05},
    "warmup_stable_decay": {"num_decay_steps": 6, "warmup_type": "cosine",
                            "decay_type": "1-sqrt", "min_lr_ratio": 0.1},
}
HF_LRS = (0.1, 0.03, 0.7)


def _torch_sgd(torch, lrs=HF_LRS):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(params, lr=lrs[0], momentum=0.9)


def _hf_pair(name, torch, transformers):
    """(lrcore's, transformers') scheduler from get_scheduler, each on its own optimizer."""
    ours_opt, theirs_opt = _torch_sgd(torch), _torch_sgd(torch)
    args = dict(num_warmup_steps=4, num_training_steps=20,
                scheduler_specific_kwargs=dict(HF_CASES[name]))
    return (lrcore.get_scheduler(name, ours_opt, **args),
            transformers.get_scheduler(name, theirs_opt, **args))


def _step_both(a, b, steps, metrics=None):
    """Step both (after their optimizers), asserting equal lrs in the groups after each."""
    for k in range(steps):
        for s in (a, b):
            s.optimizer.step()
            if metrics is None:
                s.step()
            else:
                s.step(metrics[k])
        assert [g["lr"] for g in a.optimizer.param_groups] == [
            g["lr"] for g in b.optimizer.param_groups]
        assert a.get_last_lr() == b.get_last_lr()


@pytest.mark.parametrize("name", HF_CASES)
def test_get_scheduler_equals_transformers_bit_for_bit(name):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    ours, theirs = _hf_pair(name, torch, transformers)
    assert type(ours) is S.HFScheduleLR and ours.schedule == name
    assert ours.state_dict() == theirs.state_dict()
    _step_both(ours, theirs, 25)
    assert ours.state_dict() == theirs.state_dict()


@pytest.mark.parametrize("direction", ["transformers_into_lrcore", "lrcore_into_transformers"])
@pytest.mark.parametrize("name", HF_CASES)
def test_hf_state_loads_across_and_continues_bit_for_bit(name, direction):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    ours, theirs = _hf_pair(name, torch, transformers)
    _step_both(ours, theirs, 7)
    source = theirs if direction == "transformers_into_lrcore" else ours
    # resume `source` in the other library: a fresh optimizer and scheduler, then both states
    fresh_ours, fresh_theirs = _hf_pair(name, torch, transformers)
    fresh = fresh_ours if direction == "transformers_into_lrcore" else fresh_theirs
    fresh.optimizer.load_state_dict(source.optimizer.state_dict())
    fresh.load_state_dict(source.state_dict())
    assert fresh.state_dict() == source.state_dict()
    _step_both(fresh, source, 18)
    assert fresh.state_dict() == source.state_dict()


GREEDY_KW = [dict(patience=1, factor=0.5, min_lr=1e-3, max_lr=0.5),
             dict(patience=0, cooldown=1, warmup=2, threshold_mode="rel", threshold=0.01,
                  min_lr=[1e-3, 1e-4, 1e-2], max_lr=[0.5, 0.2, 1.0], reset_start=3),
             dict(mode="max", patience=2, smooth=True, window_size=3)]


def _greedy_metrics(n):
    # falls, stalls, rises: each branch (better, worse, reduce, increase, reset) is reached
    return [1.0 / (k + 1) if k % 9 < 4 else 1.0 + (k % 9) * 0.1 for k in range(n)]


@pytest.mark.parametrize("kw", GREEDY_KW)
def test_greedy_equals_transformers_bit_for_bit(kw):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    ours = lrcore.get_scheduler("greedy", _torch_sgd(torch), scheduler_specific_kwargs=kw)
    theirs = transformers.get_scheduler("greedy", _torch_sgd(torch), scheduler_specific_kwargs=kw)
    assert type(ours) is lrcore.GreedyLR
    metrics = _greedy_metrics(60)
    _step_both(ours, theirs, 30, metrics)
    assert ours.state_dict() == theirs.state_dict()
    # each loads the other's state mid-run and continues as the other does
    for source in (theirs, ours):
        fresh_cls = type(ours) if source is theirs else type(theirs)
        fresh = fresh_cls(_torch_sgd(torch), **kw)
        fresh.optimizer.load_state_dict(source.optimizer.state_dict())
        fresh.load_state_dict(source.state_dict())
        assert fresh.state_dict() == source.state_dict()
        twin = type(source)(_torch_sgd(torch), **kw)
        twin.optimizer.load_state_dict(source.optimizer.state_dict())
        twin.load_state_dict(source.state_dict())
        _step_both(fresh, twin, 30, metrics[30:])
