//! The marketing data of a Meridian file as plain per-period arrays, with the features mmm does
//! not support refused by name.

use crate::ImportError;
use crate::proto::{self, MarketingData};
use chrono::NaiveDate;
use mmm_core::dataset::Frequency;
use std::collections::HashMap;

/// A national Meridian data set, period by period.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketingTable {
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
    /// Revenue per KPI unit (1 for a revenue KPI or when not given).
    pub revenue_per_kpi: f64,
    /// Media execution per channel and period (`[channel][period]`), e.g. impressions.
    pub media: Vec<Vec<f64>>,
    /// Media spend per channel and period.
    pub spend: Vec<Vec<f64>>,
    /// Control values per control and period.
    pub control_values: Vec<Vec<f64>>,
    /// The geo's population (1 for national models).
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
    /// Reads the marketing data, refusing geo models and reach and frequency (paid or organic).
    pub fn from_proto(data: &MarketingData) -> Result<Self, ImportError> {
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

        let mut geos: Vec<&str> = data
            .marketing_data_points
            .iter()
            .filter_map(|p| p.geo_info.as_ref().map(|g| g.geo_id.as_str()))
            .collect();
        geos.sort_unstable();
        geos.dedup();
        if geos.len() > 1 {
            return Err(ImportError::Unsupported(format!(
                "geo models ({} geos); only national models are imported",
                geos.len()
            )));
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
        let mut table = MarketingTable {
            dates,
            channels,
            kpi_name: String::new(),
            kpi: vec![f64::NAN; n],
            revenue_per_kpi: 1.0,
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
        let mut rpk: Vec<f64> = Vec::new();
        for point in &data.marketing_data_points {
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
                        rpk.push(v);
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
        if let Some(first) = rpk.first() {
            if rpk.iter().any(|v| (v - first).abs() > 1e-12 * first.abs()) {
                return Err(unsupported("a revenue_per_kpi that changes over time"));
            }
            table.revenue_per_kpi = *first;
        }
        table.check_complete()?;
        Ok(table)
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
            if self.media[c].iter().all(|v| *v == 0.0) || self.spend[c].iter().all(|v| *v == 0.0) {
                return Err(invalid(format!("channel '{name}' has no media or no spend")));
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
            out.push_str(&format!("{d},{}", self.kpi[t] * self.revenue_per_kpi));
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
    /// Per channel: population × median of the non-zero population-scaled media, the media
    /// history included.
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
    /// `CenteringAndScalingTransformer` do for a national model. Controls named in
    /// `population_scaled` are centred and scaled per capita; their mean and standard deviation
    /// are returned in raw units (times the population), which standardises them identically.
    pub fn derive(table: &MarketingTable, population_scaled: &[String]) -> Self {
        let pop = table.population;
        let scale = |media: &[Vec<f64>], history: &[Vec<f64>]| -> Vec<f64> {
            media
                .iter()
                .zip(history)
                .map(|(m, h)| {
                    let non_zero = h.iter().chain(m).map(|v| v / pop).filter(|v| *v != 0.0);
                    pop * median(non_zero.collect())
                })
                .collect()
        };
        let media_scale = scale(&table.media, &table.history_media);
        let organic_scale = scale(&table.organic_media, &table.history_organic);
        let kpi: Vec<f64> = table.kpi.iter().map(|v| v / pop).collect();
        let (mut controls_mean, mut controls_stdev) = (Vec::new(), Vec::new());
        for (name, values) in table.controls.iter().zip(&table.control_values) {
            let per = if population_scaled.contains(name) { pop } else { 1.0 };
            let scaled: Vec<f64> = values.iter().map(|v| v / per).collect();
            let s = stdev(&scaled);
            controls_mean.push(mean(&scaled) * per);
            controls_stdev.push(if s > 0.0 { s * per } else { 1.0 });
        }
        Scaling {
            media_scale,
            organic_scale,
            kpi_mean: mean(&kpi),
            kpi_stdev: stdev(&kpi),
            controls_mean,
            controls_stdev,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(population: f64) -> MarketingTable {
        MarketingTable {
            dates: vec![NaiveDate::default(); 4],
            channels: vec!["tv".into()],
            controls: vec!["stores".into(), "price".into()],
            treatments: 0,
            kpi_name: "revenue".into(),
            kpi: vec![10.0, 12.0, 14.0, 20.0],
            revenue_per_kpi: 1.0,
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
        let s = Scaling::derive(&table(1.0), &[]);
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
        assert_eq!(Scaling::derive(&t, &[]).media_scale, [9.0]);
        assert_eq!(t.history_spend(), [vec![2.0]]);
        let csv = t.to_csv("revenue");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "2024-01-01,,2,,");
        assert_eq!(lines[2], "2024-01-08,10,0,100,1");
    }

    #[test]
    fn population_scaled_controls_standardise_per_capita() {
        let t = table(1000.0);
        let s = Scaling::derive(&t, &["stores".to_owned()]);
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
}
