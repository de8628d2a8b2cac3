"""A classifier's settings, with their defaults and why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from textlab.settings import train_budget_s
from textlab.training import TrainConfig


@dataclass
class ClassifyConfig:
    """A text classifier: SentencePiece (or word) tokens -> embedding -> bidirectional GRU -> pooling -> linear."""

    task: str  # the registry entry it is trained for: sentiment, news, reuters
    datasets: tuple[str, ...]  # the labelled sets pooled for training (their test splits are kept apart)
    letters_only: bool = False  # read text as a-z words only, as the news files are written
    tokenizer: Literal["sentencepiece", "words"] = "sentencepiece"  # subwords, or the notes' word_to_index
    vocab_size: int = 12_000  # tokens; x embed_dim x 4 bytes is most of the checkpoint (12,000 x 128: 6.1 MB)
    max_tokens: int = 400  # tokens read per text (the first ones); 80% of IMDB reviews fit
    embed_dim: int = 128  # embedding size
    hidden_size: int = 128  # GRU units per direction
    num_layers: int = field(default=1, metadata={"flag": "layers"})  # stacked GRU layers
    bidirectional: bool = True  # read the text both ways
    dropout: float = 0.4  # on the embeddings and before the output layer
    pooling: Literal["last", "max", "mean", "attention"] = "max"  # how the GRU's outputs become one vector
    # gru: the GRU above, trained from scratch; lm: ULMFiT - the pretrained language model's tokenizer, embedding
    # and LSTM (models/lm, or --lm), concat pooling and a linear head (the sizes above then come from the LM)
    encoder: Literal["gru", "lm"] = "gru"
    lm: str | None = None  # the language model's checkpoint folder (default models/lm)
    lm_finetune_s: float = 0.0  # with encoder lm: seconds of LM fine-tuning on the training texts first (0: none)
    # with encoder lm: gradual (the head alone first, then a layer more an epoch), all (every layer from the
    # start), none (the language model's layers stay fixed: only the head learns)
    unfreeze: Literal["gradual", "all", "none"] = "gradual"
    lr_factor: float = 2.6  # with encoder lm: each layer down learns at the rate above it / this
    embeddings: Literal["random", "word2vec", "neighbours"] = "random"  # word2vec: learnt on the training tokens
    freeze_embeddings: bool = False  # keep pre-trained embeddings as they are (not with "random")
    batch_size: int = 64  # texts per step
    balanced: bool = False  # weight each class's loss by its inverse frequency (for skewed sets like Reuters)
    max_train_examples: int | None = None  # a random subset of the training split, for quick models
    split_seed: int = 0  # the seeded splits of the movie reviews; the subset of quick models
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=2e-3, max_epochs=10, patience=2))

    def quick(self) -> ClassifyConfig:
        """A small model that trains in a few minutes: what the app trains when no checkpoint is there."""
        return replace(
            self,
            vocab_size=4_000,
            max_tokens=200,
            embed_dim=64,
            hidden_size=64,
            max_train_examples=6_000,
            train=TrainConfig(lr=3e-3, max_epochs=3, patience=1, time_budget_s=train_budget_s()),
        )
