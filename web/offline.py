"""Opening hours per service, and the offline path: a contact form answered later by mail."""

from __future__ import annotations

import smtplib
from datetime import date, datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
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


def send_answer(settings: Settings, to: str, question: str, answer: str) -> None:
    """Mail a counsellor's answer to an offline request (raises OSError / SMTPException on failure)."""
    if not settings.smtp_host:
        raise OSError("aucun serveur de messagerie configuré (RELAIS_SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=to)  # one parsed address, never a header line built from text
    message["Subject"] = "Réponse à votre question — Onisep"
    message.set_content(
        f"Bonjour,\n\nVous nous avez écrit :\n\n« {question} »\n\nVoici la réponse d'un conseiller ou d'une conseillère :\n\n"
        f"{answer}\n\nCe message a été rédigé et validé par l'équipe de l'Onisep. Merci de ne pas y répondre directement."
    )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()
