"""Usage statistics for supervisors (`/stats`, `relais stats`), computed in SQL over the store.

Every figure is an aggregate the database computes (counts, percentiles, grouped sums): no
query here brings the rows of a year into Python, only their totals. Days and weeks are UTC
calendar days (weeks start on Monday). A period is a range of dates, both included: the
conversations and offline requests *received* in it, the drafts made in it, the ratings given
in it.

Percentiles are continuous (interpolated, like PostgreSQL's `percentile_cont`): PostgreSQL
computes them itself; SQLite ranks the values in one ordered query (window functions) and only
the two rows around each percentile come back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from web.models import Conversation, DraftRecord, Message, OfflineRequest, Rating

if TYPE_CHECKING:
    from web.store import Store

CHANNELS = {"chat": "Tchat", "offline": "Formulaire hors ligne", "phone": "Téléphone"}
PHONE_NOT_MEASURED = ("Non mesuré : le mode téléphone de la console ne garde aucune trace des appels "
                      "(rien n'est enregistré), ils ne peuvent donc pas être comptés ici.")
AUDIENCE_LABELS = {"eleve": "Élève", "parent": "Parent", "etudiant": "Étudiant ou étudiante", "adulte": "Adulte"}
NOT_GIVEN = "Non renseigné"
OVERSEAS_COLLECTIVITIES = "Collectivités d'outre-mer (hors académie)"
UNKNOWN_DEPARTEMENT = "Département inconnu"
TOP_SOURCES = 20  # the sources whose drafts counsellors reject most, shown in full


class InvalidPeriod(ValueError):
    """A period that ends before it starts, or longer than the store can be asked for."""


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (UTC)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriod("la date de fin précède la date de début")
        if (self.end - self.start).days > 3 * 366:
            raise InvalidPeriod("la période dépasse trois ans : choisissez une période plus courte")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.utc)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.utc)


@dataclass
class Durations:
    """Times in seconds: how many were measured, and their median and 90th percentile."""

    count: int = 0
    p50: float | None = None
    p90: float | None = None


@dataclass
class UsageStats:
    """The figures of one period, as `/stats` shows them and `relais stats --json` prints them."""

    period: dict
    contacts: dict
    contacts_by_service: list[dict]
    contacts_by_day: list[dict]
    contacts_by_week: list[dict]
    phone: str
    waiting: dict  # service (or "all") -> Durations
    handling: dict
    drafts_by_service: list[dict]
    drafts_by_source: list[dict]  # the most rejected first
    abstention: dict
    ratings: dict
    academies: list[dict]
    audiences: list[dict]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


# -- dialect helpers ------------------------------------------------------------------------------
def _utc(column: Any, dialect: str) -> Any:
    """A timestamp column as UTC wall time (SQLite stores it so already)."""
    return column if dialect == "sqlite" else func.timezone("UTC", column)


def _day(column: Any, dialect: str) -> Any:
    return func.date(_utc(column, dialect))


def _week(column: Any, dialect: str) -> Any:
    """The Monday of the column's week."""
    if dialect == "sqlite":
        return func.date(column, "weekday 0", "-6 days")
    return func.date(func.date_trunc("week", _utc(column, dialect)))


def _seconds(start: Any, end: Any, dialect: str) -> Any:
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


# -- percentiles -------------------------------------------------------------------------------------
def _percentiles(session: Session, values: Any, dialect: str) -> dict[str, Durations]:
    """p50/p90 of `values` (a subquery with columns `service` and `seconds`), per service and for all."""
    result: dict[str, Durations] = {}
    if dialect == "postgresql":
        p50 = func.percentile_cont(0.5).within_group(values.c.seconds)
        p90 = func.percentile_cont(0.9).within_group(values.c.seconds)
        per_service = select(values.c.service, func.count(), p50, p90).group_by(values.c.service)
        for service, count, median, ninetieth in session.execute(per_service):
            result[service] = Durations(count, float(median), float(ninetieth))
        count, median, ninetieth = session.execute(select(func.count(), p50, p90).select_from(values)).one()
        result["all"] = Durations(count, None if median is None else float(median),
                                  None if ninetieth is None else float(ninetieth))
        return result
    # SQLite: rank the values once (per service and over all), keep the rows around each percentile
    both = select(values.c.service, values.c.seconds).union_all(
        select(literal("all").label("service"), values.c.seconds)).subquery()
    ranked = select(
        both.c.service, both.c.seconds,
        (func.row_number().over(partition_by=both.c.service, order_by=both.c.seconds) - 1).label("rank"),
        func.count().over(partition_by=both.c.service).label("n"),
    ).subquery()
    wanted = []
    for fraction in (0.5, 0.9):
        low = cast(fraction * (ranked.c.n - 1), Integer)
        wanted += [ranked.c.rank == low, ranked.c.rank == low + 1]
    rows: dict[str, dict[int, float]] = {}
    counts: dict[str, int] = {}
    for service, seconds, rank, n in session.execute(
            select(ranked.c.service, ranked.c.seconds, ranked.c.rank, ranked.c.n).where(or_(*wanted))):
        rows.setdefault(service, {})[rank] = float(seconds)
        counts[service] = n
    for service, ranks in rows.items():
        n = counts[service]
        result[service] = Durations(n, _interpolated(ranks, n, 0.5), _interpolated(ranks, n, 0.9))
    result.setdefault("all", Durations())
    return result


def _interpolated(ranks: dict[int, float], n: int, fraction: float) -> float:
    position = fraction * (n - 1)
    low = int(position)
    if low + 1 >= n:
        return ranks[low]
    return ranks[low] + (ranks[low + 1] - ranks[low]) * (position - low)


# -- académies ---------------------------------------------------------------------------------------
@cache
def academies() -> dict[str, str]:
    """Département code -> académie (packaged data, see web/data/README.md)."""
    text = files("web").joinpath("data/academies.csv").read_text(encoding="utf-8")
    return {row["departement"]: row["academie"] for row in csv.DictReader(io.StringIO(text))}


def academy_of(departement: str | None) -> str:
    """The académie of a département code ("75", "2A", "974"), or why there is none."""
    if not departement:
        return NOT_GIVEN
    code = departement.strip().upper()
    code = code.zfill(2) if code.isdigit() and len(code) < 2 else code
    if code in academies():
        return academies()[code]
    if code in ("975", "977", "978", "986", "987", "988"):
        return OVERSEAS_COLLECTIVITIES
    return UNKNOWN_DEPARTEMENT


# -- the figures ---------------------------------------------------------------------------------------
def usage(store: Store, period: Period, services: list[str] | None = None) -> UsageStats:
    """The figures of `period` in the store's database (one read-only session)."""
    with store.sessions() as session:
        return usage_stats(session, period, services)


def usage_stats(session: Session, period: Period, services: list[str] | None = None) -> UsageStats:
    """Every figure of `period`, for `services` (None: all of them)."""
    dialect = session.get_bind().dialect.name
    since, until = period.since, period.until
    conversations = [Conversation.created_at >= since, Conversation.created_at < until, Conversation.last_seq > 0]
    offline = [OfflineRequest.created_at >= since, OfflineRequest.created_at < until]
    if services is not None:
        conversations.append(Conversation.service.in_(services))
        offline.append(OfflineRequest.service.in_(services))

    # contacts per channel, service, day and week
    by_service: dict[str, dict] = {}
    for channel, table, where in (("chat", Conversation, conversations), ("offline", OfflineRequest, offline)):
        for service, count in session.execute(select(table.service, func.count()).where(*where).group_by(table.service)):
            by_service.setdefault(service, {"service": service, "chat": 0, "offline": 0})[channel] = count
    contacts = {"chat": sum(s["chat"] for s in by_service.values()),
                "offline": sum(s["offline"] for s in by_service.values()), "phone": None}
    by_day = _per_bucket(session, _day, dialect, conversations, offline)
    by_week = _per_bucket(session, _week, dialect, conversations, offline)

    # waiting (first user message -> first counsellor message) and handling (-> closed) times
    firsts = (
        select(Conversation.service.label("service"), Conversation.closed_at.label("closed_at"),
               func.min(case((Message.author == "user", Message.created_at))).label("first_user"),
               func.min(case((Message.author == "counsellor", Message.created_at))).label("first_counsellor"))
        .join(Message, Message.conversation_id == Conversation.id)
        .where(*conversations)
        .group_by(Conversation.id, Conversation.service, Conversation.closed_at)
        .subquery()
    )
    waiting_values = (select(firsts.c.service, _seconds(firsts.c.first_user, firsts.c.first_counsellor, dialect)
                             .label("seconds"))
                      .where(firsts.c.first_user.is_not(None), firsts.c.first_counsellor >= firsts.c.first_user).subquery())
    handling_values = (select(firsts.c.service, _seconds(firsts.c.first_user, firsts.c.closed_at, dialect).label("seconds"))
                       .where(firsts.c.first_user.is_not(None), firsts.c.closed_at >= firsts.c.first_user).subquery())
    waiting = {k: asdict(v) for k, v in sorted(_percentiles(session, waiting_values, dialect).items())}
    handling = {k: asdict(v) for k, v in sorted(_percentiles(session, handling_values, dialect).items())}

    drafts_by_service, drafts_by_source, abstention = _drafts(session, period, services)
    return UsageStats(
        period={"from": period.start.isoformat(), "to": period.end.isoformat()},
        contacts=contacts,
        contacts_by_service=sorted(by_service.values(), key=lambda s: s["service"]),
        contacts_by_day=by_day,
        contacts_by_week=by_week,
        phone=PHONE_NOT_MEASURED,
        waiting=waiting,
        handling=handling,
        drafts_by_service=drafts_by_service,
        drafts_by_source=drafts_by_source,
        abstention=abstention,
        ratings=_ratings(session, period, services),
        academies=_academies(session, conversations),
        audiences=_audiences(session, conversations),
        notes=["Jours et semaines en temps universel (UTC) ; les semaines commencent le lundi.",
               "Attente : du premier message de la personne au premier message d'un conseiller ou d'une conseillère. "
               "Traitement : du premier message à la clôture."],
    )


def _per_bucket(session: Session, bucket: Any, dialect: str, conversations: list, offline: list) -> list[dict]:
    counts: dict[str, dict] = {}
    for channel, table, where in (("chat", Conversation, conversations), ("offline", OfflineRequest, offline)):
        key = bucket(table.created_at, dialect).label("bucket")
        for moment, count in session.execute(select(key, func.count()).where(*where).group_by(key)):
            day = _iso(moment)
            counts.setdefault(day, {"day": day, "chat": 0, "offline": 0})[channel] = count
    return [counts[day] for day in sorted(counts)]


def _drafts(session: Session, period: Period, services: list[str] | None) -> tuple[list[dict], list[dict], dict]:
    """Decisions per service and per main source (the first cited), and how often the assistant abstained."""
    where = [DraftRecord.created_at >= period.since, DraftRecord.created_at < period.until]
    joined = select(DraftRecord).join(Conversation, Conversation.id == DraftRecord.conversation_id)
    if services is not None:
        where.append(Conversation.service.in_(services))
    outcome = func.coalesce(DraftRecord.outcome, "undecided")
    per_service: dict[str, dict] = {}
    for service, decided, count in session.execute(
            joined.with_only_columns(Conversation.service, outcome, func.count()).where(*where)
            .group_by(Conversation.service, outcome)):
        row = per_service.setdefault(service, {"service": service, "sent": 0, "edited": 0, "rejected": 0, "undecided": 0})
        row[decided] = count
    for row in per_service.values():
        row["total"] = row["sent"] + row["edited"] + row["rejected"] + row["undecided"]
        decided = row["total"] - row["undecided"]
        row["rejected_share"] = round(row["rejected"] / decided, 4) if decided else None

    doc_id = DraftRecord.payload[("citations", 0, "doc_id")].as_string()
    title = DraftRecord.payload[("citations", 0, "title")].as_string()
    rejected = func.sum(case((DraftRecord.outcome == "rejected", 1), else_=0))
    sources = []
    for source, name, total, sent, edited, rejections in session.execute(
            joined.with_only_columns(doc_id.label("doc_id"), func.max(title), func.count(),
                                     func.sum(case((DraftRecord.outcome == "sent", 1), else_=0)),
                                     func.sum(case((DraftRecord.outcome == "edited", 1), else_=0)), rejected)
            .where(*where, DraftRecord.outcome.is_not(None), doc_id.is_not(None))
            .group_by(doc_id).order_by(rejected.desc(), func.count().desc(), doc_id).limit(TOP_SOURCES)):
        sources.append({"doc_id": source, "title": name, "decided": total, "sent": int(sent), "edited": int(edited),
                        "rejected": int(rejections), "rejected_share": round(int(rejections) / total, 4)})

    abstained = DraftRecord.payload["abstained"].as_boolean()
    total, abstentions = session.execute(
        joined.with_only_columns(func.count(), func.sum(case((abstained.is_(True), 1), else_=0))).where(*where)).one()
    abstention = {"drafts": total, "abstained": int(abstentions or 0),
                  "rate": round(int(abstentions or 0) / total, 4) if total else None}
    return sorted(per_service.values(), key=lambda s: s["service"]), sources, abstention


def _ratings(session: Session, period: Period, services: list[str] | None) -> dict:
    where = [Rating.created_at >= period.since, Rating.created_at < period.until]
    if services is not None:
        where.append(Conversation.service.in_(services))
    query = select(Conversation.service, Rating.score, func.count()).join(Conversation, Conversation.id == Rating.conversation_id)
    by_service: dict[str, dict] = {}
    for service, score, count in session.execute(query.where(*where).group_by(Conversation.service, Rating.score)):
        by_service.setdefault(service, {str(s): 0 for s in range(1, 6)})[str(score)] = count
    scores = {str(s): sum(row[str(s)] for row in by_service.values()) for s in range(1, 6)}
    count = sum(scores.values())

    def average(row: dict) -> float | None:
        total = sum(row.values())
        return round(sum(int(s) * n for s, n in row.items()) / total, 2) if total else None

    return {"count": count, "average": average(scores), "by_score": scores,
            "by_service": [{"service": s, "count": sum(row.values()), "average": average(row), "by_score": row}
                           for s, row in sorted(by_service.items())]}


def _academies(session: Session, conversations: list) -> list[dict]:
    """Conversations per académie: counted per département in SQL, the départements folded here."""
    counts: dict[str, int] = {}
    for departement, count in session.execute(select(Conversation.departement, func.count()).where(*conversations)
                                              .group_by(Conversation.departement)):
        academy = academy_of(departement)
        counts[academy] = counts.get(academy, 0) + count
    named = sorted((a for a in counts if a not in (NOT_GIVEN, OVERSEAS_COLLECTIVITIES, UNKNOWN_DEPARTEMENT)))
    rest = [a for a in (OVERSEAS_COLLECTIVITIES, UNKNOWN_DEPARTEMENT, NOT_GIVEN) if a in counts]
    return [{"academie": a, "count": counts[a]} for a in named + rest]


def _audiences(session: Session, conversations: list) -> list[dict]:
    counts = dict(session.execute(select(Conversation.audience, func.count()).where(*conversations)
                                  .group_by(Conversation.audience)).all())
    rows = [{"audience": a, "label": label, "count": counts.get(a, 0)} for a, label in AUDIENCE_LABELS.items()]
    rows.append({"audience": None, "label": NOT_GIVEN, "count": sum(n for a, n in counts.items() if a not in AUDIENCE_LABELS)})
    return rows


# -- CSV -------------------------------------------------------------------------------------------------
def to_csv(stats: UsageStats) -> str:
    """The same figures as one CSV table: section, key, measure, value (UTF-8, comma-separated)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "cle", "mesure", "valeur"])
    for channel, count in stats.contacts.items():
        writer.writerow(["contacts", channel, "nombre", "" if count is None else count])
    for name, rows, key in (("contacts_par_service", stats.contacts_by_service, "service"),
                            ("contacts_par_jour", stats.contacts_by_day, "day"),
                            ("contacts_par_semaine", stats.contacts_by_week, "day"),
                            ("brouillons_par_service", stats.drafts_by_service, "service"),
                            ("brouillons_par_source", stats.drafts_by_source, "doc_id"),
                            ("academies", stats.academies, "academie"),
                            ("profils", stats.audiences, "label")):
        for row in rows:
            for measure, value in row.items():
                if measure != key and not isinstance(value, dict):
                    writer.writerow([name, row[key], measure, "" if value is None else value])
    for name, figures in (("attente_secondes", stats.waiting), ("traitement_secondes", stats.handling)):
        for service, durations in figures.items():
            for measure, value in durations.items():
                writer.writerow([name, service, measure, "" if value is None else value])
    for measure, value in stats.abstention.items():
        writer.writerow(["abstention", "tous", measure, "" if value is None else value])
    writer.writerow(["evaluations", "tous", "nombre", stats.ratings["count"]])
    writer.writerow(["evaluations", "tous", "moyenne", "" if stats.ratings["average"] is None else stats.ratings["average"]])
    for score, count in stats.ratings["by_score"].items():
        writer.writerow(["evaluations", "tous", f"note_{score}", count])
    return out.getvalue()
