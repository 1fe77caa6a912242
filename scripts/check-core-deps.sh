#!/usr/bin/env bash
# mmm-core is the pure domain crate: it must not pull in a database, a web framework or an async
# runtime, directly or through another crate.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(cargo tree -p mmm-core -e normal,build --prefix none --format '{p}' --locked)
bad=$(printf '%s\n' "$tree" | grep -E '^(diesel|actix|tokio)[a-z_-]* ' | sort -u || true)
if [ -n "$bad" ]; then
  echo "mmm-core must not depend on diesel, actix or tokio, but it pulls in:" >&2
  printf '  %s\n' $bad >&2
  exit 1
fi
echo "mmm-core is free of diesel, actix and tokio"
