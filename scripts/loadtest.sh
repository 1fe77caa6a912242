#!/usr/bin/env bash
# Load test of the analytics routes against a release build with the seeded demo model.
#
#   scripts/loadtest.sh [DURATION_SECONDS]
#
# Starts `mmm serve` on a temporary SQLite database, seeds it, signs in as the demo user and runs
# wrk (installed from Debian's packages if missing) at 50 and 200 concurrent connections on
# /mmm/channels/summary and /mmm/response-curves. Prints a Markdown table of p50 / p99 latency,
# requests per second and errors, as recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15}
mmm=${CARGO_TARGET_DIR:-target}/release/mmm
[ -x "$mmm" ] || cargo build --release --locked -p mmm-server
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  else
    echo "wrk is needed: apt-get install wrk" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="$tmp/mmm.db" PORT="$port" RUST_LOG=warn BCRYPT_COST=10
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$mmm" seed >/dev/null
"$mmm" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done

token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d 'username=demo@example.com&password=demo123' |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')
model=$(curl -sf "http://127.0.0.1:$port/api/v1/models" -H "Authorization: Bearer $token" |
  python3 -c 'import sys, json; print(json.load(sys.stdin)[0]["id"])')

echo "| route | connections | p50 | p99 | requests/s | errors |"
echo "|---|---|---|---|---|---|"
for route in "mmm/channels/summary" "mmm/response-curves"; do
  for connections in 50 200; do
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/v1/$route?model_id=$model")
    p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')
    non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $NF}')
    socket=$(printf '%s\n' "$out" | awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}')
    echo "| /api/v1/$route | $connections | $p50 | $p99 | $rps | $(( ${non2xx:-0} + ${socket:-0} )) |"
  done
done
