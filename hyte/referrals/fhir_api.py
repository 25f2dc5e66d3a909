"""FHIR R4B endpoints for referrals under /api/v1/fhir/: staff logged in with two factors, or API
clients (an electronic health record) with an OAuth 2.0 access token (``Authorization: Bearer``, from
``/o/token/`` with the client credentials grant; ``referrals:write`` to post, ``referrals:read`` to read).
An API client acts as its system user, which holds the professional role in the units it sends for
(``manage.py create_api_client``); the personal data log names that user.

``GET /api/v1/fhir/ServiceRequest/<referral id>`` — the referral as a Bundle (ServiceRequest, Task,
Patient, Consent; see ``hyte.referrals.fhir``) for a user who may see it; the read is in the personal
data log; the henkilötunnus is never in it. Another unit gets 404.

``POST /api/v1/fhir/ServiceRequest`` — an EHR creates a referral from a Bundle (``transaction`` or
``collection``) holding a ServiceRequest, a Patient and a Consent. The referrer is the logged-in user and
the referring unit their unit with the professional role; a user who is a professional in several
units names it with the query parameter ``?referring_unit=<unit id>`` (400 without it). The
``Idempotency-Key`` header, or else ``Bundle.identifier``, makes a repeated request give back the first
referral (200 instead of 201). Answers 201 with the bundle of the new referral and its Location.

Both answer ``application/fhir+json`` (or ``application/json`` when asked for), and every error is an
OperationOutcome in the request's language (``?lang=`` or Accept-Language): 400 invalid bundle, 403 no
role, 404 not found, 413 too large, 415 not JSON, 422 business rule (no consent, unknown unit).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.accounts.models import UnitRole
from hyte.catalog.api import LanguageMixin
from hyte.core.errors import DomainError, InvalidParameter
from hyte.referrals import fhir, selectors, services
from hyte.referrals.api import IsVerified
from hyte.referrals.errors import NotInUnit

FHIR_JSON = "application/fhir+json"
MAX_BODY_BYTES = 256 * 1024  # a referral bundle is a few kilobytes; four texts of 4000 characters fit
JSON_TYPES = (FHIR_JSON, "application/json")


class FHIRJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


def _outcome(issues: list[fhir.Issue], http_status: int, **headers: str) -> Response:
    body = fhir.operation_outcome(issues).model_dump(mode="json")
    response = Response(body, status=http_status, headers=headers or None)
    response.exception = True
    return response


def _bundle(referral: Any, http_status: int = status.HTTP_200_OK, **headers: str) -> Response:
    body = fhir.referral_bundle(referral).model_dump(mode="json")
    return Response(body, status=http_status, headers=headers or None)


class UnreadBodyParser(BaseParser):
    """Takes any media type and reads nothing: the view reads (and size-checks) the body itself. With
    no parser at all, DRF answered 415 as soon as anything asked for ``request.POST`` – and the CSRF
    check of a session-authenticated POST does, so a logged-in professional could not send a bundle."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> dict[str, Any]:
        return {}


class BearerTokenAuthentication(OAuth2Authentication):
    """django-oauth-toolkit's authentication, given the Django request: its own reading of the body
    would go through DRF's parsers, which these views leave to themselves (the FHIR body is read and
    size-checked in the view). A client credentials token has no user of its own: the client acts as
    its application's system user."""

    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(getattr(request, "_request", request))
        if result is None:
            return None
        user, token = result
        user = user or token.application.user
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed()
        return user, token


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description of the token: OAuth 2.0 client credentials with the view's scopes."""

    target_class = BearerTokenAuthentication
    name = "oauth2"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        return {self.name: list(getattr(auto_schema.view, "required_scopes", []))}

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scopes = settings.OAUTH2_PROVIDER["SCOPES"]
        return {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/o/token/", "scopes": scopes}}}


class VerifiedOrScopedToken(BasePermission):
    """A staff member logged in with two factors, or an API client (an EHR) with an OAuth 2.0 access
    token that carries the view's ``required_scopes`` and belongs to an active system user."""

    message = _("Log in with two-factor authentication, or use an access token with the right scope.")

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if isinstance(token, AccessToken):
            return bool(token.is_valid(getattr(view, "required_scopes", [])))
        return IsVerified().has_permission(request, view)


class FHIRView(LanguageMixin, APIView):
    """Errors as OperationOutcome instead of the API's ``{code, message, details}``."""

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [VerifiedOrScopedToken]
    required_scopes: list[str] = []
    renderer_classes = [FHIRJSONRenderer, JSONRenderer]
    parser_classes: list[Any] = [UnreadBodyParser]  # the body is read (and size-checked) by the view
    paths: dict[str, str] | None = None  # where the fields of the referral came from in the bundle

    def handle_exception(self, exc: Exception) -> Response:
        headers: dict[str, str] = {}
        if isinstance(exc, DomainError):
            issues, http_status = fhir.issues_for_error(exc, self.paths)
            return _outcome(issues, http_status)
        if isinstance(exc, Http404):
            return _outcome([fhir.Issue("not-found", _("Not found."), (), "not_found")], 404)
        if not isinstance(exc, exceptions.APIException):
            return super().handle_exception(exc)  # a bug: Django logs it and answers 500
        code, http_status = "processing", exc.status_code
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            code = "login"
            header = self.get_authenticate_header(self.request)
            if header:
                headers["WWW-Authenticate"] = header
            else:
                http_status = status.HTTP_403_FORBIDDEN
        elif isinstance(exc, exceptions.PermissionDenied):
            code = "forbidden"
        elif isinstance(
            exc, exceptions.MethodNotAllowed | exceptions.NotAcceptable | exceptions.UnsupportedMediaType
        ):
            code = "not-supported"
        elif isinstance(exc, exceptions.Throttled):
            code = "throttled"
        elif isinstance(exc, exceptions.ParseError | exceptions.ValidationError):
            code = "invalid"
        message = str(exc.detail) if not isinstance(exc.detail, list | dict) else _("The request failed.")
        error = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        return _outcome([fhir.Issue(code, message, (), str(error))], http_status, **headers)


class ServiceRequestDetailView(FHIRView):
    required_scopes = ["referrals:read"]

    @extend_schema(
        summary="A referral as a FHIR R4B Bundle",
        responses={(200, FHIR_JSON): OpenApiTypes.OBJECT, (404, FHIR_JSON): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: str) -> Response:
        referral = selectors.referral_detail(actor=request.user, referral_id=pk)
        return _bundle(referral)


def _referring_unit(request: Request) -> Any:
    """The actor's unit with the professional role: the only one, or the one named in the query."""
    roles = UnitRole.objects.filter(user__pk=request.user.pk, role=UnitRole.Role.PROFESSIONAL)  # type: ignore[misc]
    units = set(roles.values_list("unit_id", flat=True))
    named = request.query_params.get("referring_unit")
    if named:
        try:
            unit_id = uuid.UUID(named)
        except ValueError:
            raise InvalidParameter(details={"field": "referring_unit"}) from None
        if unit_id not in units:
            raise NotInUnit()
        return unit_id
    if not units:
        raise NotInUnit()
    if len(units) > 1:
        raise InvalidParameter(
            _("You send referrals from several units: name one with ?referring_unit=<unit id>."),
            details={"field": "referring_unit"},
        )
    return units.pop()


def _body(request: Request) -> Any:
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        message = _("Send the bundle as application/fhir+json.")
        raise fhir.BundleRejected(
            [fhir.Issue("not-supported", message, (), "unsupported_media_type")], http_status=415
        )
    too_big = fhir.BundleRejected(
        [fhir.Issue("too-long", _("The bundle is too large."), (), "too_large")], http_status=413
    )
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            raise too_big
        raw = request._request.body
    except RequestDataTooBig:
        raise too_big from None
    except ValueError:  # a malformed Content-Length
        raise fhir.BundleRejected(
            [fhir.Issue("structure", _("The request was not understood."), ())]
        ) from None
    if len(raw) > MAX_BODY_BYTES:
        raise too_big
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        message = _("The body is not valid JSON.")
        raise fhir.BundleRejected([fhir.Issue("structure", message, (), "parse_error")]) from None


class ServiceRequestCreateView(FHIRView):
    required_scopes = ["referrals:write"]

    @extend_schema(
        summary="Create a referral from an EHR's FHIR R4B Bundle",
        request={FHIR_JSON: OpenApiTypes.OBJECT},
        responses={
            (201, FHIR_JSON): OpenApiTypes.OBJECT,
            (200, FHIR_JSON): OpenApiTypes.OBJECT,
            (400, FHIR_JSON): OpenApiTypes.OBJECT,
            (409, FHIR_JSON): OpenApiTypes.OBJECT,
            (422, FHIR_JSON): OpenApiTypes.OBJECT,
        },
        parameters=[
            OpenApiParameter("Idempotency-Key", str, location="header"),
            OpenApiParameter(
                "referring_unit",
                OpenApiTypes.UUID,
                description="The sending unit, needed when you are a professional in several units.",
            ),
            OpenApiParameter(
                "capacity_confirmed",
                OpenApiTypes.BOOL,
                description="true: send even though the receiving unit or service says it takes no new "
                "clients (otherwise 409 receiver_not_taking_clients).",
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        referring_unit_id = _referring_unit(request)
        incoming = fhir.service_request_from_bundle(_body(request))
        self.paths = incoming.paths
        referral = services.referral_create(
            actor=request.user,
            referring_unit_id=referring_unit_id,
            idempotency_key=request.headers.get("Idempotency-Key") or incoming.idempotency_key,
            capacity_confirmed=request.query_params.get("capacity_confirmed", "").lower() in ("1", "true"),
            **incoming.create_kwargs(),
        )
        created = not referral.replayed
        referral = selectors.referral_detail(actor=request.user, referral_id=referral.pk)
        location = reverse("api:fhir-servicerequest-detail", args=[referral.pk])
        return _bundle(
            referral, status.HTTP_201_CREATED if created else status.HTTP_200_OK, Location=location
        )
