"""Websocket messages: JSON objects with a `type`, validated by pydantic (one schema per direction).

Clients send an idempotency `key` with every message they write; the server answers with
the stored message's per-conversation `seq`. A client resumes by saying the last `seq` it saw.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, field_validator

from knowledge.vocabulary import Hotline

MAX_TEXT = 2000  # characters in one message
MAX_FRAME = 16_384  # bytes in one websocket frame
Service = Hotline  # the public writes to a hotline; the console acts on its queues
# Ids and sequence numbers fit a database integer: a larger one is an invalid frame, not a crash.
RowId = Annotated[int, Field(ge=0, le=2**31 - 1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- widget -> server ----------------------------------------------------------------------
class Hello(_In):
    type: Literal["hello"]
    conversation: str | None = None
    token: str | None = None
    service: Service | None = None
    last_seq: RowId = 0


class UserMessage(_In):
    type: Literal["message"]
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    key: str = Field(min_length=1, max_length=80)
    service: Service | None = None  # the service picked when writing (None: « je ne sais pas »); the first message routes


class Ping(_In):
    type: Literal["ping"]


class Erase(_In):
    """The person erases their conversation: the one this socket opened with its token (never
    another, so the frame names none)."""

    type: Literal["erase"]


# -- the offline form (HTTP POST /offline) ------------------------------------------------------
# One plain address: no list, no display name, no quotes or encoded words, no control character.
EMAIL = re.compile(r"[A-Za-z0-9!#$&'*+/^_`{|}~-]+(?:\.[A-Za-z0-9!#$&'*+/^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


class OfflineForm(BaseModel):
    """The offline contact form (the service is closed): question, email, consent."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    service: Service = "moel"
    question: str = Field(min_length=1, max_length=MAX_TEXT)
    email: str = Field(max_length=200)
    consent: StrictBool

    @field_validator("email")
    @classmethod
    def one_plain_address(cls, email: str) -> str:
        if not EMAIL.fullmatch(email):
            raise ValueError("adresse électronique invalide : une seule adresse, de la forme prenom.nom@exemple.fr")
        return email



# -- widget -> server: the profile a person chooses to give, their opinion at the close ------------
AUDIENCES = ("eleve", "parent", "etudiant", "adulte")
# Metropolitan départements 01–95 (Corsica is 2A and 2B, never 20) and the overseas ones 971–976.
DEPARTEMENT = re.compile(r"0[1-9]|1[0-9]|[3-8][0-9]|9[0-5]|2[1-9]|2A|2B|97[1-6]")
MAX_COMMENT = 1000  # characters in a rating's comment


class Profile(_In):
    """Who writes and from where, both optional: given (or cleared, with null) at any time."""

    type: Literal["profile"]
    audience: Literal["eleve", "parent", "etudiant", "adulte"] | None = None
    departement: str | None = Field(default=None, max_length=3)

    @field_validator("departement", mode="before")
    @classmethod
    def known_departement(cls, value: object) -> object:
        if value is None or not isinstance(value, str):
            return value
        code = value.strip().upper()
        if not code:
            return None
        if len(code) == 1 and code.isdigit():
            code = "0" + code
        if not DEPARTEMENT.fullmatch(code):
            raise ValueError("département inconnu : indiquez un numéro de 01 à 95, 2A, 2B ou de 971 à 976")
        return code


class Rate(_In):
    """« Je donne mon avis »: a score from 1 to 5 and an optional comment, once per conversation."""

    type: Literal["rate"]
    score: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)


WidgetIn = TypeAdapter(Annotated[Union[Hello, UserMessage, Ping, Erase, Profile, Rate], Field(discriminator="type")])


# -- console -> server ---------------------------------------------------------------------
class Take(_In):
    type: Literal["take"]
    conversation: str


class Send(_In):
    type: Literal["send"]
    conversation: str
    text: str = Field(min_length=1, max_length=MAX_TEXT * 2)
    key: str = Field(min_length=1, max_length=80)
    draft_id: RowId | None = None


class Reject(_In):
    """A draft the counsellor will not send, with why (one of REJECT_REASONS, and words of their own)."""

    type: Literal["reject"]
    conversation: str
    draft_id: RowId
    reason: RejectReason | None = None
    comment: str | None = Field(default=None, max_length=500)  # pseudonymised before it is stored


REJECT_REASONS = {  # why a draft is rejected: the quality team counts them
    "hors_sujet": "Ne répond pas à la question",
    "inexact": "Information inexacte ou périmée",
    "incomplet": "Réponse incomplète",
    "source": "Mauvaise source",
    "ton": "Ton ou formulation inadaptés",
    "autre": "Autre raison",
}
RejectReason = Literal["hors_sujet", "inexact", "incomplet", "source", "ton", "autre"]


class Redraft(_In):
    """Draft again for the same message, from a candidate source the counsellor chose."""

    type: Literal["redraft"]
    conversation: str
    draft_id: RowId
    source: str = Field(min_length=3, max_length=200)


class Transfer(_In):
    type: Literal["transfer"]
    conversation: str
    service: Service
    note: str | None = Field(default=None, max_length=500)  # for the receiving service, kept in the audit


class Close(_In):
    type: Literal["close"]
    conversation: str


class Open(_In):
    """Show a conversation's messages from a sequence number (resume after reconnecting)."""

    type: Literal["open"]
    conversation: str
    last_seq: RowId = 0


class Search(_In):
    """Manual search; with `conversation`, the query is read with that conversation's turns."""

    type: Literal["search"]
    query: str = Field(min_length=1, max_length=500)
    k: int = Field(default=5, ge=1, le=20)
    service: Service | None = None
    conversation: str | None = Field(default=None, max_length=64)


class Phone(_In):
    """Phone mode: a counsellor types the caller's question and gets a draft, no public user.

    `call` names the call (the console makes a new one at each « Nouvel appel »): its questions
    share one mapping, so a name said once keeps its placeholder. `end` (with `call`, without a
    question) ends the call and drops its mapping. Without `call`, a question shares nothing."""

    type: Literal["phone"]
    question: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    service: Service | None = None
    call: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$")
    end: StrictBool = False


class Inbox(_In):
    """The offline requests of the counsellor's services."""

    type: Literal["inbox"]


class AnswerOffline(_In):
    type: Literal["answer_offline"]
    id: RowId
    text: str = Field(min_length=1, max_length=MAX_TEXT * 2)


class Typing(_In):
    """A counsellor is writing in a conversation (the console sends it at most every few seconds)."""

    type: Literal["typing"]
    conversation: str = Field(max_length=64)


class QueuesAgain(_In):
    """The queues anew (a conversation transferred in from another service is not on the list yet)."""

    type: Literal["queues"]


ConsoleIn = TypeAdapter(
    Annotated[
        Union[Take, Send, Reject, Redraft, Transfer, Close, Open, Search, Phone, Inbox, AnswerOffline, Ping,
              Typing, QueuesAgain],
        Field(discriminator="type"),
    ]
)


# -- server -> clients -----------------------------------------------------------------------
# Every frame the server sends, typed: the widget's set is a strict subset of the console's,
# so nothing meant for counsellors (drafts, queues) can be built as a widget frame.
class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pong(_Out):
    type: Literal["pong"] = "pong"


class Error(_Out):
    """An error frame: the connection stays open."""

    type: Literal["error"] = "error"
    code: str
    message: str


class Welcome(_Out):
    type: Literal["welcome"] = "welcome"
    conversation: str
    service: Service
    position: int
    open: bool
    resumed: bool = False  # the conversation already has messages: its service is settled
    token: str | None = None  # only for a new conversation, once


class Opening(_Out):
    """To the widget: many conversations open at once from its network; its own opens in `seconds`."""

    type: Literal["opening"] = "opening"
    seconds: int
    message: str


class Message(_Out):
    type: Literal["message"] = "message"
    conversation: str | None = None
    seq: int
    author: Literal["user", "counsellor", "system"]
    text: str
    service: Service | None = None
    at: datetime | None = None  # when it was stored (the widget shows the time)

    @field_validator("at")
    @classmethod
    def in_utc(cls, at: datetime | None) -> datetime | None:
        """SQLite gives back naive datetimes: they were stored in UTC."""
        return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


class Ack(_Out):
    type: Literal["ack"] = "ack"
    key: str | None = None
    seq: int | None = None
    draft_id: int | None = None
    offline_id: int | None = None
    outcome: str | None = None


class ServiceChanged(_Out):
    """The conversation was routed to another service than the one shown."""

    type: Literal["service"] = "service"
    service: Service


class Draft(_Out):
    type: Literal["draft"] = "draft"
    conversation: str
    draft_id: int
    seq: int
    text: str
    draft: dict


class DraftSkipped(_Out):
    """Too many drafts waiting: the counsellors answer this message without one."""

    type: Literal["draft_skipped"] = "draft_skipped"
    conversation: str
    seq: int


class DraftUnavailable(_Out):
    """Drafting failed (a model process died, a timeout): the message is there, its draft is not."""

    type: Literal["draft_unavailable"] = "draft_unavailable"
    conversation: str
    seq: int
    message: str = "Brouillon indisponible pour ce message : répondez sans brouillon ou demandez-en un autre."


class Taken(_Out):
    type: Literal["taken"] = "taken"
    conversation: str
    by: int
    name: str | None = None  # the login of who took it: « X répond » in the colleagues' consoles


class Transferred(_Out):
    type: Literal["transferred"] = "transferred"
    conversation: str
    service: Service
    previous: Service | None = None  # the service it left
    note: str | None = None  # the note for the receiving service (pseudonymised; the hub restores it per console)


class ConversationClosed(_Out):
    type: Literal["closed"] = "closed"
    conversation: str


class Erased(_Out):
    """The conversation was erased at the request of the person who wrote it (to their widgets
    and to the consoles of its service)."""

    type: Literal["erased"] = "erased"
    conversation: str


class Queues(_Out):
    type: Literal["queues"] = "queues"
    conversations: list[dict]


class SearchResults(_Out):
    model_config = ConfigDict(extra="allow")  # the assistant's search result fields (hits, understood…)
    type: Literal["search_results"] = "search_results"
    query: str


class PhoneDraft(_Out):
    type: Literal["phone_draft"] = "phone_draft"
    text: str
    draft: dict
    call: str | None = None  # the call it answers: a draft arriving after « Nouvel appel » is not shown


class InboxList(_Out):
    type: Literal["inbox"] = "inbox"
    requests: list[dict]


class OfflineReceived(_Out):
    type: Literal["offline"] = "offline"
    id: int
    service: Service


class OfflineSent(_Out):
    type: Literal["offline_sent"] = "offline_sent"
    id: int
    service: Service


class OfflineFailed(_Out):
    type: Literal["offline_failed"] = "offline_failed"
    id: int
    service: Service
    message: str


class CounsellorTyping(_Out):
    """To the widget: a counsellor is writing an answer (« Un conseiller écrit… »)."""

    type: Literal["typing"] = "typing"
    who: Literal["counsellor"] = "counsellor"


class ConversationEnded(_Out):
    """To the widget: the conversation is closed (live, or found closed on resuming); `rated`
    says whether the person already gave their opinion on it."""

    type: Literal["ended"] = "ended"
    rated: bool = False


WidgetOut = Union[Pong, Error, Welcome, Opening, Message, Ack, ServiceChanged, Erased, CounsellorTyping, ConversationEnded]
ConsoleOut = Union[Pong, Error, Message, Ack, Draft, DraftSkipped, DraftUnavailable, Taken, Transferred,
                   ConversationClosed, Erased, Queues, SearchResults, PhoneDraft, InboxList, OfflineReceived, OfflineSent,
                   OfflineFailed]
Out = Union[WidgetOut, ConsoleOut]
CONSOLE_ONLY = (Draft, DraftSkipped, DraftUnavailable, Taken, Transferred, ConversationClosed, Queues, SearchResults,
                PhoneDraft, InboxList, OfflineReceived, OfflineSent, OfflineFailed)


def wire(event: _Out) -> dict:
    """The JSON object sent for an event (fields left unset are not sent)."""
    return event.model_dump(mode="json", exclude_none=True)


def error(code: str, message: str) -> Error:
    return Error(code=code, message=message)


def explain(exc: Exception) -> str:
    """A French message for a frame that does not fit the protocol."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "message"
        if first["type"] == "string_too_long":
            return f"message trop long ({field})"
        if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
            return "type de message inconnu"
        return f"message invalide ({field})"
    return "message illisible (JSON attendu)"
