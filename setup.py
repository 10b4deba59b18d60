"""Ships the compiled catalogs and the Alembic migrations inside the wheel.

Their sources stay where the project layout keeps them, at the top of the repository
(`translations/`, `migrations/`), which a wheel has no place for. So a build copies the
compiled catalogs and the migrations into the package, as `consult/_shipped/`, where
`consult.config.SHIPPED` finds them; a checkout or an editable install has no such folder
and reads the sources in place. Everything else is declared in pyproject.toml.

Written by hand because setuptools maps files into a package only from inside it
(package-data) and the sources must stay outside; this is setuptools' documented way to add
a step to `build_py`.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithShippedData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        shipped = Path(self.build_lib) / "consult" / "_shipped"
        if shipped.exists():
            shutil.rmtree(shipped)
        for catalog in sorted(ROOT.glob("translations/*/LC_MESSAGES/messages.mo")):
            target = shipped / catalog.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(catalog, target)
        shutil.copytree(ROOT / "migrations", shipped / "migrations",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithShippedData})
