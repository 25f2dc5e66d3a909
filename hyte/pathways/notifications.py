"""Notices of the pathways context: staff are told that something came and where to look; no personal
data goes in an e-mail, only a link that asks for a login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hyte.pathways.models import SelfReferral


def on_self_referral(self_referral_id: Any) -> None:
    record = SelfReferral.objects.select_related("unit").filter(pk=self_referral_id).first()
    if record is None or not record.unit.email:
        return
    with translation.override(record.unit.notice_language):
        link = settings.HYTE_SITE_URL + reverse("web:self-referral-queue")
        send_mail(
            _("New contact request to %(unit)s") % {"unit": record.unit.name},
            _("A resident has asked %(unit)s to get in touch. Triage it after logging in: %(link)s")
            % {"unit": record.unit.name, "link": link},
            None,
            [record.unit.email],
        )
