"""`python -m textlab`: train, eval and bench the models, fetch their data, or serve the app.

The `train` and `eval` commands are made from the capabilities' registries: one command per task (translate: one
command with `--task`), with a flag for every field of the task's configuration.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
import traceback
from pathlib import Path

from tqdm import tqdm

from textlab import settings
from textlab.capabilities import Capability, Report, Task, capabilities
from textlab.devices import DEVICES, resolve_device, world
from textlab.flags import add_config_flags, add_options, apply_flags, options_from

BENCHES = (
    "chat",
    "listen",
    "chat_mix",
    "classify",
    "neighbours",
    "transfer",
    "translate",
    "lab",
    "serve",
    "hostile",
    "devices",
    "inspect",
    "lm",
    "lm_sources",
)
QUICK_REPORT = "BENCHMARKS-quick.md"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m textlab", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    train = commands.add_parser("train", help="train a model and save its checkpoint under models/")
    evaluate = commands.add_parser("eval", help="score a model on data you give it; prints JSON last")
    train_tasks = train.add_subparsers(required=True, metavar="TASK", dest="command")
    eval_tasks = evaluate.add_subparsers(required=True, metavar="TASK", dest="command")
    for capability in capabilities():
        for command, tasks in _commands(capability).items():
            _train_parser(train_tasks, command, capability, tasks)
            _eval_parser(eval_tasks, command, capability, tasks)
    _bench_parser(commands)
    _serve_parser(commands)
    _inspect_parser(commands)
    fetch = commands.add_parser("fetch", help="download every dataset into the cache (the Docker image does)")
    fetch.set_defaults(run=_fetch)
    return parser


def _commands(capability: Capability) -> dict[str, list[Task]]:
    """Command name -> the tasks it reaches: one per task, or the capability's name with `--task`."""
    if capability.one_command:
        return {capability.name: list(capability.tasks.values())}
    return {task.name: [task] for task in capability.tasks.values()}


def _task_flag(parser: argparse.ArgumentParser, tasks: list[Task]) -> None:
    if len(tasks) > 1:
        parser.add_argument(
            "--task",
            dest="task_name",
            required=True,
            choices=[t.name for t in tasks],
            help=" | ".join(f"{t.name}: {t.title}" for t in tasks),
        )
    else:
        parser.set_defaults(task_name=tasks[0].name)


def _train_parser(sub, command: str, capability: Capability, tasks: list[Task]) -> None:
    parser = sub.add_parser(
        command,
        help=f"train {' or '.join(t.title for t in tasks)}",
        description=f"Train {' or '.join(t.title for t in tasks)} and save its checkpoint.",
    )
    _task_flag(parser, tasks)
    parser.add_argument("--quick", action="store_true", help="the small, few-minute model the app trains at start-up")
    parser.add_argument("--out", type=Path, help="checkpoint folder (default models/FOLDER of the task)")
    parser.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    add_config_flags(parser.add_argument_group("settings"), tasks[0].config())
    parser.set_defaults(run=_train, capability=capability)


def _eval_parser(sub, command: str, capability: Capability, tasks: list[Task]) -> None:
    parser = sub.add_parser(command, help=f"score {' or '.join(t.title for t in tasks)}")
    _task_flag(parser, tasks)
    parser.add_argument("--model", type=Path, help="checkpoint folder (default models/FOLDER of the task)")
    if capability.to_device:
        parser.add_argument("--device", choices=DEVICES, help="where the model is scored (env TEXTLAB_DEVICE; cpu)")
    add_options(parser, capability.eval_options)
    parser.set_defaults(run=_eval, capability=capability)


def _bench_parser(commands) -> None:
    bench = commands.add_parser(
        "bench",
        help="run the benchmarks in bench/ and refresh their BENCHMARKS.md sections",
        description="Without a task, every benchmark runs in turn and BENCHMARKS.md is regenerated (hours here). "
        f"--quick uses each benchmark's small settings (its QUICK) and writes {QUICK_REPORT} instead, leaving the real "
        "figures alone.",
    )
    bench.add_argument("--quick", action="store_true", help=f"small, CI-sized settings; writes {QUICK_REPORT}")
    bench.add_argument("task", nargs="?", choices=BENCHES, help="one benchmark (default: all of them)")
    bench.add_argument("options", nargs=argparse.REMAINDER, help="passed to the benchmark (python -m bench.TASK -h)")
    bench.set_defaults(run=_bench)


def _serve_parser(commands) -> None:
    """Defaults come from the environment when the command runs (see `settings`), not when the parser is built."""
    serve = commands.add_parser("serve", help="serve the app (what `python app.py` does)")
    serve.add_argument("--host", help="address to listen on (env TEXTLAB_HOST; default 127.0.0.1, 0.0.0.0 for all)")
    serve.add_argument("--port", type=int, help="port (env TEXTLAB_PORT or PORT; default 7860)")
    serve.add_argument(
        "--share",
        action="store_true",
        default=None,
        help="also ask Gradio for a public share link (env TEXTLAB_SHARE=1)",
    )
    serve.add_argument(
        "--threads", type=int, help="torch threads per request (env TEXTLAB_TORCH_THREADS; default 1, see the README)"
    )
    serve.add_argument(
        "--device", choices=DEVICES, help="where the models run (env TEXTLAB_DEVICE; default cpu, auto for a GPU)"
    )
    serve.set_defaults(run=_serve)


def _inspect_parser(commands) -> None:
    inspect = commands.add_parser(
        "inspect",
        help="look inside the chat model: bits per character and the unit that best tracks each property of a text; "
        "prints JSON last",
    )
    inspect.add_argument("task", choices=["chat"], help="chat: the character LSTM of the Sheldon chat")
    inspect.add_argument("--text", type=Path, required=True, help="a `Speaker: line` transcript, or plain text")
    inspect.add_argument("--model", type=Path, help="checkpoint folder (default models/chat)")
    inspect.add_argument(
        "--unit-chars", type=int, default=20_000, help="rank the units over at most this many characters (whole lines)"
    )
    inspect.set_defaults(run=_inspect)


def _inspect(args: argparse.Namespace) -> int:
    import torch

    from textlab.chat import CAPABILITY as CHAT
    from textlab.files import read_text_file
    from textlab.inspect.report import inspect_text

    torch.set_num_threads(1)  # the batch-1 LSTM is a chain of small steps: a second thread only waits (8x slower)
    chat = CHAT.load(CHAT.tasks[args.task], args.model)
    report = inspect_text(chat, read_text_file(args.text), args.unit_chars)
    for row in report["units"]:
        where = f"layer {row['layer']} {row['state']} unit {row['unit']}: {row['auc']}" if row["layer"] else "-"
        print(f"{row['property']:>15}  {where}", file=sys.stderr)
    print(json.dumps(report))
    return 0


def _task(args: argparse.Namespace) -> Task:
    return args.capability.tasks[args.task_name]


def _train(args: argparse.Namespace) -> int:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    capability, task = args.capability, _task(args)
    cfg = apply_flags(task.quick() if args.quick else task.config(), args)
    _place(capability, cfg, args)
    main = world().main  # under torchrun, rank 0 alone shows progress and writes the checkpoint
    bar, on_step, on_epoch = _progress_bar(enabled=main)
    report = Report(on_step, on_epoch, _stop_on_interrupt(), lambda line: main and bar.write(line, file=sys.stderr))
    model = capability.train(cfg, report)
    bar.close()
    if main:
        out = args.out or task.path()
        capability.save(out, model)
        print(f"saved {out}", file=sys.stderr)
        print(json.dumps(capability.summary(model)))
    return 0


def _place(capability: Capability, cfg, args: argparse.Namespace) -> None:
    """Where `cfg` trains (`--device`, else $TEXTLAB_DEVICE); before any data is read, a device or a torchrun job
    that this training cannot use is an error."""
    train = getattr(cfg, "train", None)
    if capability.to_device and train is not None:
        train.device = settings.device() if args.device is None else train.device
        resolve_device(train.device)
    if world().size > 1 and capability.one_process:
        raise ValueError(f"{capability.name} trains in one process, not under torchrun: {capability.one_process}")


def _eval(args: argparse.Namespace) -> int:
    capability = args.capability
    model = capability.load(_task(args), args.model)
    if capability.to_device:
        capability.to_device(model, resolve_device(args.device or settings.device()))
    print(json.dumps(capability.evaluate(model, options_from(capability.eval_options, args))))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from textlab.data.catalog import fetchers

    for name, fetch in fetchers().items():
        print(f"fetching {name}...", file=sys.stderr)
        fetch()
    print(f"every dataset is in {settings.cache_dir()}", file=sys.stderr)
    return 0


def _bench(args: argparse.Namespace) -> int:
    failed = []
    for task in [args.task] if args.task else BENCHES:
        options = [*quick_options(task), "--out", str(settings.REPO_ROOT / QUICK_REPORT)] if args.quick else []
        print(f"== bench {task} {' '.join(options + args.options)}", file=sys.stderr)
        started = time.monotonic()
        try:
            status = run_bench(task, options + args.options)
        except Exception:  # one broken benchmark must not cost the hours of the others
            traceback.print_exc()
            status = 1
        print(
            f"== bench {task}: {'failed' if status else 'done'} in {time.monotonic() - started:.0f} s", file=sys.stderr
        )
        if status != 0:
            failed.append(task)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def quick_options(task: str) -> list[str]:
    """The CI-sized settings of `bench --quick` for one benchmark: its module's QUICK."""
    return list(importlib.import_module(f"bench.{task}").QUICK)


def run_bench(task: str, argv: list[str]) -> int:
    """Run the benchmark module `bench.TASK` with `argv` in this process; its exit status."""
    import torch

    threads = torch.get_num_threads()  # a benchmark may change it (chat_mix trains on one); the next must not inherit
    try:
        return importlib.import_module(f"bench.{task}").main(argv)
    except SystemExit as e:
        if isinstance(e.code, str):  # sys.exit("error: ...")
            print(e.code, file=sys.stderr)
            return 1
        return int(e.code or 0)
    finally:
        torch.set_num_threads(threads)


def _serve(args: argparse.Namespace) -> int:
    threads = settings.serve_threads() if args.threads is None else args.threads
    if threads < 1:
        raise ValueError(f"--threads (TEXTLAB_TORCH_THREADS) must be at least 1, got {threads}")
    device = args.device or settings.device()
    resolve_device(device)  # a device this machine lacks stops the server before it starts
    import torch

    from textlab.ui.server import serve

    # Requests run in Gradio's worker threads, and each thread's torch ops start their own team of `threads` OpenMP
    # threads: with 2, a few dozen concurrent requests put twice as many busy threads on the cores as there are
    # requests. One per request cut translation's p95 under load by about a fifth (BENCHMARKS.md, "serve"); it costs the
    # Lab's "train your own" about a quarter of its steps. A model trained at start-up uses every core (loading.py).
    torch.set_num_threads(threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    serve(
        args.host or settings.serve_host(),
        args.port or settings.serve_port(),
        settings.serve_share() if args.share is None else args.share,
        device,
    )
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


def _progress_bar(enabled: bool = True):
    """tqdm callbacks for `fit`: one bar per epoch, a line per finished epoch (nothing at all unless `enabled`)."""
    bar = tqdm(unit="step", dynamic_ncols=True, file=sys.stderr, disable=not enabled)

    def on_step(step):
        if step.step == 1:
            bar.reset(total=step.steps_in_epoch)
            bar.set_description(f"epoch {step.epoch}")
        bar.update()
        bar.set_postfix(loss=f"{step.loss:.3f}", elapsed=f"{step.elapsed_s:.0f}s")

    def on_epoch(record):
        if not enabled:
            return
        extra = " ".join(f"{k} {v:.3f}" for k, v in record.metrics.items())
        bar.write(
            f"epoch {record.epoch}: train loss {record.train_loss:.4f} valid loss {record.valid_loss:.4f}, "
            f"{extra}, lr {record.lr:.2g}, {record.seconds:.0f}s",
            file=sys.stderr,
        )

    return bar, on_step, on_epoch
