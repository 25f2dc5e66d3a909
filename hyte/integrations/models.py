from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One run of an import (PTV, HSDS, iCalendar): what it did and what it could not do."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Finished with errors")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=20)
    location = models.CharField(_("read from"), max_length=500)
    options = models.JSONField(_("options"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty for platform-wide imports (PTV, HSDS); the feed's organization for calendars."),
    )
    pages_done = models.PositiveIntegerField(_("pages done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True, help_text=_("[{id, reason}]"))
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    def summary(self) -> str:
        return (
            f"{self.source}: created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"withdrawn {self.withdrawn}, failed {self.failed}"
        )


class ImportSeen(models.Model):
    """A record id a run has read: what a stopped run has seen, so that the run that resumes it knows
    which services are still in the source. Deleted when the run finishes."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="seen_records")
    external_id = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["run", "external_id"])]

    def __str__(self) -> str:
        return self.external_id
