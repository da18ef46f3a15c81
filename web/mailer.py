"""The background sender of offline answers: it mails what the outbox holds, retries with an
exponential backoff kept in the database, and tells the consoles how each mail ended.

SMTP and database calls run in threads, so the event loop (and every socket) never waits on a
slow mail server. Several processes may run a sender each: a mail is claimed before it is sent,
so it goes once.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from relais.settings import Settings
from web.models import utcnow
from web.offline import SMTP_TIMEOUT, NoMailServer, answer_message, deliver, mail_failure, new_message_id
from web.store import ClaimedMail, Store

logger = logging.getLogger(__name__)

Notify = Callable[[dict], Awaitable[None]]

NO_SERVER = ("Aucun serveur de messagerie n'est configuré (RELAIS_SMTP_HOST) : la réponse est enregistrée "
             "et partira dès qu'un serveur le sera.")
POLL_SECONDS = 10.0  # how often a sender looks for mails queued by other processes or due again
LEASE = timedelta(minutes=10)  # longer than any one SMTP exchange (each step times out after SMTP_TIMEOUT)


class UnreadableMail(ValueError):
    """The mail's encrypted recipient or body cannot be opened (the secret key changed)."""


def failure_reason(error: BaseException) -> tuple[str, bool]:
    """Why an attempt failed, in French and without the server's own words (they may quote the
    address), and whether trying again is pointless."""
    if isinstance(error, UnreadableMail):
        return "le courriel enregistré est illisible (la clé RELAIS_SECRET_KEY a changé ?)", True
    if isinstance(error, NoMailServer):
        return "aucun serveur de messagerie n'est configuré (RELAIS_SMTP_HOST)", False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted(code for code, _ in error.recipients.values())
        code = codes[0] if codes else 550
        return f"le serveur de messagerie refuse l'adresse du destinataire (code {code})", code >= 500
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "le serveur de messagerie refuse l'identification (RELAIS_SMTP_USER, RELAIS_SMTP_PASSWORD)", False
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"le serveur de messagerie refuse l'expéditeur RELAIS_MAIL_FROM (code {error.smtp_code})", error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPDataError):
        return f"le serveur de messagerie refuse le message (code {error.smtp_code})", error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "le serveur de messagerie n'accepte pas cette adresse (caractères non ASCII)", True
    if isinstance(error, smtplib.SMTPResponseException):
        return f"le serveur de messagerie a répondu par une erreur (code {error.smtp_code})", False
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "le serveur de messagerie a coupé la connexion", False
    if isinstance(error, smtplib.SMTPException):
        return "le serveur de messagerie a répondu de façon inattendue", False
    if isinstance(error, TimeoutError):
        return "le serveur de messagerie n'a pas répondu à temps", False
    if isinstance(error, OSError):
        return "le serveur de messagerie est injoignable", False
    if isinstance(error, ValueError):
        return "l'adresse électronique du destinataire n'est pas valide", True
    return "erreur inattendue pendant l'envoi", False


class Mailer:
    """Mails the queued offline answers in the background, with retries; `notify` tells consoles
    `offline_sent` or, after the last attempt, `offline_failed` (with the reason in French)."""

    def __init__(self, store: Store, settings: Settings, notify: Notify, *, poll_seconds: float = POLL_SECONDS,
                 lease: timedelta = LEASE, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.settings = settings
        self.notify = notify
        self.poll_seconds = poll_seconds
        self.lease = lease
        self.clock = clock  # aware UTC; the tests move it to see the backoff
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start sending in the background (once)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="relais-mailer")

    def wake(self) -> None:
        """Look for due mails now (an answer was just queued) rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop after the mail being sent, if any: its outcome is recorded, nothing is sent twice."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=SMTP_TIMEOUT * 4)
        except TimeoutError:
            logger.warning("mail sender: still sending at shutdown; the mail is retried when its lease ends")
            self._task.cancel()
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:  # the database is away: keep the sender alive, try at the next poll
                logger.exception("mail sender: run failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def run_once(self) -> int:
        """Send every mail due now (each once, whatever else runs); how many went."""
        if not self.settings.smtp_host:
            held = await asyncio.to_thread(self.store.hold_mails, NO_SERVER)
            if held:
                logger.warning("mail sender: %d mail(s) wait for RELAIS_SMTP_HOST", held)
            return 0
        due = self.clock()  # a mail retried during this run is due after it: each is tried once per run
        sent = 0
        while not self._stopping:
            until = self.clock() + self.lease
            mail = await asyncio.to_thread(self.store.claim_mail, due, until, new_message_id(self.settings))
            if mail is None:
                break
            sent += await self._send(mail)
        return sent

    async def _send(self, mail: ClaimedMail) -> int:
        try:
            if mail.recipient is None or mail.body is None:
                raise UnreadableMail(str(mail.id))
            message = answer_message(self.settings, mail.recipient, mail.body, mail.message_id)
            await asyncio.to_thread(deliver, self.settings, message)
        except Exception as error:  # noqa: BLE001 — every failure is recorded: the mail is retried or failed, never lost
            await self._failed(mail, error)
            return 0
        if await asyncio.to_thread(self.store.mail_sent, mail.id, mail.claim):
            logger.info("offline answer %d mailed (attempt %d)", mail.request_id, mail.attempts)
            await self._tell({"type": "offline_sent", "id": mail.request_id, "service": mail.service})
        return 1

    async def _failed(self, mail: ClaimedMail, error: Exception) -> None:
        reason, permanent = failure_reason(error)
        logger.warning("offline answer %d: attempt %d failed (%s: %s)", mail.request_id, mail.attempts,
                       type(error).__name__, reason)
        if permanent or mail.attempts >= self.settings.mail_max_attempts:
            if await asyncio.to_thread(self.store.mail_failed, mail.id, mail.claim, reason):
                await self._tell({"type": "offline_failed", "id": mail.request_id, "service": mail.service,
                                  "message": mail_failure(mail.attempts, reason)})
            return
        delay = self.settings.mail_retry_seconds * 2 ** (mail.attempts - 1)
        await asyncio.to_thread(self.store.mail_retry, mail.id, mail.claim, self.clock() + timedelta(seconds=delay), reason)

    async def _tell(self, event: dict) -> None:
        try:
            await self.notify(event)
        except Exception:  # the mail's outcome is recorded; a console that missed it sees it in the inbox
            logger.exception("mail sender: could not notify %s", event["type"])
