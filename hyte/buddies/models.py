"""Peer buddies (Porvoo's LiiKu-kamut): trained experience experts, students or volunteers who
accompany a client to activities for a period.

The buddy never reads the client record: a ``Pairing`` carries a copy of what the client agreed to
share (the first name, and the phone and/or e-mail the client chose), with who recorded the consent,
when and how. A ``BuddyMeeting`` holds a date, an activity from a fixed list, an optional duration and a
short note that must not contain health details.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyte.core.ids import new_id
from hyte.referrals.models import Consent

NOTE_MAX = 200  # a meeting's note: a line, not a record
TAGS_MAX = 200


class Buddy(models.Model):
    class Kind(models.TextChoices):
        EXPERIENCE_EXPERT = "experience_expert", _("Experience expert")
        STUDENT = "student", _("Student")
        VOLUNTEER = "volunteer", _("Volunteer")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        related_name="buddy",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("coordinating unit"),
        on_delete=models.PROTECT,
        related_name="buddies",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("As the clients and workers know the buddy.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    languages = models.ManyToManyField(
        "catalog.ServiceLanguage", verbose_name=_("languages"), blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        "catalog.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interests = models.ManyToManyField(
        "catalog.Theme", verbose_name=_("interests"), blank=True, related_name="+"
    )
    tags = models.CharField(
        _("other interests"),
        max_length=TAGS_MAX,
        blank=True,
        help_text=_("Separated by commas, e.g. Nordic walking, board games."),
    )
    training_completed_on = models.DateField(_("training completed"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("buddy")
        verbose_name_plural = _("buddies")
        ordering = ["name"]
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class Pairing(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    class EndReason(models.TextChoices):
        PERIOD_OVER = "period_over", _("The agreed period is over")
        GOAL_REACHED = "goal_reached", _("The client goes on alone")
        CLIENT_WITHDREW = "client_withdrew", _("The client no longer wanted a buddy")
        BUDDY_STOPPED = "buddy_stopped", _("The buddy could not continue")
        MISTAKE = "mistake", _("Made by mistake")
        OTHER = "other", _("Other reason")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="buddy_pairings"
    )
    buddy = models.ForeignKey(
        Buddy, verbose_name=_("buddy"), on_delete=models.PROTECT, related_name="pairings"
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="buddy_pairings"
    )
    pathway = models.ForeignKey(
        "pathways.Pathway", null=True, blank=True, on_delete=models.PROTECT, related_name="buddy_pairings"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="buddy_pairings"
    )
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paired by"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    # What the client agreed to share with the buddy, copied here: the buddy never reads the client.
    shared_first_name = models.CharField(_("first name"), max_length=100)
    shared_phone = models.CharField(_("phone"), max_length=40, blank=True)
    shared_email = models.EmailField(_("email"), blank=True)
    consent_given_by = models.CharField(_("consent given by"), max_length=20, choices=Consent.GivenBy.choices)
    consent_given_at = models.DateTimeField(_("consent given"))
    consent_method = models.CharField(_("how recorded"), max_length=20, choices=Consent.Method.choices)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("note on ending"), max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("buddy pairing")
        verbose_name_plural = _("buddy pairings")
        ordering = ["-starts_on", "-created_at"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["buddy", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pairing_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.buddy} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class BuddyMeeting(models.Model):
    class Activity(models.TextChoices):
        WALK = "walk", _("Walk or outdoor exercise")
        GYM = "gym", _("Gym")
        SWIMMING = "swimming", _("Swimming")
        BALL_GAMES = "ball_games", _("Ball games or group exercise")
        NATURE = "nature", _("Nature trip")
        CULTURE = "culture", _("Culture (museum, theatre, cinema, concert)")
        CAFE = "cafe", _("Café or chat")
        EVENT = "event", _("Event or club")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="meetings"
    )
    on = models.DateField(_("date"))
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    note = models.CharField(
        _("short note"),
        max_length=NOTE_MAX,
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX)],
        help_text=_("No health details: only what you did, e.g. “walked the river path”."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("buddy meeting")
        verbose_name_plural = _("buddy meetings")
        ordering = ["-on", "-recorded_at"]
        indexes = [models.Index(fields=["pairing", "on"])]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_activity_display()}"
