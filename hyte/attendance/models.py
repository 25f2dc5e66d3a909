"""Activity passes (LiiKu pass, the free exercise card) and low-threshold groups.

A pass programme is data: the tray services it covers, how long a pass is valid, who may issue it, the
reward rule (every N visits earns a reward) and the usage obligation (at least M visits a month, flagged
after a grace period). A pass carries an opaque random token (in its QR code); the token says nothing
about the holder. A visit is one mark per pass, service and day; a mark sent twice (a flaky network,
an offline queue sent again) is the same mark, by its idempotency key.

Groups are tray services with meetings; attendance is counted per meeting as anonymous head counts.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hyte.core.ids import new_id


def new_token() -> str:
    """128 random bits, URL-safe: nothing in it identifies the holder."""
    return secrets.token_urlsafe(16)


class PassProgramme(models.Model):
    code = models.SlugField(_("code"), primary_key=True, max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services covered"), related_name="pass_programmes", blank=True
    )
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=365)
    issuer_roles = models.JSONField(
        _("who may issue"), default=list, help_text=_('Unit roles, e.g. ["receiver", "professional"].')
    )
    reward_every = models.PositiveSmallIntegerField(
        _("a reward every (visits)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    reward_text = models.CharField(_("reward"), max_length=200, blank=True)
    min_visits_per_month = models.PositiveSmallIntegerField(
        _("visits required per month"), null=True, blank=True, help_text=_("Empty: no obligation.")
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"), default=30, help_text=_("Non-use is flagged only after this.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pass programme")
        verbose_name_plural = _("pass programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Pass(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", pgettext_lazy("pass", "Withdrawn")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    programme = models.ForeignKey(PassProgramme, verbose_name=_("programme"), on_delete=models.PROTECT)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="passes"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="passes"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="passes"
    )
    pathway = models.ForeignKey(
        "pathways.Pathway", null=True, blank=True, on_delete=models.SET_NULL, related_name="passes"
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    withdrawn_at = models.DateTimeField(pgettext_lazy("pass", "withdrawn"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    visit_count = models.PositiveIntegerField(_("visits"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        ordering = ["-issued_on"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.issued_on}"


class Visit(models.Model):
    class Source(models.TextChoices):
        CHECKIN = "checkin", _("Marked by the provider")
        SELF_REPORT = "self_report", _("Reported by the client")

    id = models.BigAutoField(primary_key=True)
    pass_card = models.ForeignKey(
        Pass, verbose_name=_("pass"), on_delete=models.CASCADE, related_name="visits"
    )
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.CHECKIN)
    confirmed = models.BooleanField(_("confirmed"), default=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    marked_at = models.DateTimeField(_("marked"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pass_card", "service", "on"], name="one_visit_per_pass_service_day"
            )
        ]
        # Reports count a period's confirmed visits per pass (hyte/reporting/outcomes.py): this index
        # holds everything they read, so a year is a range of it rather than a scan of the table.
        indexes = [models.Index(fields=["on", "pass_card", "confirmed"], name="visit_on_pass_confirmed")]

    def __str__(self) -> str:
        return f"{self.on}"


class Reward(models.Model):
    pass_card = models.ForeignKey(Pass, on_delete=models.CASCADE, related_name="rewards")
    number = models.PositiveSmallIntegerField(_("reward number"))
    text = models.CharField(_("reward"), max_length=200)
    earned_at = models.DateTimeField(_("earned"), auto_now_add=True)
    handed_out_at = models.DateTimeField(_("handed out"), null=True, blank=True)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["pass_card", "number"], name="one_reward_per_number")]

    def __str__(self) -> str:
        return f"{self.number}: {self.text}"


class Meeting(models.Model):
    """One meeting of a low-threshold group (a tray service): anonymous head counts only."""

    AGE_BANDS = ("0-17", "18-29", "30-64", "65+")
    GENDERS = ("female", "male", "other")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("group"), on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    leaders = models.ManyToManyField(
        "catalog.Organization", verbose_name=_("leading organisations"), blank=True, related_name="+"
    )
    head_count = models.PositiveSmallIntegerField(_("participants"), validators=[MaxValueValidator(1000)])
    new_visitors = models.PositiveSmallIntegerField(
        _("of whom new (estimate)"), null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    by_age = models.JSONField(_("by age band"), default=dict, blank=True)
    by_gender = models.JSONField(_("by gender"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[MaxLengthValidator(500)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["service", "starts_at"], name="one_meeting_per_time")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class GroupYear(models.Model):
    """Whether a group continues next year (the seed reports: "18 groups, 11 continuing")."""

    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    continues = models.BooleanField(_("continues next year"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("group year")
        verbose_name_plural = _("group years")
        constraints = [models.UniqueConstraint(fields=["service", "year"], name="one_group_year")]

    def __str__(self) -> str:
        return f"{self.year}"
