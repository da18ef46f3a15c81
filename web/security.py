"""Secrets at rest and in the open: password hashes (argon2), public tokens, encrypted mappings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from assistant.pii import PseudonymMap

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
DUMMY_HASH = _hasher.hash("relais: no such account")  # checked for unknown logins, to take the same time


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(login: str, password: str) -> str | None:
    """Why a new password is refused (in French), or None: at least 12 characters, at least 6
    different ones, not the login."""
    if len(password) < 12:
        return "le mot de passe doit faire au moins 12 caractères."
    if len(set(password)) < 6:
        return "mot de passe trop simple : variez les caractères (au moins 6 différents)."
    if login and login.casefold() in password.casefold():
        return "le mot de passe ne doit pas contenir l'identifiant."
    return None


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """An unguessable public token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(digest: str, token: str) -> bool:
    return hmac.compare_digest(digest, token_digest(token))


class Unreadable(ValueError):
    """A sealed value that neither the current key nor any old key opens."""

    def __init__(self) -> None:
        super().__init__(
            "donnée chiffrée illisible : elle a été chiffrée avec une clé qui n'est ni RELAIS_SECRET_KEY "
            "ni l'une de RELAIS_OLD_SECRET_KEYS. Remettez l'ancienne clé dans RELAIS_OLD_SECRET_KEYS, "
            "puis lancez « relais keys rotate »."
        )


class Vault:
    """Symmetric encryption (Fernet) for what must be kept but not read: mappings, emails.

    Seals under the current secret; opens what the current or an old secret sealed, so the
    key can change without losing anything (`rotate` re-seals a value under the current one).
    """

    def __init__(self, secret: str, old_secrets: Sequence[str] = ()) -> None:
        self._fernet = MultiFernet([_fernet(secret), *map(_fernet, old_secrets)])
        self._reported = False

    def seal(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise self._unreadable() from None

    def rotate(self, sealed: bytes) -> bytes:
        """The same value sealed under the current secret (`Unreadable` when no secret opens it:
        not logged, the rotation counts and reports those itself)."""
        try:
            return self._fernet.rotate(sealed)
        except InvalidToken:
            raise Unreadable() from None

    def seal_mapping(self, mapping: PseudonymMap) -> bytes:
        return self.seal(json.dumps(mapping.to_json(), ensure_ascii=False))

    def open_mapping(self, conversation_id: str, sealed: bytes | None) -> PseudonymMap:
        if not sealed:
            return PseudonymMap(conversation_id)
        return PseudonymMap.from_json(conversation_id, json.loads(self.open(sealed)))

    def _unreadable(self) -> Unreadable:
        error = Unreadable()
        if not self._reported:  # said once: a changed key would otherwise fill the log at every message
            self._reported = True
            log.error("%s (further unreadable values are not logged)", error)
        return error


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(("relais-vault:" + secret).encode()).digest()))
