"""Look inside benchmark: for the committed chat model, the unit that best tracks each built-in property on held-out
TBBT episodes (the model card's test episodes), and the time each view of the Look inside tab takes for 2,000
characters. Writes the "inspect" section of BENCHMARKS.md.

    python -m bench.inspect [--episodes 4] [--chars-per-episode 5000] [--repeats 3]
    (or: python -m textlab bench inspect ...)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

from bench.report import machine_line, write_section
from textlab.chat import CAPABILITY as CHAT
from textlab.files import read_text_file
from textlab.inspect import PROPERTIES, Reading, read_text, trace
from textlab.inspect.report import best_units, first_lines
from textlab.loading import ModelSlot
from textlab.ui import inspect_tab

TARGETS = "each view of 2,000 characters in <= 1 s, the gradient view in <= 2 s (one torch thread, as the app serves)"
QUICK = ["--episodes", "1", "--chars-per-episode", "1500", "--repeats", "1"]


def held_out(chat, folder: Path, episodes: int, chars: int) -> tuple[list[str], Reading]:
    """The first `chars` characters (whole lines) of each of the first `episodes` test episodes, read as one text."""
    names = chat.card["episodes"]["test"][:episodes]
    texts = [first_lines(read_text(read_text_file(folder / f"{n}.txt"), chat.vocab), chat, chars).text for n in names]
    text = "".join(texts)
    return names, Reading(text, chat.vocab.encode("\n" + text), True, 0)


def unit_rows(chat, reading: Reading) -> tuple[float, list[str]]:
    tr = trace(chat.network, reading)
    rows = []
    for row in best_units(tr):
        if row["layer"] is None:
            rows.append(f"| {row['property']} | {PROPERTIES[row['property']]} | - | - | - | - (does not vary) |")
            continue
        rows.append(
            f"| {row['property']} | {PROPERTIES[row['property']]} | {row['layer']} | {row['state']} | {row['unit']} | "
            f"{row['measure']} {row['auc']:.3f} |"
        )
        print(rows[-1], file=sys.stderr)
    return tr.bits_per_char, rows


def view_times(chat, text: str, repeats: int) -> list[str]:
    """Median seconds of each view's handler (the computing and the HTML) over `repeats` runs."""
    slot = ModelSlot("chat", lambda: chat, lambda progress: chat, lambda m: None).start()
    slot.wait(60)
    views = {
        "surprisal strip (/inspect_surprisal)": lambda: inspect_tab.show_surprisal(slot, text),
        "one unit, text and plot (/inspect_unit)": lambda: inspect_tab.show_unit(slot, text, 2, "cell", 0),
        "unit finder, 3,840 units (/inspect_find_units)": lambda: inspect_tab.find_best_units(
            slot, text, "upper_case", ""
        ),
        "what drives the last character (/inspect_drivers)": lambda: inspect_tab.show_drivers(slot, text, 0),
    }
    rows = []
    for name, view in views.items():
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            view()
            seconds.append(time.perf_counter() - start)
        rows.append(f"| {name} | {statistics.median(seconds):.2f} |")
        print(rows[-1], file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=4, help="how many of the model card's test episodes")
    parser.add_argument("--chars-per-episode", type=int, default=5000, help="the first characters of each")
    parser.add_argument("--repeats", type=int, default=3, help="timing runs of each view (the median is reported)")
    parser.add_argument("--data", type=Path, help="the TBBT transcripts (default: the model card's source folder)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)  # as the app serves each request
    chat = CHAT.load(CHAT.tasks["chat"], None)
    source = chat.card.get("source", "")
    folder = args.data or (Path(source.split(" ", 1)[1]) if source.startswith("folder ") else None)
    if folder is None or not folder.is_dir():
        sys.exit(f"error: no transcripts folder {folder}; pass --data FOLDER (the TBBT *.txt transcripts)")
    names, reading = held_out(chat, folder, args.episodes, args.chars_per_episode)
    bits, rows = unit_rows(chat, reading)
    pasted = read_text_file(folder / f"{names[0]}.txt")[: inspect_tab.INSPECT_CHARS]
    timings = view_times(chat, pasted, args.repeats)
    body = "\n".join(
        [
            "## Look inside: what the chat model's units track",
            "",
            machine_line(),
            "",
            f"The committed chat model (2 x 384 LSTM units, each looked at as hidden, cell, input, forget and output "
            f"gate: 3,840 in all) reading the first {args.chars_per_episode:,} characters of test episodes "
            f"{', '.join(names)} ({len(reading.text):,} characters, {bits:.3f} bits per character). The best unit "
            "per property: ROC AUC far from 0.5 either way (0 or 1: it tells the characters apart perfectly), "
            "correlation for the position in the line.",
            "",
            "| property | meaning | layer | state | unit | best |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Each view of the Look inside tab on the first {inspect_tab.INSPECT_CHARS:,} characters of episode "
            f"{names[0]} as pasted (the handler: computing and HTML), median of {args.repeats} runs:",
            "",
            "| view | seconds |",
            "|---|---|",
            *timings,
            "",
            f"Targets: {TARGETS}.",
        ]
    )
    write_section(args.out, "inspect", body)
    print(f"wrote the inspect section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
