"""The personal data log is append-only in the database itself, and the chain head starts at the
genesis hash.

PostgreSQL refuses UPDATE and DELETE of entries (TRUNCATE, an owner's operation, stays possible: the
test runner empties tables with it; run the application with a database role that does not own the
tables). SQLite refuses UPDATE; a DELETE cannot be refused there without also breaking Django's
``flush``, and ``verify_audit_log`` finds a removed entry from the gap in the numbering or the head."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_personaldatalog_no_update BEFORE UPDATE ON core_personaldatalog
       BEGIN SELECT RAISE(ABORT, 'the personal data log is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER core_personaldatalog_no_update",
]
POSTGRESQL = [
    """CREATE FUNCTION core_personaldatalog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the personal data log is append-only'; END $$""",
    """CREATE TRIGGER core_personaldatalog_append_only BEFORE UPDATE OR DELETE
       ON core_personaldatalog FOR EACH STATEMENT EXECUTE FUNCTION core_personaldatalog_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER core_personaldatalog_append_only ON core_personaldatalog",
    "DROP FUNCTION core_personaldatalog_append_only()",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []):
        schema_editor.execute(sql)
    apps.get_model("core", "PersonalDataLogHead").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_personaldataloghead_personaldatalog")]
    operations = [migrations.RunPython(forwards, backwards)]
