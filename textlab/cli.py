"""`python -m textlab`: train, eval and bench the models, or serve the app."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from tqdm import tqdm

TASKS = ("chat", "sentiment", "news", "reuters", "neighbours", "translate")
BENCHES = ("chat", "chat_mix", "classify", "neighbours", "transfer", "translate", "lab", "serve")
QUICK_BENCH = {  # CI-sized settings for `bench --quick` (about 10 minutes): figures only to check the plumbing
    "chat": ["--repeats", "1", "--orders", "5"],
    "chat_mix": ["--budget", "10"],
    "classify": ["--repeats", "1", "--tasks", "reuters"],
    "neighbours": ["--repeats", "1", "--variants", "cbow-50", "--without", "--datasets", "rotten_tomatoes", "sitcoms",
                   "--epochs", "2"],
    "transfer": ["--train", "1000", "--epochs", "1", "--valid", "500", "--test", "500"],
    "translate": ["--budget-dates", "10", "--budget-en-es", "15", "--repeats", "1", "--test", "200"],
    "lab": ["--repeats", "1", "--experiments", "adding"],
    "serve": ["--clients", "4", "--requests", "5", "--runs", "1"],
}
QUICK_REPORT = "BENCHMARKS-quick.md"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m textlab", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a model and save its checkpoint under models/")
    train.add_argument("task", choices=TASKS)
    train.add_argument("--quick", action="store_true", help="the small, few-minute model the app trains at start-up")
    train.add_argument("--corpus", type=Path, help="chat: folder of `Speaker: line` transcripts (*.txt)")
    train.add_argument("--out", type=Path, help="checkpoint folder (default models/TASK)")
    train.add_argument("--time-budget", type=float, help="stop after this many seconds, keeping the best epoch")
    train.add_argument("--max-epochs", type=int)
    train.add_argument("--lr", type=float, help="initial learning rate")
    train.add_argument("--patience", type=int, help="stop after this many epochs without a better validation loss")
    train.add_argument("--init-from", type=Path, help="chat: continue training the checkpoint in this folder")
    train.add_argument("--hidden-size", type=int, help="LSTM / GRU units per layer (and direction)")
    train.add_argument("--layers", type=int, dest="num_layers", help="stacked recurrent layers")
    train.add_argument("--batch-size", type=int, help="chat: parallel rows of the stream; classifiers: texts")
    train.add_argument("--seq-len", type=int, help="chat: characters per truncated-backpropagation window")
    train.add_argument("--embed-dim", type=int, help="classifiers: embedding size")
    train.add_argument("--dropout", type=float)
    train.add_argument("--pooling", choices=("last", "max", "mean", "attention"), help="classifiers: over time")
    train.add_argument("--tokenizer", choices=("sentencepiece", "words"), help="classifiers: subwords or words")
    train.add_argument("--vocab-size", type=int, help="classifiers: tokens in the vocabulary")
    train.add_argument("--max-tokens", type=int, help="classifiers: tokens read per text")
    train.add_argument("--embeddings", choices=("random", "word2vec", "neighbours"),
                       help="classifiers: random, word2vec learnt on the training texts' tokens first, or the "
                            "Neighbours tab's word vectors (needs --embed-dim equal to their size)")
    train.add_argument("--freeze-embeddings", action="store_true", default=None,
                       help="classifiers: keep the pre-trained embeddings fixed while training")
    train.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    train.add_argument("--algorithm", choices=("skipgram", "cbow"), help="neighbours: word2vec training algorithm")
    train.add_argument("--vector-size", type=int, help="neighbours: word2vec dimensions per word")
    train.add_argument("--subword-dims", type=int,
                       help="neighbours: fastText dimensions joined to the word2vec ones (0: word2vec alone)")
    train.add_argument("--epochs", type=int, help="neighbours: passes over the corpus")
    train.add_argument("--task", dest="translate_task", choices=("dates", "en-es"),
                       help="translate: human dates -> ISO dates, or English -> Spanish")
    train.add_argument("--pairs", type=Path,
                       help="translate: train on your own `source<TAB>target[<TAB>...]` lines (Tatoeba/Anki layout)")
    train.add_argument("--attention", choices=("bahdanau", "luong", "none"),
                       help="translate: additive or multiplicative attention, or none (one fixed vector)")
    train.add_argument("--cell", choices=("gru", "lstm"), help="translate: recurrent cell")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("eval", help="score a model on data you give it; prints JSON last")
    evaluate.add_argument("task", choices=TASKS)
    evaluate.add_argument("--text", type=Path, help="chat: a `Speaker: line` transcript")
    evaluate.add_argument("--speaker", help="chat: whose lines to score (default: the model's, Sheldon)")
    evaluate.add_argument("--data", type=Path,
                          help="classifiers: a CSV with a header naming `text` and `label` columns; translate: a "
                          "tab-separated file with a header naming `source` and `target` columns")
    evaluate.add_argument("--task", dest="translate_task", choices=("dates", "en-es"), help="translate: which model")
    evaluate.add_argument("--beam", type=int, default=1, help="translate: beam width (default 1, greedy)")
    evaluate.add_argument("--model", type=Path, help="checkpoint folder (default models/TASK)")
    evaluate.set_defaults(run=_eval)

    bench = commands.add_parser(
        "bench", help="run the benchmarks in bench/ and refresh their BENCHMARKS.md sections",
        description="Without a task, every benchmark runs in turn and BENCHMARKS.md is regenerated (hours here). "
        f"--quick uses small settings and writes {QUICK_REPORT} instead, leaving the real figures alone.",
    )
    bench.add_argument("--quick", action="store_true", help=f"small, CI-sized settings; writes {QUICK_REPORT}")
    bench.add_argument("task", nargs="?", choices=BENCHES, help="one benchmark (default: all of them)")
    bench.add_argument("options", nargs=argparse.REMAINDER, help="passed to bench/TASK.py (see its --help)")
    bench.set_defaults(run=_bench)

    serve = commands.add_parser("serve", help="serve the app (what `python app.py` does)")
    serve.add_argument("--host", default=os.environ.get("TEXTLAB_HOST", "127.0.0.1"),
                       help="address to listen on (env TEXTLAB_HOST; default 127.0.0.1, 0.0.0.0 for all)")
    port = os.environ.get("TEXTLAB_PORT") or os.environ.get("PORT") or "7860"
    serve.add_argument("--port", type=int, default=port,
                       help="port (env TEXTLAB_PORT or PORT; default 7860)")
    serve.add_argument("--share", action="store_true", default=os.environ.get("TEXTLAB_SHARE", "") in ("1", "true"),
                       help="also ask Gradio for a public share link (env TEXTLAB_SHARE=1)")
    serve.add_argument("--threads", type=int, default=os.environ.get("TEXTLAB_TORCH_THREADS") or 1,
                       help="torch threads per request (env TEXTLAB_TORCH_THREADS; default 1, see the README)")
    serve.set_defaults(run=_serve)
    return parser


def _bench(args: argparse.Namespace) -> int:
    from textlab.config import REPO_ROOT

    failed = []
    for task in [args.task] if args.task else BENCHES:
        options = [*QUICK_BENCH[task], "--out", str(REPO_ROOT / QUICK_REPORT)] if args.quick else []
        print(f"== bench {task} {' '.join(options + args.options)}", file=sys.stderr)
        started = time.monotonic()
        try:
            status = run_bench(task, options + args.options)
        except Exception:  # one broken benchmark must not cost the hours of the others
            traceback.print_exc()
            status = 1
        print(f"== bench {task}: {'failed' if status else 'done'} in {time.monotonic() - started:.0f} s",
              file=sys.stderr)
        if status != 0:
            failed.append(task)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def run_bench(task: str, argv: list[str]) -> int:
    """Run bench/TASK.py with `argv` in this process; its exit status."""
    import runpy

    import torch

    from textlab.config import REPO_ROOT

    script = REPO_ROOT / "bench" / f"{task}.py"
    sys.argv = [str(script), *argv]
    threads = torch.get_num_threads()  # a script may change it (chat_mix trains on one); the next must not inherit it
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as e:
        if isinstance(e.code, str):  # sys.exit("error: ...")
            print(e.code, file=sys.stderr)
            return 1
        return int(e.code or 0)
    finally:
        torch.set_num_threads(threads)
    return 0


def _serve(args: argparse.Namespace) -> int:
    if args.threads < 1:
        raise ValueError(f"--threads (TEXTLAB_TORCH_THREADS) must be at least 1, got {args.threads}")
    import torch

    from textlab.ui.server import serve

    # Requests run in Gradio's worker threads, and each thread's torch ops start their own team of `threads` OpenMP
    # threads: with 2, a few dozen concurrent requests put twice as many busy threads on the cores as there are
    # requests. One per request cut translation's p95 under load by about a fifth (BENCHMARKS.md, "serve"); it costs the
    # Lab's "train your own" about a quarter of its steps. A model trained at start-up uses every core (loading.py).
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    serve(args.host, args.port, args.share)
    return 0


def _stop_on_interrupt():
    """Ctrl-C while training: validate the weights so far, keep the best epoch and save it.
    A second Ctrl-C stops at once, saving nothing."""
    import signal

    requested = []

    def handle(signum, frame):
        if requested:
            raise KeyboardInterrupt
        requested.append(True)
        print("\nstopping: validating the weights so far, then saving the best (Ctrl-C again to quit)", file=sys.stderr)

    signal.signal(signal.SIGINT, handle)
    return lambda: bool(requested)


def _progress_bar():
    """tqdm callbacks for `fit`: one bar per epoch, a line per finished epoch."""
    bar = tqdm(unit="step", dynamic_ncols=True)

    def on_step(step):
        if step.step == 1:
            bar.reset(total=step.steps_in_epoch)
            bar.set_description(f"epoch {step.epoch}")
        bar.update()
        bar.set_postfix(loss=f"{step.loss:.3f}", elapsed=f"{step.elapsed_s:.0f}s")

    def on_epoch(record):
        extra = " ".join(f"{k} {v:.3f}" for k, v in record.metrics.items())
        bar.write(
            f"epoch {record.epoch}: train loss {record.train_loss:.4f} valid loss {record.valid_loss:.4f}, "
            f"{extra}, lr {record.lr:.2g}, {record.seconds:.0f}s"
        )

    return bar, on_step, on_epoch


def _train(args: argparse.Namespace) -> int:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.task == "chat":
        return _train_chat(args)
    if args.task == "neighbours":
        return _train_neighbours(args)
    if args.task == "translate":
        return _train_translate(args)
    _reject(args, ("translate_task", "pairs", "attention", "cell"), args.task)
    for flag in ("corpus", "init_from", "seq_len"):
        if getattr(args, flag) is not None:
            raise ValueError(f"--{flag.replace('_', '-')} applies to `train chat` only")
    _reject(args, ("algorithm", "vector_size", "subword_dims", "epochs"), args.task)
    return _train_classifier(args)


def _train_classifier(args: argparse.Namespace) -> int:
    from textlab.classify import classifier_dir, save_classifier
    from textlab.classify_training import load_task_data, train_classifier
    from textlab.config import ClassifyConfig

    cfg = ClassifyConfig.quick(args.task) if args.quick else ClassifyConfig.for_task(args.task)
    for name in ("hidden_size", "num_layers", "batch_size", "embed_dim", "dropout", "pooling", "tokenizer",
                 "vocab_size", "max_tokens", "embeddings", "freeze_embeddings"):
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    _train_flags(args, cfg.train)
    data = load_task_data(cfg)
    for note in data.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"training on {', '.join(data.sources)}: {len(data.train):,} texts, "
          f"{len(data.valid):,} for validation", file=sys.stderr)
    bar, on_step, on_epoch = _progress_bar()
    clf = train_classifier(cfg, data, on_step=on_step, on_epoch=on_epoch, should_stop=_stop_on_interrupt())
    bar.close()
    out = args.out or classifier_dir(args.task)
    save_classifier(out, clf)
    print(f"saved {out}", file=sys.stderr)
    print(json.dumps({"valid": clf.card["valid"], "test": clf.card["test"],
                      "stopped": clf.card["history"]["stopped"]}))
    return 0


def _train_flags(args: argparse.Namespace, train) -> None:
    if args.time_budget is not None:
        train.time_budget_s = args.time_budget
    if args.max_epochs is not None:
        train.max_epochs = args.max_epochs
    if args.lr is not None:
        train.lr = args.lr
    if args.patience is not None:
        train.patience = args.patience


def _train_chat(args: argparse.Namespace) -> int:

    from textlab.chat import chat_dir, load_chat_model, save_chat_model
    from textlab.chat_training import train_chat
    from textlab.config import ChatConfig
    from textlab.data.registry import load_dialogue

    cfg = ChatConfig.quick() if args.quick else ChatConfig()
    for name in ("hidden_size", "num_layers", "batch_size", "seq_len"):
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    for flag in ("embed_dim", "dropout", "pooling", "tokenizer", "vocab_size", "max_tokens", "embeddings",
                 "freeze_embeddings"):
        if getattr(args, flag) is not None:
            raise ValueError(f"--{flag.replace('_', '-')} applies to the classifiers, not to `train chat`")
    _reject(args, ("algorithm", "vector_size", "subword_dims", "epochs", "translate_task", "pairs", "attention",
                   "cell"), "chat")
    _train_flags(args, cfg.train)
    init = load_chat_model(args.init_from) if args.init_from else None
    corpus = load_dialogue(args.corpus)
    for note in corpus.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"training on {corpus.source}: {len(corpus.utterances):,} lines", file=sys.stderr)

    bar, on_step, on_epoch = _progress_bar()
    chat = train_chat(cfg, corpus, on_step=on_step, on_epoch=on_epoch, init=init, should_stop=_stop_on_interrupt())
    bar.close()
    out = args.out or chat_dir()
    save_chat_model(out, chat)
    print(f"saved {out}", file=sys.stderr)
    card = chat.card
    print(json.dumps({"valid": card["valid"], "test": card["test"], "stopped": card["history"]["stopped"]}))
    return 0


def _reject(args: argparse.Namespace, flags: tuple[str, ...], task: str) -> None:
    for flag in flags:
        if getattr(args, flag) is not None:
            raise ValueError(f"--{flag.replace('_', '-')} does not apply to `train {task}`")


def _train_neighbours(args: argparse.Namespace) -> int:
    from textlab.config import NeighboursConfig
    from textlab.neighbours import neighbours_dir, save_word_vectors
    from textlab.neighbours_training import build_corpus, train_word_vectors

    _reject(args, ("time_budget", "max_epochs", "lr", "patience", "hidden_size", "num_layers", "batch_size",
                   "embed_dim", "dropout", "pooling", "tokenizer", "vocab_size", "max_tokens", "embeddings",
                   "freeze_embeddings", "corpus", "init_from", "seq_len", "translate_task", "pairs", "attention",
                   "cell"), "neighbours")
    cfg = NeighboursConfig.quick() if args.quick else NeighboursConfig()
    flags = ("algorithm", "vector_size", "subword_dims", "epochs")
    cfg = dataclasses.replace(cfg, **{name: getattr(args, name) for name in flags if getattr(args, name) is not None})
    print("reading and tokenising the corpora...", file=sys.stderr)
    sentences, sources = build_corpus(cfg)
    for line in sources:
        print(f"  {line}", file=sys.stderr)
    bar = tqdm(total=cfg.epochs * (2 if cfg.subword_dims else 1), unit="epoch", desc="word vectors",
               dynamic_ncols=True)
    wv = train_word_vectors(cfg, sentences, sources, lambda fraction, what: bar.update(1))
    bar.close()
    out = args.out or neighbours_dir()
    save_word_vectors(out, wv)
    print(f"saved {out} ({len(wv.words):,} words, {wv.card['phrases']:,} phrases)", file=sys.stderr)
    print(json.dumps(wv.card["eval"]))
    return 0


def _train_translate(args: argparse.Namespace) -> int:
    from textlab.config import TranslateConfig
    from textlab.translate import save_translator, translator_dir
    from textlab.translate_training import load_pair_data, train_translator

    if args.translate_task is None:
        raise ValueError("`train translate` needs --task dates or --task en-es")
    _reject(args, ("pooling", "tokenizer", "max_tokens", "embeddings", "freeze_embeddings", "corpus", "init_from",
                   "seq_len", "algorithm", "vector_size", "subword_dims", "epochs"), "translate")
    task = args.translate_task
    cfg = TranslateConfig.quick(task) if args.quick else TranslateConfig.for_task(task)
    for name in ("hidden_size", "num_layers", "batch_size", "embed_dim", "dropout", "vocab_size", "attention",
                 "cell"):
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    if args.pairs is not None:
        cfg.pairs_file = str(args.pairs)
    _train_flags(args, cfg.train)
    data = load_pair_data(cfg)
    for note in data.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"training on {data.source}: {len(data.train):,} pairs, {len(data.valid):,} for validation",
          file=sys.stderr)
    bar, on_step, on_epoch = _progress_bar()
    tr = train_translator(cfg, data, on_step=on_step, on_epoch=on_epoch, should_stop=_stop_on_interrupt())
    bar.close()
    out = args.out or translator_dir(task)
    save_translator(out, tr)
    print(f"saved {out}", file=sys.stderr)
    print(json.dumps({"valid": tr.card["valid"], "test": tr.card["test"], "stopped": tr.card["history"]["stopped"]}))
    return 0


def _eval(args: argparse.Namespace) -> int:
    if args.task == "translate":
        return _eval_translate(args)
    if args.task == "neighbours":
        from textlab.neighbours import evaluate_vectors, load_word_vectors

        print(json.dumps(evaluate_vectors(load_word_vectors(args.model))))
        return 0
    if args.task != "chat":
        return _eval_classifier(args)
    if args.text is None:
        raise ValueError("`eval chat` needs --text TRANSCRIPT")
    from textlab.chat import DEFAULT_BOT, load_chat_model, speaker_bits_per_char
    from textlab.data.dialogue import parse_transcript

    chat = load_chat_model(args.model)
    lines = parse_transcript(args.text.read_text(encoding="utf-8", errors="replace").splitlines(), args.text.stem)
    speaker = args.speaker or chat.card.get("speaker", DEFAULT_BOT)
    figures = speaker_bits_per_char(chat.network, chat.vocab, lines, speaker)
    print(json.dumps({"speaker": speaker, **figures}))
    return 0


def _eval_classifier(args: argparse.Namespace) -> int:
    from textlab.classify import evaluate, load_classifier, read_labelled_file

    if args.data is None:
        raise ValueError(f"`eval {args.task}` needs --data FILE.csv (columns `text` and `label`)")
    clf = load_classifier(args.task, args.model)
    report = evaluate(clf, read_labelled_file(args.data, clf.labels))
    print(json.dumps({"task": args.task, **report}))
    return 0


def _eval_translate(args: argparse.Namespace) -> int:
    from textlab.data.pairs import read_eval_file
    from textlab.translate import MAX_BEAM, evaluate, load_translator

    if args.translate_task is None or args.data is None:
        raise ValueError("`eval translate` needs --task dates|en-es and --data FILE.tsv (header: source, target)")
    if not 1 <= args.beam <= MAX_BEAM:
        raise ValueError(f"--beam must be from 1 to {MAX_BEAM}")
    tr = load_translator(args.translate_task, args.model)
    report = evaluate(tr, read_eval_file(args.data), args.beam)
    print(json.dumps({"task": args.translate_task, "beam": args.beam, **report}))
    return 0
