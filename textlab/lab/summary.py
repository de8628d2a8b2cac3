"""The model builder: a Keras-style `model.summary()` for a recurrent model, with Keras' and PyTorch's parameter
counts side by side.

Keras keeps one bias vector per gate; PyTorch keeps two (input-to-hidden and hidden-to-hidden), so a PyTorch cell
has `gates x units` more parameters. The study notes' GRU counts are Keras' original layout (`reset_after=False`);
Keras 2.3 and later default to `reset_after=True`, which has PyTorch's two biases. The PyTorch column is counted on real
`torch.nn` modules built from the same choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

CELLS = ("SimpleRNN", "LSTM", "GRU")
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
INPUTS = ("features", "one-hot", "embedding")
MAX_LAYERS, MAX_UNITS, MAX_VOCAB, MAX_FEATURES = 8, 4096, 1_000_000, 100_000


class BuilderError(ValueError):
    """A model the builder cannot make; the message says what to change."""


@dataclass
class ModelSpec:
    cell: str = "LSTM"
    layers: int = 1
    units: int = 128
    input: str = "features"  # numbers per step, one-hot characters/words, or an embedding of word indices
    features: int = 10  # "features": numbers per step; "one-hot" and "embedding": the vocabulary size
    embed_dim: int = 300  # "embedding" only
    timesteps: int | None = None  # None: any length, as Keras' input_shape=(None, features)
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    head_units: int = 1  # Dense outputs: 1 for a sigmoid, the number of classes or characters for a softmax
    gru_reset_after: bool = False

    def check(self) -> None:
        if self.cell not in CELLS:
            raise BuilderError(f"The cell must be one of {', '.join(CELLS)}; got {self.cell!r}.")
        if self.input not in INPUTS:
            raise BuilderError(f"The input must be one of {', '.join(INPUTS)}; got {self.input!r}.")
        for name, value, high in (
            ("layers", self.layers, MAX_LAYERS),
            ("units", self.units, MAX_UNITS),
            ("output units", self.head_units, MAX_VOCAB),
        ):
            if not isinstance(value, int) or not 1 <= value <= high:
                raise BuilderError(f"{name.capitalize()} must be a whole number from 1 to {high:,}; got {value!r}.")
        high = MAX_FEATURES if self.input == "features" else MAX_VOCAB
        if not 1 <= self.features <= high:
            raise BuilderError(f"The input size must be from 1 to {high:,}; got {self.features!r}.")
        if self.input == "embedding" and not 1 <= self.embed_dim <= 4096:
            raise BuilderError(f"The embedding size must be from 1 to 4,096; got {self.embed_dim!r}.")
        if self.timesteps is not None and not 1 <= self.timesteps <= 100_000:
            raise BuilderError(f"Timesteps must be from 1 to 100,000, or empty for any length; got {self.timesteps}.")
        for name, rate in (("dropout", self.dropout), ("recurrent dropout", self.recurrent_dropout)):
            if not 0 <= rate < 1:
                raise BuilderError(f"The {name} rate must be at least 0 and below 1; got {rate}.")


@dataclass
class Row:
    layer: str
    output_shape: str
    keras: int
    pytorch: int


def keras_cell_params(cell: str, input_dim: int, units: int, reset_after: bool = False) -> int:
    """Kernel, recurrent kernel and one bias per gate (two for a GRU with reset_after)."""
    gates = GATES[cell]
    biases = 2 if cell == "GRU" and reset_after else 1
    return gates * units * (input_dim + units + biases)


def _torch_cell(cell: str, input_dim: int, units: int, bidirectional: bool) -> nn.Module:
    module = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[cell]
    return module(input_dim, units, batch_first=True, bidirectional=bidirectional, device="meta")


def _count(module: nn.Module) -> int:
    """Parameters of a module built on the meta device: shapes only, no memory (a 1 M x 4,096 embedding is 16 GB)."""
    return sum(p.numel() for p in module.parameters())


def summarize(spec: ModelSpec) -> list[Row]:
    """One row per layer, in the order Keras prints them."""
    spec.check()
    steps = "None" if spec.timesteps is None else str(spec.timesteps)
    rows = []
    if spec.input == "embedding":
        params = spec.features * spec.embed_dim
        rows.append(
            Row(
                "embedding (Embedding)",
                f"(None, {steps}, {spec.embed_dim})",
                params,
                _count(nn.Embedding(spec.features, spec.embed_dim, device="meta")),
            )
        )
        width = spec.embed_dim
    else:
        width = spec.features
    directions = 2 if spec.bidirectional else 1
    for layer in range(spec.layers):
        last = layer == spec.layers - 1
        keras = directions * keras_cell_params(spec.cell, width, spec.units, spec.gru_reset_after)
        torch_count = _count(_torch_cell(spec.cell, width, spec.units, spec.bidirectional))
        name = spec.cell.lower() + (f"_{layer}" if layer else "")
        shape = f"(None, {directions * spec.units})" if last else f"(None, {steps}, {directions * spec.units})"
        if spec.bidirectional:
            layer_name = "bidirectional" + (f"_{layer}" if layer else "") + f" (Bidirectional {spec.cell})"
        else:
            layer_name = f"{name} ({spec.cell})"
        rows.append(Row(layer_name, shape, keras, torch_count))
        width = directions * spec.units
    head = nn.Linear(width, spec.head_units, device="meta")
    rows.append(Row("dense (Dense)", f"(None, {spec.head_units})", _count(head), _count(head)))
    return rows


def summary_text(spec: ModelSpec, rows: list[Row]) -> str:
    """The rows as Keras prints them, with the totals for both layouts."""
    lines = [f"{'Layer (type)':<38}{'Output Shape':<22}{'Param # (Keras)':>17}{'PyTorch':>16}", "=" * 93]
    for row in rows:
        lines.append(f"{row.layer:<38}{row.output_shape:<22}{row.keras:>17,}{row.pytorch:>16,}")
    keras_total, torch_total = sum(r.keras for r in rows), sum(r.pytorch for r in rows)
    layout = "reset_after=True" if spec.gru_reset_after else "reset_after=False, the study notes' layout"
    lines += [
        "=" * 93,
        f"Total params: {keras_total:,} (Keras{', GRU ' + layout if spec.cell == 'GRU' else ''})",
        f"PyTorch: {torch_total:,} ({torch_total - keras_total:+,}: two bias vectors per gate)",
    ]
    return "\n".join(lines)
