"""Drop-in: the warnings torch emits in the flows users run, and how filters treat them.

For each flow and each scheduler class, the flow runs once with torch's module and once with
the tested one (the same lines of this file: a warning torch attributes to the user's line must
name the same file and line), under several warning filters. The warnings shown must agree:
same category, same message, the same location (this file and line, or the library's own
code: torch's module for torch, lrcore's code for lrcore, which reports it under torch's module
name), in the same order; and each filter (``module="torch.optim.lr_scheduler"``,
``module="torch"``, this test module, ``"default"``'s once-per-location, ``"error"``) must let
through, silence or raise the same ones.
"""

from __future__ import annotations

import os
import types
import warnings

import pytest
import torch

import lrcore
from _dropin import (CLASSES, COMPOSITES, LEAVES, LR, STATS, SWA, TLR, TSWA, UNDER_TORCH, build,
                     make_opt, metric_at, strict_diff)

HERE = os.path.abspath(__file__)
LIBRARY_DIRS = (os.path.dirname(os.path.abspath(torch.__file__)),
                os.path.dirname(os.path.abspath(lrcore.__file__)))
if LR.__name__.startswith("lrcore.reference") or not LR.__name__.startswith(("torch", "lrcore")):
    LIBRARY_DIRS += (os.path.dirname(os.path.abspath(LR.__file__)),)

SIDES = {"torch": (TLR, TSWA), "tested": (LR, SWA)}


def _step(s, k=0):
    """One scheduler step as a training loop calls it (with the metric if it takes one)."""
    if isinstance(s, (TLR.ReduceLROnPlateau, LR.ReduceLROnPlateau)):
        s.step(metric_at(k))
    else:
        s.step()


# ---- the flows ---------------------------------------------------------------------------------


def flow_scheduler_first(name, M, S):
    """scheduler.step() before any optimizer.step()."""
    opt = make_opt()
    s = build(name, opt, M, S)
    for k in range(3):
        _step(s, k)
    opt.step()
    _step(s, 3)


def flow_optimizer_step_replaced(name, M, S):
    """optimizer.step replaced after the scheduler was built (a closure, a wrapper...)."""
    opt = make_opt()
    s = build(name, opt, M, S)
    original = opt.step

    def my_step(*args, **kwargs):
        return original(*args, **kwargs)

    opt.step = my_step
    for k in range(3):
        opt.step()
        _step(s, k)


def flow_optimizer_step_method(name, M, S):
    """optimizer.step replaced by a bound method of another object."""
    opt = make_opt()
    s = build(name, opt, M, S)
    opt.step = types.MethodType(lambda self, closure=None: None, opt)
    for k in range(2):
        opt.step()
        _step(s, k)


def flow_step_with_epoch(name, M, S):
    """step(epoch), deprecated (ReduceLROnPlateau: step(metrics, epoch))."""
    opt = make_opt()
    s = build(name, opt, M, S)
    for epoch in (1, 2, 5):
        opt.step()
        if isinstance(s, (TLR.ReduceLROnPlateau, LR.ReduceLROnPlateau)):
            s.step(1.0, epoch)
        else:
            s.step(epoch)


def flow_get_lr(name, M, S):
    """get_lr() called by user code (torch: use get_last_lr())."""
    opt = make_opt()
    s = build(name, opt, M, S)
    opt.step()
    _step(s)
    s.get_lr()
    s.get_lr()


def flow_training_loop(name, M, S):
    """The right order: no warning at all."""
    opt = make_opt()
    s = build(name, opt, M, S)
    for k in range(6):
        opt.step()
        _step(s, k)
    s.get_last_lr()


def flow_nested_composites(name, M, S):
    """Composites nested in each other, stepped before the optimizer (their children warn from
    torch's composite code)."""
    opt = make_opt()
    inner = M.ChainedScheduler([M.ExponentialLR(opt, 0.9), M.StepLR(opt, 2, 0.5)])
    if name == "SequentialLR":
        s = M.SequentialLR(opt, [M.LinearLR(opt, 0.5, total_iters=2), inner], [2])
    else:
        s = M.ChainedScheduler([inner, M.ConstantLR(opt, 0.5, 2)])
    for _ in range(4):
        s.step()


FLOWS = {f.__name__[5:]: f for f in (flow_scheduler_first, flow_optimizer_step_replaced,
                                      flow_optimizer_step_method, flow_step_with_epoch,
                                      flow_get_lr, flow_training_loop)}


# ---- observing them ------------------------------------------------------------------------------


def _where(w) -> tuple:
    filename = os.path.abspath(w.filename)
    if filename == HERE:
        return ("this file", w.lineno)
    if filename.startswith(LIBRARY_DIRS):
        return ("library",)
    return ("elsewhere", filename, w.lineno)


FILTERS = {
    "always": [("always", {})],
    "ignore torch.optim.lr_scheduler": [("always", {}),
                                        ("ignore", {"module": "torch.optim.lr_scheduler"})],
    "ignore torch": [("always", {}), ("ignore", {"module": "torch"})],
    "ignore torch.optim.swa_utils": [("always", {}),
                                     ("ignore", {"module": "torch.optim.swa_utils"})],
    "ignore this module": [("always", {}), ("ignore", {"module": __name__})],
    "ignore get_last_lr message": [("always", {}), ("ignore", {"message": "To get the last"})],
    "default": [("default", {})],
    "error torch.optim.lr_scheduler": [("always", {}),
                                       ("error", {"module": "torch.optim.lr_scheduler"})],
}


def observe(flow, name, side, filters):
    M, S = SIDES[side]
    with warnings.catch_warnings(record=True) as rec:
        warnings.resetwarnings()
        for action, kw in filters:
            warnings.filterwarnings(action, **kw) if kw else warnings.simplefilter(action)
        try:
            flow(name, M, S)
            exc = None
        except Exception as e:  # noqa: BLE001 -- compared
            exc = (type(e), str(e))
    return [(w.category, str(w.message), _where(w)) for w in rec], exc


@pytest.mark.parametrize("flow", list(FLOWS))
@pytest.mark.parametrize("name", CLASSES)
def test_warnings_match_torch(flow, name):
    seen_any = False
    for label, filters in FILTERS.items():
        STATS["scenarios"] += 1
        wt, et = observe(FLOWS[flow], name, "torch", filters)
        wl, el = observe(FLOWS[flow], name, "tested", filters)
        # the exception's type (lrcore's messages may say more: a composite's step(x) takes a
        # metric in lrcore, and says it takes none here)
        assert (et and et[0]) == (el and el[0]), f"{label}: exception {et} (torch) vs {el}"
        if et is not None and not (name in COMPOSITES and flow == "step_with_epoch"):
            assert et == el, f"{label}: exception {et} (torch) vs {el}"
        assert wt == wl, (f"{flow} / {name} / {label}:\n torch:  {wt}\n tested: {wl}")
        seen_any = seen_any or bool(wt)
    if flow == "training_loop":
        assert not seen_any


@pytest.mark.parametrize("name", COMPOSITES)
def test_nested_composites_warnings(name):
    for label, filters in FILTERS.items():
        STATS["scenarios"] += 1
        wt, et = observe(flow_nested_composites, name, "torch", filters)
        wl, el = observe(flow_nested_composites, name, "tested", filters)
        assert et == el and wt == wl, f"{label}:\n torch:  {wt}\n tested: {wl}"
    wt, _ = observe(flow_nested_composites, name, "torch", FILTERS["always"])
    assert any(w[2] == ("library",) for w in wt)  # the children's warnings: torch's frames


@pytest.mark.skipif(UNDER_TORCH, reason="lrcore's compiled steps switched off")
@pytest.mark.parametrize("flow", ["scheduler_first", "step_with_epoch", "optimizer_step_replaced"])
def test_python_steps_warn_as_compiled_ones(flow):
    """With the compiled steps off (every step runs lrcore's Python code, as a subclass's does)
    the warnings are the same, attributed the same way."""
    from lrcore import _core
    for name in CLASSES:
        for label in ("always", "ignore torch.optim.lr_scheduler", "ignore this module"):
            STATS["scenarios"] += 1
            wt, et = observe(FLOWS[flow], name, "torch", FILTERS[label])
            _core.set_compiled_steps(False)
            try:
                wl, el = observe(FLOWS[flow], name, "tested", FILTERS[label])
            finally:
                _core.set_compiled_steps(True)
            assert (et and et[0]) == (el and el[0]) and wt == wl, \
                f"{name} / {label}:\n torch:  {wt}\n tested: {wl}"


def test_flows_warn_where_torch_does():
    """The flows exercise the warnings they are about (torch's side): the test above compares
    something for each of them."""
    expect = {
        "scheduler_first": "Detected call of `lr_scheduler.step()`",
        "optimizer_step_replaced": "Seems like `optimizer.step()` has been overridden",
        "optimizer_step_method": "Seems like `optimizer.step()` has been overridden",
        "step_with_epoch": "The epoch parameter",
        "get_lr": "To get the last learning rate",
    }
    for flow, text in expect.items():
        names = [n for n in CLASSES
                 if any(text in w[1] for w in observe(FLOWS[flow], n, "torch",
                                                      FILTERS["always"])[0])]
        assert names, flow


@pytest.mark.parametrize("name", [c for c in LEAVES if c != "CosineAnnealingWarmRestarts"])
def test_warning_as_error_leaves_state(name):
    """The step-order warning turned into an error: torch raises before changing anything, and
    so must the tested side. (The epoch deprecation warning as an error: torch has counted the
    step already when it raises; lrcore's failed call changes nothing, a deliberate
    difference.)"""
    states = {}
    for side, (M, S) in SIDES.items():
        opt = make_opt()
        s = build(name, opt, M, S)  # its initial step: the next one checks the order
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="Detected call"):
                _step(s)
        states[side] = ({k: v for k, v in s.state_dict().items()},
                        [dict((k, v) for k, v in g.items() if k != "params")
                         for g in opt.param_groups])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            with pytest.raises(UserWarning, match="The epoch parameter"):
                s.step(4)
        count = s._step_count
        states[side] += (count,)
    t, l = states["torch"], states["tested"]
    d = strict_diff(t[:2], l[:2], "after the step-order error")
    assert d is None, d
    if UNDER_TORCH:
        assert l[2] == t[2]
    else:
        assert t[2] == l[2] + 1, "deliberate: lrcore's failed step(epoch) is not counted"


def test_module_filter_names():
    """A filter on torch's scheduler module silences lrcore's library warnings too; one on the
    user's module silences those attributed to the user's line, on both sides."""
    for side in SIDES:
        w, _ = observe(flow_get_lr, "StepLR", side, FILTERS["ignore torch.optim.lr_scheduler"])
        assert w == [], side
        w, _ = observe(flow_get_lr, "SWALR", side, FILTERS["ignore torch.optim.lr_scheduler"])
        assert len(w) == 2 and all(x[2][0] == "this file" for x in w), side  # SWALR: the caller
        w, _ = observe(flow_scheduler_first, "StepLR", side, FILTERS["ignore this module"])
        assert w == [], side
