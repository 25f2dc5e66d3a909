"""Programmes are edited in the admin by platform admins only, with checked codes and an audit entry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hyte.core.models import AuditEvent
from hyte.pathways.admin import ProgrammeForm
from hyte.pathways.models import Programme
from tests.conftest import Persona, _login

pytestmark = pytest.mark.django_db
URL = "/admin/pathways/programme/"


def form_data(programme: Programme, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": programme.code,
        "name": programme.name_fi,
        "name_fi": programme.name_fi,
        "name_sv": programme.name_sv,
        "name_en": programme.name_en,
        "extension_needs_reason": "on",
        "max_days": programme.max_days or "",
        "warn_days": programme.warn_days or "",
        "active": "on",
    }
    for field in ("measurement_months", "instruments", "outcome_kinds", "contact_kinds", "tracks"):
        data[field] = json.dumps(getattr(programme, field))
    return data | changes


def test_codes_are_checked() -> None:
    programme = Programme.objects.get(code="link_worker")
    for field, bad in (
        ("instruments", '["swemwbs", "mmse"]'),
        ("measurement_months", '[0, "six"]'),
        ("outcome_kinds", '["lottery_win"]'),
        ("tracks", '[""]'),
    ):
        form = ProgrammeForm(form_data(programme, **{field: bad}), instance=programme)
        assert not form.is_valid() and field in form.errors, field
    form = ProgrammeForm(form_data(programme, measurement_months="[6, 0, 6]"), instance=programme)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["measurement_months"] == [0, 6]


def test_only_platform_admins_edit_programmes(counsellor_c: Persona) -> None:
    assert counsellor_c.client.get(URL).status_code in (302, 403)
    admin = _login(get_user_model().objects.create_superuser("root", password=None))
    assert admin.client.get(URL).status_code == 200
    programme = Programme.objects.get(code="link_worker")
    response = admin.client.post(f"{URL}{programme.pk}/change/", form_data(programme, max_days="200"))
    assert response.status_code == 302, response.content[:500]
    assert Programme.objects.get(code="link_worker").max_days == 200
    assert AuditEvent.objects.filter(action="programme.update", object_id="link_worker").exists()
