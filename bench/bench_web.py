"""Web load benchmark on loopback: 1,000 widget connections and 10 consoles on `relais serve`.

    python bench/bench_web.py [--home DIR] [--widgets 1000] [--consoles 10] [--rate 50] [--seconds 20]
                              [--draft-rate 10] [--phases 1,2,3,4,5] [--quiet-load 2.0] [--max-others 0.25]
                              [--browser-console]

Phases: (1) one process with drafts off, (2) drafts on at --rate, (3) drafts on at --draft-rate,
(4) two processes sharing a real Redis (drafts off), (5) a hello flood: the real users (from
127.0.0.2 upwards) relay as in phase 1 alone (the baseline), then while one address (127.0.0.1)
sends 5,000 `hello` frames over a few sockets (measured until its last hello is answered: the server
may make new conversations wait their turn), then alone again, in the same server. Each prints
user->console and console->user relay latency p50/p99, messages lost, error frames, drafts
visible p50/p95 with the drafts skipped or unavailable (drafts on), the flood's welcomes and
refusals (phase 5), with --browser-console when each user message was painted in a real console
page in Chromium (one server: issue 13's "first message visible in the console"), the CPU each
party used, and the server processes' peak RSS (with their model processes).

This machine is shared: before each phase the bench waits for a 1-minute load average under
--quiet-load and other processes using under --max-others cores (polled every 30 s,
--quiet-wait seconds at most) and prints both; a phase during which other processes used more
than --max-others cores is flagged DISTURBED and run again (--attempts in all). Everything stays on loopback (127.0.0.0/8); loops are bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

import httpx
import psutil
import websockets

from benchkit import free_port, load1, pct

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "banc-d-essai-solide"
# Real questions (the golden set), so drafts cost what they cost in service; each gets a unique marker.
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals/datasets/golden.jsonl").open(encoding="utf-8")]
FLOOD_ADDRESS = "127.0.0.1"  # phase 5: the flood's address; the real users come from 127.0.0.2 upwards
LIMIT_SETTINGS = ("RELAIS_WIDGET_CONNECTIONS_PER_IP", "RELAIS_CONVERSATIONS_PER_ADDRESS", "RELAIS_CONVERSATIONS_BURST")


def busy_cores(seconds: float) -> float:
    """The CPU every process on the machine used over the next `seconds`, in cores on average."""
    before = psutil.cpu_times()
    time.sleep(seconds)
    after = psutil.cpu_times()
    return sum(getattr(after, f) - getattr(before, f) for f in ("user", "nice", "system")) / seconds


def wait_quiet(limit: float, others: float, longest: float, every: float = 30.0) -> tuple[float, float, float]:
    """Wait until the 1-minute load average is under `limit` and the machine's processes (ours are
    idle then) used less than `others` cores over the last `every` seconds; `longest` seconds at
    most. Returns the load then, that CPU, and the seconds waited. A limit of 0 does not wait."""
    started = time.monotonic()
    if not limit:
        return load1(), float("nan"), 0.0
    while True:
        busy = busy_cores(every)
        if (load1() < limit and (not others or busy < others)) or time.monotonic() - started >= longest:
            break
        print(f"  waiting for a quiet machine: load {load1():.2f} (< {limit:g} wanted), other processes "
              f"{busy:.2f} cores (< {others:g} wanted), {(time.monotonic() - started) / 60:.1f} min waited", flush=True)
    if load1() >= limit or (others and busy >= others):
        print(f"  WARNING: not quiet after {longest / 60:.0f} min (load {load1():.2f}, {busy:.2f} cores busy): "
              "measuring anyway", flush=True)
    return load1(), busy, time.monotonic() - started


def uvloop_run(coroutine):
    import uvloop  # installed with uvicorn[standard]

    return uvloop.run(coroutine)


def cpu_seconds(pids: list[int]) -> dict:
    """CPU seconds used so far by the servers' web processes, their children (the model processes),
    this client, and the whole machine (every process's time on every core; interrupts and the
    hypervisor's steal apart)."""
    out = {"server": 0.0, "models": 0.0}
    for pid in pids:
        try:
            server = psutil.Process(pid)
            times = server.cpu_times()
            out["server"] += times.user + times.system
            for child in server.children(recursive=True):
                times = child.cpu_times()
                out["models"] += times.user + times.system
        except psutil.Error:
            pass
    client = psutil.Process()  # with its children: the flood process, the browser console (--browser-console)
    out["client"] = out["browser"] = 0.0
    for process in [client, *client.children(recursive=True)]:
        try:
            times = process.cpu_times()
            out["browser" if "chrom" in process.name() else "client"] += times.user + times.system
        except psutil.Error:
            pass
    machine = psutil.cpu_times()
    out["machine"] = machine.user + machine.nice + machine.system  # every process's time (interrupts and steal apart)
    out["softirq"], out["steal"] = machine.irq + machine.softirq, getattr(machine, "steal", 0.0)
    out["wall"] = time.monotonic()
    return out


def default_limit(name: str) -> float:
    """The per-address limit the servers use unless the environment sets it (relais.settings)."""
    sys.path.insert(0, str(ROOT))
    from relais.settings import Settings

    field = Settings.model_fields[name.removeprefix("RELAIS_").lower()]
    return field.annotation(os.environ[name]) if os.environ.get(name) else field.default


def start_servers(count: int, env: dict, logdir: Path) -> tuple[list[subprocess.Popen], list[str]]:
    processes, bases = [], []
    for i in range(count):
        port = free_port()
        log = (logdir / f"server{i}.log").open("w")
        processes.append(subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                          stdout=log, stderr=subprocess.STDOUT))
        bases.append(f"http://127.0.0.1:{port}")
    for base, process in zip(bases, processes):
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"relais serve did not start (log: {logdir})")
                time.sleep(0.3)
    return processes, bases


def server_logs(logdir: Path) -> dict:
    """What the servers wrote (uvicorn's warnings, the app's log records, tracebacks); kept on disk
    when there is a traceback or an error line."""
    lines = [line for p in sorted(logdir.glob("server*.log")) for line in p.read_text(errors="replace").splitlines()]
    records = [line for line in lines if line.strip() and not line[:1].isspace()]  # not a traceback's body
    errors = [line for line in records if line.startswith("Traceback") or re.search(r"\b(ERROR|CRITICAL)\b|failed", line)]
    kept = None
    if errors:
        kept = Path(tempfile.mkdtemp(prefix="relais-bench-web-logs-"))
        for path in logdir.glob("server*.log"):
            shutil.copy(path, kept)
    return {"lines": len(records), "errors": len(errors), "first_error": errors[0] if errors else None,
            "kinds": Counter(re.sub(r"[0-9a-f]{8,}|\d+", "N", line)[:90] for line in records).most_common(4),
            "kept": str(kept) if kept else None}


def login(base: str, user: str) -> str:
    with httpx.Client(base_url=base) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"login": user, "password": PASSWORD, "csrf": csrf})
        return f"relais_session={client.cookies['relais_session']}"


# -- phase 5's flood, in a process of its own (its frames must not delay the measuring loop) ----------
def flood_worker(url: str, hellos: int, sockets: int, seconds: float, address: str, ready, go, done, results) -> None:
    try:
        results.put(asyncio.run(_flood(url, hellos, sockets, seconds, address, ready, go)))
    finally:
        done.set()


async def _flood(url: str, hellos: int, sockets: int, seconds: float, address: str, ready, go) -> dict:
    answers: Counter = Counter()  # welcome, or the error frame's code
    round_trips: list[float] = []
    closed: list[int | None] = []
    pending = [deque() for _ in range(sockets)]
    conns = [await websockets.connect(url, local_addr=(address, 0), max_queue=None, open_timeout=60)
             for _ in range(sockets)]

    async def reader(i: int, socket) -> None:
        try:
            async for raw in socket:
                frame = json.loads(raw)
                now = time.perf_counter()
                if frame["type"] == "welcome":
                    answers["welcome"] += 1
                elif frame["type"] == "error":
                    answers[frame["code"]] += 1
                else:  # anything else is not an answer to a hello
                    answers[f"other frame: {frame['type']}"] += 1
                    continue
                if pending[i]:
                    round_trips.append(now - pending[i].popleft())
        except websockets.ConnectionClosed as exc:
            closed.append(exc.rcvd.code if exc.rcvd else None)

    readers = [asyncio.create_task(reader(i, s)) for i, s in enumerate(conns)]
    ready.set()
    await asyncio.get_running_loop().run_in_executor(None, go.wait, 300)
    cpu_at_go = time.process_time()
    rate = hellos / seconds
    started = time.perf_counter()
    sent = 0
    for n in range(hellos):
        i = n % sockets
        pending[i].append(time.perf_counter())
        try:
            await conns[i].send(json.dumps({"type": "hello", "service": "moel"}))
        except websockets.ConnectionClosed:
            break
        sent += 1
        delay = started + (n + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    sending = time.perf_counter() - started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(answers.values()) < sent and len(closed) < sockets:
        await asyncio.sleep(0.1)
    answered = time.perf_counter() - started  # the hellos are answered as the server sees fit: refused, or welcomed in turn
    cpu = time.process_time() - cpu_at_go
    for socket in conns:
        await socket.close()
    for task in readers:
        task.cancel()
    return {"cpu_s": cpu, "hellos": hellos, "sent": sent, "sockets": sockets, "address": address, "sending_s": sending,
            "answered_s": answered,
            "answers": dict(answers), "unanswered": sent - sum(v for k, v in answers.items() if not k.startswith("other")),
            "closed_by_server": [c for c in closed], "round_trip": round_trips}


async def run_phase(bases: list[str], widgets: int, consoles: int, rate: float, seconds: float, drafts: bool,
                    pids: list[int], flood: dict | None = None, browser: bool = False) -> list[dict]:
    """Connect the widgets and consoles (and a console page in Chromium with `browser`), then
    measure one window (two for the flood: baseline, flood)."""
    ws = [b.replace("http", "ws") for b in bases]
    sent_user: dict[str, float] = {}
    sent_wall: dict[str, float] = {}  # ms since the epoch, for the browser console's clock
    user_to_console: dict[str, float] = {}
    sent_reply: dict[str, float] = {}
    console_to_user: dict[str, float] = {}
    seq_of: dict[tuple[str, int], str] = {}  # (conversation, seq) -> the user message's key, from its ack
    draft_seen: dict[tuple[str, int], float] = {}  # first arrival in any console
    skipped: set[tuple[str, int]] = set()
    unavailable: set[tuple[str, int]] = set()
    widget_errors: Counter = Counter()
    console_errors: Counter = Counter()
    peak_rss = {pid: 0 for pid in pids}
    stop = asyncio.Event()
    per_address = flood["users_per_address"] if flood else 0

    async def widget(i: int):
        extra = {"local_addr": (f"127.0.0.{2 + i // per_address}", 0)} if flood else {}
        socket = await websockets.connect(ws[i % len(ws)] + "/widget/ws", max_queue=None, open_timeout=60, **extra)
        await socket.send(json.dumps({"type": "hello", "service": "moel"}))
        welcome = json.loads(await socket.recv())
        if welcome["type"] != "welcome":
            raise SystemExit(f"widget {i} {extra}: no welcome but {welcome}")
        return socket, welcome["conversation"]

    async def widget_reader(socket, conversation: str):
        try:
            async for raw in socket:
                frame = json.loads(raw)
                now = time.perf_counter()
                if frame["type"] == "ack":
                    seq_of[(conversation, frame["seq"])] = frame["key"]
                elif frame["type"] == "error":
                    widget_errors[frame["code"]] += 1
                elif frame["type"] == "message" and frame["author"] == "counsellor":
                    marker = frame["text"].split()[-1]
                    if marker in sent_reply and marker not in console_to_user:
                        console_to_user[marker] = now - sent_reply[marker]
        except websockets.ConnectionClosed:
            pass

    async def console_reader(socket):
        try:
            async for raw in socket:
                frame = json.loads(raw)
                now = time.perf_counter()
                kind = frame["type"]
                if kind == "message" and frame.get("author") == "user":
                    marker = frame["text"].split()[-1]
                    if marker in sent_user and marker not in user_to_console:
                        user_to_console[marker] = now - sent_user[marker]
                elif kind == "draft":  # every console gets it: its first arrival counts; matched to the key later
                    draft_seen.setdefault((frame["conversation"], frame["seq"]), now)
                elif kind == "draft_skipped":
                    skipped.add((frame["conversation"], frame["seq"]))
                elif kind == "draft_unavailable":
                    unavailable.add((frame["conversation"], frame["seq"]))
                elif kind == "error":
                    console_errors[frame["code"]] += 1
        except websockets.ConnectionClosed:
            pass

    opened = []
    for start in range(0, widgets, 100):
        opened += await asyncio.gather(*(widget(i) for i in range(start, min(widgets, start + 100))))
    cookies = [login(bases[i % len(bases)], f"conseil{i}") for i in range(consoles)]
    console_sockets = [await websockets.connect(ws[i % len(ws)] + "/console/ws", additional_headers={"Cookie": cookies[i]},
                                                max_queue=None) for i in range(consoles)]
    readers = [asyncio.create_task(widget_reader(s, c)) for s, c in opened] + [asyncio.create_task(console_reader(s)) for s in console_sockets]
    page = None
    if browser:
        from console_probe import BrowserConsole

        page = BrowserConsole()
        await page.open(bases[0], login(bases[0], "conseil0"))

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

    async def window(label: str, until=None) -> dict:
        """`rate` user messages/s for `seconds` (+ counsellor answers at a fifth of that), and on while
        `until()` is false (3 more minutes at most), then wait for everything in flight (a minute at most)."""
        load = load1()
        errors_before, console_errors_before = Counter(widget_errors), Counter(console_errors)
        markers, replies = [], []
        cpu_before = cpu_seconds(pids)
        browser_before = await page.main_thread() if page else None
        started = time.perf_counter()
        for n in itertools.count():
            if n >= rate * seconds and (until is None or until() or n >= rate * (seconds + 180)):
                break
            marker = f"{label}u{n}"
            markers.append(marker)
            socket, conversation = next(users)
            sent_user[marker] = time.perf_counter()
            sent_wall[marker] = time.time() * 1000
            await socket.send(json.dumps({"type": "message", "text": f"{QUESTIONS[n % len(QUESTIONS)]} {marker}", "key": marker}))
            if n % 5 == 0:  # consoles answer at a fifth of the rate
                reply = f"{label}r{n}"
                replies.append(reply)
                _, target = random.choice(opened)
                sent_reply[reply] = time.perf_counter()
                await random.choice(console_sockets).send(json.dumps(
                    {"type": "send", "conversation": target, "text": f"réponse de charge {reply}", "key": reply}))
            delay = started + (n + 1) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        sending, total = time.perf_counter() - started, len(markers)

        def draft_outcomes() -> tuple[list[float], int, int, int]:
            key_at = {key: at for at, key in seq_of.items()}
            latencies, n_skipped, n_unavailable = [], 0, 0
            for marker in markers:
                at = key_at.get(marker)
                if at in draft_seen:
                    latencies.append(draft_seen[at] - sent_user[marker])
                elif at in skipped:
                    n_skipped += 1
                elif at in unavailable:
                    n_unavailable += 1
            return latencies, n_skipped, n_unavailable, total - len(latencies) - n_skipped - n_unavailable

        def drafts_done_per_second() -> float:
            key_at = {key: at for at, key in seq_of.items()}
            arrivals = [draft_seen[key_at[m]] for m in markers if key_at.get(m) in draft_seen]
            return len(arrivals) / (max(arrivals) - started) if arrivals else 0.0

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (sum(m in user_to_console for m in markers) < total
                                                or sum(r in console_to_user for r in replies) < len(replies)
                                                or (drafts and draft_outcomes()[3] > 0)):
            await asyncio.sleep(0.2)
        if page:  # what reached the browser console's socket is painted within a few frames
            await asyncio.sleep(1)
            visible = await page.visible()
            browser_after = await page.main_thread()
        cpu_after = cpu_seconds(pids)
        to_console = [user_to_console[m] for m in markers if m in user_to_console]
        to_user = [console_to_user[r] for r in replies if r in console_to_user]
        result = {
            "window": label, "load_at_start": load, "messages": total, "sending_s": sending,
            "user_to_console": to_console, "console_to_user": to_user,
            "lost_user": total - len(to_console), "replies": len(replies), "lost_reply": len(replies) - len(to_user),
            "cpu": {k: cpu_after[k] - cpu_before[k] for k in cpu_before},
            "widget_errors": dict(widget_errors - errors_before), "console_errors": dict(console_errors - console_errors_before),
        }
        if page and bases[0] == bases[-1]:  # one server: every message reaches the browser console
            result["browser_visible"] = [(visible[m] - sent_wall[m]) / 1000 for m in markers if m in visible]
            result["browser_main_thread"] = {k: browser_after[k] - browser_before[k] for k in browser_before}
        if drafts:
            latencies, n_skipped, n_unavailable, none_seen = draft_outcomes()
            result.update(draft=latencies, draft_skipped=n_skipped, draft_unavailable=n_unavailable, draft_none_seen=none_seen,
                          drafts_per_second=drafts_done_per_second())
        return result

    # Each user writes in turn, in a shuffled order: none passes the 10 messages a minute a conversation is allowed.
    users = itertools.cycle(random.sample(opened, len(opened)))
    sampler = asyncio.create_task(sample_rss())
    results = []
    try:
        if flood is None:
            results.append(await window(""))
        else:
            results.append(await window("b"))  # the baseline, right before the flood, same server and sockets
            ctx = multiprocessing.get_context("spawn")
            ready, go, done, answers = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Queue()
            flood_args = (ws[0] + "/widget/ws", flood["hellos"], flood["sockets"], flood["seconds"] or seconds, FLOOD_ADDRESS)
            worker = ctx.Process(target=flood_worker, args=(*flood_args, ready, go, done, answers), daemon=True)
            worker.start()
            loop = asyncio.get_running_loop()
            if not await loop.run_in_executor(None, ready.wait, 120):
                raise SystemExit("the flood process did not connect")
            go.set()
            measured = await window("f", until=done.is_set)  # until the flood's last hello is answered
            try:
                measured["flood"] = await loop.run_in_executor(None, answers.get, True, 120)
            finally:
                worker.join(30)
                if worker.is_alive():
                    worker.terminate()
            results.append(measured)
            results.append(await window("a"))  # the baseline again, after the flood: how much two quiet windows differ
    finally:
        stop.set()
        await sampler
        for socket, _ in opened:
            await socket.close()
        for socket in console_sockets:
            await socket.close()
        if page:
            await page.close()
        for task in readers:
            task.cancel()
    for result in results:
        result["rss_mb"] = sum(peak_rss.values()) / 2**20
    return results


def others_cores(r: dict) -> float:
    """The CPU other processes on the machine used during a window, in cores on average."""
    cpu = r["cpu"]
    ours = cpu["server"] + cpu["models"] + cpu["client"] + cpu["browser"] + (r["flood"]["cpu_s"] if "flood" in r else 0.0)
    return max(0.0, cpu["machine"] - ours) / cpu["wall"]


def ms(values: list[float]) -> str:
    return f"p50 {pct(values, .5) * 1000:.1f} ms · p99 {pct(values, .99) * 1000:.1f} ms"


def report(title: str, r: dict) -> None:
    disturbed = f"  DISTURBED: other processes used {others_cores(r):.2f} cores on average" if r.get("disturbed") else ""
    print(f"\n{title}  (1-min load average at the window's start: {r['load_at_start']:.2f}){disturbed}")
    print(f"  user -> console: {ms(r['user_to_console'])} ({len(r['user_to_console'])}/{r['messages']}) · lost {r['lost_user']}")
    print(f"  console -> user: {ms(r['console_to_user'])} ({r['replies'] - r['lost_reply']}/{r['replies']}) · lost {r['lost_reply']}")
    quarter = len(r["user_to_console"]) // 4  # in the order sent (exact when none is lost)
    if quarter:
        print("  user -> console p99 by quarter of the window: "
              + " / ".join(f"{pct(r['user_to_console'][q * quarter:(q + 1) * quarter], .99) * 1000:.0f}" for q in range(4)) + " ms")
    if "browser_visible" in r:
        v = r["browser_visible"]
        print(f"  user's message visible in a browser console (painted): p50 {pct(v, .5) * 1000:.1f} ms · "
              f"p95 {pct(v, .95) * 1000:.1f} ms · max {max(v, default=float('nan')) * 1000:.1f} ms ({len(v)}/{r['messages']})")
        busy = r["browser_main_thread"]
        print("  its page's main thread over the window: " + " · ".join(f"{k} {busy[k]:.2f} s" for k in busy))
    if r["widget_errors"] or r["console_errors"]:
        print(f"  ERROR FRAMES: to the widgets {r['widget_errors']} · to the consoles {r['console_errors']}")
    if "draft" in r:
        d = r["draft"]
        within = sum(v <= 0.3 for v in d)
        print(f"  draft visible in the console after the user's message: p50 {pct(d, .5) * 1000:.0f} ms · "
              f"p95 {pct(d, .95) * 1000:.0f} ms over {len(d)} drafts · draft_skipped {r['draft_skipped']} · "
              f"draft_unavailable {r['draft_unavailable']} · none seen {r['draft_none_seen']} "
              f"(of {r['messages']} messages; {within} drafts within 300 ms)")
        if d:
            print(f"  drafts: the first visible after {d[0] * 1000:.0f} ms, the last after {d[-1] * 1000:.0f} ms; "
                  f"{r['drafts_per_second']:.1f} drafts/s done (user messages sent at {r['messages'] / r['sending_s']:.1f}/s)")
    if "flood" in r:
        f = r["flood"]
        refused = {k: v for k, v in f["answers"].items() if k != "welcome"}
        print(f"  flood: {f['sent']}/{f['hellos']} hellos from {f['address']} over {f['sockets']} sockets in {f['sending_s']:.1f} s · "
              f"welcome {f['answers'].get('welcome', 0)} · refused {refused} · unanswered {f['unanswered']}"
              + (f" · sockets closed by the server: {f['closed_by_server']}" if f["closed_by_server"] else ""))
        print(f"  flood's hello round trip: {ms(f['round_trip'])} · all answered {f['answered_s']:.1f} s after the first was sent")
    cpu = r["cpu"]
    print(f"  CPU seconds over the window's {cpu['wall']:.1f} s (x{os.cpu_count()} cores): server web process {cpu['server']:.1f} · "
          f"model processes {cpu['models']:.1f} · bench client {cpu['client']:.1f}"
          + (f" · browser console (Chromium) {cpu['browser']:.1f}" if cpu["browser"] else "")
          + (f" · flood process {r['flood']['cpu_s']:.1f}" if "flood" in r else "")
          + f" · other processes {others_cores(r) * cpu['wall']:.1f} · interrupts {cpu['softirq']:.1f} · steal {cpu['steal']:.1f}")
    print(f"  server peak RSS: {r['rss_mb']:.0f} MB")


def compare(baseline: dict, flooded: dict, after: dict) -> dict:
    both = lambda r: r["user_to_console"] + r["console_to_user"]  # noqa: E731
    out = {}
    for name, pick in (("user -> console", lambda r: r["user_to_console"]), ("console -> user", lambda r: r["console_to_user"]),
                       ("both directions", both)):
        before, during, later = (pct(pick(r), .99) for r in (baseline, flooded, after))
        out[name] = {"before": before, "during": during, "ratio": during / before, "after": later, "after_ratio": later / before}
    print("  real users' relay p99: baseline before -> during the flood (ratio) · baseline again after the flood (ratio to before):")
    for name, v in out.items():
        print(f"    {name}: {v['before'] * 1000:.1f} -> {v['during'] * 1000:.1f} ms (x{v['ratio']:.2f}) · "
              f"after {v['after'] * 1000:.1f} ms (x{v['after_ratio']:.2f})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="an index with the demo base (made if absent)")
    parser.add_argument("--widgets", type=int, default=1000)
    parser.add_argument("--consoles", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0, help="user messages/s of phases 1, 2, 4, 5")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured window")
    parser.add_argument("--draft-rate", type=float, default=10.0, help="user messages/s of phase 3 (drafts on)")
    parser.add_argument("--phases", default="1,2,3,4,5", help="which phases to run (1-5), e.g. 1,3,5")
    parser.add_argument("--flood-hellos", type=int, default=5000, help="phase 5: hellos sent from 127.0.0.1 (0: an A/A run)")
    parser.add_argument("--flood-sockets", type=int, default=5, help="phase 5: the flood's sockets")
    parser.add_argument("--flood-seconds", type=float, default=0.0,
                        help="phase 5: send the hellos evenly over this many seconds (0: over the whole window)")
    parser.add_argument("--users-per-address", type=int, default=10,
                        help="phase 5: real users per loopback address (127.0.0.2, .3, ...), within the default limits")
    parser.add_argument("--quiet-load", type=float, default=2.0, help="wait for a 1-min load average under this (0: don't)")
    parser.add_argument("--quiet-wait", type=float, default=2400.0, help="seconds to wait for it at most, then measure anyway")
    parser.add_argument("--max-others", type=float, default=0.25,
                        help="other processes' CPU (cores, on average over a window) past which the phase is disturbed (0: never)")
    parser.add_argument("--attempts", type=int, default=3, help="runs of a disturbed phase, at most")
    parser.add_argument("--json", type=Path, default=None, help="append each phase's figures to this file (JSON lines)")
    parser.add_argument("--uvloop", action="store_true", help="run the load client on uvloop (a cheaper event loop: "
                        "the client shares the servers' 2 cores)")
    parser.add_argument("--browser-console", action="store_true",
                        help="one more console, a real page in Chromium: when each user message is painted in it")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="relais-bench-web-"))
    # phases 1-4: every simulated widget comes from 127.0.0.1, so the per-address limits are raised for them
    raised = {"RELAIS_WIDGET_CONNECTIONS_PER_IP": str(args.widgets + 100), "RELAIS_CONVERSATIONS_PER_ADDRESS": str(args.widgets * 2 + 100),
              "RELAIS_CONVERSATIONS_BURST": str(args.widgets * 2 + 100)}
    base_env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "banc"}
    if not (home / "index").exists():
        subprocess.run([sys.executable, "-m", "relais", "ingest", "--demo", "--json"], env={**base_env, **raised},
                       check=True, capture_output=True)
    print(f"{args.widgets} widget connections, {args.consoles} consoles, {args.rate:g} user messages/s for {args.seconds:g} s "
          f"(+ counsellor answers at a fifth of that rate), on {os.cpu_count()} cores, client and servers on one machine")
    phases = [
        ("one process, drafts off", 1, False, args.rate),
        ("one process, drafts on", 1, True, args.rate),
        (f"one process, drafts on, {args.draft_rate:g} messages/s", 1, True, args.draft_rate),
        ("two processes + Redis, drafts off", 2, False, args.rate),
        ("one process, drafts off, hello flood", 1, False, args.rate),
    ]
    chosen = {int(n) for n in args.phases.split(",")}
    for number, (title, count, drafts, rate) in enumerate(phases, start=1):
        if number not in chosen:
            continue
        for attempt in range(1, args.attempts + 1):
            print(f"\n== phase {number}: {title}" + (f" (attempt {attempt})" if attempt > 1 else ""), flush=True)
            summary = run_one(args, number, title, count, drafts, rate, {**base_env, **raised})
            if not summary.get("disturbed"):
                break
            print(f"  phase {number} was disturbed by other processes: "
                  + ("running it again" if attempt < args.attempts else "no attempt left, its figures stand as disturbed"), flush=True)


def run_one(args: argparse.Namespace, number: int, title: str, count: int, drafts: bool, rate: float, env: dict) -> dict:
    """One phase on fresh servers and a fresh database; its figures printed (and appended to --json)."""
    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-db-"))
    env = {**env, "RELAIS_DATABASE_URL": f"sqlite:///{workdir / 'relais.sqlite'}", "RELAIS_DRAFTS": str(drafts).lower()}
    flood = None
    if number == 5:
        flood = {"hellos": args.flood_hellos, "sockets": args.flood_sockets, "seconds": args.flood_seconds,
                 "users_per_address": args.users_per_address}
        env = {k: v for k, v in env.items() if k not in LIMIT_SETTINGS}  # the server's own limits, for everyone
        sockets_limit, conversations_limit, burst = (default_limit(name) for name in LIMIT_SETTINGS)
        last = 2 + (args.widgets - 1) // args.users_per_address
        if last > 254:
            raise SystemExit("too few loopback addresses for the real users: raise --users-per-address")
        print(f"  real users from 127.0.0.2-127.0.0.{last} ({args.users_per_address} per address), the flood from "
              f"{FLOOD_ADDRESS}; limits per address: {sockets_limit} widget sockets, {conversations_limit} new "
              f"conversations per 10 min, {burst} at once then one each {default_limit('RELAIS_CONVERSATIONS_PACE')} s",
              flush=True)
        if args.users_per_address > burst:
            print(f"  the real users of an address past the first {burst} wait their turn to be welcomed (connections slower)")
        if args.users_per_address > min(sockets_limit, conversations_limit):
            # These settings are one number for every address: raising them for the users raises them for the flood.
            need = str(args.users_per_address + 10)
            env.update({name: need for name in LIMIT_SETTINGS})
            print(f"  WARNING: limits raised to {need} for every address, the flood's included "
                  "(they are not per address)", flush=True)
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
    load, busy, waited = wait_quiet(args.quiet_load, args.max_others, args.quiet_wait)
    print(f"  1-min load average before starting the servers: {load:.2f} (5/15-min {os.getloadavg()[1]:.2f} / "
          f"{os.getloadavg()[2]:.2f}); other processes' CPU over the last 30 s: {busy:.2f} cores; "
          f"waited {waited / 60:.1f} min", flush=True)
    processes, bases = start_servers(count, env, workdir)
    summary: dict = {"phase": number, "title": title, "load_before": load, "busy_before": busy}
    try:
        results = (uvloop_run if args.uvloop else asyncio.run)(run_phase(bases, args.widgets, args.consoles, rate, args.seconds, drafts,
                                        [p.pid for p in processes], flood, args.browser_console))
        for result in results:
            result["disturbed"] = bool(args.max_others) and others_cores(result) > args.max_others
        summary.update(windows=results, disturbed=any(r["disturbed"] for r in results))
        if flood:
            report(f"{title}: baseline, no flood", results[0])
            report(f"{title}: during the flood", results[1])
            report(f"{title}: baseline again, after the flood", results[2])
            summary["p99_ratio"] = compare(*results)
        else:
            report(title, results[0])
    finally:
        for process in processes:
            if process.poll() is not None:
                print(f"  SERVER EXITED during the phase with code {process.returncode}")
            process.terminate()
            process.wait(timeout=30)
        if redis:
            redis.terminate()
        logs = server_logs(workdir)
        print(f"  server log: {logs['lines']} lines, {logs['errors']} tracebacks or error lines"
              + (f"; most frequent: {logs['kinds']}" if logs["lines"] else "")
              + (f"; first error: {logs['first_error']!r}; logs kept in {logs['kept']}" if logs["errors"] else ""), flush=True)
        shutil.rmtree(workdir, ignore_errors=True)
        if args.json:
            with args.json.open("a", encoding="utf-8") as out:
                out.write(json.dumps({**summary, "server_log": logs, "at": time.strftime("%Y-%m-%d %H:%M:%S")}) + "\n")
    return summary


if __name__ == "__main__":
    main()
