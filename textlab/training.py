"""The one training loop every model shares: Adam, gradient clipping, learning-rate decay on plateau, early stopping
on validation, a time budget, and a history per epoch."""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from textlab.config import TrainConfig


@dataclass
class Step:
    epoch: int
    step: int  # within the epoch, from 1
    steps_in_epoch: int | None
    loss: float
    elapsed_s: float
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

    @property
    def best(self) -> EpochRecord:
        return self.epochs[self.best_epoch - 1]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
) -> History:
    """Train `model` in place and leave it holding the weights of its best validation epoch.

    Args:
        train_batches: called once per epoch; yields whatever `step_loss` takes.
        step_loss: the mean training loss of one batch (the model is in train mode).
        evaluate: validation figures with at least "loss" (the model is in eval mode, no gradients).
        should_stop: polled every step; True ends training after evaluating the epoch so far.
    """
    torch.manual_seed(cfg.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history, best_loss, best_state, stale = History(), math.inf, None, 0
    start = time.monotonic()
    for epoch in range(1, cfg.max_epochs + 1):
        epoch_start, total, count = time.monotonic(), 0.0, 0
        model.train()
        for batch in train_batches():
            loss = step_loss(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.clip_norm > 0:
                nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
            optimizer.step()
            total, count = total + loss.item(), count + 1
            elapsed = time.monotonic() - start
            if on_step:
                on_step(Step(epoch, count, steps_per_epoch, loss.item(), elapsed, cfg.time_budget_s))
            if cfg.time_budget_s is not None and elapsed >= cfg.time_budget_s:
                history.stopped = f"time budget of {cfg.time_budget_s:.0f} s reached"
            elif should_stop and should_stop():
                history.stopped = "stopped on request"
            if history.stopped:
                break
        if count == 0:
            raise ValueError("the training data gave no batches: it is shorter than one batch")

        model.eval()
        with torch.no_grad():
            metrics = dict(evaluate())
        record = EpochRecord(
            epoch, total / count, metrics.pop("loss"), optimizer.param_groups[0]["lr"],
            time.monotonic() - epoch_start, metrics,
        )
        history.epochs.append(record)
        if on_epoch:
            on_epoch(record)
        if record.valid_loss < best_loss:
            best_loss, best_state, stale, history.best_epoch = record.valid_loss, _copy(model), 0, epoch
        else:
            stale += 1
            for group in optimizer.param_groups:
                group["lr"] *= cfg.lr_decay
            if stale >= cfg.patience:
                history.stopped = f"no validation improvement for {stale} epochs"
        if history.stopped:
            break
    else:
        history.stopped = f"reached {cfg.max_epochs} epochs"
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    history.seconds = time.monotonic() - start
    return history


def _copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return copy.deepcopy(model.state_dict())


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
