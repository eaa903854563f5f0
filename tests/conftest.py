"""Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "ci"):

* ``ci``: each differential fuzz test (tests/test_fuzz.py, three of them) runs 700 examples,
  2,100 in all, in about a minute.
* ``soak``: 20,000 examples per fuzz test, for long local runs
  (``HYPOTHESIS_PROFILE=soak pytest tests/test_fuzz.py``).

LRCORE_TEST_SCALE multiplies both, as it multiplies the other tests' counts (_pairs.hsettings).
The profiles only set what the fuzz tests leave open: every other test gives its own
max_examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SCALE = float(os.environ.get("LRCORE_TEST_SCALE", "1"))
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=max(1, round(700 * _SCALE)), **_COMMON)
settings.register_profile("soak", max_examples=max(1, round(20_000 * _SCALE)), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --------------------------------------------------------------------------- without torch
# CI also runs the suite on interpreters that have no torch build here. There the differential
# harness (_pairs) takes lrcore.reference as its oracle, and a test module that imports torch at
# its top, itself or through a helper module of tests/, is not collected: which those are is read
# from the modules' own imports, so a new module is sorted without a list to keep.

import ast  # noqa: E402
import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

_HERE = Path(__file__).resolve().parent
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def _top_level_imports(path: Path) -> set[str]:
    """The modules a file imports unconditionally (an import inside ``try`` is optional)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _needs_torch(name: str, seen: set[str]) -> bool:
    if name == "torch":
        return True
    path = _HERE / f"{name}.py"
    if name in seen or not path.exists():
        return False
    seen.add(name)
    return any(_needs_torch(n, seen) for n in _top_level_imports(path))


NEEDS_TORCH = sorted(p.name for p in _HERE.glob("test_*.py") if _needs_torch(p.stem, set()))
collect_ignore = [] if HAVE_TORCH else NEEDS_TORCH


def _oracle_line() -> str:
    if HAVE_TORCH:
        return "oracle: torch"
    return (f"oracle: lrcore.reference (torch is not installed); {len(NEEDS_TORCH)} modules "
            f"need torch and are not collected: {' '.join(NEEDS_TORCH)}")


def pytest_report_header(config):
    return _oracle_line()


def pytest_terminal_summary(terminalreporter):  # -q drops the header; the summary stays
    terminalreporter.write_line(_oracle_line())
