"""The dependency audit (scripts/audit_deps.py) fails on a vulnerability and never hides what it skipped."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_deps.py"


@pytest.fixture(scope="module")
def audit_deps() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _project(version: str, vulns: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"info": {"version": version}, "vulnerabilities": vulns or []}


def test_a_vulnerability_found_by_pip_audit_fails(audit_deps: ModuleType) -> None:
    report = {
        "dependencies": [
            {
                "name": "Django",
                "version": "6.1.2",
                "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["6.1.3"]}],
            },
            {"name": "hyte", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    audit = audit_deps.evaluate(report, {"django": "6.1.2"}, fetch_project=lambda name: pytest.fail(name))
    assert audit_deps.exit_code(audit, require_all=False) == 1
    text = audit_deps.render(audit, require_all=False)
    assert "VULNERABLE django 6.1.2: PYSEC-2026-1 (fixed in 6.1.3; from pip-audit)" in text
    assert (
        "1 packages audited by pip-audit, 0 by PyPI's newest-release vulnerability list, 0 not audited"
        in text
    )


def test_skipped_packages_are_audited_from_the_newest_release_when_it_is_installed(
    audit_deps: ModuleType,
) -> None:
    report = {
        "dependencies": [
            {"name": "gunicorn", "skip_reason": "Dependency not found on PyPI"},
            {"name": "whitenoise", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    projects = {
        "gunicorn": _project("25.1.0", [{"id": "GHSA-xxxx", "fixed_in": [], "withdrawn": None}]),
        "whitenoise": _project("6.11.0", [{"id": "OLD-1", "fixed_in": ["6.0"], "withdrawn": "2026-01-01"}]),
    }
    audit = audit_deps.evaluate(report, {"gunicorn": "25.1.0", "whitenoise": "6.11.0"}, projects.get)
    assert audit.by_latest_release == ["gunicorn", "whitenoise"]
    assert [(f.name, f.vuln_id, f.source) for f in audit.findings] == [
        ("gunicorn", "GHSA-xxxx", "pypi-latest")
    ]
    assert audit_deps.exit_code(audit, require_all=False) == 1


def test_what_could_not_be_audited_is_named_and_fails_only_when_required(audit_deps: ModuleType) -> None:
    report = {
        "dependencies": [
            {"name": "pip", "skip_reason": "Dependency not found on PyPI"},
            {"name": "ruff", "skip_reason": "Dependency not found on PyPI"},
            {"name": "asgiref", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    projects = {"pip": _project("26.3"), "ruff": None, "asgiref": _project("3.13.0")}
    audit = audit_deps.evaluate(report, {"pip": "24.2", "ruff": "0.17.5", "asgiref": "3.13.0"}, projects.get)
    assert audit.not_audited == {
        "pip": "24.2 is not the newest release (26.3)",
        "ruff": "PyPI did not answer",
    }
    assert audit.by_latest_release == ["asgiref"] and not audit.findings
    assert audit_deps.exit_code(audit, require_all=False) == 0
    assert audit_deps.exit_code(audit, require_all=True) == 2
    text = audit_deps.render(audit, require_all=False)
    assert "  not audited: pip (24.2 is not the newest release (26.3))" in text
    assert "HYTE_AUDIT_REQUIRE_ALL=1 makes it an error" in text
