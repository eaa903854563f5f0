"""Drop-in: subclasses, the hooks torch's step calls, torch's static helpers, type identity.

Each subclass below is written once, as a function of its base class, and defined against
torch's class and against the tested module's: the same code, as a user who switches the import
runs it. Both step side by side and everything is compared after every step (param groups,
get_last_lr(), vars(); see _dropin.DropIn.check).
"""

from __future__ import annotations

import math

import pytest
import torch

from _dropin import (CLASSES, CLOSED_FORM, COMPOSITES, DEFAULT_KW, LEAVES, LR, SWA, TLR, TSWA,
                     UNDER_TORCH, DropIn, Side, metric_at, module_class, strict_diff)

KINDS = [(c, "sgd") for c in CLASSES] + [(c, "adam") for c in ("CyclicLR", "OneCycleLR")]
IDS = [f"{c}-{k}" for c, k in KINDS]
STEP_LEAVES = tuple(c for c in LEAVES if c != "CosineAnnealingWarmRestarts")  # LRScheduler.step


def run(p: DropIn, n: int = 12, expect_ok: bool = True):
    p.advance(n, expect_ok=expect_ok)


# ---- get_lr / _get_closed_form_lr / _update_lr / step ----------------------------------------


def get_lr_scaled(base):
    class Scaled(base):
        def get_lr(self):
            return [lr * 0.5 for lr in super().get_lr()]
    return Scaled


def get_lr_custom(base):
    class Custom(base):
        def get_lr(self):
            return [b * 0.9 ** self.last_epoch + 0.001 * i for i, b in enumerate(self.base_lrs)]
    return Custom


def update_lr_counted(base):
    class Counted(base):
        def _update_lr(self, epoch=None):
            self.updates = getattr(self, "updates", 0) + 1
            super()._update_lr(epoch)
    return Counted


def step_logged(base):
    class Logged(base):
        def step(self, *args, **kwargs):
            self.log = getattr(self, "log", []) + [len(args) + len(kwargs)]
            return super().step(*args, **kwargs)
    return Logged


def closed_form_custom(base):
    class Closed(base):
        def _get_closed_form_lr(self):
            return [b * 0.8 ** self.last_epoch for b in self.base_lrs]
    return Closed


@pytest.mark.parametrize("factory", [get_lr_scaled, get_lr_custom])
@pytest.mark.parametrize("name", LEAVES)
def test_get_lr_override(name, factory):
    p = DropIn(name, label=f"{name} {factory.__name__}").make_with(
        lambda x: x.sub(name, factory))
    run(p)


@pytest.mark.parametrize("name", STEP_LEAVES)
def test_update_lr_override(name):
    p = DropIn(name).make_with(lambda x: x.sub(name, update_lr_counted))
    run(p)


@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_step_override(name, kind):
    """A subclass wrapping step (logging, counting): everything else is the class's own."""
    p = DropIn(name, kind).make_with(lambda x: x.sub(name, step_logged))
    run(p)


EPOCHS = [1, 2, 3, 5, 4, 9, 9, 0, 7]


@pytest.mark.parametrize("override", [False, True])
@pytest.mark.parametrize("name", STEP_LEAVES)
def test_step_with_epoch(name, override):
    """step(epoch): torch warns (deprecated) and uses _get_closed_form_lr where the class (or
    the subclass) has one, get_lr otherwise."""
    p = DropIn(name, label=f"{name} step(epoch)")
    if override:
        p.make_with(lambda x: x.sub(name, closed_form_custom))
    else:
        p.make()
    for e in EPOCHS:
        exc = p.step(0, e)
        if name == "OneCycleLR":
            assert exc is None
    assert ("The epoch parameter" in str(p.last_warnings)) or p.retired is not None


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_closed_form_removed(name):
    """A subclass that hides _get_closed_form_lr (hasattr false): step(epoch) uses get_lr."""
    def factory(base):
        class NoClosed(base):
            @property
            def _get_closed_form_lr(self):
                raise AttributeError("_get_closed_form_lr")
        return NoClosed
    p = DropIn(name).make_with(lambda x: x.sub(name, factory))
    for e in EPOCHS[:5]:
        p.step(0, e)


def base_lrs_rebuilt(base):
    class Rebuilt(base):
        """A third-party pattern: base_lrs built again after the base constructor."""

        def __init__(self, optimizer, *args, **kwargs):
            super().__init__(optimizer, *args, **kwargs)
            self.base_lrs = []
            for group in optimizer.param_groups:
                self.base_lrs.append(group["initial_lr"] * 0.5)
    return Rebuilt


def base_lrs_before_super(base):
    class Early(base):
        """base_lrs built before the base constructor (which replaces them), then scaled."""

        def __init__(self, optimizer, *args, **kwargs):
            self.base_lrs = []
            for group in optimizer.param_groups:
                self.base_lrs.append(group["lr"])
            super().__init__(optimizer, *args, **kwargs)
            for i in range(len(self.base_lrs)):
                self.base_lrs[i] *= 2
    return Early


@pytest.mark.parametrize("factory", [base_lrs_rebuilt, base_lrs_before_super])
@pytest.mark.parametrize("name", LEAVES)
def test_base_lrs_built_by_subclass(name, factory):
    p = DropIn(name, label=f"{name} {factory.__name__}").make_with(
        lambda x: x.sub(name, factory))
    run(p, 10)


# ---- a hyperparameter exposed as a property ----------------------------------------------------

# class -> (attribute, transform of the stored value returned by the property)
PROPERTY_OF = {
    "LambdaLR": ("lr_lambdas", None),
    "MultiplicativeLR": ("lr_lambdas", None),
    "StepLR": ("gamma", 0.5),
    "MultiStepLR": ("gamma", 0.5),
    "ConstantLR": ("factor", 0.5),
    "LinearLR": ("end_factor", 0.5),
    "ExponentialLR": ("gamma", 0.5),
    "PolynomialLR": ("power", 0.5),
    "CosineAnnealingLR": ("T_max", 1),
    "CosineAnnealingWarmRestarts": ("eta_min", 0.5),
    "CyclicLR": ("total_size", 0.5),
    "OneCycleLR": ("total_steps", 1),
    "ReduceLROnPlateau": ("factor", 0.5),
    "SWALR": ("anneal_epochs", 1),
    "SequentialLR": ("_milestones", None),
    "ChainedScheduler": ("_schedulers", None),
}


def property_subclass(name):
    attr, change = PROPERTY_OF[name]
    store = "_hp_" + attr

    def get(self):
        value = self.__dict__[store]
        if isinstance(change, float):
            return value * change
        if isinstance(change, int):
            return value + change
        return value

    def put(self, value):
        self.__dict__[store] = value

    def factory(base):
        return type(f"Prop{name}", (base,), {attr: property(get, put)})
    return factory


@pytest.mark.parametrize("name,kind", KINDS, ids=IDS)
def test_hyperparameter_property(name, kind):
    p = DropIn(name, kind).make_with(lambda x: x.sub(name, property_subclass(name)))
    run(p)
    attr = PROPERTY_OF[name][0]
    if attr not in ("lr_lambdas", "_schedulers", "_milestones"):
        p.apply(lambda x: setattr(x.s, attr, getattr(x.s, attr)), f"s.{attr} = s.{attr}")
        run(p, 6)


# ---- ReduceLROnPlateau's hooks ------------------------------------------------------------------


def plateau_reduce_first_group(base):
    class P(base):
        def _reduce_lr(self, epoch):
            self.reductions = getattr(self, "reductions", 0) + 1
            g = self.optimizer.param_groups[0]
            g["lr"] = max(g["lr"] * self.factor, self.min_lrs[0])
    return P


def plateau_reduce_super(base):
    class P(base):
        def _reduce_lr(self, epoch):
            super()._reduce_lr(epoch)
            self.last_reduction = epoch
    return P


def plateau_is_better(base):
    class P(base):
        def _is_better(self, a, best):
            return a < best - 0.05
    return P


def plateau_public_is_better(base):
    class P(base):
        def is_better(self, a, best):  # torch 2.13 never calls it
            raise AssertionError("is_better called")
    return P


def plateau_in_cooldown(base):
    class P(base):
        @property
        def in_cooldown(self):
            return self.cooldown_counter > 1
    return P


def plateau_init_is_better(base):
    class P(base):
        def _init_is_better(self, mode, threshold, threshold_mode):
            super()._init_is_better(mode, 0.2, "abs")
    return P


def plateau_reset(base):
    class P(base):
        def _reset(self):
            super()._reset()
            self.resets = getattr(self, "resets", 0) + 1
    return P


PLATEAU = [plateau_reduce_first_group, plateau_reduce_super, plateau_is_better,
           plateau_public_is_better, plateau_in_cooldown, plateau_init_is_better, plateau_reset]


@pytest.mark.parametrize("factory", PLATEAU, ids=[f.__name__ for f in PLATEAU])
def test_plateau_hooks(factory):
    p = DropIn("ReduceLROnPlateau").make_with(
        lambda x: x.sub("ReduceLROnPlateau", factory, cooldown=2))
    run(p, 20)
    p.apply(lambda x: x.s.load_state_dict(x.s.state_dict()), "load_state_dict(state_dict())")
    run(p, 6)


# ---- CyclicLR's scale function -------------------------------------------------------------------


def cyclic_scale_fn(base):
    class C(base):
        def scale_fn(self, x):
            return 0.5 ** x
    return C


def cyclic_scale_fn_super(base):
    class C(base):
        def scale_fn(self, x):
            return super().scale_fn(x) * 0.9
    return C


def cyclic_static_triangular2(base):
    class C(base):
        @staticmethod
        def _triangular2_scale_fn(x):
            return 1 / (3.0 ** (x - 1))
    return C


def cyclic_static_exp_range(base):
    class C(base):
        @staticmethod
        def _exp_range_scale_fn(gamma, x):
            return gamma ** (x / 2)
    return C


def cyclic_init_scale_fn(base):
    class C(base):
        def _init_scale_fn(self):
            super()._init_scale_fn()
            if self._scale_fn_custom is None:
                self._scale_fn_ref = self._triangular_scale_fn
    return C


EXP_RANGE = {"mode": "exp_range", "gamma": 0.9}
CYCLIC = [(cyclic_scale_fn, {}), (cyclic_scale_fn_super, {}), (cyclic_scale_fn, EXP_RANGE),
          (cyclic_static_triangular2, {}), (cyclic_static_exp_range, EXP_RANGE),
          (cyclic_init_scale_fn, {})]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("factory,kw", CYCLIC, ids=[f"{f.__name__}-{kw.get('mode', '')}"
                                                   for f, kw in CYCLIC])
def test_cyclic_hooks(factory, kw, kind):
    p = DropIn("CyclicLR", kind).make_with(lambda x: x.sub("CyclicLR", factory, **kw))
    run(p, 14)


# ---- OneCycleLR's anneal functions ---------------------------------------------------------------


def onecycle_anneal_func(base):
    class O(base):
        def _anneal_func(self, start, end, pct):
            return start + (end - start) * pct ** 2
    return O


def onecycle_annealing_cos(base):
    class O(base):
        @staticmethod
        def _annealing_cos(start, end, pct):
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1) * 0.9
    return O


def onecycle_annealing_linear(base):
    class O(base):
        @staticmethod
        def _annealing_linear(start, end, pct):
            return (end - start) * pct ** 0.5 + start
    return O


def onecycle_bc_anneal_func(base):
    class O(base):
        """The pre-2.2 attribute: a scheduler without _anneal_func_type uses anneal_func."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            del self._anneal_func_type
            self.anneal_func = self._annealing_linear
    return O


ONECYCLE = [(onecycle_anneal_func, {}), (onecycle_annealing_cos, {}),
            (onecycle_annealing_linear, {"anneal_strategy": "linear"}),
            (onecycle_annealing_linear, {}), (onecycle_bc_anneal_func, {})]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("factory,kw", ONECYCLE,
                         ids=[f"{f.__name__}-{kw.get('anneal_strategy', '')}"
                              for f, kw in ONECYCLE])
def test_onecycle_hooks(factory, kw, kind):
    p = DropIn("OneCycleLR", kind).make_with(lambda x: x.sub("OneCycleLR", factory, **kw))
    run(p, 14)


@pytest.mark.parametrize("set_anneal_func", [False, True])
def test_onecycle_deleting_anneal_func_type(set_anneal_func):
    """``del s._anneal_func_type``: torch falls back to ``self.anneal_func`` (AttributeError if
    there is none)."""
    p = DropIn("OneCycleLR").make()
    run(p, 3)

    def change(x: Side):
        del x.s._anneal_func_type
        if set_anneal_func:
            x.s.anneal_func = x.s._annealing_linear

    p.apply(change, "del s._anneal_func_type")
    run(p, 8, expect_ok=set_anneal_func)


# ---- SWALR's anneal functions --------------------------------------------------------------------


def swa_anneal_method(base):
    class W(base):
        def anneal_func(self, t):  # shadowed by the instance attribute torch sets
            return t ** 3
    return W


def swa_cosine(base):
    class W(base):
        @staticmethod
        def _cosine_anneal(t):
            return (1 - math.cos(math.pi * t)) / 2 * 0.9 + 0.1 * t
    return W


def swa_linear(base):
    class W(base):
        @staticmethod
        def _linear_anneal(t):
            return t ** 2
    return W


def swa_set_anneal_func(base):
    class W(base):
        def _set_anneal_func(self, anneal_strategy):
            super()._set_anneal_func("linear")
    return W


def swa_get_initial_lr(base):
    class W(base):
        @staticmethod
        def _get_initial_lr(lr, swa_lr, alpha):
            return lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha) * 0.99
    return W


SWALR_HOOKS = [(swa_anneal_method, {}), (swa_cosine, {}),
               (swa_linear, {"anneal_strategy": "linear"}), (swa_linear, {}),
               (swa_set_anneal_func, {}), (swa_get_initial_lr, {})]


@pytest.mark.parametrize("factory,kw", SWALR_HOOKS,
                         ids=[f"{f.__name__}-{kw.get('anneal_strategy', '')}"
                              for f, kw in SWALR_HOOKS])
def test_swalr_hooks(factory, kw):
    p = DropIn("SWALR").make_with(lambda x: x.sub("SWALR", factory, **kw))
    run(p, 10)
    p.apply(lambda x: x.s.load_state_dict(x.s.state_dict()), "load_state_dict(state_dict())")
    run(p, 4)


def test_swalr_set_anneal_func_mid_run():
    p = DropIn("SWALR").make()
    run(p, 2)
    p.apply(lambda x: x.S.SWALR._set_anneal_func(x.s, "linear"), "SWALR._set_anneal_func(s, ...)")
    run(p, 6)
    p.apply(lambda x: x.s._set_anneal_func("cos"), "s._set_anneal_func('cos')")
    run(p, 4)


# ---- torch's static helpers, called directly -------------------------------------------------

HELPERS = [
    ("CyclicLR", lambda x: x.M.CyclicLR._triangular_scale_fn(3)),
    ("CyclicLR", lambda x: x.M.CyclicLR._triangular2_scale_fn(3)),
    ("CyclicLR", lambda x: x.M.CyclicLR._triangular2_scale_fn(1)),
    ("CyclicLR", lambda x: x.M.CyclicLR._exp_range_scale_fn(0.9, 3)),
    ("CyclicLR", lambda x: x.s._scale_fn_ref(2)),
    ("CyclicLR", lambda x: x.s.scale_fn(2)),
    ("CyclicLR", lambda x: x.s._scale_fn_ref.__name__),
    ("OneCycleLR", lambda x: x.M.OneCycleLR._annealing_cos(1.0, 0.0, 0.3)),
    ("OneCycleLR", lambda x: x.M.OneCycleLR._annealing_linear(1.0, 0.0, 0.3)),
    ("OneCycleLR", lambda x: x.s._anneal_func(1.0, 0.0, 0.3)),
    ("OneCycleLR", lambda x: x.s._annealing_cos(0.1, 0.2, 1)),
    ("SWALR", lambda x: x.S.SWALR._cosine_anneal(0.3)),
    ("SWALR", lambda x: x.S.SWALR._linear_anneal(0.3)),
    ("SWALR", lambda x: x.S.SWALR._get_initial_lr(0.1, 0.05, 0.3)),
    ("SWALR", lambda x: x.S.SWALR._get_initial_lr(0.1, 0.05, 1)),
    ("SWALR", lambda x: x.s.anneal_func(0.25)),
    ("SWALR", lambda x: x.s.anneal_func.__name__),
    ("ReduceLROnPlateau", lambda x: x.s._is_better(0.5, 1.0)),
    ("ReduceLROnPlateau", lambda x: x.s.in_cooldown),
    ("ReduceLROnPlateau", lambda x: x.M.ReduceLROnPlateau.in_cooldown.fget(x.s)),
    ("MultiStepLR", lambda x: x.s._get_closed_form_lr()),
    ("StepLR", lambda x: x.s._get_closed_form_lr()),
    ("CosineAnnealingLR", lambda x: x.s._get_closed_form_lr()),
    ("PolynomialLR", lambda x: x.s._get_closed_form_lr()),
    ("SequentialLR", lambda x: x.s.recursive_undo()),
    ("LambdaLR", lambda x: x.M._format_param("x", x.opt, 0.5)),
    ("LambdaLR", lambda x: x.M._param_groups_val_list(x.opt, "lr")),
    ("LambdaLR", lambda x: x.M.EPOCH_DEPRECATION_WARNING),
]


@pytest.mark.parametrize("i", range(len(HELPERS)), ids=[f"{HELPERS[i][0]}-{i}"
                                                        for i in range(len(HELPERS))])
def test_static_helpers(i):
    name, fn = HELPERS[i]
    p = DropIn(name).make()
    run(p, 3)
    vt, vl, exc = p.apply(fn, f"helper {i}")
    assert exc is None
    d = strict_diff(vt, vl, "result")
    assert d is None, d
    run(p, 3)


@pytest.mark.parametrize("name", [c for c in LEAVES if c != "CosineAnnealingWarmRestarts"])
def test_get_lr_outside_step(name):
    """get_lr() called by user code: torch warns (use get_last_lr) and computes from the
    current state; the state is unchanged except what get_lr itself writes (OneCycleLR and
    CyclicLR write momentum)."""
    p = DropIn(name).make()
    run(p, 3)
    vt, vl, exc = p.apply(lambda x: x.s.get_lr(), "s.get_lr()")
    assert exc is None and "get_last_lr" in str(p.last_warnings)
    d = strict_diff(vt, vl, "get_lr()")
    assert d is None, d
    run(p, 3)


# ---- type identity -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSES)
def test_type_identity(name):
    p = DropIn(name).make()
    st_, sl_ = p.scheds[0]
    assert type(sl_) is module_class(name, LR, SWA)
    assert type(st_) is module_class(name, TLR, TSWA)
    assert isinstance(sl_, torch.optim.lr_scheduler.LRScheduler)
    assert isinstance(sl_, LR.LRScheduler)
    assert type(sl_).__name__ == type(st_).__name__
    if name == "ReduceLROnPlateau":
        assert isinstance(sl_, torch.optim.lr_scheduler.ReduceLROnPlateau)
        assert type(sl_) == LR.ReduceLROnPlateau  # noqa: E721 -- the idiom under test
    else:
        assert not isinstance(sl_, torch.optim.lr_scheduler.ReduceLROnPlateau)
        assert type(sl_) != LR.ReduceLROnPlateau  # noqa: E721
    if not UNDER_TORCH:
        # Deliberate difference: lrcore's StepLR is torch's LRScheduler (and ReduceLROnPlateau
        # is torch's ReduceLROnPlateau), but not an instance of torch's StepLR & co.
        if name not in ("ReduceLROnPlateau",):
            assert not isinstance(sl_, module_class(name, TLR, TSWA))
        assert type(sl_) is not type(st_)


# ---- a warmup wrapper that branches on type(x) == ReduceLROnPlateau ------------------------------


def gradual_warmup_class(M):
    """ildoonet's GradualWarmupScheduler (pytorch-gradual-warmup-lr), as published: it branches
    on ``type(self.after_scheduler) != ReduceLROnPlateau`` (the module it imports)."""
    ReduceLROnPlateau = M.ReduceLROnPlateau

    class GradualWarmupScheduler(M._LRScheduler):
        def __init__(self, optimizer, multiplier, total_epoch, after_scheduler=None):
            self.multiplier = multiplier
            if self.multiplier < 1.0:
                raise ValueError("multiplier should be greater thant or equal to 1.")
            self.total_epoch = total_epoch
            self.after_scheduler = after_scheduler
            self.finished = False
            super().__init__(optimizer)

        def get_lr(self):
            if self.last_epoch > self.total_epoch:
                if self.after_scheduler:
                    if not self.finished:
                        self.after_scheduler.base_lrs = [base_lr * self.multiplier
                                                         for base_lr in self.base_lrs]
                        self.finished = True
                    return self.after_scheduler.get_last_lr()
                return [base_lr * self.multiplier for base_lr in self.base_lrs]
            if self.multiplier == 1.0:
                return [base_lr * (float(self.last_epoch) / self.total_epoch)
                        for base_lr in self.base_lrs]
            return [base_lr * ((self.multiplier - 1.0) * self.last_epoch / self.total_epoch + 1.0)
                    for base_lr in self.base_lrs]

        def step_ReduceLROnPlateau(self, metrics, epoch=None):
            if epoch is None:
                epoch = self.last_epoch + 1
            self.last_epoch = epoch if epoch != 0 else 1
            if self.last_epoch <= self.total_epoch:
                warmup_lr = [base_lr * ((self.multiplier - 1.0) * self.last_epoch
                                        / self.total_epoch + 1.0) for base_lr in self.base_lrs]
                for param_group, lr in zip(self.optimizer.param_groups, warmup_lr):
                    param_group["lr"] = lr
            else:
                if epoch is None:
                    self.after_scheduler.step(metrics, None)
                else:
                    self.after_scheduler.step(metrics, epoch - self.total_epoch)

        def step(self, epoch=None, metrics=None):
            if type(self.after_scheduler) != ReduceLROnPlateau:  # noqa: E721
                if self.finished and self.after_scheduler:
                    if epoch is None:
                        self.after_scheduler.step(None)
                    else:
                        self.after_scheduler.step(epoch - self.total_epoch)
                    self._last_lr = self.after_scheduler.get_last_lr()
                else:
                    return super().step(epoch)
            else:
                self.step_ReduceLROnPlateau(metrics, epoch)

    return GradualWarmupScheduler


AFTER = ["StepLR", "CosineAnnealingLR", "ExponentialLR", "ReduceLROnPlateau", "MultiStepLR",
         "LambdaLR", "OneCycleLR", "SWALR"]


@pytest.mark.parametrize("multiplier", [1.0, 2.0])
@pytest.mark.parametrize("after", AFTER)
def test_gradual_warmup_wrapper(after, multiplier):
    p = DropIn(after, label=f"GradualWarmup({after})")

    def make(x: Side):
        inner = x.build(after)
        return gradual_warmup_class(x.M)(x.opt, multiplier, 3, after_scheduler=inner)

    p.make_with(make, "GradualWarmupScheduler")
    for k in range(14):
        if after == "ReduceLROnPlateau":
            p.call(0, "step", opt_step=True, metrics=metric_at(k))
        else:
            p.call(0, "step", opt_step=True)
        st_, sl_ = p.scheds[0]
        d = strict_diff(vars(st_.after_scheduler).get("last_epoch"),
                        vars(sl_.after_scheduler).get("last_epoch"), "after_scheduler.last_epoch")
        assert d is None, d
    assert p.retired is None


def test_subclass_of_every_class_in_one_hierarchy():
    """Subclassing a subclass: the hooks of both levels are honoured."""
    def factory(base):
        return get_lr_scaled(step_logged(base))
    for name in STEP_LEAVES:
        p = DropIn(name).make_with(lambda x: x.sub(name, factory))
        run(p, 6)


@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_of_subclassed_children(name):
    """A composite whose children override get_lr: the composite steps them with their hooks."""
    def make(x: Side):
        sub = get_lr_scaled
        if name == "SequentialLR":
            kids = [x.sub("LinearLR", sub, total_iters=3), x.sub("ExponentialLR", sub)]
            return x.M.SequentialLR(x.opt, kids, [3])
        return x.M.ChainedScheduler([x.sub("ConstantLR", sub), x.sub("ExponentialLR", sub)])
    p = DropIn(name).make_with(make)
    run(p, 10)


def test_default_kw_cover_every_leaf():
    assert set(DEFAULT_KW) == set(CLASSES) - set(COMPOSITES)
