"""The project's shape holds: import rules between folders, and README telling the truth."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from consult.config import PROJECT_ROOT, SETTINGS

PACKAGE = PROJECT_ROOT / "consult"
README = (PROJECT_ROOT / "README.md").read_text()

# module prefix -> consult modules it must never import
FORBIDDEN = {
    "consult.config": ("consult.",),
    "consult.i18n": ("consult.",),
    "consult.inputs": ("consult.",),
    "consult.forms": ("consult.participation", "consult.staff", "consult.models",
                      "consult.extensions"),
    "consult.models": ("consult.extensions", "consult.participation", "consult.staff",
                       "consult.questionnaires", "consult.invitations", "consult.audit"),
    "consult.questionnaires": ("consult.participation", "consult.staff"),
    "consult.invitations": ("consult.participation", "consult.staff"),
    "consult.audit": ("consult.participation", "consult.staff"),
    "consult.allocation": ("consult.participation", "consult.staff", "consult.imports"),
    "consult.secret_links": ("consult.",),
    "consult.participation": ("consult.staff", "consult.rights"),
    "consult.staff": ("consult.participation",),
    "consult.schedule": ("consult.extensions", "consult.participation", "consult.staff"),
    "consult.meeting_record": ("consult.participation", "consult.staff"),
    "consult.paper_booklets": ("consult.participation", "consult.staff"),
    "consult.submissions": ("consult.participation", "consult.staff", "consult.alerts"),
    "consult.caseload_list": ("consult.participation", "consult.staff", "consult.rights",
                              "consult.requests"),
    "consult.concerns": ("consult.participation", "consult.staff", "consult.rights",
                         "consult.requests"),
    "consult.short_codes": ("consult.",),
    "consult.vocabulary": ("consult.extensions", "consult.participation", "consult.staff",
                           "consult.reports", "consult.audit"),
    "consult.imports": ("consult.participation", "consult.staff"),
    "consult.requests": ("consult.participation", "consult.staff", "consult.rights"),
    "consult.council": ("consult.participation", "consult.staff", "consult.rights"),
    "consult.alerts": ("consult.participation", "consult.staff", "consult.rights",
                       "consult.requests"),
    "consult.rights": ("consult.staff",),
    "consult.reports": ("consult.participation", "consult.rights"),
    "consult.policy": ("consult.staff", "consult.participation", "consult.extensions"),
    "consult.data_protection": ("consult.staff", "consult.participation"),
    "consult.encryption": ("consult.staff", "consult.participation"),
    "consult.voices": ("consult.participation", "consult.staff", "consult.rights"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: _module_name(p))
def test_modules_keep_to_their_import_rules(path):
    module = _module_name(path)
    rules = [banned for prefix, banned in FORBIDDEN.items()
             if module == prefix or module.startswith(prefix + ".")]
    own_package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for imported in _imports(path):
        for banned in (b for group in rules for b in group):
            if imported.startswith(own_package + ".") or imported == own_package:
                continue
            assert not (imported == banned.rstrip(".") or imported.startswith(banned)), (
                f"{module} imports {imported}")


def test_readme_has_exactly_the_two_set_up_commands():
    assert README.count("<!-- run-command -->") == 1
    assert README.count("<!-- test-command -->") == 1


def test_readme_configuration_table_lists_every_setting():
    table = README.split("<!-- configuration-table -->", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", table, re.MULTILINE)
    documented = {name: default for name, default, _meaning in rows}
    expected = {s.name: f"`{s.default}`" if s.default else "(none)" for s in SETTINGS}
    assert documented == expected
