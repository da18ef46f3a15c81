"""Live chat drafts while the offline triage drafts 1,000 requests, on a real `relais serve`.

    python bench/bench_triage.py [--home /work/idx/demo] [--requests 1000] [--rate 2] [--seconds 90]
                                 [--widgets 60] [--quiet-load 1.5] [--quiet-wait 1800]

One `relais serve` (its model processes, drafts on, a fresh SQLite database) over an index already
built in --home (`relais ingest --demo` makes one there if it has none). Widgets send real questions
(the golden set, in the same order in each window) at --rate messages/s on average, at random
moments as people do (exponential gaps, the same in each window), and one console listens; a
live draft's latency is the time from the user's message to its draft in the console. Three
windows, each with widgets of its own:

  A. --seconds without triage (the baseline);
  B. from the moment --requests offline requests (golden questions too) are written to the
     database, waiting for their background draft (web/triage.py picks them up), until the last
     is drafted;
  C. --seconds without triage again (how much two quiet windows differ).

It prints each window's draft latency p50/p95, the ratio of B's p95 to A's (target ≤ 1.2, issue
14), and how long the triage of the requests took. The machine is shared: before starting it waits
for a 1-minute load average under --quiet-load (--quiet-wait seconds at most), prints the load at
each window's start and the CPU other processes used during it (DISTURBED past a quarter of a
core: measure again). Everything stays on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import websockets

from benchkit import free_port, load1, pct

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.pii import PseudonymMap  # noqa: E402
from relais.settings import Settings  # noqa: E402
from web.db import make_engine, session_factory  # noqa: E402
from web.security import Vault  # noqa: E402
from web.store import Store  # noqa: E402

PASSWORD = "banc-d-essai-solide"
SECRET = "banc-triage"
SERVICES = ("parcoursup", "monmaster", "moel")
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals/datasets/golden.jsonl").open(encoding="utf-8")]


def cpu_seconds(server: int) -> tuple[float, float]:
    """(CPU seconds used so far by the server, its model processes and this bench; by every process on the machine)."""
    ours = 0.0
    for process in [psutil.Process(server), *psutil.Process(server).children(recursive=True), psutil.Process()]:
        try:
            times = process.cpu_times()
            ours += times.user + times.system
        except psutil.Error:
            pass
    machine = psutil.cpu_times()
    return ours, machine.user + machine.nice + machine.system


def wait_quiet(limit: float, longest: float) -> float:
    """Wait until the 1-minute load average is under `limit` (`longest` seconds at most); the load then."""
    started = time.monotonic()
    while limit and load1() >= limit and time.monotonic() - started < longest:
        print(f"  waiting for a quiet machine: load {load1():.2f} (< {limit:g} wanted), "
              f"{(time.monotonic() - started) / 60:.1f} min waited", flush=True)
        time.sleep(30)
    return load1()


def start_server(env: dict, logfile: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = logfile.open("w")
    process = subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        try:
            httpx.get(base + "/login", timeout=1)
            return process, base
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"relais serve did not start (log: {logfile})")
            time.sleep(0.3)


def login(base: str, user: str) -> str:
    with httpx.Client(base_url=base) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"login": user, "password": PASSWORD, "csrf": csrf})
        return f"relais_session={client.cookies['relais_session']}"


class Drafts:
    """What the console saw: the first draft of each (conversation, seq), and each message's key -> (conversation, seq)."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.at: dict[str, tuple[str, int]] = {}
        self.seen: dict[tuple[str, int], float] = {}
        self.missing: dict[str, int] = {"draft_skipped": 0, "draft_unavailable": 0, "error": 0}

    def latencies(self, keys: list[str]) -> list[float]:
        return [self.seen[self.at[k]] - self.sent[k] for k in keys if self.at.get(k) in self.seen]


async def console_reader(socket, drafts: Drafts) -> None:
    try:
        async for raw in socket:
            frame = json.loads(raw)
            if frame["type"] == "draft":
                drafts.seen.setdefault((frame["conversation"], frame["seq"]), time.perf_counter())
            elif frame["type"] in drafts.missing:
                drafts.missing[frame["type"]] += 1
    except websockets.ConnectionClosed:
        pass


async def widget_reader(socket, conversation: str, drafts: Drafts) -> None:
    try:
        async for raw in socket:
            frame = json.loads(raw)
            if frame["type"] == "ack":
                drafts.at[frame["key"]] = (conversation, frame["seq"])
            elif frame["type"] == "error":
                drafts.missing["error"] += 1
    except websockets.ConnectionClosed:
        pass


async def window(ws: str, drafts: Drafts, label: str, widgets: int, rate: float, until, server: int) -> dict:
    """Fresh widgets send real questions at `rate`/s until `until()` says stop; then wait for the drafts
    still in flight (a minute at most). Every message's draft latency, in the order sent, and the CPU
    other processes of the machine used meanwhile (in cores)."""
    opened = []
    for n in range(widgets):
        socket = await websockets.connect(ws + "/widget/ws", max_queue=None, open_timeout=60)
        await socket.send(json.dumps({"type": "hello", "service": SERVICES[n % len(SERVICES)]}))
        welcome = json.loads(await socket.recv())
        if welcome["type"] != "welcome":
            raise SystemExit(f"widget {n}: no welcome but {welcome}")
        opened.append((socket, welcome["conversation"]))
    readers = [asyncio.create_task(widget_reader(s, c, drafts)) for s, c in opened]
    load, keys = load1(), []
    ours_before, machine_before = cpu_seconds(server)
    users = itertools.cycle(opened)
    gaps = random.Random(14)  # the same moments in every window and on every run
    started = time.perf_counter()
    moment = 0.0
    for n in itertools.count():
        if until(time.perf_counter() - started):
            break
        socket, _ = next(users)
        key = f"{label}{n}"
        keys.append(key)
        drafts.sent[key] = time.perf_counter()
        # the question as people write it: a marker appended to it (an unknown word) makes a draft cost 3x more
        await socket.send(json.dumps({"type": "message", "text": QUESTIONS[(n * 13) % len(QUESTIONS)], "key": key}))
        moment += gaps.expovariate(rate)
        delay = started + moment - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    seconds = time.perf_counter() - started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(drafts.latencies(keys)) < len(keys):
        await asyncio.sleep(0.2)
    ours, machine = cpu_seconds(server)
    others = max(0.0, (machine - machine_before) - (ours - ours_before)) / (time.perf_counter() - started)
    for socket, _ in opened:
        await socket.close()
    for task in readers:
        task.cancel()
    return {"label": label, "load": load, "seconds": seconds, "messages": len(keys), "latencies": drafts.latencies(keys),
            "others": others}


def waiting_requests(store: Store) -> int:
    return store.undrafted_offline_count()


async def run(args: argparse.Namespace, base: str, store: Store, server: int) -> None:
    ws = base.replace("http", "ws")
    drafts = Drafts()
    console = await websockets.connect(ws + "/console/ws", additional_headers={"Cookie": login(base, "conseil")},
                                       max_queue=None)
    reader = asyncio.create_task(console_reader(console, drafts))
    await window(ws, drafts, "w", 10, args.rate, lambda elapsed: elapsed >= 30, server)  # warm the model processes
    results = [await window(ws, drafts, "a", args.widgets, args.rate, lambda elapsed: elapsed >= args.seconds, server)]
    report(results[-1], "A. no triage")

    written = time.perf_counter()
    for n in range(args.requests):
        store.add_offline(SERVICES[n % len(SERVICES)], QUESTIONS[(n * 7) % len(QUESTIONS)], f"banc{n}@example.org",
                          PseudonymMap("offline"))
    print(f"\n{args.requests} offline requests written in {time.perf_counter() - written:.1f} s", flush=True)
    left = {"count": args.requests, "checked": 0.0, "done_at": None}

    def triage_done(elapsed: float) -> bool:
        now = time.perf_counter()
        if now - left["checked"] >= 1.0:
            left["checked"], left["count"] = now, waiting_requests(store)
            if left["count"] == 0 and left["done_at"] is None:
                left["done_at"] = now
        return left["count"] == 0 or elapsed >= args.max_seconds

    results.append(await window(ws, drafts, "b", args.widgets, args.rate, triage_done, server))
    while left["done_at"] is None and time.perf_counter() - written < args.max_seconds + 60:
        await asyncio.sleep(1)
        if waiting_requests(store) == 0:
            left["done_at"] = time.perf_counter()
    report(results[-1], "B. while the triage drafts the offline requests")
    if left["done_at"] is None:
        print(f"  TRIAGE NOT DONE: {waiting_requests(store)} of {args.requests} requests still without a draft", flush=True)
    else:
        print(f"  triage: {args.requests} offline requests drafted in {left['done_at'] - written:.1f} s "
              f"({args.requests / (left['done_at'] - written):.1f} per second), live drafts going on meanwhile", flush=True)

    results.append(await window(ws, drafts, "c", args.widgets, args.rate, lambda elapsed: elapsed >= args.seconds, server))
    report(results[-1], "C. no triage again")
    a, b, c = (pct(r["latencies"], 0.95) for r in results)
    print(f"\nlive draft p95: {a * 1000:.0f} ms without triage, {b * 1000:.0f} ms during it, {c * 1000:.0f} ms after it; "
          f"ratio during/before {b / a:.2f} (target ≤ 1.2), during/after {b / c:.2f}; frames: {drafts.missing}", flush=True)
    reader.cancel()
    await console.close()


def report(result: dict, title: str) -> None:
    values = result["latencies"]
    disturbed = "  DISTURBED" if result["others"] > 0.25 else ""
    print(f"\n{title}  (1-min load average at its start: {result['load']:.2f}; other processes used "
          f"{result['others']:.2f} cores meanwhile){disturbed}")
    print(f"  {result['messages']} messages in {result['seconds']:.0f} s ({result['messages'] / result['seconds']:.1f}/s), "
          f"{len(values)} drafts seen: p50 {pct(values, 0.5) * 1000:.0f} ms, p95 {pct(values, 0.95) * 1000:.0f} ms, "
          f"max {max(values, default=float('nan')) * 1000:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/work/idx/demo"), help="RELAIS_HOME holding the index")
    parser.add_argument("--requests", type=int, default=1000, help="offline requests to triage")
    parser.add_argument("--rate", type=float, default=2.0, help="live user messages per second")
    parser.add_argument("--seconds", type=float, default=90.0, help="length of windows A and C")
    parser.add_argument("--max-seconds", type=float, default=1200.0, help="window B ends by then, triage done or not")
    parser.add_argument("--widgets", type=int, default=60,
                        help="widget conversations per window (at the default rate and length, 3 messages each)")
    parser.add_argument("--quiet-load", type=float, default=1.5, help="wait for a 1-min load average under this (0: don't)")
    parser.add_argument("--quiet-wait", type=float, default=1800.0, help="seconds to wait for it at most")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # stopped: the server and the folder go too

    load = wait_quiet(args.quiet_load, args.quiet_wait)
    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-triage-"))
    try:
        measure(args, workdir, load)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args: argparse.Namespace, workdir: Path, load: float) -> None:
    url = f"sqlite:///{workdir / 'relais.sqlite'}"
    env = {**os.environ, "RELAIS_HOME": str(args.home), "RELAIS_SECRET_KEY": SECRET, "RELAIS_DATABASE_URL": url,
           "RELAIS_DRAFTS": "true", "RELAIS_WIDGET_CONNECTIONS_PER_IP": "1000", "RELAIS_CONVERSATIONS_PER_ADDRESS": "10000"}
    if not (args.home / "index").exists():
        subprocess.run([sys.executable, "-m", "relais", "ingest", "--demo", "--json"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    subprocess.run([sys.executable, "-m", "relais", "users", "add", "conseil", "--role", "counsellor",
                    *(part for service in SERVICES for part in ("--service", service))],
                   input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    settings = Settings(home=args.home, secret_key=SECRET, database_url=url)
    store = Store(session_factory(make_engine(url)), Vault(settings.encryption_secret(), settings.old_encryption_secrets()))
    print(f"{args.rate:g} live messages/s from {args.widgets} widgets per window, {args.requests} offline requests; "
          f"1-min load average before starting: {load:.2f} on {os.cpu_count()} cores", flush=True)
    process, base = start_server(env, workdir / "server.log")
    try:
        asyncio.run(run(args, base, store, process.pid))
    finally:
        process.terminate()
        process.wait(timeout=60)
        errors = [line for line in (workdir / "server.log").read_text(errors="replace").splitlines()
                  if line.startswith("Traceback") or re.search(r"\b(ERROR|CRITICAL)\b", line)]
        if errors:
            kept = Path(tempfile.mkdtemp(prefix="relais-bench-triage-log-"))
            shutil.copy(workdir / "server.log", kept)
            print(f"server log: {len(errors)} error lines, first: {errors[0]!r} (kept in {kept})")


if __name__ == "__main__":
    main()
