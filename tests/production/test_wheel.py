"""The app runs from an installed wheel, with no checkout in sight.

A council builds an image with `pip install` of the wheel, not from a clone: the compiled
catalogs and the migrations must travel inside it (setup.py puts them there). This builds
the wheel, installs it with the locked dependencies into a new virtualenv, and from a folder
outside the repository migrates a database, loads the demo, serves the app and fetches a
child's first question over HTTP.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import html5lib
import httpx
import pytest

from consult.config import PROJECT_ROOT

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 11), reason="the lock file is made for Python 3.11")


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    finished = subprocess.run([str(part) for part in command], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
    assert finished.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _links(html: str) -> list[str]:
    document = html5lib.parse(html, namespaceHTMLElements=False)
    return [anchor.get("href") for anchor in document.iter("a") if anchor.get("href")]


def test_the_installed_wheel_migrates_loads_the_demo_and_serves_a_question(tmp_path):
    wheels, venv, outside = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    outside.mkdir()
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", wheels, PROJECT_ROOT, cwd=tmp_path)
    (wheel,) = wheels.glob("consult-*.whl")
    # The new virtualenv gets no pip of its own: this run's pip installs into it (`--python`),
    # as it would into a container's Python. Copying pip into it took a quarter of the test.
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    pip = (sys.executable, "-m", "pip", "--python", venv / "bin" / "python")
    # --no-compile: what is checked is that the wheel runs, not Python's bytecode cache
    # (writing it for every installed module was a third of the install's time).
    _run(*pip, "install", "--quiet", "--no-compile", "--require-hashes", "-r",
         PROJECT_ROOT / "requirements" / "app.txt", cwd=outside)
    _run(*pip, "install", "--quiet", "--no-compile", "--no-deps", wheel, cwd=outside)

    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CONSULT_", "DATABASE_URL", "FLASK_", "PYTHON"))}
    env.update({"CONSULT_ENV": "development", "BASE_URL": f"http://127.0.0.1:{port}",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'consult.sqlite'}",
                "AUTO_MIGRATE": "0"})
    flask = venv / "bin" / "flask"
    installed = _run(venv / "bin" / "python", "-c",
                     "import consult.config as c; print(c.data_folder('migrations'))",
                     cwd=outside, env=env)
    assert Path(installed.strip()).is_relative_to(venv), installed
    _run(flask, "--app", "consult", "db", "upgrade", cwd=outside, env=env)
    printed = _run(flask, "--app", "consult", "demo", cwd=outside, env=env)
    # The first child's link the demo offers to try (one whose form is not sent yet).
    child_link = re.search(rf"\(child\) for [^\n]*review:\n\s+(http://127\.0\.0\.1:{port}/start/\S+)",
                           printed).group(1)

    server = subprocess.Popen([str(flask), "--app", "consult", "run", "--port", str(port)],
                              cwd=outside, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                          follow_redirects=True, headers={"Accept-Language": "ar"}) as client:
            for _ in range(100):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            start = client.get(child_link)
            assert start.status_code == 200
            first = [href for href in _links(start.text) if "/your-say/questions/" in href]
            assert first, "the start page links to no question"
            question = client.get(first[0])
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert question.status_code == 200
    document = html5lib.parse(question.text, namespaceHTMLElements=False)
    assert document.find(".//form") is not None and document.find(".//h1") is not None
    # The compiled catalogs came with the wheel: the question is in Amanuel's language or
    # the browser's (Tigrinya or Arabic), not the English it falls back to without them.
    assert document.get("lang") in ("ar", "ti"), document.attrib
    heading = "".join(document.find(".//h1").itertext())
    assert any(ord(letter) > 0x5FF for letter in heading), heading
