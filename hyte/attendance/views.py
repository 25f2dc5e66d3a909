"""Staff pages of passes and groups, and the holder's own pass.

- ``passes_page``: the issuing units' pass holders with their use in a period, flagged non-users, and a
  form to issue a pass (from a pathway or referral, given as ``?pathway=`` / ``?referral=``).
- ``pass_card_page``: one pass for printing (QR code of the opaque token, no personal data in it).
- ``holder_pass_page``: the holder's phone view at the token's address: the QR code, visits, rewards and
  a form to report a visit; no name.
- ``groups_page``: the organization's groups, meetings with head counts, and a form for a meeting.
- ``passes_csv`` and ``meetings_csv``: exports for a period (pseudonyms, not names; counts only).
"""

from __future__ import annotations

import csv
import uuid
from datetime import date, timedelta
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.accounts.models import Unit
from hyte.attendance import selectors, services
from hyte.attendance.models import Meeting, Pass, PassProgramme
from hyte.core.errors import DomainError
from hyte.core.personal_log import log_personal_data
from hyte.core.views import error_page as _error

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        since = date.fromisoformat(request.GET.get("since") or (today - timedelta(days=30)).isoformat())
        until = date.fromisoformat(request.GET.get("until") or today.isoformat())
    except ValueError:
        since, until = today - timedelta(days=30), today
    return (since, until) if since <= until else (until, since)


class IssueForm(forms.Form):
    programme: forms.ModelChoiceField[PassProgramme] = forms.ModelChoiceField(
        label=gettext_lazy("Pass"), queryset=PassProgramme.objects.filter(active=True), empty_label=None
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=gettext_lazy("Issuing unit"), queryset=Unit.objects.none(), empty_label=None
    )
    pathway = forms.UUIDField(widget=forms.HiddenInput, required=False)
    referral = forms.UUIDField(widget=forms.HiddenInput, required=False)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"message": message}, status=403)


def _not_an_issuer(request: HttpRequest) -> HttpResponse:
    """The passes page and its export: only a professional of an issuing unit."""
    return _forbidden(request, _("Passes are issued by the units' professionals."))


def _not_a_group_desk(request: HttpRequest) -> HttpResponse:
    """The groups page and its export: only the staff of an organization that runs groups."""
    return _forbidden(
        request, _("Group attendance is recorded by the staff of the organization that runs the group.")
    )


@otp_required
@require_http_methods(["GET", "POST"])
def passes_page(request: HttpRequest) -> HttpResponse:
    unit_ids = selectors.issuer_unit_ids(request.user)
    if not unit_ids:
        return _not_an_issuer(request)
    form = IssueForm(request.POST or None, initial=request.GET.dict())
    form.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            card = services.pass_issue(
                actor=request.user,
                data=services.PassIssue(
                    programme=d["programme"].code,
                    unit_id=d["unit"].pk,
                    pathway_id=d["pathway"],
                    referral_id=d["referral"],
                ),
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The pass is issued. Print it or send the link to the client's phone.")
            )
            return redirect("web:pass-card", pass_id=card.pk)
    since, until = _period(request)
    holders = selectors.pass_holders(actor=request.user, since=since, until=until)
    for holder in holders:
        log_personal_data(actor=request.user, action="read", obj=holder.card, purpose=services.PURPOSE)
    return render(
        request,
        "attendance/passes.html",
        {
            "holders": holders,
            "non_users": [h for h in holders if h.non_user],
            "since": since,
            "until": until,
            "form": form,
            "for_someone": bool(request.GET.get("pathway") or request.GET.get("referral") or request.POST),
        },
    )


def _qr(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=5, title=str(_("QR code of the pass"))))


def holder_url(request: HttpRequest, card: Pass) -> str:
    return request.build_absolute_uri(reverse("web:holder-pass", args=[card.token]))


@otp_required
@require_GET
def pass_card_page(request: HttpRequest, pass_id: uuid.UUID) -> HttpResponse:
    """The pass for printing: programme, validity and the QR code (the holder's page address, which
    carries only the opaque token)."""
    card = (
        selectors.passes_visible_to(request.user)
        .select_related("programme", "client")
        .filter(pk=pass_id)
        .first()
    )
    if card is None:
        return render(request, "web/error.html", {"message": _("The pass was not found.")}, status=404)
    log_personal_data(actor=request.user, action="read", obj=card, purpose=services.PURPOSE)
    url = holder_url(request, card)
    return render(
        request,
        "attendance/pass_card.html",
        {"card": card, "qr": _qr(url), "url": url, "rewards": card.rewards.all()},
    )


@require_POST
@otp_required
def reward_hand_out(request: HttpRequest, reward_id: int) -> HttpResponse:
    """The issuing unit (on the pass page) or the desk (on the check-in page) hands out a reward."""
    try:
        reward = services.reward_hand_out(actor=request.user, reward_id=reward_id)
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Handed out: %(reward)s.") % {"reward": reward.text})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Where the form came from (a path on this site only), else the passes page."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:passes")


@otp_required
@require_http_methods(["GET", "POST"])
def unconfirmed_page(request: HttpRequest) -> HttpResponse:
    """Visits clients reported at the organization's services, to confirm or reject (no names)."""
    if not selectors.is_desk(request.user):
        return _forbidden(request, _("Visits are confirmed by the desk of the place."))
    if request.method == "POST":
        try:
            visit = services.visit_confirm(
                actor=request.user,
                visit_id=request.POST.get("visit", ""),
                accept=request.POST.get("accept") == "1",
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The visit is confirmed.") if visit else _("The visit is rejected."))
        return redirect("web:visits-unconfirmed")
    visits = selectors.unconfirmed_visits(actor=request.user)[:200]
    return render(request, "attendance/unconfirmed.html", {"visits": visits})


@require_POST
@otp_required
def pass_withdraw(request: HttpRequest, pass_id: str) -> HttpResponse:
    try:
        services.pass_withdraw(actor=request.user, pass_id=pass_id, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The pass is withdrawn."))
    return redirect("web:passes")


class SelfReportForm(forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Where did you go?"))
    on = forms.DateField(label=gettext_lazy("When?"), widget=DATE)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


@require_http_methods(["GET", "POST"])
def holder_pass_page(request: HttpRequest, token: str) -> HttpResponse:
    """The holder's own pass on her phone (no login; the address is the secret): the QR code to show
    at the desk, visits so far, rewards, and a form to report a visit the desk did not mark."""
    try:
        card = selectors.pass_by_token(token)
    except DomainError as exc:
        return _error(request, exc)
    covered = list(card.programme.services.order_by("name"))
    form = SelfReportForm(request.POST or None, initial={"on": timezone.localdate(), "key": uuid.uuid4().hex})
    form.fields["service"].choices = [(str(s.pk), s.name) for s in covered]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_self_report(
                token=token,
                service_id=form.cleaned_data["service"],
                key=form.cleaned_data["key"],
                on=form.cleaned_data["on"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Thank you. The visit counts when the place has confirmed it."))
            return redirect("web:holder-pass", token=token)
    every = card.programme.reward_every
    return render(
        request,
        "attendance/holder_pass.html",
        {
            "card": card,
            "qr": _qr(request.build_absolute_uri()),
            "rewards": card.rewards.all(),
            "to_next": (every - card.visit_count % every) if every else None,
            "covered": covered,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


class MeetingForm(forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Group"))
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Started"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    leaders: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Leading organisations"),
        queryset=None,  # type: ignore[arg-type]  # set per request
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    head_count = forms.IntegerField(label=gettext_lazy("Participants"), min_value=0, max_value=1000)
    new_visitors = forms.IntegerField(
        label=gettext_lazy("Of whom new (estimate)"), min_value=0, max_value=1000, required=False
    )
    age_0_17 = forms.IntegerField(
        label=gettext_lazy("Aged 0–17"), min_value=0, max_value=1000, required=False
    )
    age_18_29 = forms.IntegerField(
        label=gettext_lazy("Aged 18–29"), min_value=0, max_value=1000, required=False
    )
    age_30_64 = forms.IntegerField(
        label=gettext_lazy("Aged 30–64"), min_value=0, max_value=1000, required=False
    )
    age_65 = forms.IntegerField(
        label=gettext_lazy("Aged 65 or over"), min_value=0, max_value=1000, required=False
    )
    women = forms.IntegerField(label=gettext_lazy("Women"), min_value=0, max_value=1000, required=False)
    men = forms.IntegerField(label=gettext_lazy("Men"), min_value=0, max_value=1000, required=False)
    other_gender = forms.IntegerField(
        label=gettext_lazy("Other or not known"), min_value=0, max_value=1000, required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def bands(self, names: dict[str, str]) -> dict[str, int]:
        """The optional breakdown: given only if any of its fields was filled."""
        values = {band: self.cleaned_data.get(field) for field, band in names.items()}
        if all(v is None for v in values.values()):
            return {}
        return {band: v or 0 for band, v in values.items()}


AGE_FIELDS = {"age_0_17": "0-17", "age_18_29": "18-29", "age_30_64": "30-64", "age_65": "65+"}
GENDER_FIELDS = {"women": "female", "men": "male", "other_gender": "other"}


class GroupYearForm(forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Group"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    continues = forms.BooleanField(label=gettext_lazy("Continues next year"), required=False)


@otp_required
@require_http_methods(["GET", "POST"])
def groups_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_desk(request.user):
        return _not_a_group_desk(request)
    from hyte.catalog.models import Service

    own = Service.objects.filter(organization_id__in=services._desk_org_ids(request.user)).order_by("name")
    from hyte.catalog.models import Organization

    choices = [(str(s.pk), s.name) for s in own]
    is_year = request.POST.get("form") == "year"
    form = MeetingForm(None if is_year else (request.POST or None))
    form.fields["service"].choices = choices  # type: ignore[attr-defined]
    form.fields["leaders"].queryset = Organization.objects.order_by("name")  # type: ignore[attr-defined]
    year_form = GroupYearForm(request.POST if is_year else None, initial={"year": timezone.localdate().year})
    year_form.fields["service"].choices = choices  # type: ignore[attr-defined]
    if request.method == "POST" and is_year and year_form.is_valid():
        d = year_form.cleaned_data
        try:
            services.group_year_set(
                actor=request.user, service_id=d["service"], year=d["year"], continues=d["continues"]
            )
        except DomainError as exc:
            year_form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("web:groups")
    elif request.method == "POST" and not is_year and form.is_valid():
        d = form.cleaned_data
        try:
            services.meeting_record(
                actor=request.user,
                service_id=d["service"],
                starts_at=d["starts_at"],
                head_count=d["head_count"],
                new_visitors=d["new_visitors"],
                by_age=form.bands(AGE_FIELDS),
                by_gender=form.bands(GENDER_FIELDS),
                place=d["place"],
                leader_ids=[o.pk for o in d["leaders"]],
                note=d["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("web:groups")
    since, until = _period(request)
    return render(
        request,
        "attendance/groups.html",
        {
            "form": form,
            "year_form": year_form,
            "totals": selectors.group_totals(actor=request.user, since=since, until=until),
            "meetings": selectors.meetings(actor=request.user, since=since, until=until)[:200],
            "since": since,
            "until": until,
        },
        status=400 if request.method == "POST" else 200,
    )


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 with the BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return response


@otp_required
@require_GET
def passes_csv(request: HttpRequest) -> HttpResponse:
    """Pass use in the period, one row a pass; the client as a pseudonym, never by name."""
    if not selectors.issuer_unit_ids(request.user):
        return _not_an_issuer(request)
    since, until = _period(request)
    holders = selectors.pass_holders(actor=request.user, since=since, until=until)
    rows = [
        [
            str(h.card.client.pseudonym),
            h.card.programme_id,
            h.card.unit.name,
            h.card.issued_on.isoformat(),
            h.card.valid_until.isoformat(),
            h.card.status,
            h.visits_in_period,
            h.card.visit_count,
            h.rewards_waiting,
            int(h.non_user),
        ]
        for h in holders
    ]
    header = [
        "pseudonym",
        "programme",
        "unit",
        "issued_on",
        "valid_until",
        "status",
        "visits_in_period",
        "visits_total",
        "rewards_waiting",
        "non_user",
    ]
    return _csv(f"passes-{since}-{until}.csv", header, rows)


@otp_required
@require_GET
def meetings_csv(request: HttpRequest) -> HttpResponse:
    """The groups' meetings in the period (counts only): refused, like the groups page, to all but a desk."""
    if not selectors.is_desk(request.user):
        return _not_a_group_desk(request)
    since, until = _period(request)
    rows = [
        [
            m.service.name,
            timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M"),
            m.place,
            m.head_count,
            "" if m.new_visitors is None else m.new_visitors,
            *[m.by_age.get(band, "") for band in Meeting.AGE_BANDS],
            *[m.by_gender.get(g, "") for g in Meeting.GENDERS],
        ]
        for m in selectors.meetings(actor=request.user, since=since, until=until)
    ]
    header = [
        "group",
        "starts_at",
        "place",
        "participants",
        "new",
        *[f"age_{b}" for b in Meeting.AGE_BANDS],
        *Meeting.GENDERS,
    ]
    return _csv(f"meetings-{since}-{until}.csv", header, rows)
