#!/usr/bin/env bash
# Measures what the store costs, on AE-S (784-256-50-256-784, batch 64,
# full MNIST, 5 epochs): the size of the run in the store, the bytes the
# server process writes to disk while it trains (/proc/PID/io), and
# training throughput (examples per second between started_at and
# finished_at) with the store on against -ephemeral, alternating runs.
# usage: scripts/store-measure.sh [rounds]   (needs curl, jq, bc; Linux)
set -euo pipefail
rounds=${1:-2}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/aelab" .
port=18290
cfg='{"dataset":"mnist","encoder":[256],"bottleneck":50,"batch_size":64,"epochs":5,"seed":1}'
examples=$((60000 * 5))

one() { # $1: mode (store or ephemeral)
  local dir="$tmp/data-$RANDOM" flags=""
  [ "$1" = ephemeral ] && flags=-ephemeral
  "$tmp/aelab" -addr 127.0.0.1:$port -data "$dir" $flags >"$tmp/log" 2>&1 &
  local pid=$!
  until curl -sf localhost:$port/healthz >/dev/null; do sleep 0.1; done
  local w0; w0=$(awk '/^write_bytes/{print $2}' /proc/$pid/io)
  local id; id=$(curl -sf -X POST localhost:$port/api/sessions -H 'Content-Type: application/json' -d "$cfg" | jq -r .id)
  until [ "$(curl -sf localhost:$port/api/sessions/$id | jq -r .state)" = completed ]; do sleep 0.2; done
  sleep 1.5 # the writer's last flush
  local w1; w1=$(awk '/^write_bytes/{print $2}' /proc/$pid/io)
  local info; info=$(curl -sf localhost:$port/api/sessions/$id)
  local s0 s1; s0=$(date -d "$(jq -r .started_at <<<"$info")" +%s.%N); s1=$(date -d "$(jq -r .finished_at <<<"$info")" +%s.%N)
  kill -INT $pid; wait $pid || true
  local size=0; [ -d "$dir" ] && size=$(du -sb "$dir" | cut -f1)
  local secs; secs=$(echo "$s1 - $s0" | bc)
  printf '%-9s %7.2f s %8.0f examples/s  %10d bytes written (%6.0f KB/s)  store %10d bytes\n' \
    "$1" "$secs" "$(echo "$examples / $secs" | bc -l)" $((w1 - w0)) "$(echo "($w1 - $w0) / $secs / 1000" | bc -l)" "$size"
  rm -rf "$dir"
}
for r in $(seq "$rounds"); do
  one store
  one ephemeral
done
