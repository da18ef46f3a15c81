"""Opening hours per service, and the offline path: a contact form answered later by mail."""

from __future__ import annotations

import smtplib
from datetime import date, datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from relais.settings import Settings


def is_open(settings: Settings, service: str, now: datetime | None = None) -> bool:
    """Whether `service` is open now (a service without configured hours is always open)."""
    local = (now or datetime.now(ZoneInfo(settings.timezone))).astimezone(ZoneInfo(settings.timezone))
    if local.date() in settings.closed_days:
        return False
    hours = settings.opening_hours.get(service)
    if not hours:
        return True
    if local.weekday() not in hours.get("days", range(7)):
        return False
    opens, closes = time.fromisoformat(hours.get("open", "00:00")), time.fromisoformat(hours.get("close", "23:59"))
    return opens <= local.time() < closes


SUBJECT = "Réponse à votre question — Onisep"
SMTP_TIMEOUT = 20.0  # seconds the SMTP server may take at each step


class NoMailServer(OSError):
    """No SMTP server is configured: nothing can be mailed until one is (`RELAIS_SMTP_HOST`)."""


def answer_body(question: str, answer: str) -> str:
    """The text of the mail answering an offline request (restored question, counsellor's answer)."""
    return (
        f"Bonjour,\n\nVous nous avez écrit :\n\n« {question} »\n\nVoici la réponse d'un conseiller ou d'une conseillère :\n\n"
        f"{answer}\n\nCe message a été rédigé et validé par l'équipe de l'Onisep. Merci de ne pas y répondre directement."
    )


def mail_domain(settings: Settings) -> str:
    """The domain of `RELAIS_MAIL_FROM`, which names the mails' Message-ID."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2].strip()
    return domain or "localhost"  # never let make_msgid ask the DNS for this host's name


def new_message_id(settings: Settings) -> str:
    return make_msgid(domain=mail_domain(settings))


def answer_message(settings: Settings, to: str, body: str, message_id: str | None = None) -> EmailMessage:
    """The mail of an offline answer, with its Date and Message-ID (a retry keeps the first one's
    Message-ID). Raises ValueError for an address the mail library refuses."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=to)  # one parsed address, never a header line built from text
    message["Subject"] = SUBJECT
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or new_message_id(settings)
    message.set_content(body)
    return message


def deliver(settings: Settings, message: EmailMessage) -> None:
    """Hand a message to the SMTP server; blocking, so call it in a thread. Raises `NoMailServer`,
    OSError (unreachable, timeout) or `smtplib.SMTPException`."""
    if not settings.smtp_host:
        raise NoMailServer("aucun serveur de messagerie configuré (RELAIS_SMTP_HOST)")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def mail_failure(attempts: int, reason: str) -> str:
    """What a counsellor reads when a mail finally failed (French, no personal data)."""
    tries = "après 1 tentative" if attempts == 1 else f"après {attempts} tentatives"
    return f"Le courriel n'a pas pu être envoyé ({tries}) : {reason}. Vous pouvez répondre à nouveau à cette demande."


def today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()
