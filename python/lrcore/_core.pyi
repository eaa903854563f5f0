"""lrcore's C++ core, as the Python layer uses it.

Hand-written stub for the pybind11 module built from cpp/bindings/ (tests/test_typing.py runs
stubtest against the built module). The schedulers themselves are Python classes
(lrcore.lr_scheduler); this module gives them a compiled ``step`` that reads the attributes
torch's step reads from the instance, does the arithmetic and the batched param-group update in
C++, and writes back what torch's step writes.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__version__: str

def make_step(cls: type, doc: str) -> Callable[..., Any]:
    """The compiled step() method, for an lrcore scheduler class."""

def make_plan(kind: str | None, fallback: Callable[..., Any], child: bool) -> object:
    """A class's plan (an opaque capsule, stored in the class's ``_lrcore_plan``)."""

# (name, kind, per_group, state, stepped, nullable, optional, attribute, choices) per field.
_FieldRow = tuple[str, str, bool, bool, bool, bool, bool, bool, tuple[str, ...]]

def describe(kind: str) -> list[_FieldRow]:
    """The fields of a core scheduler class, in torch's state_dict order."""

def kinds() -> list[str]:
    """The names of the core's scheduler classes."""

def set_kind_object(kind: str, key: str, value: object) -> None:
    """Give a kind a Python object its loader compares attributes with."""

def set_compiled_steps(on: bool) -> None:
    """Turn the compiled steps on or off (off: every step runs the Python code; for tests)."""

def compiled_steps() -> bool: ...
def simulate(
    scheduler: object, num_steps: int, metrics: Sequence[float] | ArrayLike | None = None
) -> NDArray[np.float64]:
    """The lrs of the coming steps (or of step(metrics[k])), without taking them."""

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

class Snapshot:
    """What a Python step may change in a scheduler (and every scheduler it holds) and in an
    optimizer's param groups, to put back if it fails."""

    def __init__(self, scheduler: object, optimizer: object) -> None: ...
    @property
    def candidates(self) -> list[Any]:
        """The values that may be Tensors (the caller copies those that are)."""
    def restore(self) -> None:
        """Put everything back as it was."""
