"""lrcore under torch.distributed: two CPU processes (gloo, a file:// store in tmp_path), each
training a DistributedDataParallel Linear model with OneCycleLR and with ReduceLROnPlateau (on
an all-reduced validation loss).

- every step, all ranks hold bit-identical lrs and momenta (all_gather, compared on each rank);
- rank 0 saves a checkpoint after step K (torch.save of the model, optimizer and scheduler state
  dicts); new processes restart both ranks from it and continue: the lrs from there on equal the
  uninterrupted run's, bit for bit;
- the same runs with torch's own schedulers give the same floats (lrcore == torch, bitwise).

The ranks run tests/_distributed_worker.py; each launch has a timeout, so a hang fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch.distributed as dist

import lrcore

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_distributed_worker.py"
LRCORE_PATH = os.path.dirname(os.path.dirname(os.path.abspath(lrcore.__file__)))
WORLD = 2
TIMEOUT = 120  # seconds per launch (both ranks); a normal launch takes a few seconds

sys.path.insert(0, str(HERE))
from _distributed_worker import IMPLS, K, SCHEDULES, STEPS  # noqa: E402

pytestmark = pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(),
                                reason="torch.distributed with gloo is not available")


def _launch(mode: str, tmp: Path) -> list[dict]:
    init = tmp / f"store_{mode}"
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH, OMP_NUM_THREADS="1")
    if sys.platform == "linux":  # gloo over loopback: CI has no other network
        env.setdefault("GLOO_SOCKET_IFNAME", "lo")
    procs = []
    for rank in range(WORLD):
        out = tmp / f"{mode}_{rank}.json"
        procs.append((out, subprocess.Popen(
            [sys.executable, str(WORKER), mode, str(rank), str(WORLD), str(init),
             str(tmp / "checkpoint.pt"), str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)))
    outputs = []
    try:
        for out, proc in procs:
            text, _ = proc.communicate(timeout=TIMEOUT)
            outputs.append((proc.returncode, text))
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for rank, (code, text) in enumerate(outputs):
        assert code == 0, f"{mode} rank {rank} exited {code}:\n{text[-6000:]}"
    return [json.loads(out.read_text()) for out, _ in procs]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("distributed")
    full = _launch("full", tmp)
    assert (tmp / "checkpoint.pt").exists()
    resumed = _launch("resume", tmp)
    return full, resumed


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_ranks_agree_and_resume_continues_exactly(runs, schedule):
    full, resumed = runs
    for impl in IMPLS:
        key = f"{impl}/{schedule}"
        # every rank: the same trajectory (the workers also compared each step by all_gather)
        assert full[0][key] == full[1][key], key
        assert resumed[0][key] == resumed[1][key], key
        assert len(full[0][key]) == STEPS + 1
        # restarted from the checkpoint after step K: the uninterrupted run's values from K+1 on
        assert resumed[0][key] == full[0][key][K + 1:], key


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_lrcore_equals_torch_bitwise(runs, schedule):
    full, resumed = runs
    assert full[0][f"lrcore/{schedule}"] == full[0][f"torch/{schedule}"]
    assert resumed[0][f"lrcore/{schedule}"] == resumed[0][f"torch/{schedule}"]


def test_the_schedules_moved(runs):
    """The runs exercise something: OneCycleLR's lrs change every step, the plateau reduced."""
    full, _ = runs
    onecycle = [float.fromhex(row[0]) for row in full[0]["lrcore/onecycle"]]
    assert len(set(onecycle)) == len(onecycle)
    plateau = [float.fromhex(row[0]) for row in full[0]["lrcore/plateau"]]
    assert min(plateau) < plateau[0], plateau
    reductions_after_k = [t for t in range(K + 1, STEPS + 1) if plateau[t] < plateau[t - 1]]
    assert reductions_after_k, plateau
