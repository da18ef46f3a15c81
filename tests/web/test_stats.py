"""Usage statistics over a generated year of conversations, on SQLite and PostgreSQL, checked
against the counts this test computes itself from what it generated."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest

from web.models import Conversation, DraftRecord, Message, OfflineRequest, Rating
from web.stats import Period, InvalidPeriod, academy_of, to_csv, usage_stats
from web.store import draft_figures

SERVICES = ("parcoursup", "monmaster", "moel")
DEPARTEMENTS = ("75", "76", "14", "2A", "974", "976", "13", "987", "99", None)
AUDIENCES = ("eleve", "parent", "etudiant", "adulte", None)
SOURCES = ("oscar:voeux", "oscar:bourse", "ideo-metier:MET.7", None)


@dataclass
class Expected:
    """What the generator made, counted as it went (no SQL)."""

    chat: Counter = field(default_factory=Counter)  # (service, day) -> conversations
    offline: Counter = field(default_factory=Counter)
    waiting: dict = field(default_factory=lambda: defaultdict(list))  # service -> seconds
    handling: dict = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter = field(default_factory=Counter)  # (service, outcome or "undecided")
    rejected_by_source: Counter = field(default_factory=Counter)
    decided_by_source: Counter = field(default_factory=Counter)
    drafts: int = 0
    abstained: int = 0
    scores: Counter = field(default_factory=Counter)
    academies: Counter = field(default_factory=Counter)
    audiences: Counter = field(default_factory=Counter)


def percentile(values: list[float], fraction: float) -> float:
    """Continuous percentile, computed the textbook way."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def generate_year(store, year: int = 2025, conversations: int = 400, seed: int = 14) -> Expected:
    rng = random.Random(seed)
    expected = Expected()
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    with store.sessions.begin() as session:
        for number in range(conversations):
            created = start + timedelta(seconds=rng.randrange(364 * 86400))
            service = rng.choice(SERVICES)
            departement, audience = rng.choice(DEPARTEMENTS), rng.choice(AUDIENCES)
            empty = rng.random() < 0.05  # opened, never written in: not a contact
            conversation = Conversation(public_id=f"c{number:06x}", token_hash="x", service=service, status="closed",
                                        created_at=created, updated_at=created, retain_until=created + timedelta(days=400),
                                        departement=departement, audience=audience, last_seq=0)
            session.add(conversation)
            session.flush()
            if empty:
                continue
            day = created.date()
            expected.chat[(service, day)] += 1
            expected.academies[academy_of(departement)] += 1
            expected.audiences[audience] += 1
            moment, seq = created + timedelta(seconds=rng.randrange(1, 30)), 0
            first_user = moment
            answered = rng.random() < 0.9
            turns = rng.randrange(1, 4)
            for turn in range(turns):
                seq += 1
                user = Message(conversation_id=conversation.id, seq=seq, author="user", text="question", created_at=moment)
                session.add(user)
                session.flush()
                if rng.random() < 0.8:
                    expected.drafts += 1
                    abstained = rng.random() < 0.2
                    expected.abstained += abstained
                    source = None if abstained else rng.choice(SOURCES)
                    outcome = rng.choice(("sent", "edited", "rejected", None))
                    payload = {"draft": "brouillon", "confidence": rng.random(), "abstained": abstained,
                               "citations": [] if source is None else [{"doc_id": source, "title": source.upper()}]}
                    session.add(DraftRecord(conversation_id=conversation.id, message_id=user.id, payload=payload,
                                            outcome=outcome, created_at=moment + timedelta(seconds=2), service=service,
                                            **draft_figures(payload)))
                    expected.outcomes[(service, outcome or "undecided")] += 1
                    if outcome and source:
                        expected.decided_by_source[source] += 1
                        expected.rejected_by_source[source] += outcome == "rejected"
                if answered:
                    wait = rng.randrange(5, 3600)
                    moment += timedelta(seconds=wait)
                    if turn == 0:
                        expected.waiting[service].append(float(wait))
                        conversation.first_answer_at = moment
                    seq += 1
                    session.add(Message(conversation_id=conversation.id, seq=seq, author="counsellor", text="réponse",
                                        created_at=moment))
                moment += timedelta(seconds=rng.randrange(10, 600))
            conversation.last_seq, conversation.first_user_at = seq, first_user
            conversation.closed_at = moment + timedelta(seconds=rng.randrange(1, 300))
            expected.handling[service].append((conversation.closed_at - first_user).total_seconds())
            if rng.random() < 0.3:
                score = rng.randrange(1, 6)
                session.add(Rating(conversation_id=conversation.id, score=score, created_at=conversation.closed_at))
                expected.scores[score] += 1
        for number in range(conversations // 4):
            created = start + timedelta(seconds=rng.randrange(364 * 86400))
            service = rng.choice(SERVICES)
            session.add(OfflineRequest(service=service, question="question", email=b"x", created_at=created,
                                       retain_until=created + timedelta(days=400)))
            expected.offline[(service, created.date())] += 1
        # outside the period: never counted
        before = start - timedelta(days=3)
        session.add(Conversation(public_id="avant", token_hash="x", service="moel", status="closed", created_at=before,
                                 updated_at=before, retain_until=before + timedelta(days=400), last_seq=1))
    return expected


@pytest.fixture
def year(store):
    return generate_year(store)


def stats_of(store, services=None):
    with store.sessions() as session:
        return usage_stats(session, Period(date(2025, 1, 1), date(2025, 12, 31)), services)


def test_contacts_per_channel_service_day_and_week_match_the_generated_year(store, year):
    stats = stats_of(store)

    assert stats.contacts == {"chat": sum(year.chat.values()), "offline": sum(year.offline.values()), "phone": None}
    assert "Non mesuré" in stats.phone
    for row in stats.contacts_by_service:
        assert row["chat"] == sum(n for (s, _), n in year.chat.items() if s == row["service"])
        assert row["offline"] == sum(n for (s, _), n in year.offline.items() if s == row["service"])
    per_day = Counter()
    for (_, day), n in year.chat.items():
        per_day[day.isoformat()] += n
    assert {row["day"]: row["chat"] for row in stats.contacts_by_day if row["chat"]} == dict(per_day)
    per_week = Counter()
    for (_, day), n in year.chat.items():
        per_week[(day - timedelta(days=day.weekday())).isoformat()] += n
    assert {row["day"]: row["chat"] for row in stats.contacts_by_week if row["chat"]} == dict(per_week)
    assert all(date.fromisoformat(row["day"]).weekday() == 0 for row in stats.contacts_by_week)


def test_waiting_and_handling_times_are_the_textbook_percentiles(store, year):
    stats = stats_of(store)

    for figures, values in ((stats.waiting, year.waiting), (stats.handling, year.handling)):
        everything = [v for vs in values.values() for v in vs]
        assert figures["all"]["count"] == len(everything)
        assert figures["all"]["p50"] == pytest.approx(percentile(everything, 0.5), abs=0.01)
        assert figures["all"]["p90"] == pytest.approx(percentile(everything, 0.9), abs=0.01)
        for service, measured in values.items():
            assert figures[service]["count"] == len(measured)
            assert figures[service]["p50"] == pytest.approx(percentile(measured, 0.5), abs=0.01)
            assert figures[service]["p90"] == pytest.approx(percentile(measured, 0.9), abs=0.01)


def test_draft_decisions_per_service_and_per_source_and_abstention(store, year):
    stats = stats_of(store)

    for row in stats.drafts_by_service:
        for outcome in ("sent", "edited", "rejected", "undecided"):
            assert row[outcome] == year.outcomes[(row["service"], outcome)], (row["service"], outcome)
    assert {row["doc_id"]: (row["rejected"], row["decided"]) for row in stats.drafts_by_source} == {
        source: (year.rejected_by_source[source], year.decided_by_source[source]) for source in year.decided_by_source}
    rejections = [row["rejected"] for row in stats.drafts_by_source]
    assert rejections == sorted(rejections, reverse=True)  # the snippets to rewrite first
    assert stats.drafts_by_source[0]["title"] == stats.drafts_by_source[0]["doc_id"].upper()
    assert stats.abstention["drafts"] == year.drafts
    assert stats.abstention["abstained"] == year.abstained


def test_ratings_academies_and_audiences(store, year):
    stats = stats_of(store)

    assert stats.ratings["by_score"] == {str(s): year.scores[s] for s in range(1, 6)}
    total = sum(year.scores.values())
    assert stats.ratings["average"] == round(sum(s * n for s, n in year.scores.items()) / total, 2)
    assert {row["academie"]: row["count"] for row in stats.academies} == dict(year.academies)
    assert {row["audience"]: row["count"] for row in stats.audiences} == {a: year.audiences[a] for a in
                                                                           ("eleve", "parent", "etudiant", "adulte", None)}


def test_a_scope_counts_only_its_services(store, year):
    stats = stats_of(store, ["moel"])

    assert stats.contacts["chat"] == sum(n for (s, _), n in year.chat.items() if s == "moel")
    assert [row["service"] for row in stats.contacts_by_service] == ["moel"]
    assert set(stats.waiting) <= {"moel", "all"}


def test_the_csv_and_json_forms_carry_the_same_figures(store, year):
    stats = stats_of(store)

    text = to_csv(stats)
    assert f"contacts,chat,nombre,{stats.contacts['chat']}" in text
    assert f"attente_secondes,all,p50,{stats.waiting['all']['p50']}" in text
    assert json.loads(json.dumps(stats.to_json()))["contacts"] == stats.contacts


def test_academies_since_the_normandie_merger():
    assert academy_of("14") == academy_of("76") == "Normandie"  # Caen and Rouen are one académie since 2020
    assert academy_of("2A") == academy_of("2b") == "Corse"
    assert academy_of("976") == "Mayotte"
    assert academy_of("1") == "Lyon"
    assert academy_of("987").startswith("Collectivités")
    assert academy_of(None) == "Non renseigné"
    assert academy_of("XX") == "Département inconnu"


def test_a_period_that_ends_before_it_starts_is_refused_in_french():
    with pytest.raises(InvalidPeriod, match="précède"):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_the_store_keeps_the_first_times_and_the_draft_figures_as_it_writes(store):
    public_id, _ = store.open_conversation("moel")
    asked = store.append(public_id, "user", "Bonjour")
    store.append(public_id, "user", "Vous êtes là ?")
    counsellor = store.add_user("c.dupont", "un-mot-de-passe-solide", "counsellor", ["moel"])
    store.take(public_id, counsellor.id)
    answered = store.append(public_id, "counsellor", "Oui !", counsellor_id=counsellor.id)
    store.append(public_id, "counsellor", "Je regarde.", counsellor_id=counsellor.id)
    draft_id = store.save_draft(public_id, asked.message_id, {
        "draft": "…", "confidence": 0.42, "abstained": True, "citations": [{"doc_id": "oscar:a", "title": "A"}],
        "charter_flags": [{"code": "x", "message": "y"}]})

    with store.sessions() as session:
        conversation = session.query(Conversation).filter_by(public_id=public_id).one()
        draft = session.get(DraftRecord, draft_id)
        utc = lambda moment: moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment  # noqa: E731 (SQLite: naive)
        assert (utc(conversation.first_user_at), utc(conversation.first_answer_at)) == (utc(asked.created_at),
                                                                                       utc(answered.created_at))
        assert (draft.service, draft.main_source, draft.confidence, draft.abstained, draft.flagged) == (
            "moel", "oscar:a", 0.42, True, True)


def test_a_service_nobody_answered_has_handling_times_and_no_waiting_time(store):
    start = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    with store.sessions.begin() as session:
        for public_id, service, answered_after in (("answered", "parcoursup", 120), ("unanswered", "moel", None)):
            session.add(Conversation(
                public_id=public_id, token_hash="x", service=service, status="closed", created_at=start, updated_at=start,
                retain_until=start + timedelta(days=400), last_seq=2, first_user_at=start,
                first_answer_at=start + timedelta(seconds=answered_after) if answered_after else None,
                closed_at=start + timedelta(seconds=600)))

    stats = stats_of(store)

    assert stats.waiting == {"all": {"count": 1, "p50": pytest.approx(120.0, abs=0.01), "p90": pytest.approx(120.0, abs=0.01)},
                             "parcoursup": {"count": 1, "p50": pytest.approx(120.0, abs=0.01),
                                            "p90": pytest.approx(120.0, abs=0.01)}}
    assert set(stats.handling) == {"all", "moel", "parcoursup"}
    assert stats.handling["all"]["count"] == 2 and stats.handling["moel"]["p90"] == pytest.approx(600.0, abs=0.01)


def test_a_period_with_no_conversation_has_no_times(store, year):
    with store.sessions() as session:
        stats = usage_stats(session, Period(date(2023, 1, 1), date(2023, 12, 31)))

    empty = {"all": {"count": 0, "p50": None, "p90": None}}
    assert (stats.waiting, stats.handling, stats.contacts["chat"]) == (empty, empty, 0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_a_year_is_counted_from_indexes_in_their_order_without_sorting_conversations_or_drafts(store, year):
    """The year's conversations and drafts are read from indexes in the order the figures group or rank
    them by: SQLite sorts none of them (a sort of a year's rows is what made /stats slow)."""
    from sqlalchemy import event

    statements = []
    engine = store.sessions.kw["bind"]
    record = lambda conn, cursor, statement, params, context, many: statements.append((statement, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        stats_of(store)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    plans = {}
    with engine.connect() as connection:
        for statement, params in statements:
            if "FROM conversations" in statement or "FROM drafts" in statement:
                plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
                plans[statement] = plan
    assert len(plans) >= 10  # days, profiles, decisions, and the percentiles of both times
    for statement, plan in plans.items():
        if "drafts.payload" in statement:  # the title of a rejected source: one draft, found from the newest
            continue
        assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
        assert all(" USING " in step for step in plan if step.startswith(("SCAN", "SEARCH"))), (statement, plan)
