"""Database tables (SQLAlchemy 2.0). Every schema change comes with an Alembic migration.

Messages are stored pseudonymised; the placeholder mapping of a conversation is stored
encrypted, with the conversation's retention date. Drafts and counsellor actions are kept
with who did what and when: the quality team harvests them.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A console account: counsellor, supervisor or quality staff."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # counsellor | supervisor | quality
    services: Mapped[list] = mapped_column(JSON, default=list)  # queues a counsellor serves
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsoleSession(Base):
    """A logged-in console session, kept server-side: the cookie holds only its token, so
    logging out (or disabling the account) ends it for every copy of the cookie."""

    __tablename__ = "console_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (  # the usage statistics of a period read these indexes only, never the rows
        Index("ix_conversations_usage", "created_at", "last_seq", "service", "first_user_at", "first_answer_at", "closed_at",
              "audience", "departement"),
        Index("ix_conversations_profiles", "departement", "audience", "created_at", "last_seq"),
        # on SQLite, migration 0007 adds indexes on expressions (contacts per day, waiting and handling
        # times) that SQLAlchemy cannot describe for both databases: see web/durations.py
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))  # the public token itself is never stored
    service: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # waiting | active | closed
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retain_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    mapping: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted placeholder mapping
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # what the person chose to tell about themselves in the widget (never required): for the usage study
    audience: Mapped[str | None] = mapped_column(String(20))  # eleve | parent | etudiant | adulte
    departement: Mapped[str | None] = mapped_column(String(3))  # "75", "2A", "971"…
    # for the waiting and handling times of the usage statistics (set as the messages are stored)
    first_user_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # a counsellor's first message


class Message(Base):
    """One message of a conversation, pseudonymised, with its per-conversation sequence number."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "idempotency_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(20))  # user | counsellor | system
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DraftRecord(Base):
    """A draft shown to counsellors for a user message, and what became of it."""

    __tablename__ = "drafts"
    __table_args__ = (
        # the usage statistics of a period count the decisions in this index's order, never the payloads
        Index("ix_drafts_decisions", "service", "outcome", "main_source", "abstained", "created_at"),
        # a conversation's drafts; the quality filters (outcome, confidence, charter flag) read only the index
        Index("ix_drafts_quality", "conversation_id", "outcome", "confidence", "flagged"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    payload: Mapped[dict] = mapped_column(JSON)  # Draft.to_json(): text, citations, confidence, flags…
    outcome: Mapped[str | None] = mapped_column(String(20))  # sent | edited | rejected
    final_text: Mapped[str | None] = mapped_column(Text)  # pseudonymised
    reject_reason: Mapped[str | None] = mapped_column(Text)  # pseudonymised: the counsellor's reason for rejecting
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # copied from the payload when it is saved: what the statistics and the quality filters count
    service: Mapped[str | None] = mapped_column(String(20))  # the conversation's service when the draft was made
    main_source: Mapped[str | None] = mapped_column(String(200))  # the first cited doc_id
    confidence: Mapped[float | None] = mapped_column(Float)
    abstained: Mapped[bool | None] = mapped_column(Boolean)
    flagged: Mapped[bool | None] = mapped_column(Boolean)  # at least one charter flag


class Rating(Base):
    """The person's opinion at the close of a conversation: 1–5 and an optional comment."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)  # pseudonymised
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuditEntry(Base):
    """Who did what, when (the charter's "humans decide")."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class OfflineRequest(Base):
    """A question left through the offline contact form, answered later by mail."""

    __tablename__ = "offline_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(20), index=True)
    question: Mapped[str] = mapped_column(Text)  # pseudonymised
    email: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted
    mapping: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | answered
    answer: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted: the counsellor's answer
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retain_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    draft: Mapped[dict | None] = mapped_column(JSON)  # the assistant's draft, made in the background (triage)
    drafted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxMail(Base):
    """The mail answering an offline request, waiting in the outbox until it is sent.

    The recipient and the body hold personal data: both are encrypted. A sender claims a due
    mail for a lease (`claim`, `next_attempt_at`), so two processes never send it twice; its
    attempts and the next one's time are kept here, so retries survive a restart.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)  # what the senders look up
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("offline_requests.id", ondelete="CASCADE"), unique=True)
    service: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted
    body: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted
    message_id: Mapped[str | None] = mapped_column(String(250))  # set at the first attempt, kept for the retries
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(40))  # the sender holding it until next_attempt_at
    last_error: Mapped[str | None] = mapped_column(Text)  # French, never the server's words (they may hold the address)
    hold_reason: Mapped[str | None] = mapped_column(Text)  # French: why nobody can try to send it (no SMTP server)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
