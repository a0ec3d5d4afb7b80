#!/usr/bin/env bash
# Stops what `make run` started: web, worker and beat (by their pid files in var/run/) and,
# when it started them, its own PostgreSQL (var/postgres) and Redis (var/redis).
#
#   scripts/stop.sh                   everything
#   scripts/stop.sh --processes-only  web, worker and beat; PostgreSQL and Redis keep running
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_processes() {
  local name
  for name in web worker beat; do stop_pid_file "$name" 20; done
}

stop_own_postgres() {
  local data major
  data=$(own_pg_data)
  [[ -f "$data/postmaster.pid" && -f "$data/PG_VERSION" ]] || return 0
  major=$(<"$data/PG_VERSION")
  if own_pg_run "$(pg_bin_dir "$major")/pg_ctl" -D "$data" -m fast -w status >/dev/null 2>&1; then
    own_pg_run "$(pg_bin_dir "$major")/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "stopped our PostgreSQL (port $OWN_PG_PORT)"
  fi
}

stop_own_redis() {
  stop_pid_file redis 10
}

main() {
  stop_processes
  [[ "${1:-}" == "--processes-only" ]] && return 0
  stop_own_postgres
  stop_own_redis
}

main "$@"
