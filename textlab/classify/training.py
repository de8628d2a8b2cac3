"""Training a classifier: tokenizer learnt on the training split, GRU trained with early stopping on validation,
figures on every dataset's test split recorded in the model card."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from textlab.capabilities import Report
from textlab.checkpoints import CheckpointError
from textlab.classify.config import ClassifyConfig
from textlab.classify.embeddings import train_token_vectors, word_vector_rows
from textlab.classify.model import Classifier, encode, evaluate, predict_token_lists
from textlab.classify.tasks import classify_task
from textlab.data.labelled import Example, LabelledSplits, load_labelled
from textlab.devices import distributed, own_share, world
from textlab.lm.training import fine_tune
from textlab.metrics import classification_report
from textlab.networks.lm_classifier import LMClassifier, LMClassifierConfig
from textlab.networks.text_classifier import ClassifierConfig, TextClassifier
from textlab.text import UNK
from textlab.text.batches import pad_batch
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.text.words import WordTokenizer, WordVocab, normalise
from textlab.training import EpochRecord, History, LayerGroups, Step, fit, length_batches, place, provenance


@dataclass
class TaskData:
    """Every dataset of a task: training and validation pooled, test kept per dataset."""

    labels: list[str]
    train: list[Example]
    valid: list[Example]
    tests: dict[str, list[Example]]
    sources: list[str]
    notes: list[str] = field(default_factory=list)

    @classmethod
    def pool(cls, splits: list[LabelledSplits]) -> TaskData:
        labels = splits[0].labels
        if any(s.labels != labels for s in splits):
            raise ValueError("datasets pooled into one task must share their labels")
        return cls(
            labels,
            [ex for s in splits for ex in s.train],
            [ex for s in splits for ex in s.valid],
            {s.name: s.test for s in splits},
            sorted({s.source for s in splits}),
            [note for s in splits for note in s.notes],
        )


def load_task_data(cfg: ClassifyConfig) -> TaskData:
    return TaskData.pool([load_labelled(name, cfg.split_seed) for name in cfg.datasets])


def build_tokenizer(cfg: ClassifyConfig, texts: list[str]) -> SentencePieceTokenizer | WordTokenizer:
    normalised = [normalise(t, cfg.letters_only) for t in texts]
    if cfg.tokenizer == "sentencepiece":
        return SentencePieceTokenizer(train_sentencepiece(normalised, cfg.vocab_size, seed=cfg.split_seed))
    if cfg.tokenizer == "words":
        return WordTokenizer(WordVocab.build(normalised, max_size=cfg.vocab_size, min_count=2))
    raise ValueError(f"tokenizer must be 'sentencepiece' or 'words', got {cfg.tokenizer!r}")


def class_weights(labels: list[int], num_classes: int) -> torch.Tensor:
    """Inverse class frequency, scaled so that the average example weighs 1."""
    counts = Counter(labels)
    weights = torch.tensor([len(labels) / (num_classes * max(counts[c], 1)) for c in range(num_classes)])
    return weights


def train_classifier(
    cfg: ClassifyConfig,
    data: TaskData,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Classifier:
    """A classifier for `cfg` trained on `data`; its card holds the history and every test split's figures."""
    train = data.train
    if cfg.max_train_examples is not None and len(train) > cfg.max_train_examples:
        train = random.Random(cfg.split_seed).sample(train, cfg.max_train_examples)
    torch.manual_seed(cfg.train.seed)
    lm_card: dict = {}
    if cfg.encoder == "lm":
        network, tokenizer, lm_card = _from_language_model(cfg, [ex.text for ex in train], len(data.labels))
    else:
        tokenizer = build_tokenizer(cfg, [ex.text for ex in train])
        network = TextClassifier(
            ClassifierConfig(
                tokenizer.vocab_size,
                len(data.labels),
                cfg.embed_dim,
                cfg.hidden_size,
                cfg.num_layers,
                cfg.bidirectional,
                cfg.dropout,
                cfg.pooling,
            )
        )
    clf = Classifier(cfg.task, network, tokenizer, data.labels, cfg.letters_only, cfg.max_tokens)
    train_ids = [encode(clf, ex.text).ids or [UNK] for ex in train]
    coverage = _start_embeddings(clf, cfg, train_ids)
    history = _fit(clf, cfg, data, train_ids, [ex.label for ex in train], on_step, on_epoch, should_stop)
    task = classify_task(cfg.task)
    clf.card = {
        "title": task.title,
        "summary": task.summary,
        "datasets": list(cfg.datasets),
        "sources": data.sources,
        "notes": data.notes,
        "sizes": {
            "train": len(train),
            "valid": len(data.valid),
            "test": {name: len(ex) for name, ex in data.tests.items()},
        },
        "tokenizer": {"kind": tokenizer.kind, "vocab_size": tokenizer.vocab_size},
        "embeddings": {"init": cfg.embeddings, "frozen": cfg.freeze_embeddings, "word2vec_coverage": coverage},
        "lm": lm_card,
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "valid": _figures(evaluate(clf, data.valid)),
        "test": {name: _figures(evaluate(clf, examples)) for name, examples in data.tests.items()},
        **provenance(),
    }
    return clf


def _from_language_model(
    cfg: ClassifyConfig, texts: list[str], num_classes: int
) -> tuple[LMClassifier, SentencePieceTokenizer, dict]:
    """ULMFiT: the pretrained language model (fine-tuned on `texts` first, with `cfg.lm_finetune_s`) under a new
    head; its tokenizer; and what the card records of it."""
    from textlab.lm import CAPABILITY as LM  # the pretrained language model, when asked for

    task = LM.tasks["lm"]
    try:
        lm = LM.load(task, Path(cfg.lm) if cfg.lm else None)
    except CheckpointError as e:
        raise ValueError(f"--encoder lm needs the language model in {cfg.lm or task.path()} (train lm): {e}") from None
    if cfg.embeddings != "random":
        raise ValueError("--encoder lm starts from the language model's embedding: leave --embeddings random")
    read = set(cfg.datasets) & set(lm.card.get("config", {}).get("sources", ()))
    if cfg.split_seed != 0 and read:
        raise ValueError(
            f"the language model read the training split of {', '.join(sorted(read))} at split seed 0: at "
            f"--split-seed {cfg.split_seed} some of its texts are this classifier's test texts; use --split-seed 0"
        )
    if cfg.lm_finetune_s > 0 and world().size > 1:
        raise ValueError(
            "--lm-finetune-s validates every few seconds, which would come after a different step on each process: "
            "use --lm-finetune-s 0 under torchrun"
        )
    card = {"pretrained": {k: lm.card.get(k) for k in ("valid", "test", "tokens")}, "finetune_s": cfg.lm_finetune_s}
    if cfg.lm_finetune_s > 0:
        documents = [t for t in (normalise(t, cfg.letters_only) for t in texts) if t]
        history = fine_tune(lm, documents, cfg.lm_finetune_s, cfg.train)
        card["finetuned"] = {"valid_loss": history.best.valid_loss, "epochs": len(history.epochs)}
    n = lm.network.config
    sizes = (n.vocab_size, num_classes, n.embed_dim, n.hidden_size, n.num_layers, cfg.dropout)
    network = LMClassifier(LMClassifierConfig(*sizes))
    network.load_encoder(lm.network.cpu())
    return network, lm.tokenizer, card


def _start_embeddings(clf: Classifier, cfg: ClassifyConfig, train_ids: list[list[int]]) -> float | None:
    """Copy pre-trained vectors into the embedding (`cfg.embeddings`); the share of tokens that got one."""
    if cfg.freeze_embeddings and cfg.embeddings == "random":
        raise ValueError("freezing the embeddings needs pre-trained ones: use --embeddings word2vec or neighbours")
    if cfg.embeddings == "random":
        return None
    if isinstance(clf.network, LMClassifier):
        raise ValueError("--encoder lm starts from the language model's embedding: leave --embeddings random")
    if cfg.embeddings == "word2vec":
        vectors, coverage = train_token_vectors(train_ids, clf.tokenizer.vocab_size, cfg.embed_dim, seed=cfg.train.seed)
    elif cfg.embeddings == "neighbours":
        vectors, coverage = _neighbour_rows(clf.tokenizer, cfg)
    else:
        raise ValueError(f"embeddings must be 'random', 'word2vec' or 'neighbours', got {cfg.embeddings!r}")
    clf.network.embed.weight.data.copy_(vectors)
    clf.network.embed.weight.requires_grad_(not cfg.freeze_embeddings)
    return coverage


def _fit(
    clf: Classifier,
    cfg: ClassifyConfig,
    data: TaskData,
    train_ids: list[list[int]],
    train_labels: list[int],
    on_step: Callable[[Step], None] | None,
    on_epoch: Callable[[EpochRecord], None] | None,
    should_stop: Callable[[], bool] | None,
) -> History:
    network = clf.network
    placed = place(network, cfg.train)  # under torchrun, each process steps on its share of every batch
    layers = _layer_groups(network, cfg)
    labels = torch.tensor(train_labels, device=placed.device)
    weights = class_weights(train_labels, len(data.labels)).to(placed.device) if cfg.balanced else None
    valid_ids = [encode(clf, ex.text).ids for ex in data.valid]
    rng = random.Random(cfg.train.seed)

    def loss_of(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if network.config.outputs == 1:
            per_example = F.binary_cross_entropy_with_logits(logits[:, 0], labels.float(), reduction="none")
        else:
            per_example = F.cross_entropy(logits, labels, reduction="none")
        if weights is None:
            return per_example.mean()
        w = weights[labels]
        return (per_example * w).sum() / w.sum()

    def batches() -> Iterator[list[int]]:
        return length_batches([len(s) for s in train_ids], cfg.batch_size, rng)

    def step_loss(rows: list[int]) -> torch.Tensor:
        rows = own_share(rows)
        ids, lengths = pad_batch([train_ids[i] for i in rows])
        return loss_of(placed.forward(ids, lengths), labels[rows])

    def evaluate_valid() -> dict[str, float]:
        probs = torch.from_numpy(predict_token_lists(clf, valid_ids, batch_size=128))
        truth = torch.tensor([ex.label for ex in data.valid])
        # the loss from probabilities: the same cross-entropy the training step uses, without the class weights
        loss = F.nll_loss(torch.log(probs.clamp_min(1e-7)), truth).item()
        report = classification_report(truth.tolist(), probs.argmax(1).tolist(), data.labels)
        return {"loss": loss, "accuracy": report["accuracy"], "macro_f1": report["macro_f1"]}

    return fit(
        network,
        cfg.train,
        batches,
        step_loss,
        evaluate_valid,
        -(-len(train_ids) // cfg.batch_size),
        on_step,
        on_epoch,
        should_stop,
        placed.device,
        layers,
    )


def _layer_groups(network: TextClassifier | LMClassifier, cfg: ClassifyConfig) -> LayerGroups | None:
    """ULMFiT's discriminative rates and unfreezing, for a classifier on the language model (None for the GRU)."""
    if not isinstance(network, LMClassifier):
        return None
    if cfg.unfreeze != "all" and distributed():
        raise ValueError("DDP needs every layer to learn from the first step: --unfreeze all under torchrun")
    return LayerGroups(network.layer_groups(), cfg.lr_factor, cfg.unfreeze)


def _neighbour_rows(
    tokenizer: SentencePieceTokenizer | WordTokenizer, cfg: ClassifyConfig
) -> tuple[torch.Tensor, float]:
    from textlab.neighbours import CAPABILITY as NEIGHBOURS  # the Neighbours tab's vectors, when asked for

    task = NEIGHBOURS.tasks["neighbours"]
    try:
        wv = NEIGHBOURS.load(task, None)
    except CheckpointError as e:
        raise ValueError(f"--embeddings neighbours needs the word vectors in {task.path()}: {e}") from None
    if wv.vectors.vector_size != cfg.embed_dim:
        raise ValueError(
            f"the word vectors have {wv.vectors.vector_size} dimensions and the embedding "
            f"{cfg.embed_dim}: train with --embed-dim {wv.vectors.vector_size}"
        )
    pieces = tokenizer.pieces(range(tokenizer.vocab_size))
    if tokenizer.kind == "sentencepiece":  # "\u2581movie" starts a word; "ie" continues one
        words = [p.removeprefix("\u2581") if p.startswith("\u2581") else None for p in pieces]
    else:
        words = list(pieces)
    return word_vector_rows(words, wv.vectors, cfg.train.seed)


def _figures(report: dict) -> dict:
    return {k: report[k] for k in ("accuracy", "macro_f1", "n")}


def train(cfg: ClassifyConfig, report: Report) -> Classifier:
    """Read the task's labelled sets and train on them."""
    report.note("reading the data and learning a tokenizer")
    data = load_task_data(cfg)
    for note in data.notes:
        report.note(f"note: {note}")
    report.note(f"training on {', '.join(data.sources)}: {len(data.train):,} texts, {len(data.valid):,} for validation")
    return train_classifier(cfg, data, report.steps(cfg.train.max_epochs), report.on_epoch, report.should_stop)


def summary(clf: Classifier) -> dict:
    return {"valid": clf.card["valid"], "test": clf.card["test"], "stopped": clf.card["history"]["stopped"]}
