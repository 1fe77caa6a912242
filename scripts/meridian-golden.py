#!/usr/bin/env python3
"""Fits real Google Meridian on an mmm CSV and exports Meridian's own numbers, for the importer's
golden tests (crates/mmm-meridian/tests/).

Usage (in a Python with `pip install "google-meridian[schema]==2.1.0"`):

    python scripts/meridian-golden.py DATA.csv OUT.binpb OUT.export.json [--keep N] [--warmup N]
        [--impressions] [--conversions RPK] [--adstock binomial] [--hill-before-adstock]
        [--non-media COLUMN] [--organic CHANNEL] [--geos N --geo-csv GEO.csv [--stores]]
        [--population-scaled-non-media]

DATA.csv is an mmm data set: `date`, `revenue`, `<channel>_spend` columns and controls. Leading
rows with an empty `revenue` are media history (docs/data-format.md): Meridian gets them as lagged
media, periods with media but no KPI, spend or controls (its `media_time` is then longer than
`time`). Spend is used as the media execution, as in the demo fixture, unless `--impressions`:
then each channel's media are impressions at a cost per thousand that drifts from week to week
(seeded), so media and spend are no longer proportional. `--conversions RPK` gives Meridian a
non-revenue KPI, conversions = revenue / RPK, with a constant `revenue_per_conversion` column.
(A national model's population is always 1 in Meridian, so none is given.) `--adstock binomial`
fits Meridian's binomial adstock instead of the geometric one. `--hill-before-adstock` fits
`ModelSpec(hill_before_adstock=True)`: each channel's Hill curve is applied to its scaled media
before the adstock. `--non-media COLUMN` gives Meridian that control column as a non-media
treatment instead. `--organic CHANNEL` gives Meridian that channel's spend as organic media
(impressions with no spend, column `<channel>_organic`), so the model has one paid channel less.
`--geos N` splits the national data into N geos (populations 3, 2, 1.2, 0.8 and 0.5 million, in
that order) and fits a geo model; `--geo-csv` writes the geo-level CSV Meridian was given. Each
geo's share of a channel's spend is its population share times a factor drawn once per geo and
channel (log-sd 0.3) and one per week (log-sd 0.1), renormalised so the geos add up to the
national spend: spend per head differs between geos. The KPI is split by population with a
factor per geo (log-sd 0.05) and per week (log-sd 0.02), the price index varies by 2% between
geos, and promotions are national. `--stores` adds a control `stores` (each geo's store count,
about one per 20,000 people, growing by 10% over the data) that Meridian scales by population
(`population_scaled_controls`). `--population-scaled-non-media` has Meridian scale the
`--non-media` treatments by population too (`population_scaled_non_media_channels`).

The export holds what the golden tests compare with: the scaling constants Meridian derived,
posterior means, `summary_metrics` (90%), per-period incremental outcome (mean, q05, q95),
the expected outcome and the predictive accuracy.
"""

import argparse
import json
import os
import tempfile

# The JAX backend computes in float64 (MERIDIAN_ENABLE_JAX_X64 defaults to true); the TensorFlow
# default is float32, too coarse for a 1e-6 golden comparison.
os.environ.setdefault("MERIDIAN_BACKEND", "jax")

import numpy as np
import pandas as pd

from meridian import version as meridian_version
from meridian.analysis import analyzer
from meridian.data import load
from meridian.model import model, spec
from meridian.schema.serde import meridian_serde


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("binpb")
    parser.add_argument("export")
    parser.add_argument("--keep", type=int, default=100, help="posterior draws kept per chain")
    parser.add_argument("--warmup", type=int, default=300, help="adaptation and burn-in draws")
    parser.add_argument("--knots", type=int, default=8)
    parser.add_argument("--impressions", action="store_true")
    parser.add_argument("--conversions", type=float, metavar="RPK")
    parser.add_argument("--adstock", choices=["geometric", "binomial"], default="geometric")
    parser.add_argument("--hill-before-adstock", action="store_true")
    parser.add_argument("--non-media", action="append", default=[], metavar="COLUMN")
    parser.add_argument("--organic", action="append", default=[], metavar="CHANNEL")
    parser.add_argument("--geos", type=int, default=0)
    parser.add_argument("--geo-csv")
    parser.add_argument("--stores", action="store_true")
    parser.add_argument("--population-scaled-non-media", action="store_true")
    args = parser.parse_args()

    df = pd.read_csv(args.csv)
    spend_cols = [c for c in df.columns if c.endswith("_spend")]
    controls = [c for c in df.columns if c not in ["date", "revenue", *spend_cols]]
    organic_cols = [f"{c}_organic" for c in args.organic]
    for c, o in zip(args.organic, organic_cols):
        df[o] = df.pop(f"{c}_spend")
    spend_cols = [c for c in spend_cols if c[: -len("_spend")] not in args.organic]
    channels = [c[: -len("_spend")] for c in spend_cols]
    history = int(df["revenue"].isna().cumprod().sum())

    # Meridian reads media and spend from separate columns; in the lagged periods only the media
    # cells are filled.
    media_cols = [f"{c}_media" for c in channels]
    rng = np.random.default_rng(7)
    for m, s in zip(media_cols, spend_cols):
        if args.impressions:
            cpm = rng.uniform(4.0, 12.0) * np.exp(0.15 * rng.standard_normal(len(df)))
            df[m] = np.round(1000.0 * df[s] / cpm)
        else:
            df[m] = df[s]
    kpi = "revenue"
    if args.conversions:
        kpi = "conversions"
        df[kpi] = df["revenue"] / args.conversions
        df["revenue_per_conversion"] = args.conversions
        df.loc[: history - 1, "revenue_per_conversion"] = np.nan
        df = df.drop(columns=["revenue"])
    df.loc[: history - 1, spend_cols] = np.nan
    geo_columns = {}
    if args.geos:
        df = split_into_geos(df, args.geos, [*media_cols, *spend_cols], kpi, args.stores)
        if args.stores:
            controls.append("stores")
        geo_columns = dict(geo="geo", population="population")
        if args.geo_csv:
            df.to_csv(args.geo_csv, index=False)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        df.to_csv(f, index=False)
        meridian_csv = f.name

    controls = [c for c in controls if c not in args.non_media]
    columns = dict(**geo_columns, time="date", kpi=kpi, media=media_cols, media_spend=spend_cols, controls=controls)
    if args.non_media:
        columns["non_media_treatments"] = args.non_media
    if organic_cols:
        columns["organic_media"] = organic_cols
    if args.conversions:
        columns["revenue_per_kpi"] = "revenue_per_conversion"
    loader = load.CsvDataLoader(
        csv_path=meridian_csv,
        kpi_type="non_revenue" if args.conversions else "revenue",
        coord_to_columns=load.CoordToColumns(**columns),
        media_to_channel=dict(zip(media_cols, channels)),
        media_spend_to_channel=dict(zip(spend_cols, channels)),
    )
    data = loader.load()
    model_spec = spec.ModelSpec(
        population_scaled_controls=["stores"] if args.stores else None,
        population_scaled_non_media_channels=(
            args.non_media if args.population_scaled_non_media else None
        ),
        knots=args.knots,
        max_lag=8,
        adstock_decay_spec=args.adstock,
        hill_before_adstock=args.hill_before_adstock,
    )
    mmm = model.Meridian(input_data=data, model_spec=model_spec)
    mmm.sample_prior(100, seed=1)
    mmm.sample_posterior(
        n_chains=2, n_adapt=args.warmup, n_burnin=args.warmup, n_keep=args.keep, seed=[1, 2]
    )
    meridian_serde.save_meridian(mmm, args.binpb)

    # Everything below is read back from the saved file, as mmm will read it.
    mmm = meridian_serde.load_meridian(args.binpb)
    a = analyzer.Analyzer(mmm)
    export = {"format": "meridian-export/1", "meta": meta(mmm, history, args)}
    export["meta"]["divergences"] = int(mmm.inference_data.sample_stats["diverging"].sum())

    media = mmm.media_tensors
    export["scaling"] = {
        "media_population_scaled_median": np.asarray(
            media.media_transformer.population_scaled_median_m
        ).tolist(),
        "media_scale_factors": np.asarray(media.media_transformer._scale_factors_gm).tolist(),
        "kpi_population_scaled_mean": float(mmm.kpi_transformer.population_scaled_mean),
        "kpi_population_scaled_stdev": float(mmm.kpi_transformer.population_scaled_stdev),
        "controls_mean": np.asarray(mmm.controls_transformer._means).ravel().tolist(),
        "controls_stdev": np.asarray(mmm.controls_transformer._stdevs).ravel().tolist(),
        "population": np.asarray(mmm.input_data.population).tolist(),
    }

    post = mmm.inference_data.posterior
    export["posterior"] = {
        name: {
            "dims": [d for d in post[name].dims if d not in ("chain", "draw")],
            "mean": post[name].mean(dim=("chain", "draw")).values.tolist(),
        }
        for name in ["alpha_m", "ec_m", "slope_m", "roi_m", "beta_gm", "tau_g", "sigma"]
    }

    sm = a.summary_metrics(confidence_level=0.9)
    export["summary_metrics"] = {
        "channels": [str(c) for c in sm.channel.values],
        "metric": [str(m) for m in sm.metric.values],
        "distribution": [str(d) for d in sm.distribution.values],
        **{
            name: {"dims": list(sm[name].dims), "values": sm[name].values.tolist()}
            for name in ["spend", "incremental_outcome", "roi"]
        },
    }

    per_period = np.asarray(a.incremental_outcome(aggregate_times=False))  # (chain, draw, t, c)
    flat = per_period.reshape(-1, *per_period.shape[2:])
    export["contributions"] = {
        "dims": ["time", "channel"],
        "mean": flat.mean(axis=0).tolist(),
        "q05": np.quantile(flat, 0.05, axis=0).tolist(),
        "q95": np.quantile(flat, 0.95, axis=0).tolist(),
    }
    eva = a.expected_vs_actual_data(aggregate_geos=True, confidence_level=0.9)
    export["expected_vs_actual"] = {
        "metric": [str(m) for m in eva.metric.values],
        "expected": eva["expected"].values.tolist(),
        "actual": eva["actual"].values.tolist(),
    }
    acc = a.predictive_accuracy()
    if "geo_granularity" in acc.dims:
        acc = acc.sel(geo_granularity=["national"])  # the national figures, as mmm reports
    export["predictive_accuracy"] = {
        "metric": [str(m) for m in acc.metric.values],
        "value": acc["value"].values.tolist(),
    }
    with open(args.export, "w") as f:
        json.dump(export, f)


POPULATIONS = [3.0e6, 2.0e6, 1.2e6, 0.8e6, 0.5e6]


def split_into_geos(
    df: pd.DataFrame, geos: int, media: list, kpi: str, stores: bool = False
) -> pd.DataFrame:
    """The national rows as `geos` geos' rows (geo-major), adding up to the national data."""
    rng = np.random.default_rng(29)
    pop = np.array(POPULATIONS[:geos])
    share = pop / pop.sum()
    n = len(df)

    def weights(fixed_sd: float, weekly_sd: float) -> np.ndarray:
        w = share[:, None] * np.exp(
            fixed_sd * rng.standard_normal((geos, 1)) + weekly_sd * rng.standard_normal((geos, n))
        )
        return w / w.sum(axis=0)

    spend_weights = {c[: -len("_spend")]: weights(0.3, 0.1) for c in media if c.endswith("_spend")}
    kpi_weights = weights(0.05, 0.02)
    price_factor = 1.0 + 0.02 * rng.standard_normal(geos)
    parts = []
    for g in range(geos):
        part = df.copy()
        part.insert(0, "geo", f"geo_{g + 1}")
        part.insert(1, "population", pop[g])
        for col in media:
            channel = col.rsplit("_", 1)[0]
            part[col] = df[col] * spend_weights[channel][g]
        part[kpi] = df[kpi] * kpi_weights[g]
        if "price_index" in part:
            part["price_index"] = df["price_index"] * price_factor[g]
        if stores:
            growth = 1.0 + 0.1 * np.arange(n) / n
            part["stores"] = np.round(pop[g] / 20000.0 * growth * np.exp(0.02 * rng.standard_normal(n)))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def meta(mmm, history: int, args) -> dict:
    return {
        "source_file": args.binpb.rsplit("/", 1)[-1],
        "source_csv": args.csv.rsplit("/", 1)[-1],
        "meridian_version": meridian_version.__version__,
        "computation_backend": os.environ["MERIDIAN_BACKEND"],
        "kpi_type": "non_revenue" if args.conversions else "revenue",
        "media": "impressions" if args.impressions else "spend",
        "revenue_per_kpi": args.conversions,
        "n_times": int(mmm.n_times),
        "n_media_times": int(mmm.n_media_times),
        "media_history_periods": history,
        "n_chains": 2,
        "n_draws_per_chain": args.keep,
        "n_adapt": args.warmup,
        "n_burnin": args.warmup,
        "model_spec": {
            "max_lag": 8,
            "knots": args.knots,
            "adstock_decay_spec": args.adstock,
            "hill_before_adstock": args.hill_before_adstock,
        },
        "non_media_treatments": args.non_media,
        "organic_media": args.organic,
        "geos": int(mmm.n_geos),
        "population_scaled_controls": ["stores"] if args.stores else [],
        "population_scaled_non_media": args.non_media if args.population_scaled_non_media else [],
    }


if __name__ == "__main__":
    main()
