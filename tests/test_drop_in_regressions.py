"""Minimal cases where a compiled step once differed from torch's: a composite's children's
_last_lr, lr_lambda results that are not plain numbers, use_beta1 on groups without betas, an
int attribute a step leaves alone, min_lrs refilled for a new group, and a per-group eta_min
with a shared T_max (which crashed; run in a subprocess so a crash cannot end the session).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from _dropin import LR, TLR, UNDER_TORCH, make_opt, new_group, strict_diff



def both(fn):
    """``fn(M)`` with torch's module and with the tested one: (torch's result, tested result),
    an exception counting as a result."""
    out = []
    for M in (TLR, LR):
        try:
            out.append(fn(M))
        except Exception as e:  # noqa: BLE001 -- compared
            out.append(type(e))
    return out


def same(fn):
    a, b = both(fn)
    d = strict_diff(a, b, "result")
    assert d is None, d


def test_sequential_child_last_lr():
    def run(M):
        opt = make_opt()
        s = M.SequentialLR(opt, [M.LinearLR(opt, 0.25, total_iters=3), M.ExponentialLR(opt, 0.9)],
                           [3])
        opt.step()
        s.step()
        return s._schedulers[1].get_last_lr()  # torch: [0.025, 0.0125], set at its construction
    same(run)


def test_chained_child_last_lr():
    def run(M):
        opt = make_opt()
        s = M.ChainedScheduler([M.ConstantLR(opt, 0.5, 4), M.ExponentialLR(opt, 0.9)])
        opt.step()
        s.step()
        return s._schedulers[0].get_last_lr()  # torch: [0.05, 0.025], before ExponentialLR
    same(run)


@pytest.mark.parametrize("factor", [True, np.float64(0.5), 10 ** 30],
                         ids=["bool", "numpy", "big-int"])
def test_multiplicative_lambda_returning_other_types(factor):
    def run(M):
        opt = make_opt()
        s = M.MultiplicativeLR(opt, lambda epoch: factor)
        opt.step()
        s.step()
        return [g["lr"] for g in opt.param_groups]  # torch: [0.1 * factor, 0.05 * factor]
    same(run)


@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR"])
def test_use_beta1_without_betas(name):
    def run(M):
        opt = make_opt("sgd")
        s = (M.CyclicLR(opt, 0.01, 0.1, 3) if name == "CyclicLR"
             else M.OneCycleLR(opt, 0.1, total_steps=10))
        s.use_beta1 = True
        opt.step()
        s.step()  # torch: KeyError('betas')
        return [sorted(g) for g in opt.param_groups]
    same(run)


def test_plateau_int_best_stays_int():
    def run(M):
        opt = make_opt()
        s = M.ReduceLROnPlateau(opt)
        s.best = 1
        s.step(2.0)  # not better: best is left as it is
        return s.best
    same(run)


def test_plateau_min_lrs_extended_with_default():
    def run(M):
        opt = make_opt()
        s = M.ReduceLROnPlateau(opt, patience=0)
        opt.add_param_group(new_group())
        for _ in range(3):
            s.step(1.0)
        return s.min_lrs  # torch: [0, 0, 0]
    same(run)


_SEGV = """
import importlib
class Opt:
    def __init__(self):
        self.param_groups = [{{"lr": 0.1}}, {{"lr": 0.05}}]
opt = Opt()
s = importlib.import_module({module!r}).CosineAnnealingLR(opt, T_max=7, eta_min=[0.0, 0.0])
for _ in range(3):
    s.step()
print([g["lr"] for g in opt.param_groups])
"""


def test_cosine_eta_min_per_group_does_not_crash():
    """In a subprocess (a crash would end the test session), with a duck-typed optimizer: the
    module under test alone, torch not imported."""
    if UNDER_TORCH:
        pytest.skip("a per-group eta_min is lrcore's extension")
    code = textwrap.dedent(_SEGV.format(module=LR.__name__))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ), timeout=120)
    assert run.returncode == 0, f"exit status {run.returncode}: {run.stderr[-500:]}"
    # the lrs torch gives each group with its own (here equal) scalar eta_min
    opt = make_opt()
    s = TLR.CosineAnnealingLR(opt, T_max=7, eta_min=0.0)
    for _ in range(3):
        opt.step()
        s.step()
    assert run.stdout.strip() == repr([g["lr"] for g in opt.param_groups])


# Ints torch keeps: a group's int lr passed through or multiplied by an int stays an int, an int
# base_lr times an int lambda result is an int, a plateau's int min_lr is written as that int,
# and a computed float replaces an int lr or momentum.
INT_CASES = {
    "StepLR gamma=2": lambda M, o: M.StepLR(o, 1, gamma=2),
    "StepLR gamma=1": lambda M, o: M.StepLR(o, 2, gamma=1),
    "ExponentialLR gamma=1": lambda M, o: M.ExponentialLR(o, gamma=1),
    "MultiStepLR gamma=3": lambda M, o: M.MultiStepLR(o, [1, 2], gamma=3),
    "ConstantLR factor=1": lambda M, o: M.ConstantLR(o, factor=1, total_iters=2),
    "LinearLR 1 to 1": lambda M, o: M.LinearLR(o, start_factor=1, end_factor=1, total_iters=2),
    "PolynomialLR power=1": lambda M, o: M.PolynomialLR(o, total_iters=2, power=1),
    "CyclicLR ints": lambda M, o: M.CyclicLR(o, base_lr=1, max_lr=2, step_size_up=2,
                                             base_momentum=1, max_momentum=1),
    "OneCycleLR ints": lambda M, o: M.OneCycleLR(o, max_lr=1, total_steps=10, base_momentum=1,
                                                 max_momentum=1),
    "CosineAnnealingLR eta_min=0": lambda M, o: M.CosineAnnealingLR(o, T_max=2, eta_min=0),
    "CosineAnnealingWarmRestarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=2, eta_min=0),
    "ReduceLROnPlateau factor<0": lambda M, o: M.ReduceLROnPlateau(o, factor=-0.5, patience=0),
    "ReduceLROnPlateau min_lr=1": lambda M, o: M.ReduceLROnPlateau(o, factor=0.5, patience=0,
                                                                    min_lr=1),
    "LambdaLR int result": lambda M, o: M.LambdaLR(o, lambda e: 2),
    "MultiplicativeLR int result": lambda M, o: M.MultiplicativeLR(o, lambda e: 2),
    "SequentialLR of int steps": lambda M, o: M.SequentialLR(
        o, [M.LambdaLR(o, lambda e: 1), M.StepLR(o, 1, gamma=2)], milestones=[2]),
}


@pytest.mark.parametrize("lr", [1, 3, 1.5])
@pytest.mark.parametrize("name", list(INT_CASES))
def test_ints_as_torch_keeps_them(name, lr):
    def run(M):
        opt = make_opt("sgd", [lr, 0.5])
        for group in opt.param_groups:
            group["momentum"] = 1
        sched = INT_CASES[name](M, opt)
        seen = []
        for _ in range(6):
            opt.step()
            if isinstance(sched, M.ReduceLROnPlateau):
                sched.step(1.0)
            else:
                sched.step()
            seen.append([(g["lr"], g["momentum"]) for g in opt.param_groups])
            seen.append(sched.get_last_lr())
        return seen, sched.state_dict()

    same(run)
