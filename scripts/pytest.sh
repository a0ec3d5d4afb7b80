#!/usr/bin/env bash
# Runs the whole suite. pytest's exit code 5 (nothing collected) is a failure here.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/.venv/bin/python" manage.py makemigrations --check --dry-run >/dev/null || {
  echo "A model change has no migration: run manage.py makemigrations." >&2
  exit 1
}
args=()
[[ -n "${CI:-}" ]] && args+=(--create-db)
"$ROOT/.venv/bin/python" -m pytest "${args[@]}" "$@"
status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests: that is a failure." >&2
  exit 1
fi
exit $status
