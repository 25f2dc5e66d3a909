"""Bulk writes for imports: plain rows through the DB-API's ``executemany``.

Django's ``bulk_create`` builds model instances (with django-modeltranslation, each costs a
``__init__`` per translated field) and compiles one multi-row ``VALUES`` statement per batch; on SQLite
a batch is at most 999 parameters, so a 30-column service row goes in 33 at a time. For a 30,000-service
import that was most of the run (measured in ``bench/import_speed.py``, see docs/architecture.md).
Here a row is a dict of attribute names; every value passes through its field's
``get_db_prep_save`` (the same conversion Django uses), and fields left out get their model default
(``auto_now``/``auto_now_add`` get the current time). The statement is prepared once and
``executemany`` sends all rows: sqlite3 reuses the statement, psycopg 3 pipelines them.

No signals are sent and ``save()`` does not run: callers use this only for rows they have validated
themselves and record their own audit events.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone


def _columns(model: type[models.Model], given: Iterable[str]) -> list[models.Field[Any, Any]]:
    """Every concrete column, except an auto-increment key the row does not give."""
    names = set(given)
    return [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, AutoFieldMixin) and f.attname not in names and f.name not in names)
    ]


# Values of these types go to both databases as they are; the rest through the field (UUIDs are
# text on SQLite, JSON is adapted, dates are formatted on SQLite).
PLAIN = {
    "CharField",
    "TextField",
    "BooleanField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
}


def _converter(f: models.Field[Any, Any]) -> Callable[[Any], Any]:
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    kind = target.get_internal_type()
    if kind in PLAIN or (kind == "UUIDField" and connection.features.has_native_uuid_field):
        return lambda value: value
    if kind == "UUIDField":  # stored as 32 hex digits (what UUIDField.get_db_prep_value does)
        return lambda value: (
            value.hex if isinstance(value, uuid.UUID) else f.get_db_prep_save(value, connection)
        )
    return lambda value: f.get_db_prep_save(value, connection)


def _value(f: models.Field[Any, Any], row: dict[str, Any], now: Any) -> Any:
    if f.attname in row:
        return row[f.attname]
    if f.name in row:
        value = row[f.name]
        return value.pk if isinstance(value, models.Model) else value
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return now
    return f.get_default()


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False
) -> int:
    """INSERT the rows (dicts of field name or attname → value); returns how many were given. With
    ``ignore_conflicts`` a row that breaks a unique constraint is left out (``ON CONFLICT DO NOTHING``,
    which SQLite 3.24+ and PostgreSQL both know)."""
    if not rows:
        return 0
    fields = _columns(model, rows[0].keys())
    qn = connection.ops.quote_name
    now = timezone.now()
    columns = [str(f.column) for f in fields]
    convert = [(f, _converter(f)) for f in fields]
    params = [[c(_value(f, row, now)) for f, c in convert] for row in rows]
    # Table and column names come from the model and are quoted; values are parameters.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    )
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _pg_copy(cursor, model._meta.db_table, columns, params, ignore_conflicts)
        else:  # SQLite runs in-process: one prepared statement, run once per row
            cursor.executemany(head + one + tail, params)
    return len(rows)


def _pg_copy(
    cursor: Any, table: str, columns: list[str], params: list[list[Any]], ignore_conflicts: bool
) -> None:
    """PostgreSQL: ``COPY ... FROM STDIN`` (psycopg's ``Cursor.copy``). Django's psycopg cursor binds
    parameters on the client, which for a multi-row INSERT spent most of the time splitting the query;
    a pipelined ``executemany`` had the server plan one INSERT per row. With ``ignore_conflicts`` the
    rows go through a temporary table and ``INSERT ... ON CONFLICT DO NOTHING``."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    target = qn(table)
    if ignore_conflicts:
        staging = qn(f"bulk_{table}")
        # Names come from the model; no value is formatted into the SQL.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} AS SELECT {cols} FROM {target} WITH NO DATA"  # noqa: S608
        )
        cursor.execute(f"TRUNCATE {staging}")
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    # Errors from psycopg become Django's (IntegrityError, DataError...), as through the wrapper.
    sql = f"COPY {staging if ignore_conflicts else target} ({cols}) FROM STDIN"
    with connection.wrap_database_errors, raw.copy(sql) as copy:
        for row in params:
            copy.write_row(row)
    if ignore_conflicts:
        cursor.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {staging} ON CONFLICT DO NOTHING")  # noqa: S608


def update_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *, key: str = "pk") -> int:
    """UPDATE each row by its primary key (``row[key]``); all rows set the same fields, and fields
    with ``auto_now`` are set to the current time."""
    if not rows:
        return 0
    pk = model._meta.pk
    assert pk is not None
    names = [name for name in rows[0] if name != key]
    fields: list[models.Field[Any, Any]] = [model._meta.get_field(name) for name in names]  # type: ignore[misc]
    auto = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        qn(model._meta.db_table),
        ", ".join(f"{qn(str(f.column))} = %s" for f in [*fields, *auto]),
        qn(str(pk.column)),
    )
    now = timezone.now()
    convert = [(n, _converter(f)) for f, n in zip(fields, names, strict=True)]
    params = []
    for row in rows:
        values = [c(row[n].pk if isinstance(row[n], models.Model) else row[n]) for n, c in convert]
        values += [f.get_db_prep_save(now, connection) for f in auto]
        values.append(pk.get_db_prep_save(row[key], connection))
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)
