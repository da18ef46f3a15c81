"""Session cookies that survive a change of secret key.

Starlette's `SessionMiddleware`, with its signer given the old keys too (itsdangerous tries
every key, signs with the newest, the last one): a cookie signed with an old key is accepted,
and signed again with the current key on the next HTTP response.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import itsdangerous
from itsdangerous.exc import BadSignature
from starlette.datastructures import Secret
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send


class RotatingSessionMiddleware(SessionMiddleware):
    def __init__(self, app: ASGIApp, secret_key: str | Secret, old_secret_keys: Sequence[str] = (), **options: Any) -> None:
        super().__init__(app, secret_key, **options)
        self.current_signer = self.signer
        if old_secret_keys:
            self.signer = itsdangerous.TimestampSigner([*old_secret_keys, str(secret_key)])
            self.inner_app, self.app = app, self._sign_again_if_old

    async def _sign_again_if_old(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Called by the parent once the session is loaded (none for lifespan events): a session an
        old key signed is marked modified, so the parent writes it back signed with the current key."""
        if scope.get("session") and not self._signed_with_current_key(HTTPConnection(scope).cookies[self.session_cookie]):
            scope["session"].mark_modified()
        await self.inner_app(scope, receive, send)

    def _signed_with_current_key(self, cookie: str) -> bool:
        try:
            self.current_signer.unsign(cookie.encode("utf-8"), max_age=self.max_age)
        except BadSignature:
            return False
        return True
