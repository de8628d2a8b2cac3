"""The translator's beam as a tree: every hypothesis the search grew, step by step, and what became of it.

The search is `decoding.beam_search` run again with a record of each step: at every step the likeliest 2 x beam
extensions of the live hypotheses are looked at in order; the first `beam` that have not ended live on ("kept"),
those that end with </s> join the finished ones ("finished"), and the rest are dropped ("dropped"). A test checks
that the finished hypotheses are the ones `beam_search` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from textlab.decoding import LENGTH_ALPHA, Hypothesis, best_possible_score
from textlab.networks.seq2seq import select_state, start_tokens
from textlab.text import EOS
from textlab.text.batches import pad_batch
from textlab.translate.model import MAX_BEAM, Translator


@dataclass
class Node:
    id: int
    parent: int  # -1: the start
    step: int  # from 1
    piece: str  # the token, as the target tokenizer shows it
    log_prob: float  # of the whole hypothesis up to here (nats)
    status: str  # "kept", "finished", "dropped"; "best" along the returned best output


@torch.no_grad()
def beam_tree(tr: Translator, text: str, beam: int) -> tuple[list[Node], list[Hypothesis]]:
    """Every node the beam search of `text` with width `beam` looked at, and its finished hypotheses, best first."""
    if not 1 <= beam <= MAX_BEAM:
        raise ValueError(f"the beam width must be from 1 to {MAX_BEAM}, got {beam}")
    if not text.strip():
        raise ValueError("type something to translate first")
    source = tr.encode(text)
    batch, lengths = pad_batch([source])
    memory, state = tr.network.encode(batch, lengths)
    max_len = tr.max_output(len(source))
    nodes: list[Node] = []
    alive, ids, finished = [Hypothesis([], 0.0)], [-1], []  # finished: (hypothesis, its last node)
    for step in range(1, max_len + 1):
        rows = memory.select(torch.zeros(len(alive), dtype=torch.long)) if len(alive) > 1 else memory
        previous = torch.tensor([h.tokens[-1] for h in alive]) if alive[0].tokens else start_tokens(len(alive))
        logits, state, _ = tr.network.step(previous, state, rows)
        totals = torch.log_softmax(logits, dim=1) + torch.tensor([h.logprob for h in alive]).unsqueeze(1)
        values, flat = totals.view(-1).topk(min(2 * beam, totals.numel()))
        survivors, keep, kept_ids = [], [], []
        for value, index in zip(values.tolist(), flat.tolist(), strict=True):
            parent, token = divmod(index, totals.size(1))
            node = Node(len(nodes), ids[parent], step, tr.target.pieces([token])[0], value, "dropped")
            nodes.append(node)
            if len(survivors) == beam:
                continue  # beam_search stops looking here
            hyp = Hypothesis(alive[parent].tokens + [token], value, finished=token == EOS)
            node.status = "finished" if hyp.finished else "kept"
            if hyp.finished:
                finished.append((hyp, node.id))
            else:
                survivors.append(hyp)
                keep.append(parent)
                kept_ids.append(node.id)
        finished = sorted(finished, key=lambda f: f[0].score(LENGTH_ALPHA), reverse=True)[:beam]
        if not survivors or (
            len(finished) == beam
            and best_possible_score(survivors[0], max_len, LENGTH_ALPHA) < finished[-1][0].score(LENGTH_ALPHA)
        ):
            break
        alive, ids, state = survivors, kept_ids, select_state(state, torch.tensor(keep))
    _mark_best(nodes, finished[0][1] if finished else None)
    return nodes, [hyp for hyp, _ in finished]


def _mark_best(nodes: list[Node], end: int | None) -> None:
    while end is not None and end >= 0:
        nodes[end].status = "best"
        end = nodes[end].parent
