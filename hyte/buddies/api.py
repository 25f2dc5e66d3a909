"""Buddies API under /api/v1/buddies/ (two-factor sessions or tokens; the same rules as the pages).

Staff: ``buddies/`` (list, register), ``buddies/{id}/`` (read, update), ``buddies/{id}/deactivate/``,
``buddies/matches/`` (active, available buddies by fit), ``buddies/pairings/`` (list, pair),
``buddies/pairings/{id}/`` and ``buddies/pairings/{id}/end/``.
The buddy: ``buddies/mine/`` (own pairings: first name and agreed contact only),
``buddies/mine/{id}/meetings/`` (record a meeting), ``buddies/meetings/{id}/`` (correct or delete
within the edit window).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.buddies import selectors, services
from hyte.buddies.errors import BuddyNotFound
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.catalog.api import LanguageMixin
from hyte.core.errors import PermissionDenied
from hyte.core.personal_log import log_personal_data
from hyte.referrals.api import IsVerified
from hyte.referrals.models import Consent


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class BuddySerializer(serializers.ModelSerializer[Buddy]):
    languages: serializers.SlugRelatedField = serializers.SlugRelatedField(  # type: ignore[type-arg]
        slug_field="code", many=True, read_only=True
    )
    interests: serializers.SlugRelatedField = serializers.SlugRelatedField(  # type: ignore[type-arg]
        slug_field="slug", many=True, read_only=True
    )
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Buddy
        fields = [
            "id",
            "username",
            "name",
            "kind",
            "unit",
            "languages",
            "municipality",
            "interests",
            "tags",
            "training_completed_on",
            "active",
            "available_from",
            "available_until",
        ]


class BuddyInSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Buddy.Kind.choices)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=20
    )
    municipality = serializers.CharField(max_length=3, required=False, allow_null=True, allow_blank=True)
    interests = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    tags = serializers.CharField(max_length=200, required=False, allow_blank=True)
    training_completed_on = serializers.DateField(required=False, allow_null=True)
    available_from = serializers.DateField(required=False, allow_null=True)
    available_until = serializers.DateField(required=False, allow_null=True)


class BuddyRegisterSerializer(BuddyInSerializer):
    username = serializers.CharField(max_length=150)
    unit = serializers.UUIDField()


class RegisteredSerializer(serializers.Serializer[Any]):
    buddy = BuddySerializer()
    initial_password = serializers.CharField(help_text="Shown once; hand it to the buddy in person.")


def _buddy_data(d: dict[str, Any], unit_id: Any = None) -> services.BuddyData:
    return services.BuddyData(
        name=d["name"],
        kind=d["kind"],
        unit_id=unit_id,
        languages=d.get("languages") or [],
        municipality=d.get("municipality") or None,
        interests=d.get("interests") or [],
        tags=d.get("tags") or "",
        training_completed_on=d.get("training_completed_on"),
        available_from=d.get("available_from"),
        available_until=d.get("available_until"),
    )


def _staff(request: Request) -> None:
    if not selectors.is_buddy_staff(request.user):
        raise PermissionDenied(_buddies_staff_message())


def _buddies_staff_message() -> str:
    from django.utils.translation import gettext as _

    return _("Buddies are managed by the workers of the coordinating units.")


class BuddyListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=BuddySerializer(many=True))
    def get(self, request: Request) -> Response:
        """The buddies my units coordinate."""
        _staff(request)
        buddies = selectors.buddy_register_list(request.user).select_related("user")
        return Response(BuddySerializer(buddies, many=True).data)

    @extend_schema(request=BuddyRegisterSerializer, responses={201: RegisteredSerializer})
    def post(self, request: Request) -> Response:
        """Register a buddy with a new user account; the initial password is in the answer, once."""
        d = _valid(BuddyRegisterSerializer(data=request.data))
        buddy, password = services.buddy_register(
            actor=request.user, data=_buddy_data(d, d["unit"]), username=d["username"]
        )
        return Response(
            {"buddy": BuddySerializer(buddy).data, "initial_password": password},
            status=status.HTTP_201_CREATED,
        )


class BuddyDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=BuddySerializer)
    def get(self, request: Request, pk: str) -> Response:
        buddy = selectors.buddy_for_staff(request.user, pk)
        if buddy is None:
            raise BuddyNotFound()
        return Response(BuddySerializer(buddy).data)

    @extend_schema(request=BuddyInSerializer, responses=BuddySerializer)
    def put(self, request: Request, pk: str) -> Response:
        """Replace the buddy's details (the unit and account stay)."""
        d = _valid(BuddyInSerializer(data=request.data))
        buddy = services.buddy_update(actor=request.user, buddy_id=pk, data=_buddy_data(d))
        return Response(BuddySerializer(buddy).data)


class BuddyDeactivateView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=None, responses=BuddySerializer)
    def post(self, request: Request, pk: str) -> Response:
        """Deactivate a buddy (refused while the buddy has active pairings)."""
        buddy = services.buddy_set_active(actor=request.user, buddy_id=pk, active=False)
        return Response(BuddySerializer(buddy).data)


class MatchSerializer(serializers.Serializer[Any]):
    buddy = BuddySerializer()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    active_pairings = serializers.IntegerField()


class MatchView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[
            OpenApiParameter("language", str),
            OpenApiParameter("municipality", str),
            OpenApiParameter("theme", str, many=True),
            OpenApiParameter("starts_on", date),
            OpenApiParameter("ends_on", date),
        ],
        responses=MatchSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Active, trained buddies of my units available in the period, best fit first."""
        _staff(request)
        q = request.query_params
        dates = {}
        for name in ("starts_on", "ends_on"):
            if q.get(name):
                dates[name] = serializers.DateField().run_validation(q.get(name))
        matches = selectors.buddy_matches(
            actor=request.user,
            language=(q.get("language") or "")[:8],
            municipality=(q.get("municipality") or "")[:3],
            themes=[t[:40] for t in q.getlist("theme")][:20],
            **dates,
        )
        return Response(MatchSerializer(matches, many=True).data)


class BuddyMeetingSerializer(serializers.ModelSerializer[BuddyMeeting]):
    class Meta:
        model = BuddyMeeting
        fields = ["id", "on", "activity", "note", "duration_minutes", "recorded_at"]


class PairingSerializer(serializers.ModelSerializer[Pairing]):
    """The worker's view: the client is the unit's own client."""

    buddy_name = serializers.CharField(source="buddy.name", read_only=True)
    client_name = serializers.SerializerMethodField()
    meetings = BuddyMeetingSerializer(many=True, read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "buddy",
            "buddy_name",
            "unit",
            "client",
            "client_name",
            "pathway",
            "referral",
            "starts_on",
            "ends_on",
            "shared_first_name",
            "shared_phone",
            "shared_email",
            "consent_given_by",
            "consent_given_at",
            "consent_method",
            "status",
            "closed_on",
            "end_reason",
            "end_note",
            "meetings",
        ]

    def get_client_name(self, pairing: Pairing) -> str:
        return str(pairing.client)


class PairingInSerializer(serializers.Serializer[Any]):
    buddy = serializers.UUIDField()
    pathway = serializers.UUIDField(required=False, allow_null=True)
    referral = serializers.UUIDField(required=False, allow_null=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    shared_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    shared_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    consent_given_by = serializers.ChoiceField(choices=Consent.GivenBy.choices)
    consent_method = serializers.ChoiceField(choices=Consent.Method.choices)
    consent_given_at = serializers.DateTimeField(required=False, allow_null=True)


class PairingListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(parameters=[OpenApiParameter("status", str)], responses=PairingSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The pairings of my units (as a worker)."""
        pairings = list(
            selectors.pairing_list(
                request.user, (request.query_params.get("status") or "")[:20]
            ).prefetch_related("meetings")[:500]
        )
        for pairing in pairings:
            log_personal_data(actor=request.user, action="read", obj=pairing, purpose=services.PURPOSE)
        return Response(PairingSerializer(pairings, many=True).data)

    @extend_schema(request=PairingInSerializer, responses={201: PairingSerializer})
    def post(self, request: Request) -> Response:
        """Pair the client of a pathway or referral of my unit with a buddy of my units."""
        d = _valid(PairingInSerializer(data=request.data))
        pairing = services.pairing_create(
            actor=request.user,
            data=services.PairingData(
                buddy_id=d["buddy"],
                pathway_id=d.get("pathway"),
                referral_id=d.get("referral"),
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                shared_phone=d.get("shared_phone") or "",
                shared_email=d.get("shared_email") or "",
                consent_given_by=d["consent_given_by"],
                consent_method=d["consent_method"],
                consent_given_at=d.get("consent_given_at"),
            ),
        )
        return Response(PairingSerializer(pairing).data, status=status.HTTP_201_CREATED)


class PairingDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=PairingSerializer)
    def get(self, request: Request, pk: str) -> Response:
        pairing = selectors.pairing_detail(actor=request.user, pairing_id=pk)
        return Response(PairingSerializer(pairing).data)


class EndSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=Pairing.EndReason.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    cancel = serializers.BooleanField(required=False, default=False)


class PairingEndView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=EndSerializer, responses=PairingSerializer)
    def post(self, request: Request, pk: str) -> Response:
        """End (or cancel) a pairing; its meetings stay."""
        d = _valid(EndSerializer(data=request.data))
        pairing = services.pairing_end(
            actor=request.user,
            pairing_id=pk,
            reason=d["reason"],
            note=d.get("note") or "",
            cancel=d["cancel"],
        )
        return Response(PairingSerializer(pairing).data)


class BuddyPairingSerializer(serializers.Serializer[Any]):
    """The buddy's view of a pairing: what the client agreed to share, nothing else."""

    id = serializers.UUIDField()
    first_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    status = serializers.CharField()
    unit_name = serializers.CharField()
    meetings = BuddyMeetingSerializer(many=True)


class MyPairingListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=BuddyPairingSerializer(many=True))
    def get(self, request: Request) -> Response:
        """My own pairings as a buddy."""
        return Response(BuddyPairingSerializer(selectors.my_pairings(actor=request.user), many=True).data)


class BuddyMeetingInSerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    activity = serializers.ChoiceField(choices=BuddyMeeting.Activity.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=600, required=False, allow_null=True)


def _meeting_data(d: dict[str, Any]) -> services.MeetingData:
    return services.MeetingData(
        on=d["on"],
        activity=d["activity"],
        note=d.get("note") or "",
        duration_minutes=d.get("duration_minutes"),
    )


class MyMeetingListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=BuddyMeetingInSerializer, responses={201: BuddyMeetingSerializer})
    def post(self, request: Request, pk: str) -> Response:
        """Record a meeting of my pairing (no health details in the note)."""
        d = _valid(BuddyMeetingInSerializer(data=request.data))
        meeting = services.meeting_record(actor=request.user, pairing_id=pk, data=_meeting_data(d))
        return Response(BuddyMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MyMeetingDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=BuddyMeetingInSerializer, responses=BuddyMeetingSerializer)
    def put(self, request: Request, pk: str) -> Response:
        """Correct my meeting within the edit window."""
        d = _valid(BuddyMeetingInSerializer(data=request.data))
        meeting = services.meeting_update(actor=request.user, meeting_id=pk, data=_meeting_data(d))
        return Response(BuddyMeetingSerializer(meeting).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        """Delete my meeting within the edit window."""
        services.meeting_delete(actor=request.user, meeting_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
