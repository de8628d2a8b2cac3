"""Training the listener on (recent turns, reply) pairs of sitcom dialogue, each reply a negative for the other
contexts of its batch; how it mixes with TF-IDF and the pretrained sentence encoder is chosen on the validation
episodes (and on other shows' speakers), the test episodes only reported."""

from __future__ import annotations

import itertools
import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from textlab.capabilities import Report
from textlab.chat.model import DEFAULT_BOT
from textlab.chat.selection import SelectionItem, recall_at_1, selection_items
from textlab.chat.training import split_corpus
from textlab.data.dialogue import Utterance, episodes
from textlab.data.sitcoms import load_dialogue, load_friends, load_office
from textlab.data.sources import SourceError
from textlab.listener.config import ListenerConfig
from textlab.listener.model import (
    END_OF_TURN,
    TFIDF_BUCKETS,
    Listener,
    Mix,
    Reading,
    combine,
    inverse_document_frequency,
    last_turns,
    tfidf_features,
    with_message,
)
from textlab.listener.sentences import load_sentences
from textlab.networks.dual_encoder import DualEncoder, DualEncoderConfig
from textlab.text.batches import pad_batch
from textlab.text.words import WordVocab, word_tokens
from textlab.training import EpochRecord, Step, fit, place, provenance

log = logging.getLogger("textlab")

Pair = tuple[list[Utterance], str]  # (the turns before a reply, the reply)
TFIDF_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)  # tried on validation, with each of
TFIDF_TURNS = (1, 2, 3, 6, 12)
SENTENCE_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)  # and with each of these,
SENTENCE_TURNS = (1, 2, 3, 4, 6)  # these and
# these message weights (Mix.sentence_message). Measured once, the sentence encoder alone on 1,160 Sheldon replies
# of 24 training episodes (which it never read) ranked as bench listen ranks them: recall@1 of 10 0.392 with the
# last 3 turns + 0.5 x the message, 0.359 with the 3 turns alone
SENTENCE_MESSAGE = (0.0, 0.5, 1.0)
SHOWS = {"friends": load_friends, "office": load_office}
# Each other show's episodes, shuffled (seed 0), in groups of GROUP_EPISODES: bench listen reports the first
# SCORED_EPISODES; the next CHOOSING_EPISODES help choose the mix beside validation. Chosen on validation alone, the mix
# leant on the sentence encoder and fell by 0.01-0.03 on the other shows' speakers while test stayed where it was.
GROUP_EPISODES = 8
SCORED_EPISODES = 24
CHOOSING_EPISODES = 16


def reply_pairs(lines: Sequence[Utterance], turns: int) -> list[Pair]:
    """Every line whose previous line (in its episode) is by someone else, with the `turns` lines before it."""
    pairs = []
    for episode in episodes(lines).values():
        for i in range(1, len(episode)):
            if episode[i].speaker.lower() != episode[i - 1].speaker.lower():
                pairs.append((episode[max(0, i - turns) : i], episode[i].text))
    return pairs


def shuffled_episodes(lines: Sequence[Utterance]) -> tuple[dict[str, list[Utterance]], list[str]]:
    """The lines by episode, and the episode names in one seeded random order."""
    by_episode = episodes(lines)
    names = sorted(by_episode)
    random.Random(0).shuffle(names)
    return by_episode, names


def episode_groups(by_episode: dict[str, list[Utterance]], names: Sequence[str]) -> list[list[Utterance]]:
    """The lines of every GROUP_EPISODES episodes of `names` together: the pool each item's 9 others come from."""
    return [
        [u for name in names[start : start + GROUP_EPISODES] for u in by_episode[name]]
        for start in range(0, len(names), GROUP_EPISODES)
    ]


def top_speakers(groups: Sequence[Sequence[Utterance]], n: int) -> list[str]:
    return [speaker for speaker, _ in Counter(u.speaker for group in groups for u in group).most_common(n)]


def grouped_items(groups: Sequence[Sequence[Utterance]], speaker: str) -> list[SelectionItem]:
    """Selection items of `speaker` in each group, the 9 others drawn from the same group (seeded by its place)."""
    return [item for g, group in enumerate(groups) for item in selection_items(group, speaker, seed=g)]


def other_show_items(shows: Sequence[str], speakers: int = 2) -> list[SelectionItem]:
    """Items for the `speakers` who speak most in each show's CHOOSING_EPISODES (never those bench listen scores)."""
    items = []
    for show in shows:
        by_episode, names = shuffled_episodes(SHOWS[show]())
        groups = episode_groups(by_episode, names[SCORED_EPISODES : SCORED_EPISODES + CHOOSING_EPISODES])
        for speaker in top_speakers(groups, speakers):
            items += grouped_items(groups, speaker)
    return items


def build_vocab(pairs: Sequence[Pair], size: int) -> WordVocab:
    counts = Counter(
        w for context, reply in pairs for text in (reply, context[-1].text) for w in word_tokens(text, marks=True)
    )
    words = [w for w, _ in counts.most_common(size - 3)]
    return WordVocab.build([" ".join([*words, END_OF_TURN])])


def train_listener(
    cfg: ListenerConfig,
    train_lines: Sequence[Utterance],
    valid_lines: Sequence[Utterance],
    test_lines: Sequence[Utterance],
    bot: str = DEFAULT_BOT,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    other_items: Sequence[SelectionItem] = (),
) -> Listener:
    """A listener for `cfg` learnt from `train_lines`; validation and test figures rank `bot`'s lines. The mix is
    chosen on the validation items and, as much, on `other_items` (other speakers' replies) when there are any."""
    pairs = reply_pairs(train_lines, cfg.turns)
    vocab = build_vocab(pairs, cfg.vocab_size)
    idf = inverse_document_frequency((tfidf_features(u.text) for u in train_lines), TFIDF_BUCKETS)
    torch.manual_seed(cfg.train.seed)
    network = DualEncoder(
        DualEncoderConfig(len(vocab), cfg.embed_dim, cfg.hidden_size, cfg.out_dim, cfg.dropout, cfg.temperature)
    )
    listener = Listener(network, vocab, idf, Reading(cfg.turns, cfg.context_tokens, cfg.reply_tokens))
    coverage = _start_embeddings(listener, cfg)
    valid_items, test_items = selection_items(valid_lines, bot), selection_items(test_lines, bot)
    history = _fit(
        listener, cfg, pairs, reply_pairs(valid_lines, cfg.turns), valid_items, on_step, on_epoch, should_stop
    )
    if cfg.sentences == "minilm":
        listener.sentences = load_sentences()
    choose_mix(listener, [valid_items, list(other_items)])
    listener.card = {
        "pairs": len(pairs),
        "vocab": len(vocab),
        "embeddings": {"init": cfg.embeddings, "coverage": coverage},
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "valid": _figures(listener, valid_items),
        "test": _figures(listener, test_items),
        **({"others": _figures(listener, list(other_items))} if other_items else {}),
        **provenance(),
    }
    return listener


def _start_embeddings(listener: Listener, cfg: ListenerConfig) -> float | None:
    if cfg.embeddings == "random":
        return None
    from textlab.classify.embeddings import word_vector_rows
    from textlab.neighbours import CAPABILITY as NEIGHBOURS

    wv = NEIGHBOURS.load(NEIGHBOURS.tasks["neighbours"], None)
    if wv.vectors.vector_size != cfg.embed_dim:
        raise ValueError(
            f"the word vectors have {wv.vectors.vector_size} dimensions and the embedding "
            f"{cfg.embed_dim}: train with --embed-dim {wv.vectors.vector_size} or --embeddings random"
        )
    rows, coverage = word_vector_rows(list(listener.vocab.index_to_word), wv.vectors, cfg.train.seed)
    listener.network.embed.weight.data.copy_(rows)
    return coverage


def _fit(
    listener: Listener,
    cfg: ListenerConfig,
    pairs: list[Pair],
    valid_pairs: list[Pair],
    valid_items: list[SelectionItem],
    on_step,
    on_epoch,
    should_stop,
):
    encoded = [(listener.context_ids(c), listener.reply_ids(r)) for c, r in pairs]
    valid = [(listener.context_ids(c), listener.reply_ids(r)) for c, r in valid_pairs]
    rng = random.Random(cfg.train.seed)
    device = place(listener.network, cfg.train).device  # one process: the negatives are the rest of the batch

    def loss_of(batch: list[tuple[list[int], list[int]]]) -> torch.Tensor:
        logits = listener.network(*pad_batch([c for c, _ in batch]), *pad_batch([r for _, r in batch]))
        truth = torch.arange(len(batch), device=logits.device)
        return (F.cross_entropy(logits, truth) + F.cross_entropy(logits.T, truth)) / 2

    def batches():
        order = list(range(len(encoded)))
        rng.shuffle(order)
        return ([encoded[i] for i in order[s : s + cfg.batch_size]] for s in range(0, len(order), cfg.batch_size))

    def evaluate() -> dict[str, float]:
        """The loss early stopping reads is the ranking error on the validation replies (1 - recall@1): the in-batch
        loss of replies of every speaker kept falling, or rising, while recall went the other way."""
        losses = [loss_of(valid[s : s + cfg.batch_size]).item() for s in range(0, len(valid), cfg.batch_size)]
        recall = recall_at_1(valid_items, lambda context, bot, x: listener.encoder_scores(context, x))
        return {"loss": 1 - recall, "recall_at_1": recall, "in_batch_loss": float(np.mean(losses))}

    return fit(
        listener.network,
        cfg.train,
        batches,
        loss_of,
        evaluate,
        -(-len(encoded) // cfg.batch_size),
        on_step,
        on_epoch,
        should_stop,
        device,
    )


def choose_mix(listener: Listener, item_groups: Sequence[list[SelectionItem]]) -> None:
    """The weights and turns of the parts that rank best by the mean of the groups' recall@1 (each non-empty group
    counts as much, whatever its size), with the sentence encoder (when the listener has one) and without it. Each
    part's scores are computed once for every number of turns tried."""
    items = [item for group in item_groups for item in group]
    sizes = [len(group) for group in item_groups]
    encoder = np.stack([listener.encoder_scores(item.context, item.candidates) for item in items])
    answers = np.array([item.answer for item in items])
    tfidf = {
        t: np.stack([listener.tfidf_scores(item.context, item.candidates, t) for item in items]) for t in TFIDF_TURNS
    }
    sentence = _sentence_table(listener, items) if listener.sentences is not None else {}

    def ranked(mix: Mix) -> tuple[float, ...]:
        """Its mean recall@1 over the groups, then smaller weights first (a tie goes to the simpler mix)."""
        score = encoder + mix.tfidf_weight * tfidf[mix.tfidf_turns]
        if mix.sentence_weight:
            score = score + mix.sentence_weight * sentence[mix.sentence_turns, mix.sentence_message]
        return (
            mean_group_recall(score.argmax(1) == answers, sizes),
            -mix.sentence_weight,
            -mix.sentence_message,
            -mix.tfidf_weight,
        )

    grid = itertools.product(TFIDF_TURNS, TFIDF_WEIGHTS, sentence, SENTENCE_WEIGHTS)
    listener.mix_alone = max((Mix(tw, tt) for tt, tw in itertools.product(TFIDF_TURNS, TFIDF_WEIGHTS)), key=ranked)
    listener.mix = max((Mix(tw, tt, sw, *st) for tt, tw, st, sw in grid), key=ranked, default=listener.mix_alone)
    if not listener.mix.sentence_weight:
        listener.sentences = None


def mean_group_recall(hits: np.ndarray, sizes: Sequence[int]) -> float:
    """The mean over the groups (consecutive runs of `sizes` items; empty ones left out) of the share of hits."""
    ends = np.cumsum(sizes)
    return float(np.mean([hits[end - size : end].mean() for size, end in zip(sizes, ends, strict=True) if size]))


def _sentence_table(listener: Listener, items: list[SelectionItem]) -> dict[tuple[int, float], np.ndarray]:
    """{(turns, message weight): (items, candidates) cosines}, every candidate encoded once."""
    vectors = np.split(
        listener.sentences.encode([c for item in items for c in item.candidates]),
        np.cumsum([len(item.candidates) for item in items])[:-1],
    )
    contexts = [item.context for item in items]
    message = listener.sentences.encode([last_turns(c, 1) for c in contexts], keep="last")
    table = {}
    for turns in SENTENCE_TURNS:  # each reading encoded once (as context_vectors would encode it), then mixed
        read = message if turns == 1 else listener.sentences.encode([last_turns(c, turns) for c in contexts], "last")
        for weight in SENTENCE_MESSAGE:
            said = with_message(read, message, weight) if weight else read
            table[turns, weight] = np.stack([v @ s for v, s in zip(vectors, said, strict=True)])
    return table


def _figures(listener: Listener, items: list[SelectionItem]) -> dict:
    """Recall@1 of each part alone and of the mix served, on `items`."""
    parts = [listener.parts(item.context, item.candidates) for item in items]
    answers = np.array([item.answer for item in items])

    def recall(scores: list[np.ndarray]) -> float:
        return float(np.mean([int(np.argmax(s)) for s in scores] == answers))

    figures = {name: recall([p[name] for p in parts]) for name in parts[0]}
    return {**figures, "combined": recall([combine(p, listener.serving_mix) for p in parts]), "n": len(items)}


def train(cfg: ListenerConfig, report: Report) -> Listener:
    """Split the chat's corpus as the chat model is split; add the other shows' dialogue to the training pairs."""
    corpus = load_dialogue(Path(cfg.corpus) if cfg.corpus else None)
    split = split_corpus(cfg, corpus)
    train_names = set(split.train_names)
    train_lines = [u for u in corpus.utterances if u.episode in train_names] if "tbbt" in cfg.shows else []
    for show in cfg.shows:
        if show in SHOWS:
            train_lines += SHOWS[show]()
        elif show != "tbbt":
            raise ValueError(f"unknown show {show!r}; choose from tbbt (the chat's corpus), {', '.join(SHOWS)}")
    report.note(f"training on {len(train_lines):,} lines of {', '.join(cfg.shows)}; held out as the chat model's")
    return train_listener(
        cfg,
        train_lines,
        split.valid_lines,
        split.test_lines,
        split.bot,
        report.steps(cfg.train.max_epochs),
        report.on_epoch,
        report.should_stop,
        _mix_items(cfg, report),
    )


def _mix_items(cfg: ListenerConfig, report: Report) -> list[SelectionItem]:
    """The other shows' items that help choose the mix: never a show the dual encoder learnt from."""
    if unknown := set(cfg.mix_shows) - set(SHOWS):
        raise ValueError(f"unknown show(s) {', '.join(sorted(unknown))} in --mix-shows; choose from {', '.join(SHOWS)}")
    shows = [show for show in cfg.mix_shows if show not in cfg.shows]
    try:
        items = other_show_items(shows)
    except SourceError as e:
        log.warning("the listener's mix is chosen on validation alone: %s", e)
        return []
    if items:
        report.note(f"the mix is chosen on validation and {len(items):,} replies of {', '.join(shows)}")
    return items


def summary(listener: Listener) -> dict:
    card = listener.card
    return {
        "valid": card["valid"],
        "test": card["test"],
        "mix": vars(listener.serving_mix),
        "stopped": card["history"]["stopped"],
    }
