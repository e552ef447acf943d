"""Load-test `unspin serve`, against checking the same text in-process, in one run.

    python scripts/benchmark_server.py [--seconds 20] [--clients 1,4,16] [--workers 2] [--queue 16]

Starts a real `unspin serve` (shipped model, no SmolLM2 judge: as a fresh install runs
it) on a free port,
then, for each number of concurrent clients, has every client post the sample article
(data/samples/article.md) to /v2/check as LanguageTool clients do, one request after
another, for --seconds. A client refused with 503 waits the Retry-After it was given.

The baseline, measured in the same run: this process checking the same text with one
pipeline, one document after another, read as plain text as /v2/check reads `text` (what
the server's work costs without HTTP, queueing or form parsing). Prints a Markdown table for BENCHMARKS.md: requests/s, its ratio to the
baseline's checks/s, median and p95 latency, and 503s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "article.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def in_process(text: str, seconds: float) -> float:
    """Checks per second of one pipeline on `text`, sequentially."""
    from detector.wiring import build_pipeline
    from detector.config import Config
    from detector.readers import read_document

    pipeline, errors = build_pipeline(Config(lm_suggestions="off"), threads=1)
    assert not errors, errors
    pipeline.check([read_document("article.md", text, "text")])  # load and warm up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        pipeline.check([read_document("article.md", text, "text")])
        done += 1
    return done / (time.perf_counter() - started)


def load(url: str, text: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    refused = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        with httpx.Client(timeout=120) as http:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = http.post(f"{url}/v2/check", data={"text": text, "language": "en-US"})
                if response.status_code == 503:
                    with lock:
                        refused[0] += 1
                    time.sleep(float(response.headers.get("Retry-After", "1")))
                    continue
                response.raise_for_status()
                assert response.json()["matches"], "the sample article has findings"
                with lock:
                    latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rate": len(latencies) / wall,
        "median": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        "requests": len(latencies),
        "refused": refused[0],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=16)
    args = parser.parse_args()
    text = SAMPLE.read_text(encoding="utf-8")

    baseline = in_process(text, args.seconds)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "detector", "serve", "--port", str(port), "--workers", str(args.workers), "--queue", str(args.queue), "--lm-suggestions", "off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/v2/languages", timeout=1)
                break
            except httpx.HTTPError:
                if server.poll() is not None:
                    sys.exit(f"unspin serve exited: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        load(url, text, args.workers, 3.0)  # every pipeline warmed up
        rows = {clients: load(url, text, clients, args.seconds) for clients in map(int, args.clients.split(","))}
    finally:
        server.terminate()
        server.wait(30)

    print(f"machine: {os.cpu_count()} cores; {len(text.split())}-word sample article; unspin serve --workers {args.workers} --queue {args.queue}; {args.seconds:.0f} s a row", file=sys.stderr)
    print("| clients | requests/s | × in-process checks/s | median latency (ms) | p95 latency (ms) | requests | 503s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| in-process, one pipeline (baseline) | {baseline:.1f} | 1.00 | {1000 / baseline:.0f} | | | |")
    for clients, row in rows.items():
        print(f"| {clients} | {row['rate']:.1f} | {row['rate'] / baseline:.2f} | {row['median'] * 1000:.0f} | {row['p95'] * 1000:.0f} | {row['requests']} | {row['refused']} |")


if __name__ == "__main__":
    main()
