#!/usr/bin/env bash
# Image benchmark: builds bin/gostack and bench/cmd/imgbench, runs imgbench
# RUNS times (default 3; each run starts its own cloud on an empty temp
# dir, writes a 1 GiB file beside it, times a plain dd copy, the upload
# and the download, and samples the server's RSS) and prints the medians
# as a markdown table, ready for docs/benchmarks.md.
#
#   bench/image.sh [RUNS] [imgbench flags...]     e.g. bench/image.sh 1 -size 256MiB
#
# Needs about 4 × the image size free in $TMPDIR. Per-run JSON and the table
# are kept in bench/out/ (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-3}
shift || true
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "usage: bench/image.sh [RUNS] [imgbench flags]" >&2; exit 2; }

out=bench/out/image-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
go build -o bin/gostack ./cmd/gostack
go build -o "$out/imgbench" ./bench/cmd/imgbench

files=()
for i in $(seq 1 "$runs"); do
	echo "== run $i of $runs" >&2
	"$out/imgbench" -bin bin/gostack -json "$out/run$i.json" "$@" >"$out/run$i.md"
	cat "$out/run$i.md" >&2
	files+=("$out/run$i.json")
done

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); disk under ${TMPDIR:-/tmp}: $(df -h --output=fstype "${TMPDIR:-/tmp}" | tail -n 1 | tr -d ' '); $(go version | cut -d' ' -f3); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
	echo
	"$out/imgbench" -merge "${files[@]}"
} | tee "$out/summary.md"
echo "(kept in $out/)" >&2
