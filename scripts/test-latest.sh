#!/usr/bin/env bash
# Test against the newest releases the pyproject ranges allow, ignoring constraints.txt, so
# that drift in a dependency (a new HiGHS printing a banner on stdout, a pandas deprecation) is
# caught here, on purpose, and not by users. Runs the whole suite and the quality gates in a
# throw-away virtual environment, then lists the packages whose version differs from the lock.
# Exit status: that of the tests (0 = the newest releases pass; then scripts/lock.sh may move
# the lock forward).
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
# shellcheck disable=SC1091
. "$tmp/venv/bin/activate"
pip install -q --upgrade pip
pip install -q --upgrade --upgrade-strategy eager -e ".[dev]" || exit 1
echo "::group::versions that differ from constraints.txt"
pip freeze --exclude-editable | grep -viE '^(airshield|-e )' | sort > "$tmp/latest.txt"
grep -v '^#' constraints.txt | sort > "$tmp/locked.txt"
comm -13 "$tmp/locked.txt" "$tmp/latest.txt" | sed 's/^/newer: /'
echo "::endgroup::"
status=0
timeout "${TEST_TIMEOUT:-3600}" python -m pytest -q "$@" || status=$?
ruff check src tests benchmarks scripts examples || status=$?
ruff format --check src tests benchmarks scripts examples || status=$?
mypy || status=$?
exit "$status"
