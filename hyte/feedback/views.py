"""The feedback pages.

- ``feedback_page``: the public form at the token's address (no login; the address is the secret),
  in the language of the address, working without JavaScript; ``thanks_page`` after it.
- ``link_new`` (POST from the pathway, referral or groups page) and ``link_page``: the link and its QR
  code for the worker to give or print.
- ``comments_page``: the coordinators' list of comments, to hide an abusive one (audited).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.core.errors import DomainError, InvalidParameter
from hyte.core.ratelimit import rate_limited
from hyte.core.views import error_page as _error
from hyte.feedback import selectors, services
from hyte.feedback.errors import UnknownFeedbackLink
from hyte.feedback.forms import FeedbackForm, MeetingLinkForm
from hyte.feedback.models import FeedbackLink

COOKIE = "hyte_feedback"


def _browser_nonce(request: HttpRequest) -> str:
    value = request.COOKIES.get(COOKIE, "")
    return value if services.NONCE.fullmatch(value) else ""


def _link_nonce(source: str, token: str) -> str:
    """What is stored for this device and link: a hash of the browser's random cookie and the token, so
    the receipts of two links cannot be matched to one browser without the cookie."""
    if not source:
        return ""
    return hashlib.sha256(f"{source}:{token}".encode()).hexdigest()[:64]


def _set_cookie(response: HttpResponse, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=services.link_days() * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


@require_http_methods(["GET", "POST"])
@rate_limited("feedback")
def feedback_page(request: HttpRequest, token: str) -> HttpResponse:
    """The feedback form. An unknown token is the 404 page; an answered, expired or full link says so
    kindly; bad input shows the form again with the errors (400)."""
    try:
        link = services.link_by_token(token)
    except UnknownFeedbackLink as exc:
        return _error(request, exc)
    browser = _browser_nonce(request)
    fresh = ""
    if not browser:
        fresh = secrets.token_urlsafe(24)
    form = FeedbackForm(
        request.POST if request.method == "POST" else None, initial={"nonce": browser or fresh}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            source = browser or (d["nonce"] if services.NONCE.fullmatch(d["nonce"] or "") else "")
            try:
                services.answer_submit(
                    token=token,
                    answer=services.Answer(
                        rating=d["rating"], recommend=d["recommend"], text=d["text"], language=get_language()
                    ),
                    nonce=_link_nonce(source, link.token),
                )
            except InvalidParameter as exc:
                form.add_error(
                    exc.details.get("field") if exc.details.get("field") in form.fields else None,
                    str(exc.message),
                )
            except DomainError as exc:
                return _closed(request, link, exc)
            else:
                done = redirect("web:feedback-thanks")
                if not browser and source:
                    _set_cookie(done, source)
                return done
        status = 400
    else:
        try:
            services.check_open(link, _link_nonce(browser, link.token))
        except DomainError as exc:
            return _closed(request, link, exc)
    response = render(
        request,
        "feedback/form.html",
        {"link": link, "form": form, "subject": _subject(link)},
        status=status,
    )
    if fresh:
        _set_cookie(response, fresh)
    return response


def _subject(link: FeedbackLink) -> str:
    owner = link.service or link.programme or link.unit
    return str(owner.name) if owner is not None else str(link.organization.name)


def _closed(request: HttpRequest, link: FeedbackLink, exc: DomainError) -> HttpResponse:
    return render(
        request,
        "feedback/closed.html",
        {"message": exc.message, "subject": _subject(link)},
        status=exc.http_status,
    )


@require_GET
def thanks_page(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/thanks.html")


# --- staff: links and QR codes ---


def public_url(request: HttpRequest, link: FeedbackLink) -> str:
    """The form's address in the link's language (Finnish unprefixed, /sv/ and /en/)."""
    with translation.override(link.language):
        return request.build_absolute_uri(reverse("web:feedback", args=[link.token]))


def _qr(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=5, title=str(_("QR code of the feedback form"))))


@require_POST
@otp_required
def link_new(request: HttpRequest) -> HttpResponse:
    """Make (or show again) the feedback link of a closed pathway, a completed referral or a meeting."""
    try:
        if request.POST.get("pathway"):
            link = services.link_for_pathway(actor=request.user, pathway_id=request.POST["pathway"])
        elif request.POST.get("referral"):
            link = services.link_for_referral(actor=request.user, referral_id=request.POST["referral"])
        elif request.POST.get("meeting"):
            form = MeetingLinkForm(request.POST)
            if not form.is_valid():
                raise InvalidParameter(_("Choose the meeting and the language."))
            link = services.link_for_meeting(
                actor=request.user,
                meeting_id=form.cleaned_data["meeting"],
                language=form.cleaned_data["language"] or "fi",
            )
        else:
            raise InvalidParameter(_("Choose what the feedback is about."))
    except DomainError as exc:
        return _error(request, exc)
    return redirect("web:feedback-link", link_id=link.pk)


@otp_required
@require_GET
def link_page(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    try:
        link = selectors.link_detail(actor=request.user, link_id=link_id)
    except DomainError:
        raise Http404 from None
    url = public_url(request, link)
    context: dict[str, Any] = {
        "link": link,
        "url": url,
        "qr": _qr(url),
        "expired": link.expires_at <= timezone.now(),
        "subject": _subject(link),
    }
    return render(request, "feedback/link.html", context)


# --- coordinators: comments ---


@otp_required
@require_http_methods(["GET", "POST"])
def comments_page(request: HttpRequest) -> HttpResponse:
    """The comments a coordinator sees in the report, with the hidden ones, to hide or show."""
    from hyte.core.disclosure import min_cell
    from hyte.feedback.report import answers_in, comments
    from hyte.reporting.filters import parse_filter, scope_for

    try:
        scope = scope_for(request.user)  # type: ignore[arg-type]
    except DomainError:
        raise Http404 from None
    if request.method == "POST":
        try:
            services.comment_hide(
                actor=request.user,
                answer_id=request.POST.get("answer", ""),
                hidden=request.POST.get("hide") == "1",
            )
        except DomainError as exc:
            return _error(request, exc)
        messages.success(request, _("Saved."))
        return redirect(request.get_full_path())
    try:
        report_filter = parse_filter(request.GET, scope)
    except DomainError as exc:
        return _error(request, exc)
    shown = comments(answers_in(scope, report_filter), min_cell(), with_hidden=True)
    return render(
        request,
        "feedback/comments.html",
        {"comments": shown, "filter": report_filter, "min_cell": min_cell(), "scope": scope},
    )
