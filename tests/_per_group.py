"""The per-group harness (long requested of torch), shared by tests/test_per_group.py and the
per-group rows of tests/test_bad_input.py: lrcore's scheduler built with one value per param
group against torch, one torch run per group.

The oracle for a scheduler built with per-group values on an optimizer with n groups is n torch
optimizers with the same groups, the g-th driven by the torch scheduler built with the scalar
``values[g]`` (and the scalar arguments as they are): lrcore's group g must be, bit for bit,
torch's group g of the g-th run. ``Runs`` compares exactly (``_pairs.diff``: NaN equals NaN,
the sign of a zero counts) after construction and after every operation: each group's ``lr``
and ``initial_lr``, ``get_last_lr()[g]``, ``last_epoch``, and (``merged_state``) the
state_dict, which must be the torch runs' states merged: an argument given per group is held as
it was given (the list or tuple of the runs' values), ``_last_lr[g]`` comes from run g. Where a
torch run raises, lrcore raises the type the first such group raises and changes nothing.
"""

from __future__ import annotations

import copy
import os
import pickle
import sys
import warnings
from typing import Any, Callable

from _pairs import _call, diff, make_opt

# The arguments lrcore takes per group, by class.
PER_GROUP_ARGS: dict[str, tuple[str, ...]] = {
    "StepLR": ("step_size", "gamma"),
    "MultiStepLR": ("gamma",),
    "ConstantLR": ("factor", "total_iters"),
    "LinearLR": ("start_factor", "end_factor", "total_iters"),
    "ExponentialLR": ("gamma",),
    "PolynomialLR": ("total_iters", "power"),
    "CosineAnnealingLR": ("T_max", "eta_min"),
    "CosineAnnealingWarmRestarts": ("eta_min",),
}


def scalar_kw(cls: str, kw: dict, g: int) -> dict:
    """The arguments of torch's run for group g: each per-group list's values[g]."""
    return {k: (v[g] if k in PER_GROUP_ARGS.get(cls, ()) and isinstance(v, (list, tuple)) else v)
            for k, v in kw.items()}


def given_per_group(cls: str, kw: dict) -> set[str]:
    return {k for k, v in kw.items() if k in PER_GROUP_ARGS.get(cls, ()) and isinstance(v, (list, tuple))}


# --------------------------------------------------------------------------------------------
# the harness: one lrcore run, n torch runs


# the harness: one lrcore run, n torch runs


def _snapshot(opt: Any, sched: Any) -> Any:
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    return groups, sched.state_dict()


class Runs:
    """lrcore's scheduler on one optimizer; for each group g, torch's scheduler built with
    ``values[g]`` on an optimizer of its own with the same groups."""

    def __init__(self, ospec: dict, build_l: Callable[[Any], Any],
                 build_t: Callable[[Any, int], Any], label: str = "",
                 expected_state: Callable[[list[dict]], dict] | None = None):
        self.ospec, self.build_l, self.label = ospec, build_l, label
        self.n = len(ospec["lrs"])
        self.opt = make_opt(ospec)
        self.t_opts = [make_opt(ospec) for _ in range(self.n)]
        self.expected_state = expected_state
        self.ops: list[str] = []
        outcomes = [_call(lambda g=g: build_t(self.t_opts[g], g)) for g in range(self.n)]
        before = [{k: v for k, v in g.items() if k != "params"} for g in self.opt.param_groups]
        sched, el, wl = _call(lambda: build_l(self.opt))
        self.retired = self._compare_outcome(outcomes, el, wl, "construct")
        if self.retired:
            after = [{k: v for k, v in g.items() if k != "params"} for g in self.opt.param_groups]
            assert diff(before, after) is None, self.where("a failed constructor changed the groups")
            return
        self.s = sched
        self.t = [o[0] for o in outcomes]
        self.check("construct")

    def where(self, what: str) -> str:
        return f"[{self.label}] {what}; optimizer {self.ospec['lrs']}; after {self.ops}"

    def _compare_outcome(self, outcomes: list, el: Any, wl: list, what: str) -> bool:
        """True if torch raised (lrcore raised the first raising group's type)."""
        first = next((e for _, e, _ in outcomes if e is not None), None)
        if first is not None:
            assert el is not None, self.where(f"{what}: torch raised {first!r}, lrcore did not")
            assert isinstance(el, type(first)), self.where(
                f"{what}: torch's first failing group raised {first!r}, lrcore {el!r}")
            return True
        assert el is None, self.where(f"{what}: lrcore raised {el!r}, torch did not")
        assert wl == outcomes[0][2], self.where(f"{what}: warnings {wl} vs torch's {outcomes[0][2]}")
        return False

    def check(self, what: str) -> None:
        w = self.where(what)
        last = self.s.get_last_lr()
        assert len(last) == self.n, w
        for g, (opt_t, sched_t) in enumerate(zip(self.t_opts, self.t)):
            for key in ("lr", "initial_lr"):
                d = diff(opt_t.param_groups[g].get(key), self.opt.param_groups[g].get(key),
                         f"group {g} {key}")
                assert d is None, f"{w}: {d}"
            d = diff(sched_t.get_last_lr()[g], last[g], f"get_last_lr()[{g}]")
            if d is None and hasattr(sched_t, "last_epoch"):  # (torch's ChainedScheduler has none)
                d = diff(sched_t.last_epoch, self.s.last_epoch, "last_epoch")
            assert d is None, f"{w}: {d}"
        if self.expected_state is not None:
            want = self.expected_state([s.state_dict() for s in self.t])
            d = diff(want, self.s.state_dict(), "state_dict()")
            assert d is None, f"{w}: {d}"

    def step(self, epoch: Any = None, python: list | None = None) -> None:
        """One step of every run (``python``: gets the reference functions lrcore's step ran,
        none when its compiled step ran)."""
        if self.retired:
            return
        args = () if epoch is None else (epoch,)
        self.ops.append(f"step{args}")
        for opt in (self.opt, *self.t_opts):
            opt.step()
        outcomes = [_call(lambda s=s: s.step(*args)) for s in self.t]
        before = _snapshot(self.opt, self.s)
        if python is not None:
            _, el, wl = _call(lambda: _traced(lambda: self.s.step(*args), python))
        else:
            _, el, wl = _call(lambda: self.s.step(*args))
        self.retired = self._compare_outcome(outcomes, el, wl, f"step{args}")
        if self.retired:  # torch is half-advanced; lrcore is as it was (README: but for a
            # ChainedScheduler, whose earlier children have stepped, as in torch)
            if not hasattr(self.s, "_schedulers"):
                d = diff(before, _snapshot(self.opt, self.s), "after the failed step")
                assert d is None, self.where(d)
            return
        self.check(f"step{args}")

    def simulate_then_step(self, k: int) -> None:
        """simulate(k) must equal the k steps that follow (or raise where they raise)."""
        if self.retired:
            return
        self.ops.append(f"simulate({k})")
        before = _snapshot(self.opt, self.s)
        rows, error, _ = _call(lambda: self.s.simulate(k))
        assert diff(before, _snapshot(self.opt, self.s)) is None, self.where("simulate changed something")
        if isinstance(error, NotImplementedError):
            # simulate() runs what the compiled step runs: refused, the scheduler holds a value
            # the core does not model, and its next step runs lrcore's Python reference.
            python: list = []
            self.step(python=python)
            assert self.retired or python, self.where(
                f"simulate() raised {error!r}, but the compiled step ran")
            return
        got = [[g["lr"] for g in self.opt.param_groups]]
        for _ in range(k):
            self.step()
            if self.retired:
                assert error is not None, self.where("simulate() did not raise where stepping did")
                return
            got.append([g["lr"] for g in self.opt.param_groups])
        assert error is None, self.where(f"simulate() raised {error!r}, stepping did not")
        d = diff(got, rows.tolist(), "simulate() rows")
        assert d is None, self.where(d)

    def copy(self, how: str) -> None:
        """pickle / deepcopy of the optimizer together with the scheduler."""
        if self.retired:
            return
        self.ops.append(how)
        copier = (lambda x: pickle.loads(pickle.dumps(x))) if how == "pickle" else copy.deepcopy
        before = self.s.state_dict()
        opt, sched = copier((self.opt, self.s))
        assert sched.optimizer is opt, self.where(how)
        d = diff(before, sched.state_dict(), f"{how} state_dict")
        assert d is None, self.where(d)
        self.opt, self.s = opt, sched
        self.check(how)

    def resume(self, rebuild: Callable[[Any], Any]) -> None:
        """Checkpoint and restart: a new optimizer and a new scheduler (``rebuild``) load the
        saved states, as a trainer resumes."""
        if self.retired:
            return
        self.ops.append("resume")
        saved_opt = copy.deepcopy(self.opt.state_dict())
        saved = pickle.loads(pickle.dumps(self.s.state_dict()))
        opt = make_opt(self.ospec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = rebuild(opt)
        opt.load_state_dict(saved_opt)
        sched.load_state_dict(saved)
        d = diff(self.s.state_dict(), sched.state_dict(), "the loaded state_dict")
        assert d is None, self.where(d)
        self.opt, self.s = opt, sched
        self.check("resume")


_REFERENCE = os.sep + os.path.join("lrcore", "reference") + os.sep


def _traced(step: Callable[[], Any], python: list) -> Any:
    """step(), collecting the lrcore.reference functions it runs into ``python``."""
    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and _REFERENCE in frame.f_code.co_filename:
            python.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        return step()
    finally:
        sys.setprofile(None)


def merged_state(cls: str, kw: dict) -> Callable[[list[dict]], dict]:
    """torch's runs' states as lrcore's one state: each argument given per group in the
    container it was given in (a list or a tuple of run g's values: the scheduler keeps the
    attribute as it was given, as torch keeps a scalar), group g's last lr from run g."""
    listed = given_per_group(cls, kw)

    def merge(states: list[dict]) -> dict:
        out = dict(states[0])
        for key in listed:
            if key in out:
                out[key] = type(kw[key])(s[key] for s in states)
        out["_last_lr"] = [s["_last_lr"][g] for g, s in enumerate(states)]
        return out

    return merge
