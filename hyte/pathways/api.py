"""Pathways API under /api/v1/ (staff with two factors, except the public self-referral form).

Caseload and enrolment ``pathways/``; one pathway ``pathways/{id}/`` (GET logged; PATCH with the plan's
``version``); its parts ``pathways/{id}/goals|contacts|measurements|outcomes/`` and the steps
``extend/`` and ``close/``; ``programmes/`` and ``instruments/`` (the configuration); IPS
``fidelity-reviews/``; the self-referral queue ``self-referrals/`` and its steps, and the public
``self-referrals/`` POST. Every error is ``{code, message, details}`` in the request's language; a stale
``version`` is a 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from hyte.catalog.api import LanguageMixin
from hyte.core.errors import InvalidParameter
from hyte.core.origin import client_ip
from hyte.pathways import instruments, selectors, services
from hyte.pathways.errors import PathwayNotFound
from hyte.pathways.licensed import licensed_text
from hyte.pathways.models import (
    PROGRAMME_FIELDS,
    Contact,
    FidelityReview,
    Goal,
    Measurement,
    Outcome,
    Pathway,
    Programme,
    SelfReferral,
)
from hyte.referrals.api import ClientInSerializer, IsVerified, ReferralDetailSerializer, ReferralInSerializer
from hyte.referrals.models import Client
from hyte.referrals.services import ConsentData

MAX_TEXT = 4000


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- configuration ---


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS


class ProgrammeListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=ProgrammeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ProgrammeSerializer(Programme.objects.filter(active=True), many=True).data)


# For the schema: an item of ``instruments.Item.describe()`` (inline: the type stubs do not let a
# serializer class declare fields named "label" or "required").
INSTRUMENT_ITEM = inline_serializer(
    name="InstrumentItem",
    fields={
        "code": serializers.CharField(),
        "label": serializers.CharField(),
        "type": serializers.CharField(),
        "required": serializers.BooleanField(),
        "unit": serializers.CharField(allow_blank=True, allow_null=True),
        "text": serializers.CharField(
            required=False, help_text="Licensed wording, when the deployment has it."
        ),
        "max_length": serializers.IntegerField(required=False),
        "min": serializers.JSONField(required=False, help_text="A number."),
        "max": serializers.JSONField(required=False, help_text="A number."),
        "decimal_places": serializers.IntegerField(required=False),
        "anchors": serializers.ListField(child=serializers.DictField(), required=False),
    },
    many=True,
)


class InstrumentSerializer(serializers.Serializer):
    """For the schema: ``instruments.Instrument.describe()``."""

    code = serializers.CharField()
    version = serializers.CharField()
    name = serializers.CharField()
    licensed_wording = serializers.BooleanField()
    uses_context = serializers.ListField(child=serializers.CharField())
    items = INSTRUMENT_ITEM


class InstrumentListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses={200: InstrumentSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Each instrument's items, ranges and units. Licensed questionnaires carry item numbers only,
        plus ``text`` when the deployment has loaded its licensed wording (HYTE_LICENSED_TEXTS_FILE)."""
        described = []
        for spec in instruments.INSTRUMENTS.values():
            body = spec.describe()
            if spec.licensed_wording:
                for item in body["items"]:
                    text = licensed_text(spec.code, item["code"])
                    if text:
                        item["text"] = text
            described.append(body)
        return Response(described)


# --- pathways ---


class UnitRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PathwayListSerializer(serializers.ModelSerializer[Pathway]):
    client_name = serializers.SerializerMethodField()
    programme_name = serializers.CharField(source="programme.name")
    unit = UnitRefSerializer()

    class Meta:
        model = Pathway
        fields = [
            "id",
            "programme",
            "programme_name",
            "track",
            "unit",
            "client_name",
            "origin",
            "triage",
            "status",
            "enrolled_on",
            "ends_by",
            "next_contact_on",
            "version",
        ]

    def get_client_name(self, pathway: Pathway) -> str:
        return str(pathway.client)


class CaseloadRowSerializer(serializers.Serializer[Any]):
    pathway = PathwayListSerializer()
    flags = serializers.ListField(child=serializers.CharField())
    due_point = serializers.IntegerField(allow_null=True)


class GoalSerializer(serializers.ModelSerializer[Goal]):
    class Meta:
        model = Goal
        fields = ["id", "text", "target_on", "status", "created_at"]


class PathwayContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ["id", "on", "kind", "minutes", "note", "created_at"]


class MeasurementSerializer(serializers.ModelSerializer[Measurement]):
    class Meta:
        model = Measurement
        fields = ["id", "instrument", "instrument_version", "point_months", "on", "values", "scores"]


class OutcomeSerializer(serializers.ModelSerializer[Outcome]):
    class Meta:
        model = Outcome
        fields = ["id", "kind", "started_on", "ended_on", "hours_per_week", "note"]


class PathwayDetailSerializer(PathwayListSerializer):
    goals = GoalSerializer(many=True)
    contacts = PathwayContactSerializer(many=True)
    measurements = MeasurementSerializer(many=True)
    outcomes = OutcomeSerializer(many=True)
    referral = serializers.UUIDField(source="referral_id", allow_null=True)

    class Meta(PathwayListSerializer.Meta):
        fields = [
            *PathwayListSerializer.Meta.fields,
            "referral",
            "agreement_on",
            "extension_reason",
            "closed_on",
            "closure_reason",
            "closure_note",
            "goals",
            "contacts",
            "measurements",
            "outcomes",
        ]


class EnrolSerializer(serializers.Serializer[Any]):
    programme = serializers.CharField(max_length=40)
    unit = serializers.UUIDField()
    origin = serializers.ChoiceField(choices=Pathway.Origin.choices)
    referral = serializers.UUIDField(required=False, allow_null=True)
    client = ClientInSerializer(required=False)
    enrolled_on = serializers.DateField(required=False)
    track = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    triage = serializers.ChoiceField(
        choices=Pathway.Triage.choices, required=False, allow_blank=True, default=""
    )
    agreement_on = serializers.DateField(required=False, allow_null=True)
    next_contact_on = serializers.DateField(required=False, allow_null=True)


class PathwayListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[OpenApiParameter("all", bool, description="All pathways of my units, not only mine.")],
        responses=CaseloadRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The caseload: active pathways with flags (contact overdue, measurement due, time limit)."""
        mine = request.query_params.get("all") not in ("1", "true")
        rows = selectors.caseload(actor=request.user, mine_only=mine)
        return Response(CaseloadRowSerializer(rows, many=True).data)

    @extend_schema(request=EnrolSerializer, responses={201: PathwayDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(EnrolSerializer(data=request.data))
        client = data.pop("client", None)
        pathway = services.pathway_enrol(
            actor=request.user,
            data=services.Enrolment(
                programme=data["programme"],
                unit_id=data["unit"],
                origin=data["origin"],
                referral_id=data.get("referral"),
                client=services.ClientData(**client) if client else None,
                enrolled_on=data.get("enrolled_on"),
                track=data["track"],
                triage=data["triage"],
                agreement_on=data.get("agreement_on"),
                next_contact_on=data.get("next_contact_on"),
            ),
        )
        return _detail(request, pathway.pk, status.HTTP_201_CREATED)


def _detail(request: Request, pathway_id: Any, http_status: int = status.HTTP_200_OK) -> Response:
    pathway = selectors.pathway_detail(actor=request.user, pathway_id=pathway_id)
    return Response(PathwayDetailSerializer(pathway).data, status=http_status)


class Versioned(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, help_text="The version you read; a stale one is a 409.")
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="Needed after closure."
    )


class PathwayUpdateSerializer(Versioned):
    # Bounded to the user key's range: a larger number made the database refuse the look-up (500).
    worker = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    next_contact_on = serializers.DateField(required=False, allow_null=True)
    triage = serializers.ChoiceField(choices=Pathway.Triage.choices, required=False, allow_blank=True)
    track = serializers.CharField(max_length=40, required=False, allow_blank=True)
    agreement_on = serializers.DateField(required=False, allow_null=True)


class PathwayDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=PathwayDetailSerializer)
    def get(self, request: Request, pk: str) -> Response:
        return _detail(request, pk)

    @extend_schema(request=PathwayUpdateSerializer, responses=PathwayDetailSerializer)
    def patch(self, request: Request, pk: str) -> Response:
        data = _valid(PathwayUpdateSerializer(data=request.data))
        services.pathway_update(
            actor=request.user, pathway_id=pk, version=data.pop("version"), reason=data.pop("reason"), **data
        )
        return _detail(request, pk)


class ExtendSerializer(Versioned):
    until = serializers.DateField()


class ExtendView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=ExtendSerializer, responses=PathwayListSerializer)
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(ExtendSerializer(data=request.data))
        pathway = services.pathway_extend(
            actor=request.user,
            pathway_id=pk,
            version=data["version"],
            until=data["until"],
            reason=data["reason"],
        )
        return Response(PathwayListSerializer(pathway).data)


class CloseSerializer(Versioned):
    closure_reason = serializers.ChoiceField(choices=Pathway.ClosureReason.choices)
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False)


class CloseView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=CloseSerializer, responses=PathwayListSerializer)
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(CloseSerializer(data=request.data))
        pathway = services.pathway_close(
            actor=request.user,
            pathway_id=pk,
            version=data["version"],
            reason=data["closure_reason"],
            note=data["note"],
            closed_on=data.get("closed_on"),
        )
        return Response(PathwayListSerializer(pathway).data)


class GoalInSerializer(Versioned):
    text = serializers.CharField(max_length=1000)
    target_on = serializers.DateField(required=False, allow_null=True)


class GoalStatusSerializer(Versioned):
    status = serializers.ChoiceField(choices=Goal.Status.choices)


class GoalListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=GoalInSerializer, responses={201: GoalSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(GoalInSerializer(data=request.data))
        goal = services.goal_add(actor=request.user, pathway_id=pk, **data)
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=GoalStatusSerializer, responses=GoalSerializer)
    def patch(self, request: Request, pk: str, goal_id: str) -> Response:
        data = _valid(GoalStatusSerializer(data=request.data))
        try:  # a malformed id in the address is "not found", as everywhere else
            visible = selectors.pathways_visible_to(request.user).filter(pk=pk, goals__pk=goal_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise PathwayNotFound()
        goal = services.goal_set_status(actor=request.user, goal_id=goal_id, **data)
        return Response(GoalSerializer(goal).data)


class ContactInSerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Contact.Kind.choices)
    minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    next_contact_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ContactListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=ContactInSerializer, responses={201: PathwayContactSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(ContactInSerializer(data=request.data))
        contact = services.contact_add(actor=request.user, pathway_id=pk, **data)
        return Response(PathwayContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class MeasurementInSerializer(serializers.Serializer[Any]):
    instrument = serializers.CharField(max_length=40)
    values = serializers.DictField(help_text="Item code → answer; see /api/v1/instruments/.")
    on = serializers.DateField()
    point_months = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    sex = serializers.ChoiceField(
        choices=["female", "male"], required=False, help_text="For sex-specific limits (AUDIT-C, waist)."
    )
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MeasurementListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=MeasurementInSerializer, responses={201: MeasurementSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(MeasurementInSerializer(data=request.data))
        sex = data.pop("sex", None)
        measurement = services.measurement_add(
            actor=request.user, pathway_id=pk, context={"sex": sex} if sex else {}, **data
        )
        return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)


class OutcomeInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Outcome.Kind.choices)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    hours_per_week = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True, min_value=0, max_value=80
    )
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class OutcomeListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=OutcomeInSerializer, responses={201: OutcomeSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(OutcomeInSerializer(data=request.data))
        outcome = services.outcome_add(actor=request.user, pathway_id=pk, **data)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


# --- IPS fidelity ---


class FidelityReviewSerializer(serializers.ModelSerializer[FidelityReview]):
    class Meta:
        model = FidelityReview
        fields = ["id", "unit", "reviewed_on", "scale_version", "items", "total", "band", "reviewers"]
        read_only_fields = ["id", "total", "band"]


class FidelityReviewListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=FidelityReviewSerializer(many=True))
    def get(self, request: Request) -> Response:
        reviews: QuerySet[FidelityReview] = FidelityReview.objects.filter(
            unit_id__in=selectors.worker_unit_ids(request.user)
        )
        return Response(FidelityReviewSerializer(reviews, many=True).data)

    @extend_schema(request=FidelityReviewSerializer, responses={201: FidelityReviewSerializer})
    def post(self, request: Request) -> Response:
        serializer = FidelityReviewSerializer(data=request.data)
        if not isinstance(request.data, dict):
            raise InvalidParameter(details={"field": "body"})
        data = _valid(serializer)
        review = services.fidelity_review_record(
            actor=request.user,
            unit_id=data["unit"].pk,
            reviewed_on=data["reviewed_on"],
            scale_version=data["scale_version"],
            items=data["items"],
            reviewers=data.get("reviewers", ""),
        )
        return Response(FidelityReviewSerializer(review).data, status=status.HTTP_201_CREATED)


# --- self-referrals ---


class SelfReferralInSerializer(serializers.Serializer[Any]):
    unit = serializers.UUIDField()
    name = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=2000)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    municipality = serializers.CharField(max_length=3, required=False, allow_blank=True, allow_null=True)
    preferred_language = serializers.ChoiceField(choices=Client.Language.choices, default="fi")


class SelfReferralSerializer(serializers.ModelSerializer[SelfReferral]):
    unit = UnitRefSerializer()

    class Meta:
        model = SelfReferral
        fields = [
            "id",
            "unit",
            "name",
            "phone",
            "email",
            "municipality",
            "message",
            "preferred_language",
            "status",
            "triage",
            "pathway",
            "created_at",
        ]


class SelfReferralThrottle(AnonRateThrottle):
    rate = "20/hour"


class SelfReferralListView(LanguageMixin, APIView):
    def get_permissions(self) -> list[Any]:
        return [] if self.request.method == "POST" else [IsVerified()]

    def get_throttles(self) -> list[Any]:
        return [SelfReferralThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(SelfReferral.Status.values))],
        responses=SelfReferralSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The queue of contact requests to my units (new and triaged unless a status is asked)."""
        state = request.query_params.get("status") or None
        if state and state not in SelfReferral.Status.values:
            raise InvalidParameter(details={"field": "status"})
        queue = selectors.self_referral_queue(actor=request.user, status=state)
        return Response(SelfReferralSerializer(queue[:500], many=True).data)

    @extend_schema(request=SelfReferralInSerializer, responses={201: None}, auth=[])
    def post(self, request: Request) -> Response:
        """Public: a resident asks a service to get in touch (no login). Answers only that it arrived."""
        data = _valid(SelfReferralInSerializer(data=request.data))
        services.self_referral_submit(
            data=services.SelfReferralData(
                unit_id=data["unit"],
                name=data["name"],
                message=data["message"],
                phone=data["phone"],
                email=data["email"],
                municipality=data.get("municipality") or None,
                preferred_language=data["preferred_language"],
            ),
            source=client_ip(request._request),
        )
        return Response({"received": True}, status=status.HTTP_201_CREATED)


class TriageSerializer(serializers.Serializer[Any]):
    triage = serializers.ChoiceField(choices=Pathway.Triage.choices)


class SelfReferralTriageView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=TriageSerializer, responses=SelfReferralSerializer)
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(TriageSerializer(data=request.data))
        record = services.self_referral_triage(actor=request.user, self_referral_id=pk, triage=data["triage"])
        return Response(SelfReferralSerializer(record).data)


class SelfReferralEnrolSerializer(serializers.Serializer[Any]):
    programme = serializers.CharField(max_length=40)
    track = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class SelfReferralEnrolView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=SelfReferralEnrolSerializer, responses={201: PathwayDetailSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(SelfReferralEnrolSerializer(data=request.data))
        pathway = services.self_referral_enrol(actor=request.user, self_referral_id=pk, **data)
        return _detail(request, pathway.pk, status.HTTP_201_CREATED)


class SelfReferralCloseSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=1000)


class SelfReferralCloseView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=SelfReferralCloseSerializer, responses=SelfReferralSerializer)
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(SelfReferralCloseSerializer(data=request.data))
        record = services.self_referral_close(actor=request.user, self_referral_id=pk, note=data["note"])
        return Response(SelfReferralSerializer(record).data)


class SelfReferralReferSerializer(ReferralInSerializer):
    """A referral for the person who asked to be contacted: her details come from the request."""

    client = None  # type: ignore[assignment]


class SelfReferralReferView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=SelfReferralReferSerializer, responses={201: ReferralDetailSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(SelfReferralReferSerializer(data=request.data))
        consent = data.pop("consent")
        referral = services.self_referral_refer(
            actor=request.user,
            self_referral_id=pk,
            referring_unit_id=data.pop("referring_unit"),
            receiving_unit_id=data.pop("receiving_unit"),
            service_id=data.pop("service"),
            consent=ConsentData(**consent) if consent else None,
            **data,
        )
        return Response(ReferralDetailSerializer(referral).data, status=status.HTTP_201_CREATED)
