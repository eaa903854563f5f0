"""lrcore's API beyond the lr values: signatures, duck-typed optimizers without torch, verbose,
user subclasses, isinstance with torch, Tensor lrs, atomic errors, the CLI demo."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import pytest
import torch
import torch.optim.lr_scheduler as TLR
import torch.optim.swa_utils as TSWA

import lrcore
import lrcore.lr_scheduler as LLR
import lrcore.swa_utils as LSWA
from lrcore.app import demo

NAMES = [n for n in TLR.__all__] + ["_LRScheduler"]


def _sgd(lrs=(0.1, 0.05), **kw):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(params, lr=lrs[0], momentum=0.9, **kw)


def _groups(opt):
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


@pytest.mark.parametrize("name", NAMES + ["SWALR"])
def test_signature_is_torchs_plus_verbose_and_key(name):
    torch_cls = TSWA.SWALR if name == "SWALR" else getattr(TLR, name)
    ours = LSWA.SWALR if name == "SWALR" else getattr(LLR, name)
    theirs = inspect.signature(torch_cls.__init__).parameters
    mine = inspect.signature(ours.__init__).parameters
    assert list(mine)[: len(theirs)] == list(theirs), name
    for pname, p in theirs.items():
        assert mine[pname].default == p.default, (name, pname)
    assert set(mine) - set(theirs) <= {"verbose", "key"}, name
    # key: keyword-only, "lr" by default (a composite's: None, its schedulers' key)
    assert mine["key"].kind is inspect.Parameter.KEYWORD_ONLY, name
    composite = name in ("SequentialLR", "ChainedScheduler", "LRScheduler", "_LRScheduler")
    assert mine["key"].default == (None if composite else "lr"), name
    if name not in ("LRScheduler", "_LRScheduler"):
        assert "verbose" in mine and mine["verbose"].default is False


def test_exports():
    assert set(TLR.__all__) <= set(LLR.__all__)
    assert LLR.EPOCH_DEPRECATION_WARNING == TLR.EPOCH_DEPRECATION_WARNING
    for name in TLR.__all__:
        assert getattr(lrcore, name) is getattr(LLR, name)
    assert lrcore.SWALR is LSWA.SWALR
    assert issubclass(LLR._LRScheduler, LLR.LRScheduler)


def test_verbose_positional_where_torch_2_1_had_it():
    # verbose=False leaves the instance as torch's (no `verbose` attribute: torch 2.13 has
    # none); verbose=True, positional where torch 2.1 took it, is kept on the instance.
    opt, topt = _sgd(), _sgd()
    s = LLR.StepLR(opt, 3, 0.5, -1, False)
    assert list(vars(s)) == list(vars(TLR.StepLR(topt, 3, 0.5, -1)))
    assert LLR.StepLR(_sgd(), 3, 0.5, -1, True).verbose is True
    args = ("min", 0.1, 10, 1e-4, "rel", 0, 0, 1e-8)
    p = LLR.ReduceLROnPlateau(_sgd(), *args, False)
    assert list(vars(p)) == list(vars(TLR.ReduceLROnPlateau(_sgd(), *args)))
    assert LLR.ReduceLROnPlateau(_sgd(), *args, True).verbose is True


def test_works_without_torch_on_a_duck_optimizer():
    code = textwrap.dedent(
        """
        import sys
        from lrcore import lr_scheduler as L
        from lrcore.swa_utils import SWALR

        class Opt:
            def __init__(self):
                self.param_groups = [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.9}]
                self.defaults = {"lr": 0.1, "momentum": 0.9}
            def step(self):
                pass

        makers = [
            lambda o: L.StepLR(o, 2), lambda o: L.MultiStepLR(o, [2, 4]),
            lambda o: L.ConstantLR(o), lambda o: L.LinearLR(o), lambda o: L.ExponentialLR(o, 0.9),
            lambda o: L.PolynomialLR(o), lambda o: L.CosineAnnealingLR(o, 5),
            lambda o: L.CosineAnnealingWarmRestarts(o, 3, 2), lambda o: L.CyclicLR(o, 0.01, 0.1, 3),
            lambda o: L.OneCycleLR(o, 0.1, total_steps=20), lambda o: SWALR(o, 0.05),
            lambda o: L.LambdaLR(o, lambda e: 0.9 ** e), lambda o: L.MultiplicativeLR(o, lambda e: 0.9),
        ]
        for make in makers:
            o = Opt()
            s = make(o)
            for _ in range(10):
                o.step()
                s.step()
            assert s.get_last_lr() == [g["lr"] for g in o.param_groups]
        o = Opt()
        s = L.SequentialLR(o, [L.LinearLR(o), L.ExponentialLR(o, 0.9)], [3])
        c = L.ChainedScheduler([L.ConstantLR(o), L.ExponentialLR(o, 0.9)])
        p = L.ReduceLROnPlateau(o, patience=1)
        for _ in range(6):
            s.step(); c.step(); p.step(1.0)
        assert "torch" not in sys.modules, "lrcore imported torch"
        print("ok", o.param_groups[0]["lr"])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def test_duck_optimizer_values_equal_torch():
    class Opt:
        def __init__(self):
            self.param_groups = [{"lr": 0.1}, {"lr": 0.05}]

    duck, topt = Opt(), _sgd()
    a, b = LLR.CosineAnnealingLR(duck, 7, 0.001), TLR.CosineAnnealingLR(topt, 7, 0.001)
    for _ in range(30):
        topt.step()
        a.step()
        b.step()
        assert [g["lr"] for g in duck.param_groups] == [g["lr"] for g in topt.param_groups]


def test_not_an_optimizer_is_a_type_error():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        LLR.StepLR(object(), 3)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        LLR.ReduceLROnPlateau(object())


def test_verbose_prints_torch_2_1_lines(capsys):
    opt = _sgd()
    s = LLR.StepLR(opt, step_size=1, gamma=0.5, verbose=True)
    opt.step()
    s.step()
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Adjusting learning rate of group 0 to 1.0000e-01.",
        "Adjusting learning rate of group 1 to 5.0000e-02.",
        "Adjusting learning rate of group 0 to 5.0000e-02.",
        "Adjusting learning rate of group 1 to 2.5000e-02.",
    ]


def test_verbose_plateau_prints_torch_2_1_lines(capsys):
    p = LLR.ReduceLROnPlateau(_sgd((0.001,)), patience=0, verbose=True)
    p.step(1.0)
    p.step(1.0)
    assert capsys.readouterr().out == "Epoch 00002: reducing learning rate of group 0 to 1.0000e-04.\n"


def test_isinstance_torch_base_classes():
    opt = _sgd()
    s = LLR.CosineAnnealingLR(opt, 10)
    assert isinstance(s, TLR.LRScheduler) and isinstance(s, LLR.CosineAnnealingLR)
    assert type(s).__name__ == "CosineAnnealingLR"
    p = LLR.ReduceLROnPlateau(opt)
    assert isinstance(p, TLR.ReduceLROnPlateau) and isinstance(p, LLR.ReduceLROnPlateau)
    assert not isinstance(s, TLR.ReduceLROnPlateau)


def test_lrcore_children_inside_torch_sequential_lr():
    ta, tb = _sgd(), _sgd()
    mine = TLR.SequentialLR(ta, [LLR.LinearLR(ta, 0.2, total_iters=3), LLR.ExponentialLR(ta, 0.9)], [3])
    ref = TLR.SequentialLR(tb, [TLR.LinearLR(tb, 0.2, total_iters=3), TLR.ExponentialLR(tb, 0.9)], [3])
    for _ in range(10):
        ta.step()
        tb.step()
        mine.step()
        ref.step()
        assert _groups(ta) == _groups(tb)


class _Warmup:
    """A user get_lr, shared by a torch subclass and an lrcore subclass."""

    def __init__(self, optimizer, warmup, last_epoch=-1):
        self.warmup = warmup
        super().__init__(optimizer, last_epoch)  # type: ignore[call-arg]

    def get_lr(self):
        scale = min(1.0, (self.last_epoch + 1) / self.warmup)
        return [base * scale * (0.99 ** self.last_epoch) for base in self.base_lrs]

    def _get_closed_form_lr(self):
        return [base * 0.5 for base in self.base_lrs]


class TorchWarmup(_Warmup, TLR.LRScheduler):
    pass


class LrcoreWarmup(_Warmup, LLR.LRScheduler):
    pass


class TorchDoubledStep(TLR.StepLR):
    def get_lr(self):
        return [lr * 1.5 for lr in super().get_lr()]


class LrcoreDoubledStep(LLR.StepLR):
    def get_lr(self):
        return [lr * 1.5 for lr in super().get_lr()]


def test_user_subclasses_match_torch():
    ta, tb = _sgd(), _sgd()
    a, b = TorchWarmup(ta, 5), LrcoreWarmup(tb, 5)
    c, d = TorchDoubledStep(ta, 3), LrcoreDoubledStep(tb, 3)
    assert _groups(ta) == _groups(tb)
    for i in range(25):
        ta.step()
        tb.step()
        for x, y in ((a, b), (c, d)):
            if i == 12:
                with pytest.warns(UserWarning):
                    x.step(4)
                with pytest.warns(UserWarning):
                    y.step(4)
            else:
                x.step()
                y.step()
            assert _groups(ta) == _groups(tb)
            assert x.get_last_lr() == y.get_last_lr()
            assert x.last_epoch == y.last_epoch


def test_user_subclass_inside_sequential_lr():
    ta, tb = _sgd(), _sgd()
    a = TLR.SequentialLR(ta, [TorchWarmup(ta, 4), TLR.ExponentialLR(ta, 0.9)], [6])
    b = LLR.SequentialLR(tb, [LrcoreWarmup(tb, 4), LLR.ExponentialLR(tb, 0.9)], [6])
    for _ in range(15):
        ta.step()
        tb.step()
        a.step()
        b.step()
        assert _groups(ta) == _groups(tb)


def test_subclass_without_get_lr_raises_not_implemented():
    class Bare(LLR.LRScheduler):
        pass

    with pytest.raises(NotImplementedError):
        Bare(_sgd())


def test_tensor_lr_updated_in_place_within_float32():
    ta, tb = _sgd((0.1,)), _sgd((0.1,))
    for opt in (ta, tb):
        opt.param_groups[0]["lr"] = torch.tensor(0.1)
    tensor = tb.param_groups[0]["lr"]
    a, b = TLR.OneCycleLR(ta, 0.1, total_steps=200), LLR.OneCycleLR(tb, 0.1, total_steps=200)
    c, d = TLR.ExponentialLR(ta, 0.97), LLR.ExponentialLR(tb, 0.97)
    for _ in range(150):
        ta.step()
        tb.step()
        a.step(), b.step(), c.step(), d.step()
        assert tb.param_groups[0]["lr"] is tensor  # filled in place, as torch does
        x, y = float(ta.param_groups[0]["lr"]), float(tb.param_groups[0]["lr"])
        assert abs(x - y) <= 2e-7 * abs(x) + 1e-12


def test_bad_arguments_change_nothing():
    opt = _sgd()
    before = _groups(opt)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        LLR.CyclicLR(opt, 0.01, 0.1, mode="bogus")
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        LLR.OneCycleLR(opt, 0.1, total_steps=10, anneal_strategy="bogus")
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        LSWA.SWALR(opt, 0.05, anneal_strategy="bogus")
    rprop = torch.optim.Rprop([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    rprop_before = _groups(rprop)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        LLR.OneCycleLR(rprop, 0.1, total_steps=10)
    assert _groups(opt) == before
    assert _groups(rprop) == rprop_before  # torch would have written initial_lr/max_lr/min_lr


def test_failed_step_and_bad_state_dict_leave_the_scheduler_as_it_was():
    opt = _sgd()
    s = LLR.OneCycleLR(opt, 0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        s.step()
    state, groups = s.state_dict(), _groups(opt)
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        s.step()
    assert s.state_dict() == state and _groups(opt) == groups

    cos = LLR.CosineAnnealingLR(opt, 10)
    good = cos.state_dict()
    with pytest.raises(KeyError, match="T_max"):
        cos.load_state_dict(LLR.StepLR(_sgd(), 3).state_dict())
    bad = dict(good, last_epoch="seven")
    with pytest.raises(TypeError):
        cos.load_state_dict(bad)
    assert cos.state_dict() == good


def test_demo_trains_and_follows_the_seed():
    data = demo.make_data()
    step_lrs = demo.train(demo.EXAMPLES[0], data, epochs=25)
    assert step_lrs[:10] == [0.1] * 10 and step_lrs[10:20] == [0.05] * 10
    plateau_lrs = demo.train(demo.EXAMPLES[1], data, epochs=100)
    assert plateau_lrs[0] == 0.001 and 0.0001 in plateau_lrs
    cos_lrs = demo.train(demo.EXAMPLES[2], data, epochs=100)
    assert cos_lrs[0] == 0.1 and all(b < a for a, b in zip(cos_lrs, cos_lrs[1:]))
    out = subprocess.run([sys.executable, "-m", "lrcore", "demo", "--epochs", "12", "--no-plot"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Example 1: StepLR" in out.stdout and "lr 0.05" in out.stdout


# The pure-Python references (lrcore.reference) as a second oracle, on duck optimizers: lrcore and
# the references agree bit for bit without torch in the loop.
REFERENCE_SPECS = {
    "StepLR": lambda M, o: M.StepLR(o, 3, 0.7),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, [5, 9, 9, 40], 0.5),
    "ConstantLR": lambda M, o: M.ConstantLR(o, 0.25, 7),
    "LinearLR": lambda M, o: M.LinearLR(o, 0.2, 0.9, 11),
    "ExponentialLR": lambda M, o: M.ExponentialLR(o, 0.985),
    "PolynomialLR": lambda M, o: M.PolynomialLR(o, 150, 1.7),
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, 13, 0.003),
    "CosineAnnealingWarmRestarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, 4, 2, 1e-4),
    "CyclicLR": lambda M, o: M.CyclicLR(o, [0.01, 0.02], 0.3, 7, 4, "triangular2"),
    "CyclicLR-exp": lambda M, o: M.CyclicLR(o, 0.01, 0.3, 5, mode="exp_range", gamma=0.99),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, [0.3, 0.1], total_steps=300, three_phase=True),
    "LambdaLR": lambda M, o: M.LambdaLR(o, [lambda e: 0.97 ** e, lambda e: 1 / (1 + e)]),
    "MultiplicativeLR": lambda M, o: M.MultiplicativeLR(o, lambda e: 0.995),
    "SWALR": lambda M, o: M.SWALR(o, [0.05, 0.01], 17, "linear"),
    "SequentialLR": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, 0.1, total_iters=5), M.CosineAnnealingLR(o, 50)], [5]),
    "ChainedScheduler": lambda M, o: M.ChainedScheduler(
        [M.StepLR(o, 10, 0.5), M.CyclicLR(o, 0.01, 0.1, 6)]),
}


class _DuckSGD:
    def __init__(self):
        self.param_groups = [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.03, "momentum": 0.9}]
        self.defaults = {"lr": 0.1, "momentum": 0.9}

    def step(self):
        pass


class _LrcoreWithSWA:
    """lrcore's names with SWALR beside them, shaped like lrcore.reference."""

    def __getattr__(self, name):
        return LSWA.SWALR if name == "SWALR" else getattr(LLR, name)


@pytest.mark.parametrize("name", sorted(REFERENCE_SPECS))
def test_lrcore_equals_the_pure_python_reference(name):
    from lrcore import reference

    make = REFERENCE_SPECS[name]
    a, b = _DuckSGD(), _DuckSGD()
    mine, ref = make(_LrcoreWithSWA(), a), make(reference, b)
    for _ in range(300):
        a.step()
        b.step()
        mine.step()
        ref.step()
        assert a.param_groups == b.param_groups
        assert mine.get_last_lr() == ref.get_last_lr()
