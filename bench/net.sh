#!/usr/bin/env bash
# Networking benchmark (issue #12, bar 5): builds bin/gostack and
# bench/cmd/netbench, runs netbench RUNS times against gostack (default 3;
# each run starts its own cloud on an empty temp dir with free ports), then
# NEUTRON_RUNS times (default RUNS; 0 skips it) against Debian's
# neutron-server started by bench/neutron/run.sh on a fresh PostgreSQL
# database, and prints the medians side by side with the ratio of server
# CPU per request, ready for docs/benchmarks.md.
#
#   bench/net.sh [RUNS] [netbench flags for both...]    e.g. bench/net.sh 1 -cpu-creates 200
#
# neutron-server is slow enough that filling a /16 with 50,000 ports would
# take hours, so its runs use $NEUTRON_FLAGS (default: -creates 200
# -skip-fill): the CPU phase and the /28 race in full, the /16 timed on the
# empty subnet only. Its Keystone is a gostack started here (identity only
# is used); keystonemiddleware validates tokens against it and caches them.
#
# Per-run JSON and the tables are kept in bench/out/ (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-3}
shift || true
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "usage: bench/net.sh [RUNS] [netbench flags]" >&2; exit 2; }
nruns=${NEUTRON_RUNS:-$runs}
nflags=${NEUTRON_FLAGS:--creates 200 -skip-fill}

out=bench/out/net-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
go build -o bin/gostack ./cmd/gostack
go build -o "$out/netbench" ./bench/cmd/netbench

files=()
for i in $(seq 1 "$runs"); do
	echo "== gostack run $i of $runs" >&2
	"$out/netbench" -bin bin/gostack -label gostack -json "$out/gostack$i.json" "$@" >"$out/gostack$i.md"
	cat "$out/gostack$i.md" >&2
	files+=("$out/gostack$i.json")
done

freeport() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ "$nruns" -gt 0 ]; then
	if ! command -v neutron-server >/dev/null; then
		echo "bench/net.sh: neutron-server is not installed; skipping the comparison (see bench/neutron/run.sh)" >&2
		nruns=0
	fi
fi
if [ "$nruns" -gt 0 ]; then
	ks_dir=$(mktemp -d "${TMPDIR:-/tmp}/net-keystone.XXXXXX")
	ks_pid= nr_pid=
	cleanup() {
		[ -z "$nr_pid" ] || { kill -TERM "$nr_pid" 2>/dev/null || true; wait "$nr_pid" 2>/dev/null || true; }
		[ -z "$ks_pid" ] || { kill -TERM "$ks_pid" 2>/dev/null || true; wait "$ks_pid" 2>/dev/null || true; }
		rm -rf "$ks_dir"
	}
	trap cleanup EXIT
	trap 'exit 143' INT TERM

	# A gostack for its Keystone: every listener on a free port.
	ks_args=()
	for f in $(bin/gostack up --help 2>&1 | grep -o -- '-[a-z0-9-]*-port' | sort -u); do
		p=$(freeport)
		ks_args+=("-$f" "$p")
		[ "$f" != -identity-port ] || ks_port=$p
	done
	password="Bench-$RANDOM$RANDOM"
	bin/gostack up --data-dir "$ks_dir/data" --admin-password "$password" --host 127.0.0.1 --log-level warn "${ks_args[@]}" >"$ks_dir/gostack.log" 2>&1 &
	ks_pid=$!
	auth=http://127.0.0.1:$ks_port/v3
	for _ in $(seq 300); do
		[ -s "$ks_dir/data/openrc" ] && break
		kill -0 "$ks_pid" 2>/dev/null || { tail -n 20 "$ks_dir/gostack.log" >&2; exit 1; }
		sleep 0.2
	done

	for i in $(seq 1 "$nruns"); do
		echo "== neutron-server run $i of $nruns" >&2
		port=$(freeport)
		rm -f "$ks_dir/neutron.pid"
		NEUTRON_PIDFILE=$ks_dir/neutron.pid NEUTRON_LOG=$out/neutron$i.log bench/neutron/run.sh "$auth" "$password" "$port" &
		nr_pid=$!
		for _ in $(seq 600); do
			[ -s "$ks_dir/neutron.pid" ] && break
			kill -0 "$nr_pid" 2>/dev/null || { echo "bench/net.sh: neutron-server did not start" >&2; exit 1; }
			sleep 0.5
		done
		# shellcheck disable=SC2086 # NEUTRON_FLAGS is a list of flags
		"$out/netbench" -neutron "http://127.0.0.1:$port" -keystone "$auth" -password "$password" \
			-pid "$(cat "$ks_dir/neutron.pid")" -label neutron-server -json "$out/neutron$i.json" "$@" $nflags >"$out/neutron$i.md"
		cat "$out/neutron$i.md" >&2
		files+=("$out/neutron$i.json")
		kill -TERM "$nr_pid"
		wait "$nr_pid" || true
		nr_pid=
	done
fi

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(go version | cut -d' ' -f3); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
	if [ "$nruns" -gt 0 ]; then
		echo "neutron-server $(dpkg-query -W -f '${Version}' neutron-server 2>/dev/null || echo '?') (ML2/linuxbridge, no agents, PostgreSQL $(psql --version | awk '{print $3}')), flags: $nflags."
	fi
	echo
	"$out/netbench" -merge "${files[@]}"
} | tee "$out/summary.md"
echo "(kept in $out/)" >&2
