"""Encryption of personal data at rest and keyed look-up hashes.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package);
``MultiFernet`` decrypts with any configured key and encrypts with the first, so keys can be rotated
(``manage.py rotate_personal_data_keys`` re-encrypts). A look-up hash is HMAC-SHA256 with a separate
key: equal inputs give equal hashes, so a code can be found without decrypting every row, and the
hash reveals nothing without the key.

Keys come from the environment (``HYTE_PERSONAL_DATA_KEYS``: comma-separated Fernet keys, newest
first; ``HYTE_LOOKUP_KEY``). Without them a development key is derived from ``SECRET_KEY``; in
production (``HYTE_PRODUCTION=1``) the settings refuse to start without them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        keys = (base64.urlsafe_b64encode(_derived("hyte-personal-data")).decode(),)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(k.strip() for k in settings.HYTE_PERSONAL_DATA_KEYS if k.strip())


def encrypt(text: str) -> str:
    return _fernet(_keys()).encrypt(text.encode()).decode()


class DecryptionFailed(Exception):
    """The value was not encrypted with any configured key (or was altered)."""


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed from exc


def reencrypt(token: str) -> str:
    """The same value encrypted with the newest key."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def lookup_hash(text: str, *, purpose: str) -> str:
    key = settings.HYTE_LOOKUP_KEY.encode() if settings.HYTE_LOOKUP_KEY else _derived("hyte-lookup")
    return hmac.new(key, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()
