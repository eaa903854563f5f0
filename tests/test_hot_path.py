"""The per-iteration path: scheduler.step() is the core's C-level method; on the fast path it
runs no Python code but the user's own functions (lr_lambdas); it writes new values into the
param-group dicts as torch does (``group["lr"] = new float``, a new betas tuple), never changing
an object in place; steady-state steps leak nothing; and a class overriding a hook torch's step
consults, or an instance holding values the core does not model (Tensors), steps in Python with
torch's algorithm (the class: always; the instance: for that step).

Speed itself is measured by `lrcore bench`, never asserted here."""

from __future__ import annotations

import copy
import functools
import gc
import itertools
import sys
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as TLR
from torch.optim.swa_utils import SWALR as TorchSWALR

import lrcore.lr_scheduler as LLR
import lrcore.schedules
from lrcore import _core
from lrcore.app.bench import METRIC_STEPPED, NOT_IN_TORCH, SPECS, _namespace
from lrcore.reference import lr_scheduler as RLR
from lrcore.reference import schedules as RSCHED
from lrcore.reference import swa_utils as RSWA
from lrcore.swa_utils import SWALR

LRCORE = _namespace(LLR, SWALR, lrcore.schedules)
TORCH = _namespace(TLR, TorchSWALR)
# lrcore's pure-Python references: the oracle of the schedules torch lacks.
REFERENCE = _namespace(RLR, RSWA.SWALR, RSCHED)


def _sgd(n=3, **kw):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 / (1 + g)}
              for g in range(n)]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9, **kw)


def _adam(n=3):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 / (1 + g)}
              for g in range(n)]
    return torch.optim.Adam(params, lr=0.1)


# bench's specs, but for those whose lrs do not change within a few dozen steps there.
CHANGING = {
    "SWALR": lambda M, o: M.SWALR(o, swa_lr=0.05, anneal_epochs=40),
    "ConstantLR": lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=20),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[10, 20, 20, 40], gamma=0.5),
    "ReduceLROnPlateau": lambda M, o: M.ReduceLROnPlateau(o, patience=2, factor=0.5),
    "GreedyLR": lambda M, o: M.GreedyLR(o, patience=2, min_lr=1e-4),
}


def _build(name, opt, impl=LRCORE):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CHANGING.get(name, SPECS[name])(impl, opt)


def _stepper(name, s):
    # (a partial, not a lambda: it adds no Python frame to a traced step)
    return functools.partial(s.step, 1.0) if name in METRIC_STEPPED else s.step


NAMES = sorted(SPECS)
# Classes whose step is their Python reference's: the core has no kind for them.
PYTHON_STEPPED = {"GreedyLR"}
COMPILED = [n for n in NAMES if n not in PYTHON_STEPPED]
OPTS = pytest.mark.parametrize("make_opt", [_sgd, _adam], ids=["sgd", "adam"])


def _warm(name, opt, s, steps=5):
    step = _stepper(name, s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):  # the first steps warn, and fill caches and pools
            opt.step()
            step()
    return step


def _user_codes(s):
    """The code objects of the user functions a scheduler (or a child) calls: its lr_lambdas."""
    codes = set()
    for f in getattr(s, "lr_lambdas", ()):
        while isinstance(f, functools.partial):
            f = f.func
        code = getattr(f, "__code__", None) or getattr(type(f).__call__, "__code__", None)
        if code is not None:
            codes.add(code)
    for child in list(getattr(s, "_schedulers", ())) + [getattr(s, "scheduler", None)]:
        if child is not None and child is not s and hasattr(child, "optimizer"):
            codes |= _user_codes(child)
    return codes


def _python_calls(step, times=3):
    """The Python functions (code objects) that ``times`` calls of step() run."""
    calls = []

    def profile(frame, event, arg):
        if event == "call":
            calls.append(frame.f_code)

    sys.setprofile(profile)
    try:
        for _ in range(times):
            step()
    finally:
        sys.setprofile(None)
    return calls


# --- the fast path runs no Python --------------------------------------------------------------


def test_the_compiled_classes_have_kinds():
    """Every class of bench's but PYTHON_STEPPED is stepped by the core."""
    kinds = {name: type(_build(name, _sgd())).__dict__.get("_lrcore_kind") for name in NAMES}
    assert sorted(name for name, kind in kinds.items() if kind is not None) == COMPILED


@OPTS
@pytest.mark.parametrize("name", COMPILED)
def test_compiled_step_runs_no_python(name, make_opt):
    """A traced step of each built-in class calls no Python function but the user's lambdas
    (and each of those once per group, as torch's step does)."""
    opt = make_opt()
    s = _build(name, opt)
    step = _warm(name, opt, s)
    calls = _python_calls(step)
    user = _user_codes(s)
    assert [c for c in calls if c not in user] == [], f"{name}: Python frames on the fast path"
    if user:
        assert len(calls) == 3 * len(opt.param_groups), (name, calls)


def test_tracing_sees_the_python_path():
    """The check above can fail: the same trace of a step with compiled steps off (every step
    then runs lrcore.reference's Python) sees torch's methods."""
    opt = _sgd()
    s = _build("StepLR", opt)
    step = _warm("StepLR", opt, s)
    _core.set_compiled_steps(False)
    try:
        names = {c.co_name for c in _python_calls(step)}
    finally:
        _core.set_compiled_steps(True)
    assert {"get_lr", "_update_lr"} <= names


# --- the groups get new values, as torch writes them --------------------------------------------


def _values(opt):
    """Each group's values (not params), with the objects that hold them."""
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


def _frozen(v):
    """A value's exact content now (a float's bits; a tuple's items' bits)."""
    if isinstance(v, float):
        return v.hex()
    if isinstance(v, tuple):
        return tuple(_frozen(x) for x in v)
    return repr(v)


@OPTS
@pytest.mark.parametrize("name", NAMES)
def test_steps_write_new_objects_with_torchs_values(name, make_opt):
    """After every step: group["lr"] (and momentum, betas) equals torch's (lrcore's reference for
    the schedules torch lacks), is a float (a tuple of floats), and every object the groups held
    before the step still holds what it held (the step assigned new ones, mutated none)."""
    opt, opt_o = make_opt(), make_opt()
    s = _build(name, opt)
    oracle = _build(name, opt_o, REFERENCE if name in NOT_IN_TORCH else TORCH)
    step, step_o = _warm(name, opt, s), _warm(name, opt_o, oracle)
    changed = 0
    for _ in range(60):
        held = _values(opt)
        frozen = [{k: _frozen(v) for k, v in g.items()} for g in held]
        step()
        step_o()
        now = _values(opt)
        for g, (before, after, expected, was) in enumerate(zip(held, now, _values(opt_o), frozen)):
            assert {k: _frozen(v) for k, v in before.items()} == was, \
                f"{name}: group {g}'s old objects were changed in place"
            assert type(after["lr"]) is float, (name, after["lr"])
            for key in ("lr", "momentum", "betas"):
                if key in after:
                    assert after[key] == expected[key], (name, g, key, after[key], expected[key])
                    if after[key] != before[key]:
                        changed += 1
                        assert after[key] is not before[key]
            if "betas" in after:
                assert type(after["betas"]) is tuple
    assert changed, f"{name}: no value changed in 60 steps: the check above checked nothing"


def _tree(s):
    """A scheduler and every scheduler it holds, depth first."""
    out = [s]
    for child in getattr(s, "_schedulers", ()):
        out += _tree(child)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_steps_write_torchs_attributes(name):
    """After every step, each scheduler of the tree (a composite's children included) holds
    torch's last_epoch, _step_count and last lrs (lrcore's reference, for the schedules torch
    lacks)."""
    opt, opt_o = _sgd(), _sgd()
    s = _build(name, opt)
    oracle = _build(name, opt_o, REFERENCE if name in NOT_IN_TORCH else TORCH)
    step, step_o = _warm(name, opt, s), _warm(name, opt_o, oracle)
    for k in range(30):
        step()
        step_o()
        for a, b in zip(_tree(s), _tree(oracle), strict=True):
            where = f"{name} step {k}: {type(a).__name__}"
            assert a.get_last_lr() == b.get_last_lr(), where
            for attr in ("last_epoch", "_step_count"):
                assert getattr(a, attr, None) == getattr(b, attr, None), (where, attr)


def test_float_held_elsewhere_is_not_changed():
    """A reference the user keeps (or a checkpoint) keeps its value: the group gets a new float."""
    opt = _sgd(2)
    s = LLR.ExponentialLR(opt, 0.5)
    opt.step()
    s.step()
    s.step()
    held = opt.param_groups[0]["lr"]
    saved = copy.deepcopy(opt.state_dict())
    shallow = opt.state_dict()  # shares the float objects with the groups
    value = held
    s.step()
    assert held == value and held is not opt.param_groups[0]["lr"]
    assert opt.param_groups[0]["lr"] == value * 0.5
    assert shallow["param_groups"][0]["lr"] == value
    assert saved["param_groups"][0]["lr"] == value


def test_updates_equal_torch_and_keep_the_float_type():
    ours, theirs = _adam(2), _adam(2)
    s = LLR.OneCycleLR(ours, max_lr=0.1, total_steps=50)
    t = TLR.OneCycleLR(theirs, max_lr=0.1, total_steps=50)
    for _ in range(40):
        ours.step(), theirs.step()
        s.step(), t.step()
        for a, b in zip(ours.param_groups, theirs.param_groups):
            assert type(a["lr"]) is float and type(a["betas"]) is tuple
            assert a["lr"] == b["lr"] and a["betas"] == b["betas"]


def test_betas_tuple_held_elsewhere_is_not_changed():
    opt = _adam(1)
    s = LLR.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)
    for _ in range(3):
        opt.step()
        s.step()
    held = opt.param_groups[0]["betas"]
    first = held[0]
    s.step()
    assert held[0] == first and opt.param_groups[0]["betas"][0] != first
    assert opt.param_groups[0]["betas"] is not held
    assert opt.param_groups[0]["betas"][1:] == held[1:]


# --- steady state leaks nothing -----------------------------------------------------------------


@OPTS
@pytest.mark.parametrize("name", NAMES)
def test_steady_state_steps_leak_nothing(name, make_opt):
    opt = make_opt()
    s = _build(name, opt)
    step = _warm(name, opt, s)

    def blocks_left(steps):
        gc.collect()
        gc.disable()
        try:
            before = sys.getallocatedblocks()
            for _ in itertools.repeat(None, steps):  # no int objects from the loop itself
                step()
            return sys.getallocatedblocks() - before
        finally:
            gc.enable()

    # Each step frees the floats it replaces and allocates new ones: the counted blocks move by
    # a few (free lists) but do not grow with the steps; a leak of one block a step would show
    # 4500 more.
    blocks_left(500)
    some, many = blocks_left(500), blocks_left(5000)
    assert many - some < 64, f"{name}: {many - some} Python blocks left by 4500 more steps"


# --- the method ----------------------------------------------------------------------------------


def test_step_is_the_cores_method():
    opt = _sgd()
    s = LLR.StepLR(opt, 2)
    assert type(LLR.StepLR.__dict__["step"]).__name__ == "method_descriptor"
    assert LLR.ReduceLROnPlateau.__dict__["step"] is not LLR.StepLR.__dict__["step"]
    assert "step" not in vars(s)
    # The class-level call (as super().step() makes it) is the same step.
    opt.step()
    LLR.StepLR.step(s)
    assert s.last_epoch == 1
    LLR.StepLR.step(s, epoch=None)
    assert s.last_epoch == 2
    with pytest.raises(TypeError):
        s.step(1, 2)  # as torch's step(epoch=None): one argument at most


def test_step_has_torchs_signature():
    assert list(inspect_signature(LLR.StepLR.step)) == ["self", "epoch"]
    assert list(inspect_signature(LLR.ReduceLROnPlateau.step)) == ["self", "metrics", "epoch"]


def inspect_signature(f):
    import inspect

    return inspect.signature(f).parameters


# --- the Python path: overridden hooks (per class), unmodelled values (per step) ---------------


class _HalvingStepLR(LLR.StepLR):
    def get_lr(self):
        return [g["lr"] * 0.5 for g in self.optimizer.param_groups]


class _TorchHalvingStepLR(TLR.StepLR):
    def get_lr(self):
        return [g["lr"] * 0.5 for g in self.optimizer.param_groups]


class _ClosedFormExponentialLR(LLR.ExponentialLR):
    def _get_closed_form_lr(self):
        return [base * 0.25 for base in self.base_lrs]


class _TorchClosedFormExponentialLR(TLR.ExponentialLR):
    def _get_closed_form_lr(self):
        return [base * 0.25 for base in self.base_lrs]


class _GammaPropertyExponentialLR(LLR.ExponentialLR):
    """gamma read through a property: torch's step reads it, so the class steps in Python."""

    @property
    def gamma(self):
        return 0.5 if self.last_epoch % 2 else 0.75

    @gamma.setter
    def gamma(self, value):
        pass


class _TorchGammaPropertyExponentialLR(TLR.ExponentialLR):
    @property
    def gamma(self):
        return 0.5 if self.last_epoch % 2 else 0.75

    @gamma.setter
    def gamma(self, value):
        pass


class _TaggedStepLR(LLR.StepLR):
    """No hook overridden: compiled."""

    tag = "mine"

    def describe(self):
        return f"StepLR every {self.step_size}"


OVERRIDES = {
    "get_lr": (lambda o: _HalvingStepLR(o, 2), lambda o: _TorchHalvingStepLR(o, 2), None),
    "_get_closed_form_lr": (lambda o: _ClosedFormExponentialLR(o, 0.9),
                            lambda o: _TorchClosedFormExponentialLR(o, 0.9), 3),
    "gamma property": (lambda o: _GammaPropertyExponentialLR(o, 0.9),
                       lambda o: _TorchGammaPropertyExponentialLR(o, 0.9), None),
}


@pytest.mark.parametrize("case", list(OVERRIDES))
def test_a_class_overriding_a_hook_steps_in_python(case):
    """The class's plan sends every step to its Python step (which calls the override), with
    torch's results; its base class stays compiled."""
    make_l, make_t, epoch = OVERRIDES[case]
    opt_l, opt_t = _sgd(), _sgd()
    s_l, s_t = make_l(opt_l), make_t(opt_t)
    args = () if epoch is None else (epoch,)
    for _ in range(6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt_l.step(), opt_t.step()
            calls = _python_calls(lambda: s_l.step(*args), times=1)
            s_t.step(*args)
        assert calls, f"{case}: no Python ran"
        assert [g["lr"] for g in opt_l.param_groups] == [g["lr"] for g in opt_t.param_groups]
        assert s_l.last_epoch == s_t.last_epoch and s_l.get_last_lr() == s_t.get_last_lr()
    base = type(s_l).__mro__[1]
    opt = _sgd()
    plain = _build("StepLR", opt) if base is LLR.StepLR else base(opt, 0.9)
    step = _warm("StepLR", opt, plain)
    assert _python_calls(step) == []


def test_a_subclass_without_overrides_stays_compiled():
    opt, opt_t = _sgd(), _sgd()
    s, t = _TaggedStepLR(opt, 2, 0.5), TLR.StepLR(opt_t, 2, 0.5)
    step = _warm("StepLR", opt, s)
    _warm("StepLR", opt_t, t)
    assert _python_calls(step) == []
    t.step(), t.step(), t.step()
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in opt_t.param_groups]


def test_a_hook_set_on_the_instance_steps_in_python():
    """torch's step calls self.get_lr(): an instance attribute overrides it there too."""
    opt_l, opt_t = _sgd(), _sgd()
    s_l, s_t = LLR.StepLR(opt_l, 2), TLR.StepLR(opt_t, 2)
    for s in (s_l, s_t):
        s.get_lr = functools.partial(lambda s: [g["lr"] * 0.9 for g in s.optimizer.param_groups], s)
    for _ in range(4):
        opt_l.step(), opt_t.step()
        s_l.step(), s_t.step()
        assert [g["lr"] for g in opt_l.param_groups] == [g["lr"] for g in opt_t.param_groups]
    del s_l.get_lr, s_t.get_lr  # back to the class's: compiled again
    assert _python_calls(s_l.step) == []
    s_t.step(), s_t.step(), s_t.step()
    assert [g["lr"] for g in opt_l.param_groups] == [g["lr"] for g in opt_t.param_groups]


def test_a_tensor_lr_steps_in_python_for_that_step():
    """A Tensor lr in a group: that step runs torch's algorithm in Python, filling the Tensor in
    place as torch does; once the group holds a float again, the next step is compiled."""
    opt_l, opt_t = _sgd(2), _sgd(2)
    s_l, s_t = LLR.ExponentialLR(opt_l, 0.9), TLR.ExponentialLR(opt_t, 0.9)
    step = _warm("ExponentialLR", opt_l, s_l)
    _warm("ExponentialLR", opt_t, s_t)
    for opt in (opt_l, opt_t):
        opt.param_groups[1]["lr"] = torch.tensor(0.05, dtype=torch.float64)
    tensor = opt_l.param_groups[1]["lr"]
    for _ in range(3):
        calls = _python_calls(step, times=1)
        s_t.step()
        assert calls, "a Tensor lr was stepped without Python"
        assert opt_l.param_groups[1]["lr"] is tensor
        assert tensor.item() == opt_t.param_groups[1]["lr"].item()
        assert opt_l.param_groups[0]["lr"] == opt_t.param_groups[0]["lr"]
        assert type(opt_l.param_groups[0]["lr"]) is float
    for opt in (opt_l, opt_t):
        opt.param_groups[1]["lr"] = opt.param_groups[1]["lr"].item()
    assert _python_calls(step, times=1) == []
    s_t.step()
    assert [g["lr"] for g in opt_l.param_groups] == [g["lr"] for g in opt_t.param_groups]


def test_a_tensor_hyperparameter_steps_in_python_with_torchs_types():
    """gamma a Tensor: torch's lrs become Tensors (group["lr"] * gamma); lrcore's too."""
    opt_l, opt_t = _sgd(2), _sgd(2)
    s_l, s_t = LLR.ExponentialLR(opt_l, 0.9), TLR.ExponentialLR(opt_t, 0.9)
    step = _warm("ExponentialLR", opt_l, s_l)
    _warm("ExponentialLR", opt_t, s_t)
    s_l.gamma = torch.tensor(0.5, dtype=torch.float64)
    s_t.gamma = torch.tensor(0.5, dtype=torch.float64)
    for _ in range(3):
        assert _python_calls(step, times=1)
        s_t.step()
        for a, b in zip(opt_l.param_groups, opt_t.param_groups):
            assert type(a["lr"]) is type(b["lr"]) and bool(a["lr"] == b["lr"])


def test_temporary_scheduler_with_arguments():
    """step(epoch) on a scheduler nobody else references goes through the Python path safely."""
    with pytest.raises(ValueError, match="non-negative"):
        LLR.CosineAnnealingWarmRestarts(_sgd(), T_0=3).step(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LLR.StepLR(_sgd(), 2).step(4)
    LLR.ReduceLROnPlateau(_sgd()).step(torch.tensor(1.0))


def test_verbose_toggled_after_construction_prints(capsys):
    opt = _sgd(1)
    s = LLR.StepLR(opt, 1, 0.5)
    opt.step()
    s.step()
    assert capsys.readouterr().out == ""
    s.verbose = True
    s.step()
    assert capsys.readouterr().out == "Adjusting learning rate of group 0 to 2.5000e-02.\n"
    s.verbose = False
    s.step()
    assert capsys.readouterr().out == ""
