"""Pathways: one shape for every programme, with each programme's rules from its configuration;
clear errors for bad input, nothing overwritten silently, nothing seen across units."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from hyte.accounts.models import Unit
from hyte.core.errors import DomainError, InvalidParameter
from hyte.core.models import PersonalDataLog
from hyte.pathways import selectors, services
from hyte.pathways.errors import (
    PathwayClosed,
    PathwayNotFound,
    ReasonRequired,
    SelfReferralNotFound,
    StaleVersion,
    TooManyRequests,
)
from hyte.pathways.models import Pathway, PathwayEvent, SelfReferral
from hyte.referrals.errors import NotInUnit, ReferralNotFound
from tests.conftest import Persona
from tests.pathways.conftest import accepted_referral, days_ago, walk_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- enrolment ---


def test_an_accepted_referral_becomes_a_pathway_with_its_client(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    pathway = services.pathway_enrol(
        actor=counsellor_c.user,
        data=services.Enrolment(
            programme="exercise_counselling", unit_id=unit_c.pk, origin="referral", referral_id=referral.pk
        ),
    )
    assert pathway.client_id == referral.client_id and pathway.referral_id == referral.pk
    assert pathway.worker_id == counsellor_c.user.pk and pathway.ends_by is None
    with pytest.raises(InvalidParameter) as again:
        services.pathway_enrol(
            actor=counsellor_c.user,
            data=services.Enrolment(
                programme="exercise_counselling",
                unit_id=unit_c.pk,
                origin="referral",
                referral_id=referral.pk,
            ),
        )
    assert again.value.details == {"field": "referral"}


def test_a_referral_must_be_accepted_and_sent_to_the_unit(
    pro_a: Persona, counsellor_c: Persona, counsellor_d: Persona, unit_a: Unit, unit_c: Unit, unit_d: Unit
) -> None:
    from hyte.referrals.services import referral_create
    from tests.pathways.conftest import client_data, consent_data

    sent = referral_create(
        actor=pro_a.user,
        referring_unit_id=unit_a.pk,
        receiving_unit_id=unit_c.pk,
        kind="exercise",
        client=client_data(),
        reason="x",
        consent=consent_data(),
    )
    data = services.Enrolment(
        programme="exercise_counselling", unit_id=unit_c.pk, origin="referral", referral_id=sent.pk
    )
    with pytest.raises(InvalidParameter):
        services.pathway_enrol(actor=counsellor_c.user, data=data)
    # Unit D cannot take C's referral, nor enrol in C.
    with pytest.raises(ReferralNotFound):
        data.unit_id = unit_d.pk
        services.pathway_enrol(actor=counsellor_d.user, data=data)
    with pytest.raises(NotInUnit):
        walk_in(counsellor_d, unit_c)
    assert not Pathway.objects.exists()


def test_walk_ins_only_where_the_programme_takes_them(counsellor_c: Persona, unit_c: Unit) -> None:
    with pytest.raises(InvalidParameter) as error:
        walk_in(counsellor_c, unit_c, origin=Pathway.Origin.WALK_IN)
    assert error.value.details == {"field": "origin"}
    pathway = walk_in(
        counsellor_c, unit_c, "rehabilitation_counselling", origin=Pathway.Origin.WALK_IN, triage="yellow"
    )
    assert pathway.triage == "yellow"
    with pytest.raises(InvalidParameter):
        walk_in(counsellor_c, unit_c, triage="red")  # exercise counselling does not triage
    with pytest.raises(InvalidParameter):
        walk_in(counsellor_c, unit_c, "lifestyle", track="astrology")
    assert walk_in(counsellor_c, unit_c, "lifestyle", track="nicotine").track == "nicotine"


# --- link work: six months ---


def test_link_work_is_limited_warned_and_extended_with_a_reason(link_worker: Persona, unit_l: Unit) -> None:
    pathway = walk_in(link_worker, unit_l, "link_worker", enrolled_on=days_ago(160))
    assert pathway.ends_by == days_ago(160) + timedelta(days=183)
    rows = selectors.caseload(actor=link_worker.user)
    assert "limit_near" in rows[0].flags
    with pytest.raises(InvalidParameter) as error:
        services.pathway_extend(
            actor=link_worker.user,
            pathway_id=pathway.pk,
            version=1,
            until=TODAY() + timedelta(days=60),
            reason=" ",
        )
    assert error.value.details == {"field": "reason"}
    fresh = Pathway.objects.get(pk=pathway.pk)
    extended = services.pathway_extend(
        actor=link_worker.user,
        pathway_id=pathway.pk,
        version=fresh.version,
        until=TODAY() + timedelta(days=60),
        reason="Odottaa kuntoutuspaikkaa.",
    )
    assert extended.ends_by == TODAY() + timedelta(days=60)
    assert PathwayEvent.objects.filter(
        pathway=pathway, action="extend", reason="Odottaa kuntoutuspaikkaa."
    ).exists()
    late = walk_in(link_worker, unit_l, "link_worker", enrolled_on=days_ago(200))
    flags = {row.pathway.pk: row.flags for row in selectors.caseload(actor=link_worker.user)}
    assert "limit_passed" in flags[late.pk] and "limit_passed" not in flags[pathway.pk]


def test_a_refused_write_leaves_the_version_alone(link_worker: Persona, unit_l: Unit) -> None:
    pathway = walk_in(link_worker, unit_l, "link_worker")
    with pytest.raises(InvalidParameter):
        services.pathway_extend(
            actor=link_worker.user, pathway_id=pathway.pk, version=1, until=TODAY(), reason="x"
        )
    assert Pathway.objects.get(pk=pathway.pk).version == 1


# --- contacts, measurements, outcomes ---


def test_contacts_are_dated_within_the_pathway(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(10))
    for on, field in ((days_ago(11), "on"), (TODAY() + timedelta(days=1), "on")):
        with pytest.raises(InvalidParameter) as error:
            services.contact_add(actor=counsellor_c.user, pathway_id=pathway.pk, on=on, kind="meeting")
        assert error.value.details["field"] == field
    with pytest.raises(InvalidParameter):
        services.contact_add(actor=counsellor_c.user, pathway_id=pathway.pk, on=TODAY(), kind="employer")
    services.contact_add(
        actor=counsellor_c.user,
        pathway_id=pathway.pk,
        on=days_ago(2),
        kind="meeting",
        minutes=45,
        next_contact_on=days_ago(1),
    )
    row = selectors.caseload(actor=counsellor_c.user)[0]
    assert row.pathway.next_contact_on == days_ago(1) and "contact_overdue" in row.flags


def test_measurements_are_validated_scored_and_charted(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(100))
    assert selectors.caseload(actor=counsellor_c.user)[0].due_point == 0
    with pytest.raises(InvalidParameter) as error:
        services.measurement_add(
            actor=counsellor_c.user,
            pathway_id=pathway.pk,
            instrument="pa_minutes",
            values={"moderate_min": 100, "vigorous_min": -5, "strength_days": 1},
            on=TODAY(),
        )
    assert error.value.details["field"] == "vigorous_min"
    with pytest.raises(InvalidParameter):  # not an instrument of exercise counselling
        services.measurement_add(
            actor=counsellor_c.user, pathway_id=pathway.pk, instrument="was", values={"score": 5}, on=TODAY()
        )
    with pytest.raises(InvalidParameter):  # not a measurement point of the programme
        services.measurement_add(
            actor=counsellor_c.user,
            pathway_id=pathway.pk,
            instrument="swemwbs",
            values={f"item_{i}": 3 for i in range(1, 8)},
            on=TODAY(),
            point_months=4,
        )
    swemwbs = services.instruments.get_instrument("swemwbs")
    items = [item.code for item in swemwbs.items]
    for point, (on, answer) in enumerate(((days_ago(95), 3), (TODAY(), 4))):
        services.measurement_add(
            actor=counsellor_c.user,
            pathway_id=pathway.pk,
            instrument="swemwbs",
            values=dict.fromkeys(items, answer),
            on=on,
            point_months=[0, 3][point],
        )
    series = {s.instrument: s for s in selectors.measurement_series(Pathway.objects.get(pk=pathway.pk))}
    assert [value for _on, value in series["swemwbs"].points] == [Decimal("19.25"), Decimal("25.03")]
    assert series["swemwbs"].change == Decimal("5.78")
    assert selectors.caseload(actor=counsellor_c.user)[0].due_point is None  # 0 and 3 done, 6 not yet due


def test_ips_outcomes_need_hours_for_a_job(coach: Persona, unit_i: Unit) -> None:
    pathway = walk_in(coach, unit_i, "ips", enrolled_on=days_ago(30), agreement_on=days_ago(30))
    with pytest.raises(InvalidParameter) as error:
        services.outcome_add(
            actor=coach.user, pathway_id=pathway.pk, kind="competitive_employment", started_on=days_ago(1)
        )
    assert error.value.details == {"field": "hours_per_week"}
    with pytest.raises(InvalidParameter):
        services.outcome_add(
            actor=coach.user, pathway_id=pathway.pk, kind="quit_nicotine", started_on=days_ago(1)
        )
    outcome = services.outcome_add(
        actor=coach.user,
        pathway_id=pathway.pk,
        kind="competitive_employment",
        started_on=days_ago(1),
        hours_per_week=Decimal("20"),
    )
    assert outcome.hours_per_week == Decimal("20")


# --- closure and concurrency ---


def test_closing_twice_and_editing_after_closure(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(5))
    services.pathway_close(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, reason="goals_met")
    with pytest.raises(PathwayClosed) as error:
        services.pathway_close(actor=counsellor_c.user, pathway_id=pathway.pk, version=2, reason="goals_met")
    assert error.value.http_status == 409
    with pytest.raises(ReasonRequired):
        services.contact_add(actor=counsellor_c.user, pathway_id=pathway.pk, on=TODAY(), kind="phone")
    services.contact_add(
        actor=counsellor_c.user,
        pathway_id=pathway.pk,
        on=TODAY(),
        kind="phone",
        reason="Kirjaus jäi tekemättä.",
    )
    assert PathwayEvent.objects.filter(pathway=pathway, action="contact_after_closure").count() == 1
    with pytest.raises(InvalidParameter):
        services.pathway_close(
            actor=counsellor_c.user, pathway_id=walk_in(counsellor_c, unit_c).pk, version=1, reason="bored"
        )


def test_a_stale_version_is_refused(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text="Kävely 3 x viikossa")
    with pytest.raises(StaleVersion) as error:
        services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text="Uinti")
    assert error.value.http_status == 409 and error.value.details == {"version": 2}
    assert [g.text for g in pathway.goals.all()] == ["Kävely 3 x viikossa"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_plan_one_is_told(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def write(text: str) -> None:
        try:
            barrier.wait()
            services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text=text)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(text,)) for text in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "stale_version"]
    assert Pathway.objects.get(pk=pathway.pk).goals.count() == 1


# --- scope and the log ---


def test_other_units_see_nothing(
    counsellor_c: Persona, counsellor_d: Persona, pro_a: Persona, unit_c: Unit
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    for persona in (counsellor_d, pro_a):
        with pytest.raises(PathwayNotFound):
            selectors.pathway_detail(actor=persona.user, pathway_id=pathway.pk)
        with pytest.raises(PathwayNotFound):
            services.contact_add(actor=persona.user, pathway_id=pathway.pk, on=TODAY(), kind="meeting")
        assert not selectors.pathways_visible_to(persona.user).exists()
        assert selectors.caseload(actor=persona.user, mine_only=False) == []
    with pytest.raises(PathwayNotFound):
        selectors.pathway_detail(actor=counsellor_c.user, pathway_id="not-a-uuid")
    selectors.pathway_detail(actor=counsellor_c.user, pathway_id=pathway.pk)
    actions = list(PersonalDataLog.objects.filter(object_id=str(pathway.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["create", "read"]


# --- IPS fidelity ---


def test_fidelity_review_total_and_band(coach: Persona, counsellor_c: Persona, unit_i: Unit) -> None:
    items = dict.fromkeys(services.FIDELITY_ITEMS, 4)
    review = services.fidelity_review_record(
        actor=coach.user,
        unit_id=unit_i.pk,
        reviewed_on=TODAY(),
        scale_version="IPS-25 2008 revised",
        items=items,
    )
    assert (review.total, review.band) == (100, "good")
    assert services.fidelity_band(99) == "fair" and services.fidelity_band(115) == "exemplary"
    assert services.fidelity_band(73) == "not_supported"
    for bad in ({k: v for k, v in items.items() if k != "V14"}, items | {"V3": 6}, items | {"S1": "x"}):
        with pytest.raises(InvalidParameter):
            services.fidelity_review_record(
                actor=coach.user, unit_id=unit_i.pk, reviewed_on=TODAY(), scale_version="v", items=bad
            )
    with pytest.raises(NotInUnit):
        services.fidelity_review_record(
            actor=counsellor_c.user, unit_id=unit_i.pk, reviewed_on=TODAY(), scale_version="v", items=items
        )


# --- self-referral ---


def self_referral(unit: Unit, source: str = "192.0.2.1", **extra: Any) -> SelfReferral:
    values: dict[str, Any] = {
        "unit_id": unit.pk,
        "name": "Liisa Laine",
        "message": "Haluaisin aloittaa liikunnan.",
        "phone": "0401234567",
    }
    return services.self_referral_submit(data=services.SelfReferralData(**(values | extra)), source=source)


def test_a_self_referral_is_triaged_and_becomes_a_pathway(
    counsellor_c: Persona, counsellor_d: Persona, unit_c: Unit
) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    record = self_referral(unit_c)
    assert record.source_hash and "192.0.2.1" not in record.source_hash
    assert list(selectors.self_referral_queue(actor=counsellor_c.user)) == [record]
    assert not selectors.self_referral_queue(actor=counsellor_d.user).exists()
    with pytest.raises(SelfReferralNotFound):
        services.self_referral_triage(actor=counsellor_d.user, self_referral_id=record.pk, triage="red")
    services.self_referral_triage(actor=counsellor_c.user, self_referral_id=record.pk, triage="yellow")
    pathway = services.self_referral_enrol(
        actor=counsellor_c.user, self_referral_id=record.pk, programme="rehabilitation_counselling"
    )
    assert (pathway.origin, pathway.triage, str(pathway.client)) == ("self_referral", "yellow", "Liisa Laine")
    with pytest.raises(DomainError):
        services.self_referral_close(actor=counsellor_c.user, self_referral_id=record.pk, note="x")


def test_self_referral_input_and_rate_limit(unit_c: Unit, unit_d: Unit) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    with pytest.raises(InvalidParameter) as error:
        self_referral(unit_d)  # takes no contact requests
    assert error.value.details == {"field": "unit"}
    for bad, field in (
        ({"phone": ""}, "phone"),
        ({"name": " "}, "name"),
        ({"message": "x" * 2001}, "message"),
    ):
        with pytest.raises(InvalidParameter) as error:
            self_referral(unit_c, **bad)
        assert error.value.details == {"field": field}
    for _ in range(services.SELF_REFERRALS_PER_HOUR):
        self_referral(unit_c)
    with pytest.raises(TooManyRequests):
        self_referral(unit_c)
    self_referral(unit_c, source="198.51.100.7")  # another address is not held back
    assert SelfReferral.objects.count() == services.SELF_REFERRALS_PER_HOUR + 1


def test_a_red_contact_request_is_referred_onward(
    counsellor_c: Persona, unit_a: Unit, unit_c: Unit, unit_d: Unit
) -> None:
    from hyte.accounts.models import UnitRole
    from hyte.referrals.services import ConsentData

    unit_c.receives_self_referrals = True
    unit_c.save()
    record = self_referral(unit_c)
    services.self_referral_triage(actor=counsellor_c.user, self_referral_id=record.pk, triage="red")
    values: dict[str, Any] = {
        "referring_unit_id": unit_a.pk,
        "receiving_unit_id": unit_d.pk,
        "kind": "wellbeing",
        "reason": "Tarvitsee arvion.",
        "consent": ConsentData(given_by="client", method="verbal", scope="referral"),
    }
    with pytest.raises(NotInUnit):  # a counsellor only: not a sender
        services.self_referral_refer(actor=counsellor_c.user, self_referral_id=record.pk, **values)
    assert SelfReferral.objects.get().status == "triaged"
    UnitRole.objects.create(user=counsellor_c.user, unit=unit_a, role=UnitRole.Role.PROFESSIONAL)
    referral = services.self_referral_refer(actor=counsellor_c.user, self_referral_id=record.pk, **values)
    assert str(referral.client) == "Liisa Laine" and referral.client.phone == "0401234567"
    assert referral.receiving_unit == unit_d and referral.status == "sent"
    record.refresh_from_db()
    assert (record.status, record.referral_id) == ("referred", referral.pk)
    with pytest.raises(DomainError):
        services.self_referral_refer(actor=counsellor_c.user, self_referral_id=record.pk, **values)
