#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server:
#
#   scripts/with-postgres.sh cargo test -p mmm-db
#
# Starts a fresh cluster in a temporary directory (trust auth, loopback only, on a free port,
# fsync off), creates the database `mmm_test`, runs the command with DATABASE_URL pointing at it,
# then stops the server and deletes the directory, whether the command passed or failed.
# The command's exit code is the script's exit code.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 64
fi

find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  fi
  # Debian keeps the server binaries per version; take the newest.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "with-postgres: installing PostgreSQL server binaries with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bindir=$(find_bindir || true)
  fi
fi
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server binaries (initdb, pg_ctl) found; install Debian's" \
    "postgresql package (apt-get install postgresql)" >&2
  exit 69
fi

# PostgreSQL refuses to run as root: run the server as the `postgres` user then.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  as_pg=(runuser -u postgres --)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmm-pg.XXXXXX")
chmod 755 "$tmp"
if [ ${#as_pg[@]} -gt 0 ]; then chown postgres "$tmp"; fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1 || {
  cat "$tmp/initdb.log" >&2
  exit 70
}
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -w -l "$tmp/server.log" start \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  >/dev/null || {
  cat "$tmp/server.log" >&2
  exit 70
}
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres mmm_test

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/mmm_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $DATABASE_URL" >&2
set +e
"$@"
status=$?
set -e
exit $status
