"""Persistence of conversations, messages, drafts and counsellor actions (one SQL transaction each).

A message is appended with the next sequence number of its conversation; a client's
idempotency key makes a resent message a no-op that returns the stored one, so a client
that reconnects and resends loses nothing and doubles nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Select, and_, case, delete, func, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from assistant.pii import PseudonymMap
from knowledge.vocabulary import ROLES
from web.db import checkpoint
from web.indexed import through
from web.models import (
    AuditEntry, ConsoleSession, Conversation, DraftRecord, Message, OfflineRequest, OutboxMail, Rating, User, utcnow,
)
from web.offline import answer_body, mail_failure
from web.quality import Selection, word_diff
from web.security import DUMMY_HASH, Unreadable, Vault, hash_password, new_token, password_matches, token_digest, token_matches



REFERENCE = re.compile(r"[0-9a-f]{8,}")  # what the widget shows of a conversation's id, to read over the phone
EMPTY_EXPIRES = timedelta(hours=1)  # a conversation nobody wrote in is purged after this
Scope = tuple[str, ...] | None  # the services a counsellor acts for (None: every service)
HISTORY_TURNS = 4  # earlier user messages a follow-up is read with


class NotFound(LookupError):
    """No such conversation, or a token that does not open it (the same answer for both)."""


class AlreadyTaken(RuntimeError):
    """Another counsellor has taken this conversation: it is theirs until they transfer it."""


class Closed(RuntimeError):
    """The conversation is closed: nobody writes to it any more, nobody takes or moves it."""


class AmbiguousReference(LookupError):
    """A conversation reference (the first characters of its id) that starts several ids."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"la référence « {reference} » désigne plusieurs conversations : donnez l'identifiant complet")


class AlreadyRated(RuntimeError):
    """The person already gave their opinion on this conversation: a rating is given once."""


class AlreadyAnswered(RuntimeError):
    """The offline request's answer is already queued or mailed: it is answered again only once
    its mail has failed."""


@dataclass(frozen=True)
class ClaimedMail:
    """A due mail that one sender holds until its lease ends: what to send, and the claim that
    reports its outcome."""

    id: int
    request_id: int
    service: str
    attempts: int  # this one included
    claim: str
    message_id: str
    recipient: str | None  # None: unreadable (the secret key changed since it was queued)
    body: str | None


@dataclass(frozen=True)
class MailState:
    """Where the mail of an offline request stands (no personal data)."""

    status: str  # queued | sent | failed
    attempts: int
    next_attempt_at: datetime
    message_id: str | None
    last_error: str | None
    hold_reason: str | None


@dataclass(frozen=True)
class NewConversation:
    public_id: str
    token: str  # given once to the widget; only its digest is stored
    position: int  # in its service's queue, as the welcome shows it


@dataclass(frozen=True)
class StoredMessage:
    conversation: str
    seq: int
    author: str
    text: str
    created_at: datetime
    message_id: int
    service: str  # the conversation's service when the message was stored: where it is relayed
    duplicate: bool = False


@dataclass
class OfflineErasure:
    """What `Store.erase_offline` did."""

    erased: int = 0
    unreadable: int = 0  # requests whose address no configured key opens: not checked


@dataclass
class ResealCount:
    """What `Store.reseal` did with one kind of sealed value."""

    kind: str  # table.column
    label: str  # French, for the operator
    resealed: int = 0
    unreadable: int = 0  # no key opens them: left as they are
    changed: int = 0  # written again (by a running server, under its current key) or deleted meanwhile

    @property
    def seen(self) -> int:
        return self.resealed + self.unreadable + self.changed


SEALED_COLUMNS = (  # every column the vault seals: `relais keys rotate` re-seals each of them
    ("conversation.mapping", "correspondances des conversations", Conversation.mapping),
    ("offline_request.email", "adresses e-mail des demandes hors ligne", OfflineRequest.email),
    ("offline_request.mapping", "correspondances des demandes hors ligne", OfflineRequest.mapping),
    ("offline_request.answer", "réponses aux demandes hors ligne", OfflineRequest.answer),
    ("mail_outbox.recipient", "destinataires des courriels en attente", OutboxMail.recipient),
    ("mail_outbox.body", "textes des courriels en attente", OutboxMail.body),
)


def _stored(conversation: Conversation, message: Message, duplicate: bool = False) -> StoredMessage:
    return StoredMessage(conversation.public_id, message.seq, message.author, message.text, message.created_at, message.id,
                         conversation.service, duplicate)


def _firsts(author: str, now: datetime) -> dict:
    """A conversation's first user message and first answer, for the usage statistics' times."""
    if author == "user":
        return {"first_user_at": func.coalesce(Conversation.first_user_at, now)}
    if author == "counsellor":
        return {"first_answer_at": func.coalesce(Conversation.first_answer_at, now)}
    return {}


def draft_figures(payload: dict) -> dict:
    """What the statistics and the quality filters count of a draft, kept beside its payload."""
    citations, confidence = payload.get("citations") or [], payload.get("confidence")
    return {"main_source": citations[0].get("doc_id") if citations else None,
            "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
            "abstained": payload.get("abstained"), "flagged": bool(payload.get("charter_flags"))}


PREVIEW_CHARACTERS = 160  # of a conversation's last message, for the console's list (cut between words)


def _preview(text: str, limit: int = PREVIEW_CHARACTERS) -> str:
    """The first words of a message, on one line (a placeholder has no space: it is never cut).

    >>> _preview("Bonjour,   je voudrais savoir", 20)
    'Bonjour, je voudrais…'
    """
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    return words[:limit + 1].rsplit(" ", 1)[0] + "…"


def mask_address(address: str) -> str:
    """An e-mail address a counsellor can recognise but not read out: first letters only.

    >>> mask_address("lea.martin@exemple.fr")
    'l•••@e•••.fr'
    """
    local, _, domain = address.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}•••@{host[:1]}•••.{tld}" if host else f"{local[:1]}•••@•••"


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    """`ids` in slices of `size`, for bounded IN lists."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _address(address: str) -> str:
    """An e-mail address as compared for erasure: trimmed, in lower case."""
    return address.strip().casefold()


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime (SQLite gives back naive ones, stored as UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _ahead(service: str, conversation_id: int) -> Select:
    """How many conversations wait before `conversation_id` in `service`'s queue (an opened widget
    nobody wrote in is nobody waiting)."""
    return select(func.count()).select_from(Conversation).where(
        Conversation.service == service, Conversation.status == "waiting", Conversation.last_seq > 0,
        Conversation.id < conversation_id,
    )


class Store:
    def __init__(self, sessions: sessionmaker[Session], vault: Vault, retention_days: int = 365) -> None:
        self.sessions = sessions
        self.vault = vault
        self.retention = timedelta(days=retention_days)

    def ping(self) -> bool:
        """The database answers."""
        try:
            with self.sessions() as session:
                return session.execute(select(1)).scalar() == 1
        except Exception:
            return False

    # -- accounts -------------------------------------------------------------------------
    def add_user(self, login: str, password: str, role: str, services: list[str]) -> User:
        if role not in ROLES:
            raise ValueError(f"rôle inconnu « {role} » (attendu : {', '.join(ROLES)})")
        with self.sessions.begin() as session:
            user = User(login=login, password_hash=hash_password(password), role=role, services=services)
            session.add(user)
            try:
                session.flush()
            except IntegrityError as exc:
                raise ValueError(f"le compte « {login} » existe déjà") from exc
            session.add(AuditEntry(user_id=user.id, action="user.created", detail={"role": role}))
            return user

    def authenticate(self, login: str, password: str) -> User | None:
        """The account if the password matches; an unknown login costs the same hashing time, so
        timing does not tell which logins exist."""
        with self.sessions() as session:
            user = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
        matches = password_matches(user.password_hash if user else DUMMY_HASH, password)
        return user if user and matches else None

    def user(self, user_id: int) -> User | None:
        with self.sessions() as session:
            return session.get(User, user_id)

    # -- console sessions -------------------------------------------------------------------
    def open_session(self, user_id: int) -> str:
        """A new console session for `user_id`: its token (only the digest is stored)."""
        token = new_token()
        with self.sessions.begin() as session:
            session.add(ConsoleSession(id=token_digest(token), user_id=user_id))
            session.add(AuditEntry(user_id=user_id, action="session.opened", detail={}))
        return token

    def session_user(self, token: str, idle: timedelta, lifetime: timedelta) -> User | None:
        """The active account of a live session; a session idle or older than allowed ends here."""
        now = utcnow()
        with self.sessions.begin() as session:
            row = session.get(ConsoleSession, token_digest(token))
            if row is None:
                return None
            if now - _utc(row.last_seen) > idle or now - _utc(row.created_at) > lifetime:
                session.delete(row)
                return None
            if now - _utc(row.last_seen) > timedelta(minutes=1):  # not a write per request
                row.last_seen = now
            user = session.get(User, row.user_id)
            return user if user is not None and user.active else None

    def end_session(self, token: str) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(ConsoleSession).where(ConsoleSession.id == token_digest(token)))

    def users(self) -> list[User]:
        with self.sessions() as session:
            return list(session.scalars(select(User).order_by(User.login)))

    def reset_password(self, login: str, password: str) -> int:
        """A new password for an account; its open sessions end. Returns how many ended."""
        with self.sessions.begin() as session:
            user = session.scalar(select(User).where(User.login == login))
            if user is None:
                raise ValueError(f"compte « {login} » inconnu")
            user.password_hash = hash_password(password)
            ended = session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id)).rowcount
            session.add(AuditEntry(user_id=user.id, action="user.password_reset", detail={"sessions_ended": ended}))
            return ended

    def disable_user(self, login: str) -> int:
        """Disable an account and end all its sessions; returns how many were ended."""
        with self.sessions.begin() as session:
            user = session.scalar(select(User).where(User.login == login))
            if user is None:
                raise ValueError(f"compte « {login} » inconnu")
            user.active = False
            ended = session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id)).rowcount
            session.add(AuditEntry(user_id=user.id, action="user.disabled", detail={"sessions_ended": ended}))
            return ended

    # -- conversations --------------------------------------------------------------------
    def open_conversation(self, service: str) -> tuple[str, str]:
        """A new conversation: (public id, token). Only the token's digest is stored."""
        opened = self.open_in_queue(service)
        return opened.public_id, opened.token

    def open_in_queue(self, service: str) -> NewConversation:
        """A new conversation and its position in its service's queue, in one short transaction: all
        a welcome needs, so that a burst of hellos costs the relay of others as little as can be."""
        token, public_id = new_token(), secrets.token_hex(8)
        with self.sessions.begin() as session:
            new_id = session.execute(
                insert(Conversation.__table__).values(
                    public_id=public_id, token_hash=token_digest(token), service=service, status="waiting",
                    retain_until=utcnow() + self.retention,
                ).returning(Conversation.__table__.c.id)
            ).scalar_one()
            return NewConversation(public_id, token, session.scalar(_ahead(service, new_id)) + 1)

    def _conversation(self, session: Session, public_id: str, token: str | None = None, scope: Scope = None) -> Conversation:
        """The conversation, read in the caller's transaction. `NotFound` for a wrong token, and for
        a conversation that is not in one of the `scope`'s services *now* (None: any service), so
        that the check and the act on it are one unit of work."""
        conversation = session.scalar(select(Conversation).where(Conversation.public_id == public_id))
        if conversation is None or (token is not None and not token_matches(conversation.token_hash, token)):
            raise NotFound(public_id)
        if scope is not None and conversation.service not in scope:
            raise NotFound(public_id)
        return conversation

    def check_token(self, public_id: str, token: str) -> str:
        """The conversation's service if the token opens it, else `NotFound`."""
        with self.sessions() as session:
            return self._conversation(session, public_id, token).service

    def append(
        self, public_id: str, author: str, text: str, idempotency_key: str | None = None, counsellor_id: int | None = None,
        *, scope: Scope = None, decision: tuple[int, str] | None = None,
    ) -> StoredMessage:
        """Store a message with the next sequence number (or return the one already sent with that key).

        A closed conversation takes only the system's last words (`Closed` for anyone else). With
        `decision` (draft id, "sent" or "edited"), the counsellor's answer and what they did with
        the draft are stored together; a draft already decided keeps its first decision."""
        for _ in range(50):  # a concurrent writer took the same seq: read again and retry
            with self.sessions() as session:
                try:
                    conversation = self._conversation(session, public_id, scope=scope)
                    if idempotency_key:
                        existing = session.scalar(
                            select(Message).where(
                                Message.conversation_id == conversation.id, Message.idempotency_key == idempotency_key
                            )
                        )
                        if existing:
                            return _stored(conversation, existing, duplicate=True)
                    if author == "counsellor":
                        self._in_hand(conversation, counsellor_id, scope)
                    elif conversation.status == "closed" and author != "system":
                        raise Closed(public_id)
                    seq = conversation.last_seq + 1
                    claimed = session.execute(
                        update(Conversation)
                        .where(Conversation.id == conversation.id, Conversation.last_seq == seq - 1,
                               # a close (or a take) committed since the read: read again and decide again
                               Conversation.status == conversation.status,
                               Conversation.counsellor_id.is_(None) if conversation.counsellor_id is None
                               else Conversation.counsellor_id == conversation.counsellor_id)
                        .values(last_seq=seq, updated_at=(now := utcnow()), **_firsts(author, now))
                    )
                    if claimed.rowcount != 1:
                        session.rollback()
                        continue
                    message = Message(
                        conversation_id=conversation.id, seq=seq, author=author, text=text,
                        idempotency_key=idempotency_key, counsellor_id=counsellor_id, created_at=now,
                    )
                    session.add(message)
                    if decision is not None:
                        draft_id, outcome = decision
                        self._decide(session, self._draft(session, public_id, draft_id, scope), outcome, text, counsellor_id)
                    session.commit()
                    return _stored(conversation, message)
                except IntegrityError:
                    session.rollback()
        raise RuntimeError("conflit d'écriture persistant")

    def messages_since(self, public_id: str, after_seq: int, scope: Scope = None) -> list[StoredMessage]:
        with self.sessions() as session:
            conversation = self._conversation(session, public_id, scope=scope)
            rows = session.scalars(
                select(Message).where(Message.conversation_id == conversation.id, Message.seq > after_seq).order_by(Message.seq)
            )
            return [_stored(conversation, m) for m in rows]

    def user_turns(self, public_id: str, before_seq: int | None = None, limit: int = HISTORY_TURNS,
                   scope: Scope = None) -> list[str]:
        """The conversation's last user messages before `before_seq` (pseudonymised, oldest first):
        what a follow-up is understood with."""
        with self.sessions() as session:
            conversation = self._conversation(session, public_id, scope=scope)
            query = select(Message.text).where(Message.conversation_id == conversation.id, Message.author == "user")
            if before_seq is not None:
                query = query.where(Message.seq < before_seq)
            return list(reversed(session.scalars(query.order_by(Message.seq.desc()).limit(limit)).all()))

    def _move(self, public_id: str, action: str, counsellor_id: int | None, *, status: str | None = None,
              service: str | None = None, note: str | None = None, scope: Scope = None) -> str:
        """One change of a conversation's state or service, audited; `Closed` once it is closed,
        `AlreadyTaken` when another counsellor has it (see `_in_hand`). Returns the service it had
        before. The change is one conditional UPDATE: of two counsellors taking at once, one wins."""
        for _ in range(5):  # another act came first: read again and decide again
            with self.sessions.begin() as session:
                conversation = self._conversation(session, public_id, scope=scope)
                self._in_hand(conversation, counsellor_id, scope)
                before = conversation.service
                values: dict = {"updated_at": utcnow()}
                if status:
                    values |= {"status": status, "counsellor_id": counsellor_id if status == "active" else None}
                if status == "closed":
                    values["closed_at"] = values["updated_at"]
                if service:
                    values["service"] = service
                unchanged = [Conversation.id == conversation.id, Conversation.status == conversation.status,
                             Conversation.service == before,
                             Conversation.counsellor_id.is_(None) if conversation.counsellor_id is None
                             else Conversation.counsellor_id == conversation.counsellor_id]
                if session.execute(update(Conversation).where(*unchanged).values(**values)).rowcount != 1:
                    continue  # nothing was written
                detail = {"service": values.get("service", before), **({"from": before} if service else {}),
                          **({"note": note} if note else {})}
                session.add(AuditEntry(user_id=counsellor_id, action=f"conversation.{action}",
                                       conversation_id=conversation.id, detail=detail))
                return before
        raise RuntimeError("conflit d'écriture persistant")

    @staticmethod
    def _in_hand(conversation: Conversation, counsellor_id: int | None, scope: Scope) -> None:
        """A closed conversation changes no more (`Closed`); one a counsellor has taken is theirs:
        a colleague of the service cannot take, answer, decide, transfer or close it
        (`AlreadyTaken`); a supervisor (no scope) can."""
        if conversation.status == "closed":
            raise Closed(conversation.public_id)
        if scope is not None and conversation.status == "active" and conversation.counsellor_id not in (None, counsellor_id):
            raise AlreadyTaken(conversation.public_id)

    def may_answer(self, public_id: str, counsellor_id: int, scope: Scope = None) -> None:
        """Whether this counsellor may act on the conversation now (`Closed`, `AlreadyTaken`,
        `NotFound` otherwise), for what stores nothing (« un conseiller écrit… »)."""
        with self.sessions() as session:
            self._in_hand(self._conversation(session, public_id, scope=scope), counsellor_id, scope)

    def take(self, public_id: str, counsellor_id: int, scope: Scope = None) -> str:
        """A counsellor answers this conversation from now on; returns its service."""
        return self._move(public_id, "taken", counsellor_id, status="active", scope=scope)

    def transfer(self, public_id: str, service: str, counsellor_id: int | None, note: str | None = None,
                 scope: Scope = None) -> str:
        """Move a conversation to another service's queue (waiting again); returns the old service."""
        return self._move(public_id, "transferred", counsellor_id, status="waiting", service=service, note=note, scope=scope)

    def route(self, public_id: str, service: str) -> bool:
        """Put a conversation in the queue its first message points to, if nobody has written in
        it, taken, moved or closed it yet (a guess never undoes a counsellor); whether it moved."""
        with self.sessions.begin() as session:
            moved = session.execute(
                update(Conversation)
                .where(Conversation.public_id == public_id, Conversation.last_seq == 0, Conversation.status == "waiting",
                       Conversation.counsellor_id.is_(None))
                .values(service=service, updated_at=utcnow())
            ).rowcount
        return moved == 1

    def close(self, public_id: str, counsellor_id: int, scope: Scope = None) -> str:
        """Close the conversation for good; returns its service."""
        return self._move(public_id, "closed", counsellor_id, status="closed", scope=scope)

    def state(self, public_id: str) -> tuple[str, str, int]:
        """(service, status, last seq) of a conversation."""
        with self.sessions() as session:
            conversation = self._conversation(session, public_id)
            return conversation.service, conversation.status, conversation.last_seq

    def queue_position(self, public_id: str) -> int:
        """1 for the next conversation a counsellor will take in its queue; 0 once taken."""
        with self.sessions() as session:
            conversation = self._conversation(session, public_id)
            if conversation.status != "waiting":
                return 0
            return session.scalar(_ahead(conversation.service, conversation.id)) + 1

    def queues(self, services: list[str] | None) -> list[dict]:
        """Open conversations (waiting or active) with at least one message, for the console's queue
        view: the first words of the last message (pseudonymised), since when the person has been
        waiting for an answer (None once a counsellor answered their last message), who has it,
        and the note of the transfer that brought a waiting one here."""
        spoken = aliased(Message)
        answered = aliased(Message)
        asking = aliased(Message)
        last_spoken = (select(func.max(spoken.seq))
                       .where(spoken.conversation_id == Conversation.id, spoken.author.in_(("user", "counsellor")))
                       .scalar_subquery())
        answered_after = (select(answered.id)
                          .where(answered.conversation_id == asking.conversation_id, answered.author == "counsellor",
                                 answered.seq > asking.seq)
                          .exists())
        waiting_since = (select(func.min(asking.created_at))  # the first user message no counsellor answered after
                         .where(asking.conversation_id == Conversation.id, asking.author == "user", ~answered_after)
                         .scalar_subquery())
        query = (select(Conversation, Message.text, Message.author, Message.created_at, waiting_since, User.login)
                 .select_from(Conversation)
                 .outerjoin(Message, and_(Message.conversation_id == Conversation.id, Message.seq == last_spoken))
                 .outerjoin(User, User.id == Conversation.counsellor_id)
                 .where(Conversation.status.in_(("waiting", "active")), Conversation.last_seq > 0)
                 .order_by(Conversation.id))
        if services is not None:
            query = query.where(Conversation.service.in_(services))
        with self.sessions() as session:
            rows = session.execute(query).all()
            notes = self._transfer_notes(session, [c.id for c, *_ in rows if c.status == "waiting"])
            return [
                {"conversation": c.public_id, "service": c.service, "status": c.status,
                 "counsellor_id": c.counsellor_id, "counsellor": login, "last_seq": c.last_seq,
                 "last_author": author, "preview": _preview(text or ""),
                 "last_at": _utc(at).isoformat() if at else None,
                 "waiting_since": _utc(since).isoformat() if since else None,
                 **notes.get(c.id, {})}
                for c, text, author, at, since, login in rows
            ]

    def service_of(self, public_id: str) -> str:
        with self.sessions() as session:
            return self._conversation(session, public_id).service

    # -- placeholder mapping (encrypted) ---------------------------------------------------
    def mapping(self, public_id: str) -> PseudonymMap:
        with self.sessions() as session:
            return self.vault.open_mapping(public_id, self._conversation(session, public_id).mapping)

    def save_mapping(self, mapping: PseudonymMap) -> None:
        with self.sessions.begin() as session:
            self._conversation(session, mapping.conversation_id).mapping = self.vault.seal_mapping(mapping)

    def reseal(self, batch_size: int = 500, progress: Callable[[ResealCount, int], None] | None = None) -> list[ResealCount]:
        """Seal every stored encrypted value again under the vault's current key, `batch_size` rows
        per transaction, so the old keys can then be dropped. A value no key opens is counted and
        left as it is. `progress(count so far, total of its kind)` is called after each batch."""
        counts = []
        for kind, label, column in SEALED_COLUMNS:
            count = ResealCount(kind, label)
            table_id = column.class_.id
            with self.sessions() as session:
                total = session.scalar(select(func.count()).where(column.is_not(None)))
            last_id = 0
            while True:
                with self.sessions.begin() as session:
                    rows = session.execute(select(table_id, column).where(column.is_not(None), table_id > last_id)
                                           .order_by(table_id).limit(batch_size)).all()
                    for row_id, sealed in rows:
                        try:
                            resealed = self.vault.rotate(sealed)
                        except Unreadable:
                            count.unreadable += 1
                            continue
                        # only if unchanged since read: a live server may have just sealed a new value
                        if session.execute(update(column.class_).where(table_id == row_id, column == sealed)
                                           .values({column.key: resealed})).rowcount == 1:
                            count.resealed += 1
                        else:
                            count.changed += 1
                if not rows:
                    break
                last_id = rows[-1][0]
                if progress:
                    progress(count, total)
            counts.append(count)
        return counts

    # -- drafts and counsellor actions -----------------------------------------------------
    def save_draft(self, public_id: str, message_id: int, payload: dict) -> int:
        with self.sessions.begin() as session:
            conversation = self._conversation(session, public_id)
            record = DraftRecord(conversation_id=conversation.id, message_id=message_id, payload=payload,
                                 service=conversation.service, **draft_figures(payload))
            session.add(record)
            session.flush()
            return record.id

    def pending_draft(self, public_id: str, scope: Scope = None) -> tuple[int, dict, int] | None:
        """(draft id, payload, message seq) of the newest undecided draft of a conversation."""
        with self.sessions() as session:
            conversation = self._conversation(session, public_id, scope=scope)
            row = session.execute(
                select(DraftRecord, Message.seq)
                .join(Message, Message.id == DraftRecord.message_id)
                .where(DraftRecord.conversation_id == conversation.id, DraftRecord.outcome.is_(None))
                .order_by(DraftRecord.id.desc())
                .limit(1)
            ).first()
            return (row[0].id, row[0].payload, row[1]) if row else None

    def draft_message(self, public_id: str, draft_id: int, scope: Scope = None) -> tuple[int, str, int, str]:
        """(message id, pseudonymised text, seq, service now) of the user message a draft of this
        conversation answers; NotFound when the draft is not this conversation's, Closed once it is closed."""
        with self.sessions() as session:
            record = self._draft(session, public_id, draft_id, scope)
            message = session.get(Message, record.message_id)
            return message.id, message.text, message.seq, self._conversation(session, public_id).service

    def _draft(self, session: Session, public_id: str, draft_id: int, scope: Scope = None) -> DraftRecord:
        """A draft of this conversation (`NotFound` for another conversation's, so a counsellor
        never reaches a draft through a conversation they serve)."""
        conversation = self._conversation(session, public_id, scope=scope)
        record = session.get(DraftRecord, draft_id)
        if record is None or record.conversation_id != conversation.id:
            raise NotFound(str(draft_id))
        if conversation.status == "closed":
            raise Closed(public_id)
        return record

    def draft_text(self, public_id: str, draft_id: int, scope: Scope = None) -> str | None:
        with self.sessions() as session:
            return self._draft(session, public_id, draft_id, scope).payload.get("draft")

    def decide_draft(self, public_id: str, draft_id: int, outcome: str, final_text: str | None, counsellor_id: int,
                     scope: Scope = None, reason: str | None = None) -> bool:
        """Record what a counsellor did with a draft of this conversation: sent as is, edited, or
        rejected with a `reason` (pseudonymised) — once (False when it was already decided: the
        first decision stands)."""
        with self.sessions.begin() as session:
            record = self._draft(session, public_id, draft_id, scope)
            self._in_hand(self._conversation(session, public_id), counsellor_id, scope)
            return self._decide(session, record, outcome, final_text, counsellor_id, reason)

    @staticmethod
    def _decide(session: Session, record: DraftRecord, outcome: str, final_text: str | None, counsellor_id: int | None,
                reason: str | None = None) -> bool:
        if outcome not in ("sent", "edited", "rejected"):
            raise ValueError(outcome)
        if reason is not None and outcome != "rejected":
            raise ValueError("only a rejection has a reason")
        if record.outcome is not None:
            return False
        record.outcome, record.final_text, record.reject_reason = outcome, final_text, reason
        record.counsellor_id, record.decided_at = counsellor_id, utcnow()
        session.add(AuditEntry(user_id=counsellor_id, action=f"draft.{outcome}", conversation_id=record.conversation_id,
                               detail={"draft_id": record.id}))
        return True

    def decided_drafts(self, since: datetime, outcomes: tuple[str, ...] = ("edited", "rejected")) -> list[dict]:
        """Drafts decided at or after `since` with one of `outcomes`, oldest decision first, for the
        quality team's harvest: pseudonymised texts only, never a counsellor or a conversation id.

        A rejected draft has no final text; `next_counsellor_text` is then what the counsellor
        wrote instead (their first message after the user's one), if any. A naive `since` is UTC.
        The same query as the quality page's exports (`quality_drafts`).
        """
        return [
            {"draft_id": r["draft_id"], "service": r["service"], "question": r["question"], "payload": r["payload"],
             "outcome": r["outcome"], "final_text": r["final_text"],
             "next_counsellor_text": r["answer_sent"] if r["outcome"] == "rejected" else None,
             "reject_reason": r["reject_reason"], "decided_at": r["decided_at"]}
            for r in self.quality_drafts(decided_since=_utc(since), outcomes=outcomes)
        ]

    # -- offline requests -------------------------------------------------------------------
    def add_offline(self, service: str, question: str, email: str, mapping: PseudonymMap) -> int:
        with self.sessions.begin() as session:
            request = OfflineRequest(
                service=service, question=question, email=self.vault.seal(email),
                mapping=self.vault.seal_mapping(mapping), retain_until=utcnow() + self.retention,
            )
            session.add(request)
            session.flush()
            return request.id

    def offline_inbox(self, services: list[str] | None) -> list[dict]:
        """Offline requests waiting for a counsellor, the longest waiting first, with the question
        restored and the background draft (`draft`, `draft_text`, `drafted_at`) if made: the open ones
        (a request whose mail failed is open again, marked `"mail": "failed"` with the reason and
        the answer that did not go), and those whose mail nobody can send (`"mail": "queued"`,
        with why). A request whose mail is queued or sent has left the inbox."""
        held = and_(OutboxMail.status == "queued", OutboxMail.hold_reason.is_not(None))
        query = (select(OfflineRequest, OutboxMail)
                 .outerjoin(OutboxMail, OutboxMail.request_id == OfflineRequest.id)
                 .where(or_(OfflineRequest.status == "open", held))
                 .order_by(OfflineRequest.id))
        if services is not None:
            query = query.where(OfflineRequest.service.in_(services))
        with self.sessions() as session:
            inbox = []
            for request, mail in session.execute(query):
                mapping = self.vault.open_mapping(f"offline-{request.id}", request.mapping)
                entry = {"id": request.id, "service": request.service, "created_at": _utc(request.created_at).isoformat(),
                         "question": mapping.restore(request.question),
                         # the assistant's draft made in the background (None: not yet), its text restored for the counsellor
                         "draft": request.draft, "draft_text": mapping.restore(request.draft["draft"]) if request.draft else None,
                         "drafted_at": _utc(request.drafted_at).isoformat() if request.draft and request.drafted_at else None}
                if mail is not None and mail.status == "failed":
                    entry |= {"mail": "failed", "reason": mail_failure(mail.attempts, mail.last_error or "raison inconnue"),
                              "answer": self._answer(request)}
                elif mail is not None and mail.status == "queued":
                    entry |= {"mail": "queued", "reason": mail.hold_reason, "answer": self._answer(request)}
                inbox.append(entry)
            return inbox

    def _answer(self, request: OfflineRequest) -> str | None:
        """The counsellor's answer, to send again (None: none kept, or no configured key opens it)."""
        return self._unsealed(request.answer) if request.answer else None

    def offline_contact(self, request_id: int) -> tuple[str, str, str]:
        """(email, restored question, service) of an open offline request, to mail the answer."""
        with self.sessions() as session:
            request = session.get(OfflineRequest, request_id)
            if request is None or request.status != "open":
                raise NotFound(str(request_id))
            mapping = self.vault.open_mapping(f"offline-{request_id}", request.mapping)
            return self.vault.open(request.email), mapping.restore(request.question), request.service

    # -- the outbox: offline answers waiting to be mailed ------------------------------------------
    def queue_offline_answer(self, request_id: int, text: str, counsellor_id: int, scope: Scope = None) -> None:
        """Record a counsellor's answer to an open offline request and queue its mail, in one
        transaction. `NotFound` for an unknown request or one outside the `scope`'s services;
        `AlreadyAnswered` when its answer is queued or mailed (a request whose mail failed is
        open again, and answered anew here)."""
        now = utcnow()
        with self.sessions.begin() as session:
            ours = OfflineRequest.service.in_(scope) if scope is not None else true()
            answered = session.execute(
                update(OfflineRequest).where(OfflineRequest.id == request_id, OfflineRequest.status == "open", ours)
                .values(status="answered", answer=self.vault.seal(text), counsellor_id=counsellor_id, answered_at=now)
            ).rowcount
            if answered != 1:
                request = session.get(OfflineRequest, request_id)
                if request is None or (scope is not None and request.service not in scope):
                    raise NotFound(str(request_id))
                raise AlreadyAnswered(str(request_id))
            request = session.get(OfflineRequest, request_id)
            mapping = self.vault.open_mapping(f"offline-{request_id}", request.mapping)
            question = mapping.restore(request.question)
            self._file_offline_decision(session, request, mapping.restore(request.draft["draft"]) if request.draft else None,
                                        text, counsellor_id)
            mail = session.scalar(select(OutboxMail).where(OutboxMail.request_id == request_id))
            if mail is None:
                mail = OutboxMail(request_id=request_id)
                session.add(mail)
            mail.service, mail.recipient, mail.body = request.service, request.email, self.vault.seal(answer_body(question, text))
            mail.status, mail.attempts, mail.next_attempt_at, mail.queued_at = "queued", 0, now, now
            mail.message_id = mail.claim = mail.last_error = mail.hold_reason = mail.sent_at = None
            session.add(AuditEntry(user_id=counsellor_id, action="offline.answered", detail={"request_id": request_id}))

    def claim_mail(self, due: datetime, until: datetime, message_id: str) -> ClaimedMail | None:
        """Take the oldest mail due at `due` until `until` (it is nobody else's till then), or None.

        The claim is one conditional UPDATE, so two senders never take the same mail; a sender
        that dies holding one only delays it to `until`. `message_id` names the mail unless
        an earlier attempt already did (a retry keeps its Message-ID)."""
        due_now = and_(OutboxMail.status == "queued", OutboxMail.next_attempt_at <= due)
        for _ in range(50):  # another sender took the one we saw: look again
            with self.sessions() as session:
                candidate = session.scalar(
                    select(OutboxMail.id).where(due_now).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(1))
            if candidate is None:
                return None
            claim = secrets.token_hex(16)
            with self.sessions.begin() as session:
                taken = session.execute(
                    update(OutboxMail).where(OutboxMail.id == candidate, due_now)
                    .values(claim=claim, attempts=OutboxMail.attempts + 1, next_attempt_at=until,
                            hold_reason=None, message_id=func.coalesce(OutboxMail.message_id, message_id))
                ).rowcount
                if taken != 1:
                    continue
                mail = session.get(OutboxMail, candidate)
                return ClaimedMail(mail.id, mail.request_id, mail.service, mail.attempts, claim, mail.message_id,
                                   self._unsealed(mail.recipient), self._unsealed(mail.body))
        return None

    def _unsealed(self, sealed: bytes) -> str | None:
        try:
            return self.vault.open(sealed)
        except ValueError:
            return None

    def mail_sent(self, mail_id: int, claim: str) -> bool:
        """The mail has gone; False when the claim was lost (the lease ended and another sender took it)."""
        with self.sessions.begin() as session:
            done = session.execute(
                update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claim == claim, OutboxMail.status == "queued")
                .values(status="sent", claim=None, sent_at=utcnow(), last_error=None)
            ).rowcount
            if done:
                mail = session.get(OutboxMail, mail_id)
                session.add(AuditEntry(action="offline.mailed", detail={"request_id": mail.request_id, "attempts": mail.attempts}))
            return done == 1

    def mail_retry(self, mail_id: int, claim: str, at: datetime, reason: str) -> bool:
        """The attempt failed: try again at `at`. `reason` is French and holds no personal data."""
        with self.sessions.begin() as session:
            return session.execute(
                update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claim == claim, OutboxMail.status == "queued")
                .values(claim=None, next_attempt_at=at, last_error=reason)
            ).rowcount == 1

    def mail_failed(self, mail_id: int, claim: str, reason: str) -> bool:
        """No more attempts: the mail is failed and its request open again in the inbox, with `reason`."""
        with self.sessions.begin() as session:
            done = session.execute(
                update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claim == claim, OutboxMail.status == "queued")
                .values(status="failed", claim=None, last_error=reason)
            ).rowcount
            if done:
                mail = session.get(OutboxMail, mail_id)
                session.execute(update(OfflineRequest).where(OfflineRequest.id == mail.request_id).values(status="open"))
                session.add(AuditEntry(action="offline.mail_failed",
                                       detail={"request_id": mail.request_id, "attempts": mail.attempts, "reason": reason}))
            return done == 1

    def hold_mails(self, reason: str) -> int:
        """Say why the queued mails cannot be sent (no SMTP server): the inbox shows it. How many."""
        with self.sessions.begin() as session:
            return session.execute(
                update(OutboxMail).where(OutboxMail.status == "queued", OutboxMail.hold_reason.is_(None))
                .values(hold_reason=reason)
            ).rowcount

    def offline_mail(self, request_id: int) -> MailState | None:
        """Where the mail answering an offline request stands, if it was ever queued."""
        with self.sessions() as session:
            mail = session.scalar(select(OutboxMail).where(OutboxMail.request_id == request_id))
            if mail is None:
                return None
            return MailState(mail.status, mail.attempts, _utc(mail.next_attempt_at), mail.message_id, mail.last_error,
                             mail.hold_reason)

    # -- retention and erasure --------------------------------------------------------------
    # SQLite overwrites deleted rows with zeros (`secure_delete`, web/db.py); each deletion below
    # then checkpoints the write-ahead log, so that no copy of them is left there either.
    def purge(self, now: datetime | None = None) -> int:
        """Delete conversations and offline requests past their retention date, and the
        conversations opened but never written to for an hour."""
        now = now or datetime.now(timezone.utc)
        with self.sessions.begin() as session:
            expired = session.scalars(select(Conversation.id).where(or_(
                Conversation.retain_until < now,
                and_(Conversation.last_seq == 0, Conversation.created_at < now - EMPTY_EXPIRES)))).all()
            gone = self._erase_conversations(session, list(expired))
            gone += session.execute(delete(OfflineRequest).where(OfflineRequest.retain_until < now)).rowcount
            session.add(AuditEntry(action="purge", detail={"deleted": gone}))
        self._checkpoint()
        return gone

    def erase(self, public_ids: list[str], requested_by: int | None = None) -> int:
        """Erase conversations on request (messages, drafts, mapping, and the notes of their
        transfers go with them); how many. Each id may be the conversation's reference, its first
        8 characters or more, when it names only one (`AmbiguousReference` otherwise)."""
        with self.sessions.begin() as session:
            ids = [found for reference in public_ids for found in self._referenced(session, reference)]
            gone = self._erase_conversations(session, ids)
            session.add(AuditEntry(user_id=requested_by, action="erasure", detail={"conversations": gone}))
        self._checkpoint()
        return gone

    def erase_conversation(self, public_id: str) -> str:
        """Erase one conversation at the request of the person who wrote it (the widget); the
        service it was in. `NotFound` when it is gone already."""
        with self.sessions.begin() as session:
            conversation = self._conversation(session, public_id)
            service = conversation.service
            self._erase_conversations(session, [conversation.id])
            session.add(AuditEntry(action="erasure", detail={"conversations": 1, "requested_by": "public"}))
        self._checkpoint()
        return service

    def erase_offline(self, address: str, batch_size: int = 500) -> OfflineErasure:
        """Erase the offline requests left with this e-mail address (any case), and their mails.

        Addresses are sealed, with a random IV each: they are opened one by one, `batch_size`
        rows at a time. One no configured key opens is counted, not erased."""
        wanted = _address(address)
        found, erasure, last_id = [], OfflineErasure(), 0
        while True:
            with self.sessions() as session:
                rows = session.execute(select(OfflineRequest.id, OfflineRequest.email).where(OfflineRequest.id > last_id)
                                       .order_by(OfflineRequest.id).limit(batch_size)).all()
            if not rows:
                break
            last_id = rows[-1][0]
            for request_id, sealed in rows:
                try:
                    if _address(self.vault.open(sealed)) == wanted:
                        found.append(request_id)
                except Unreadable:
                    erasure.unreadable += 1
        with self.sessions.begin() as session:
            for chunk in _chunks(found, batch_size):
                session.execute(delete(OutboxMail).where(OutboxMail.request_id.in_(chunk)))
                erasure.erased += session.execute(delete(OfflineRequest).where(OfflineRequest.id.in_(chunk))).rowcount
            session.add(AuditEntry(action="erasure", detail={"offline_requests": erasure.erased}))
        self._checkpoint()
        return erasure

    @staticmethod
    def _referenced(session: Session, reference: str) -> list[int]:
        """The conversation with this public id, or the only one it starts (8 characters at least)."""
        exact = session.scalar(select(Conversation.id).where(Conversation.public_id == reference))
        if exact is not None:
            return [exact]
        reference = reference.strip().lower()
        if not REFERENCE.fullmatch(reference):
            return []
        ids = session.scalars(select(Conversation.id).where(Conversation.public_id.startswith(reference, autoescape=True))
                              .limit(2)).all()
        if len(ids) > 1:
            raise AmbiguousReference(reference)
        return list(ids)

    @staticmethod
    def _erase_conversations(session: Session, ids: list[int], chunk: int = 500) -> int:
        """Delete conversations (their messages and drafts with them) and the notes their
        transfers left in the audit; who did what and when stays, pointing at no conversation (a
        row id may be given again to another). `chunk` ids per statement."""
        gone = 0
        for some in _chunks(ids, chunk):
            for entry in session.scalars(select(AuditEntry).where(AuditEntry.conversation_id.in_(some))).all():
                entry.conversation_id = None
                if "note" in entry.detail:
                    entry.detail = {key: value for key, value in entry.detail.items() if key != "note"}
            session.execute(delete(DraftRecord).where(DraftRecord.conversation_id.in_(some)))
            session.execute(delete(Message).where(Message.conversation_id.in_(some)))
            gone += session.execute(delete(Conversation).where(Conversation.id.in_(some))).rowcount
        return gone

    def _checkpoint(self) -> None:
        checkpoint(self.sessions.kw["bind"])

    # -- what the person chooses to tell: profile and opinion (widget) -------------------------
    def set_profile(self, public_id: str, audience: str | None, departement: str | None) -> None:
        """Record who writes (eleve | parent | etudiant | adulte) and their département, both
        optional (None clears); validated by the widget's frame. `NotFound` for no conversation."""
        with self.sessions.begin() as session:
            conversation = self._conversation(session, public_id)
            conversation.audience, conversation.departement = audience, departement

    def rate(self, public_id: str, score: int, comment: str | None = None) -> None:
        """The person's opinion of the conversation (score 1–5, comment already pseudonymised),
        once: `AlreadyRated` for a second one, `NotFound` for no conversation."""
        if not 1 <= score <= 5:
            raise ValueError("score must be between 1 and 5")
        with self.sessions() as session:
            conversation = self._conversation(session, public_id)
            session.add(Rating(conversation_id=conversation.id, score=score, comment=comment or None))
            try:
                session.commit()
            except IntegrityError as exc:  # the unique conversation_id: another rating came first
                session.rollback()
                raise AlreadyRated(public_id) from exc

    def rated(self, public_id: str) -> bool:
        """Whether the person already gave their opinion on this conversation."""
        with self.sessions() as session:
            conversation = self._conversation(session, public_id)
            return session.scalar(select(Rating.id).where(Rating.conversation_id == conversation.id)) is not None

    # -- offline triage: drafts made in the background ---------------------------------------------
    def claim_undrafted_offline(self, lease: timedelta = timedelta(minutes=10)) -> tuple[int, str, str] | None:
        """(id, pseudonymised question, service) of the oldest open offline request with no draft,
        claimed for `lease` so that another process does not draft it too (`drafted_at` holds the
        claim until the draft is saved); None when none waits."""
        now = utcnow()
        free = and_(OfflineRequest.status == "open", OfflineRequest.draft.is_(None),
                    or_(OfflineRequest.drafted_at.is_(None), OfflineRequest.drafted_at < now - lease))
        for _ in range(20):  # another process claimed the one we saw: look again
            with self.sessions() as session:
                row = session.execute(select(OfflineRequest.id, OfflineRequest.question, OfflineRequest.service)
                                      .where(free).order_by(OfflineRequest.id).limit(1)).first()
            if row is None:
                return None
            with self.sessions.begin() as session:
                if session.execute(update(OfflineRequest).where(OfflineRequest.id == row[0], free)
                                   .values(drafted_at=now)).rowcount == 1:
                    return row[0], row[1], row[2]
        return None

    def undrafted_offline_count(self) -> int:
        """How many open offline requests have no draft yet."""
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(OfflineRequest).where(
                OfflineRequest.status == "open", OfflineRequest.draft.is_(None))) or 0

    def save_offline_draft(self, request_id: int, payload: dict) -> bool:
        """Keep the draft of an offline request (a Draft.to_json()); False when it is gone, answered
        or drafted meanwhile (the first draft stays)."""
        with self.sessions.begin() as session:
            return session.execute(
                update(OfflineRequest).where(OfflineRequest.id == request_id, OfflineRequest.draft.is_(None),
                                             OfflineRequest.status == "open")
                .values(draft=payload, drafted_at=utcnow())).rowcount == 1

    def release_offline_claim(self, request_id: int) -> None:
        """Drafting failed: let the request be claimed again at once."""
        with self.sessions.begin() as session:
            session.execute(update(OfflineRequest).where(OfflineRequest.id == request_id, OfflineRequest.draft.is_(None))
                            .values(drafted_at=None))

    @staticmethod
    def _file_offline_decision(session: Session, request: OfflineRequest, draft_text: str | None, answer: str,
                               counsellor_id: int) -> None:
        """What the counsellor did with the background draft, filed like a chat draft's decision:
        "sent" (as is) or "edited", kept in the draft (`outcome`, `decided_at`) and audited. The first
        answer decides (an answer sent again after a failed mail does not)."""
        if draft_text is None or request.draft.get("outcome"):
            return
        outcome = "sent" if draft_text.strip() == answer.strip() else "edited"
        request.draft = {**request.draft, "outcome": outcome, "decided_at": utcnow().isoformat()}
        session.add(AuditEntry(user_id=counsellor_id, action=f"draft.{outcome}", detail={"offline_request_id": request.id}))

    # -- the quality team's reading (closed conversations, pseudonymised) ------------------------
    @staticmethod
    def _answer_sent() -> Any:
        """The counsellor's first message after the draft's user message: what was sent instead of
        a rejected draft (and what carried a sent or edited one)."""
        reply = aliased(Message)
        return (select(reply.text)
                .where(reply.conversation_id == Message.conversation_id, reply.author == "counsellor", reply.seq > Message.seq)
                .order_by(reply.seq).limit(1).scalar_subquery())

    def quality_drafts(self, selection: Selection | None = None, *, decided_since: datetime | None = None,
                       outcomes: tuple[str, ...] | None = None, limit: int | None = None) -> list[dict]:
        """The drafts of the selected closed conversations (every conversation when no selection is
        given), by decision time then id: the one query behind the CSV and candidate exports and
        `relais eval harvest`. Texts as stored (pseudonymised)."""
        counsellor = aliased(User)
        query = (
            select(DraftRecord, Message.text, Conversation.service, Conversation.public_id, Conversation.closed_at,
                   self._answer_sent(), counsellor.login, Rating.score)
            .join(Message, Message.id == DraftRecord.message_id)
            .join(Conversation, Conversation.id == DraftRecord.conversation_id)
            .outerjoin(counsellor, counsellor.id == DraftRecord.counsellor_id)
            .outerjoin(Rating, Rating.conversation_id == Conversation.id)
            .order_by(DraftRecord.decided_at, DraftRecord.id)
        )
        if selection is not None:
            query = query.where(*selection.conditions())
        if decided_since is not None:
            query = query.where(DraftRecord.decided_at >= decided_since)
        if outcomes is not None:
            query = query.where(DraftRecord.outcome.in_(outcomes))
        if limit is not None:
            query = query.limit(limit)
        with self.sessions() as session:
            return [
                {"draft_id": d.id, "conversation": public_id, "service": service, "closed_at": _utc(closed) if closed else None,
                 "question": question, "payload": d.payload, "outcome": d.outcome, "final_text": d.final_text,
                 "answer_sent": answer, "reject_reason": d.reject_reason, "counsellor": login,
                 "decided_at": _utc(d.decided_at) if d.decided_at else None, "rating": score}
                for d, question, service, public_id, closed, answer, login, score in session.execute(query)
            ]

    def quality_conversations(self, selection: Selection, limit: int = 50, offset: int = 0,
                              count_up_to: int = 1_000) -> tuple[int, list[dict]]:
        """(how many conversations the selection holds, counted up to `count_up_to` + 1 so that a
        page of a large selection costs no more than a small one; one page of them, last closed
        first), each with its counts of messages and of drafts per outcome, its lowest confidence,
        its charter flags and its rating."""
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(
                select(Conversation.id).where(*selection.conditions()).limit(count_up_to + 1).subquery())) or 0
            if total <= min(offset, count_up_to):  # counted to the end: nothing left for this page
                return int(total), []
            # the last closed first, walking the closing times' index until the page is full (named on
            # SQLite, whose planner without statistics would test every closed conversation, then sort)
            page = session.execute(through(
                select(Conversation.id, Conversation.public_id, Conversation.service, Conversation.created_at,
                       Conversation.closed_at, Conversation.audience, Rating.score)
                .outerjoin(Rating, Rating.conversation_id == Conversation.id)
                .where(*selection.conditions())
                .order_by(Conversation.closed_at.desc(), Conversation.id.desc()).limit(limit).offset(offset),
                Conversation, "ix_conversations_closed_at")).all()
            ids = [row[0] for row in page]
            messages = dict(session.execute(select(Message.conversation_id, func.count()).where(Message.conversation_id.in_(ids))
                                            .group_by(Message.conversation_id)).all()) if ids else {}
            decisions: dict[int, dict] = {}
            confidence = DraftRecord.confidence
            flagged = case((DraftRecord.flagged.is_(True), 1), else_=0)
            if ids:
                for conversation_id, outcome, count, lowest, flags in session.execute(
                        select(DraftRecord.conversation_id, DraftRecord.outcome, func.count(), func.min(confidence), func.sum(flagged))
                        .where(DraftRecord.conversation_id.in_(ids)).group_by(DraftRecord.conversation_id, DraftRecord.outcome)):
                    entry = decisions.setdefault(conversation_id, {"drafts": {}, "confidence": None, "flagged": 0})
                    entry["drafts"][outcome or "undecided"] = count
                    if lowest is not None:
                        entry["confidence"] = lowest if entry["confidence"] is None else min(entry["confidence"], lowest)
                    entry["flagged"] += int(flags or 0)
            rows = []
            for conversation_id, public_id, service, created, closed, audience, score in page:
                entry = decisions.get(conversation_id, {"drafts": {}, "confidence": None, "flagged": 0})
                rows.append({"conversation": public_id, "service": service, "created_at": _utc(created).isoformat(),
                             "closed_at": _utc(closed).isoformat() if closed else None, "audience": audience,
                             "messages": messages.get(conversation_id, 0), "drafts": entry["drafts"],
                             "lowest_confidence": entry["confidence"], "flagged_drafts": entry["flagged"], "rating": score})
            return int(total or 0), rows

    def quality_conversation(self, public_id: str, services: Scope = None) -> dict:
        """One closed conversation for the quality team: its exchange, every draft with its sources,
        confidence, the counsellor's decision, the final text, the answer sent (for a rejected
        draft, the counsellor's message that replaced it) and the word-level difference, the
        rejection reason, and the rating. `NotFound` for an open one or one outside `services`."""
        counsellor = aliased(User)
        with self.sessions() as session:
            conversation = session.scalar(select(Conversation).where(Conversation.public_id == public_id,
                                                                     Conversation.status == "closed"))
            if conversation is None or (services is not None and conversation.service not in services):
                raise NotFound(public_id)
            messages = session.execute(select(Message.seq, Message.author, Message.text, Message.created_at)
                                       .where(Message.conversation_id == conversation.id).order_by(Message.seq)).all()
            drafts = session.execute(
                select(DraftRecord, Message.seq, self._answer_sent(), counsellor.login)
                .join(Message, Message.id == DraftRecord.message_id)
                .outerjoin(counsellor, counsellor.id == DraftRecord.counsellor_id)
                .where(DraftRecord.conversation_id == conversation.id).order_by(DraftRecord.id)).all()
            rating = session.scalar(select(Rating).where(Rating.conversation_id == conversation.id))
            result = {
                "conversation": conversation.public_id, "service": conversation.service,
                "created_at": _utc(conversation.created_at).isoformat(),
                "closed_at": _utc(conversation.closed_at or conversation.updated_at).isoformat(),
                "audience": conversation.audience, "departement": conversation.departement,
                "messages": [{"seq": seq, "author": author, "text": text, "at": _utc(at).isoformat()}
                             for seq, author, text, at in messages],
                "drafts": [],
                "rating": {"score": rating.score, "comment": rating.comment} if rating else None,
            }
            for record, seq, answer, login in drafts:
                payload = record.payload or {}
                final = record.final_text if record.outcome in ("sent", "edited") else answer if record.outcome == "rejected" else None
                result["drafts"].append({
                    "draft_id": record.id, "seq": seq, "draft": payload.get("draft"), "confidence": payload.get("confidence"),
                    "confidence_words": payload.get("confidence_words"), "abstained": payload.get("abstained"),
                    "citations": payload.get("citations", []), "sources": payload.get("sources", []),
                    "charter_flags": payload.get("charter_flags", []), "drafter": payload.get("drafter"),
                    "model": payload.get("model"), "index_version": payload.get("index_version"),
                    "outcome": record.outcome, "counsellor": login,
                    "decided_at": _utc(record.decided_at).isoformat() if record.decided_at else None,
                    "final_text": final, "replaced_by_counsellor": record.outcome == "rejected" and answer is not None,
                    "reject_reason": record.reject_reason,
                    "diff": word_diff(payload.get("draft"), final) if final is not None else [],
                })
            return result

    # -- the counsellor console ----------------------------------------------------------------
    @staticmethod
    def _transfer_notes(session: Session, ids: list[int]) -> dict[int, dict]:
        """For each conversation, where its last transfer came from and its note (pseudonymised)."""
        notes: dict[int, dict] = {}
        for some in _chunks(ids, 500):
            entries = session.scalars(select(AuditEntry).where(AuditEntry.conversation_id.in_(some),
                                                               AuditEntry.action == "conversation.transferred")
                                      .order_by(AuditEntry.id))
            for entry in entries:  # the last one wins
                notes[entry.conversation_id] = {"previous": entry.detail.get("from"), "note": entry.detail.get("note")}
        return notes

    def login_of(self, user_id: int) -> str | None:
        """The login of an account (shown to colleagues: « X répond »)."""
        with self.sessions() as session:
            return session.scalar(select(User.login).where(User.id == user_id))

    def console_inbox(self, services: list[str] | None) -> list[dict]:
        """The offline inbox as the console shows it: each request with its masked address and,
        once the background triage made one, its draft (text restored, sources, confidence);
        the longest waiting first."""
        inbox = self.offline_inbox(services)
        with self.sessions() as session:
            rows = {request.id: request for some in _chunks([entry["id"] for entry in inbox], 500)
                    for request in session.scalars(select(OfflineRequest).where(OfflineRequest.id.in_(some)))}
            for entry in inbox:
                request = rows.get(entry["id"])
                if request is None:  # erased meanwhile
                    continue
                address = self._unsealed(request.email)
                entry["address"] = mask_address(address) if address else "adresse illisible"
                if entry["draft"]:  # the counsellor reads the draft restored
                    entry["draft"] = {**entry["draft"], "draft": entry["draft_text"]}
        return sorted((entry for entry in inbox if "address" in entry), key=lambda entry: (entry["created_at"], entry["id"]))
