"""The access matrix: for every URL pattern that touches personal data, who gets what.

Each ``Row`` names a URL pattern (``namespace:name`` as ``reverse()`` takes it), fills its arguments from
the seeded world (``world.py``: one object of each kind owned by organization A / unit A) and states,
per HTTP method, the outcome for every persona:

- ``OK``: 200 (a read that shows the page or the data);
- ``PASS``: a write that got past the access check: with the empty or minimal body we send it is
  refused as invalid (400, 409, 422), re-rendered (200), done (200, 201, 204) or redirected (302, not to
  a login page); any of these is fine, the point is that the persona was let in;
- ``LOGIN``: 302 to the login page (pages and the admin, for anyone not logged in);
- ``DENIED``: 401 or 403 (the API for anyone not logged in; a role that may never use the page);
- ``NOT_FOUND``: 404 (the object is not hers to know of, or the page is not for her role);
- ``REDIRECT``: a read answered by a redirect elsewhere than a login page;
- ``INVALID``: 400 for a persona who may not write there: the body was refused before any look-up.
  The test checks that the same request about an object that does not exist gets the same answer,
  so the 400 tells nothing about the object.

Anything else (405, 500 …) never matches. ``test_every_url_pattern_is_decided`` fails when a URL
pattern is in neither this matrix nor ``PUBLIC`` / ``NON_PERSONAL_ADMIN_MODELS``, so a new endpoint
cannot be added without deciding who may use it.

How to add an endpoint: add a ``Row`` with ``page(...)``/``api(...)`` rules (allowed personas, the
answer for the others, and the exceptions), or, if it has no personal data, add its name with a reason
to ``PUBLIC``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tests.security.world import (
    ANONYMOUS,
    BUDDY,
    COLLEAGUE_A,
    COORDINATOR,
    DPO,
    EDITOR,
    FRONT_DESK,
    OTHER_ORG,
    PERSONAS,
    PLATFORM_ADMIN,
    PRO_A,
    RECEIVER_B,
    UNIT_ADMIN,
    World,
)

OK = "ok"
PASS = "pass"
LOGIN = "login"
DENIED = "denied"
NOT_FOUND = "not_found"
REDIRECT = "redirect"
INVALID = "invalid"

Expect = dict[str, str]

WORKERS_A = (PRO_A, COLLEAGUE_A)  # professional and receiver in unit A
LOGGED_IN = tuple(p for p in PERSONAS if p != ANONYMOUS)


def rule(anonymous: str, allowed: Iterable[str], ok: str, others: str, **exceptions: str) -> Expect:
    expect = {persona: others for persona in LOGGED_IN}
    expect.update(dict.fromkeys(allowed, ok))
    expect[ANONYMOUS] = anonymous
    expect.update(exceptions)
    return expect


def page(allowed: Iterable[str] = (), ok: str = OK, others: str = NOT_FOUND, **exceptions: str) -> Expect:
    """A staff page: anonymous visitors are sent to the login page."""
    return rule(LOGIN, allowed, ok, others, **exceptions)


def api(allowed: Iterable[str] = (), ok: str = OK, others: str = NOT_FOUND, **exceptions: str) -> Expect:
    """An API endpoint: anonymous callers get 401/403."""
    return rule(DENIED, allowed, ok, others, **exceptions)


def everyone(outcome: str) -> Expect:
    return dict.fromkeys(PERSONAS, outcome)


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    methods: dict[str, Expect] = field(default_factory=dict)
    query: Callable[[World], str] = lambda w: ""
    # The minimal body of a write: enough to get past the request's own validation to the access check.
    body: Callable[[World], dict[str, Any]] = lambda w: {}
    multipart: bool = False
    # Secrets (see ``secrets``) this row may show to personas beyond those ``secrets`` allows.
    reveals: Callable[[World], dict[str, tuple[str, ...]]] = lambda w: {}

    def __post_init__(self) -> None:
        for method, expect in self.methods.items():
            missing = set(PERSONAS) - set(expect)
            assert not missing, f"{self.name} {method}: no outcome for {sorted(missing)}"


def R(
    name: str,
    kwargs: Callable[[World], dict[str, Any]] | None = None,
    *,
    query: Callable[[World], str] | None = None,
    body: Callable[[World], dict[str, Any]] | None = None,
    multipart: bool = False,
    reveals: Callable[[World], dict[str, tuple[str, ...]]] | None = None,
    **methods: Expect,
) -> Row:
    return Row(
        name,
        kwargs or (lambda w: {}),
        {m.upper(): e for m, e in methods.items()},
        query or (lambda w: ""),
        body or (lambda w: {}),
        multipart,
        reveals or (lambda w: {}),
    )


# URL arguments from the world.
def referral(w: World) -> dict[str, Any]:
    return {"referral_id": w.referral.pk}


def referral_pk(w: World) -> dict[str, Any]:
    return {"pk": w.referral.pk}


def pathway(w: World) -> dict[str, Any]:
    return {"pathway_id": w.pathway.pk}


def pathway_pk(w: World) -> dict[str, Any]:
    return {"pk": w.pathway.pk}


def plan(w: World) -> dict[str, Any]:
    return {"plan_id": w.plan.pk}


def plan_pk(w: World) -> dict[str, Any]:
    return {"pk": w.plan.pk}


def service(w: World) -> dict[str, Any]:
    return {"service_id": w.service.pk}


MATRIX: list[Row] = []  # filled below


def reward(w: World) -> dict[str, Any]:
    return {"reward_id": w.reward.pk}


def pk(attribute: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": getattr(w, attribute).pk}


# Unit A's workers: they see its pathways, plans, passes, pairings, contact requests and feedback links.
A = WORKERS_A
# Referral A -> B: the referring unit's professionals and the receiving unit's receivers.
REF = (*WORKERS_A, RECEIVER_B)
# Who has a worker's pages at all (their lists are theirs, whatever is on them).
WORKERS = (*WORKERS_A, RECEIVER_B, OTHER_ORG)
PROFESSIONALS = (*WORKERS_A, OTHER_ORG)
DESK = (EDITOR, FRONT_DESK)  # organization A's desk: marks visits at its services, records its groups
DESKS = (*DESK, OTHER_ORG)
COORDINATORS = (COORDINATOR, OTHER_ORG)
BUDDY_STAFF = (*WORKERS_A, UNIT_ADMIN)  # who manages unit A's buddies
BUDDY_PAGES = (*WORKERS, UNIT_ADMIN)
TRAY_EDITORS = (EDITOR, PLATFORM_ADMIN)  # who edits organization A's listings


def today(w: World) -> str:
    return timezone.localdate().isoformat()


def pathway_version(w: World, **body: Any) -> dict[str, Any]:
    """A plan write names the version it read (else 400 before any look-up)."""
    w.pathway.refresh_from_db(fields=["version"])
    return {"version": w.pathway.version, **body}


def plan_version(w: World, **body: Any) -> dict[str, Any]:
    w.plan.refresh_from_db(fields=["version"])
    return {"version": w.plan.version, **body}


MATRIX += [
    # --- referrals, clients, consents ---
    # List pages answer everyone logged in with what is theirs (the leak check reads what they show).
    R("web:referrals", get=page(LOGGED_IN)),
    R(
        "web:referral-new",
        get=page(PROFESSIONALS, others=DENIED),
        post=page(PROFESSIONALS, PASS, others=DENIED),
    ),
    R("web:referral-capacity", get=page(PROFESSIONALS)),
    R("web:referral-figures", get=page(COORDINATORS)),
    R("web:referral", referral, get=page(REF)),
    # Withdrawing consent is recorded by the referring unit; the receiver, who sees the referral, is
    # sent back to it with an error message (302, as a success), everyone else gets 404.
    R("web:referral-action", referral, body=lambda w: {"action": "withdraw_consent"}, post=page(REF, PASS)),
    R("api:referral-list", get=api(LOGGED_IN), post=api(PROFESSIONALS, PASS, others=INVALID)),
    R("api:referral-figures", get=api(COORDINATORS, others=DENIED)),
    R("api:referral-detail", referral_pk, get=api(REF)),
    # Receiving and booking are the receiver's steps: the referrer sees the referral but may not (403).
    R(
        "api:referral-transition",
        referral_pk,
        body=lambda w: {"action": "receive"},
        post=api((RECEIVER_B,), PASS, pro_a=DENIED, colleague_a=DENIED),
    ),
    R(
        "api:referral-appointment",
        referral_pk,
        body=lambda w: {"appointment_at": "2030-01-02T10:00:00+02:00"},
        post=api((RECEIVER_B,), PASS, pro_a=DENIED, colleague_a=DENIED),
    ),
    R("api:referral-consent-withdrawal", referral_pk, post=api(A, PASS)),
    R("api:fhir-servicerequest", post=api(PROFESSIONALS, PASS, others=DENIED)),
    R("api:fhir-servicerequest-detail", referral_pk, get=api(REF)),
    # --- pathways, goals, contacts, measurements, outcomes, contact requests ---
    R("web:caseload", get=page(WORKERS, others=DENIED)),
    R("web:pathway-new", get=page(WORKERS, others=DENIED), post=page(WORKERS, PASS, others=DENIED)),
    R("web:pathway", pathway, get=page(A)),
    R("web:pathway-action", pathway, body=lambda w: {"action": "contact"}, post=page(A, PASS)),
    R("web:self-referral-queue", get=page(WORKERS, others=DENIED)),
    R(
        "web:self-referral-action",
        lambda w: {"self_referral_id": w.self_referral.pk},
        body=lambda w: {"action": "triage", "triage": "green"},
        post=page(A, PASS),
    ),
    R("api:programme-list", get=api(LOGGED_IN)),
    R("api:instrument-list", get=api(LOGGED_IN)),
    R("api:pathway-list", get=api(LOGGED_IN), post=api(WORKERS, PASS, others=INVALID)),
    R("api:pathway-detail", pathway_pk, body=pathway_version, get=api(A), patch=api(A, PASS)),
    R(
        "api:pathway-extend",
        pathway_pk,
        body=lambda w: pathway_version(w, until="2030-01-01"),
        post=api(A, PASS),
    ),
    R(
        "api:pathway-close",
        pathway_pk,
        body=lambda w: pathway_version(w, closure_reason="goals_met"),
        post=api(A, PASS),
    ),
    R("api:pathway-goals", pathway_pk, body=lambda w: pathway_version(w, text="Uinti"), post=api(A, PASS)),
    R(
        "api:pathway-goal",
        lambda w: {"pk": w.pathway.pk, "goal_id": w.goal.pk},
        body=lambda w: pathway_version(w, status="achieved"),
        patch=api(A, PASS),
    ),
    R(
        "api:pathway-contacts",
        pathway_pk,
        body=lambda w: {"on": today(w), "kind": "meeting"},
        post=api(A, PASS),
    ),
    R(
        "api:pathway-measurements",
        pathway_pk,
        body=lambda w: {"instrument": "ukk", "values": {"x": 1}, "on": today(w)},
        post=api(A, PASS),
    ),
    R(
        "api:pathway-outcomes",
        pathway_pk,
        body=lambda w: {"kind": "study", "started_on": today(w)},
        post=api(A, PASS),
    ),
    R("api:fidelity-review-list", get=api(LOGGED_IN), post=api(WORKERS, PASS, others=INVALID)),
    # The public contact form's API: anyone may send (the empty body is refused as invalid).
    R("api:self-referral-list", get=api(LOGGED_IN), post=everyone(PASS)),
    R("api:self-referral-triage", pk("self_referral"), body=lambda w: {"triage": "green"}, post=api(A, PASS)),
    R(
        "api:self-referral-enrol",
        pk("self_referral"),
        body=lambda w: {"programme": "exercise_counselling"},
        post=api(A, PASS),
    ),
    # The onward referral's body is a whole referral: refused as invalid before the look-up.
    R("api:self-referral-refer", pk("self_referral"), post=api(A, PASS, others=INVALID)),
    R("api:self-referral-close", pk("self_referral"), body=lambda w: {"note": "Hoidettu"}, post=api(A, PASS)),
    # --- passes, visits, rewards, groups ---
    R("web:checkin", get=page(DESKS, others=DENIED)),
    R("web:passes", get=page(WORKERS, others=DENIED), post=page(WORKERS, PASS, others=DENIED)),
    R("web:passes-csv", get=page(WORKERS, others=DENIED)),
    R("web:pass-card", lambda w: {"pass_id": w.pass_card.pk}, get=page(A)),
    R("web:pass-withdraw", lambda w: {"pass_id": w.pass_card.pk}, post=page(A, PASS)),
    # A reward is handed out by the issuing unit or the desk of a service the pass covers.
    R("web:reward-hand-out", reward, post=page((*A, *DESK), PASS)),
    R("web:visits-unconfirmed", get=page(DESKS, others=DENIED), post=page(DESKS, PASS, others=DENIED)),
    R("web:groups", get=page(DESKS, others=DENIED), post=page(DESKS, PASS, others=DENIED)),
    R("web:meetings-csv", get=page(DESKS, others=DENIED)),
    R("api:pass-list", get=api(LOGGED_IN), post=api(WORKERS, PASS, others=INVALID)),
    R("api:pass-withdraw", pk("pass_card"), body=lambda w: {"reason": "Virhe"}, post=api(A, PASS)),
    R(
        "api:checkin",
        body=lambda w: {"token": w.pass_card.token, "service": str(w.service.pk), "key": "k-matrix"},
        post=api(DESK, PASS),
    ),
    R(
        "api:checkin-batch",
        body=lambda w: {"marks": [{"token": w.pass_card.token, "service": str(w.service.pk), "key": "k-m"}]},
        # 200 for anyone logged in, with a result per mark ("not found" for a service not at her desk).
        post=api(LOGGED_IN, PASS),
    ),
    R("api:visits-unconfirmed", get=api(LOGGED_IN)),
    R("api:visit-confirm", pk("visit"), post=api(DESK, PASS)),
    R("api:reward-hand-out", pk("reward"), post=api((*A, *DESK), PASS)),
    R(
        "api:meeting-list",
        get=api(LOGGED_IN),
        body=lambda w: {
            "service": str(w.service.pk),
            "starts_at": "2026-01-05T10:00:00+02:00",
            "head_count": 5,
        },
        post=api(DESK, PASS),
    ),
    R(
        "api:group-year",
        body=lambda w: {"service": str(w.service.pk), "year": 2026, "continues": True},
        post=api(DESK, PASS),
    ),
    # --- the holder's pass: the token in the address is the secret, no login ---
    R("web:holder-pass", lambda w: {"token": w.pass_card.token}, get=everyone(OK)),
    R("api:holder-pass", lambda w: {"token": w.pass_card.token}, get=everyone(OK)),
    R("api:holder-visits", lambda w: {"token": w.pass_card.token}, post=everyone(PASS)),
    # --- client plans ---
    R("web:plans", get=page(WORKERS, others=DENIED)),
    R("web:plan-new", get=page(WORKERS, others=DENIED), post=page(WORKERS, PASS, others=DENIED)),
    R("web:plan", plan, get=page(A)),
    R("web:plan-action", plan, body=lambda w: {"action": "status", "status": "active"}, post=page(A, PASS)),
    R("web:plan-tray", plan, get=page(A)),
    R("web:plan-print", plan, get=page(A)),
    R("api:plan-list", get=api(LOGGED_IN), post=api(WORKERS, PASS, others=INVALID)),
    # Dates and the activity section are whole forms: refused as invalid before the look-up.
    R("api:plan-detail", plan_pk, body=plan_version, get=api(A), patch=api(A, PASS, others=INVALID)),
    R("api:plan-status", plan_pk, body=lambda w: plan_version(w, status="active"), post=api(A, PASS)),
    R("api:plan-activity", plan_pk, body=plan_version, put=api(A, PASS, others=INVALID)),
    R("api:plan-steps", plan_pk, body=lambda w: plan_version(w, text="Kävely"), post=api(A, PASS)),
    R(
        "api:plan-step",
        lambda w: {"pk": w.plan.pk, "step_id": w.step.pk},
        body=lambda w: plan_version(w, done=True),
        patch=api(A, PASS),
        delete=api(A, PASS),
    ),
    R(
        "api:plan-items",
        plan_pk,
        body=lambda w: plan_version(w, kind="rehab_group", title="Ryhmä"),
        post=api(A, PASS),
    ),
    R(
        "api:plan-item",
        lambda w: {"pk": w.plan.pk, "item_id": w.item.pk},
        body=lambda w: plan_version(w, status="started"),
        patch=api(A, PASS),
    ),
    R("api:plan-grants", plan_pk, post=api(A, PASS, others=INVALID)),
    # --- peer buddies ---
    R("web:buddies", get=page(BUDDY_PAGES, others=DENIED)),
    R("web:buddy-new", get=page(BUDDY_PAGES, others=DENIED), post=page(BUDDY_PAGES, PASS, others=DENIED)),
    R(
        "web:buddy-pairing-new",
        query=lambda w: f"?pathway={w.pathway.pk}",
        body=lambda w: {"pathway": str(w.pathway.pk)},
        get=page(A),
        post=page(A, PASS),
    ),
    R("web:buddy-pairing", lambda w: {"pairing_id": w.pairing.pk}, get=page(A), post=page(A, PASS)),
    R(
        "web:buddy",
        lambda w: {"buddy_id": w.buddy.pk},
        get=page(BUDDY_STAFF, others=DENIED, receiver_b=NOT_FOUND, other_org=NOT_FOUND),
        post=page(BUDDY_STAFF, PASS, others=DENIED, receiver_b=NOT_FOUND, other_org=NOT_FOUND),
    ),
    R("web:buddy-active", lambda w: {"buddy_id": w.buddy.pk}, post=page(BUDDY_STAFF, PASS)),
    R("web:my-buddy", get=page((BUDDY,), others=DENIED), post=page((BUDDY,), PASS, others=DENIED)),
    R(
        "web:my-buddy-meeting",
        lambda w: {"meeting_id": w.buddy_meeting.pk},
        get=page((BUDDY,), others=DENIED),
        post=page((BUDDY,), PASS, others=DENIED),
    ),
    R(
        "web:my-buddy-meeting-delete",
        lambda w: {"meeting_id": w.buddy_meeting.pk},
        post=page((BUDDY,), PASS),
    ),
    R(
        "api:buddy-list",
        get=api(BUDDY_PAGES, others=DENIED),
        post=api(BUDDY_PAGES, PASS, others=INVALID),
    ),
    R("api:buddy-matches", get=api(BUDDY_PAGES, others=DENIED)),
    R("api:buddy-pairing-list", get=api(LOGGED_IN), post=api(WORKERS, PASS, others=INVALID)),
    R("api:buddy-pairing-detail", pk("pairing"), get=api(A)),
    R("api:buddy-pairing-end", pk("pairing"), body=lambda w: {"reason": "period_over"}, post=api(A, PASS)),
    R("api:buddy-mine", get=api(LOGGED_IN)),
    R(
        "api:buddy-mine-meetings",
        pk("pairing"),
        body=lambda w: {"on": today(w), "activity": "walk"},
        post=api((BUDDY,), PASS),
    ),
    R(
        "api:buddy-meeting-detail",
        pk("buddy_meeting"),
        body=lambda w: {"on": today(w), "activity": "gym"},
        put=api((BUDDY,), PASS),
        delete=api((BUDDY,), PASS),
    ),
    R("api:buddy-detail", pk("buddy"), get=api(BUDDY_STAFF), put=api(BUDDY_STAFF, PASS, others=INVALID)),
    R("api:buddy-deactivate", pk("buddy"), post=api(BUDDY_STAFF, PASS)),
    # --- customer feedback: the form is public (the token is the secret) ---
    R("web:feedback", lambda w: {"token": w.feedback_link.token}, get=everyone(OK), post=everyone(PASS)),
    R("web:feedback-link-new", body=lambda w: {"pathway": str(w.closed_pathway.pk)}, post=page(A, PASS)),
    R("web:feedback-link", lambda w: {"link_id": w.feedback_link.pk}, get=page(A)),
    # Hiding a comment names an answer: there is none in the world, so it is "not found" for all.
    R("web:feedback-comments", get=page(COORDINATORS), post=page()),
    # --- reports, costs, service-use import (coordinators; "not in unit" is 404 on pages, 403 in the API) ---
    R("web:reports", get=page(COORDINATORS)),
    R("web:report-board", get=page(COORDINATORS)),
    R("web:report", lambda w: {"key": "funnel"}, get=page(COORDINATORS)),
    R("web:report-csv", lambda w: {"key": "funnel"}, get=page(COORDINATORS)),
    R("web:report-xlsx", lambda w: {"key": "funnel"}, get=page(COORDINATORS)),
    R("web:report-costs-edit", get=page(COORDINATORS), post=page(COORDINATORS, PASS)),
    R("web:report-service-use-import", get=page(COORDINATORS), post=page(COORDINATORS, PASS)),
    R("api:report-list", get=api(COORDINATORS, others=DENIED)),
    R("api:report-detail", lambda w: {"key": "funnel"}, get=api(COORDINATORS, others=DENIED)),
    R(
        "api:report-cost-list",
        get=api(COORDINATORS, others=DENIED),
        post=api(COORDINATORS, PASS, others=DENIED),
    ),
    R(
        "api:report-cost-detail",
        pk("cost"),
        delete=api((COORDINATOR,), PASS, others=DENIED, other_org=NOT_FOUND),
    ),
    R(
        "api:service-use-import-list",
        multipart=True,
        get=api(COORDINATORS, others=DENIED),
        post=api(COORDINATORS, PASS, others=DENIED),
    ),
    # --- the personal data log: data protection officers (each sees her own organizations' staff) ---
    R("web:personal-data-log", get=page((DPO, OTHER_ORG), others=DENIED)),
    # --- data protection requests (hyte/privacy): any DPO gets the look-up form; only a DPO of an
    # organization holding the client's records finds her (another organization's DPO: 404) ---
    R(
        "web:privacy",
        get=page((DPO, OTHER_ORG), others=DENIED),
        post=page((DPO,), PASS, others=DENIED, other_org=NOT_FOUND),
        body=lambda w: {"action": "find", "client_id": str(w.referral.client_id)},
        reveals=lambda w: {"Meikäläinen": (DPO,)},
    ),
    # --- the tray's staff pages (no client data, but organization-scoped) ---
    R("web:stale", get=page(LOGGED_IN)),
    R("web:verify", service, post=page(TRAY_EDITORS, PASS)),
    R("web:review", service, get=page(TRAY_EDITORS)),
    R("web:imports", get=page(LOGGED_IN, buddy=DENIED)),  # staff only; the buddy is not staff
    R("web:capacity", get=page(LOGGED_IN)),
    R("web:service-capacity", service, get=page(TRAY_EDITORS), post=page(TRAY_EDITORS, PASS)),
    R(
        "web:unit-capacity",
        lambda w: {"unit_id": w.unit_a.pk},
        get=page((*BUDDY_STAFF, PLATFORM_ADMIN)),
        post=page((*BUDDY_STAFF, PLATFORM_ADMIN), PASS),
    ),
    R("web:duplicates", get=page((*TRAY_EDITORS, OTHER_ORG))),
    R("web:duplicates-scan", post=page((*TRAY_EDITORS, OTHER_ORG), PASS)),
    R("web:duplicate-dismiss", lambda w: {"candidate_id": w.candidate.pk}, post=page(TRAY_EDITORS, PASS)),
    R(
        "web:duplicate-merge",
        lambda w: {"candidate_id": w.candidate.pk},
        get=page(TRAY_EDITORS),
        post=page(TRAY_EDITORS, PASS),
    ),
    R("web:freshness", get=page((COORDINATOR, PLATFORM_ADMIN, OTHER_ORG))),
    R("web:freshness-csv", get=page((COORDINATOR, PLATFORM_ADMIN, OTHER_ORG))),
]


def secrets(w: World) -> dict[str, tuple[str, ...]]:
    """What identifies organization A's clients and records, and who may see it. Every answer with a
    body is searched for these; anyone else finding one is a leak even when the status is right."""
    return {
        "Meikäläinen": REF,  # the referral's client
        "Virtanen": A,  # the pathway's client (the buddy gets her first name only)
        "Suljettu": A,  # the closed pathway's client
        "Planqvist": A,  # the plan's client
        "Liikkuja": A,  # the contact request's sender
        str(w.pathway.client.pseudonym): A,
        "+358 40 765 4321": (*A, BUDDY),  # the phone the client agreed to share with her buddy
        # Record ids: also in the personal data log (DPO) and the audit trail (the platform admin's admin).
        str(w.referral.pk): (*REF, DPO, PLATFORM_ADMIN),
        str(w.pathway.pk): (*A, DPO, PLATFORM_ADMIN),
        str(w.plan.pk): (*A, DPO, PLATFORM_ADMIN),
        str(w.pairing.pk): (*A, BUDDY, DPO, PLATFORM_ADMIN),
    }


# Admin changelists of models with personal data or security-relevant rows: only platform admins
# (and, read-only, coordinators for their own organizations' costs and imports). Staff without access
# get 403; anonymous visitors the admin's login page. The other URLs of the same ModelAdmin (add,
# change, delete, history) follow the same permission methods.
def admin_page(allowed: Iterable[str], **exceptions: str) -> Expect:
    """The admin: 403 for staff without the permission; the buddy (not staff) gets the admin's login."""
    return page(allowed, others=DENIED, **({BUDDY: LOGIN} | exceptions))


ADMIN_MODELS = {
    "auth_user": admin_page((PLATFORM_ADMIN,)),
    "auth_group": admin_page((PLATFORM_ADMIN,)),
    "otp_totp_totpdevice": admin_page((PLATFORM_ADMIN,)),
    "axes_accessattempt": admin_page((PLATFORM_ADMIN,)),
    "axes_accesslog": admin_page((PLATFORM_ADMIN,)),
    "axes_accessfailurelog": admin_page((PLATFORM_ADMIN,)),
    "oauth2_provider_application": admin_page((PLATFORM_ADMIN,)),
    "oauth2_provider_accesstoken": admin_page((PLATFORM_ADMIN,)),
    "oauth2_provider_grant": admin_page((PLATFORM_ADMIN,)),
    "oauth2_provider_idtoken": admin_page((PLATFORM_ADMIN,)),
    "oauth2_provider_refreshtoken": admin_page((PLATFORM_ADMIN,)),
    "core_auditevent": admin_page((PLATFORM_ADMIN,)),
    "accounts_membership": admin_page((PLATFORM_ADMIN,)),
    # Unit administrators manage the roles of their own units (tests/accounts/test_unit_admin.py).
    "accounts_unitrole": admin_page((PLATFORM_ADMIN, UNIT_ADMIN, OTHER_ORG)),
    "accounts_unit": admin_page((PLATFORM_ADMIN, UNIT_ADMIN, OTHER_ORG)),
    "reporting_programmecost": admin_page((PLATFORM_ADMIN, COORDINATOR, OTHER_ORG)),
    "reporting_serviceuseimport": admin_page((PLATFORM_ADMIN, COORDINATOR, OTHER_ORG)),
}
MATRIX += [R(f"admin:{model}_changelist", get=expect) for model, expect in ADMIN_MODELS.items()]
MATRIX += [
    R(
        "admin:auth_user_password_change",
        lambda w: {"id": w.users[PRO_A].pk},
        get=admin_page((PLATFORM_ADMIN,)),
    ),
    R(
        "admin:reporting_programmecost_change",
        lambda w: {"object_id": w.cost.pk},
        get=admin_page((PLATFORM_ADMIN, COORDINATOR), other_org=REDIRECT),
    ),
]

# Admin models without personal data (the tray, code lists, programme rules): their add/change/delete
# pages are the catalog's own organization-scoped permissions, tested in tests/catalog/test_admin.py.
NON_PERSONAL_ADMIN_MODELS = {
    "catalog_service": "tray listings (public data)",
    "catalog_location": "tray locations (public data)",
    "catalog_organization": "tray organizations (public data)",
    "catalog_wellbeingservicescounty": "code list",
    "catalog_municipality": "code list",
    "catalog_serviceclass": "code list",
    "catalog_targetgroup": "code list",
    "catalog_servicelanguage": "code list",
    "catalog_theme": "code list",
    "catalog_icalfeed": "organizations' calendar feeds (public events)",
    "catalog_event": "imported public events",
    "integrations_importrun": "import runs of public data",
    "pathways_programme": "programme rules (data, no clients)",
    "attendance_passprogramme": "pass programme rules (data, no clients)",
}

# URL patterns without personal data, each with the reason. Unnamed patterns are listed by route.
PUBLIC = {
    "api:service-list": "the public tray",
    "api:service-detail": "the public tray",
    "api:organization-list": "the public tray",
    "api:organization-detail": "the public tray",
    "api:theme-list": "code list",
    "api:municipality-list": "code list",
    "api-schema": "OpenAPI schema",
    "api-docs": "Swagger UI",
    "set_language": "language switch",
    "healthz": "load balancer check, no data",
    # OAuth 2.0 for API clients (client credentials), tested in tests/referrals/test_fhir_clients.py.
    "oauth2-token": "OAuth 2.0 token endpoint",
    "oauth2-revoke": "OAuth 2.0 revocation (tested in tests/referrals/test_fhir_clients.py)",
    "web:home": "public front page",
    "web:login": "login",
    "web:login-verify": "second factor of the login",
    "web:logout": "logout",
    "web:search": "public search",
    "web:service": "public service page",
    "web:service-ics": "public calendar of a service",
    "web:organization": "public organization page",
    "web:self-referral": "public contact form (write only; its queue is in the matrix)",
    "web:feedback-thanks": "public thank-you page, no data",
    # The admin's own pages: the login, the index and app lists show only what the user's ModelAdmin
    # permissions allow; view_on_site redirects to public pages; autocomplete answers only for admin
    # fields the user may use (Django checks the ModelAdmin's permissions).
    "admin:index": "admin index",
    "admin:login": "admin login",
    "admin:logout": "admin logout",
    "admin:password_change": "own password",
    "admin:password_change_done": "own password",
    "admin:autocomplete": "checks the ModelAdmin's permissions",
    "admin:jsi18n": "translations",
    "admin:view_on_site": "redirects to the object's public page",
    "admin:app_list": "admin app index",
    "admin:otp_totp_totpdevice_config": "superuser-only TOTP device admin",
    "admin:otp_totp_totpdevice_qrcode": "superuser-only TOTP device admin",
}
# Unnamed patterns, by the start of their route: the HSDS 3.0 API's trailing-slash twins (public tray
# data), and the admin's per-model "<object_id>/" redirects to the change page and its final catch-all
# (both only redirect; the change page they lead to is what is checked).
PUBLIC_UNNAMED_PREFIXES = {"hsds/": "HSDS 3.0 API: the public tray", "admin/": "admin redirects"}
# Named HSDS endpoints.
PUBLIC_PREFIXES = {"hsds/": "HSDS 3.0 API: the public tray"}
ADMIN_MODEL_ACTIONS = ("changelist", "add", "change", "delete", "history")
