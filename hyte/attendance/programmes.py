"""The pass programmes shipped configured (loaded by migration 0002; the services a pass covers are
chosen per county in the admin or by seed_demo)."""

from __future__ import annotations

from typing import Any

PASS_PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "liiku",
        "name": ("LiiKu-passi", "LiiKu-passet", "LiiKu pass"),
        "description": (
            "Maksuton kulttuuri- ja vapaa-ajan passi sosiaalipalvelujen asiakkaille ja työttömien "
            "terveystarkastuksista. Jokainen käynti merkitään; 20 käynnistä saa kaksi elokuvalippua.",
            "Ett avgiftsfritt kultur- och fritidspass för klienter inom socialservicen och från "
            "hälsokontroller för arbetslösa. Varje besök antecknas; 20 besök ger två biobiljetter.",
            "A free culture and leisure pass for social services clients and from health checks of "
            "unemployed people. Every visit is marked; 20 visits earn two cinema tickets.",
        ),
        "reward_text": ("Kaksi elokuvalippua", "Två biobiljetter", "Two cinema tickets"),
        "valid_days": 365,
        "issuer_roles": ["professional", "receiver"],
        "reward_every": 20,
    },
    {
        "code": "exercise_card",
        "name": ("Maksuton liikuntakortti", "Avgiftsfritt motionskort", "Free exercise card"),
        "description": (
            "Maksuton liikuntakortti, jota on käytettävä: vähintään neljä käyntiä kuukaudessa.",
            "Ett avgiftsfritt motionskort som ska användas: minst fyra besök i månaden.",
            "A free exercise card that must be used: at least four visits a month.",
        ),
        "reward_text": ("", "", ""),
        "valid_days": 180,
        "issuer_roles": ["receiver"],
        "min_visits_per_month": 4,
        "grace_days": 30,
    },
]


def load_pass_programmes(model: Any) -> None:
    for spec in PASS_PROGRAMMES:
        values = dict(spec)
        code = values.pop("code")
        translated: dict[str, Any] = {}
        for field in ("name", "description", "reward_text"):
            fi, sv, en = values.pop(field)
            translated |= {field: fi, f"{field}_fi": fi, f"{field}_sv": sv, f"{field}_en": en}
        model.objects.update_or_create(code=code, defaults=values | translated)
