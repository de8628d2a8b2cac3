"""The one training loop every model shares: Adam (or SGD), gradient clipping, learning-rate decay on plateau, early
stopping on validation, a time budget, and a history per epoch.

`train_steps` is the loop as a generator of events (a `Step` after every step, an `EpochRecord` after every epoch),
so that the app can draw curves and the Lab can run several trainings side by side; `fit` drives it with callbacks,
for the command line's progress bar.

Under torchrun (the model wrapped in DistributedDataParallel, see `stream_steps`) every process steps together: the
loss reported is the mean of theirs, all stop after the same step, and early stopping reads rank 0's validation.
"""

from __future__ import annotations

import copy
import itertools
import math
import platform
import random
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from textlab.devices import (
    any_process,
    distributed,
    join_processes,
    mean_over_processes,
    own_rows,
    rank0_value,
    resolve_device,
    world,
)
from textlab.text.batches import count_tbptt_batches, tbptt_batches


@dataclass
class TrainConfig:
    lr: float = 2e-3  # initial learning rate
    max_epochs: int = 30  # passes over the training data at most
    optimizer: Literal["adam", "sgd"] = "adam"  # sgd: with momentum 0.9
    clip_norm: float = 1.0  # gradients rescaled to at most this global norm; 0 turns clipping off
    clip_value: float = 0.0  # each gradient element clipped to [-clip_value, clip_value]; 0 turns it off
    patience: int = 3  # stop after this many epochs without a better validation loss; 0 never stops early
    lr_decay: float = 0.5  # learning rate multiplied by this after an epoch without improvement
    # slanted: ULMFiT's triangle over all max_epochs (a rise over the first tenth of the steps from lr/32 to lr, then
    # a linear fall back), and no decay on a plateau
    schedule: Literal["plateau", "slanted"] = "plateau"
    time_budget_s: float | None = field(default=None, metadata={"flag": "time-budget"})  # stop after this many seconds
    weight_decay: float = 0.0
    seed: int = 0  # torch's random seed for the weights and dropout
    device: Literal["auto", "cpu", "cuda", "mps"] = "cpu"  # on the command line $TEXTLAB_DEVICE; see README
    bf16: bool = False  # bfloat16 autocast for the forward pass (the character models, on a device that has it)


@dataclass
class LayerGroups:
    """A model's layers from the output down (the head first), for ULMFiT's discriminative learning rates and gradual
    unfreezing: group k learns at lr / lr_factor**k. `unfreeze` says when it trains: "gradual", from epoch k + 1 on
    (a head learnt on top of pretrained layers first, then those layers one by one); "all", from the start;
    "none", never but for the head (the pretrained layers as fixed features)."""

    groups: list[list[nn.Parameter]]
    lr_factor: float = 2.6
    unfreeze: Literal["gradual", "all", "none"] = "gradual"

    def thaw(self, epoch: int) -> None:
        """Freeze the groups that do not train in `epoch` (from 1)."""
        for k, group in enumerate(self.groups):
            trains = {"gradual": epoch > k, "all": True, "none": k == 0}[self.unfreeze]
            for p in group:
                p.requires_grad_(trains)

    def thaw_all(self) -> None:
        for group in self.groups:
            for p in group:
                p.requires_grad_(True)


def slanted_triangular(step: int, total: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    """The learning-rate multiplier of Howard & Ruder's slanted triangular schedule at `step` (from 0) of `total`:
    1/ratio at the start, rising linearly to 1 after `cut_frac` of the steps, then falling linearly to 1/ratio."""
    cut = max(1, math.floor(total * cut_frac))
    p = step / cut if step < cut else 1 - (step - cut) / max(1, total - cut)
    return (1 + max(p, 0.0) * (ratio - 1)) / ratio


@dataclass
class Step:
    epoch: int
    step: int  # within the epoch, from 1
    steps_in_epoch: int | None
    loss: float
    grad_norm: float  # before clipping
    elapsed_s: float  # seconds of training so far (time spent away from the loop, between events, not counted)
    budget_s: float | None


@dataclass
class EpochRecord:
    epoch: int
    train_loss: float
    valid_loss: float
    lr: float
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class History:
    epochs: list[EpochRecord] = field(default_factory=list)
    best_epoch: int = 0
    stopped: str = ""  # why training ended
    seconds: float = 0.0
    device: str = "cpu"
    processes: int = 1  # under torchrun, the world size

    @property
    def best(self) -> EpochRecord:
        return self.epochs[self.best_epoch - 1]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Event = Step | EpochRecord


def progress_reporter(progress: Callable[[float, str], None], max_epochs: int) -> Callable[[Step], None]:
    """An `on_step` that reports the fraction done (of the time budget, else of the epochs) and the loss."""

    def on_step(step: Step) -> None:
        if step.budget_s:
            fraction = step.elapsed_s / step.budget_s
        else:
            fraction = (step.epoch - 1 + step.step / (step.steps_in_epoch or 1)) / max_epochs
        progress(min(fraction, 1.0), f"epoch {step.epoch}, step {step.step}, loss {step.loss:.2f}")

    return on_step


def fit(
    model: nn.Module,
    cfg: TrainConfig,
    train_batches: Callable[[], Iterable[Any]],
    step_loss: Callable[[Any], torch.Tensor],
    evaluate: Callable[[], dict[str, float]],
    steps_per_epoch: int | None = None,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    device: torch.device | None = None,
    layers: LayerGroups | None = None,
) -> History:
    """Train `model` in place (see `train_steps`), calling `on_step` and `on_epoch` as it goes."""
    return drive(
        train_steps(model, cfg, train_batches, step_loss, evaluate, steps_per_epoch, should_stop, device, layers),
        on_step,
        on_epoch,
    )


def drive(
    events: Generator[Event, None, History],
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> History:
    """Run a training (`train_steps`, `stream_steps`) to its end, calling back on its events; its History."""
    while True:
        try:
            event = next(events)
        except StopIteration as done:
            return done.value
        callback = on_step if isinstance(event, Step) else on_epoch
        if callback:
            callback(event)


def train_steps(
    model: nn.Module,
    cfg: TrainConfig,
    train_batches: Callable[[], Iterable[Any]],
    step_loss: Callable[[Any], torch.Tensor],
    evaluate: Callable[[], dict[str, float]],
    steps_per_epoch: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    device: torch.device | None = None,
    layers: LayerGroups | None = None,
) -> Generator[Event, None, History]:
    """Train `model` in place, yielding a Step after every step and an EpochRecord after every epoch; return the
    History, the model holding the weights of its best validation epoch.

    Args:
        train_batches: called once per epoch; yields whatever `step_loss` takes.
        step_loss: the mean training loss of one batch (the model is in train mode).
        evaluate: validation figures with at least "loss" (the model is in eval mode, no gradients).
        should_stop: polled every step; True ends training after evaluating the epoch so far.
        device: where the caller put the model (`place`); without it, the CPU.
        layers: discriminative rates and gradual unfreezing (`LayerGroups`); without it, one rate for all.
    """
    device = device or torch.device("cpu")
    torch.manual_seed(cfg.seed + world().rank)  # dropout and data order; under torchrun, other masks on each process
    optimizer = _optimizer(model, cfg, layers)
    rates, layers, clock = _Rates(optimizer, cfg, steps_per_epoch), layers or LayerGroups([]), _Clock()
    history, best_loss, best_state, stale = History(device=str(device), processes=world().size), math.inf, None, 0
    for epoch in range(1, cfg.max_epochs + 1):
        epoch_start, total, count = clock.elapsed(), 0.0, 0
        layers.thaw(epoch)
        model.train()
        for batch in train_batches():
            rates.step()
            loss, norm = _step(model, cfg, optimizer, step_loss(batch))
            loss = mean_over_processes(loss, device)
            total, count = total + loss, count + 1
            yield from clock.hold(Step(epoch, count, steps_per_epoch, loss, norm, clock.elapsed(), cfg.time_budget_s))
            history.stopped = _stop_reason(cfg, clock.elapsed(), should_stop, device)
            if history.stopped:
                break
        record = _validate(model, evaluate, epoch, (total, count), optimizer, clock.elapsed() - epoch_start, device)
        yield from clock.hold(record)
        if record.valid_loss < best_loss:
            best_loss, best_state, stale, history.best_epoch = record.valid_loss, _copy(model), 0, epoch
        else:
            stale += 1
            rates.plateau()
            if cfg.patience and stale >= cfg.patience:
                history.stopped = f"no validation improvement for {stale} epochs"
        history.epochs.append(record)
        if history.stopped:
            break
    else:
        history.stopped = f"reached {cfg.max_epochs} epochs"
    if best_state is not None:
        model.load_state_dict(best_state)
    layers.thaw_all()  # the model leaves as it came
    model.eval()
    history.seconds = clock.elapsed()
    return history


class _Rates:
    """The learning rates as the schedule moves them: along a slanted triangle over every step of every epoch, or
    down by `lr_decay` after an epoch without improvement."""

    def __init__(self, optimizer: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int | None) -> None:
        if cfg.schedule == "slanted" and not steps_per_epoch:
            raise ValueError("the slanted triangular schedule needs the number of steps in an epoch")
        self.optimizer, self.cfg, self.total, self.done = optimizer, cfg, (steps_per_epoch or 0) * cfg.max_epochs, 0

    def step(self) -> None:
        """Before each optimiser step."""
        if self.cfg.schedule == "slanted":
            for group in self.optimizer.param_groups:
                group["lr"] = group["initial_lr"] * slanted_triangular(self.done, self.total)
        self.done += 1

    def plateau(self) -> None:
        if self.cfg.schedule == "plateau":
            for group in self.optimizer.param_groups:
                group["lr"] *= self.cfg.lr_decay


class _Clock:
    """Seconds of training: the time the loop itself runs, not the time a caller holds an event before asking for
    the next one (the Lab runs several trainings in turn, the app draws curves)."""

    def __init__(self) -> None:
        self.total, self.since = 0.0, time.monotonic()

    def elapsed(self) -> float:
        return self.total + (time.monotonic() - self.since if self.since is not None else 0.0)

    def hold(self, event: Event) -> Iterator[Event]:
        """Yield `event` with the clock stopped until the caller asks for the next one."""
        self.total, self.since = self.elapsed(), None
        yield event
        self.since = time.monotonic()


def _optimizer(model: nn.Module, cfg: TrainConfig, layers: LayerGroups | None = None) -> torch.optim.Optimizer:
    """Every layer group at its own rate (all of them, frozen or not: a frozen parameter has no gradient, and the
    optimiser passes it by until it thaws); without groups, the parameters that require a gradient."""
    if layers is None:
        groups = [{"params": [p for p in model.parameters() if p.requires_grad], "initial_lr": cfg.lr}]
    else:
        groups = [
            {"params": group, "lr": cfg.lr / layers.lr_factor**k, "initial_lr": cfg.lr / layers.lr_factor**k}
            for k, group in enumerate(layers.groups)
        ]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {cfg.optimizer!r}")


def _step(
    model: nn.Module, cfg: TrainConfig, optimizer: torch.optim.Optimizer, loss: torch.Tensor
) -> tuple[float, float]:
    """One optimiser step on `loss`; the loss and the gradient norm before clipping."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    params = [p for p in model.parameters() if p.grad is not None]
    norm = nn.utils.clip_grad_norm_(params, cfg.clip_norm if cfg.clip_norm > 0 else math.inf).item()
    if cfg.clip_value > 0:
        nn.utils.clip_grad_value_(params, cfg.clip_value)
    optimizer.step()
    return loss.item(), norm


def _stop_reason(cfg: TrainConfig, elapsed: float, should_stop: Callable[[], bool] | None, device: torch.device) -> str:
    """Why training stops after this step ("" if it goes on); under torchrun every process stops when one does."""
    reason = ""
    if cfg.time_budget_s is not None and elapsed >= cfg.time_budget_s:
        reason = f"time budget of {cfg.time_budget_s:.0f} s reached"
    elif should_stop and should_stop():
        reason = "stopped on request"
    if any_process(bool(reason), device):
        return reason or "another process stopped"
    return ""


def _validate(
    model: nn.Module,
    evaluate: Callable[[], dict[str, float]],
    epoch: int,
    losses: tuple[float, int],
    optimizer: torch.optim.Optimizer,
    seconds: float,
    device: torch.device,
) -> EpochRecord:
    """The epoch's record: the mean of its `losses` (their sum and count) and the validation figures, whose loss
    is rank 0's under torchrun (one early-stopping decision)."""
    total, count = losses
    if count == 0:
        raise ValueError("the training data gave no batches: it is shorter than one batch")
    model.eval()
    with torch.no_grad():
        metrics = dict(evaluate())
    valid_loss = rank0_value(metrics.pop("loss"), device)
    return EpochRecord(epoch, total / count, valid_loss, optimizer.param_groups[0]["lr"], seconds, metrics)


def _copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return copy.deepcopy(model.state_dict())


@dataclass
class Placement:
    """Where a model trains: its device, and what the training steps call (the model itself, or under torchrun
    DistributedDataParallel around it, which averages the gradients of every process in `backward`)."""

    device: torch.device
    forward: nn.Module


def place(model: nn.Module, cfg: TrainConfig) -> Placement:
    """Move `model` to `cfg.device`, joining the torchrun job's process group first when there is one."""
    device = resolve_device(cfg.device)
    join_processes(device)
    model.to(device)
    return Placement(device, DistributedDataParallel(model) if distributed() else model)


def stream_steps(
    model: nn.Module,
    cfg: TrainConfig,
    rows: torch.Tensor,
    seq_len: int,
    evaluate: Callable[[], dict[str, float]],
    epoch_s: float | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Generator[Event, None, History]:
    """`train_steps` for a recurrent language model (`model(x, state) -> (logits, state)`) on one long stream cut
    into rows (`text.batches.batchify`), read `seq_len` steps at a time with the state carried from one window to
    the next (truncated backpropagation through time).

    With `epoch_s`, an "epoch" ends after that many seconds of training too, and the next one goes on where it left
    off: validation (and whatever the caller does with an epoch) every few seconds, however long the text.

    The model trains on `cfg.device` (in bfloat16 autocast with `cfg.bf16`) and stays there. Under torchrun each
    process reads its own rows of the batch, and DistributedDataParallel averages the gradients.
    """
    placed = place(model, cfg)
    device = placed.device
    if epoch_s is not None and distributed():
        raise ValueError("an epoch of so many seconds would end after a different step on each process")
    rows = own_rows(rows)
    state, position = None, 0
    windows = count_tbptt_batches(rows, seq_len)

    def batches() -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        nonlocal state, position
        start = time.monotonic()
        for window in itertools.islice(tbptt_batches(rows, seq_len), position, None):
            if position == 0:
                state = None  # each pass over the text starts the rows afresh
            position = (position + 1) % windows
            yield window
            if epoch_s is not None and time.monotonic() - start >= epoch_s:
                return

    def step_loss(batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        nonlocal state
        x, y = (t.to(device) for t in batch)
        if state is not None:
            state = tuple(s.detach() for s in state)  # truncate backpropagation at the window's start
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
            logits, state = placed.forward(x, state)
        return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1))

    steps = None if epoch_s else windows
    return (yield from train_steps(model, cfg, batches, step_loss, evaluate, steps, should_stop, device))


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> Iterator[list[int]]:
    """Shuffled batches of indices whose lengths are close: sorted within pools of 50 batches, so that little of
    each batch is padding while the order still changes every epoch."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lengths.__getitem__)
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    yield from batches


def provenance() -> dict[str, str]:
    """When and where a model was trained, for its card (every capability writes the same two keys)."""
    return {
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_on": f"{platform.machine()} {torch.get_num_threads()} threads, torch {torch.__version__}",
    }
