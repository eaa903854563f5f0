"""lrcore inside the trainers people use, with the real packages: PyTorch Lightning accepts lrcore
schedulers as torch's (its _validate_scheduler_api; ReduceLROnPlateau recognised as a plateau
scheduler), checkpoints and resumes them; the Hugging Face Trainer saves and resumes one. Each
run is compared with the same run driven by torch's scheduler: the lrs are equal."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.optim.lr_scheduler as TLR

import lrcore.lr_scheduler as LLR
import lightning.pytorch as pl  # in the test extra: these tests never skip
import transformers

# The trainers warn about this tiny setup (few batches, no workers, no GPU...): not lrcore's.
pytestmark = pytest.mark.filterwarnings("ignore")


def _data(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


class _Module(pl.LightningModule):
    def __init__(self, make_scheduler, config):
        super().__init__()
        torch.manual_seed(0)
        self.layer = torch.nn.Linear(4, 1)
        self.make_scheduler = make_scheduler
        self.config = config
        self.lrs: list[float] = []

    def training_step(self, batch, _):
        x, y = batch
        return torch.nn.functional.mse_loss(self.layer(x), y)

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.layer(x), y))

    def on_train_batch_start(self, batch, batch_idx):
        self.lrs.append(self.trainer.optimizers[0].param_groups[0]["lr"])

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
        return {"optimizer": opt,
                "lr_scheduler": {"scheduler": self.make_scheduler(opt), **self.config}}


def _fit(module, epochs, ckpt_path=None, save_to=None, val=False):
    x, y = _data()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)
    trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(module, loader, loader if val else None, ckpt_path=ckpt_path)
    if save_to is not None:
        trainer.save_checkpoint(save_to)
    return trainer


CASES = {
    "OneCycleLR per step": (lambda M: lambda o: M.OneCycleLR(o, max_lr=0.5, total_steps=40),
                            {"interval": "step"}, False),
    "CosineAnnealingLR per epoch": (lambda M: lambda o: M.CosineAnnealingLR(o, T_max=5),
                                    {"interval": "epoch"}, False),
    "ReduceLROnPlateau on val_loss": (
        lambda M: lambda o: M.ReduceLROnPlateau(o, factor=0.5, patience=0, threshold=0.5),
        {"monitor": "val_loss", "interval": "epoch"}, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_lightning_accepts_lrcore_and_gives_torchs_lrs(case):
    make, config, val = CASES[case]
    runs = {}
    for name, module in (("torch", TLR), ("lrcore", LLR)):
        m = _Module(make(module), config)
        trainer = _fit(m, epochs=8, val=val)
        runs[name] = m.lrs
        sched = trainer.lr_scheduler_configs[0].scheduler
        assert type(sched).__module__.startswith(name if name == "torch" else "lrcore")
        if case.startswith("ReduceLROnPlateau"):
            assert trainer.lr_scheduler_configs[0].reduce_on_plateau  # recognised as one
    assert len(runs["lrcore"]) == 32 and runs["lrcore"] == runs["torch"]
    assert len(set(runs["lrcore"])) > 1  # the schedule did move the lr


def test_lightning_checkpoint_resume_continues_the_schedule(tmp_path):
    make, config, _ = CASES["OneCycleLR per step"]
    whole = _Module(make(LLR), config)
    _fit(whole, epochs=8)
    first = _Module(make(LLR), config)
    _fit(first, epochs=3, save_to=tmp_path / "mid.ckpt")
    resumed = _Module(make(LLR), config)
    _fit(resumed, epochs=8, ckpt_path=tmp_path / "mid.ckpt")
    assert first.lrs + resumed.lrs == whole.lrs


class _HFModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.layer = torch.nn.Linear(4, 1)

    def forward(self, x, labels):
        return {"loss": torch.nn.functional.mse_loss(self.layer(x), labels)}


class _HFData(torch.utils.data.Dataset):
    def __init__(self):
        self.x, self.y = _data()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]}


class _LrLog(transformers.TrainerCallback):
    def __init__(self):
        self.lrs: list[float] = []

    def on_step_begin(self, args, state, control, optimizer=None, **kw):
        self.lrs.append(optimizer.param_groups[0]["lr"])


def _hf_train(module, out, max_steps, resume=None):
    model = _HFModel()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = module.OneCycleLR(opt, max_lr=0.5, total_steps=20)
    args = transformers.TrainingArguments(
        output_dir=str(out), max_steps=max_steps, per_device_train_batch_size=8, save_steps=6,
        save_strategy="steps", report_to=[], use_cpu=True, logging_strategy="no",
        dataloader_num_workers=0, disable_tqdm=True, seed=0, data_seed=0)
    log = _LrLog()
    trainer = transformers.Trainer(model=model, args=args, train_dataset=_HFData(),
                                   optimizers=(opt, sched), callbacks=[log])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train(resume_from_checkpoint=resume)
    return log.lrs, trainer


def test_hugging_face_trainer_saves_and_resumes_an_lrcore_scheduler(tmp_path):
    torch_lrs, _ = _hf_train(TLR, tmp_path / "torch", 18)
    whole, _ = _hf_train(LLR, tmp_path / "whole", 18)
    assert whole == torch_lrs and len(whole) == 18
    _, trainer = _hf_train(LLR, tmp_path / "run", 12)  # saves at steps 6 and 12
    checkpoint = tmp_path / "run" / "checkpoint-6"
    assert (checkpoint / "scheduler.pt").exists()
    resumed, _ = _hf_train(LLR, tmp_path / "run", 18, resume=str(checkpoint))
    assert resumed == whole[6:]


class _TwoKeys(_Module):
    """A Lightning module with one scheduler config per key: the lr per step (OneCycleLR), the
    weight decay per epoch (CosineAnnealingLR rising to 0.4)."""

    def __init__(self):
        super().__init__(None, None)
        self.wds: list[float] = []

    def on_train_batch_start(self, batch, batch_idx):
        group = self.trainer.optimizers[0].param_groups[0]
        self.lrs.append(group["lr"])
        self.wds.append(group["weight_decay"])

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=0.01, weight_decay=0.04)
        lr = LLR.OneCycleLR(opt, max_lr=0.05, total_steps=40)
        wd = LLR.CosineAnnealingLR(opt, T_max=8, eta_min=0.4, key="weight_decay")
        return [opt], [{"scheduler": lr, "interval": "step"},
                       {"scheduler": wd, "interval": "epoch"}]


def test_lightning_one_scheduler_config_per_key(tmp_path):
    whole = _TwoKeys()
    _fit(whole, epochs=8)
    # torch's own schedulers, each on the lr of an optimizer of its own, give the same values
    o1 = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    o2 = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.04)
    s1 = TLR.OneCycleLR(o1, max_lr=0.05, total_steps=40)
    s2 = TLR.CosineAnnealingLR(o2, T_max=8, eta_min=0.4)
    lrs, wds = [], []
    for epoch in range(8):
        for _batch in range(4):
            lrs.append(o1.param_groups[0]["lr"])
            wds.append(o2.param_groups[0]["lr"])
            o1.step()
            s1.step()
        o2.step()
        s2.step()
    assert whole.lrs == lrs and whole.wds == wds
    assert len(set(whole.wds)) == 8
    # each resumes from its own state in the checkpoint
    first = _TwoKeys()
    _fit(first, epochs=3, save_to=tmp_path / "mid.ckpt")
    resumed = _TwoKeys()
    _fit(resumed, epochs=8, ckpt_path=tmp_path / "mid.ckpt")
    assert first.lrs + resumed.lrs == whole.lrs
    assert first.wds + resumed.wds == whole.wds


def test_a_compiled_optimizer_step_with_tensor_hyperparameters_is_not_recompiled():
    """torch.compile'd optimizer steps read Tensor lr and weight decay; lrcore fills them in
    place (as torch's schedulers fill a Tensor lr), so the compiled step is not recompiled as
    the values move."""
    import torch._dynamo as dynamo
    from torch._dynamo.testing import CompileCounter

    dynamo.reset()
    compiled = CompileCounter()
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.AdamW(model.parameters(), lr=torch.tensor(0.01),
                            weight_decay=torch.tensor(0.04))
    lr = LLR.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    wd = LLR.CosineAnnealingLR(opt, T_max=10, eta_min=0.4, key="weight_decay")
    lr_tensor, wd_tensor = opt.param_groups[0]["lr"], opt.param_groups[0]["weight_decay"]

    @torch.compile(backend=compiled)
    def step():
        opt.step()

    x, y = torch.randn(8, 4), torch.randn(8, 1)
    seen = []
    frames = None
    for i in range(8):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        step()
        lr.step()
        wd.step()
        seen.append((lr_tensor.item(), wd_tensor.item()))
        if i == 1:  # compiled by now (the optimizer's lazy state is set up on the first step)
            frames = compiled.frame_count
    group = opt.param_groups[0]
    assert group["lr"] is lr_tensor and group["weight_decay"] is wd_tensor
    assert len({w for _, w in seen}) == 8  # the weight decay moved every step
    assert frames and compiled.frame_count == frames  # and nothing was compiled again
