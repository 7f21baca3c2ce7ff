#!/usr/bin/env bash
# Runs deploy/compose.yaml's topology without Docker (go run ./cmd/nativestack):
# a throwaway PostgreSQL, nats-server with JetStream, three aelab replicas and
# Caddy with deploy/Caddyfile (and Prometheus, if installed), as processes on
# loopback ports, then checks it from outside through Caddy (docs/deploy.md,
# "Tried without Docker").
#
#   deploy/local/run.sh            # a few minutes; extra arguments go to nativestack
#
# Tools: Debian's postgresql (initdb) is required. nats-server and caddy are
# taken from PATH when new enough (nats-server 2.10+: JetStream as the bus
# needs it; caddy 2.7+: the Caddyfile's stream_close_delay), else built once
# from their Go modules into ~/.cache/aelab-stack (nats-server at the version
# go.mod names, caddy at CADDY_VERSION). Prometheus is used when installed
# (Debian's prometheus).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${XDG_CACHE_HOME:-$HOME/.cache}/aelab-stack
mkdir -p "$cache"
CADDY_VERSION=${CADDY_VERSION:-v2.10.2}

# version_ok PROGRAM MIN: whether PROGRAM's first version number is at least MIN.
version_ok() {
  local v
  v=$("$1" --version 2>/dev/null || "$1" version 2>/dev/null || true)
  v=$(grep -oE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$v" | head -n1)
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$2" "$v" | sort -V | head -n1)" = "$2" ]
}

nats=$(command -v nats-server || true)
if [ -z "$nats" ] || ! version_ok "$nats" 2.10.0; then
  nats=$cache/nats-server
  if ! version_ok "$nats" 2.10.0; then
    echo "building nats-server $(go list -m -f '{{.Version}}' github.com/nats-io/nats-server/v2) from go.mod into $cache"
    go build -o "$nats" github.com/nats-io/nats-server/v2
  fi
fi
# caddy_ok PROGRAM: whether PROGRAM adapts a Caddyfile with stream_close_delay
# (caddy 2.7+; a build from the Go module reports its version as "unknown").
caddy_ok() {
  local f
  f=$(mktemp)
  printf ':1\nreverse_proxy 127.0.0.1:9 {\n\tstream_close_delay 1m\n}\n' >"$f"
  "$1" adapt --config "$f" >/dev/null 2>&1
  local rc=$?
  rm -f "$f"
  return $rc
}
caddy=$(command -v caddy || true)
if [ -z "$caddy" ] || ! caddy_ok "$caddy"; then
  caddy=$cache/caddy
  if [ ! -x "$caddy" ] || ! caddy_ok "$caddy"; then
    echo "building caddy $CADDY_VERSION from its Go module into $cache (a few minutes, once)"
    GOBIN=$cache go install "github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION"
  fi
fi
prom=()
if command -v prometheus >/dev/null 2>&1; then prom=(-prometheus "$(command -v prometheus)"); fi
exec go run ./cmd/nativestack -nats-server "$nats" -caddy "$caddy" "${prom[@]}" "$@"
