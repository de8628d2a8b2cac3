"""Train your own: a character LSTM on a text the learner uploads, with a time budget, a loss curve and samples as
it trains; then generate from it and download its checkpoint. It lives in the learner's browser session only."""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from textlab.checkpoints import save_checkpoint
from textlab.files import download_file
from textlab.lab.experiments import Point
from textlab.lab.preprocess import PreprocessError, read_text_upload
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.sampling import SamplingConfig, sample_token
from textlab.text.chars import CharVocab, clean_text
from textlab.text.streams import batchify, tbptt_batches

MIN_CHARS = 500
MAX_BUDGET_S = 300
KIND = "lab-char-lm"


class OwnModelError(ValueError):
    """A text or setting the trainer cannot use; the message says what to change."""


@dataclass
class OwnModel:
    network: CharLM
    vocab: CharVocab
    points: list[Point] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class OwnUpdate:
    fraction: float
    points: list[Point]
    sample: str
    message: str
    model: OwnModel | None = None  # set on the last update


def read_upload(data: bytes) -> str:
    """The text of an uploaded file (see `read_text_upload`), cleaned to the printable ASCII the model reads."""
    try:
        text = read_text_upload(data)
    except PreprocessError as e:
        raise OwnModelError(str(e)) from None
    return check_text(clean_text(text))


def check_text(text: str) -> str:
    if len(text.strip()) < MIN_CHARS:
        raise OwnModelError(f"The text has {len(text.strip()):,} readable characters; give at least {MIN_CHARS:,} "
                            "(a few paragraphs) to learn from.")
    return text


def train_own(text: str, budget_s: float = 45, hidden_size: int = 128, seq_len: int = 64, batch_size: int = 32,
              sample_every_s: float = 5.0,
              seed: int = 0) -> Iterator[OwnUpdate]:
    """Train until the budget is spent, yielding the loss curves and a sample every few seconds.

    The last tenth of the text is held out: its loss is the validation curve.
    """
    text = check_text(text)
    if not 5 <= budget_s <= MAX_BUDGET_S:
        raise OwnModelError(f"The time budget must be from 5 to {MAX_BUDGET_S} seconds; got {budget_s}.")
    if not 8 <= hidden_size <= 512:
        raise OwnModelError(f"The LSTM size must be from 8 to 512; got {hidden_size}.")
    torch.manual_seed(seed)
    vocab = CharVocab.build(text)
    ids = torch.tensor(vocab.encode(text))
    cut = int(len(ids) * 0.9)
    train_rows = batchify(ids[:cut], min(batch_size, max(cut // (seq_len + 1), 1)))
    valid_ids = ids[cut:]
    model = OwnModel(CharLM(CharLMConfig(len(vocab), 32, hidden_size, 1, 0.1)), vocab)
    optimizer = torch.optim.Adam(model.network.parameters(), lr=3e-3)
    start = last_sample = time.monotonic()
    step, epoch, sample = 0, 0, ""
    while True:
        epoch += 1
        state = None
        for x, y in tbptt_batches(train_rows, seq_len):
            model.network.train()
            logits, state = model.network(x, state)
            state = tuple(s.detach() for s in state)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.network.parameters(), 1.0)
            optimizer.step()
            step += 1
            elapsed = time.monotonic() - start
            model.points.append(Point("your model", step, "train", "loss", loss.item()))
            done = elapsed >= budget_s
            if done or time.monotonic() - last_sample >= sample_every_s:
                last_sample = time.monotonic()
                model.points.append(Point("your model", step, "validation", "loss", _valid_loss(model, valid_ids)))
                sample = generate(model, text[:20], 200, 0.8, seed=step)
                model.samples.append(sample)
                yield OwnUpdate(min(elapsed / budget_s, 1.0), list(model.points), sample,
                                f"step {step} (pass {epoch} over the text), {elapsed:.0f} of {budget_s:.0f} s, "
                                f"loss {loss.item():.3f}")
            if done:
                model.source = f"{len(text):,} characters, {len(vocab)} distinct; {step} steps in {elapsed:.0f} s"
                yield OwnUpdate(1.0, list(model.points), sample, f"done: {model.source}", model)
                return


@torch.no_grad()
def _valid_loss(model: OwnModel, ids: torch.Tensor) -> float:
    model.network.eval()
    x, y = ids[:-1].unsqueeze(0)[:, :4096], ids[1:].unsqueeze(0)[:, :4096]
    if x.size(1) == 0:
        return float("nan")
    logits, _ = model.network(x)
    return F.cross_entropy(logits[0], y[0]).item()


@torch.no_grad()
def generate(model: OwnModel, prompt: str, length: int = 300, temperature: float = 0.8, seed: int | None = None) -> str:
    """`length` characters after `prompt` (characters the model does not know are dropped from the prompt)."""
    if not 1 <= length <= 2000:
        raise OwnModelError(f"The length must be from 1 to 2,000 characters; got {length}.")
    sampling = SamplingConfig(temperature=temperature, top_p=1.0, seed=seed)
    model.network.eval()
    rng = np.random.default_rng(seed)
    known = model.vocab.keep_known(clean_text(prompt)) or model.vocab.chars[0]
    logits, state = model.network(torch.tensor([model.vocab.encode(known)]))
    out = []
    for _ in range(length):
        index = sample_token(logits[0, -1].numpy(), sampling, rng)
        out.append(model.vocab.chars[index])
        logits, state = model.network(torch.tensor([[index]]), state)
    return known + "".join(out)


def checkpoint_zip(model: OwnModel) -> Path:
    """The model as a zipped checkpoint (safetensors + JSON + manifest), written for download."""
    with tempfile.TemporaryDirectory(prefix="textlab-own-") as tmp:
        folder = Path(tmp) / "model"
        save_checkpoint(folder, KIND, model.network.state_dict(), vars(model.network.config),
                        vocab={"chars": list(model.vocab.chars)}, card={"trained_on": model.source})
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, f"my-char-model/{path.name}")
    return download_file("my-char-model.zip", buffer.getvalue())
