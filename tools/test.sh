#!/usr/bin/env bash
# Run every test gostack has: what CI runs (.ci/run) and what `make test` runs.
#
#   tools/test.sh [--long] [--only STEPS] [--skip STEPS]
#
# Steps, in order:
#   deps        install what the tests need from Debian (idempotent, --no-install-recommends)
#   postgres    start PostgreSQL and export GOSTACK_TEST_POSTGRES (a role that may CREATE DATABASE)
#   vet         go vet ./...
#   unit        go test ./...                       (SQLite)
#   unit-pg     go test, again on PostgreSQL, of the packages whose tests reach a database
#   build       go build -o bin/gostack ./cmd/gostack
#   readme      README.md's code fences, and its walkthrough (```sh walkthrough
#               blocks) pasted into bash against a fresh cloud: tests/readme
#   acceptance  go test -tags acceptance ./tests/acceptance/...   (the real openstack CLI)
#   browser     tests/browser/run.sh: the dashboard in Debian's chromium (playwright-core,
#               axe-core); screenshots in tests/browser-shots
#   soak        bench/cmd/soak short form: 2 min on SQLite, 2 min on PostgreSQL,
#               2 min on SQLite with two kill -9 (10 min each with --long);
#               0 failed operations and exact consistency at the end
#   tempest     tests/tempest/run.sh --list identity --min-pass $TEMPEST_MIN_PASS
#   tempest-image  tests/tempest/run.sh --list image --min-pass $TEMPEST_IMAGE_MIN_PASS
#   tempest-compute  tests/tempest/run.sh --list compute --min-pass $TEMPEST_COMPUTE_MIN_PASS
#               (fake hypervisor driver, two hosts; in the background beside
#               the network step; log tests/tempest-compute.log)
#   tempest-network  tests/tempest/run.sh --list network --min-pass $TEMPEST_NETWORK_MIN_PASS
#               (in the background, beside soak, tempest, tempest-image and
#               tempest-volume, whose clouds run without a data plane; log
#               tests/tempest-network.log)
#   tempest-volume   tests/tempest/run.sh --list volume --min-pass $TEMPEST_VOLUME_MIN_PASS
#   tempest-object   tests/tempest/run.sh --list object-storage --min-pass $TEMPEST_OBJECT_MIN_PASS
#   tempest-scenario  (root) Tempest's scenario tests test_network_basic_ops,
#               test_server_basic_ops and test_security_groups_basic_ops: real
#               QEMU guests (TCG) on the linuxbridge data plane, SSH and ping
#               through floating IPs; at least $TEMPEST_SCENARIO_MIN_PASS pass
#   tempest-qemu  (--long only) tests/tempest/run.sh --regex '^tempest\.api\.compute\.servers\.'
#               with the qemu driver booting the guest test image under TCG;
#               must pass at least $TEMPEST_QEMU_MIN_PASS (the fake driver's count)
#   fuzz        every Fuzz target for $FUZZTIME (10s; 60s with --long)
#
# --only / --skip take comma-separated step names.  Environment:
#   TEMPEST_MIN_PASS     identity pass threshold (default 130)
#   TEMPEST_IMAGE_MIN_PASS  image pass threshold (default 75)
#   TEMPEST_COMPUTE_MIN_PASS  compute pass threshold (default 490)
#   TEMPEST_NETWORK_MIN_PASS  network pass threshold (default 258)
#   TEMPEST_VOLUME_MIN_PASS  block storage pass threshold (default 200)
#   TEMPEST_OBJECT_MIN_PASS  object storage pass threshold (default 136)
#   TEMPEST_QEMU_MIN_PASS  servers-with-qemu threshold (default 155)
#   TEMPEST_SCENARIO_MIN_PASS  scenario threshold (default 16)
#   FUZZTIME             per-target fuzz time (default 10s, --long: 60s)
#   GOSTACK_TEST_POSTGRES  use this server instead of starting the local one
#
# Every step runs even when an earlier one failed (unless it needs it); the
# script prints a summary and exits non-zero when any step failed.  It can be
# run again on the same machine.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$(pwd)

LONG=0
ONLY=""
SKIP=""
while [ $# -gt 0 ]; do
	case "$1" in
	--long) LONG=1; shift ;;
	--only) ONLY=$2; shift 2 ;;
	--skip) SKIP=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "tools/test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
TEMPEST_MIN_PASS=${TEMPEST_MIN_PASS:-130}
TEMPEST_IMAGE_MIN_PASS=${TEMPEST_IMAGE_MIN_PASS:-75}
TEMPEST_COMPUTE_MIN_PASS=${TEMPEST_COMPUTE_MIN_PASS:-490}
TEMPEST_NETWORK_MIN_PASS=${TEMPEST_NETWORK_MIN_PASS:-258}
TEMPEST_VOLUME_MIN_PASS=${TEMPEST_VOLUME_MIN_PASS:-200}
TEMPEST_OBJECT_MIN_PASS=${TEMPEST_OBJECT_MIN_PASS:-136}
TEMPEST_QEMU_MIN_PASS=${TEMPEST_QEMU_MIN_PASS:-155}
TEMPEST_SCENARIO_MIN_PASS=${TEMPEST_SCENARIO_MIN_PASS:-16}
if [ "$LONG" = 1 ]; then FUZZTIME=${FUZZTIME:-60s}; else FUZZTIME=${FUZZTIME:-10s}; fi
export GOFLAGS=${GOFLAGS:-}
export DEBIAN_FRONTEND=noninteractive

want() {
	local s=$1
	if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$s,"* ]]; then return 1; fi
	if [ -n "$SKIP" ] && [[ ",$SKIP," == *",$s,"* ]]; then return 1; fi
	return 0
}

declare -a RESULTS=()
FAILED=0
PASSED=0
declare -A STATUS=()

# step NAME CMD...: run CMD, record the outcome and the time it took
step() {
	local name=$1
	shift
	want "$name" || return 0
	echo
	echo "==== $name: $*"
	local t0 rc
	t0=$(date +%s)
	"$@"
	rc=$?
	local dt=$(($(date +%s) - t0))
	if [ $rc -eq 0 ]; then
		RESULTS+=("$(printf '%-11s ok      %4ds' "$name" "$dt")")
		STATUS[$name]=ok
		PASSED=$((PASSED + 1))
	else
		RESULTS+=("$(printf '%-11s FAILED  %4ds  (exit %d)' "$name" "$dt" "$rc")")
		STATUS[$name]=failed
		FAILED=$((FAILED + 1))
	fi
	echo "==== $name: exit $rc after ${dt}s"
	return 0
}

# background NAME CMD...: start CMD as step NAME in the background, its
# output in a log that finish prints; for a step that mostly waits.
declare -A BG_PID=() BG_T0=()
background() {
	local name=$1
	shift
	want "$name" || return 0
	echo
	echo "==== $name: $* (in the background, log tests/$name.log)"
	BG_T0[$name]=$(date +%s)
	"$@" >"$REPO/tests/$name.log" 2>&1 &
	BG_PID[$name]=$!
}

# finish NAME: wait for background step NAME and record it as step does
finish() {
	local name=$1 rc
	[ -n "${BG_PID[$name]:-}" ] || return 0
	wait "${BG_PID[$name]}"
	rc=$?
	echo
	echo "==== $name (background): output"
	cat "$REPO/tests/$name.log"
	local dt=$(($(date +%s) - BG_T0[$name]))
	if [ $rc -eq 0 ]; then
		RESULTS+=("$(printf '%-11s ok      %4ds  (background)' "$name" "$dt")")
		STATUS[$name]=ok
		PASSED=$((PASSED + 1))
	else
		RESULTS+=("$(printf '%-11s FAILED  %4ds  (background; exit %d)' "$name" "$dt" "$rc")")
		STATUS[$name]=failed
		FAILED=$((FAILED + 1))
	fi
	echo "==== $name: exit $rc after ${dt}s"
}

# skipped NAME REASON: record a step that could not run
skipped() {
	want "$1" || return 0
	RESULTS+=("$(printf '%-11s FAILED  (not run: %s)' "$1" "$2")")
	STATUS[$1]=failed
	FAILED=$((FAILED + 1))
}

# ---------------------------------------------------------------- steps
deps() {
	local pkgs=() missing=()
	pkgs+=(postgresql python3-tempest python3-openstackclient python3-osc-placement gettext-base curl ca-certificates)
	# image: glance CLI for the acceptance test, qemu-img to cross-check the disk-format reader
	pkgs+=(python3-glanceclient qemu-utils)
	# compute: real guests under QEMU, config drives, the guest test image
	pkgs+=(qemu-system-x86 genisoimage busybox-static cpio)
	# network data plane: Tempest's scenario tests ping guests from the host
	pkgs+=(iputils-ping)
	# the console proxy's web pages (noVNC), and ssh-keygen for the README's walkthrough
	pkgs+=(novnc openssh-client)
	# object storage: the swift and s3cmd clients of the acceptance test
	pkgs+=(python3-swiftclient s3cmd)
	# scale-out: the cluster acceptance test's load balancer and NATS cluster
	pkgs+=(haproxy nats-server)
	# dashboard: Debian's chromium driven by playwright-core (npm) in the
	# browser tests; node and npm from Debian unless a node is there
	# already (NodeSource's nodejs bundles npm and conflicts with Debian's)
	pkgs+=(chromium)
	command -v node >/dev/null || pkgs+=(nodejs)
	command -v npm >/dev/null || pkgs+=(npm)
	local p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if ! command -v go >/dev/null; then
		echo "go is not on PATH" >&2
		return 1
	fi
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all present: ${pkgs[*]}"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "missing ${missing[*]} and not root: install them first" >&2
		return 1
	fi
	echo "installing ${missing[*]}"
	apt-get update -q || return 1
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

PG_ROLE=gostack_test
PG_PASSWORD=gostack_test
postgres() {
	if [ -n "${GOSTACK_TEST_POSTGRES:-}" ]; then
		echo "using GOSTACK_TEST_POSTGRES from the environment"
		return 0
	fi
	command -v pg_lsclusters >/dev/null || { echo "postgresql is not installed" >&2; return 1; }
	local ver port status
	read -r ver _ port status _ < <(pg_lsclusters -h | awk '$2 == "main"' | sort -rn | head -n 1)
	if [ -z "${ver:-}" ]; then
		ver=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
		echo "creating cluster $ver/main"
		pg_createcluster "$ver" main || return 1
		read -r ver _ port status _ < <(pg_lsclusters -h | awk '$2 == "main"' | sort -rn | head -n 1)
	fi
	if [[ $status != online* ]]; then
		echo "starting PostgreSQL $ver/main"
		pg_ctlcluster "$ver" main start || return 1
	else
		echo "PostgreSQL $ver/main already running on port $port"
	fi
	local _i
	for _i in $(seq 1 50); do
		pg_isready -q -h 127.0.0.1 -p "$port" && break
		sleep 0.2
	done
	pg_isready -h 127.0.0.1 -p "$port" || return 1
	# a role that may create (and drop its own) databases; its password is a
	# fixed test one, and it can log in over loopback only (Debian's pg_hba)
	local sql="DO \$do\$ BEGIN
	  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
	    ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
	  ELSE
	    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
	  END IF;
	END \$do\$;"
	runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -c "$sql" || return 1
	# databases left behind by an interrupted earlier run
	runuser -u postgres -- psql -qAt -p "$port" -d postgres \
		-c "SELECT datname FROM pg_database WHERE datname LIKE 'gostack_test_%'" |
		while read -r db; do
			runuser -u postgres -- psql -q -p "$port" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
		done
	export GOSTACK_TEST_POSTGRES="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$port/postgres?sslmode=disable"
	echo "GOSTACK_TEST_POSTGRES=postgres://$PG_ROLE:***@127.0.0.1:$port/postgres?sslmode=disable"
}

# unit-pg: again on PostgreSQL, the packages whose tests can reach a
# database (they import platform/db/dbtest or testcloud, directly or
# through a service's test harness); the rest (real guests, parsers, the
# kernel data plane's pure parts) ran in unit already.
unit_pg() {
	local pkgs
	pkgs=$(go list -test -f '{{if .ForTest}}{{.ForTest}} {{join .Deps " "}}{{end}}' ./internal/... |
		awk '/gostack\/internal\/platform\/db\/dbtest( |$)|gostack\/testcloud( |$)/ {print $1}' | sort -u) || return 1
	[ -n "$pkgs" ] || { echo "no package reaches a database" >&2; return 1; }
	echo "$(wc -w <<<"$pkgs") packages"
	# shellcheck disable=SC2086 # one word per package
	GOSTACK_TEST_POSTGRES=$GOSTACK_TEST_POSTGRES go test -count=1 $pkgs
}

# readme: the README's fences and its walkthrough, run as pasted (one bash
# -e, the commands in order) against a fresh cloud on free ports.
readme() {
	GOSTACK_BIN=$REPO/bin/gostack go test -count=1 -v -timeout 20m ./tests/readme/
}

acceptance() {
	GOSTACK_BIN=$REPO/bin/gostack go test -tags acceptance -count=1 -v -timeout 25m ./tests/acceptance/...
}

browser() {
	SHOTS_DIR=$REPO/tests/browser-shots bash tests/browser/run.sh --gostack "$REPO/bin/gostack"
}

# soak: the short form of bench/cmd/soak (2 min each: SQLite, PostgreSQL,
# SQLite with kill -9 twice); --long: 10 min each.
soak() {
	local dur=${SOAK_DURATION:-2m}
	if [ "$LONG" = 1 ]; then dur=${SOAK_DURATION:-10m}; fi
	GOSTACK_SOAK=1 GOSTACK_SOAK_DURATION=$dur GOSTACK_BIN=$REPO/bin/gostack \
		go test -count=1 -run TestSoak -timeout 60m -v ./bench/cmd/soak/soak/
}

tempest() {
	GOSTACK_UP_ARGS="--network-driver noop" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --list identity --min-pass "$TEMPEST_MIN_PASS"
}

tempest_image() {
	GOSTACK_UP_ARGS="--network-driver noop" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --list image --min-pass "$TEMPEST_IMAGE_MIN_PASS"
}

tempest_compute() {
	GOSTACK_UP_ARGS="--compute-driver fake --fake-hypervisors 2 --network-driver noop" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --list compute --min-pass "$TEMPEST_COMPUTE_MIN_PASS"
}

tempest_network() {
	# Tempest's subnet delete sleeps 10 s before it asks (ports that take
	# time to go elsewhere): six workers keep the step short (261 passed
	# at 4 and at 6 workers; about 11 min at 6 against 16 at 4). The step
	# is mostly Tempest asleep, so it runs in the background beside the
	# steps whose clouds have no data plane (--network-driver noop: only
	# one linuxbridge agent may own the host at a time); the class that
	# deletes the most subnets (test_dhcp_ipv6) bounds it at ~11 min.
	tests/tempest/run.sh --gostack "$REPO/bin/gostack" --list network --concurrency 6 \
		--min-pass "$TEMPEST_NETWORK_MIN_PASS"
}

# tempest-volume: Cinder's API tests with the file backend and the fake
# compute driver (attachments to servers need a compute host, not a guest).
tempest_volume() {
	GOSTACK_UP_ARGS="--compute-driver fake --fake-hypervisors 2 --network-driver noop" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --list volume --concurrency 4 \
		--min-pass "$TEMPEST_VOLUME_MIN_PASS"
}

# tempest-object: Swift's API tests against the all-in-one's storage node
# (three devices, three replicas) and its middleware pipeline.
tempest_object() {
	GOSTACK_UP_ARGS="--compute-driver fake --network-driver noop" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --list object-storage --concurrency 2 \
		--min-pass "$TEMPEST_OBJECT_MIN_PASS"
}

tempest_scenario() {
	if [ "$(id -u)" != 0 ]; then
		echo "the linuxbridge data plane needs root" >&2
		return 1
	fi
	RUN_VALIDATION=true GOSTACK_UP_ARGS="--compute-driver qemu --network-driver linuxbridge" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --workspace "$REPO/tests/tempest/workspace/scenario" \
		--regex '^tempest\.scenario\.(test_network_basic_ops|test_server_basic_ops|test_security_groups_basic_ops)\.' \
		--concurrency 2 --min-pass "$TEMPEST_SCENARIO_MIN_PASS"
}

tempest_qemu() {
	GOSTACK_UP_ARGS="--compute-driver qemu" \
		tests/tempest/run.sh --gostack "$REPO/bin/gostack" --workspace "$REPO/tests/tempest/workspace/compute-qemu" \
		--regex '^tempest\.api\.compute\.servers\.' --min-pass "$TEMPEST_QEMU_MIN_PASS"
}

# fuzz_one DIR NAME: one fuzz target for $FUZZTIME. Go's fuzzing
# coordinator sometimes ends a run that found nothing with "context
# deadline exceeded" (a worker still busy at the deadline; seen twice in
# CI, on two targets): such a run is tried once more. A real finding writes
# its input ("Failing input written to …") and fails at once.
fuzz_one() {
	local out
	out=$(go test -run '^$' -fuzz "^${2}\$" -fuzztime "$FUZZTIME" "$1" 2>&1)
	local rc=$?
	printf '%s\n' "$out"
	if [ $rc -ne 0 ] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written to' <<<"$out"; then
		echo "-- $2: the fuzzing coordinator timed out with nothing found; once more"
		go test -run '^$' -fuzz "^${2}\$" -fuzztime "$FUZZTIME" "$1"
		return
	fi
	return $rc
}

fuzz() {
	local targets=() line file dir name rc=0 n=0
	while IFS= read -r line; do
		file=${line%%:*}
		name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"${line#*:}")
		targets+=("./$(dirname "${file#./}") $name")
	done < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '^./\(bin\|tests/tempest/workspace\)/' | sort)
	if [ ${#targets[@]} -eq 0 ]; then
		echo "no Fuzz targets found"
		return 0
	fi
	for t in "${targets[@]}"; do
		read -r dir name <<<"$t"
		n=$((n + 1))
		echo "-- fuzz $dir $name ($FUZZTIME)"
		if ! fuzz_one "$dir" "$name"; then
			echo "-- FAILED: fuzz $dir $name"
			rc=1
		fi
	done
	echo "$n fuzz targets run"
	return $rc
}

# ---------------------------------------------------------------- run
START=$(date +%s)
echo "gostack tests: $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores; $(go version 2>/dev/null)"

step deps deps
if want postgres || want unit-pg; then
	step postgres postgres
fi
step vet go vet ./...
step unit env -u GOSTACK_TEST_POSTGRES go test -count=1 ./...
if want unit-pg; then
	if [ -n "${GOSTACK_TEST_POSTGRES:-}" ]; then
		step unit-pg unit_pg
	else
		skipped unit-pg "no PostgreSQL"
	fi
fi
step build go build -o bin/gostack ./cmd/gostack
if want readme; then
	if [ "${STATUS[build]:-ok}" = ok ] && [ -x bin/gostack ]; then
		step readme readme
	else
		skipped readme "no binary"
	fi
fi
if want acceptance || want browser || want soak || want tempest || want tempest-image || want tempest-compute || want tempest-network || want tempest-volume || want tempest-object || want tempest-scenario; then
	if [ "${STATUS[build]:-ok}" = ok ] && [ -x bin/gostack ]; then
		step acceptance acceptance
		step browser browser
		# The network step (mostly Tempest asleep) and the compute step
		# (fake hosts) in the background, beside the steps whose clouds
		# have no data plane either (above): about 14 minutes instead of 30.
		background tempest-network tempest_network
		background tempest-compute tempest_compute
		step soak soak
		step tempest tempest
		step tempest-image tempest_image
		step tempest-volume tempest_volume
		step tempest-object tempest_object
		finish tempest-network
		finish tempest-compute
		step tempest-scenario tempest_scenario
		if [ "$LONG" = 1 ]; then
			step tempest-qemu tempest_qemu
		fi
	else
		skipped acceptance "no binary"
		skipped browser "no binary"
		skipped soak "no binary"
		skipped tempest "no binary"
		skipped tempest-image "no binary"
		skipped tempest-compute "no binary"
		skipped tempest-network "no binary"
		skipped tempest-volume "no binary"
		skipped tempest-object "no binary"
		skipped tempest-scenario "no binary"
	fi
fi
# not beside the background step: Go's fuzzing coordinator gives up
# ("context deadline exceeded") on a machine that busy
step fuzz fuzz

echo
echo "==== summary ($(($(date +%s) - START))s)"
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "steps: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
