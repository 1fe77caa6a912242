#!/usr/bin/env python3
"""ROI error of the channels whose effect is too faint beside the noise, against the others.

Usage (standard library only; the `mmm` binary built with `cargo build --release`):

    python3 scripts/faint-channels.py FIRST_SEED COUNT [--profile mixed|demo] [--mmm PATH]

For each seed it runs `mmm simulate --seed S --profile P --truth` and `mmm fit --json` in a
temporary directory, then splits the channels by the test of `mmm_core::insights::noise_limit`:
a channel is faint when even the best case (its curve known, its spend independent of everything
else) would leave its ROI contraction under 0.75, the noise alone being
`r = sigma / (sd(contribution) * sqrt(n))` of its ROI. It prints, for the faint channels and for
the others, how many there are, their mean relative ROI error against the simulator's truth, and
how many are off by more than 2x (docs/benchmarks.md, "Which channels the noise alone limits").
"""

import argparse
import json
import math
import statistics
import subprocess
import tempfile
from pathlib import Path

Z90 = 1.6448536269514722
FIRM_EVIDENCE = 0.75


def best_contraction(channel, series, sigma):
    """The contraction the noise alone would allow, as insights::noise_limit computes it."""
    k = channel.get("roi_contraction")
    interval = channel.get("roi_interval")
    if k is None or k >= 1.0 or interval is None or channel["roi"] <= 0.0:
        return None
    lo, hi = interval
    sd = (hi - lo) / (2 * Z90) if lo > 0 else (hi - channel["roi"]) / Z90
    prior = sd * sd / (1.0 - k)
    contribution = series["contribution"]
    spread = statistics.pstdev(contribution)
    if spread <= 0.0:
        return None
    r = sigma / (spread * math.sqrt(len(contribution)))
    return prior / (prior + (channel["roi"] * r) ** 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("first", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--profile", default="mixed", choices=["mixed", "demo"])
    parser.add_argument("--mmm", default="target/release/mmm")
    args = parser.parse_args()
    groups = {"faint": [], "others": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.first, args.first + args.count):
            data, truth, model = (Path(tmp) / f"{seed}.{x}" for x in ("csv", "truth.json", "json"))
            run = lambda *a: subprocess.run([args.mmm, *a], check=True, capture_output=True)
            run("simulate", "--seed", str(seed), "--profile", args.profile,
                "--out", str(data), "--truth", str(truth))
            run("fit", str(data), "--json", str(model))
            doc = json.loads(model.read_text())
            true_roi = {c["name"]: c["roi"] for c in json.loads(truth.read_text())["channels"]}
            for channel, series in zip(doc["channels"], doc["series"]["channels"]):
                best = best_contraction(channel, series, doc["fit"]["sigma"])
                ratio = channel["roi"] / true_roi[channel["name"]]
                group = "faint" if best is not None and best < FIRM_EVIDENCE else "others"
                groups[group].append(ratio)
    for name, ratios in groups.items():
        if not ratios:
            print(f"{name}: none")
            continue
        error = statistics.mean(abs(r - 1.0) for r in ratios)
        off = sum(1 for r in ratios if r > 2.0 or r < 0.5)
        print(f"{name}: {len(ratios)} channels, mean relative ROI error {100 * error:.1f}%, "
              f"off by more than 2x {off}")


if __name__ == "__main__":
    main()
