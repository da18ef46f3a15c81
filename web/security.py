"""Secrets at rest and in the open: password hashes (argon2), public tokens, encrypted mappings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

from assistant.pii import PseudonymMap

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


class Vault:
    """Symmetric encryption (Fernet) for what must be kept but not read: mappings, emails."""

    def __init__(self, secret: str) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(("relais-vault:" + secret).encode()).digest())
        self._fernet = Fernet(key)

    def seal(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken as exc:
            raise ValueError("donnée chiffrée illisible (clé RELAIS_SECRET_KEY changée ?)") from exc

    def seal_mapping(self, mapping: PseudonymMap) -> bytes:
        return self.seal(json.dumps(mapping.to_json(), ensure_ascii=False))

    def open_mapping(self, conversation_id: str, sealed: bytes | None) -> PseudonymMap:
        if not sealed:
            return PseudonymMap(conversation_id)
        return PseudonymMap.from_json(conversation_id, json.loads(self.open(sealed)))
