"""Memory and references: stepping leaks nothing, and a scheduler dies with its last reference.

- A million steps (OneCycleLR over an SGD optimizer with a few groups, and a few others) leave
  the process's memory flat: Python's traced memory (tracemalloc) and the resident set size
  (/proc/self/statm) do not grow beyond noise.
- Stepping leaves the reference counts of the optimizer, its param_groups list and each group
  dict as they were (the core holds no new references and drops the ones it takes).
- With the garbage collector disabled, ``del scheduler`` frees the scheduler at once (a weakref to
  it is dead): nothing holds it in a reference cycle through the optimizer, as torch's
  test_lr_scheduler checks in test_no_cyclic_references. For every scheduler class, composites
  and SWALR included, after simulate()/state_dict()/load_state_dict(), and for Python subclasses
  overriding get_lr.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tracemalloc
import warnings
import weakref

import pytest
import torch

from lrcore import lr_scheduler as L
from lrcore._impl import checks
from lrcore.swa_utils import SWALR

GROUPS = 4
MILLION = 1_000_000


def _optimizer(kind: str = "sgd", groups: int = GROUPS):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 * (i + 1)}
              for i in range(groups)]
    if kind == "adam":
        o = torch.optim.Adam(params, lr=0.1)
    else:
        o = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    return o


# torch's first optimizer in a process leaves its constructor's frames in a reference cycle (a
# lazy initialisation): build one of each kind now, so that the checks without gc below see
# only what lrcore holds, whichever test runs first.
for _kind in ("sgd", "adam"):
    _optimizer(_kind)
gc.collect()


def _make(build, o):
    """The scheduler, and one optimizer.step() (no grads: a no-op) so that stepping it does not
    warn that the optimizer was not stepped first."""
    s = build(o)
    o.step()
    return s


# name -> (build(optimizer) -> scheduler, step(scheduler, t))
def _plain(s, t):
    s.step()


def _plateau(s, t):
    s.step(1.0 / (1 + (t % 17)))


def _onecycle(o):
    return L.OneCycleLR(o, [0.5] * GROUPS, total_steps=MILLION + 10)


def _composites(o):
    warmup_then_cosine = L.SequentialLR(
        o, [L.LinearLR(o, 0.1, 1.0, 50), L.CosineAnnealingLR(o, 1000, 1e-4)], [50])
    return L.ChainedScheduler([warmup_then_cosine, L.ExponentialLR(o, 0.999999)])


SCHEDULERS = {
    "StepLR": (lambda o: L.StepLR(o, 7, 0.5), _plain),
    "MultiStepLR": (lambda o: L.MultiStepLR(o, [3, 9, 9, 20], 0.5), _plain),
    "ConstantLR": (lambda o: L.ConstantLR(o, 0.5, 4), _plain),
    "LinearLR": (lambda o: L.LinearLR(o, 0.2, 1.0, 10), _plain),
    "ExponentialLR": (lambda o: L.ExponentialLR(o, 0.99), _plain),
    "PolynomialLR": (lambda o: L.PolynomialLR(o, 20, 2.0), _plain),
    "LambdaLR": (lambda o: L.LambdaLR(o, lambda e: 0.99 ** e), _plain),
    "MultiplicativeLR": (lambda o: L.MultiplicativeLR(o, lambda e: 0.99), _plain),
    "CosineAnnealingLR": (lambda o: L.CosineAnnealingLR(o, 10, 0.001), _plain),
    "CosineAnnealingWarmRestarts": (lambda o: L.CosineAnnealingWarmRestarts(o, 5, 2), _plain),
    "CyclicLR": (lambda o: L.CyclicLR(o, 0.01, 0.1, 5, mode="triangular2"), _plain),
    "OneCycleLR": (lambda o: L.OneCycleLR(o, 0.5, total_steps=2000), _plain),
    "ReduceLROnPlateau": (lambda o: L.ReduceLROnPlateau(o, patience=2), _plateau),
    "SWALR": (lambda o: SWALR(o, 0.05, 5), _plain),
    "SequentialLR": (lambda o: L.SequentialLR(
        o, [L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.9)], [3]), _plain),
    "ChainedScheduler": (lambda o: L.ChainedScheduler(
        [L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.9)]), _plain),
    "Chained(Sequential(Linear, Cosine), Exponential)": (_composites, _plain),
}


class OwnLR(L.LRScheduler):
    """A Python scheduler: the base class with get_lr overridden."""

    def get_lr(self):
        return [g["lr"] * 0.99 for g in self.optimizer.param_groups]


class StepLRWithOwnGetLr(L.StepLR):
    """A built-in subclass whose get_lr override calls the built-in one."""

    def get_lr(self):
        return [lr * 1.0 for lr in super().get_lr()]


class CosineWithOwnClosedForm(L.CosineAnnealingLR):
    def _get_closed_form_lr(self):
        return [base * 0.5 for base in self.base_lrs]


SUBCLASSES = {
    "OwnLR": (OwnLR, _plain),
    "StepLRWithOwnGetLr": (lambda o: StepLRWithOwnGetLr(o, 3, 0.5), _plain),
    "CosineWithOwnClosedForm": (lambda o: CosineWithOwnClosedForm(o, 10), _plain),
}


# --- a million steps: memory stays flat ----------------------------------------------------------

def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


LONG_RUNS = {
    "OneCycleLR": (_onecycle, _plain, "sgd"),
    "CyclicLR exp_range, Adam": (
        lambda o: L.CyclicLR(o, 0.01, 0.1, 100, mode="exp_range", gamma=0.99999), _plain, "adam"),
    "ReduceLROnPlateau": (lambda o: L.ReduceLROnPlateau(o, patience=3, cooldown=2), _plateau,
                          "sgd"),
    "Chained(Sequential(Linear, Cosine), Exponential)": (_composites, _plain, "sgd"),
}


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux)")
@pytest.mark.parametrize("name", list(LONG_RUNS))
def test_a_million_steps_keep_rss_flat(name):
    build, step, kind = LONG_RUNS[name]
    o = _optimizer(kind)
    s = _make(build, o)
    for t in range(1, 10_001):  # warm-up: caches, free lists, the interpreter's own arenas
        step(s, t)
    gc.collect()
    before = _rss_bytes()
    for t in range(10_001, MILLION + 1):
        step(s, t)
    gc.collect()
    grown = _rss_bytes() - before
    # A leak of even 8 bytes a step would be 8 MB; allocator noise is a few pages.
    assert grown < 2 * 2**20, f"{name}: RSS grew by {grown} bytes over {MILLION} steps"
    assert all(isinstance(g["lr"], float) for g in o.param_groups)


@pytest.mark.parametrize("name", list(LONG_RUNS))
def test_steps_keep_traced_memory_flat(name):
    build, step, kind = LONG_RUNS[name]
    o = _optimizer(kind)
    s = _make(build, o)
    for t in range(1, 1001):
        step(s, t)
    gc.collect()
    tracemalloc.start()
    try:
        for t in range(1001, 2001):
            step(s, t)
        first, _ = tracemalloc.get_traced_memory()
        for t in range(2001, 200_001):
            step(s, t)
        gc.collect()
        last, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last - first < 16 * 1024, f"{name}: traced memory {first} -> {last} over 198000 steps"


# --- reference counts ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SCHEDULERS) + list(SUBCLASSES))
def test_stepping_leaves_reference_counts(name):
    build, step = {**SCHEDULERS, **SUBCLASSES}[name]
    kind = "adam" if name.startswith("CyclicLR") else "sgd"
    o = _optimizer(kind)
    s = _make(build, o)
    step(s, 1)  # warm-up
    groups = o.param_groups
    before = (sys.getrefcount(o), sys.getrefcount(groups),
              [sys.getrefcount(g) for g in groups])
    for t in range(2, 1002):
        step(s, t)
        if t % 100 == 0:
            s.get_last_lr()
            s.state_dict()
    after = (sys.getrefcount(o), sys.getrefcount(groups),
             [sys.getrefcount(g) for g in groups])
    assert after == before, name


# --- no reference cycles: del frees at once ------------------------------------------------------

@contextlib.contextmanager
def _gc_disabled():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _use(s, step, how: str) -> None:
    for t in range(1, 6):
        step(s, t)
    if how == "simulate":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if isinstance(s, L.ReduceLROnPlateau):
                    s.simulate(metrics=[1.0, 0.5, 0.25])
                else:
                    s.simulate(5)
            except NotImplementedError:  # Python get_lr/step overrides cannot be simulated
                pass
    elif how == "state_dict":
        # A fresh state for each load: torch's CyclicLR.load_state_dict pops
        # "_scale_fn_custom" from the dict it is given, so a state loads once.
        s.load_state_dict(s.state_dict())
        s.load_state_dict(dict(s.state_dict()))
    elif how == "failed_load":
        # lrcore's classes refuse a state without their keys; a subclass of the base class
        # accepts any dict, as torch's does, and is refused only a state that is no dict.
        before = s.state_dict()
        with pytest.raises((KeyError, TypeError)):
            s.load_state_dict({} if checks.describe(type(s)) is not None else [("last_epoch", 1)])
        assert s.state_dict() == before


def _tree_refs(s) -> list:
    """Weakrefs to a scheduler and, for composites, to every scheduler inside it."""
    return [weakref.ref(s)] + [r for child in getattr(s, "_schedulers", [])
                               for r in _tree_refs(child)]


HOWS = ["stepped", "simulate", "state_dict", "failed_load"]


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("name", list(SCHEDULERS) + list(SUBCLASSES))
def test_del_frees_the_scheduler_without_gc(name, how):
    build, step = {**SCHEDULERS, **SUBCLASSES}[name]
    kind = "adam" if name.startswith("CyclicLR") else "sgd"
    with _gc_disabled():
        o = _optimizer(kind)
        o_ref = weakref.ref(o)
        s = _make(build, o)
        _use(s, step, how)
        refs = _tree_refs(s)
        del s
        assert [r() is None for r in refs] == [True] * len(refs), \
            f"{name} ({how}): alive after del with gc disabled: {[r() for r in refs]}"
        if how == "stepped":  # (get_referrers scans every object: once per class is enough)
            frame = sys._getframe()
            assert [r for r in gc.get_referrers(o) if r is not frame] == [], name
        del o
        assert o_ref() is None, f"{name} ({how}): the optimizer outlived its last reference"


def test_torch_agrees_the_optimizer_has_no_cycles():
    """The same check on torch's own scheduler, so that the optimizer part tests lrcore only."""
    with _gc_disabled():
        o = _optimizer()
        o_ref = weakref.ref(o)
        s = torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0)
        o.step()
        s_ref = weakref.ref(s)
        s.step()
        del s
        assert s_ref() is None
        del o
        assert o_ref() is None
