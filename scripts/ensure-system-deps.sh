#!/usr/bin/env bash
# Installs the system packages the build and the tests need, if they are missing:
#   - libpq (headers and library): the mmm binary links it for PostgreSQL support;
#   - PostgreSQL server binaries: the test suite runs against a throwaway server
#     (with --with-server);
#   - Node.js and npm: they build the dashboard in web/ (with --with-node);
#   - Chromium: the dashboard's end-to-end tests drive it (with --with-browser; CHROMIUM may
#     point at another Chromium-based browser).
# Flags combine: scripts/ensure-system-deps.sh --with-node --with-browser
# Uses apt-get when run as root on Debian/Ubuntu; otherwise says what to install.
set -euo pipefail

need=()
have_libpq() {
  [ -e /usr/lib/x86_64-linux-gnu/libpq.so ] || [ -e /usr/lib/aarch64-linux-gnu/libpq.so ] ||
    [ -e /usr/lib/libpq.so ] || [ -e /usr/local/lib/libpq.so ] ||
    { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpq; }
}
have_server() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
    { command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; }
}

have_libpq || need+=(libpq-dev)
for flag in "$@"; do
  case "$flag" in
    --with-server) have_server || need+=(postgresql) ;;
    --with-node)
      command -v node >/dev/null 2>&1 || need+=(nodejs)
      command -v npm >/dev/null 2>&1 || need+=(npm)
      ;;
    --with-browser) [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium) ;;
    *) echo "unknown flag $flag" >&2; exit 2 ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} with apt-get" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
else
  echo "missing system packages: ${need[*]} (install them, e.g. apt-get install ${need[*]})" >&2
  exit 1
fi
