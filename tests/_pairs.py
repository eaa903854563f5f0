"""Differential-testing harness: the module under test vs ``torch.optim.lr_scheduler``.

The oracle is torch 2.13 wherever torch is installed.  Where it is not (the interpreters that
CI tests without torch), the oracle is ``lrcore.reference``, the pure-Python transcription of
torch's code that tests/test_reference.py checks bit for bit against torch, and the optimizers
are :class:`DuckSGD` / :class:`DuckAdam`, which hold the param groups torch's SGD and Adam
would; :data:`ORACLE` says which.  The module under test is ``lrcore`` unless the
environment variable ``LRCORE_UNDER_TEST=torch`` is set, in which case torch is
compared with itself (used to validate the test-suite).

Every operation (construction, ``step``, ``state_dict`` ...) is executed on two
identical torch optimizers, one driven by the torch scheduler and one by the
scheduler under test.  Both calls run under ``warnings.catch_warnings(record=True)``:
the raised exception type (if any) and the list of emitted warnings (category,
message) must agree.  After every operation the optimizers' param groups (every
key except ``params``: lr, initial_lr, momentum / betas, max_lr, min_lr,
max_momentum, base_momentum, swa_lr, ...), ``get_last_lr()``, ``last_epoch`` and
``base_lrs`` are compared *exactly*: same Python type, ``==`` for floats (NaN
equals NaN, and the sign of a zero must agree).
"""

from __future__ import annotations

import copy
import math
import os
import pickle
import random
import warnings

try:
    import torch
    import torch.optim.lr_scheduler as TLR
    import torch.optim.swa_utils as TSWA
    ORACLE = "torch"
except ModuleNotFoundError:
    torch = None
    from lrcore.reference import lr_scheduler as TLR, swa_utils as TSWA  # type: ignore[no-redef]
    ORACLE = "reference"
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

UNDER_TEST = os.environ.get("LRCORE_UNDER_TEST", "lrcore").strip().lower()
if UNDER_TEST == "torch":
    LR = TLR
    SWA = TSWA
elif UNDER_TEST.startswith("module:"):
    # LRCORE_UNDER_TEST=module:pkg.lr_mod[,pkg.swa_mod] -- any module with torch's API
    # (e.g. module:lrcore.reference); SWALR is taken from the first module if no second.
    import importlib

    _names = UNDER_TEST[len("module:"):].split(",")
    LR = importlib.import_module(_names[0].strip())
    SWA = importlib.import_module(_names[1].strip()) if len(_names) > 1 else LR
else:
    import lrcore.lr_scheduler as LR  # noqa: F401  (module under test)
    import lrcore.swa_utils as SWA  # noqa: F401

# Strict type comparison (float vs int, list vs tuple, Counter vs dict) everywhere.
STRICT_TYPES = os.environ.get("LRCORE_LOOSE_TYPES", "") == ""

# LRCORE_TEST_STATS=1: print how many schedulers were built / operations compared at exit
STATS = {"schedulers": 0, "ops": 0}
if os.environ.get("LRCORE_TEST_STATS"):
    import atexit

    atexit.register(lambda: print(f"\n[lrcore differential stats] {STATS}"))

# Multiplier for hypothesis example counts (LRCORE_TEST_SCALE=10 for a soak run).
_SCALE = float(os.environ.get("LRCORE_TEST_SCALE", "1"))


def hsettings(n: int, **kw) -> settings:
    return settings(
        max_examples=max(1, int(round(n * _SCALE))),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
        **kw,
    )


ALL_NAMES = [
    "LRScheduler", "_LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
    "ConstantLR", "LinearLR", "ExponentialLR", "SequentialLR", "PolynomialLR",
    "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
    "CosineAnnealingWarmRestarts", "OneCycleLR",
]

# ----------------------------------------------------------------------------------------
# exact comparison
# ----------------------------------------------------------------------------------------


def _same_float(a: float, b: float) -> bool:
    if a != a:
        return b != b
    if a != b:
        return False
    if a == 0.0:
        return math.copysign(1.0, a) == math.copysign(1.0, b)
    return True


def diff(a, b, path: str = "", exact: bool = False) -> str | None:
    """First difference between torch's value ``a`` and the tested value ``b`` (or None).

    ``exact``: also the order of every dict's keys and the types of values whatever
    LRCORE_LOOSE_TYPES says (a state_dict must be torch's, as pickled or printed)."""
    if STRICT_TYPES or exact:
        if type(a) is not type(b):
            return (f"{path}: type {type(a).__name__} (torch) != {type(b).__name__} "
                    f"(under test): {a!r} vs {b!r}")
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return f"{path}: {a!r} (torch) != {b!r} (under test)"
        if _same_float(float(a), float(b)):
            return None
        return f"{path}: {a!r} (torch) != {b!r} (under test)"
    if isinstance(a, dict):
        if not isinstance(b, dict):
            return f"{path}: {a!r} (torch) != {b!r} (under test)"
        ka, kb = set(a), set(b)
        if ka != kb:
            return (f"{path}: keys differ; only in torch: {sorted(map(str, ka - kb))}, "
                    f"only under test: {sorted(map(str, kb - ka))}")
        if exact and list(a) != list(b):
            return f"{path}: key order differs: {list(a)} (torch) vs {list(b)} (under test)"
        for k in a:
            d = diff(a[k], b[k], f"{path}[{k!r}]", exact)
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple)) or len(a) != len(b):
            return f"{path}: {a!r} (torch) != {b!r} (under test)"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{i}]", exact)
            if d:
                return d
        return None
    if torch is not None and isinstance(a, torch.Tensor):
        if not isinstance(b, torch.Tensor) or a.dtype != b.dtype or not torch.equal(a, b):
            return f"{path}: {a!r} (torch) != {b!r} (under test)"
        return None
    try:
        eq = a == b
    except Exception as e:  # pragma: no cover
        return f"{path}: comparing raised {e!r}"
    return None if eq else f"{path}: {a!r} (torch) != {b!r} (under test)"


def assert_same(a, b, where: str = "") -> None:
    d = diff(a, b)
    if d is not None:
        raise AssertionError(f"{where}: {d}")


# ----------------------------------------------------------------------------------------
# running one operation on both sides
# ----------------------------------------------------------------------------------------


# torch's "optimizer.step() / lr_scheduler.step() order" warnings depend on torch patching
# ``optimizer.step``; the harness always calls opt.step() first, but torch still emits them
# when a composite scheduler (e.g. ChainedScheduler inside SequentialLR) steps its children
# during construction.  They are not part of the comparison.
IGNORED_WARNINGS = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`",
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler",
)


def _call(fn):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            value, exc = fn(), None
        except Exception as e:  # noqa: BLE001 -- compared with the other side
            value, exc = None, e
    ws = [(w.category, str(w.message)) for w in rec]
    return value, exc, [w for w in ws if not w[1].startswith(IGNORED_WARNINGS)]


def both(fn_t, fn_l, where: str = ""):
    """Run ``fn_t`` (torch) and ``fn_l`` (under test); same exception type, same warnings.

    Returns (value_torch, value_tested, exception_torch_or_None).
    """
    return both_w(fn_t, fn_l, where)[:3]


def both_w(fn_t, fn_l, where: str = ""):
    """Like :func:`both`, plus the list of (category, message) warnings torch emitted."""
    vt, et, wt = _call(fn_t)
    vl, el, wl = _call(fn_l)
    if et is None and el is not None:
        raise AssertionError(f"{where}: under test raised {el!r}, torch did not") from el
    if et is not None and not isinstance(el, type(et)):
        raise AssertionError(f"{where}: torch raised {et!r}, under test raised {el!r}")
    if wt != wl:
        raise AssertionError(f"{where}: warnings differ:\n torch:      {wt}\n under test: {wl}")
    return vt, vl, et, wt


# ----------------------------------------------------------------------------------------
# callables (lr_lambda / scale_fn) described as data, instantiated per side
# ----------------------------------------------------------------------------------------

FORMULAS = {
    "pow": lambda x, g: g ** x,
    "warmup": lambda x, w: min(1.0, (x + 1) / w),
    "inv": lambda x, a: 1.0 / (1.0 + a * x),
    "stepdecay": lambda x, g, s: g ** (x // s),
    "cos": lambda x, T: 0.5 * (1.0 + math.cos(math.pi * x / T)),
    "const": lambda x, c: c,
    "alt": lambda x, g: g if x % 2 else 1.0 / g,
    "nan_at": lambda x, k: float("nan") if x == k else 1.0,
    "half": lambda x: 1 / (2.0 ** (x - 1)),
    "sqrt_decay": lambda x, w: min((x + 1) / w, (w / (x + 1)) ** 0.5),
}


class FnObj:
    """Callable object: schedulers save/restore its ``__dict__`` in state dicts."""

    def __init__(self, name, params):
        self.name = name
        self.params = list(params)

    def __call__(self, x):
        return FORMULAS[self.name](x, *self.params)

    def __repr__(self):
        return f"FnObj({self.name!r}, {self.params!r})"


class Fn:
    """Data description of a callable; ``make()`` builds a fresh one (function or FnObj)."""

    __slots__ = ("name", "params", "obj")

    def __init__(self, name, *params, obj=False):
        self.name, self.params, self.obj = name, tuple(params), obj

    def make(self):
        if self.obj:
            return FnObj(self.name, self.params)
        f, p = FORMULAS[self.name], self.params

        def fn(x):
            return f(x, *p)

        return fn

    def perturbed(self):
        """Same callable with different parameters (only objects: their state is restorable)."""
        if not self.obj or not self.params:
            return self
        return Fn(self.name, *[(v * 0.5 if isinstance(v, float) else v + 1) for v in self.params],
                  obj=True)

    def __repr__(self):
        args = ", ".join([repr(self.name)] + [repr(p) for p in self.params])
        return f"Fn({args}{', obj=True' if self.obj else ''})"


def _resolve(v):
    if isinstance(v, Fn):
        return v.make()
    if isinstance(v, list):
        return [_resolve(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_resolve(x) for x in v)
    return copy.deepcopy(v)


def perturb_spec(spec):
    """Copy of ``spec`` whose callable objects carry different params."""
    def p(v):
        if isinstance(v, Fn):
            return v.perturbed()
        if isinstance(v, list):
            return [p(x) for x in v]
        if isinstance(v, tuple):
            return tuple(p(x) for x in v)
        return v
    out = dict(spec)
    if "kw" in out:
        out["kw"] = {k: p(v) for k, v in out["kw"].items()}
    if "children" in out:
        out["children"] = [perturb_spec(c) for c in out["children"]]
    return out


# ----------------------------------------------------------------------------------------
# optimizers and schedulers from specs
# ----------------------------------------------------------------------------------------


def opt_spec(kind="sgd", lrs=(0.1,), momenta=None, betas=None, extra=None):
    return {"kind": kind, "lrs": list(lrs), "momenta": momenta, "betas": betas, "extra": extra}


class _DuckOptimizer:
    """torch's optimizer as a scheduler sees it, for the runs without torch: ``defaults``, and
    ``param_groups`` completed from them as torch's ``add_param_group`` completes each group
    (the same keys in the same order, so that states and snapshots compare as with torch)."""

    DEFAULTS: dict = {}

    def __init__(self, groups, **defaults):
        self.defaults = {**self.DEFAULTS, **defaults}
        self.param_groups = []
        for g in groups:
            g = dict(g)
            for k, v in self.defaults.items():
                g.setdefault(k, v)
            self.param_groups.append(g)
        self.state: dict = {}

    def step(self, closure=None):
        return None if closure is None else closure()

    def zero_grad(self, set_to_none=True):
        pass

    # As torch's Optimizer: a state_dict numbers the params, loading one puts the saved groups
    # (copies) in place of the current ones around the same params, and a pickle holds the groups
    # but not the ``step`` a scheduler patched onto the instance.
    def state_dict(self):
        groups, n = [], 0
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = list(range(n, n + len(g["params"])))
            n += len(g["params"])
            groups.append(packed)
        return {"state": {}, "param_groups": groups}

    def load_state_dict(self, state_dict):
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, ng in zip(self.param_groups, saved):
            ng["params"] = g["params"]
        self.param_groups = saved

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)


class DuckSGD(_DuckOptimizer):
    DEFAULTS = {"lr": 0.001, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
                "maximize": False, "foreach": None, "differentiable": False, "fused": None}


class DuckAdam(_DuckOptimizer):
    DEFAULTS = {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0,
                "amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                "differentiable": False, "fused": None, "decoupled_weight_decay": False}


def no_momentum_opt():
    """An optimizer with neither momentum nor betas (torch's Adagrad)."""
    if torch is not None:
        return torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))])
    return _DuckOptimizer([{"params": [object()]}], lr=0.01, lr_decay=0, weight_decay=0,
                          initial_accumulator_value=0, eps=1e-10)


def make_opt(ospec):
    lrs = ospec["lrs"]
    groups = []
    for i, lr in enumerate(lrs):
        g = {"params": [torch.nn.Parameter(torch.zeros(2)) if torch is not None else object()],
             "lr": lr}
        if ospec.get("momenta") is not None and ospec["kind"] == "sgd":
            g["momentum"] = ospec["momenta"][i]
        if ospec.get("betas") is not None and ospec["kind"] == "adam":
            g["betas"] = tuple(ospec["betas"][i])
        if ospec.get("extra") is not None:
            g.update(copy.deepcopy(ospec["extra"][i]))
        groups.append(g)
    if ospec["kind"] == "sgd":
        return (torch.optim.SGD if torch is not None else DuckSGD)(groups, lr=0.1, momentum=0.9)
    if ospec["kind"] == "adam":
        return (torch.optim.Adam if torch is not None else DuckAdam)(groups, lr=1e-3)
    raise ValueError(ospec["kind"])


def build(spec, opt, mod, swa):
    """Build the scheduler described by ``spec`` on ``opt`` with module ``mod`` (+ ``swa``)."""
    cls = spec["cls"]
    if cls == "SequentialLR":
        kids = [build(c, opt, mod, swa) for c in spec["children"]]
        return mod.SequentialLR(opt, kids, milestones=list(spec["milestones"]))
    if cls == "ChainedScheduler":
        kids = [build(c, opt, mod, swa) for c in spec["children"]]
        if spec.get("pass_opt"):
            return mod.ChainedScheduler(kids, optimizer=opt)
        return mod.ChainedScheduler(kids)
    kw = {k: _resolve(v) for k, v in spec.get("kw", {}).items()}
    klass = swa.SWALR if cls == "SWALR" else getattr(mod, cls)
    return klass(opt, **kw)


def _short(spec) -> str:
    s = repr(spec)
    return s if len(s) < 600 else s[:600] + "..."


class Pair:
    """Two identical optimizers (torch side / tested side) and paired schedulers on them."""

    def __init__(self, ospec, label: str = ""):
        self.ospec = ospec
        self.opt_t = make_opt(ospec)
        self.opt_l = make_opt(ospec)
        self.scheds: list[tuple] = []
        self.specs: list = []
        self.nops = 0
        self.label = label
        self.last_warnings: list = []
        self.retired: Exception | None = None  # set once both sides raised (see call)

    # -- helpers ------------------------------------------------------------------------
    def where(self, what: str) -> str:
        return (f"[{self.label}] op#{self.nops} {what}; opt={self.ospec!r}; "
                f"specs={[_short(s) for s in self.specs]}")

    def construct(self, spec, check=True) -> bool:
        """Build ``spec`` on both optimizers. False (after checking) if both raised."""
        self.specs.append(spec)
        w = self.where(f"construct {spec['cls']}")
        st_, sl_, exc = both(lambda: build(spec, self.opt_t, TLR, TSWA),
                             lambda: build(spec, self.opt_l, LR, SWA), w)
        self.nops += 1
        if exc is not None:
            return False
        STATS["schedulers"] += 1
        if hasattr(st_, "optimizer"):
            assert getattr(sl_, "optimizer", None) is self.opt_l, f"{w}: .optimizer is not the optimizer"
        self.scheds.append((st_, sl_))
        if check:
            self.check(w)
        return True

    def construct_with(self, fn_t, fn_l, what="construct") -> bool:
        w = self.where(what)
        st_, sl_, exc = both(lambda: fn_t(self.opt_t), lambda: fn_l(self.opt_l), w)
        self.nops += 1
        if exc is not None:
            return False
        STATS["schedulers"] += 1
        self.scheds.append((st_, sl_))
        self.check(w)
        return True

    def opt_step(self):
        self.opt_t.step()
        self.opt_l.step()

    def call(self, i, method, *args, opt_step=False, check=True, **kwargs):
        """Call ``method`` on scheduler pair ``i`` (same args on both). Returns (vt, vl, exc).

        When both sides raise (the same type), the two deliberately part ways: torch leaves the
        scheduler half-advanced (last_epoch and _step_count already incremented), lrcore leaves
        it exactly as it was (checked here, for leaf schedulers). The pair is then retired: its
        later operations return the same exception without running.
        """
        if self.retired is not None:
            return None, None, self.retired
        if opt_step:
            self.opt_step()
        st_, sl_ = self.scheds[i]
        w = self.where(f"sched[{i}].{method}(*{args!r}, **{kwargs!r})")
        before = self._snapshot(sl_) if UNDER_TEST != "torch" else None
        vt, vl, exc, self.last_warnings = both_w(
            lambda: getattr(st_, method)(*args, **kwargs),
            lambda: getattr(sl_, method)(*args, **kwargs), w)
        self.nops += 1
        STATS["ops"] += 1
        if exc is not None and before is not None:
            if not hasattr(sl_, "_schedulers"):  # a composite's children may have stepped
                d = diff(before, self._snapshot(sl_), "state after the failed call")
                if d:
                    raise AssertionError(f"{w}: a failed call changed the state: {d}")
            self.retired = exc
            return vt, vl, exc
        if check:
            self.check(w)
        return vt, vl, exc

    def _snapshot(self, sched):
        groups = [{k: (v.clone() if torch is not None and isinstance(v, torch.Tensor) else v) for k, v in g.items()
                   if k != "params"} for g in self.opt_l.param_groups]
        try:
            state = sched.state_dict()
        except Exception:  # noqa: BLE001 -- a scheduler whose state cannot be read
            state = None
        return groups, state

    def step(self, i=0, *args, **kwargs):
        """opt.step() then sched[i].step(*args); compares everything afterwards."""
        return self.call(i, "step", *args, opt_step=True, **kwargs)[2]

    # -- comparison ---------------------------------------------------------------------
    def check_groups(self, where: str):
        gt, gl = self.opt_t.param_groups, self.opt_l.param_groups
        assert len(gt) == len(gl), f"{where}: number of param groups differs"
        for i, (a, b) in enumerate(zip(gt, gl)):
            da = {k: v for k, v in a.items() if k != "params"}
            db = {k: v for k, v in b.items() if k != "params"}
            d = diff(da, db, f"param_groups[{i}]")
            if d:
                raise AssertionError(f"{where}: {d}")

    def check_sched(self, i: int, where: str):
        st_, sl_ = self.scheds[i]
        vt, vl, _ = both(st_.get_last_lr, sl_.get_last_lr, f"{where} get_last_lr()")
        d = diff(vt, vl, f"sched[{i}].get_last_lr()")
        if d:
            raise AssertionError(f"{where}: {d}")
        for attr in ("last_epoch", "base_lrs"):
            if hasattr(st_, attr):
                if not hasattr(sl_, attr):
                    raise AssertionError(f"{where}: sched[{i}] has no attribute {attr!r}")
                d = diff(getattr(st_, attr), getattr(sl_, attr), f"sched[{i}].{attr}")
                if d:
                    raise AssertionError(f"{where}: {d}")

    def check(self, where: str = ""):
        if self.retired is not None:  # the two sides parted ways at a failed call (see call)
            return
        self.check_groups(where)
        for i in range(len(self.scheds)):
            self.check_sched(i, where)

    def check_state_dicts(self, where: str = ""):
        if self.retired is not None:
            return
        for i, (st_, sl_) in enumerate(self.scheds):
            vt, vl, _ = both(st_.state_dict, sl_.state_dict, f"{where} state_dict()")
            d = diff(vt, vl, f"sched[{i}].state_dict()", exact=True)
            if d:
                raise AssertionError(f"{where}: {d}")

    def lrs_t(self):
        return [g["lr"] for g in self.opt_t.param_groups]


def run_steps(pair: Pair, n: int, i: int = 0, state_dicts: bool = False) -> int:
    """``n`` times: opt.step(); sched[i].step(); compare.  Returns the number of exceptions."""
    n_exc = 0
    for _ in range(n):
        if pair.step(i) is not None:
            n_exc += 1
        if state_dicts:
            pair.check_state_dicts(pair.where("state dict after step"))
    return n_exc


# ----------------------------------------------------------------------------------------
# hypothesis strategies
# ----------------------------------------------------------------------------------------

LEAF_KINDS = [
    "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
    "CyclicLR", "OneCycleLR", "SWALR",
]
# schedulers that support step(epoch) through LRScheduler.step / their own step
EPOCH_KINDS = LEAF_KINDS

NICE_LRS = [0.1, 0.01, 0.001, 1.0, 0.05, 3e-4, 0.5, 2.0]
lr_floats = st.one_of(st.sampled_from(NICE_LRS), st.floats(1e-6, 5.0), st.just(0.0))
gammas = st.one_of(st.sampled_from([0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0]), st.floats(0.01, 1.2))
unit = st.floats(0.0, 1.0)


def per_group(elem, n):
    """A scalar or a per-group list (both accepted by torch's _format_param etc.)."""
    return st.one_of(elem, st.lists(elem, min_size=n, max_size=n))


@st.composite
def opt_specs(draw, min_groups=1, max_groups=8, kinds=("sgd", "adam")):
    n = draw(st.integers(min_groups, max_groups))
    kind = draw(st.sampled_from(kinds))
    lrs = draw(st.lists(lr_floats, min_size=n, max_size=n))
    momenta = betas = None
    if kind == "sgd" and draw(st.booleans()):
        momenta = draw(st.lists(st.floats(0.0, 0.99), min_size=n, max_size=n))
    if kind == "adam" and draw(st.booleans()):
        betas = draw(st.lists(st.tuples(st.floats(0.0, 0.99), st.floats(0.9, 0.9999)),
                              min_size=n, max_size=n))
    return opt_spec(kind, lrs, momenta, betas)


def _maybe(draw, kw, key, strat):
    """Optional keyword argument: sometimes left at torch's default."""
    if draw(st.booleans()):
        kw[key] = draw(strat)


objs = st.booleans()
lambda_fns = st.one_of(
    st.builds(lambda g, o: Fn("pow", g, obj=o), gammas, objs),
    st.builds(lambda w, o: Fn("warmup", w, obj=o), st.integers(1, 20), objs),
    st.builds(lambda a, o: Fn("inv", a, obj=o), st.floats(0.0, 1.0), objs),
    st.builds(lambda g, s, o: Fn("stepdecay", g, s, obj=o), gammas, st.integers(1, 20), objs),
    st.builds(lambda T, o: Fn("cos", T, obj=o), st.integers(1, 100), objs),
    st.builds(lambda c, o: Fn("const", c, obj=o), st.floats(0.0, 2.0), objs),
    st.builds(lambda w, o: Fn("sqrt_decay", w, obj=o), st.integers(1, 30), objs),
    st.builds(lambda k, o: Fn("nan_at", k, obj=o), st.integers(0, 60), objs),
)
mult_fns = st.one_of(
    st.builds(lambda c, o: Fn("const", c, obj=o), st.one_of(st.sampled_from([0.95, 0.9, 1.0]),
                                                          st.floats(0.8, 1.05)), objs),
    st.builds(lambda g, o: Fn("alt", g, obj=o), st.floats(0.5, 1.5), objs),
    st.builds(lambda a, o: Fn("inv", a, obj=o), st.floats(0.0, 0.2), objs),
    st.builds(lambda g, o: Fn("pow", g, obj=o), st.floats(0.97, 1.0), objs),
    st.builds(lambda k, o: Fn("nan_at", k, obj=o), st.integers(0, 60), objs),
)
scale_fns = st.one_of(
    st.builds(lambda o: Fn("half", obj=o), objs),
    st.builds(lambda g, o: Fn("pow", g, obj=o), st.floats(0.9, 1.0), objs),
    st.builds(lambda a, o: Fn("inv", a, obj=o), st.floats(0.0, 0.5), objs),
    st.builds(lambda c, o: Fn("const", c, obj=o), st.floats(0.0, 1.5), objs),
)


def _fn_choice(fns, n):
    return st.one_of(fns, st.lists(fns, min_size=n, max_size=n),
                     st.lists(fns, min_size=n, max_size=n).map(tuple))


@st.composite
def leaf_specs(draw, n, kinds=tuple(LEAF_KINDS)):
    kind = draw(st.sampled_from(kinds))
    kw: dict = {}
    if kind == "LambdaLR":
        kw["lr_lambda"] = draw(_fn_choice(lambda_fns, n))
    elif kind == "MultiplicativeLR":
        kw["lr_lambda"] = draw(_fn_choice(mult_fns, n))
    elif kind == "StepLR":
        kw["step_size"] = draw(st.integers(1, 60))
        _maybe(draw, kw, "gamma", gammas)
    elif kind == "MultiStepLR":
        kw["milestones"] = draw(st.lists(st.one_of(st.integers(0, 5), st.integers(0, 250)),
                                         max_size=7))
        _maybe(draw, kw, "gamma", gammas)
    elif kind == "ConstantLR":
        _maybe(draw, kw, "factor", st.one_of(st.sampled_from([0.0, 1.0, 1.0 / 3, 0.5, 0.1]), unit))
        _maybe(draw, kw, "total_iters", st.integers(0, 40))
    elif kind == "LinearLR":
        _maybe(draw, kw, "start_factor",
               st.one_of(st.sampled_from([1.0, 1.0 / 3, 0.5, 0.1, 1e-3]), st.floats(1e-4, 1.0)))
        _maybe(draw, kw, "end_factor", st.one_of(st.sampled_from([0.0, 1.0, 0.5]), unit))
        _maybe(draw, kw, "total_iters", st.integers(0, 40))
    elif kind == "ExponentialLR":
        kw["gamma"] = draw(gammas)
    elif kind == "PolynomialLR":
        _maybe(draw, kw, "total_iters", st.integers(0, 80))
        _maybe(draw, kw, "power", st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
                                            st.floats(0.0, 5.0)))
    elif kind == "CosineAnnealingLR":
        kw["T_max"] = draw(st.integers(1, 120))
        _maybe(draw, kw, "eta_min", st.one_of(st.sampled_from([0.0, 1e-6, 1e-3]),
                                              st.floats(0.0, 0.5)))
    elif kind == "CosineAnnealingWarmRestarts":
        kw["T_0"] = draw(st.integers(1, 40))
        _maybe(draw, kw, "T_mult", st.integers(1, 3))
        _maybe(draw, kw, "eta_min", st.one_of(st.sampled_from([0.0, 1e-5]), st.floats(0.0, 0.2)))
    elif kind == "CyclicLR":
        kw["base_lr"] = draw(per_group(st.floats(1e-5, 0.1), n))
        kw["max_lr"] = draw(per_group(st.floats(1e-4, 1.0), n))
        kw["step_size_up"] = draw(st.integers(1, 60))
        _maybe(draw, kw, "step_size_down", st.one_of(st.none(), st.integers(1, 60)))
        _maybe(draw, kw, "mode", st.sampled_from(["triangular", "triangular2", "exp_range"]))
        _maybe(draw, kw, "gamma", st.one_of(st.sampled_from([1.0, 0.99, 0.9]), st.floats(0.9, 1.0)))
        if draw(st.integers(0, 3)) == 0:
            kw["scale_fn"] = draw(scale_fns)
            _maybe(draw, kw, "scale_mode", st.sampled_from(["cycle", "iterations"]))
        _maybe(draw, kw, "cycle_momentum", st.booleans())
        _maybe(draw, kw, "base_momentum", per_group(st.floats(0.5, 0.9), n))
        _maybe(draw, kw, "max_momentum", per_group(st.floats(0.85, 0.99), n))
    elif kind == "OneCycleLR":
        kw["max_lr"] = draw(per_group(st.floats(1e-4, 1.0), n))
        if draw(st.booleans()):
            kw["total_steps"] = draw(st.integers(1, 300))
        else:
            kw["epochs"] = draw(st.integers(1, 10))
            kw["steps_per_epoch"] = draw(st.integers(1, 30))
        _maybe(draw, kw, "pct_start", st.one_of(st.sampled_from([0.3, 0.25, 0.5, 0.1]), unit))
        _maybe(draw, kw, "anneal_strategy", st.sampled_from(["cos", "linear"]))
        _maybe(draw, kw, "cycle_momentum", st.booleans())
        _maybe(draw, kw, "base_momentum", per_group(st.floats(0.5, 0.9), n))
        _maybe(draw, kw, "max_momentum", per_group(st.floats(0.85, 0.99), n))
        _maybe(draw, kw, "div_factor", st.one_of(st.just(25.0), st.floats(1.0, 100.0)))
        _maybe(draw, kw, "final_div_factor", st.one_of(st.just(1e4), st.floats(1.0, 1e5)))
        _maybe(draw, kw, "three_phase", st.booleans())
    elif kind == "SWALR":
        kw["swa_lr"] = draw(per_group(st.floats(1e-4, 1.0), n))
        _maybe(draw, kw, "anneal_epochs", st.integers(0, 30))
        _maybe(draw, kw, "anneal_strategy", st.sampled_from(["cos", "linear"]))
    else:  # pragma: no cover
        raise ValueError(kind)
    return {"cls": kind, "kw": kw}


@st.composite
def sequential_specs(draw, n, allow_nested=True):
    k = draw(st.integers(1, 3))
    kids = []
    for _ in range(k):
        if allow_nested and draw(st.integers(0, 7)) == 0:
            kids.append(draw(chained_specs(n, allow_nested=False)))
        else:
            kids.append(draw(leaf_specs(n)))
    ms = sorted(draw(st.lists(st.one_of(st.integers(0, 3), st.integers(0, 120)),
                              min_size=k - 1, max_size=k - 1)))
    return {"cls": "SequentialLR", "children": kids, "milestones": ms}


@st.composite
def chained_specs(draw, n, allow_nested=True):
    k = draw(st.integers(1, 3))
    kids = []
    for _ in range(k):
        if allow_nested and draw(st.integers(0, 7)) == 0:
            kids.append(draw(sequential_specs(n, allow_nested=False)))
        else:
            kids.append(draw(leaf_specs(n)))
    return {"cls": "ChainedScheduler", "children": kids, "pass_opt": draw(st.booleans())}


def any_specs(n, kind):
    if kind == "SequentialLR":
        return sequential_specs(n)
    if kind == "ChainedScheduler":
        return chained_specs(n)
    return leaf_specs(n, kinds=(kind,))


def resume_extra(kind, n, draw):
    """Per-group keys a checkpointed optimizer would carry (for last_epoch >= 0)."""
    extra = []
    for _ in range(n):
        g = {"initial_lr": draw(lr_floats)}
        if kind == "OneCycleLR":
            g["max_lr"] = draw(st.floats(1e-4, 1.0))
            g["min_lr"] = draw(st.floats(0.0, 1e-4))
            g["max_momentum"] = draw(st.floats(0.85, 0.99))
            g["base_momentum"] = draw(st.floats(0.5, 0.9))
        extra.append(g)
    return extra


@st.composite
def plateau_specs(draw, n):
    kw = {}
    for key, strat in [
        ("mode", st.sampled_from(["min", "max"])),
        ("factor", st.one_of(st.sampled_from([0.1, 0.5, 0.0, 0.9]), st.floats(0.0, 0.99))),
        ("patience", st.integers(0, 8)),
        ("threshold", st.one_of(st.sampled_from([1e-4, 0.0, 0.01, 0.1]), st.floats(0.0, 0.5))),
        ("threshold_mode", st.sampled_from(["rel", "abs"])),
        ("cooldown", st.integers(0, 5)),
        ("min_lr", per_group(st.one_of(st.just(0), st.sampled_from([1e-4, 1e-3]),
                                       st.floats(0.0, 0.01)), n)),
        ("eps", st.one_of(st.sampled_from([1e-8, 0.0, 1e-3, 0.05]), st.floats(0.0, 0.1))),
    ]:
        if draw(st.booleans()):
            kw[key] = draw(strat)
    return {"cls": "ReduceLROnPlateau", "kw": kw}


@st.composite
def metric_streams(draw, max_len=120):
    shape = draw(st.sampled_from(["flat", "down", "up", "noise", "plateaus", "mixed"]))
    n = draw(st.integers(0, max_len))
    rnd = random.Random(draw(st.integers(0, 2 ** 32 - 1)))
    special = draw(st.booleans())
    out, x = [], rnd.uniform(-2, 5)
    for i in range(n):
        if shape == "flat":
            v = x
        elif shape == "down":
            x -= rnd.uniform(0, 0.05) * (1 if rnd.random() < 0.7 else 0)
            v = x
        elif shape == "up":
            x += rnd.uniform(0, 0.05) * (1 if rnd.random() < 0.7 else 0)
            v = x
        elif shape == "noise":
            v = rnd.gauss(1.0, 0.3)
        elif shape == "plateaus":
            if rnd.random() < 0.15:
                x += rnd.choice([-1, 1]) * rnd.uniform(0, 0.5)
            v = x
        else:
            x += rnd.gauss(0, 0.02)
            v = x if rnd.random() < 0.5 else round(x, 2)
        if special and rnd.random() < 0.05:
            v = rnd.choice([math.nan, math.inf, -math.inf, 0.0, -0.0])
        r = rnd.random()
        if torch is None:  # without torch, no Tensor metrics; the draws stay those of torch's runs
            if 0.1 <= r < 0.2 and v == v and abs(v) != math.inf:
                v = int(v)
        elif r < 0.1:
            v = torch.tensor(v, dtype=torch.float64)  # scheduler calls float(metrics)
        elif r < 0.15:
            v = torch.tensor(v, dtype=torch.float32)
        elif r < 0.2 and v == v and abs(v) != math.inf:
            v = int(v)
        out.append(v)
    return out


# ----------------------------------------------------------------------------------------
# pickle / copy.deepcopy round trips of a whole pair side (optimizer and schedulers together)
# ----------------------------------------------------------------------------------------


def picklable_spec(spec):
    """``spec`` with every callable an object (FnObj): plain ``Fn`` functions are closures."""
    def p(v):
        if isinstance(v, Fn):
            return Fn(v.name, *v.params, obj=True)
        if isinstance(v, (list, tuple)):
            return type(v)(p(x) for x in v)
        return v
    out = dict(spec)
    if "kw" in out:
        out["kw"] = {k: p(v) for k, v in out["kw"].items()}
    if "children" in out:
        out["children"] = [picklable_spec(c) for c in out["children"]]
    return out


COPIERS = {
    "pickle": lambda x: pickle.loads(pickle.dumps(x)),
    "deepcopy": copy.deepcopy,
}


def _nested_state(sched):
    """What a composite's children hold beyond the composite's state_dict (a nested
    ChainedScheduler's epoch count, for one), all the way down."""
    return [(getattr(c, "last_epoch", None), getattr(c, "_step_count", None),
             getattr(c, "_is_initial", None), c.get_last_lr(), _nested_state(c))
            for c in getattr(sched, "_schedulers", ())]


def round_trip(pair: Pair, how: str, where: str = "", state_dicts: bool = True) -> None:
    """Replace both sides' optimizer and schedulers by pickled (or deep-copied) copies, taken
    together as torch users do (``pickle.dumps((opt, sched))``), and check that the tested copy
    equals its original (state dicts, param groups, the optimizer relationship) and that the
    two copies still agree."""
    copier = COPIERS[how]
    w = pair.where(f"{how} round trip {where}")
    nested_before = [_nested_state(sl) for _, sl in pair.scheds]
    opt_t, *scheds_t = copier((pair.opt_t, *[s for s, _ in pair.scheds]))
    before = [(sl.state_dict(), getattr(sl, "_step_count", None), getattr(sl, "verbose", None),
               type(sl)) for _, sl in pair.scheds]
    groups = [{k: v for k, v in g.items() if k != "params"} for g in pair.opt_l.param_groups]
    opt_l, *scheds_l = copier((pair.opt_l, *[s for _, s in pair.scheds]))
    assert opt_l is not pair.opt_l, w
    for (sd, count, verbose, cls), sl in zip(before, scheds_l):
        assert type(sl) is cls, f"{w}: {type(sl)} is not {cls}"
        assert sl.optimizer is opt_l, f"{w}: the copy does not drive the copied optimizer"
        assert_same(sd, sl.state_dict(), f"{w}: state_dict of the copy")
        assert_same(count, getattr(sl, "_step_count", None), f"{w}: _step_count of the copy")
        assert verbose == getattr(sl, "verbose", None), f"{w}: verbose of the copy"
    assert_same(groups, [{k: v for k, v in g.items() if k != "params"}
                         for g in opt_l.param_groups], f"{w}: param groups of the copy")
    assert_same(nested_before, [_nested_state(sl) for sl in scheds_l], f"{w}: children")
    pair.opt_t, pair.opt_l = opt_t, opt_l
    pair.scheds = list(zip(scheds_t, scheds_l))
    pair.nops += 1
    pair.check(w)
    if state_dicts:
        pair.check_state_dicts(w)
