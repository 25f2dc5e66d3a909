"""`.env.example` lists every environment variable the settings and gunicorn.conf.py read, and no other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "hyte" / "config" / "settings.py", ROOT / "gunicorn.conf.py"]
# Read elsewhere: the default of `manage.py import_ptv --api-key-env`.
OTHER_VARIABLES = {"HYTE_PTV_API_KEY"}


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def variables_read(source: str) -> set[str]:
    """Names in os.environ.get("X"), os.environ["X"], os.getenv("X") and env_bool("X") calls."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        key: ast.AST | None = None
        if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            key = node.slice
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            environ_get = (
                isinstance(func, ast.Attribute)
                and func.attr in {"get", "setdefault"}
                and _is_os_environ(func.value)
            )
            getenv = isinstance(func, ast.Attribute) and func.attr == "getenv"
            helper = isinstance(func, ast.Name) and func.id.startswith("env_")
            if environ_get or getenv or helper:
                key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def variables_listed(text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)}


def test_parser_finds_the_forms_used() -> None:
    source = (
        'import os\nA = os.environ.get("A", "")\nB = os.environ["B"]\nC = env_bool("C")\nD = os.getenv("D")\n'
    )
    assert variables_read(source) == {"A", "B", "C", "D"}


def test_env_example_lists_every_variable_and_no_other() -> None:
    read = set().union(*(variables_read(path.read_text()) for path in SOURCES)) | OTHER_VARIABLES
    listed = variables_listed((ROOT / ".env.example").read_text())
    assert read, "the parser found no variables: has the settings' style changed?"
    assert not read - listed, f"missing from .env.example: {sorted(read - listed)}"
    assert not listed - read, f"in .env.example but read nowhere: {sorted(listed - read)}"
