#!/usr/bin/env bash
# A read replica of scripts/test-postgres.sh's server, fed by streaming replication, for
# the tests of Ecotone's DATABASE_REPLICA_URL (src/ecotone/core/tests/test_replication.py).
#
# It uses the PostgreSQL that pg0 extracted for the primary: pg_basebackup -R copies the
# primary (a fresh test server: a few seconds) and the copy runs as a hot standby on
# REPLICA_PORT. Run as root, it runs as the same unprivileged user as the primary.
#
# Usage: scripts/test-replica.sh start|stop|status|url|destroy
#   start    start the primary if needed (test-postgres.sh start), copy it unless a copy
#            of this primary exists, start the replica and wait until it is streaming
#   stop     stop the replica (no error if it is not running)
#   status   exit 0 if the replica answers and is in recovery, 1 otherwise
#   url      print DATABASE_REPLICA_URL, e.g. postgres://ecotone:ecotone@127.0.0.1:55433/ecotone
#   destroy  stop the replica and delete its directory
#
# Environment: as test-postgres.sh (VENV, PGPORT, ECOTONE_PG_DIR, ECOTONE_PG_OS_USER), and
#   REPLICA_PORT              the replica's TCP port on 127.0.0.1; default PGPORT + 1
#   ECOTONE_PG_REPLICA_DIR    its directory; default /tmp/ecotone-pg-replica-$REPLICA_PORT
#   ECOTONE_PG_START_TIMEOUT  seconds to wait for it; default 60
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[test-replica] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PGPORT="${PGPORT:-55432}"
REPLICA_PORT="${REPLICA_PORT:-$((PGPORT + 1))}"
case "$REPLICA_PORT" in
  ''|*[!0-9]*) die "REPLICA_PORT must be a port number, got '$REPLICA_PORT'" ;;
esac
[ "$REPLICA_PORT" != "$PGPORT" ] || die "REPLICA_PORT must differ from PGPORT ($PGPORT)"
PG_DIR="${ECOTONE_PG_DIR:-/tmp/ecotone-pg-${PGPORT}}"
REPLICA_DIR="${ECOTONE_PG_REPLICA_DIR:-/tmp/ecotone-pg-replica-${REPLICA_PORT}}"
DATA="$REPLICA_DIR/data"
OS_USER="${ECOTONE_PG_OS_USER:-ecotone-pg}"
START_TIMEOUT="${ECOTONE_PG_START_TIMEOUT:-60}"
INSTANCE_JSON="$PG_DIR/.pg0/instances/ecotone/instance.json"
PRIMARY_URL="postgres://ecotone:ecotone@127.0.0.1:${PGPORT}/ecotone"
REPLICA_URL="postgres://ecotone:ecotone@127.0.0.1:${REPLICA_PORT}/ecotone"

IS_ROOT=0
if [ "$(id -u)" -eq 0 ]; then IS_ROOT=1; fi

# The primary's PostgreSQL installation (pg0's instance.json), with its libraries.
installation() {
  [ -f "$INSTANCE_JSON" ] || return 1
  local inst ver
  inst="$(sed -n 's/.*"installation_dir": *"\([^"]*\)".*/\1/p' "$INSTANCE_JSON" | head -n 1)"
  ver="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$INSTANCE_JSON" | head -n 1)"
  [ -n "$inst" ] && [ -n "$ver" ] && [ -d "$inst/$ver/bin" ] || return 1
  printf '%s\n' "$inst/$ver"
}

as_pg() {
  local inst
  inst="$(installation)" || die "no PostgreSQL installation found in $PG_DIR (start the primary: PGPORT=$PGPORT scripts/test-postgres.sh start)"
  local env=(env HOME="$PG_DIR" LC_ALL=C.UTF-8 LD_LIBRARY_PATH="$inst/lib" PGPASSWORD=ecotone)
  if [ "$IS_ROOT" -eq 1 ]; then
    (cd "$REPLICA_DIR" && runuser -u "$OS_USER" -- "${env[@]}" "$@")
  else
    (cd "$REPLICA_DIR" && "${env[@]}" "$@")
  fi
}

binary() {
  local inst
  inst="$(installation)" || return 1
  for tool in "$@"; do
    [ -x "$inst/bin/$tool" ] || die "$inst/bin/$tool is missing: this PostgreSQL cannot run a replica"
  done
  printf '%s\n' "$inst/bin"
}

query() {  # query URL SQL: one value
  PGCONNECT_TIMEOUT=3 LD_LIBRARY_PATH="$(installation)/lib" "$(binary psql)/psql" "$1" -XtAqc "$2"
}

replica_ready() {
  [ "$(query "$REPLICA_URL" 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "t" ]
}

streaming() {
  [ "$(query "$PRIMARY_URL" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null || echo 0)" -gt 0 ]
}

system_identifier() {  # of the primary (SQL), or of the copy (pg_controldata)
  if [ "$1" = primary ]; then
    query "$PRIMARY_URL" 'SELECT system_identifier FROM pg_control_system()'
  else
    as_pg "$(binary pg_controldata)/pg_controldata" "$DATA" 2>/dev/null \
      | sed -n 's/^Database system identifier: *//p'
  fi
}

copy_primary() {
  rm -rf -- "$DATA"
  log "copying the primary (127.0.0.1:$PGPORT) with pg_basebackup ..."
  as_pg "$(binary pg_basebackup)/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U ecotone \
    -D "$DATA" -R -X stream -c fast \
    || die "pg_basebackup failed (does the primary allow replication connections from 127.0.0.1?)"
}

start_replica() {  # start_replica SECONDS: start it, true once it streams
  log "starting the replica on 127.0.0.1:$REPLICA_PORT in $REPLICA_DIR ..."
  # hot_standby_feedback: a long search on the replica is not cancelled by the cleanup of
  # rows it still reads
  as_pg "$(binary pg_ctl)/pg_ctl" -D "$DATA" -l "$REPLICA_DIR/replica.log" -w \
    -t "$START_TIMEOUT" start \
    -o "-p $REPLICA_PORT -c listen_addresses=127.0.0.1 -c hot_standby_feedback=on" >/dev/null \
    || { tail -n 20 "$REPLICA_DIR/replica.log" >&2; die "the replica did not start"; }
  local deadline=$((SECONDS + $1))
  until replica_ready && streaming; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 5 "$REPLICA_DIR/replica.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

cmd_start() {
  if replica_ready && streaming; then
    log "already running: $REPLICA_URL"
    return 0
  fi
  if [ -f "$DATA/postmaster.pid" ]; then cmd_stop; fi  # running, but not streaming
  if (exec 3<>"/dev/tcp/127.0.0.1/$REPLICA_PORT") 2>/dev/null; then
    die "port $REPLICA_PORT on 127.0.0.1 is in use by another process: set REPLICA_PORT"
  fi
  PGPORT="$PGPORT" bash "$HERE/test-postgres.sh" start
  binary postgres pg_ctl pg_basebackup pg_controldata psql >/dev/null
  mkdir -p "$REPLICA_DIR"
  if [ "$IS_ROOT" -eq 1 ]; then chown "$OS_USER:" "$REPLICA_DIR"; fi
  chmod 0700 "$REPLICA_DIR"
  local t0=$SECONDS
  if [ -f "$DATA/PG_VERSION" ] && [ "$(system_identifier copy)" = "$(system_identifier primary)" ]; then
    # an earlier copy of this primary: it catches up unless the primary has recycled the
    # WAL it needs since, in which case it is copied again
    if ! start_replica 20; then
      log "the earlier copy cannot catch up; copying the primary again"
      cmd_stop
      copy_primary
      start_replica "$START_TIMEOUT" || die "the replica is not streaming from the primary within ${START_TIMEOUT}s"
    fi
  else
    copy_primary
    start_replica "$START_TIMEOUT" || die "the replica is not streaming from the primary within ${START_TIMEOUT}s"
  fi
  log "streaming in $((SECONDS - t0))s: $REPLICA_URL"
}

cmd_stop() {
  if [ ! -f "$DATA/postmaster.pid" ]; then
    log "not running"
    return 0
  fi
  as_pg "$(binary pg_ctl)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || die "pg_ctl stop failed"
  log "stopped"
}

cmd_status() {
  if replica_ready; then
    log "running: $REPLICA_URL"
    return 0
  fi
  log "not running (port $REPLICA_PORT)"
  return 1
}

cmd_destroy() {
  if [ -d "$REPLICA_DIR" ]; then
    cmd_stop
    rm -rf -- "$REPLICA_DIR"
    log "removed $REPLICA_DIR"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) printf '%s\n' "$REPLICA_URL" ;;
  destroy) cmd_destroy ;;
  -h|--help|help) usage ;;
  *) usage; die "unknown or missing command '${1:-}'" ;;
esac
