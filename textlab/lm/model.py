"""The pretrained language model: its subword tokenizer, network, checkpoint, held-out perplexity and card."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from textlab.chat.scoring import char_nll
from textlab.checkpoints import Checkpoint, load_model, save_checkpoint
from textlab.networks.word_lm import WordLM, WordLMConfig
from textlab.text import EOS
from textlab.text.subwords import SentencePieceTokenizer
from textlab.text.words import normalise

KIND = "lm"
TOKENIZER_FILE = "tokenizer.model"


@dataclass
class LanguageModel:
    network: WordLM
    tokenizer: SentencePieceTokenizer
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.network.eval()


def token_stream(tokenizer: SentencePieceTokenizer, documents: list[str], limit: int | None = None) -> torch.Tensor:
    """The documents' subword ids in one stream after an end-of-sequence id, each document closed by another; with
    `limit`, the first `limit` + 1 ids (`limit` targets: the last document read may be cut short)."""
    ids: list[int] = [EOS]
    for document in documents:
        ids += tokenizer.encode(document) + [EOS]
        if limit is not None and len(ids) >= limit:
            break
    return torch.tensor(ids[: limit + 1] if limit is not None else ids)


def perplexity(lm: LanguageModel, documents: list[str]) -> dict[str, float]:
    """Held-out figures of `documents` (normalised as the classifiers read text): perplexity per subword, and bits
    per character, which compares models whatever their tokenizer."""
    texts = [t for t in (normalise(d) for d in documents) if t]
    if not texts:
        raise ValueError("there is no text to score: it holds no words")
    nll = stream_nll(lm.network, token_stream(lm.tokenizer, texts))
    chars = sum(len(t) + 1 for t in texts)  # each document's characters and its end
    return {
        "documents": len(texts),
        "tokens": int(nll.numel()),
        "chars": chars,
        "perplexity": math.exp(float(nll.mean())),
        "bits_per_char": float(nll.sum()) / math.log(2) / chars,
    }


def stream_nll(network: WordLM, ids: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood (nats) of `ids[1:]`, each token after the 64 before it at least (chunks of 512
    scored side by side, as the chat model's characters are)."""
    return char_nll(network, ids, chunk=512, context=64)


def save_language_model(folder: Path, lm: LanguageModel) -> None:
    """Weights in half precision (4,000 x 256 embedding and a 512-unit LSTM: 5.4 MB), the tokenizer beside them."""
    save_checkpoint(
        folder,
        KIND,
        {k: v.half() for k, v in lm.network.state_dict().items()},
        vars(lm.network.config),
        blobs={TOKENIZER_FILE: lm.tokenizer.model},
        card=lm.card,
    )


def load_language_model(folder: Path) -> LanguageModel:
    """The language model saved in `folder`; raises CheckpointError if it cannot be used."""
    return load_model(folder, KIND, _build)


def _build(ckpt: Checkpoint) -> LanguageModel:
    tokenizer = SentencePieceTokenizer(ckpt.blobs[TOKENIZER_FILE])
    network = WordLM(WordLMConfig(**ckpt.config))
    if network.config.vocab_size != tokenizer.vocab_size or not tokenizer.marks_sequences:
        raise ValueError(f"a tokenizer of {tokenizer.vocab_size} pieces does not fit the network")
    network.load_state_dict({k: v.float() for k, v in ckpt.tensors.items()})
    return LanguageModel(network, tokenizer, ckpt.extras.get("card", {}))


def model_card(lm: LanguageModel) -> str:
    card, cfg = lm.card, lm.network.config
    params = sum(p.numel() for p in lm.network.parameters())
    lines = [
        f"**Language model:** {lm.tokenizer.vocab_size:,} SentencePiece subwords -> {cfg.embed_dim}-d tied "
        f"embedding -> {cfg.num_layers} x {cfg.hidden_size} LSTM, {params:,} parameters."
    ]
    for line in card.get("sources", []):
        lines.append(f"- {line}")
    for split in ("valid", "test"):
        if split in card:
            f = card[split]
            lines.append(f"- held-out {split}: perplexity {f['perplexity']:.1f}, {f['bits_per_char']:.3f} bits/char")
    return "\n".join(lines)
