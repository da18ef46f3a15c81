"""Persistence on SQLite and PostgreSQL: sequence numbers, idempotency, mapping, drafts, purge."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from assistant.pii import PseudonymMap
from web.models import AuditEntry, DraftRecord
from web.store import Closed, NotFound

pytestmark = pytest.mark.integration


def test_messages_get_consecutive_sequence_numbers_and_resume_from_a_seq(store):
    public_id, token = store.open_conversation("parcoursup")
    assert store.check_token(public_id, token) == "parcoursup"
    for n in range(3):
        store.append(public_id, "user", f"message {n}", idempotency_key=f"k{n}")
    assert [m.seq for m in store.messages_since(public_id, 0)] == [1, 2, 3]
    assert [m.text for m in store.messages_since(public_id, 2)] == ["message 2"]


def test_a_resent_message_is_not_doubled(store):
    public_id, _ = store.open_conversation("moel")
    first = store.append(public_id, "user", "bonjour", idempotency_key="abc")
    again = store.append(public_id, "user", "bonjour", idempotency_key="abc")
    assert (again.seq, again.duplicate) == (first.seq, True)
    assert len(store.messages_since(public_id, 0)) == 1


def test_concurrent_writers_never_share_a_sequence_number(store):
    public_id, _ = store.open_conversation("moel")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: store.append(public_id, "user", f"m{n}", idempotency_key=f"k{n}"), range(40)))
    assert [m.seq for m in store.messages_since(public_id, 0)] == list(range(1, 41))


def test_a_wrong_token_opens_nothing(store):
    public_id, _ = store.open_conversation("moel")
    with pytest.raises(NotFound):
        store.check_token(public_id, "devine")
    with pytest.raises(NotFound):
        store.check_token("inconnue", "devine")


def test_the_mapping_is_stored_encrypted_and_comes_back(store):
    public_id, _ = store.open_conversation("moel")
    mapping = store.mapping(public_id)
    assert mapping.placeholder("PERSONNE", "Léa Martin") == "<PERSONNE_1>"
    store.save_mapping(mapping)
    with store.sessions() as session:
        from web.models import Conversation

        sealed = session.scalar(select(Conversation.mapping).where(Conversation.public_id == public_id))
    assert b"L\xc3\xa9a" not in sealed and b"Martin" not in sealed
    again = store.mapping(public_id)
    assert again.restore("<PERSONNE_1>") == "Léa Martin"
    assert again.placeholder("PERSONNE", "léa martin") == "<PERSONNE_1>"
    assert again.placeholder("PERSONNE", "Inès") == "<PERSONNE_2>"


def test_draft_decisions_are_recorded_with_who_and_when(store):
    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["parcoursup"])
    assert store.authenticate("c.dupont", "mot-de-passe-solide").id == counsellor.id
    assert store.authenticate("c.dupont", "faux") is None
    public_id, _ = store.open_conversation("parcoursup")
    message = store.append(public_id, "user", "question", idempotency_key="q")
    draft_id = store.save_draft(public_id, message.message_id, {"draft": "Bonjour, …", "citations": []})
    other, _ = store.open_conversation("parcoursup")
    with pytest.raises(NotFound):  # a draft is decided only through its own conversation
        store.decide_draft(other, draft_id, "rejected", None, counsellor.id)
    store.decide_draft(public_id, draft_id, "edited", "Bonjour, voici la réponse corrigée.", counsellor.id)
    with store.sessions() as session:
        record = session.get(DraftRecord, draft_id)
        assert (record.outcome, record.counsellor_id) == ("edited", counsellor.id)
        assert record.decided_at is not None
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.created", "draft.edited"]


def test_purge_applies_retention_and_erasure_removes_a_conversation(store):
    old, _ = store.open_conversation("moel")
    kept, _ = store.open_conversation("moel")
    store.append(old, "user", "ancien message", idempotency_key="x")
    assert store.purge(datetime.now(timezone.utc) + timedelta(days=400)) == 2
    fresh, _ = store.open_conversation("moel")
    store.append(fresh, "user", "à effacer", idempotency_key="y")
    assert store.erase([fresh]) == 1
    with pytest.raises(NotFound):
        store.messages_since(fresh, 0)
    with store.sessions() as session:
        from web.models import Message

        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_closed_conversation_takes_only_the_systems_last_words_and_stays_closed(store):
    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["parcoursup"])
    public_id, _ = store.open_conversation("parcoursup")
    store.append(public_id, "user", "question", idempotency_key="q")
    assert store.transfer(public_id, "moel", counsellor.id, note="question sur un BTS") == "parcoursup"
    store.take(public_id, counsellor.id)
    store.close(public_id, counsellor.id)
    store.append(public_id, "system", "La conversation est terminée.")
    for act in (lambda: store.append(public_id, "user", "encore", idempotency_key="r"),
                lambda: store.append(public_id, "counsellor", "réponse", idempotency_key="s", counsellor_id=counsellor.id),
                lambda: store.take(public_id, counsellor.id), lambda: store.transfer(public_id, "parcoursup", counsellor.id)):
        with pytest.raises(Closed):
            act()
    assert store.append(public_id, "user", "question", idempotency_key="q").duplicate  # a resend is still answered
    with store.sessions() as session:
        audit = [(a.action, a.detail) for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))][1:]
    assert audit == [("conversation.transferred", {"service": "moel", "from": "parcoursup", "note": "question sur un BTS"}),
                     ("conversation.taken", {"service": "moel"}), ("conversation.closed", {"service": "moel"})]


def test_a_conversation_nobody_wrote_in_is_purged_after_an_hour(store):
    empty, _ = store.open_conversation("moel")
    written, _ = store.open_conversation("moel")
    store.append(written, "user", "bonjour", idempotency_key="k")
    # the first message's guess routes only a conversation nobody wrote in, took or moved
    assert store.route(empty, "parcoursup") and not store.route(written, "parcoursup")
    assert store.purge(datetime.now(timezone.utc) + timedelta(minutes=30)) == 0
    assert store.purge(datetime.now(timezone.utc) + timedelta(hours=2)) == 1
    assert [{key: row[key] for key in ("conversation", "service", "status", "counsellor_id", "last_seq")}
            for row in store.queues(None)] == [{"conversation": written, "service": "moel", "status": "waiting",
                                                "counsellor_id": None, "last_seq": 1}]
    with pytest.raises(NotFound):
        store.messages_since(empty, 0)


def test_a_conversation_is_erased_by_its_reference_with_the_notes_of_its_transfers(store):
    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["parcoursup"])
    public_id, _ = store.open_conversation("parcoursup")
    store.append(public_id, "user", "question", idempotency_key="q")
    store.transfer(public_id, "moel", counsellor.id, note="au sujet de <PERSONNE_1>, en terminale")
    assert store.erase([public_id[:8].upper()]) == 1  # the reference the widget shows, as read over the phone
    with store.sessions() as session:
        audit = [(a.action, a.detail) for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))][1:]
    assert audit == [("conversation.transferred", {"service": "moel", "from": "parcoursup"}),  # who and when stay
                     ("erasure", {"conversations": 1})]
    with store.sessions() as session:  # the entries no longer point at a row id another conversation may reuse
        assert session.scalars(select(AuditEntry.conversation_id).where(AuditEntry.conversation_id.is_not(None))).all() == []
    assert store.erase([public_id[:8]]) == 0  # gone already
    assert store.erase([public_id[:7], "%"]) == 0  # too short to be a reference; not a pattern either


def test_a_reference_that_starts_several_conversations_erases_none(store):
    from web.models import Conversation
    from web.store import AmbiguousReference

    with store.sessions.begin() as session:
        for public_id in ("abcdef1200000000", "abcdef1211111111"):
            session.add(Conversation(public_id=public_id, token_hash="-", service="moel", status="waiting",
                                     retain_until=datetime.now(timezone.utc) + timedelta(days=1)))
    with pytest.raises(AmbiguousReference, match="identifiant complet"):
        store.erase(["abcdef12"])
    assert [store.service_of(public_id) for public_id in ("abcdef1200000000", "abcdef1211111111")] == ["moel", "moel"]
    assert store.erase(["abcdef121"]) == 1
    with pytest.raises(NotFound):
        store.service_of("abcdef1211111111")


def test_offline_requests_are_erased_by_their_address_in_any_case_with_their_mails(store):
    from web.models import OfflineRequest, OutboxMail
    from web.security import Vault
    from web.store import Store

    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["moel"])
    first = store.add_offline("moel", "question 1", "Lea.Martin@exemple.fr", PseudonymMap("offline"))
    other = store.add_offline("moel", "question 2", "hugo.petit@exemple.fr", PseudonymMap("offline"))
    store.add_offline("parcoursup", "question 3", "lea.martin@exemple.fr", PseudonymMap("offline"))
    lost = Store(store.sessions, Vault("une-cle-perdue")).add_offline("moel", "question 4", "lea.martin@exemple.fr",
                                                                      PseudonymMap("offline"))
    store.queue_offline_answer(first, "Voici la réponse.", counsellor.id)

    erasure = store.erase_offline("  LEA.martin@exemple.fr ", batch_size=2)

    assert (erasure.erased, erasure.unreadable) == (2, 1)  # the one no key opens is told, not guessed
    with store.sessions() as session:
        assert sorted(session.scalars(select(OfflineRequest.id))) == sorted([other, lost])
        assert session.scalar(select(func.count()).select_from(OutboxMail)) == 0
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (audit.action, audit.detail) == ("erasure", {"offline_requests": 2})  # never the address
    assert store.erase_offline("personne@exemple.fr").erased == 0


def test_closing_keeps_when_the_conversation_closed_for_the_usage_study(store):
    from web.models import Conversation

    counsellor = store.add_user("c.martin", "mot-de-passe-solide", "counsellor", ["moel"])
    public_id, _ = store.open_conversation("moel")
    store.append(public_id, "user", "question", idempotency_key="q")
    store.take(public_id, counsellor.id)
    with store.sessions() as session:
        assert session.scalar(select(Conversation.closed_at).where(Conversation.public_id == public_id)) is None
    before = datetime.now(timezone.utc)
    store.close(public_id, counsellor.id)
    with store.sessions() as session:
        closed_at = session.scalar(select(Conversation.closed_at).where(Conversation.public_id == public_id))
    assert closed_at is not None and closed_at.replace(tzinfo=timezone.utc) >= before - timedelta(seconds=1)
