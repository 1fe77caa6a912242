#!/usr/bin/env bash
# The accuracy example over the simulated markets the fit is checked on before a change lands:
# plain, yearly events (20% and 40% of the level), AR(1) noise at 0.8, a level that wanders
# (2% steps), a holiday season (20%) and carry-over that peaks 2 weeks late, on the mixed and
# demo profiles, seeds 1000-1023 and 5000-5023 (156 x 5). One line per set: the knobs, the
# first seed, the example's summary and how many fits took recurring events.
#
# Usage: scripts/accuracy-sets.sh [EXAMPLE_BINARY]
# (default target/release/examples/accuracy; build it with
# `cargo build --release -p mmm-core --example accuracy`). For a before/after comparison, build
# the earlier commit apart (`git worktree add /tmp/base COMMIT`, `CARGO_TARGET_DIR=/tmp/base-target`)
# and run this script on both binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/examples/accuracy}
sets=("SPIKE=0.4" "SPIKE=0.2" "PROFILE=demo SPIKE=0.4" "PROFILE=demo SPIKE=0.2" "PROFILE=mixed"
  "PROFILE=demo" "AR=0.8" "PROFILE=demo AR=0.8" "RW=0.02" "SEASON_AMP=0.2"
  "PROFILE=demo SEASON_AMP=0.2" "DELAY=2")
for knobs in "${sets[@]}"; do
  for first in 1000 5000; do
    # The knobs go in the environment (not through cargo: cargo's cc reads AR as the archiver).
    # shellcheck disable=SC2086 # knobs holds several words
    out=$(env $knobs "$bin" "$first" 24 2>&1)
    summary=$(tail -1 <<<"$out" | sed 's/^channels [0-9]* |//; s/ | mean fit time.*//')
    events=$(grep -o 'in their baseline: [0-9]* of [0-9]* ([0-9]* events' <<<"$out" | cut -d: -f2)
    echo "$knobs $first:$summary |$events)"
  done
done
