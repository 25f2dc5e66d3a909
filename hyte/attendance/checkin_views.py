"""The desk's mobile check-in page: the front desk of a service a pass covers marks a visit with one tap,
by the pass token (typed, or read from the pass's QR code where the browser can scan).

The page's script (``web/checkin.js``) stores each mark in the browser before it sends it to the API
(``api:checkin``), so marks made offline wait there and go in one batch (``api:checkin-batch``) when the
connection is back. Every mark has its own idempotency key, so a mark sent twice counts once. Without
the script the form posts here and the mark is made at once (the form's key makes a resubmitted form
count once too).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp.decorators import otp_required

from hyte.attendance import selectors, services
from hyte.core.errors import DomainError


def token_from_scan(value: str) -> str:
    """The token from what was typed or scanned: the QR code holds the bare token, but a link ending
    in ``/<token>/`` is accepted too (its last path segment)."""
    value = (value or "").strip()
    if "/" in value:
        path = value.split("?", 1)[0].split("#", 1)[0]
        segments = [part for part in path.split("/") if part]
        value = segments[-1] if segments else ""
    return value


def _plural(singular: str, plural: str) -> list[str]:
    """The two forms of a counted message for the script (``%(count)s`` filled in there): the form for
    one and the form for many, which is all Finnish, Swedish and English need."""
    return [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]


def _script_strings() -> dict[str, Any]:
    return {
        "marked": _plural("Visit marked: %(count)s visit", "Visit marked: %(count)s visits"),
        "reward": _("Reward earned: %(reward)s"),
        "rewards_waiting": _plural(
            "%(count)s reward waiting to be handed out", "%(count)s rewards waiting to be handed out"
        ),
        # Written out with ngettext (not through _plural) so that makemessages finds them.
        "waiting": [
            ngettext("%(count)s mark waiting to be sent", "%(count)s marks waiting to be sent", 1),
            ngettext("%(count)s mark waiting to be sent", "%(count)s marks waiting to be sent", 2),
        ],
        "sent": [
            ngettext("%(count)s waiting mark sent.", "%(count)s waiting marks sent.", 1),
            ngettext("%(count)s waiting mark sent.", "%(count)s waiting marks sent.", 2),
        ],
        "offline": _("No connection. The mark is saved on this device and sent when the connection is back."),
        "server": _("The mark could not be sent now. It is saved on this device and will be sent again."),
        "login": _("Your login has ended. The marks are saved on this device: log in again to send them."),
        "refused_mark": _("Not marked (code %(token)s, %(day)s): %(message)s"),
        "refused": _("The mark was refused."),
        "no_token": _("Type or scan the pass code first."),
        "no_service": _("Choose the service first."),
        "scan": _("Scan the QR code"),
        "stop_scan": _("Stop the camera"),
        "scanning": _("Point the camera at the QR code on the pass."),
        "scanned": _("Code read. Tap “Mark visit”."),
        "camera": _("The camera cannot be used here. Type the code instead."),
    }


def _marked_lines(marked: services.Marked) -> list[str]:
    lines = [
        ngettext("Visit marked: %(count)s visit", "Visit marked: %(count)s visits", marked.visits)
        % {"count": marked.visits}
    ]
    if marked.reward is not None:
        lines.append(_("Reward earned: %(reward)s") % {"reward": marked.reward.text})
    else:
        waiting = selectors.rewards_waiting_for_token(marked.visit.pass_card.token).count()
        if waiting:
            lines.append(
                ngettext(
                    "%(count)s reward waiting to be handed out",
                    "%(count)s rewards waiting to be handed out",
                    waiting,
                )
                % {"count": waiting}
            )
    lines.append(str(marked.visit.pass_card.programme.name))
    return lines


@otp_required
@require_http_methods(["GET", "POST"])
def checkin_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_desk(request.user):
        return render(
            request,
            "web/error.html",
            {"message": _("Only the front desk of a service that a pass covers marks visits here.")},
            status=403,
        )
    desk_services = list(selectors.desk_services(request.user))
    result: list[str] = []
    error = token = ""
    status = 200
    selected = request.POST.get("service", "") if request.method == "POST" else ""
    if request.method == "POST" and desk_services:  # the form without the script
        try:
            marked = services.visit_mark(
                actor=request.user,
                token=token_from_scan(request.POST.get("token", "")),
                service_id=selected,
                key=request.POST.get("key", ""),
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.http_status
            token = request.POST.get("token", "")[:300]  # kept in the field, to correct it
        else:
            result = _marked_lines(marked)
    return render(
        request,
        "attendance/checkin.html",
        {
            "services": desk_services,
            "selected": selected,
            "key": uuid.uuid4().hex,  # a new mark each time the form is shown
            "token": token,
            "result": result,
            "error": error,
            "strings": _script_strings(),
        },
        status=status,
    )
