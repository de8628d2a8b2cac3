"""The vanishing gradient, measured: how much of the gradient reaches each time step, for fresh cells and for the
same cells after the cell race on the adding problem, a task whose answer needs a number from its first half.

What was measured (30 steps, 32 units, 8 epochs, seeds 0 to 2): fresh, step 1 gets 10^-5.7 to 10^-7.2 of what the
last step gets, in every cell - PyTorch starts an LSTM's forget gate and a GRU's update gate near 0.5, so they
shrink the gradient at every step as a SimpleRNN does. Trained, the LSTM and GRU solve the task (73% to 99% of the
sums within 0.04) and step 1 gets as much as the last step (10^-0.3 to 10^+0.4 of it); the SimpleRNN does not
(4% to 10%) and step 1 still gets 10^-4.4 to 10^-6.4. At 50 steps the picture is the same with 10^-9 to 10^-11.5
fresh, but the race takes twice as long. The gates do not keep the gradient by themselves: they can learn to.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator

import torch
from torch import nn

from textlab.lab.data import adding_data
from textlab.lab.experiments import Point, Run, Update, cell_model, check_size, train_runs
from textlab.networks.sequence_model import CELL_TYPES

LENGTH, EPOCHS, PROBES = 30, 8, 256  # the cell race's adding problem
METRIC = "log10 gradient reaching the step"


def gradient_by_time_step(model: nn.Module, x: torch.Tensor) -> list[float]:
    """log10 of |d prediction / d input_t| for every step t, averaged over the batch `x` (batch, steps, features).

    The prediction's gradient, not a loss's: backpropagation multiplies it by the loss's derivative, one number per
    sequence and the same at every step, so its shape over the steps is what any loss gets; and a solved task's loss,
    near zero, would scale every step down alike, as if a good model let little through anywhere. Worked in
    float64: float32 rounds the far steps of a long sequence (10^-25 or so at 100 steps) to exactly 0.
    """
    probe = copy.deepcopy(model).double().eval()
    inputs = x.double().requires_grad_(True)
    probe(inputs).sum().backward()  # the sequences are independent: each one's gradient is its own prediction's
    return [math.log10(v) for v in inputs.grad.norm(dim=2).mean(0).tolist()]


def _points(runs: list[Run], x: torch.Tensor, split: str) -> list[Point]:
    return [
        Point(run.name, t, split, METRIC, value)
        for run in runs
        for t, value in enumerate(gradient_by_time_step(run.model, x), start=1)
    ]


def vanishing_race(
    units: int = 32, length: int = LENGTH, epochs: int = EPOCHS, time_cap_s: float = 60.0, seed: int = 0
) -> Iterator[Update]:
    """The gradient reaching each step for fresh cells; then the cells race on the adding problem (as `cell_race`),
    and the same measurement on the trained cells ends it."""
    check_size(units, 1)
    data = adding_data(length, seed=seed)
    runs = [Run(cell, cell_model(cell, data, units, seed=seed), lr=1e-2) for cell in CELL_TYPES]
    probes = data.x_valid[:PROBES]
    fresh = _points(runs, probes, "fresh")
    yield Update(0.0, fresh, "Fresh cells measured; training them on the adding problem.")
    for update in train_runs(runs, data, epochs, 32, time_cap_s=time_cap_s, seed=seed):
        if not update.done:
            yield Update(update.fraction, fresh, f"Fresh cells measured; training them: {update.message}")
            continue
        trained = _points(runs, probes, "trained")
        yield Update(1.0, fresh + trained, _reading(fresh, trained, update.summary), True, update.summary)


def _reading(fresh: list[Point], trained: list[Point], summary: list[list]) -> str:
    """What the measurement says at step 1, cell by cell, and which cells solved the task."""
    gaps = step_one_gaps(fresh + trained)
    parts = []
    for name, _, _, accuracy, *_ in summary:
        solved = "solved the task" if accuracy >= 0.5 else "did not solve the task"
        parts.append(
            f"{name} 10^{gaps[name, 'fresh']:.1f} fresh, 10^{gaps[name, 'trained']:.1f} trained "
            f"({solved}: {accuracy:.0%} of the validation sums within 0.04)"
        )
    return "The gradient reaching step 1, as a share of what reaches the last step: " + "; ".join(parts) + "."


def step_one_gaps(points: list[Point]) -> dict[tuple[str, str], float]:
    """(cell, split) -> log10 of the gradient reaching step 1 over what reaches the last step."""
    first = {(p.series, p.split): p.value for p in points if p.x == 1}
    last = {(p.series, p.split): p.value for p in points}  # each curve's last point: the last step
    return {key: first[key] - last[key] for key in first}
