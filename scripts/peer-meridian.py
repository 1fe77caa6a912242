#!/usr/bin/env python3
"""Scores Google Meridian's ROI against simulated truth, on the data sets mmm's accuracy example
wrote, so that both tools are measured on exactly the same data (docs/benchmarks.md).

Usage (in a Python with `pip install "google-meridian==2.1.0"`):

    WRITE=DIR cargo run --release -p mmm-core --example accuracy -- 2000 24   # data + truth + mmm
    python scripts/peer-meridian.py fit DIR        # fits Meridian on every DIR/seed-N.csv
    python scripts/peer-meridian.py score DIR      # mean relative ROI error etc., both tools

`fit` skips seeds already fitted, so it can be stopped and resumed. Meridian gets what an
analyst would give it: default priors (ROI LogNormal(0.2, 0.9), geometric adstock with max_lag 8,
Hill), a knot baseline with a knot every 13 weeks, the same yearly Fourier terms mmm's default
specification uses (2 harmonics) as controls besides the data's own controls, and 2 chains of
500 adaptation, 500 burn-in and 500 kept draws.
"""

import glob
import json
import math
import os
import sys
import time

os.environ.setdefault("MERIDIAN_BACKEND", "jax")

HARMONICS = 2
PERIOD_DAYS = 365.25


def fit_one(csv_path: str) -> dict:
    import numpy as np
    import pandas as pd
    from meridian.analysis import analyzer
    from meridian.data import load
    from meridian.model import model, spec

    df = pd.read_csv(csv_path)
    spend_cols = [c for c in df.columns if c.endswith("_spend")]
    channels = [c[: -len("_spend")] for c in spend_cols]
    controls = [c for c in df.columns if c not in ["date", "revenue", *spend_cols]]
    days = (pd.to_datetime(df["date"]) - pd.Timestamp("2000-01-01")).dt.days.to_numpy()
    for k in range(1, HARMONICS + 1):
        angle = 2 * np.pi * k * days / PERIOD_DAYS
        df[f"sin{k}"], df[f"cos{k}"] = np.sin(angle), np.cos(angle)
        controls += [f"sin{k}", f"cos{k}"]
    media_cols = [f"{c}_media" for c in channels]
    for m, s in zip(media_cols, spend_cols):
        df[m] = df[s]
    path = csv_path + ".meridian-input.csv"
    df.to_csv(path, index=False)

    data = load.CsvDataLoader(
        csv_path=path,
        kpi_type="revenue",
        coord_to_columns=load.CoordToColumns(
            time="date", kpi="revenue", media=media_cols, media_spend=spend_cols, controls=controls
        ),
        media_to_channel=dict(zip(media_cols, channels)),
        media_spend_to_channel=dict(zip(spend_cols, channels)),
    ).load()
    os.remove(path)
    knots = max(2, len(df) // 13)
    start = time.time()
    mmm = model.Meridian(input_data=data, model_spec=spec.ModelSpec(knots=knots, max_lag=8))
    mmm.sample_prior(200, seed=1)  # summary_metrics reports the prior too
    mmm.sample_posterior(n_chains=2, n_adapt=500, n_burnin=500, n_keep=500, seed=[1, 2])
    seconds = time.time() - start
    analysis = analyzer.Analyzer(mmm)
    sm = analysis.summary_metrics(confidence_level=0.9)
    roi = sm["roi"].sel(distribution="posterior")
    out = []
    for name in channels:
        r = roi.sel(channel=name)
        out.append(
            {
                "name": name,
                "roi": float(r.sel(metric="mean")),
                "interval": [float(r.sel(metric="ci_lo")), float(r.sel(metric="ci_hi"))],
            }
        )
    rhat = max(float(v.max()) for v in analysis.get_rhat().values())
    return {"channels": out, "seconds": seconds, "knots": knots, "rhat_max": rhat}


def fit_all(folder: str) -> None:
    for csv_path in sorted(glob.glob(f"{folder}/seed-*.csv")):
        target = csv_path.replace(".csv", ".meridian.json")
        if os.path.exists(target):
            continue
        result = fit_one(csv_path)
        with open(target, "w") as f:
            json.dump(result, f)
        print(f"{csv_path}: {result['seconds']:.0f} s, R-hat {result['rhat_max']:.3f}", flush=True)


def score(folder: str) -> None:
    rows = {"mmm": [], "meridian": []}
    covered = {"mmm": [], "meridian": []}
    seconds = []
    by_channel: dict = {}
    for roi_path in sorted(glob.glob(f"{folder}/seed-*.roi.json")):
        peer_path = roi_path.replace(".roi.json", ".meridian.json")
        if not os.path.exists(peer_path):
            continue
        truth = json.load(open(roi_path))
        peer = json.load(open(peer_path))
        seconds.append(peer["seconds"])
        for t, p in zip(truth["channels"], peer["channels"]):
            assert t["name"] == p["name"]
            true = t["true_roi"]
            for tool, est, band in [
                ("mmm", t["mmm_roi"], t["mmm_roi_interval"]),
                ("meridian", p["roi"], p["interval"]),
            ]:
                rows[tool].append((est, true))
                covered[tool].append(band[0] <= true <= band[1])
                by_channel.setdefault((tool, t["name"]), []).append(abs(est - true) / true)
    n = len(rows["mmm"])
    if n == 0:
        sys.exit(f"no fitted data sets in {folder}: run `fit` first")
    print(f"{n} channels from {len(seconds)} data sets")
    for tool in rows:
        errs = [abs(e - t) / t for e, t in rows[tool]]
        ratios = [max(e / t, t / e) if e > 0 else float("inf") for e, t in rows[tool]]
        logs = [abs(math.log(e / t)) if e > 0 else float("inf") for e, t in rows[tool]]
        errs_sorted = sorted(errs)
        print(
            f"{tool:9s} mean relative ROI error {100 * sum(errs) / n:.1f}% | median "
            f"{100 * errs_sorted[n // 2]:.1f}% | mean |log ratio| {sum(logs) / n:.3f} | "
            f"off by more than 2x {sum(r > 2 for r in ratios)} | worst {max(ratios):.2f}x | "
            f"90% interval covers {100 * sum(covered[tool]) / n:.0f}%"
        )
    for (tool, name), errs in sorted(by_channel.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"  {name:8s} {tool:9s} {100 * sum(errs) / len(errs):.1f}%")
    if seconds:
        print(f"Meridian sampling time: mean {sum(seconds) / len(seconds):.0f} s per data set")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fit", "score"):
        sys.exit(__doc__)
    (fit_all if sys.argv[1] == "fit" else score)(sys.argv[2])
