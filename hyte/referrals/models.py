"""Clients, their consents, referrals and the referral's history.

The henkilötunnus is stored only encrypted (``hetu_encrypted``) with a keyed hash for look-up
(``hetu_hash``); statistics use ``pseudonym``, never the client's id or name.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hyte.core.ids import new_id

MAX_TEXT = 4000  # free-text fields: a few paragraphs, not a patient record


class Client(models.Model):
    class Language(models.TextChoices):
        FINNISH = "fi", _("Finnish")
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    pseudonym = models.UUIDField(
        _("pseudonym"), default=uuid.uuid4, unique=True, editable=False, help_text=_("Used in statistics.")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    hetu_encrypted = models.TextField(_("personal identity code (encrypted)"), blank=True, editable=False)
    hetu_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FINNISH
    )
    municipality = models.ForeignKey(
        "catalog.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Referral(models.Model):
    # Not a field: set by referral_create when an idempotency key gave back an earlier referral.
    replayed: bool = False

    class Kind(models.TextChoices):
        WELLBEING = "wellbeing", _("Wellbeing referral")
        EXERCISE = "exercise", _("Exercise referral")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        FIRST_CONTACT = "first_contact", _("First contact made")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        DISCONTINUED = "discontinued", _("Discontinued")
        CANCELLED = "cancelled", _("Cancelled by the referrer")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        SOON = "soon", _("Soon (within a week)")
        URGENT = "urgent", _("Urgent")

    class ActivityLevel(models.TextChoices):
        INACTIVE = "inactive", _("Inactive (hardly any exercise)")
        SOME = "some", _("Some activity, below the recommendation")
        RECOMMENDED = "recommended", _("Meets the UKK recommendation")
        UNKNOWN = "unknown", _("Not known")

    class DeclineCode(models.TextChoices):
        NOT_TARGET_GROUP = "not_target_group", _("Not in the service's target group")
        OTHER_SERVICE = "other_service", _("Another service suits the client better")
        NO_CAPACITY = "no_capacity", _("No capacity at the moment")
        UNREACHABLE = "unreachable", _("The client could not be reached")
        CLIENT_DECLINED = "client_declined", _("The client did not want the service")
        OTHER = "other", _("Other reason")

    class EndReason(models.TextChoices):
        CLIENT_DECLINED = "client_declined", _("The client declined")
        NO_SHOW = "no_show", _("The client did not come")
        MOVED = "moved", _("The client moved away")
        OTHER = "other", _("Other reason")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="referrals"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referrer"), on_delete=models.PROTECT, related_name="+"
    )
    referring_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("referring unit"),
        on_delete=models.PROTECT,
        related_name="sent_referrals",
    )
    receiving_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="received_referrals",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        help_text=_("A service of the tray the client is referred to, if any."),
    )
    needs = models.ManyToManyField("catalog.Theme", verbose_name=_("needs"), blank=True, related_name="+")
    reason = models.TextField(_("reason"), max_length=MAX_TEXT, validators=[MaxLengthValidator(MAX_TEXT)])
    goals = models.TextField(
        _("goals"), max_length=MAX_TEXT, validators=[MaxLengthValidator(MAX_TEXT)], blank=True
    )
    activity_level = models.CharField(
        _("physical activity now"),
        max_length=20,
        choices=ActivityLevel.choices,
        default=ActivityLevel.UNKNOWN,
    )
    risk_notes = models.TextField(
        _("risks to note"), max_length=MAX_TEXT, validators=[MaxLengthValidator(MAX_TEXT)], blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    decline_reason = models.TextField(
        _("reason for declining"), max_length=MAX_TEXT, validators=[MaxLengthValidator(MAX_TEXT)], blank=True
    )
    decline_code = models.CharField(
        _("reason for declining (coded)"), max_length=20, choices=DeclineCode.choices, blank=True
    )
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(
        _("note on ending"), max_length=MAX_TEXT, validators=[MaxLengthValidator(MAX_TEXT)], blank=True
    )
    outcome_summary = models.TextField(
        _("outcome summary"),
        max_length=MAX_TEXT,
        validators=[MaxLengthValidator(MAX_TEXT)],
        blank=True,
        help_text=_("Returned to the referrer."),
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    appointment_place = models.CharField(_("place of the appointment"), max_length=200, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    first_contact_due = models.DateField(_("first contact due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referrer", "idempotency_key"], name="unique_referral_idempotency_key"
            )
        ]
        indexes = [
            models.Index(fields=["receiving_unit", "status"]),
            models.Index(fields=["referring_unit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Consent(models.Model):
    """The client's consent to a referral: without it nothing is sent; its withdrawal stops sharing."""

    class GivenBy(models.TextChoices):
        CLIENT = "client", _("The client")
        GUARDIAN = "guardian", _("A guardian")
        REPRESENTATIVE = "representative", _("A legal representative")

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Verbally, recorded by the professional")
        WRITTEN = "written", _("On paper, signed")
        ELECTRONIC = "electronic", _("Electronically")

    class Scope(models.TextChoices):
        REFERRAL = "referral", _("Share the referral with the receiving unit and get the outcome back")
        REFERRAL_AND_STATISTICS = (
            "referral_statistics",
            _("As above, and use the pseudonymised data in statistics"),
        )

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="consent")
    given_by = models.CharField(_("given by"), max_length=20, choices=GivenBy.choices)
    given_at = models.DateTimeField(_("given"))
    method = models.CharField(_("how recorded"), max_length=20, choices=Method.choices)
    scope = models.CharField(pgettext_lazy("consent", "scope"), max_length=30, choices=Scope.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.given_at:%Y-%m-%d})"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class ReferralEvent(models.Model):
    """One step of a referral's history: who moved it from which state to which, and when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Referral.Status.choices)
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
