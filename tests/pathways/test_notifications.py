"""The unit hears of a resident's contact request: no personal data, in the unit's language of notices."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from hyte.accounts.models import Unit
from tests.pathways.test_services import self_referral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_unit_hears_of_a_contact_request(
    unit_c: Unit, language: str, django_capture_on_commit_callbacks: Any
) -> None:
    unit_c.receives_self_referrals, unit_c.email, unit_c.notice_language = (
        True,
        "neuvonta@x.example",
        language,
    )
    unit_c.save()
    with django_capture_on_commit_callbacks(execute=True):
        self_referral(unit_c)
    (message,) = mail.outbox
    with translation.override(language):
        subject = gettext("New contact request to %(unit)s") % {"unit": unit_c.name}
        queue = reverse("web:self-referral-queue")
    assert message.to == ["neuvonta@x.example"] and message.subject == subject and queue in message.body
    assert "0401234567" not in message.body and "liikunnan" not in message.body  # nothing of the person


def test_no_address_no_mail(unit_c: Unit, django_capture_on_commit_callbacks: Any) -> None:
    unit_c.receives_self_referrals, unit_c.email = True, ""
    unit_c.save()
    with django_capture_on_commit_callbacks(execute=True):
        self_referral(unit_c)
    assert mail.outbox == []
