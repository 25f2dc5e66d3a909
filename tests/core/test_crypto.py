from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from hyte.core.crypto import DecryptionFailed, decrypt, encrypt, lookup_hash, reencrypt


def test_round_trip_and_no_plain_text() -> None:
    token = encrypt("131052-308T")
    assert "131052" not in token and decrypt(token) == "131052-308T"
    assert encrypt("131052-308T") != token  # a fresh IV every time


def test_rotation(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HYTE_PERSONAL_DATA_KEYS = [old]
    token = encrypt("x")
    settings.HYTE_PERSONAL_DATA_KEYS = [new, old]
    assert decrypt(token) == "x"
    rotated = reencrypt(token)
    settings.HYTE_PERSONAL_DATA_KEYS = [new]
    assert decrypt(rotated) == "x"
    with pytest.raises(DecryptionFailed):
        decrypt(token)


def test_lookup_hash_is_keyed(settings) -> None:
    settings.HYTE_LOOKUP_KEY = "key-one"
    first = lookup_hash("131052-308T", purpose="hetu")
    assert first == lookup_hash("131052-308T", purpose="hetu") and len(first) == 64
    assert first != lookup_hash("131052-308T", purpose="other")
    settings.HYTE_LOOKUP_KEY = "key-two"
    assert lookup_hash("131052-308T", purpose="hetu") != first
