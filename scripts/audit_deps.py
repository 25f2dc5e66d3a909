"""Dependency audit: pip-audit over the project's virtual environment, and an honest account of what it
could not audit.

pip-audit asks PyPI for the known vulnerabilities of each installed version
(``https://pypi.org/pypi/<name>/<version>/json``). Where that answer is missing (a network that lets
only the package index through, as on the build machines of this project), pip-audit skips the package
and still says "No known vulnerabilities found". This script does not let that pass silently:

1. Every vulnerability pip-audit finds fails the audit (exit 1).
2. A package pip-audit skipped is looked up in PyPI's project document (``/pypi/<name>/json``), which
   lists the vulnerabilities of the newest release. When the installed version *is* the newest release,
   that list is exactly the installed version's, and a vulnerability there fails the audit too.
3. What neither could audit is named. With ``HYTE_AUDIT_REQUIRE_ALL=1`` (set it where the network allows
   pip-audit's own queries) any unaudited package fails the audit (exit 2); otherwise it is a warning.

Usage: ``python scripts/audit_deps.py`` (``make audit``; ``.ci/run`` runs it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

OWN_PROJECT = "hyte"  # this repository, installed in development mode; a different "hyte" is on PyPI
PROJECT_URL = "https://pypi.org/pypi/{name}/json"
PIP_AUDIT = [
    sys.executable,
    "-m",
    "pip_audit",
    "--skip-editable",
    "--progress-spinner",
    "off",
    "--format",
    "json",
]


@dataclass
class Finding:
    name: str
    version: str
    vuln_id: str
    fix_versions: list[str]
    source: str  # "pip-audit" or "pypi-latest"


@dataclass
class Audit:
    findings: list[Finding] = field(default_factory=list)
    by_pip_audit: list[str] = field(default_factory=list)
    by_latest_release: list[str] = field(default_factory=list)
    not_audited: dict[str, str] = field(default_factory=dict)  # name -> why


def canonical(name: str) -> str:
    """PEP 503 normalised name: what pip-audit reports and PyPI answers to."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _fetch_project(name: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(PROJECT_URL.format(name=name), timeout=30) as answer:  # noqa: S310
            return json.load(answer)  # type: ignore[no-any-return]
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def evaluate(
    report: dict[str, Any],
    installed: dict[str, str],
    fetch_project: Callable[[str], dict[str, Any] | None] = _fetch_project,
) -> Audit:
    """Combine pip-audit's JSON report with PyPI's newest-release vulnerabilities for what it skipped."""
    audit = Audit()
    skipped: list[str] = []
    for dep in report.get("dependencies", []):
        name = canonical(dep["name"])
        if name == OWN_PROJECT:
            continue
        if "skip_reason" in dep:
            skipped.append(name)
            continue
        audit.by_pip_audit.append(name)
        for vuln in dep.get("vulns", []):
            audit.findings.append(
                Finding(
                    name, dep.get("version", ""), vuln["id"], list(vuln.get("fix_versions", [])), "pip-audit"
                )
            )
    with ThreadPoolExecutor(max_workers=8) as pool:
        projects = dict(zip(skipped, pool.map(fetch_project, skipped), strict=True))
    for name in skipped:
        version = installed.get(name, "")
        project = projects[name]
        if project is None:
            audit.not_audited[name] = "PyPI did not answer"
            continue
        latest = project.get("info", {}).get("version", "")
        if latest != version:
            audit.not_audited[name] = f"{version} is not the newest release ({latest})"
            continue
        audit.by_latest_release.append(name)
        for vuln in project.get("vulnerabilities") or []:
            if vuln.get("withdrawn"):
                continue
            audit.findings.append(
                Finding(name, version, vuln["id"], list(vuln.get("fixed_in", [])), "pypi-latest")
            )
    return audit


def exit_code(audit: Audit, require_all: bool) -> int:
    if audit.findings:
        return 1
    if require_all and audit.not_audited:
        return 2
    return 0


def render(audit: Audit, require_all: bool) -> str:
    lines = []
    for f in sorted(audit.findings, key=lambda f: (f.name, f.vuln_id)):
        fixes = ", ".join(f.fix_versions) or "no fixed release yet"
        lines.append(f"VULNERABLE {f.name} {f.version}: {f.vuln_id} (fixed in {fixes}; from {f.source})")
    lines.append(
        f"dependency audit: {len(audit.by_pip_audit)} packages audited by pip-audit, "
        f"{len(audit.by_latest_release)} by PyPI's newest-release vulnerability list, "
        f"{len(audit.not_audited)} not audited; {len(audit.findings)} known vulnerabilities"
    )
    for name, why in sorted(audit.not_audited.items()):
        lines.append(f"  not audited: {name} ({why})")
    if audit.not_audited and not require_all:
        lines.append("  (a warning here; HYTE_AUDIT_REQUIRE_ALL=1 makes it an error)")
    return "\n".join(lines)


def installed_versions() -> dict[str, str]:
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        done = subprocess.run(  # noqa: S603 (pip-audit of this interpreter's environment)
            [*PIP_AUDIT, "--output", str(out)],
            capture_output=True,
            text=True,
        )
        if not out.exists():
            print(done.stderr, file=sys.stderr)
            print("dependency audit: pip-audit did not run", file=sys.stderr)
            return 3
        report = json.loads(out.read_text())
    require_all = os.environ.get("HYTE_AUDIT_REQUIRE_ALL", "") == "1"
    audit = evaluate(report, installed_versions())
    print(render(audit, require_all))
    return exit_code(audit, require_all)


if __name__ == "__main__":
    sys.exit(main())
