"""lrcore's C++ core: torch.optim.lr_scheduler's schedules, bit-identical to torch.

Hand-written stub for the pybind11 module built from cpp/bindings/ (tests/test_typing.py runs
stubtest against the built module and checks every signature below against the binding's own).

Conventions, from the bindings:

* A C++ ``double`` parameter is ``float`` here and a C++ ``std::int64_t`` is ``int`` (pybind11
  also takes any object with ``__float__`` / ``__index__``; the Python layer converts first).
* A ``std::vector`` parameter takes any sequence; the getter of a vector field returns a new list
  (a copy: mutating it does not change the core), hence the properties with a wider setter.
* Constructor arguments bound without names (everything but ``LRScheduler`` and ``DictGroups``)
  are positional-only at runtime; the names here are the C++ parameter names.
* Classes marked ``@type_check_only`` do not exist at runtime: they group the members that
  pybind11 defines on each concrete class (``def_hooks``, ``def_scheduler_methods``, ...).
"""

import types
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from typing import Any, Protocol, SupportsFloat, SupportsIndex, type_check_only

import numpy as np
from numpy.typing import ArrayLike, NDArray

__version__: str

# What the core does with a user callable's result: Python float() of it (a float, an int, a
# numpy scalar, a one-element tensor).
_Real = SupportsFloat | SupportsIndex
# lr_lambda, CyclicLR's scale_fn: called with the epoch (or cycle) as an int.
_EpochFunction = Callable[[int], _Real]
# A hook: a weak reference to the Python scheduler the core calls back (see Bound in prelude.hpp).
_Hook = Callable[[], object] | None

# Every pybind11 class is made by pybind11's own metaclass (pybind11_builtins.pybind11_type).
@type_check_only
class _Pybind11Type(type): ...

@type_check_only
class _Optimizer(Protocol):
    # Read on every access (an optimizer's load_state_dict replaces the list); any iterable of
    # mappings works, as pybind11's list() of it is taken.
    @property
    def param_groups(self) -> Iterable[MutableMapping[str, Any]]: ...

def set_core_slot(descriptor: types.MemberDescriptorType, /) -> None:
    """Tell the fast step() where the Python LRScheduler class keeps _core (its __slots__)."""

class DictGroups(metaclass=_Pybind11Type):
    """The param groups of a Python optimizer."""

    def __init__(self, optimizer: _Optimizer) -> None: ...

class Scheduler(metaclass=_Pybind11Type):
    """State shared by every core scheduler (no constructor: only its subclasses are made)."""

    last_epoch: int
    step_count: int
    is_initial: bool
    within_step: bool
    @property
    def base_lrs(self) -> list[float]: ...
    @base_lrs.setter
    def base_lrs(self, value: Sequence[float], /) -> None: ...
    @property
    def last_lr(self) -> list[float]: ...
    @last_lr.setter
    def last_lr(self, value: Sequence[float], /) -> None: ...
    @property
    def takes_metric(self) -> bool:
        """Stepped with the metric: a ReduceLROnPlateau, or a composite holding one."""
    def undo_epoch(self) -> None: ...

@type_check_only
class _MetricStepped(Scheduler):
    """def_metric_methods: ReduceLROnPlateau and the composites (which may hold one)."""

    def step_metric(self, metric: float, /) -> None: ...
    # One step per metric: shape (len(metrics) + 1, groups).
    def simulate_metrics(self, metrics: ArrayLike, /) -> NDArray[np.float64]: ...

@type_check_only
class _HookedScheduler(Scheduler):
    """def_hooks and step_method: every concrete core class has them."""

    python_step: bool
    step_overridden: bool
    # Set by the Python layer; reading one that was never set raises TypeError.
    get_lr_hook: _Hook
    step_hook: _Hook
    closed_form_hook: _Hook
    @staticmethod
    def step_method(python_class: type, /) -> types.MethodDescriptorType:
        """The C-level ``step($self, epoch=None)`` to install on ``python_class``."""

@type_check_only
class _SteppedScheduler(_HookedScheduler):
    def step(self) -> None: ...
    def simulate(self, num_steps: int, /) -> NDArray[np.float64]: ...

@type_check_only
class _CoreScheduler(_SteppedScheduler):
    """def_scheduler_methods: every core class but the composites and ReduceLROnPlateau."""

    def step_epoch(self, epoch: float, /) -> None: ...
    def update_lr(self, epoch: int | None, /) -> None: ...
    def initial_step(self) -> None: ...
    def compute_lr(self) -> list[float]: ...
    def closed_form_lr(self) -> list[float] | None: ...

class LRScheduler(_CoreScheduler):
    """Core for a Python subclass that supplies get_lr()."""

    def __init__(self, groups: DictGroups, last_epoch: int) -> None: ...

# ---- the multiplicative family (bind_multiplicative.cpp) ------------------------------------

class LambdaLR(_CoreScheduler):
    def __init__(
        self, groups: DictGroups, lr_lambdas: Sequence[_EpochFunction], last_epoch: int, /
    ) -> None: ...

class MultiplicativeLR(_CoreScheduler):
    def __init__(
        self, groups: DictGroups, lr_lambdas: Sequence[_EpochFunction], last_epoch: int, /
    ) -> None: ...

class StepLR(_CoreScheduler):
    step_size: int | list[int] | list[int]
    gamma: float | list[float] | list[float]
    def __init__(
        self, groups: DictGroups, step_size: int | list[int], gamma: float | list[float], last_epoch: int, /
    ) -> None: ...

class MultiStepLR(_CoreScheduler):
    gamma: float | list[float] | list[float]
    def __init__(
        self, groups: DictGroups, milestones: Sequence[int], gamma: float | list[float], last_epoch: int, /
    ) -> None: ...
    @property
    def milestones(self) -> list[int]: ...
    @milestones.setter
    def milestones(self, value: Sequence[int], /) -> None: ...

class ConstantLR(_CoreScheduler):
    factor: float | list[float] | list[float]
    total_iters: int | list[int] | list[int]
    def __init__(
        self, groups: DictGroups, factor: float | list[float], total_iters: int | list[int], last_epoch: int, /
    ) -> None: ...

class LinearLR(_CoreScheduler):
    start_factor: float | list[float] | list[float]
    end_factor: float | list[float] | list[float]
    total_iters: int | list[int] | list[int]
    def __init__(
        self,
        groups: DictGroups,
        start_factor: float | list[float],
        end_factor: float | list[float],
        total_iters: int | list[int],
        last_epoch: int,
        /,
    ) -> None: ...

class ExponentialLR(_CoreScheduler):
    gamma: float | list[float] | list[float]
    def __init__(self, groups: DictGroups, gamma: float | list[float], last_epoch: int, /) -> None: ...

class PolynomialLR(_CoreScheduler):
    total_iters: int | list[int] | list[int]
    power: float | list[float] | list[float]
    def __init__(
        self, groups: DictGroups, total_iters: int | list[int], power: float | list[float], last_epoch: int, /
    ) -> None: ...

# ---- cosine (bind_cosine.cpp) ----------------------------------------------------------------

class CosineAnnealingLR(_CoreScheduler):
    T_max: float | list[float] | list[float]
    eta_min: float | list[float] | list[float]
    # T_max was given as an int (per group, where T_max is): torch's exact integer period test.
    T_max_int: bool | list[bool] | list[bool]
    def __init__(
        self, groups: DictGroups, T_max: float | list[float], eta_min: float | list[float], last_epoch: int, /
    ) -> None: ...

class CosineAnnealingWarmRestarts(_CoreScheduler):
    T_0: int
    T_i: float
    T_mult: int
    eta_min: float | list[float] | list[float]
    T_cur: float
    def __init__(
        self, groups: DictGroups, T_0: int, T_mult: int, eta_min: float | list[float], last_epoch: int, /
    ) -> None: ...

# ---- cyclic (bind_cyclic.cpp) ----------------------------------------------------------------

class CyclicLR(_CoreScheduler):
    total_size: float
    step_ratio: float
    mode: str
    gamma: float
    scale_mode: str
    cycle_momentum: bool
    use_beta1: bool
    def __init__(
        self,
        groups: DictGroups,
        base_lr: Sequence[float],
        max_lr: Sequence[float],
        step_size_up: float,
        step_size_down: float | None,
        mode: str,
        gamma: float,
        scale_fn: _EpochFunction | None,
        scale_mode: str,
        cycle_momentum: bool,
        base_momentum: Sequence[float],
        max_momentum: Sequence[float],
        last_epoch: int,
        /,
    ) -> None: ...
    @property
    def max_lrs(self) -> list[float]: ...
    @max_lrs.setter
    def max_lrs(self, value: Sequence[float], /) -> None: ...
    @property
    def base_momentums(self) -> list[float]: ...
    @base_momentums.setter
    def base_momentums(self, value: Sequence[float], /) -> None: ...
    @property
    def max_momentums(self) -> list[float]: ...
    @max_momentums.setter
    def max_momentums(self, value: Sequence[float], /) -> None: ...
    # The user's scale_fn (None for the built-in modes), wrapped: it returns a float.
    @property
    def scale_fn_custom(self) -> Callable[[int], float] | None: ...
    @scale_fn_custom.setter
    def scale_fn_custom(self, value: _EpochFunction | None, /) -> None: ...
    def init_scale_fn(self) -> None: ...
    def scale_fn(self, x: int, /) -> float: ...

# torch's _schedule_phases entry: (end_step, start_lr, end_lr, start_momentum, end_momentum),
# the last four naming param group keys ("initial_lr", "max_lr", "min_lr", ...).
_Phase = tuple[float, str, str, str, str]

class OneCycleLR(_CoreScheduler):
    total_steps: int
    anneal_strategy: str
    cycle_momentum: bool
    use_beta1: bool
    def __init__(
        self,
        groups: DictGroups,
        max_lr: Sequence[float],
        total_steps: int,
        pct_start: float,
        anneal_strategy: str,
        cycle_momentum: bool,
        base_momentum: Sequence[float],
        max_momentum: Sequence[float],
        div_factor: float,
        final_div_factor: float,
        three_phase: bool,
        last_epoch: int,
        /,
    ) -> None: ...
    @property
    def phases(self) -> list[_Phase]: ...
    @phases.setter
    def phases(self, value: Sequence[_Phase], /) -> None: ...

# ---- ReduceLROnPlateau (bind_plateau.cpp) ----------------------------------------------------

class ReduceLROnPlateau(_HookedScheduler, _MetricStepped):
    factor: float
    default_min_lr: float | None
    patience: int
    cooldown: int
    eps: float
    threshold: float
    mode_max: bool
    threshold_abs: bool
    mode_worse: float
    best: float
    cooldown_counter: int
    num_bad_epochs: int
    def __init__(
        self,
        groups: DictGroups,
        mode: str,
        factor: float,
        patience: int,
        threshold: float,
        threshold_mode: str,
        cooldown: int,
        min_lr: Sequence[float],
        eps: float,
        min_lr_is_list: bool,
        /,
    ) -> None: ...
    @property
    def min_lrs(self) -> list[float]: ...
    @min_lrs.setter
    def min_lrs(self, value: Sequence[float], /) -> None: ...
    def step(self, metric: float, epoch: int | None = None) -> None: ...
    def reset(self) -> None: ...
    def init_is_better(self, mode: str, threshold: float, threshold_mode: str, /) -> None: ...
    def is_better(self, a: float, best_so_far: float, /) -> bool: ...

# ---- SWALR (bind_swa.cpp) --------------------------------------------------------------------

class SWALR(_CoreScheduler):
    anneal_epochs: int
    anneal_strategy: str
    def __init__(
        self,
        groups: DictGroups,
        swa_lr: Sequence[float],
        anneal_epochs: int,
        anneal_strategy: str,
        last_epoch: int,
        /,
    ) -> None: ...
    def anneal_func(self, t: float, /) -> float: ...

# ---- composites (bind_composite.cpp): children are other cores ------------------------------

class SequentialLR(_SteppedScheduler, _MetricStepped):
    def __init__(
        self,
        groups: DictGroups,
        schedulers: Sequence[Scheduler],
        milestones: Sequence[int],
        last_epoch: int,
        /,
    ) -> None: ...
    @property
    def milestones(self) -> list[int]: ...
    @milestones.setter
    def milestones(self, value: Sequence[int], /) -> None: ...

class ChainedScheduler(_SteppedScheduler, _MetricStepped):
    def __init__(self, groups: DictGroups, schedulers: Sequence[Scheduler], /) -> None: ...

class WarmupLR(_SteppedScheduler, _MetricStepped):
    warmup_steps: int
    start_factor: float | list[float]
    warmup_type: int  # 0 linear, 1 cosine, 2 1-sqrt
    prefix: bool
    def __init__(
        self,
        groups: DictGroups,
        scheduler: Scheduler,
        warmup_steps: int,
        start_factor: float | list[float],
        warmup_type: int,
        prefix: bool,
        /,
    ) -> None: ...
    def group_lrs(self) -> list[float]: ...
    def sync_groups(self, lrs: Sequence[float], /) -> None: ...
    def validate(self) -> None: ...
    def factor(self, t: int, g: int, /) -> float: ...

# ---- the schedules torch lacks (bind_schedules.cpp); enumerations cross as ints -------------

class WarmupCosineLR(_CoreScheduler):
    t_initial: int
    warmup_steps: int
    warmup_lr_init: float
    eta_min: float
    min_lr_ratio: float
    floor_is_ratio: bool
    cycle_mul: float
    cycle_decay: float
    cycle_limit: int
    warmup_prefix: bool
    k_decay: float
    def __init__(
        self,
        groups: DictGroups,
        t_initial: int,
        warmup_steps: int,
        warmup_lr_init: float,
        eta_min: float,
        min_lr_ratio: float,
        floor_is_ratio: bool,
        cycle_mul: float,
        cycle_decay: float,
        cycle_limit: int,
        warmup_prefix: bool,
        k_decay: float,
        last_epoch: int,
        /,
    ) -> None: ...
    def validate(self) -> None: ...

class WarmupStableDecayLR(_CoreScheduler):
    num_warmup_steps: int
    num_stable_steps: int
    num_decay_steps: int
    # schedules::Shape as an int (ValueError for an unknown one).
    warmup_type: int
    decay_type: int
    min_lr_ratio: float
    num_cycles: float
    def __init__(
        self,
        groups: DictGroups,
        num_warmup_steps: int,
        num_stable_steps: int,
        num_decay_steps: int,
        warmup_type: int,
        decay_type: int,
        min_lr_ratio: float,
        num_cycles: float,
        last_epoch: int,
        /,
    ) -> None: ...
    def validate(self) -> None: ...

class InverseSqrtLR(_CoreScheduler):
    num_warmup_steps: int
    timescale: int
    noam: bool
    noam_scale: float
    def __init__(
        self,
        groups: DictGroups,
        num_warmup_steps: int,
        timescale: int,
        noam: bool,
        noam_scale: float,
        last_epoch: int,
        /,
    ) -> None: ...
    def validate(self) -> None: ...

class HFScheduleLR(_CoreScheduler):
    # schedules::HFKind as an int, 0-7 (ValueError otherwise).
    kind: int
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: float
    lr_end: float
    power: float
    lr_init: float
    min_lr_rate: float
    # NaN stands for None.
    warmup_lr_rate: float
    def __init__(
        self,
        groups: DictGroups,
        kind: int,
        num_warmup_steps: int,
        num_training_steps: int,
        num_cycles: float,
        lr_end: float,
        power: float,
        lr_init: float,
        min_lr_rate: float,
        warmup_lr_rate: float,
        last_epoch: int,
        /,
    ) -> None: ...
    def validate(self) -> None: ...

# ---- lrcore::functional (bind_functional.cpp) ------------------------------------------------
# steps: converted to a C-contiguous int64 array (epochs: float64); per-group values to float64,
# 1-D. The result has shape steps.shape, plus a last axis of groups when per_group.

def functional_set_max_threads(n: int) -> None: ...
def functional_max_threads() -> int: ...
def functional_step_lr(
    steps: ArrayLike, base_lrs: ArrayLike, per_group: bool, step_size: int, gamma: float
) -> NDArray[np.float64]: ...
def functional_multi_step_lr(
    steps: ArrayLike,
    base_lrs: ArrayLike,
    per_group: bool,
    milestones: Sequence[int],
    gamma: float,
) -> NDArray[np.float64]: ...
def functional_constant_lr(
    steps: ArrayLike, base_lrs: ArrayLike, per_group: bool, factor: float, total_iters: int
) -> NDArray[np.float64]: ...
def functional_linear_lr(
    steps: ArrayLike,
    base_lrs: ArrayLike,
    per_group: bool,
    start_factor: float,
    end_factor: float,
    total_iters: int,
) -> NDArray[np.float64]: ...
def functional_exponential_lr(
    steps: ArrayLike, base_lrs: ArrayLike, per_group: bool, gamma: float
) -> NDArray[np.float64]: ...
def functional_polynomial_lr(
    steps: ArrayLike, base_lrs: ArrayLike, per_group: bool, total_iters: int, power: float
) -> NDArray[np.float64]: ...
def functional_cosine_annealing_lr(
    steps: ArrayLike, base_lrs: ArrayLike, per_group: bool, T_max: float, eta_min: float
) -> NDArray[np.float64]: ...
def functional_cosine_annealing_warm_restarts(
    epochs: ArrayLike,
    base_lrs: ArrayLike,
    per_group: bool,
    T_0: int,
    T_mult: int,
    eta_min: float,
) -> NDArray[np.float64]: ...
def functional_cyclic(
    steps: ArrayLike,
    lo: ArrayLike,
    hi: ArrayLike,
    per_group: bool,
    total_size: float,
    step_ratio: float,
    mode: str,
    gamma: float,
    momentum: bool,
) -> NDArray[np.float64]: ...

# values: (groups, k) per-group values; phases: (end_step, start column, end column) each.
def functional_one_cycle(
    steps: ArrayLike,
    values: ArrayLike,
    per_group: bool,
    phases: Sequence[tuple[float, int, int]],
    total_steps: int,
    cos_strategy: bool,
) -> NDArray[np.float64]: ...
