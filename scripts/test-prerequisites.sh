#!/usr/bin/env bash
# What the tests need from the machine, made present before jest starts. `npm test` runs it
# (as `pretest`), and so does .ci/run; `npx jest` does not.
#
#   1. nginx and chromium (Debian packages some e2e tests drive): installed with apt-get when
#      missing, as root or through passwordless sudo, with a temporary policy-rc.d answering
#      101 so that installing nginx starts no system nginx on :80 (removed afterwards).
#   2. PostgreSQL and Redis: TEST_DATABASE_URL / TEST_REDIS_URL when set, else 127.0.0.1:5432
#      and 127.0.0.1:6379. A local one that does not answer is started (the cluster under
#      /etc/postgresql with pg_ctlcluster; a memory-only redis-server on loopback) and waited
#      for. One that points elsewhere is only checked, never started.
#
# Idempotent: when everything is present it installs and starts nothing and prints one line.
# When something is missing and cannot be fixed from here (not root and no passwordless sudo,
# no apt-get, no local PostgreSQL cluster, ...), it prints one message naming the command to
# run and exits 1, before any test runs.
#
# For the tests of this script only (test/e2e/test-prerequisites.e2e-spec.ts):
#   TEST_PREREQ_BIN_DIRS  colon-separated directories searched for nginx and chromium
#                         (default: $PATH, /usr/sbin, /usr/local/sbin, /usr/local/nginx/sbin)
#   TEST_PREREQ_SYSROOT   prefix for /etc/postgresql and /usr/sbin/policy-rc.d (default: none)
set -euo pipefail
exec </dev/null # nothing below may wait on a prompt

SYSROOT="${TEST_PREREQ_SYSROOT:-}"
BIN_DIRS="${TEST_PREREQ_BIN_DIRS:-${PATH:-}:/usr/sbin:/usr/local/sbin:/usr/local/nginx/sbin}"
POLICY_RC_D="$SYSROOT/usr/sbin/policy-rc.d"
PG_ETC="$SYSROOT/etc/postgresql"
WAIT_SECONDS=60

DEFAULT_DB_URL='postgres://postgres@127.0.0.1:5432/postgres'
DEFAULT_REDIS_URL='redis://127.0.0.1:6379'
DB_URL="${TEST_DATABASE_URL:-$DEFAULT_DB_URL}"
REDIS_URL="${TEST_REDIS_URL:-$DEFAULT_REDIS_URL}"

problems=()   # one line each: what is wrong and the command that fixes it
did_work=false # anything installed or started (then the run is not the quiet one)

say() { printf 'test-prerequisites: %s\n' "$*"; }
warn() { printf 'test-prerequisites: WARNING: %s\n' "$*" >&2; }

# --- privileges ----------------------------------------------------------------------------
# root | sudo (passwordless) | none; asked once, and only when something needs root.
ROOT_MODE=''
detect_root_mode() {
  [[ -n "$ROOT_MODE" ]] && return 0
  if [[ "$(id -u)" -eq 0 ]]; then
    ROOT_MODE=root
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    ROOT_MODE=sudo
  else
    ROOT_MODE=none
  fi
}
as_root() {
  detect_root_mode
  case "$ROOT_MODE" in
    root) "$@" ;;
    sudo) sudo -n "$@" ;;
    *) return 1 ;;
  esac
}
# How to tell a user to run a command as root: "`sudo CMD`", "`CMD`" or "`CMD` as root".
# shellcheck disable=SC2016 # the backquotes are text
run_as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    printf '`%s`' "$*"
  elif command -v sudo >/dev/null 2>&1; then
    printf '`sudo %s`' "$*"
  else
    printf '`%s` as root' "$*"
  fi
}
# "a is", "a and b are".
names_are() {
  local IFS=,
  local joined="$*"
  joined="${joined//,/, }"
  if [[ $# -gt 1 ]]; then
    printf '%s and %s are' "${joined%, *}" "${joined##*, }"
  else
    printf '%s is' "$joined"
  fi
}

# --- packages: nginx, chromium --------------------------------------------------------------
# The first of the given names found executable in BIN_DIRS (or nothing, status 1).
find_bin() {
  local dir name
  local -a dirs
  IFS=: read -r -a dirs <<<"$BIN_DIRS"
  for name in "$@"; do
    for dir in "${dirs[@]}"; do
      if [[ -n "$dir" && -f "$dir/$name" && -x "$dir/$name" ]]; then
        printf '%s\n' "$dir/$name"
        return 0
      fi
    done
  done
  return 1
}
missing_packages() {
  local -a missing=()
  find_bin nginx >/dev/null || missing+=(nginx)
  find_bin chromium chromium-browser >/dev/null || missing+=(chromium)
  if [[ ${#missing[@]} -gt 0 ]]; then printf '%s\n' "${missing[@]}"; fi
}

added_policy=false
remove_policy() {
  if [[ "$added_policy" == true ]]; then
    as_root rm -f "$POLICY_RC_D" || warn "could not remove $POLICY_RC_D; remove it by hand"
    added_policy=false
  fi
}
trap remove_policy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

install_packages() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local install_cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    problems+=("$(names_are "${missing[@]}") not installed, and there is no apt-get here: install them with this system's package manager")
    return 0
  fi
  detect_root_mode
  if [[ "$ROOT_MODE" == none ]]; then
    problems+=("$(names_are "${missing[@]}") not installed, and this user cannot install packages (not root, no passwordless sudo): run $(run_as_root "$install_cmd")")
    return 0
  fi
  did_work=true
  say "installing ${missing[*]} (apt-get)"
  # A policy-rc.d answering 101 stops the packages' init scripts from starting a system
  # nginx on :80 (tests run their own). Only added when none exists, and removed after.
  # shellcheck disable=SC2016 # $1 is expanded by that sh
  if [[ ! -e "$POLICY_RC_D" ]] &&
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > "$1" && chmod 755 "$1"' sh "$POLICY_RC_D"; then
    added_policy=true
  fi
  as_root apt-get update || warn "apt-get update failed; trying the existing package lists"
  # One package that cannot be installed must not keep the other out: retry one by one.
  if ! apt_install "${missing[@]}"; then
    local pkg
    for pkg in "${missing[@]}"; do apt_install "$pkg" || true; done
  fi
  remove_policy
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -gt 0 ]]; then
    problems+=("apt-get could not install ${missing[*]} (see its output above); once that is fixed, run $(run_as_root "apt-get install -y --no-install-recommends ${missing[*]}")")
  fi
}

# --- services: PostgreSQL, Redis ------------------------------------------------------------
# "host port" of a URL (scheme://[user[:pass]@]host[:port][/...]); defaults when absent.
host_port() {
  local url="$1" default_port="$2" rest host port
  rest="${url#*://}"
  rest="${rest%%/*}"
  rest="${rest%%\?*}"
  rest="${rest##*@}"
  if [[ "$rest" == \[* ]]; then
    host="${rest%%]*}"
    host="${host#[}"
    port="${rest#*]}"
  else
    host="${rest%%:*}"
    port="${rest#"$host"}"
  fi
  port="${port#:}"
  printf '%s %s\n' "${host:-127.0.0.1}" "${port:-$default_port}"
}
# Whether a URL names the local default address (the only one this script may start).
is_local() {
  local host port
  read -r host port < <(host_port "$1" "$2")
  [[ "$port" == "$2" ]] && [[ "$host" == 127.0.0.1 || "$host" == localhost || "$host" == ::1 ]]
}
# Whether something accepts TCP connections at the URL's host and port.
tcp_open() {
  local host port
  read -r host port < <(host_port "$1" "$2")
  # shellcheck disable=SC2016 # $0 and $1 are expanded by that bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
}
# 0 = answers, 1 = up but not accepting yet (starting), 2 = no answer.
pg_status() {
  if command -v pg_isready >/dev/null 2>&1; then
    local status=0
    pg_isready -q -t 3 -d "$DB_URL" >/dev/null 2>&1 || status=$?
    [[ "$status" -le 2 ]] || status=2
    return "$status"
  fi
  tcp_open "$DB_URL" 5432 || return 2
}
redis_ready() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null || true)" == PONG ]]
    return
  fi
  # No redis-cli: any answer to PING counts (a password is the tests' business).
  local host port reply
  read -r host port < <(host_port "$REDIS_URL" 6379)
  # shellcheck disable=SC2016 # $0 and $1 are expanded by that bash
  reply="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "PING\r\n" >&3 && head -c 1 <&3' \
    "$host" "$port" 2>/dev/null || true)"
  [[ "$reply" == '+' || "$reply" == '-' ]]
}

start_postgres() {
  local version
  version="$(find "$PG_ETC" -mindepth 2 -maxdepth 2 -type d -name main -printf '%h\n' 2>/dev/null |
    xargs -r -n 1 basename | sort -V | tail -n 1 || true)"
  if [[ -z "$version" ]]; then
    problems+=("PostgreSQL does not answer on 127.0.0.1:5432 and there is no local cluster under $PG_ETC: install PostgreSQL ($(run_as_root 'apt-get install -y postgresql')) or set TEST_DATABASE_URL")
    return 1
  fi
  local cmd=(pg_ctlcluster --skip-systemctl-redirect "$version" main start)
  did_work=true
  say "starting PostgreSQL $version (${cmd[*]})"
  # As root, or else as the cluster's owner, or else through passwordless sudo.
  local started=false
  if [[ "$(id -u)" -eq 0 ]]; then
    "${cmd[@]}" && started=true
  elif "${cmd[@]}" 2>/dev/null || as_root "${cmd[@]}"; then
    started=true
  fi
  if [[ "$started" == false ]]; then
    problems+=("PostgreSQL does not answer on 127.0.0.1:5432 and this user cannot start it: run $(run_as_root "${cmd[*]}")")
    return 1
  fi
}

start_redis() {
  local cmd=(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    --dir "${TMPDIR:-/tmp}")
  if ! command -v redis-server >/dev/null 2>&1; then
    problems+=("Redis does not answer on 127.0.0.1:6379 and redis-server is not installed: run $(run_as_root 'apt-get install -y redis-server') or set TEST_REDIS_URL")
    return 1
  fi
  did_work=true
  say "starting Redis (memory only, 127.0.0.1:6379)"
  # A failure here may be a concurrent start that won the port: the wait below decides.
  "${cmd[@]}" >/dev/null || warn "redis-server exited with an error"
}

services() {
  local pg_wait=false redis_wait=false status=0
  pg_status || status=$?
  if [[ "$status" -eq 1 ]]; then
    pg_wait=true # starting up: only wait
  elif [[ "$status" -ne 0 ]]; then
    if [[ -n "${TEST_DATABASE_URL:-}" ]] && ! is_local "$DB_URL" 5432; then
      problems+=("PostgreSQL at TEST_DATABASE_URL does not answer (not started here: it is not 127.0.0.1:5432); start it, or unset TEST_DATABASE_URL to use a local one")
    elif start_postgres; then
      pg_wait=true
    fi
  fi

  if ! redis_ready; then
    if [[ -n "${TEST_REDIS_URL:-}" ]] && ! is_local "$REDIS_URL" 6379; then
      problems+=("Redis at TEST_REDIS_URL does not answer (not started here: it is not 127.0.0.1:6379); start it, or unset TEST_REDIS_URL to use a local one")
    elif start_redis; then
      redis_wait=true
    fi
  fi

  local waited=0
  while [[ "$pg_wait" == true || "$redis_wait" == true ]]; do
    if [[ "$pg_wait" == true ]] && pg_status; then pg_wait=false; fi
    if [[ "$redis_wait" == true ]] && redis_ready; then redis_wait=false; fi
    [[ "$pg_wait" == false && "$redis_wait" == false ]] && break
    if [[ "$waited" -ge "$WAIT_SECONDS" ]]; then
      [[ "$pg_wait" == true ]] &&
        problems+=("PostgreSQL at $(host_port "$DB_URL" 5432 | tr ' ' :) was not ready within ${WAIT_SECONDS}s (see its log, e.g. under /var/log/postgresql)")
      [[ "$redis_wait" == true ]] &&
        problems+=("Redis at 127.0.0.1:6379 did not answer within ${WAIT_SECONDS}s of starting it")
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

install_packages
services

if [[ ${#problems[@]} -gt 0 ]]; then
  {
    echo "test-prerequisites: the tests cannot run on this machine yet:"
    printf '  - %s\n' "${problems[@]}"
    echo "Then run the tests again (scripts/test-prerequisites.sh checks this; see README, Tests)."
  } >&2
  exit 1
fi
if [[ "$did_work" == true ]]; then
  say "ready: nginx, chromium, PostgreSQL, Redis"
else
  say "nginx, chromium, PostgreSQL and Redis present; nothing to do"
fi
