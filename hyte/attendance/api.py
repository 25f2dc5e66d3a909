"""Attendance API under /api/v1/ (staff with two factors; the pass holder's own view by token).

``passes/`` (issuing unit: list with usage and non-use flags; issue), ``passes/{id}/withdraw/``;
``checkins/`` (the desk marks a visit by token; idempotent by ``key``); ``checkins/batch/`` (an offline
queue sent at once; each mark answered on its own); ``visits/unconfirmed/`` and
``visits/{id}/confirm/``; ``rewards/{id}/hand-out/``; ``pass/{token}/`` (the holder's phone view: counts,
no name) and ``pass/{token}/visits/`` (self-report); ``meetings/`` and ``group-years/``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from hyte.attendance import selectors, services
from hyte.attendance.models import Meeting, Pass, PassProgramme, Reward
from hyte.catalog.api import LanguageMixin
from hyte.core.errors import DomainError, InvalidParameter
from hyte.referrals.api import ClientInSerializer, IsVerified


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def period(request: Request) -> tuple[date, date]:
    """``?since=&until=`` (ISO dates); the last 30 days by default."""
    today = timezone.localdate()
    try:
        since = date.fromisoformat(
            request.query_params.get("since") or (today - timedelta(days=30)).isoformat()
        )
        until = date.fromisoformat(request.query_params.get("until") or today.isoformat())
    except ValueError:
        raise InvalidParameter(details={"field": "since/until"}) from None
    if since > until or (until - since).days > 3660:
        raise InvalidParameter(details={"field": "since/until"})
    return since, until


class ProgrammeRefSerializer(serializers.ModelSerializer[PassProgramme]):
    class Meta:
        model = PassProgramme
        fields = ["code", "name", "reward_every", "reward_text", "min_visits_per_month"]


class RewardSerializer(serializers.ModelSerializer[Reward]):
    class Meta:
        model = Reward
        fields = ["id", "number", "text", "earned_at", "handed_out_at"]


class PassSerializer(serializers.ModelSerializer[Pass]):
    programme = ProgrammeRefSerializer()
    client_name = serializers.SerializerMethodField()

    class Meta:
        model = Pass
        fields = [
            "id",
            "programme",
            "client_name",
            "unit",
            "token",
            "issued_on",
            "valid_until",
            "status",
            "visit_count",
        ]

    def get_client_name(self, card: Pass) -> str:
        return str(card.client)


class HolderSerializer(serializers.Serializer[Any]):
    card = PassSerializer()
    visits_in_period = serializers.IntegerField()
    rewards_waiting = serializers.IntegerField()
    non_user = serializers.BooleanField()


class PassIssueSerializer(serializers.Serializer[Any]):
    programme = serializers.CharField(max_length=40)
    unit = serializers.UUIDField()
    referral = serializers.UUIDField(required=False, allow_null=True)
    pathway = serializers.UUIDField(required=False, allow_null=True)
    client = ClientInSerializer(required=False)
    issued_on = serializers.DateField(required=False)


class PassListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[OpenApiParameter("since", date), OpenApiParameter("until", date)],
        responses=HolderSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Passes issued by my units, with visits in the period and flagged non-users."""
        since, until = period(request)
        holders = selectors.pass_holders(actor=request.user, since=since, until=until)
        return Response(HolderSerializer(holders, many=True).data)

    @extend_schema(request=PassIssueSerializer, responses={201: PassSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(PassIssueSerializer(data=request.data))
        client = data.get("client")
        card = services.pass_issue(
            actor=request.user,
            data=services.PassIssue(
                programme=data["programme"],
                unit_id=data["unit"],
                referral_id=data.get("referral"),
                pathway_id=data.get("pathway"),
                client=services.ClientData(**client) if client else None,
                issued_on=data.get("issued_on"),
            ),
        )
        return Response(PassSerializer(card).data, status=status.HTTP_201_CREATED)


class WithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class PassWithdrawView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=WithdrawSerializer, responses=PassSerializer)
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(WithdrawSerializer(data=request.data))
        card = services.pass_withdraw(actor=request.user, pass_id=pk, reason=data["reason"])
        return Response(PassSerializer(card).data)


# --- check-in ---


class CheckinSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=64)
    service = serializers.UUIDField()
    key = serializers.CharField(max_length=64, help_text="One per mark; the same key again counts once.")
    on = serializers.DateField(
        required=False, help_text="Default today; marks queued offline carry their day."
    )


class MarkedSerializer(serializers.Serializer[Any]):
    visits = serializers.IntegerField()
    reward = serializers.CharField(allow_null=True)
    rewards_waiting = serializers.ListField(child=RewardSerializer())
    repeated = serializers.BooleanField()
    programme = serializers.CharField()


def _marked(marked: services.Marked) -> dict[str, Any]:
    card = marked.visit.pass_card
    return {
        "visits": marked.visits,
        "reward": marked.reward.text if marked.reward else None,
        "rewards_waiting": RewardSerializer(selectors.rewards_waiting_for_token(card.token), many=True).data,
        "repeated": marked.repeated,
        "programme": str(card.programme.name),
    }


class CheckinView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=CheckinSerializer, responses={201: MarkedSerializer, 200: MarkedSerializer})
    def post(self, request: Request) -> Response:
        """Mark a visit by the pass token (one tap at the desk). 201 for a new mark, 200 when the same
        key was marked before (nothing new stored)."""
        data = _valid(CheckinSerializer(data=request.data))
        marked = services.visit_mark(
            actor=request.user,
            token=data["token"],
            service_id=data["service"],
            key=data["key"],
            on=data.get("on"),
        )
        return Response(
            _marked(marked), status=status.HTTP_200_OK if marked.repeated else status.HTTP_201_CREATED
        )


class CheckinBatchSerializer(serializers.Serializer[Any]):
    marks = serializers.ListField(child=CheckinSerializer(), max_length=500)


class CheckinBatchView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=CheckinBatchSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        """An offline queue sent at once: each mark is handled on its own and answered by its key, so a
        refused mark does not hold the others back and a resent queue counts once."""
        data = _valid(CheckinBatchSerializer(data=request.data))
        results = []
        for mark in data["marks"]:
            try:
                marked = services.visit_mark(
                    actor=request.user,
                    token=mark["token"],
                    service_id=mark["service"],
                    key=mark["key"],
                    on=mark.get("on"),
                )
            except DomainError as exc:
                results.append({"key": mark["key"], "ok": False, **exc.as_dict()})
            else:
                results.append({"key": mark["key"], "ok": True, **_marked(marked)})
        return Response({"results": results})


class VisitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    on = serializers.DateField()
    service = serializers.CharField(source="service.name")
    programme = serializers.CharField(source="pass_card.programme.name")


class UnconfirmedVisitsView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(responses=VisitSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Visits clients reported at my organizations' services, to confirm (no names)."""
        return Response(
            VisitSerializer(selectors.unconfirmed_visits(actor=request.user)[:500], many=True).data
        )


class ConfirmSerializer(serializers.Serializer[Any]):
    accept = serializers.BooleanField(default=True)


class VisitConfirmView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=ConfirmSerializer, responses={200: dict})
    def post(self, request: Request, pk: str) -> Response:
        data = _valid(ConfirmSerializer(data=request.data))
        visit = services.visit_confirm(actor=request.user, visit_id=pk, accept=data["accept"])
        return Response({"confirmed": visit is not None})


class RewardHandOutView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=None, responses=RewardSerializer)
    def post(self, request: Request, pk: str) -> Response:
        return Response(RewardSerializer(services.reward_hand_out(actor=request.user, reward_id=pk)).data)


# --- the holder's own view ---


class HolderViewSerializer(serializers.Serializer[Any]):
    programme = ProgrammeRefSerializer()
    valid_until = serializers.DateField()
    status = serializers.CharField()
    visits = serializers.IntegerField()
    rewards = RewardSerializer(many=True)
    services = serializers.ListField(child=serializers.DictField())


class PassThrottle(AnonRateThrottle):
    rate = "60/minute"


class HolderPassView(LanguageMixin, APIView):
    throttle_classes = [PassThrottle]

    @extend_schema(responses=HolderViewSerializer, auth=[])
    def get(self, request: Request, token: str) -> Response:
        """The pass as its holder sees it on her phone: counts and rewards, no name."""
        card = selectors.pass_by_token(token)
        return Response(
            {
                "programme": ProgrammeRefSerializer(card.programme).data,
                "valid_until": card.valid_until,
                "status": card.status,
                "visits": card.visit_count,
                "rewards": RewardSerializer(card.rewards.all(), many=True).data,
                "services": [{"id": str(s.pk), "name": s.name} for s in card.programme.services.all()],
            }
        )


class SelfReportSerializer(serializers.Serializer[Any]):
    service = serializers.UUIDField()
    on = serializers.DateField()
    key = serializers.CharField(max_length=64)


class HolderVisitView(LanguageMixin, APIView):
    throttle_classes = [PassThrottle]

    @extend_schema(request=SelfReportSerializer, responses={201: None}, auth=[])
    def post(self, request: Request, token: str) -> Response:
        """The holder reports a visit; it counts once the provider confirms it."""
        data = _valid(SelfReportSerializer(data=request.data))
        services.visit_self_report(token=token, service_id=data["service"], key=data["key"], on=data["on"])
        return Response({"received": True}, status=status.HTTP_201_CREATED)


# --- groups ---


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "service",
            "starts_at",
            "place",
            "leaders",
            "head_count",
            "new_visitors",
            "by_age",
            "by_gender",
            "note",
        ]
        read_only_fields = ["id"]


class MeetingInSerializer(serializers.Serializer[Any]):
    service = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    head_count = serializers.IntegerField(min_value=0, max_value=1000)
    new_visitors = serializers.IntegerField(min_value=0, max_value=1000, required=False, allow_null=True)
    by_age = serializers.DictField(child=serializers.IntegerField(), required=False)
    by_gender = serializers.DictField(child=serializers.IntegerField(), required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    leaders = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=20)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MeetingListView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[OpenApiParameter("since", date), OpenApiParameter("until", date)],
        responses=MeetingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        since, until = period(request)
        return Response(
            MeetingSerializer(
                selectors.meetings(actor=request.user, since=since, until=until), many=True
            ).data
        )

    @extend_schema(request=MeetingInSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(MeetingInSerializer(data=request.data))
        meeting = services.meeting_record(
            actor=request.user,
            service_id=data["service"],
            starts_at=data["starts_at"],
            head_count=data["head_count"],
            new_visitors=data.get("new_visitors"),
            by_age=data.get("by_age"),
            by_gender=data.get("by_gender"),
            place=data["place"],
            leader_ids=data.get("leaders"),
            note=data["note"],
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class GroupYearSerializer(serializers.Serializer[Any]):
    service = serializers.UUIDField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    continues = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class GroupYearView(LanguageMixin, APIView):
    permission_classes = [IsVerified]

    @extend_schema(request=GroupYearSerializer, responses=GroupYearSerializer)
    def post(self, request: Request) -> Response:
        data = _valid(GroupYearSerializer(data=request.data))
        record = services.group_year_set(
            actor=request.user,
            service_id=data["service"],
            year=data["year"],
            continues=data["continues"],
            note=data["note"],
        )
        return Response(
            {
                "service": str(record.service_id),
                "year": record.year,
                "continues": record.continues,
                "note": record.note,
            }
        )
