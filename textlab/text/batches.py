"""Batches: a long text as a stream cut for truncated backpropagation through time, and token lists padded side by
side."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from textlab.text import PAD


def batchify(ids: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Cut a 1-D stream into `batch_size` rows read side by side, dropping the remainder.

        a b c d e f g h i j k l m   --batch_size 3-->   a b c d
                                                        e f g h
                                                        i j k l
    Each row continues where it left off from one batch to the next, so the LSTM state can carry over.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n = ids.numel() // batch_size
    if n < 2:
        raise ValueError(f"a stream of {ids.numel()} characters is too short for {batch_size} rows")
    return ids[: n * batch_size].view(batch_size, n)


def tbptt_batches(rows: torch.Tensor, seq_len: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(inputs, targets) windows of `seq_len` steps along the rows of `batchify`; targets are shifted by one.

    rows  a b c d e f g      seq_len 3:   x = a b c   y = b c d,   then  x = d e f   y = e f g
    """
    for i in range(0, rows.size(1) - 1, seq_len):
        n = min(seq_len, rows.size(1) - 1 - i)
        yield rows[:, i : i + n], rows[:, i + 1 : i + 1 + n]


def count_tbptt_batches(rows: torch.Tensor, seq_len: int) -> int:
    return -(-(rows.size(1) - 1) // seq_len)


def pad_batch(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token lists -> (B, T) ids padded at the end with PAD, and (B,) lengths; an empty list reads as one PAD."""
    lengths = torch.tensor([max(len(s), 1) for s in sequences])
    ids = torch.full((len(sequences), int(lengths.max())), PAD, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
    return ids, lengths
