"""Chat model benchmark: held-out bits per character beside a character n-gram, and training, generation and
scoring speed. Writes the "chat" section of BENCHMARKS.md.

    python -m bench.chat [--model models/chat] [--repeats 5]      (or: python -m textlab bench chat)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from bench.ngram import CharNGram
from bench.ppmd import bits_per_char as ppmd_bits
from bench.report import machine_line, write_section
from textlab.chat import CAPABILITY
from textlab.chat.config import ChatConfig
from textlab.chat.dynamic import DynamicConfig
from textlab.chat.model import build_prompt, generate_reply
from textlab.chat.scoring import normalise_lines, speaker_bits_per_char
from textlab.chat.training import network_config
from textlab.data.dialogue import episodes, format_dialogue, iter_speaker_spans
from textlab.data.sitcoms import load_dialogue
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.sampling import SamplingConfig
from textlab.text.batches import batchify, tbptt_batches

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--repeats", "1", "--orders", "5", "--dynamic-lrs", "3e-4"]


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(repeats: int) -> float:
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    return 2 * 1024**3 / median_time(lambda: a @ b, repeats * 4) / 1e9


def lstm_macs(input_size: int, hidden_size: int, num_layers: int) -> int:
    """Multiply-adds of one time step of a stacked LSTM."""
    return sum(4 * hidden_size * ((input_size if i == 0 else hidden_size) + hidden_size) for i in range(num_layers))


def lstm_macs_per_char(cfg: CharLMConfig) -> int:
    return lstm_macs(cfg.embed_dim, cfg.hidden_size, cfg.num_layers) + cfg.hidden_size * cfg.vocab_size


def lm_step_seconds(network: torch.nn.Module, batches, repeats: int) -> float:
    """Median seconds of one training step (forward, backward, Adam) of a next-token model on the (x, y) windows of
    `batches`, after one step of warm-up."""
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-4)
    network.train()

    def step():
        x, y = next(batches)
        logits, _ = network(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step()
    seconds = median_time(step, repeats)
    network.eval()
    return seconds


def training_speed(train_text: str, vocab, repeats: int) -> tuple[float, float]:
    """chars/s and GFLOP/s of full-config training steps (forward, backward, Adam) on real text."""
    cfg = ChatConfig()
    network = CharLM(network_config(cfg, len(vocab)))
    batches = tbptt_batches(batchify(torch.tensor(vocab.encode(train_text[:2_000_000])), cfg.batch_size), cfg.seq_len)
    seconds = lm_step_seconds(network, batches, repeats + 2)
    chars_per_s = cfg.batch_size * cfg.seq_len / seconds
    return chars_per_s, chars_per_s * 6 * lstm_macs_per_char(network.config) / 1e9


def generation_speed(chat, context_lines, repeats: int) -> tuple[float, float]:
    """Median time to the first character (prompt of recent turns) and median chars/s after it, at batch 1."""
    first, rates = [], []
    bot = chat.card.get("speaker", "Sheldon")
    history = [("assistant" if u.speaker == bot else "user", u.text) for u in context_lines]
    for seed in range(repeats * 4):
        prompt = build_prompt(chat, history[seed : seed + 12], "What do you think about that?", "Penny", bot)
        start = time.perf_counter()
        stream = generate_reply(chat, prompt, SamplingConfig(temperature=0.8, max_chars=400, seed=seed))
        reply = next(stream)
        first.append(time.perf_counter() - start)
        rest = list(stream)
        reply = rest[-1] if rest else reply
        if len(reply) > 20:
            rates.append((len(reply) - 1) / (time.perf_counter() - start - first[-1]))
    return statistics.median(first), statistics.median(rates) if rates else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="checkpoint folder (default models/chat)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--orders",
        type=int,
        nargs="+",
        default=[4, 5, 6, 7],
        help="n-gram baseline orders to try (the best on validation is reported)",
    )
    parser.add_argument(
        "--dynamic-lrs",
        type=float,
        nargs="+",
        default=[1e-4, 3e-4, 1e-3],
        help="dynamic evaluation steps to try (the best on validation is reported)",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    chat = CAPABILITY.load(CAPABILITY.tasks["chat"], args.model)
    bot = chat.card.get("speaker", "Sheldon")
    corpus = load_dialogue()
    by_episode = episodes(corpus.utterances)
    held_out = chat.card["episodes"]
    missing = [name for name in held_out["valid"] + held_out["test"] if name not in by_episode]
    if missing:
        sys.exit(
            f"error: {len(missing)} held-out episodes of the model ({', '.join(missing[:3])}, ...) are not in "
            f"{corpus.source}; it was trained on {chat.card.get('source', 'another corpus')}. "
            "Set TEXTLAB_TBBT_DIR to that folder."
        )
    valid = [u for name in held_out["valid"] for u in by_episode[name]]
    test = [u for name in held_out["test"] for u in by_episode[name]]
    held = set(held_out["valid"]) | set(held_out["test"])
    train_text = "".join(format_dialogue(lines) for name, lines in by_episode.items() if name not in held)

    print("scoring held-out episodes...", file=sys.stderr)
    lstm = {
        split: speaker_bits_per_char(chat.network, chat.vocab, lines, bot)
        for split, lines in [("valid", valid), ("test", test)]
    }

    print("dynamic evaluation...", file=sys.stderr)
    dynamic = None
    for lr in args.dynamic_lrs:
        cfg = DynamicConfig(lr=lr)
        valid_figures = speaker_bits_per_char(chat.network, chat.vocab, valid, bot, cfg)
        print(f"  step {lr:g}: valid {valid_figures['all_bits_per_char']:.3f} bits/char", file=sys.stderr)
        if dynamic is None or valid_figures["all_bits_per_char"] < dynamic[1]["all_bits_per_char"]:
            dynamic = (cfg, valid_figures)
    dyn_cfg, dyn_valid = dynamic
    dyn_test = speaker_bits_per_char(chat.network, chat.vocab, test, bot, dyn_cfg)

    print("fitting the n-gram baseline...", file=sys.stderr)
    ngram_scores = {}
    for split, lines in [("valid", valid), ("test", test)]:
        lines = normalise_lines(lines, chat.vocab)  # the very characters the LSTM row scores
        positions = [i for s, e in iter_speaker_spans(lines, bot) for i in range(s, e)]
        ngram_scores[split] = ("\n" + format_dialogue(lines), [i + 1 for i in positions])
    best = None
    for order in args.orders:
        model = CharNGram(order, len(chat.vocab)).fit(train_text)
        score = model.bits(*ngram_scores["valid"])
        print(f"  order {order}: valid {score:.3f} bits/char", file=sys.stderr)
        if best is None or score < best[1]:
            best = (order, score, model.bits(*ngram_scores["test"]))
        del model

    print("compressing with PPMd...", file=sys.stderr)
    ppmd = {split: ppmd_bits(train_text, text) for split, (text, _) in ngram_scores.items()}

    print("timing...", file=sys.stderr)
    ceiling = matmul_gflops(args.repeats)
    train_cps, train_gflops = training_speed(train_text, chat.vocab, args.repeats)
    first_s, gen_cps = generation_speed(chat, test, args.repeats)
    megabyte = []
    while test and sum(len(u.speaker) + len(u.text) + 3 for u in megabyte) < 1_000_000:
        megabyte += test
    score_s = median_time(
        lambda: speaker_bits_per_char(chat.network, chat.vocab, megabyte, bot), max(1, args.repeats // 2)
    )

    cfg = chat.network.config
    params = sum(p.numel() for p in chat.network.parameters())
    runs = [*chat.card.get("earlier_runs", []), chat.card["history"]]
    minutes = sum(run["seconds"] for run in runs) / 60
    epochs = sum(len(run["epochs"]) for run in runs)
    section = f"""## Sheldon chat (character LSTM)

{machine_line()}.

Model: `models/chat`, {cfg.num_layers} x {cfg.hidden_size} LSTM, {params:,} parameters, trained {minutes:.0f} min on
this machine in {len(runs)} run(s), {epochs} epochs in all (the last partial epochs count as one). Held out:
{len(held_out["valid"])} validation and {len(held_out["test"])} test episodes of {corpus.source}. Timings are medians
of {args.repeats} or more runs.

| {bot}'s lines, bits per character | validation | test |
| --- | --- | --- |
| character LSTM | {lstm["valid"]["bits_per_char"]:.3f} | **{lstm["test"]["bits_per_char"]:.3f}** |
| character LSTM, dynamic evaluation | {dyn_valid["bits_per_char"]:.3f} | **{dyn_test["bits_per_char"]:.3f}** |
| character {best[0]}-gram, Witten-Bell (order chosen on validation) | {best[1]:.3f} | {best[2]:.3f} |
| characters scored | {lstm["valid"]["chars"]:,} | {lstm["test"]["chars"]:,} |

Target: at most 2.0 bits/char on held-out Sheldon lines (aim 1.85). All rows score the same characters: the
text of each of those lines after its tag, read after every line before it.

| the whole held-out dialogue, bits per character | validation | test |
| --- | --- | --- |
| character LSTM | {lstm["valid"]["all_bits_per_char"]:.3f} | **{lstm["test"]["all_bits_per_char"]:.3f}** |
| character LSTM, dynamic evaluation | {dyn_valid["all_bits_per_char"]:.3f} | **{dyn_test["all_bits_per_char"]:.3f}** |
| 7-Zip PPMd (order 10, 256 MB), compressing it after the training text | {ppmd["valid"]:.3f} | {ppmd["test"]:.3f} |

PPMd is an adaptive context model from 1999: the held-out text costs it the extra bytes it adds to the archive of
the training text. All rows read the same characters (the text as the LSTM reads it).

Dynamic evaluation (Krause et al. 2018; `eval chat --dynamic`) lets the LSTM learn from the held-out dialogue as it
reads it, as PPMd does: each {dyn_cfg.segment}-character segment is scored, then the model takes one step on it
(Adam without momentum, beta {dyn_cfg.beta}, step {dyn_cfg.lr:g} chosen on validation among
{", ".join(f"{lr:g}" for lr in args.dynamic_lrs)}; `eval chat --dynamic` uses {DynamicConfig().lr:g}). The chat
itself serves the trained weights.

| speed | figure |
| --- | --- |
| training, full config (batch 64 x 128, fwd + bwd + Adam) | {train_cps:,.0f} chars/s, {train_gflops:.0f} GFLOP/s |
| 1024 x 1024 float32 matmul, same run (the ceiling) | {ceiling:.0f} GFLOP/s |
| reply: time to first character (prompt of up to 400 chars) | {first_s * 1000:.0f} ms (target 100 ms) |
| reply: generation at batch 1 | {gen_cps:,.0f} chars/s (target 1,000) |
| `eval chat` scoring 1 MB of transcript | {score_s:.1f} s |
"""
    write_section(args.out, "chat", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
