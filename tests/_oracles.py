"""Oracles for what lrcore does beyond torch, where torch has no class to compare with.

* Composites holding a ReduceLROnPlateau (torch's SequentialLR and ChainedScheduler refuse one):
  ``Sequential`` and ``Chained`` below are transcriptions of torch 2.13's composites (their
  constructor and ``step``, operation for operation) plus the documented lrcore rules for a
  child that takes the metric: it gets ``step(metrics)``; at a SequentialLR milestone it
  restarts like every other child, from each group's ``initial_lr``, with a fresh monitor, and
  records the metric of that step. Their children are torch's own schedulers, so every lr is
  computed by torch.
* ``WarmupLR``: ``lrcore.reference.schedules.WarmupLR`` (pure Python) around torch's
  schedulers; tests/test_warmup.py also checks it against the warmup formula written out.

Specs are ``tests/_pairs`` specs, plus ``{"cls": "ReduceLROnPlateau", "kw": ...}`` anywhere and
``{"cls": "WarmupLR", "child": spec, "kw": ...}``; ``build(spec, opt, side)`` builds them for
``side`` "torch" (the oracle) or "lrcore".
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from typing import Any

import torch.optim.lr_scheduler as TLR
import torch.optim.swa_utils as TSWA

import lrcore
from lrcore.reference import schedules as RS
from _pairs import LR, SWA, build as build_pair_spec, diff, make_opt


def takes_metric(s: Any) -> bool:
    return isinstance(s, TLR.ReduceLROnPlateau) or bool(getattr(s, "takes_metric", False))


def step_child(s: Any, metrics: Any) -> None:
    """A composite's child steps with the metric if it takes one; without a metric (a
    composite's initial step, as SequentialLR's first child) such a child gets its initial
    step instead."""
    if not takes_metric(s):
        s.step()
    elif metrics is not None:
        s.step(metrics)
    else:
        _initial(s)


def _sgroups(s: Any) -> list[dict]:
    return s.optimizer.param_groups


class _Composite:
    _last_lr: list

    def step(self, metrics: Any = None) -> None:  # pragma: no cover - each composite's own
        raise NotImplementedError

    def get_last_lr(self) -> list:
        return list(self._last_lr)

    def _initial_step(self) -> None:  # as SequentialLR's first child: torch's step()
        self.step(None)

    def _update_lr(self, epoch: Any = None) -> None:
        raise NotImplementedError  # torch's composites at a milestone: their get_lr raises


class Chained(_Composite):
    """torch's ChainedScheduler, passing the metric to the children that take it."""

    def __init__(self, schedulers: list, optimizer: Any = None) -> None:
        if len(schedulers) > 1 and any(isinstance(c, RS.WarmupLR) for s in schedulers
                                       for c in leaves(s)):
            raise ValueError("lrcore: a WarmupLR cannot share a chain with other schedulers")
        self._schedulers = list(schedulers)
        self.optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        self.takes_metric = any(takes_metric(s) for s in self._schedulers)
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def step(self, metrics: Any = None) -> None:
        for s in self._schedulers:
            step_child(s, metrics)
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]


def _undo(s: Any) -> None:
    """torch's SequentialLR.recursive_undo (a WarmupLR rewinds itself and its scheduler)."""
    if isinstance(s, RS.WarmupLR):
        s.last_epoch -= 1
        _undo(s.scheduler)
    elif hasattr(s, "_schedulers"):
        for c in s._schedulers:
            _undo(c)
    elif hasattr(s, "last_epoch"):
        s.last_epoch -= 1


def _plateau_fresh(s: Any, lrs: list) -> None:
    s._reset()
    s.last_epoch = 0
    s._last_lr = list(lrs)


def _initial(s: Any) -> None:
    """The initial step SequentialLR's constructor gives the child that owns epoch 0."""
    if isinstance(s, TLR.ReduceLROnPlateau):  # none: a fresh start on the lrs as they are
        _plateau_fresh(s, [g["lr"] for g in _sgroups(s)])
    elif isinstance(s, RS.WarmupLR):
        _initial(s.scheduler)
        s._step_count = 1
        s._write(0)
    else:
        s._initial_step()


def _restart(s: Any, metrics: Any) -> None:
    """A child's hand-over at a SequentialLR milestone (torch: _update_lr(0))."""
    if isinstance(s, TLR.ReduceLROnPlateau):
        lrs = [g["initial_lr"] for g in _sgroups(s)]
        for g, lr in zip(_sgroups(s), lrs):
            g["lr"] = lr
        _plateau_fresh(s, lrs)
        if metrics is not None:
            s.step(metrics)
    elif isinstance(s, RS.WarmupLR):
        _restart(s.scheduler, metrics if takes_metric(s.scheduler) else None)
        s._write(0)
    else:
        s._update_lr(0)


class Sequential(_Composite):
    """torch's SequentialLR, with lrcore's rules for a child that takes the metric."""

    def __init__(self, optimizer: Any, schedulers: list, milestones: list, last_epoch: int = -1) -> None:
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.optimizer = optimizer
        self.takes_metric = any(takes_metric(s) for s in self._schedulers)
        self.last_epoch = last_epoch + 1
        for g in optimizer.param_groups:
            g.setdefault("initial_lr", g["lr"])  # lrcore: only ReduceLROnPlateau children lack it
            g["lr"] = g["initial_lr"]
        for s in self._schedulers:
            _undo(s)
        idx = bisect_right(self._milestones, 0)
        _initial(self._schedulers[idx])
        self._last_lr = self._schedulers[idx].get_last_lr()

    def step(self, metrics: Any = None) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        s = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            _restart(s, metrics)
        else:
            step_child(s, metrics)
        self._last_lr = s.get_last_lr()


def build(spec: dict, opt: Any, side: str) -> Any:
    """The scheduler of ``spec`` on ``opt``: the oracle ("torch") or lrcore's ("lrcore")."""
    cls = spec["cls"]
    if cls in ("SequentialLR", "ChainedScheduler"):
        kids = [build(c, opt, side) for c in spec["children"]]
        if side == "lrcore":
            if cls == "SequentialLR":
                return LR.SequentialLR(opt, kids, milestones=list(spec["milestones"]))
            return LR.ChainedScheduler(kids, optimizer=opt if spec.get("pass_opt") else None)
        if cls == "SequentialLR":
            return Sequential(opt, kids, list(spec["milestones"]))
        return Chained(kids, opt if spec.get("pass_opt") else None)
    if cls == "WarmupLR":
        child = build(spec["child"], opt, side)
        impl = lrcore.WarmupLR if side == "lrcore" else RS.WarmupLR
        return impl(child, **spec.get("kw", {}))
    if side == "lrcore":
        return build_pair_spec(spec, opt, LR, SWA)
    return build_pair_spec(spec, opt, TLR, TSWA)


def leaves(s: Any) -> list:
    """``s`` and every scheduler inside it, depth first."""
    out = [s]
    for c in getattr(s, "_schedulers", ()):
        out += leaves(c)
    if isinstance(s, RS.WarmupLR):
        out += leaves(s.scheduler)
    return out


# ----------------------------------------------------------------------------------------
# running the oracle and lrcore side by side

def _call(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except Exception as e:  # noqa: BLE001 -- compared with the other side
            return None, e


def _groups(opt):
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


def compare(st_, sl_, ot, ol, where):
    d = diff(_groups(ot), _groups(ol), "param_groups")
    assert d is None, f"{where}: {d}"
    for i, (a, b) in enumerate(zip(leaves(st_), leaves(sl_))):
        d = diff(a.get_last_lr(), b.get_last_lr(), f"scheduler {i} ({type(b).__name__}) get_last_lr()")
        assert d is None, f"{where}: {d}"
        attrs = ["last_epoch"]
        if isinstance(a, TLR.ReduceLROnPlateau):
            attrs += ["best", "num_bad_epochs", "cooldown_counter"]
        for attr in attrs:
            if hasattr(a, attr):
                d = diff(getattr(a, attr), getattr(b, attr), f"scheduler {i} .{attr}")
                assert d is None, f"{where}: {d}"


class Run:
    """The oracle and lrcore, built from one spec on twin optimizers."""

    def __init__(self, ospec, spec):
        self.ot, self.ol = make_opt(ospec), make_opt(ospec)
        self.where = f"opt={ospec!r} spec={spec!r}"
        self.st, et = _call(lambda: build(spec, self.ot, "torch"))
        self.sl, el = _call(lambda: build(spec, self.ol, "lrcore"))
        self.check_same_outcome(et, el, "construct")
        self.ok = et is None
        if self.ok:
            compare(self.st, self.sl, self.ot, self.ol, self.where + " construct")

    def check_same_outcome(self, et, el, what):
        if et is None and el is not None:
            raise AssertionError(f"{self.where} {what}: lrcore raised {el!r}, the oracle did not") from el
        if et is not None and not isinstance(el, type(et)):
            raise AssertionError(f"{self.where} {what}: the oracle raised {et!r}, lrcore {el!r}")

    def step(self, metric, k=0):
        self.ot.step()
        self.ol.step()
        args = () if metric is None else (metric,)
        _, et = _call(lambda: self.st.step(*args))
        _, el = _call(lambda: self.sl.step(*args))
        self.check_same_outcome(et, el, f"step {k}({metric!r})")
        if et is not None:
            self.ok = False
            return
        compare(self.st, self.sl, self.ot, self.ol, f"{self.where} step {k}({metric!r})")
