"""``lrcore plot``: draw the lr curves of scheduler specs such as ``"OneCycleLR(max_lr=0.1,
total_steps=1000)"``, computed with ``scheduler.simulate()`` on a duck optimizer.

A spec is a call of a scheduler class exported by ``lrcore`` (or defined in
``lrcore.lr_scheduler`` / ``lrcore.swa_utils``) without its optimizer, which ``lrcore plot``
supplies. Arguments are parsed with :mod:`ast`, never evaluated as code: Python literals
(numbers, strings, bools, None, lists/tuples/dicts of them), nested scheduler specs (for
``SequentialLR``/``ChainedScheduler``, built on the same optimizer), and for ``LambdaLR``/
``MultiplicativeLR`` a one-argument ``lambda`` made of arithmetic, comparisons, ``x if c else
y``, ``min``/``max``/``abs`` and ``math`` functions (``cos``, ``exp``, ``pi``, ...). A
``WarmupLR`` spec takes the spec of the scheduler it warms up as its first argument, e.g.
``"WarmupLR(CosineAnnealingLR(T_max=1000), warmup_steps=100)"``.
"""

from __future__ import annotations

import ast
import copy
import inspect
import math
import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..reference.lr_scheduler import _split_key
from .chart import Curve

DEFAULT_STEPS = 100
MAX_STEPS = 10**7  # far more points than any chart has pixels; simulate() stays under a second


class SpecError(ValueError):
    """A spec or option that ``lrcore plot`` cannot use; the message is one line for the user."""


# ----------------------------------------------------------------------------- schedulers


def scheduler_classes() -> dict[str, type]:
    """Every scheduler class a spec may name: lrcore's exports and the classes of
    ``lrcore.lr_scheduler`` and ``lrcore.swa_utils`` (not the abstract bases)."""
    import lrcore
    from .. import lr_scheduler, swa_utils

    base = lr_scheduler.LRScheduler
    found: dict[str, type] = {}
    for module in (lrcore, lr_scheduler, swa_utils):
        for name in getattr(module, "__all__", None) or dir(module):
            obj = getattr(module, name, None)
            if (inspect.isclass(obj) and not name.startswith("_")
                    and (issubclass(obj, base) or name == "ReduceLROnPlateau")
                    and obj is not base):
                found.setdefault(name, obj)
    return dict(sorted(found.items()))


def _takes_metric(scheduler: Any) -> bool:
    """Stepped with the metric: a ReduceLROnPlateau or GreedyLR, or a composite holding one."""
    from ..reference.lr_scheduler import _takes_metric as takes_metric

    return takes_metric(scheduler)


# ---------------------------------------------------------------------------- duck optimizer


class DuckOptimizer:
    """What a scheduler needs of an optimizer: ``param_groups`` (SGD-like, with momentum, so
    CyclicLR and OneCycleLR can cycle it) and ``defaults``."""

    def __init__(self, groups: int = 1, lr: float = 0.1, key: str = "lr") -> None:
        self.defaults = {"lr": lr, "momentum": 0.9, "dampening": 0, "weight_decay": 0,
                         "nesterov": False}
        self.param_groups = [dict(self.defaults, params=[], lr=group_lr(lr, g))
                             for g in range(groups)]
        if key != "lr":  # the scheduled field starts where the lr would (lr / (g + 1))
            try:
                name, index = _split_key(key)
            except ValueError as error:
                raise SpecError(f"--key: {error}") from None
            for g, group in enumerate(self.param_groups):
                group["lr"] = lr
                value = group_lr(lr, g)
                if index is None:
                    group[name] = value
                else:  # an element of a tuple field: Adam's betas, or zeros around it
                    existing = group.get(name)
                    held = (list(existing) if isinstance(existing, (tuple, list))
                            else [0.9, 0.999] if name == "betas" else [])
                    held += [0.0] * (index + 1 - len(held))
                    held[index] = value
                    group[name] = tuple(held)


def group_lr(lr: float, group: int) -> float:
    """Group ``g``'s base lr: ``lr / (g + 1)`` (0.1, 0.05, 0.0333..., as in lrcore bench)."""
    return lr / (group + 1)


# ---------------------------------------------------------------------------- spec parsing

_SAFE_FUNCS: dict[str, Any] = {"min": min, "max": max, "abs": abs, "float": float,
                               "int": int, "round": round}
_SAFE_FUNCS.update({name: getattr(math, name) for name in (
    "cos", "sin", "tan", "exp", "log", "log2", "log10", "sqrt", "floor", "ceil", "pi", "e",
    "tanh", "pow")})
_LAMBDA_NODES = (ast.Expression, ast.Lambda, ast.arguments, ast.arg, ast.BinOp, ast.UnaryOp,
                 ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.Name, ast.Load, ast.Constant,
                 ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _safe_lambda(node: ast.Lambda, text: str) -> Any:
    args = node.args
    if (len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs or args.defaults
            or getattr(args, "posonlyargs", [])):
        raise SpecError(f"{text}: a lambda takes exactly one argument (the epoch)")
    name = args.args[0].arg
    for sub in ast.walk(node):
        if not isinstance(sub, _LAMBDA_NODES):
            raise SpecError(f"{text}: a lambda may use only arithmetic, comparisons, "
                            f"'x if c else y' and {', '.join(sorted(_SAFE_FUNCS))}")
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, (int, float)):
            raise SpecError(f"{text}: a lambda may use only numbers as constants")
        if isinstance(sub, ast.Name) and sub.id != name and sub.id not in _SAFE_FUNCS:
            raise SpecError(f"{text}: unknown name {sub.id!r} in the lambda")
        if isinstance(sub, ast.Call) and (not isinstance(sub.func, ast.Name)
                                          or sub.func.id not in _SAFE_FUNCS or sub.keywords):
            raise SpecError(f"{text}: a lambda may call only {', '.join(sorted(_SAFE_FUNCS))}")
    code = compile(ast.Expression(body=node), "<lrcore plot lambda>", "eval")
    return eval(code, {"__builtins__": {}, **_SAFE_FUNCS})  # only vetted nodes above


@dataclass
class Spec:
    text: str  # as the user wrote it, stripped
    cls: type
    node: ast.Call


def parse_spec(text: str, classes: dict[str, type] | None = None) -> Spec:
    """Parse ``"Name(kw=literal, ...)"`` (or a bare ``"Name"``) into a :class:`Spec`."""
    classes = scheduler_classes() if classes is None else classes
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise SpecError(f"{_short(text, 100)!r} is not a scheduler spec such as "
                        f"'StepLR(step_size=30, gamma=0.1)' ({error.msg})") from None
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, absurd nesting
        raise SpecError(f"{text[:60]!r}: cannot parse it ({type(error).__name__})") from None
    node = tree.body
    if isinstance(node, ast.Name):
        node = ast.Call(func=node, args=[], keywords=[])
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise SpecError(f"{text!r} is not a scheduler spec such as "
                        "'StepLR(step_size=30, gamma=0.1)'")
    return Spec(text, _lookup(node.func.id, classes), node)


def _lookup(name: str, classes: dict[str, type]) -> type:
    if name not in classes:
        raise SpecError(f"unknown scheduler {name!r} (choose from {', '.join(classes)})")
    return classes[name]


def _value(node: ast.AST, text: str, optimizer: Any, classes: dict[str, type]) -> Any:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes:
        return _build(node, text, optimizer, classes)
    if isinstance(node, ast.Lambda):
        return _safe_lambda(node, text)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_value(item, text, optimizer, classes) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            _lookup(node.func.id, classes)  # unknown scheduler: say so
        raise SpecError(f"{text}: {ast.unparse(node)!r} is not a literal (numbers, strings, "
                        "True/False/None, lists, tuples, dicts), a scheduler spec or a lambda"
                        ) from None


def _build(node: ast.Call, text: str, optimizer: Any, classes: dict[str, type]) -> Any:
    cls = classes[node.func.id]  # type: ignore[attr-defined]  # an ast.Name: see parse, _value
    if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords):
        raise SpecError(f"{text}: * and ** arguments are not supported")
    if any(k.arg == "optimizer" for k in node.keywords):
        raise SpecError(f"{text}: leave the optimizer out: lrcore plot supplies it "
                        "(see --lr and --groups)")
    args = [_value(a, text, optimizer, classes) for a in node.args]
    # k.arg is None only for **, refused above: the condition tells mypy the keys are str
    kwargs = {k.arg: _value(k.value, text, optimizer, classes) for k in node.keywords
              if k.arg is not None}
    where = _optimizer_argument(cls)
    if where == "first":
        args.insert(0, optimizer)
    elif where == "keyword":  # ChainedScheduler(schedulers, optimizer=None)
        kwargs["optimizer"] = optimizer
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. verbose's deprecation: not the point here
            return cls(*args, **kwargs)
    except Exception as error:  # the scheduler's own message (a lambda's error too), one line
        raise SpecError(f"{text}: {_message(error)}") from None


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _message(error: Exception) -> str:
    """An exception as one line: ValueError/TypeError by their message (torch's wording),
    others prefixed with their type (a lambda's ZeroDivisionError, say)."""
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    text = _short(" ".join(text.split()) or "(no message)")
    if type(error) in (ValueError, TypeError):
        return text
    return f"{type(error).__name__}: {text}"


def _optimizer_argument(cls: type) -> str | None:
    """Where the constructor takes the optimizer: "first" (torch's order), "keyword"
    (ChainedScheduler's optional one), or None (WarmupLR: its scheduler's)."""
    try:
        params = list(inspect.signature(cls).parameters)
    except (TypeError, ValueError):  # pragma: no cover - no signature: assume torch's order
        return "first"
    if params and params[0] == "scheduler":
        return None
    if "optimizer" in params and params[0] != "optimizer":
        return "keyword"
    return "first"


def build(spec: Spec, optimizer: Any, classes: dict[str, type] | None = None,
          key: str = "lr") -> Any:
    """Construct the scheduler a spec names on ``optimizer``, driving ``key`` (given to every
    scheduler in the spec that takes one; composites take their schedulers')."""
    classes = scheduler_classes() if classes is None else classes
    if key != "lr":
        node = copy.deepcopy(spec.node)
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and call.func.id in classes and _drives_a_key(classes[call.func.id])
                    and not any(k.arg == "key" for k in call.keywords)):
                call.keywords.append(ast.keyword("key", ast.Constant(key)))
        return _build(node, spec.text, optimizer, classes)
    return _build(spec.node, spec.text, optimizer, classes)


def _drives_a_key(cls: type) -> bool:
    """Whether ``cls`` takes key="lr" (a composite's key is None: its schedulers')."""
    try:
        parameter = inspect.signature(cls).parameters.get("key")
    except (TypeError, ValueError):  # pragma: no cover
        return False
    return parameter is not None and parameter.default == "lr"


# ----------------------------------------------------------------------------- horizons


def _kw(node: ast.Call, name: str, position: int) -> Any:
    for k in node.keywords:
        if k.arg == name:
            try:
                return ast.literal_eval(k.value)
            except (ValueError, TypeError, SyntaxError):
                return None
    if position < len(node.args):
        try:
            return ast.literal_eval(node.args[position])
        except (ValueError, TypeError, SyntaxError):
            return None
    return None


def _num(value: Any) -> float | None:
    if isinstance(value, (list, tuple)):  # one value per param group: the longest shape wins
        return max((x for x in map(_num, value) if x is not None), default=None)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) and value > 0 else None


def default_steps(node: ast.Call) -> int | None:
    """A horizon that shows the whole shape of the schedule a spec describes, or None.

    Positions are those after the optimizer (torch's argument order)."""
    name = node.func.id  # type: ignore[attr-defined]  # an ast.Name: a parsed spec's
    if name == "OneCycleLR":
        total = _num(_kw(node, "total_steps", 1))
        if total is None:
            epochs, per_epoch = _num(_kw(node, "epochs", 2)), _num(_kw(node, "steps_per_epoch", 3))
            total = epochs * per_epoch if epochs and per_epoch else None
        return int(total) - 1 if total else None  # its last allowed step is total_steps - 1
    if name == "CosineAnnealingLR":
        t_max = _num(_kw(node, "T_max", 0))
        return int(t_max) if t_max else None
    if name == "CosineAnnealingWarmRestarts":
        t0, mult = _num(_kw(node, "T_0", 0)), _num(_kw(node, "T_mult", 1)) or 1
        return int(t0 * (1 + mult + mult * mult)) if t0 else None  # three cycles
    if name == "CyclicLR":
        up = _num(_kw(node, "step_size_up", 2)) or 2000
        down = _num(_kw(node, "step_size_down", 3)) or up
        return int(2 * (up + down))  # two cycles
    if name in ("LinearLR", "ConstantLR", "PolynomialLR"):
        position = {"LinearLR": 2, "ConstantLR": 1, "PolynomialLR": 0}[name]
        total = _num(_kw(node, "total_iters", position)) or 5
        return int(total + max(1, total // 4))
    if name == "StepLR":
        size = _num(_kw(node, "step_size", 0))
        return int(size * 5) if size else None
    if name == "MultiStepLR":
        milestones = _kw(node, "milestones", 0)
        if isinstance(milestones, (list, tuple)) and milestones and all(
                _num(m) for m in milestones):
            return int(max(milestones) * 1.25)
        return None
    if name == "SWALR":
        return int(2 * (_num(_kw(node, "anneal_epochs", 1)) or 10))
    if name == "SequentialLR":
        milestones = _kw(node, "milestones", 1)
        children = [c for c in _children(node) if default_steps(c)]
        if isinstance(milestones, (list, tuple)) and milestones and children:
            return int(max(milestones) + (default_steps(children[-1]) or 0))
        return None
    if name == "ChainedScheduler":
        horizons = [default_steps(c) for c in _children(node)]
        return max([h for h in horizons if h], default=None)
    if name == "WarmupLR":  # positions after the wrapped scheduler's spec
        warmup = _num(_kw(node, "warmup_steps", 1)) or 0
        inner = [default_steps(c) for c in _children(node)]
        horizon = inner[0] if inner and inner[0] else DEFAULT_STEPS
        prefix = _kw(node, "prefix", 4) is True
        return int(warmup + horizon if prefix else max(warmup * 2, horizon))
    return None


def _children(node: ast.Call) -> list[ast.Call]:
    """The scheduler specs inside a composite's (or WarmupLR's) spec."""
    lists = [k.value for k in node.keywords if k.arg in ("schedulers", "scheduler")]
    lists += node.args[:1]
    out = []
    for value in lists:
        values = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        out += [e for e in values if isinstance(e, ast.Call) and isinstance(e.func, ast.Name)]
    return out


# --------------------------------------------------------------------------------- data


def parse_metrics(text: str) -> list[float]:
    """``--metrics``: numbers separated by commas and/or spaces."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise SpecError(f"--metrics: {text!r} is not a list of numbers such as "
                        "'1,0.9,0.9,0.9'") from None
    if not values:
        raise SpecError("--metrics: give at least one number")
    return values


def curves_data(specs: Sequence[str], *, steps: int | None = None, groups: int = 1,
                lr: float = 0.1, metrics: Sequence[float] | None = None,
                key: str = "lr") -> list[Curve]:
    """The curves ``lrcore plot`` draws: for each spec and param group, the lrs of
    ``scheduler.simulate(n)`` (row 0 the lr after construction, row k after k steps).

    Each spec gets a fresh :class:`DuckOptimizer` (``groups`` groups, base lr
    ``lr / (g + 1)``; with another ``key``, that field starts there and is what the curves
    show). ``n`` is ``steps``, or when it is None the largest horizon any spec
    suggests (:func:`default_steps`; 100 when none does); a OneCycleLR curve stops at its last
    allowed step (stepping further raises) when ``steps`` is None. ReduceLROnPlateau is
    simulated with ``metrics`` (one per step, so ``n = len(metrics)``).
    """
    if not specs:
        raise SpecError("give at least one scheduler spec, e.g. 'StepLR(step_size=30)'")
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise SpecError(f"--steps must be a positive integer up to {MAX_STEPS}, got {steps}")
    if groups < 1:
        raise SpecError(f"--groups must be a positive integer, got {groups}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise SpecError(f"--lr must be a positive number, got {lr}")
    classes = scheduler_classes()
    parsed = [parse_spec(s, classes) for s in specs]
    built = [build(spec, DuckOptimizer(groups, lr, key), classes, key) for spec in parsed]
    # ReduceLROnPlateau, and the composites (WarmupLR included) holding one
    stepped_with_metric = [_takes_metric(s) for s in built]
    if any(stepped_with_metric) and metrics is None:
        text = parsed[stepped_with_metric.index(True)].text
        raise SpecError(f"{text}: ReduceLROnPlateau needs --metrics, the value "
                        "each step() gets (e.g. --metrics 1,0.9,0.8,0.8,0.8,0.8)")
    if metrics is not None and not any(stepped_with_metric):
        raise SpecError("--metrics is for specs holding a ReduceLROnPlateau only")
    horizons = [default_steps(p.node) for p, m in zip(parsed, stepped_with_metric) if not m]
    n_default = min(max([h for h in horizons if h], default=DEFAULT_STEPS), MAX_STEPS)
    curves = []
    for spec, scheduler, with_metric in zip(parsed, built, stepped_with_metric):
        try:
            if with_metric:
                lrs = scheduler.simulate(metrics=list(metrics or ()))
            else:
                n = steps if steps is not None else n_default
                if steps is None and spec.cls.__name__ == "OneCycleLR":
                    n = min(n, int(scheduler.total_steps) - 1 - int(scheduler.last_epoch))
                lrs = scheduler.simulate(max(n, 0))
        except Exception as error:  # OneCycleLR past total_steps, a lambda that raises, ...
            raise SpecError(f"{spec.text}: {_message(error)}") from None
        lrs = np.asarray(lrs, dtype=np.float64)
        for g in range(lrs.shape[1]):
            label = spec.text if groups == 1 else f"{spec.text} [group {g}]"
            curves.append(Curve(label, lrs[:, g]))
    return curves
