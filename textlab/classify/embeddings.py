"""Pre-trained token embeddings for the classifiers, the study notes' transfer-learning lesson with what this machine
has (no GloVe download):

- `train_token_vectors`: word2vec learnt on the training split's own tokens, read without their labels;
- `word_vector_rows`: the Neighbours tab's word vectors, learnt on the training splits of every classifier's data
  and the sitcom transcripts, copied onto the tokens that are whole words.

Neither reads a test split, so the test split leaks nothing.
"""

from __future__ import annotations

import logging

import numpy as np
import torch
from gensim.models import KeyedVectors, Word2Vec


def train_token_vectors(
    sequences: list[list[int]], vocab_size: int, dim: int, epochs: int = 5, seed: int = 0, workers: int = 1
) -> tuple[torch.Tensor, float]:
    """Skip-gram vectors for token ids 0..vocab_size-1 -> ((vocab_size, dim) tensor, share of ids that got one).

    Ids never seen in `sequences` (and padding, id 0) keep small random vectors. One worker by default, so that the
    same seed gives the same vectors: with more, gensim's threads make them differ from run to run, which moved the
    fine-tuned classifier's validation accuracy by 2 points between two runs of `bench transfer`. Two workers take
    about 60% of the time (22 s against 38 s for 1.6 million tokens).
    """
    logging.getLogger("gensim").setLevel(logging.WARNING)
    sentences = [[str(i) for i in seq] for seq in sequences if seq]
    model = Word2Vec(
        sentences, vector_size=dim, window=5, min_count=1, sg=1, negative=5, epochs=epochs, seed=seed, workers=workers
    )
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.1, (vocab_size, dim)).astype(np.float32)
    covered = 0
    for key, index in model.wv.key_to_index.items():
        token = int(key)
        if 0 < token < vocab_size:
            weights[token] = model.wv.vectors[index]
            covered += 1
    weights[0] = 0.0
    return torch.from_numpy(weights), covered / max(vocab_size - 1, 1)


def word_vector_rows(words: list[str | None], vectors: KeyedVectors, seed: int = 0) -> tuple[torch.Tensor, float]:
    """Rows for token ids 0..len(words)-1 from word vectors -> ((len(words), dim) tensor, share of ids found).

    `words[i]` is the whole word token i stands for, or None for a piece of a word. A word the vectors know takes
    its vector; the other tokens keep small random vectors like `train_token_vectors`' misses; padding (id 0) is 0.
    """
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.1, (len(words), vectors.vector_size)).astype(np.float32)
    found = 0
    for token, word in enumerate(words[1:], start=1):
        if word and word.lower() in vectors.key_to_index:
            weights[token] = vectors[word.lower()]
            found += 1
    weights[0] = 0.0
    return torch.from_numpy(weights), found / max(len(words) - 1, 1)
