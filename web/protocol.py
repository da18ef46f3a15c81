"""Websocket messages: JSON objects with a `type`, validated by pydantic (one schema per direction).

Clients send an idempotency `key` with every message they write; the server answers with
the stored message's per-conversation `seq`. A client resumes by saying the last `seq` it saw.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MAX_TEXT = 2000  # characters in one message
MAX_FRAME = 16_384  # bytes in one websocket frame
Service = Literal["parcoursup", "monmaster", "moel"]
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


class Ping(_In):
    type: Literal["ping"]


WidgetIn = TypeAdapter(Annotated[Union[Hello, UserMessage, Ping], Field(discriminator="type")])


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
    type: Literal["reject"]
    conversation: str
    draft_id: RowId


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
    """Phone mode: a counsellor types the caller's question and gets a draft, no public user."""

    type: Literal["phone"]
    question: str = Field(min_length=1, max_length=MAX_TEXT)
    service: Service | None = None


class Inbox(_In):
    """The offline requests of the counsellor's services."""

    type: Literal["inbox"]


class AnswerOffline(_In):
    type: Literal["answer_offline"]
    id: RowId
    text: str = Field(min_length=1, max_length=MAX_TEXT * 2)


ConsoleIn = TypeAdapter(
    Annotated[
        Union[Take, Send, Reject, Redraft, Transfer, Close, Open, Search, Phone, Inbox, AnswerOffline, Ping],
        Field(discriminator="type"),
    ]
)


def error(code: str, message: str) -> dict:
    """An error frame: the connection stays open."""
    return {"type": "error", "code": code, "message": message}


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
