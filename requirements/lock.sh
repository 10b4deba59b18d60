#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml's ranges, with exact versions and hashes.
#   requirements/lock.sh             keep today's versions, add only what pyproject.toml newly asks for
#   requirements/lock.sh --upgrade   move every package to the newest version its range allows
# Commit the result as an ordinary change: CI installs from these files and checks it.
# pip-tools runs from a virtualenv of its own, so the lock never depends on the app's.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.venv-lock
[ -x "$tools/bin/pip-compile" ] || { python3.11 -m venv "$tools" && "$tools/bin/pip" install -q pip-tools==7.6.2; }
# PyPI alone, whatever this machine's pip configuration adds, so the hashes are PyPI's.
export PIP_CONFIG_FILE=/dev/null
compile() {
  "$tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --resolver=backtracking --all-build-deps "$@" pyproject.toml
}
# The app alone (README's run command, production images), then the app with the test and
# bench extras (README's test command, CI), the second constrained by the first so both
# name the same version of every package they share.
compile "$@" --extra postgres -o requirements/app.txt
compile "$@" --extra postgres --extra test --extra bench -c requirements/app.txt -o requirements/dev.txt
