"""How lrcore's classes run lrcore.reference's schedulers on the C++ core.

Each public class (``lrcore.lr_scheduler.StepLR``, ...) derives from its reference class, whose
Python methods are torch's algorithms, and is marked with ``@builtin(kind)``: ``kind`` names
the core's scheduler class that computes its steps. Marking a class

* makes its ``step`` the compiled one (``_core.make_step``): it loads the core's scheduler from
  the instance's attributes, steps it, and writes back what torch's step writes;
* gives it a *plan*, decided once for the class (and for every subclass, when the subclass is
  created): the kind, or none when the class overrides a method or attribute that torch's step
  consults (``get_lr``, ``_reduce_lr``, a hyperparameter turned into a property...), and the
  Python step to run instead (its reference step, which calls those overrides, run atomically).
  An instance whose attributes the core does not model (a Tensor lr, a user's scale function)
  takes that Python step too, for that step only;
* makes its constructor and ``load_state_dict`` check values against the core's description of
  the class, and leave everything as it was when they raise.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from .. import _core
from . import checks, torch_compat, transaction

# The methods and attributes torch's step() of each kind consults: a class overriding any of
# them runs its Python step (the compiled one would not call the override).
_LEAF_HOOKS = ("_update_lr", "get_lr", "_get_closed_form_lr")
HOOKS: dict[str | None, tuple[str, ...]] = {
    None: (),
    "LambdaLR": _LEAF_HOOKS,
    "MultiplicativeLR": _LEAF_HOOKS,
    "StepLR": _LEAF_HOOKS,
    "MultiStepLR": _LEAF_HOOKS,
    "ConstantLR": _LEAF_HOOKS,
    "LinearLR": _LEAF_HOOKS,
    "ExponentialLR": _LEAF_HOOKS,
    "PolynomialLR": _LEAF_HOOKS,
    "CosineAnnealingLR": _LEAF_HOOKS + ("_group_lr",),
    "CosineAnnealingWarmRestarts": ("get_lr",),
    "CyclicLR": _LEAF_HOOKS + ("scale_fn",),
    "OneCycleLR": _LEAF_HOOKS + ("_anneal_func", "_annealing_cos", "_annealing_linear"),
    "ReduceLROnPlateau": ("_is_better", "_reduce_lr", "in_cooldown"),
    "SWALR": _LEAF_HOOKS + ("_get_initial_lr",),
    "SequentialLR": (),
    "ChainedScheduler": (),
    "WarmupLR": (),
    "WarmupCosineLR": _LEAF_HOOKS,
    "WarmupStableDecayLR": _LEAF_HOOKS,
    "InverseSqrtLR": _LEAF_HOOKS,
}
# What a composite calls on a child: a class overriding one of these is stepped by its
# composite's Python step (the composite's compiled step would not call the override).
_CHILD_HOOKS = ("step", "_update_lr", "get_last_lr", "_initial_step", "_reset", "recursive_undo",
                "_sequential_initial", "_sequential_restart", "_sequential_undo")

_compiled_steps: set[int] = set()  # ids of the step descriptors made by _core.make_step


def _is_compiled(step: Any) -> bool:
    return id(step) in _compiled_steps


def compiled_step(scheduler: Any) -> bool:
    """Whether ``scheduler.step`` is lrcore's compiled step (not a subclass's override, nor
    one set on the instance)."""
    return _is_compiled(inspect.getattr_static(scheduler, "step", None))


def _python_step(cls: type) -> Callable[..., Any]:
    """The step a compiled step stands for in ``cls``: the next ``step`` in the method
    resolution order after the first class whose ``step`` is compiled."""
    found = False
    for klass in cls.__mro__:
        step = klass.__dict__.get("step")
        if step is None:
            continue
        if _is_compiled(step):
            found = True
        elif found:
            return step  # type: ignore[no-any-return]
    raise TypeError(f"{cls.__name__} has no Python step")


def _fallback(step: Callable[..., Any]) -> Callable[..., Any]:
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        return transaction.atomic(step, self, self.__dict__.get("optimizer"), self, *args,
                                  **kwargs)

    return run


def _overrides(cls: type, builtin: type, names: tuple[str, ...]) -> bool:
    return any(inspect.getattr_static(cls, name, None) is not
               inspect.getattr_static(builtin, name, None) for name in names)


def _field_descriptors(cls: type, builtin: type) -> bool:
    """Whether ``cls`` turns one of the described fields into a descriptor of its own (a
    property, say): torch's step then reads it through Python."""
    description = checks.describe(builtin) or ()
    for field in description:
        mine = inspect.getattr_static(cls, field.name, None)
        if mine is not inspect.getattr_static(builtin, field.name, None) and (
                hasattr(mine, "__get__") or hasattr(mine, "__set__")):
            return True
    return False


def plan(cls: type) -> None:
    """Decide, once for ``cls``, whether its steps can run on the core."""
    builtin = checks.builtin_class(cls)
    if builtin is None:
        return
    kind = builtin.__dict__["_lrcore_kind"]
    hooks = HOOKS[kind]
    if kind is not None and (_overrides(cls, builtin, hooks) or _field_descriptors(cls, builtin)):
        kind = None
    child = kind is not None and not _overrides(cls, builtin, _CHILD_HOOKS)
    cls._lrcore_plan = _core.make_plan(kind, _fallback(_python_step(cls)), child)  # type: ignore[attr-defined]


def _optimizer_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The optimizer a constructor's arguments name: the optimizer, or that of the scheduler(s)
    a composite or WarmupLR takes first."""
    first = args[0] if args else kwargs.get("optimizer", kwargs.get("scheduler",
                                                                    kwargs.get("schedulers")))
    if hasattr(first, "param_groups"):
        return first
    if isinstance(kwargs.get("optimizer"), object) and hasattr(kwargs.get("optimizer"), "param_groups"):
        return kwargs["optimizer"]
    if isinstance(first, (list, tuple)) and first:
        first = first[0]
    return getattr(first, "optimizer", None)


# The schedulers whose constructor or load_state_dict is running: the reference classes' code
# calls the base class's through super(), which is then the plain one (checked once, outermost).
_busy: set[int] = set()


def _outermost(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Any, inner: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        key = id(self)
        if key in _busy:
            return inner(self, *args, **kwargs)
        _busy.add(key)
        try:
            return function(self, inner, *args, **kwargs)
        finally:
            _busy.discard(key)

    return call


@_outermost
def _construct(self: Any, init: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    torch_compat.adopt_torch_bases()

    def build() -> None:
        init(self, *args, **kwargs)
        checks.check_fields(self)

    transaction.atomic(build, None, _optimizer_of(args, kwargs))


@_outermost
def _load(self: Any, load: Callable[..., None], state_dict: dict[str, Any]) -> None:
    try:
        self._check_state(state_dict)
    except Exception as refusal:
        _raise_as_torch(self, load, state_dict, refusal)
    transaction.atomic(load, self, self.optimizer, self, self._normalize_state(state_dict))


def _raise_as_torch(self: Any, load: Callable[..., None], state_dict: Any,
                    refusal: Exception) -> None:
    """Raise ``refusal`` (a state lrcore does not load) with the type of the error torch's own
    load_state_dict raises on that state, where it raises one (None, a child's state that is
    not a dict, more child states than children...): load it as torch does, put everything
    back, and raise."""
    raising = [refusal]

    def attempt() -> None:
        load(self, dict(state_dict) if isinstance(state_dict, dict) else state_dict)
        raise raising[0]

    same_type: BaseException | None = None
    try:
        transaction.atomic(attempt, self, self.__dict__.get("optimizer"))
    except Exception as error:
        if error is refusal or isinstance(error, type(refusal)):
            raise refusal from None
        try:
            same_type = type(error)(str(refusal))
        except Exception:  # an exception type that takes other arguments: torch's own
            raise error from None
        raise same_type from refusal
    finally:
        # The raised exception's traceback holds this frame: a frame holding the exception
        # would make a cycle, keeping the scheduler alive until the garbage collector runs.
        raising.clear()
        del refusal
        same_type = None


def _constructor(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        _construct(self, init, *args, **kwargs)

    return __init__


def _load_state_dict(load: Callable[[Any, dict[str, Any]], None]) -> Callable[..., None]:
    @functools.wraps(load)
    def load_state_dict(self: Any, state_dict: dict[str, Any]) -> None:
        _load(self, load, state_dict)

    return load_state_dict


def _step_doc(cls: type) -> str:
    """The compiled step's docstring: the signature and the docstring of the step it stands
    for (inspect.signature reads the first line, in the C functions' text-signature form)."""
    step = inspect.getattr_static(cls, "step")  # (before the compiled one replaces it)
    signature = inspect.signature(step)
    plain = signature.replace(
        parameters=[p.replace(annotation=inspect.Parameter.empty)
                    for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty)
    text = str(plain)
    assert text.startswith("(self"), text
    return f"step($self{text[5:]}\n--\n\n{inspect.getdoc(step) or ''}"


def builtin(kind: str | None) -> Callable[[type], type]:
    """Mark an lrcore class whose steps the core's ``kind`` computes (None: the base class)."""

    def mark(cls: type) -> type:
        cls._lrcore_kind = kind  # type: ignore[attr-defined]
        step = _core.make_step(cls, _step_doc(cls))
        _compiled_steps.add(id(step))
        cls.step = step  # type: ignore[attr-defined]
        cls.__init__ = _constructor(cls.__init__)  # type: ignore[misc]
        cls.load_state_dict = _load_state_dict(cls.load_state_dict)  # type: ignore[attr-defined]
        plan(cls)
        return cls

    return mark
