"""Fail when the gettext catalogs are stale (a string in the code is missing) or not fully translated.

Regenerates the catalogs into a temporary copy with makemessages and compares the msgids, so the
working tree is never modified. Finnish and Swedish must translate everything; English is the source.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("fi", "sv")


def entries(po: Path) -> dict[str, list[str]]:
    """msgid -> list of msgstr values (plural forms included); multi-line strings joined."""
    text = po.read_text(encoding="utf-8")
    result: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        key, current, values = None, None, []
        for ln in lines:
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', ln)
            if m:
                current = m.group(1)
                if current == "msgid":
                    key = m.group(2)
                elif current.startswith("msgstr"):
                    values.append(m.group(2))
            elif ln.startswith('"') and current:
                if current == "msgid" and key is not None:
                    key += ln[1:-1]
                elif current.startswith("msgstr"):
                    values[-1] += ln[1:-1]
        if key:
            fuzzy = "#, fuzzy" in block
            result[key] = ["" if fuzzy else v for v in values]
    return result


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp) / "locale"
        shutil.copytree(ROOT / "locale", backup)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "fi",
                    "-l",
                    "sv",
                    "--no-obsolete",
                    "--ignore=.venv/*",
                    "--ignore=bench/*",
                    "--ignore=tests/*",
                    "--ignore=var/*",
                    "-v",
                    "0",
                ],
                cwd=ROOT,
                check=True,
            )
            for lang in REQUIRED:
                fresh = entries(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")
                committed = entries(backup / lang / "LC_MESSAGES" / "django.po")
                for msgid in sorted(set(fresh) - set(committed)):
                    problems.append(f"{lang}: not in the committed catalog (run make messages): {msgid!r}")
                for msgid, values in fresh.items():
                    if msgid and (not values or any(v == "" for v in values)):
                        problems.append(f"{lang}: untranslated or fuzzy: {msgid!r}")
        finally:  # the check never changes the working tree
            shutil.rmtree(ROOT / "locale")
            shutil.copytree(backup, ROOT / "locale")
    for p in problems:
        print(p)
    print(f"translation catalogs: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
