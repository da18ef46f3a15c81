"""Web load benchmark on loopback: 1,000 widget connections and 10 consoles on `relais serve`.

    python bench/bench_web.py [--home DIR] [--widgets 1000] [--consoles 10] [--rate 50] [--seconds 20]

Phases: one process with drafts off, one process with drafts on, two processes sharing a
real Redis (drafts off). Each prints user->console and console->user relay latency p50/p99,
draft-visible latency (drafts on), messages lost, and the server processes' peak RSS (with
their model processes).
Everything stays on 127.0.0.1; loops are bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import websockets

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "banc-d-essai-solide"
# Real questions (the golden set), so drafts cost what they cost in service; each gets a unique marker.
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals/datasets/golden.jsonl").open(encoding="utf-8")]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def start_servers(count: int, env: dict) -> tuple[list[subprocess.Popen], list[str]]:
    processes, bases = [], []
    for _ in range(count):
        port = free_port()
        processes.append(subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit("relais serve did not start")
                time.sleep(0.3)
    return processes, bases


def login(base: str, user: str) -> str:
    with httpx.Client(base_url=base) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"login": user, "password": PASSWORD, "csrf": csrf})
        return f"relais_session={client.cookies['relais_session']}"


async def run_phase(bases: list[str], widgets: int, consoles: int, rate: float, seconds: float, drafts: bool,
                    pids: list[int]) -> dict:
    ws = [b.replace("http", "ws") for b in bases]
    sent_user: dict[str, float] = {}
    user_to_console: list[float] = []
    sent_reply: dict[str, float] = {}
    console_to_user: list[float] = []
    draft_latency: list[float] = []
    seq_of: dict[tuple[str, int], str] = {}
    got_user: set[str] = set()
    got_reply: set[str] = set()
    drafted: set[str] = set()
    skipped: set[tuple[str, int]] = set()
    peak_rss = {pid: 0 for pid in pids}
    stop = asyncio.Event()

    async def widget(i: int):
        socket = await websockets.connect(ws[i % len(ws)] + "/widget/ws", max_queue=None, open_timeout=60)
        await socket.send(json.dumps({"type": "hello", "service": "moel"}))
        welcome = json.loads(await socket.recv())
        return socket, welcome["conversation"]

    async def widget_reader(socket, conversation: str):
        try:
            async for raw in socket:
                frame = json.loads(raw)
                now = time.perf_counter()
                if frame["type"] == "ack":
                    seq_of[(conversation, frame["seq"])] = frame["key"]
                elif frame["type"] == "message" and frame["author"] == "counsellor":
                    marker = frame["text"].split()[-1]
                    if marker in sent_reply and marker not in got_reply:
                        got_reply.add(marker)
                        console_to_user.append(now - sent_reply[marker])
        except websockets.ConnectionClosed:
            pass

    async def console_reader(socket):
        try:
            async for raw in socket:
                frame = json.loads(raw)
                now = time.perf_counter()
                if frame["type"] == "message" and frame.get("author") == "user":
                    marker = frame["text"].split()[-1]
                    if marker in sent_user and marker not in got_user:
                        got_user.add(marker)
                        user_to_console.append(now - sent_user[marker])
                elif frame["type"] == "draft":
                    key = seq_of.get((frame["conversation"], frame["seq"]))
                    if key and key in sent_user and key not in drafted:
                        drafted.add(key)  # every console gets the draft: count its first arrival
                        draft_latency.append(now - sent_user[key])
                elif frame["type"] == "draft_skipped":
                    skipped.add((frame["conversation"], frame["seq"]))
        except websockets.ConnectionClosed:
            pass

    opened = []
    for start in range(0, widgets, 100):
        opened += await asyncio.gather(*(widget(i) for i in range(start, min(widgets, start + 100))))
    cookies = [login(bases[i % len(bases)], f"conseil{i}") for i in range(consoles)]
    console_sockets = [await websockets.connect(ws[i % len(ws)] + "/console/ws", additional_headers={"Cookie": cookies[i]},
                                                max_queue=None) for i in range(consoles)]
    readers = [asyncio.create_task(widget_reader(s, c)) for s, c in opened] + [asyncio.create_task(console_reader(s)) for s in console_sockets]

    async def sample_rss():
        while not stop.is_set():
            for pid in pids:
                try:
                    server = psutil.Process(pid)  # with its model processes
                    rss = sum(p.memory_info().rss for p in [server, *server.children(recursive=True)])
                    peak_rss[pid] = max(peak_rss[pid], rss)
                except psutil.Error:
                    pass
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample_rss())
    total = int(rate * seconds)
    started = time.perf_counter()
    for n in range(total):
        socket, conversation = random.choice(opened)
        marker = f"u{n}"
        sent_user[marker] = time.perf_counter()
        await socket.send(json.dumps({"type": "message", "text": f"{QUESTIONS[n % len(QUESTIONS)]} {marker}", "key": marker}))
        if n % 5 == 0:  # consoles answer at a fifth of the rate
            reply = f"r{n}"
            _, target = random.choice(opened)
            sent_reply[reply] = time.perf_counter()
            await random.choice(console_sockets).send(json.dumps(
                {"type": "send", "conversation": target, "text": f"réponse de charge {reply}", "key": reply}))
        delay = started + (n + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    deadline = time.monotonic() + 60  # wait for everything in flight, a minute at most
    while time.monotonic() < deadline and (len(got_user) < total or len(got_reply) < len(sent_reply)
                                            or (drafts and len(drafted) + len(skipped) < total)):
        await asyncio.sleep(0.2)
    stop.set()
    await sampler
    for socket, _ in opened:
        await socket.close()
    for socket in console_sockets:
        await socket.close()
    for task in readers:
        task.cancel()
    return {
        "messages": total, "user_to_console": user_to_console, "console_to_user": console_to_user,
        "lost_user": total - len(got_user), "replies": len(sent_reply), "lost_reply": len(sent_reply) - len(got_reply),
        "draft": draft_latency, "skipped": len(skipped), "rss_mb": sum(peak_rss.values()) / 2**20,
    }


def report(title: str, r: dict) -> None:
    ms = lambda v: f"p50 {pct(v, .5) * 1000:.1f} ms · p99 {pct(v, .99) * 1000:.1f} ms"  # noqa: E731
    print(f"\n{title}")
    print(f"  user -> console: {ms(r['user_to_console'])} ({len(r['user_to_console'])}/{r['messages']}) · lost {r['lost_user']}")
    print(f"  console -> user: {ms(r['console_to_user'])} ({r['replies'] - r['lost_reply']}/{r['replies']}) · lost {r['lost_reply']}")
    if r["draft"]:
        print(f"  draft visible in the console after the user's message: p50 {pct(r['draft'], .5) * 1000:.0f} ms · "
              f"p95 {pct(r['draft'], .95) * 1000:.0f} ms ({len(r['draft'])} drafts, {r['skipped']} skipped under load)")
    print(f"  server peak RSS: {r['rss_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="an index with the demo base (made if absent)")
    parser.add_argument("--widgets", type=int, default=1000)
    parser.add_argument("--consoles", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--draft-rate", type=float, default=5.0, help="user messages/s of phase 3 (drafts on)")
    parser.add_argument("--phases", default="1,2,3,4", help="which phases to run (1-4), e.g. 1,4")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="relais-bench-web-"))
    # every simulated widget comes from 127.0.0.1: the per-address limits are raised for them
    base_env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "banc",
                "RELAIS_WIDGET_CONNECTIONS_PER_IP": str(args.widgets + 100),
                "RELAIS_CONVERSATIONS_PER_ADDRESS": str(args.widgets * 2 + 100)}
    if not (home / "index").exists():
        subprocess.run([sys.executable, "-m", "relais", "ingest", "--demo", "--json"], env=base_env, check=True, capture_output=True)
    print(f"{args.widgets} widget connections, {args.consoles} consoles, {args.rate:g} user messages/s for {args.seconds:g} s "
          f"(+ counsellor answers at a fifth of that rate), on {os.cpu_count()} cores, client and servers on one machine")
    phases = [
        ("one process, drafts off", 1, False, args.rate),
        ("one process, drafts on", 1, True, args.rate),
        (f"one process, drafts on, {args.draft_rate:g} messages/s", 1, True, args.draft_rate),
        ("two processes + Redis, drafts off", 2, False, args.rate),
    ]
    chosen = {int(n) for n in args.phases.split(",")}
    for number, (title, count, drafts, rate) in enumerate(phases, start=1):
        if number not in chosen:
            continue
        workdir = Path(tempfile.mkdtemp(prefix="relais-bench-db-"))
        env = {**base_env, "RELAIS_DATABASE_URL": f"sqlite:///{workdir / 'relais.sqlite'}", "RELAIS_DRAFTS": str(drafts).lower()}
        redis = None
        if count > 1:
            port = free_port()
            redis = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
                                     stdout=subprocess.DEVNULL)
            env["RELAIS_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        for i in range(args.consoles):
            subprocess.run([sys.executable, "-m", "relais", "users", "add", f"conseil{i}", "--role", "counsellor",
                            "--service", "parcoursup", "--service", "monmaster", "--service", "moel",
                            ], input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        processes, bases = start_servers(count, env)
        try:
            result = asyncio.run(run_phase(bases, args.widgets, args.consoles, rate, args.seconds, drafts,
                                           [p.pid for p in processes]))
            report(title, result)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
            if redis:
                redis.terminate()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
