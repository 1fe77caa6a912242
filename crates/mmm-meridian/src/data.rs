//! The marketing data of a Meridian file as plain per-period arrays, with the features mmm does
//! not support refused by name.

use crate::ImportError;
use crate::proto::{self, MarketingData};
use chrono::NaiveDate;
use mmm_core::dataset::Frequency;
use std::collections::HashMap;

/// One geo's Meridian data (or a national model's), period by period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MarketingTable {
    /// The geo's id (empty for a national model).
    pub geo: String,
    /// Period start dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// Paid media channel names, in Meridian's order.
    pub channels: Vec<String>,
    /// Control names, in Meridian's order, then its non-media treatments: both enter the model
    /// centred and scaled, times a coefficient.
    pub controls: Vec<String>,
    /// How many of the last `controls` are Meridian non-media treatments.
    pub treatments: usize,
    /// KPI name as stored (e.g. `revenue`).
    pub kpi_name: String,
    /// KPI per period.
    pub kpi: Vec<f64>,
    /// Revenue per KPI unit per period (1 for a revenue KPI or when not given).
    pub revenue_per_kpi: Vec<f64>,
    /// Media execution per channel and period (`[channel][period]`), e.g. impressions.
    pub media: Vec<Vec<f64>>,
    /// Media spend per channel and period.
    pub spend: Vec<Vec<f64>>,
    /// Control values per control and period.
    pub control_values: Vec<Vec<f64>>,
    /// The geo's population (1 for national models; summed over the geos in a national total).
    pub population: f64,
    /// Start dates of the media history, ascending: Meridian's lagged media periods (its
    /// `media_time` longer than `time`), which hold media but no KPI, spend or controls.
    pub history_dates: Vec<NaiveDate>,
    /// Media execution per channel in the history periods (`[channel][period]`, oldest first).
    pub history_media: Vec<Vec<f64>>,
    /// Organic media channel names (media with no spend), in Meridian's order.
    pub organic: Vec<String>,
    /// Organic media per channel and period (`[channel][period]`).
    pub organic_media: Vec<Vec<f64>>,
    /// Organic media in the history periods (`[channel][period]`, oldest first).
    pub history_organic: Vec<Vec<f64>>,
}

fn unsupported(feature: &str) -> ImportError {
    ImportError::Unsupported(feature.to_owned())
}

fn invalid(why: String) -> ImportError {
    ImportError::Invalid(why)
}

fn date(d: &proto::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year, u32::try_from(d.month).ok()?, u32::try_from(d.day).ok()?)
}

/// The media history's dates: Meridian's `media_time` is the lagged periods followed by exactly
/// the model's `time` periods, evenly spaced throughout.
fn history_dates(
    media_times: &[proto::Date],
    dates: &[NaiveDate],
) -> Result<Vec<NaiveDate>, ImportError> {
    let media: Vec<NaiveDate> = media_times
        .iter()
        .map(|d| date(d).ok_or_else(|| invalid(format!("invalid media_time date {d:?}"))))
        .collect::<Result<_, _>>()?;
    let h = media.len().checked_sub(dates.len()).ok_or_else(|| {
        invalid("the media_time dimension is shorter than the time dimension".to_owned())
    })?;
    if media[h..] != *dates {
        return Err(invalid(
            "the media_time dimension does not end with the model's periods".into(),
        ));
    }
    let frequency = Frequency::of_step(dates[0], dates[1]);
    if media[..=h].windows(2).any(|w| Frequency::of_step(w[0], w[1]) != frequency) {
        return Err(invalid(
            "the media history periods are not evenly spaced before the first KPI period".into(),
        ));
    }
    Ok(media[..h].to_vec())
}

/// Whether a data point holds spend totals (no geo, no KPI, media variables with spend only).
fn is_aggregated_spend(point: &proto::MarketingDataPoint) -> bool {
    point.geo_info.is_none()
        && point.kpi.is_none()
        && !point.media_variables.is_empty()
        && point
            .media_variables
            .iter()
            .all(|m| m.scalar_metric.is_none() && m.media_spend.is_some())
}

/// Spreads each channel's spend total over every geo and period in proportion to its media, for
/// the channels whose spend is not given period by period: each period's spend is then its media
/// at the channel's average price, and the ROI the incremental outcome over the total, as in
/// Meridian.
fn spread_total_spend(tables: &mut [MarketingTable], point: &proto::MarketingDataPoint) {
    for spend in &point.media_variables {
        let Some(c) = tables
            .first()
            .and_then(|t| t.channels.iter().position(|name| *name == spend.channel_name))
        else {
            continue;
        };
        if tables.iter().any(|t| t.spend[c].iter().any(|v| v.is_finite())) {
            continue; // given period by period
        }
        let total = spend.media_spend.unwrap_or(f64::NAN);
        let media: f64 = tables.iter().map(|t| t.media[c].iter().sum::<f64>()).sum();
        for table in tables.iter_mut() {
            let MarketingTable { spend, media: m, .. } = table;
            for (s, m) in spend[c].iter_mut().zip(&m[c]) {
                *s = if media > 0.0 { m * total / media } else { f64::NAN };
            }
        }
    }
}

/// Names the unsupported kind of a channel dimension, or `None` for paid and organic media.
fn channel_feature(dimension: &str) -> Option<&'static str> {
    let d = dimension.to_ascii_lowercase();
    if d == "media" || d == "media_spend" || d == "organic_media" {
        None
    } else if d.contains("organic") {
        Some("organic reach and frequency channels")
    } else if d.contains("reach") || d.contains("frequency") || d.contains("rf") {
        Some("reach and frequency channels")
    } else {
        Some("channels other than paid media")
    }
}

impl MarketingTable {
    /// Reads the marketing data as one table per geo (one for a national model), in Meridian's
    /// geo order, refusing reach and frequency (paid or organic).
    pub fn from_proto(data: &MarketingData) -> Result<Vec<Self>, ImportError> {
        let meta = data
            .metadata
            .as_ref()
            .ok_or_else(|| invalid("the marketing data has no metadata".to_owned()))?;
        if data.marketing_data_points.iter().any(|p| !p.reach_frequency_variables.is_empty()) {
            return Err(unsupported("reach and frequency channels"));
        }
        let (mut channels, mut organic) = (Vec::new(), Vec::new());
        for dim in &meta.channel_dimensions {
            if let Some(feature) = channel_feature(&dim.name) {
                if !dim.channels.is_empty() {
                    return Err(unsupported(feature));
                }
            } else if dim.name == "media" {
                channels.clone_from(&dim.channels);
            } else if dim.name == "organic_media" {
                organic.clone_from(&dim.channels);
            }
        }
        if channels.is_empty() {
            return Err(invalid("the marketing data names no paid media channels".to_owned()));
        }
        let time_dim = |name: &str| meta.time_dimensions.iter().find(|t| t.name == name);
        let times = time_dim("time")
            .ok_or_else(|| invalid("the marketing data has no time dimension".to_owned()))?;
        let dates: Vec<NaiveDate> = times
            .dates
            .iter()
            .map(|d| date(d).ok_or_else(|| invalid(format!("invalid date {d:?}"))))
            .collect::<Result<_, _>>()?;
        if dates.len() < 2 || dates.windows(2).any(|w| w[0] >= w[1]) {
            return Err(invalid("the time dimension is not ascending".to_owned()));
        }
        let history_dates = match time_dim("media_time") {
            Some(media_times) => history_dates(&media_times.dates, &dates)?,
            None => Vec::new(),
        };

        // Spend given as one total per channel (Meridian's `media_spend` without geo and time
        // dimensions) comes as one extra point with no geo, no KPI and no media.
        let (aggregated, points): (Vec<&proto::MarketingDataPoint>, Vec<_>) =
            data.marketing_data_points.iter().partition(|p| is_aggregated_spend(p));
        // Geos in the order of their first data point: Meridian writes the points geo by geo,
        // in the order of its `geo` coordinate, which indexes `tau_g`, `beta_gm` and `gamma_gc`.
        let mut geos: Vec<&str> = Vec::new();
        let mut geo_index: HashMap<&str, usize> = HashMap::new();
        for point in &points {
            let id = point.geo_info.as_ref().map_or("", |g| g.geo_id.as_str());
            geo_index.entry(id).or_insert_with(|| {
                geos.push(id);
                geos.len() - 1
            });
        }
        if geos.is_empty() {
            return Err(invalid("the marketing data has no data points".to_owned()));
        }

        let index: HashMap<NaiveDate, usize> =
            dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let history_index: HashMap<NaiveDate, usize> =
            history_dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let n = dates.len();
        let h = history_dates.len();
        let nc = channels.len();
        let controls: Vec<String> =
            meta.control_names.iter().chain(&meta.non_media_treatment_names).cloned().collect();
        let treatments = meta.non_media_treatment_names.len();
        let empty = MarketingTable {
            geo: String::new(),
            dates,
            channels,
            kpi_name: String::new(),
            kpi: vec![f64::NAN; n],
            revenue_per_kpi: vec![1.0; n],
            media: vec![vec![f64::NAN; n]; nc],
            spend: vec![vec![f64::NAN; n]; nc],
            control_values: vec![vec![f64::NAN; n]; controls.len()],
            controls,
            treatments,
            population: 1.0,
            history_dates,
            history_media: vec![vec![f64::NAN; h]; nc],
            organic_media: vec![vec![f64::NAN; n]; organic.len()],
            history_organic: vec![vec![f64::NAN; h]; organic.len()],
            organic,
        };
        let mut tables: Vec<MarketingTable> = geos
            .iter()
            .map(|id| MarketingTable { geo: (*id).to_owned(), ..empty.clone() })
            .collect();
        // Whether any point gives a revenue per KPI, and then every (geo, period) it was given.
        let mut rpk_given: Vec<Vec<bool>> = vec![vec![false; n]; tables.len()];
        let mut population_given = vec![false; tables.len()];
        for point in points {
            let geo = point.geo_info.as_ref().map_or("", |g| g.geo_id.as_str());
            let g = geo_index[geo];
            let table = &mut tables[g];
            let start = point
                .date_interval
                .as_ref()
                .and_then(|d| d.start_date.as_ref())
                .and_then(date)
                .ok_or_else(|| invalid("a data point has no valid date".to_owned()))?;
            if let Some(geo) = &point.geo_info {
                let pop = if geo.population_value > 0.0 {
                    geo.population_value
                } else {
                    geo.population as f64
                };
                if pop > 0.0 {
                    table.population = pop;
                    population_given[g] = true;
                }
            }
            // A lagged period carries media only: Meridian ignores anything else there.
            let media_of = |name: &String| {
                point
                    .media_variables
                    .iter()
                    .find(|m| &m.channel_name == name)
                    .map(|m| m.scalar_metric.as_ref().map_or(f64::NAN, |s| s.value))
            };
            if let Some(&t) = history_index.get(&start) {
                for (c, name) in table.channels.iter().enumerate() {
                    if let Some(v) = media_of(name) {
                        table.history_media[c][t] = v;
                    }
                }
                for (o, name) in table.organic.iter().enumerate() {
                    if let Some(v) = media_of(name) {
                        table.history_organic[o][t] = v;
                    }
                }
                continue;
            }
            let t = *index.get(&start).ok_or_else(|| {
                invalid(format!("a data point starts on {start}, outside the model's periods"))
            })?;
            if let Some(kpi) = &point.kpi {
                table.kpi_name.clone_from(&kpi.name);
                if let Some(r) = &kpi.revenue {
                    table.kpi[t] = r.value;
                } else if let Some(nr) = &kpi.non_revenue {
                    table.kpi[t] = nr.value;
                    if let Some(v) = nr.revenue_per_kpi {
                        table.revenue_per_kpi[t] = v;
                        rpk_given[g][t] = true;
                    }
                }
            }
            for (c, name) in table.channels.iter().enumerate() {
                if let Some(m) = point.media_variables.iter().find(|m| &m.channel_name == name) {
                    table.media[c][t] = m.scalar_metric.as_ref().map_or(f64::NAN, |s| s.value);
                    table.spend[c][t] = m.media_spend.unwrap_or(f64::NAN);
                }
            }
            for (o, name) in table.organic.iter().enumerate() {
                if let Some(v) = media_of(name) {
                    table.organic_media[o][t] = v;
                }
            }
            let first_treatment = table.controls.len() - table.treatments;
            for (k, name) in table.controls.iter().enumerate() {
                let values = if k < first_treatment {
                    &point.control_variables
                } else {
                    &point.non_media_treatment_variables
                };
                if let Some(v) = values.iter().find(|v| &v.name == name) {
                    table.control_values[k][t] = v.value;
                }
            }
        }
        // A national model's population is 1 when not given; each geo of a geo model needs its
        // own, which scales its media and KPI.
        if let Some(g) = (0..tables.len()).find(|g| tables.len() > 1 && !population_given[*g]) {
            return Err(invalid(format!("geo '{}' has no positive population", tables[g].geo)));
        }
        // Given for some periods, a revenue per KPI must be given for all, and be positive.
        if rpk_given.iter().flatten().any(|given| *given) {
            for (table, given) in tables.iter().zip(&rpk_given) {
                let bad = |t: usize| {
                    let v = table.revenue_per_kpi[t];
                    !given[t] || !v.is_finite() || v <= 0.0
                };
                if let Some(t) = (0..n).find(|t| bad(*t)) {
                    let geo = if tables.len() > 1 {
                        format!("geo '{}': ", table.geo)
                    } else {
                        String::new()
                    };
                    return Err(invalid(format!(
                        "{geo}the revenue per KPI is missing, zero or negative in the period \
                         starting {}",
                        table.dates[t]
                    )));
                }
            }
        }
        for point in aggregated {
            spread_total_spend(&mut tables, point);
        }
        for table in &tables {
            table.check_complete().map_err(|e| match e {
                ImportError::Invalid(why) if tables.len() > 1 => {
                    invalid(format!("geo '{}': {why}", table.geo))
                }
                e => e,
            })?;
        }
        // A geo may go without a channel; the model as a whole may not.
        for (c, name) in tables[0].channels.iter().enumerate() {
            let none = |part: fn(&MarketingTable) -> &Vec<Vec<f64>>| {
                tables.iter().all(|t| part(t)[c].iter().all(|v| *v == 0.0))
            };
            if none(|t| &t.media) || none(|t| &t.spend) {
                return Err(invalid(format!("channel '{name}' has no media or no spend")));
            }
        }
        Ok(tables)
    }

    /// The controls and non-media treatments Meridian scales by population: named in the
    /// model settings, or flagged one by one in their deprecated boolean form, which Meridian
    /// lets take precedence.
    pub fn population_scaled(
        &self,
        h: &proto::Hyperparameters,
    ) -> Result<Vec<String>, ImportError> {
        let split = self.controls.len() - self.treatments;
        let (controls, treatments) = self.controls.split_at(split);
        let pick = |flags: &Option<proto::TensorProto>,
                    names: &[String],
                    named: &[String],
                    what: &str|
         -> Result<Vec<String>, ImportError> {
            match flags {
                Some(tensor) => {
                    let bools = tensor.bools(names.len()).ok_or_else(|| {
                        invalid(format!(
                            "the {what} population scaling flags are not {} booleans",
                            names.len()
                        ))
                    })?;
                    Ok(names
                        .iter()
                        .zip(bools)
                        .filter(|(_, b)| *b)
                        .map(|(n, _)| n.clone())
                        .collect())
                }
                None => Ok(named.to_vec()),
            }
        };
        let mut scaled = pick(
            &h.control_population_scaling_id,
            controls,
            &h.population_scaled_controls,
            "control",
        )?;
        scaled.extend(pick(
            &h.non_media_population_scaling_id,
            treatments,
            &h.population_scaled_non_media_channels,
            "non-media treatment",
        )?);
        Ok(scaled)
    }

    /// The national total of geo tables: KPI, media, spend and organic media summed over the
    /// geos, each control the population-weighted mean of the geos' values (or their sum for
    /// a control Meridian scales by population, such as a store count), population summed.
    /// With these national controls and Meridian's standardisation ([`Scaling`]), a
    /// coefficient shared by every geo has the same effect on the national total as on the geos.
    pub fn national(geos: &[MarketingTable], population_scaled: &[String]) -> MarketingTable {
        let Some(first) = geos.first() else {
            return MarketingTable::default();
        };
        if geos.len() == 1 {
            return first.clone();
        }
        let population: f64 = geos.iter().map(|g| g.population).sum();
        let sum = |part: fn(&MarketingTable) -> &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            let mut total = part(first).clone();
            for geo in &geos[1..] {
                for (row, add) in total.iter_mut().zip(part(geo)) {
                    for (v, a) in row.iter_mut().zip(add) {
                        *v += a;
                    }
                }
            }
            total
        };
        let kpi: Vec<f64> =
            (0..first.kpi.len()).map(|t| geos.iter().map(|g| g.kpi[t]).sum()).collect();
        // The national KPI times this is the geos' revenue.
        let revenue_per_kpi = kpi
            .iter()
            .enumerate()
            .map(|(t, total)| {
                let revenue: f64 = geos.iter().map(|g| g.kpi[t] * g.revenue_per_kpi[t]).sum();
                if *total != 0.0 {
                    revenue / total
                } else {
                    geos.iter().map(|g| g.revenue_per_kpi[t]).sum::<f64>() / geos.len() as f64
                }
            })
            .collect();
        let control_values = first
            .controls
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let summed = population_scaled.contains(name);
                (0..first.dates.len())
                    .map(|t| {
                        let total: f64 = geos
                            .iter()
                            .map(|g| {
                                let weight = if summed { 1.0 } else { g.population };
                                weight * g.control_values[k][t]
                            })
                            .sum();
                        if summed { total } else { total / population }
                    })
                    .collect()
            })
            .collect();
        MarketingTable {
            geo: String::new(),
            kpi,
            revenue_per_kpi,
            media: sum(|g| &g.media),
            spend: sum(|g| &g.spend),
            control_values,
            population,
            history_media: sum(|g| &g.history_media),
            organic_media: sum(|g| &g.organic_media),
            history_organic: sum(|g| &g.history_organic),
            ..first.clone()
        }
    }

    fn check_complete(&self) -> Result<(), ImportError> {
        let missing = |what: String, t: usize| {
            invalid(format!(
                "{what} is missing or not finite in the period starting {}",
                self.dates[t]
            ))
        };
        if let Some(t) = self.kpi.iter().position(|v| !v.is_finite()) {
            return Err(missing("the KPI".to_owned(), t));
        }
        for (c, name) in self.channels.iter().enumerate() {
            if let Some(t) = self.history_media[c].iter().position(|v| !v.is_finite() || *v < 0.0) {
                return Err(invalid(format!(
                    "media of channel '{name}' is missing or not finite in the media history \
                     period starting {}",
                    self.history_dates[t]
                )));
            }
            if let Some(t) = self.media[c].iter().position(|v| !v.is_finite() || *v < 0.0) {
                return Err(missing(format!("media of channel '{name}'"), t));
            }
            if let Some(t) = self.spend[c].iter().position(|v| !v.is_finite() || *v < 0.0) {
                return Err(missing(format!("spend of channel '{name}'"), t));
            }
        }
        for (o, name) in self.organic.iter().enumerate() {
            let bad = |v: &f64| !v.is_finite() || *v < 0.0;
            if let Some(t) = self.history_organic[o].iter().position(bad) {
                return Err(invalid(format!(
                    "organic media '{name}' is missing or not finite in the media history period \
                     starting {}",
                    self.history_dates[t]
                )));
            }
            if let Some(t) = self.organic_media[o].iter().position(bad) {
                return Err(missing(format!("organic media '{name}'"), t));
            }
        }
        let first_treatment = self.controls.len() - self.treatments;
        for (k, name) in self.controls.iter().enumerate() {
            if let Some(t) = self.control_values[k].iter().position(|v| !v.is_finite()) {
                let kind = if k < first_treatment { "control" } else { "non-media treatment" };
                return Err(missing(format!("{kind} '{name}'"), t));
            }
        }
        Ok(())
    }

    /// Spend per unit of media execution for each channel, over the model's periods: the factor
    /// that turns media (e.g. impressions) into spend-equivalent units (1 when the model was
    /// fitted on spend).
    pub fn spend_per_media(&self) -> Vec<f64> {
        self.spend
            .iter()
            .zip(&self.media)
            .map(|(s, m)| s.iter().sum::<f64>() / m.iter().sum::<f64>())
            .collect()
    }

    /// Per channel, whether its media are not simply its spend at a fixed price: the model's
    /// input is then the media in spend-equivalent units, and the CSV gives them in a
    /// `<channel>_media` column.
    pub fn fitted_on_media(&self) -> Vec<bool> {
        self.media
            .iter()
            .zip(&self.spend)
            .zip(self.spend_per_media())
            .map(|((media, spend), ratio)| {
                !media
                    .iter()
                    .zip(spend)
                    .all(|(m, s)| (m * ratio - s).abs() <= 1e-9 * s.abs().max(1.0))
            })
            .collect()
    }

    /// The media history in spend-equivalent units (`[channel][period]`, oldest first).
    pub fn history_spend(&self) -> Vec<Vec<f64>> {
        self.history_media
            .iter()
            .zip(self.spend_per_media())
            .map(|(m, r)| m.iter().map(|v| v * r).collect())
            .collect()
    }

    /// The data as an mmm CSV (`date`, the KPI, `<channel>_spend` columns, `<channel>_media`
    /// columns of the channels [`Self::fitted_on_media`], controls), the form the rest of mmm
    /// reads: fitted again by mmm, each channel is fitted on what the Meridian model was. A
    /// non-revenue KPI with a revenue per KPI is written as revenue. The media history comes
    /// first, as rows with an empty KPI and empty controls, its spend in spend-equivalent units.
    pub fn to_csv(&self, kpi_column: &str) -> String {
        let on_media: Vec<usize> = self
            .fitted_on_media()
            .iter()
            .enumerate()
            .filter(|(_, m)| **m)
            .map(|(c, _)| c)
            .collect();
        let mut out = String::from("date,");
        out.push_str(&quote(kpi_column));
        for c in &self.channels {
            out.push_str(&format!(",{}", quote(&format!("{c}_spend"))));
        }
        for &c in &on_media {
            out.push_str(&format!(
                ",{}",
                quote(&mmm_core::dataset::media_column(&self.channels[c]))
            ));
        }
        for k in self.controls.iter().chain(&self.organic) {
            out.push_str(&format!(",{}", quote(k)));
        }
        out.push('\n');
        let history = self.history_spend();
        for (t, d) in self.history_dates.iter().enumerate() {
            out.push_str(&format!("{d},"));
            for s in &history {
                out.push_str(&format!(",{}", s[t]));
            }
            for &c in &on_media {
                out.push_str(&format!(",{}", self.history_media[c][t]));
            }
            out.push_str(&",".repeat(self.controls.len() + self.organic.len()));
            out.push('\n');
        }
        for (t, d) in self.dates.iter().enumerate() {
            out.push_str(&format!("{d},{}", self.kpi[t] * self.revenue_per_kpi[t]));
            for s in &self.spend {
                out.push_str(&format!(",{}", s[t]));
            }
            for &c in &on_media {
                out.push_str(&format!(",{}", self.media[c][t]));
            }
            for v in self.control_values.iter().chain(&self.organic_media) {
                out.push_str(&format!(",{}", v[t]));
            }
            out.push('\n');
        }
        out
    }
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// The scaling constants Meridian derives from the data (they are not stored in the file).
#[derive(Debug, Clone, PartialEq)]
pub struct Scaling {
    /// The population of all geos together (1 for a national model).
    pub population: f64,
    /// Per channel: the total population × median of the non-zero population-scaled media over
    /// every geo and period, the media history included. A geo's scale is its population's
    /// share of it.
    pub media_scale: Vec<f64>,
    /// Per organic media channel, the same.
    pub organic_scale: Vec<f64>,
    /// Mean of the population-scaled KPI.
    pub kpi_mean: f64,
    /// Population standard deviation of the population-scaled KPI.
    pub kpi_stdev: f64,
    /// Per control: mean.
    pub controls_mean: Vec<f64>,
    /// Per control: population standard deviation (1 for a constant control).
    pub controls_stdev: Vec<f64>,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn stdev(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt()
}

/// NumPy's median: the middle value, or the mean of the two middle values.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

impl Scaling {
    /// Derives the constants as Meridian's `MediaTransformer`, `KpiTransformer` and
    /// `CenteringAndScalingTransformer` do, over every geo and period (`geos` holds one table
    /// for a national model). Controls named in `population_scaled` are centred and scaled per
    /// capita; their mean and standard deviation are returned in the units of the national
    /// control (times the total population, see [`MarketingTable::national`]), which
    /// standardises it identically.
    pub fn derive(geos: &[MarketingTable], population_scaled: &[String]) -> Self {
        let population: f64 = geos.iter().map(|g| g.population).sum();
        // Every geo's values of one series (`[geo][period]`), each over its geo's population.
        let per_capita = |series: &dyn Fn(&MarketingTable) -> Vec<&[f64]>| -> Vec<f64> {
            geos.iter()
                .flat_map(|g| series(g).into_iter().flatten().map(move |v| v / g.population))
                .collect()
        };
        // Per channel of a group: the total population × the median of its non-zero
        // per-capita media, history and model periods together.
        let scale = |group: &dyn Fn(&MarketingTable, usize) -> Vec<&[f64]>, channels: usize| {
            (0..channels)
                .map(|c| {
                    let values = per_capita(&|g| group(g, c));
                    population * median(values.into_iter().filter(|v| *v != 0.0).collect())
                })
                .collect::<Vec<f64>>()
        };
        let (paid, organic) =
            geos.first().map_or((0, 0), |g| (g.media.len(), g.organic_media.len()));
        let media_scale =
            scale(&|g, c| vec![g.history_media[c].as_slice(), g.media[c].as_slice()], paid);
        let organic_scale = scale(
            &|g, c| vec![g.history_organic[c].as_slice(), g.organic_media[c].as_slice()],
            organic,
        );
        let kpi = per_capita(&|g| vec![g.kpi.as_slice()]);
        let (mut controls_mean, mut controls_stdev) = (Vec::new(), Vec::new());
        let names = geos.first().map_or(&[][..], |g| g.controls.as_slice());
        for (k, name) in names.iter().enumerate() {
            let values: Vec<f64> = if population_scaled.contains(name) {
                per_capita(&|g| vec![g.control_values[k].as_slice()])
            } else {
                geos.iter().flat_map(|g| g.control_values[k].iter().copied()).collect()
            };
            let per = if population_scaled.contains(name) { population } else { 1.0 };
            let s = stdev(&values);
            controls_mean.push(mean(&values) * per);
            controls_stdev.push(if s > 0.0 { s * per } else { 1.0 });
        }
        Scaling {
            population,
            media_scale,
            organic_scale,
            kpi_mean: mean(&kpi),
            kpi_stdev: stdev(&kpi),
            controls_mean,
            controls_stdev,
        }
    }

    /// A control's value standardised as Meridian does for a geo of `population`: per capita
    /// when Meridian scales it by population.
    pub fn standardise_control(
        &self,
        k: usize,
        value: f64,
        population: f64,
        per_capita: bool,
    ) -> f64 {
        let value = if per_capita { value * self.population / population } else { value };
        (value - self.controls_mean[k]) / self.controls_stdev[k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(population: f64) -> MarketingTable {
        MarketingTable {
            geo: String::new(),
            dates: vec![NaiveDate::default(); 4],
            channels: vec!["tv".into()],
            controls: vec!["stores".into(), "price".into()],
            treatments: 0,
            kpi_name: "revenue".into(),
            kpi: vec![10.0, 12.0, 14.0, 20.0],
            revenue_per_kpi: vec![1.0; 4],
            media: vec![vec![0.0, 2.0, 4.0, 9.0]],
            spend: vec![vec![0.0, 2.0, 4.0, 9.0]],
            control_values: vec![vec![100.0, 200.0, 300.0, 400.0], vec![1.0, 1.0, 2.0, 2.0]],
            population,
            history_dates: Vec::new(),
            history_media: vec![Vec::new()],
            organic: Vec::new(),
            organic_media: Vec::new(),
            history_organic: Vec::new(),
        }
    }

    #[test]
    fn names_with_separators_are_quoted_in_the_csv() {
        let mut t = table(1.0);
        t.channels = vec!["Paid, \"search\"".into()];
        let csv = t.to_csv("revenue");
        let header = csv.lines().next().unwrap();
        assert_eq!(header, "date,revenue,\"Paid, \"\"search\"\"_spend\",stores,price");
        let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
        assert_eq!(&reader.headers().unwrap()[2], "Paid, \"search\"_spend");
    }

    #[test]
    fn scaling_by_hand() {
        let s = Scaling::derive(&[table(1.0)], &[]);
        // Median of the non-zero media 2, 4, 9.
        assert_eq!(s.media_scale, [4.0]);
        assert_eq!(s.kpi_mean, 14.0);
        // Population sd of 10, 12, 14, 20: sqrt((16 + 4 + 0 + 36) / 4).
        assert!((s.kpi_stdev - 14f64.sqrt()).abs() < 1e-12);
        assert_eq!(s.controls_mean, [250.0, 1.5]);
        assert!((s.controls_stdev[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn media_history_enters_the_scale_and_leads_the_csv() {
        let mut t = table(1.0);
        t.dates = (0..4).map(|w| NaiveDate::from_ymd_opt(2024, 1, 8 + 7 * w).unwrap()).collect();
        t.history_dates = vec![NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()];
        t.history_media = vec![vec![6.0]];
        // Impressions at 3 per unit of spend: the history is written as spend-equivalent.
        t.media = vec![vec![0.0, 6.0, 12.0, 27.0]];
        // Median of the non-zero media 6, 6, 12, 27 (history first).
        assert_eq!(Scaling::derive(std::slice::from_ref(&t), &[]).media_scale, [9.0]);
        assert_eq!(t.history_spend(), [vec![2.0]]);
        let csv = t.to_csv("revenue");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "2024-01-01,,2,,");
        assert_eq!(lines[2], "2024-01-08,10,0,100,1");
    }

    #[test]
    fn population_scaled_controls_standardise_per_capita() {
        let t = table(1000.0);
        let s = Scaling::derive(std::slice::from_ref(&t), &["stores".to_owned()]);
        let per_capita: Vec<f64> = t.control_values[0].iter().map(|v| v / 1000.0).collect();
        let (m, sd) = (mean(&per_capita), stdev(&per_capita));
        for (raw, pc) in t.control_values[0].iter().zip(&per_capita) {
            let ours = (raw - s.controls_mean[0]) / s.controls_stdev[0];
            assert!((ours - (pc - m) / sd).abs() < 1e-12);
        }
        // Media scale: population times the median of the per-capita media.
        assert!((s.media_scale[0] - 4.0).abs() < 1e-12);
        // Controls not listed are scaled as they are.
        assert_eq!(s.controls_mean[1], 1.5);
    }

    #[test]
    fn a_national_total_of_geos_by_hand() {
        let mut north = table(1.0);
        north.geo = "north".into();
        let mut south = table(3.0);
        south.geo = "south".into();
        south.kpi = vec![30.0, 36.0, 42.0, 60.0];
        south.control_values = vec![vec![50.0, 50.0, 60.0, 70.0], vec![2.0, 2.0, 2.0, 3.0]];
        let geos = [north.clone(), south.clone()];
        let stores = ["stores".to_owned()];
        let national = MarketingTable::national(&geos, &stores);
        assert_eq!(national.population, 4.0);
        assert_eq!(national.kpi, [40.0, 48.0, 56.0, 80.0]);
        assert_eq!(national.spend, [vec![0.0, 4.0, 8.0, 18.0]]);
        // Stores (scaled by population) add up; the price is weighted by population.
        assert_eq!(national.control_values[0], [150.0, 250.0, 360.0, 470.0]);
        assert_eq!(national.control_values[1], [1.75, 1.75, 2.0, 2.75]);
        // Scaling runs over both geos: the median of the non-zero per-capita media 2/3, 4/3,
        // 2, 3, 4, 9 is 2.5, times the population 4.
        let s = Scaling::derive(&geos, &stores);
        assert!((s.media_scale[0] - 10.0).abs() < 1e-12);
        // Per-capita KPI: north's 10, 12, 14, 20 and south's the same: mean 14.
        assert!((s.kpi_mean - 14.0).abs() < 1e-12);
        // A coefficient shared by the geos has the same effect on the national control.
        for (k, per_capita) in [(0, true), (1, false)] {
            for t in 0..4 {
                let geo_sum: f64 = geos
                    .iter()
                    .map(|g| {
                        let z = s.standardise_control(
                            k,
                            g.control_values[k][t],
                            g.population,
                            per_capita,
                        );
                        g.population * z
                    })
                    .sum();
                let z = national.control_values[k][t];
                let whole = national.population * s.standardise_control(k, z, 4.0, per_capita);
                assert!((geo_sum - whole).abs() < 1e-9, "control {k} period {t}");
            }
        }
        // A single geo is its own national total.
        assert_eq!(MarketingTable::national(&[north.clone()], &stores), north);
    }
}
