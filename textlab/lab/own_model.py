"""Train your own: a character LSTM on a text the learner uploads, with a time budget, a loss curve and samples as
it trains; then generate from it and download its checkpoint. It lives in the learner's browser session only."""

from __future__ import annotations

import io
import itertools
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from textlab.checkpoints import save_checkpoint
from textlab.files import TextFileError, decode_text, download_file
from textlab.lab.experiments import Point
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.sampling import SamplingConfig, sample_token
from textlab.text.batches import batchify, count_tbptt_batches
from textlab.text.chars import CharVocab, clean_text
from textlab.training import Step, TrainConfig, stream_steps

MIN_CHARS = 500
MAX_BUDGET_S = 300
PROMPT_CHARS = 400  # of a prompt, the end the model reads before it writes; more says nothing to a small LSTM
KIND = "lab-char-lm"
KEPT_SESSIONS = 100  # sessions whose trained model other tabs can read; ~0.4 MB each at the default size


@dataclass
class OwnModelConfig:
    """The character LSTM trained on a learner's text: small enough to learn something in a minute on one core."""

    embed_dim: int = 32
    hidden_size: int = 128
    dropout: float = 0.1
    seq_len: int = 64  # characters per truncated-backpropagation window
    batch_size: int = 32  # rows of the text read side by side (fewer for a short text)
    lr: float = 3e-3
    valid_fraction: float = 0.1  # the end of the text, held out: its loss is the validation curve
    sample_every_s: float = 5.0  # seconds of training between two validations and samples
    seed: int = 0


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
class Check:
    """One validation on the way: its step, the mean training loss since the one before, the validation loss."""

    step: int
    train: float
    valid: float


@dataclass
class OwnUpdate:
    fraction: float
    points: list[Point]
    sample: str
    message: str
    model: OwnModel | None = None  # set on the last update


class SessionModels:
    """The last model each browser session trained, by Gradio session id, so that other tabs (Look inside) can
    read it without reaching into the Lab tab. At most `capacity` sessions: the least recently trained go first."""

    def __init__(self, capacity: int = KEPT_SESSIONS):
        self.capacity = capacity
        self._models: OrderedDict[str, OwnModel] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, session: str, model: OwnModel) -> None:
        with self._lock:
            self._models[session] = model
            self._models.move_to_end(session)
            while len(self._models) > self.capacity:
                self._models.popitem(last=False)

    def get(self, session: str | None) -> OwnModel | None:
        with self._lock:
            return self._models.get(session) if session else None


TRAINED = SessionModels()  # what "Train your own" trained, by session


def read_upload(data: bytes) -> str:
    """The text of an uploaded file, cleaned to the printable ASCII the model reads."""
    try:
        text = decode_text(data)
    except TextFileError as e:
        raise OwnModelError(str(e)) from None
    return check_text(clean_text(text))


def check_text(text: str) -> str:
    if len(text.strip()) < MIN_CHARS:
        raise OwnModelError(
            f"The text has {len(text.strip()):,} readable characters; give at least {MIN_CHARS:,} "
            "(a few paragraphs) to learn from."
        )
    return text


def train_own(text: str, budget_s: float = 45, cfg: OwnModelConfig | None = None) -> Iterator[OwnUpdate]:
    """Train until the budget is spent, yielding the loss curves and a sample every few seconds; the last update
    carries the model, holding the weights of its best validation loss."""
    cfg, text = cfg or OwnModelConfig(), check_text(text)
    if not 5 <= budget_s <= MAX_BUDGET_S:
        raise OwnModelError(f"The time budget must be from 5 to {MAX_BUDGET_S} seconds; got {budget_s}.")
    if not 8 <= cfg.hidden_size <= 512:
        raise OwnModelError(f"The LSTM size must be from 8 to 512; got {cfg.hidden_size}.")
    torch.manual_seed(cfg.seed)
    vocab = CharVocab.build(text)
    ids = torch.tensor(vocab.encode(text))
    cut = int(len(ids) * (1 - cfg.valid_fraction))
    rows = batchify(ids[:cut], min(cfg.batch_size, max(cut // (cfg.seq_len + 1), 1)))
    model = OwnModel(CharLM(CharLMConfig(len(vocab), cfg.embed_dim, cfg.hidden_size, 1, cfg.dropout)), vocab)
    train = TrainConfig(
        lr=cfg.lr, max_epochs=1_000_000, patience=0, lr_decay=1.0, time_budget_s=budget_s, seed=cfg.seed
    )
    events = stream_steps(
        model.network,
        train,
        rows,
        cfg.seq_len,
        lambda: {"loss": _valid_loss(model, ids[cut:])},
        epoch_s=cfg.sample_every_s,
    )
    last, steps, sample, checks, warning = None, 0, "", [], ""
    while True:
        try:
            event = next(events)
        except StopIteration as done:
            history = done.value
            break
        if isinstance(event, Step):
            last, steps = event, steps + 1
            model.points.append(Point("your model", steps, "train", "loss", event.loss))
            continue
        model.points.append(Point("your model", steps, "validation", "loss", event.valid_loss))
        checks.append(_check(model.points))
        warning = overfitting(checks, cfg)
        sample = generate(model, text[:20], 200, 0.8, seed=steps)
        model.samples.append(sample)
        yield OwnUpdate(
            min(last.elapsed_s / budget_s, 1.0),
            list(model.points),
            sample,
            f"step {steps} (pass {_passes(steps, rows, cfg.seq_len)} over the text), "
            f"{last.elapsed_s:.0f} of {budget_s:.0f} s, loss {last.loss:.3f}" + warning,
        )
    best = history.best
    model.source = (
        f"{len(text):,} characters, {len(vocab)} distinct; {steps} steps in {history.seconds:.0f} s; "
        f"the weights kept are those of the best validation loss ({best.valid_loss:.3f})"
    )
    yield OwnUpdate(1.0, list(model.points), sample, model.source + warning, model)


def _check(points: list[Point]) -> Check:
    """The validation just made (the last point), with the mean training loss since the one before."""
    *before, valid = points
    since = [p.value for p in itertools.takewhile(lambda p: p.split == "train", reversed(before))]
    return Check(int(valid.x), sum(since) / max(len(since), 1), valid.value)


def overfitting(checks: list[Check], cfg: OwnModelConfig, window: int = 3, fall: float = 0.05) -> str:
    """A warning when the run over-fits, else "".

    The rule: the validation loss has set no new best (by at least 0.5%) in its last `window` checks, and the
    training loss (averaged between checks) has fallen by more than `fall` (5%) since that best. Validation stalling
    alone may be a plateau; with the training loss still falling, the model is fitting this text's particulars
    rather than what holds beyond it.
    """
    if len(checks) <= window:
        return ""
    best, end = min(checks[:-window], key=lambda c: c.valid), checks[-1]
    if min(c.valid for c in checks[-window:]) <= 0.995 * best.valid or end.train >= (1 - fall) * best.train:
        return ""
    return (
        f". Over-fitting: the validation loss has not improved since step {best.step:,} ({best.valid:.3f}; now "
        f"{end.valid:.3f}) while the training loss kept falling ({best.train:.3f} to {end.train:.3f}): the model is "
        "learning this text by heart rather than how text like it goes on. What helps: more text, most of all; more "
        f"dropout or a smaller model (this one: {cfg.hidden_size} units, dropout {cfg.dropout}) would too."
    )


def _passes(steps: int, rows: torch.Tensor, seq_len: int) -> int:
    return steps // count_tbptt_batches(rows, seq_len) + 1


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
    """`length` characters after the end of `prompt` (its last `PROMPT_CHARS` characters the model knows)."""
    if not 1 <= length <= 2000:
        raise OwnModelError(f"The length must be from 1 to 2,000 characters; got {length}.")
    sampling = SamplingConfig(temperature=temperature, top_p=1.0, seed=seed)
    model.network.eval()
    rng = np.random.default_rng(seed)
    known = model.vocab.keep_known(clean_text(prompt[-4 * PROMPT_CHARS :]))[-PROMPT_CHARS:] or model.vocab.chars[0]
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
        save_checkpoint(
            folder,
            KIND,
            model.network.state_dict(),
            vars(model.network.config),
            vocab={"chars": list(model.vocab.chars)},
            card={"trained_on": model.source},
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, f"my-char-model/{path.name}")
    return download_file("my-char-model.zip", buffer.getvalue())
