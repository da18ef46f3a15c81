"""When a closed service opens again, for the offline form (« Le service rouvre lundi 1 décembre à 10 h 00 »).

The rules are those of `web.offline.is_open`: per-service days and hours in the settings, and
days when every service is closed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from relais.settings import Settings

LOOKAHEAD_DAYS = 31  # past this, the offline form says nothing about reopening
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre")


def next_opening(settings: Settings, service: str, now: datetime | None = None) -> datetime | None:
    """The next moment `service` opens after `now` (local time of the settings), or None when it
    does not within LOOKAHEAD_DAYS. A service without hours opens at midnight after a closed day."""
    zone = ZoneInfo(settings.timezone)
    local = (now or datetime.now(zone)).astimezone(zone)
    hours = settings.opening_hours.get(service) or {}
    opens = time.fromisoformat(hours.get("open", "00:00"))
    closes = time.fromisoformat(hours.get("close", "23:59"))
    days = hours.get("days", range(7))
    for ahead in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=ahead)
        if day in settings.closed_days or day.weekday() not in days:
            continue
        start = datetime.combine(day, opens, tzinfo=zone)
        if ahead == 0 and local.time() >= opens:
            if local.time() < closes:
                return local  # open now
            continue
        return start
    return None


def reopening_text(moment: datetime, now: datetime) -> str:
    """« aujourd'hui à 14 h 00 », « demain à 9 h 00 », « lundi 1 décembre à 10 h 00 » (French, local time)."""
    moment_day, today = moment.date(), now.astimezone(moment.tzinfo).date()
    at = f"à {moment.hour} h {moment.minute:02d}"
    if moment_day == today:
        return f"aujourd'hui {at}"
    if moment_day == today + timedelta(days=1):
        return f"demain {at}"
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{WEEKDAYS[moment.weekday()]} {day} {MONTHS[moment.month - 1]} {at}"
