"""What reporting stores itself: programme costs entered by coordinators, and service-use counts
imported from a health record extract (pseudonymous, monthly, per visit type).

Everything else a report shows is read from the referrals, pathways and attendance contexts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyte.core.ids import new_id


class ProgrammeCost(models.Model):
    """A cost of running a programme in one organization for a period (a budget line, an invoice, a
    project's public funding). Reports prorate it by the days the period shares with the report."""

    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        SERVICES = "services", _("Purchased services")
        PREMISES = "premises", _("Premises")
        MATERIALS = "materials", _("Materials and equipment")
        REWARDS = "rewards", _("Rewards and passes")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.PROTECT
    )
    programme = models.ForeignKey(
        "pathways.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="costs"
    )
    starts_on = models.DateField(_("period start"))
    ends_on = models.DateField(_("period end"))
    amount = models.DecimalField(
        _("amount (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, validators=[MaxLengthValidator(200)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("programme cost")
        verbose_name_plural = _("programme costs")
        ordering = ["-starts_on", "programme_id"]
        indexes = [models.Index(fields=["organization", "programme", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="cost_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.starts_on}–{self.ends_on} {self.amount} €"


class ServiceUseImport(models.Model):
    """One upload of a health record extract: who brought it in, when, and what was in it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.PROTECT
    )
    source_name = models.CharField(_("file"), max_length=200)
    source_sha256 = models.CharField(max_length=64, editable=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_unmatched = models.PositiveIntegerField(_("rows without a matching client"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("service-use import")
        verbose_name_plural = _("service-use imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source_name} {self.imported_at:%Y-%m-%d}"


class ServiceUse(models.Model):
    """Visits of one client (by pseudonym) of one type in one month, from an extract. A later import
    of the same client, month and type replaces the count."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    visit_type = models.SlugField(_("visit type"), max_length=40)
    count = models.PositiveIntegerField(_("visits"))
    source = models.ForeignKey(ServiceUseImport, on_delete=models.CASCADE, related_name="rows")

    class Meta:
        verbose_name = _("service use")
        verbose_name_plural = _("service use")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "client", "month", "visit_type"], name="unique_service_use_month"
            )
        ]
        indexes = [models.Index(fields=["organization", "visit_type", "month"])]

    def __str__(self) -> str:
        return f"{self.visit_type} {self.month:%Y-%m} {self.count}"
