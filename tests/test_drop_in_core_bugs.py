"""Minimal repros of the compiled core's known bugs (_dropin.KNOWN_CORE_BUGS), each a strict
xfail against the module under test: when the core is fixed the test passes, the xfail turns
into a failure, and the bug's entry (and the tolerance the other drop-in tests give it) is to be
removed. Under LRCORE_UNDER_TEST=torch they run as plain tests (torch against itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from _dropin import KNOWN_CORE_BUGS, LR, TLR, UNDER_TORCH, make_opt, new_group, strict_diff


def core_bug(bug: str):
    return pytest.mark.xfail(not UNDER_TORCH, strict=True,
                             reason=f"core bug: {KNOWN_CORE_BUGS[bug]}")


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


@core_bug("composite-child-last-lr")
def test_sequential_child_last_lr():
    def run(M):
        opt = make_opt()
        s = M.SequentialLR(opt, [M.LinearLR(opt, 0.25, total_iters=3), M.ExponentialLR(opt, 0.9)],
                           [3])
        opt.step()
        s.step()
        return s._schedulers[1].get_last_lr()  # torch: [0.025, 0.0125], set at its construction
    same(run)


@core_bug("composite-child-last-lr")
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
@core_bug("multiplicative-lambda-object")
def test_multiplicative_lambda_returning_other_types(factor):
    def run(M):
        opt = make_opt()
        s = M.MultiplicativeLR(opt, lambda epoch: factor)
        opt.step()
        s.step()
        return [g["lr"] for g in opt.param_groups]  # torch: [0.1 * factor, 0.05 * factor]
    same(run)


@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR"])
@core_bug("use-beta1-without-betas")
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


@core_bug("int-attribute-rewritten")
def test_plateau_int_best_stays_int():
    def run(M):
        opt = make_opt()
        s = M.ReduceLROnPlateau(opt)
        s.best = 1
        s.step(2.0)  # not better: best is left as it is
        return s.best
    same(run)


@core_bug("plateau-min-lrs-float")
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


def test_every_known_bug_has_a_repro():
    import inspect
    source = inspect.getsource(sys.modules[__name__])
    for bug in KNOWN_CORE_BUGS:
        assert f'core_bug("{bug}")' in source, bug
