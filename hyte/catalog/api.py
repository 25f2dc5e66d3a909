"""JSON API of the service tray under /api/v1/ (read-only, public)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from hyte.catalog import selectors
from hyte.catalog.capacity import TakesNewClients, hsds_capacities
from hyte.catalog.errors import InvalidSearchParameter, ServiceNotFound
from hyte.catalog.models import Location, Municipality, Organization, Schedule, Service, Theme
from hyte.core.ratelimit import rate_limited

LANG_CODES = [code for code, _name in settings.LANGUAGES]

LANG_PARAM = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=LANG_CODES,
    description="Language of texts and error messages (fi, sv, en).",
)


class LanguageMixin:
    """``?lang=fi|sv|en`` selects the language of the response and of its error messages."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        lang = request.GET.get("lang", "")
        if lang not in LANG_CODES:
            # No (valid) ?lang: the API is outside the language-prefixed pages, so take the
            # language from the cookie or Accept-Language header rather than the URL.
            lang = translation.get_language_from_request(request, check_path=False)
        with translation.override(lang):
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            response["Content-Language"] = lang
            return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        lang = request.query_params.get("lang", "")
        if lang and lang not in LANG_CODES:
            raise InvalidSearchParameter(
                _("Unknown language “%(value)s”: use fi, sv or en.") % {"value": lang[:20]},
                details={"field": "lang"},
            )
        super().initial(request, *args, **kwargs)  # type: ignore[misc]


# --- serializers ---


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ThemeSerializer(serializers.ModelSerializer):
    service_classes: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = Theme
        fields = ["slug", "name", "description", "icon", "service_classes"]


class ThemeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name"]


class MunicipalitySerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", allow_null=True)

    class Meta:
        model = Municipality
        fields = ["code", "name", "county"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="org_type")

    class Meta:
        model = Organization
        fields = ["id", "name", "type"]


class OrganizationSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="org_type")
    municipality = serializers.CharField(source="municipality_id", allow_null=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "external_id",
            "name",
            "type",
            "description",
            "municipality",
            "website",
            "email",
            "phone",
        ]


class LocationSerializer(serializers.ModelSerializer):
    municipality = MunicipalitySerializer()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    accessibility = serializers.ListField(child=serializers.CharField(), source="accessibility_sentences")

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "street_address",
            "postal_code",
            "post_office",
            "municipality",
            "latitude",
            "longitude",
            "accessibility",
            "step_free_access",
        ]


class ScheduleSerializer(serializers.ModelSerializer):
    location = serializers.UUIDField(source="location_id", allow_null=True)
    opens_at = serializers.TimeField(format="%H:%M")
    closes_at = serializers.TimeField(format="%H:%M")

    class Meta:
        model = Schedule
        fields = ["weekday", "opens_at", "closes_at", "valid_from", "valid_to", "description", "location"]


class ServiceListSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer()
    themes = ThemeRefSerializer(many=True, source="theme_list")
    municipalities = MunicipalitySerializer(many=True, source="municipality_list")
    web_url = serializers.SerializerMethodField(help_text="The service's page in the tray.")
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "summary",
            "organization",
            "themes",
            "municipalities",
            "free",
            "url",
            "web_url",
            "api_url",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(
        inline_serializer("Highlight", {"name": serializers.CharField(), "summary": serializers.CharField()})
    )
    def get_highlight(self, obj: Service) -> dict[str, str] | None:
        if not hasattr(obj, "hl_name"):
            return None
        return {"name": str(obj.hl_name), "summary": str(obj.hl_summary)}  # type: ignore[attr-defined]

    def get_web_url(self, obj: Service) -> str:
        return self._absolute(reverse("web:service", kwargs={"service_id": obj.pk}))

    def get_api_url(self, obj: Service) -> str:
        return self._absolute(reverse("api:service-detail", kwargs={"pk": obj.pk}))


class PhoneSerializer(serializers.Serializer):
    number = serializers.CharField()
    description = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class CapacityUnitSerializer(serializers.Serializer):
    """HSDS 3.1 ``unit``: what a capacity is counted in."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    scheme = serializers.CharField()
    identifier = serializers.CharField()
    uri = serializers.URLField(required=False)


class ServiceCapacitySerializer(serializers.Serializer):
    """HSDS 3.1 ``service_capacity``. Unit "place" (scheme HYTE): ``available`` free places for new
    clients (0 when the service takes no new clients). Unit "week" (UCUM ``wk``): ``available`` is the
    waiting time in weeks for a new client."""

    id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    unit = CapacityUnitSerializer()
    available = serializers.IntegerField()
    maximum = serializers.IntegerField(required=False, help_text="Not given: we know no maximum.")
    description = serializers.CharField()
    updated = serializers.DateTimeField()


class ServiceDetailSerializer(ServiceListSerializer):
    capacities = serializers.SerializerMethodField(
        help_text="HSDS 3.1 service_capacity: free places and waiting time in weeks; empty when not stated."
    )
    takes_new_clients = serializers.SerializerMethodField(
        help_text="HYTE extension: yes, no or not_stated (what the organization last said)."
    )
    languages = CodeNameSerializer(many=True)
    target_groups = CodeNameSerializer(many=True)
    service_classes = CodeNameSerializer(many=True)
    locations = LocationSerializer(many=True)
    schedules = ScheduleSerializer(many=True)
    phones = PhoneSerializer(many=True)
    contacts = ContactSerializer(many=True)
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list")

    class Meta(ServiceListSerializer.Meta):
        fields = [
            *ServiceListSerializer.Meta.fields,
            "external_id",
            "status",
            "description",
            "plain_summary_fi",
            "keywords",
            "cost_description",
            "email",
            "languages",
            "target_groups",
            "service_classes",
            "locations",
            "schedules",
            "phones",
            "contacts",
            "last_verified_at",
            "is_stale",
            "takes_new_clients",
            "capacities",
        ]

    @extend_schema_field(ServiceCapacitySerializer(many=True))
    def get_capacities(self, obj: Service) -> list[dict[str, Any]]:
        return hsds_capacities(getattr(obj, "capacity", None), obj.pk)

    @extend_schema_field(serializers.ChoiceField(choices=TakesNewClients.values))
    def get_takes_new_clients(self, obj: Service) -> str:
        capacity = getattr(obj, "capacity", None)
        return capacity.takes_new_clients if capacity is not None else TakesNewClients.NOT_STATED


def _page_links(request: Request, page: Any) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    nxt = replace_query_param(url, "page", page.next_page_number()) if page.has_next() else None
    prev = None
    if page.has_previous():
        n = page.previous_page_number()
        prev = remove_query_param(url, "page") if n == 1 else replace_query_param(url, "page", n)
    return nxt, prev


def paginated_schema(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


ERROR_SCHEMA = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "details": serializers.DictField(),
    },
)


class ServiceListView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="services_list",
        summary="Search services",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Free text, at most 200 characters."),
            OpenApiParameter("theme", OpenApiTypes.STR, description="Theme slug, see /api/v1/themes/."),
            OpenApiParameter(
                "municipality", OpenApiTypes.STR, description="Three-digit municipality code, e.g. 272."
            ),
            OpenApiParameter(
                "free", OpenApiTypes.BOOL, description="true: only free services; false: only chargeable."
            ),
            OpenApiParameter(
                "language", OpenApiTypes.STR, description="Language of service: fi, sv, en, se, fse, ..."
            ),
            OpenApiParameter(
                "target_group", OpenApiTypes.STR, description="PTV target group code, e.g. KR1.1."
            ),
            OpenApiParameter(
                "accessible", OpenApiTypes.BOOL, description="Only services with a step-free location."
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
            LANG_PARAM,
        ],
        responses={
            200: paginated_schema("PaginatedServiceList", ServiceListSerializer),
            400: ERROR_SCHEMA,
            429: ERROR_SCHEMA,
        },
    )
    @rate_limited("search", methods=("GET",), api=True)
    def get(self, request: Request) -> Response:
        search = selectors.parse_service_search(request.query_params)
        page = selectors.paginate_services(selectors.service_search(search), search.page)
        nxt, prev = _page_links(request, page)
        data = ServiceListSerializer(page.object_list, many=True, context={"request": request}).data
        return Response({"count": page.paginator.count, "next": nxt, "previous": prev, "results": data})


class ServiceDetailView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="services_retrieve",
        summary="One service",
        parameters=[LANG_PARAM],
        responses={200: ServiceDetailSerializer, 301: None, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        description="A listing merged into another answers 301 with the other's address.",
    )
    def get(self, request: Request, pk: str) -> Response | HttpResponsePermanentRedirect:
        try:
            service = selectors.service_detail(service_id=pk)
        except ServiceNotFound:
            target = selectors.merged_target(pk)
            if target is None:
                raise
            location = reverse("api:service-detail", args=[target.pk])
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)
        return Response(ServiceDetailSerializer(service, context={"request": request}).data)


class OrganizationListView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="organizations_list",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT), LANG_PARAM],
        responses={
            200: paginated_schema("PaginatedOrganizationList", OrganizationSerializer),
            400: ERROR_SCHEMA,
        },
    )
    def get(self, request: Request) -> Response:
        page_no = selectors.parse_page(request.query_params.get("page", ""))
        page = selectors.paginate(selectors.organization_list(), page_no, per_page=50)
        nxt, prev = _page_links(request, page)
        data = OrganizationSerializer(page.object_list, many=True).data
        return Response({"count": page.paginator.count, "next": nxt, "previous": prev, "results": data})


class OrganizationDetailView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="organizations_retrieve",
        parameters=[LANG_PARAM],
        responses={200: OrganizationSerializer, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(OrganizationSerializer(selectors.organization_detail(organization_id=pk)).data)


class ThemeListView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="themes_list", parameters=[LANG_PARAM], responses={200: ThemeSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        return Response(ThemeSerializer(selectors.theme_list(), many=True).data)


class MunicipalityListView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="municipalities_list",
        parameters=[
            OpenApiParameter(
                "county", OpenApiTypes.STR, description="Wellbeing services county code, e.g. 18."
            ),
            OpenApiParameter(
                "in_use", OpenApiTypes.BOOL, description="Only municipalities with active services."
            ),
            LANG_PARAM,
        ],
        responses={200: MunicipalitySerializer(many=True), 400: ERROR_SCHEMA},
    )
    def get(self, request: Request) -> Response:
        county = request.query_params.get("county", "")
        if county and (len(county) > 2 or not selectors.county_exists(county)):
            raise InvalidSearchParameter(
                _("Unknown value “%(value)s” for “%(name)s”.") % {"value": county[:50], "name": "county"},
                details={"field": "county"},
            )
        in_use = request.query_params.get("in_use", "").lower()
        if in_use not in ("", *selectors.TRUE_VALUES, *selectors.FALSE_VALUES):
            raise InvalidSearchParameter(
                _("The parameter “%(name)s” must be true or false.") % {"name": "in_use"},
                details={"field": "in_use"},
            )
        qs = selectors.municipality_list(county=county, in_use=in_use in selectors.TRUE_VALUES)
        return Response(MunicipalitySerializer(qs, many=True).data)
