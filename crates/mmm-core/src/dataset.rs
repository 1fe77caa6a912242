//! Loading and validating a data set from CSV.
//!
//! A data set is one row per period (daily, weekly or monthly, regularly spaced) with a date
//! column, a KPI column, media spend columns and control columns. The loader never stops at the
//! first problem: it reports every one it finds (up to [`LoadOptions::max_problems`]), each with
//! the column, the 1-based line in the file and the reason, so a user can fix a file in one go.

use crate::spec::ModelSpec;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

mod dates;
mod dialect;
mod frequency;
mod geos;
mod lists;

use dates::{DateStyle, parse_date};
use dialect::Lines;
pub use dialect::{Dialect, decode};
pub use frequency::Frequency;
pub use geos::{POPULATION_COLUMN, add_up_geos};
pub use lists::{parse_column_list, parse_media_units, quote_name};

/// Default name of the date column.
pub const DEFAULT_DATE_COLUMN: &str = "date";
/// Default name of the KPI column.
pub const DEFAULT_KPI_COLUMN: &str = "revenue";
/// Suffix that marks a media spend column by default; the channel name is the column name
/// without it. The underscore may also be any other of [`NAME_SEPARATORS`] (`TV Spend`).
pub const SPEND_SUFFIX: &str = "_spend";

/// What may join a channel's name to `spend` or to the word for its media units in a column
/// name: `tv_spend`, `TV Spend` (spreadsheets), `tv.spend` (R), `tv-spend`.
pub const NAME_SEPARATORS: [char; 4] = ['_', ' ', '.', '-'];

/// The channel a media column measures: the column name without [`SPEND_SUFFIX`], or the whole
/// name when it has no such suffix (or is nothing but the suffix).
pub fn channel_name(column: &str) -> &str {
    match spend_suffix_at(column) {
        Some(at) if at > 0 => &column[..at],
        _ => column,
    }
}

/// Whether a column is a spend column by its name: it ends in [`SPEND_SUFFIX`], in any case.
fn is_spend_column(column: &str) -> bool {
    spend_suffix_at(column).is_some()
}

/// Suffix of the column that gives a channel's media units (impressions, GRPs, ...) beside its
/// spend: `<channel>_media`, the name mmm writes (one of [`MEDIA_UNIT_SUFFIXES`]).
pub const MEDIA_SUFFIX: &str = "_media";

/// Suffixes, in any case, of the columns a file may give a channel's media units in beside its
/// spend column: `<channel>_media`, `<channel>_impressions` (as Meridian names them),
/// `<channel>_grps`, `<channel>_clicks`, ... Such a column is never a default control: it
/// moves with the channel's spend and would take its effect.
pub const MEDIA_UNIT_SUFFIXES: [&str; 8] =
    [MEDIA_SUFFIX, "_impressions", "_impression", "_imps", "_grps", "_grp", "_clicks", "_units"];

/// The one column of `columns` named for media column `media`'s units (`tv_impressions` for
/// `tv_spend`, [`MEDIA_UNIT_SUFFIXES`]), as the loader pairs them by name; `None` when there is
/// none, or several.
pub fn units_column_by_name<'a>(media: &str, columns: &'a [String]) -> Option<&'a String> {
    let channel = channel_name(media);
    let mut found = columns.iter().filter(|c| is_units_column_of(c, channel));
    match (found.next(), found.next()) {
        (Some(column), None) => Some(column),
        _ => None,
    }
}

/// The column mmm writes channel `name`'s media units in: `<name>_media`.
pub fn media_column(name: &str) -> String {
    format!("{name}{MEDIA_SUFFIX}")
}

/// Whether `column` names channel `channel`'s media units: the channel's name followed by one
/// of [`MEDIA_UNIT_SUFFIXES`], in any case, its underscore or any other of [`NAME_SEPARATORS`]
/// (`TV Impressions`).
fn is_units_column_of(column: &str, channel: &str) -> bool {
    column.get(..channel.len()).is_some_and(|head| head.eq_ignore_ascii_case(channel))
        && column.get(channel.len()..).and_then(separated_word).is_some_and(|word| {
            MEDIA_UNIT_SUFFIXES
                .iter()
                .any(|s| s.get(1..).is_some_and(|w| word.eq_ignore_ascii_case(w)))
        })
}

/// The word after a leading separator ([`NAME_SEPARATORS`]): `Spend` for ` Spend`.
fn separated_word(tail: &str) -> Option<&str> {
    tail.strip_prefix(NAME_SEPARATORS)
}

/// Where [`SPEND_SUFFIX`] (in any case, with any of [`NAME_SEPARATORS`] for its underscore)
/// starts at the end of `column`.
fn spend_suffix_at(column: &str) -> Option<usize> {
    let at = column.len().checked_sub(SPEND_SUFFIX.len())?;
    let word = separated_word(column.get(at..)?)?;
    SPEND_SUFFIX.get(1..).is_some_and(|w| word.eq_ignore_ascii_case(w)).then_some(at)
}

/// How to read a CSV file: which column plays which role. A name matches a header exactly, or
/// in any case when exactly one header does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadOptions {
    /// Date column (ISO `YYYY-MM-DD`, or a regional form such as `DD/MM/YYYY`, told from the
    /// whole column; optionally followed by a midnight time).
    pub date_column: String,
    /// KPI column (the quantity the model explains).
    pub kpi: String,
    /// Media spend columns; `None` means every column ending in `_spend` (in any case).
    pub media: Option<Vec<String>>,
    /// Control columns; `None` means every other numeric column (spend columns not chosen as
    /// media are not used as controls unless named here).
    pub controls: Option<Vec<String>>,
    /// Media-unit columns by media spend column (`tv_spend` → `tv_exposure`): each such channel
    /// is fitted on its units. `None` pairs them by name (`<channel>_media`,
    /// `<channel>_impressions`, ..., [`MEDIA_UNIT_SUFFIXES`]); `Some` gives exactly these pairs,
    /// so an empty map fits every channel on its spend.
    pub media_units: Option<BTreeMap<String, String>>,
    /// At most this many problems are listed; the rest are counted as truncated.
    pub max_problems: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            date_column: DEFAULT_DATE_COLUMN.to_owned(),
            kpi: DEFAULT_KPI_COLUMN.to_owned(),
            media: None,
            controls: None,
            media_units: None,
            max_problems: 100,
        }
    }
}

/// One media channel's spend per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    /// Channel name (the column name without `_spend`, or the column name).
    pub name: String,
    /// Column it was read from.
    pub column: String,
    /// Spend per period, non-negative.
    pub spend: Vec<f64>,
    /// Spend in the periods before the first one with a KPI value (oldest first), from leading
    /// rows whose KPI cell is empty. It is not fitted; it only carries over (adstock) into the
    /// first periods. Every channel of a data set has the same number of history periods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<f64>,
    /// The channel's media units, when the data give them in a column `<name>_media` or
    /// `<name>_impressions` (any of [`MEDIA_UNIT_SUFFIXES`]): the model then applies the
    /// channel's carry-over and saturation to them instead of the spend, as Meridian does with
    /// impressions, while ROI, marginal ROI and response curves stay per unit of spend
    /// ([`Channel::model_input`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaUnits>,
}

/// A channel's media units per period (impressions, GRPs, clicks, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaUnits {
    /// Column they were read from.
    pub column: String,
    /// Media units per period, non-negative.
    pub values: Vec<f64>,
    /// Media units in the media-history periods (oldest first), as [`Channel::history`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<f64>,
}

impl Channel {
    /// Spend per media unit over the first `fitted` periods with a KPI value (the fitting
    /// window: all of them but a holdout): the rate at which [`Self::model_input`] turns media
    /// units into spend-equivalent units. `None` for a channel without media units, or when its
    /// media units or its spend are all zero there.
    pub fn input_per_media(&self, fitted: usize) -> Option<f64> {
        let units: f64 = self.media.as_ref()?.values.iter().take(fitted).sum();
        let spend: f64 = self.spend.iter().take(fitted).sum();
        (units > 0.0 && spend > 0.0 && (spend / units).is_finite()).then(|| spend / units)
    }

    /// What the channel's carry-over and saturation apply to, in the media history and in the
    /// periods: the spend, or, for a channel with media units, the media units times
    /// [`Self::input_per_media`] over the first `fitted` periods. In those spend-equivalent
    /// units the input adds up to the spend over those periods, so a response per unit of input
    /// is a response per unit of spend at the average cost per unit; a period with dearer media
    /// has less input for its spend. `None` when the channel has media units but no rate.
    pub fn model_input(&self, fitted: usize) -> Option<ModelInput<'_>> {
        match &self.media {
            None => Some(ModelInput {
                history: Cow::Borrowed(&self.history),
                periods: Cow::Borrowed(&self.spend),
            }),
            Some(m) => {
                let rate = self.input_per_media(fitted)?;
                let convert = |v: &[f64]| -> Cow<'_, [f64]> {
                    Cow::Owned(v.iter().map(|x| x * rate).collect())
                };
                Some(ModelInput { history: convert(&m.history), periods: convert(&m.values) })
            }
        }
    }
}

/// A channel's model input ([`Channel::model_input`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInput<'a> {
    /// In the media-history periods, oldest first.
    pub history: Cow<'a, [f64]>,
    /// In the data's periods.
    pub periods: Cow<'a, [f64]>,
}

/// One control variable per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    /// Column name.
    pub name: String,
    /// Values per period.
    pub values: Vec<f64>,
}

/// The role each column of the file was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRoles {
    /// Date column.
    pub date: String,
    /// KPI column.
    pub kpi: String,
    /// Media spend columns.
    pub media: Vec<String>,
    /// Media-unit columns (`<channel>_media`, `<channel>_impressions`, ... beside a media spend
    /// column, [`MEDIA_UNIT_SUFFIXES`]), whose channels are fitted on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_units: Vec<String>,
    /// The media-unit column of each channel fitted on units, by media spend column, whether
    /// given ([`LoadOptions::media_units`]) or paired by name. `None` in roles stored before
    /// the pairs were kept: those were paired by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_units_of: Option<BTreeMap<String, String>>,
    /// Control columns.
    pub controls: Vec<String>,
    /// Columns present in the file but not used.
    pub ignored: Vec<String>,
}

impl ColumnRoles {
    /// The media-unit column that media column `media`'s channel is fitted on, if any.
    pub fn units_column(&self, media: &str) -> Option<&str> {
        match &self.media_units_of {
            Some(pairs) => pairs.get(media).map(String::as_str),
            None => self
                .media_units
                .iter()
                .find(|u| is_units_column_of(u, channel_name(media)))
                .map(String::as_str),
        }
    }

    /// The loader options that read the same file into the same data set again.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            date_column: self.date.clone(),
            kpi: self.kpi.clone(),
            media: Some(self.media.clone()),
            controls: Some(self.controls.clone()),
            media_units: self.media_units_of.clone(),
            ..LoadOptions::default()
        }
    }
}

/// A validated data set: regular dates, a finite KPI, non-negative spend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The dates naming the periods, strictly increasing, one [`Frequency`] step apart.
    pub dates: Vec<NaiveDate>,
    /// Spacing of the periods.
    pub frequency: Frequency,
    /// KPI name (its column).
    pub kpi_name: String,
    /// KPI per period.
    pub kpi: Vec<f64>,
    /// Media channels.
    pub channels: Vec<Channel>,
    /// Control variables.
    pub controls: Vec<Control>,
    /// Column roles as resolved from the options.
    pub roles: ColumnRoles,
}

impl Dataset {
    /// Number of periods.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no periods (never true for a loaded data set).
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Number of media-history periods before the first one with a KPI value.
    pub fn history_len(&self) -> usize {
        self.channels.first().map_or(0, |c| c.history.len())
    }

    /// Writes the data set as CSV (date, KPI, media spend, media units, controls), readable by
    /// [`load_csv`]. Media history comes first, in rows with an empty KPI and empty controls.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let units: Vec<&MediaUnits> =
            self.channels.iter().filter_map(|c| c.media.as_ref()).collect();
        let header = [self.roles.date.as_str(), self.kpi_name.as_str()]
            .into_iter()
            .chain(self.channels.iter().map(|c| c.column.as_str()))
            .chain(units.iter().map(|m| m.column.as_str()))
            .chain(self.controls.iter().map(|c| c.name.as_str()));
        // Writing to memory cannot fail; an error would only drop output.
        let _ = writer.write_record(header);
        let h = self.history_len();
        for t in 0..h {
            let back = -((h - t) as i64);
            let date = self.dates.first().and_then(|d| self.frequency.nth_after(*d, back));
            let row = [date.map(|d| d.to_string()).unwrap_or_default(), String::new()]
                .into_iter()
                .chain(self.channels.iter().map(|c| c.history[t].to_string()))
                .chain(units.iter().map(|m| m.history[t].to_string()))
                .chain(self.controls.iter().map(|_| String::new()));
            let _ = writer.write_record(row);
        }
        for t in 0..self.len() {
            let row = [self.dates[t].to_string(), self.kpi[t].to_string()]
                .into_iter()
                .chain(self.channels.iter().map(|c| c.spend[t].to_string()))
                .chain(units.iter().map(|m| m.values[t].to_string()))
                .chain(self.controls.iter().map(|c| c.values[t].to_string()));
            let _ = writer.write_record(row);
        }
        writer.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Column concerned, if any.
    pub column: Option<String>,
    /// 1-based line in the file, if any (the header is line 1).
    pub line: Option<u64>,
    /// What is wrong and, where useful, how to fix it.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line, &self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column '{c}': {}", self.reason),
            (Some(l), None) => write!(f, "line {l}: {}", self.reason),
            (None, Some(c)) => write!(f, "column '{c}': {}", self.reason),
            (None, None) => f.write_str(&self.reason),
        }
    }
}

/// Every problem found in a data set, at most `max_problems` of them listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct DataErrors {
    /// The problems, in the order found.
    pub problems: Vec<Problem>,
    /// How many more problems were found but not listed.
    pub truncated: usize,
}

impl fmt::Display for DataErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.problems.len() + self.truncated;
        write!(f, "{total} problem{} in the data", if total == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        if self.truncated > 0 {
            write!(f, "\n  ... and {} more", self.truncated)?;
        }
        Ok(())
    }
}

struct Problems {
    list: Vec<Problem>,
    cap: usize,
    truncated: usize,
}

impl Problems {
    fn new(cap: usize) -> Self {
        Self { list: Vec::new(), cap: cap.max(1), truncated: 0 }
    }

    fn push(&mut self, column: Option<&str>, line: Option<u64>, reason: impl Into<String>) {
        if self.list.len() < self.cap {
            self.list.push(Problem {
                column: column.map(str::to_owned),
                line,
                reason: reason.into(),
            });
        } else {
            self.truncated += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems in file order: those of the whole file first, then by line (stable, so a
    /// line's problems keep the order of its columns).
    fn into_error(mut self) -> DataErrors {
        self.list.sort_by_key(|p| p.line);
        DataErrors { problems: self.list, truncated: self.truncated }
    }
}

/// Truncates long cell text for messages.
fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// A row of the file: its line number and its cells, trimmed.
struct Row {
    line: u64,
    cells: Vec<String>,
}

/// The file's records with their 1-based line numbers and trimmed cells; `None` (with the
/// problem recorded) when the CSV cannot be read.
fn read_rows(bytes: &[u8], dialect: Dialect, problems: &mut Problems) -> Option<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(dialect.delimiter)
        .from_reader(bytes);
    let mut rows: Vec<Row> = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = Lines::new(bytes);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return without_nul(rows, problems),
            Ok(true) => {
                let line = record.position().map_or(rows.len() as u64 + 1, |p| lines.of(p.byte()));
                let cells = record
                    .iter()
                    // The text is UTF-8 (`decode`) and the separators ASCII, so no cell is lossy.
                    .map(|c| String::from_utf8_lossy(c).trim().to_owned())
                    .collect();
                rows.push(Row { line, cells });
            }
            Err(e) => {
                let line = e.position().map(|p| lines.of(p.byte()));
                problems.push(None, line, format!("unreadable CSV: {e}"));
                return None;
            }
        }
    }
}

/// The problem to report for each cell that holds a NUL.
pub const NUL_IN_CELL: &str = "holds a NUL character (byte 0), which no text holds: is the file \
     binary, or UTF-16 saved without a byte-order mark?";

/// The rows, unless a cell holds a NUL: each such cell is then a problem (with its column, the
/// header's name for it). A file with one is binary or damaged, whatever the cell is used for,
/// and PostgreSQL cannot store it as text.
fn without_nul(rows: Vec<Row>, problems: &mut Problems) -> Option<Vec<Row>> {
    let header = rows.first().map(|row| row.cells.as_slice()).unwrap_or_default();
    let mut found = false;
    for (r, row) in rows.iter().enumerate() {
        for (j, cell) in row.cells.iter().enumerate() {
            if cell.contains('\0') {
                let column = header.get(j).filter(|name| r > 0 && !name.contains('\0'));
                problems.push(column.map(String::as_str), Some(row.line), NUL_IN_CELL);
                found = true;
            }
        }
    }
    (!found).then_some(rows)
}

/// The problem to report when [`decode`] cannot read a file.
pub const UTF16_UNREADABLE: &str =
    "the file starts with a UTF-16 byte-order mark but is not UTF-16 text; save it as UTF-8 CSV";

/// Loads and validates a CSV data set from bytes.
///
/// Accepts a UTF-8 byte-order mark, UTF-16 and Windows-1252 text ([`decode`]), CRLF line ends,
/// and files separated by semicolons (with decimal commas) or tabs ([`Dialect`]). A data set
/// with fewer rows than `spec` needs ([`ModelSpec::min_rows`]) is reported as a problem.
pub fn load_csv(
    bytes: &[u8],
    options: &LoadOptions,
    spec: &ModelSpec,
) -> Result<Dataset, DataErrors> {
    load(bytes, options, Some(spec))
}

/// Loads and validates a CSV data set to score a saved model on ([`crate::score`]): the checks
/// of [`load_csv`] except those that only fitting needs, so a few rows, or a channel with no
/// spend in them, are accepted. The last rows may leave the KPI empty (every row, if none has
/// one): they are periods to forecast, and their KPI is NaN.
pub fn load_csv_for_scoring(bytes: &[u8], options: &LoadOptions) -> Result<Dataset, DataErrors> {
    load(bytes, options, None)
}

/// [`load_csv`], with the checks that only fitting needs when `fitting` is given.
fn load(
    bytes: &[u8],
    options: &LoadOptions,
    fitting: Option<&ModelSpec>,
) -> Result<Dataset, DataErrors> {
    let mut problems = Problems::new(options.max_problems);
    let Some(text) = decode(bytes) else {
        problems.push(None, None, UTF16_UNREADABLE);
        return Err(problems.into_error());
    };
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.push(None, None, "the file is empty");
        return Err(problems.into_error());
    }

    let dialect = Dialect::sniff(bytes);
    let Some(rows) = read_rows(bytes, dialect, &mut problems) else {
        return Err(problems.into_error());
    };

    let Some((header_row, data_rows)) = rows.split_first() else {
        problems.push(None, None, "the file is empty");
        return Err(problems.into_error());
    };
    let header = read_header(header_row, &mut problems);
    check_unnamed(&header, data_rows, header_row.line, &mut problems);
    if data_rows.is_empty() {
        problems.push(None, None, "the file has a header but no data rows");
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }

    let (roles, units_of) = resolve_roles(&header, data_rows, options, dialect, &mut problems);
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    let index: HashMap<&str, usize> =
        header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    let col = |name: &str| index.get(name).copied().unwrap_or(usize::MAX);

    // Leading rows with an empty KPI cell are media history: their spend carries over into the
    // first periods, but they are not fitted (Meridian's lagged media periods).
    let kpi_col = col(&roles.kpi);
    let kpi_empty = |row: &&Row| row.cells.get(kpi_col).is_some_and(String::is_empty);
    let all_empty = data_rows.iter().all(|row| kpi_empty(&row));
    if all_empty && fitting.is_some() {
        problems.push(Some(&roles.kpi), None, "the KPI column is empty in every row");
        return Err(problems.into_error());
    }
    // To score a model, trailing rows with an empty KPI are periods to forecast (every row, if
    // no row has a KPI); their KPI is NaN.
    let history = if all_empty { 0 } else { data_rows.iter().take_while(kpi_empty).count() };
    let forecast =
        if fitting.is_some() { 0 } else { data_rows.iter().rev().take_while(kpi_empty).count() };
    let forecast = forecast.min(data_rows.len() - history);

    // Dates are read in one form throughout, told from the whole column.
    let date_col = col(&roles.date);
    let date_cells = data_rows.iter().filter_map(|row| row.cells.get(date_col));
    let date_style = match DateStyle::detect(date_cells.map(String::as_str)) {
        Ok(style) => style,
        Err(reason) => {
            problems.push(Some(&roles.date), None, reason);
            return Err(problems.into_error());
        }
    };

    // Per-cell parsing; every bad cell is reported.
    let n = data_rows.len();
    let mut dates: Vec<Option<NaiveDate>> = Vec::with_capacity(n);
    let mut kpi = Vec::with_capacity(n);
    let mut media: Vec<Vec<f64>> = vec![Vec::with_capacity(n); roles.media.len()];
    let mut units: Vec<Vec<f64>> = vec![Vec::with_capacity(n); roles.media_units.len()];
    let mut controls: Vec<Vec<f64>> = vec![Vec::with_capacity(n); roles.controls.len()];
    for (i, row) in data_rows.iter().enumerate() {
        let is_history = i < history;
        if row.cells.len() != header.len() {
            problems.push(
                None,
                Some(row.line),
                format!("expected {} fields, found {}", header.len(), row.cells.len()),
            );
        }
        let cell = |name: &str| -> Result<&str, String> {
            match row.cells.get(col(name)) {
                Some(s) => Ok(s.as_str()),
                None => Err("missing value (row too short)".to_owned()),
            }
        };
        let date = cell(&roles.date).and_then(|c| parse_date(c, date_style));
        dates.push(match date {
            Ok(d) => Some(d),
            Err(reason) => {
                problems.push(Some(&roles.date), Some(row.line), reason);
                None
            }
        });
        let number = |name: &str, problems: &mut Problems| -> f64 {
            match cell(name).and_then(|c| dialect.parse_number(c)) {
                Ok(v) => v,
                Err(reason) => {
                    problems.push(Some(name), Some(row.line), reason);
                    f64::NAN
                }
            }
        };
        if i >= data_rows.len() - forecast {
            kpi.push(f64::NAN);
        } else if !is_history {
            match cell(&roles.kpi) {
                Ok("") if history > 0 || fitting.is_none() => {
                    let reason = if fitting.is_some() {
                        "empty value (only the leading rows, the media history, may leave the \
                         KPI empty)"
                    } else {
                        "empty value (only the leading rows, the media history, and the last \
                         ones, periods to forecast, may leave the KPI empty)"
                    };
                    problems.push(Some(&roles.kpi), Some(row.line), reason);
                    kpi.push(f64::NAN);
                }
                _ => kpi.push(number(&roles.kpi, &mut problems)),
            }
        }
        for (name, out) in roles.media.iter().zip(media.iter_mut()) {
            let v = number(name, &mut problems);
            if v < 0.0 {
                problems.push(Some(name), Some(row.line), format!("negative spend {v}"));
            }
            out.push(v);
        }
        for (name, out) in roles.media_units.iter().zip(units.iter_mut()) {
            let v = number(name, &mut problems);
            if v < 0.0 {
                problems.push(Some(name), Some(row.line), format!("negative media units {v}"));
            }
            out.push(v);
        }
        // Controls only matter where the KPI is modelled.
        if !is_history {
            for (name, out) in roles.controls.iter().zip(controls.iter_mut()) {
                out.push(number(name, &mut problems));
            }
        }
    }

    let frequency = match stacked_series(&dates, &header) {
        Some(reason) => {
            // One problem instead of a duplicate date on every row after the first series.
            problems.push(Some(&roles.date), None, reason);
            None
        }
        None => check_dates(&dates, data_rows, &roles.date, &mut problems),
    };
    let split = |columns: Vec<Vec<f64>>| -> Vec<(Vec<f64>, Vec<f64>)> {
        columns
            .into_iter()
            .map(|mut all| {
                let periods = all.split_off(history);
                (all, periods)
            })
            .collect()
    };
    let media = split(media);
    let mut units: HashMap<&String, (Vec<f64>, Vec<f64>)> =
        roles.media_units.iter().zip(split(units)).collect();
    let n = n - history;
    if let Some(spec) = fitting {
        check_fittable(&roles, &media, history > 0, frequency, n, spec, &mut problems);
        check_media_units(&units, history > 0, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }

    let dates: Vec<NaiveDate> = dates.into_iter().skip(history).flatten().collect();
    let channels = roles
        .media
        .iter()
        .zip(media)
        .zip(units_of)
        .map(|((column, (history, spend)), units_column)| Channel {
            name: channel_name(column).to_owned(),
            column: column.clone(),
            spend,
            history,
            media: units_column.and_then(|u| {
                let (history, values) = units.remove(&u)?;
                Some(MediaUnits { column: u, values, history })
            }),
        })
        .collect();
    let controls = roles
        .controls
        .iter()
        .zip(controls)
        .map(|(name, values)| Control { name: name.clone(), values })
        .collect();
    Ok(Dataset {
        dates,
        frequency: frequency.unwrap_or(Frequency::Weekly),
        kpi_name: roles.kpi.clone(),
        kpi,
        channels,
        controls,
        roles,
    })
}

/// The checks only fitting needs: every channel has some spend where the KPI is modelled, and
/// there are enough rows for the model's parameters.
fn check_fittable(
    roles: &ColumnRoles,
    media: &[(Vec<f64>, Vec<f64>)],
    has_history: bool,
    frequency: Option<Frequency>,
    n: usize,
    spec: &ModelSpec,
    problems: &mut Problems,
) {
    for (name, (_, values)) in roles.media.iter().zip(media) {
        if values.iter().all(|v| *v == 0.0) {
            let reason = if has_history {
                "all spend in the periods with a KPI value is zero: the channel's effect cannot \
                 be estimated; drop the column"
            } else {
                "all spend is zero: the channel's effect cannot be estimated; drop the column"
            };
            problems.push(Some(name), None, reason);
        }
    }
    let min_rows = spec.min_rows(
        frequency.unwrap_or(Frequency::Weekly),
        roles.media.len(),
        roles.controls.len(),
    );
    if n < min_rows {
        let fix = if spec.holdout > 0 {
            format!(
                "add periods, hold out fewer than {} of them, or drop channels or controls",
                spec.holdout
            )
        } else {
            "add periods or drop channels or controls".to_owned()
        };
        problems.push(
            None,
            None,
            format!(
                "{}, but the model needs at least {min_rows} (one more than its parameters, \
                 plus the holdout): {fix}",
                crate::text::count(n, "data row")
            ),
        );
    }
}

/// Media units that fitting cannot use: a column that is zero wherever the KPI is modelled.
fn check_media_units(
    units: &HashMap<&String, (Vec<f64>, Vec<f64>)>,
    has_history: bool,
    problems: &mut Problems,
) {
    let mut zero: Vec<&&String> =
        units.iter().filter(|(_, (_, v))| v.iter().all(|x| *x == 0.0)).map(|(c, _)| c).collect();
    zero.sort();
    for column in zero {
        let periods = if has_history { " in the periods with a KPI value" } else { "" };
        problems.push(
            Some(column),
            None,
            format!(
                "all media units{periods} are zero, so the channel cannot be fitted on them; \
                 fill them in, or rename the column to fit the channel on its spend"
            ),
        );
    }
}

fn read_header(row: &Row, problems: &mut Problems) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut names = Vec::with_capacity(row.cells.len());
    for (i, cell) in row.cells.iter().enumerate() {
        match cell {
            // A row index (R's `write.csv`, pandas' `to_csv`) or Excel's trailing separators:
            // see `check_unnamed`.
            name if name.is_empty() => names.push(String::new()),
            name => {
                if let Some(first) = seen.get(name.as_str()) {
                    problems.push(
                        Some(name),
                        Some(row.line),
                        format!("duplicate column name (columns {} and {})", first + 1, i + 1),
                    );
                } else {
                    seen.insert(name, i);
                }
                names.push(name.clone());
            }
        }
    }
    names
}

/// Columns without a name play no role. The first (a row index, as R and pandas write it) and
/// empty ones (a spreadsheet's trailing separators) are ignored; any other that holds data is
/// reported, as it was probably meant to be used.
fn check_unnamed(header: &[String], rows: &[Row], header_line: u64, problems: &mut Problems) {
    for (i, _) in header.iter().enumerate().skip(1).filter(|(_, h)| h.is_empty()) {
        if rows.iter().any(|r| r.cells.get(i).is_some_and(|c| !c.is_empty())) {
            problems.push(
                None,
                Some(header_line),
                format!(
                    "column {} has no name but holds data: name it, or delete the column",
                    i + 1
                ),
            );
        }
    }
}

/// Whether a header is the name pandas gives a column that had none (`Unnamed: 0`, usually a
/// row index): such a column is never taken as a control by default.
fn is_pandas_unnamed(name: &str) -> bool {
    name.strip_prefix("Unnamed: ")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Decides the role of every column and reports missing, unknown or doubly-used columns. Also
/// returns, per media column, its media-unit column if the file has one.
/// Where column `name` is in `header`: the column of that exact name, else the one column
/// whose name matches it in another case ("Date" for the default "date").
fn column_index(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name).or_else(|| {
        let mut matches = header.iter().enumerate().filter(|(_, h)| h.eq_ignore_ascii_case(name));
        match (matches.next(), matches.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    })
}

fn resolve_roles(
    header: &[String],
    rows: &[Row],
    options: &LoadOptions,
    dialect: Dialect,
    problems: &mut Problems,
) -> (ColumnRoles, Vec<Option<String>>) {
    let present = |name: &str| header.iter().any(|h| h == name);
    let resolve = |name: &String| -> String {
        column_index(header, name).map_or(name.clone(), |i| header[i].clone())
    };
    let date = resolve(&options.date_column);
    let kpi = resolve(&options.kpi);
    let header_line = Some(1);
    let require = |name: &str, role: &str, problems: &mut Problems| {
        if !present(name) {
            problems.push(
                Some(name),
                header_line,
                format!("{role} column not found; the file has: {}", header.join(", ")),
            );
        }
    };
    require(&date, "date", problems);
    require(&kpi, "KPI", problems);

    let media: Vec<String> = match &options.media {
        Some(list) => {
            let list: Vec<String> = list.iter().map(resolve).collect();
            for name in &list {
                require(name, "media", problems);
            }
            list
        }
        None => header
            .iter()
            .filter(|h| is_spend_column(h) && **h != kpi && **h != date)
            .cloned()
            .collect(),
    };
    if media.is_empty() {
        problems.push(
            None,
            header_line,
            "no media columns: name spend columns with a '_spend' suffix or list them as media",
        );
    }

    // A default control is a column that is mostly numbers and not the same number in every
    // row: a constant cannot be told from the intercept.
    let varying_numbers = |i: usize| -> bool {
        let mut parsed = 0usize;
        let mut filled = 0usize;
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for row in rows {
            if let Some(cell) = row.cells.get(i)
                && !cell.is_empty()
            {
                filled += 1;
                if let Some(v) = dialect.number(cell) {
                    parsed += 1;
                    (low, high) = (low.min(v), high.max(v));
                }
            }
        }
        filled > 0 && parsed * 2 >= filled && low < high
    };
    // A channel is fitted on media units when the user pairs its media column with a column,
    // or else when the file has one column named for its units that plays no other role.
    let explicit_controls: Vec<String> = options.controls.iter().flatten().map(resolve).collect();
    let units_of: Vec<Option<String>> = match &options.media_units {
        Some(pairs) => {
            let pairs: Vec<(String, String)> =
                pairs.iter().map(|(m, u)| (resolve(m), resolve(u))).collect();
            let pairs = given_units(pairs, &media, problems);
            for (_, units) in &pairs {
                require(units, "media units", problems);
            }
            media
                .iter()
                .map(|m| pairs.iter().find(|(spend, _)| spend == m).map(|(_, u)| u.clone()))
                .collect()
        }
        None => {
            let taken: Vec<&String> =
                [&date, &kpi].into_iter().chain(&media).chain(&explicit_controls).collect();
            media.iter().map(|m| units_by_name(m, header, &taken, problems)).collect()
        }
    };
    let media_units: Vec<String> = units_of.iter().flatten().cloned().collect();

    let controls: Vec<String> = match &options.controls {
        Some(_) => {
            for name in &explicit_controls {
                require(name, "control", problems);
            }
            explicit_controls
        }
        None => header
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                **h != date
                    && **h != kpi
                    && !is_spend_column(h)
                    && !media.contains(h)
                    && !media_units.contains(h)
                    // The units of a channel left out of the media too, like its spend.
                    && !header.iter().any(|m| is_spend_column(m) && is_units_column_of(h, channel_name(m)))
                    && !h.is_empty()
                    && !is_pandas_unnamed(h)
                    && varying_numbers(*i)
            })
            .map(|(_, h)| h.clone())
            .collect(),
    };

    // A column may play one role only.
    let mut role_of: HashMap<&str, &str> = HashMap::new();
    let assigned = [(&date, "date"), (&kpi, "KPI")]
        .into_iter()
        .chain(media.iter().map(|m| (m, "media")))
        .chain(media_units.iter().map(|m| (m, "media units")))
        .chain(controls.iter().map(|c| (c, "control")));
    for (name, role) in assigned {
        if let Some(prev) = role_of.insert(name, role) {
            problems.push(
                Some(name),
                header_line,
                format!("column is given two roles ({prev} and {role}); give it one"),
            );
        }
    }

    let ignored = header
        .iter()
        .filter(|h| !h.is_empty() && !role_of.contains_key(h.as_str()))
        .cloned()
        .collect();
    let media_units_of = Some(
        media.iter().zip(&units_of).filter_map(|(m, u)| Some((m.clone(), u.clone()?))).collect(),
    );
    let roles = ColumnRoles { date, kpi, media, media_units, media_units_of, controls, ignored };
    (roles, units_of)
}

/// The media-unit pairs given by the user that pair a media column with a column no earlier
/// pair took; the others are problems.
fn given_units(
    pairs: Vec<(String, String)>,
    media: &[String],
    problems: &mut Problems,
) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (spend, units) in pairs {
        if !media.contains(&spend) {
            problems.push(
                Some(&spend),
                Some(1),
                format!(
                    "media units are given for '{spend}' ('{units}'), which is not a media \
                     column; the media columns are: {}",
                    media.join(", ")
                ),
            );
        } else if let Some((other, _)) = kept.iter().find(|(_, u)| *u == units) {
            problems.push(
                Some(&units),
                Some(1),
                format!(
                    "column gives the media units of two channels ('{other}' and '{spend}'); \
                     give each channel its own"
                ),
            );
        } else {
            kept.push((spend, units));
        }
    }
    kept
}

/// The column that gives media column `media`'s channel media units by its name
/// (`<channel>_media`, `<channel>_impressions`, ...), when the file has exactly one such column
/// that plays no other role (`taken`).
fn units_by_name(
    media: &str,
    header: &[String],
    taken: &[&String],
    problems: &mut Problems,
) -> Option<String> {
    let channel = channel_name(media);
    let candidates: Vec<&String> =
        header.iter().filter(|h| is_units_column_of(h, channel) && !taken.contains(h)).collect();
    match candidates.as_slice() {
        [] => None,
        [column] => Some((*column).clone()),
        several => {
            let names: Vec<&str> = several.iter().map(|c| c.as_str()).collect();
            problems.push(
                Some(media),
                Some(1),
                format!(
                    "several columns give channel '{channel}' media units ({}): keep one, and \
                     drop the others from the file or list them as controls",
                    names.join(", ")
                ),
            );
            None
        }
    }
}

/// Names of a column that tells geos or markets apart, in files that stack them.
const GEO_COLUMNS: [&str; 7] = ["geo", "region", "market", "dma", "state", "country", "territory"];

/// Why the file looks like several series stacked (every date the same number of times, at
/// least twice): one row per geo (or market) and date, as Meridian's geo data are laid out.
fn stacked_series(dates: &[Option<NaiveDate>], header: &[String]) -> Option<String> {
    let mut counts: HashMap<NaiveDate, usize> = HashMap::new();
    for date in dates.iter().flatten() {
        *counts.entry(*date).or_default() += 1;
    }
    let times = *counts.values().next()?;
    if counts.len() < 2 || times < 2 || counts.values().any(|c| *c != times) {
        return None;
    }
    let by = header
        .iter()
        .find(|h| GEO_COLUMNS.contains(&h.trim().to_ascii_lowercase().as_str()))
        .map_or(String::new(), |h| format!(" by '{h}'"));
    Some(format!(
        "each date appears {times} times ({} rows for {} dates): the file looks like {times} geos \
         or markets stacked{by}, one row per geo and date. mmm fits one national series: name \
         the column that tells the geos apart (geo_column when uploading, --geo-column in the \
         CLI) and mmm adds them up for each date (KPI, spend and media units summed, controls \
         averaged, weighted by a population column if any), or upload one geo at a time",
        counts.values().sum::<usize>(),
        counts.len()
    ))
}

/// Checks order, duplicates and spacing; returns the frequency when it can be told.
fn check_dates(
    dates: &[Option<NaiveDate>],
    rows: &[Row],
    column: &str,
    problems: &mut Problems,
) -> Option<Frequency> {
    let mut first_seen: HashMap<NaiveDate, u64> = HashMap::new();
    // Votes for the spacing: a supported frequency, or an unsupported gap in days.
    let mut steps: HashMap<(Option<Frequency>, i64), usize> = HashMap::new();
    let mut ordered = true;
    for (i, (date, row)) in dates.iter().zip(rows).enumerate() {
        let Some(date) = date else { continue };
        if let Some(line) = first_seen.get(date) {
            problems.push(
                Some(column),
                Some(row.line),
                format!("duplicate date {date} (also on line {line})"),
            );
            ordered = false;
            continue;
        }
        first_seen.insert(*date, row.line);
        if let Some(Some(prev)) = i.checked_sub(1).map(|j| dates[j]) {
            if *date < prev {
                problems.push(
                    Some(column),
                    Some(row.line),
                    format!(
                        "date {date} comes after {prev}: rows must be sorted by date, oldest first"
                    ),
                );
                ordered = false;
            } else {
                let step = match Frequency::of_step(prev, *date) {
                    Some(frequency) => (Some(frequency), typical_days(frequency)),
                    None => (None, (*date - prev).num_days()),
                };
                *steps.entry(step).or_default() += 1;
            }
        }
    }
    if !ordered || dates.len() < 2 {
        return None;
    }
    // The most common step wins; a tie goes to the shorter one, then to a supported one.
    let (&(frequency, days), _) = steps
        .iter()
        .max_by_key(|((frequency, days), count)| (**count, -*days, frequency.is_some()))?;
    let Some(frequency) = frequency else {
        problems.push(
            Some(column),
            None,
            format!(
                "dates are {days} days apart; only daily (1), weekly (7) or monthly (one row per \
                 calendar month) data is supported"
            ),
        );
        return None;
    };
    for i in 1..dates.len() {
        if let (Some(prev), Some(date)) = (dates[i - 1], dates[i])
            && !frequency.follows(prev, date)
        {
            problems.push(Some(column), Some(rows[i].line), spacing_problem(prev, date, frequency));
        }
    }
    Some(frequency)
}

/// About how many days a period lasts, to break ties between spacings in favour of the shorter.
fn typical_days(frequency: Frequency) -> i64 {
    match frequency {
        Frequency::Daily => 1,
        Frequency::Weekly => 7,
        Frequency::Monthly => 30,
    }
}

/// Why `date` cannot follow `prev` in data of the given frequency, and how to fix it.
fn spacing_problem(prev: NaiveDate, date: NaiveDate, frequency: Frequency) -> String {
    let gap = (date - prev).num_days();
    let unit = frequency.period_name();
    match frequency.periods_between(prev, date) {
        Some(0) => format!(
            "{date} is in the same month as {prev}: monthly data needs one row per calendar month"
        ),
        Some(periods)
            if periods > 1 && (frequency != Frequency::Monthly || gap <= 31 * periods) =>
        {
            let missing = periods - 1;
            let plural = if missing == 1 { "" } else { "s" };
            let weekend =
                frequency == Frequency::Daily && gap == 3 && prev.weekday() == chrono::Weekday::Fri;
            let fix = if weekend {
                "the weekend is missing: add its rows (zero spend), or sum the data to weeks"
            } else {
                "add the missing rows"
            };
            format!(
                "{missing} {unit}{plural} missing between {prev} and {date}: {frequency} data \
                 needs a row for every {unit}; {fix}"
            )
        }
        _ => {
            let needs = match frequency {
                Frequency::Daily => "1".to_owned(),
                Frequency::Weekly => "7".to_owned(),
                Frequency::Monthly => {
                    "one row per calendar month, 28 to 31 days after the last".to_owned()
                }
            };
            format!("irregular spacing: {gap} days after {prev}; {frequency} data needs {needs}")
        }
    }
}

#[cfg(test)]
mod tests;
