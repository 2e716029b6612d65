#!/usr/bin/env bash
# Network data-plane benchmark (issue #13, bar 8), as root: runs
# TestDataPlaneBench (internal/network/agent/bench_test.go) RUNS times
# inside one test (default 5) and prints its medians:
#   - the time from a port's create (API) to the first packet through it
#     (aim < 1 s),
#   - guest-to-guest TCP throughput on one host through the data plane
#     (bridges, nftables security groups, conntrack) as a ratio to a plain
#     veth+bridge pair measured in the same run (aim >= 0.8),
#   - the time to apply a rule added to a group shared by 200 ports, API
#     call included (aim < 1 s).
# The guests are network namespaces with a veth (no QEMU), so the figures
# are the data plane's own. Results go to bench/out/ (git-ignored).
#
#   sudo bench/dataplane.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "bench/dataplane.sh: needs root (bridges, namespaces, nftables)" >&2; exit 2; }
out=bench/out/dataplane-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p bench/out
GOSTACK_DPBENCH=$runs go test -count=1 -run '^TestDataPlaneBench$' -v -timeout 20m ./internal/network/agent/ | tee "$out" | grep '^DPBENCH'
echo "full output: $out"
