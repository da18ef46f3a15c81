"""The server's access and error logs, written without personal data.

- Access log (`RELAIS_HOME/logs/access.log`): one line per HTTP request and per websocket
  session: method, path (never the query string; a path the app does not know is not written,
  others are cut at 200 characters, addresses and long numbers masked, control characters
  escaped), status or close code, duration. No client
  address, no user agent, no cookie, nothing a person wrote.
- Error log (`RELAIS_HOME/logs/errors.log`, and stderr): warnings and errors of every part, with
  tracebacks whose exception *messages* are left out (they may quote what a person wrote, as a
  validation error quotes its input); e-mail addresses and long numbers are masked in what
  remains, as a last guard.

Both files rotate at midnight and keep `RELAIS_LOG_DAYS` days; the directory is private (0700)
and the files 0600.
"""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS = logging.getLogger("relais.access")

# Each starts only where a run starts (the lookbehinds): linear on a long run with no match, which
# an anonymous client could otherwise send as a URL to make every request's log line quadratic.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"(?<!\d)\d(?:[\s.-]?\d){7,}")  # phone numbers, INE/NIR digits, candidate numbers
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LONGEST_PATH = 200


def mask(text: str) -> str:
    return _NUMBER.sub("<nombre>", _EMAIL.sub("<courriel>", text))


def loggable_path(path: str, status: object) -> str:
    """A path as the access log shows it: the app's own paths hold no personal data, but a path
    it does not know (404) is whatever someone typed, so it is not written; others are cut,
    masked and their control characters escaped (a CR/LF would forge a line)."""
    if status == 404:
        return "<chemin inconnu>"
    cut = path[:LONGEST_PATH] + ("…" if len(path) > LONGEST_PATH else "")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", mask(cut))


class AccessLog:
    """ASGI middleware: the access log's line for each request or websocket session."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        outcome: dict[str, int] = {}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
            elif message["type"] == "websocket.accept":
                outcome.setdefault("status", 101)
            elif message["type"] == "websocket.close":
                outcome["close"] = message.get("code", 1000)
            await send(message)

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                outcome.setdefault("close", message.get("code", 1005))
            return message

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            outcome.setdefault("status", 500)
            raise
        finally:
            seconds = time.perf_counter() - started
            if scope["type"] == "http":
                status = outcome.get("status", "-")
                ACCESS.info("%s %s %s %.0f ms", scope["method"], loggable_path(scope["path"], status), status, seconds * 1000)
            else:
                status = "refusé" if "status" not in outcome else outcome.get("close", "-")
                ACCESS.info("WS %s %s %.1f s", loggable_path(scope["path"], status), status, seconds)


class _WithoutMessages(logging.Formatter):
    """Tracebacks keep their frames and exception types, not their messages."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)  # the other handlers get the record unchanged
        record.msg, record.args = mask(record.getMessage()), None  # the message only: not the line's date
        if record.exc_info:
            record.exc_text = mask(self.formatException(record.exc_info))
        return super().format(record)

    def formatException(self, exc_info) -> str:  # noqa: N802 (logging's name)
        chain: list[BaseException] = []
        error: BaseException | None = exc_info[1]
        while error is not None and error not in chain:
            chain.append(error)
            error = error.__cause__ or error.__context__
        parts = []
        for error in reversed(chain):  # the first raised first, as Python prints them
            stack = traceback.TracebackException.from_exception(error).stack.format()
            parts.append("Traceback (most recent call last):\n" + "".join(stack)
                         + f"{type(error).__module__}.{type(error).__qualname__} (message non journalisé)")
        return "\n\nqui a provoqué :\n\n".join(parts)


class _PrivateFile(TimedRotatingFileHandler):
    """Rotated daily; each file it opens (the first and every rotation's) readable by its owner only."""

    def __init__(self, path: Path, days: int) -> None:
        super().__init__(path, when="midnight", backupCount=days, encoding="utf-8")

    def _open(self):
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


def configure(home: Path, days: int, verbose: bool = False) -> Path:
    """Send the access log and the warnings/errors of every logger to files under `home/logs`
    (and errors to stderr); returns the directory."""
    directory = home / "logs"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"

    access = _PrivateFile(directory / "access.log", days)
    access.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    ACCESS.addHandler(access)
    ACCESS.setLevel(logging.INFO)
    ACCESS.propagate = False

    errors = _PrivateFile(directory / "errors.log", days)
    errors.setFormatter(_WithoutMessages(fmt))
    errors.setLevel(logging.INFO if verbose else logging.WARNING)
    stderr = logging.StreamHandler()
    stderr.setFormatter(_WithoutMessages(fmt))
    stderr.setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in list(root.handlers):  # `relais -v`'s basicConfig would print messages unmasked
        root.removeHandler(handler)
    root.addHandler(errors)
    root.addHandler(stderr)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True  # client addresses and query strings: ours replaces it
    return directory
