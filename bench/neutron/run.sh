#!/usr/bin/env bash
# Runs Debian's neutron-server (bookworm: 2:21.0.0, Zed) in the foreground as
# an API server only, for bench/net.sh's side-by-side with gostack: ML2 with
# the linuxbridge mechanism driver and no agent, oslo.messaging's fake
# transport, no Nova notifications, Keystone tokens checked by
# keystonemiddleware against AUTH_URL (a running gostack's identity service).
#
#   bench/neutron/run.sh AUTH_URL ADMIN_PASSWORD PORT
#
# The config is written under a new temp dir (bench/neutron/neutron.conf.in
# filled in) and the database is created empty each time: PostgreSQL
# database neutron_bench at $NEUTRON_PG (default the test server,
# postgresql://gostack_test:gostack_test@127.0.0.1:5432) — Zed's migrations
# cannot run on SQLite (alembic cannot ALTER constraints there).
# $NEUTRON_PIDFILE, when set, receives neutron-server's pid (the parent of
# its API and RPC workers) once it listens. On exit (or SIGTERM/SIGINT) the
# server and its workers are stopped; $NEUTRON_LOG, when set, receives the
# server's log.
#
# Needs: apt-get install -y --no-install-recommends neutron-server python3-neutron python3-psycopg2 postgresql-client
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[ $# -eq 3 ] || { echo "usage: bench/neutron/run.sh AUTH_URL ADMIN_PASSWORD PORT" >&2; exit 2; }
auth=$1 password=$2 port=$3
for c in neutron-server neutron-db-manage psql; do
	command -v "$c" >/dev/null || { echo "bench/neutron/run.sh: $c is missing; see the Needs line at the top of this script" >&2; exit 1; }
done
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || { echo "bench/neutron/run.sh: python3-psycopg2 is missing" >&2; exit 1; }

pg=${NEUTRON_PG:-postgresql://gostack_test:gostack_test@127.0.0.1:5432}
state=$(mktemp -d "${TMPDIR:-/tmp}/neutron-bench.XXXXXX")
pid=

stop() {
	trap - EXIT INT TERM
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		# neutron-server stops its workers on SIGTERM; whatever is left of
		# its process group after 10 s is killed.
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 -- "-$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [ -n "${NEUTRON_LOG:-}" ] && [ -f "$state/neutron-server.log" ]; then
		cp "$state/neutron-server.log" "$NEUTRON_LOG"
	fi
	rm -rf "$state"
}
trap stop EXIT
trap 'exit 143' INT TERM

mkdir -p "$state/lock"
psql -q -X -v ON_ERROR_STOP=1 "$pg/postgres" -c 'DROP DATABASE IF EXISTS neutron_bench' -c 'CREATE DATABASE neutron_bench' 2>&1 | grep -v 'does not exist, skipping' >&2 || true
db="postgresql+psycopg2://${pg#postgresql://}/neutron_bench"
sed -e "s|@PORT@|$port|g; s|@STATE@|$state|g; s|@DB@|$db|g; s|@AUTH@|$auth|g; s|@PASSWORD@|$password|g" \
	"$here/neutron.conf.in" >"$state/neutron.conf"
neutron-db-manage --config-file "$state/neutron.conf" upgrade head >"$state/db-manage.log" 2>&1 || {
	tail -n 20 "$state/db-manage.log" >&2
	exit 1
}

# setsid makes the server the leader of its own process group (it does not
# fork here: a background job of a script is no group leader), so that
# stop() reaches every worker.
setsid neutron-server --config-file "$state/neutron.conf" >>"$state/neutron-server.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	kill -0 "$pid" 2>/dev/null || { tail -n 30 "$state/neutron-server.log" >&2; echo "bench/neutron/run.sh: neutron-server exited" >&2; exit 1; }
	if /usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "http://127.0.0.1:$port/" 2>/dev/null; then
		break
	fi
	sleep 0.2
done
echo "neutron-server (pid $pid) listens on http://127.0.0.1:$port" >&2
[ -z "${NEUTRON_PIDFILE:-}" ] || echo "$pid" >"$NEUTRON_PIDFILE"
wait "$pid"
