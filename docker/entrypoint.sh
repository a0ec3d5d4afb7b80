#!/usr/bin/env sh
# Migrate before the web server starts; workers and beat skip it.
set -e
if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
  python manage.py migrate --noinput
fi
exec "$@"
