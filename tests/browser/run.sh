#!/usr/bin/env bash
# End-to-end browser tests of the dashboard (issue #17): start a cloud of its own
# (fake compute driver, noop network driver, temp data dir, free ports), create
# the flavors, images and networks the flows need (a second flavor to resize
# to, a community image, an external network behind a router), run e2e.mjs (Playwright on
# Debian's chromium, axe-core on every page), stop the cloud and clean up.
#
#   tests/browser/run.sh [--gostack BIN] [--build-web] [--keep]
#
#   --gostack BIN   the binary to start (default: bin/gostack, built from this tree)
#   --build-web     rebuild internal/dashboard/web/dist first (needs npm), then
#                   the binary, so that the test sees the current app sources
#   --keep          keep the cloud's data dir and log
#
# Environment: SHOTS_DIR (screenshots, default /tmp/gostack-browser-shots).
# Output: one line per step, the page-load and JavaScript-size measurements,
# and the closing line "browser: N passed, N failed".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
GOSTACK_BIN=""
BUILD_WEB=0
KEEP=0
die() { echo "browser/run.sh: $*" >&2; exit 2; }
log() { echo "browser/run.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--gostack) GOSTACK_BIN=$2; shift 2 ;;
	--build-web) BUILD_WEB=1; shift ;;
	--keep) KEEP=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

# ---------------------------------------------------------------- tools
need_pkgs=()
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
[ -x /usr/bin/openstack ] || need_pkgs+=(python3-openstackclient)
command -v node >/dev/null || need_pkgs+=(nodejs)
command -v npm >/dev/null || need_pkgs+=(npm)
command -v curl >/dev/null || need_pkgs+=(curl)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1; then
		apt-get update >/dev/null
		apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null
	fi
fi
# playwright-core and axe-core from the lockfile; playwright-core downloads no
# browser: the test drives /usr/bin/chromium.
if [ ! -d "$HERE/node_modules/playwright-core" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$BUILD_WEB" = 1 ]; then
	(cd "$REPO/internal/dashboard/web" && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)
fi

# ---------------------------------------------------------------- the cloud
GOSTACK_PID=""
DATA_DIR=""
cleanup() {
	local rc=$?
	if [ -n "$GOSTACK_PID" ] && kill -0 "$GOSTACK_PID" 2>/dev/null; then
		kill -TERM "$GOSTACK_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$GOSTACK_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$GOSTACK_PID" 2>/dev/null || true
		wait "$GOSTACK_PID" 2>/dev/null || true
	fi
	if [ -n "$DATA_DIR" ]; then
		if [ "$KEEP" = 1 ]; then
			log "--keep: the cloud's data is in $DATA_DIR, its log in $DATA_DIR.log"
		else
			rm -rf "$DATA_DIR" "$DATA_DIR.log"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_ports N: N distinct free loopback ports, all bound at once (one at a
# time, the kernel may hand the same free port out twice)
free_ports() {
	/usr/bin/python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true; }

if [ -z "$GOSTACK_BIN" ]; then
	GOSTACK_BIN="$REPO/bin/gostack"
	log "building $GOSTACK_BIN"
	(cd "$REPO" && go build -o bin/gostack ./cmd/gostack)
fi
[ -x "$GOSTACK_BIN" ] || die "no gostack binary at $GOSTACK_BIN"
help=$("$GOSTACK_BIN" up --help 2>&1 || true)
grep -qE -- '-?-dashboard-port\b' <<<"$help" || die "$GOSTACK_BIN has no --dashboard-port: no dashboard in this build"

DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gostack-browser.XXXXXX")
pw=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
# every --<name>-port flag `gostack up` knows gets a free port, so that several
# clouds (and a developer's own) can run side by side
args=(up --data-dir "$DATA_DIR" --admin-password "$pw" --host 127.0.0.1
	--compute-driver fake --network-driver noop)
flags=($(grep -oE -- '--?[a-z0-9-]+-port\b' <<<"$help" | sed 's/^-*//' | sort -u))
ports=($(free_ports ${#flags[@]}))
idport="" dashport="" i=0
for flag in "${flags[@]}"; do
	args+=("--$flag" "${ports[$i]}")
	[ "$flag" = identity-port ] && idport=${ports[$i]}
	[ "$flag" = dashboard-port ] && dashport=${ports[$i]}
	i=$((i + 1))
done
log "starting $GOSTACK_BIN ${args[*]/$pw/***}"
"$GOSTACK_BIN" "${args[@]}" >"$DATA_DIR.log" 2>&1 &
GOSTACK_PID=$!
for i in $(seq 1 600); do
	if ! kill -0 "$GOSTACK_PID" 2>/dev/null; then
		tail -n 30 "$DATA_DIR.log" >&2
		die "gostack exited during start-up"
	fi
	if [ "$(http_code "http://127.0.0.1:$idport/v3")" = 200 ] && [ -s "$DATA_DIR/openrc" ] &&
		[ "$(http_code "http://127.0.0.1:$dashport/")" = 200 ]; then
		break
	fi
	sleep 0.1
done
[ "$i" -lt 600 ] || { tail -n 30 "$DATA_DIR.log" >&2; die "gostack not ready after 60 s"; }
log "cloud up (pid $GOSTACK_PID, dashboard http://127.0.0.1:$dashport/)"

# ---------------------------------------------------------------- what the launch needs
unset OS_CLOUD OS_TOKEN OS_AUTH_TYPE
# shellcheck disable=SC1091
. "$DATA_DIR/openrc"
img="$DATA_DIR/browser-test.img"
head -c 1048576 /dev/zero >"$img"
/usr/bin/openstack flavor create --ram 256 --disk 1 --vcpus 1 m1.tiny >/dev/null
# a second flavor to resize to
/usr/bin/openstack flavor create --ram 512 --disk 2 --vcpus 1 m1.small >/dev/null
/usr/bin/openstack image create --file "$img" --disk-format raw --container-format bare --public cirros >/dev/null
# a community image, for the Images page's filters
/usr/bin/openstack image create --file "$img" --disk-format raw --container-format bare --community community-image >/dev/null
/usr/bin/openstack network create private >/dev/null
/usr/bin/openstack subnet create --network private --subnet-range 10.0.0.0/24 private-subnet >/dev/null
# an external network behind a router, so that floating IPs can be allocated
# and associated with the instance's port on private
/usr/bin/openstack network create --external public >/dev/null
/usr/bin/openstack subnet create --network public --subnet-range 172.24.4.0/24 public-subnet >/dev/null
/usr/bin/openstack router create gateway >/dev/null
/usr/bin/openstack router set --external-gateway public gateway >/dev/null
/usr/bin/openstack router add subnet gateway private-subnet >/dev/null
rm -f "$img"

# ---------------------------------------------------------------- the test
DASHBOARD_URL="http://127.0.0.1:$dashport" ADMIN_USER="$OS_USERNAME" ADMIN_PASSWORD="$OS_PASSWORD" \
	IMAGE_NAME=cirros FLAVOR_NAME=m1.tiny RESIZE_FLAVOR_NAME=m1.small NETWORK_NAME=private \
	EXTERNAL_NETWORK_NAME=public COMMUNITY_IMAGE_NAME=community-image \
	SHOTS_DIR="${SHOTS_DIR:-/tmp/gostack-browser-shots}" \
	node "$HERE/e2e.mjs"
