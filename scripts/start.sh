#!/usr/bin/env bash
# Prepares the database and starts web (ASGI), a Celery worker and beat in the background.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
RUN="$ROOT/var/run"
LOG="$ROOT/var/log"
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-marketplace.settings.dev}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

is_running() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

start() {
  local name=$1
  shift
  if is_running "$name"; then
    echo "$name is already running (pid $(cat "$RUN/$name.pid"))"
    return 0
  fi
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  echo "started $name (pid $(cat "$RUN/$name.pid"), log var/log/$name.log)"
}

wait_for_web() {
  for _ in $(seq 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && return 0
    sleep 0.5
  done
  echo "The web server did not answer on port $PORT; the end of var/log/web.log:" >&2
  tail -n 40 "$LOG/web.log" >&2
  return 1
}

main() {
  mkdir -p "$RUN" "$LOG"
  cd "$ROOT"
  say "Migrating the database"
  "$VENV/bin/python" manage.py migrate --noinput
  "$VENV/bin/python" manage.py collectstatic --noinput >/dev/null
  say "Loading demo data"
  "$VENV/bin/python" manage.py seed_demo
  say "Starting web, worker and beat"
  start web "$VENV/bin/uvicorn" marketplace.asgi:application --host 127.0.0.1 --port "$PORT" \
    --lifespan off --workers "${WEB_CONCURRENCY:-2}"
  start worker "$VENV/bin/celery" -A marketplace worker -Q default,jobs,notifications -l info
  start beat "$VENV/bin/celery" -A marketplace beat -l info \
    --schedule "$ROOT/var/celerybeat-schedule" --pidfile=
  wait_for_web
  cat <<MSG

TEP Marketplace is running at http://127.0.0.1:$PORT/
  API documentation  http://127.0.0.1:$PORT/api/docs
  OGC API Processes  http://127.0.0.1:$PORT/ogcapi/

Demo accounts (password: ${DEMO_PASSWORD:-tep-demo-2026}):
  admin  Administrator      dana  Developer      alice, bob  User

Stop it with: make stop
MSG
}

main
