"""Drop-in: changing a scheduler's attributes mid-training, then stepping on.

Users edit schedulers in place (``s.base_lrs[0] = ...``, ``s.milestones[30] += 1``,
``s._schedulers.append(...)``, ``s._schedule_phases[0]["end_step"] = ...``), reassign their
attributes (``s.gamma = 0.5``, ``s.lr_lambdas = [...]``, ``s.total_steps = ...``) and their
optimizer's param groups (``group["lr"] = ...``). torch's step reads those attributes afresh each
time, so the schedule follows. Each case below builds the same scheduler with torch and with the
module under test, steps both, makes the change on both, and steps on: after every operation
the param groups (lr, momentum / betas, every other key), get_last_lr() and vars(scheduler)
(keys, order, values and their types) must be torch's (see _dropin.DropIn.check).
"""

from __future__ import annotations

import fractions
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest
import torch

from _dropin import (CLASSES, COMPOSITES, LEAVES, UNDER_TORCH, DropIn,
                     ScaleObj, Side, lam0, lam1, lam2, mult0, mult1, scale_half)


@dataclass
class Case:
    cls: str
    label: str
    fn: Callable[[Side], Any]
    kind: str = "sgd"
    kw: dict = field(default_factory=dict)
    after: int = 3  # steps before the change
    steps: int = 10  # steps after it
    raises: bool = False  # torch's later steps raise (the tested side must raise the same)

    @property
    def id(self) -> str:
        extra = f"-{self.kind}" if self.kind != "sgd" else ""
        return f"{self.cls}-{self.label}{extra}"


CASES: list[Case] = []


def case(cls, label, fn, **kw):
    CASES.append(Case(cls, label, fn, **kw))


def _set(attr, make):
    """Reassign ``attr`` to ``make(side)`` (a fresh value per side: nothing shared)."""
    def fn(x: Side):
        setattr(x.s, attr, make(x))
    return fn


def _exec(code):
    """A statement run with ``s`` (the scheduler), ``opt``, ``M``/``S`` (that side's modules)
    and the test's names in scope: the change reads as users write it."""
    compiled = compile(code, "<case>", "exec")

    def fn(x: Side):
        exec(compiled, {"s": x.s, "opt": x.opt, "M": x.M, "S": x.S, "x": x,
                        "torch": torch, "functools": functools, "np": np, "fractions": fractions,
                        "Counter": Counter,
                        "lam0": lam0, "lam1": lam1, "lam2": lam2, "mult0": mult0,
                        "mult1": mult1, "scale_half": scale_half, "ScaleObj": ScaleObj})
    fn.__name__ = code
    return fn


def ex(cls, code, **kw):
    case(cls, code, _exec(code), **kw)


# ---- every class: the optimizer's groups edited by hand, _last_lr, last_epoch ------------

for _c in CLASSES:
    ex(_c, "opt.param_groups[0]['lr'] = 0.5")
    ex(_c, "opt.param_groups[1]['lr'] *= 0.1")
    ex(_c, "opt.param_groups[1]['lr'] = torch.tensor(0.02)")  # a Tensor lr from now on
    ex(_c, "s._last_lr[0] = 9.0")
    ex(_c, "s._last_lr = [1.0, 2.0]")
    if _c != "ChainedScheduler":
        ex(_c, "s.last_epoch += 4")
        ex(_c, "s.last_epoch = 1")
    if _c not in ("CyclicLR", "OneCycleLR", "ReduceLROnPlateau") + COMPOSITES:
        ex(_c, "opt.param_groups[0]['initial_lr'] = 0.3")

# ---- every LRScheduler leaf: base_lrs in place and reassigned, _step_count ---------------

for _c in LEAVES:
    ex(_c, "s.base_lrs[0] = 0.2")
    ex(_c, "s.base_lrs[1] *= 3")
    ex(_c, "s.base_lrs[:] = [b * 2 for b in s.base_lrs]")
    ex(_c, "s.base_lrs.reverse()")
    ex(_c, "s.base_lrs = [0.3, 0.02]")
    ex(_c, "s.base_lrs = [1, 2]")  # ints: the types must follow torch's arithmetic
    ex(_c, "s._step_count = 1")
    ex(_c, "s._step_count += 10")

# ---- per class ----------------------------------------------------------------------------

for _c, _fs, _other in (("LambdaLR", ("lam0", "lam1"), "lam2"),
                        ("MultiplicativeLR", ("mult0", "mult1"), "lam1")):
    ex(_c, f"s.lr_lambdas[1] = {_other}")
    ex(_c, f"s.lr_lambdas[0] = {_fs[1]}")
    ex(_c, "s.lr_lambdas.reverse()")
    ex(_c, f"s.lr_lambdas[:] = [{_other}, {_other}]")
    ex(_c, f"s.lr_lambdas = [{_fs[1]}, {_fs[0]}]")
    ex(_c, f"s.lr_lambdas = ({_other}, {_fs[0]})")  # a tuple
    ex(_c, "s.lr_lambdas = [lambda e: 0.5, lambda e: 1 + e / 10]")
    ex(_c, "s.lr_lambdas = [ScaleObj(0.9), ScaleObj(0.99)]")
    ex(_c, "s.lr_lambdas[0] = lambda e: 1")  # an int factor
    ex(_c, "s.lr_lambdas = [lambda e: 2 ** -e, lambda e: 1.0]")
    # factors of other types: torch multiplies with them (Python's arithmetic, their types)
    ex(_c, "s.lr_lambdas[0] = lambda e: True")
    ex(_c, "s.lr_lambdas[0] = lambda e: np.float64(0.5)")
    ex(_c, "s.lr_lambdas[0] = lambda e: np.float32(0.5)")
    ex(_c, "s.lr_lambdas[0] = lambda e: fractions.Fraction(1, 2)")
    ex(_c, "s.lr_lambdas[0] = lambda e: 10 ** 30")

ex("StepLR", "s.gamma = 0.25")
ex("StepLR", "s.gamma = 2")
ex("StepLR", "s.gamma *= 0.5")
ex("StepLR", "s.step_size = 2")
ex("StepLR", "s.step_size = 5")
ex("StepLR", "s.step_size = 2.0")
ex("StepLR", "s.step_size = 1; s.gamma = 0.9")

ex("MultiStepLR", "s.milestones += Counter([6])")
ex("MultiStepLR", "s.milestones += Counter([5, 7, 7])")
ex("MultiStepLR", "s.milestones[7] += 1")
ex("MultiStepLR", "s.milestones[5] += 1")
ex("MultiStepLR", "s.milestones[3] += 1", after=2)  # the epoch being stepped into
ex("MultiStepLR", "del s.milestones[5]")
ex("MultiStepLR", "del s.milestones[9]")
ex("MultiStepLR", "s.milestones.update([8, 8])")
ex("MultiStepLR", "s.milestones.subtract([5])")
ex("MultiStepLR", "s.milestones[6] = 0")
ex("MultiStepLR", "s.milestones[6] = -1")
ex("MultiStepLR", "s.milestones.clear()")
ex("MultiStepLR", "s.milestones.pop(5)")
ex("MultiStepLR", "s.milestones = Counter([4, 6])")
ex("MultiStepLR", "s.milestones = Counter({4: 3})")
ex("MultiStepLR", "s.milestones = {4: 1, 6: 2}")  # a plain dict
ex("MultiStepLR", "s.gamma = 0.3")
ex("MultiStepLR", "s.gamma = 1")
ex("MultiStepLR", "s.milestones[7] += 1; s.gamma = 0.8")

ex("ConstantLR", "s.factor = 0.25")
ex("ConstantLR", "s.factor = 1")
ex("ConstantLR", "s.total_iters = 6")
ex("ConstantLR", "s.total_iters = 2")
ex("ConstantLR", "s.total_iters = 4.0")
ex("ConstantLR", "s.factor = 0.1", after=0)

ex("LinearLR", "s.start_factor = 0.5")
ex("LinearLR", "s.end_factor = 0.5")
ex("LinearLR", "s.end_factor = 0")
ex("LinearLR", "s.total_iters = 10")
ex("LinearLR", "s.total_iters = 2")
ex("LinearLR", "s.total_iters = 8.0")
ex("LinearLR", "s.start_factor = 1; s.end_factor = 0.1")

ex("ExponentialLR", "s.gamma = 0.5")
ex("ExponentialLR", "s.gamma = 1")
ex("ExponentialLR", "s.gamma = 1.1")
ex("ExponentialLR", "s.gamma **= 2")

ex("PolynomialLR", "s.total_iters = 12")
ex("PolynomialLR", "s.total_iters = 3")
ex("PolynomialLR", "s.total_iters = 10.0")
ex("PolynomialLR", "s.power = 1.0")
ex("PolynomialLR", "s.power = 3")
ex("PolynomialLR", "s.power = 0.5")

ex("CosineAnnealingLR", "s.T_max = 4")
ex("CosineAnnealingLR", "s.T_max = 10")
ex("CosineAnnealingLR", "s.T_max = 5.0")
ex("CosineAnnealingLR", "s.T_max = 2", steps=20)
ex("CosineAnnealingLR", "s.eta_min = 0.01")
ex("CosineAnnealingLR", "s.eta_min = 0")
ex("CosineAnnealingLR", "s.eta_min = 0.01; s.T_max = 3", steps=20)

ex("CosineAnnealingWarmRestarts", "s.T_0 = 5")
ex("CosineAnnealingWarmRestarts", "s.T_i = 8")
ex("CosineAnnealingWarmRestarts", "s.T_i = 4.0")
ex("CosineAnnealingWarmRestarts", "s.T_mult = 1")
ex("CosineAnnealingWarmRestarts", "s.T_mult = 3", steps=20)
ex("CosineAnnealingWarmRestarts", "s.eta_min = 0.0")
ex("CosineAnnealingWarmRestarts", "s.eta_min = 0")
ex("CosineAnnealingWarmRestarts", "s.T_cur = 0")
ex("CosineAnnealingWarmRestarts", "s.T_cur = 0.5")
ex("CosineAnnealingWarmRestarts", "s.T_cur += 1")

for _kind in ("sgd", "adam"):
    ex("CyclicLR", "s.max_lrs[0] = 0.2", kind=_kind)
    ex("CyclicLR", "s.max_lrs[:] = [0.3, 0.3]", kind=_kind)
    ex("CyclicLR", "s.max_lrs = [0.2, 0.4]", kind=_kind)
    ex("CyclicLR", "s.base_momentums[0] = 0.7", kind=_kind)
    ex("CyclicLR", "s.max_momentums[1] = 0.95", kind=_kind)
    ex("CyclicLR", "s.base_momentums = [0.5, 0.6]", kind=_kind)
    ex("CyclicLR", "s.max_momentums = [0.99, 0.98]", kind=_kind)
    ex("CyclicLR", "s.cycle_momentum = False", kind=_kind)
    ex("CyclicLR", "s.use_beta1 = not s.use_beta1", kind=_kind, raises=_kind == "sgd")
    ex("OneCycleLR", "s._schedule_phases[0]['end_step'] = 5.0", kind=_kind)
    ex("OneCycleLR", "s._schedule_phases[1]['end_lr'] = 'initial_lr'", kind=_kind)
    ex("OneCycleLR", "s._schedule_phases[0]['start_momentum'] = 'base_momentum'", kind=_kind)
    ex("OneCycleLR", "s._schedule_phases.append(dict(s._schedule_phases[-1], end_step=60))",
       kind=_kind)
    ex("OneCycleLR", "opt.param_groups[0]['max_lr'] = 0.2", kind=_kind)
    ex("OneCycleLR", "opt.param_groups[1]['min_lr'] = 0.001", kind=_kind)
    ex("OneCycleLR", "opt.param_groups[0]['max_momentum'] = 0.99", kind=_kind)
    ex("OneCycleLR", "opt.param_groups[1]['base_momentum'] = 0.5", kind=_kind)
    ex("OneCycleLR", "s.cycle_momentum = False", kind=_kind)
ex("CyclicLR", "s.base_lrs[0] = 0.05")
ex("CyclicLR", "s.total_size = 8.0")
ex("CyclicLR", "s.total_size = 8")
ex("CyclicLR", "s.step_ratio = 0.25")
ex("CyclicLR", "s.mode = 'exp_range'")  # torch chose the scale function at construction
ex("CyclicLR", "s.gamma = 0.5", kw={"mode": "exp_range", "gamma": 0.9})  # ditto (bound)
ex("CyclicLR", "s.scale_mode = 'iterations'")
ex("CyclicLR", "s.scale_mode = 'cycle'", kw={"mode": "exp_range", "gamma": 0.9})
ex("CyclicLR", "s._scale_fn_ref = M.CyclicLR._triangular_scale_fn")
ex("CyclicLR", "s._scale_fn_ref = M.CyclicLR._triangular2_scale_fn", kw={"mode": "triangular"})
ex("CyclicLR", "s._scale_fn_ref = functools.partial(M.CyclicLR._exp_range_scale_fn, 0.8)")
ex("CyclicLR", "s._scale_fn_ref = scale_half", kw={"mode": "triangular"})
ex("CyclicLR", "s._scale_fn_custom = scale_half")
ex("CyclicLR", "s._scale_fn_custom = ScaleObj(0.7)")
ex("CyclicLR", "s._scale_fn_custom.base = 0.5", kw={"scale_fn": "obj"})
ex("CyclicLR", "s._scale_fn_custom = None", kw={"scale_fn": "obj"}, raises=True)  # no _ref
ex("CyclicLR", "s._scale_fn_custom = None; s._init_scale_fn()", kw={"scale_fn": "obj"})
ex("CyclicLR", "s._init_scale_fn()", kw={"mode": "exp_range", "gamma": 0.9})
ex("CyclicLR", "s.gamma = 0.5; s._init_scale_fn()", kw={"mode": "exp_range", "gamma": 0.9})
ex("CyclicLR", "s.mode = 'triangular'; s._init_scale_fn()")

ex("OneCycleLR", "s.total_steps = 60", steps=40)
ex("OneCycleLR", "s.total_steps = 5", raises=True)
ex("OneCycleLR", "s._anneal_func_type = 'linear'")
ex("OneCycleLR", "s._anneal_func_type = 'step'", raises=True)
ex("OneCycleLR", "s._schedule_phases = s._schedule_phases[:1]")
ex("OneCycleLR", "s._schedule_phases[0] = dict(s._schedule_phases[0], end_step=20.0)")
ex("OneCycleLR", "s._schedule_phases[1]['end_step'] = 30")
ex("OneCycleLR", "s._schedule_phases[0].update(end_lr='min_lr', end_momentum='max_momentum')")
ex("OneCycleLR", "s.use_beta1 = True", raises=True)
ex("OneCycleLR", "s.use_beta1 = False", kind="adam")
ex("OneCycleLR", "s.base_lrs.append(1.0)")  # never read by torch's OneCycleLR
ex("OneCycleLR", "s._schedule_phases[2]['end_step'] = 39", kw={"three_phase": True})

ex("ReduceLROnPlateau", "s.min_lrs[0] = 0.04")
ex("ReduceLROnPlateau", "s.min_lrs[:] = [0.02, 0.03]")
ex("ReduceLROnPlateau", "s.min_lrs = [0.06, 0]")
ex("ReduceLROnPlateau", "s.default_min_lr = 0.01")
ex("ReduceLROnPlateau", "s.factor = 0.25")
ex("ReduceLROnPlateau", "s.factor = 0")
ex("ReduceLROnPlateau", "s.patience = 0")
ex("ReduceLROnPlateau", "s.patience = 3")
ex("ReduceLROnPlateau", "s.cooldown = 2")
ex("ReduceLROnPlateau", "s.cooldown_counter = 3")
ex("ReduceLROnPlateau", "s.num_bad_epochs = 5")
ex("ReduceLROnPlateau", "s.best = 0.3")
ex("ReduceLROnPlateau", "s.best = 1")
ex("ReduceLROnPlateau", "s.threshold = 0.1")
ex("ReduceLROnPlateau", "s.threshold = 1")
ex("ReduceLROnPlateau", "s.threshold_mode = 'abs'")
ex("ReduceLROnPlateau", "s.mode = 'max'")  # without _init_is_better: mode_worse stays
ex("ReduceLROnPlateau", "s.mode_worse = 0.0")
ex("ReduceLROnPlateau", "s._init_is_better(mode='max', threshold=0.0, threshold_mode='abs')")
ex("ReduceLROnPlateau", "s._reset()")
ex("ReduceLROnPlateau", "s.eps = 0.1")
ex("ReduceLROnPlateau", "s.eps = 0")

ex("SequentialLR", "s._milestones[0] = 5", after=2)
ex("SequentialLR", "s._milestones[0] = 1", after=2)
ex("SequentialLR", "s._milestones = [6]", after=2)
ex("SequentialLR", "s._milestones = (6,)", after=2)
ex("SequentialLR", "s._schedulers.append(M.StepLR(opt, 2, 0.5)); s._milestones.append(8)")
ex("SequentialLR", "s._schedulers[1] = M.StepLR(opt, 2, 0.5)", after=1)
ex("SequentialLR", "s._schedulers.pop(); s._milestones.pop()", after=1)
ex("SequentialLR", "s._schedulers.reverse()", after=1)
ex("SequentialLR", "s._schedulers = [s._schedulers[1], s._schedulers[0]]", after=1)
ex("SequentialLR", "s._schedulers[1].gamma = 0.5", after=1)
ex("SequentialLR", "s._schedulers[1].gamma = 0.5", after=6)
ex("SequentialLR", "s._schedulers[0].total_iters = 5", after=1)
ex("SequentialLR", "s._schedulers[0].base_lrs[0] = 1.0", after=1)
ex("SequentialLR", "s._schedulers[1].last_epoch += 3", after=5)
ex("SequentialLR", "s._schedulers.insert(0, M.ConstantLR(opt, 0.5, 2)); s._milestones.insert(0, 1)",
   after=0)

ex("ChainedScheduler", "s._schedulers.append(M.StepLR(opt, 2, 0.5))")
ex("ChainedScheduler", "s._schedulers.pop(0)")
ex("ChainedScheduler", "s._schedulers[0] = M.MultiplicativeLR(opt, mult1)")
ex("ChainedScheduler", "s._schedulers = [s._schedulers[1]]")
ex("ChainedScheduler", "s._schedulers = (s._schedulers[1], s._schedulers[0])")
ex("ChainedScheduler", "s._schedulers.reverse()")
ex("ChainedScheduler", "s._schedulers[1].gamma = 0.8")
ex("ChainedScheduler", "s._schedulers[0].factor = 0.25")
ex("ChainedScheduler", "s._schedulers[0].base_lrs[1] = 0.2")
ex("ChainedScheduler", "s._schedulers.insert(1, M.CosineAnnealingLR(opt, 5))")

ex("SWALR", "s.anneal_epochs = 2")
ex("SWALR", "s.anneal_epochs = 0")
ex("SWALR", "s.anneal_epochs = 9")
ex("SWALR", "s.anneal_func = S.SWALR._linear_anneal")
ex("SWALR", "s.anneal_func = lambda t: t * t")
ex("SWALR", "s._set_anneal_func('linear')")
ex("SWALR", "s._anneal_strategy = 'linear'")  # read only by load_state_dict
ex("SWALR", "opt.param_groups[0]['swa_lr'] = 0.5")
ex("SWALR", "opt.param_groups[1]['swa_lr'] = 0")
ex("SWALR", "s._step_count = 2", after=6)


def _case_kw(c: Case) -> dict:
    kw = dict(c.kw)
    if kw.get("scale_fn") == "obj":
        kw["scale_fn"] = ScaleObj(0.9)  # built per side by DropIn.make (deep-copied)
    return kw


def _param(c: Case):
    return pytest.param(c, id=c.id)


@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_change_mid_training(c: Case):
    p = DropIn(c.cls, c.kind, label=c.id)
    kw = _case_kw(c)
    if "scale_fn" in kw:
        fn = kw.pop("scale_fn")
        p.make_with(lambda x: x.build(c.cls, scale_fn=type(fn)(fn.base)), "construct")
    else:
        p.make(**kw)
    p.advance(c.after)
    _, _, exc = p.apply(c.fn, c.label)
    assert exc is None, f"{c.id}: the change itself raised {exc!r} on both sides"
    failed = p.advance(c.steps, expect_ok=not c.raises)
    if c.raises:
        assert failed, f"{c.id}: torch was expected to raise after this change"


def test_case_table_covers_every_class():
    assert {c.cls for c in CASES} == set(CLASSES)


@pytest.mark.parametrize("name", CLASSES)
def test_get_last_lr_is_a_copy(name):
    """Deliberate difference: get_last_lr() returns a new list. torch returns its own
    ``_last_lr``, so writing into the returned list changes what torch's next get_last_lr()
    says (not the lrs); lrcore's is unaffected. The next step makes both agree again."""
    p = DropIn(name).make()
    p.advance(3)
    vt, vl, _ = p.apply(lambda x: x.s.get_last_lr(), "get_last_lr()", check=False)
    vt[0] = vl[0] = 9.0
    if UNDER_TORCH:
        assert p.scheds[0][1].get_last_lr()[0] == 9.0
    else:
        assert p.scheds[0][0].get_last_lr()[0] == 9.0  # torch's own list
        assert p.scheds[0][1].get_last_lr()[0] != 9.0
        assert p.scheds[0][1].get_last_lr() == [g["lr"] for g in p.opt_l.param_groups] or \
            name == "ChainedScheduler"
    p.advance(1)  # compared again: the step rewrote _last_lr on both sides
    p.advance(3)
