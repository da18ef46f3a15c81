"""Statistics and quality-list benchmark on one synthetic year, in SQLite and in PostgreSQL.

    python bench/bench_stats.py [--scale 1.0] [--databases sqlite,postgresql] [--runs 5] [--pages 50] [--keep DIR]

At scale 1.0 the year holds 130,000 conversations, 600,000 messages, 250,000 drafts (each with
a payload the size of a real one: text, citations, sources with passages, flags), 30,000
ratings and 30,000 offline requests. It is written through SQLAlchemy Core in batches (timed),
then the bench measures `usage_stats` for the whole year (`/stats`: target ≤ 1 s) and the
`/quality` list page (`Store.quality_conversations`, 50 rows, first pages and filtered ones:
target p95 ≤ 300 ms), and prints the figures. PostgreSQL: a throwaway cluster is started here
(Debian's binaries), or pass --postgres-url.

With `--keep DIR` the generated databases stay in DIR (`DIR/relais.sqlite`, the PostgreSQL cluster
in `DIR/pg`) and a later run with the same DIR and scale measures them again without generating
them (the migrations still run first, so a new one is applied to the year already there).
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web.db import make_engine, migrate, session_factory  # noqa: E402
from web.models import Conversation, DraftRecord, Message, OfflineRequest, Rating, User  # noqa: E402
from web.quality import Selection  # noqa: E402
from web.security import Vault  # noqa: E402
from web.stats import Period, usage_stats  # noqa: E402
from web.store import Store, draft_figures  # noqa: E402

YEAR = 2025
SERVICES = ("parcoursup", "monmaster", "moel")
DEPARTEMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976", None, None]
AUDIENCES = ("eleve", "parent", "etudiant", "adulte", None, None)
SNIPPETS = [f"oscar:snippet-{n}" for n in range(400)]
PASSAGE = ("Les vœux se formulent sur la plateforme pendant la phase de formulation ; chaque vœu peut "
           "porter sur une formation et un établissement, et les sous-vœux sont comptés à part. ")


def payload(rng: random.Random) -> dict:
    abstained = rng.random() < 0.15
    cited = [] if abstained else rng.sample(SNIPPETS[:80] if rng.random() < 0.7 else SNIPPETS, 2)
    return {
        "question": "Comment formuler mes vœux ? " * 3,
        "draft": PASSAGE * 2,
        "citations": [{"doc_id": d, "title": d.upper(), "url": f"https://example.org/{d}", "source": "oscar"} for d in cited],
        "sources": [{"doc_id": d, "title": d.upper(), "url": None, "source": "oscar", "passage": PASSAGE, "section": "",
                     "score": 0.5} for d in rng.sample(SNIPPETS, 3)],
        "confidence": round(rng.random(), 3), "confidence_words": "à vérifier", "abstained": abstained,
        "drafter": "extractive", "model": "-", "index_version": 7,
        "charter_flags": [{"code": "gendered-title", "message": "Titre non inclusif"}] if rng.random() < 0.05 else [],
        "fallback_reason": None, "entities": [], "understood": {"need": "formuler ses vœux", "intent": "procedure"},
    }


def generate(url: str, scale: float, seed: int = 2025) -> dict:
    """Write the synthetic year; how many rows of each and how long it took."""
    rng = random.Random(seed)
    engine = make_engine(url)
    started = time.perf_counter()
    conversations, per_conversation_messages = int(130_000 * scale), 600_000 / 130_000
    counts = {"conversations": 0, "messages": 0, "drafts": 0, "ratings": 0, "offline": 0}
    with engine.begin() as connection:
        counsellor = connection.execute(insert(User).values(login="banc", password_hash="x", role="counsellor",
                                                            services=list(SERVICES))).inserted_primary_key[0]
    start = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
    batch = 5_000
    message_id = draft_id = 0
    for first in range(0, conversations, batch):
        rows_c, rows_m, rows_d, rows_r = [], [], [], []
        for number in range(first, min(first + batch, conversations)):
            created = start + timedelta(seconds=rng.randrange(364 * 86400))
            conversation_id = number + 1
            turns = max(1, round(rng.gauss(per_conversation_messages / 2, 0.8)))
            moment, seq, first_answer, service = created, 0, None, rng.choice(SERVICES)
            for _ in range(turns):
                seq += 1
                message_id += 1
                rows_m.append({"id": message_id, "conversation_id": conversation_id, "seq": seq, "author": "user",
                               "text": "Bonjour, comment formuler mes vœux ?", "created_at": moment})
                user_message = message_id
                if rng.random() < 0.85 and counts["drafts"] + len(rows_d) < 250_000 * scale:
                    draft_id += 1
                    outcome = rng.choice(("sent", "edited", "rejected", "sent", None))
                    made = payload(rng)
                    rows_d.append({"id": draft_id, "conversation_id": conversation_id, "message_id": user_message,
                                   "payload": made, **draft_figures(made), "service": service, "outcome": outcome, "counsellor_id": counsellor,
                                   "final_text": PASSAGE if outcome in ("sent", "edited") else None,
                                   "reject_reason": "Hors sujet" if outcome == "rejected" else None,
                                   "created_at": moment + timedelta(seconds=2),
                                   "decided_at": moment + timedelta(seconds=60) if outcome else None})
                moment += timedelta(seconds=rng.randrange(10, 1800))
                seq += 1
                message_id += 1
                first_answer = first_answer or moment
                rows_m.append({"id": message_id, "conversation_id": conversation_id, "seq": seq, "author": "counsellor",
                               "counsellor_id": counsellor, "text": PASSAGE, "created_at": moment})
                moment += timedelta(seconds=rng.randrange(10, 600))
            closed = moment + timedelta(seconds=rng.randrange(5, 300))
            rows_c.append({"id": conversation_id, "public_id": uuid.UUID(int=rng.getrandbits(128)).hex[:16], "token_hash": "x",
                           "service": service, "status": "closed", "counsellor_id": counsellor, "last_seq": seq,
                           "created_at": created, "updated_at": closed, "closed_at": closed,
                           "retain_until": created + timedelta(days=400), "audience": rng.choice(AUDIENCES),
                           "departement": rng.choice(DEPARTEMENTS), "first_user_at": created, "first_answer_at": first_answer})
            if rng.random() < 0.23:
                rows_r.append({"conversation_id": conversation_id, "score": rng.randrange(1, 6), "created_at": closed})
        with engine.begin() as connection:
            connection.execute(insert(Conversation), rows_c)
            connection.execute(insert(Message), rows_m)
            if rows_d:
                connection.execute(insert(DraftRecord), rows_d)
            if rows_r:
                connection.execute(insert(Rating), rows_r)
        counts["conversations"] += len(rows_c)
        counts["messages"] += len(rows_m)
        counts["drafts"] += len(rows_d)
        counts["ratings"] += len(rows_r)
    offline = [{"service": rng.choice(SERVICES), "question": "Question hors ligne", "email": b"x",
                "created_at": (moment := start + timedelta(seconds=rng.randrange(364 * 86400))),
                "retain_until": moment + timedelta(days=400), "status": "open"} for _ in range(int(30_000 * scale))]
    with engine.begin() as connection:
        connection.execute(insert(OfflineRequest), offline)
        if engine.dialect.name == "postgresql":  # the rows were written with their ids: move the sequences on
            for table in ("conversations", "messages", "drafts"):
                connection.exec_driver_sql(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            connection.exec_driver_sql("ANALYZE")  # as PostgreSQL's autovacuum does after such a load
        # SQLite: no ANALYZE, as in service (nothing runs it there): its planner works without statistics
    counts["offline"] = len(offline)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    return counts


def generated(url: str, scale: float) -> bool:
    """Whether the database already holds the year `generate` writes at this scale."""
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Conversation))
    engine.dispose()
    if count and count != int(130_000 * scale):
        raise SystemExit(f"the kept database holds {count:,} conversations, not a year at scale {scale}: use another --keep folder")
    return bool(count)


def timed(work, runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds of each run; with `cpu`, this process's CPU seconds of each run too (on
    SQLite the database works in this process: its CPU time does not count other programs' load)."""
    times = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - started_cpu)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(url: str, runs: int, pages: int) -> dict:
    engine = make_engine(url)
    store = Store(session_factory(engine), Vault("banc"))
    period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))

    def stats() -> None:
        with store.sessions() as session:
            usage_stats(session, period)

    stats()  # warm the caches once, as a server that has run a while
    stats_cpu: list[float] = []
    stats_times = timed(stats, runs, stats_cpu)
    rng = random.Random(7)
    selections = [Selection(), Selection(outcome="rejected"), Selection(confidence="low"), Selection(services=("moel",)),
                  Selection(flagged=True), Selection(rating=1),
                  Selection(closed_from=datetime(YEAR, 6, 1, tzinfo=timezone.utc), closed_before=datetime(YEAR, 7, 1, tzinfo=timezone.utc))]
    list_cpu: list[float] = []
    list_times = timed(lambda: store.quality_conversations(rng.choice(selections), 50, 50 * rng.randrange(5)), pages, list_cpu)
    detail_ids = [row["conversation"] for row in store.quality_conversations(Selection(), 50)[1]]
    detail_times = timed(lambda: store.quality_conversation(rng.choice(detail_ids)), pages)
    engine.dispose()
    return {"stats_median_s": round(statistics.median(stats_times), 3), "stats_max_s": round(max(stats_times), 3),
            "stats_cpu_median_s": round(statistics.median(stats_cpu), 3), "list_cpu_p95_ms": round(1000 * p95(list_cpu), 1),
            "list_p50_ms": round(1000 * statistics.median(list_times), 1), "list_p95_ms": round(1000 * p95(list_times), 1),
            "detail_p95_ms": round(1000 * p95(detail_times), 1)}


def postgres_cluster(kept: Path | None = None) -> tuple[str, callable]:
    """A PostgreSQL cluster on a free port: (URL, stop). Throwaway, or in `kept` (made there the
    first time, started again from there the next ones, and left there when stopped)."""
    import socket

    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or pass --postgres-url")
    bin_dir = Path(binaries[-1]).parent
    root = kept or Path(tempfile.mkdtemp(prefix="relais-bench-pg-"))
    root.mkdir(parents=True, exist_ok=True)
    as_postgres = (lambda c: ["runuser", "-u", "postgres", "--", *c]) if os.geteuid() == 0 else (lambda c: c)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    if not (root / "data").exists():
        subprocess.run(as_postgres([str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "relais", "--auth=trust",
                                    "-E", "UTF8"]), check=True, capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(as_postgres([str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w", "-o",
                                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]),
                   check=True, capture_output=True)

    def stop() -> None:
        subprocess.run(as_postgres([str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "stop"]), capture_output=True)
        if kept is None:
            shutil.rmtree(root, ignore_errors=True)

    return f"postgresql://relais@127.0.0.1:{port}/postgres", stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 130,000 conversations")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--runs", type=int, default=5, help="/stats computations timed")
    parser.add_argument("--pages", type=int, default=50, help="/quality list pages timed")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the generated databases in this folder, and measure those found there again")
    args = parser.parse_args()
    for database in args.databases.split(","):
        stop = None
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        if database == "sqlite":
            directory = args.keep or Path(tempfile.mkdtemp(prefix="relais-bench-stats-"))
            url = f"sqlite:///{directory / 'relais.sqlite'}"
        else:
            url, stop = (args.postgres_url, None) if args.postgres_url else postgres_cluster(args.keep and args.keep / "pg")
        try:
            migrate(url)
            if args.keep and generated(url, args.scale):
                print(f"{database}: measuring the year kept in {args.keep}", flush=True)
            else:
                made = generate(url, args.scale)
                print(f"{database}: generated {made['conversations']:,} conversations, {made['messages']:,} messages, "
                      f"{made['drafts']:,} drafts, {made['ratings']:,} ratings, {made['offline']:,} offline requests "
                      f"in {made['seconds']} s", flush=True)
            figures = measure(url, args.runs, args.pages)
            print(f"{database}: /stats for the year median {figures['stats_median_s']} s, max {figures['stats_max_s']} s "
                  f"(this process's CPU: median {figures['stats_cpu_median_s']} s) (target ≤ 1 s); /quality list page "
                  f"p50 {figures['list_p50_ms']} ms, p95 {figures['list_p95_ms']} ms (CPU p95 {figures['list_cpu_p95_ms']} ms) "
                  f"(target ≤ 300 ms); detail p95 {figures['detail_p95_ms']} ms; load average before: {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} cores", flush=True)
        finally:
            if stop:
                stop()
            if database == "sqlite" and not args.keep:
                shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
