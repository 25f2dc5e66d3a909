"""python manage.py import_ical: import iCalendar (.ics) event feeds of organizations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hyte.catalog.models import ICalFeed, Organization, Service
from hyte.core.errors import DomainError
from hyte.integrations.ical.client import MAX_FEED_BYTES
from hyte.integrations.ical.selectors import (
    feeds_to_import,
    organization_by_external_id,
    service_by_external_id,
)
from hyte.integrations.ical.services import ImportResult, ical_feed_create, ical_feed_import, ical_file_import

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Import iCalendar (.ics) event feeds. Without --url or --file, every active calendar feed is "
        "imported (only those of one organization with --organization-external-id). --url registers the "
        "address as an active feed of the organization and imports it; --file imports a local file. Events "
        "that vanished from a feed are removed. Exits non-zero when a feed or an event failed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--organization-external-id", dest="organization", help="e.g. ptv:3668d250-... or demo:kokkola"
        )
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--url", help="An http(s) address of an .ics feed of the organization.")
        source.add_argument("--file", help="A local .ics file of the organization.")
        parser.add_argument(
            "--service-external-id",
            dest="service",
            help="With --url or --file: the service the events belong to (weekly meetings become its times).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _label in ICalFeed.Language.choices],
            default=ICalFeed.Language.FINNISH,
            help="With --url or --file: the language of texts that do not say their language.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options["organization"])
        if (options["url"] or options["file"]) and organization is None:
            raise CommandError(_("--url and --file need --organization-external-id."))
        if options["service"] and not (options["url"] or options["file"]):
            raise CommandError(_("--service-external-id is used only with --url or --file."))
        service = self._service(organization, options["service"]) if organization else None
        results: list[ImportResult] = []
        failed_sources = 0
        if options["file"]:
            assert organization is not None
            result = self._import_file(organization, service, Path(options["file"]), options["language"])
            if result is None:
                failed_sources += 1
            else:
                results.append(result)
            sources = 1
        else:
            if options["url"]:
                assert organization is not None
                try:
                    feeds: list[ICalFeed] = [
                        ical_feed_create(
                            actor=None,
                            organization=organization,
                            url=options["url"],
                            service=service,
                            language=options["language"],
                        )
                    ]
                except DomainError as exc:
                    raise CommandError(f"{options['url']}: {_describe(exc)}") from exc
            else:
                feeds = list(feeds_to_import(organization_id=organization.pk if organization else None))
            sources = len(feeds)
            for feed in feeds:
                result = self._import_feed(feed)
                if result is None:
                    failed_sources += 1
                else:
                    results.append(result)
        failed_events = sum(r.failed for r in results)
        summary = _(
            "Calendars: %(sources)d, of which failed: %(failed)d. Events created: %(created)d, updated: "
            "%(updated)d, unchanged: %(unchanged)d, removed: %(removed)d, skipped: %(skipped)d."
        ) % {
            "sources": sources,
            "created": sum(r.created for r in results),
            "updated": sum(r.updated for r in results),
            "unchanged": sum(r.unchanged for r in results),
            "removed": sum(r.removed for r in results),
            "skipped": failed_events,
            "failed": failed_sources,
        }
        if failed_sources or failed_events:
            raise CommandError(summary)
        self.stdout.write(summary)

    def _organization(self, external_id: str | None) -> Organization | None:
        if not external_id:
            return None
        organization = organization_by_external_id(external_id)
        if organization is None:
            raise CommandError(_("No organization has the external id “%(id)s”.") % {"id": external_id})
        return organization

    def _service(self, organization: Organization, external_id: str | None) -> Service | None:
        if not external_id:
            return None
        service = service_by_external_id(organization=organization, external_id=external_id)
        if service is None:
            raise CommandError(
                _("The organization has no service with the external id “%(id)s”.") % {"id": external_id}
            )
        return service

    def _report(self, label: str, result: ImportResult) -> None:
        self.stdout.write(f"{label}: {result.summary()}")
        for record in result.skipped:
            self.stderr.write(f"  {record.describe()}")

    def _import_file(
        self, organization: Organization, service: Service | None, path: Path, language: str
    ) -> ImportResult | None:
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_FEED_BYTES + 1)
        except OSError as exc:
            self.stderr.write(f"{path}: {exc.strerror or exc}")
            return None
        if len(content) > MAX_FEED_BYTES:
            self.stderr.write(f"{path}: {_('The calendar feed is too large.')}")
            return None
        try:
            result = ical_file_import(
                actor=None,
                organization=organization,
                name=path.name,
                content=content,
                service=service,
                language=language,
            )
        except DomainError as exc:
            self.stderr.write(f"{path}: {exc.message}")
            return None
        self._report(str(path), result)
        return result

    def _import_feed(self, feed: ICalFeed) -> ImportResult | None:
        try:
            result = ical_feed_import(actor=None, feed=feed)
        except DomainError as exc:
            self.stderr.write(f"{feed.url}: {exc.message}")
            return None
        except Exception:  # a bug must not stop the other feeds; it is logged with its traceback
            logger.exception("Importing the calendar feed %s failed", feed.pk)
            self.stderr.write(f"{feed.url}: {_('The import failed because of an internal error.')}")
            return None
        self._report(feed.url, result)
        return result


def _describe(error: DomainError) -> str:
    """The message, with field errors (from validation) when there are any."""
    field_errors = error.details.get("errors") or {}
    messages = [str(m) for values in field_errors.values() for m in values]
    return " ".join([str(error.message), *messages])
