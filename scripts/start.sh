#!/usr/bin/env bash
# Prepares the database (migrate, collectstatic, demo data) and starts web (ASGI), a Celery
# worker and Celery beat in the background: pid files in var/run/, logs in var/log/.
# Run scripts/bootstrap.sh first (`make run` does).
#
#   PORT             the web server's port (default 8000)
#   WEB_CONCURRENCY  uvicorn worker processes (default 2)
#   SKIP_SEED=1      do not load the demo data
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="${PORT:-8000}"
URL="http://127.0.0.1:$PORT"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-marketplace.settings.dev}"

manage() { "$VENV/bin/python" "$ROOT/manage.py" "$@"; }

prepare_database() {
  say "Migrating the database"
  manage migrate --noinput
  say "Collecting static files"
  manage collectstatic --noinput -v 0
  if is_true "${SKIP_SEED:-0}"; then
    say "Skipping the demo data (SKIP_SEED)"
  else
    say "Loading the demo data"
    manage seed_demo
  fi
}

start_process() {
  # Start NAME running "$@" in its own session (so `make stop` can end all its children).
  local name=$1 pid
  shift
  if pid=$(pid_of "$name"); then
    echo "$name is already running (pid $pid)"
    return 0
  fi
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
  echo "started $name (pid $!, log var/log/$name.log)"
}

check_port_free() {
  pid_of web >/dev/null && return 0
  if curl -s -o /dev/null --max-time 2 "$URL/"; then
    die "something else already answers on port $PORT; stop it or choose another with PORT=..."
  fi
}

start_processes() {
  say "Starting web, worker and beat"
  start_process web "$VENV/bin/uvicorn" marketplace.asgi:application \
    --host 127.0.0.1 --port "$PORT" --lifespan off --workers "${WEB_CONCURRENCY:-2}"
  start_process worker "$VENV/bin/celery" -A marketplace worker \
    -Q default,jobs,notifications -l info
  start_process beat "$VENV/bin/celery" -A marketplace beat -l info \
    --schedule "$VAR/celerybeat-schedule" --pidfile=
}

fail_with_log() {
  local name=$1
  echo "The end of var/log/$name.log:" >&2
  tail -n 40 "$LOG_DIR/$name.log" >&2
  "$ROOT/scripts/stop.sh" --processes-only >&2
  die "$name did not start"
}

wait_for_web() {
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS -o /dev/null --max-time 5 "$URL/" 2>/dev/null && return 0
    pid_of web >/dev/null || fail_with_log web
    sleep 0.5
  done
  echo "The web server did not answer on $URL/ within 60 s." >&2
  fail_with_log web
}

check_background_processes() {
  local name
  for name in worker beat; do pid_of "$name" >/dev/null || fail_with_log "$name"; done
}

print_welcome() {
  cat <<MSG

TEP Marketplace is running at $URL/
  API documentation      $URL/api/docs
  OGC API - Processes    $URL/ogcapi/
  Django admin           $URL/admin/

Demo accounts (password: ${DEMO_PASSWORD:-tep-demo-2026}):
  admin         Administrator
  dana          Developer
  alice, bob    User

Logs are in var/log/. Stop everything with: make stop
MSG
}

main() {
  cd "$ROOT"
  [[ -x "$VENV/bin/uvicorn" ]] || die "no .venv yet: run make install (or make run)"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  check_port_free
  prepare_database
  start_processes
  wait_for_web
  check_background_processes
  print_welcome
}

main "$@"
