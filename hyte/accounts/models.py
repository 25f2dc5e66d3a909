from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyte.catalog.capacity import CapacityBase
from hyte.core.ids import new_id


class Membership(models.Model):
    """A user's role in one organization. Staff edit only what belongs to their organizations."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Service editor")
        COORDINATOR = "coordinator", _("Coordinator")
        FRONT_DESK = "front_desk", _("Front desk (marks pass visits and group attendance)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"


class Unit(models.Model):
    """A team that sends or receives referrals: a county's health station or social work team, a
    municipality's exercise counselling, a link worker team, an association's service."""

    class Kind(models.TextChoices):
        COUNTY_UNIT = "county_unit", _("Wellbeing services county unit")
        EXERCISE_COUNSELLING = "exercise_counselling", _("Exercise counselling")
        LINK_WORKERS = "link_workers", _("Link worker team")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="units"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        "catalog.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Where notices of new referrals go (no personal data in them).")
    )
    receives_referrals = models.BooleanField(_("receives referrals"), default=False)
    receives_self_referrals = models.BooleanField(
        _("takes contact requests from residents"),
        default=False,
        help_text=_("Shown on the public contact form (self-referral)."),
    )
    first_contact_days = models.PositiveSmallIntegerField(
        _("days to first contact"),
        default=14,
        help_text=_(
            "A received referral is overdue when the client has not been contacted in this many days."
        ),
    )
    notice_language = models.CharField(
        _("language of notices"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="fi",
        help_text=_("E-mails to the unit's address are written in this language."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name_fi"]

    def __str__(self) -> str:
        return self.name


class UnitRole(models.Model):
    """What a user does in a unit. One user may hold several roles, in several units."""

    class Role(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional (sends referrals)")
        RECEIVER = "receiver", _("Counsellor or link worker (receives referrals)")
        COORDINATOR = "coordinator", _("Coordinator (aggregate figures only)")
        UNIT_ADMIN = "unit_admin", _("Unit administrator")
        DATA_PROTECTION_OFFICER = "dpo", _("Data protection officer (reads the audit log)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="unit_roles"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("unit role")
        verbose_name_plural = _("unit roles")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_unit_role")]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()})"


class UnitCapacity(CapacityBase):
    """Whether a receiving unit takes new clients, its waiting time and free places (the same shape as
    ``catalog.ServiceCapacity``); shown on the referral form, which warns before sending to a full unit."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="capacity"
    )

    class Meta:
        verbose_name = _("capacity of a unit")
        verbose_name_plural = _("capacities of units")
        constraints = CapacityBase.check_constraints("unit_capacity")

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_takes_new_clients_display()})"


class StaffProfile(models.Model):
    """What the platform keeps of a staff user besides Django's user: the language her notices are
    written in, which is the language she last logged in with (set by ``receivers.remember_language``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    language = models.CharField(
        _("language of notices"), max_length=2, choices=settings.LANGUAGES, default="fi"
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"
