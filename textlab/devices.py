"""Where models run: a device (CPU, CUDA, Apple's MPS), and the processes of a `torchrun` job.

The networks take their inputs from the CPU and move them to their own device (`device_of`), so the code around
them builds batches the same way wherever the model is; what comes back for NumPy goes through `.cpu()`.

Without `torchrun` there is one process and nothing here talks to any other. Under
`torchrun --nproc_per_node=N -m textlab train ...` (which sets RANK, WORLD_SIZE and LOCAL_RANK), every process joins
one process group (gloo on the CPU, NCCL on CUDA), PyTorch's DistributedDataParallel averages the gradients, and the
helpers below make the few decisions the processes must share: stop now or not, and the validation loss that early
stopping reads (rank 0's, broadcast).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.distributed as dist

from textlab.settings import torchrun_world

DEVICES = ("auto", "cpu", "cuda", "mps")


def resolve_device(name: str) -> torch.device:
    """`auto`: CUDA, then MPS, then the CPU. A device this machine lacks is an error that names what it has."""
    if name not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}; got {name!r}")
    available = [d for d, ok in (("cuda", torch.cuda.is_available()), ("mps", _mps())) if ok] + ["cpu"]
    if name == "auto":
        name = available[0]
    elif name not in available:
        built = "with" if torch.backends.cuda.is_built() else "without"
        raise ValueError(
            f"--device {name}: this machine has no {name.upper()} device (torch {torch.__version__}, built {built} "
            f"CUDA); use --device {' or '.join(available)}, or auto"
        )
    if name == "cuda" and world().size > 1:
        return torch.device("cuda", world().local_rank)
    return torch.device(name)


def device_of(module: torch.nn.Module) -> torch.device:
    """Where a network's weights are (and so where its inputs must go)."""
    return next(module.parameters()).device


_CUDNN_FLAG = threading.Lock()  # torch.backends.cudnn's flags are process-wide: one request at a time changes them


@contextmanager
def gradients_through_rnns(device: torch.device) -> Iterator[None]:
    """Where a gradient goes back through a recurrent network in eval mode (the explanation views): cuDNN's RNN
    backward refuses a forward pass run in eval mode, so on CUDA these run on PyTorch's own kernels instead."""
    if device.type != "cuda":
        yield
        return
    with _CUDNN_FLAG, torch.backends.cudnn.flags(enabled=False):
        yield


def _mps() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


@dataclass(frozen=True)
class World:
    """This process's place in a torchrun job (rank 0 of 1 without one)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """The process that writes checkpoints, logs and the progress bar."""
        return self.rank == 0


def world() -> World:
    """From the variables torchrun sets."""
    return World(*torchrun_world())


def join_processes(device: torch.device) -> World:
    """Join the job's process group (once) when there is more than one process; this process's World."""
    here = world()
    if here.size > 1 and not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return here


def distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def mean_over_processes(value: float, device: torch.device) -> float:
    """The mean of every process's `value`: a loss over the global batch."""
    if not distributed():
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return tensor.item() / dist.get_world_size()


def any_process(flag: bool, device: torch.device) -> bool:
    """True on every process when it is True on one: a time budget or Ctrl-C reached first by one of them stops all
    of them after the same step."""
    if not distributed():
        return flag
    tensor = torch.tensor([float(flag)], device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return tensor.item() > 0


def own_rows(rows: torch.Tensor) -> torch.Tensor:
    """This process's rows of a character stream cut into `batch_size` rows: the global batch split evenly."""
    here = world()
    if here.size == 1:
        return rows
    if rows.size(0) % here.size:
        raise ValueError(f"--batch-size {rows.size(0)} does not split evenly over {here.size} processes")
    per = rows.size(0) // here.size
    return rows[here.rank * per : (here.rank + 1) * per]


def own_share(rows: list[int]) -> list[int]:
    """This process's share of a global batch of example indices: every `size`-th one from its rank. A batch with
    fewer examples than processes gives the last ones its first example again, so that every process steps."""
    here = world()
    return rows[here.rank :: here.size] or rows[:1]


def rank0_value(value: float, device: torch.device) -> float:
    """Rank 0's `value` on every process: one early-stopping decision, however the last bits of each differ."""
    if not distributed():
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.broadcast(tensor, src=0)
    return float(tensor.item())
