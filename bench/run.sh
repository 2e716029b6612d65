#!/usr/bin/env bash
# Identity benchmark: builds bin/gostack, runs bench/cmd/idbench RUNS times
# (default 3; each run starts its own cloud on an empty temp dir with free
# ports, bcrypt cost 12 like Keystone) and prints the medians as a markdown
# table, ready for docs/benchmarks.md.
#
#   bench/run.sh [RUNS] [idbench flags...]      e.g. bench/run.sh 3 -duration 10s
#
# Per-run JSON and the table are kept in bench/out/ (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-3}
shift || true
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "usage: bench/run.sh [RUNS] [idbench flags]" >&2; exit 2; }

out=bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
go build -o bin/gostack ./cmd/gostack
go build -o "$out/idbench" ./bench/cmd/idbench

files=()
for i in $(seq 1 "$runs"); do
	echo "== run $i of $runs" >&2
	"$out/idbench" -bin bin/gostack -json "$out/run$i.json" "$@" >"$out/run$i.md"
	cat "$out/run$i.md" >&2
	files+=("$out/run$i.json")
done

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(go version | cut -d' ' -f3); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
	echo
	"$out/idbench" -merge "${files[@]}"
} | tee "$out/summary.md"
echo "(kept in $out/)" >&2
