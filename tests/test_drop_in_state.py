"""Drop-in: a scheduler's ``__dict__`` as users handle it, copies, and rebinding its optimizer.

torch's scheduler state is its ``__dict__``: code copies it (``s.__dict__.update(other.__dict__)``,
``state_dict()`` copies), subclasses save and load it wholesale, set attributes before
``super().__init__``, copy, deep-copy and pickle schedulers mid-run, and move a scheduler to a
new optimizer (``s.optimizer = new``). Every case runs on torch and on the module under test, for
every scheduler class, and compares everything after every operation and step (see
_dropin.DropIn.check: param groups, get_last_lr(), vars() keys, order and values).
"""

from __future__ import annotations

import copy
import pickle

import pytest

from _dropin import (CLASSES, COMPOSITES, UNDER_TORCH, DropIn, Side, lam2, make_opt, mult1,
                     strict_diff)

KINDS = [(c, "sgd") for c in CLASSES] + [(c, "adam") for c in ("CyclicLR", "OneCycleLR")]
IDS = [f"{c}-{k}" for c, k in KINDS]

# Other arguments for a second scheduler of the same class, whose state is copied over.
ALT_KW = {
    "LambdaLR": {"lr_lambda": lam2},
    "MultiplicativeLR": {"lr_lambda": mult1},
    "StepLR": {"step_size": 2, "gamma": 0.8},
    "MultiStepLR": {"milestones": [1, 4], "gamma": 0.7},
    "ConstantLR": {"factor": 0.8, "total_iters": 2},
    "LinearLR": {"start_factor": 0.5, "total_iters": 3},
    "ExponentialLR": {"gamma": 0.8},
    "PolynomialLR": {"total_iters": 5, "power": 1.0},
    "CosineAnnealingLR": {"T_max": 3, "eta_min": 0.0},
    "CosineAnnealingWarmRestarts": {"T_0": 2, "T_mult": 1, "eta_min": 0.0},
    "CyclicLR": {"base_lr": 0.02, "max_lr": 0.2, "step_size_up": 2, "mode": "exp_range",
                 "gamma": 0.9},
    "OneCycleLR": {"max_lr": 0.3, "total_steps": 25, "anneal_strategy": "linear"},
    "ReduceLROnPlateau": {"patience": 0, "factor": 0.3, "mode": "max"},
    "SWALR": {"swa_lr": 0.2, "anneal_epochs": 2, "anneal_strategy": "linear"},
}


def alt(x: Side, name: str):
    """A second scheduler of class ``name`` on ``x``'s optimizer, with other arguments."""
    if name == "SequentialLR":  # the same classes of children (see test_load_other_structure)
        return x.build(name, schedulers=[x.M.LinearLR(x.opt, 0.5, total_iters=2),
                                         x.M.ExponentialLR(x.opt, 0.7)], milestones=[4])
    if name == "ChainedScheduler":
        return x.build(name, schedulers=[x.M.ConstantLR(x.opt, 0.8, 2),
                                         x.M.ExponentialLR(x.opt, 0.8)])
    return x.build(name, **ALT_KW[name])


def _other(p: DropIn, name: str, steps: int = 2) -> None:
    """Build the second scheduler (sched 1) and step it."""
    p.make_with(lambda x: alt(x, name), f"construct a second {name}")
    p.advance(steps, i=1)


# ---- __dict__ copied from another scheduler -----------------------------------------------

COPIES = {
    "__dict__.update(other.__dict__)": lambda x: x.s.__dict__.update(x.sched(1).__dict__),
    "__dict__.update(deepcopy(other.state_dict()))":
        lambda x: x.s.__dict__.update(copy.deepcopy(x.sched(1).state_dict())),
    "__dict__.update(other.state_dict())": lambda x: x.s.__dict__.update(x.sched(1).state_dict()),
    "load_state_dict(other.state_dict())": lambda x: x.s.load_state_dict(x.sched(1).state_dict()),
    "load_state_dict(deepcopy(other.state_dict()))":
        lambda x: x.s.load_state_dict(copy.deepcopy(x.sched(1).state_dict())),
    "vars(s).update(vars(other))": lambda x: vars(x.s).update(vars(x.sched(1))),
}


@pytest.mark.parametrize("how", list(COPIES))
@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_dict_copied_from_another(name, kind, how):
    p = DropIn(name, kind, label=f"{name} {how}").make()
    p.advance(3)
    _other(p, name)
    p.apply(COPIES[how], how)
    # A state_dict() put into __dict__ as it is holds None for a function lr_lambda and the
    # children's state dicts for a composite's _schedulers: torch's next step raises then.
    ok = not ("__dict__.update(" in how and "state_dict()" in how and
              name in ("LambdaLR", "MultiplicativeLR") + COMPOSITES)
    failed = p.advance(8, expect_ok=ok)  # the first scheduler, with the second's state
    failed += p.advance(3, i=1, expect_ok=ok)  # the second one still steps (they may share lists)
    failed += p.advance(3, expect_ok=ok)
    assert ok or failed


@pytest.mark.parametrize("name", COMPOSITES)
def test_load_other_structure(name):
    """Deliberate difference: a composite's load_state_dict given the state of a composite with
    other children (another class, another number) raises (KeyError / ValueError), changing
    nothing; torch copies the attributes over whatever they are. Its __dict__.update copy (no
    check) is torch's."""
    p = DropIn(name).make()
    p.advance(3)

    def other(x: Side):
        if name == "SequentialLR":
            return x.build(name, schedulers=[x.M.StepLR(x.opt, 2, 0.5),
                                             x.M.ConstantLR(x.opt, 0.5, 2)], milestones=[4])
        return x.build(name, schedulers=[x.M.ExponentialLR(x.opt, 0.8)])

    p.make_with(other, "another structure")
    p.advance(2, i=1)
    state = p.scheds[1][1].state_dict()
    before = copy.deepcopy(p.scheds[0][1].state_dict()), [dict(g) for g in p.opt_l.param_groups]
    if UNDER_TORCH:
        p.scheds[0][1].load_state_dict(state)
        return
    with pytest.raises((KeyError, ValueError)):
        p.scheds[0][1].load_state_dict(state)
    assert_same = strict_diff(before, (p.scheds[0][1].state_dict(),
                                       [dict(g) for g in p.opt_l.param_groups]))
    assert assert_same is None, assert_same
    p.check("after the refused load")
    p.advance(4)


# ---- subclasses that treat __dict__ as their state ------------------------------------------


def dict_state_subclass(base):
    class DictState(base):
        """A third-party scheduler whose state is a plain copy of its __dict__."""

        def state_dict(self):
            state = self.__dict__.copy()
            del state["optimizer"]
            return state

        def load_state_dict(self, state_dict):
            self.__dict__.update(state_dict)

    return DictState


def early_attrs_subclass(base):
    class EarlyAttrs(base):
        """Sets its own attributes before calling the base constructor (vars() order)."""

        def __init__(self, optimizer, *args, **kwargs):
            self.warmup = 2
            self.history = []
            self.base_lrs = ["set before super"]  # the base constructor replaces it
            super().__init__(optimizer, *args, **kwargs)
            self.after = {"k": 1}

    return EarlyAttrs


def _sub(x: Side, name: str, factory, opt=None):
    return x.sub(name, factory, opt)


@pytest.mark.parametrize("name,kind", [k for k in KINDS if k[0] not in COMPOSITES],
                         ids=[i for k, i in zip(KINDS, IDS) if k[0] not in COMPOSITES])
def test_dict_state_subclass_resumes(name, kind):
    """Save mid-run (state as a __dict__ copy) and the optimizer's state; build a new optimizer
    and scheduler, load both, and go on. (Not for composites: their __dict__ holds their
    children, which such a state would bring along with their old optimizer.)"""
    p = DropIn(name, kind).make_with(lambda x: _sub(x, name, dict_state_subclass))
    p.advance(4)

    def resume(x: Side):
        opt_state = copy.deepcopy(x.opt.state_dict())
        state = copy.deepcopy(x.s.state_dict())
        opt = make_opt(kind)
        opt.load_state_dict(opt_state)
        new = _sub(x, name, dict_state_subclass, opt)
        new.load_state_dict(state)
        x.store["new"] = (opt, new)

    p.apply(resume, "resume into a new optimizer and scheduler", check=False)
    (ot, st_), (ol, sl_) = p.stores[0]["new"], p.stores[1]["new"]
    p.watch(p.opt_t, p.opt_l)
    p.opt_t, p.opt_l = ot, ol
    p.scheds[0] = (st_, sl_)
    p.check("after the resume")
    p.advance(8)


@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_attributes_set_before_super_init(name, kind):
    p = DropIn(name, kind).make_with(lambda x: _sub(x, name, early_attrs_subclass))
    p.advance(3)
    p.apply(lambda x: x.s.history.append(x.s.get_last_lr()), "s.history.append(...)")
    p.advance(6)


# ---- copies of a scheduler mid-run -----------------------------------------------------------


@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_shallow_copy_mid_run(name, kind):
    """copy.copy shares the lists (base_lrs, _schedulers...) and the optimizer: stepping the copy
    and the original in turn must do what it does with torch's."""
    p = DropIn(name, kind).make()
    p.advance(3)
    p.scheds.append(_copies(p, copy.copy))
    p.check("after copy.copy")
    p.advance(3, i=1)
    p.advance(3, i=0)
    p.advance(2, i=1)


def _copies(p: DropIn, copier):
    """The copier applied to both sides' scheduler 0 (with the same sharing as torch's)."""
    return copier(p.scheds[0][0]), copier(p.scheds[0][1])


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_deep_copy_mid_run(name, kind, how):
    """A deep copy (or pickle round trip) of the scheduler alone takes its optimizer along: the
    copy drives the copied optimizer, the original its own."""
    p = DropIn(name, kind).make()
    p.advance(3)
    copier = copy.deepcopy if how == "deepcopy" else (lambda s: pickle.loads(pickle.dumps(s)))
    ct, cl = _copies(p, copier)
    assert type(cl) is type(p.scheds[0][1]) and cl.optimizer is not p.opt_l
    p.extra.append((ct.optimizer, cl.optimizer))
    p.scheds.append((ct, cl))
    p.watch(ct.optimizer, cl.optimizer)
    p.check(f"after {how}")
    for _ in range(4):
        p.step(1, *p.step_args(1))  # p.step steps p.opt_*: the copy's optimizer steps too
        ct.optimizer.step()
        cl.optimizer.step()
    p.advance(3)
    p.check("end")


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_optimizer_and_scheduler_copied_together(name, kind, how):
    """``pickle.dumps((optimizer, scheduler))`` / ``deepcopy`` of both: a checkpoint in memory;
    the restored pair goes on as the original would."""
    p = DropIn(name, kind).make()
    p.advance(3)
    copier = copy.deepcopy if how == "deepcopy" else (lambda v: pickle.loads(pickle.dumps(v)))
    (ot, st_), (ol, sl_) = copier((p.opt_t, p.scheds[0][0])), copier((p.opt_l, p.scheds[0][1]))
    assert sl_.optimizer is ol
    p.watch(p.opt_t, p.opt_l)
    p.opt_t, p.opt_l = ot, ol
    p.scheds[0] = (st_, sl_)
    p.check(f"after {how}")
    p.advance(8)


# ---- vars() at construction and after steps ------------------------------------------------


@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_vars_keys_and_order(name, kind):
    """vars(s): torch's keys in torch's order, equal values of the same types, at construction,
    after one step and after many (DropIn.check compares them after every operation); and after
    a resume with last_epoch (the groups then hold initial_lr)."""
    p = DropIn(name, kind).make()
    assert list(vars(p.scheds[0][1])) == list(vars(p.scheds[0][0]))
    p.advance(1)
    p.advance(14)
    if name not in COMPOSITES + ("ReduceLROnPlateau",):
        p.make(last_epoch=5)
        p.advance(4, i=1)


# ---- s.optimizer = new_optimizer -------------------------------------------------------------

REBIND = ["fresh", "loaded"]


@pytest.mark.parametrize("new", REBIND)
@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_rebind_optimizer(name, kind, new):
    """``s.optimizer = new_optimizer``: torch's step reads ``self.optimizer`` afresh, so the new
    one is stepped (a fresh optimizer, or one loaded from the old one's state_dict, which holds
    initial_lr and the other keys the scheduler wrote). A composite's children keep their own
    optimizer unless rebound too (test_rebind_composite_children)."""
    p = DropIn(name, kind).make()
    p.advance(3)

    def rebind(x: Side):
        opt = make_opt(kind, lrs=(0.3, 0.2))
        if new == "loaded":
            opt.load_state_dict(x.opt.state_dict())
        x.s.optimizer = opt
        x.store["opt"] = opt

    p.apply(rebind, f"s.optimizer = {new} optimizer", check=False)
    p.watch(p.opt_t, p.opt_l)
    p.opt_t, p.opt_l = p.stores[0]["opt"], p.stores[1]["opt"]
    p.check("after rebinding")
    p.advance(8, expect_ok=False)


@pytest.mark.parametrize("name", COMPOSITES)
def test_rebind_composite_children(name):
    p = DropIn(name).make()
    p.advance(2)

    def rebind(x: Side):
        opt = make_opt("sgd", lrs=(0.3, 0.2))
        opt.load_state_dict(x.opt.state_dict())
        x.s.optimizer = opt
        for child in x.s._schedulers:
            child.optimizer = opt
        x.store["opt"] = opt

    p.apply(rebind, "rebind the composite and its children", check=False)
    p.watch(p.opt_t, p.opt_l)
    p.opt_t, p.opt_l = p.stores[0]["opt"], p.stores[1]["opt"]
    p.check("after rebinding")
    p.advance(8)


@pytest.mark.parametrize("name", COMPOSITES)
def test_rebind_one_child(name):
    """One child moved to another optimizer: the composite steps it there (torch calls its
    step), the others on the first optimizer."""
    p = DropIn(name).make()
    p.advance(2)

    def rebind(x: Side):
        opt = make_opt("sgd", lrs=(0.3, 0.2))
        opt.load_state_dict(x.opt.state_dict())
        x.s._schedulers[-1].optimizer = opt
        x.store["opt"] = opt

    p.apply(rebind, "rebind the last child", check=False)
    p.watch(p.stores[0]["opt"], p.stores[1]["opt"])
    p.check("after rebinding")
    p.advance(8)
