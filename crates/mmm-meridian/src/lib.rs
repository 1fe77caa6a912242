//! # mmm-meridian
//!
//! Reads models written by Google Meridian's `save_meridian(mmm, "model.binpb")`: a protobuf
//! `mmm.v1.model.MmmKernel { MarketingData marketing_data = 1; google.protobuf.Any model = 2; }`
//! whose `Any` packs `mmm.v1.model.meridian.MeridianModel`, whose `InferenceData` (field 14)
//! holds the prior (2) and posterior (3) as NetCDF-3 bytes (xarray data sets).
//!
//! Meridian's `.proto` files use `edition = "2023"`, which prost-build cannot compile, so the few
//! messages needed are declared by hand in [`proto`] (the wire format is plain protobuf; unknown fields
//! are skipped). Nothing here ever unpickles: legacy `.pkl` models must be converted first.
//!
//! [`import`] turns such a file into an mmm model document with posterior draws; features mmm
//! does not model are refused by name rather than imported wrongly.

use prost::Message;
pub mod data;
mod import;
pub mod proto;

pub use import::{Imported, KEPT_DRAWS, SUPPORTED_MAJOR, import};

use std::collections::BTreeMap;
use std::io::Cursor;

/// The `Any` type URL of a Meridian model.
pub const MERIDIAN_MODEL_TYPE: &str = "type.googleapis.com/mmm.v1.model.meridian.MeridianModel";

/// Why a file cannot be read as a Meridian model.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A Python pickle (`save_mmm`), which mmm never unpickles.
    #[error(
        "this is a Python pickle (saved with save_mmm); mmm does not unpickle files. Convert it with \
         scripts/meridian-pkl-to-binpb.py (load_mmm, then save_meridian) and import the .binpb"
    )]
    Pickle,
    /// Not a protobuf `MmmKernel`.
    #[error("not a Meridian model file (save_meridian .binpb): {0}")]
    NotProtobuf(String),
    /// A kernel that holds another kind of model.
    #[error("the file holds a '{0}' model, not a Meridian model")]
    WrongModel(String),
    /// The model has no posterior (not fitted).
    #[error("the Meridian model has no posterior samples: fit it (sample_posterior) before saving")]
    NoPosterior,
    /// The posterior is not readable NetCDF-3.
    #[error("the posterior is not a readable NetCDF-3 data set: {0}")]
    NetCdf(String),
    /// A Meridian feature mmm does not model; importing it would give wrong numbers.
    #[error("unsupported Meridian feature: {0}")]
    Unsupported(String),
    /// Written by a Meridian newer than this build understands.
    #[error(
        "the model was written by Meridian {found}; this mmm imports Meridian up to {supported}"
    )]
    TooNew {
        /// Version in the file.
        found: String,
        /// Newest supported.
        supported: String,
    },
    /// The file decodes but its contents do not fit together.
    #[error("inconsistent Meridian model: {0}")]
    Invalid(String),
}

/// The parts of a Meridian file the importer needs.
#[derive(Debug, Clone)]
pub struct MeridianFile {
    /// The marketing data the model was fitted on.
    pub marketing_data: proto::MarketingData,
    /// Meridian version that wrote the model (e.g. `2.1.0`).
    pub model_version: String,
    /// Serialisation schema version (may be empty).
    pub schema_version: String,
    /// Model settings.
    pub hyperparameters: proto::Hyperparameters,
    /// The posterior as NetCDF-3 bytes.
    pub posterior: Vec<u8>,
    /// The prior as NetCDF-3 bytes (may be empty).
    pub prior: Vec<u8>,
    /// The sampler statistics (`diverging`, `step_size`, ...) as NetCDF-3 bytes, if saved.
    pub sample_stats: Option<Vec<u8>>,
}

/// Decodes the protobuf envelope of a `save_meridian` file.
pub fn read_file(bytes: &[u8]) -> Result<MeridianFile, ImportError> {
    // Pickle protocol 2+ starts with 0x80 and the protocol number.
    if bytes.len() >= 2 && bytes[0] == 0x80 && (2..=5).contains(&bytes[1]) {
        return Err(ImportError::Pickle);
    }
    let kernel =
        proto::MmmKernel::decode(bytes).map_err(|e| ImportError::NotProtobuf(e.to_string()))?;
    let any =
        kernel.model.ok_or_else(|| ImportError::NotProtobuf("no model in the file".to_owned()))?;
    if any.type_url != MERIDIAN_MODEL_TYPE {
        return Err(ImportError::WrongModel(any.type_url));
    }
    let model = proto::MeridianModel::decode(any.value.as_slice())
        .map_err(|e| ImportError::NotProtobuf(e.to_string()))?;
    let inference = model.inference_data.ok_or(ImportError::NoPosterior)?;
    if inference.posterior.is_empty() {
        return Err(ImportError::NoPosterior);
    }
    let marketing_data = kernel
        .marketing_data
        .ok_or_else(|| ImportError::NotProtobuf("no marketing data in the file".to_owned()))?;
    Ok(MeridianFile {
        marketing_data,
        model_version: model.model_version,
        schema_version: model.schema_version,
        hyperparameters: model.hyperparameters.unwrap_or_default(),
        posterior: inference.posterior,
        prior: inference.prior,
        sample_stats: inference.auxiliary_data.get("sample_stats").cloned(),
    })
}

/// One variable of a posterior data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Dimension names, e.g. `["chain", "draw", "media_channel"]`.
    pub dims: Vec<String>,
    /// Dimension sizes.
    pub shape: Vec<usize>,
    /// Values in row-major order.
    pub values: Vec<f64>,
}

impl Variable {
    /// Mean over every dimension but the last (e.g. per channel over chains and draws).
    pub fn mean_over_leading(&self) -> Vec<f64> {
        let last = self.shape.last().copied().unwrap_or(1).max(1);
        let groups = self.values.len() / last;
        (0..last)
            .map(|j| {
                (0..groups).map(|g| self.values[g * last + j]).sum::<f64>() / groups.max(1) as f64
            })
            .collect()
    }
}

/// Reads every numeric variable of a NetCDF-3 data set held in memory.
pub fn read_netcdf(bytes: &[u8]) -> Result<BTreeMap<String, Variable>, ImportError> {
    let err = |e: String| ImportError::NetCdf(e);
    let mut reader =
        netcdf3::FileReader::open_seek_read("posterior.nc", Box::new(Cursor::new(bytes.to_vec())))
            .map_err(|e| err(format!("{e:?}")))?;
    let names: Vec<String> = reader.data_set().get_var_names();
    let mut out = BTreeMap::new();
    for name in names {
        let (dims, shape) = {
            let ds = reader.data_set();
            let dims = ds.get_var(&name).map(|v| v.dim_names()).unwrap_or_default();
            let shape = dims.iter().map(|d| ds.dim_size(d).unwrap_or(0)).collect::<Vec<usize>>();
            (dims, shape)
        };
        let data = reader.read_var(&name).map_err(|e| err(format!("{name}: {e:?}")))?;
        let values: Vec<f64> = match data {
            netcdf3::DataVector::F64(v) => v,
            netcdf3::DataVector::F32(v) => v.into_iter().map(f64::from).collect(),
            netcdf3::DataVector::I32(v) => v.into_iter().map(f64::from).collect(),
            netcdf3::DataVector::I16(v) => v.into_iter().map(f64::from).collect(),
            netcdf3::DataVector::I8(v) => v.into_iter().map(f64::from).collect(),
            netcdf3::DataVector::U8(_) => continue,
        };
        out.insert(name, Variable { dims, shape, values });
    }
    Ok(out)
}
