"""Corrections, erasure and the retention job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone, translation

from hyte.accounts.models import UnitRole
from hyte.attendance.models import Pass, PassProgramme
from hyte.core.crypto import decrypt
from hyte.core.errors import InvalidParameter
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.core.personal_log import verify_personal_data_log
from hyte.feedback.models import FeedbackLink, FeedbackReceipt
from hyte.pathways.models import Goal, Pathway, SelfReferral
from hyte.plans.models import IncomeSupportGrant
from hyte.privacy import services
from hyte.privacy.errors import ClientNotFound, HetuInUse, NothingToCorrect, RetentionNotExpired
from hyte.privacy.models import ClientCorrection, RetentionRun
from hyte.referrals.models import Client, Referral
from hyte.reporting import funnel
from hyte.reporting.filters import ReportFilter, scope_for
from hyte.reporting.models import ServiceUse
from tests.accounts.factories import UnitRoleFactory, UserFactory
from tests.conftest import Persona
from tests.privacy.conftest import HETU, IDENTIFYING, OLD_PHONE, PHONE, Records, _referral, age

pytestmark = pytest.mark.django_db


def rows_holding(texts: tuple[str, ...]) -> list[tuple[str, str]]:
    """(model, text) for every row of every table whose values contain one of the texts."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values():
            blob = repr(row)
            found += [(model._meta.label, text) for text in texts if text in blob]
    return found


# --- corrections ---


def test_a_correction_keeps_the_old_values_encrypted(dpo_a: Persona, ilmatar: Records) -> None:
    services.client_correct(
        actor=dpo_a.user,
        client_id=ilmatar.client.pk,
        changes={"last_name": "Meikäläinen", "personal_identity_code": "010280-123V", "email": ""},
        reason="Väestötietojärjestelmän mukaan",
    )
    client = Client.objects.get(pk=ilmatar.client.pk)
    assert (client.last_name, decrypt(client.hetu_encrypted), client.email, client.birth_year) == (
        "Meikäläinen",
        "010280-123V",
        "",
        1980,
    )
    rows = ClientCorrection.objects.filter(source="correction").order_by("field")
    assert [(r.field, decrypt(r.old_value_encrypted), r.reason, r.actor_id) for r in rows] == [
        ("birth_year", "1952", "Väestötietojärjestelmän mukaan", dpo_a.user.pk),
        ("email", "ilmatar@example.invalid", "Väestötietojärjestelmän mukaan", dpo_a.user.pk),
        ("last_name", "Meikäläinen-Testi", "Väestötietojärjestelmän mukaan", dpo_a.user.pk),
        ("personal_identity_code", HETU, "Väestötietojärjestelmän mukaan", dpo_a.user.pk),
    ]
    assert all(HETU not in r.old_value_encrypted for r in rows)
    audit = AuditEvent.objects.get(action="privacy.client_correct")
    assert audit.details == {"fields": ["last_name", "personal_identity_code", "email", "birth_year"]}
    entry = PersonalDataLog.objects.order_by("-seq").first()
    assert entry is not None and (entry.action, entry.purpose) == ("correct", "rectification")


def test_a_correction_needs_a_reason_and_a_change(dpo_a: Persona, ilmatar: Records) -> None:
    with pytest.raises(InvalidParameter) as missing:
        services.client_correct(
            actor=dpo_a.user, client_id=ilmatar.client.pk, changes={"phone": "1"}, reason=" "
        )
    assert missing.value.details["field"] == "reason"
    with pytest.raises(NothingToCorrect):
        services.client_correct(
            actor=dpo_a.user, client_id=ilmatar.client.pk, changes={"phone": PHONE}, reason="x"
        )
    assert ClientCorrection.objects.filter(source="correction").count() == 0
    assert Client.objects.get(pk=ilmatar.client.pk).phone == PHONE


def test_a_code_of_another_client_is_refused(dpo_a: Persona, ilmatar: Records, unit_a: Any) -> None:
    from tests.privacy.conftest import make_client_records

    second = make_client_records(unit_a, unit_a, hetu="010280-123V", first="Aino")
    with pytest.raises(HetuInUse):
        services.client_correct(
            actor=dpo_a.user, client_id=second.client.pk, changes={"personal_identity_code": HETU}, reason="x"
        )


def test_only_the_officer_of_a_holding_organization_corrects(dpo_b: Persona, ilmatar: Records) -> None:
    with pytest.raises(ClientNotFound):
        services.client_correct(
            actor=dpo_b.user, client_id=ilmatar.client.pk, changes={"phone": "1"}, reason="x"
        )


# --- erasure ---


def test_erasure_is_refused_while_client_documents_are_kept(dpo_a: Persona, ilmatar: Records) -> None:
    with pytest.raises(RetentionNotExpired) as refused, translation.override("en"):
        services.client_erase(actor=dpo_a.user, client_id=ilmatar.client.pk, reason="request")
    assert refused.value.details == {"record_types": {"referral": 1, "pathway": 1, "client_plan": 1}}
    assert refused.value.http_status == 409
    with translation.override("en"):
        assert str(refused.value.message).startswith("Some of the client's records are still within")
    assert Client.objects.get(pk=ilmatar.client.pk).first_name == "Ilmatar"
    assert not AuditEvent.objects.filter(action="privacy.client_erase").exists()


def test_erasure_leaves_nothing_identifying_and_keeps_the_statistics(
    dpo_a: Persona, ilmatar: Records, other: Client, unit_a: Any, health_centre: Any
) -> None:
    staff = UserFactory()
    for _ in range(4):  # five referrals in all, so the funnel shows its counts
        _referral(ilmatar.client, staff, health_centre, unit_a)
    age(ilmatar)
    sent_day = timezone.localdate(Referral.objects.filter(client=ilmatar.client).first().sent_at)
    coordinator = UnitRoleFactory(unit=unit_a, role=UnitRole.Role.COORDINATOR).user
    period = ReportFilter(since=sent_day - dt.timedelta(days=1), until=sent_day + dt.timedelta(days=1))

    def figures() -> list[Any]:
        stages = funnel.build(scope_for(coordinator), period).table("stages")
        return [stages.value(s, "count").as_json() for s in ("sent", "completed")]

    assert figures() == [5, 5]
    pseudonym = ilmatar.client.pseudonym
    holding = {label for label, _ in rows_holding(IDENTIFYING)}
    assert holding == {
        "referrals.Client",
        "referrals.Referral",
        "pathways.Goal",
        "pathways.SelfReferral",
        "buddies.Pairing",
    }  # the search does find her before (the henkilötunnus only encrypted)
    counts = services.client_erase(actor=dpo_a.user, client_id=ilmatar.client.pk, reason="request")
    assert counts == {
        "referral": 5,
        "pathway": 1,
        "self_referral": 1,
        "pass": 1,
        "buddy_pairing": 1,
        "client_plan": 1,
        "feedback_link": 1,
        "client": 1,
    }
    assert rows_holding(IDENTIFYING) == []
    client = Client.objects.get(pk=ilmatar.client.pk)
    assert (client.pseudonym, client.birth_year, client.municipality_id) == (pseudonym, 1952, "272")
    assert (client.first_name, client.last_name, client.hetu_encrypted, client.hetu_hash) == (
        "",
        "",
        "",
        None,
    )
    assert figures() == [5, 5]  # the reports count her as before
    assert ServiceUse.objects.filter(client=client).count() == 1  # pseudonymous: kept to its own period
    assert Referral.objects.filter(client=client, status="completed").count() == 5
    assert Goal.objects.get(pathway__client=client).text == ""
    assert IncomeSupportGrant.objects.get(plan__client=client).amount == 40
    assert not FeedbackLink.objects.exists() and not FeedbackReceipt.objects.exists()
    assert not ClientCorrection.objects.filter(client=client).exists()
    assert SelfReferral.objects.get().name == ""
    assert Client.objects.get(pk=other.pk).first_name == "Matti"  # nobody else's data changes
    audit = AuditEvent.objects.get(action="privacy.client_erase")
    assert audit.details == {"reason": "request", "counts": counts}
    assert audit.actor_id == dpo_a.user.pk
    erased = PersonalDataLog.objects.filter(object_id=str(client.pk), action="anonymise").get()
    assert (erased.purpose, erased.actor_id) == ("erasure", dpo_a.user.pk)
    verification = verify_personal_data_log()
    assert verification.ok and verification.entries == PersonalDataLog.objects.count()


def test_records_kept_by_consent_are_erased_on_request(dpo_a: Persona, unit_a: Any) -> None:
    from hyte.referrals.services import ClientData, client_record

    client = client_record(UserFactory(), ClientData(first_name="Paula", last_name="Passi", phone=OLD_PHONE))
    today = timezone.localdate()
    card = Pass.objects.create(
        programme=PassProgramme.objects.order_by("code").first(),
        client=client,
        unit=unit_a,
        issued_on=today,
        valid_until=today + dt.timedelta(days=300),
    )
    counts = services.client_erase(actor=dpo_a.user, client_id=client.pk, reason="consent_withdrawn")
    assert counts["pass"] == 1 and counts["client"] == 1
    card.refresh_from_db()
    assert card.status == "withdrawn" and card.withdrawn_at is not None
    assert rows_holding(("Paula", "Passi", OLD_PHONE)) == []


def test_erasure_needs_a_known_reason(dpo_a: Persona, ilmatar: Records) -> None:
    with pytest.raises(InvalidParameter):
        services.client_erase(actor=dpo_a.user, client_id=ilmatar.client.pk, reason="because")


# --- the retention job ---


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: sorted((row for row in model._base_manager.values()), key=repr)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label not in {"core.PersonalDataLog", "core.PersonalDataLogHead"}
    }


def test_the_plan_counts_and_apply_changes_exactly_the_expired(ilmatar: Records, unit_a: Any) -> None:
    from tests.privacy.conftest import make_client_records

    fresh = make_client_records(unit_a, unit_a, hetu="010280-123V", first="Aino")
    age(ilmatar)
    Pathway.objects.filter(client=ilmatar.client).update(extension_reason="Jatko")
    before_fresh = {label: [o.pk for o in objs] for label, objs in fresh.objects.items()}

    def fresh_rows() -> dict[str, list[dict[str, Any]]]:
        out = {}
        for label, pks in before_fresh.items():
            model = apps.get_model(label)
            out[label] = list(model._base_manager.filter(pk__in=pks).order_by("pk").values())
        out["client"] = list(Client.objects.filter(pk=fresh.client.pk).values())
        return out

    fresh_before = fresh_rows()
    plan = {line.key: line.count for line in services.retention_plan()}
    expected = {
        "referral": 1,
        "pathway": 1,
        "self_referral": 1,
        "pass": 0,  # nothing but the link to the (pseudonymised) client to remove
        "buddy_pairing": 1,
        "client_plan": 1,
        "feedback_link": 1,
        "service_use": 1,
        "client": 1,
    }
    assert plan == expected
    run = services.retention_apply()
    assert run.counts == expected
    assert fresh_rows() == fresh_before
    client = Client.objects.get(pk=ilmatar.client.pk)
    assert (client.first_name, client.hetu_hash, client.phone) == ("", None, "")
    assert Pathway.objects.get(client=client).extension_reason == ""
    assert not ServiceUse.objects.filter(client=client).exists()
    audit = AuditEvent.objects.get(action="privacy.retention_apply")
    assert (audit.object_id, audit.details, audit.actor_id) == (str(run.pk), {"counts": expected}, None)
    again = services.retention_apply()
    assert set(again.counts.values()) == {0}
    assert RetentionRun.objects.count() == 2
    assert verify_personal_data_log().ok


def test_retention_periods_come_from_the_settings(ilmatar: Records, settings: Any) -> None:
    age(ilmatar, years=3)  # past the pass and pairing periods, within the client documents'
    plan = {line.key: line.count for line in services.retention_plan()}
    assert (plan["referral"], plan["buddy_pairing"], plan["client"]) == (0, 1, 0)
    settings.HYTE_RETENTION = {**settings.HYTE_RETENTION, "referral": 365}
    plan = {line.key: line.count for line in services.retention_plan()}
    assert plan["referral"] == 1
    assert plan["client"] == 0  # her pathway and plan are still kept
