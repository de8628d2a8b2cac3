"""Serving benchmark: start-up time and memory with the committed models, then a bounded load test against
127.0.0.1 - concurrent clients mixing streamed chats, classify, neighbours and translate.
Writes the "serve" section of BENCHMARKS.md.

    python bench/serve.py [--clients 32] [--requests 25]     (or: python -m textlab bench serve)
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine_line, write_section  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REQUESTS = {  # endpoint -> arguments; chats stream 150 characters
    "/chat": ("Can I sit in your spot?", "Penny", "Sheldon", 0.7, 0, 0.95, 150, -1),
    "/classify": ("A wonderful, moving film with a clumsy ending.", "sentiment"),
    "/neighbours": ("penny", 10),
    "/translate": ("the 3rd of May 1999", "dates", 3),
}


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


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(url: str, timeout: float) -> float:
    """Seconds until every tab's model answers (a request to each endpoint succeeds)."""
    from gradio_client import Client

    start, client = time.monotonic(), Client(url, verbose=False)
    pending = dict(REQUESTS)
    while pending and time.monotonic() - start < timeout:
        for endpoint, args in list(pending.items()):
            try:
                client.predict(*args, api_name=endpoint)
                del pending[endpoint]
            except Exception:
                time.sleep(0.5)
    if pending:
        raise RuntimeError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
    return time.monotonic() - start


def load_test(url: str, clients: int, requests: int, seed: int = 0) -> dict[str, list[float]]:
    """`clients` threads, each with its own gradio_client, sending `requests` mixed requests; seconds per call
    (the whole streamed reply for chats), and the errors."""
    from gradio_client import Client

    times: dict[str, list[float]] = {name: [] for name in REQUESTS}
    errors: list[str] = []
    lock = threading.Lock()

    def client_loop(index: int) -> None:
        rng = random.Random(seed + index)
        client = Client(url, verbose=False)
        for _ in range(requests):
            endpoint = rng.choice(list(REQUESTS))
            start = time.perf_counter()
            try:
                client.predict(*REQUESTS[endpoint], api_name=endpoint)
                with lock:
                    times[endpoint].append(time.perf_counter() - start)
            except Exception as e:
                with lock:
                    errors.append(f"{endpoint}: {str(e)[:100]}")

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=25, help="per client")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.monotonic()
    app = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], cwd=REPO, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not answers(url):
            if app.poll() is not None or time.monotonic() - start > 120:
                raise RuntimeError("the app did not start")
            time.sleep(0.1)
        first_page = time.monotonic() - start
        ready = first_page + wait_ready(url, 300)
        rss_ready = peak_rss_mb(app.pid)
        print(f"first page {first_page:.1f} s, every model answering {ready:.1f} s, {rss_ready:.0f} MB",
              file=sys.stderr)
        load_start = time.monotonic()
        times = load_test(url, args.clients, args.requests)
        wall = time.monotonic() - load_start
        rss_peak = peak_rss_mb(app.pid)
    finally:
        app.terminate()
        app.wait(20)
    errors = times.pop("errors")
    rows = [f"| {name} | {len(v)} | {statistics.median(v):.2f} | {percentile(v, 0.95):.2f} | {max(v):.2f} |"
            for name, v in times.items() if v]
    total = sum(len(v) for v in times.values())
    body = "\n".join([
        "## Serving: start-up, memory and a load test",
        "",
        machine_line(),
        "",
        f"`python app.py` with the committed models: the first page answered after **{first_page:.1f} s**; every "
        f"tab's model answered a request after {ready:.1f} s; peak memory (VmHWM) {rss_ready:.0f} MB then, "
        f"**{rss_peak:.0f} MB** after the load test. Targets: first page within 15 s, at most 2 GB.",
        "",
        f"Load: {args.clients} concurrent `gradio_client` clients x {args.requests} requests, each a random choice of "
        f"a streamed chat reply (150 characters), a classification, a neighbour query and a date translation (beam "
        f"3): {total} calls in {wall:.0f} s, **{len(errors)} errors**. Seconds per call, end to end (queueing "
        "included):",
        "",
        "| endpoint | calls | p50 s | p95 s | max s |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Target: no errors, p95 at most 2 s for classify, neighbours and translate while chats stream.",
        *(["", f"Errors (first 5): {'; '.join(errors[:5])}"] if errors else []),
    ])
    write_section(args.out, "serve", body)
    print(body, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
