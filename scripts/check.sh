#!/usr/bin/env bash
# The whole check suite: ruff, mypy, pytest with warnings as errors.
# Called by `make test` (the README's test command) after the venv exists.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
if [ -f scripts/postgres.sh ]; then
  # Starts a throwaway PostgreSQL on loopback when it can, and exports SHUYUN_DATABASE_URL.
  # shellcheck source=/dev/null
  source scripts/postgres.sh
fi
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy
$BIN/pytest -q -W error "$@"
