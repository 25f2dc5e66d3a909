"""The programmes shipped configured (hyte/pathways/programmes.py)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from hyte.pathways.programmes import load_programmes

    load_programmes(apps.get_model("pathways", "Programme"))


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
