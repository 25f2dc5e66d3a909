"""The programmes the platform ships configured (loaded by migration 0002; a county edits them in the
admin). Measurement points are months from enrolment; instrument codes are those of
``hyte.pathways.instruments``; durations follow docs/practice.md (link worker at most 6 months, warned at 5).
"""

from __future__ import annotations

from typing import Any

PA = ["pa_minutes", "sitting", "self_rated_fitness", "self_rated_health"]

PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "exercise_counselling",
        "name": ("Liikuntaneuvonta", "Motionsrådgivning", "Exercise counselling"),
        "description": (
            "Liikuntaneuvonnan asiakkuus: LiiKu-suunnitelman tavoitteet, tapaamiset ja mittaukset alussa "
            "sekä 3, 6 ja 12 kuukauden kohdalla.",
            "Motionsrådgivning: mål i LiiKu-planen, träffar och mätningar i början och efter 3, 6 och 12 "
            "månader.",
            "Exercise counselling: LiiKu plan goals, sessions and measurements at the start and at 3, 6 "
            "and 12 months.",
        ),
        "measurement_months": [0, 3, 6, 12],
        "instruments": [*PA, "body", "inbody", "swemwbs"],
        "outcome_kinds": ["group_joined", "other_progress"],
        "contact_kinds": ["meeting", "phone", "remote", "group", "no_show"],
    },
    {
        "code": "link_worker",
        "name": ("Linkkityö", "Länkarbete", "Link worker"),
        "description": (
            "Linkkihenkilö tukee asiakasta enintään kuusi kuukautta; varoitus viiden kuukauden kohdalla, "
            "jatko vaatii kirjatun perustelun.",
            "Länkpersonen stöder klienten högst sex månader; varning efter fem månader, förlängning kräver "
            "en antecknad motivering.",
            "A link worker supports the client for at most six months; a warning at five months, an "
            "extension needs a recorded reason.",
        ),
        "max_days": 183,
        "warn_days": 152,
        "measurement_months": [0, 6],
        "instruments": ["swemwbs", "ons4", "ucla3"],
        "outcome_kinds": ["group_joined", "volunteering", "other_progress"],
        "contact_kinds": ["meeting", "phone", "remote", "group", "no_show"],
    },
    {
        "code": "ips",
        "name": ("IPS-työhönvalmennus", "IPS-arbetsträning", "IPS employment coaching"),
        "description": (
            "Yksilöllinen työhönsijoitus ja tuki (IPS): yhteistyösopimus, työnhaun yhteydenotot, "
            "tulokset avoimille työmarkkinoille, opintoihin tai muihin edistysaskeliin.",
            "Individanpassat stöd till arbete (IPS): samarbetsavtal, kontakter i arbetssökandet, resultat "
            "på den öppna arbetsmarknaden, i studier eller andra steg framåt.",
            "Individual Placement and Support (IPS): collaboration agreement, job search contacts, "
            "outcomes in competitive employment, studies or other steps forward.",
        ),
        "measurement_months": [0, 6, 12],
        "instruments": ["was", "swemwbs"],
        "outcome_kinds": [
            "competitive_employment",
            "study",
            "volunteering",
            "work_trial",
            "other_progress",
        ],
        "contact_kinds": ["meeting", "phone", "remote", "employer", "job_search", "no_show"],
    },
    {
        "code": "money_counselling",
        "name": ("Talousneuvonta", "Ekonomisk rådgivning", "Money and debt counselling"),
        "description": (
            "Aikuissosiaalityön talous- ja velkaneuvonta.",
            "Ekonomi- och skuldrådgivning i socialt arbete för vuxna.",
            "Money and debt counselling in adult social work.",
        ),
        "measurement_months": [0, 6],
        "instruments": ["ons4"],
        "outcome_kinds": ["debt_arrangement", "benefit_granted", "other_progress"],
        "contact_kinds": ["meeting", "phone", "remote", "no_show"],
    },
    {
        "code": "rehabilitation_counselling",
        "name": (
            "Matalan kynnyksen kuntoutusneuvonta",
            "Rehabiliteringsrådgivning med låg tröskel",
            "Low-threshold rehabilitation counselling",
        ),
        "description": (
            "Liikennevalotriage: vihreä = omahoidon ohjaus ja palvelutarjotin, keltainen = neuvonta tai "
            "walk-in, punainen = ammattilaisen arvio tai lähete. Walk-in-käynnit ilman lähetettä.",
            "Trafikljustriage: grönt = egenvård och servicebrickan, gult = rådgivning eller drop-in, rött = "
            "bedömning av en yrkesperson eller remiss. Drop-in-besök utan remiss.",
            "Traffic-light triage: green = self-care guidance and the service tray, yellow = counselling or "
            "walk-in, red = professional assessment or referral. Walk-in visits without a referral.",
        ),
        "triage": True,
        "walk_in": True,
        "measurement_months": [0, 3],
        "instruments": ["was", "self_rated_health", "ons4"],
        "outcome_kinds": ["group_joined", "other_progress"],
        "contact_kinds": ["meeting", "phone", "remote", "walk_in", "no_show"],
    },
    {
        "code": "lifestyle",
        "name": ("Elintapaohjaus", "Levnadsvanevägledning", "Lifestyle care path"),
        "description": (
            "Elintapaohjauksen polut: nikotiinista vieroitus, painonhallinta, unettomuus, ravitsemus, "
            "liikunta.",
            "Vägledning i levnadsvanor: nikotinavvänjning, viktkontroll, sömnlöshet, näring, motion.",
            "Lifestyle care paths: nicotine cessation, weight management, insomnia, nutrition, physical "
            "activity.",
        ),
        "measurement_months": [0, 3, 6, 12],
        "instruments": [*PA, "body", "auditc"],
        "outcome_kinds": ["quit_nicotine", "group_joined", "other_progress"],
        "contact_kinds": ["meeting", "phone", "remote", "group", "no_show"],
        "tracks": ["nicotine", "weight", "insomnia", "nutrition", "physical_activity"],
    },
]


def load_programmes(programme: Any) -> None:
    """Create or update the shipped programmes (``programme``: the model, real or historical)."""
    for spec in PROGRAMMES:
        values = dict(spec)
        code = values.pop("code")
        (fi, sv, en), (dfi, dsv, den) = values.pop("name"), values.pop("description")
        programme.objects.update_or_create(
            code=code,
            defaults=values
            | {"name": fi, "name_fi": fi, "name_sv": sv, "name_en": en}
            | {"description": dfi, "description_fi": dfi, "description_sv": dsv, "description_en": den},
        )
