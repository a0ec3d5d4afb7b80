#!/usr/bin/env bash
# Installs what the platform needs on a Debian/Ubuntu machine, finds or starts PostgreSQL
# (with PostGIS) and Redis, and writes .env. Safe to run again: it skips what is done.
#
#   scripts/bootstrap.sh            everything `make run` needs
#   scripts/bootstrap.sh --test     the same, plus Chromium for the browser tests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
ENV_FILE="$ROOT/.env"
VENV="$ROOT/.venv"
OWN_PG_PORT=54329
OWN_REDIS_PORT=63790
WITH_BROWSER=0
[[ "${1:-}" == "--test" ]] && WITH_BROWSER=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "Need root (or sudo) to run: $*" >&2; return 1; fi
}

missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || printf '%s ' "$package"
  done
}

APT_UPDATED=0
apt_install() {
  local wanted
  wanted=$(missing_packages "$@")
  [[ -z "$wanted" ]] && return 0
  say "Installing system packages: $wanted"
  if [[ $APT_UPDATED -eq 0 ]]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $wanted
}

env_value() {
  [[ -f "$ENV_FILE" ]] && grep -E "^$1=" "$ENV_FILE" | tail -n 1 | cut -d= -f2- || true
}

env_set_default() {
  # Keep what the user already put in .env; add the key otherwise.
  local key=$1 value=$2
  [[ -n "$(env_value "$key")" ]] && return 0
  echo "$key=$value" >>"$ENV_FILE"
}

install_system_packages() {
  apt_install ca-certificates curl build-essential python3 python3-venv python3-dev \
    gdal-bin libgdal-dev libgeos-dev libproj-dev binutils postgresql-client redis-tools
  command -v npm >/dev/null || apt_install nodejs npm
  if [[ $WITH_BROWSER -eq 1 ]]; then apt_install chromium fonts-dejavu-core; fi
}

python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

install_python_packages() {
  local python=python3
  python_ok "$python" || { echo "Python 3.11 or newer is needed as python3." >&2; exit 1; }
  if [[ ! -x "$VENV/bin/python" ]]; then
    say "Creating the virtual environment in .venv"
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256" digest
  digest=$(cat "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]]; then
    say "Installing Python packages"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r "$ROOT/requirements/dev.txt" -r "$ROOT/requirements/prod.txt"
    echo "$digest" >"$stamp"
  fi
}

python312() {
  local candidate
  if command -v pyenv >/dev/null; then
    candidate=$(ls -d "$(pyenv root)"/versions/3.12.*/bin/python 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$candidate" ]] && { echo "$candidate"; return; }
  fi
  for candidate in python3.12 python3.13; do
    "$candidate" --version >/dev/null 2>&1 && { command -v "$candidate"; return; }
  done
  return 1
}

install_peer_packages() {
  # Third-party clients the interoperability tests drive; they need Python >= 3.12.
  local python stamp="$ROOT/.venv-peers/.requirements.sha256" digest
  python=$(python312) || { echo "No Python 3.12 found: interoperability tests will skip."; return 0; }
  digest=$(sha256sum "$ROOT/requirements/peers.txt" | cut -d' ' -f1)
  [[ "$(cat "$stamp" 2>/dev/null)" == "$digest" ]] && return 0
  say "Installing the peer clients into .venv-peers ($python)"
  [[ -x "$ROOT/.venv-peers/bin/python" ]] || "$python" -m venv "$ROOT/.venv-peers"
  "$ROOT/.venv-peers/bin/pip" install -q -r "$ROOT/requirements/peers.txt"
  echo "$digest" >"$stamp"
}

install_frontend_packages() {
  local stamp="$ROOT/node_modules/.package-lock.sha256" digest
  digest=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]]; then
    say "Installing front-end packages"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$digest" >"$stamp"
  fi
}

postgres_major() {
  local version
  version=$(pg_config --version 2>/dev/null || true)
  if [[ -z "$version" ]] && ls /usr/lib/postgresql >/dev/null 2>&1; then
    ls /usr/lib/postgresql | sort -n | tail -n 1
    return
  fi
  echo "$version" | grep -oE '[0-9]+' | head -n 1
}

psql_local() {
  # Run psql as the database superuser on the local server, over TCP with trust or via
  # the Unix socket as the postgres system user.
  if psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@"
  else
    as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 "$@"
  fi
}

create_database() {
  local run_psql=$1 port=$2
  if [[ "$($run_psql -d postgres -tAc "select 1 from pg_database where datname='marketplace'")" != 1 ]]; then
    say "Creating database marketplace"
    $run_psql -d postgres -c "create database marketplace"
  fi
  $run_psql -d marketplace -c "create extension if not exists postgis" >/dev/null
  env_set_default DATABASE_URL "postgis://postgres@127.0.0.1:$port/marketplace"
}

own_psql() { psql -h 127.0.0.1 -p "$OWN_PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

start_own_postgres() {
  local major bin data="$VAR/postgres"
  apt_install postgresql
  major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  apt_install "postgresql-$major-postgis-3"
  bin="/usr/lib/postgresql/$major/bin"
  id tep >/dev/null 2>&1 || as_root useradd --system --home-dir "$VAR" --shell /usr/sbin/nologin tep
  mkdir -p "$data" "$VAR/log" "$VAR/run"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "Creating a PostgreSQL cluster in var/postgres"
    as_root chown -R tep "$data"
    as_root runuser -u tep -- "$bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  fi
  as_root chown tep "$VAR/log" "$VAR/run"
  if ! pg_isready -h 127.0.0.1 -p "$OWN_PG_PORT" -q; then
    say "Starting PostgreSQL on port $OWN_PG_PORT"
    as_root runuser -u tep -- "$bin/pg_ctl" -D "$data" -l "$VAR/log/postgres.log" -w \
      -o "-p $OWN_PG_PORT -k $VAR/run -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  create_database own_psql "$OWN_PG_PORT"
}

ensure_database() {
  if [[ -n "${DATABASE_URL:-}" || -n "$(env_value DATABASE_URL)" ]]; then return 0; fi
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    local major
    major=$(psql_local -d postgres -tAc "show server_version_num" | cut -c1-2)
    apt_install "postgresql-$major-postgis-3"
    create_database psql_local 5432
  else
    start_own_postgres
  fi
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
  if [[ -n "${REDIS_URL:-}" || -n "$(env_value REDIS_URL)" ]]; then return 0; fi
  if redis_answers 6379; then
    env_set_default REDIS_URL "redis://127.0.0.1:6379/0"
    return 0
  fi
  apt_install redis-server
  mkdir -p "$VAR/redis" "$VAR/run" "$VAR/log"
  if ! redis_answers "$OWN_REDIS_PORT"; then
    say "Starting Redis on port $OWN_REDIS_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$OWN_REDIS_PORT" --dir "$VAR/redis" \
      --pidfile "$VAR/run/redis.pid" --logfile "$VAR/log/redis.log" --save "" --appendonly no
    for _ in $(seq 50); do redis_answers "$OWN_REDIS_PORT" && break; sleep 0.1; done
  fi
  env_set_default REDIS_URL "redis://127.0.0.1:$OWN_REDIS_PORT/0"
}

write_secrets() {
  touch "$ENV_FILE"
  env_set_default DJANGO_SECRET_KEY "$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
}

main() {
  mkdir -p "$VAR"
  install_system_packages
  write_secrets
  ensure_database
  ensure_redis
  install_python_packages
  install_frontend_packages
  if [[ $WITH_BROWSER -eq 1 ]]; then install_peer_packages; fi
}

main
