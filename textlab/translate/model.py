"""A translator: its tokenizers and the rules it reads by, beam search with n-best lists and attention maps,
evaluation, its checkpoint and its card."""

from __future__ import annotations

import math
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from textlab.checkpoints import Checkpoint, load_model, save_checkpoint
from textlab.data.dates import real_date
from textlab.decoding import LENGTH_ALPHA, beam_search, greedy
from textlab.networks.seq2seq import Seq2Seq, Seq2SeqConfig
from textlab.text import SPECIALS
from textlab.text.chars import CharVocab
from textlab.text.subwords import SentencePieceTokenizer
from textlab.translate.tasks import Rules

KIND = "translator"
MAX_BEAM = 10
MAX_SOURCE_TOKENS = 200
LOW_CONFIDENCE = 0.5  # dates: below this probability of the whole answer, it is flagged
Tokenizer = CharVocab | SentencePieceTokenizer


class TranslateError(ValueError):
    """Input the translator cannot use; the message says what to change."""


@dataclass
class Translator:
    task: str
    network: Seq2Seq
    source: Tokenizer
    target: Tokenizer
    rules: Rules
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.network.eval()

    def prepare(self, text: str) -> str:
        """What the model reads of `text`: spaces collapsed, and lower-cased where its rules say so."""
        text = " ".join(text.split())
        return text.lower() if self.rules.lowercase else text

    def max_output(self, source_tokens: int) -> int:
        if self.rules.max_output_tokens is not None:
            return self.rules.max_output_tokens
        return min(2 * source_tokens + 10, 3 * MAX_SOURCE_TOKENS)

    def encode(self, text: str) -> list[int]:
        return self.source.encode(self.prepare(text))[:MAX_SOURCE_TOKENS]


@dataclass
class Candidate:
    text: str
    score: float  # log-probability / length penalty: what the beam ranks by
    probability: float  # of the whole output


@dataclass
class Translation:
    output: str
    candidates: list[Candidate]
    source_pieces: list[str]
    target_pieces: list[str]  # the best output's tokens, closing </s> included
    attention: list[list[float]] | None  # target x source weights, None for a model without attention
    notes: list[str]
    flagged: bool  # something is noted: not a real date, too unsure, unseen characters, input cut short
    seconds: float


def translate(tr: Translator, text: str, beam: int = 3) -> Translation:
    """The best translation of `text` with a beam of `beam`, its n-best list and attention; raises TranslateError."""
    start = time.perf_counter()
    if not isinstance(beam, int) or isinstance(beam, bool) or not 1 <= beam <= MAX_BEAM:
        raise TranslateError(f"The beam width must be a whole number from 1 to {MAX_BEAM}; got {beam!r}.")
    dates = tr.rules.dates
    if not isinstance(text, str) or not text.strip():
        raise TranslateError(
            "Type something to translate: " + ("a date, e.g. 'the 3rd of May 1999'." if dates else "a sentence.")
        )
    if len(text) > tr.rules.max_chars:
        what = "a date" if dates else "one sentence at a time"
        raise TranslateError(
            f"That is {len(text):,} characters; the {tr.task} model reads at most "
            f"{tr.rules.max_chars:,}: give it {what}."
        )
    prepared = tr.prepare(text)
    notes = date_input_notes(text, prepared) if dates else []
    if unknown := tr.source.unknown(prepared):
        shown = ", ".join(repr(c) for c in unknown[:10])
        notes.append(f"The model never saw {shown} in training: read as unknown.")
    ids = tr.source.encode(prepared)
    if len(ids) > MAX_SOURCE_TOKENS:
        notes.append(f"Only the first {MAX_SOURCE_TOKENS} of {len(ids)} tokens were read.")
        ids = ids[:MAX_SOURCE_TOKENS]
    hyps = beam_search(tr.network, ids, beam, tr.max_output(len(ids)))
    best = hyps[0]
    candidates = [Candidate(tr.target.decode(h.output), h.score(LENGTH_ALPHA), math.exp(h.logprob)) for h in hyps]
    output = candidates[0].text
    if not best.finished:
        notes.append(f"The output reached the length limit of {tr.max_output(len(ids))} tokens without ending.")
    if dates:
        notes.extend(date_flags(output, candidates[0].probability))
    return Translation(  # anything noted makes the answer less trustworthy: flag it
        output,
        candidates,
        tr.source.pieces(ids),
        tr.target.pieces(best.tokens),
        best.attention or None,
        notes,
        bool(notes),
        time.perf_counter() - start,
    )


def date_input_notes(text: str, prepared: str) -> list[str]:
    """What to tell about a date before translating it; raises TranslateError for text that holds no whole date."""
    shown = text.strip()[:40]
    if not re.search(r"\d", prepared):
        raise TranslateError(
            f"{shown!r} does not look like a date: it has no digits, so no day or "
            "year. Try e.g. 'May 3rd, 1999' or '3.5.1999'."
        )
    numbers = re.findall(r"\d+", prepared)
    words = re.search(r"[^\W\d_]", prepared) is not None  # a month written out: a day and a year are left
    if len(numbers) < (2 if words else 3):
        raise TranslateError(missing_part(shown, numbers, words))
    years = [y for y in re.findall(r"(?<!\d)\d{4}(?!\d)", prepared) if not 1900 <= int(y) <= 2099]
    return [f"The model knows the years 1900 to 2099 only; {years[0]} is outside them."] if years else []


def missing_part(shown: str, numbers: list[str], words: bool) -> str:
    """What a date with too few numbers lacks; without a year the model would make one up ("August 29": 2029)."""
    whole = "write the day, the month and the year"
    if any(len(n) > 4 for n in numbers):
        return f"{shown!r} is not a date the model can read: {whole}, e.g. 'May 3rd, 1999' or '3.5.1999'."
    if any(len(n) > 2 for n in numbers):
        return f"{shown!r} has no day: {whole}, e.g. 'May 3rd, 1999' or '3.5.1999'."
    separators = re.findall(r"\d([/.-])\d", shown)
    example = shown.rstrip(" ,./-") + (separators[-1] if separators and not words else " ") + "1999"
    return f"{shown!r} has no year, and the model would make one up: {whole}, e.g. {example!r}."


def date_flags(output: str, probability: float) -> list[str]:
    """What is wrong with a date translation: not a real calendar date, or too unsure to trust."""
    if not real_date(output):
        return [f"{output!r} is not a real calendar date."]
    if probability < LOW_CONFIDENCE:
        return [f"Low confidence ({probability:.0%}): check the answer, or write the date another way."]
    return []


def translate_batch(tr: Translator, texts: list[str], beam: int = 1, batch_size: int = 128) -> list[str]:
    """Translations of many texts: greedy in batches (beam 1), or beam search one by one."""
    outputs: list[str] = []
    for first in range(0, len(texts), batch_size):
        sources = [tr.encode(t) for t in texts[first : first + batch_size]]
        if beam == 1:
            hyps = greedy(tr.network, sources, max(tr.max_output(len(s)) for s in sources))
        else:
            hyps = [beam_search(tr.network, s, beam, tr.max_output(len(s)))[0] for s in sources]
        outputs.extend(tr.target.decode(h.output) for h in hyps)
    return outputs


def evaluate(tr: Translator, pairs: list[tuple[str, str]], beam: int = 1) -> dict[str, Any]:
    """The model's metrics (its rules say which: exact match, BLEU, chrF with sacrebleu) and `n`."""
    outputs = translate_batch(tr, [s for s, _ in pairs], beam)
    references = [t for _, t in pairs]
    figures: dict[str, Any] = {}
    if "exact_match" in tr.rules.metrics:
        figures["exact_match"] = sum(o == r for o, r in zip(outputs, references, strict=True)) / max(len(pairs), 1)
    if {"bleu", "chrf"} & set(tr.rules.metrics):
        import sacrebleu

        figures["bleu"] = sacrebleu.corpus_bleu(outputs, [references]).score
        figures["chrf"] = sacrebleu.corpus_chrf(outputs, [references]).score
    return {**figures, "n": len(pairs)}


def save_translator(folder: Path, tr: Translator) -> None:
    blobs, chars = {}, {}
    for side, tokenizer in (("source", tr.source), ("target", tr.target)):
        if isinstance(tokenizer, SentencePieceTokenizer):
            blobs[f"{side}.model"] = tokenizer.model
        else:
            chars[side] = list(tokenizer.chars)
    save_checkpoint(
        folder,
        KIND,
        tr.network.state_dict(),
        vars(tr.network.config),
        blobs=blobs,
        task={"task": tr.task, "rules": asdict(tr.rules), "chars": chars},
        card=tr.card,
    )


def load_translator(task: str, folder: Path) -> Translator:
    """The `task` translator saved in `folder`; raises CheckpointError if it cannot be used."""
    return load_model(folder, KIND, lambda ckpt: _build(task, ckpt))


def _build(task: str, ckpt: Checkpoint) -> Translator:
    info = ckpt.extras["task"]
    if info["task"] != task:
        raise ValueError(f"it holds the {info['task']!r} translator, not {task!r}")
    rules = Rules(**{**info["rules"], "metrics": tuple(info["rules"]["metrics"])})
    sides: list[Tokenizer] = []
    for side in ("source", "target"):
        if side in info["chars"]:
            sides.append(CharVocab(tuple(info["chars"][side]), SPECIALS))
        else:
            tokenizer = SentencePieceTokenizer(ckpt.blobs[f"{side}.model"])
            if not tokenizer.marks_sequences:
                raise ValueError(f"the {side} SentencePiece model does not reserve ids 2 and 3 for <s> and </s>")
            sides.append(tokenizer)
    network = Seq2Seq(Seq2SeqConfig(**ckpt.config))
    if (network.config.source_vocab, network.config.target_vocab) != (sides[0].vocab_size, sides[1].vocab_size):
        raise ValueError("the vocabularies do not fit the network's embeddings")
    network.load_state_dict(ckpt.tensors)
    return Translator(task, network, sides[0], sides[1], rules, ckpt.extras.get("card", {}))


def model_card(tr: Translator) -> str:
    card = tr.card
    lines = [f"**{card.get('title', tr.task)}** - {card.get('summary', '')}"]
    for name, figures in card.get("test", {}).items():
        found = []
        if "bleu" in figures:
            found.append(f"BLEU **{figures['bleu']:.1f}**, chrF {figures['chrf']:.1f}")
        if "exact_match" in figures:
            found.append(f"exact match **{figures['exact_match']:.2%}**")
        what = "dates" if tr.rules.dates else "pairs"
        lines.append(f"- {name}: {', '.join(found)} on {figures['n']:,} {what} never used in training")
    c = tr.network.config
    attention = {
        "bahdanau": "additive (Bahdanau) attention",
        "luong": "multiplicative (Luong) attention",
        "none": "no attention (one fixed vector)",
    }[c.attention]
    lines.append(
        f"- {tr.source.kind} -> {c.embed_dim}-d embeddings -> bidirectional {c.num_layers} x "
        f"{c.hidden_size} {c.cell.upper()} encoder -> {c.cell.upper()} decoder with {attention}."
    )
    if "trained" in card:
        lines.append(
            f"- Trained {card['trained']} on {card.get('source', 'its data')}; "
            f"{card.get('parameters', 0):,} parameters."
        )
    return "\n".join(lines)
