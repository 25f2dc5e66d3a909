"""Data protection: the history of corrections to a client's personal data and the runs of the
retention job.

A ``ClientCorrection`` keeps the value a field had *before* a change, encrypted (``hyte.core.crypto``),
with who changed it, when and why; the new value is the client's current value (or the next
correction's old value). The rows go when the client is anonymised. A ``RetentionRun`` is one applied
run of ``manage.py apply_retention``: counts per record type, never personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyte.core.ids import new_id

MAX_REASON = 500


class ClientCorrection(models.Model):
    class Field(models.TextChoices):
        FIRST_NAME = "first_name", _("first name")
        LAST_NAME = "last_name", _("last name")
        PERSONAL_IDENTITY_CODE = "personal_identity_code", _("personal identity code")
        EMAIL = "email", _("email")
        PHONE = "phone", _("phone")
        PREFERRED_LANGUAGE = "preferred_language", _("preferred language")
        MUNICIPALITY = "municipality", _("municipality")
        BIRTH_YEAR = "birth_year", _("year of birth")

    class Source(models.TextChoices):
        CORRECTION = "correction", _("Corrected by the data protection officer")
        RECORD = "record", _("Updated when the client's details were entered again")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    old_value_encrypted = models.TextField(_("old value (encrypted)"), blank=True, editable=False)
    source = models.CharField(_("how"), max_length=20, choices=Source.choices)
    reason = models.CharField(
        _("reason"), max_length=MAX_REASON, blank=True, validators=[MaxLengthValidator(MAX_REASON)]
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("correction of client data")
        verbose_name_plural = _("corrections of client data")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.field} {self.at:%Y-%m-%d}" if self.at else self.field


class RetentionRun(models.Model):
    """One applied run of the retention job: what it did, per record type (counts only)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}" if self.at else "retention run"
