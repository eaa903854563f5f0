"""One rank of tests/test_distributed.py (run as a script: not collected by pytest).

    python _distributed_worker.py MODE RANK WORLD INIT_FILE CHECKPOINT OUT

MODE "full": for each (implementation, schedule) trains STEPS steps of a DistributedDataParallel
Linear model and, on rank 0, saves a checkpoint (model, optimizer, scheduler state dicts) after
step K. MODE "resume": builds everything fresh, loads that checkpoint, and trains steps K+1..STEPS.
Every step all_gathers the groups' lrs (and momenta) and checks all ranks hold the same bits.
Writes {impl/schedule: [[float.hex of each value] per step]} to OUT.
"""

from __future__ import annotations

import copy
import datetime
import json
import sys
import warnings

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

STEPS = 30
K = 12
IMPLS = ("lrcore", "torch")
SCHEDULES = ("onecycle", "plateau")


def scheduler_module(impl: str):
    if impl == "lrcore":
        from lrcore import lr_scheduler
        return lr_scheduler
    return torch.optim.lr_scheduler


def build(impl: str, schedule: str):
    torch.manual_seed(0)
    model = DDP(torch.nn.Linear(4, 1))
    opt = torch.optim.SGD([{"params": [model.module.weight], "lr": 0.05},
                           {"params": [model.module.bias], "lr": 0.2}], lr=0.1, momentum=0.9)
    L = scheduler_module(impl)
    if schedule == "onecycle":
        sched = L.OneCycleLR(opt, [0.5, 1.0], total_steps=STEPS + 1, pct_start=0.25)
    else:
        sched = L.ReduceLROnPlateau(opt, "min", factor=0.5, patience=1, threshold=0.05)
    return model, opt, sched


def batch(step: int, rank: int, world: int):
    g = torch.Generator().manual_seed(1000 + step * world + rank)
    x = torch.randn(8, 4, generator=g)
    return x, x.sum(dim=1, keepdim=True) * 0.3 + torch.randn(8, 1, generator=g)


def val_loss(model, rank: int, world: int) -> float:
    """The validation loss averaged over ranks (all_reduce): the same float on every rank."""
    x, y = batch(10_000, rank, world)
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(model(x), y).detach().to(torch.float64)
    dist.all_reduce(loss)
    return float(loss) / world


def snapshot(opt) -> list[float]:
    return [float(g["lr"]) for g in opt.param_groups] + \
        [float(g["momentum"]) for g in opt.param_groups]


def check_same_on_all_ranks(values: list[float], world: int, what: str) -> None:
    mine = torch.tensor(values, dtype=torch.float64)
    gathered = [torch.empty_like(mine) for _ in range(world)]
    dist.all_gather(gathered, mine)
    for r, theirs in enumerate(gathered):
        if not torch.equal(theirs.view(torch.int64), mine.view(torch.int64)):
            raise AssertionError(f"{what}: rank {r} has {theirs.tolist()}, "
                                 f"rank {dist.get_rank()} has {values}")


def train(mode: str, impl: str, schedule: str, rank: int, world: int, checkpoint: str):
    model, opt, sched = build(impl, schedule)
    first = 1
    if mode == "resume":
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)[f"{impl}/{schedule}"]
        model.module.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        first = state["step"] + 1
    trajectory = []
    if mode == "full":
        trajectory.append(snapshot(opt))
    for step in range(first, STEPS + 1):
        x, y = batch(step, rank, world)
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()  # DDP all-reduces the grads
        opt.step()
        if schedule == "plateau":
            sched.step(val_loss(model, rank, world))
        else:
            sched.step()
        values = snapshot(opt)
        check_same_on_all_ranks(values, world, f"{impl}/{schedule} step {step}")
        trajectory.append(values)
        if mode == "full" and step == K:
            # copies: the model's and optimizer's tensors go on changing in place
            SAVED[f"{impl}/{schedule}"] = copy.deepcopy(
                {"model": model.module.state_dict(), "optimizer": opt.state_dict(),
                 "scheduler": sched.state_dict(), "step": step})
    return trajectory


SAVED: dict = {}


def main() -> None:
    mode, rank, world, init_file, checkpoint, out = sys.argv[1:]
    rank, world = int(rank), int(world)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank,
                            world_size=world, timeout=datetime.timedelta(seconds=60))
    try:
        results = {}
        with warnings.catch_warnings():
            # DDP/gloo may warn about the CPU backend or TF32; irrelevant to the schedules
            warnings.simplefilter("ignore")
            for impl in IMPLS:
                for schedule in SCHEDULES:
                    traj = train(mode, impl, schedule, rank, world, checkpoint)
                    results[f"{impl}/{schedule}"] = [[v.hex() for v in row] for row in traj]
        if mode == "full" and rank == 0:
            torch.save(SAVED, checkpoint)
        dist.barrier()
        with open(out, "w") as f:
            json.dump(results, f)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
