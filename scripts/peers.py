#!/usr/bin/env python3
"""Scores peer tools' channel ROIs against simulated truth, on the data sets mmm's accuracy example
wrote, so that every tool is measured on exactly the same data (docs/benchmarks.md).

Usage:

    WRITE=DIR cargo run --release -p mmm-core --example accuracy -- 2000 24   # data + truth + mmm
    python scripts/peers.py fit meridian DIR [FIRST LAST]  # needs google-meridian==2.1.0
    python scripts/peers.py fit pymc DIR [FIRST LAST]      # needs pymc-marketing==0.19.2
    python scripts/peers.py score DIR                      # mmm against each peer, same data sets

`fit` writes DIR/seed-N.<tool>.json for seeds FIRST..=LAST (all by default), skipping seeds
already fitted, so it can be stopped and resumed. Each tool gets what an analyst would give it:

- Google Meridian: default priors (ROI LogNormal(0.2, 0.9), geometric adstock with max_lag 8,
  Hill with the slope fixed at 1), a knot every 13 weeks, the same yearly Fourier terms mmm's
  default specification uses (2 harmonics) as controls besides the data's own controls, and 2
  chains of 500 adaptation, 500 burn-in and 500 kept draws.
- PyMC-Marketing: its MMM with default priors, geometric adstock (l_max 8) and logistic
  saturation, 2 yearly Fourier harmonics, the data's controls plus a linear trend `t`, and
  2 chains of 500 tuning and 500 kept draws (target_accept 0.9).

The ROI is the posterior mean of total contribution over total spend, with its 90% interval.
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


def fit_meridian(csv_path: str) -> dict:
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


def fit_pymc(csv_path: str) -> dict:
    import warnings

    import numpy as np
    import pandas as pd
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    warnings.filterwarnings("ignore")
    df = pd.read_csv(csv_path, parse_dates=["date"])
    spend_cols = [c for c in df.columns if c.endswith("_spend")]
    controls = [c for c in df.columns if c not in ["date", "revenue", *spend_cols]]
    X = df.drop(columns=["revenue"]).copy()
    X["t"] = np.arange(len(df), dtype=float)
    y = df["revenue"].rename("revenue")
    mmm = MMM(
        date_column="date",
        channel_columns=spend_cols,
        target_column="revenue",
        adstock=GeometricAdstock(l_max=8),
        saturation=LogisticSaturation(),
        control_columns=controls + ["t"],
        yearly_seasonality=HARMONICS,
    )
    mmm.build_model(X, y)
    mmm.add_original_scale_contribution_variable(var=["channel_contribution"])
    start = time.time()
    mmm.fit(X, y, chains=2, draws=500, tune=500, random_seed=1, progressbar=False,
            target_accept=0.9, cores=1)
    seconds = time.time() - start
    total = mmm.idata.posterior["channel_contribution_original_scale"].sum("date")
    out = []
    for col in spend_cols:
        roi = total.sel(channel=col) / df[col].sum()
        out.append(
            {
                "name": col[: -len("_spend")],
                "roi": float(roi.mean()),
                "interval": [float(roi.quantile(0.05)), float(roi.quantile(0.95))],
            }
        )
    import arviz as az

    rhat = float(az.rhat(mmm.idata.posterior).to_array().max())
    return {"channels": out, "seconds": seconds, "rhat_max": rhat}


TOOLS = {"meridian": fit_meridian, "pymc": fit_pymc}


def seed_of(path: str) -> int:
    return int(os.path.basename(path).split(".")[0].split("-")[1])


def fit_all(tool: str, folder: str, first: int | None, last: int | None) -> None:
    for csv_path in sorted(glob.glob(f"{folder}/seed-*.csv")):
        seed = seed_of(csv_path)
        if (first is not None and seed < first) or (last is not None and seed > last):
            continue
        target = csv_path.replace(".csv", f".{tool}.json")
        if os.path.exists(target):
            continue
        result = TOOLS[tool](csv_path)
        with open(target, "w") as f:
            json.dump(result, f)
        print(f"{csv_path}: {result['seconds']:.0f} s, R-hat {result['rhat_max']:.3f}", flush=True)


def summary(pairs: list, covered: list) -> str:
    n = len(pairs)
    errs = sorted(abs(e - t) / t for e, t in pairs)
    ratios = [max(e / t, t / e) if e > 0 else float("inf") for e, t in pairs]
    logs = [abs(math.log(e / t)) for e, t in pairs if e > 0]
    return (
        f"mean relative ROI error {100 * sum(errs) / n:.1f}% | median {100 * errs[n // 2]:.1f}% | "
        f"mean |log ratio| {sum(logs) / max(len(logs), 1):.3f} ({n - len(logs)} at 0 left out) | "
        f"off by more than 2x {sum(r > 2 for r in ratios)} | worst {max(ratios):.2f}x | "
        f"90% interval covers {100 * sum(covered) / n:.0f}%"
    )


def score(folder: str) -> None:
    for tool in TOOLS:
        results = {"mmm": ([], []), tool: ([], [])}
        by_channel: dict = {}
        seconds = []
        for roi_path in sorted(glob.glob(f"{folder}/seed-*.roi.json")):
            peer_path = roi_path.replace(".roi.json", f".{tool}.json")
            if not os.path.exists(peer_path):
                continue
            truth = json.load(open(roi_path))
            peer = json.load(open(peer_path))
            seconds.append(peer["seconds"])
            for t, p in zip(truth["channels"], peer["channels"]):
                assert t["name"] == p["name"]
                true = t["true_roi"]
                for name, est, band in [
                    ("mmm", t["mmm_roi"], t["mmm_roi_interval"]),
                    (tool, p["roi"], p["interval"]),
                ]:
                    results[name][0].append((est, true))
                    results[name][1].append(band[0] <= true <= band[1])
                    by_channel.setdefault((t["name"], name), []).append(abs(est - true) / true)
        if not seconds:
            continue
        print(f"{tool}: {len(results['mmm'][0])} channels from {len(seconds)} data sets")
        for name, (pairs, covered) in results.items():
            print(f"  {name:9s} {summary(pairs, covered)}")
        for (channel, name), errs in sorted(by_channel.items()):
            print(f"    {channel:8s} {name:9s} {100 * sum(errs) / len(errs):.1f}%")
        print(f"  {tool} time per data set: mean {sum(seconds) / len(seconds):.0f} s")


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "score":
        score(args[1])
    elif len(args) in (3, 5) and args[0] == "fit" and args[1] in TOOLS:
        bounds = [int(a) for a in args[3:]] or [None, None]
        fit_all(args[1], args[2], *bounds)
    else:
        sys.exit(__doc__)
