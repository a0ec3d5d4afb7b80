#!/usr/bin/env bash
# Stops what `make run` started: web, worker, beat, and its own PostgreSQL/Redis if any.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/var/run"

stop_pid_file() {
  local name=$1 pid
  [[ -f "$RUN/$name.pid" ]] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "stopped $name"
  fi
  rm -f "$RUN/$name.pid"
}

for name in web worker beat; do stop_pid_file "$name"; done

if [[ -f "$ROOT/var/postgres/postmaster.pid" ]]; then
  major=$(cat "$ROOT/var/postgres/PG_VERSION")
  runuser -u tep -- "/usr/lib/postgresql/$major/bin/pg_ctl" -D "$ROOT/var/postgres" -m fast stop \
    && echo "stopped PostgreSQL"
fi
if [[ -f "$RUN/redis.pid" ]]; then
  kill "$(cat "$RUN/redis.pid")" 2>/dev/null && echo "stopped Redis"
  rm -f "$RUN/redis.pid"
fi
