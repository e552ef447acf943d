"""A bounded soak of `unspin serve` on loopback: mixed good and hostile requests from a few
clients for a fixed time, then the counts by status, 5xx answers (there should be none)
and the server's memory before and after.

    python scripts/soak_server.py --seconds 120 --clients 4 [--fast | --no-model]

It starts the server itself on a free loopback port and stops it at the end; every
request loop is bounded by the time given and by --max-requests.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "data" / "samples" / "article.md").read_text(encoding="utf-8")
DEEP = "[" * 50_000 + "]" * 50_000


def requests_to_send(url: str):
    """(name, callable sending one request) pairs, good and bad."""
    return [
        ("v2 text", lambda c: c.post(f"{url}/v2/check", data={"text": SAMPLE[:2000], "language": "en-GB"})),
        ("api markdown", lambda c: c.post(f"{url}/api/check", json={"text": SAMPLE, "format": "markdown"})),
        ("api cr-only", lambda c: c.post(f"{url}/api/check", json={"text": SAMPLE.replace("\n", "\r"), "format": "markdown"})),
        ("deep json", lambda c: c.post(f"{url}/api/check", content='{"text": ' + DEEP + "}", headers={"content-type": "application/json"})),
        ("surrogate", lambda c: c.post(f"{url}/api/check", content='{"text": "\\ud800"}', headers={"content-type": "application/json"})),
        ("not json", lambda c: c.post(f"{url}/api/check", content="{x", headers={"content-type": "application/json"})),
        ("deep data", lambda c: c.post(f"{url}/v2/check", data={"data": '{"annotation": ' + DEEP + "}", "language": "en"})),
        ("multipart", lambda c: c.post(f"{url}/v2/check", files={"text": (None, "x")}, data={"language": "en"})),
        ("german", lambda c: c.post(f"{url}/v2/check", data={"text": "Guten Tag", "language": "de-DE"})),
        ("no text", lambda c: c.post(f"{url}/v2/check", data={"language": "en"})),
        ("traversal", lambda c: c.get(f"{url}/static/../../pyproject.toml")),
        ("languages", lambda c: c.get(f"{url}/v2/languages")),
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args, serve_options = parser.parse_known_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"unspin-soak-{port}.log"), "w+", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "detector", "serve", "--port", str(port), *serve_options], stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"server did not start: see {log.name}")
            try:
                httpx.get(f"{url}/v2/languages", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        before = rss_mb(server.pid)
        counts: collections.Counter = collections.Counter()
        failures: list[str] = []
        lock = threading.Lock()
        sent = [0]
        stop = time.monotonic() + args.seconds
        kinds = requests_to_send(url)

        def client(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(timeout=90) as connection:
                while time.monotonic() < stop:
                    with lock:
                        if sent[0] >= args.max_requests:
                            return
                        sent[0] += 1
                    name, send = rng.choice(kinds)
                    try:
                        status = send(connection).status_code
                    except httpx.HTTPError as error:
                        status = type(error).__name__
                    with lock:
                        counts[(name, status)] += 1
                        if not isinstance(status, int) or status >= 500 and status not in (503, 504):
                            failures.append(f"{name}: {status}")

        threads = [threading.Thread(target=client, args=(args.seed + i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        # memory once the models have loaded (a quarter of the way), and at the end: growth
        # between the two would be a leak
        time.sleep(args.seconds / 4)
        warm = rss_mb(server.pid)
        for thread in threads:
            thread.join()
        after = rss_mb(server.pid)
        report = {
            "seconds": args.seconds,
            "clients": args.clients,
            "requests": sum(counts.values()),
            "by_status": dict(collections.Counter(str(status) for (_, status), n in counts.items() for _ in range(n))),
            "by_kind": {f"{name} → {status}": n for (name, status), n in sorted(counts.items(), key=str)},
            "server_errors": len(failures),
            "first_failures": failures[:10],
            "server_rss_mb": {"at start": round(before, 1), "a quarter of the way": round(warm, 1), "at the end": round(after, 1)},
            "server_alive": server.poll() is None,
            "server_log": log.name,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        sys.exit(1 if failures or server.poll() is not None else 0)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
