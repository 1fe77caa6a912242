#!/usr/bin/env bash
# The API against its own OpenAPI document. Schemathesis (pinned, from PyPI, in a venv under
# target/) generates requests for every documented operation (the documented examples, boundary
# values, then fuzzed inputs) and sends them to a real server on a throwaway SQLite database (or
# the throwaway database CONTRACT_DATABASE_URL names: `make test-contract` also runs it on a
# PostgreSQL from scripts/with-postgres.sh, which refuses text SQLite stores), signed in as the
# seeded demo user, with the seeded model and data set as path ids. It fails on
# any 5xx, and on any answer the document does not describe: status codes, content types, bodies,
# headers, 405 with `Allow` for undocumented methods, and routes that answer without a token.
#
# Not checked: that every request the schema allows is accepted (schemathesis's
# positive_data_acceptance). Some rules depend on the data, such as a channel that must exist or
# a budget the constraints can meet, and no schema can state them. DELETE routes run last, with
# generated ids only, so the seeded ids stay valid for the rest; the Rust API tests delete real
# objects.
#
# Usage: scripts/contract-test.sh [path to the mmm binary, default target/debug/mmm]
# (CONTRACT_SEED=N draws other inputs; the default seed 1 keeps CI repeatable.)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/mmm}
venv=target/contract-venv
version=4.32.5
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Never DATABASE_URL: the fuzzing writes junk, so only a database named for it is used.
export DATABASE_URL="${CONTRACT_DATABASE_URL:-$tmp/mmm.db}" PORT="$port" BCRYPT_COST=4 LOGIN_ATTEMPTS_PER_MINUTE=1000000 \
  ENVIRONMENT=development WEB_DIR="$tmp/no-dashboard"
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
echo "contract-test: $("$bin" check-db | head -1)"
"$bin" serve >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# Signs in, finds the seeded ids and writes the schemathesis configuration.
API="http://127.0.0.1:$port" OUT="$tmp/schemathesis.toml" python3 - <<'EOF'
import json, os, time, urllib.parse, urllib.request

api = os.environ["API"]
for _ in range(300):
    try:
        urllib.request.urlopen(f"{api}/health", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
else:
    raise SystemExit("the server did not start")
form = urllib.parse.urlencode({"username": "demo@example.com", "password": "demo123"}).encode()
token = json.load(urllib.request.urlopen(f"{api}/api/v1/auth/login", form))["access_token"]

def get(path):
    req = urllib.request.Request(f"{api}{path}", headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(req))

model = get("/api/v1/models")[0]["id"]
dataset = get("/api/v1/datasets")[0]["id"]
with open(os.environ["OUT"].replace(".toml", "-delete.toml"), "w") as f:
    f.write(f'''headers = {{ Authorization = "Bearer {token}" }}
request-timeout = 60.0
''')
with open(os.environ["OUT"], "w") as f:
    f.write(f'''headers = {{ Authorization = "Bearer {token}" }}
request-timeout = 60.0

[[operations]]
include-path-regex = "^/api/v1/models/\\\\{{id\\\\}}"
parameters = {{ "path.id" = "{model}" }}

[[operations]]
include-path-regex = "^/api/v1/datasets/\\\\{{id\\\\}}"
parameters = {{ "path.id" = "{dataset}" }}

[[operations]]
include-path-regex = "^/api/v1/(mmm|export)/"
parameters = {{ "query.model_id" = "{model}" }}
''')
EOF

# From the throwaway folder, so schemathesis's example database stays out of the repository.
st=$(realpath "$venv/bin/st")
cd "$tmp"
run() {
  "$st" --config-file "$1" run "http://127.0.0.1:$port/api-docs/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance "${@:2}" \
    --phases examples,coverage,fuzzing --max-examples 25 --seed "${CONTRACT_SEED:-1}" --workers 1 --no-color
}
run "$tmp/schemathesis.toml" --exclude-method DELETE
run "$tmp/schemathesis-delete.toml" --include-method DELETE
