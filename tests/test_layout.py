"""The project's shape holds: README's layout table is the import rules, and README tells the truth.

The table in README's "Where things are" is read here, row by row, and every module of
`consult/` is checked against the "May import" of its row. What a module imports counts
with what importing it sets off: importing `consult.staff.access` runs
`consult/staff/__init__.py`, which registers every staff route, so that import counts as
importing `consult.staff` and everything its `__init__` imports. (The root
`consult/__init__.py`, which only defines `create_app`, runs for every import and is left
out.) Apart from the rows, no domain module may import a blueprint package.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from consult.config import PROJECT_ROOT, SETTINGS

PACKAGE = PROJECT_ROOT / "consult"
README = (PROJECT_ROOT / "README.md").read_text()
ROOT = "consult"
# The modules that put the app together; every other module outside the blueprint packages
# is a domain module (README says so under the table, checked below).
ENTRY_POINTS = frozenset({"consult", "consult.cli", "consult.demo"})


# -- the import graph --------------------------------------------------------------------

@dataclass(frozen=True)
class Module:
    name: str
    is_package: bool
    imports: frozenset[str]  # consult modules it names, resolved to modules
    outside: frozenset[str]  # the top-level names of everything else it imports
    defines_blueprint: bool


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_modules(package: Path) -> dict[str, Module]:
    """Every module under `package` (a `consult/` folder), with what it imports."""
    paths = {_module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    modules = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text())
        named, outside = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    (named if alias.name.split(".")[0] == ROOT else outside).add(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] != ROOT:
                    outside.add(node.module)
                    continue
                for alias in node.names:  # `from consult.staff import bp, admin`
                    submodule = f"{node.module}.{alias.name}"
                    named.add(submodule if submodule in paths else node.module)
        imports = set()
        for imported in named:
            while imported not in paths:  # `import consult.x.y` of a name, not a module
                imported = imported.rsplit(".", 1)[0]
            imports.add(imported)
        blueprint = any(
            isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "Blueprint" for node in tree.body)
        modules[name] = Module(name, path.name == "__init__.py", frozenset(imports - {name}),
                               frozenset(n.split(".")[0] for n in outside), blueprint)
    return modules


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(2, len(parts))]  # never the root


def loaded_by(module: Module, modules: dict[str, Module]) -> set[str]:
    """What importing `module` imports: its own imports, and whatever the `__init__` of each
    package on the way (theirs and its own) imports in turn."""
    loaded: set[str] = set()
    inits_run: set[str] = set()

    def run_inits(name: str) -> list[str]:
        packages = _ancestors(name)
        if modules.get(name) is not None and modules[name].is_package:
            packages.append(name)
        more = []
        for package in packages:
            if package not in inits_run and package in modules:
                inits_run.add(package)
                more.extend(modules[package].imports)
        return more

    waiting = [*module.imports, *run_inits(module.name)]
    while waiting:
        name = waiting.pop()
        if name in loaded or name in (ROOT, module.name):
            continue
        loaded.add(name)
        waiting.extend(run_inits(name))
    return loaded


def blueprint_packages(modules: dict[str, Module]) -> set[str]:
    """The packages (or lone modules) that create a Blueprint, and so register routes."""
    return {name for name, module in modules.items() if module.defines_blueprint}


def _within(name: str, prefix: str) -> bool:
    """Whether module `name` is `prefix` or inside it (the root row covers the root only)."""
    return name == prefix or (prefix != ROOT and name.startswith(prefix + "."))


# -- README's table ----------------------------------------------------------------------

@dataclass
class Rule:
    everything: bool = False
    standard_library_only: bool = False
    domain_modules: bool = False
    each_other: bool = False
    allowed: set[str] = field(default_factory=set)
    never: set[str] = field(default_factory=set)


@dataclass
class LayoutRow:
    paths: list[str]
    may_import: str
    modules: set[str] = field(default_factory=set)  # the consult module prefixes it covers
    rules: dict[str | None, Rule] = field(default_factory=dict)  # None: every module of it


def _consult_name(text: str) -> str:
    text = text.strip().rstrip("/").removesuffix(".py").replace("/", ".")
    return text if text == ROOT or text.startswith(f"{ROOT}.") else f"{ROOT}.{text}"


def _parse_rule(text: str, where: str) -> Rule:
    rule = Rule()
    text = re.sub(r"\([^)]*\)", "", text)  # parentheses explain; they do not rule
    for phrase in (part.strip() for part in text.split(",")):
        names = [_consult_name(name) for name in re.findall(r"`([^`]+)`", phrase)]
        bare = re.sub(r"`[^`]+`", "NAME", phrase)
        if phrase == "everything":
            rule.everything = True
        elif phrase == "standard library only":
            rule.standard_library_only = True
        elif bare == "no other NAME module" and names == [ROOT]:
            pass  # nothing from consult, and any library
        elif phrase == "domain modules":
            rule.domain_modules = True
        elif phrase == "each other":
            rule.each_other = True
        elif re.fullmatch(r"never NAME(( or|,) NAME)*", bare):
            rule.never.update(names)
        elif bare in ("NAME", "NAME only"):
            rule.allowed.update(names)
        else:
            raise AssertionError(f"README's layout table, {where}: cannot read {phrase!r}")
    return rule


def parse_layout_table(readme: str) -> list[LayoutRow]:
    table = readme.split("| Folder or module | What it holds | May import |\n", 1)[1]
    rows = []
    for line in table.split("\n\n", 1)[0].splitlines()[1:]:  # after the | --- | line
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, f"README's layout table: a row without three cells: {line}"
        first, *others = re.findall(r"`([^`]+)`", cells[0])
        folder = first.rstrip("/").rsplit("/", 1)[0] + "/" if "/" in first.rstrip("/") else ""
        row = LayoutRow([first, *(folder + other for other in others)], cells[2])
        for path in row.paths:
            if path.startswith(f"{ROOT}/") and (path.endswith(".py") or path.endswith("/")):
                row.modules.add(_consult_name(path.removesuffix("/__init__.py")))
        if row.modules:
            phrases: dict[str | None, list[str]] = {}  # `x`: for module x; else for all
            for segment in filter(None, (part.strip() for part in cells[2].split(";"))):
                target = re.match(r"`([^`]+)`:\s*(.*)", segment)
                key = _consult_name(target.group(1)) if target else None
                phrases.setdefault(key, []).append(target.group(2) if target else segment)
            row.rules = {key: _parse_rule(", ".join(texts), f"row {cells[0]}")
                         for key, texts in phrases.items()}
        rows.append(row)
    return rows


def row_of(name: str, rows: list[LayoutRow]) -> tuple[LayoutRow, str] | None:
    """The row describing module `name` (the most specific), and the prefix that matched."""
    matches = [(len(prefix), row, prefix) for row in rows for prefix in row.modules
               if _within(name, prefix)]
    if not matches:
        return None
    _length, row, prefix = max(matches, key=lambda match: match[0])
    return row, prefix


def violations(modules: dict[str, Module], rows: list[LayoutRow], name: str) -> list[str]:
    """How module `name` breaks its row of the table, or imports a blueprint package."""
    module = modules[name]
    found = row_of(name, rows)
    if found is None:
        return [f"{name} is in no row of README's layout table"]
    row, prefix = found
    rule = next((rule for key, rule in row.rules.items() if key and _within(name, key)),
                row.rules.get(None))
    if rule is None:
        return [f"{name}: its row ({', '.join(row.paths)}) says nothing it may import"]
    blueprints = blueprint_packages(modules)
    in_blueprint = any(_within(name, package) for package in blueprints)
    domain = {other for other in modules if other not in ENTRY_POINTS
              and not any(_within(other, package) for package in blueprints)}
    problems = []
    if rule.standard_library_only:
        libraries = module.outside - set(sys.stdlib_module_names) - {"__future__"}
        if libraries:
            problems.append(f"{name} imports {sorted(libraries)}: standard library only")
    for imported in sorted(loaded_by(module, modules)):
        own = any(_within(imported, mine) for mine in row.modules)
        allowed = (rule.everything or own
                   or (rule.domain_modules and imported in domain)
                   or any(_within(imported, prefix) for prefix in rule.allowed))
        if any(_within(imported, banned) for banned in rule.never) or not allowed:
            problems.append(f"{name} imports {imported}, outside its row's "
                            f"'May import' ({row.may_import})")
        if (name not in ENTRY_POINTS and not in_blueprint
                and any(_within(imported, package) for package in blueprints)):
            problems.append(f"{name}, a domain module, imports the blueprint {imported}")
    return problems


MODULES = read_modules(PACKAGE)
ROWS = parse_layout_table(README)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_keeps_to_its_row_of_the_readme_table(name):
    assert violations(MODULES, ROWS, name) == []


def test_every_consult_path_in_the_table_exists_and_rows_do_not_overlap():
    for row in ROWS:
        for path in row.paths:
            assert (PROJECT_ROOT / path).exists(), f"README's layout table names {path}"
    prefixes = [prefix for row in ROWS for prefix in row.modules]
    assert len(prefixes) == len(set(prefixes)), "a module is in two rows of the table"
    for row in ROWS:
        for target in (key for key in row.rules if key is not None):
            assert target in row.modules, f"a rule for {target}, which is not in its row"


def test_the_table_says_which_modules_are_domain_modules():
    # "Domain modules", used in the table, are every module but the blueprint packages and
    # the entry points; README lists both under the table.
    sentence = README.split("*Domain modules*", 1)[1].split("\n\n", 1)[0]
    named = {_consult_name(name.removesuffix("/__init__.py").removesuffix("/"))
             for name in re.findall(r"`([^`]+)`", sentence)}
    assert named == blueprint_packages(MODULES) | ENTRY_POINTS


# -- the check fails when it should -------------------------------------------------------

def _planted(name: str, *imports: str) -> dict[str, Module]:
    modules = dict(MODULES)
    module = modules[name]
    modules[name] = Module(name, module.is_package, module.imports | set(imports),
                           module.outside, module.defines_blueprint)
    return modules


def test_the_real_tree_passes_and_planted_imports_fail():
    assert all(violations(MODULES, ROWS, name) == [] for name in MODULES)
    # A domain module importing a blueprint package: both rules catch it.
    planted = violations(_planted("consult.figures.measures", "consult.staff.access"),
                         ROWS, "consult.figures.measures")
    assert any("a domain module, imports the blueprint consult.staff" in p for p in planted)
    assert any("imports consult.staff.views, outside its row's" in p for p in planted)
    # A narrower row: vocabulary may import models only.
    assert violations(_planted("consult.vocabulary", "consult.audit"), ROWS,
                      "consult.vocabulary") == [
        "consult.vocabulary imports consult.audit, outside its row's 'May import' "
        "(`models` only)"]
    # Through a package's __init__: concerns imports alerts.outbox, and alerts/__init__.py
    # (planted) imports the staff views, so importing the outbox registers staff routes.
    through_init = violations(_planted("consult.alerts", "consult.staff.views"), ROWS,
                              "consult.concerns")
    assert any("consult.concerns, a domain module, imports the blueprint consult.staff" in p
               for p in through_init)
    # Standard library only means no library either.
    config = MODULES["consult.config"]
    with_flask = dict(MODULES, **{"consult.config": Module(
        config.name, False, config.imports, config.outside | {"flask"}, False)})
    assert violations(with_flask, ROWS, "consult.config") == [
        "consult.config imports ['flask']: standard library only"]


def test_a_row_that_drifts_from_the_code_fails():
    # README's old row for health.py allowed `extensions` and `web`; health uses `policy`.
    drifted = README.replace(
        "| `consult/health.py`, `logs.py` | `/healthz` and `/readyz`; JSON logs with a request id "
        "| `extensions`, `policy`, `web` |",
        "| `consult/health.py`, `logs.py` | `/healthz` and `/readyz`; JSON logs with a request id "
        "| `extensions`, `web` |")
    assert drifted != README
    assert violations(MODULES, parse_layout_table(drifted), "consult.health") == [
        "consult.health imports consult.policy, outside its row's 'May import' "
        "(`extensions`, `web`)"]
    with pytest.raises(AssertionError, match="cannot read 'whatever it likes'"):
        parse_layout_table(README.replace("| `models` only |", "| whatever it likes |", 1))


def test_readme_has_exactly_the_two_set_up_commands():
    assert README.count("<!-- run-command -->") == 1
    assert README.count("<!-- test-command -->") == 1


def test_readme_configuration_table_lists_every_setting():
    table = README.split("<!-- configuration-table -->", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", table, re.MULTILINE)
    documented = {name: default for name, default, _meaning in rows}
    expected = {s.name: f"`{s.default}`" if s.default else "(none)" for s in SETTINGS}
    assert documented == expected


# Questionnaires are data (issue 21): their definitions may be as long as the forms are.
LONG_AS_DATA = {"consult/questionnaires/definitions.py"}
MOST_LINES = 400


def test_no_module_is_over_400_lines_but_questionnaire_data():
    """A module that grows past 400 lines is doing more than one job: split it by job."""
    too_long = {str(path.relative_to(PROJECT_ROOT)): lines
                for path in sorted(PACKAGE.rglob("*.py"))
                if (lines := len(path.read_text().splitlines())) > MOST_LINES}
    assert {path: lines for path, lines in too_long.items()
            if path not in LONG_AS_DATA} == {}
