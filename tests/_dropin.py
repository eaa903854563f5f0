"""Drop-in harness: the ways users touch a scheduler, run on torch and on the module under test.

Built on :class:`_pairs.Pair` (two identical optimizers, a torch scheduler on one and the tested
scheduler on the other, every operation run on both with exceptions and warnings compared).
:class:`DropIn` adds what the drop-in tests need:

* a strict comparison after every operation (:func:`strict_diff`): the param groups (every key
  but ``params``: lr, momentum / betas, initial_lr, max_lr, swa_lr, ...), ``get_last_lr()``, and
  ``vars(scheduler)`` itself: the same keys in the same order, and equal values of the same
  Python types (no int/float leniency; NaN equals NaN; the sign of a zero counts), children of
  a composite compared the same way, the optimizer compared by identity (torch's side must
  hold torch's optimizer where the tested side holds its own);
* :meth:`DropIn.apply`: an arbitrary operation (``s.milestones[7] += 1``,
  ``s.__dict__.update(...)``, ``s.optimizer = new``) written once as a function of a
  :class:`Side` (the scheduler, its optimizer, and the modules that side imports), run on both;
* :meth:`DropIn.advance`: steps, with a metric for a ReduceLROnPlateau;
* counts for the lead (``LRCORE_TEST_STATS=1`` prints them at exit; ``LRCORE_TEST_STATS=PATH``
  also appends them to PATH as JSON).

``LRCORE_UNDER_TEST=torch`` (see _pairs) compares torch with itself: every assertion that
expects the tested side to differ from torch (the documented deliberate differences) is then
checked in its torch form instead, through :data:`UNDER_TORCH`.
"""

from __future__ import annotations

import atexit
import functools
import json
import math
import os
import types
from collections import Counter
from typing import Any, Callable

import torch

import _pairs
from _pairs import LR, SWA, TLR, TSWA, UNDER_TEST, Pair, opt_spec

UNDER_TORCH = UNDER_TEST == "torch"

CLASSES = (
    "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
    "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler", "SWALR",
)
COMPOSITES = ("SequentialLR", "ChainedScheduler")
LEAVES = tuple(c for c in CLASSES if c not in COMPOSITES + ("ReduceLROnPlateau",))
# Leaves whose torch class defines _get_closed_form_lr (used by step(epoch))
CLOSED_FORM = ("StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
               "PolynomialLR", "CosineAnnealingLR")
MOMENTUM = ("CyclicLR", "OneCycleLR")

# ----------------------------------------------------------------------------------------
# counts

STATS = {"scenarios": 0, "step_comparisons": 0, "operations": 0}


def _report() -> None:
    print(f"\n[lrcore drop-in stats] under test: {UNDER_TEST}; {STATS}")
    path = os.environ.get("LRCORE_TEST_STATS", "")
    if path not in ("", "0", "1"):
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"suite": "drop_in", "under_test": UNDER_TEST, **STATS}) + "\n")


if os.environ.get("LRCORE_TEST_STATS"):
    atexit.register(_report)

# ----------------------------------------------------------------------------------------
# user functions, shared by both sides (pure, module-level: picklable by reference)


def lam0(epoch):
    return 0.9 ** epoch


def lam1(epoch):
    return 1.0 / (1.0 + epoch)


def lam2(epoch):
    return 0.5 if epoch >= 4 else 1.0


def mult0(epoch):
    return 0.95


def mult1(epoch):
    return 0.9 if epoch % 2 else 1.02


def scale_half(x):
    return 1 / (2.0 ** (x - 1))


class ScaleObj:
    """A callable object (its ``__dict__`` travels in state dicts)."""

    def __init__(self, base=0.8):
        self.base = base

    def __call__(self, x):
        return self.base ** x


# A metric stream for ReduceLROnPlateau: each value held 4 times, so patience=1 reduces.
def metric_at(k: int) -> float:
    return 1.0 / (1 + k // 4)


# ----------------------------------------------------------------------------------------
# the schedulers, built the same way on each side


def make_opt(kind: str = "sgd", lrs=(0.1, 0.05)):
    return _pairs.make_opt(opt_spec(kind, lrs))


def new_group(lr=0.07):
    return {"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr}


def build(name: str, opt, M, S, klass=None, **kw):
    """The canonical ``name`` scheduler on ``opt`` with lr module ``M`` and swa module ``S``
    (an instance of ``klass``, a subclass, if given); ``kw`` overrides its arguments."""
    klass = klass or module_class(name, M, S)
    if name == "SequentialLR":
        kids = kw.pop("schedulers", None) or [M.LinearLR(opt, 0.25, total_iters=3),
                                               M.ExponentialLR(opt, 0.9)]
        return klass(opt, kids, kw.pop("milestones", [3]), **kw)
    if name == "ChainedScheduler":
        kids = kw.pop("schedulers", None) or [M.ConstantLR(opt, 0.5, 4), M.ExponentialLR(opt, 0.9)]
        return klass(kids, **kw)
    return klass(opt, **{**DEFAULT_KW[name], **kw})


DEFAULT_KW: dict[str, dict[str, Any]] = {
    "LambdaLR": {"lr_lambda": [lam0, lam1]},
    "MultiplicativeLR": {"lr_lambda": [mult0, mult1]},
    "StepLR": {"step_size": 3, "gamma": 0.5},
    "MultiStepLR": {"milestones": [2, 5, 5, 9], "gamma": 0.5},
    "ConstantLR": {"factor": 0.5, "total_iters": 4},
    "LinearLR": {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 6},
    "ExponentialLR": {"gamma": 0.9},
    "PolynomialLR": {"total_iters": 8, "power": 2.0},
    "CosineAnnealingLR": {"T_max": 7, "eta_min": 0.001},
    "CosineAnnealingWarmRestarts": {"T_0": 3, "T_mult": 2, "eta_min": 0.001},
    "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "triangular2"},
    "OneCycleLR": {"max_lr": 0.1, "total_steps": 40},
    "ReduceLROnPlateau": {"patience": 1, "factor": 0.5},
    "SWALR": {"swa_lr": 0.05, "anneal_epochs": 4},
}


def module_class(name: str, M, S):
    return getattr(S if name == "SWALR" else M, name)


def takes_metric(sched) -> bool:
    """Whether ``sched`` (a torch scheduler, or a tested one) is stepped with a metric."""
    if isinstance(sched, (TLR.ReduceLROnPlateau, LR.ReduceLROnPlateau)):
        return True
    return any(takes_metric(c) for c in getattr(sched, "_schedulers", ()))


# ----------------------------------------------------------------------------------------
# known bugs of the compiled core (cpp/), each shown by a strict xfail test; the comparisons
# elsewhere tolerate exactly that difference so that they keep checking everything else.
# LRCORE_DROPIN_STRICT=1 tolerates nothing.

KNOWN_CORE_BUGS = {
    "composite-child-last-lr": (
        "a composite's compiled step() writes the groups' final lrs to the _last_lr of every "
        "child: a SequentialLR's children it did not step (torch leaves them alone), a "
        "ChainedScheduler's children but the last (torch: the lrs after that child's step)"),
    "multiplicative-lambda-object": (
        "compiled MultiplicativeLR: an lr_lambda returning anything but a float or an int (a "
        "bool, a numpy number, a Fraction, an int beyond 2**53, a Tensor) makes that group's "
        "lr NaN (torch: group['lr'] * factor)"),
    "use-beta1-without-betas": (
        "compiled CyclicLR/OneCycleLR with use_beta1 set to True on groups without 'betas' "
        "add a 'betas' key (torch raises KeyError('betas'))"),
    "plateau-min-lrs-float": (
        "compiled ReduceLROnPlateau, extending min_lrs for a param group added after it was "
        "built, writes floats (torch: [default_min_lr] * n, the int 0 by default)"),
    "int-attribute-rewritten": (
        "a step rewrites an int attribute it did not change as a float "
        "(ReduceLROnPlateau.best = 1 becomes 1.0)"),
}


def tolerated(bug: str) -> bool:
    return not UNDER_TORCH and not os.environ.get("LRCORE_DROPIN_STRICT") and \
        bug in KNOWN_CORE_BUGS


# ----------------------------------------------------------------------------------------
# strict comparison


def _same_float(a: float, b: float) -> bool:
    if a != a:
        return b != b
    if a != b:
        return False
    return a != 0.0 or math.copysign(1.0, a) == math.copysign(1.0, b)


def _is_scheduler(x) -> bool:
    return isinstance(x, (TLR.LRScheduler, TLR.ReduceLROnPlateau, LR.LRScheduler))


def _fn_name(f) -> str | None:
    """A comparable name for torch's own helpers (a static method, a bound method, a partial)
    that each side holds in its own module's version."""
    if isinstance(f, types.MethodType):
        return f"method {f.__func__.__name__}"
    if isinstance(f, types.FunctionType):
        return f"function {f.__name__}"
    return None


class Ctx:
    """Objects the two sides hold as counterparts (their optimizers, their schedulers)."""

    def __init__(self, pairs=()):
        self.map: dict[int, Any] = {}
        for a, b in pairs:
            self.map[id(a)] = b

    def add(self, a, b):
        self.map[id(a)] = b


_PLAIN = frozenset({int, str, bool, type(None)})
_CONTAINERS = frozenset({list, tuple})
_MAPPINGS = frozenset({dict, Counter})


def _quick(a, b) -> bool:
    """True when ``a`` and ``b`` are strictly equal plain data (numbers, strings, lists, dicts
    of them): the common case, checked without building paths. False: look closer."""
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is float:
        if a != a:
            return b != b
        return a == b and (a != 0.0 or math.copysign(1.0, a) == math.copysign(1.0, b))
    if ta in _PLAIN:
        return a == b
    if ta in _CONTAINERS:
        return len(a) == len(b) and all(map(_quick, a, b))
    if ta in _MAPPINGS:
        return list(a) == list(b) and all(_quick(a[k], b[k]) for k in a)
    return False


def strict_diff(a, b, path: str = "", ctx: Ctx | None = None, seen=None) -> str | None:
    """First difference between torch's ``a`` and the tested ``b``: same types, same values."""
    if _quick(a, b):
        return None
    ctx = ctx or Ctx()
    seen = set() if seen is None else seen
    if id(a) in ctx.map:
        if ctx.map[id(a)] is b:
            return None
        if not _is_scheduler(a):
            return f"{path}: {b!r} is not the counterpart of torch's {a!r}"
    if isinstance(a, torch.optim.Optimizer):
        return f"{path}: torch holds an optimizer with no counterpart registered ({a!r} / {b!r})"
    if _is_scheduler(a):
        if not _is_scheduler(b) or type(a).__name__ != type(b).__name__:
            return f"{path}: {type(a).__name__} (torch) != {type(b).__name__} (under test)"
        key = (id(a), id(b))
        if key in seen:
            return None
        seen.add(key)
        return vars_diff(a, b, path, ctx, seen)
    if type(a) is not type(b):
        # torch's helpers held by each side in its own module's version
        na, nb = _fn_name(a), _fn_name(b)
        if na is not None and na == nb:
            if isinstance(a, types.MethodType):
                return strict_diff(a.__self__, b.__self__, path + ".__self__", ctx, seen)
            return None
        return (f"{path}: type {type(a).__name__} (torch) != {type(b).__name__} (under test): "
                f"{a!r} vs {b!r}")
    if isinstance(a, float):
        return None if _same_float(a, b) else f"{path}: {a!r} (torch) != {b!r} (under test)"
    if isinstance(a, dict):  # dict, Counter
        if list(a) != list(b):
            return f"{path}: keys {list(a)} (torch) != {list(b)} (under test)"
        for k in a:
            d = strict_diff(a[k], b[k], f"{path}[{k!r}]", ctx, seen)
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} (torch) != {len(b)} (under test): {a!r} vs {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = strict_diff(x, y, f"{path}[{i}]", ctx, seen)
            if d:
                return d
        return None
    if isinstance(a, torch.Tensor):
        if a.dtype != b.dtype or a.shape != b.shape or not torch.equal(a, b):
            return f"{path}: {a!r} (torch) != {b!r} (under test)"
        return None
    if isinstance(a, functools.partial):
        for part in ("func", "args", "keywords"):
            d = strict_diff(getattr(a, part), getattr(b, part), f"{path}.{part}", ctx, seen)
            if d:
                return d
        return None
    if isinstance(a, (types.FunctionType, types.BuiltinFunctionType)):
        if a is b or (_fn_name(a) == _fn_name(b) and a.__module__ != b.__module__):
            return None  # the same function, or each side's version of torch's helper
        if getattr(a, "__code__", None) is not None and a.__code__ is getattr(b, "__code__", 0):
            return None  # the same code made into a function on each side
        return f"{path}: {a!r} (torch) is not {b!r} (under test)"
    if isinstance(a, types.MethodType):
        if _fn_name(a) != _fn_name(b):
            return f"{path}: {a!r} (torch) != {b!r} (under test)"
        return strict_diff(a.__self__, b.__self__, path + ".__self__", ctx, seen)
    if isinstance(a, (int, bool, str, bytes, type(None))):
        return None if a == b else f"{path}: {a!r} (torch) != {b!r} (under test)"
    if hasattr(a, "__dict__") and not isinstance(a, type):
        if a is b:
            return None
        return strict_diff(vars(a), vars(b), f"{path}.__dict__", ctx, seen)
    return None if a == b else f"{path}: {a!r} (torch) != {b!r} (under test)"


def vars_diff(a, b, path="", ctx=None, seen=None, skip=()) -> str | None:
    """``vars(a)`` and ``vars(b)``: the same keys in the same order, strictly equal values
    (``skip``: keys whose values are not compared)."""
    va, vb = vars(a), vars(b)
    if list(va) != list(vb):
        return (f"{path} vars(): keys differ\n torch:      {list(va)}\n under test: {list(vb)}")
    ctx = ctx or Ctx()
    seen = set() if seen is None else seen
    kids = va.get("_schedulers")
    tolerate = tolerated("composite-child-last-lr") and isinstance(
        a, (TLR.SequentialLR, TLR.ChainedScheduler))
    for k in va:
        if k in skip:
            continue
        if tolerate and k == "_schedulers" and isinstance(kids, (list, tuple)) and \
                isinstance(vb[k], (list, tuple)) and len(kids) == len(vb[k]):
            for i, (x, y) in enumerate(zip(kids, vb[k])):
                if _is_scheduler(x) and _is_scheduler(y) and \
                        type(x).__name__ == type(y).__name__:
                    d = vars_diff(x, y, f"{path}.['_schedulers'][{i}]", ctx, seen,
                                  skip=("_last_lr",))
                elif type(x) is dict and type(y) is dict:  # state dicts put there by a user
                    d = strict_diff({q: v for q, v in x.items() if q != "_last_lr"},
                                    {q: v for q, v in y.items() if q != "_last_lr"},
                                    f"{path}.['_schedulers'][{i}]", ctx, seen)
                else:
                    d = strict_diff(x, y, f"{path}.['_schedulers'][{i}]", ctx, seen)
                if d:
                    return d
            continue
        d = strict_diff(va[k], vb[k], f"{path}.[{k!r}]", ctx, seen)
        if d:
            return d
    return None


def groups_of(opt):
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


# ----------------------------------------------------------------------------------------
# the pair


class Side:
    """One side of a DropIn: what a user's code sees (its scheduler(s), optimizer, modules)."""

    def __init__(self, pair: DropIn, torch_side: bool):
        self.pair, self.is_torch = pair, torch_side
        self.M = TLR if torch_side else LR
        self.S = TSWA if torch_side else SWA
        self.j = 0 if torch_side else 1

    @property
    def s(self):
        return self.pair.scheds[0][self.j]

    def sched(self, i):
        return self.pair.scheds[i][self.j]

    @property
    def opt(self):
        return self.pair.opt_t if self.is_torch else self.pair.opt_l

    @opt.setter
    def opt(self, value):
        if self.is_torch:
            self.pair.opt_t = value
        else:
            self.pair.opt_l = value

    def cls(self, name):
        return module_class(name, self.M, self.S)

    def build(self, name, opt=None, klass=None, **kw):
        return build(name, self.opt if opt is None else opt, self.M, self.S, klass, **kw)

    def sub(self, name, factory, opt=None, **kw):
        """The canonical ``name`` scheduler as an instance of ``factory(this side's class)``:
        the same subclass code defined once against each side's class."""
        return self.build(name, opt, factory(self.cls(name)), **kw)

    # scratch space an operation can use to hand objects to a later one on the same side
    @property
    def store(self) -> dict:
        return self.pair.stores[self.j]


class DropIn(Pair):
    """A Pair compared strictly (see the module docstring), counted in STATS."""

    def __init__(self, name: str, kind: str = "sgd", lrs=(0.1, 0.05), label: str = ""):
        super().__init__(opt_spec(kind, lrs), label or name)
        self.name = name
        self.k = 0  # position in the metric stream
        self.stores: tuple[dict, dict] = ({}, {})
        self.extra: list[tuple[Any, Any]] = []  # more counterparts (new optimizers, copies)
        self.watched: list[tuple[Any, Any]] = []  # more optimizers to compare (see watch)
        self.compare_vars = True
        self.compare_group_keys: tuple[str, ...] | None = None  # None: every key
        STATS["scenarios"] += 1
        self.t = Side(self, True)
        self.l = Side(self, False)

    # -- building -----------------------------------------------------------------------
    def make(self, name: str | None = None, **kw):
        """Build ``name`` (default: this pair's class) with ``kw`` overriding its arguments."""
        name = name or self.name
        ok = self.construct_with(lambda o: build(name, o, TLR, TSWA, **kw),
                                 lambda o: build(name, o, LR, SWA, **kw), f"construct {name}")
        assert ok, f"[{self.label}] both sides refused to build {name}"
        return self

    def make_with(self, fn: Callable[[Side], Any], what: str = "construct"):
        """Build with ``fn(side)`` (a subclass, say); it returns the scheduler."""
        ok = self.construct_with(lambda o: fn(self.t), lambda o: fn(self.l), what)
        assert ok, f"[{self.label}] both sides refused: {what}"
        return self

    # -- operations ---------------------------------------------------------------------
    def opt_step(self):
        """optimizer.step() on both sides. The optimizers' parameters have no gradients, so a
        step changes nothing but the mark torch's wrapper sets for the step-order check: where
        the wrapper is in place, setting the mark is the same, and much faster."""
        for opt in (self.opt_t, self.opt_l):
            if hasattr(opt.step, "_wrapped_by_lr_sched") and \
                    all(p.grad is None for g in opt.param_groups for p in g["params"]):
                opt._opt_called = True
            else:
                opt.step()

    def apply(self, fn: Callable[[Side], Any], what: str = "apply", check: bool = True):
        """``fn(side)`` on both sides: same exception type, same warnings; then compare."""
        w = self.where(what)
        vt, vl, exc, self.last_warnings = _pairs.both_w(lambda: fn(self.t), lambda: fn(self.l), w)
        self.nops += 1
        STATS["operations"] += 1
        if check and exc is None:
            self.check(w)
        return vt, vl, exc

    def step_args(self, i: int = 0) -> tuple:
        st_ = self.scheds[i][0]
        if takes_metric(st_):
            v = metric_at(self.k)
            self.k += 1
            return (v,)
        return ()

    def step(self, i=0, *args, **kwargs):
        exc = super().step(i, *args, **kwargs)
        if exc is None:
            STATS["step_comparisons"] += 1
        return exc

    def advance(self, n: int = 1, i: int = 0, expect_ok: bool = True) -> int:
        """``n`` times: opt.step(); scheduler i steps (with a metric if it takes one); compare.
        Returns the number of steps that raised (on both sides, the same exception type)."""
        failed = 0
        for _ in range(n):
            exc = self.step(i, *self.step_args(i))
            if exc is not None:
                assert not expect_ok, f"{self.where('step')}: both sides raised {exc!r}"
                failed += 1
        return failed

    # -- comparison ---------------------------------------------------------------------
    def ctx(self) -> Ctx:
        c = Ctx(self.extra + [(self.opt_t, self.opt_l)])
        for st_, sl_ in self.scheds:
            c.add(st_, sl_)
        return c

    def check(self, where: str = ""):
        if self.retired is not None:
            return
        ctx = self.ctx()
        gt, gl = groups_of(self.opt_t), groups_of(self.opt_l)
        if self.compare_group_keys is not None:
            keys = self.compare_group_keys
            gt = [{k: v for k, v in g.items() if k in keys} for g in gt]
            gl = [{k: v for k, v in g.items() if k in keys} for g in gl]
        d = strict_diff(gt, gl, "param_groups", ctx)
        if d:
            raise AssertionError(f"{where}: {d}")
        for i, (st_, sl_) in enumerate(self.scheds):
            if hasattr(st_, "_last_lr") or hasattr(sl_, "_last_lr"):
                d = strict_diff(st_.get_last_lr(), sl_.get_last_lr(),
                                f"sched[{i}].get_last_lr()", ctx)
                if d:
                    raise AssertionError(f"{where}: {d}")
            if self.compare_vars:
                d = vars_diff(st_, sl_, f"sched[{i}]", ctx)
                if d:
                    raise AssertionError(f"{where}: {d}")
        for j, (ot, ol) in enumerate(self.watched):
            d = strict_diff(groups_of(ot), groups_of(ol), f"watched optimizer {j}", ctx)
            if d:
                raise AssertionError(f"{where}: {d}")

    def watch(self, ot, ol):
        """Compare the groups of another pair of optimizers too, after every operation (an
        optimizer a scheduler was moved away from, or one a copy drives)."""
        self.watched.append((ot, ol))
        self.extra.append((ot, ol))
