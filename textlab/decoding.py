"""Decoding a sequence-to-sequence model: greedy for many sources at once, beam search for one, with n-best output.

Beam search ranks finished hypotheses by their log-probability divided by the GNMT length penalty
((5 + length) / 6) ** alpha (Wu et al., 2016): without it, shorter outputs win only because they multiply fewer
probabilities below one. It stops once no unfinished hypothesis could still beat the finished ones it returns
(`best_possible_score`), not once some number of them have finished: unlikely outputs cut short ("1974-07") finish
early, and counting them would end the search before the likely, longer answer ("1974-07-31") does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from textlab.networks.seq2seq import Memory, Seq2Seq, select_state, start_tokens
from textlab.text import EOS
from textlab.text.batches import pad_batch

LENGTH_ALPHA = 0.6  # GNMT's value: 0 ranks by log-probability alone; larger values favour longer outputs


@dataclass
class Hypothesis:
    tokens: list[int]  # without BOS; ends with EOS when finished
    logprob: float
    attention: list[list[float]] = field(default_factory=list)  # one row over the source per token
    finished: bool = False

    def score(self, alpha: float) -> float:
        return self.logprob / length_penalty(len(self.tokens), alpha)

    @property
    def output(self) -> list[int]:
        """The tokens without the closing EOS."""
        return self.tokens[:-1] if self.finished else self.tokens


def length_penalty(length: int, alpha: float) -> float:
    return ((5 + length) / 6) ** alpha


def best_possible_score(hyp: Hypothesis, max_len: int, alpha: float) -> float:
    """The highest score any finished continuation of the unfinished `hyp`, at most `max_len` tokens long, can reach.

    Each token adds a log-probability of at most 0, so a continuation ending at length L scores at most
    hyp.logprob / length_penalty(L) for some L from len(hyp.tokens) + 1 to max_len. That log-probability being at
    most 0, the bound is largest where the penalty is, and the penalty is monotonic in L: the largest is at one end.
    """
    lengths = (len(hyp.tokens) + 1, max(max_len, len(hyp.tokens) + 1))
    return hyp.logprob / max(length_penalty(n, alpha) for n in lengths)


@torch.no_grad()
def greedy(model: Seq2Seq, sources: list[list[int]], max_len: int) -> list[Hypothesis]:
    """The most likely next token at every step, for a batch of sources."""
    model.eval()
    source, lengths = pad_batch(sources)
    memory, state = model.encode(source, lengths)
    previous = start_tokens(len(sources))
    hyps = [Hypothesis([], 0.0) for _ in sources]
    for _ in range(max_len):
        logits, state, weights = model.step(previous, state, memory)
        logp = torch.log_softmax(logits, dim=1)
        best, previous = logp.max(dim=1)
        for row, hyp in enumerate(hyps):
            if hyp.finished:
                continue
            hyp.tokens.append(int(previous[row]))
            hyp.logprob += float(best[row])
            if weights is not None:
                hyp.attention.append(weights[row, : lengths[row]].tolist())
            hyp.finished = hyp.tokens[-1] == EOS
        if all(h.finished for h in hyps):
            break
    return hyps


@dataclass
class Extension:
    """One extension the search looked at in a step: of the hypothesis at `parent` among those alive before it."""

    parent: int
    hypothesis: Hypothesis
    status: str  # "kept" (alive on), "finished" (ended with EOS) or "dropped" (looked at once the beam was full)


@torch.no_grad()
def beam_search(
    model: Seq2Seq,
    source: list[int],
    beam: int,
    max_len: int,
    n_best: int | None = None,
    alpha: float = LENGTH_ALPHA,
    on_step: Callable[[list[Extension]], None] | None = None,
) -> list[Hypothesis]:
    """The `n_best` (default `beam`) best hypotheses for one source, best first by length-normalised score.

    Search stops once `n_best` hypotheses have finished and no unfinished one can score higher than the worst of
    them (`best_possible_score`), or after `max_len` tokens; unfinished ones are returned (with `finished` False)
    only when fewer than `n_best` finished. Each step looks at the likeliest 2 x `beam` extensions in order;
    `on_step`, if given, is called with all of them (Look inside draws them as a tree).
    """
    if beam < 1:
        raise ValueError(f"the beam width must be at least 1, got {beam}")
    n_best = n_best or beam
    model.eval()
    batch, lengths = pad_batch([source])
    memory, state = model.encode(batch, lengths)
    alive, finished = [Hypothesis([], 0.0)], []
    copies: dict[int, Memory] = {}  # the source's memory once per hypothesis, by number of hypotheses
    for _ in range(max_len):
        if len(alive) not in copies:
            copies[len(alive)] = memory.select(torch.zeros(len(alive), dtype=torch.long))
        previous = torch.tensor([h.tokens[-1] for h in alive]) if alive[0].tokens else start_tokens(len(alive))
        logits, state, weights = model.step(previous, state, copies[len(alive)])
        totals = torch.log_softmax(logits, dim=1) + logits.new_tensor([h.logprob for h in alive])[:, None]
        vocab = totals.size(1)
        values, flat = totals.view(-1).topk(min(2 * beam, totals.numel()))
        rows = None if weights is None else weights.tolist()
        survivors, keep, looked = [], [], []  # the next beam, its parents, every extension looked at
        for value, index in zip(values.tolist(), flat.tolist(), strict=True):
            parent, token = divmod(index, vocab)
            if len(survivors) == beam:
                if on_step is None:
                    break
                looked.append(Extension(parent, Hypothesis(alive[parent].tokens + [token], value), "dropped"))
                continue
            row = [] if rows is None else [rows[parent]]
            hyp = Hypothesis(alive[parent].tokens + [token], value, alive[parent].attention + row, token == EOS)
            if hyp.finished:
                finished.append(hyp)
            else:
                survivors.append(hyp)
                keep.append(parent)
            looked.append(Extension(parent, hyp, "finished" if hyp.finished else "kept"))
        if on_step is not None:
            on_step(looked)
        finished = sorted(finished, key=lambda h: h.score(alpha), reverse=True)[:n_best]  # the rest cannot be returned
        if not survivors or (
            len(finished) == n_best and best_possible_score(survivors[0], max_len, alpha) < finished[-1].score(alpha)
        ):  # survivors[0] has the highest log-probability, and all are as long: the highest bound
            break
        alive, state = survivors, select_state(state, torch.tensor(keep))
    if len(finished) < n_best:
        finished += alive
    return sorted(finished, key=lambda h: h.score(alpha), reverse=True)[:n_best]
