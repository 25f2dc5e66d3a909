"""The pass programmes shipped configured (hyte/attendance/programmes.py)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from hyte.attendance.programmes import load_pass_programmes

    load_pass_programmes(apps.get_model("attendance", "PassProgramme"))


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
