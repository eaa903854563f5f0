"""The package is typed: ``mypy --strict`` passes on python/lrcore, and the hand-written stub of
the compiled core (python/lrcore/_core.pyi) matches the built module.

* ``mypy.stubtest`` compares the stub with the imported ``lrcore._core`` (the installed one, or
  the one on ``PYTHONPATH=python``): every class, method, property and function present in both,
  nothing missing. tests/stubtest_allowlist.txt lists pybind11's artefacts, each explained.
* pybind11's functions carry no ``__text_signature__``, so stubtest cannot compare their
  parameters. ``test_stub_signatures_match_the_bindings`` does: against the signature pybind11
  writes into each docstring (names, positional-only arguments, defaults and types).
* mypy runs once with the ``[tool.mypy]`` configuration of pyproject.toml (strict, on
  python/lrcore); each source file of the package is then a test of its own.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lrcore
from lrcore import _core

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "python" / "lrcore"
ALLOWLIST = Path(__file__).resolve().with_name("stubtest_allowlist.txt")
# The lrcore the tests import (site-packages, or python/ with PYTHONPATH=python): the stub that
# stubtest checks is the one shipped next to this module.
LRCORE_PATH = os.path.dirname(os.path.dirname(os.path.abspath(lrcore.__file__)))
STUB = Path(_core.__file__).with_name("_core.pyi")


def _python(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (LRCORE_PATH, env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


# ------------------------------------------------------------------------------- stubtest


def test_the_stub_ships_with_the_module():
    assert STUB.is_file(), f"{STUB} is missing: the package must ship _core.pyi beside _core"
    assert STUB.with_name("py.typed").is_file()


def test_stubtest(tmp_path):
    proc = _python(["-m", "mypy.stubtest", "lrcore._core", "--allowlist", str(ALLOWLIST)],
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------- the stub against pybind11's signatures
#
# A type is compared in a normal form: names without their modules (typing.SupportsFloat ->
# SupportsFloat, np.float64 -> float64), the stub's aliases expanded, unions as sets, and the
# C++ scalars as the stub spells them: pybind11's `SupportsFloat | SupportsIndex` (a double) is
# `float`, `SupportsInt | SupportsIndex` (an int64) is `int`; Annotated[X, ...] is X.

_SCALARS = {frozenset({"SupportsFloat", "SupportsIndex"}): "float",
            frozenset({"SupportsInt", "SupportsIndex"}): "int"}


def _type(node: ast.expr, aliases: dict[str, ast.expr]) -> tuple:
    if isinstance(node, ast.Constant) and node.value is None:
        return ("name", "None")
    if isinstance(node, ast.Constant) and node.value is Ellipsis:  # Callable[..., R], tuple[T, ...]
        return ("name", "...")
    if isinstance(node, ast.Name) and node.id in aliases:
        return _type(aliases[node.id], aliases)
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Attribute):
        return ("name", node.attr)
    if isinstance(node, ast.List):
        return ("list", tuple(_type(e, aliases) for e in node.elts))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        members: set[tuple] = set()
        for side in (node.left, node.right):
            t = _type(side, aliases)
            members |= t[1] if t[0] == "union" else {t}
        names = frozenset(m[1] for m in members if m[0] == "name")
        for scalar, spelled in _SCALARS.items():
            if scalar <= names:
                members = {m for m in members if m[0] != "name" or m[1] not in scalar}
                members.add(("name", spelled))
        return ("union", frozenset(members)) if len(members) > 1 else members.pop()
    if isinstance(node, ast.Subscript):
        head = _type(node.value, aliases)[1]
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Annotated":
            return _type(args[0], aliases)
        return ("generic", head, tuple(_type(a, aliases) for a in args))
    raise AssertionError(f"unexpected type expression {ast.unparse(node)}")


def _matches(runtime: tuple, stub: tuple) -> bool:
    """Whether the stub's type states what pybind11's does (or narrows an `object`)."""
    if runtime == stub or runtime == ("name", "object"):  # py::object: the stub says what it is
        return True
    if runtime == ("name", "list") and stub[:2] == ("generic", "list"):  # py::list
        return True
    if runtime[:2] == ("generic", "Callable") and stub[0] == "union" and len(stub[1]) == 2:
        # std::function: pybind11 also takes None (an empty function) and returns None for one.
        rest = stub[1] - {("name", "None")}
        return len(rest) == 1 and _matches(runtime, next(iter(rest)))
    if runtime[0] == stub[0] == "union":
        return len(runtime[1]) == len(stub[1]) and all(
            any(_matches(r, s) for s in stub[1]) for r in runtime[1])
    if runtime[0] == stub[0] == "generic" and runtime[1] == stub[1]:
        return len(runtime[2]) == len(stub[2]) and all(map(_matches, runtime[2], stub[2]))
    if runtime[0] == stub[0] == "list":
        return len(runtime[1]) == len(stub[1]) and all(map(_matches, runtime[1], stub[1]))
    return False


def _parameters(fn: ast.FunctionDef) -> list[tuple[str, bool, ast.expr | None, ast.expr | None]]:
    """(name, positional-only, annotation, default) of each parameter."""
    a = fn.args
    assert not (a.vararg or a.kwarg or a.kwonlyargs), ast.unparse(fn)
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    return [(p.arg, i < len(a.posonlyargs), p.annotation, d)
            for i, (p, d) in enumerate(zip(positional, defaults))]


class _Stub:
    """_core.pyi, parsed: its aliases, functions and classes (with their stub-only bases)."""

    def __init__(self, path: Path) -> None:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        self.aliases = {n.targets[0].id: n.value for n in tree.body
                        if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)}
        self.functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        self.classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def member(self, cls: str, name: str, kind: str) -> ast.FunctionDef | ast.AnnAssign | None:
        """The def (kind: "method", "getter" or "setter") or attribute, looked up the stub's MRO."""
        node = self.classes[cls]
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and ast.unparse(item.target) == name:
                return item
            if isinstance(item, ast.FunctionDef) and item.name == name:
                decorators = {ast.unparse(d) for d in item.decorator_list}
                is_kind = {"getter": "property" in decorators,
                           "setter": f"{name}.setter" in decorators,
                           "method": not decorators & {"property", f"{name}.setter"}}[kind]
                if is_kind:
                    return item
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in self.classes:
                found = self.member(base.id, name, kind)
                if found is not None:
                    return found
        return None


def _runtime_signature(doc: str | None, name: str) -> ast.FunctionDef:
    """pybind11's signature line, ``name(a: T, ...) -> R`` (or ``(...) -> R`` for an accessor)."""
    assert doc and "Overloaded function" not in doc, f"{name}: no single pybind11 signature"
    line = doc.splitlines()[0]
    fn = ast.parse(f"def {name}{line[line.index('('):]}: ...").body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn


def _runtime_members() -> list[tuple[str, str, str, str | None]]:
    """(class or "", member, kind, pybind11 docstring) for each callable the module binds."""
    members: list[tuple[str, str, str, str | None]] = []
    for name, value in sorted(vars(_core).items()):
        if isinstance(value, type):
            for member, attr in sorted(vars(value).items()):
                if member.startswith("_") and member != "__init__":
                    continue
                if isinstance(attr, property):
                    members.append((name, member, "getter", attr.fget.__doc__))
                    if attr.fset is not None:
                        members.append((name, member, "setter", attr.fset.__doc__))
                elif isinstance(attr, staticmethod):
                    members.append((name, member, "static", getattr(value, member).__doc__))
                elif type(attr).__name__ == "instancemethod":  # a pybind11 method
                    members.append((name, member, "method", attr.__doc__))
        elif callable(value):
            members.append(("", name, "function", value.__doc__))
    return members


def _stub_parameters(node: ast.FunctionDef | ast.AnnAssign, kind: str):
    """The stub's parameters after self, and its return type, for a runtime member of `kind`."""
    if isinstance(node, ast.AnnAssign):  # an attribute: a getter and a setter of its type
        return ([], node.annotation) if kind == "getter" else (
            [("value", True, node.annotation, None)], ast.Constant(None))
    params = _parameters(node)
    return (params if kind in ("static", "function") else params[1:]), node.returns


RUNTIME_MEMBERS = _runtime_members()


def _member_id(member: tuple[str, str, str, str | None]) -> str:
    cls, name, kind, _ = member
    return f"{cls}.{name}:{kind}" if cls else name


def test_every_bound_function_is_compared():
    # the module binds functions (the schedulers are Python classes); each is a case below
    names = {name for cls, name, kind, _ in RUNTIME_MEMBERS if kind == "function"}
    assert names == set(_Stub(STUB).functions)
    assert {"make_step", "make_plan", "describe", "simulate", "functional_step_lr"} <= names


@pytest.mark.parametrize("member", [
    pytest.param(m, id=_member_id(m))
    for m in RUNTIME_MEMBERS])
def test_stub_signatures_match_the_bindings(member):
    cls, name, kind, doc = member
    stub = _Stub(STUB)
    where = f"{cls}.{name}" if cls else name
    if kind == "function":
        node = stub.functions.get(name)
    else:
        node = stub.member(cls, name, "method" if kind == "static" else kind)
    assert node is not None, f"{where} ({kind}): not in the stub"
    runtime = _runtime_signature(doc, name)
    runtime_params = _parameters(runtime)
    if kind not in ("static", "function"):
        runtime_params = runtime_params[1:]  # self (pybind11 may call it arg0)
    stub_params, stub_return = _stub_parameters(node, kind)
    assert len(stub_params) == len(runtime_params), (
        f"{where}: {len(stub_params)} parameters in the stub, {len(runtime_params)} bound: "
        f"{ast.unparse(runtime.args)}")
    problems = []
    for (r_name, _, r_type, r_default), (s_name, s_posonly, s_type, s_default) in zip(
            runtime_params, stub_params):
        unnamed = re.fullmatch(r"arg\d+", r_name) is not None  # bound without py::arg
        if unnamed != s_posonly or (not unnamed and r_name != s_name):
            problems.append(f"{where}: parameter {s_name!r} should be "
                            + ("positional-only" if unnamed else f"{r_name!r}, by keyword"))
        if (r_default is None) != (s_default is None) or (
                r_default is not None and ast.unparse(r_default) != ast.unparse(s_default)):
            problems.append(f"{where}: parameter {s_name!r}: the default differs")
        assert r_type is not None and s_type is not None, where
        if not _matches(_type(r_type, {}), _type(s_type, stub.aliases)):
            problems.append(f"{where}: parameter {s_name!r} is {ast.unparse(s_type)} in the "
                            f"stub, {ast.unparse(r_type)} bound")
    assert runtime.returns is not None and stub_return is not None, where
    if not _matches(_type(runtime.returns, {}), _type(stub_return, stub.aliases)):
        problems.append(f"{where}: returns {ast.unparse(stub_return)} in the stub, "
                        f"{ast.unparse(runtime.returns)} bound")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------- mypy --strict

# Every module of the package, subpackages included, by its path under python/lrcore.
SOURCES = sorted(p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*")
                 if p.suffix in (".py", ".pyi"))


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory) -> dict[str, list[str]]:
    """mypy's findings by file name: one run over python/lrcore, with pyproject.toml's settings."""
    if not (ROOT / "pyproject.toml").exists():  # pragma: no cover - tests run from the repo
        pytest.skip("needs the source tree")
    cache = tmp_path_factory.mktemp("mypy_cache")
    proc = _python(["-m", "mypy", "--config-file", "pyproject.toml", "--cache-dir", str(cache)],
                   cwd=ROOT)
    lines = proc.stdout.splitlines()
    summary = lines[-1] if lines else ""
    # "Success: no issues found in N source files" or "Found E errors in F files (checked N ...)"
    checked = re.search(r"(\d+) source files?", summary)
    assert proc.returncode in (0, 1) and checked, proc.stdout + proc.stderr
    assert int(checked.group(1)) == len(SOURCES), summary  # all of python/lrcore, stub included
    report: dict[str, list[str]] = {}
    package = Path("python/lrcore")
    for line in lines[:-1]:
        path = Path(line.split(":", 1)[0])
        inside = package in path.parents
        report.setdefault(path.relative_to(package).as_posix() if inside else str(path),
                          []).append(line)
    return report


def test_mypy_reports_nothing_outside_the_package(mypy_report):
    outside = {path: lines for path, lines in mypy_report.items() if path not in SOURCES}
    assert not outside, outside


@pytest.mark.parametrize("name", SOURCES)
def test_mypy_strict(mypy_report, name):
    findings = mypy_report.get(name, [])
    assert not findings, "\n".join(findings)


# ------------------------------------------------------------------ a user's code, mypy --strict

_USER_OK = '''
from __future__ import annotations

from typing import Any

import lrcore
from lrcore import lr_scheduler
from lrcore.schedules import WarmupLR, get_scheduler
from lrcore.swa_utils import SWALR


class Opt:
    def __init__(self) -> None:
        self.param_groups: list[dict[str, Any]] = [{"lr": 0.1, "momentum": 0.9}]


def train(opt: Opt, steps: int) -> list[float]:
    cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=1e-4)
    scheduler: lr_scheduler.LRScheduler = WarmupLR(cosine, warmup_steps=5)
    plateau = lrcore.ReduceLROnPlateau(opt, patience=2)
    swa = SWALR(opt, swa_lr=0.05)
    hf = get_scheduler("linear", opt, num_warmup_steps=2, num_training_steps=steps)
    seen: list[float] = []
    for _ in range(steps):
        scheduler.step()
        plateau.step(1.0)
        swa.step()
        hf.step()
        seen.append(float(scheduler.get_last_lr()[0]))
    state: dict[str, Any] = scheduler.state_dict()
    scheduler.load_state_dict(state)
    return seen
'''

# Each line marked `# E: code` is an error mypy must report with that code, and no other line.
_USER_BAD = '''
from __future__ import annotations

from typing import Any

import lrcore
from lrcore import lr_scheduler


class Opt:
    def __init__(self) -> None:
        self.param_groups: list[dict[str, Any]] = [{"lr": 0.1}]


opt = Opt()
lr_scheduler.StepLR(opt, 3).step("x")  # E: arg-type
lrcore.ReduceLROnPlateau(opt).step()  # E: call-arg
lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2.5)  # E: arg-type
lrcore.WarmupCosineLR(opt, t_initial="10")  # E: arg-type
lrcore.NoSuchScheduler(opt)  # E: attr-defined
state: int = lr_scheduler.StepLR(opt, 3).state_dict()  # E: assignment
'''


def test_user_code_type_checks_strictly(tmp_path):
    """A user's module typed against lrcore's public API: clean code passes ``mypy --strict``
    (lrcore ships py.typed, so nothing is Any by omission), and each misuse is reported."""
    (tmp_path / "user_ok.py").write_text(_USER_OK)
    (tmp_path / "user_bad.py").write_text(_USER_BAD)
    proc = _python(["-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
                    str(tmp_path / "cache"), "user_ok.py", "user_bad.py"], cwd=tmp_path)
    found = {}
    for line in proc.stdout.splitlines():
        match = re.match(r"(user_\w+\.py):(\d+): error: .*\[([\w-]+)\]$", line)
        if match:
            found[(match.group(1), int(match.group(2)))] = match.group(3)
    expected = {("user_bad.py", number): line.split("# E: ")[1]
                for number, line in enumerate(_USER_BAD.splitlines(), start=1)
                if "# E: " in line}
    assert len(expected) == 6
    assert found == expected, proc.stdout + proc.stderr
