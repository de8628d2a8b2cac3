"""The translator's beam as a tree: every hypothesis the search grew, step by step, and what became of it.

`decoding.beam_search` reports each step's extensions (`on_step`): at every step the likeliest 2 x beam extensions
of the live hypotheses are looked at in order; the first `beam` that have not ended live on ("kept"), those that end
with </s> join the finished ones ("finished"), and the rest are dropped ("dropped").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from textlab.decoding import LENGTH_ALPHA, Extension, Hypothesis, beam_search
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
    nodes: list[Node] = []
    alive = [-1]  # the node of each live hypothesis, in the search's order
    ends: dict[tuple[int, ...], int] = {}  # a finished hypothesis's tokens -> its last node

    def grow(extensions: list[Extension]) -> None:
        step = nodes[-1].step + 1 if nodes else 1
        kept = []
        for ext in extensions:
            token = ext.hypothesis.tokens[-1]
            node = Node(
                len(nodes), alive[ext.parent], step, tr.target.pieces([token])[0], ext.hypothesis.logprob, ext.status
            )
            nodes.append(node)
            if ext.status == "kept":
                kept.append(node.id)
            elif ext.status == "finished":
                ends[tuple(ext.hypothesis.tokens)] = node.id
        alive[:] = kept

    found = beam_search(tr.network, source, beam, tr.max_output(len(source)), beam, LENGTH_ALPHA, on_step=grow)
    finished = [hyp for hyp in found if hyp.finished]
    _mark_best(nodes, ends[tuple(finished[0].tokens)] if finished else None)
    return nodes, finished


def _mark_best(nodes: list[Node], end: int | None) -> None:
    while end is not None and end >= 0:
        nodes[end].status = "best"
        end = nodes[end].parent
