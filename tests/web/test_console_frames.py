"""What the console's socket carries for issue 13 (real SQLite, real models, Starlette test client):
richer queue rows, « X répond », the rejection reason, the transfer note, the typing relay, canned
answers without retrieval lines, the offline inbox with its background draft, landing per role."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD, login, receive_until
from web.canned import canned_answer
from web.models import DraftRecord, OfflineRequest

pytestmark = pytest.mark.slow


def _ask(widget, text: str, service: str = "parcoursup") -> str:
    widget.send_json({"type": "hello", "service": service})
    conversation = widget.receive_json()["conversation"]
    widget.send_json({"type": "message", "text": text, "key": "k1"})
    receive_until(widget, "ack")
    return conversation


def test_queue_rows_carry_the_last_words_restored_the_waiting_time_and_who_answers(client, services):
    login(client)
    with client.websocket_connect("/widget/ws") as widget:
        conversation = _ask(widget, "bonjour, je suis Léa Martin et je cherche la date des vœux Parcoursup")
    with client.websocket_connect("/console/ws") as console:
        [row] = [r for r in receive_until(console, "queues")["conversations"] if r["conversation"] == conversation]
        assert row["preview"].startswith("bonjour, je suis Léa Martin")  # restored for the counsellor
        assert row["last_author"] == "user" and row["waiting_since"] and row["counsellor"] is None
        console.send_json({"type": "take", "conversation": conversation})
        taken = receive_until(console, "taken")
        assert taken["name"] == "conseil"
    with client.websocket_connect("/console/ws") as console:
        [row] = [r for r in receive_until(console, "queues")["conversations"] if r["conversation"] == conversation]
        assert row["status"] == "active" and row["counsellor"] == "conseil"
        console.send_json({"type": "send", "conversation": conversation, "text": "Bonjour, voici la réponse.", "key": "c1"})
        receive_until(console, "ack")
    with client.websocket_connect("/console/ws") as console:
        [row] = [r for r in receive_until(console, "queues")["conversations"] if r["conversation"] == conversation]
        assert row["waiting_since"] is None and row["preview"] == "Bonjour, voici la réponse."  # answered: nobody waits
    rows = services.store.queues(["parcoursup"])
    assert "Léa" not in rows[0]["preview"]  # the store keeps placeholders


def test_a_rejected_draft_keeps_its_reason_pseudonymised(client, services):
    login(client)
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        receive_until(console, "queues")
        conversation = _ask(widget, "je suis Léa Martin, c'est quoi la CAES ?")
        draft = receive_until(console, "draft", 20)
        console.send_json({"type": "reject", "conversation": conversation, "draft_id": draft["draft_id"], "reason": "autre"})
        assert receive_until(console, "error")["code"] == "raison_manquante"  # « autre » needs words
        console.send_json({"type": "reject", "conversation": conversation, "draft_id": draft["draft_id"],
                           "reason": "source", "comment": "Léa Martin demande la CAES du Rhône"})
        assert receive_until(console, "ack") == {"type": "ack", "draft_id": draft["draft_id"], "outcome": "rejected"}
        console.send_json({"type": "reject", "conversation": conversation, "draft_id": draft["draft_id"], "reason": "ton"})
        assert receive_until(console, "error")["code"] == "deja_traite"  # the first decision stands
        console.send_json({"type": "reject", "conversation": conversation, "draft_id": 1, "reason": "n-importe"})
        assert receive_until(console, "error")["code"] == "invalide"
    with services.store.sessions() as session:
        record = session.get(DraftRecord, draft["draft_id"])
        assert record.outcome == "rejected"
        assert record.reject_reason == "Mauvaise source : <PERSONNE_1> demande la CAES du Rhône"


def test_a_transfer_note_reaches_the_receiving_service_and_stays_on_its_queue_row(client, services):
    services.store.add_user("master", PASSWORD, "counsellor", ["monmaster"])
    login(client)
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        receive_until(console, "queues")
        conversation = _ask(widget, "je suis Léa Martin, mon master n'a pas répondu")
        console.send_json({"type": "transfer", "conversation": conversation, "service": "monmaster",
                           "note": "Léa Martin attend une réponse en M1 droit"})
        moved = receive_until(console, "transferred")
        assert moved["previous"] == "parcoursup" and moved["service"] == "monmaster"
        assert moved["note"] == "Léa Martin attend une réponse en M1 droit"  # restored for counsellors
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    login(client, "master")
    with client.websocket_connect("/console/ws") as console:
        [row] = [r for r in receive_until(console, "queues")["conversations"] if r["conversation"] == conversation]
        assert row["previous"] == "parcoursup" and row["note"] == "Léa Martin attend une réponse en M1 droit"


def test_typing_is_relayed_to_the_public_and_nothing_else(client, services):
    services.store.add_user("autre", PASSWORD, "counsellor", ["moel"])
    login(client)
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        receive_until(console, "queues")
        conversation = _ask(widget, "une question pour voir le conseiller écrire")
        console.send_json({"type": "typing", "conversation": conversation})
        assert receive_until(widget, "typing") == {"type": "typing", "who": "counsellor"}
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    login(client, "autre")  # not this conversation's service: refused, as if it did not exist
    with client.websocket_connect("/console/ws") as console:
        receive_until(console, "queues")
        console.send_json({"type": "typing", "conversation": conversation})
        assert receive_until(console, "error")["code"] == "introuvable"
    assert [m.author for m in services.store.messages_since(conversation, 0)] == ["user"]  # nothing stored


def test_search_results_carry_a_canned_answer_without_retrieval_lines(client):
    login(client)
    with client.websocket_connect("/console/ws") as console:
        receive_until(console, "queues")
        console.send_json({"type": "search", "query": "créer son dossier Parcoursup"})
        results = receive_until(console, "search_results")["results"]
    assert results
    for result in results:
        assert "Mots-clés" in result["passage"] or "**" in result["passage"] or result["passage"].startswith(result["title"])
        answer = result["answer"]
        assert "Mots-clés" not in answer and "Autres intitulés" not in answer and "**" not in answer
        assert not answer.startswith(result["title"] + "\n")
        if result["url"]:
            assert answer.rstrip().endswith(result["url"])


def test_canned_answer_keeps_paragraphs_and_lists_as_plain_text():
    passage = ("Comment créer son dossier ?\nAutres intitulés : inscription\nMots-clés : compte, dossier\n"
               "Ayez sous la main :\n- une **adresse e-mail** ;\n* votre numéro INE.\n\n"
               "Puis consultez [la FAQ](https://www.parcoursup.gouv.fr/faq).")
    assert canned_answer(passage, "Comment créer son dossier ?", "https://www.parcoursup.gouv.fr") == (
        "Ayez sous la main :\n\n- une adresse e-mail ;\n- votre numéro INE.\n\n"
        "Puis consultez la FAQ (https://www.parcoursup.gouv.fr/faq).\n\nEn savoir plus : https://www.parcoursup.gouv.fr")


def test_the_inbox_shows_the_masked_address_and_the_background_draft_oldest_first(client, services, closed):
    for email, question in (("lea.martin@exemple.fr", "je suis Léa Martin, quand ouvre la phase complémentaire ?"),
                            ("paul@exemple.fr", "une deuxième question")):
        assert client.post("/offline", json={"service": "parcoursup", "email": email, "consent": True,
                                             "question": question}).status_code == 201
    with services.store.sessions.begin() as session:  # what the background triage writes
        first = session.query(OfflineRequest).order_by(OfflineRequest.id).first()
        first.draft = {"draft": f"Bonjour {first.question.split()[3]}, la phase complémentaire ouvre en juin.",
                       "confidence": 0.8, "confidence_words": "fiable", "sources": [
                           {"doc_id": "oscar:ps-phase-complementaire", "title": "La phase complémentaire",
                            "url": "https://www.parcoursup.gouv.fr"}]}
        first_id = first.id
    login(client)
    with client.websocket_connect("/console/ws") as console:
        receive_until(console, "queues")
        console.send_json({"type": "inbox"})
        requests = receive_until(console, "inbox")["requests"]
    assert [r["id"] for r in requests][0] == first_id and len(requests) == 2
    assert requests[0]["address"] == "l•••@e•••.fr" and "lea.martin" not in str(requests)
    assert requests[0]["draft"]["confidence_words"] == "fiable"
    assert requests[0]["draft"]["sources"][0]["doc_id"] == "oscar:ps-phase-complementaire"
    # the second has no draft yet, or the background triage's (the app runs it), restored
    assert requests[1].get("draft") is None or "<PERSONNE" not in requests[1]["draft"]["draft"]


def test_each_role_lands_on_its_page(client, services):
    services.store.add_user("superviseur", PASSWORD, "supervisor", [])
    assert login(client, "qualite").headers["location"] == "/quality"
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    assert login(client, "superviseur").headers["location"] == "/console"
    session = client.get("/session").json()
    assert session["login"] == "superviseur" and set(session["services"]) == {"parcoursup", "monmaster", "moel"}
    assert session["wait_minutes"]["moel"] == [3.0, 8.0]
    client.post("/logout", data={"csrf": session["csrf"]})
    assert login(client).headers["location"] == "/console"


def test_queue_rows_say_since_when_the_person_waits_on_both_databases(store):
    counsellor = store.add_user("conseil", PASSWORD, "counsellor", ["moel"])
    answered, waiting, moved = (store.open_conversation("moel")[0] for _ in range(3))
    store.append(answered, "user", "première question", "u1")
    store.take(answered, counsellor.id)
    store.append(answered, "counsellor", "une réponse", "c1", counsellor.id)
    store.append(waiting, "user", "première question", "u1")
    store.append(waiting, "user", "   une relance\n  " + "très longue " * 40, "u2")
    store.append(waiting, "system", "Un conseiller ou une conseillère a rejoint la conversation.")
    store.append(moved, "user", "pour un autre service", "u1")
    store.transfer(moved, "parcoursup", counsellor.id, "à voir avec <PERSONNE_1>")
    rows = {row["conversation"]: row for row in store.queues(None)}
    assert rows[answered]["waiting_since"] is None and rows[answered]["counsellor"] == "conseil"
    first = store.messages_since(waiting, 0)[0].created_at
    assert rows[waiting]["waiting_since"].startswith(first.isoformat()[:19])  # since the first unanswered message
    assert rows[waiting]["preview"].startswith("une relance très longue") and rows[waiting]["preview"].endswith("…")
    assert len(rows[waiting]["preview"]) <= 161 and rows[waiting]["last_author"] == "user"  # the system's words are no preview
    assert (rows[moved]["service"], rows[moved]["previous"], rows[moved]["note"]) == ("parcoursup", "moel", "à voir avec <PERSONNE_1>")
    assert [row["conversation"] for row in store.queues(["moel"])] == [answered, waiting]


def test_a_console_that_floods_searches_or_typing_is_slowed_in_french_and_keeps_its_socket(client, services):
    """Search, re-draft and phone questions cost the models' time, typing notices a read and a relay
    each: a console (a stuck key, a script in a counsellor's session) cannot send them without end.
    Past the limit each is refused in French, the socket stays, and other frames still work."""
    from web.limits import CONSOLE_WORK, CONSOLE_TYPING

    login(client)
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        receive_until(console, "queues")
        for n in range(CONSOLE_WORK[0]):
            console.send_json({"type": "search", "query": f"confirmer ses vœux {n}", "k": 1})
            receive_until(console, "search_results")
        console.send_json({"type": "search", "query": "une de trop", "k": 1})
        refused = receive_until(console, "error")
        assert refused["code"] == "trop_rapide" and "recherches" in refused["message"]
        console.send_json({"type": "phone", "question": "bonjour, une question au téléphone"})
        assert receive_until(console, "error")["code"] == "trop_rapide"  # one budget for the models' work
        conversation = _ask(widget, "une question pour voir le conseiller écrire")
        for _ in range(CONSOLE_TYPING[0]):
            console.send_json({"type": "typing", "conversation": conversation})
        console.send_json({"type": "typing", "conversation": conversation})
        assert receive_until(console, "error", limit=CONSOLE_TYPING[0] + 5)["code"] == "trop_rapide"
        console.send_json({"type": "ping"})
        assert receive_until(console, "pong") == {"type": "pong"}
        console.send_json({"type": "take", "conversation": conversation})
        assert receive_until(console, "taken", limit=10)["conversation"] == conversation
