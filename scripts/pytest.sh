#!/usr/bin/env bash
# Runs the whole test suite (arguments go to pytest). A missing migration fails it, and so
# does a run that collects no tests (pytest's exit code 5). With CI set, the test database
# is created afresh.
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export_test_settings() {
  # The tests use database 1 of the platform's Redis unless told otherwise.
  local redis_url
  if [[ -z "$(setting TEST_REDIS_URL)" ]]; then
    redis_url=$(setting REDIS_URL)
    [[ -n "$redis_url" ]] && export TEST_REDIS_URL="${redis_url%/*}/1"
  fi
  # Browser tests use /usr/bin/chromium unless CHROMIUM_PATH says where it is.
  if [[ -z "${CHROMIUM_PATH:-}" && ! -x /usr/bin/chromium ]] && command -v chromium-browser >/dev/null; then
    CHROMIUM_PATH=$(command -v chromium-browser)
    export CHROMIUM_PATH
  fi
}

check_migrations() {
  "$VENV/bin/python" manage.py makemigrations --check --dry-run >/dev/null || {
    echo "A model change has no migration: run .venv/bin/python manage.py makemigrations." >&2
    exit 1
  }
}

main() {
  local args=() status
  cd "$ROOT" || exit 1
  [[ -x "$VENV/bin/python" ]] || die "no .venv yet: run make install"
  export_test_settings
  check_migrations
  is_true "${CI:-}" && args+=(--create-db)
  "$VENV/bin/python" -m pytest "${args[@]}" "$@"
  status=$?
  case $status in
    0) say "All tests passed." ;;
    5)
      echo "make test FAILED: pytest collected no tests (exit code 5)." >&2
      exit 1
      ;;
    *) echo "make test FAILED: pytest exited with code $status." >&2 ;;
  esac
  exit "$status"
}

main "$@"
