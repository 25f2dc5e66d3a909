"""Referrals API under /api/v1/referrals/ (staff, logged in). Lists carry no client data; the detail
does, and every detail read is in the personal data log. The henkilötunnus is write-only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.catalog.api import ERROR_SCHEMA, LanguageMixin
from hyte.core.errors import InvalidParameter
from hyte.referrals import selectors, services
from hyte.referrals.models import Client, Consent, Referral, ReferralEvent

MAX_TEXT = 4000


class IsVerified(BasePermission):
    """Logged in with two factors (TOTP, or an identity provider that did multi-factor authentication)."""

    message = _("Log in with two-factor authentication to use this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "is_verified", lambda: False)())


class ClientInSerializer(serializers.Serializer[Any]):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    personal_identity_code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, write_only=True
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=Client.Language.choices, default="fi")
    municipality = serializers.CharField(max_length=3, required=False, allow_null=True, default=None)


class ConsentInSerializer(serializers.Serializer[Any]):
    given_by = serializers.ChoiceField(choices=Consent.GivenBy.choices)
    method = serializers.ChoiceField(choices=Consent.Method.choices)
    scope = serializers.ChoiceField(choices=Consent.Scope.choices)
    given_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReferralInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Referral.Kind.choices)
    referring_unit = serializers.UUIDField()
    receiving_unit = serializers.UUIDField()
    service = serializers.UUIDField(required=False, allow_null=True, default=None)
    needs = serializers.ListField(child=serializers.SlugField(max_length=40), required=False, max_length=8)
    reason = serializers.CharField(max_length=MAX_TEXT)
    goals = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    activity_level = serializers.ChoiceField(choices=Referral.ActivityLevel.choices, default="unknown")
    risk_notes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices, default="routine")
    client = ClientInSerializer()
    consent = ConsentInSerializer(required=False, allow_null=True, default=None)
    send = serializers.BooleanField(default=True)
    capacity_confirmed = serializers.BooleanField(
        default=False,
        help_text="Send even though the receiving unit or service says it takes no new clients (or has "
        "0 free places). Without it such a send is a 409 receiver_not_taking_clients whose details carry "
        "the capacity as stated.",
    )


class TransitionInSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=sorted(services.TRANSITIONS))
    decline_reason = serializers.CharField(max_length=MAX_TEXT, required=False)
    decline_code = serializers.ChoiceField(choices=Referral.DeclineCode.choices, required=False)
    outcome_summary = serializers.CharField(max_length=MAX_TEXT, required=False)
    end_reason = serializers.ChoiceField(choices=Referral.EndReason.choices, required=False)
    end_note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    capacity_confirmed = serializers.BooleanField(
        default=False, help_text="For action send: as in creating a referral."
    )


class AppointmentSerializer(serializers.Serializer[Any]):
    """The client's next meeting with the receiving unit; the client gets an SMS reminder the day
    before. A time with its offset (ISO 8601), in the future."""

    appointment_at = serializers.DateTimeField()
    appointment_place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class UnitOutSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    name = serializers.CharField()


class EventOutSerializer(serializers.ModelSerializer[ReferralEvent]):
    class Meta:
        model = ReferralEvent
        fields = ["action", "from_status", "to_status", "at"]


class ReferralListSerializer(serializers.ModelSerializer[Referral]):
    """No client data in lists."""

    referring_unit = UnitOutSerializer()
    receiving_unit = UnitOutSerializer()
    status_display = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "kind",
            "status",
            "status_display",
            "urgency",
            "referring_unit",
            "receiving_unit",
            "service",
            "sent_at",
            "first_contact_due",
            "overdue",
            "closed_at",
        ]

    def get_overdue(self, referral: Referral) -> bool:
        return selectors.is_overdue(referral)


class ClientOutSerializer(serializers.ModelSerializer[Client]):
    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "birth_year",
            "email",
            "phone",
            "preferred_language",
            "municipality",
        ]


class ReferralDetailSerializer(ReferralListSerializer):
    client = ClientOutSerializer()
    needs: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    history = EventOutSerializer(source="events", many=True)

    class Meta(ReferralListSerializer.Meta):
        fields = [
            *ReferralListSerializer.Meta.fields,
            "client",
            "needs",
            "reason",
            "goals",
            "activity_level",
            "risk_notes",
            "received_at",
            "accepted_at",
            "first_contact_at",
            "decline_reason",
            "decline_code",
            "end_reason",
            "end_note",
            "outcome_summary",
            "history",
        ]


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _detail(request: Request, referral_id: Any, http_status: int = status.HTTP_200_OK) -> Response:
    referral = selectors.referral_detail(actor=request.user, referral_id=referral_id)
    return Response(ReferralDetailSerializer(referral).data, status=http_status)


class ReferralListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "box", str, enum=["received", "sent"], description="Work queue or my referrals."
            ),
            OpenApiParameter("status", str, enum=list(Referral.Status.values)),
            OpenApiParameter("overdue", bool),
        ],
        responses=ReferralListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        box = request.query_params.get("box", "received")
        state = request.query_params.get("status") or None
        if box not in ("received", "sent") or (state and state not in Referral.Status.values):
            raise InvalidParameter(details={"field": "box" if box not in ("received", "sent") else "status"})
        if box == "received":
            referrals = selectors.referral_queue(
                actor=request.user,
                status=state,
                overdue_only=request.query_params.get("overdue") in ("1", "true"),
            )
        else:
            referrals = selectors.referrals_sent(actor=request.user)
            if state:
                referrals = referrals.filter(status=state)
        return Response(ReferralListSerializer(referrals[:500], many=True).data)

    @extend_schema(
        request=ReferralInSerializer,
        responses={201: ReferralDetailSerializer, 409: ERROR_SCHEMA},
        parameters=[OpenApiParameter("Idempotency-Key", str, location="header")],
    )
    def post(self, request: Request) -> Response:
        data = _valid(ReferralInSerializer(data=request.data))
        consent = data.pop("consent")
        referral = services.referral_create(
            actor=request.user,
            referring_unit_id=data.pop("referring_unit"),
            receiving_unit_id=data.pop("receiving_unit"),
            service_id=data.pop("service"),
            client=services.ClientData(**data.pop("client")),
            consent=services.ConsentData(**consent) if consent else None,
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            **data,
        )
        if referral.replayed:  # an earlier request's referral: reading it again is a logged read
            return _detail(request, referral.pk, status.HTTP_201_CREATED)
        # What the actor has just written (its creation is in the log), without reading it back.
        return Response(ReferralDetailSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=ReferralDetailSerializer)
    def get(self, request: Request, pk: str) -> Response:
        return _detail(request, pk)


class ReferralTransitionView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=TransitionInSerializer, responses={200: ReferralListSerializer, 409: ERROR_SCHEMA})
    def post(self, request: Request, pk: str) -> Response:
        """The referral after the change, without the client's data (read the detail for those)."""
        data = _valid(TransitionInSerializer(data=request.data))
        referral = services.referral_transition(actor=request.user, referral_id=pk, **data)
        return Response(ReferralListSerializer(referral).data)


class AppointmentView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=AppointmentSerializer, responses=AppointmentSerializer)
    def post(self, request: Request, pk: str) -> Response:
        """Book (or move) the client's appointment: a receiver of the receiving unit, while the referral
        is accepted or in progress. Past times are refused (400); other units get 404."""
        data = _valid(AppointmentSerializer(data=request.data))
        referral = services.referral_set_appointment(
            actor=request.user, referral_id=pk, at=data["appointment_at"], place=data["appointment_place"]
        )
        return Response(AppointmentSerializer(referral).data)


class ConsentWithdrawalView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=None, responses=ReferralDetailSerializer)
    def post(self, request: Request, pk: str) -> Response:
        services.consent_withdraw(actor=request.user, referral_id=pk)
        return _detail(request, pk)
