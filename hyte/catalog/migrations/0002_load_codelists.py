"""Load the Suomi.fi code lists (counties, municipalities, PTV service classes and target groups),
the languages of service and the eight themes from the files shipped in hyte/catalog/data."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from hyte.catalog import codelists

    codelists.load_all(
        SimpleNamespace(
            County=apps.get_model("catalog", "WellbeingServicesCounty"),
            Municipality=apps.get_model("catalog", "Municipality"),
            ServiceClass=apps.get_model("catalog", "ServiceClass"),
            TargetGroup=apps.get_model("catalog", "TargetGroup"),
            ServiceLanguage=apps.get_model("catalog", "ServiceLanguage"),
            Theme=apps.get_model("catalog", "Theme"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
