"""Primary keys: UUID version 7 (RFC 9562), time-ordered.

A version 4 key lands anywhere in a B-tree index, so a large import touches a different index page for
almost every row (and SQLite writes each touched page to its WAL at every commit). Version 7 keys start
with the time in milliseconds, so new rows go to the right-hand end of the primary key and of every
index on a foreign key to it. In ``bench/import_speed.py`` this took the 30,000-service import on SQLite
from 514 to the figure in the README. Keys stay opaque and unguessable enough for URLs (74 random bits);
the creation time they reveal is already shown on every page that shows the object.

Python 3.14 has ``uuid.uuid7``; before that the ``uuid6`` package (its backport) provides it.
"""

from __future__ import annotations

import uuid

try:
    from uuid import uuid7 as _uuid7  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # Python < 3.14
    from uuid6 import uuid7 as _uuid7


def new_id() -> uuid.UUID:
    """A new time-ordered primary key (a plain ``uuid.UUID``)."""
    return uuid.UUID(int=_uuid7().int)
