"""HL7 FHIR (R4B) for referrals: export a referral as a Bundle, read a referral from an EHR's Bundle.

The export (``referral_bundle``) is a Bundle of type ``collection`` with four resources, following the
referral pattern of the HL7 Gravity SDOH Clinical Care guide (ServiceRequest + Task, Patient, Consent):

* **ServiceRequest** (``id`` = the referral's id): ``intent`` ``order``; ``status`` ``draft`` (draft),
  ``active`` (sent … in progress), ``completed``, ``revoked`` (declined, discontinued, cancelled);
  ``category`` SNOMED CT 306206005 "Referral to service"; ``code`` the kind of referral in our code
  system ``urn:hyte:referral-kind`` (``exercise`` / ``wellbeing``, see below); ``reasonCode`` the reason
  as text plus one coding per need (``urn:hyte:need``, the theme slugs); ``note`` the goals and the risks
  (told apart by the extension ``urn:hyte:fhir:note-kind``: ``goals`` / ``risks``); ``orderDetail`` the
  physical activity level (``urn:hyte:activity-level``) and the service of the tray
  (``urn:hyte:service``); ``priority`` routine → routine, soon → urgent, urgent → asap; ``requester``
  the referrer (a Practitioner by display); ``performer`` the receiving unit; ``supportingInfo`` the
  Consent.
* **Task** (Gravity's "Task for referral management"): ``intent`` ``order``, ``code`` ``fulfill``,
  ``focus`` the ServiceRequest, ``for`` the Patient, ``owner`` the receiving unit, ``status`` from
  ``TASK_STATUS`` below, ``businessStatus`` our own status (``urn:hyte:referral-status``) with its
  name as text, ``statusReason`` the reason for declining or ending, ``output`` the outcome summary
  (``urn:hyte:task-output#outcome-summary``) once completed.
* **Patient**: name, telecom, preferred language (BCP 47 fi/sv/en). The identifier is the client's
  statistics pseudonym (``urn:hyte:pseudonym``); the henkilötunnus (``urn:oid:1.2.246.21``) only when
  the caller passes ``include_identifier=True``. No birth date.
* **Consent**: ``status`` active, or inactive once withdrawn; ``scope`` consentscope#patient-privacy;
  ``category`` LOINC 59284-0 "Consent Document"; ``policyRule`` v3-ActCode#OPTIN; ``dateTime`` when
  given; ``performer`` the patient (or a RelatedPerson by display for a guardian or representative);
  ``organization`` the referring unit; ``provision`` permit for the period given → withdrawn, with the
  receiving unit as information recipient (v3-ParticipationType#IRCP) and our consent scope as
  ``purpose`` (``urn:hyte:consent-scope``); how it was recorded and who gave it in the extensions
  ``urn:hyte:fhir:consent-method`` and ``urn:hyte:fhir:consent-given-by``.

Units are Organizations, referenced as ``Organization/<unit id>`` with the identifier
``urn:hyte:unit|<unit id>``; resources of the bundle reference each other by ``urn:uuid:`` full URLs.

**Why a local code for the kind of referral.** The international edition of SNOMED CT has "Referral to
service" (306206005, used as the category) but no concept we could verify for an exercise referral
(liikuntaneuvontaan ohjaus) or a wellbeing referral (social prescribing: hyvinvointiohjaus); the UK
social prescribing concept lives in the UK extension. Rather than send a code that does not mean what
we mean, the kind is in ``urn:hyte:referral-kind`` with its name as ``CodeableConcept.text``; when a
national (THL) code list for these exists, add its coding next to ours.

**Task status (Gravity's lifecycle).** sent → requested, received → received, accepted → accepted,
declined → rejected, first contact / in progress → in-progress, completed → completed, cancelled by the
referrer → cancelled, discontinued → **failed**: in Gravity ``cancelled`` is the requester withdrawing
the request, while a discontinued referral was taken on by the performer and ended before completion
(the client declined, did not come, moved) — "attempted but could not be completed" is ``failed``;
the ``statusReason`` says why. Note: Gravity's value set for referral Task status leaves out
``received`` (and ``ready``); we follow the mapping asked for and keep ``received`` (valid in R4B), with
``businessStatus`` carrying our status for consumers that need Gravity's strict value set.

The import (``service_request_from_bundle``) takes a Bundle of type ``transaction`` or ``collection``
and returns the values for ``services.referral_create``; every problem is a ``BundleRejected`` with
OperationOutcome issues (FHIRPath ``expression``, never the henkilötunnus). See its docstring.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError as PydanticValidationError

from hyte.core.crypto import decrypt
from hyte.core.errors import (
    DomainError,
    InvalidParameter,
    InvalidTransition,
    NotFoundForUser,
    PermissionDenied,
)
from hyte.referrals import hetu
from hyte.referrals.errors import ConsentMissing
from hyte.referrals.models import MAX_TEXT, Client, Consent, Referral
from hyte.referrals.services import ClientData, ConsentData

S = Referral.Status

# --- code systems and identifiers ---

HETU_SYSTEM = "urn:oid:1.2.246.21"  # Finnish personal identity code (henkilötunnus)
PSEUDONYM_SYSTEM = "urn:hyte:pseudonym"
UNIT_SYSTEM = "urn:hyte:unit"
URI_SYSTEM = "urn:ietf:rfc:3986"
KIND_SYSTEM = "urn:hyte:referral-kind"
STATUS_SYSTEM = "urn:hyte:referral-status"
NEED_SYSTEM = "urn:hyte:need"
ACTIVITY_SYSTEM = "urn:hyte:activity-level"
SERVICE_SYSTEM = "urn:hyte:service"
END_REASON_SYSTEM = "urn:hyte:end-reason"
CONSENT_SCOPE_SYSTEM = "urn:hyte:consent-scope"
TASK_OUTPUT_SYSTEM = "urn:hyte:task-output"
ERROR_SYSTEM = "urn:hyte:error"
NOTE_KIND_EXTENSION = "urn:hyte:fhir:note-kind"
CONSENT_METHOD_EXTENSION = "urn:hyte:fhir:consent-method"
CONSENT_GIVEN_BY_EXTENSION = "urn:hyte:fhir:consent-given-by"

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
BCP47 = "urn:ietf:bcp:47"
CONSENT_SCOPE_CODES = "http://terminology.hl7.org/CodeSystem/consentscope"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
TASK_CODES = "http://hl7.org/fhir/CodeSystem/task-code"

REFERRAL_TO_SERVICE = {"system": SNOMED, "code": "306206005", "display": "Referral to service"}
CONSENT_DOCUMENT = {"system": LOINC, "code": "59284-0", "display": "Consent Document"}
PATIENT_PRIVACY = {"system": CONSENT_SCOPE_CODES, "code": "patient-privacy", "display": "Privacy Consent"}

SERVICE_REQUEST_STATUS: dict[str, str] = {
    S.DRAFT: "draft",
    S.SENT: "active",
    S.RECEIVED: "active",
    S.ACCEPTED: "active",
    S.FIRST_CONTACT: "active",
    S.IN_PROGRESS: "active",
    S.COMPLETED: "completed",
    S.DECLINED: "revoked",
    S.DISCONTINUED: "revoked",
    S.CANCELLED: "revoked",
}
TASK_STATUS: dict[str, str] = {
    S.DRAFT: "draft",
    S.SENT: "requested",
    S.RECEIVED: "received",
    S.ACCEPTED: "accepted",
    S.DECLINED: "rejected",
    S.FIRST_CONTACT: "in-progress",
    S.IN_PROGRESS: "in-progress",
    S.COMPLETED: "completed",
    S.DISCONTINUED: "failed",
    S.CANCELLED: "cancelled",
}
PRIORITY: dict[str, str] = {
    Referral.Urgency.ROUTINE: "routine",
    Referral.Urgency.SOON: "urgent",
    Referral.Urgency.URGENT: "asap",
}
URGENCY: dict[str, str] = {
    "routine": Referral.Urgency.ROUTINE,
    "urgent": Referral.Urgency.SOON,
    "asap": Referral.Urgency.URGENT,
    "stat": Referral.Urgency.URGENT,
}

MAX_NAME = 100  # Client.first_name / last_name
MAX_PHONE = 40
MAX_EMAIL = 254
MAX_NEEDS = 8
MAX_ISSUES = 20
CONSENT_CLOCK_SKEW = timedelta(minutes=5)
HETU_ANYWHERE = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)


# --- export ---


def _ts(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _urn(value: Any) -> str:
    return f"urn:uuid:{value}"


def _child_id(referral: Referral, name: str) -> uuid.UUID:
    """A stable id for a resource made from the referral (the Task, the Patient of this export)."""
    return uuid.uuid5(uuid.UUID(str(referral.pk)), name)


def _unit_reference(unit: Any) -> dict[str, Any]:
    return {
        "reference": f"Organization/{unit.pk}",
        "type": "Organization",
        "identifier": {"system": UNIT_SYSTEM, "value": str(unit.pk)},
        "display": str(unit.name),
    }


def _referrer_reference(referral: Referral) -> dict[str, Any]:
    user = referral.referrer
    name = (user.get_full_name() if hasattr(user, "get_full_name") else "") or user.get_username()
    return {"type": "Practitioner", "display": name}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _patient(referral: Referral, patient_id: uuid.UUID, include_identifier: bool) -> dict[str, Any]:
    client: Client = referral.client
    identifiers = [{"use": "secondary", "system": PSEUDONYM_SYSTEM, "value": str(client.pseudonym)}]
    if include_identifier and client.hetu_encrypted:
        identifiers.insert(
            0, {"use": "official", "system": HETU_SYSTEM, "value": decrypt(client.hetu_encrypted)}
        )
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    language = {
        "coding": [
            {
                "system": BCP47,
                "code": client.preferred_language,
                "display": client.get_preferred_language_display(),
            }
        ]
    }
    return _compact(
        {
            "resourceType": "Patient",
            "id": str(patient_id),
            "identifier": identifiers,
            "name": [{"use": "official", "family": client.last_name, "given": [client.first_name]}],
            "telecom": telecom,
            "communication": [{"language": language, "preferred": True}],
        }
    )


def _consent(referral: Referral, consent: Consent, patient_ref: dict[str, Any]) -> dict[str, Any]:
    if consent.given_by == Consent.GivenBy.CLIENT:
        performer = patient_ref
    else:
        performer = {"type": "RelatedPerson", "display": str(consent.get_given_by_display())}
    recipient = {
        "role": {
            "coding": [{"system": V3_PARTICIPATION_TYPE, "code": "IRCP", "display": "information recipient"}]
        },
        "reference": _unit_reference(referral.receiving_unit),
    }
    purpose = {
        "system": CONSENT_SCOPE_SYSTEM,
        "code": consent.scope,
        "display": str(consent.get_scope_display()),
    }
    return {
        "resourceType": "Consent",
        "id": str(consent.pk),
        "extension": [
            {"url": CONSENT_METHOD_EXTENSION, "valueCode": consent.method},
            {"url": CONSENT_GIVEN_BY_EXTENSION, "valueCode": consent.given_by},
        ],
        "status": "active" if consent.active else "inactive",
        "scope": {"coding": [PATIENT_PRIVACY]},
        "category": [{"coding": [CONSENT_DOCUMENT]}],
        "patient": patient_ref,
        "dateTime": _ts(consent.given_at),
        "performer": [performer],
        "organization": [_unit_reference(referral.referring_unit)],
        "policyRule": {"coding": [{"system": V3_ACT_CODE, "code": "OPTIN", "display": "opt-in"}]},
        "provision": {
            "type": "permit",
            "period": _compact({"start": _ts(consent.given_at), "end": _ts(consent.withdrawn_at)}),
            "actor": [recipient],
            "purpose": [purpose],
        },
    }


def _note(kind: str, text: str) -> dict[str, Any]:
    return {"extension": [{"url": NOTE_KIND_EXTENSION, "valueCode": kind}], "text": text}


def _service_request(
    referral: Referral, patient_ref: dict[str, Any], consent_ref: dict[str, Any] | None
) -> dict[str, Any]:
    kind = str(referral.get_kind_display())
    reasons: list[dict[str, Any]] = [{"text": referral.reason}]
    reasons += [
        {"coding": [{"system": NEED_SYSTEM, "code": theme.slug, "display": theme.name}]}
        for theme in referral.needs.order_by("order", "slug")
    ]
    details: list[dict[str, Any]] = [
        {
            "coding": [
                {
                    "system": ACTIVITY_SYSTEM,
                    "code": referral.activity_level,
                    "display": str(referral.get_activity_level_display()),
                }
            ]
        }
    ]
    if referral.service_id is not None:
        service = referral.service
        details.append(
            {
                "coding": [
                    {"system": SERVICE_SYSTEM, "code": str(referral.service_id), "display": str(service)}
                ]
            }
        )
    notes = []
    if referral.goals:
        notes.append(_note("goals", referral.goals))
    if referral.risk_notes:
        notes.append(_note("risks", referral.risk_notes))
    return _compact(
        {
            "resourceType": "ServiceRequest",
            "id": str(referral.pk),
            "identifier": [{"system": URI_SYSTEM, "value": _urn(referral.pk)}],
            "status": SERVICE_REQUEST_STATUS[referral.status],
            "intent": "order",
            "category": [{"coding": [REFERRAL_TO_SERVICE]}],
            "priority": PRIORITY.get(referral.urgency, "routine"),
            "code": {
                "coding": [{"system": KIND_SYSTEM, "code": referral.kind, "display": kind}],
                "text": kind,
            },
            "orderDetail": details,
            "subject": patient_ref,
            "authoredOn": _ts(referral.sent_at or referral.created_at),
            "requester": _referrer_reference(referral),
            "performer": [_unit_reference(referral.receiving_unit)],
            "reasonCode": reasons,
            "supportingInfo": [consent_ref] if consent_ref else [],
            "note": notes,
        }
    )


def _status_reason(referral: Referral) -> dict[str, Any] | None:
    if referral.status == S.DECLINED and referral.decline_reason:
        return {"text": referral.decline_reason}
    if referral.status == S.DISCONTINUED and referral.end_reason:
        label = str(referral.get_end_reason_display())
        coding = {"system": END_REASON_SYSTEM, "code": referral.end_reason, "display": label}
        return {"coding": [coding], "text": referral.end_note or label}
    return None


def _task(
    referral: Referral, task_id: uuid.UUID, request_ref: dict[str, Any], patient_ref: dict[str, Any]
) -> dict[str, Any]:
    status = str(referral.get_status_display())
    output = []
    if referral.status == S.COMPLETED and referral.outcome_summary:
        kind = {"system": TASK_OUTPUT_SYSTEM, "code": "outcome-summary", "display": "Outcome summary"}
        output.append(
            {"type": {"coding": [kind], "text": "Outcome summary"}, "valueString": referral.outcome_summary}
        )
    return _compact(
        {
            "resourceType": "Task",
            "id": str(task_id),
            "status": TASK_STATUS[referral.status],
            "statusReason": _status_reason(referral),
            "businessStatus": {
                "coding": [{"system": STATUS_SYSTEM, "code": referral.status, "display": status}],
                "text": status,
            },
            "intent": "order",
            "priority": PRIORITY.get(referral.urgency, "routine"),
            "code": {
                "coding": [{"system": TASK_CODES, "code": "fulfill", "display": "Fulfill the focal request"}]
            },
            "focus": request_ref,
            "for": patient_ref,
            "executionPeriod": _compact({"start": _ts(referral.sent_at), "end": _ts(referral.closed_at)}),
            "authoredOn": _ts(referral.sent_at or referral.created_at),
            "lastModified": _ts(referral.updated_at),
            "requester": _referrer_reference(referral),
            "owner": _unit_reference(referral.receiving_unit),
            "output": output,
        }
    )


def referral_bundle(referral: Referral, *, include_identifier: bool = False) -> Bundle:
    """The referral as a FHIR R4B ``collection`` Bundle: ServiceRequest, Task, Patient and (when
    recorded) Consent. The henkilötunnus is in it only with ``include_identifier=True``; the caller
    must have read the referral through ``selectors.referral_detail`` (scoped and logged)."""
    patient_id, task_id = _child_id(referral, "Patient"), _child_id(referral, "Task")
    consent = Consent.objects.filter(referral=referral).first()
    patient_ref = {"reference": _urn(patient_id), "type": "Patient"}
    request_ref = {"reference": _urn(referral.pk), "type": "ServiceRequest"}
    consent_ref = {"reference": _urn(consent.pk), "type": "Consent"} if consent else None
    resources = [
        _service_request(referral, patient_ref, consent_ref),
        _task(referral, task_id, request_ref, patient_ref),
        _patient(referral, patient_id, include_identifier),
    ]
    if consent is not None:
        resources.append(_consent(referral, consent, patient_ref))
    data = {
        "resourceType": "Bundle",
        "meta": {"lastUpdated": _ts(referral.updated_at)},
        "type": "collection",
        "timestamp": _ts(timezone.now()),
        "entry": [{"fullUrl": _urn(resource["id"]), "resource": resource} for resource in resources],
    }
    bundle = Bundle.model_validate(data)
    # Round trip: what we send must read back as the same R4B bundle.
    if Bundle.model_validate_json(bundle.model_dump_json()) != bundle:  # pragma: no cover - a bug
        raise RuntimeError("The FHIR bundle of the referral does not survive a round trip.")
    return bundle


# --- errors as OperationOutcome issues ---


@dataclass(frozen=True)
class Issue:
    """One OperationOutcome issue. ``code`` is a FHIR IssueType, ``error`` our own error code."""

    code: str
    diagnostics: str
    expression: tuple[str, ...] = ()
    error: str = "invalid_fhir"
    severity: str = "error"
    technical: str = ""  # e.g. the FHIR library's own message (English), in ``details.text``

    def as_dict(self) -> dict[str, Any]:
        details: dict[str, Any] = {"coding": [{"system": ERROR_SYSTEM, "code": self.error}]}
        if self.technical:
            details["text"] = scrub(self.technical)[:500]
        return _compact(
            {
                "severity": self.severity,
                "code": self.code,
                "details": details,
                "diagnostics": scrub(self.diagnostics),
                "expression": list(self.expression),
            }
        )


class BundleRejected(DomainError):
    """The incoming bundle cannot be used; ``issues`` say where and why."""

    code = "fhir_bundle_invalid"
    http_status = 400
    default_message = gettext_lazy("The FHIR bundle is not valid.")

    def __init__(self, issues: Iterable[Issue], *, http_status: int | None = None) -> None:
        self.issues = list(issues)[:MAX_ISSUES]
        if http_status is None:
            http_status = 422 if all(issue.code == "business-rule" for issue in self.issues) else 400
        super().__init__(
            details={"issues": [issue.as_dict() for issue in self.issues]}, http_status=http_status
        )


def scrub(text: str) -> str:
    """Anything shaped like a henkilötunnus out of a message, whatever produced it."""
    return HETU_ANYWHERE.sub("***", text)


def operation_outcome(issues: Iterable[Issue]) -> OperationOutcome:
    return OperationOutcome.model_validate(
        {"resourceType": "OperationOutcome", "issue": [issue.as_dict() for issue in issues]}
    )


# Where a field of ``services.referral_create`` comes from in the bundle, when the service rejects it.
NOT_FOUND_FIELDS = frozenset({"receiving_unit", "service"})


def issues_for_error(exc: DomainError, paths: Mapping[str, str] | None = None) -> tuple[list[Issue], int]:
    """The OperationOutcome issues and HTTP status of a domain error; ``paths`` maps the fields of
    ``services.referral_create`` to FHIRPath expressions of the bundle they were read from."""
    paths = paths or {}
    message = str(exc.message)

    def where(name: str) -> tuple[str, ...]:
        return (paths[name],) if name in paths else ()

    if isinstance(exc, BundleRejected):
        return exc.issues, exc.http_status
    if isinstance(exc, ConsentMissing):
        return [Issue("business-rule", message, where("consent"), exc.code)], exc.http_status
    if isinstance(exc, NotFoundForUser):
        return [Issue("not-found", message, (), exc.code)], exc.http_status
    if isinstance(exc, PermissionDenied):
        return [Issue("forbidden", message, (), exc.code)], exc.http_status
    if isinstance(exc, InvalidTransition):
        return [Issue("conflict", message, (), exc.code)], exc.http_status
    if isinstance(exc, InvalidParameter):
        name = exc.details.get("field")
        if isinstance(name, str):
            if name in NOT_FOUND_FIELDS:
                return [Issue("not-found", message, where(name), exc.code)], 422
            code = "code-invalid" if name == "needs" else "invalid"
            return [Issue(code, message, where(name), exc.code)], exc.http_status
        fields = exc.details.get("fields")
        if isinstance(fields, Mapping) and fields:
            issues = []
            for name, problems in fields.items():
                texts = [str(problem) for problem in problems] if isinstance(problems, list) else []
                text = " ".join([message, *texts])
                issues.append(Issue("invalid", text, where(str(name)), exc.code))
            return issues, exc.http_status
        return [Issue("invalid", message, (), exc.code)], exc.http_status
    by_status = {400: "invalid", 403: "forbidden", 404: "not-found", 409: "conflict", 422: "business-rule"}
    return [Issue(by_status.get(exc.http_status, "processing"), message, (), exc.code)], exc.http_status


# --- import ---


@dataclass
class IncomingReferral:
    """What an EHR's bundle asks for: the arguments of ``services.referral_create`` (but the actor and
    the referring unit, which come from the request) and where each came from in the bundle."""

    receiving_unit_id: uuid.UUID
    kind: str
    client: ClientData = field(repr=False)  # holds the henkilötunnus: never in a repr or a log
    reason: str
    consent: ConsentData | None
    goals: str = ""
    needs: list[str] = field(default_factory=list)
    activity_level: str = Referral.ActivityLevel.UNKNOWN
    risk_notes: str = ""
    urgency: str = Referral.Urgency.ROUTINE
    service_id: uuid.UUID | None = None
    send: bool = True
    idempotency_key: str | None = None
    paths: dict[str, str] = field(default_factory=dict)

    def create_kwargs(self) -> dict[str, Any]:
        return {
            "receiving_unit_id": self.receiving_unit_id,
            "kind": self.kind,
            "client": self.client,
            "reason": self.reason,
            "consent": self.consent,
            "goals": self.goals,
            "needs": self.needs,
            "activity_level": self.activity_level,
            "risk_notes": self.risk_notes,
            "urgency": self.urgency,
            "service_id": self.service_id,
            "send": self.send,
        }


class _Problems:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, code: str, message: str, *expression: str, error: str = "invalid_fhir") -> None:
        self.issues.append(Issue(code, message, tuple(expression), error))

    def raise_any(self) -> None:
        if self.issues:
            raise BundleRejected(self.issues)


def _known_resource_type(name: Any) -> bool:
    if not isinstance(name, str) or not name[:1].isupper():
        return False
    try:
        get_fhir_model_class(name)
    except (ValueError, KeyError, AttributeError, ImportError):
        return False
    return True


def _fhirpath(loc: Iterable[Any]) -> str:
    path = "Bundle"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += "." + {"resource_type": "resourceType", "for_fhir": "for"}.get(str(part), str(part))
    return path


def _pydantic_issues(exc: PydanticValidationError) -> list[Issue]:
    issues = []
    for error in exc.errors(include_url=False, include_input=False)[:MAX_ISSUES]:
        kind = str(error.get("type", ""))
        where = (_fhirpath(error.get("loc", ())),)
        technical = str(error.get("msg", ""))
        if kind.endswith("missing"):
            issues.append(
                Issue("required", _("This field is required."), where, "fhir_required", technical=technical)
            )
        elif kind == "extra_forbidden":
            message = _("The element is not defined in FHIR R4B.")
            issues.append(Issue("structure", message, where, "fhir_unknown_element", technical=technical))
        else:
            message = _("The value does not conform to FHIR R4B.")
            issues.append(Issue("invalid", message, where, "fhir_invalid_value", technical=technical))
    return issues


def _codes(concept: Any, system: str) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    return [
        str(coding.get("code"))
        for coding in concept.get("coding") or []
        if coding.get("system") == system and coding.get("code")
    ]


def _extension(resource: Mapping[str, Any], url: str) -> str | None:
    for extension in resource.get("extension") or []:
        if extension.get("url") == url:
            value = extension.get("valueCode") or extension.get("valueString")
            return str(value) if value else None
    return None


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return None  # partial dates ("2024-05") say too little


@dataclass
class _Entry:
    index: int
    full_url: str
    resource: dict[str, Any]

    @property
    def path(self) -> str:
        return f"Bundle.entry[{self.index}].resource"

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType"))

    def names(self) -> set[str]:
        """The references that point to this entry: its fullUrl and ``Type/id``."""
        names = {self.full_url} if self.full_url else set()
        if self.resource.get("id"):
            names.add(f"{self.type}/{self.resource['id']}")
        return names


def _refers_to(reference: Any, entry: _Entry) -> bool:
    return isinstance(reference, Mapping) and reference.get("reference") in entry.names()


def service_request_from_bundle(data: Any) -> IncomingReferral:
    """Read a referral from an EHR's FHIR R4B Bundle (``transaction`` or ``collection``).

    The bundle must hold exactly one ServiceRequest and one Patient, and may hold one Consent; other
    resources (Practitioner, Organization, Condition, …) are allowed and not stored. Conventions:

    * ServiceRequest: ``status`` ``active`` (send now; needs an active Consent) or ``draft`` (a draft
      for the referrer to finish); ``intent`` ``order``; ``subject`` the Patient; ``code`` a coding of
      ``urn:hyte:referral-kind`` (``exercise`` / ``wellbeing``); ``reasonCode`` the reason as text
      (required) and the needs as codings of ``urn:hyte:need``; ``note`` the goals (notes with the
      extension ``urn:hyte:fhir:note-kind`` = ``risks`` are the risks); ``priority``; ``orderDetail``
      codings of ``urn:hyte:activity-level`` and ``urn:hyte:service`` (optional).
    * The receiving unit is the single ``performer``: a reference ``Organization/<unit id>``, or a
      Reference.identifier ``urn:hyte:unit|<unit id>``, or a reference to an Organization entry of the
      bundle that carries that identifier.
    * Patient: exactly one identifier of system ``urn:oid:1.2.246.21`` (a valid henkilötunnus; temporary
      codes are refused), a name with family and given names, telecom (phone, email) and a preferred
      language (fi, sv or en; otherwise Finnish). The birth date is not read: the code has it.
    * Consent: ``status`` active, ``patient`` the Patient, ``scope`` patient-privacy (or treatment), not a
      ``deny`` provision, not expired; ``dateTime`` when it was given; who gave it from the extension
      ``urn:hyte:fhir:consent-given-by`` or the performer (the Patient → the client, a RelatedPerson →
      a guardian); how it was recorded from ``urn:hyte:fhir:consent-method`` (default: verbally,
      recorded by the professional); our scope from ``provision.purpose`` in ``urn:hyte:consent-scope``.
    * ``Bundle.identifier`` (system + value) becomes the idempotency key.

    Raises BundleRejected (400, or 422 when only business rules fail) with OperationOutcome issues.
    """
    problems = _Problems()
    if not isinstance(data, Mapping) or not isinstance(data.get("resourceType"), str):
        raise BundleRejected(
            [Issue("structure", _("Send a FHIR resource in JSON: an object with a resourceType."), ())]
        )
    if data["resourceType"] != "Bundle":
        message = _("Send a Bundle that holds the ServiceRequest, the Patient and the Consent.")
        raise BundleRejected([Issue("invalid", message, ("resourceType",), "fhir_wrong_resource_type")])
    if data.get("type") not in ("transaction", "collection"):
        code = "required" if data.get("type") is None else "invalid"
        message = _("The bundle type must be “transaction” or “collection”.")
        raise BundleRejected([Issue(code, message, ("Bundle.type",), "fhir_bundle_type")])
    raw_entries = data.get("entry")
    for i, entry in enumerate(raw_entries if isinstance(raw_entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if isinstance(resource, Mapping) and not _known_resource_type(resource.get("resourceType")):
            message = _("Unknown FHIR resource type.")
            problems.add("not-supported", message, f"Bundle.entry[{i}].resource.resourceType")
    problems.raise_any()
    try:
        bundle = Bundle.model_validate(data)
    except PydanticValidationError as exc:
        raise BundleRejected(_pydantic_issues(exc)) from None
    except (ValueError, KeyError, TypeError, RecursionError):
        raise BundleRejected([Issue("structure", _("The bundle is not valid FHIR R4B."), ())]) from None
    content = bundle.model_dump()

    entries: list[_Entry] = []
    for i, entry in enumerate(content.get("entry") or []):
        if not entry.get("resource"):
            problems.add("required", _("Every entry needs a resource."), f"Bundle.entry[{i}].resource")
            continue
        entries.append(_Entry(i, str(entry.get("fullUrl") or ""), dict(entry["resource"])))
    found: dict[str, list[_Entry]] = {}
    for entry in entries:
        found.setdefault(entry.type, []).append(entry)
    for kind, message in (
        ("ServiceRequest", _("The bundle must hold exactly one ServiceRequest.")),
        ("Patient", _("The bundle must hold exactly one Patient.")),
    ):
        if not found.get(kind):
            problems.add("required", message, f"Bundle.entry.resource.ofType({kind})", error="fhir_entries")
        for extra in found.get(kind, [])[1:]:
            problems.add("invalid", message, extra.path, error="fhir_entries")
    for extra in found.get("Consent", [])[1:]:
        problems.add("invalid", _("The bundle may hold only one Consent."), extra.path, error="fhir_entries")
    problems.raise_any()

    request, patient = found["ServiceRequest"][0], found["Patient"][0]
    consent_entry = found["Consent"][0] if found.get("Consent") else None
    by_url = {name: entry for entry in entries for name in entry.names()}
    incoming = _read_service_request(request, patient, by_url, problems)
    incoming.client = _read_patient(patient, incoming.paths, problems)
    if consent_entry is not None:
        incoming.consent = _read_consent(
            consent_entry, patient, by_url, incoming.send, incoming.paths, problems
        )
    incoming.paths["consent"] = (
        consent_entry.path if consent_entry else "Bundle.entry.resource.ofType(Consent)"
    )
    identifier = content.get("identifier") or {}
    if identifier.get("value"):
        key = f"{identifier.get('system') or ''}|{identifier['value']}"
        incoming.idempotency_key = hashlib.sha256(key.encode()).hexdigest()
    problems.raise_any()
    return incoming


def _text_limit(problems: _Problems, text: str, limit: int, path: str) -> str:
    if len(text) > limit:
        problems.add(
            "too-long", _("The text is too long: at most %(max)d characters.") % {"max": limit}, path
        )
    return text


def _read_service_request(
    entry: _Entry, patient: _Entry, by_url: Mapping[str, _Entry], problems: _Problems
) -> IncomingReferral:
    sr, path = entry.resource, entry.path
    paths: dict[str, str] = {}
    status = sr.get("status")
    if status not in ("active", "draft"):
        message = _("A new referral must have the status “active” (send it) or “draft”.")
        problems.add("invalid", message, f"{path}.status", error="fhir_status")
    if sr.get("intent") != "order":
        problems.add("invalid", _("The intent of a referral must be “order”."), f"{path}.intent")
    if sr.get("doNotPerform"):
        problems.add("not-supported", _("A referral cannot forbid the service."), f"{path}.doNotPerform")
    if not _refers_to(sr.get("subject"), patient):
        message = _("The subject must refer to the Patient of the bundle.")
        problems.add("invalid", message, f"{path}.subject", error="fhir_reference")

    kinds = _codes(sr.get("code"), KIND_SYSTEM)
    kind = kinds[0] if kinds else ""
    if not kinds:
        message = _("Give the kind of referral as a code of %(system)s.") % {"system": KIND_SYSTEM}
        problems.add("required", message, f"{path}.code", error="fhir_code")
    elif kind not in Referral.Kind.values:
        problems.add("code-invalid", _("Unknown kind of referral."), f"{path}.code", error="fhir_code")

    receiving = _read_performer(sr, path, by_url, problems)
    paths["receiving_unit"] = f"{path}.performer[0]"

    reasons, needs = [], []
    for i, concept in enumerate(sr.get("reasonCode") or []):
        codes = _codes(concept, NEED_SYSTEM)
        if codes:
            needs += codes
            paths["needs"] = f"{path}.reasonCode[{i}]"
        elif concept.get("text"):
            reasons.append(str(concept["text"]).strip())
            paths.setdefault("reason", f"{path}.reasonCode[{i}].text")
    reason = "\n\n".join(text for text in reasons if text)
    if not reason:
        problems.add("required", _("Give the reason for the referral as text."), f"{path}.reasonCode")
    _text_limit(problems, reason, MAX_TEXT, paths.get("reason", f"{path}.reasonCode"))
    if len(set(needs)) > MAX_NEEDS:
        problems.add("invalid", _("At most %(max)d needs.") % {"max": MAX_NEEDS}, paths["needs"])

    goals, risks = [], []
    for i, note in enumerate(sr.get("note") or []):
        text = str(note.get("text") or "").strip()
        if _extension(note, NOTE_KIND_EXTENSION) == "risks":
            risks.append(text)
            paths.setdefault("risk_notes", f"{path}.note[{i}]")
        else:
            goals.append(text)
            paths.setdefault("goals", f"{path}.note[{i}]")
    goal_text, risk_text = "\n\n".join(filter(None, goals)), "\n\n".join(filter(None, risks))
    _text_limit(problems, goal_text, MAX_TEXT, paths.get("goals", f"{path}.note"))
    _text_limit(problems, risk_text, MAX_TEXT, paths.get("risk_notes", f"{path}.note"))

    priority = sr.get("priority") or "routine"
    if priority not in URGENCY:
        problems.add("code-invalid", _("Unknown priority."), f"{path}.priority")

    activity, service_id = Referral.ActivityLevel.UNKNOWN, None
    for i, concept in enumerate(sr.get("orderDetail") or []):
        for code in _codes(concept, ACTIVITY_SYSTEM)[:1]:
            if code in Referral.ActivityLevel.values:
                activity = Referral.ActivityLevel(code)
            else:
                problems.add("code-invalid", _("Unknown activity level."), f"{path}.orderDetail[{i}]")
        for code in _codes(concept, SERVICE_SYSTEM)[:1]:
            paths["service"] = f"{path}.orderDetail[{i}]"
            try:
                service_id = uuid.UUID(code)
            except ValueError:
                problems.add("invalid", _("The service was not found in the tray."), paths["service"])

    paths |= {"kind": f"{path}.code", "urgency": f"{path}.priority", "activity_level": f"{path}.orderDetail"}
    return IncomingReferral(
        receiving_unit_id=receiving or uuid.UUID(int=0),
        kind=kind,
        client=ClientData(first_name="", last_name=""),
        reason=reason,
        consent=None,
        goals=goal_text,
        needs=sorted(set(needs)),
        activity_level=activity,
        risk_notes=risk_text,
        urgency=URGENCY.get(priority, Referral.Urgency.ROUTINE),
        service_id=service_id,
        send=status != "draft",
        paths=paths,
    )


def _read_performer(
    sr: Mapping[str, Any], path: str, by_url: Mapping[str, _Entry], problems: _Problems
) -> uuid.UUID | None:
    performers = sr.get("performer") or []
    message = _(
        "Give the receiving unit as the one performer: “Organization/<unit id>” "
        "or an identifier of %(system)s."
    ) % {"system": UNIT_SYSTEM}
    if len(performers) != 1:
        problems.add("required" if not performers else "invalid", message, f"{path}.performer")
        return None
    performer, where = performers[0], f"{path}.performer[0]"
    reference = str(performer.get("reference") or "")
    values: list[str] = []
    if reference.startswith("Organization/"):
        values.append(reference.removeprefix("Organization/"))
    elif reference in by_url and by_url[reference].type == "Organization":
        organization = by_url[reference].resource
        values += [
            str(identifier.get("value"))
            for identifier in organization.get("identifier") or []
            if identifier.get("system") == UNIT_SYSTEM and identifier.get("value")
        ][:1]
    elif reference:
        problems.add("invalid", message, f"{where}.reference", error="fhir_reference")
        return None
    identifier = performer.get("identifier") or {}
    if identifier.get("system") == UNIT_SYSTEM and identifier.get("value"):
        values.append(str(identifier["value"]))
    if not values:
        problems.add("required", message, where, error="fhir_reference")
        return None
    try:
        units = {uuid.UUID(value) for value in values}
    except ValueError:
        problems.add("invalid", message, where, error="fhir_reference")
        return None
    if len(units) > 1:
        message = _("The reference and the identifier of the performer name different units.")
        problems.add("invalid", message, where, error="fhir_reference")
        return None
    return units.pop()


def _read_patient(entry: _Entry, paths: dict[str, str], problems: _Problems) -> ClientData:
    patient, path = entry.resource, entry.path
    codes = [
        (i, identifier)
        for i, identifier in enumerate(patient.get("identifier") or [])
        if identifier.get("system") == HETU_SYSTEM
    ]
    code = ""
    if not codes:
        message = _("The patient needs a Finnish personal identity code (identifier system %(system)s).")
        problems.add(
            "required", message % {"system": HETU_SYSTEM}, f"{path}.identifier", error="hetu_missing"
        )
    elif len(codes) > 1:
        message = _("The patient may have only one personal identity code.")
        problems.add("invalid", message, f"{path}.identifier[{codes[1][0]}]", error="hetu_twice")
    else:
        i, identifier = codes[0]
        try:
            code = hetu.validate(str(identifier.get("value") or ""))
        except hetu.InvalidPersonalIdentityCode as exc:
            problems.add("invalid", str(exc.message), f"{path}.identifier[{i}].value", error=exc.code)
        paths["personal_identity_code"] = f"{path}.identifier[{i}].value"

    names = patient.get("name") or []
    name = next((n for n in names if n.get("use") in ("official", "usual")), names[0] if names else {})
    family = str(name.get("family") or "").strip()
    given = " ".join(str(part).strip() for part in name.get("given") or [] if part).strip()
    paths |= {"first_name": f"{path}.name", "last_name": f"{path}.name"}
    if not family or not given:
        problems.add("required", _("The patient needs a family name and a given name."), f"{path}.name")
    _text_limit(problems, family, MAX_NAME, f"{path}.name")
    _text_limit(problems, given, MAX_NAME, f"{path}.name")

    email = phone = ""
    for i, telecom in enumerate(patient.get("telecom") or []):
        value = str(telecom.get("value") or "").strip()
        if telecom.get("system") == "email" and not email:
            email, paths["email"] = value, f"{path}.telecom[{i}]"
            _text_limit(problems, email, MAX_EMAIL, paths["email"])
        elif telecom.get("system") in ("phone", "sms") and not phone:
            phone, paths["phone"] = value, f"{path}.telecom[{i}]"
            _text_limit(problems, phone, MAX_PHONE, paths["phone"])

    language = Client.Language.FINNISH
    communication = sorted(patient.get("communication") or [], key=lambda c: not c.get("preferred"))
    for item in communication:
        codes_ = [c.split("-")[0].lower() for c in _codes(item.get("language"), BCP47)]
        match = next((c for c in codes_ if c in Client.Language.values), None)
        if match:
            language = Client.Language(match)
            break
    paths["preferred_language"] = f"{path}.communication"
    return ClientData(
        first_name=given[:MAX_NAME],
        last_name=family[:MAX_NAME],
        personal_identity_code=code,
        email=email,
        phone=phone,
        preferred_language=language,
    )


def _read_consent(
    entry: _Entry,
    patient: _Entry,
    by_url: Mapping[str, _Entry],
    send: bool,
    paths: dict[str, str],
    problems: _Problems,
) -> ConsentData | None:
    consent, path = entry.resource, entry.path
    if not _refers_to(consent.get("patient"), patient):
        message = _("The consent must refer to the Patient of the bundle.")
        problems.add("invalid", message, f"{path}.patient", error="fhir_reference")
    scopes = set(_codes(consent.get("scope"), CONSENT_SCOPE_CODES))
    if not scopes & {"patient-privacy", "treatment"}:
        message = _("The consent scope must be patient-privacy (sharing the referral).")
        problems.add("code-invalid", message, f"{path}.scope")
    provision = consent.get("provision") or {}
    given_at = _aware(consent.get("dateTime"))
    if consent.get("dateTime") is not None and given_at is None:
        problems.add("invalid", _("Give the date of the consent."), f"{path}.dateTime")
    if given_at is not None and given_at > timezone.now() + CONSENT_CLOCK_SKEW:
        problems.add("invalid", _("The consent cannot have been given in the future."), f"{path}.dateTime")
    paths["given_at"] = f"{path}.dateTime"

    end = _aware((provision.get("period") or {}).get("end"))
    not_in_force = None  # where the bundle says the consent is not in force
    if consent.get("status") != "active":
        not_in_force = f"{path}.status"
    elif provision.get("type") == "deny":
        not_in_force = f"{path}.provision.type"
    elif end is not None and end <= timezone.now():
        not_in_force = f"{path}.provision.period.end"
    if not_in_force:
        if send:
            message = str(ConsentMissing.default_message)
            problems.add("business-rule", message, not_in_force, error=ConsentMissing.code)
        return None

    given_by = _extension(consent, CONSENT_GIVEN_BY_EXTENSION)
    if given_by not in Consent.GivenBy.values:
        given_by = Consent.GivenBy.CLIENT
        for performer in consent.get("performer") or []:
            target = str(performer.get("reference") or "")
            in_bundle = by_url[target].type if target in by_url else ""
            if "RelatedPerson" in (performer.get("type"), in_bundle) or target.startswith("RelatedPerson/"):
                given_by = Consent.GivenBy.GUARDIAN
    method = _extension(consent, CONSENT_METHOD_EXTENSION)
    if method not in Consent.Method.values:
        method = Consent.Method.VERBAL
    scope = next(
        (
            str(coding.get("code"))
            for coding in provision.get("purpose") or []
            if coding.get("system") == CONSENT_SCOPE_SYSTEM and coding.get("code") in Consent.Scope.values
        ),
        Consent.Scope.REFERRAL,
    )
    return ConsentData(given_by=str(given_by), method=str(method), scope=scope, given_at=given_at)
