#!/usr/bin/env bash
# Installs what the platform needs on a Debian/Ubuntu machine, finds or starts PostgreSQL
# (with PostGIS) and Redis, and writes .env. Safe to run again: it skips what is done, so a
# second run installs nothing.
#
#   scripts/bootstrap.sh          everything `make run` needs
#   scripts/bootstrap.sh --test   the same, plus Chromium and the peer clients for `make test`
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FOR_TESTS=0
PYTHON="" # the interpreter .venv is made from (>= 3.11)
export PGCONNECT_TIMEOUT=5
export PGOPTIONS="-c client_min_messages=warning" # no "already exists, skipping" notices

# --- System packages ------------------------------------------------------------------------

APT_UPDATED=0
NOT_DEBIAN_WARNED=0

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

apt_install() {
  # Install the packages among "$@" that are missing; `apt-get update` once, when needed.
  local package wanted=()
  if ! command -v dpkg-query >/dev/null; then
    if [[ $NOT_DEBIAN_WARNED -eq 0 ]]; then
      warn "not a Debian/Ubuntu system (no dpkg): install the packages listed in docs/operations.md yourself"
      NOT_DEBIAN_WARNED=1
    fi
    return 0
  fi
  for package in "$@"; do package_installed "$package" || wanted+=("$package"); done
  [[ ${#wanted[@]} -eq 0 ]] && return 0
  say "Installing system packages: ${wanted[*]} (log: var/log/install.log)"
  mkdir -p "$LOG_DIR"
  if [[ $APT_UPDATED -eq 0 ]]; then
    apt_get update >>"$LOG_DIR/install.log" 2>&1 || apt_failed
    APT_UPDATED=1
  fi
  apt_get install -y --no-install-recommends "${wanted[@]}" >>"$LOG_DIR/install.log" 2>&1 \
    || apt_failed
}

apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -q "$@"; }

apt_failed() {
  tail -n 30 "$LOG_DIR/install.log" >&2
  die "apt-get failed (the whole log is in var/log/install.log)"
}

install_build_packages() {
  apt_install ca-certificates procps build-essential binutils gdal-bin libgdal-dev libgeos-dev \
    libproj-dev
  command -v curl >/dev/null || apt_install curl
  if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
    apt_install postgresql-client
  fi
}

install_node_if_missing() {
  command -v npm >/dev/null || apt_install nodejs npm
}

install_chromium_if_missing() {
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    apt_install chromium
  fi
  apt_install fonts-dejavu-core
}

installed_pg_majors() {
  # Major versions of the PostgreSQL servers installed from packages, lowest first.
  local dir
  for dir in /usr/lib/postgresql/*/bin/postgres; do
    [[ -x "$dir" ]] || continue
    dir=${dir#/usr/lib/postgresql/}
    echo "${dir%%/*}"
  done | sort -n
}

install_postgis_for_installed_servers() {
  local major
  for major in $(installed_pg_majors); do apt_install "postgresql-$major-postgis-3"; done
}

# --- Python ---------------------------------------------------------------------------------

python_usable() {
  # Python >= 3.11 that can make a venv (ensurepip) and build extensions (Python.h).
  "$1" - <<'PY' 2>/dev/null
import os, sys, sysconfig
assert sys.version_info >= (3, 11)
import ensurepip, venv  # noqa: F401
assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
PY
}

find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null && python_usable "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_python() {
  PYTHON=$(find_python) && return 0
  apt_install python3 python3-venv python3-dev
  PYTHON=$(find_python) && return 0
  # Older releases (Ubuntu 22.04) package 3.11 next to their default python3.
  apt_install python3.11 python3.11-venv python3.11-dev
  PYTHON=$(find_python) || die "Python 3.11 or newer (with venv and headers) is needed"
}

venv_usable() {
  "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

install_python_packages() {
  local stamp="$VENV/.requirements.sha256" digest
  if ! venv_usable; then
    say "Creating the virtual environment .venv ($("$PYTHON" --version))"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  digest=$( (cat "$ROOT/requirements/base.txt" "$ROOT/requirements/dev.txt" \
    "$ROOT/requirements/prod.txt" && "$VENV/bin/python" --version) | sha256sum | cut -c1-64)
  [[ "$(cat "$stamp" 2>/dev/null)" == "$digest" ]] && return 0
  say "Installing Python packages into .venv"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    -r "$ROOT/requirements/dev.txt" -r "$ROOT/requirements/prod.txt"
  echo "$digest" >"$stamp"
}

python312() {
  # An interpreter >= 3.12 for the peer clients (pyenv's, or python3.12/3.13 on PATH).
  local candidate root
  if command -v pyenv >/dev/null && root=$(pyenv root 2>/dev/null); then
    for candidate in "$root"/versions/3.1[2-9].*/bin/python; do
      [[ -x "$candidate" ]] && echo "$candidate" && return 0
    done
  fi
  for candidate in python3.13 python3.12; do
    command -v "$candidate" >/dev/null && "$candidate" -c 'import ensurepip' 2>/dev/null \
      && command -v "$candidate" && return 0
  done
  return 1
}

install_peer_packages() {
  # Third-party OGC API clients the interoperability tests drive; they need Python >= 3.12.
  # Without one those tests are skipped.
  local python peers="$ROOT/.venv-peers" stamp digest
  stamp="$peers/.requirements.sha256"
  python=$(python312) || {
    echo "No Python >= 3.12 found: the interoperability tests with cuiman will be skipped."
    return 0
  }
  digest=$(sha256sum "$ROOT/requirements/peers.txt" | cut -c1-64)
  [[ "$(cat "$stamp" 2>/dev/null)" == "$digest" ]] && return 0
  say "Installing the peer clients into .venv-peers ($("$python" --version))"
  [[ -x "$peers/bin/python" ]] || "$python" -m venv "$peers"
  "$peers/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements/peers.txt"
  echo "$digest" >"$stamp"
}

install_frontend_packages() {
  local stamp="$ROOT/node_modules/.package-lock.sha256" digest
  digest=$(sha256sum "$ROOT/package-lock.json" | cut -c1-64)
  [[ "$(cat "$stamp" 2>/dev/null)" == "$digest" ]] && return 0
  say "Installing front-end packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$digest" >"$stamp"
}

# --- PostgreSQL -----------------------------------------------------------------------------

libpq_url() {
  # Django's postgis:// URL in the form psql understands.
  local url=$1
  printf 'postgresql://%s' "${url#*://}"
}

with_database() {
  # URL with its database name replaced by $2.
  local url=$1 name=$2 query=""
  [[ "$url" == *\?* ]] && query="?${url#*\?}"
  url=${url%%\?*}
  printf '%s/%s%s' "${url%/*}" "$name" "$query"
}

url_database() {
  local url=${1%%\?*}
  printf '%s' "${url##*/}"
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }

pg_connects() { psql -w "$1" -Atqc 'select 1' >/dev/null 2>&1; }

prepare_database() {
  # Make sure the database behind a given DATABASE_URL exists and has PostGIS, as far as
  # its role may; migrate reports anything left.
  local url name maintenance
  url=$(libpq_url "$1")
  name=$(url_database "$url")
  if ! pg_connects "$url"; then
    maintenance=$(with_database "$url" postgres)
    if ! pg_connects "$maintenance"; then
      warn "the database at DATABASE_URL does not answer; migrate will fail until it does"
      return 0
    fi
    say "Creating database $name"
    psql -w "$maintenance" -v ON_ERROR_STOP=1 -qc "create database \"$name\"" \
      || { warn "could not create database $name"; return 0; }
  fi
  psql -w "$url" -qc 'create extension if not exists postgis' >/dev/null 2>&1 \
    || warn "could not create the postgis extension in $name (it needs a superuser once)"
  # The catalogue's search index needs btree_gist (a trusted extension: the database's
  # owner may create it, which its migration does; created here too where we can).
  psql -w "$url" -qc 'create extension if not exists btree_gist' >/dev/null 2>&1 || true
}

admin_psql_tcp() { psql -w -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 "$@"; }

admin_psql_socket() { (cd / && as_root runuser -u postgres -- psql -p 5432 -v ON_ERROR_STOP=1 "$@"); }

create_marketplace_database() {
  # With an administrator's psql (a function name), create database marketplace + PostGIS.
  local admin=$1
  if [[ "$($admin -d postgres -Atqc "select 1 from pg_database where datname = 'marketplace'")" != 1 ]]; then
    say "Creating database marketplace"
    $admin -d postgres -qc 'create database marketplace'
  fi
  $admin -d marketplace -qc 'create extension if not exists postgis' >/dev/null
  $admin -d marketplace -qc 'create extension if not exists btree_gist' >/dev/null
}

use_local_postgres() {
  # PostgreSQL answers on 127.0.0.1:5432. As `postgres` over TCP when it trusts us; else
  # through the socket as the postgres system user, creating a password role `tep` (a
  # superuser, so that tests can create their database with PostGIS).
  local url password
  if admin_psql_tcp -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    create_marketplace_database admin_psql_tcp
    url="postgis://postgres@127.0.0.1:5432/marketplace"
  elif id postgres >/dev/null 2>&1 && admin_psql_socket -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    create_marketplace_database admin_psql_socket
    password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    say "Creating the database role tep"
    admin_psql_socket -d postgres -qc \
      "do \$\$ begin
         if not exists (select from pg_roles where rolname = 'tep') then create role tep; end if;
       end \$\$;
       alter role tep with login superuser password '$password';" >/dev/null
    url="postgis://tep:$password@127.0.0.1:5432/marketplace"
  else
    die "PostgreSQL answers on 127.0.0.1:5432 but lets us in neither as postgres over TCP nor through its socket; set DATABASE_URL (in the environment or .env)"
  fi
  pg_connects "$(libpq_url "$url")" \
    || die "cannot connect with $url (check pg_hba.conf), or set DATABASE_URL"
  env_file_add DATABASE_URL "$url"
  say "Database: PostgreSQL on 127.0.0.1:5432"
}

own_pg_major() {
  local data
  data=$(own_pg_data)
  if [[ -f "$data/PG_VERSION" ]]; then cat "$data/PG_VERSION"; else installed_pg_majors | tail -n 1; fi
}

ensure_service_user() {
  id "$SERVICE_USER" >/dev/null 2>&1 && return 0
  say "Creating the system user $SERVICE_USER (runs our PostgreSQL)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
}

choose_own_pg_data() {
  # var/postgres when the service user can reach it; otherwise (a checkout under /root, say)
  # a directory under /var/lib with var/postgres linking to it.
  [[ -e "$OWN_PG_LINK" ]] && return 0
  if ! is_root || runuser -u "$SERVICE_USER" -- test -x "$VAR"; then
    mkdir -p "$OWN_PG_LINK"
  else
    local elsewhere
    elsewhere="/var/lib/tep-marketplace/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/postgres"
    mkdir -p "$elsewhere"
    ln -s "$elsewhere" "$OWN_PG_LINK"
  fi
}

start_own_postgres() {
  # A cluster under var/postgres on port 54329 with trust authentication on localhost, run
  # by the system user tep when we are root (PostgreSQL refuses root).
  local major bin data log
  [[ -n "$(installed_pg_majors)" ]] || apt_install postgresql
  major=$(own_pg_major)
  [[ -n "$major" ]] || die "no PostgreSQL server found under /usr/lib/postgresql"
  apt_install "postgresql-$major-postgis-3"
  bin=$(pg_bin_dir "$major")
  is_root && ensure_service_user
  mkdir -p "$VAR" "$LOG_DIR"
  choose_own_pg_data
  data=$(own_pg_data)
  log="$LOG_DIR/postgres.log"
  if [[ "$data" != "$OWN_PG_LINK" ]]; then
    # Relocated: the log lives next to the data, var/log/postgres.log links to it.
    log="$(dirname "$data")/postgres.log"
    ln -sfn "$log" "$LOG_DIR/postgres.log"
  fi
  if is_root; then chown "$SERVICE_USER" "$data" && touch "$log" && chown "$SERVICE_USER" "$log"; fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "Creating a PostgreSQL $major cluster in var/postgres"
    own_pg_run "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  fi
  if ! pg_answers "$OWN_PG_PORT"; then
    say "Starting PostgreSQL on 127.0.0.1:$OWN_PG_PORT (log: $log)"
    own_pg_run "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $OWN_PG_PORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null \
      || { tail -n 20 "$log" >&2; die "PostgreSQL did not start"; }
  fi
  own_psql -d postgres -Atqc 'select 1' >/dev/null
}

own_psql() { psql -w -h 127.0.0.1 -p "$OWN_PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

ensure_database() {
  local url
  install_postgis_for_installed_servers
  if [[ -n "${DATABASE_URL:-}" ]]; then
    say "Database: DATABASE_URL from the environment"
    prepare_database "$DATABASE_URL"
    return 0
  fi
  url=$(env_file_get DATABASE_URL)
  if [[ -n "$url" ]]; then
    is_own_url "$url" "$OWN_PG_PORT" && start_own_postgres
    prepare_database "$url"
    say "Database: $(masked_url "$url") (DATABASE_URL in .env)"
    return 0
  fi
  if pg_answers 5432; then
    use_local_postgres
    return 0
  fi
  if [[ -z "$(installed_pg_majors)" ]]; then
    apt_install postgresql
    install_postgis_for_installed_servers
    # The package may have started its own cluster; use it then.
    if pg_answers 5432; then
      use_local_postgres
      return 0
    fi
  fi
  start_own_postgres
  create_marketplace_database own_psql
  env_file_add DATABASE_URL "postgis://postgres@127.0.0.1:$OWN_PG_PORT/marketplace"
  say "Database: our own PostgreSQL on 127.0.0.1:$OWN_PG_PORT"
}

# --- Redis ----------------------------------------------------------------------------------

redis_answers() {
  # PING over a plain TCP connection (no redis-cli needed).
  # shellcheck disable=SC2016 # expanded by the inner shell
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r reply <&3
    [[ "$reply" == "+PONG"* ]]' "$1" "$2" 2>/dev/null
}

start_own_redis() {
  redis_answers 127.0.0.1 "$OWN_REDIS_PORT" && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$VAR/redis" "$RUN_DIR" "$LOG_DIR"
  say "Starting Redis on 127.0.0.1:$OWN_REDIS_PORT (log: var/log/redis.log)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$OWN_REDIS_PORT" --dir "$VAR/redis" \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$LOG_DIR/redis.log" --save "" --appendonly no
  for _ in $(seq 50); do
    redis_answers 127.0.0.1 "$OWN_REDIS_PORT" && return 0
    sleep 0.1
  done
  tail -n 20 "$LOG_DIR/redis.log" >&2
  die "Redis did not start"
}

use_redis() {
  # Record URL as REDIS_URL, and database 1 of the same server for the tests.
  local url=$1
  env_file_add REDIS_URL "$url"
  env_file_add TEST_REDIS_URL "${url%/*}/1"
}

ensure_redis() {
  local url
  if [[ -n "${REDIS_URL:-}" ]]; then
    say "Redis: REDIS_URL from the environment"
    return 0
  fi
  url=$(env_file_get REDIS_URL)
  if [[ -n "$url" ]]; then
    is_own_url "$url" "$OWN_REDIS_PORT" && start_own_redis
    say "Redis: $(masked_url "$url") (REDIS_URL in .env)"
    return 0
  fi
  if ! redis_answers 127.0.0.1 6379; then
    command -v redis-server >/dev/null || apt_install redis-server
  fi
  # The package may have started its own server; use it then.
  if redis_answers 127.0.0.1 6379; then
    use_redis "redis://127.0.0.1:6379/0"
    say "Redis: 127.0.0.1:6379"
  else
    start_own_redis
    use_redis "redis://127.0.0.1:$OWN_REDIS_PORT/0"
    say "Redis: our own on 127.0.0.1:$OWN_REDIS_PORT"
  fi
}

# --- .env -----------------------------------------------------------------------------------

write_secret_key() {
  env_file_add DJANGO_SECRET_KEY "$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
}

main() {
  [[ "${1:-}" == "--test" ]] && FOR_TESTS=1
  cd "$ROOT"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  install_build_packages
  ensure_python
  install_node_if_missing
  [[ $FOR_TESTS -eq 1 ]] && install_chromium_if_missing
  write_secret_key
  ensure_database
  ensure_redis
  install_python_packages
  install_frontend_packages
  [[ $FOR_TESTS -eq 1 ]] && install_peer_packages
  say "Installed; settings in .env"
}

main "$@"
