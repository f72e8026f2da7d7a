#!/usr/bin/env bash
# Regenerate constraints.txt: the exact versions of every dependency (and the dev tools) that
# the tests passed with. A fresh virtual environment gets `pip install -e ".[dev]"` with no
# constraints (the newest releases the pyproject ranges allow), then `pip freeze` of it, without
# the airshield line, becomes constraints.txt. Run the tests against it before committing:
#   scripts/lock.sh && pip install -q -e ".[dev]" -c constraints.txt && python -m pytest -q
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade pip
"$tmp/venv/bin/pip" install -q -e ".[dev]"
{
  echo "# Versions the tests passed with; regenerate with scripts/lock.sh (see README, Development)."
  echo "# Python $("$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())'), $(date -u +%Y-%m-%d)"
  "$tmp/venv/bin/pip" freeze --exclude-editable | grep -viE '^(airshield|-e |pip==|setuptools==|wheel==)'
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
