#!/usr/bin/env bash
# Does the backtest's ROI spread say which ROIs are wrong? On simulated markets with known truth:
# for each seed, fit the whole data (ROI error against the truth, data weight) and backtest it
# (each channel's ROI spread across the folds; out-of-sample accuracy, coverage, drift flags).
# Prints the error by spread quartile, rank correlations, and the pooled out-of-sample figures.
#
# Usage: scripts/backtest-accuracy.sh [FIRST_SEED] [COUNT] [FOLDS] [HORIZON]   (default 1000 24 4 13)
# FIT_ARGS adds options to every fit and backtest (e.g. FIT_ARGS="--trend-knots 0"). BEND=A bends
# the simulated trend: the revenue gains A times its mean times (√x − x), x from 0 to 1 over the
# weeks (growth that slows). SIM_ARGS adds options to every simulation (e.g.
# SIM_ARGS="--noise-autocorrelation 0.8").
# Needs the release binary (make build) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
first=${1:-1000} count=${2:-24} folds=${3:-4} horizon=${4:-13}
bin=${CARGO_TARGET_DIR:-target}/release/mmm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in $(seq "$first" $((first + count - 1))); do
  # shellcheck disable=SC2086 # SIM_ARGS holds several words
  "$bin" simulate --weeks 156 --seed "$s" --out "$tmp/d$s.csv" --truth "$tmp/t$s.json" ${SIM_ARGS:-} 2>/dev/null
  if [ -n "${BEND:-}" ]; then
    python3 - "$tmp/d$s.csv" "$BEND" <<'PY'
import csv, sys
path, amplitude = sys.argv[1], float(sys.argv[2])
rows = list(csv.reader(open(path)))
k = rows[0].index("revenue")
body = rows[1:]
mean = sum(float(r[k]) for r in body) / len(body)
for t, r in enumerate(body):
    x = t / (len(body) - 1)
    r[k] = "%.2f" % (float(r[k]) + amplitude * mean * (x ** 0.5 - x))
csv.writer(open(path, "w", newline="")).writerows(rows)
PY
  fi
  # shellcheck disable=SC2086 # FIT_ARGS holds several words
  "$bin" fit "$tmp/d$s.csv" --json "$tmp/m$s.json" ${FIT_ARGS:-} >/dev/null
  # shellcheck disable=SC2086
  "$bin" backtest "$tmp/d$s.csv" --folds "$folds" --horizon "$horizon" --json "$tmp/b$s.json" ${FIT_ARGS:-} >/dev/null
done
DIR="$tmp" FIRST="$first" COUNT="$count" python3 - <<'PY'
import json, os, statistics as st
d, first, count = os.environ["DIR"], int(os.environ["FIRST"]), int(os.environ["COUNT"])
rows, folds = [], []
for s in range(first, first + count):
    truth = {c["name"]: c["roi"] for c in json.load(open(f"{d}/t{s}.json"))["channels"]}
    model = {c["name"]: c for c in json.load(open(f"{d}/m{s}.json"))["channels"]}
    back = json.load(open(f"{d}/b{s}.json"))
    spread = {c["name"]: c["spread"] for c in back["channels"]}
    folds += back["folds"]
    for n, t in truth.items():
        rows.append((spread[n], abs(model[n]["roi"] / t - 1), model[n].get("roi_contraction", 0.0)))
rows.sort()
q = len(rows) // 4
for i in range(4):
    part = rows[i * q:(i + 1) * q] if i < 3 else rows[3 * q:]
    print(f"spread {part[0][0]:.2f}-{part[-1][0]:.2f}: {len(part)} channels, mean ROI error "
          f"{st.mean(r[1] for r in part):.1%}, mean data weight {st.mean(r[2] for r in part):.2f}")
def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i]); r = [0] * len(v)
    for k, i in enumerate(order): r[i] = k
    return r
def spearman(x, y):
    x, y = ranks(x), ranks(y); n = len(x); mx, my = sum(x) / n, sum(y) / n
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (
        sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)) ** 0.5
err = [r[1] for r in rows]
print(f"Spearman with the ROI error: spread {spearman([r[0] for r in rows], err):.2f}, "
      f"1 - data weight {spearman([-r[2] for r in rows], err):.2f}")
print(f"{len(folds)} folds: out-of-sample MAPE {st.mean(f['metrics']['mape'] for f in folds):.1%}, "
      f"coverage {st.mean(f['metrics']['coverage'] for f in folds):.1%}, flagged as drifted "
      f"{sum(f['drift']['drifted'] for f in folds)}, p < 0.05 {sum(f['drift']['p_value'] < 0.05 for f in folds)}")
PY
