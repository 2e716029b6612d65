#!/usr/bin/env bash
# Run OpenStack's Tempest against gostack.
#
#   tests/tempest/run.sh [options] [-- extra tempest run args]
#
# Against a running cloud:   tests/tempest/run.sh --openrc DIR/openrc
# Against a cloud of its own (built from this repo, temp data dir, random
# ports, stopped and removed at exit):   tests/tempest/run.sh
#
# Options:
#   --openrc FILE       use the cloud described by this openrc (default: start one)
#   --list NAME|FILE    run the test ids in tests/tempest/lists/NAME.txt or FILE
#                       (default: the lists of every service the cloud runs)
#   --regex RE          run the tests matching RE instead of a list
#   --min-pass N        exit non-zero when fewer than N tests pass (default 0)
#   --concurrency N     tempest workers (default 2)
#   --workspace DIR     tempest workspace (default tests/tempest/workspace/<name>)
#   --services LIST     comma list of services to enable (identity,compute,image,
#                       network,volume,object-store); default: read from the catalog
#   --gostack BIN       binary to start when no --openrc (default bin/gostack, built)
#   --keep              keep the temp data dir of a cloud this script started
#   --debug             tempest debug logging (requests and responses in tempest.log)
#
# Environment: any placeholder of tempest.conf.template (IMAGE_REF, FLAVOR_REF,
# PUBLIC_NETWORK_ID, NEUTRON_EXTENSIONS, COMPUTE_MAX_MICROVERSION, ...) may be
# set to override the defaults below.  GOSTACK_UP_ARGS adds arguments to
# `gostack up`.
#
# Output: the tempest log, a per-test CSV (test,status,reason), the failing
# and skipped tests with their reasons, then the closing line
# "N passed, N failed, N skipped" alone on the last line.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

OPENRC=""
LIST=""
REGEX=""
MIN_PASS=0
CONCURRENCY=2
WORKSPACE_DIR=""
SERVICES=""
GOSTACK_BIN=""
KEEP=0
DEBUG=false
EXTRA=()

die() { echo "tempest/run.sh: $*" >&2; exit 2; }
log() { echo "tempest/run.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--openrc) OPENRC=$2; shift 2 ;;
	--list) LIST=$2; shift 2 ;;
	--regex) REGEX=$2; shift 2 ;;
	--min-pass) MIN_PASS=$2; shift 2 ;;
	--concurrency) CONCURRENCY=$2; shift 2 ;;
	--workspace) WORKSPACE_DIR=$2; shift 2 ;;
	--services) SERVICES=$2; shift 2 ;;
	--gostack) GOSTACK_BIN=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--debug) DEBUG=true; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; EXTRA=("$@"); break ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[[ $MIN_PASS =~ ^[0-9]+$ ]] || die "--min-pass wants a number"
[ -n "$LIST" ] && [ -n "$REGEX" ] && die "give --list or --regex, not both"

# ---------------------------------------------------------------- packages
need_pkgs=()
[ -x /usr/bin/tempest ] || need_pkgs+=(python3-tempest)
[ -x /usr/bin/openstack ] || need_pkgs+=(python3-openstackclient)
[ -x /usr/bin/stestr ] || need_pkgs+=(python3-stestr)
command -v envsubst >/dev/null || need_pkgs+=(gettext-base)
command -v curl >/dev/null || need_pkgs+=(curl)
/usr/bin/python3 -c 'import subunit, testtools' 2>/dev/null || need_pkgs+=(python3-subunit python3-testtools)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1; then
		apt-get update >/dev/null
		apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null
	fi
fi

# ---------------------------------------------------------------- the cloud
GOSTACK_PID=""
DATA_DIR=""
HTTP_PID=""
HTTP_DIR=""
cleanup() {
	local rc=$?
	if [ -n "$HTTP_PID" ]; then
		kill -TERM "$HTTP_PID" 2>/dev/null || true
		wait "$HTTP_PID" 2>/dev/null || true
	fi
	[ -n "$HTTP_DIR" ] && rm -rf "$HTTP_DIR" "$HTTP_DIR.log"
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
		# guests outlive gostack by design: stop the ones this cloud left
		pkill -f "qemu-system.*$DATA_DIR/" 2>/dev/null || true
		# and so does the network data plane: take down what its agent built
		# (host-wide: a cloud without a data plane must not, another run's
		# may be up beside it)
		if [ "$(id -u)" = 0 ] && [[ " ${GOSTACK_UP_ARGS:-} " != *" --network-driver noop "* ]]; then
			"$GOSTACK_BIN" agent network --cleanup --data-dir "$DATA_DIR" >/dev/null 2>&1 || true
		fi
		[ "$KEEP" = 1 ] || rm -rf "$DATA_DIR" "$DATA_DIR.log"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# free_ports N: N distinct free loopback ports, all bound at once (one at
# a time, the kernel may hand the same free port out twice)
free_ports() {
	/usr/bin/python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true; }

start_cloud() {
	if [ -z "$GOSTACK_BIN" ]; then
		GOSTACK_BIN="$REPO/bin/gostack"
		log "building $GOSTACK_BIN"
		(cd "$REPO" && go build -o bin/gostack ./cmd/gostack)
	fi
	[ -x "$GOSTACK_BIN" ] || die "no gostack binary at $GOSTACK_BIN"
	DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gostack-tempest.XXXXXX")
	local pw
	pw=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
	# every --<name>-port flag `gostack up` knows gets a free port, so that
	# several clouds (and a developer's own) can run side by side
	local args=(up --data-dir "$DATA_DIR" --admin-password "$pw" --host 127.0.0.1
		--identity-lockout-attempts 2 --identity-lockout-duration 5s
		--identity-unique-last-passwords 2)
	local help flag port idport="" flags ports i=0
	help=$("$GOSTACK_BIN" up --help 2>&1 || true)
	flags=($(grep -oE -- '--?[a-z0-9-]+-port\b' <<<"$help" | sed 's/^-*//' | sort -u))
	ports=($(free_ports $((${#flags[@]} + 1))))
	for flag in "${flags[@]}"; do
		port=${ports[$i]}
		i=$((i + 1))
		args+=("--$flag" "$port")
		[ "$flag" = identity-port ] && idport=$port
	done
	if [ -z "$idport" ]; then
		idport=${ports[$i]}
		args+=(--identity-port "$idport")
	fi
	# web-download may fetch from loopback only (the harness's own HTTP
	# server), plus the host Tempest's negative web-download test names: it
	# does not resolve, so that import fails the way the test expects
	if grep -qE -- '-?-image-web-download-hosts\b' <<<"$help"; then
		args+=(--image-web-download-hosts "127.0.0.1,does-not.exist")
	fi
	# shellcheck disable=SC2206 # word splitting of GOSTACK_UP_ARGS is intended
	[ -n "${GOSTACK_UP_ARGS:-}" ] && args+=(${GOSTACK_UP_ARGS})
	log "starting $GOSTACK_BIN ${args[*]/$pw/***}"
	"$GOSTACK_BIN" "${args[@]}" >"$DATA_DIR.log" 2>&1 &
	GOSTACK_PID=$!
	local url="http://127.0.0.1:$idport/v3" i
	for i in $(seq 1 600); do
		if ! kill -0 "$GOSTACK_PID" 2>/dev/null; then
			tail -n 30 "$DATA_DIR.log" >&2
			die "gostack exited during start-up"
		fi
		if [ "$(http_code "$url")" = 200 ] && [ -s "$DATA_DIR/openrc" ]; then
			break
		fi
		sleep 0.1
	done
	[ "$i" -lt 600 ] || { tail -n 30 "$DATA_DIR.log" >&2; die "gostack not ready after 60 s"; }
	OPENRC="$DATA_DIR/openrc"
	log "cloud up (pid $GOSTACK_PID, $url)"
	if [ "$KEEP" = 1 ]; then
		log "--keep: the cloud's data stays in $DATA_DIR, its log in $DATA_DIR.log"
	fi
}

if [ -z "$OPENRC" ]; then
	start_cloud
fi
[ -r "$OPENRC" ] || die "cannot read $OPENRC"
unset OS_CLOUD OS_TOKEN OS_AUTH_TYPE OS_APPLICATION_CREDENTIAL_ID OS_APPLICATION_CREDENTIAL_SECRET
# shellcheck disable=SC1090
. "$OPENRC"
: "${OS_AUTH_URL:?openrc sets no OS_AUTH_URL}" "${OS_USERNAME:?}" "${OS_PASSWORD:?}"
[ "$(http_code "$OS_AUTH_URL")" = 200 ] || die "$OS_AUTH_URL does not answer 200"

# ---------------------------------------------------------------- services
if [ -z "$SERVICES" ]; then
	# the catalog says what this cloud runs
	if catalog=$(/usr/bin/openstack catalog list -f value -c Type 2>"${TMPDIR:-/tmp}/tempest-catalog.$$.err"); then
		SERVICES=$(tr '\n' ',' <<<"$catalog")
	else
		log "openstack catalog list failed ($(tail -n 1 "${TMPDIR:-/tmp}/tempest-catalog.$$.err")); assuming identity only"
		SERVICES=identity
	fi
	rm -f "${TMPDIR:-/tmp}/tempest-catalog.$$.err"
fi
has() { [[ ",$SERVICES," == *",$1,"* ]]; }
tf() { if has "$1" || { [ -n "${2:-}" ] && has "$2"; }; then echo true; else echo false; fi; }

export WORKSPACE KEYSTONE_URL REGION ADMIN_USERNAME ADMIN_PASSWORD ADMIN_PROJECT_NAME ADMIN_DOMAIN_NAME
KEYSTONE_URL=${OS_AUTH_URL%/}
[[ $KEYSTONE_URL == */v3 ]] || KEYSTONE_URL="$KEYSTONE_URL/v3"
REGION=${OS_REGION_NAME:-RegionOne}
ADMIN_USERNAME=$OS_USERNAME
ADMIN_PASSWORD=$OS_PASSWORD
ADMIN_PROJECT_NAME=${OS_PROJECT_NAME:-admin}
ADMIN_DOMAIN_NAME=${OS_USER_DOMAIN_NAME:-Default}

export NOVA_AVAILABLE GLANCE_AVAILABLE NEUTRON_AVAILABLE CINDER_AVAILABLE SWIFT_AVAILABLE
NOVA_AVAILABLE=$(tf compute)
GLANCE_AVAILABLE=$(tf image)
NEUTRON_AVAILABLE=$(tf network)
CINDER_AVAILABLE=$(tf volumev3 block-storage)
SWIFT_AVAILABLE=$(tf object-store)
# The object store's middleware as its /info lists them, as DevStack
# configures Tempest from the pipeline it built: a test of a feature the
# cluster does not offer (container sync) is skipped, not left to time out.
export SWIFT_DISCOVERABLE_APIS=all
if [ "$SWIFT_AVAILABLE" = true ]; then
	swift_url=$(/usr/bin/openstack catalog show object-store -f json 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys; print([e["url"] for e in json.load(sys.stdin)["endpoints"] if e["interface"] == "public"][0])' 2>/dev/null || true)
	if [ -n "$swift_url" ]; then
		apis=$(curl -s -m 10 "${swift_url%%/v1/*}/info" |
			/usr/bin/python3 -c 'import json, sys; print(",".join(sorted(k for k in json.load(sys.stdin) if k != "swift")))' 2>/dev/null || true)
		[ -n "$apis" ] && SWIFT_DISCOVERABLE_APIS=$apis
	fi
	log "object store: discoverable apis $SWIFT_DISCOVERABLE_APIS"
fi

export TEMPEST_DEBUG=$DEBUG
export INSECURE=${INSECURE:-false}
export TEMPEST_ROLES=${TEMPEST_ROLES:-}
export KEYSTONE_SECURITY_COMPLIANCE=${KEYSTONE_SECURITY_COMPLIANCE:-true}
export KEYSTONE_ACCESS_RULES=${KEYSTONE_ACCESS_RULES:-true}
export BUILD_TIMEOUT=${BUILD_TIMEOUT:-300}
export RUN_VALIDATION=${RUN_VALIDATION:-false}
export IMAGE_REF=${IMAGE_REF:-} IMAGE_REF_ALT=${IMAGE_REF_ALT:-}
export FLAVOR_REF=${FLAVOR_REF:-} FLAVOR_REF_ALT=${FLAVOR_REF_ALT:-}
export COMPUTE_MIN_MICROVERSION=${COMPUTE_MIN_MICROVERSION:-2.1}
export COMPUTE_MAX_MICROVERSION=${COMPUTE_MAX_MICROVERSION:-latest}
export VOLUME_MIN_MICROVERSION=${VOLUME_MIN_MICROVERSION:-3.0}
export VOLUME_MAX_MICROVERSION=${VOLUME_MAX_MICROVERSION:-latest}
export HTTP_IMAGE=${HTTP_IMAGE:-}
export IMAGE_IMPORT=false GLANCE_RESERVED=false
# Tempest 33 uploads random bytes under every disk format it lists; gostack
# (like Glance since 2024.2) refuses data that is not in its declared
# format, so only the formats whose data is raw are listed
export IMAGE_DISK_FORMATS=${IMAGE_DISK_FORMATS:-ami,ari,aki,raw}
if [ "$GLANCE_AVAILABLE" = true ]; then
	# gostack reserves the os_glance_* properties, as Glance does since Wallaby
	GLANCE_RESERVED=true
	# import_image when /v2/info/import lists a method
	image_url=$(/usr/bin/openstack endpoint list --service image --interface public -f value -c URL 2>/dev/null | head -n 1 || true)
	token=$(/usr/bin/openstack token issue -f value -c id 2>/dev/null || true)
	if [ -n "$image_url" ] && [ -n "$token" ]; then
		methods=$(curl -s -m 5 -H "X-Auth-Token: $token" "${image_url%/}/v2/info/import" |
			/usr/bin/python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["import-methods"]["value"]))' 2>/dev/null || true)
		[ -n "$methods" ] && IMAGE_IMPORT=true
		log "image import methods: ${methods:-none}"
	fi
	if [ -z "$HTTP_IMAGE" ]; then
		# a small image on a loopback HTTP server, for web-download
		HTTP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gostack-tempest-http.XXXXXX")
		head -c 1048576 /dev/urandom >"$HTTP_DIR/cirros.img"
		http_port=$(free_port)
		/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$HTTP_DIR" "$http_port" >"$HTTP_DIR.log" 2>&1 &
		HTTP_PID=$!
		for _ in $(seq 1 50); do
			[ "$(http_code "http://127.0.0.1:$http_port/cirros.img")" = 200 ] && break
			sleep 0.1
		done
		HTTP_IMAGE="http://127.0.0.1:$http_port/cirros.img"
		log "http_image $HTTP_IMAGE (pid $HTTP_PID)"
	fi
fi
HTTP_IMAGE=${HTTP_IMAGE:-http://127.0.0.1:1/cirros.img}
export COMPUTE_NODES=${COMPUTE_NODES:-1} COMPUTE_MIGRATION=false
if [ "$NOVA_AVAILABLE" = true ]; then
	# compute hosts: the hypervisors the cloud reports; migrations need two
	nodes=$(/usr/bin/openstack hypervisor list -f value -c ID 2>/dev/null | wc -l || true)
	[ "${nodes:-0}" -gt 0 ] && COMPUTE_NODES=$nodes
	[ "$COMPUTE_NODES" -ge 2 ] && COMPUTE_MIGRATION=true
	# two flavors and two images for the servers Tempest boots
	if [ -z "$FLAVOR_REF" ]; then
		for f in "42 tempest-nano 128" "84 tempest-micro 192"; do
			set -- $f
			/usr/bin/openstack flavor show "$1" >/dev/null 2>&1 ||
				/usr/bin/openstack flavor create --id "$1" --ram "$3" --vcpus 1 --disk 1 "$2" >/dev/null
		done
		FLAVOR_REF=42 FLAVOR_REF_ALT=84
	fi
	if [ -z "$IMAGE_REF" ] && [ "$GLANCE_AVAILABLE" = true ]; then
		# real hypervisors boot the guest test image; simulated ones get a
		# small raw image (they never read it)
		hvtype=$(/usr/bin/openstack hypervisor list -f value -c "Hypervisor Type" 2>/dev/null | head -n 1 || true)
		img=$(mktemp "${TMPDIR:-/tmp}/gostack-tempest-img.XXXXXX")
		fmt=raw
		if [ "$hvtype" = QEMU ]; then
			gdir=$("$REPO/tools/guestimage/build.sh" | tail -n 1)
			cp "$gdir/disk.qcow2" "$img"
			fmt=qcow2
		else
			head -c 1048576 /dev/zero >"$img"
		fi
		for n in tempest-image tempest-image-alt; do
			id=$(/usr/bin/openstack image create --public --disk-format "$fmt" --container-format bare \
				--file "$img" -f value -c id "$n")
			if [ "$n" = tempest-image ]; then IMAGE_REF=$id; else IMAGE_REF_ALT=$id; fi
		done
		rm -f "$img"
	fi
	log "compute: $COMPUTE_NODES hosts, flavors $FLAVOR_REF/$FLAVOR_REF_ALT, images $IMAGE_REF/$IMAGE_REF_ALT"
fi
export PUBLIC_NETWORK_ID=${PUBLIC_NETWORK_ID:-}
export FLOATING_NETWORK_NAME=${FLOATING_NETWORK_NAME:-public}
export NEUTRON_EXTENSIONS=${NEUTRON_EXTENSIONS:-}
export NEUTRON_PORT_SECURITY=false NEUTRON_IPV6_ATTRS=false
if [ "$NEUTRON_AVAILABLE" = true ]; then
	# the extensions the cloud says it has, exactly: tempest tests what is listed
	[ -n "$NEUTRON_EXTENSIONS" ] ||
		NEUTRON_EXTENSIONS=$(/usr/bin/openstack extension list --network -f value -c Alias | paste -sd, -)
	[[ ",$NEUTRON_EXTENSIONS," == *",port-security,"* ]] && NEUTRON_PORT_SECURITY=true
	# subnets take ipv6_ra_mode and ipv6_address_mode (no extension says so)
	NEUTRON_IPV6_ATTRS=${IPV6_SUBNET_ATTRIBUTES:-true}
	# the external network floating IPs and router gateways come from, as
	# DevStack makes it: "public", flat, 172.24.4.0/24, the default
	# external network (not shared: Tempest's auto-allocation tests skip
	# when a shared network exists), and DevStack's default subnet pool
	# for auto-allocated topologies
	if [ -z "$PUBLIC_NETWORK_ID" ]; then
		PUBLIC_NETWORK_ID=$(/usr/bin/openstack network show "$FLOATING_NETWORK_NAME" -f value -c id 2>/dev/null || true)
		if [ -z "$PUBLIC_NETWORK_ID" ]; then
			PUBLIC_NETWORK_ID=$(/usr/bin/openstack network create --external --default --provider-network-type flat \
				--provider-physical-network public -f value -c id "$FLOATING_NETWORK_NAME")
			/usr/bin/openstack subnet create --network "$PUBLIC_NETWORK_ID" --subnet-range 172.24.4.0/24 \
				--gateway 172.24.4.1 --no-dhcp public-subnet >/dev/null
		fi
	fi
	/usr/bin/openstack subnet pool show shared-default-subnetpool-v4 >/dev/null 2>&1 ||
		/usr/bin/openstack subnet pool create --default --share --pool-prefix 10.0.0.0/16 \
			--default-prefix-length 26 shared-default-subnetpool-v4 >/dev/null
	log "network: public network $PUBLIC_NETWORK_ID; extensions $NEUTRON_EXTENSIONS"
fi
NEUTRON_EXTENSIONS=${NEUTRON_EXTENSIONS:-all}

# ---------------------------------------------------------------- workspace
if [ -z "$WORKSPACE_DIR" ]; then
	name=default
	[ -n "$REGEX" ] && name=regex
	[ -n "$LIST" ] && name=$(basename "${LIST%.txt}" | tr -c 'A-Za-z0-9._\n-' '_')
	WORKSPACE_DIR="$REPO/tests/tempest/workspace/$name"
fi
mkdir -p "$(dirname "$WORKSPACE_DIR")"
WORKSPACE=$(cd "$(dirname "$WORKSPACE_DIR")" && pwd)/$(basename "$WORKSPACE_DIR")
rm -rf "$WORKSPACE" "$WORKSPACE.yaml" "$WORKSPACE.etc"
# an empty --config-dir: tempest init would otherwise create ~/.tempest/etc
mkdir "$WORKSPACE.etc"
/usr/bin/tempest init --workspace-path "$WORKSPACE.yaml" --config-dir "$WORKSPACE.etc" \
	--name "$(basename "$WORKSPACE")" "$WORKSPACE" >/dev/null 2>&1 || die "tempest init failed"
rmdir "$WORKSPACE.etc"
vars=$(grep -oE '\$\{[A-Z0-9_]+\}' "$HERE/tempest.conf.template" | sort -u | tr '\n' ' ')
envsubst "$vars" <"$HERE/tempest.conf.template" >"$WORKSPACE/etc/tempest.conf"
chmod 600 "$WORKSPACE/etc/tempest.conf"

# ---------------------------------------------------------------- selection
select_args=()
if [ -n "$REGEX" ]; then
	select_args=(--regex "$REGEX")
else
	files=()
	if [ -n "$LIST" ]; then
		if [ -f "$LIST" ]; then files=("$LIST")
		elif [ -f "$HERE/lists/$LIST.txt" ]; then files=("$HERE/lists/$LIST.txt")
		else die "no list $LIST"; fi
	else
		for svc in identity compute image network volume object-storage; do
			case $svc in
			identity) on=true ;;
			compute) on=$NOVA_AVAILABLE ;;
			image) on=$GLANCE_AVAILABLE ;;
			network) on=$NEUTRON_AVAILABLE ;;
			volume) on=$CINDER_AVAILABLE ;;
			object-storage) on=$SWIFT_AVAILABLE ;;
			esac
			[ "$on" = true ] && [ -f "$HERE/lists/$svc.txt" ] && files+=("$HERE/lists/$svc.txt")
		done
	fi
	grep -hvE '^\s*(#|$)' "${files[@]}" | sort -u >"$WORKSPACE/selected.txt"
	select_args=(--load-list "$WORKSPACE/selected.txt")
fi

cd "$WORKSPACE"
# the tests that will run (--list-tests ignores --load-list: intersect by hand)
if [ -n "$REGEX" ]; then
	/usr/bin/tempest run --config-file etc/tempest.conf --list-tests --regex "$REGEX" 2>/dev/null |
		grep -E '^tempest\.' | sort -u >expected.txt || true
else
	/usr/bin/tempest run --config-file etc/tempest.conf --list-tests 2>/dev/null |
		grep -E '^tempest\.' | sort -u | comm -12 - selected.txt >expected.txt || true
	missing=$(comm -13 expected.txt selected.txt | wc -l)
	[ "$missing" -eq 0 ] || log "warning: $missing listed ids are not in this tempest: $(comm -13 expected.txt selected.txt | head -n 3 | tr '\n' ' ')"
fi
count=$(wc -l <expected.txt)
[ "$count" -gt 0 ] || die "the selection matches no test (services: $SERVICES)"

# ---------------------------------------------------------------- run
log "workspace $WORKSPACE; running $count tests, concurrency $CONCURRENCY (services: ${SERVICES%,})"
start=$(date +%s)
log "tempest run started $(date -u +%H:%M:%S)"
set +e
/usr/bin/tempest run --config-file etc/tempest.conf --concurrency "$CONCURRENCY" \
	"${select_args[@]}" "${EXTRA[@]}" >tempest-run.log 2>&1
tempest_rc=$?
set -e
log "tempest run exited $tempest_rc after $(($(date +%s) - start)) s; output: $WORKSPACE/tempest-run.log"
grep -E '^(Ran:| - (Passed|Failed|Skipped):)' tempest-run.log | tail -n 4 >&2 || true

[ -n "$DATA_DIR" ] && cp "$DATA_DIR.log" gostack.log 2>/dev/null && log "gostack log: $WORKSPACE/gostack.log"
/usr/bin/stestr last --subunit >results.subunit 2>/dev/null || true
[ -s results.subunit ] || { tail -n 40 tempest-run.log >&2; die "tempest produced no results"; }
/usr/bin/python3 "$HERE/summarize.py" --expected expected.txt --csv results.csv <results.subunit >summary.txt
grep -E '^(FAIL|SKIP) ' summary.txt || true
echo "per-test results: $WORKSPACE/results.csv"
echo "tempest log: $WORKSPACE/logs/tempest.log"
closing=$(tail -n 1 summary.txt)
passed=${closing%% passed*}
if [ "$passed" -lt "$MIN_PASS" ]; then
	echo "tempest/run.sh: $passed passed, below the minimum $MIN_PASS" >&2
	echo "$closing"
	exit 1
fi
echo "$closing"
