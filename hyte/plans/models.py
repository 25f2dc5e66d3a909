"""Client plans of adult social work (Helsinki's model of mobility and culture in social work).

A social worker's service-need assessment and client plan (``ClientPlan``) for a referrals ``Client``,
owned by a unit; its structured "physical activity and participation" section (``ActivitySection``,
one per plan) with the agreed steps (``AgreedStep``); the services, social rehabilitation groups and
events chosen for it (``PlanItem``); and the supplementary or preventive income support granted for the
plan-based activity costs (``IncomeSupportGrant``: amount, period, what for; never the decision's
contents). The plan carries a ``version`` for optimistic concurrency like ``pathways.Pathway``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyte.core.ids import new_id

MAX_NOTE = 1000
MAX_MINUTES_PER_WEEK = 3000  # 50 hours a week: more is a typing error
MAX_GRANT_EUROS = Decimal("3000.00")  # income support for activity costs is tens or hundreds of euros


class ActivityLevel(models.TextChoices):
    """The same fixed list as the referral's ``activity_level``."""

    INACTIVE = "inactive", _("Inactive (hardly any exercise)")
    SOME = "some", _("Some activity, below the recommendation")
    RECOMMENDED = "recommended", _("Meets the UKK recommendation")
    UNKNOWN = "unknown", _("Not known")


class ClientPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="client_plans"
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="client_plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("service need assessed on"))
    plan_made_on = models.DateField(_("plan made on"), null=True, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client plan")
        verbose_name_plural = _("client plans")
        ordering = ["-assessed_on", "-created_at"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["unit", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.assessed_on}"


class ActivitySection(models.Model):
    """The plan's "physical activity and participation" section."""

    plan = models.OneToOneField(
        ClientPlan, verbose_name=_("client plan"), on_delete=models.CASCADE, related_name="activity"
    )
    activity_level = models.CharField(
        _("current physical activity"),
        max_length=20,
        choices=ActivityLevel.choices,
        default=ActivityLevel.UNKNOWN,
    )
    minutes_per_week = models.PositiveSmallIntegerField(
        _("minutes of activity a week"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_MINUTES_PER_WEEK)],
    )
    participation = models.TextField(
        _("current participation"), blank=True, validators=[MaxLengthValidator(MAX_NOTE)]
    )
    wish_themes = models.ManyToManyField(
        "catalog.Theme", verbose_name=_("would like to try (themes)"), blank=True, related_name="+"
    )
    wishes = models.TextField(
        _("what the client would like to try"), blank=True, validators=[MaxLengthValidator(MAX_NOTE)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("physical activity and participation")
        verbose_name_plural = _("physical activity and participation")

    def __str__(self) -> str:
        return self.get_activity_level_display()


class AgreedStep(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    plan = models.ForeignKey(
        ClientPlan, verbose_name=_("client plan"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("agreed step"), max_length=500)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreed step")
        verbose_name_plural = _("agreed steps")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class PlanItem(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Service from the tray")
        REHAB_GROUP = "rehab_group", _("Social rehabilitation group")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        STARTED = "started", _("Started")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    plan = models.ForeignKey(
        ClientPlan, verbose_name=_("client plan"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        "catalog.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(
        _("name of the group"),
        max_length=200,
        blank=True,
        help_text=_("For a group that is not in the tray (for example the unit's own group)."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    times = models.CharField(
        _("times"), max_length=300, blank=True, help_text=_("For example: Tuesdays 10–12.")
    )
    note = models.TextField(
        _("internal note"),
        blank=True,
        validators=[MaxLengthValidator(MAX_NOTE)],
        help_text=_("Not printed on the client's plan."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class IncomeSupportGrant(models.Model):
    """Supplementary or preventive income support granted for plan-based activity costs. Only what the
    reports count: no decision document and no reasoning."""

    class Kind(models.TextChoices):
        SUPPLEMENTARY = "supplementary", _("Supplementary income support")
        PREVENTIVE = "preventive", _("Preventive income support")

    class Purpose(models.TextChoices):
        EXERCISE_PASS = "exercise_pass", _("Exercise card or pass")
        EQUIPMENT = "equipment", _("Equipment")
        COURSE_FEE = "course_fee", _("Course or group fee")
        TRAVEL = "travel", _("Travel")
        CULTURE_TICKET = "culture_ticket", _("Culture ticket")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    plan = models.ForeignKey(
        ClientPlan, verbose_name=_("client plan"), on_delete=models.CASCADE, related_name="grants"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_GRANT_EUROS)],
    )
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    purpose = models.CharField(_("what for"), max_length=20, choices=Purpose.choices)
    purpose_text = models.CharField(_("what for, in words"), max_length=200, blank=True)
    decided_on = models.DateField(_("decision date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("income support grant")
        verbose_name_plural = _("income support grants")
        ordering = ["decided_on", "created_at"]
        indexes = [models.Index(fields=["decided_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(period_from__lte=models.F("period_to")), name="grant_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} €"
