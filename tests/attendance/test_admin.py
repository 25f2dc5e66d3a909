"""Pass programmes: platform admins choose the covered services; roles checked; changes audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hyte.attendance.admin import PassProgrammeForm
from hyte.attendance.models import PassProgramme
from hyte.core.models import AuditEvent
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona, _login

pytestmark = pytest.mark.django_db
URL = "/admin/attendance/passprogramme/"


def form_data(programme: PassProgramme, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": programme.code,
        "name": programme.name_fi,
        "name_fi": programme.name_fi,
        "name_sv": programme.name_sv,
        "name_en": programme.name_en,
        "reward_text": programme.reward_text_fi,
        "reward_text_fi": programme.reward_text_fi,
        "valid_days": programme.valid_days,
        "issuer_roles": json.dumps(programme.issuer_roles),
        "reward_every": programme.reward_every or "",
        "grace_days": programme.grace_days,
        "active": "on",
    }
    return data | changes


def test_issuer_roles_are_checked() -> None:
    programme = PassProgramme.objects.get(code="liiku")
    for bad in ('["coordinator"]', "[]", '"receiver"'):
        form = PassProgrammeForm(form_data(programme, issuer_roles=bad), instance=programme)
        assert not form.is_valid() and "issuer_roles" in form.errors, bad


def test_a_platform_admin_chooses_the_services(counsellor_c: Persona) -> None:
    assert counsellor_c.client.get(URL).status_code in (302, 403)
    admin = _login(get_user_model().objects.create_superuser("root", password=None))
    programme = PassProgramme.objects.get(code="liiku")
    hall = ServiceFactory(name_fi="Uimahalli")
    response = admin.client.post(
        f"{URL}{programme.pk}/change/", form_data(programme, services=[str(hall.pk)])
    )
    assert response.status_code == 302, response.content[:800]
    assert list(PassProgramme.objects.get(code="liiku").services.all()) == [hall]
    assert AuditEvent.objects.filter(action="pass_programme.update", object_id="liiku").exists()
    assert admin.client.post(f"{URL}{programme.pk}/delete/").status_code == 403
