"""Hostile use: the floods of a hostile probe, replayed against the app serving the committed models. For each,
the app's peak memory, a classify probe's p95 while it runs, and what the flood got back. Writes the "hostile"
section of BENCHMARKS.md.

    python -m bench.hostile      (or: python -m textlab bench hostile)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.report import machine_line, write_section
from bench.serve import call, free_port, percentile, rss_mb, start_app

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--scale", "0.2"]
CHINESE = "\u6211\u7231\u81ea\u7136\u8bed\u8a00\u5904\u7406\u3002" * 20_000  # 200,000 characters
ENGLISH = (
    "And it came to pass in those days, that there went out a decree from Caesar Augustus, that all the "
    "world should be taxed, and everyone went into his own city."
)[:300]


class Probe:
    """Classify a short text once every 0.2 s and sample the app's memory while a flood runs."""

    def __init__(self, url: str, pid: int):
        self.url, self.pid, self.times, self.peak, self.stop = url, pid, [], 0.0, threading.Event()

    def __enter__(self) -> Probe:
        self.threads = [threading.Thread(target=self._classify), threading.Thread(target=self._memory)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def _classify(self) -> None:
        session = uuid.uuid4().hex
        while not self.stop.is_set():
            start = time.monotonic()
            call(self.url, "/classify", ("A wonderful, moving film.", "sentiment"), session)
            self.times.append(time.monotonic() - start)
            time.sleep(0.2)

    def _memory(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid, "VmRSS"))
            time.sleep(0.2)


def declared(url: str, path: str, size: int) -> int:
    """POST headers that declare a body of `size` bytes (as a client sending one would) and read the status."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    return connection.getresponse().status


def refused(url: str, endpoint: str, args: tuple) -> str:
    try:
        call(url, endpoint, args, uuid.uuid4().hex)
        return "answered"
    except RuntimeError as e:
        return str(e)[:60]


def unread(url: str, endpoint: str, args: tuple) -> None:
    """Start a job and never read its answer."""
    body = json.dumps({"data": list(args), "session_hash": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(
        f"{url}gradio_api/call{endpoint}", data=body, headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=30).read()


def floods(url: str, scale: float) -> dict:
    n = max(int(20 * scale), 2)
    many = max(int(120 * scale), 8)
    sessions = max(int(1_000 * scale), 10)  # TEXTLAB_SESSIONS: as many as the server keeps
    return {
        f"{n} x a 100 MB JSON text to /classify, each a new session": lambda: [
            declared(url, "/gradio_api/call/classify", 100 * 2**20) for _ in range(n)
        ],
        f"{sessions} x a 98,600-character text to /classify (just under its limit), each a new session": lambda: [
            refused(url, "/classify", ("a wonderful film " * 5_800, "sentiment")) for _ in range(sessions)
        ],
        f"{n} x a 1 MB prompt to /lab_generate": lambda: [
            refused(url, "/lab_generate", ("x" * 2**20, 40, 0.8)) for _ in range(n)
        ],
        f"{n} x a 10 MB chat message in one session": lambda: [
            declared(url, "/gradio_api/call/chat", 10 * 2**20) for _ in range(n)
        ],
        f"{many} concurrent 300-character English -> Spanish translations at beam 10": lambda: list(
            ThreadPoolExecutor(32).map(lambda _: refused(url, "/translate", (ENGLISH, "en-es", 10)), range(many))
        ),
        "4 concurrent 200,000-character Chinese texts to the Lab's vocabulary": lambda: list(
            ThreadPoolExecutor(4).map(lambda _: refused(url, "/lab_vocabulary", (CHINESE, None)), range(4))
        ),
    }


def lab_wait(url: str, jobs: int) -> float:
    """Seconds a small Lab job waits behind `jobs` of the heaviest ones whose answers nobody reads."""
    for _ in range(jobs):
        unread(url, "/lab_experiment", ("cells-adding", 128, 3, 20))
    start = time.monotonic()
    call(url, "/lab_experiment", ("cells-adding", 4, 1, 1), uuid.uuid4().hex)
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="flood sizes as a share of the probe's")
    parser.add_argument("--lab-cap", type=int, default=10, help="TEXTLAB_LAB_TIME_CAP of the app for the Lab row")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    os.environ["TEXTLAB_LAB_TIME_CAP"] = str(args.lab_cap)  # the app started below reads it
    port = free_port()
    app, _ = start_app(port, 1)
    url = f"http://127.0.0.1:{port}/"
    try:
        call(url, "/classify", ("warm up", "sentiment"))
        base = rss_mb(app.pid, "VmRSS")
        rows = []
        for name, flood in floods(url, args.scale).items():
            with Probe(url, app.pid) as probe:
                answers = flood()
            answers = [str(a) for a in answers]
            got = ", ".join(f"{answers.count(a)} x {a}" for a in dict.fromkeys(answers))
            rows.append(f"| {name} | {probe.peak:,.0f} MB | {percentile(probe.times, 0.95):.2f} s | {got} |")
            print(rows[-1], file=sys.stderr)
        jobs = 3
        waited = lab_wait(url, jobs)
    finally:
        app.terminate()
        app.wait(30)
    write_section(
        args.out,
        "hostile",
        "\n".join(
            [
                "## Hostile use: floods against the running app",
                "",
                f"{machine_line()}. `python app.py` with the committed models, {base:,.0f} MB resident before the "
                "floods. During each flood a probe classifies a short text every 0.2 s; peak memory is the app's "
                "VmRSS sampled as often. Targets: at most 2 GB, classify p95 at most 2 s.",
                "",
                "| flood | peak memory | classify p95 | what the flood got back |",
                "| --- | --- | --- | --- |",
                *rows,
                "",
                f"The Lab, at most {args.lab_cap} s a job (`TEXTLAB_LAB_TIME_CAP`): a small job sent behind {jobs} of "
                f"the heaviest (128 units, 3 layers, 20 epochs) whose answers are never read waited **{waited:.0f} s** "
                f"(bound: its queue position x the cap = {(jobs + 1) * args.lab_cap} s). A job whose page is closed is "
                "dropped by Gradio; one whose caller never reads its answer runs to its cap.",
            ]
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
