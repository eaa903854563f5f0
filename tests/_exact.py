"""Exact comparison of torch's values with lrcore's: same types, same bits, same key order.

Stricter than _pairs.diff, which lets an int stand for the equal float: here an ``eta_min`` of
``0`` is not ``0.0``, a float is not a 0-d Tensor, and a float32 Tensor is not a float64 one.
"""

from __future__ import annotations

import functools
import struct
import types
from typing import Any

import torch


def _float_bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _tensor_bytes(x: torch.Tensor) -> torch.Tensor:
    return x.detach().cpu().reshape(-1).view(torch.uint8)


def diff(a: Any, b: Any, path: str = "") -> str | None:
    """The first difference between torch's ``a`` and lrcore's ``b``, or None.

    Types must be the same (Tensor vs float, Counter vs dict, tuple vs list, int vs float);
    floats and Tensors equal bit for bit (dtype, shape, device, NaN and the sign of zero
    included); dicts equal item by item in order (keys may be Tensors, which hash by
    identity). Functions compare by qualified name (torch's and lrcore's transcriptions are
    different objects), partials by function and arguments."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} (torch) vs {type(b).__name__} {b!r} (lrcore)"
    if isinstance(a, torch.Tensor):
        if (a.dtype != b.dtype or a.shape != b.shape or a.device != b.device
                or a.requires_grad != b.requires_grad
                or not torch.equal(_tensor_bytes(a), _tensor_bytes(b))):
            return f"{path}: {a!r} (torch) vs {b!r} (lrcore)"
        return None
    if isinstance(a, float):
        if _float_bits(a) == _float_bits(b):
            return None
        return f"{path}: {a!r} (torch) vs {b!r} (lrcore)"
    if isinstance(a, dict):
        if len(a) != len(b):
            return f"{path}: keys {list(a)} (torch) vs {list(b)} (lrcore)"
        for (ka, va), (kb, vb) in zip(a.items(), b.items()):
            found = diff(ka, kb, f"{path} key") or diff(va, vb, f"{path}[{ka!r}]")
            if found:
                return found
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: {a!r} (torch) vs {b!r} (lrcore)"
        for i, (x, y) in enumerate(zip(a, b)):
            found = diff(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, (types.FunctionType, types.MethodType)):
        if a.__qualname__ == b.__qualname__:
            return None
        return f"{path}: {a!r} (torch) vs {b!r} (lrcore)"
    if isinstance(a, functools.partial):
        return (diff(a.func, b.func, f"{path}.func") or diff(a.args, b.args, f"{path}.args")
                or diff(a.keywords, b.keywords, f"{path}.keywords"))
    return None if a == b else f"{path}: {a!r} (torch) vs {b!r} (lrcore)"


def assert_same(a: Any, b: Any, where: str) -> None:
    found = diff(a, b)
    if found is not None:
        raise AssertionError(f"{where}: {found}")
