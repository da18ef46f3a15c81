"""The public's profile and opinion, the counsellor's typing signal, the end of a conversation and
when a closed service reopens — on the store (SQLite and PostgreSQL) and through the sockets."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from relais.settings import Settings
from tests.web.conftest import receive_until
from tests.web.test_conversation_rules import console_as, drain, start_conversation
from web.models import Conversation, Rating
from web.store import AlreadyRated, NotFound

PARIS = ZoneInfo("Europe/Paris")


# -- the store --------------------------------------------------------------------------------
@pytest.mark.integration
def test_a_profile_is_stored_changed_and_cleared(store):
    public_id, _ = store.open_conversation("moel")
    store.set_profile(public_id, "parent", "2A")
    store.set_profile(public_id, "eleve", "971")
    with store.sessions() as session:
        stored = session.scalar(select(Conversation).where(Conversation.public_id == public_id))
        assert (stored.audience, stored.departement) == ("eleve", "971")
    store.set_profile(public_id, None, None)
    with store.sessions() as session:
        stored = session.scalar(select(Conversation).where(Conversation.public_id == public_id))
        assert (stored.audience, stored.departement) == (None, None)
    with pytest.raises(NotFound):
        store.set_profile("inconnue", "eleve", None)


@pytest.mark.integration
def test_a_conversation_is_rated_once_and_its_rating_goes_with_its_erasure(store):
    public_id, _ = store.open_conversation("moel")
    assert not store.rated(public_id)
    store.rate(public_id, 4, "merci <PERSONNE_1>")
    assert store.rated(public_id)
    with pytest.raises(AlreadyRated):
        store.rate(public_id, 1)
    with store.sessions() as session:
        assert [(r.score, r.comment) for r in session.scalars(select(Rating))] == [(4, "merci <PERSONNE_1>")]
    store.erase_conversation(public_id)
    with store.sessions() as session:
        assert session.scalars(select(Rating)).all() == []


# -- the widget's socket --------------------------------------------------------------------------
pytestmark = [pytest.mark.timeout(90)]


@pytest.mark.slow
def test_the_widget_gives_a_profile_and_a_bad_departement_gets_a_french_error(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        conversation = receive_until(widget, "welcome")["conversation"]
        widget.send_json({"type": "profile", "audience": "etudiant", "departement": "20"})
        refused = receive_until(widget, "error")
        assert refused["code"] == "invalide" and "departement" in refused["message"]
        widget.send_json({"type": "profile", "audience": "etudiant", "departement": " 2b "})
        assert receive_until(widget, "ack")["outcome"] == "profile"
    with services.store.sessions() as session:
        stored = session.scalar(select(Conversation).where(Conversation.public_id == conversation))
        assert (stored.audience, stored.departement) == ("etudiant", "2B")


@pytest.mark.slow
def test_a_rating_comes_after_a_message_once_with_its_comment_pseudonymised(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        receive_until(widget, "welcome")
        widget.send_json({"type": "rate", "score": 5})
        assert receive_until(widget, "error")["code"] == "sans_message"  # nothing to give an opinion on yet
        conversation = start_conversation(widget, "moel", "je suis Léa Martin, je cherche un BTS")
        widget.send_json({"type": "rate", "score": 6})
        assert receive_until(widget, "error")["code"] == "invalide"
        widget.send_json({"type": "rate", "score": 4, "comment": "Merci, signé Léa Martin, 06 12 34 56 78"})
        assert receive_until(widget, "ack")["outcome"] == "rated"
        widget.send_json({"type": "rate", "score": 1, "comment": "finalement non"})
        refused = receive_until(widget, "error")
        assert refused["code"] == "deja_note" and refused["message"] == \
            "Vous avez déjà donné votre avis sur cette conversation. Merci !"
    with services.store.sessions() as session:
        ratings = session.scalars(select(Rating)).all()
        assert [r.score for r in ratings] == [4]
        assert "Léa" not in ratings[0].comment and "06 12" not in ratings[0].comment and "<PERSONNE_1>" in ratings[0].comment
        assert ratings[0].conversation_id == session.scalar(select(Conversation.id).where(Conversation.public_id == conversation))


@pytest.mark.slow
def test_the_widget_is_told_when_its_conversation_ends_and_again_when_it_resumes_it(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "parcoursup"})
        welcome = receive_until(widget, "welcome")
        conversation, token = welcome["conversation"], welcome["token"]
        widget.send_json({"type": "message", "text": "merci pour tout", "key": "k1"})
        assert receive_until(widget, "ack")["seq"] == 1
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "close", "conversation": conversation})
            receive_until(console, "closed")
        assert receive_until(widget, "ended") == {"type": "ended", "rated": False}
        widget.send_json({"type": "rate", "score": 3})
        receive_until(widget, "ack")
    with client.websocket_connect("/widget/ws") as widget:  # the page reloaded: the conversation is over, already rated
        widget.send_json({"type": "hello", "conversation": conversation, "token": token})
        frames = [receive_until(widget, "welcome"), *drain(widget)]
        assert [f["type"] for f in frames] == ["welcome", "message", "message", "ended"]
        assert frames[-1]["rated"] is True
        assert all(f["at"].endswith("Z") or f["at"].endswith("+00:00") for f in frames[1:3])  # times, in UTC


@pytest.mark.slow
def test_a_counsellor_of_the_service_shows_they_are_typing_and_nobody_else_can(client, services):
    services.store.add_user("master", "un-mot-de-passe-solide", "counsellor", ["monmaster"])
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "comment marche la phase complémentaire ?")
        drain(widget)
        with console_as(client, "master") as stranger:  # another service's counsellor: refused, the widget sees nothing
            receive_until(stranger, "queues")
            stranger.send_json({"type": "typing", "conversation": conversation})
            assert receive_until(stranger, "error")["code"] == "introuvable"
        assert drain(widget) == []
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "typing", "conversation": conversation})
            assert receive_until(widget, "typing") == {"type": "typing", "who": "counsellor"}
            assert all(f["type"] != "typing" for f in drain(console))  # the counsellor's own console gets no echo
            console.send_json({"type": "take", "conversation": conversation})
            receive_until(console, "taken")
            drain(widget)
            services.store.add_user("collegue", "un-mot-de-passe-solide", "counsellor", ["parcoursup"])
            with console_as(client, "collegue") as colleague:  # taken by another: a colleague may not seem to answer
                receive_until(colleague, "queues")
                colleague.send_json({"type": "typing", "conversation": conversation})
                assert receive_until(colleague, "error")["code"] == "deja_pris"
            assert all(f["type"] != "typing" for f in drain(widget))
            console.send_json({"type": "close", "conversation": conversation})
            receive_until(console, "closed")
            console.send_json({"type": "typing", "conversation": conversation})
            assert receive_until(console, "error")["code"] == "fermee"


# -- when a closed service reopens --------------------------------------------------------------
HOURS = Settings(opening_hours={"parcoursup": {"days": [0, 1, 2, 3, 4], "open": "09:00", "close": "18:00"}},
                 closed_days=[date(2026, 12, 25)])


@pytest.mark.parametrize(("now", "reopens", "text"), [
    (datetime(2026, 11, 24, 7, 30, tzinfo=PARIS), datetime(2026, 11, 24, 9, 0, tzinfo=PARIS), "aujourd'hui à 9 h 00"),
    (datetime(2026, 11, 24, 19, 0, tzinfo=PARIS), datetime(2026, 11, 25, 9, 0, tzinfo=PARIS), "demain à 9 h 00"),
    (datetime(2026, 11, 27, 18, 0, tzinfo=PARIS), datetime(2026, 11, 30, 9, 0, tzinfo=PARIS), "lundi 30 novembre à 9 h 00"),
    (datetime(2026, 12, 24, 20, 0, tzinfo=PARIS), datetime(2026, 12, 28, 9, 0, tzinfo=PARIS), "lundi 28 décembre à 9 h 00"),
])
def test_the_next_opening_skips_closed_hours_weekends_and_closed_days(now, reopens, text):
    from web.opening_hours import next_opening, reopening_text

    found = next_opening(HOURS, "parcoursup", now)
    assert found == reopens
    assert reopening_text(found, now) == text


def test_a_service_without_hours_reopens_the_day_after_a_closed_day():
    from web.opening_hours import next_opening, reopening_text

    settings = Settings(closed_days=[date(2026, 12, 1)])
    now = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    assert reopening_text(next_opening(settings, "moel", now), now) == "demain à 0 h 00"
    assert next_opening(Settings(opening_hours={"moel": {"days": []}}), "moel", now) is None


@pytest.mark.slow
def test_the_offline_status_says_when_the_service_reopens(client, services, closed):
    status = client.get("/offline/status", params={"service": "moel"}).json()
    assert status["open"] is False
    assert status["reopens_text"] == "Le service rouvre demain à 0 h 00."
    assert datetime.fromisoformat(status["reopens"]).hour == 0
