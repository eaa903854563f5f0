"""The C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer (CMakePresets.json, `asan`).

Configures the library's own build with ``cmake --preset asan`` (LRCORE_BUILD_TESTS: tests/cpp
inside it, everything compiled with -fsanitize=address,undefined -fno-sanitize-recover=all and
-ffp-contract=off), builds it into build/asan/ and runs ``ctest --preset asan``: the parity and
state tests against torch's trajectories (written by tests/test_cpp.py's _write_reference), the
no-allocation test, and the core fuzzer (tests/cpp/fuzz_core.cpp) for FUZZ_SECONDS seconds
(default 20 here). Any sanitizer report aborts the test binary, so ctest fails.

The no-allocation test runs sanitized too: it replaces the global operator new/delete with
malloc/free, which ASan intercepts (the executable's operator new takes precedence over
libasan's), so the count still sees every allocation and ASan still checks every access;
only ASan's new/delete-mismatch check is lost for that one binary.

To fuzz longer by hand (seeds are printed; `fuzz_core SEED -v` replays one case):

    cmake --preset asan && cmake --build --preset asan
    FUZZ_SECONDS=600 ./build/asan/tests/cpp/fuzz_core
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_cpp import ROOT, _tool, _write_reference  # noqa: E402

FUZZ_SECONDS = os.environ.get("FUZZ_SECONDS", "20")


def _ninja() -> list[str]:
    here = Path(sys.executable).parent / "ninja"
    found = str(here) if here.exists() else None
    if found is None:
        import shutil

        found = shutil.which("ninja")
    if found is None:
        pytest.fail("ninja not found: `pip install '.[test]'` installs it (the asan preset uses it)")
    return [f"-DCMAKE_MAKE_PROGRAM={found}"]


def _gcc_or_clang_with_asan() -> None:
    if sys.platform != "linux":
        pytest.skip("the asan preset is for Linux (gcc or clang with libasan/libubsan)")


@pytest.fixture(scope="module")
def asan_ctest(tmp_path_factory):
    _gcc_or_clang_with_asan()
    data = tmp_path_factory.mktemp("asan_reference")
    _write_reference(data)
    cmake = _tool("cmake")
    run = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    configure = subprocess.run([cmake, "--preset", "asan", *_ninja(),
                                f"-DLRCORE_TEST_DATA={data}"], **run)
    assert configure.returncode == 0, configure.stdout[-8000:]
    build = subprocess.run([cmake, "--build", "--preset", "asan"], **run)
    assert build.returncode == 0, build.stdout[-8000:]
    env = dict(os.environ, FUZZ_SECONDS=FUZZ_SECONDS)
    start = time.monotonic()
    proc = subprocess.run([_tool("ctest"), "--preset", "asan", "--timeout", "600", "-V"],
                          env=env, timeout=900, **run)
    return proc.returncode, proc.stdout, time.monotonic() - start


def test_ctest_under_asan_and_ubsan(asan_ctest):
    returncode, output, _ = asan_ctest
    assert returncode == 0, output[-20000:]
    assert "100% tests passed" in output, output[-20000:]
    for name in ("trajectories", "state", "no_alloc", "fuzz"):
        assert f" {name} " in output or f"{name} ..." in output, (name, output[-4000:])
    # the binaries really are instrumented (libasan linked in)
    binary = ROOT / "build" / "asan" / "tests" / "cpp" / "fuzz_core"
    ldd = subprocess.run(["ldd", str(binary)], stdout=subprocess.PIPE, text=True)
    assert "libasan" in ldd.stdout and "libubsan" in ldd.stdout, ldd.stdout


def test_sanitizers_are_on():
    """The preset's flags are what the issue asks for (and keep -ffp-contract=off: parity)."""
    import json

    presets = json.loads((ROOT / "CMakePresets.json").read_text())
    asan = next(p for p in presets["configurePresets"] if p["name"] == "asan")
    flags = asan["cacheVariables"]["CMAKE_CXX_FLAGS"].split()
    for flag in ("-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                 "-fno-sanitize-recover=all", "-ffp-contract=off"):
        assert flag in flags, flag


def test_fuzz_ran(asan_ctest):
    """The fuzzer ran its cases (its summary line), for the time asked."""
    returncode, output, seconds = asan_ctest
    assert returncode == 0, output[-20000:]
    assert "fuzz_core: seeds from" in output and " cases (" in output, output[-4000:]
    assert seconds >= float(FUZZ_SECONDS) * 0.9
