//! The protobuf messages of a `save_meridian` file that the importer reads, declared by hand.
//!
//! Meridian's `.proto` files (PyPI wheel `mmm-proto-schema`, `mmm/v1/...`) use `edition = "2023"`,
//! which prost-build cannot compile. The wire format is plain protobuf, so the needed messages
//! and fields are declared here with their tag numbers; fields not declared are skipped.

#![allow(missing_docs)]

use prost::Message;

/// `mmm.v1.model.MmmKernel`.
#[derive(Clone, PartialEq, Message)]
pub struct MmmKernel {
    #[prost(message, optional, tag = "1")]
    pub marketing_data: Option<MarketingData>,
    #[prost(message, optional, tag = "2")]
    pub model: Option<ProtoAny>,
}

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, Message)]
pub struct ProtoAny {
    #[prost(string, tag = "1")]
    pub type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `mmm.v1.marketing.MarketingData`.
#[derive(Clone, PartialEq, Message)]
pub struct MarketingData {
    #[prost(message, repeated, tag = "1")]
    pub marketing_data_points: Vec<MarketingDataPoint>,
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<MarketingDataMetadata>,
}

#[derive(Clone, PartialEq, Message)]
pub struct MarketingDataPoint {
    #[prost(message, optional, tag = "1")]
    pub geo_info: Option<GeoInfo>,
    #[prost(message, optional, tag = "2")]
    pub date_interval: Option<DateInterval>,
    #[prost(message, repeated, tag = "3")]
    pub control_variables: Vec<NamedValue>,
    #[prost(message, repeated, tag = "4")]
    pub media_variables: Vec<MediaVariable>,
    #[prost(message, optional, tag = "5")]
    pub kpi: Option<Kpi>,
    #[prost(message, repeated, tag = "6")]
    pub reach_frequency_variables: Vec<ReachFrequencyVariable>,
    #[prost(message, repeated, tag = "7")]
    pub non_media_treatment_variables: Vec<NamedValue>,
}

#[derive(Clone, PartialEq, Message)]
pub struct GeoInfo {
    #[prost(string, tag = "1")]
    pub geo_id: String,
    #[prost(int64, tag = "2")]
    pub population: i64,
    #[prost(double, tag = "3")]
    pub population_value: f64,
}

/// `google.type.Date`.
#[derive(Clone, Copy, PartialEq, Eq, Message)]
pub struct Date {
    #[prost(int32, tag = "1")]
    pub year: i32,
    #[prost(int32, tag = "2")]
    pub month: i32,
    #[prost(int32, tag = "3")]
    pub day: i32,
}

#[derive(Clone, PartialEq, Message)]
pub struct DateInterval {
    #[prost(message, optional, tag = "1")]
    pub start_date: Option<Date>,
    #[prost(message, optional, tag = "2")]
    pub end_date: Option<Date>,
}

/// `ControlVariable`, `NonMediaTreatmentVariable` and `ScalarMetric` share this shape.
#[derive(Clone, PartialEq, Message)]
pub struct NamedValue {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(double, tag = "2")]
    pub value: f64,
}

#[derive(Clone, PartialEq, Message)]
pub struct MediaVariable {
    #[prost(string, tag = "1")]
    pub channel_name: String,
    #[prost(message, optional, tag = "2")]
    pub scalar_metric: Option<NamedValue>,
    #[prost(double, optional, tag = "4")]
    pub media_spend: Option<f64>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ReachFrequencyVariable {
    #[prost(string, tag = "1")]
    pub channel_name: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct Kpi {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub revenue: Option<RevenueKpi>,
    #[prost(message, optional, tag = "3")]
    pub non_revenue: Option<NonRevenueKpi>,
}

#[derive(Clone, PartialEq, Message)]
pub struct RevenueKpi {
    #[prost(double, tag = "1")]
    pub value: f64,
}

#[derive(Clone, PartialEq, Message)]
pub struct NonRevenueKpi {
    #[prost(double, tag = "1")]
    pub value: f64,
    #[prost(double, optional, tag = "2")]
    pub revenue_per_kpi: Option<f64>,
}

#[derive(Clone, PartialEq, Message)]
pub struct MarketingDataMetadata {
    #[prost(message, repeated, tag = "1")]
    pub time_dimensions: Vec<TimeDimension>,
    #[prost(message, repeated, tag = "3")]
    pub channel_dimensions: Vec<ChannelDimension>,
    #[prost(string, repeated, tag = "4")]
    pub control_names: Vec<String>,
    #[prost(string, tag = "5")]
    pub kpi_type: String,
    #[prost(string, repeated, tag = "6")]
    pub non_media_treatment_names: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
pub struct TimeDimension {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub dates: Vec<Date>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ChannelDimension {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, repeated, tag = "2")]
    pub channels: Vec<String>,
}

/// `mmm.v1.model.meridian.MeridianModel`.
#[derive(Clone, PartialEq, Message)]
pub struct MeridianModel {
    #[prost(string, tag = "1")]
    pub model_id: String,
    #[prost(string, tag = "2")]
    pub model_version: String,
    #[prost(message, optional, tag = "3")]
    pub hyperparameters: Option<Hyperparameters>,
    #[prost(message, optional, tag = "14")]
    pub inference_data: Option<InferenceData>,
    #[prost(string, tag = "24")]
    pub schema_version: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct InferenceData {
    #[prost(bytes = "vec", tag = "2")]
    pub prior: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub posterior: Vec<u8>,
    #[prost(map = "string, bytes", tag = "4")]
    pub auxiliary_data: std::collections::HashMap<String, Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Hyperparameters {
    #[prost(int32, optional, tag = "1")]
    pub media_effects_dist: Option<i32>,
    #[prost(bool, optional, tag = "2")]
    pub hill_before_adstock: Option<bool>,
    #[prost(uint32, optional, tag = "3")]
    pub max_lag: Option<u32>,
    #[prost(bool, optional, tag = "4")]
    pub unique_sigma_for_each_geo: Option<bool>,
    #[prost(int32, optional, tag = "17")]
    pub media_prior_type: Option<i32>,
    #[prost(string, optional, tag = "23")]
    pub global_adstock_decay: Option<String>,
    #[prost(message, optional, tag = "24")]
    pub adstock_decay_by_channel: Option<ChannelStrings>,
    #[prost(string, optional, tag = "26")]
    pub global_saturation: Option<String>,
    #[prost(message, optional, tag = "27")]
    pub saturation_by_channel: Option<ChannelStrings>,
    #[prost(int32, optional, tag = "28")]
    pub n_knots: Option<i32>,
    /// Deprecated form of `population_scaled_controls`: one bool per control.
    #[prost(message, optional, tag = "12")]
    pub control_population_scaling_id: Option<TensorProto>,
    /// Deprecated form of `population_scaled_non_media_channels`: one bool per treatment.
    #[prost(message, optional, tag = "14")]
    pub non_media_population_scaling_id: Option<TensorProto>,
    #[prost(string, repeated, tag = "33")]
    pub population_scaled_controls: Vec<String>,
    #[prost(string, repeated, tag = "34")]
    pub population_scaled_non_media_channels: Vec<String>,
    #[prost(map = "string, bytes", tag = "38")]
    pub changepoints: std::collections::HashMap<String, Vec<u8>>,
}

/// TensorFlow's `TensorProto`, as far as a boolean vector needs: raw bytes (one per value)
/// or `bool_val` (whose last value repeats to fill the shape).
#[derive(Clone, PartialEq, Message)]
pub struct TensorProto {
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    #[prost(bytes = "vec", tag = "4")]
    pub tensor_content: Vec<u8>,
    #[prost(bool, repeated, tag = "11")]
    pub bool_val: Vec<bool>,
}

/// TensorFlow's `DT_BOOL`.
pub const DT_BOOL: i32 = 10;

impl TensorProto {
    /// The first `n` values of a boolean tensor, or `None` if it is not one.
    pub fn bools(&self, n: usize) -> Option<Vec<bool>> {
        if self.dtype != DT_BOOL {
            return None;
        }
        if !self.tensor_content.is_empty() {
            return (self.tensor_content.len() == n)
                .then(|| self.tensor_content.iter().map(|b| *b != 0).collect());
        }
        let last = *self.bool_val.last()?;
        Some((0..n).map(|i| self.bool_val.get(i).copied().unwrap_or(last)).collect())
    }
}

/// `AdstockDecayByChannel` and `SaturationByChannel`: a map from channel to a kind.
#[derive(Clone, PartialEq, Message)]
pub struct ChannelStrings {
    #[prost(map = "string, string", tag = "1")]
    pub by_channel: std::collections::HashMap<String, String>,
}
