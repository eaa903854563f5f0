"""Differential tests: ``lrcore.reference`` against ``torch.optim.lr_scheduler`` (torch 2.13).

Every test builds the same schedule twice, once with torch's classes on a torch optimizer
and once with the reference classes on an identical optimizer (a second torch optimizer,
or a duck-typed object holding only ``param_groups`` and maybe ``defaults``), steps both
in lockstep, and after construction and after every step requires *exact* equality
(same type, same bits, same sign of zero) of every param-group entry (lr, initial_lr,
momentum, betas, max_lr, ...), of ``get_last_lr()``, ``last_epoch`` and ``_step_count``.
When torch raises, the reference must raise the same exception type.

torch (and the reference, its transcription) warns if a scheduler is stepped before
``optimizer.step()`` was ever called, but it only checks at a scheduler's first step, so the
harness calls each torch optimizer's ``step()`` once after construction rather than before each
step (that call costs 5x a scheduler step).
"""

from __future__ import annotations

import ast
import copy
import math
import random
import types
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings, strategies as st  # noqa: E402

from lrcore import reference as ref  # noqa: E402

# torch's classes under the reference's names: lrcore.reference re-exports torch's
# lr_scheduler classes (ref.lr_scheduler.__all__) and SWALR, besides lrcore's own schedules,
# which torch lacks (tests/test_schedules.py checks those).
T = types.SimpleNamespace(
    **{name: getattr(torch.optim.lr_scheduler, name) for name in ref.lr_scheduler.__all__},
    SWALR=torch.optim.swa_utils.SWALR,
)

SETTINGS = settings(max_examples=40, deadline=None)
PER_CLASS_SETTINGS = settings(max_examples=12, deadline=None)  # tests parametrized by class
STATS = {"runs": 0, "states": 0, "raised": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_stats():
    yield
    print(f"\nreference vs torch: {STATS['runs']} runs ({STATS['raised']} ended in the same exception), "
          f"{STATS['states']} states compared")


# --------------------------------------------------------------------------- harness


def torch_optimizer(kind, lrs):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=0.01, momentum=0.9)
    return torch.optim.Adam(groups, lr=0.01, betas=(0.9, 0.999))


class DuckOptimizer:
    """Not a torch optimizer: a copy of another optimizer's groups (and maybe defaults)."""

    def __init__(self, like, with_defaults):
        self.param_groups = [{k: v for k, v in g.items() if k != "params"} for g in like.param_groups]
        if with_defaults:
            self.defaults = dict(like.defaults)


class Twin:
    def __init__(self, lrs, kind="sgd", ref_opt="torch"):
        self.topt = torch_optimizer(kind, lrs)
        if ref_opt == "torch":
            self.ropt = torch_optimizer(kind, lrs)
        else:
            self.ropt = DuckOptimizer(self.topt, with_defaults=ref_opt == "duck")

    def __repr__(self):
        lrs = [g["lr"] for g in self.topt.param_groups]
        return f"Twin({lrs}, {type(self.topt).__name__}, {type(self.ropt).__name__})"


class Raised(Exception):
    """Torch and the reference raised the same exception type."""


def both(f_torch, f_ref):
    try:
        a = f_torch()
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            f_ref()
        STATS["raised"] += 1
        raise Raised(type(e).__name__) from e
    return a, f_ref()


def same(a, b):
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(map(same, a, b))
    return a == b


# scheduler attributes compared (when present) besides get_last_lr()
STATE_ATTRS = ("last_epoch", "_step_count", "base_lrs", "T_cur", "T_i", "best", "num_bad_epochs",
               "cooldown_counter", "min_lrs")


def check(topt, ropt, pairs, where):
    for i, (tg, rg) in enumerate(zip(topt.param_groups, ropt.param_groups, strict=True)):
        keys = tg.keys() - {"params"}
        assert keys == rg.keys() - {"params"}, where
        for k in keys:
            assert same(tg[k], rg[k]), f"{where}: group {i} {k!r}: torch {tg[k]!r} != reference {rg[k]!r}"
    for ts, rs in pairs:
        for attr in STATE_ATTRS:
            tv, rv = getattr(ts, attr, None), getattr(rs, attr, None)
            assert same(tv, rv), f"{where}: {type(ts).__name__}.{attr}: torch {tv!r} != reference {rv!r}"
        assert same(ts.get_last_lr(), rs.get_last_lr()), f"{where}: get_last_lr"


def step_all(scheds, i):
    for s in scheds:
        s.step()


def run(twin, make, steps, step=step_all):
    """Build ``make(L, optimizer)`` (a scheduler, or a list sharing the optimizer) with
    L = torch and L = reference, then call ``step(schedulers, i)`` ``steps`` times,
    comparing everything after construction and after each step; ``step``'s return
    values must be equal too.  Returns the number of steps taken."""
    STATS["runs"] += 1
    try:
        ts, rs = both(lambda: make(T, twin.topt), lambda: make(ref, twin.ropt))
    except Raised:
        return 0
    ts = ts if isinstance(ts, list) else [ts]
    rs = rs if isinstance(rs, list) else [rs]
    pairs = list(zip(ts, rs, strict=True))
    check(twin.topt, twin.ropt, pairs, "construction")
    STATS["states"] += 1
    for opt in (twin.topt, twin.ropt):  # see module docstring (a duck optimizer has no step)
        if hasattr(opt, "step"):
            opt.step()
    for i in range(steps):
        try:
            tout, rout = both(lambda: step(ts, i), lambda: step(rs, i))
        except Raised:
            return i
        assert tout == rout, f"step {i}: torch returned {tout!r}, reference {rout!r}"
        check(twin.topt, twin.ropt, pairs, f"step {i}")
        STATS["states"] += 1
    return steps


def recording_warnings(fn):
    """Run fn(); return the warnings it emitted as (category name, message) pairs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message)) for w in caught]


# --------------------------------------------------------------------------- strategies

lr_values = st.one_of(st.floats(1e-6, 10.0), st.sampled_from([1, 0.1, 0.0]))


@st.composite
def twins(draw, kind=None, max_groups=4):
    lrs = draw(st.lists(lr_values, min_size=1, max_size=max_groups))
    kind = kind or draw(st.sampled_from(["sgd", "adam"]))
    return Twin(lrs, kind, draw(st.sampled_from(["torch", "duck", "duck_nodefaults"])))


def per_group(value_strategy, n):
    """A scalar, or a list with one value per group."""
    return st.one_of(value_strategy, st.lists(value_strategy, min_size=n, max_size=n))


def ngroups(twin):
    return len(twin.topt.param_groups)


LR_LAMBDAS = [
    lambda e: 0.95**e,
    lambda e: 1.0 / (e + 1),
    lambda e: max(0.0, 1 - e / 300),
    lambda e: 0.5 * (1 + math.cos(math.pi * e / 100)),
    lambda e: 1,
]
MUL_LAMBDAS = [
    lambda e: 0.99,
    lambda e: 0.5 if e % 7 == 0 else 1.0,
    lambda e: 1 - 1 / (e + 2),
    lambda e: 1.001,
]
SCALE_FNS = [lambda x: 1 / (1 + x), lambda x: 0.5**x, lambda x: 1.0]
gammas = st.floats(0.01, 1.5)
eta_mins = st.one_of(st.sampled_from([0.0, 0, 1e-5]), st.floats(0.0, 0.2))

CHILD_KWARGS = {
    "LambdaLR": {"lr_lambda": st.sampled_from(LR_LAMBDAS)},
    "MultiplicativeLR": {"lr_lambda": st.sampled_from(MUL_LAMBDAS)},
    "StepLR": {"step_size": st.integers(1, 30), "gamma": gammas},
    "MultiStepLR": {"milestones": st.lists(st.integers(0, 100), max_size=5), "gamma": gammas},
    "ConstantLR": {"factor": st.floats(0.05, 1.0), "total_iters": st.integers(0, 50)},
    "LinearLR": {"start_factor": st.floats(0.01, 1.0), "end_factor": st.floats(0.0, 1.0),
                 "total_iters": st.integers(0, 100)},
    "ExponentialLR": {"gamma": st.floats(0.9, 1.0)},
    "PolynomialLR": {"total_iters": st.integers(1, 100), "power": st.floats(0.1, 3.0)},
    "CosineAnnealingLR": {"T_max": st.integers(1, 100), "eta_min": eta_mins},
    "CosineAnnealingWarmRestarts": {"T_0": st.integers(1, 30), "T_mult": st.integers(1, 3), "eta_min": eta_mins},
    "CyclicLR": {"base_lr": st.floats(1e-4, 1e-2), "max_lr": st.floats(1e-2, 1.0),
                 "step_size_up": st.integers(1, 40), "gamma": st.floats(0.95, 1.0),
                 "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
                 "base_momentum": st.floats(0.5, 0.85), "max_momentum": st.floats(0.85, 0.99)},
    "OneCycleLR": {"max_lr": st.floats(1e-3, 1.0), "total_steps": st.integers(1, 400),
                   "pct_start": st.floats(0.05, 0.95), "three_phase": st.booleans(),
                   "anneal_strategy": st.sampled_from(["cos", "linear"]),
                   "base_momentum": st.floats(0.5, 0.85), "max_momentum": st.floats(0.85, 0.99)},
    "SWALR": {"swa_lr": st.floats(1e-4, 0.1), "anneal_epochs": st.integers(0, 30),
              "anneal_strategy": st.sampled_from(["cos", "linear"])},
}


@st.composite
def child_configs(draw, names=tuple(CHILD_KWARGS)):
    name = draw(st.sampled_from(names))
    return name, draw(st.fixed_dictionaries(CHILD_KWARGS[name]))


def maker(config, **extra):
    name, kwargs = config
    return lambda L, opt: getattr(L, name)(opt, **kwargs, **extra)


steps_st = st.integers(0, 600)


# --------------------------------------------------------------------------- one scheduler each


@SETTINGS
@given(data=st.data())
def test_lambda_lr(data):
    twin = data.draw(twins())
    lr_lambda = data.draw(per_group(st.sampled_from(LR_LAMBDAS), ngroups(twin)))
    run(twin, lambda L, opt: L.LambdaLR(opt, lr_lambda), data.draw(steps_st))


@SETTINGS
@given(data=st.data())
def test_multiplicative_lr(data):
    twin = data.draw(twins())
    lr_lambda = data.draw(per_group(st.sampled_from(MUL_LAMBDAS), ngroups(twin)))
    run(twin, lambda L, opt: L.MultiplicativeLR(opt, lr_lambda), data.draw(steps_st))


@SETTINGS
@given(twin=twins(), step_size=st.integers(1, 60), gamma=gammas, steps=steps_st)
def test_step_lr(twin, step_size, gamma, steps):
    run(twin, lambda L, opt: L.StepLR(opt, step_size, gamma), steps)


@SETTINGS
@given(twin=twins(), milestones=st.lists(st.integers(0, 300), max_size=8), gamma=gammas, steps=steps_st)
def test_multistep_lr(twin, milestones, gamma, steps):
    run(twin, lambda L, opt: L.MultiStepLR(opt, milestones, gamma), steps)


@SETTINGS
@given(twin=twins(), factor=st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0, 1 / 3])),
       total_iters=st.integers(0, 100), steps=steps_st)
def test_constant_lr(twin, factor, total_iters, steps):
    run(twin, lambda L, opt: L.ConstantLR(opt, factor, total_iters), steps)


@SETTINGS
@given(twin=twins(), start=st.floats(1e-3, 1.0), end=st.floats(0.0, 1.0), total_iters=st.integers(0, 300),
       steps=steps_st)
def test_linear_lr(twin, start, end, total_iters, steps):
    run(twin, lambda L, opt: L.LinearLR(opt, start, end, total_iters), steps)


@SETTINGS
@given(twin=twins(), gamma=st.floats(0.5, 1.05), steps=steps_st)
def test_exponential_lr(twin, gamma, steps):
    run(twin, lambda L, opt: L.ExponentialLR(opt, gamma), steps)


@SETTINGS
@given(twin=twins(), total_iters=st.integers(0, 400),
       power=st.one_of(st.floats(0.0, 5.0), st.sampled_from([1, 2, 0.5])), steps=steps_st)
def test_polynomial_lr(twin, total_iters, power, steps):
    run(twin, lambda L, opt: L.PolynomialLR(opt, total_iters, power), steps)


@SETTINGS
@given(twin=twins(), T_max=st.integers(1, 200), eta_min=eta_mins, steps=st.integers(0, 1500))
def test_cosine_annealing_lr(twin, T_max, eta_min, steps):
    run(twin, lambda L, opt: L.CosineAnnealingLR(opt, T_max, eta_min), steps)


@SETTINGS
@given(twin=twins(), T_0=st.integers(1, 40), T_mult=st.integers(1, 3), eta_min=eta_mins,
       steps=st.integers(0, 1500))
def test_cosine_annealing_warm_restarts(twin, T_0, T_mult, eta_min, steps):
    run(twin, lambda L, opt: L.CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min), steps)


@SETTINGS
@given(data=st.data())
def test_cyclic_lr(data):
    twin = data.draw(twins())
    n = ngroups(twin)
    kwargs = data.draw(st.fixed_dictionaries({
        "base_lr": per_group(st.floats(1e-5, 1e-2), n),
        "max_lr": per_group(st.floats(1e-3, 2.0), n),
        "step_size_up": st.integers(1, 120),
        "step_size_down": st.one_of(st.none(), st.integers(1, 120)),
        "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
        "gamma": st.one_of(st.floats(0.9, 1.0), st.sampled_from([1.0, 0.99994])),
        "cycle_momentum": st.booleans(),
        "base_momentum": per_group(st.floats(0.5, 0.85), n),
        "max_momentum": per_group(st.floats(0.85, 0.99), n),
    }))
    if data.draw(st.integers(0, 4)) == 0:  # a custom scale_fn (mode is then ignored)
        kwargs["scale_fn"] = data.draw(st.sampled_from(SCALE_FNS))
        kwargs["scale_mode"] = data.draw(st.sampled_from(["cycle", "iterations"]))
    run(twin, lambda L, opt: L.CyclicLR(opt, **kwargs), data.draw(st.integers(0, 1500)))


@SETTINGS
@given(data=st.data())
def test_one_cycle_lr(data):
    twin = data.draw(twins())
    n = ngroups(twin)
    kwargs = data.draw(st.fixed_dictionaries({
        "max_lr": per_group(st.one_of(st.floats(1e-4, 2.0), st.just(1)), n),
        "pct_start": st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.3, 0.25, 0.5])),
        "anneal_strategy": st.sampled_from(["cos", "linear"]),
        "cycle_momentum": st.booleans(),
        "base_momentum": per_group(st.floats(0.5, 0.9), n),
        "max_momentum": per_group(st.floats(0.9, 0.99), n),
        "div_factor": st.one_of(st.floats(1.0, 100.0), st.just(25.0)),
        "final_div_factor": st.one_of(st.floats(1.0, 1e5), st.just(1e4)),
        "three_phase": st.booleans(),
    }))
    if data.draw(st.booleans()):
        total = kwargs["total_steps"] = data.draw(st.integers(1, 800))
    else:
        kwargs["epochs"] = data.draw(st.integers(1, 20))
        kwargs["steps_per_epoch"] = data.draw(st.integers(1, 40))
        total = kwargs["epochs"] * kwargs["steps_per_epoch"]
    # step to last_epoch == total_steps (allowed) and once more (ValueError in both)
    run(twin, lambda L, opt: L.OneCycleLR(opt, **kwargs), total + 1)


@SETTINGS
@given(data=st.data())
def test_swalr(data):
    twin = data.draw(twins())
    swa_lr = data.draw(per_group(st.one_of(st.floats(1e-5, 1.0), st.just(0.05)), ngroups(twin)))
    anneal_epochs = data.draw(st.integers(0, 60))
    strategy = data.draw(st.sampled_from(["cos", "linear"]))
    run(twin, lambda L, opt: L.SWALR(opt, swa_lr, anneal_epochs, strategy), data.draw(steps_st))


@SETTINGS
@given(twin=twins(), first=child_configs(), swa=child_configs(("SWALR",)), switch=st.integers(0, 100),
       steps=st.integers(0, 300))
def test_swalr_after_other_scheduler(twin, first, swa, switch, steps):
    """The SWA recipe: one scheduler until ``switch``, SWALR afterwards, same optimizer."""

    def step(scheds, i):
        scheds[0 if i < switch else 1].step()

    run(twin, lambda L, opt: [maker(first)(L, opt), maker(swa)(L, opt)], steps, step)


def metric_stream(seed, n):
    """A noisy random walk with exact repeats and values straddling the thresholds."""
    rng = random.Random(seed)
    x, out = rng.uniform(-5.0, 10.0), []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            pass  # plateau: the exact same value again
        elif r < 0.85:
            x += rng.gauss(0.0, 0.2) - 0.01
        elif r < 0.95:
            x = rng.choice([x * (1 - 1e-4), x * (1 + 1e-4), x - 1e-4, x + 1e-4, round(x, 1)])
        else:
            x = rng.choice([0.0, -0.0, float(int(x))])
        out.append(x if rng.random() < 0.95 else int(x))
    return out


@SETTINGS
@given(data=st.data())
def test_reduce_lr_on_plateau(data):
    twin = data.draw(twins())
    n = ngroups(twin)
    kwargs = data.draw(st.fixed_dictionaries({
        "mode": st.sampled_from(["min", "max"]),
        "factor": st.one_of(st.floats(0.0, 0.99), st.sampled_from([0.1, 0.5])),
        "patience": st.integers(0, 12),
        "threshold": st.one_of(st.floats(0.0, 0.2), st.sampled_from([1e-4, 0.0])),
        "threshold_mode": st.sampled_from(["rel", "abs"]),
        "cooldown": st.integers(0, 10),
        "min_lr": per_group(st.one_of(st.floats(0.0, 1e-2), st.sampled_from([0, 1e-6])), n),
        "eps": st.sampled_from([1e-8, 0.0, 1e-3]),
    }))
    steps = data.draw(st.integers(0, 1000))
    metrics = metric_stream(data.draw(st.integers(0, 2**32)), steps)
    epoch_every = data.draw(st.sampled_from([0, 0, 0, 7]))  # now and then step(metric, epoch)

    def step(scheds, i):
        if epoch_every and i % epoch_every == 3:
            return recording_warnings(lambda: scheds[0].step(metrics[i], epoch=2 * i))
        scheds[0].step(metrics[i])

    run(twin, lambda L, opt: L.ReduceLROnPlateau(opt, **kwargs), steps, step)


# --------------------------------------------------------------------------- combinations


@SETTINGS
@given(data=st.data())
def test_sequential_lr(data):
    twin = data.draw(twins())
    configs = data.draw(st.lists(child_configs(), min_size=1, max_size=3))
    milestones = sorted(data.draw(st.lists(st.integers(0, 150), min_size=len(configs) - 1,
                                           max_size=len(configs) - 1)))

    def make(L, opt):
        return L.SequentialLR(opt, [maker(c)(L, opt) for c in configs], milestones)

    run(twin, make, data.draw(steps_st))


@SETTINGS
@given(twin=twins(), configs=st.lists(child_configs(), min_size=1, max_size=3), steps=steps_st)
def test_chained_scheduler(twin, configs, steps):
    run(twin, lambda L, opt: L.ChainedScheduler([maker(c)(L, opt) for c in configs]), steps)


@SETTINGS
@given(twin=twins(), configs=st.lists(child_configs(), min_size=2, max_size=2), steps=steps_st)
def test_two_schedulers_one_optimizer(twin, configs, steps):
    run(twin, lambda L, opt: [maker(c)(L, opt) for c in configs], steps)


@SETTINGS
@given(twin=twins(), configs=st.lists(child_configs(), min_size=3, max_size=3),
       milestone=st.integers(0, 100), chained_first=st.booleans(), steps=steps_st)
def test_nested_combinators(twin, configs, milestone, chained_first, steps):
    def make(L, opt):
        a, b, c = (maker(cfg)(L, opt) for cfg in configs)
        if hasattr(opt, "step"):  # a torch optimizer, either side (a duck one has no step)
            opt.step()  # SequentialLR steps the ChainedScheduler's children at construction
        if chained_first:
            return L.SequentialLR(opt, [L.ChainedScheduler([a, b]), c], [milestone])
        return L.ChainedScheduler([L.SequentialLR(opt, [a, b], [milestone]), c])

    run(twin, make, steps)


# --------------------------------------------------------------------------- step(epoch), resuming


@pytest.mark.parametrize("name", sorted(CHILD_KWARGS))
@PER_CLASS_SETTINGS
@given(twin=twins(), data=st.data())
def test_step_epoch(name, twin, data):
    """Mixed step() / step(epoch): closed forms where torch has them, get_lr() elsewhere;
    the same warnings (EPOCH_DEPRECATION_WARNING, none for CosineAnnealingWarmRestarts)."""
    config = data.draw(child_configs((name,)))
    epoch = st.one_of(st.integers(0, 300), st.floats(0.0, 300.0))
    actions = data.draw(st.lists(st.one_of(st.none(), epoch), max_size=300))

    def step(scheds, i):
        e = actions[i]
        return recording_warnings(lambda: scheds[0].step() if e is None else scheds[0].step(e))

    run(twin, maker(config), len(actions), step)


@pytest.mark.parametrize("name", sorted(CHILD_KWARGS))
@PER_CLASS_SETTINGS
@given(twin=twins(), configs=st.data(), last_epoch=st.integers(0, 60), steps=st.integers(0, 200))
def test_resume_with_last_epoch(name, twin, configs, last_epoch, steps):
    """A second scheduler (own arguments) built with last_epoch >= 0 on groups that hold
    initial_lr etc. from a first one of the same class."""
    first, second = (configs.draw(child_configs((name,))) for _ in range(2))

    def make(L, opt):
        maker(first)(L, opt)
        return maker(second, last_epoch=last_epoch)(L, opt)

    run(twin, make, steps)


@SETTINGS
@given(twin=twins(), T_max=st.integers(1, 50), eta_min=eta_mins, last_epoch=st.integers(0, 120),
       steps=st.integers(0, 200))
def test_cosine_first_step_closed_form_branch(twin, T_max, eta_min, last_epoch, steps):
    """CosineAnnealingLR's ``_step_count == 1 and last_epoch > 0`` branch, reached through
    ``_update_lr()`` right after resuming (as a SequentialLR-style caller would)."""

    def make(L, opt):
        L.CosineAnnealingLR(opt, T_max, eta_min)
        s = L.CosineAnnealingLR(opt, T_max, eta_min, last_epoch=last_epoch)
        s._update_lr()
        return s

    run(twin, make, steps)


STATEFUL = ("StepLR", "MultiStepLR", "LinearLR", "PolynomialLR", "CosineAnnealingLR",
            "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "SWALR", "LambdaLR")


@SETTINGS
@given(twin=twins(max_groups=3), config=child_configs(STATEFUL), k=st.integers(0, 100), steps=st.integers(0, 200),
       from_torch=st.booleans())
def test_load_state_dict(twin, config, k, steps, from_torch):
    """Run k steps, then continue on a fresh reference scheduler loaded from a state_dict
    (torch's own, or the reference's) and a fresh optimizer holding the same group values."""
    ts = maker(config)(T, twin.topt)
    rs = maker(config)(ref, twin.ropt)
    for opt in (twin.topt, twin.ropt):
        if hasattr(opt, "step"):
            opt.step()
    try:
        for _ in range(k):
            both(ts.step, rs.step)
    except Raised:
        return
    state = copy.deepcopy((ts if from_torch else rs).state_dict())
    fresh = DuckOptimizer(twin.topt, with_defaults=True)
    resumed = maker(config)(ref, fresh)
    for group, src in zip(fresh.param_groups, twin.topt.param_groups):
        group.update({key: value for key, value in src.items() if key != "params"})
    resumed.load_state_dict(state)
    twin.ropt = fresh
    run(twin, lambda L, opt: ts if L is T else resumed, steps)


# --------------------------------------------------------------------------- long runs


def _seq_warmup_cosine(L, opt):
    return L.SequentialLR(opt, [L.LinearLR(opt, 0.01, 1.0, 500), L.CosineAnnealingLR(opt, 9500, 1e-6)], [500])


def _chained_cyclic(L, opt):
    return L.ChainedScheduler([L.CyclicLR(opt, 1e-4, 0.1, 97, 61, mode="exp_range", gamma=0.9999),
                               L.ExponentialLR(opt, 0.99995)])


LONG_RUNS = {
    "cosine": ("sgd", lambda L, opt: L.CosineAnnealingLR(opt, 100, 1e-5), 20000),
    "cosine_tmax1": ("adam", lambda L, opt: L.CosineAnnealingLR(opt, 1), 10000),
    "cawr_tmult2": ("sgd", lambda L, opt: L.CosineAnnealingWarmRestarts(opt, 10, 2, 1e-6), 20000),
    "cawr_tmult3": ("adam", lambda L, opt: L.CosineAnnealingWarmRestarts(opt, 7, 3), 12000),
    "cyclic_triangular": ("sgd", lambda L, opt: L.CyclicLR(opt, 1e-3, 0.1, 2000), 12000),
    "cyclic_triangular2": ("adam", lambda L, opt: L.CyclicLR(opt, [1e-3, 2e-3, 1e-4], 0.1, 333, 500,
                                                             mode="triangular2"), 12000),
    "cyclic_exp_range": ("sgd", lambda L, opt: L.CyclicLR(opt, 1e-3, [0.1, 0.2, 0.3], 250,
                                                          mode="exp_range", gamma=0.99994), 12000),
    "onecycle_cos": ("sgd", lambda L, opt: L.OneCycleLR(opt, 0.1, total_steps=10000), 10000),
    "onecycle_three_phase_linear": ("adam", lambda L, opt: L.OneCycleLR(
        opt, [0.1, 0.01, 1.0], epochs=100, steps_per_epoch=100, pct_start=0.25,
        anneal_strategy="linear", three_phase=True), 10000),
    "linear": ("sgd", lambda L, opt: L.LinearLR(opt, 0.001, 1.0, 10000), 11000),
    "polynomial": ("sgd", lambda L, opt: L.PolynomialLR(opt, 10000, 2.0), 11000),
    "exponential": ("adam", lambda L, opt: L.ExponentialLR(opt, 0.9995), 10000),
    "multiplicative": ("sgd", lambda L, opt: L.MultiplicativeLR(opt, lambda e: 0.9997), 10000),
    "warmup_cosine": ("sgd", _seq_warmup_cosine, 10000),
    "chained_cyclic_exponential": ("sgd", _chained_cyclic, 10000),
    "swalr": ("sgd", lambda L, opt: L.SWALR(opt, 0.05, 5000, "cos"), 10000),
}


@pytest.mark.parametrize("name", sorted(LONG_RUNS))
def test_long_run(name):
    kind, make, steps = LONG_RUNS[name]
    assert run(Twin([0.1, 0.05, 0.3], kind), make, steps) == steps


def test_long_run_reduce_lr_on_plateau():
    metrics = metric_stream(1234, 15000)
    for mode, threshold_mode in [("min", "rel"), ("max", "abs")]:
        twin = Twin([0.1, 0.05, 0.3], "adam", "duck")

        def make(L, opt):
            return L.ReduceLROnPlateau(opt, mode, 0.7, 20, 1e-3, threshold_mode, 5, [1e-7, 0, 1e-5])

        assert run(twin, make, len(metrics), lambda s, i: s[0].step(metrics[i])) == len(metrics)


def test_cawr_fractional_epochs():
    """The documented per-batch use: step(epoch + i / iters), including T_mult > 1."""
    for T_mult in (1, 2, 3):
        epochs = [e + i / 37 for e in range(60) for i in range(37)]
        run(Twin([0.1, 0.01], "sgd"), lambda L, opt: L.CosineAnnealingWarmRestarts(opt, 3, T_mult, 1e-4),
            len(epochs), lambda s, i: s[0].step(epochs[i]))


# --------------------------------------------------------------------------- validation


def _adagrad_twin():
    twin = Twin([0.1])
    params = [torch.nn.Parameter(torch.zeros(1))]
    twin.topt = torch.optim.Adagrad(params, lr=0.1)
    twin.ropt = DuckOptimizer(torch.optim.Adagrad(params, lr=0.1), with_defaults=True)
    return twin


def _step_n(scheduler, n):
    for _ in range(n):
        scheduler.step()


BAD = {
    "constant_factor": lambda L, o: L.ConstantLR(o, factor=1.5),
    "linear_start": lambda L, o: L.LinearLR(o, start_factor=0.0),
    "linear_end": lambda L, o: L.LinearLR(o, end_factor=1.5),
    "lambda_count": lambda L, o: L.LambdaLR(o, [lambda e: 1.0] * 3),
    "multiplicative_not_callable": lambda L, o: L.MultiplicativeLR(o, 0.5),
    "resume_without_initial_lr": lambda L, o: L.StepLR(o, 3, last_epoch=4),
    "cawr_T0": lambda L, o: L.CosineAnnealingWarmRestarts(o, 0),
    "cawr_T0_float": lambda L, o: L.CosineAnnealingWarmRestarts(o, 2.0),
    "cawr_Tmult": lambda L, o: L.CosineAnnealingWarmRestarts(o, 2, 0),
    "cawr_eta_min": lambda L, o: L.CosineAnnealingWarmRestarts(o, 2, eta_min="0"),
    "cawr_negative_epoch": lambda L, o: L.CosineAnnealingWarmRestarts(o, 2).step(-1),
    "cyclic_mode": lambda L, o: L.CyclicLR(o, 0.01, 0.1, mode="sine"),
    "cyclic_lengths": lambda L, o: L.CyclicLR(o, [0.01] * 3, 0.1),
    "onecycle_no_steps": lambda L, o: L.OneCycleLR(o, 0.1),
    "onecycle_total_steps": lambda L, o: L.OneCycleLR(o, 0.1, total_steps=0),
    "onecycle_epochs": lambda L, o: L.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3),
    "onecycle_pct_int": lambda L, o: L.OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
    "onecycle_anneal": lambda L, o: L.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
    "onecycle_overrun": lambda L, o: _step_n(L.OneCycleLR(o, 0.1, total_steps=2), 3),
    "plateau_factor": lambda L, o: L.ReduceLROnPlateau(o, factor=1.0),
    "plateau_mode": lambda L, o: L.ReduceLROnPlateau(o, mode="median"),
    "plateau_threshold_mode": lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="pct"),
    "plateau_min_lr": lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.0] * 3),
    "swalr_anneal_epochs": lambda L, o: L.SWALR(o, 0.05, anneal_epochs=-1),
    "swalr_strategy": lambda L, o: L.SWALR(o, 0.05, anneal_strategy="exp"),
    "swalr_lengths": lambda L, o: L.SWALR(o, [0.05] * 3),
    "sequential_empty": lambda L, o: L.SequentialLR(o, [], []),
    "sequential_milestones": lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(o, 3)], []),
    "chained_empty": lambda L, o: L.ChainedScheduler([]),
    "chained_foreign_optimizer": lambda L, o: L.ChainedScheduler([L.StepLR(o, 2)], optimizer=object()),
    "constant_factor_zero": lambda L, o: L.ConstantLR(o, 0.0, 1).step(),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_same_errors(name):
    twin = Twin([0.1, 0.2])
    twin.topt._opt_called = True  # what torch's optimizer.step() wrapper records
    twin.ropt._opt_called = True
    with pytest.raises(Raised):
        both(lambda: BAD[name](T, twin.topt), lambda: BAD[name](ref, twin.ropt))


@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
def test_composites_take_a_plateau_where_torch_refuses_one(kind):
    """lrcore's deliberate extension (tests/test_composite_metric.py checks its values): torch's
    composites refuse a ReduceLROnPlateau; the reference's take one and the metric."""
    def make(L, o):
        if kind == "SequentialLR":
            return L.SequentialLR(o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], [3])
        return L.ChainedScheduler([L.ReduceLROnPlateau(o)])

    twin = Twin([0.1, 0.2])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        make(T, twin.topt)
    composite = make(ref, twin.ropt)
    assert composite.takes_metric
    with pytest.raises(TypeError, match="needs the metric"):
        composite.step()


@pytest.mark.parametrize("scheduler", ["CyclicLR", "OneCycleLR"])
def test_cycle_momentum_needs_momentum(scheduler):
    twin = _adagrad_twin()
    kwargs = {"base_lr": 0.01, "max_lr": 0.1} if scheduler == "CyclicLR" else {"max_lr": 0.1, "total_steps": 10}
    with pytest.raises(Raised):
        both(lambda: getattr(T, scheduler)(twin.topt, **kwargs), lambda: getattr(ref, scheduler)(twin.ropt, **kwargs))
    # without cycle_momentum they work on such an optimizer
    run(twin, lambda L, opt: getattr(L, scheduler)(opt, cycle_momentum=False, **kwargs), 10)


def _imports(nodes):
    imported = set()
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Import):
                imported |= {alias.name for alias in child.names}
            elif isinstance(child, ast.ImportFrom):  # relative ones with their leading dots
                imported.add("." * child.level + (child.module or ""))
    return imported


_STDLIB = {"__future__", "math", "sys", "types", "warnings", "bisect", "collections", "functools",
           "typing", "weakref"}


@pytest.mark.parametrize("module", ["__init__", "lr_scheduler", "schedules", "swa_utils"])
def test_reference_needs_no_torch(module):
    path = Path(ref.__file__).with_name(f"{module}.py")
    tree = ast.parse(path.read_text())
    # What only a type checker reads (`if TYPE_CHECKING:`, the annotations' imports) apart.
    typing_only = [node for node in tree.body if isinstance(node, ast.If)
                   and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"]
    runtime = [node for node in tree.body if node not in typing_only]
    # the standard library, the reference's own modules and lrcore's warning helper
    imported = _imports(runtime)
    assert {m for m in imported if not m.startswith(".")} <= _STDLIB, imported
    assert {m for m in imported if m.startswith(".")} <= {
        ".", ".lr_scheduler", ".schedules", ".swa_utils", ".._impl.warn"}, imported
    assert _imports(typing_only) <= {"collections.abc", "typing", "_typing"}, _imports(typing_only)


def test_reference_runs_where_torch_cannot_be_imported():
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import sys
        sys.modules["torch"] = None
        from lrcore import reference as R

        class Opt:
            param_groups = [{"lr": 0.1, "momentum": 0.9}]

        o = Opt()
        s = R.SequentialLR(o, [R.LinearLR(o, 0.5, total_iters=2), R.CosineAnnealingLR(o, 5)], [2])
        w = R.WarmupLR(R.StepLR(o, 2), 3)
        for _ in range(6):
            s.step()
            w.step()
        print(o.param_groups[0]["lr"])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) > 0
