"""/healthz: 200 when the database answers and every migration is applied, 503 otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

pytestmark = pytest.mark.django_db


def test_ok_when_database_answers_and_migrations_applied(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_503_when_a_migration_is_pending(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def plan(self: MigrationExecutor, targets: Any, clean_start: bool = False) -> list[Any]:
        return [("a migration", False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", plan)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "migrations": "pending"}


def test_503_when_database_unreachable(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: MigrationExecutor, *args: Any, **kwargs: Any) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(MigrationExecutor, "__init__", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
