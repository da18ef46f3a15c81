"""The public erases their conversation from the widget: only the one their socket opened with
its token; the counsellors of its service and the person's other tabs are told; nothing of it
stays, in the database or in the memory of the process."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select

from tests.web.conftest import login, receive_until
from web import protocol
from web.models import AuditEntry
from web.store import NotFound

pytestmark = pytest.mark.slow


def test_the_person_erases_their_conversation_and_everyone_who_shows_it_is_told(client, services):
    assert login(client).status_code == 303
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        receive_until(console, "queues")
        widget.send_json({"type": "hello", "service": "parcoursup"})
        welcome = widget.receive_json()
        conversation = welcome["conversation"]
        widget.send_json({"type": "message", "text": "je suis Léa Martin, c'est quoi la CAES ?", "key": "k1"})
        receive_until(widget, "ack")
        assert receive_until(console, "message")["text"] == "je suis Léa Martin, c'est quoi la CAES ?"
        with client.websocket_connect("/widget/ws") as other_tab:
            other_tab.send_json({"type": "hello", "conversation": conversation, "token": welcome["token"], "last_seq": 1})
            receive_until(other_tab, "welcome")
            assert conversation in services.hub.mappings  # the restored names are in memory, for the relay

            widget.send_json({"type": "erase"})

            told = [receive_until(widget, "erased"), receive_until(other_tab, "erased"), receive_until(console, "erased", limit=20)]
            assert told == [{"type": "erased", "conversation": conversation}] * 3
            TypeAdapter(protocol.WidgetOut).validate_python(told[0])  # a typed event of both audiences
            TypeAdapter(protocol.ConsoleOut).validate_python(told[2])
        widget.send_json({"type": "message", "text": "encore là ?", "key": "k2"})  # the socket holds nothing now
        assert receive_until(widget, "error")["code"] == "sans_conversation"
    assert conversation not in services.hub.mappings
    with pytest.raises(NotFound):
        services.store.state(conversation)
    with services.store.sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.detail) == ("erasure", {"conversations": 1, "requested_by": "public"})


def test_a_socket_erases_only_the_conversation_it_opened_with_its_token(client, services):
    with client.websocket_connect("/widget/ws") as owner:
        owner.send_json({"type": "hello", "service": "moel"})
        conversation = owner.receive_json()["conversation"]
        owner.send_json({"type": "message", "text": "ma question", "key": "k1"})
        receive_until(owner, "ack")
    with client.websocket_connect("/widget/ws") as intruder:
        intruder.send_json({"type": "erase"})
        assert intruder.receive_json()["code"] == "sans_conversation"
        intruder.send_json({"type": "erase", "conversation": conversation})  # no way to name another's
        assert intruder.receive_json()["code"] == "invalide"
        intruder.send_json({"type": "hello", "conversation": conversation, "token": "x" * 43})
        assert intruder.receive_json()["code"] == "introuvable"
        intruder.send_json({"type": "erase"})
        assert intruder.receive_json()["code"] == "sans_conversation"
    assert services.store.state(conversation) == ("moel", "waiting", 1)
