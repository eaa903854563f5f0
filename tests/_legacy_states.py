"""Scheduler state_dicts as torch 1.13 to 2.12 saved them, made with torch 2.13 alone.

torch's ``load_state_dict`` is ``self.__dict__.update(state)``: a checkpoint from an older
release loads into torch 2.13, its keys that 2.13 no longer has stay on the object (and come
back out of ``state_dict()``), the keys it lacks keep the constructor's values. lrcore must do
the same with every such checkpoint (tests/test_legacy_states.py).

The layouts below were measured on the official wheels of every release from 1.13.0 to 2.13.0
(each release's lr_scheduler.py and swa_utils.py run on a torch 2.13 optimizer, stepped,
``state_dict()``-ed, ``torch.save``-d and ``torch.load``-ed by 2.13; patch releases are
byte-identical to their .0 release). Each case here runs a scenario on torch 2.13's scheduler
and rewrites its state into the layout of a range of older releases, by the rules of
``_layout``:

* every LRScheduler (1.13-2.6): a ``verbose`` key (False) after ``last_epoch``; up to 2.7 no
  ``_is_initial`` (added in 2.8).
* CosineAnnealingLR, CosineAnnealingWarmRestarts (1.13-2.4): a defaulted ``eta_min`` is the
  int ``0`` (``0.0`` from 2.5).
* SequentialLR (1.13-2.8): the child switched to at a milestone was stepped with
  ``step(0)``, whose ``_step_count`` is one higher than 2.9's ``_update_lr(0)`` leaves.
* ReduceLROnPlateau: its own key orders (1.13-2.3, 2.4-2.5, 2.6 with ``default_min_lr``,
  2.7 without ``verbose``); no ``_last_lr`` before the first step in 1.13-2.2.
* CyclicLR: 1.13 and 2.0-2.1 save the user's scale_fn itself in ``_scale_fn_custom`` (after
  ``gamma``; 1.13 also ``_scale_fn_ref``, None); from 2.2 it is None or the callable object's
  ``__dict__``, last; ``use_beta1`` from 2.3 (when momentum cycles), and only from 2.3 does
  the constructor write ``max_momentum`` and ``base_momentum`` into the optimizer's param
  groups (the optimizer state saved alongside lacks them). 1.13 cannot save a
  built-in mode (a WeakMethod in the state: torch.save fails), and before 2.3 CyclicLR refuses
  Adam: no such checkpoints exist (``UNSAVEABLE``).
* OneCycleLR (1.13-2.3): ``anneal_func`` (a bound method up to 2.0, a function in 2.1-2.3;
  torch 2.13 unpickles both as the function ``OneCycleLR._annealing_cos`` / ``_linear``) in
  place of ``_anneal_func_type``.
* SWALR (1.13-2.9): ``anneal_func`` (``SWALR._cosine_anneal`` / ``_linear_anneal``) in place of
  ``_anneal_strategy``.

The values are torch 2.13's: every older release computes the same lrs for these scenarios
(checked against the wheels). The scenarios, inputs and case ids are those of that
measurement, 128 cases; the states equal the measured ones, types and key order included.

``legacy_states()`` returns the cases (``Case``); ``build(spec, optimizer, ns)`` builds a
constructor spec with the classes of a namespace (torch's or lrcore's).
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch
import torch.optim.lr_scheduler as TLR
import torch.optim.swa_utils as TSWA

# ------------------------------------------------------------------------------------------
# The optimizers and user callables the checkpoints were saved with


def sgd() -> torch.optim.Optimizer:
    p1 = torch.nn.Parameter(torch.zeros(2))
    p2 = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": 0.05}], lr=0.1,
                           momentum=0.9)


def adam() -> torch.optim.Optimizer:
    p1 = torch.nn.Parameter(torch.zeros(2))
    p2 = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.Adam([{"params": [p1]}, {"params": [p2], "lr": 0.05}], lr=0.1)


OPTIMIZERS = {"sgd": sgd, "adam": adam}


def lam_fn(epoch: int) -> float:
    return 0.95 ** epoch


def mul_fn(epoch: int) -> float:
    return 0.9


class LamObj:
    """A callable object: LambdaLR saves its __dict__."""

    def __init__(self, base: float = 0.9) -> None:
        self.base = base
        self.calls = 0

    def __call__(self, epoch: int) -> float:
        self.calls += 1
        return self.base ** epoch

    def __eq__(self, other: object) -> bool:
        return type(other) is LamObj and vars(other) == vars(self)

    def __repr__(self) -> str:
        return f"LamObj({self.base!r})"


def scale_fn_fn(x: float) -> float:
    return 0.5 ** (x - 1)  # type: ignore[no-any-return]


class ScaleObj:
    """A callable object given to CyclicLR as scale_fn."""

    def __init__(self, g: float = 0.8) -> None:
        self.g = g

    def __call__(self, x: float) -> float:
        return self.g ** x  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return type(other) is ScaleObj and vars(other) == vars(self)

    def __repr__(self) -> str:
        return f"ScaleObj({self.g!r})"


# ------------------------------------------------------------------------------------------
# Scenarios: a constructor spec (data: built with any namespace), the optimizer, the steps
# taken before saving and the inputs of every step.


def _s(cls: str, **kwargs: Any) -> dict[str, Any]:
    return {"cls": cls, "kwargs": kwargs}


def build(spec: dict[str, Any], opt: Any, ns: Any) -> Any:
    """The scheduler of ``spec`` on ``opt``, with ``ns``'s classes (child specs built first)."""

    def conv(v: Any) -> Any:
        if isinstance(v, dict) and "cls" in v:
            return build(v, opt, ns)
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    cls = getattr(ns, spec["cls"])
    args = [conv(a) for a in spec.get("args", [])]
    kwargs = {k: conv(v) for k, v in spec.get("kwargs", {}).items()}
    if spec.get("pass_optimizer", True):
        return cls(opt, *args, **kwargs)
    return cls(*args, **kwargs)


_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
# after the measured ones: plateaus, improvements and relapses for the 30 steps after loading
_METRICS += [0.45 + 0.1 * ((i * 7) % 5) - 0.002 * i for i in range(40)]
_EPOCHS = [0.5, 1.5, 2.25, 3.5, 6.75, 7.0, 8.5, 9.0, 10.5]
_EPOCHS += [11.0 + 0.75 * i for i in range(40)]
LEAF_ERAS = ("1.13-2.6", "2.7", "2.8-2.13")


class Scenario:
    def __init__(self, name: str, cls: str, opt: str, steps: int,
                 spec: Callable[[], dict[str, Any]], eras: tuple[str, ...],
                 metrics: list[float] | None = None, epochs: list[float] | None = None,
                 spec213: Callable[[], dict[str, Any]] | None = None, desc: str = "") -> None:
        self.name = name
        self.cls = cls
        self.opt = opt
        self.steps = steps  # steps taken before saving
        self.spec = spec  # the constructor the checkpoint was saved with
        self.spec213 = spec213 or spec  # the constructor it is loaded into
        self.eras = eras
        self.metrics = metrics
        self.epochs = epochs
        self.desc = desc

    def inputs(self, i: int) -> tuple[Any, ...]:
        """The arguments of step ``i`` (0-based, counted from construction)."""
        if self.metrics is not None:
            return (self.metrics[i],)
        if self.epochs is not None:
            return (self.epochs[i],)
        return ()


SCENARIOS = [
    Scenario("LambdaLR_fn", "LambdaLR", "sgd", 4, lambda: _s("LambdaLR", lr_lambda=lam_fn),
             LEAF_ERAS, desc="lr_lambda a function (saved as None)"),
    Scenario("LambdaLR_obj", "LambdaLR", "sgd", 4,
             lambda: _s("LambdaLR", lr_lambda=[LamObj(0.9), LamObj(0.8)]), LEAF_ERAS,
             desc="lr_lambda callable objects (their __dict__ saved)"),
    Scenario("MultiplicativeLR", "MultiplicativeLR", "sgd", 4,
             lambda: _s("MultiplicativeLR", lr_lambda=mul_fn), LEAF_ERAS),
    Scenario("StepLR", "StepLR", "sgd", 5, lambda: _s("StepLR", step_size=3, gamma=0.5),
             LEAF_ERAS),
    Scenario("MultiStepLR", "MultiStepLR", "sgd", 5,
             lambda: _s("MultiStepLR", milestones=[2, 4, 4, 7], gamma=0.5), LEAF_ERAS,
             desc="a repeated milestone: a Counter value 2"),
    Scenario("ConstantLR", "ConstantLR", "sgd", 2,
             lambda: _s("ConstantLR", factor=0.5, total_iters=4), LEAF_ERAS),
    Scenario("LinearLR", "LinearLR", "sgd", 2,
             lambda: _s("LinearLR", start_factor=0.25, end_factor=1.0, total_iters=4), LEAF_ERAS),
    Scenario("ExponentialLR", "ExponentialLR", "sgd", 3, lambda: _s("ExponentialLR", gamma=0.9),
             LEAF_ERAS),
    Scenario("PolynomialLR", "PolynomialLR", "sgd", 3,
             lambda: _s("PolynomialLR", total_iters=6, power=2.0), LEAF_ERAS),
    Scenario("CosineAnnealingLR", "CosineAnnealingLR", "sgd", 4,
             lambda: _s("CosineAnnealingLR", T_max=6, eta_min=0.001), LEAF_ERAS),
    Scenario("SequentialLR", "SequentialLR", "sgd", 4,
             lambda: _s("SequentialLR", schedulers=[_s("ConstantLR", factor=0.5, total_iters=3),
                                                    _s("ExponentialLR", gamma=0.9)],
                        milestones=[3]),
             ("1.13-2.6", "2.7", "2.8", "2.9-2.13"),
             desc="ConstantLR, then ExponentialLR from milestone 3 (saved after the switch)"),
    Scenario("ChainedScheduler", "ChainedScheduler", "sgd", 3,
             lambda: {"cls": "ChainedScheduler", "pass_optimizer": False,
                      "args": [[_s("ConstantLR", factor=0.5, total_iters=4),
                                _s("ExponentialLR", gamma=0.9)]]}, LEAF_ERAS),
    Scenario("ReduceLROnPlateau", "ReduceLROnPlateau", "sgd", 6,
             lambda: _s("ReduceLROnPlateau", mode="min", factor=0.5, patience=1, cooldown=1,
                        min_lr=0.01),
             ("1.13-2.3", "2.4-2.5", "2.6", "2.7", "2.8-2.13"), metrics=_METRICS,
             desc="a scalar min_lr"),
    Scenario("ReduceLROnPlateau@fresh", "ReduceLROnPlateau", "sgd", 0,
             lambda: _s("ReduceLROnPlateau", mode="min", factor=0.5, patience=1, cooldown=1,
                        min_lr=0.01),
             ("1.13-2.2", "2.3", "2.4-2.5", "2.6", "2.7", "2.8-2.13"), metrics=_METRICS,
             desc="saved before its first step"),
    Scenario("ReduceLROnPlateau_listmin", "ReduceLROnPlateau", "sgd", 6,
             lambda: _s("ReduceLROnPlateau", mode="max", factor=0.5, patience=0,
                        threshold_mode="abs", min_lr=[0.02, 0.001]),
             ("1.13-2.3", "2.4-2.5", "2.6", "2.7", "2.8-2.13"),
             metrics=[-m for m in _METRICS], desc="a min_lr per group, mode max, abs threshold"),
    Scenario("ReduceLROnPlateau_listmin@fresh", "ReduceLROnPlateau", "sgd", 0,
             lambda: _s("ReduceLROnPlateau", mode="max", factor=0.5, patience=0,
                        threshold_mode="abs", min_lr=[0.02, 0.001]),
             ("1.13-2.2", "2.3", "2.4-2.5", "2.6", "2.7", "2.8-2.13"),
             metrics=[-m for m in _METRICS], desc="saved before its first step"),
    Scenario("CyclicLR_triangular", "CyclicLR", "sgd", 5,
             lambda: _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3,
                        mode="triangular"),
             ("2.0-2.1", "2.2", "2.3-2.6", "2.7", "2.8-2.13"), desc="momentum cycled"),
    Scenario("CyclicLR_triangular2", "CyclicLR", "sgd", 7,
             lambda: _s("CyclicLR", base_lr=[0.01, 0.02], max_lr=[0.1, 0.2], step_size_up=2,
                        mode="triangular2", cycle_momentum=False),
             ("2.0-2.1", "2.2-2.6", "2.7", "2.8-2.13")),
    Scenario("CyclicLR_exp_range", "CyclicLR", "sgd", 5,
             lambda: _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range",
                        gamma=0.9),
             ("2.0-2.1", "2.2", "2.3-2.6", "2.7", "2.8-2.13")),
    Scenario("CyclicLR_custom_fn", "CyclicLR", "sgd", 5,
             lambda: _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2,
                        scale_fn=scale_fn_fn, scale_mode="cycle", cycle_momentum=False),
             ("1.13", "2.0-2.1", "2.2-2.6", "2.7", "2.8-2.13"),
             desc="scale_fn a module-level function"),
    Scenario("CyclicLR_custom_obj", "CyclicLR", "sgd", 5,
             lambda: _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2,
                        scale_fn=ScaleObj(0.8), scale_mode="iterations", cycle_momentum=False),
             ("1.13", "2.0-2.1", "2.2-2.6", "2.7", "2.8-2.13"),
             desc="scale_fn a callable object"),
    Scenario("CyclicLR_adam", "CyclicLR", "adam", 5,
             lambda: _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2,
                        base_momentum=0.8, max_momentum=0.9),
             ("2.3-2.6", "2.7", "2.8-2.13"), desc="Adam: beta1 cycled (use_beta1)"),
    Scenario("CosineAnnealingWarmRestarts", "CosineAnnealingWarmRestarts", "sgd", 6,
             lambda: _s("CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.001),
             LEAF_ERAS, desc="saved after the first restart"),
    Scenario("CosineAnnealingWarmRestarts_Tmult1", "CosineAnnealingWarmRestarts", "sgd", 5,
             lambda: _s("CosineAnnealingWarmRestarts", T_0=4),
             ("1.13-2.4", "2.5-2.6", "2.7", "2.8-2.13"), desc="eta_min defaulted"),
    Scenario("CosineAnnealingWarmRestarts_float_epoch", "CosineAnnealingWarmRestarts", "sgd", 5,
             lambda: _s("CosineAnnealingWarmRestarts", T_0=2, T_mult=2, eta_min=0.001),
             LEAF_ERAS, epochs=_EPOCHS, desc="step(epoch) with float epochs: T_cur a float"),
    Scenario("OneCycleLR_cos", "OneCycleLR", "sgd", 4,
             lambda: _s("OneCycleLR", max_lr=[0.1, 0.05], total_steps=12),
             ("1.13-2.0", "2.1-2.3", "2.4-2.6", "2.7", "2.8-2.13")),
    Scenario("OneCycleLR_linear_3phase", "OneCycleLR", "sgd", 5,
             lambda: _s("OneCycleLR", max_lr=0.2, epochs=3, steps_per_epoch=4,
                        anneal_strategy="linear", three_phase=True),
             ("1.13-2.0", "2.1-2.3", "2.4-2.6", "2.7", "2.8-2.13")),
    Scenario("OneCycleLR_adam", "OneCycleLR", "adam", 4,
             lambda: _s("OneCycleLR", max_lr=0.1, total_steps=12, pct_start=0.25),
             ("1.13-2.0", "2.1-2.3", "2.4-2.6", "2.7", "2.8-2.13"), desc="Adam: beta1 cycled"),
    Scenario("OneCycleLR_ctor_mismatch", "OneCycleLR", "sgd", 4,
             lambda: _s("OneCycleLR", max_lr=0.1, total_steps=12, anneal_strategy="cos"),
             ("1.13-2.0", "2.1-2.3", "2.4-2.6", "2.7", "2.8-2.13"),
             spec213=lambda: _s("OneCycleLR", max_lr=0.1, total_steps=12,
                                anneal_strategy="linear"),
             desc="saved with 'cos', loaded into a 'linear' one: up to 2.3's layout the "
                  "constructor's strategy wins"),
    Scenario("SWALR_cos", "SWALR", "sgd", 3,
             lambda: _s("SWALR", swa_lr=0.01, anneal_epochs=4, anneal_strategy="cos"),
             ("1.13-2.6", "2.7", "2.8-2.9", "2.10-2.13")),
    Scenario("SWALR_linear", "SWALR", "sgd", 3,
             lambda: _s("SWALR", swa_lr=[0.01, 0.02], anneal_epochs=3, anneal_strategy="linear"),
             ("1.13-2.6", "2.7", "2.8-2.9", "2.10-2.13")),
    Scenario("SWALR_ctor_mismatch", "SWALR", "sgd", 2,
             lambda: _s("SWALR", swa_lr=0.01, anneal_epochs=5, anneal_strategy="cos"),
             ("1.13-2.6", "2.7", "2.8-2.9", "2.10-2.13"),
             spec213=lambda: _s("SWALR", swa_lr=0.01, anneal_epochs=5,
                                anneal_strategy="linear"),
             desc="saved with 'cos', loaded into a 'linear' one: up to 2.9's layout the "
                  "constructor's strategy wins"),
]

# Configurations of which no checkpoint exists.
UNSAVEABLE = {
    ("CyclicLR", "1.13", "built-in mode"):
        "state_dict() holds _scale_fn_ref, a weakref.WeakMethod: torch.save raises TypeError",
    ("CyclicLR", "1.13-2.2", "Adam"):
        "the constructor raises ValueError (only momentum was cycled)",
}

# ------------------------------------------------------------------------------------------
# The layouts


def _release(era: str) -> tuple[int, int]:
    """The first release of an era, ``"2.4-2.5"`` -> (2, 4)."""
    major, minor = era.split("-")[0].split(".")
    return int(major), int(minor)


def _leaf(state: dict[str, Any], v: tuple[int, int]) -> dict[str, Any]:
    """An LRScheduler's base keys as release ``v`` saved them."""
    out = {}
    for key, value in state.items():
        if key == "_is_initial" and v < (2, 8):
            continue
        out[key] = value
        if key == "last_epoch" and v < (2, 7):
            out["verbose"] = False
    return out


def _replace_key(state: dict[str, Any], old: str, new: str, value: Any) -> dict[str, Any]:
    return {(new if k == old else k): (value if k == old else v) for k, v in state.items()}


_PLATEAU_1_13 = ["factor", "min_lrs", "patience", "verbose", "cooldown", "cooldown_counter",
                 "mode", "threshold", "threshold_mode", "best", "num_bad_epochs", "mode_worse",
                 "eps", "last_epoch", "_last_lr"]
_PLATEAU_2_4 = ["factor", "min_lrs", "patience", "verbose", "cooldown", "cooldown_counter",
                "mode", "threshold", "threshold_mode", "eps", "last_epoch", "_last_lr",
                "mode_worse", "best", "num_bad_epochs"]


def _plateau(state: dict[str, Any], v: tuple[int, int], stepped: bool) -> dict[str, Any]:
    if v >= (2, 8):
        return state
    if v < (2, 4):
        keys = list(_PLATEAU_1_13)
    else:
        keys = list(_PLATEAU_2_4)
    if v >= (2, 6):
        keys.insert(1, "default_min_lr")
    if v >= (2, 7):
        keys.remove("verbose")
    if v < (2, 3) and not stepped:
        keys.remove("_last_lr")
    return {k: (False if k == "verbose" else state[k]) for k in keys}


def _layout(scenario: Scenario, state: dict[str, Any], v: tuple[int, int],
            scheduler: Any) -> dict[str, Any]:
    """torch 2.13's ``state`` of ``scheduler`` as release ``v`` saved it."""
    cls = scenario.cls
    spec = scenario.spec()
    if cls == "ReduceLROnPlateau":
        return _plateau(state, v, scenario.steps > 0)
    if cls == "SequentialLR":
        children = [_leaf(child, v) for child in state["_schedulers"]]
        if v <= (2, 8):  # the switch at a milestone was child.step(0)
            for i, milestone in enumerate(state["_milestones"], start=1):
                if state["last_epoch"] >= milestone:
                    children[i]["_step_count"] += 1
        return {**state, "_schedulers": children}
    if cls == "ChainedScheduler":
        return {**state, "_schedulers": [_leaf(child, v) for child in state["_schedulers"]]}
    state = _leaf(state, v)
    if cls in ("CosineAnnealingLR", "CosineAnnealingWarmRestarts"):
        if v < (2, 5) and "eta_min" not in spec["kwargs"]:
            state["eta_min"] = 0
    elif cls == "CyclicLR":
        if v < (2, 3):
            state.pop("use_beta1", None)
        if v < (2, 2):
            # the user's scale_fn itself (a callable object unpickled: a copy), after gamma
            custom = scheduler._scale_fn_custom
            if custom is not None and not isinstance(custom, type(scale_fn_fn)):
                custom = copy.deepcopy(custom)
            state.pop("_scale_fn_custom")
            out = {}
            for key, value in state.items():
                out[key] = value
                if key == "gamma":
                    out["_scale_fn_custom"] = custom
                    if v < (2, 0):
                        out["_scale_fn_ref"] = None
            state = out
    elif cls == "OneCycleLR":
        if v < (2, 4):
            strategy = state["_anneal_func_type"]
            function = (TLR.OneCycleLR._annealing_cos if strategy == "cos"
                        else TLR.OneCycleLR._annealing_linear)
            state = _replace_key(state, "_anneal_func_type", "anneal_func", function)
    elif cls == "SWALR":
        if v < (2, 10):
            strategy = state["_anneal_strategy"]
            function = (TSWA.SWALR._cosine_anneal if strategy == "cos"
                        else TSWA.SWALR._linear_anneal)
            state = _replace_key(state, "_anneal_strategy", "anneal_func", function)
    return state


def _optimizer_layout(scenario: Scenario, state: dict[str, Any],
                      v: tuple[int, int]) -> dict[str, Any]:
    """The optimizer's state saved next to the scheduler's by release ``v``."""
    if scenario.cls == "CyclicLR" and v < (2, 3):
        for group in state["param_groups"]:
            group.pop("max_momentum", None)
            group.pop("base_momentum", None)
    return state


# ------------------------------------------------------------------------------------------
# The cases

TORCH = type("TorchNamespace", (), {**{n: getattr(TLR, n) for n in TLR.__all__},
                                     "SWALR": TSWA.SWALR})


class Case:
    """One legacy checkpoint: ``state()`` and ``optimizer_state()`` (fresh copies each call)
    as saved by the releases ``versions`` after ``steps_before`` steps of ``scenario``;
    ``spec213()``, the constructor to load them into; ``inputs(i)``, the arguments of
    step ``i``; ``load_error``, the exception torch 2.13's load_state_dict raises, if any."""

    def __init__(self, scenario: Scenario, era: str, state: dict[str, Any],
                 optimizer_state: dict[str, Any]) -> None:
        base, _, rest = scenario.name.partition("@")
        self.id = f"{base}@{rest}@{era}" if rest else f"{scenario.name}@{era}"
        self.cls = scenario.cls
        self.versions = era
        self.scenario = scenario
        self.description = scenario.desc
        self.optimizer = OPTIMIZERS[scenario.opt]
        self.spec213 = scenario.spec213
        self.steps_before = scenario.steps
        self.inputs = scenario.inputs
        self._state = state
        self._optimizer_state = optimizer_state
        # torch 2.13 updates its __dict__, then calls _scale_fn_custom.__dict__.update with
        # the saved function or object itself
        custom = state.get("_scale_fn_custom")
        self.load_error: type[Exception] | None = None
        if custom is not None and not isinstance(custom, dict):
            self.load_error = TypeError

    def state(self) -> dict[str, Any]:
        return _copy_state(self._state)

    def optimizer_state(self) -> dict[str, Any]:
        return copy.deepcopy(self._optimizer_state)

    def __repr__(self) -> str:
        return f"Case({self.id})"


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of a state (the functions in it, torch's, are kept: deepcopy keeps them)."""
    return copy.deepcopy(state)


def _saved(scenario: Scenario) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """torch 2.13's scheduler state, optimizer state and scheduler after the scenario's
    steps before saving."""
    import warnings

    opt = OPTIMIZERS[scenario.opt]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = build(scenario.spec(), opt, TORCH)
        for i in range(scenario.steps):
            opt.step()
            scheduler.step(*scenario.inputs(i))
    return scheduler.state_dict(), opt.state_dict(), scheduler


def legacy_states() -> list[Case]:
    """Every case: each scenario in the layout of each range of releases it differs in."""
    cases = []
    for scenario in SCENARIOS:
        state, optimizer_state, scheduler = _saved(scenario)
        for era in scenario.eras:
            v = _release(era)
            layout = _layout(scenario, _copy_state(state), v, scheduler)
            saved_with = _optimizer_layout(scenario, copy.deepcopy(optimizer_state), v)
            cases.append(Case(scenario, era, layout, saved_with))
    return cases
