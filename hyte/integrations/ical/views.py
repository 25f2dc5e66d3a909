"""The public .ics feed of a service: its weekly times and events, in the language of the URL."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from hyte.core.errors import DomainError
from hyte.integrations.ical import exporter, selectors

# Events that ended this long ago are left out of the feed.
PAST_EVENTS = timedelta(days=30)


@require_GET
def service_ics(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        service = selectors.calendar_service(service_id=service_id)
    except DomainError as exc:
        return render(request, "web/error.html", {"message": exc.message}, status=exc.http_status)
    language = translation.get_language() or settings.LANGUAGE_CODE
    body = exporter.service_calendar(
        service=service,
        schedules=selectors.calendar_schedules(service=service),
        events=selectors.calendar_events(service=service, since=timezone.now() - PAST_EVENTS),
        language=language,
        url=request.build_absolute_uri(reverse("web:service", args=[service.pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(service.name)[:80] or 'calendar'}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response
