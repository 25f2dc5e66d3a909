"""API for the data the reports need, for coordinators (two-factor session):

- ``GET /api/v1/service-use-imports/``: the imports of the coordinator's organizations (counts only);
  ``POST`` (multipart: ``file``, ``organization``) imports an extract (201, or a coded 400 listing the
  first bad rows by line number).
- ``GET /api/v1/report-costs/``: the costs of the coordinator's organizations; ``POST`` adds one;
  ``DELETE /api/v1/report-costs/<id>/`` removes one (204).

Anyone who coordinates no unit gets 403 ``not_in_unit``; another organization's cost is a 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.catalog.api import LanguageMixin
from hyte.core.api import JSONParser
from hyte.core.errors import InvalidParameter
from hyte.referrals.api import IsVerified
from hyte.referrals.errors import NotInUnit
from hyte.reporting import services
from hyte.reporting.costs import costs_visible_to
from hyte.reporting.models import ProgrammeCost, ServiceUseImport
from hyte.reporting.service_use import imports_visible_to

LISTED = 500


def _coordinated(request: Request) -> frozenset[Any]:
    ids = services.coordinator_organization_ids(request.user)
    if not ids:
        raise NotInUnit()
    return ids


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    if not hasattr(serializer.initial_data, "get"):
        raise InvalidParameter(details={"field": "body"})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ServiceUseImportSerializer(serializers.ModelSerializer[ServiceUseImport]):
    class Meta:
        model = ServiceUseImport
        fields = [
            "id",
            "organization",
            "source_name",
            "source_sha256",
            "rows_read",
            "rows_stored",
            "rows_unmatched",
            "imported_at",
        ]


class ServiceUseImportInSerializer(serializers.Serializer[Any]):
    organization = serializers.UUIDField(help_text=_("An organization in one of whose units you coordinate."))
    file = serializers.FileField(
        help_text=_("CSV with the header pseudonym,month,visit_type,count (commas or semicolons).")
    )


class ServiceUseImportListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ServiceUseImportSerializer(many=True))
    def get(self, request: Request) -> Response:
        imports = imports_visible_to(_coordinated(request))[:LISTED]
        return Response(ServiceUseImportSerializer(imports, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ServiceUseImportInSerializer},
        responses={201: ServiceUseImportSerializer},
    )
    def post(self, request: Request) -> Response:
        _coordinated(request)
        data = _valid(ServiceUseImportInSerializer(data=request.data))
        upload = data["file"]
        record = services.service_use_import(
            actor=request.user,
            organization_id=data["organization"],
            source_name=upload.name or "",
            data=upload.read(services.max_bytes() + 1),
        )
        return Response(ServiceUseImportSerializer(record).data, status=status.HTTP_201_CREATED)


class ProgrammeCostSerializer(serializers.ModelSerializer[ProgrammeCost]):
    class Meta:
        model = ProgrammeCost
        fields = [
            "id",
            "organization",
            "programme",
            "starts_on",
            "ends_on",
            "amount",
            "category",
            "description",
            "created_at",
        ]


class ProgrammeCostInSerializer(serializers.Serializer[Any]):
    organization = serializers.UUIDField()
    programme = serializers.CharField(max_length=40)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    amount = serializers.CharField(
        max_length=20, help_text=_('Euros, at most two decimals, e.g. "246392.00".')
    )
    category = serializers.ChoiceField(
        choices=ProgrammeCost.Category.choices, default=ProgrammeCost.Category.OTHER
    )
    description = serializers.CharField(
        max_length=services.MAX_DESCRIPTION, required=False, allow_blank=True, default=""
    )


class ReportCostListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses=ProgrammeCostSerializer(many=True))
    def get(self, request: Request) -> Response:
        costs = costs_visible_to(_coordinated(request))[:LISTED]
        return Response(ProgrammeCostSerializer(costs, many=True).data)

    @extend_schema(request=ProgrammeCostInSerializer, responses={201: ProgrammeCostSerializer})
    def post(self, request: Request) -> Response:
        _coordinated(request)
        data = _valid(ProgrammeCostInSerializer(data=request.data))
        cost = services.programme_cost_add(
            actor=request.user, organization_id=data.pop("organization"), **data
        )
        return Response(ProgrammeCostSerializer(cost).data, status=status.HTTP_201_CREATED)


class ReportCostDetailView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        _coordinated(request)
        services.programme_cost_delete(actor=request.user, cost_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
