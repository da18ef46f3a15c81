"""Usage statistics for supervisors (`/stats`, `relais stats`), computed in SQL over the store.

Every figure is an aggregate the database computes (counts, percentiles, grouped sums): no
query here brings the rows of a year into Python, only their totals. Days and weeks are UTC
calendar days (weeks start on Monday). A period is a range of dates, both included: the
conversations and offline requests *received* in it, the drafts made in it, the ratings given
in it.

The queries read indexes made for them (migrations 0006 and 0007) in the order they group by,
so that a year is counted without sorting its rows; on SQLite they name the index they read
(web/indexed.py). The waiting and handling times' percentiles are in web/durations.py.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web.durations import durations
from web.indexed import through
from web.models import Conversation, DraftRecord, OfflineRequest, Rating

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


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


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

    # contacts per channel, service, day and week: one grouped scan per channel (days x services),
    # folded here into services, days and weeks
    by_service: dict[str, dict] = {}
    days: dict[str, dict] = {}
    weeks: dict[str, dict] = {}
    for channel, table, where in (("chat", Conversation, conversations), ("offline", OfflineRequest, offline)):
        day = _day(table.created_at, dialect).label("day")
        query = select(day, table.service, func.count()).where(*where).group_by(day, table.service)
        if table is Conversation and dialect == "sqlite":  # the index of the days (the same days, as its first column)
            query = through(query, table, "ix_conversations_day").where(day >= period.start.isoformat(),
                                                                         day <= period.end.isoformat())
        for moment, service, count in session.execute(query):
            moment = date.fromisoformat(_iso(moment)[:10])
            monday = moment - timedelta(days=moment.weekday())
            for key, bucket in ((service, by_service), (moment.isoformat(), days), (monday.isoformat(), weeks)):
                row = bucket.setdefault(key, {"service" if bucket is by_service else "day": key, "chat": 0, "offline": 0})
                row[channel] += count
    contacts = {"chat": sum(s["chat"] for s in by_service.values()),
                "offline": sum(s["offline"] for s in by_service.values()), "phone": None}
    by_day = [days[key] for key in sorted(days)]
    by_week = [weeks[key] for key in sorted(weeks)]

    # waiting (first user message -> first counsellor message) and handling (-> closed) times, from the
    # times each conversation keeps as its messages are stored
    times = durations(session, conversations, dialect)
    waiting, handling = ({k: asdict(v) for k, v in sorted(times[measure].items())} for measure in ("waiting", "handling"))

    drafts_by_service, drafts_by_source, abstention = _drafts(session, period, services)
    academies, audiences = _profiles(session, conversations)
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
        academies=academies,
        audiences=audiences,
        notes=["Jours et semaines en temps universel (UTC) ; les semaines commencent le lundi.",
               "Attente : du premier message de la personne au premier message d'un conseiller ou d'une conseillère. "
               "Traitement : du premier message à la clôture."],
    )


def _drafts(session: Session, period: Period, services: list[str] | None) -> tuple[list[dict], list[dict], dict]:
    """Decisions per service (the conversation's when the draft was made) and per main source (the
    first cited), and how often the assistant abstained."""
    where = [DraftRecord.created_at >= period.since, DraftRecord.created_at < period.until]
    if services is not None:
        where.append(DraftRecord.service.in_(services))
    # one grouped scan of the drafts' index, folded here per service, per source and for abstention
    per_service: dict[str, dict] = {}
    per_source: dict[str, dict] = {}
    total = abstentions = 0
    for service, outcome, source, abstained, count in session.execute(through(
            select(DraftRecord.service, DraftRecord.outcome, DraftRecord.main_source, DraftRecord.abstained, func.count())
            .where(*where).group_by(DraftRecord.service, DraftRecord.outcome, DraftRecord.main_source, DraftRecord.abstained),
            DraftRecord, "ix_drafts_decisions")):
        decided = outcome or "undecided"
        row = per_service.setdefault(service, {"service": service, "sent": 0, "edited": 0, "rejected": 0, "undecided": 0})
        row[decided] += count
        total += count
        abstentions += count if abstained else 0
        if outcome is not None and source is not None:
            cited = per_source.setdefault(source, {"doc_id": source, "decided": 0, "sent": 0, "edited": 0, "rejected": 0})
            cited["decided"] += count
            cited[outcome] += count
    for row in per_service.values():
        row["total"] = row["sent"] + row["edited"] + row["rejected"] + row["undecided"]
        decided = row["total"] - row["undecided"]
        row["rejected_share"] = round(row["rejected"] / decided, 4) if decided else None
    sources = sorted(per_source.values(), key=lambda r: (-r["rejected"], -r["decided"], r["doc_id"]))[:TOP_SOURCES]
    for row in sources:
        row["title"] = _title(session, row["doc_id"])
        row["rejected_share"] = round(row["rejected"] / row["decided"], 4)
    abstention = {"drafts": total, "abstained": abstentions, "rate": round(abstentions / total, 4) if total else None}
    return sorted(per_service.values(), key=lambda s: s["service"]), sources, abstention


def _title(session: Session, doc_id: str) -> str | None:
    """The title a draft citing `doc_id` gave it (one payload read)."""
    payload = session.scalar(select(DraftRecord.payload).where(DraftRecord.main_source == doc_id)
                             .order_by(DraftRecord.id.desc()).limit(1))
    return next((c.get("title") for c in (payload or {}).get("citations", []) if c.get("doc_id") == doc_id), None)


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


def _profiles(session: Session, conversations: list) -> tuple[list[dict], list[dict]]:
    """Conversations per académie and per profile: one grouped scan (département x profile),
    the départements folded into académies here."""
    academies: dict[str, int] = {}
    audiences: dict[str | None, int] = {}
    for departement, audience, count in session.execute(through(
            select(Conversation.departement, Conversation.audience, func.count()).where(*conversations)
            .group_by(Conversation.departement, Conversation.audience), Conversation, "ix_conversations_profiles")):
        academy = academy_of(departement)
        academies[academy] = academies.get(academy, 0) + count
        audiences[audience] = audiences.get(audience, 0) + count
    named = sorted(a for a in academies if a not in (NOT_GIVEN, OVERSEAS_COLLECTIVITIES, UNKNOWN_DEPARTEMENT))
    rest = [a for a in (OVERSEAS_COLLECTIVITIES, UNKNOWN_DEPARTEMENT, NOT_GIVEN) if a in academies]
    profiles = [{"audience": a, "label": label, "count": audiences.get(a, 0)} for a, label in AUDIENCE_LABELS.items()]
    profiles.append({"audience": None, "label": NOT_GIVEN,
                     "count": sum(n for a, n in audiences.items() if a not in AUDIENCE_LABELS)})
    return [{"academie": a, "count": academies[a]} for a in named + rest], profiles


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
