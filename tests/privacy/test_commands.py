"""``manage.py export_client_data`` and ``manage.py apply_retention``."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.privacy.models import RetentionRun
from hyte.referrals.models import Client
from tests.conftest import Persona
from tests.privacy.conftest import HETU, Records, age

pytestmark = pytest.mark.django_db


def test_export_to_a_private_file(dpo_a: Persona, ilmatar: Records, tmp_path: Path) -> None:
    target = tmp_path / "ilmatar.json"
    out = io.StringIO()
    call_command(
        "export_client_data",
        user="dpo_a",
        hetu_stdin=True,
        output=str(target),
        stdin=io.StringIO(HETU + "\n"),
        stdout=out,
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text())
    assert data["client"]["id"] == str(ilmatar.client.pk)
    assert HETU not in out.getvalue()
    assert (
        AuditEvent.objects.filter(action="privacy.client_export", object_id=str(ilmatar.client.pk)).count()
        == 1
    )


def test_export_refuses_others_and_writes_nothing(dpo_b: Persona, ilmatar: Records, tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    with pytest.raises(CommandError, match="client_not_found"):
        call_command("export_client_data", user="dpo_b", client_id=str(ilmatar.client.pk), output=str(target))
    assert not target.exists()
    assert not PersonalDataLog.objects.filter(action="export").exists()


def test_export_never_overwrites(dpo_a: Persona, ilmatar: Records, tmp_path: Path) -> None:
    target = tmp_path / "there.json"
    target.write_text("keep")
    with pytest.raises(CommandError):
        call_command("export_client_data", user="dpo_a", client_id=str(ilmatar.client.pk), output=str(target))
    assert target.read_text() == "keep"


def everything() -> dict[str, list[Any]]:
    return {
        model._meta.label: sorted(model._base_manager.values(), key=repr)
        for model in apps.get_models(include_auto_created=True)
    }


def test_apply_retention_is_a_dry_run_by_default(ilmatar: Records) -> None:
    age(ilmatar)
    before = everything()
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert everything() == before
    lines = out.getvalue().splitlines()
    assert lines[0] == "DRY RUN: nothing is changed."
    assert "referral             1 to anonymise (after 4383 days)" in lines
    assert "feedback_link        1 to delete (after 30 days)" in lines
    assert "client               1 to anonymise (after 365 days)" in lines


def test_apply_retention_applies(ilmatar: Records, other: Client) -> None:
    age(ilmatar)
    out = io.StringIO()
    call_command("apply_retention", "--apply", stdout=out)
    run = RetentionRun.objects.get()
    assert run.counts["client"] == 1 and run.counts["referral"] == 1
    assert Client.objects.get(pk=ilmatar.client.pk).first_name == ""
    assert Client.objects.get(pk=other.pk).first_name == "Matti"
    assert f"run {run.pk}" in out.getvalue()
    assert AuditEvent.objects.filter(action="privacy.retention_apply").count() == 1
