"""The C++ side: ctest (bit-for-bit parity with torch, state round trips, no allocation per
step), the CMake packaging (add_subdirectory, find_package after install, find_package through
``python -m lrcore --cmakedir``) and the libtorch example.

This file is how ``pytest`` runs the C++ tests. It writes torch 2.13's trajectories and state
dicts for every case of tests/cpp/cases.hpp into a temporary directory, configures and builds
tests/cpp with CMake (Ninja when available) and runs ``ctest --output-on-failure``, which
compares. cmake and ninja come with the ``test`` extra; without cmake these tests fail, they are
not skipped. Build trees live in build/test_cpp/ (ignored by git), so a rerun only rebuilds what
changed. The libtorch example is built only when torch's CMake package is there (compiling
against libtorch takes a minute or two, on two jobs).
"""

from __future__ import annotations

import collections
import copy
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
from torch.optim import lr_scheduler as L
from torch.optim.swa_utils import SWALR

import _composite_cases
import _schedule_cases
from _per_group import merged_state, scalar_kw

ROOT = Path(__file__).resolve().parents[1]
CPP_TESTS = ROOT / "tests" / "cpp"
BUILD = ROOT / "build" / "test_cpp"
STEPS = 60  # steps after construction, per case
K = 23  # the step at which state dicts are saved
BASE_LRS = [0.1, 0.05, 0.3]
JOBS = "2"


# --- tools ----------------------------------------------------------------------------------

def _tool(name: str) -> str:
    """The venv's cmake/ninja (from the test extra) first, then PATH; fail loudly if absent."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: `pip install '.[test]'` installs it")
    return found


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n" \
                                 f"{proc.stdout[-8000:]}"
    return proc


def _generator() -> list[str]:
    ninja = shutil.which("ninja") or (Path(sys.executable).parent / "ninja")
    if Path(ninja).exists():
        return ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}"]
    return []


def _configure_and_build(src: Path, build: Path, *args: str) -> None:
    cmake = _tool("cmake")
    gen = _generator()
    if (build / "CMakeCache.txt").exists():
        gen = []  # the generator is fixed at the first configure
    _run([cmake, "-S", src, "-B", build, *gen, "-DCMAKE_BUILD_TYPE=Release", *args])
    _run([cmake, "--build", build, "--parallel", JOBS])


# --- torch's side of the cases (tests/cpp/cases.hpp builds the same in C++) ----------------

def _kind(name: str) -> str:
    if name in ("cyclic_exp_adam", "onecycle_adam"):
        return "beta1"
    if name in ("cyclic_tri2", "onecycle"):
        return "momentum"
    return "none"


def _optimizer(name: str, n: int = 3):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": BASE_LRS[i % 3]}
              for i in range(n)]
    if _kind(name) == "beta1":
        return torch.optim.Adam(params, lr=0.1, betas=(0.9, 0.999))
    if _kind(name) == "momentum":
        return torch.optim.SGD(params, lr=0.1, momentum=0.9)
    return torch.optim.SGD(params, lr=0.1)


def _scheduler(name: str, o, steps: int):
    if name == "step":
        return L.StepLR(o, 7, 0.5)
    if name == "multistep":
        return L.MultiStepLR(o, [5, 12, 12, 30], 0.3)
    if name == "constant":
        return L.ConstantLR(o, 0.25, 9)
    if name == "linear":
        return L.LinearLR(o, 0.2, 0.9, 17)
    if name == "exponential":
        return L.ExponentialLR(o, 0.93)
    if name == "polynomial":
        return L.PolynomialLR(o, 40, 1.7)
    if name == "lambda":
        return L.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e),
                              lambda e: 0.5 if e < 10 else 0.1])
    if name == "multiplicative":
        return L.MultiplicativeLR(o, lambda e: 0.97)
    if name == "cosine":
        return L.CosineAnnealingLR(o, 25, 0.001)
    if name == "warm_restarts":
        return L.CosineAnnealingWarmRestarts(o, 5, 2, 0.001)
    if name == "cyclic_tri2":
        return L.CyclicLR(o, 0.01, [0.1, 0.2, 0.3], 4, 6, "triangular2")
    if name == "cyclic_exp_adam":
        return L.CyclicLR(o, 0.01, 0.1, 5, mode="exp_range", gamma=0.97)
    if name == "onecycle":
        return L.OneCycleLR(o, [0.1, 0.2, 0.3], total_steps=steps + 1)
    if name == "onecycle_adam":
        return L.OneCycleLR(o, 0.5, total_steps=steps + 1, pct_start=0.25,
                            anneal_strategy="linear", base_momentum=0.8, max_momentum=0.92,
                            three_phase=True)
    if name == "plateau":
        return L.ReduceLROnPlateau(o, "min", 0.5, 3, 0.01, "rel", 2, 0.002)
    if name == "plateau_max_abs":
        return L.ReduceLROnPlateau(o, "max", 0.1, 2, 1e-4, "abs", 0, [0.01, 0.0, 0.05])
    if name == "sequential":
        return L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 5), L.CosineAnnealingLR(o, 20, 0.0)],
                              [5])
    if name == "sequential3":
        return L.SequentialLR(o, [L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.9),
                                  L.StepLR(o, 5, 0.5)], [10, 30])
    if name == "chained":
        return L.ChainedScheduler([L.ConstantLR(o, 0.5, 4), L.ExponentialLR(o, 0.9)])
    if name == "swalr":
        return SWALR(o, [0.05, 0.02, 0.2], 8, "cos")
    if name == "swalr_linear":
        return SWALR(o, 0.01, 5, "linear")
    raise ValueError(name)


NAMES = ["step", "multistep", "constant", "linear", "exponential", "polynomial", "lambda",
         "multiplicative", "cosine", "warm_restarts", "cyclic_tri2", "cyclic_exp_adam",
         "onecycle", "onecycle_adam", "plateau", "plateau_max_abs", "sequential", "sequential3",
         "chained", "swalr", "swalr_linear"]
# every scheduler of torch.optim.lr_scheduler (and SWALR) has at least one case
COVERED = {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
           "LambdaLR", "MultiplicativeLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
           "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler",
           "SWALR"}
METRICS = [1.0 / (1 + min(t, 12)) + 0.001 * ((t * 7) % 5) for t in range(STEPS)]

# Per-group cases (kPerGroupNames in cases.hpp): arguments with one value per group. torch runs
# each once per group g with the scalar values[g]; the reference is group g of run g, and the
# runs' state dicts merged (a list for each argument given per group), which no torch scheduler
# loads: the C++ state is loaded into lrcore's Python scheduler instead.
PG_CASES = {
    "step_pg": ("StepLR", {"step_size": [3, 7, 5], "gamma": [0.5, 0.9, 0.1]}),
    "step_gamma_pg": ("StepLR", {"step_size": 4, "gamma": [0.5, 0.9, 0.1]}),
    "multistep_pg": ("MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": [0.3, 0.9, 2.0]}),
    "constant_pg": ("ConstantLR", {"factor": [0.25, 1.0, 0.5], "total_iters": [9, 3, 0]}),
    "linear_pg": ("LinearLR", {"start_factor": [0.2, 1.0, 0.5], "end_factor": [0.9, 0.1, 1.0],
                               "total_iters": [17, 5, 40]}),
    "exponential_pg": ("ExponentialLR", {"gamma": [0.93, 0.5, 1.0]}),
    "polynomial_pg": ("PolynomialLR", {"total_iters": [40, 10, 25], "power": [1.7, 1.0, 0.5]}),
    "cosine_pg": ("CosineAnnealingLR", {"T_max": [25, 7.5, 10], "eta_min": [0.001, 0.0, 0.01]}),
    "cosine_eta_pg": ("CosineAnnealingLR", {"T_max": 12, "eta_min": [0.001, 0.0, 0.05]}),
    "warm_restarts_pg": ("CosineAnnealingWarmRestarts",
                         {"T_0": 5, "T_mult": 2, "eta_min": [0.001, 0.0, 0.02]}),
    "sequential_pg": ("SequentialLR", [
        ("LinearLR", {"start_factor": [0.1, 0.5, 1.0], "end_factor": 1.0, "total_iters": [5, 3, 5]}),
        ("CosineAnnealingLR", {"T_max": [20, 30, 9], "eta_min": [0.0, 0.001, 0.01]})], [5]),
    "chained_pg": ("ChainedScheduler", [
        ("ConstantLR", {"factor": [0.5, 0.1, 1.0], "total_iters": 4}),
        ("ExponentialLR", {"gamma": [0.9, 0.99, 0.95]})]),
}


def _pg_scheduler(mod, name: str, o, g: int | None):
    """A per-group case built with module ``mod``: with the lists (g None) or group g's scalars."""
    cls, *args = PG_CASES[name]

    def leaf(c: str, kw: dict):
        return getattr(mod, c)(o, **(kw if g is None else scalar_kw(c, kw, g)))

    if cls == "SequentialLR":
        return mod.SequentialLR(o, [leaf(c, kw) for c, kw in args[0]], args[1])
    if cls == "ChainedScheduler":
        return mod.ChainedScheduler([leaf(c, kw) for c, kw in args[0]])
    return leaf(cls, args[0])


def _pg_merged_state(name: str, states: list[dict]) -> dict:
    cls, *args = PG_CASES[name]
    if cls not in ("SequentialLR", "ChainedScheduler"):
        return merged_state(cls, args[0])(states)
    out = dict(states[0])
    out["_last_lr"] = [s["_last_lr"][g] for g, s in enumerate(states)]
    out["_schedulers"] = [merged_state(c, kw)([s["_schedulers"][i] for s in states])
                          for i, (c, kw) in enumerate(args[0])]
    return out


def _torch_run_per_group(name: str):
    """A per-group case in torch, one run per group: the merged trajectory, and at step K the
    merged state dict and param groups."""
    opts = [_optimizer(name) for _ in BASE_LRS]
    scheds = [_pg_scheduler(L, name, o, g) for g, o in enumerate(opts)]

    def snapshot() -> list[float]:
        return ([float(o.param_groups[g]["lr"]) for g, o in enumerate(opts)] +
                [float(s.get_last_lr()[g]) for g, s in enumerate(scheds)])

    traj = [snapshot()]
    saved = None
    for t in range(1, STEPS + 1):
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        traj.append(snapshot())
        if t == K:
            states = [json.loads(json.dumps(s.state_dict())) for s in scheds]
            saved = (_pg_merged_state(name, states),
                     [_groups_json(o)[g] for g, o in enumerate(opts)], None)
    return traj, saved


def _step(name: str, sched, t: int) -> None:
    if isinstance(sched, L.ReduceLROnPlateau):
        sched.step(METRICS[t - 1])
    else:
        sched.step()


def _snapshot(name: str, o, sched) -> list[float]:
    values = [g["lr"] for g in o.param_groups] + list(sched.get_last_lr())
    if _kind(name) == "momentum":
        values += [g["momentum"] for g in o.param_groups]
    elif _kind(name) == "beta1":
        values += [g["betas"][0] for g in o.param_groups]
    return [float(v) for v in values]


def _groups_json(o) -> list[dict]:
    keys = ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr", "max_momentum",
            "base_momentum", "swa_lr")
    return [{k: (list(g[k]) if k == "betas" else g[k]) for k in keys if k in g}
            for g in o.param_groups]


def _from_json_state(state):
    """A state dict read from JSON, as torch's load_state_dict expects it (milestones: Counter)."""
    if isinstance(state, dict):
        out = {k: _from_json_state(v) for k, v in state.items()}
        if isinstance(out.get("milestones"), dict):
            out["milestones"] = collections.Counter(
                {int(k): v for k, v in out["milestones"].items()})
        return out
    if isinstance(state, list):
        return [_from_json_state(v) for v in state]
    return state


def _torch_run(name: str):
    """Run a case in torch: the trajectory, and the state dict / optimizer state at step K."""
    o = _optimizer(name)
    sched = _scheduler(name, o, STEPS)
    traj = [_snapshot(name, o, sched)]
    saved = None
    for t in range(1, STEPS + 1):
        o.step()
        _step(name, sched, t)
        traj.append(_snapshot(name, o, sched))
        if t == K:
            saved = (json.loads(json.dumps(sched.state_dict())), _groups_json(o),
                     copy.deepcopy(o.state_dict()))
    return traj, saved


def _write_reference(data: Path) -> dict:
    saved_all = {}
    (data / "cpp_out").mkdir(parents=True, exist_ok=True)
    (data / "metrics.txt").write_text("".join(f"{m.hex()}\n" for m in METRICS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in NAMES + list(PG_CASES):
            traj, saved = _torch_run_per_group(name) if name in PG_CASES else _torch_run(name)
            (data / f"{name}.traj").write_text(
                "".join(" ".join(v.hex() for v in line) + "\n" for line in traj))
            state, groups, opt_state = saved
            (data / f"{name}.state.json").write_text(json.dumps(state))
            (data / f"{name}.groups.json").write_text(
                json.dumps({"k": K, "param_groups": groups}))
            saved_all[name] = (traj, state, opt_state)
    _schedule_cases.write(data)  # lrcore.schedules' cases, from lrcore.reference.schedules
    _composite_cases.write(data)  # plateaus in composites, WarmupLR: from tests/_oracles.py
    return saved_all


@pytest.fixture(scope="module")
def ctest_run(tmp_path_factory):
    """torch's reference files, the C++ tests built, ctest run: (returncode, output, data)."""
    data = tmp_path_factory.mktemp("cpp_reference")
    saved = _write_reference(data)
    build = BUILD / "tests"
    _configure_and_build(CPP_TESTS, build, f"-DLRCORE_TEST_DATA={data}")
    proc = subprocess.run([_tool("ctest"), "--test-dir", str(build), "--output-on-failure"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout, data, saved


def test_cases_cover_every_scheduler():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = {type(_scheduler(n, _optimizer(n), STEPS)).__name__ for n in NAMES}
    assert names == COVERED
    cases_hpp = (CPP_TESTS / "cases.hpp").read_text()
    for name in NAMES + list(PG_CASES):
        assert f'"{name}"' in cases_hpp, name


def test_composite_cases_are_the_same_in_python_and_cpp():
    hpp = (CPP_TESTS / "composite_cases.hpp").read_text()
    names = hpp[hpp.index("kNames = {"):hpp.index("};", hpp.index("kNames = {"))]
    assert sorted(n.strip().strip('"') for n in names.split("{")[1].split(",") if n.strip()) \
        == sorted(_composite_cases.CASES)


def test_ctest(ctest_run):
    """Trajectories, torch -> C++ state loading, and no allocation per step, all in ctest."""
    returncode, output, _, _ = ctest_run
    assert returncode == 0, output
    assert "100% tests passed" in output, output


@pytest.mark.parametrize("name", NAMES)
def test_cpp_state_loads_into_torch(ctest_run, name):
    """C++ -> torch: the C++ save_state at step K equals torch's state_dict, and torch loads it
    and continues exactly as the uninterrupted run."""
    _, output, data, saved = ctest_run
    path = data / "cpp_out" / f"{name}.state.json"
    assert path.exists(), output
    cpp_state = json.loads(path.read_text())
    traj, torch_state, opt_state = saved[name]
    assert cpp_state == torch_state
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = _optimizer(name)
        sched = _scheduler(name, o, STEPS)
        o.load_state_dict(opt_state)
        sched.load_state_dict(_from_json_state(cpp_state))
        assert [v.hex() for v in _snapshot(name, o, sched)] == [v.hex() for v in traj[K]]
        for t in range(K + 1, STEPS + 1):
            o.step()
            _step(name, sched, t)
            assert [v.hex() for v in _snapshot(name, o, sched)] == \
                [v.hex() for v in traj[t]], f"{name} step {t}"


@pytest.mark.parametrize("name", list(PG_CASES))
def test_cpp_per_group_state_loads_into_lrcore(ctest_run, name):
    """C++ -> Python with per-group arguments: the C++ save_state at step K is torch's runs'
    states merged (lists where the case is per group), and lrcore's Python scheduler loads it and
    continues as torch's runs did, group by group."""
    import lrcore.lr_scheduler as LR

    _, output, data, saved = ctest_run
    path = data / "cpp_out" / f"{name}.state.json"
    assert path.exists(), output
    cpp_state = json.loads(path.read_text())
    traj, merged, _ = saved[name]
    assert cpp_state == merged
    groups = json.loads((data / f"{name}.groups.json").read_text())["param_groups"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = _optimizer(name)
        sched = _pg_scheduler(LR, name, o, 0)  # built with scalars: the lists come from the state
        for group, values in zip(o.param_groups, groups):
            group.update(values)
        sched.load_state_dict(_from_json_state(cpp_state))
        assert json.loads(json.dumps(sched.state_dict())) == merged

        def snapshot() -> list[str]:
            return [float(v).hex() for v in [g["lr"] for g in o.param_groups] +
                    list(sched.get_last_lr())]

        assert snapshot() == [v.hex() for v in traj[K]]
        for t in range(K + 1, STEPS + 1):
            o.step()
            sched.step()
            assert snapshot() == [v.hex() for v in traj[t]], f"{name} step {t}"


# --- packaging --------------------------------------------------------------------------------

EXPECTED_TRAINER = "cosine last_lr 0.001 0.001\nplateau lr 0.0001 0.0001"


def _check_trainer(build: Path) -> None:
    out = _run([build / "trainer"]).stdout
    assert out.startswith(EXPECTED_TRAINER), out


def test_consumer_add_subdirectory():
    build = BUILD / "consumer_subdir"
    _configure_and_build(CPP_TESTS / "consumer_subdir", build)
    _check_trainer(build)


def _install(prefix: Path, *args: str) -> None:
    """Plain CMake configure/build/install of the library (no Python involved)."""
    build = prefix.parent / "lib_build"
    _configure_and_build(ROOT, build, *args)
    _run([_tool("cmake"), "--install", build, "--prefix", prefix])


def test_consumer_find_package_after_install(tmp_path):
    prefix = tmp_path / "prefix"
    _install(prefix)
    assert (prefix / "include" / "lrcore" / "lrcore.hpp").exists()
    assert (prefix / "share" / "cmake" / "lrcore" / "lrcoreConfigVersion.cmake").exists()
    build = tmp_path / "consumer"
    _configure_and_build(CPP_TESTS / "consumer_installed", build, f"-DCMAKE_PREFIX_PATH={prefix}")
    _check_trainer(build)


def test_consumer_find_package_via_cmakedir(tmp_path):
    """`python -m lrcore --cmakedir` names a directory find_package(lrcore) accepts.

    Against the lrcore being tested when it is installed (a wheel carries
    lrcore/include and lrcore/share/cmake/lrcore); in a source checkout (the package imported
    from python/, without them) against a copy of the package with the wheel's layout
    installed into it, as scikit-build-core installs it.
    """
    import lrcore

    pkg = Path(lrcore.__file__).resolve().parent
    env = dict(os.environ)
    if (pkg / "share" / "cmake" / "lrcore").is_dir():
        where = "installed package"
    else:
        site = tmp_path / "site"
        shutil.copytree(pkg, site / "lrcore", ignore=shutil.ignore_patterns("__pycache__"))
        _install(site, "-DLRCORE_PYTHON_LAYOUT=ON")
        env["PYTHONPATH"] = str(site)
        where = f"wheel layout in {site}"
    cmakedir = _run([sys.executable, "-m", "lrcore", "--cmakedir"], env=env).stdout.strip()
    includedir = _run([sys.executable, "-m", "lrcore", "--includedir"], env=env).stdout.strip()
    assert Path(cmakedir, "lrcoreConfig.cmake").exists(), (where, cmakedir)
    assert Path(includedir, "lrcore", "lrcore.hpp").exists(), (where, includedir)
    build = tmp_path / "consumer"
    _configure_and_build(CPP_TESTS / "consumer_installed", build, f"-Dlrcore_DIR={cmakedir}")
    _check_trainer(build)


# --- libtorch ---------------------------------------------------------------------------------

def _torch_cmake_prefix() -> str | None:
    prefix = getattr(torch.utils, "cmake_prefix_path", None)
    if prefix and (Path(prefix) / "Torch" / "TorchConfig.cmake").exists():
        return prefix
    return None


def test_libtorch_trainer(tmp_path):
    """examples/libtorch_trainer: OneCycleLR over a libtorch SGD and a CosineAnnealingLR driving
    its weight decay: lrs, momenta and weight decays == torch's."""
    prefix = _torch_cmake_prefix()
    if prefix is None:
        pytest.skip("torch's CMake package (TorchConfig.cmake) is not installed")
    steps = 25
    model = torch.nn.Linear(4, 1)
    o = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = L.OneCycleLR(o, 0.1, total_steps=steps)
    # torch's own CosineAnnealingLR on an lr of 0.04: the weight decay the trainer must hold
    wd_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.04)
    wd = torch.optim.lr_scheduler.CosineAnnealingLR(wd_opt, steps, 0.4)
    ref = []
    for step in range(steps):
        ref += [o.param_groups[0]["lr"], o.param_groups[0]["momentum"],
                wd_opt.param_groups[0]["lr"]]
        o.step()
        wd_opt.step()
        if step + 1 < steps:
            sched.step()
        wd.step()
    (tmp_path / "ref.txt").write_text(" ".join(v.hex() for v in ref))
    build = BUILD / "libtorch_trainer"
    _configure_and_build(ROOT / "examples" / "libtorch_trainer", build,
                         f"-DCMAKE_PREFIX_PATH={prefix}")
    out = _run([build / "libtorch_trainer", str(steps), tmp_path / "ref.txt"]).stdout
    assert "OK:" in out, out
