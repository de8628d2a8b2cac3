"""Serving benchmark: start-up time and memory with the committed models, then a bounded load test against
127.0.0.1 - concurrent clients mixing streamed chats, classify, neighbours and translate.
Writes the "serve" section of BENCHMARKS.md.

    python -m bench.serve [--clients 32] [--requests 25] [--runs 3]     (or: python -m textlab bench serve)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.report import machine_line, write_section
from textlab.chat.reply import DEFAULT_CANDIDATES

REPO = Path(__file__).resolve().parents[1]
REQUESTS = {  # row name -> (endpoint, arguments); chats answer 150 characters, chosen among the default candidates
    "/chat": ("/chat", ("Can I sit in your spot?", "Penny", "Sheldon", 0.7, 0, 0.95, 150, -1, DEFAULT_CANDIDATES)),
    "/classify": ("/classify", ("A wonderful, moving film with a clumsy ending.", "sentiment")),
    "/neighbours": ("/neighbours", ("penny", 10)),
    "/translate dates": ("/translate", ("the 3rd of May 1999", "dates", 3)),
    "/translate en-es": ("/translate", ("Where is the old library of the city?", "en-es", 3)),
}

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--clients", "4", "--requests", "5", "--runs", "1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def rss_mb(pid: int, field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def session_costs(url: str, pid: int, calls: int) -> dict[str, float]:
    """Server CPU ms per neighbour query with one session and with a new session each time, and the memory each new
    session keeps (Gradio holds sessions up to the app's capacity, 1,000 by default)."""
    endpoint, args = REQUESTS["/neighbours"]
    call(url, endpoint, args, "session-cost")
    cpu = cpu_seconds(pid)
    for _ in range(calls):
        call(url, endpoint, args, "session-cost")
    same = 1000 * (cpu_seconds(pid) - cpu) / calls
    cpu, rss = cpu_seconds(pid), rss_mb(pid, "VmRSS")
    for _ in range(calls):
        call(url, endpoint, args)
    return {
        "same_ms": same,
        "new_ms": 1000 * (cpu_seconds(pid) - cpu) / calls,
        "new_mb": (rss_mb(pid, "VmRSS") - rss) / calls,
    }


def lab_jobs_under_load(url: str, pid: int, text_file: Path) -> dict[str, float]:
    """The heaviest work the app takes on at once: the Lab's pre-trained embeddings experiment, then (the Lab runs
    one job at a time) a model trained on an uploaded text for 20 s, while 8 clients keep sending the load mix.
    Seconds, the app's peak memory afterwards, and the load's errors."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    start = time.monotonic()
    jobs = [
        client.submit("embeddings", 32, 1, 2, api_name="/lab_experiment"),
        client.submit(handle_file(str(text_file)), 20, api_name="/lab_train_own"),
    ]
    load: list[dict[str, list]] = []
    loader = threading.Thread(target=lambda: load.append(load_test(url, 8, 10, seed=99)))
    loader.start()
    for job in jobs:
        job.result(timeout=600)
    loader.join()
    return {"seconds": time.monotonic() - start, "peak_mb": rss_mb(pid), "errors": len(load[0]["errors"])}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_ready(url: str, timeout: float) -> float:
    """Seconds until every tab's model answers (a request to each endpoint succeeds)."""
    from gradio_client import Client

    start, client = time.monotonic(), Client(url, verbose=False)
    pending = dict(REQUESTS)
    while pending and time.monotonic() - start < timeout:
        for name, (endpoint, args) in list(pending.items()):
            try:
                client.predict(*args, api_name=endpoint)
                del pending[name]
            except Exception:
                time.sleep(0.5)
    if pending:
        raise RuntimeError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
    return time.monotonic() - start


def call(url: str, endpoint: str, args: tuple, session: str | None = None) -> str:
    """One call through the app's queue over Gradio's HTTP API, as `curl` would make it; the answer's JSON.

    gradio_client is the friendlier client, but 32 of them in one process took two thirds of this machine's two
    cores in a trial, so the figures would have measured the load generator as much as the app. Like a browser tab
    or a gradio_client, each client keeps one session: without one, every call is a new session, which costs the
    server about 50 ms and 0.8 MB (see `session_costs`).
    """
    body = {"data": list(args), **({"session_hash": session} if session else {})}
    request = urllib.request.Request(
        f"{url}gradio_api/call{endpoint}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        event = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call{endpoint}/{event}", timeout=300) as response:
        kind = ""
        for raw in response:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "complete":
                return line.removeprefix("data: ")
            elif line.startswith("data: ") and kind == "error":
                raise RuntimeError(line.removeprefix("data: ")[:100])
    raise RuntimeError("the event stream ended without an answer")


def load_test(url: str, clients: int, requests: int, seed: int = 0) -> dict[str, list[float]]:
    """`clients` threads sending `requests` mixed requests each; seconds per call (the whole streamed reply for
    chats), and the errors."""
    times: dict[str, list[float]] = {name: [] for name in REQUESTS}
    errors: list[str] = []
    lock = threading.Lock()

    def client_loop(index: int) -> None:
        rng = random.Random(seed + index)
        session = f"load-{seed}-{index}"
        call(url, *REQUESTS["/neighbours"], session)  # opens the session, as loading the page does
        for _ in range(requests):
            name = rng.choice(list(REQUESTS))
            start = time.perf_counter()
            try:
                call(url, *REQUESTS[name], session)
                with lock:
                    times[name].append(time.perf_counter() - start)
            except Exception as e:
                with lock:
                    errors.append(f"{name}: {str(e)[:100]}")

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times["errors"] = errors
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def start_app(port: int, threads: int) -> tuple[subprocess.Popen, float]:
    """`python app.py` on the port with `threads` torch threads, and the seconds until its first page answered."""
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.monotonic()
    app = subprocess.Popen(
        [sys.executable, str(REPO / "app.py"), "--port", str(port), "--threads", str(threads)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not answers(url):
        if app.poll() is not None or time.monotonic() - start > 120:
            app.kill()
            raise RuntimeError("the app did not start")
        time.sleep(0.1)
    return app, time.monotonic() - start


def p95_by_endpoint(runs: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    """Each endpoint's p95 in each run that called it."""
    return {name: [percentile(times[name], 0.95) for times in runs if times[name]] for name in REQUESTS}


def compare_threads(port: int, threads: int, args: argparse.Namespace) -> str:
    """The load test again against an app serving with `threads` torch threads: a sentence of median p95s."""
    url = f"http://127.0.0.1:{port}/"
    app, _ = start_app(port, threads)
    try:
        wait_ready(url, 300)
        runs = [load_test(url, args.clients, args.requests, seed=1000 * run) for run in range(args.runs)]
    finally:
        app.terminate()
        app.wait(20)
    errors = sum(len(times.pop("errors")) for times in runs)
    p95s = ", ".join(f"{name} {statistics.median(v):.2f}" for name, v in p95_by_endpoint(runs).items() if v)
    return (
        f"The same load against the app serving with {threads} torch threads per request, same runs: p95 s "
        f"(median of the runs) {p95s}; {errors} errors."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=25, help="per client")
    parser.add_argument("--runs", type=int, default=3, help="app starts, and load tests; medians are reported")
    parser.add_argument("--threads", type=int, default=1, help="torch threads the app serves with (its default: 1)")
    parser.add_argument(
        "--compare-threads",
        type=int,
        default=2,
        help="also run the load test against the app with this many threads (0: do not)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    if min(args.clients, args.requests, args.runs, args.threads) < 1 or args.compare_threads < 0:
        parser.error("--clients, --requests, --runs and --threads must be at least 1, --compare-threads at least 0")

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    first_pages, readies, rss_ready = [], [], []
    for run in range(args.runs):
        app, first_page = start_app(port, args.threads)
        try:
            first_pages.append(first_page)
            readies.append(first_page + wait_ready(url, 300))
            rss_ready.append(rss_mb(app.pid))
        finally:
            if run < args.runs - 1:
                app.terminate()
                app.wait(20)
        print(
            f"start {run + 1}: first page {first_page:.1f} s, every model answering {readies[-1]:.1f} s, "
            f"{rss_ready[-1]:.0f} MB",
            file=sys.stderr,
        )
    runs: list[dict[str, list]] = []
    walls, app_cpu, bench_cpu = [], 0.0, 0.0
    try:  # the load tests run one after another against the last app started
        for run in range(args.runs):
            load_start, app_before, bench_before = time.monotonic(), cpu_seconds(app.pid), own_cpu_seconds()
            runs.append(load_test(url, args.clients, args.requests, seed=1000 * run))
            walls.append(time.monotonic() - load_start)
            app_cpu += cpu_seconds(app.pid) - app_before
            bench_cpu += own_cpu_seconds() - bench_before
            print(f"load test {run + 1}: {walls[-1]:.0f} s, {len(runs[-1]['errors'])} errors", file=sys.stderr)
        rss_peak = rss_mb(app.pid)
        sessions = session_costs(url, app.pid, 200)
        lab = lab_jobs_under_load(url, app.pid, REPO / "README.md")
    finally:
        app.terminate()
        app.wait(20)
    comparison = compare_threads(port, args.compare_threads, args) if args.compare_threads else ""
    errors = [e for times in runs for e in times.pop("errors")]
    rows = []
    for name, p95s in p95_by_endpoint(runs).items():
        per_run = [times[name] for times in runs if times[name]]
        p50s = [statistics.median(v) for v in per_run]
        rows.append(
            f"| {name} | {sum(map(len, per_run))} | {statistics.median(p50s):.2f} "
            f"| {statistics.median(p95s):.2f} | {max(p95s):.2f} | {max(map(max, per_run)):.2f} |"
        )
    calls = sum(len(v) for times in runs for v in times.values())
    body = "\n".join(
        [
            "## Serving: start-up, memory and a load test",
            "",
            machine_line(),
            "",
            f"`python app.py --threads {args.threads}` (torch threads per request) with the committed models, started "
            f"{args.runs} times (medians): the first page answered "
            f"after **{statistics.median(first_pages):.1f} s** (slowest {max(first_pages):.1f} s); every tab's model "
            f"answered a request after {statistics.median(readies):.1f} s; peak memory (VmHWM) "
            f"{statistics.median(rss_ready):.0f} MB then, **{rss_peak:.0f} MB** after the load tests. Targets: first "
            "page within 15 s, at most 2 GB.",
            "",
            f"Load: {args.runs} runs, one after another, of {args.clients} concurrent clients (Gradio's HTTP API, one "
            f"thread each) x {args.requests} requests, each a random choice of a chat reply (at most 150 characters, "
            f"chosen among {DEFAULT_CANDIDATES} candidates), "
            "a classification, a neighbour query, a date translation and an English sentence translated to Spanish "
            f"(both beam 3): {calls} calls, a run taking {statistics.median(walls):.0f} s (median), **{len(errors)} "
            f"errors**. CPU time during the load: the app {app_cpu:.0f} s, the clients {bench_cpu:.0f} s, of "
            f"{sum(walls) * (os.cpu_count() or 1):.0f} s on {os.cpu_count()} cores (the clients share the machine). "
            "Each client keeps one session, opened by an untimed first call as loading the page would. Seconds per "
            "call, end to end (queueing included); p50 and p95 are the medians of the runs' figures:",
            "",
            "| endpoint | calls | p50 s | p95 s | worst run's p95 s | max s |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Target: no errors, p95 at most 2 s for classify, neighbours and translate while chats stream.",
            *(["", comparison] if comparison else []),
            "",
            f"Sessions: a neighbour query costs the server {sessions['same_ms']:.0f} ms of CPU in an open session and "
            f"{sessions['new_ms']:.0f} ms with a new one (an HTTP call without `session_hash`), which also keeps "
            f"{sessions['new_mb']:.2f} MB until it is one of the oldest past `TEXTLAB_SESSIONS` (1,000 by default; "
            f"Gradio's own default of 10,000 would allow {10 * sessions['new_mb']:.1f} GB). Averages over 200 calls "
            "each.",
            "",
            "The heaviest work at once: the Lab's pre-trained embeddings experiment and then a model trained on an "
            "uploaded text (this README, 20 s) - the Lab runs one job at a time - while 8 more clients send the load "
            f"mix: {lab['seconds']:.0f} s, {lab['errors']} errors, after which the app's peak memory was "
            f"**{lab['peak_mb']:.0f} MB**.",
            *(["", f"Errors (first 5): {'; '.join(errors[:5])}"] if errors else []),
        ]
    )
    write_section(args.out, "serve", body)
    print(body, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
