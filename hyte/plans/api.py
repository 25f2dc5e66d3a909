"""Client plans API under /api/v1/plans/ (staff with two factors), with the same rules as the pages.

``plans/`` lists the plans of my units (GET; no plan contents) and creates one (POST); ``plans/{id}/``
is one plan (GET, logged; PATCH the dates with ``version``); ``plans/{id}/status/``, ``activity/``
(PUT the physical activity and participation section), ``steps/``, ``steps/{step_id}/``, ``items/``,
``items/{item_id}/`` and ``grants/`` are its parts. Every write names the plan's ``version`` it read;
a stale one is a 409 ``stale_version``, a closed plan a 409 ``plan_closed``, another unit's plan a 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.catalog.api import LanguageMixin
from hyte.plans import selectors, services
from hyte.plans.models import (
    MAX_MINUTES_PER_WEEK,
    MAX_NOTE,
    ActivityLevel,
    AgreedStep,
    ClientPlan,
    IncomeSupportGrant,
    PlanItem,
)
from hyte.referrals.api import ClientInSerializer, IsVerified


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PlanUnitRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PlanListSerializer(serializers.ModelSerializer[ClientPlan]):
    client_name = serializers.SerializerMethodField()
    unit = PlanUnitRefSerializer()

    class Meta:
        model = ClientPlan
        fields = [
            "id",
            "client_name",
            "unit",
            "status",
            "assessed_on",
            "plan_made_on",
            "review_by",
            "closed_on",
            "version",
        ]

    def get_client_name(self, plan: ClientPlan) -> str:
        return str(plan.client)


class StepSerializer(serializers.ModelSerializer[AgreedStep]):
    class Meta:
        model = AgreedStep
        fields = ["id", "position", "text", "due_on", "done", "done_on"]


class ItemSerializer(serializers.ModelSerializer[PlanItem]):
    service_name = serializers.SerializerMethodField()
    event_title = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "kind",
            "service",
            "service_name",
            "event",
            "event_title",
            "title",
            "place",
            "times",
            "note",
            "starts_on",
            "status",
        ]

    def get_service_name(self, item: PlanItem) -> str | None:
        return item.service.name if item.service_id else None  # type: ignore[union-attr]

    def get_event_title(self, item: PlanItem) -> str | None:
        return item.event.title if item.event_id else None  # type: ignore[union-attr]


class GrantSerializer(serializers.ModelSerializer[IncomeSupportGrant]):
    class Meta:
        model = IncomeSupportGrant
        fields = ["id", "kind", "amount", "period_from", "period_to", "purpose", "purpose_text", "decided_on"]


class ActivitySerializer(serializers.Serializer[Any]):
    activity_level = serializers.ChoiceField(choices=ActivityLevel.choices)
    minutes_per_week = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_MINUTES_PER_WEEK
    )
    participation = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    wish_themes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    wishes = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class PlanDetailSerializer(PlanListSerializer):
    client = serializers.UUIDField(source="client_id")
    preferred_language = serializers.CharField(source="client.preferred_language")
    activity = serializers.SerializerMethodField()
    steps = StepSerializer(many=True)
    items = ItemSerializer(many=True)
    grants = GrantSerializer(many=True)

    class Meta(PlanListSerializer.Meta):
        fields = [
            *PlanListSerializer.Meta.fields,
            "client",
            "preferred_language",
            "activity",
            "steps",
            "items",
            "grants",
        ]

    @extend_schema_field(ActivitySerializer(allow_null=True))
    def get_activity(self, plan: ClientPlan) -> dict[str, Any] | None:
        section = selectors.activity_of(plan)
        if section is None:
            return None
        return {
            "activity_level": section.activity_level,
            "minutes_per_week": section.minutes_per_week,
            "participation": section.participation,
            "wish_themes": sorted(t.slug for t in section.wish_themes.all()),
            "wishes": section.wishes,
        }


class Versioned(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, help_text="The version you read; a stale one is a 409.")


class DatesSerializer(serializers.Serializer[Any]):
    assessed_on = serializers.DateField()
    plan_made_on = serializers.DateField(required=False, allow_null=True)
    review_by = serializers.DateField(required=False, allow_null=True)


class PlanCreateSerializer(DatesSerializer):
    unit = serializers.UUIDField()
    client_id = serializers.UUIDField(required=False, allow_null=True, help_text="A client you already see.")
    client = ClientInSerializer(required=False, help_text="Or the details of a new client.")


class PlanDatesSerializer(Versioned, DatesSerializer):
    pass


def _detail(request: Request, plan_id: Any, http_status: int = status.HTTP_200_OK) -> Response:
    plan = selectors.plan_detail(actor=request.user, plan_id=plan_id)
    return Response(PlanDetailSerializer(plan).data, status=http_status)


class PlanListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=ClientPlan.Status.values)],
        responses=PlanListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The plans of my units (no plan contents), latest change first."""
        plans = selectors.plan_list(actor=request.user, status=request.query_params.get("status", ""))[:500]
        return Response(PlanListSerializer(plans, many=True).data)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(PlanCreateSerializer(data=request.data))
        client = data.get("client")
        plan = services.plan_create(
            actor=request.user,
            unit_id=data["unit"],
            client_id=data.get("client_id"),
            client=services.ClientData(**client) if client else None,
            assessed_on=data["assessed_on"],
            plan_made_on=data.get("plan_made_on"),
            review_by=data.get("review_by"),
        )
        return _detail(request, plan.pk, status.HTTP_201_CREATED)


class PlanDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=PlanDetailSerializer)
    def get(self, request: Request, pk: str) -> Response:
        return _detail(request, pk)

    @extend_schema(request=PlanDatesSerializer, responses=PlanDetailSerializer)
    def patch(self, request: Request, pk: str) -> Response:
        data = _valid(PlanDatesSerializer(data=request.data))
        services.plan_update(
            actor=request.user,
            plan_id=pk,
            version=data["version"],
            assessed_on=data["assessed_on"],
            plan_made_on=data.get("plan_made_on"),
            review_by=data.get("review_by"),
        )
        return _detail(request, pk)


class StatusSerializer(Versioned):
    status = serializers.ChoiceField(choices=ClientPlan.Status.choices)


class PlanStatusView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=StatusSerializer, responses=PlanListSerializer)
    def post(self, request: Request, pk: str) -> Response:
        """draft → active, draft or active → closed."""
        data = _valid(StatusSerializer(data=request.data))
        plan = services.plan_set_status(
            actor=request.user, plan_id=pk, version=data["version"], status=data["status"]
        )
        return Response(PlanListSerializer(plan).data)


class ActivityInSerializer(Versioned, ActivitySerializer):
    pass


class ActivityView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=ActivityInSerializer, responses=PlanDetailSerializer)
    def put(self, request: Request, pk: str) -> Response:
        data = _valid(ActivityInSerializer(data=request.data))
        services.activity_save(actor=request.user, plan_id=pk, **data)
        return _detail(request, pk)


class StepInSerializer(Versioned):
    text = serializers.CharField(max_length=500)
    due_on = serializers.DateField(required=False, allow_null=True)


class StepListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=StepInSerializer, responses={201: StepSerializer})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(StepInSerializer(data=request.data))
        step = services.step_add(actor=request.user, plan_id=pk, **data)
        return Response(StepSerializer(step).data, status=status.HTTP_201_CREATED)


class StepDoneSerializer(Versioned):
    done = serializers.BooleanField()


class StepDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=StepDoneSerializer, responses=StepSerializer)
    def patch(self, request: Request, pk: str, step_id: str) -> Response:
        data = _valid(StepDoneSerializer(data=request.data))
        step = services.step_set_done(
            actor=request.user, step_id=step_id, plan_id=pk, version=data["version"], done=data["done"]
        )
        return Response(StepSerializer(step).data)

    @extend_schema(request=Versioned, responses={204: None})
    def delete(self, request: Request, pk: str, step_id: str) -> Response:
        data = _valid(Versioned(data=request.data))
        services.step_remove(actor=request.user, step_id=step_id, plan_id=pk, version=data["version"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemInSerializer(Versioned):
    kind = serializers.ChoiceField(choices=PlanItem.Kind.choices)
    service = serializers.UUIDField(required=False, allow_null=True)
    event = serializers.UUIDField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    times = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField(required=False, allow_null=True)


class ItemListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=ItemInSerializer, responses={201: ItemSerializer})
    def post(self, request: Request, pk: str) -> Response:
        """A service from the tray (``service``: active and published), an event (``event``), or a social
        rehabilitation group (a tray ``service`` or a ``title`` with ``place`` and ``times``)."""
        data = _valid(ItemInSerializer(data=request.data))
        item = services.item_add(
            actor=request.user,
            plan_id=pk,
            version=data["version"],
            kind=data["kind"],
            service_id=data.get("service"),
            event_id=data.get("event"),
            title=data["title"],
            place=data["place"],
            times=data["times"],
            note=data["note"],
            starts_on=data.get("starts_on"),
        )
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ItemStatusSerializer(Versioned):
    status = serializers.ChoiceField(choices=PlanItem.Status.choices)


class ItemDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=ItemStatusSerializer, responses=ItemSerializer)
    def patch(self, request: Request, pk: str, item_id: str) -> Response:
        data = _valid(ItemStatusSerializer(data=request.data))
        item = services.item_set_status(
            actor=request.user, item_id=item_id, plan_id=pk, version=data["version"], status=data["status"]
        )
        return Response(ItemSerializer(item).data)


class GrantInSerializer(Versioned):
    kind = serializers.ChoiceField(choices=IncomeSupportGrant.Kind.choices)
    amount = serializers.CharField(max_length=20, help_text="Euros, e.g. 45.50 (more than 0, at most 3000).")
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    purpose = serializers.ChoiceField(choices=IncomeSupportGrant.Purpose.choices)
    purpose_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    decided_on = serializers.DateField()


class GrantListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=GrantInSerializer, responses={201: GrantSerializer})
    def post(self, request: Request, pk: str) -> Response:
        """Record that supplementary or preventive income support was granted for the plan's activity
        costs (amount, period, what for; no decision contents)."""
        data = _valid(GrantInSerializer(data=request.data))
        grant = services.grant_record(actor=request.user, plan_id=pk, **data)
        return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)
