#!/usr/bin/env sh
# Runs before every container command. The web container migrates the database (and loads
# the demo data when SEED_DEMO=1); worker and beat set RUN_MIGRATIONS=0 and wait for web.
set -eu
if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
  python manage.py migrate --noinput
  if [ "${SEED_DEMO:-0}" = "1" ]; then
    python manage.py seed_demo
  fi
fi
exec "$@"
