#!/usr/bin/env bash
# Volume write benchmark (issue #14, bar 3), as root: a QEMU guest (TCG on
# a host without KVM) writes 256 MiB sequentially to its attached volume
# (the file backend's qcow2, hot-plugged on virtio-scsi) with
#   dd if=/dev/zero of=/dev/sdX bs=1M count=256 oflag=direct
# and the host runs the same dd into a file of the volumes' file system
# (DATA_DIR/volumes), RUNS times each, alternating (default 3); then both
# again with conv=fsync added. QEMU opens the volume through the host's
# page cache (its default cache=writeback), so the guest's O_DIRECT
# writes end in that cache; with conv=fsync the guest's flush reaches the
# host's disk, like the host's own. It prints each run and the medians of
# both rates and of their ratio (aim >= 0.5). It runs inside
# TestQEMUVolumes (tests/acceptance/volumes_test.go) with
# GOSTACK_VOLWRITE_BENCH=RUNS, after the volume is attached and extended
# to 2 GiB, so the whole acceptance walkthrough runs too. Output goes to
# bench/out/ (git-ignored).
#
#   sudo bench/volwrite.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "usage: bench/volwrite.sh [RUNS]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/volwrite.sh: needs root (the linuxbridge data plane the guests are reached over)" >&2; exit 2; }
out=bench/out/volwrite-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p bench/out
bin=${GOSTACK_BIN:-$PWD/bin/gostack}
[ -n "${GOSTACK_BIN:-}" ] || go build -o "$bin" ./cmd/gostack
{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); accel: $([ -w /dev/kvm ] && echo kvm || echo tcg); $(go version | cut -d' ' -f3); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
	GOSTACK_BIN=$bin GOSTACK_VOLWRITE_BENCH=$runs go test -tags acceptance -count=1 -run '^TestQEMUVolumes$' -v -timeout 40m ./tests/acceptance/
} >"$out" 2>&1 || { tail -40 "$out" >&2; echo "full output: $out" >&2; exit 1; }
grep -E '^Machine|VOLBENCH' "$out" | sed 's/^ *volumes_test.go:[0-9]*: //'
echo "full output: $out"
