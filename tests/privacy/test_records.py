"""Every model that reaches a client by foreign keys is covered by the export and the erasure."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from hyte.privacy import records


def models_reaching_client() -> set[str]:
    """Labels of the models with a chain of foreign keys (or one-to-one fields) to referrals.Client."""
    client = apps.get_model("referrals", "Client")
    reach: set[type[models.Model]] = {client}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in reach:
                continue
            for field in model._meta.get_fields():
                if field.is_relation and field.concrete and field.related_model in reach:
                    reach.add(model)
                    changed = True
                    break
    return {m._meta.label for m in reach}


def test_every_model_linking_to_a_client_is_covered() -> None:
    reaching = models_reaching_client()
    covered = records.covered_model_labels()
    missing = reaching - covered
    assert not missing, (
        f"{sorted(missing)} link to referrals.Client but hyte/privacy/records.py does not cover them: "
        "add them to a record type (export and erasure) before merging."
    )
    assert covered - reaching == set(), "records.py lists a model that does not reach the client"


def test_the_walk_finds_the_known_models() -> None:
    """The walk itself works: indirect links (a visit through its pass) are found."""
    reaching = models_reaching_client()
    assert {"attendance.Visit", "feedback.FeedbackReceipt", "plans.IncomeSupportGrant"} <= reaching
    assert "feedback.FeedbackAnswer" not in reaching  # anonymous by design
    assert "catalog.Service" not in reaching


def test_every_path_leads_to_the_client_and_every_blanked_field_is_text() -> None:
    client = apps.get_model("referrals", "Client")
    for record_type in records.RECORD_TYPES:
        for part in record_type.parts:
            for path in part.paths:
                model = part.model
                for name in path.split("__"):
                    model = model._meta.get_field(name).related_model
                assert model is client, f"{part.label}: {path}"
            for name in part.blank:
                assert isinstance(part.model._meta.get_field(name), models.CharField | models.TextField)
