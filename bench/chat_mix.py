"""Does adding the Friends transcripts to the training text help the Sheldon model? Same configuration, same time
budget, same validation episodes, with and without them. Writes the "chat-mix" section of BENCHMARKS.md.

    python -m bench.chat_mix [--budget 180] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from bench.report import machine_line, write_section
from textlab.chat.config import ChatConfig
from textlab.chat.training import train_chat
from textlab.data.catalog import FRIENDS
from textlab.data.sitcoms import DialogueCorpus, load_dialogue, load_friends

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--budget", "10"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=float, default=180, help="training seconds for each of the two runs")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    tbbt = load_dialogue()
    friends = DialogueCorpus("friends", FRIENDS.describe(), load_friends())
    rows = []
    for label, extra in (("The Big Bang Theory only", None), ("plus Friends", friends)):
        cfg = ChatConfig.quick()
        cfg.train.time_budget_s, cfg.train.max_epochs = args.budget, 50
        chat = train_chat(cfg, tbbt, extra=extra)
        valid = chat.card["valid"]
        rows.append(
            f"| {label} | {chat.card['train_chars']:,} | {valid['bits_per_char']:.3f} | "
            f"{valid['all_bits_per_char']:.3f} |"
        )
        print(rows[-1], file=sys.stderr)

    section = f"""## Sheldon chat: mixing in the Friends transcripts

{machine_line()}. Quick configuration (1 x 256 LSTM), {args.budget:.0f} s of training each, the same 8 validation
episodes of {tbbt.source}.

| training text | characters | Sheldon lines, bits/char | all validation text, bits/char |
| --- | --- | --- | --- |
{chr(10).join(rows)}
"""
    write_section(args.out, "chat-mix", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
