//! Turns a Meridian posterior into an mmm model document.
//!
//! Every posterior draw is pushed through Meridian's own equations (see `docs/meridian.md`):
//! media scaled by the derived scale factors, geometric or binomial adstock normalised over
//! `max_lag + 1` weights (lagged media first, then zero padding), Hill after adstock (before it
//! with `hill_before_adstock`, which the document keeps as each channel's transform order),
//! `β_gm`, then unscaled by the KPI standard deviation, the population and the revenue per KPI. ROI,
//! incremental outcome, share, per-period contributions and the fitted KPI are summarised over
//! all draws (mean and NumPy-style 5th and 95th percentiles, as Meridian's `Analyzer` does).

use crate::data::{MarketingTable, Scaling};
use crate::{ImportError, MeridianFile, Variable, read_netcdf};
use mmm_core::baseline::{Baseline, ControlEffect, OrganicEffect};
use mmm_core::dataset::Frequency;
use mmm_core::document::{
    CURVE_MAX_MULTIPLE, CURVE_POINTS, ChannelResult, ChannelSeries, ControlSeries, Diagnostics,
    DrawChannel, FitMetrics, Method, ModelDocument, Origin, PosteriorDraw, SATURATION_LEVEL,
    Series, format_version_for, recent_mean,
};
use mmm_core::params::{
    BinomialAlpha, DecayRate, HalfSaturation, HillShape, MAX_LAG_LIMIT, MaxLag,
};
use mmm_core::summary::{ess, split_rhat, summarise};
use mmm_core::transforms::{Adstock, Saturation, TransformOrder};
use mmm_core::{ModelSpec, metrics};
use std::collections::BTreeMap;

/// Newest Meridian major version whose files this build imports.
pub const SUPPORTED_MAJOR: u32 = 2;

/// Posterior draws kept in the document (thinned evenly), as for models mmm fits.
pub const KEPT_DRAWS: usize = 200;

/// An imported model: the document, and the data it was fitted on as an mmm CSV.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The model document.
    pub document: ModelDocument,
    /// The marketing data as CSV (`date`, KPI, `<channel>_spend`, controls).
    pub csv: String,
    /// The KPI column of [`Self::csv`].
    pub kpi_column: String,
    /// The Meridian version that wrote the file.
    pub meridian_version: String,
}

fn unsupported(feature: &str) -> ImportError {
    ImportError::Unsupported(feature.to_owned())
}

fn invalid(why: impl Into<String>) -> ImportError {
    ImportError::Invalid(why.into())
}

/// Refuses versions newer than [`SUPPORTED_MAJOR`] and versions that cannot be read.
fn check_version(version: &str) -> Result<(), ImportError> {
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.trim().parse::<u32>().ok())
        .ok_or_else(|| invalid(format!("unreadable Meridian version '{version}'")))?;
    if major > SUPPORTED_MAJOR {
        return Err(ImportError::TooNew {
            found: version.to_owned(),
            supported: format!("{SUPPORTED_MAJOR}.x"),
        });
    }
    Ok(())
}

/// Meridian's adstock decay functions.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decay {
    Geometric,
    Binomial,
}

impl Decay {
    fn parse(kind: &str) -> Option<Self> {
        if kind.eq_ignore_ascii_case("geometric") {
            Some(Decay::Geometric)
        } else if kind.eq_ignore_ascii_case("binomial") {
            Some(Decay::Binomial)
        } else {
            None
        }
    }
}

/// Each channel's adstock decay function: the global one (geometric by default), unless the
/// channel names its own.
fn decay_functions(file: &MeridianFile, channels: &[String]) -> Result<Vec<Decay>, ImportError> {
    let h = &file.hyperparameters;
    let refuse = |kind: &str, on: String| {
        ImportError::Unsupported(format!("{kind} adstock{on} (only geometric and binomial)"))
    };
    let global = match &h.global_adstock_decay {
        Some(kind) => Decay::parse(kind).ok_or_else(|| refuse(kind, String::new()))?,
        None => Decay::Geometric,
    };
    channels
        .iter()
        .map(|channel| {
            match h.adstock_decay_by_channel.as_ref().and_then(|by| by.by_channel.get(channel)) {
                Some(kind) => Decay::parse(kind)
                    .ok_or_else(|| refuse(kind, format!(" on channel '{channel}'"))),
                None => Ok(global),
            }
        })
        .collect()
}

/// Refuses model settings mmm would otherwise import wrongly.
fn check_settings(file: &MeridianFile) -> Result<(), ImportError> {
    let h = &file.hyperparameters;
    let hill = |kind: &str| kind.eq_ignore_ascii_case("hill");
    if let Some(kind) = &h.global_saturation
        && !hill(kind)
    {
        return Err(ImportError::Unsupported(format!("{kind} saturation (only Hill)")));
    }
    if let Some(by) = &h.saturation_by_channel
        && let Some((channel, kind)) = by.by_channel.iter().find(|(_, k)| !hill(k))
    {
        return Err(ImportError::Unsupported(format!(
            "{kind} saturation on channel '{channel}' (only Hill)"
        )));
    }
    if !h.changepoints.is_empty() {
        return Err(unsupported("media effect changepoints"));
    }
    Ok(())
}

/// Refuses posteriors that hold parameters of features mmm does not model.
fn check_posterior(post: &BTreeMap<String, Variable>) -> Result<(), ImportError> {
    for (suffix, feature) in
        [("_rf", "reach and frequency channels"), ("_orf", "organic reach and frequency channels")]
    {
        if let Some(name) =
            post.keys().find(|k| k.ends_with(suffix) && k.starts_with(char::is_alphabetic))
        {
            return Err(ImportError::Unsupported(format!("{feature} (posterior has '{name}')")));
        }
    }
    Ok(())
}

/// A posterior variable viewed as `[draw][rest]`, draws flattened chain-major.
struct Draws<'a> {
    var: &'a Variable,
    width: usize,
}

impl<'a> Draws<'a> {
    fn get(
        post: &'a BTreeMap<String, Variable>,
        name: &str,
        draws: usize,
        width: usize,
    ) -> Result<Self, ImportError> {
        let var =
            post.get(name).ok_or_else(|| invalid(format!("the posterior has no '{name}'")))?;
        if var.dims.first().map(String::as_str) != Some("chain")
            || var.dims.get(1).map(String::as_str) != Some("draw")
            || var.values.len() != draws * width
        {
            return Err(invalid(format!(
                "posterior '{name}' has shape {:?} {:?}, expected (chain, draw, ...) with {width} \
                 values per draw",
                var.dims, var.shape
            )));
        }
        Ok(Self { var, width })
    }

    fn optional(
        post: &'a BTreeMap<String, Variable>,
        name: &str,
        draws: usize,
        width: usize,
    ) -> Result<Option<Self>, ImportError> {
        if post.contains_key(name) {
            Self::get(post, name, draws, width).map(Some)
        } else {
            Ok(None)
        }
    }

    fn row(&self, d: usize) -> &[f64] {
        &self.var.values[d * self.width..(d + 1) * self.width]
    }

    fn mean(&self, j: usize, draws: usize) -> f64 {
        (0..draws).map(|d| self.row(d)[j]).sum::<f64>() / draws.max(1) as f64
    }
}

/// The coefficients of the controls and then of the non-media treatments, as one list, per geo.
struct Coefficients<'a> {
    controls: Option<Draws<'a>>,
    treatments: Option<Draws<'a>>,
    /// Index of the first treatment.
    split: usize,
    /// Number of controls and treatments.
    count: usize,
}

impl Coefficients<'_> {
    /// The draws holding coefficient `k` of `geo`, and its index in a draw's row.
    fn part(&self, geo: usize, k: usize) -> (Option<&Draws<'_>>, usize) {
        if k < self.split {
            (self.controls.as_ref(), geo * self.split + k)
        } else {
            (self.treatments.as_ref(), geo * (self.count - self.split) + k - self.split)
        }
    }

    /// Coefficient `k` of `geo` in draw `d`.
    fn at(&self, d: usize, geo: usize, k: usize) -> f64 {
        let (draws, j) = self.part(geo, k);
        draws.map_or(0.0, |g| g.row(d)[j])
    }

    /// Posterior mean of coefficient `k` of `geo`.
    fn mean(&self, geo: usize, k: usize, draws: usize) -> f64 {
        let (g, j) = self.part(geo, k);
        g.map_or(0.0, |g| g.mean(j, draws))
    }
}

/// The posterior of a group of media channels (paid `_m` or organic `_om`): adstock, Hill and
/// coefficient draws (one coefficient per geo and channel), and each channel's adstock decay
/// function.
struct MediaDraws<'a> {
    alpha: Draws<'a>,
    ec: Draws<'a>,
    slope: Draws<'a>,
    beta: Draws<'a>,
    decays: Vec<Decay>,
    channels: usize,
}

impl<'a> MediaDraws<'a> {
    /// Reads the group whose variables end in `suffix` (`m` or `om`) for `channels` in `geos`
    /// geos.
    fn get(
        post: &'a BTreeMap<String, Variable>,
        file: &MeridianFile,
        suffix: &str,
        channels: &[String],
        draws: usize,
        geos: usize,
    ) -> Result<Self, ImportError> {
        let n = channels.len();
        let var = |name: &str| Draws::get(post, &format!("{name}_{suffix}"), draws, n);
        Ok(Self {
            alpha: var("alpha")?,
            ec: var("ec")?,
            slope: var("slope")?,
            beta: match Draws::optional(post, &format!("beta_g{suffix}"), draws, geos * n)? {
                Some(b) => b,
                None if geos == 1 => var("beta")?,
                None => return Err(invalid(format!("the posterior has no 'beta_g{suffix}'"))),
            },
            decays: decay_functions(file, channels)?,
            channels: n,
        })
    }

    /// Channel `j` of geo `g` in draw `d`, or with its posterior means when `d` is `None`;
    /// `unit` turns the geo's coefficient into outcome units.
    fn channel(
        &self,
        d: Option<usize>,
        g: usize,
        j: usize,
        draws: usize,
        unit: f64,
        max_lag: MaxLag,
    ) -> Result<DrawChannel, ImportError> {
        let at = |v: &Draws<'_>, i: usize| d.map_or_else(|| v.mean(i, draws), |d| v.row(d)[i]);
        draw_channel(
            self.decays[j],
            at(&self.alpha, j),
            at(&self.ec, j),
            at(&self.slope, j),
            at(&self.beta, g * self.channels + j) * unit,
            max_lag,
        )
    }

    /// Channel `j` for the national total, with `units[g]` each geo's outcome unit: the curve
    /// is shared by every geo, so the national coefficient is the sum of the geos' (exact when
    /// each geo's media is its population's share of the national media).
    fn national(
        &self,
        d: Option<usize>,
        j: usize,
        draws: usize,
        units: &[f64],
        max_lag: MaxLag,
    ) -> Result<DrawChannel, ImportError> {
        let mut channel = self.channel(d, 0, j, draws, units[0], max_lag)?;
        for (g, unit) in units.iter().enumerate().skip(1) {
            channel.coefficient += self.channel(d, g, j, draws, *unit, max_lag)?.coefficient;
        }
        Ok(channel)
    }
}

/// One draw's channel parameters in mmm's terms (spend-equivalent scale).
fn draw_channel(
    decay: Decay,
    alpha: f64,
    ec: f64,
    slope: f64,
    coefficient: f64,
    max_lag: MaxLag,
) -> Result<DrawChannel, ImportError> {
    let bad = |e: mmm_core::params::ParamError| invalid(format!("posterior parameter: {e}"));
    let adstock = match decay {
        Decay::Geometric => {
            Adstock::Geometric { decay: DecayRate::new(alpha).map_err(bad)?, max_lag }
        }
        Decay::Binomial => {
            Adstock::Binomial { alpha: BinomialAlpha::new(alpha).map_err(bad)?, max_lag }
        }
    };
    Ok(DrawChannel {
        coefficient,
        adstock,
        saturation: Saturation::Hill {
            half_saturation: HalfSaturation::new(ec).map_err(bad)?,
            shape: HillShape::new(slope).map_err(bad)?,
        },
    })
}

/// Imports a `save_meridian` file. `file_name` is recorded as the model's origin.
pub fn import(bytes: &[u8], file_name: &str) -> Result<Imported, ImportError> {
    let file = crate::read_file(bytes)?;
    check_version(&file.model_version)?;
    check_settings(&file)?;
    let geos = MarketingTable::from_proto(&file.marketing_data)?;
    let population_scaled = &geos
        .first()
        .ok_or_else(|| invalid("the marketing data has no geos"))?
        .population_scaled(&file.hyperparameters)?;
    let table = MarketingTable::national(&geos, population_scaled);
    let order = if file.hyperparameters.hill_before_adstock == Some(true) {
        TransformOrder::SaturationFirst
    } else {
        TransformOrder::AdstockFirst
    };
    let post = read_netcdf(&file.posterior)?;
    check_posterior(&post)?;
    let scaling = Scaling::derive(&geos, population_scaled);

    let ng = geos.len();
    let n = table.dates.len();
    let nc = table.channels.len();
    let nk = table.controls.len();
    let shape = post
        .get("alpha_m")
        .map(|v| v.shape.clone())
        .ok_or_else(|| invalid("the posterior has no 'alpha_m' (paid media adstock)"))?;
    let (chains, per_chain) = match shape.as_slice() {
        [c, d, m] if *m == nc && *c > 0 && *d > 0 => (*c, *d),
        _ => {
            return Err(invalid(format!(
                "posterior 'alpha_m' has shape {shape:?}, expected (chain, draw, {nc} channels)"
            )));
        }
    };
    let draws = chains * per_chain;
    let paid = MediaDraws::get(&post, &file, "m", &table.channels, draws, ng)?;
    let mu = Draws::get(&post, "mu_t", draws, n)?;
    let tau = Draws::optional(&post, "tau_g", draws, ng)?;
    // The controls' coefficients, then the non-media treatments'.
    let coefficients = |geo: &str, national: &str, width: usize| -> Result<_, ImportError> {
        if width == 0 {
            return Ok(None);
        }
        match Draws::optional(&post, geo, draws, ng * width)? {
            Some(g) => Ok(Some(g)),
            None if ng == 1 => Draws::optional(&post, national, draws, width)?
                .map(Some)
                .ok_or_else(|| invalid(format!("the posterior has no '{national}'"))),
            None => Err(invalid(format!("the posterior has no '{geo}'"))),
        }
    };
    let gamma = Coefficients {
        controls: coefficients("gamma_gc", "gamma_c", nk - table.treatments)?,
        treatments: coefficients("gamma_gn", "gamma_n", table.treatments)?,
        split: nk - table.treatments,
        count: nk,
    };
    // One noise scale, or one per geo (`unique_sigma_for_each_geo`).
    let per_geo = ng > 1 && post.get("sigma").is_some_and(|v| v.values.len() == draws * ng);
    let sigma = Draws::get(&post, "sigma", draws, if per_geo { ng } else { 1 })?;
    // Organic media: the paid media's equations, without spend.
    let no = table.organic.len();
    let organic = match no {
        0 => None,
        _ => Some(MediaDraws::get(&post, &file, "om", &table.organic, draws, ng)?),
    };

    let max_lag_meridian = file.hyperparameters.max_lag.unwrap_or(8) as usize;
    // Meridian uses min(max_lag + 1, n_media_times) weights; n_media_times counts the history.
    let lag = max_lag_meridian.min(n + table.history_dates.len() - 1);
    if lag > MAX_LAG_LIMIT {
        return Err(ImportError::Unsupported(format!(
            "max_lag {max_lag_meridian} (mmm supports up to {MAX_LAG_LIMIT})"
        )));
    }
    let max_lag = MaxLag::new(lag).map_err(|e| invalid(e.to_string()))?;

    // Per geo: one scaled KPI in KPI units (the KPI's sd times the population).
    let kpi_units: Vec<f64> = geos.iter().map(|g| scaling.kpi_stdev * g.population).collect();
    let actual: Vec<f64> =
        table.kpi.iter().zip(&table.revenue_per_kpi).map(|(k, r)| k * r).collect();
    // Spend-equivalent model input: media × Σ spend / Σ media (exactly the spend when the
    // model was fitted on spend).
    let ratio = table.spend_per_media();
    // Only the history within the adstock window reaches the model's periods.
    let history: Vec<Vec<f64>> = table
        .history_spend()
        .into_iter()
        .map(|h| h[h.len().saturating_sub(lag)..].to_vec())
        .collect();
    let scale: Vec<f64> = (0..nc).map(|c| scaling.media_scale[c] * ratio[c]).collect();
    if let Some(c) = scale.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(invalid(format!("channel '{}' has no usable media scale", table.channels[c])));
    }
    let frequency = frequency_of(&table)?;
    // Per geo: the revenue per KPI of the last quarter, and one scaled KPI in outcome units at
    // it, for what looks forward from today (curves, mROI, the optimizer) and the baseline's
    // parts.
    let rpk_now: Vec<f64> =
        geos.iter().map(|g| recent_mean(&g.revenue_per_kpi, frequency).unwrap_or(1.0)).collect();
    let units: Vec<f64> = kpi_units.iter().zip(&rpk_now).map(|(u, r)| u * r).collect();
    let total_spend: Vec<f64> = table.spend.iter().map(|s| s.iter().sum()).collect();
    let current_spend: Vec<f64> =
        table.spend.iter().map(|s| recent_mean(s, frequency).unwrap_or(0.0)).collect();
    if let Some(o) = scaling.organic_scale.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(invalid(format!(
            "organic media '{}' has no usable scale (all zero?)",
            table.organic[o]
        )));
    }
    // Each geo's media over its scale (its population's share of the national one), the
    // history within the adstock window first.
    let scaled = |values: &[Vec<f64>], scales: &[f64], share: f64| -> Vec<Vec<f64>> {
        values
            .iter()
            .zip(scales)
            .map(|(v, s)| v.iter().map(|x| x / (s * share)).collect())
            .collect()
    };
    let window = |history: &[Vec<f64>]| -> Vec<Vec<f64>> {
        history.iter().map(|h| h[h.len().saturating_sub(lag)..].to_vec()).collect()
    };
    // The national media over the national scale, as the document's recomputation reads them.
    let national_media = scaled(&table.media, &scaling.media_scale, 1.0);
    let national_history = scaled(&window(&table.history_media), &scaling.media_scale, 1.0);
    let inputs: Vec<GeoInputs> = geos
        .iter()
        .map(|geo| {
            let share = geo.population / scaling.population;
            GeoInputs {
                media: scaled(&geo.media, &scaling.media_scale, share),
                history: scaled(&window(&geo.history_media), &scaling.media_scale, share),
                organic: scaled(&geo.organic_media, &scaling.organic_scale, share),
                organic_history: scaled(
                    &window(&geo.history_organic),
                    &scaling.organic_scale,
                    share,
                ),
                controls: (0..nk)
                    .map(|k| {
                        let per_capita = population_scaled.contains(&table.controls[k]);
                        geo.control_values[k]
                            .iter()
                            .map(|z| scaling.standardise_control(k, *z, geo.population, per_capita))
                            .collect()
                    })
                    .collect(),
                revenue_per_kpi: geo.revenue_per_kpi.clone(),
            }
        })
        .collect();

    // Per draw: contributions, ROI, mROI, share; per period: contributions and the fit.
    let mut roi = vec![Vec::with_capacity(draws); nc];
    let mut mroi = vec![Vec::with_capacity(draws); nc];
    let mut outcome = vec![Vec::with_capacity(draws); nc];
    let mut share = vec![Vec::with_capacity(draws); nc];
    let mut per_period = vec![vec![Vec::with_capacity(draws); n]; nc];
    // The media part and the rest (level, knots, controls) of the expected outcome.
    let mut expected_sum = vec![0.0; n];
    let mut base_sum = vec![0.0; n];
    let mut organic_sum = vec![vec![0.0; n]; no];
    let mut all_draws = Vec::with_capacity(draws);
    for d in 0..draws {
        for (g, geo) in inputs.iter().enumerate() {
            let Some(organic) = &organic else { break };
            for o in 0..no {
                let ch = organic.channel(Some(d), g, o, draws, kpi_units[g], max_lag)?;
                let response = order.response(
                    &ch.adstock,
                    &ch.saturation,
                    &geo.organic_history[o],
                    &geo.organic[o],
                );
                for (t, h) in response.into_iter().enumerate() {
                    let v = ch.coefficient * h * geo.revenue_per_kpi[t];
                    organic_sum[o][t] += v;
                    expected_sum[t] += v;
                }
            }
        }
        let mut contribution = vec![vec![0.0; n]; nc];
        // The national curve: the shared parameters, the geos' coefficients summed.
        let mut channels: Vec<DrawChannel> = Vec::with_capacity(nc);
        // Per channel, in KPI units: the geos' summed contribution over the data, and their
        // summed coefficients.
        let mut in_kpi = vec![(0.0, 0.0); nc];
        for (g, geo) in inputs.iter().enumerate() {
            for (c, sum) in contribution.iter_mut().enumerate() {
                let mut ch = paid.channel(Some(d), g, c, draws, kpi_units[g], max_lag)?;
                let response =
                    order.response(&ch.adstock, &ch.saturation, &geo.history[c], &geo.media[c]);
                for ((v, h), r) in sum.iter_mut().zip(&response).zip(&geo.revenue_per_kpi) {
                    *v += ch.coefficient * h * r;
                }
                in_kpi[c].0 += ch.coefficient * response.iter().sum::<f64>();
                in_kpi[c].1 += ch.coefficient;
                ch.coefficient *= rpk_now[g];
                match channels.get_mut(c) {
                    Some(national) => national.coefficient += ch.coefficient,
                    None => channels.push(ch),
                }
            }
        }
        if ng > 1 {
            // Where the geos' media per head differ, the national curve with the geos'
            // coefficients summed misses their total over the data (the Hill curve bends);
            // scaled to reproduce it, it is exact at the historical spend.
            for (c, ch) in channels.iter_mut().enumerate() {
                let national = order.response(
                    &ch.adstock,
                    &ch.saturation,
                    &national_history[c],
                    &national_media[c],
                );
                let recomputed = in_kpi[c].1 * national.iter().sum::<f64>();
                if recomputed > 0.0 {
                    ch.coefficient *= in_kpi[c].0 / recomputed;
                }
            }
        }
        let mut totals = vec![0.0; nc];
        for (c, ch) in channels.iter().enumerate() {
            for (t, v) in contribution[c].iter().enumerate() {
                per_period[c][t].push(*v);
                expected_sum[t] += v;
                totals[c] += v;
            }
            let z = mmm_core::document::marginal_input(current_spend[c], scale[c]);
            mroi[c].push(ch.coefficient * ch.saturation.slope(z) / scale[c]);
        }
        let media_total: f64 = totals.iter().sum();
        for c in 0..nc {
            outcome[c].push(totals[c]);
            roi[c].push(if total_spend[c] > 0.0 { totals[c] / total_spend[c] } else { 0.0 });
            share[c].push(if media_total > 0.0 { totals[c] / media_total } else { 0.0 });
        }
        let mut noise = 0.0;
        for (g, geo) in inputs.iter().enumerate() {
            let tau_d = tau.as_ref().map_or(0.0, |v| v.row(d)[g]);
            for (t, b) in base_sum.iter_mut().enumerate() {
                let controls: f64 = (0..nk).map(|k| gamma.at(d, g, k) * geo.controls[k][t]).sum();
                let scaled =
                    scaling.kpi_mean + scaling.kpi_stdev * (tau_d + mu.row(d)[t] + controls);
                *b += scaled * geos[g].population * geo.revenue_per_kpi[t];
            }
            // Independent noise in each geo, in outcome units.
            let sigma_g = sigma.row(d)[g.min(sigma.width - 1)] * units[g];
            noise += sigma_g * sigma_g;
        }
        all_draws.push(PosteriorDraw { sigma: noise.sqrt(), channels });
    }
    let base: Vec<f64> = base_sum.iter().map(|b| b / draws as f64).collect();
    let fitted: Vec<f64> =
        expected_sum.iter().zip(&base).map(|(e, b)| e / draws as f64 + b).collect();

    // Plug-in parameters (posterior means) for the optimizer's response curves.
    let mut results = Vec::with_capacity(nc);
    for c in 0..nc {
        let mut plug = paid.national(None, c, draws, &units, max_lag)?;
        if ng > 1 {
            // The mean of the draws' national coefficients, each scaled to its geos' total.
            plug.coefficient =
                all_draws.iter().map(|d| d.channels[c].coefficient).sum::<f64>() / draws as f64;
        }
        let (roi_m, roi_i) = summarise(&roi[c]);
        let (mroi_m, mroi_i) = summarise(&mroi[c]);
        let (out_m, out_i) = summarise(&outcome[c]);
        let (share_m, share_i) = summarise(&share[c]);
        let mut result = ChannelResult {
            name: table.channels[c].clone(),
            column: format!("{}_spend", table.channels[c]),
            spend: total_spend[c],
            contribution: out_m,
            roi: roi_m,
            mroi: mroi_m,
            share: share_m,
            current_spend: current_spend[c],
            adstock: plug.adstock,
            saturation: plug.saturation,
            transform_order: order,
            coefficient: plug.coefficient,
            scale: scale[c],
            saturation_point: scale[c] * plug.saturation.inverse(SATURATION_LEVEL),
            response_curve: Vec::new(),
            roi_interval: Some(roi_i),
            mroi_interval: Some(mroi_i),
            contribution_interval: Some(out_i),
            share_interval: Some(share_i),
            roi_contraction: None,
            posterior_parameters: Vec::new(),
        };
        let max_spend = table.spend[c].iter().copied().fold(0.0, f64::max);
        result.response_curve = result.curve(CURVE_POINTS, CURVE_MAX_MULTIPLE * max_spend);
        result.apply_posterior_curve(&all_draws, c);
        result.apply_posterior_saturation_point(&all_draws, c);
        result.apply_posterior_parameters(&all_draws, c);
        results.push(result);
    }

    let tau_part: f64 = units
        .iter()
        .enumerate()
        .map(|(g, u)| u * tau.as_ref().map_or(0.0, |v| v.mean(g, draws)))
        .sum();
    let level: f64 =
        geos.iter().zip(&rpk_now).map(|(g, r)| scaling.kpi_mean * g.population * r).sum();
    let mut baseline = Baseline {
        intercept: level + tau_part,
        trend: 0.0,
        trend_periods: n,
        trend_knots: Vec::new(),
        trend_bends: Vec::new(),
        seasonality: Vec::new(),
        // A coefficient on the national control: the geos' coefficients in outcome units,
        // summed (exact when they are equal, see `MarketingTable::national`).
        controls: (0..nk)
            .map(|k| ControlEffect {
                name: table.controls[k].clone(),
                coefficient: (0..ng).map(|g| units[g] * gamma.mean(g, k, draws)).sum(),
                mean: scaling.controls_mean[k],
                sd: scaling.controls_stdev[k],
            })
            .collect(),
        events: None,
        time_effect: Vec::new(),
        organic: table
            .organic
            .iter()
            .zip(&organic_sum)
            .map(|(name, sum)| OrganicEffect {
                name: name.clone(),
                contribution: sum.iter().map(|v| v / draws as f64).collect(),
            })
            .collect(),
    };
    let control_part: Vec<f64> = (0..n)
        .map(|t| {
            let z: Vec<f64> = table.control_values.iter().map(|v| v[t]).collect();
            baseline.parts(t, &z).controls
        })
        .collect();
    // The knot baseline, plus what the intercept and the national controls' coefficients miss
    // (nothing for a national model with a constant revenue per KPI: the geos' own control
    // coefficients, a revenue per KPI that moves), so the parts add up to Meridian's expected
    // outcome.
    let time_effect: Vec<f64> =
        (0..n).map(|t| base[t] - baseline.intercept - control_part[t]).collect();
    baseline.time_effect.clone_from(&time_effect);

    let on_media = table.fitted_on_media();
    let series = Series {
        dates: table.dates.clone(),
        actual: actual.clone(),
        fitted: fitted.clone(),
        trend: time_effect,
        seasonality: vec![0.0; n],
        controls: control_part,
        channels: (0..nc)
            .map(|c| {
                let summaries: Vec<_> = per_period[c].iter().map(|v| summarise(v)).collect();
                ChannelSeries {
                    name: table.channels[c].clone(),
                    spend: table.spend[c].clone(),
                    history: history[c].clone(),
                    contribution: summaries.iter().map(|s| s.0).collect(),
                    contribution_interval: Some(summaries.iter().map(|s| s.1).collect()),
                    input: on_media[c]
                        .then(|| table.media[c].iter().map(|m| m * ratio[c]).collect()),
                    input_per_media: on_media[c].then_some(ratio[c]),
                    // The data set stored with the model gives them in `<channel>_media`.
                    units_column: on_media[c]
                        .then(|| mmm_core::dataset::media_column(&table.channels[c])),
                }
            })
            .collect(),
        control_values: (0..nk)
            .map(|k| ControlSeries {
                name: table.controls[k].clone(),
                values: table.control_values[k].clone(),
            })
            .collect(),
    };

    let diagnostics = diagnostics(&file, &post, chains, per_chain)?;
    let kpi_column = if table.revenue_per_kpi.iter().any(|r| *r != 1.0) || table.kpi_name.is_empty()
    {
        "revenue".to_owned()
    } else {
        table.kpi_name.clone()
    };
    let document = ModelDocument {
        format_version: format_version_for(&results, &baseline),
        method: Method::Bayes,
        engine: format!(
            "google-meridian {} (imported by mmm {})",
            file.model_version,
            env!("CARGO_PKG_VERSION")
        ),
        kpi: kpi_column.clone(),
        frequency,
        start: table.dates[0],
        end: table.dates[n - 1],
        periods: n,
        seed: 0,
        fit: FitMetrics {
            r2: metrics::r2(&actual, &fitted),
            mape: metrics::mape(&actual, &fitted),
            nrmse: metrics::nrmse(&actual, &fitted),
            sigma: all_draws.iter().map(|d| d.sigma).sum::<f64>() / draws as f64,
            noise_autocorrelation: None,
            noise_autocorrelated_share: None,
            holdout: None,
        },
        channels: results,
        baseline,
        spec: ModelSpec {
            max_lag: lag,
            yearly_harmonics: 0,
            weekly_harmonics: 0,
            seed: 0,
            ..ModelSpec::default()
        },
        series,
        diagnostics: Some(diagnostics),
        sampler: None,
        posterior: Some(thin(all_draws)),
        curve_covariance: None,
        origin: Some(Origin {
            tool: "google-meridian".to_owned(),
            version: file.model_version.clone(),
            file: file_name.to_owned(),
            notes: notes(chains, per_chain, ng),
        }),
    };
    Ok(Imported {
        document,
        csv: table.to_csv(&kpi_column),
        kpi_column,
        meridian_version: file.model_version,
    })
}

fn notes(chains: usize, per_chain: usize, geos: usize) -> Vec<String> {
    let mut notes = vec![
        format!(
            "ROI, incremental outcome, share and per-period contributions are summarised over all \
             {} posterior draws ({chains} chains x {per_chain}), as Meridian's Analyzer does",
            chains * per_chain
        ),
        "mROI is mmm's marginal ROI at the current spend (the mean of the last quarter, steady \
         state); Meridian's mroi instead scales the historical flighting by 1%"
            .to_owned(),
        "share is the share of media contribution; Meridian's pct_of_contribution is the share \
         of the whole KPI"
            .to_owned(),
        "the knot baseline (tau_g + mu_t) is stored per period as the baseline's time effect; \
         response curves and the optimizer use the posterior-mean adstock and Hill parameters"
            .to_owned(),
    ];
    if geos > 1 {
        notes.push(format!(
            "a geo model of {geos} geos, imported as its national total: ROI, incremental \
             outcome, contributions and the expected outcome are summed over the geos; response \
             curves, mROI and the optimizer use one national curve per channel (the geos' \
             coefficients times their populations, summed, and scaled to the geos' total over \
             the data), exact at the historical spend and an approximation away from it when \
             the geos' media per head differ"
        ));
    }
    notes
}

/// Keeps [`KEPT_DRAWS`] draws evenly spread over all of them.
fn thin(all: Vec<PosteriorDraw>) -> Vec<PosteriorDraw> {
    let keep = KEPT_DRAWS.min(all.len());
    let step = all.len() as f64 / keep.max(1) as f64;
    let picks: Vec<usize> = (0..keep).map(|i| (i as f64 * step) as usize).collect();
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| picks.binary_search(i).is_ok())
        .map(|(_, d)| d)
        .collect()
}

fn frequency_of(table: &MarketingTable) -> Result<Frequency, ImportError> {
    let Some(frequency) = Frequency::of_step(table.dates[0], table.dates[1]) else {
        return Err(ImportError::Unsupported(format!(
            "periods of {} days (mmm models daily, weekly or monthly data)",
            (table.dates[1] - table.dates[0]).num_days()
        )));
    };
    if !table.dates.windows(2).all(|w| frequency.follows(w[0], w[1])) {
        return Err(invalid("the periods are not evenly spaced"));
    }
    Ok(frequency)
}

/// Split R̂ and bulk ESS over every sampled coordinate, and the divergences if saved.
fn diagnostics(
    file: &MeridianFile,
    post: &BTreeMap<String, Variable>,
    chains: usize,
    per_chain: usize,
) -> Result<Diagnostics, ImportError> {
    let mut rhat_max: f64 = 1.0;
    let mut ess_min = f64::INFINITY;
    for var in post.values() {
        if var.dims.len() < 2 || var.dims[0] != "chain" || var.dims[1] != "draw" {
            continue;
        }
        let width = var.values.len() / (chains * per_chain).max(1);
        for j in 0..width {
            let per: Vec<Vec<f64>> = (0..chains)
                .map(|c| {
                    (0..per_chain).map(|d| var.values[(c * per_chain + d) * width + j]).collect()
                })
                .collect();
            let first = per[0][0];
            if per.iter().flatten().all(|v| *v == first) {
                continue; // fixed by the model (e.g. slope_m = 1), not sampled
            }
            let rh = split_rhat(&per);
            if rh.is_finite() {
                rhat_max = rhat_max.max(rh);
            }
            ess_min = ess_min.min(ess(&per));
        }
    }
    let divergences = match &file.sample_stats {
        Some(bytes) => read_netcdf(bytes)?
            .get("diverging")
            .map_or(0, |v| v.values.iter().filter(|x| **x != 0.0).count()),
        None => 0,
    };
    let mut warnings = Vec::new();
    if rhat_max > 1.01 {
        warnings.push(format!(
            "R-hat {rhat_max:.3} is above 1.01: Meridian's chains disagree; sample longer"
        ));
    }
    if divergences > 0 {
        warnings.push(format!("{divergences} divergent transitions: the posterior may be biased"));
    }
    if file.sample_stats.is_none() {
        warnings.push("the file holds no sampler statistics: divergences are unknown".to_owned());
    }
    Ok(Diagnostics {
        rhat_max,
        ess_bulk_min: if ess_min.is_finite() { ess_min } else { 0.0 },
        divergences,
        chains,
        draws: per_chain,
        warnings,
    })
}

/// One geo's model inputs in Meridian's scaled units (`[channel or control][period]`).
struct GeoInputs {
    media: Vec<Vec<f64>>,
    history: Vec<Vec<f64>>,
    organic: Vec<Vec<f64>>,
    organic_history: Vec<Vec<f64>>,
    controls: Vec<Vec<f64>>,
    /// Revenue per KPI unit per period.
    revenue_per_kpi: Vec<f64>,
}
