"""Import Open Referral HSDS 3.0 data into the tray.

Accepted input:
- a JSON file: a list of fully nested services (``GET /services/{id}`` objects), one such service, an
  HSDS API page (``{"contents": [...]}``), or tabular JSON (``{"services.csv": [rows], ...}``);
  a file named after an object list (``organizations.json``, ``locations.json`` ...) holds that object;
- a directory of such JSON files (``services.json``, ``organizations.json`` ...), as ``export_hsds``
  writes them;
- the tabular CSV package: a directory with ``datapackage.json`` and/or the HSDS CSV files.

Every object is checked against the official schema (``schema.py``). Organizations, locations and
services are upserted by ``external_id = "hsds:<id>"`` through ``services.py``; a malformed record is
reported with its id and reason and skipped, the rest imported. Organizations go first, then the
services in batches of ``BATCH`` (each batch one transaction, each record a savepoint), then the
locations no service used. The search index is refreshed after each batch (bulk rebuild for a large
import).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext

from hyte.catalog.duplicates import record_import_duplicates
from hyte.catalog.errors import OrganizationNotFound
from hyte.catalog.models import (
    Location,
    Municipality,
    Organization,
    Service,
    ServiceClass,
    ServiceLanguage,
    TargetGroup,
    Theme,
)
from hyte.core.errors import DomainError
from hyte.integrations.hsds import mapping, schema
from hyte.integrations.hsds.errors import HsdsFileError, HsdsInvalidParameter, HsdsRecordError
from hyte.integrations.hsds.services import (
    external_id,
    hsds_location_upsert,
    hsds_organization_upsert,
    hsds_search_index_refresh,
    hsds_service_upsert,
)
from hyte.integrations.hsds.tables import (
    ENTITY_TABLES,
    Bundle,
    CellError,
    Row,
    Tables,
    flatten,
    merge_entities,
    read_csv_rows,
    typed_cell,
)
from hyte.integrations.runs import import_run_finish, import_run_start

BATCH = 500
RECORD_KINDS = ("organization", "location", "service")
REBUILD_FROM = 3000  # services; above this a bulk rebuild of the search index is faster
USED_TABLES = (
    "organization",
    "service",
    "location",
    "address",
    "accessibility",
    "service_at_location",
    "schedule",
    "phone",
    "contact",
    "language",
    "service_area",
    "cost_option",
    "attribute",
    "taxonomy_term",
    "taxonomy",
)


def _json_file_table(stem: str) -> str | None:
    """The HSDS table a JSON file holds, from its name: ``services``, ``organization_full`` ..."""
    for suffix in ("_full", "_list"):
        stem = stem.removesuffix(suffix)
    names = {r["name"]: r["name"] for r in schema.resources()}
    names |= {Path(r["path"]).stem: r["name"] for r in schema.resources()}
    names |= {"service_at_locations": "service_at_location", "taxonomies": "taxonomy"}
    return names.get(stem)


@dataclass
class Problem:
    kind: str
    id: str
    reason: str

    def line(self) -> str:
        return f"{self.kind} {self.id}: {self.reason}"


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    failures: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    service_ids: list[Any] = field(default_factory=list)

    @property
    def imported_count(self) -> int:
        return sum(self.created.values())

    @property
    def updated_count(self) -> int:
        return sum(self.updated.values())

    @property
    def failed_count(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        """The one-line, fixed-format summary (machine-readable, so not translated)."""
        return f"imported {self.imported_count}, updated {self.updated_count}, failed {self.failed_count}"


# --- reading ---


@dataclass
class Source:
    """Everything read from the input: the flattened tables and the objects that failed already."""

    tables: Tables = field(default_factory=dict)
    blame: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    file_failures: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HsdsFileError(path.name, gettext("The file is not UTF-8 text.")) from exc
    except OSError as exc:
        raise HsdsFileError(path.name, gettext("The file cannot be read.")) from exc


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path), parse_constant=_reject_constant)
    except ValueError as exc:
        raise HsdsFileError(
            path.name, gettext("The file is not valid JSON: %(error)s") % {"error": str(exc)[:200]}
        ) from exc


def _owner(table: str, row: Row, label: str) -> tuple[str, str]:
    """The record a broken row belongs to: a bad phone of a service makes that service fail."""
    if table in ENTITY_TABLES and table != "service_at_location":
        return table, _row_id(row, label)
    if table == "service_at_location" and isinstance(row.get("service_id"), str):
        return "service", row["service_id"]
    if table == "attribute" and isinstance(row.get("link_id"), str):
        return str(row.get("link_entity") or "service"), row["link_id"]
    for column, kind in (
        ("service_id", "service"),
        ("service_at_location_id", "service_at_location"),
        ("contact_id", "contact"),
        ("location_id", "location"),
        ("organization_id", "organization"),
    ):
        if isinstance(row.get(column), str) and row[column]:
            return kind, row[column]
    return table, _row_id(row, label)


def _row_id(row: Any, label: str) -> str:
    value = row.get("id") if isinstance(row, dict) else None
    return value if isinstance(value, str) and value else label


def _add_object(source: Source, table: str, obj: Any, label: str) -> None:
    """Validate one object (nested ones included) against the HSDS schema; keep it or blame its owner."""
    if not isinstance(obj, dict):
        source.blame[(table, label)].append(gettext("The record is not a JSON object."))
        return
    errors = schema.schema_errors(table, obj)
    if errors:
        reason = gettext("The record does not match the HSDS %(table)s schema: %(errors)s") % {
            "table": table,
            "errors": "; ".join(errors[:5]),
        }
        source.blame[_owner(table, obj, label)].append(reason)
        return
    flatten(table, obj, source.tables)


def _json_objects(data: Any, table: str, path: Path) -> Iterator[tuple[str, Any, str]]:
    """(table, object, label) for each object of a JSON document."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]
    if isinstance(data, dict) and data and all(isinstance(k, str) and k.endswith(".csv") for k in data):
        by_path = {r["path"]: r["name"] for r in schema.resources()}
        for csv_name, rows in data.items():  # the tables we do not use are not even checked
            if by_path.get(csv_name) in USED_TABLES and isinstance(rows, list):
                for n, row in enumerate(rows, start=1):
                    yield by_path[csv_name], row, f"{path.name} {csv_name} #{n}"
        return
    if isinstance(data, dict):
        yield table, data, path.name
        return
    if not isinstance(data, list):
        raise HsdsFileError(path.name, gettext("The file holds neither an HSDS object nor a list of them."))
    for n, obj in enumerate(data, start=1):
        yield table, obj, f"{path.name} #{n}"


def _read_json_file(source: Source, path: Path, *, default_table: str = "service") -> None:
    table = _json_file_table(path.stem) or default_table
    try:
        objects = list(_json_objects(_read_json(path), table, path))
    except HsdsFileError as exc:
        source.file_failures.append(Problem("file", exc.path, exc.reason))
        return
    for obj_table, obj, label in objects:
        _add_object(source, obj_table, obj, label)


def _csv_paths(directory: Path, source: Source) -> dict[str, Path]:
    """Table -> CSV file, from the package's datapackage.json or else the standard HSDS file names."""
    paths = {r["name"]: directory / r["path"] for r in schema.resources()}
    descriptor = directory / "datapackage.json"
    if descriptor.exists():
        try:
            declared = _read_json(descriptor).get("resources", [])
            paths |= {
                r["name"]: directory / r["path"]
                for r in declared
                if isinstance(r, dict) and r.get("name") in paths and isinstance(r.get("path"), str)
            }
        except (HsdsFileError, AttributeError):
            source.warnings.append(
                Problem(
                    "file",
                    "datapackage.json",
                    gettext(
                        "The data package descriptor cannot be read; the standard HSDS file names are used."
                    ),
                )
            )
    return {
        t: p
        for t, p in paths.items()
        if t in USED_TABLES and p.is_file() and p.resolve().is_relative_to(directory.resolve())
    }


def _read_csv_package(source: Source, directory: Path) -> None:
    for table, path in _csv_paths(directory, source).items():
        try:
            _columns, rows = read_csv_rows(_read_text(path))
        except HsdsFileError as exc:
            source.file_failures.append(Problem("file", exc.path, exc.reason))
            continue
        types = schema.field_types(table)
        for n, raw in enumerate(rows, start=2):
            label = f"{path.name} row {n}"
            if None in raw:
                source.blame[_owner(table, {k: v for k, v in raw.items() if k}, label)].append(
                    gettext("%(row)s has more values than the header has columns.") % {"row": label}
                )
                continue
            row: Row = {}
            try:
                for column, value in raw.items():
                    if column and value not in (None, ""):
                        row[column] = typed_cell(value, types.get(column, "string"), column)
            except CellError as exc:
                reason = f"{label}: {exc}"
                source.blame[_owner(table, {k: v for k, v in raw.items() if k and v}, label)].append(reason)
                continue
            _add_object(source, table, row, label)


def read_source(path: Path) -> Source:
    source = Source()
    if path.is_dir():
        if (path / "datapackage.json").exists() or any(path.glob("*.csv")):
            _read_csv_package(source, path)
        else:
            for file in sorted(path.glob("*.json")):
                _read_json_file(source, file)
    elif path.is_file():
        _read_json_file(source, path)
    else:
        source.file_failures.append(Problem("file", str(path), gettext("No such file or directory.")))
    merge_entities(source.tables)
    return source


# --- writing ---


def _validation_reason(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        fields = exc.message_dict
        shown = [f for f in fields if not (f[-3:] in ("_fi", "_sv", "_en") and f[:-3] in fields)]
        return "; ".join(f"{f}: {' '.join(fields[f])}" for f in shown)
    return "; ".join(exc.messages)


class Importer:
    def __init__(
        self,
        *,
        lang: str = "fi",
        organization: Organization | None = None,
        default_municipality: Municipality | None = None,
    ) -> None:
        self.lang = lang
        self.organization = organization
        self.default_municipality = default_municipality
        self.report = ImportReport()
        self.orgs: dict[str, Organization] = {}
        self.locations: dict[str, Location] = {}
        self.failed: dict[tuple[str, str], str] = {}
        self.reindex: set[Any] = set()
        self.rebuild = False
        municipalities = list(Municipality.objects.all())
        self.municipality_by_code = {m.code: m for m in municipalities}
        self.municipality_by_name: dict[str, Municipality] = {}
        for m in municipalities:
            for lang_code in mapping.LANGS:
                name = getattr(m, f"name_{lang_code}", "") or ""
                self.municipality_by_name.setdefault(name.casefold(), m)
        self.languages = ServiceLanguage.objects.in_bulk()
        self.terms: dict[str, dict[str, Any]] = {
            mapping.THEMES.key: Theme.objects.in_bulk(),
            mapping.SERVICE_CLASSES.key: ServiceClass.objects.in_bulk(),
            mapping.TARGET_GROUPS.key: TargetGroup.objects.in_bulk(),
        }

    # -- bookkeeping --

    def _fail(self, kind: str, record_id: str, reason: str) -> None:
        self.failed[(kind, record_id)] = reason
        self.report.failures.append(Problem(kind, record_id, reason))

    def _warn(self, kind: str, record_id: str, messages: list[str]) -> None:
        self.report.warnings += [Problem(kind, record_id, m) for m in messages]

    def _count(self, kind: str, created: bool) -> None:
        (self.report.created if created else self.report.updated)[kind] += 1

    # -- the three kinds of record --

    def _organization(self, bundle: Bundle, row: Row, blame: dict[tuple[str, str], list[str]]) -> None:
        org_id = row["id"]
        if ("organization", org_id) in blame:
            self._fail("organization", org_id, " ".join(blame.pop(("organization", org_id))))
            return
        try:
            values = mapping.organization_values(bundle, row)
            with transaction.atomic():
                org, created = hsds_organization_upsert(values=values, lang=self.lang)
        except HsdsRecordError as exc:
            self._fail("organization", org_id, exc.reason)
            return
        except ValidationError as exc:
            self._fail("organization", org_id, _validation_reason(exc))
            return
        self.orgs[org_id] = org
        self._count("organization", created)
        self._warn("organization", org_id, values.warnings)
        if not created:
            self.reindex.update(Service.objects.filter(organization=org).values_list("pk", flat=True))

    def _known_organization(self, hsds_id: str | None) -> Organization | None:
        if not hsds_id:
            return None
        if hsds_id in self.orgs:
            return self.orgs[hsds_id]
        return Organization.objects.filter(external_id=external_id(hsds_id)).first()

    def _municipality(self, values: mapping.LocationValues, org: Organization) -> Municipality:
        for name in (values.region, values.post_office, values.state_province):
            found = self.municipality_by_name.get(name.casefold()) if name else None
            if found is not None:
                return found
        found = self.default_municipality or org.municipality
        if found is None:
            raise HsdsRecordError(
                values.hsds_id,
                gettext(
                    "The municipality of the location cannot be told from its address; "
                    "give a default municipality."
                ),
                kind="location",
            )
        return found

    def _location(
        self,
        bundle: Bundle,
        hsds_id: str,
        fallback: Organization | None,
        blame: dict[tuple[str, str], list[str]],
    ) -> Location:
        """The location with this HSDS id, imported on first use; HsdsRecordError when it failed."""
        if hsds_id in self.locations:
            return self.locations[hsds_id]
        if ("location", hsds_id) in self.failed:
            raise HsdsRecordError(hsds_id, self.failed[("location", hsds_id)], kind="location")
        row = bundle.get("location", hsds_id)
        if row is None and ("location", hsds_id) not in blame:
            existing = Location.objects.filter(external_id=external_id(hsds_id)).first()
            if existing is None:
                raise HsdsRecordError(hsds_id, gettext("The location is not in the data."), kind="location")
            self.locations[hsds_id] = existing
            return existing
        try:
            if ("location", hsds_id) in blame:
                raise HsdsRecordError(hsds_id, " ".join(blame.pop(("location", hsds_id))), kind="location")
            assert row is not None
            values = mapping.location_values(bundle, row)
            org = self.organization or self._known_organization(values.organization_hsds_id) or fallback
            if org is None:
                raise HsdsRecordError(
                    hsds_id, gettext("The organization of the location is not in the data."), kind="location"
                )
            municipality = self._municipality(values, org)
            with transaction.atomic():
                loc, created = hsds_location_upsert(
                    values=values, organization=org, municipality=municipality, lang=self.lang
                )
        except HsdsRecordError as exc:
            self._fail("location", hsds_id, exc.reason)
            raise
        except ValidationError as exc:
            self._fail("location", hsds_id, _validation_reason(exc))
            raise HsdsRecordError(hsds_id, _validation_reason(exc), kind="location") from exc
        self.locations[hsds_id] = loc
        self._count("location", created)
        self._warn("location", hsds_id, values.warnings)
        if not created:
            self.reindex.update(loc.services.values_list("pk", flat=True))
        return loc

    def _service_organization(self, values: mapping.ServiceValues) -> Organization:
        if self.organization is not None:
            return self.organization
        org_id = values.organization_hsds_id
        if not org_id:
            raise HsdsRecordError(values.hsds_id, gettext("The service has no organization."))
        if ("organization", org_id) in self.failed:
            raise HsdsRecordError(
                values.hsds_id,
                gettext("Its organization %(id)s could not be imported.") % {"id": org_id},
            )
        org = self._known_organization(org_id)
        if org is None:
            raise HsdsRecordError(
                values.hsds_id,
                gettext("Its organization %(id)s is neither in the data nor imported before.")
                % {"id": org_id},
            )
        return org

    def _service(self, bundle: Bundle, row: Row, blame: dict[tuple[str, str], list[str]]) -> None:
        sid = row["id"]
        if ("service", sid) in blame:
            self._fail("service", sid, " ".join(blame.pop(("service", sid))))
            return
        try:
            values = mapping.service_values(bundle, row)
            org = self._service_organization(values)
            locations: dict[str, Location] = {}
            for loc_id in values.location_hsds_ids:
                try:
                    locations[loc_id] = self._location(bundle, loc_id, org, blame)
                except HsdsRecordError as exc:
                    raise HsdsRecordError(
                        sid,
                        gettext("Its location %(id)s could not be imported: %(reason)s")
                        % {"id": loc_id, "reason": exc.reason},
                    ) from exc
            refs = self._service_refs(values)
            with transaction.atomic():
                service, created = hsds_service_upsert(
                    values=values, organization=org, locations=locations, lang=self.lang, **refs
                )
        except HsdsRecordError as exc:
            self._fail("service", sid, exc.reason)
            return
        except ValidationError as exc:
            self._fail("service", sid, _validation_reason(exc))
            return
        except (IntegrityError, DataError) as exc:
            self._fail("service", sid, str(exc)[:300])
            return
        self._count("service", created)
        self._warn("service", sid, values.warnings)
        self.report.service_ids.append(service.pk)
        self.reindex.add(service.pk)

    def _service_refs(self, values: mapping.ServiceValues) -> dict[str, Any]:
        """Our code-list objects for the service's languages, areas and terms; unknown ones warned."""
        languages = []
        for code in dict.fromkeys(values.languages):
            if code in self.languages:
                languages.append(self.languages[code])
            else:
                values.warnings.append(
                    gettext("The language “%(code)s” is not in our list of languages; left out.")
                    % {"code": code[:20]}
                )
        municipalities: dict[str, Municipality] = {}
        for area in values.areas:
            found = self.municipality_by_code.get(area.code or "") or self.municipality_by_name.get(
                area.name.casefold()
            )
            if found is not None:
                municipalities[found.code] = found
            else:
                values.warnings.append(
                    gettext("The service area “%(name)s” is not a Finnish municipality; left out.")
                    % {"name": area.name[:80]}
                )
        picked: dict[str, list[Any]] = defaultdict(list)
        for taxonomy, code in values.terms:
            obj = self.terms[taxonomy].get(code)
            if obj is None:
                values.warnings.append(
                    gettext("The code “%(code)s” is not in the taxonomy %(taxonomy)s; left out.")
                    % {"code": code[:40], "taxonomy": taxonomy}
                )
            else:
                picked[taxonomy].append(obj)
        return {
            "languages": languages,
            "municipalities": list(municipalities.values()),
            "themes": picked[mapping.THEMES.key],
            "service_classes": picked[mapping.SERVICE_CLASSES.key],
            "target_groups": picked[mapping.TARGET_GROUPS.key],
        }

    # -- the run --

    def run(self, path: Path) -> ImportReport:
        """Messages come in the active language (the operator's), texts go to ``self.lang`` columns."""
        source = read_source(path)
        self.report.failures += source.file_failures
        self.report.warnings += source.warnings
        bundle = Bundle(source.tables)
        blame = _resolve_blame(bundle, source.blame)
        services = [r for r in bundle.rows("service") if isinstance(r.get("id"), str)]
        self.rebuild = len(services) > REBUILD_FROM
        if self.organization is None:
            with transaction.atomic():
                for row in bundle.rows("organization"):
                    if isinstance(row.get("id"), str):
                        self._organization(bundle, row, blame)
                self._refresh()
        # Organizations broken beyond reading fail before the services that need them.
        for kind, record_id in [key for key in blame if key[0] == "organization"]:
            self._fail(kind, record_id, " ".join(blame.pop((kind, record_id))))
        for start in range(0, len(services), BATCH):
            with transaction.atomic():
                for row in services[start : start + BATCH]:
                    self._service(bundle, row, blame)
                self._refresh()
        with transaction.atomic():
            for row in bundle.rows("location"):  # the ones no service uses
                loc_id = row.get("id")
                unused = isinstance(loc_id, str) and loc_id not in self.locations
                if unused and ("location", loc_id) not in self.failed:
                    self._standalone_location(bundle, str(loc_id), blame)
            self._refresh()
            if self.rebuild:
                hsds_search_index_refresh(service_ids=[], rebuild=True)
        for (kind, record_id), reasons in blame.items():
            if (kind, record_id) in self.failed:
                continue
            if kind in RECORD_KINDS:
                self._fail(kind, record_id, " ".join(reasons))
            else:  # e.g. a taxonomy term: not a record of ours, so it cannot fail an import
                self._warn(kind, record_id, reasons)
        return self.report

    def _standalone_location(
        self, bundle: Bundle, loc_id: str, blame: dict[tuple[str, str], list[str]]
    ) -> None:
        with contextlib.suppress(HsdsRecordError):  # reported by _location
            self._location(bundle, loc_id, None, blame)

    def _refresh(self) -> None:
        """Index the services changed so far (a large import waits for one bulk rebuild at the end)."""
        if not self.rebuild and self.reindex:
            hsds_search_index_refresh(service_ids=list(self.reindex))
        self.reindex = set()


def _resolve_blame(
    bundle: Bundle, blame: dict[tuple[str, str], list[str]]
) -> dict[tuple[str, str], list[str]]:
    """Problems of a service_at_location or a contact belong to its service (when we know it)."""
    resolved: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (kind, record_id), reasons in blame.items():
        row = bundle.get(kind, record_id) if kind in ("service_at_location", "contact") else None
        service_id = row.get("service_id") if row else None
        if not service_id and row and kind == "contact":
            link = bundle.get("service_at_location", row.get("service_at_location_id"))
            service_id = link.get("service_id") if link else None
        key = ("service", service_id) if isinstance(service_id, str) else (kind, record_id)
        resolved[key] += reasons
    return resolved


def import_hsds(
    path: Path,
    *,
    lang: str = "fi",
    organization_external_id: str | None = None,
    default_municipality: str | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> ImportReport:
    """Import one file or directory (see the module docstring); never raises for a bad record. Each
    import is recorded as an import run (source ``hsds``)."""
    if lang not in mapping.LANGS:
        raise HsdsInvalidParameter(
            gettext("Unknown language “%(value)s”: use fi, sv or en.") % {"value": lang[:20]},
            details={"field": "lang"},
        )
    organization = None
    if organization_external_id:
        organization = Organization.objects.filter(external_id=organization_external_id).first()
        if organization is None:
            raise OrganizationNotFound(details={"external_id": organization_external_id[:100]})
    municipality = None
    if default_municipality:
        municipality = Municipality.objects.filter(code=default_municipality).first()
        if municipality is None:
            raise HsdsInvalidParameter(
                gettext("Unknown value “%(value)s” for “%(name)s”.")
                % {"value": default_municipality[:50], "name": "default_municipality"},
                details={"field": "default_municipality"},
            )
    run = import_run_start(source="hsds", location=str(path), actor=actor, options={"lang": lang})
    try:
        report = Importer(lang=lang, organization=organization, default_municipality=municipality).run(path)
    except DomainError as exc:
        import_run_finish(run, failure=str(exc.message))
        raise
    # Likely duplicates of local listings are recorded for staff, never blocking (catalog.duplicates).
    written = Service.objects.filter(external_id__startswith="hsds:", updated_at__gte=run.started_at)
    run.options["duplicates"] = record_import_duplicates(
        service_ids=list(written.values_list("pk", flat=True)), source_prefix="hsds:", import_run=run.pk
    )
    import_run_finish(
        run,
        created=report.imported_count,
        updated=report.updated_count,
        errors=[{"id": f"{p.kind} {p.id}", "reason": p.reason} for p in report.failures],
    )
    return report
