# shellcheck shell=bash disable=SC2034  # (variables used by the scripts that source this file)
# Shared by scripts/*.sh: paths, messages, root access, the .env file and the processes and
# services that `make run` owns. Source it; it defines functions and variables only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
RUN_DIR="$VAR/run"
LOG_DIR="$VAR/log"
ENV_FILE="$ROOT/.env"
VENV="$ROOT/.venv"

# Our own PostgreSQL and Redis, started only when nothing else is available.
OWN_PG_PORT=54329
OWN_PG_LINK="$VAR/postgres"
OWN_REDIS_PORT=63790
SERVICE_USER=tep # PostgreSQL refuses to run as root; root runs it as this system user

if [[ -t 1 ]]; then
  say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
else
  say() { printf '==> %s\n' "$*"; }
fi
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "root (or sudo) is needed to run: $*"
  fi
}

is_true() { [[ "${1,,}" =~ ^(1|true|yes|on)$ ]]; }

# --- .env ---------------------------------------------------------------------------------
# The settings read .env; real environment variables win over it.

env_file_get() {
  # The value of KEY in .env (last occurrence wins for us; quotes and `export` removed).
  local key=$1 line value=""
  [[ -f "$ENV_FILE" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#export }"
    if [[ "$line" == "$key="* ]]; then value="${line#"$key="}"; fi
  done <"$ENV_FILE"
  value="${value%\"}"
  value="${value#\"}"
  value="${value%\'}"
  value="${value#\'}"
  printf '%s' "$value"
}

env_file_has() { [[ -n "$(env_file_get "$1")" ]]; }

env_file_add() {
  # Add KEY=VALUE unless .env already has a value for KEY (a user's value is never
  # overwritten). An empty KEY= line is replaced, since the settings read the first one.
  local key=$1 value=$2 tmp
  env_file_has "$key" && return 0
  touch "$ENV_FILE"
  if grep -qE "^(export )?$key=" "$ENV_FILE"; then
    tmp=$(mktemp)
    grep -vE "^(export )?$key=" "$ENV_FILE" >"$tmp" || true
    cat "$tmp" >"$ENV_FILE"
    rm -f "$tmp"
  fi
  # Never glue the new line onto a last line without a newline.
  if [[ -s "$ENV_FILE" && -n "$(tail -c 1 "$ENV_FILE")" ]]; then echo >>"$ENV_FILE"; fi
  printf '%s=%s\n' "$key" "$value" >>"$ENV_FILE"
}

setting() {
  # A setting as the platform will see it: the environment first, then .env.
  local key=$1
  if [[ -n "${!key:-}" ]]; then printf '%s' "${!key}"; else env_file_get "$key"; fi
}

# --- URLs ---------------------------------------------------------------------------------

url_port() {
  # The port of scheme://[user[:pass]@]host:port/..., empty when there is none.
  local rest=${1#*://}
  rest=${rest%%/*}
  rest=${rest##*@}
  [[ "$rest" =~ :([0-9]+)$ ]] && printf '%s' "${BASH_REMATCH[1]}"
}

url_host() {
  local rest=${1#*://}
  rest=${rest%%/*}
  rest=${rest##*@}
  printf '%s' "${rest%:*}"
}

masked_url() {
  # URL with its password hidden, for messages.
  printf '%s' "$1" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#'
}

is_own_url() {
  # Does URL point at our own PostgreSQL/Redis (localhost on PORT)?
  local url=$1 port=$2
  [[ "$(url_port "$url")" == "$port" && "$(url_host "$url")" =~ ^(127\.0\.0\.1|localhost)$ ]]
}

# --- Our own PostgreSQL ---------------------------------------------------------------------

own_pg_data() {
  # The real path of our cluster's data directory (var/postgres may be a symlink to it).
  if [[ -L "$OWN_PG_LINK" ]]; then readlink -f "$OWN_PG_LINK"; else printf '%s' "$OWN_PG_LINK"; fi
}

own_pg_run() {
  # Run a PostgreSQL server program as the cluster's owner, from a directory it may enter.
  if is_root; then
    (cd / && runuser -u "$SERVICE_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

pg_bin_dir() {
  # The server binaries of major version $1 (Debian layout).
  printf '/usr/lib/postgresql/%s/bin' "$1"
}

# --- Processes started by `make run` --------------------------------------------------------

pid_of() {
  # The pid in var/run/NAME.pid if that process is alive, else nothing.
  local file="$RUN_DIR/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

alive() {
  # Is the process (or, when it leads one, any process of its group) still there?
  local pid=$1 group=$2
  if [[ "$group" == 1 ]]; then pgrep -g "$pid" >/dev/null 2>&1; else kill -0 "$pid" 2>/dev/null; fi
}

signal() {
  local sig=$1 pid=$2 group=$3
  if [[ "$group" == 1 ]]; then kill "-$sig" -- "-$pid" 2>/dev/null || true; else kill "-$sig" "$pid" 2>/dev/null || true; fi
}

stop_pid_file() {
  # Stop the process named by var/run/NAME.pid, with its process group when it leads one
  # (uvicorn's and Celery's child processes), waiting GRACE seconds before killing.
  local name=$1 grace=${2:-15} pid group=0 i
  if ! pid=$(pid_of "$name"); then
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  [[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" == "$pid" ]] && group=1
  signal TERM "$pid" "$group"
  for ((i = 0; i < grace * 10; i++)); do
    alive "$pid" "$group" || break
    sleep 0.1
  done
  if alive "$pid" "$group"; then
    warn "$name did not stop within ${grace}s; killing it"
    signal KILL "$pid" "$group"
  fi
  rm -f "$RUN_DIR/$name.pid"
  echo "stopped $name (pid $pid)"
}
