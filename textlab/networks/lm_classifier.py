"""ULMFiT's classifier: a pretrained language model's embedding and LSTM (`WordLM`'s, copied by name), then concat
pooling - the state after the last token, the maximum and the mean over time, side by side - and a linear layer.

Texts are padded at the end, and the LSTM reads one way: the padding comes after each text's last real token, so it
never enters the states that are pooled (pooling masks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from textlab.networks.text_classifier import class_probabilities
from textlab.networks.word_lm import WordLM


@dataclass(frozen=True)
class LMClassifierConfig:
    vocab_size: int
    num_classes: int
    embed_dim: int
    hidden_size: int
    num_layers: int = 1
    dropout: float = 0.3  # on the embeddings, between LSTM layers and before the output layer

    def __post_init__(self) -> None:
        if self.num_classes < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got {self.num_classes}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    @property
    def outputs(self) -> int:
        return 1 if self.num_classes == 2 else self.num_classes


class LMClassifier(nn.Module):
    def __init__(self, config: LMClassifierConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim)
        self.drop = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(
            config.embed_dim,
            config.hidden_size,
            config.num_layers,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.head = nn.Linear(3 * config.hidden_size, config.outputs)

    def load_encoder(self, lm: WordLM) -> None:
        """Copy the language model's embedding and LSTM weights (the head stays as initialised)."""
        ours = {k for k in self.state_dict() if k.startswith(("embed.", "lstm."))}
        theirs = {k: v for k, v in lm.state_dict().items() if k in ours}
        if theirs.keys() != ours:
            raise ValueError("the language model's layers do not match the classifier's")
        self.load_state_dict(theirs, strict=False)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids: (B, T) token ids padded after the text (on any device); lengths: (B,) tokens per text, each >= 1 ->
        logits."""
        return self.forward_embedded(self.embed(ids.to(self.embed.weight.device)), lengths)

    def forward_embedded(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The network after its embedding layer: what gradient x input explanations differentiate."""
        out, _ = self.lstm(self.drop(embedded))  # (B, T, H)
        lengths = lengths.to(out.device)
        valid = (torch.arange(out.shape[1], device=out.device)[None, :] < lengths[:, None])[..., None]
        last = out[torch.arange(out.shape[0], device=out.device), lengths - 1]
        largest = out.masked_fill(~valid, float("-inf")).max(dim=1).values
        mean = (out * valid).sum(dim=1) / lengths[:, None]
        return self.head(self.drop(torch.cat([last, largest, mean], dim=-1)))

    def probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        return class_probabilities(logits, self.config.outputs)

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """The layers from the output down, for discriminative rates and gradual unfreezing: the head, each LSTM
        layer from the top, the embedding."""
        lstm = [
            [getattr(self.lstm, f"{kind}_l{layer}") for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            for layer in reversed(range(self.config.num_layers))
        ]
        return [list(self.head.parameters()), *lstm, [self.embed.weight]]
