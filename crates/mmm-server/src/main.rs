//! `mmm`: the media mix modelling command line and (later) server.

mod budget;
mod commands;
mod database;
mod report;

use mmm_server::{app, config, seed};

use clap::{Args, Parser, Subcommand, ValueEnum};
use mmm_core::dataset::{parse_column_list, parse_media_units};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Media mix modelling: fit how each marketing channel drives a KPI, read contributions, ROI
/// and response curves.
#[derive(Debug, Parser)]
#[command(name = "mmm", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the REST API, its OpenAPI document and Swagger UI (configured by environment
    /// variables and .env; see .env.example).
    Serve,
    /// Create the documented test users and the demo data set and model, if missing.
    Seed,
    /// Write a synthetic data set with known truth (for trying mmm out and for tests).
    Simulate(SimulateArgs),
    /// Fit a model to a CSV data set and print the channel summary.
    Fit(FitArgs),
    /// Check a CSV data set before fitting: what in it will limit what a model can tell (correlated
    /// or seasonal spend, always-on, rarely-off or sparse channels, outliers, spend spikes, too few
    /// periods). Findings are cautions; data that cannot be read exit with code 2.
    Check(CheckArgs),
    /// Print the summary of a saved model document.
    InspectModel(InspectArgs),
    /// List the countries whose holidays `mmm fit --holidays` can ask about, or one country's
    /// holidays: each as `--event` would name it, and when it falls (with --year, on which days
    /// that year).
    Holidays(HolidaysArgs),
    /// Compare two saved models of the same data channel by channel, such as before and after a
    /// lift test or an ROI prior: each ROI with its 90% interval, the change, and how much the
    /// data narrowed each ROI prior; then the fit metrics.
    Compare(CompareArgs),
    /// Write a table of a saved model as CSV, for spreadsheets: the per-period decomposition, the
    /// channel results, or the response curves.
    Export(ExportArgs),
    /// Rolling-origin backtest: fit on growing windows of the data, score the periods after each,
    /// and show how stable each channel's ROI is across the fits.
    Backtest(BacktestArgs),
    /// Score a saved model on data, such as the periods that arrived after it was fitted: its
    /// predictions with 90% intervals, their accuracy, and whether the data have drifted from it;
    /// rows at the end without a KPI are forecast from their planned spend and controls.
    Score(ScoreArgs),
    /// Import a Google Meridian model saved with save_meridian (.binpb) and print its summary.
    ImportMeridian(ImportMeridianArgs),
    /// Recommend the split of a budget per period across channels (or, with --target-mroi, the
    /// largest budget whose every funded channel still returns at least that much at the margin).
    Optimize(OptimizeArgs),
    /// Plan a total budget over several future periods, with adstock carry-over.
    Plan(PlanArgs),
    /// Optimal response for budgets from -50% to +50% of a budget (the efficient frontier).
    Frontier(FrontierArgs),
    /// Evaluate an allocation of your own ("what if search got 40,000 a week?"): its response
    /// against the current split, and at another total against the current split scaled to it,
    /// each with the chance and the 90% interval of the difference.
    Scenario(ScenarioArgs),
    /// Apply pending database migrations.
    Migrate(DbArgs),
    /// Show the database backend, its version and the migration state.
    CheckDb(DbArgs),
    /// Drop every table and migrate again: deletes all data.
    ResetDb(ResetArgs),
}

/// `name=value`: a channel's spend, or a control's value.
fn name_value(s: &str) -> Result<(String, f64), String> {
    let (name, value) =
        s.split_once('=').ok_or_else(|| format!("expected name=value, got '{s}'"))?;
    let v: f64 = value.trim().parse().map_err(|_| format!("'{value}' is not a number"))?;
    Ok((name.trim().to_owned(), v))
}

#[derive(Debug, Args)]
struct ConstraintArgs {
    /// Keep every channel within this fraction of its current spend (0.5 = ±50%).
    #[arg(long, allow_negative_numbers = true)]
    bounds_pct: Option<f64>,
    /// Minimum spend per period for a channel, e.g. --min tv=20000 (repeatable).
    #[arg(long = "min", value_parser = name_value)]
    min: Vec<(String, f64)>,
    /// Maximum spend per period for a channel (repeatable).
    #[arg(long = "max", value_parser = name_value)]
    max: Vec<(String, f64)>,
    /// Hold a channel at a spend per period (repeatable).
    #[arg(long = "lock", value_parser = name_value)]
    lock: Vec<(String, f64)>,
    /// Allow leaving budget unspent when every channel is at its maximum.
    #[arg(long)]
    up_to: bool,
}

#[derive(Debug, Args)]
struct OptimizeArgs {
    #[command(flatten)]
    model: SavedModel,
    /// Budget per period.
    #[arg(
        long,
        allow_negative_numbers = true,
        required_unless_present = "target_mroi",
        conflicts_with = "target_mroi"
    )]
    budget: Option<f64>,
    /// Find the largest budget at which every funded channel's marginal ROI is at least this.
    #[arg(long, allow_negative_numbers = true)]
    target_mroi: Option<f64>,
    #[command(flatten)]
    constraints: ConstraintArgs,
    /// Write the result as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct PlanArgs {
    #[command(flatten)]
    model: SavedModel,
    /// Periods to plan.
    #[arg(long)]
    periods: usize,
    /// Total budget over all planned periods.
    #[arg(long, allow_negative_numbers = true)]
    budget: f64,
    /// Largest total spend in any one period.
    #[arg(long, allow_negative_numbers = true)]
    period_cap: Option<f64>,
    #[command(flatten)]
    constraints: ConstraintArgs,
    /// Write the plan as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the plan as a CSV file to forecast with `mmm score MODEL FILE`: the model's columns,
    /// an empty KPI, the planned spend, and each control at its `--control` value or else at its
    /// mean (edit them to the values expected).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// A control's value over the planned periods in the `--csv` file, e.g. --control promo=1
    /// (repeatable; the others stay at their mean).
    #[arg(long = "control", value_parser = name_value, requires = "csv")]
    controls: Vec<(String, f64)>,
}

#[derive(Debug, Args)]
struct ScenarioArgs {
    #[command(flatten)]
    model: SavedModel,
    /// Spend per period for a channel, e.g. --spend search=40000 (repeatable); the channels not
    /// named keep their current spend.
    #[arg(long = "spend", value_parser = name_value, required = true)]
    spend: Vec<(String, f64)>,
    /// Write the result as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct FrontierArgs {
    #[command(flatten)]
    model: SavedModel,
    /// Reference budget per period.
    #[arg(long, allow_negative_numbers = true)]
    budget: f64,
    /// Budgets from -50% to +50% in this many steps.
    #[arg(long, default_value_t = 11)]
    steps: usize,
    #[command(flatten)]
    constraints: ConstraintArgs,
    /// Write the frontier as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Database: `postgres://...` for PostgreSQL, a file path or `sqlite://path` for SQLite.
    #[arg(long, env = "DATABASE_URL", default_value = mmm_db::DEFAULT_DATABASE_URL, hide_env_values = true)]
    database_url: String,
}

#[derive(Debug, Args)]
struct ResetArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Confirm that every table and all data may be deleted.
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Args)]
struct SimulateArgs {
    /// Number of periods (weeks unless `--frequency` says otherwise).
    #[arg(long, visible_alias = "periods", default_value_t = 156)]
    weeks: usize,
    /// Spacing of the periods: weeks from Monday 2022-01-03, days from that Monday, or calendar
    /// months from 2022-01-01. The market's carry-over and bursts of spend run per period, its
    /// yearly cycles over a year's periods.
    #[arg(long, value_enum, default_value_t = FrequencyArg::Weekly)]
    frequency: FrequencyArg,
    /// Number of media channels (1-20).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=20))]
    channels: u16,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Noise standard deviation as a fraction of the mean KPI.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.05)]
    noise: f64,
    /// Period-to-period autocorrelation of the noise, 0 to 0.95: slow noise, as real markets
    /// have (AR(1) with the standard deviation `--noise` asks for); 0 draws independent noise.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.0)]
    noise_autocorrelation: f64,
    /// Periods after the spend at which each channel's carry-over peaks, 0 to 8: TV-like
    /// channels whose effect builds up (weights `decay^((lag − peak)²)`); 0 is the geometric
    /// carry-over, largest in the period of the spend.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.0)]
    adstock_peak: f64,
    /// Steps of a random walk in the level, as a fraction of the mean KPI, 0 to 0.1: a baseline
    /// that wanders beside the noise; 0 keeps the level on its trend and season.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.0)]
    level_walk: f64,
    /// Lift of two events a year that no column marks (the periods holding 27 November and 24
    /// December), as a fraction of the starting level, -0.5 to 1; 0 has none.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.0)]
    events: f64,
    /// Lift of the period holding a feast's day every year, as a fraction of the starting level,
    /// -0.5 to 1, written FEAST=LIFT: easter, orthodox_easter, lunar_new_year, eid_al_fitr,
    /// eid_al_adha, mid_autumn, dragon_boat, diwali, islamic_new_year, mawlid, isra_miraj, holi,
    /// dussehra, buddhas_birthday, vernal_equinox, autumnal_equinox, qingming, seollal or chuseok
    /// (`--feast
    /// easter=0.4`: Easter Sunday falls on 22 March to 25 April, no date's period). Repeat it for
    /// several.
    #[arg(long, value_name = "FEAST=LIFT", allow_hyphen_values = true)]
    feast: Vec<String>,
    /// Lift of an event every year, as a fraction of the starting level, -0.5 to 1, written
    /// EVENT=LIFT with the event as `mmm fit --event` takes it: each period gains the share of
    /// the event it holds (`--lift 11-20..12-25=0.2`, a holiday season; `--lift ramadan=0.3`).
    /// Repeat it for several.
    #[arg(long, value_name = "EVENT=LIFT", allow_hyphen_values = true)]
    lift: Vec<String>,
    /// Where to write the CSV (`-` for standard output).
    #[arg(long)]
    out: PathBuf,
    /// Where to write the true parameters as JSON (`-` for standard output).
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Kind of market: `mixed` (media about 30% of the KPI, some small weak channels) or `demo`
    /// (shaped like the Meridian demo data: media about 55% of the KPI).
    #[arg(long, value_enum, default_value_t = ProfileArg::Mixed)]
    profile: ProfileArg,
    /// Periods of media spend before the first KPI period, written as media history (leading
    /// rows with an empty KPI); 0 starts the market cold.
    #[arg(long, default_value_t = 0)]
    history: usize,
    /// Channels buy media units (impressions) at a price that drifts over time; the file gets
    /// a `<channel>_media` column per channel, and `mmm fit` fits each channel on it.
    #[arg(long)]
    media_units: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FrequencyArg {
    Daily,
    Weekly,
    Monthly,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProfileArg {
    Mixed,
    Demo,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AdstockArg {
    Geometric,
    Weibull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MethodArg {
    Map,
    Bayes,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SaturationArg {
    Hill,
    Logistic,
}

/// A data file and the role of its columns.
#[derive(Debug, Args)]
struct DataArgs {
    /// CSV file: one row per period with a date, the KPI, media spend and controls (`-` reads
    /// standard input).
    data: PathBuf,
    /// Date column (YYYY-MM-DD; also DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY or YYYY/MM/DD).
    #[arg(long, default_value = "date")]
    date_column: String,
    /// KPI column.
    #[arg(long, default_value = "revenue")]
    kpi: String,
    /// Media spend columns, comma separated; a name with a comma in it goes in double quotes
    /// [default: every column ending in _spend].
    #[arg(long, value_parser = parse_column_list)]
    media: Option<Names>,
    /// Control columns, comma separated, names quoted as for --media [default: every other
    /// numeric column].
    #[arg(long, value_parser = parse_column_list, conflicts_with = "no_controls")]
    controls: Option<Names>,
    /// Use no control columns.
    #[arg(long)]
    no_controls: bool,
    /// Media-unit columns (impressions, GRPs, clicks) to fit channels on, as comma separated
    /// media=units pairs, e.g. tv_spend=tv_exposure, names quoted as for --media [default: a column
    /// named for a channel's units beside its spend column: tv_media, tv_impressions, tv_grps,
    /// ...].
    #[arg(long, value_parser = parse_media_units, conflicts_with = "no_media_units")]
    media_units: Option<BTreeMap<String, String>>,
    /// Fit every channel on its spend, whatever media-unit columns the file has.
    #[arg(long)]
    no_media_units: bool,
    /// The file stacks several geos or markets (one row per geo and date, as Meridian's geo
    /// data); this column tells them apart. They are added up for each date first: KPI, spend
    /// and media units summed, controls averaged (weighted by a `population` column if any).
    #[arg(long)]
    geo_column: Option<String>,
}

/// Column names read from one argument by [`parse_column_list`]. An alias, not `Vec<String>`
/// written out, so that clap takes the list as one value rather than as repeated arguments.
type Names = Vec<String>;

/// The data and the model specification, shared by `fit` and `backtest`.
#[derive(Debug, Args)]
struct ModelArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Seed of the multi-start search (the same seed gives the same model).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Adstock family.
    #[arg(long, value_enum, default_value = "geometric")]
    adstock: AdstockArg,
    /// Saturation family.
    #[arg(long, value_enum, default_value = "hill")]
    saturation: SaturationArg,
    /// Adstock window in periods.
    #[arg(long, default_value_t = 8)]
    max_lag: usize,
    /// Knots, spread evenly over the data, where the trend may bend (0 keeps it straight). The
    /// fit bends it only when the data are more likely with a bent trend than a straight one.
    #[arg(long, default_value_t = 4)]
    trend_knots: usize,
    /// Most yearly harmonics the season may have (beyond the 2 it always has, the fit adds the
    /// rest together only when the data are more likely with them; 2 keeps it smooth).
    #[arg(long, default_value_t = 6)]
    max_yearly_harmonics: usize,
    /// Keep the noise independent from period to period. By default the fit lets it carry
    /// over (AR(1)) when the data are more likely with noise that lingers, and then weighs the
    /// periods accordingly.
    #[arg(long)]
    white_noise: bool,
    /// Keep each channel's carry-over largest in the period of the spend. By default, with the
    /// geometric adstock, the fit also tries carry-over that peaks later (Weibull adstock) and
    /// keeps it when the data are more likely with it.
    #[arg(long)]
    no_delay: bool,
    /// Leave recurring events to the residuals. By default, in weekly and daily data, the fit
    /// gives a week (or day) it misses the same way every year (Black Friday, Christmas, a
    /// yearly sale the file does not mark) a baseline term of its own, when the data are more
    /// likely with it. Events named with --event and holidays asked with --holidays are still
    /// fitted.
    #[arg(long)]
    no_events: bool,
    /// A recurring event you know of (repeat for several; weekly and daily data): MM-DD (11-27),
    /// MM-DD/Fri for the first such weekday on or after the date (Black Friday: 11-23/Fri), or a
    /// feast with the days from it: easter, easter-2 (Good Friday), orthodox_easter,
    /// lunar_new_year, eid_al_fitr, eid_al_adha, mid_autumn, dragon_boat, diwali, islamic_new_year,
    /// mawlid, isra_miraj, holi, dussehra (these two known for 2001-2035), buddhas_birthday,
    /// vernal_equinox, autumnal_equinox, qingming, seollal, chuseok. An
    /// event of several days (92 at most) names its last day after `..`: 11-20..12-25 (a holiday
    /// season), easter-2..+1 (Good Friday to Easter Monday), ramadan (eid_al_fitr-30..-1), navratri
    /// (dussehra-9..-1); a week that holds part of it gets that share of its effect. Each gets a
    /// baseline term whatever the data's evidence.
    #[arg(long = "event", value_name = "EVENT", allow_hyphen_values = true)]
    events: Vec<String>,
    /// A country's holidays to ask the data about (us, uk, de, fr, ca, au, es, it, nl, br, mx,
    /// jp, cn, kr, in, tr, sa, ae, eg or id; weekly
    /// and daily data):
    /// each gets a term only where the data are more likely with it, at prior odds of one to
    /// the number of holidays (with or without --no-events).
    #[arg(long, value_name = "COUNTRY")]
    holidays: Option<String>,
    /// Random starts of the nonlinear search.
    #[arg(long, default_value_t = 12)]
    starts: usize,
    /// `map` (point estimate, fastest) or `bayes` (NUTS posterior with 90% intervals).
    #[arg(long, value_enum, default_value = "map")]
    method: MethodArg,
    /// Bayesian fit: chains (run in parallel).
    #[arg(long, default_value_t = 4)]
    chains: usize,
    /// Bayesian fit: draws per chain after warm-up.
    #[arg(long, default_value_t = 1000)]
    draws: usize,
    /// Bayesian fit: warm-up draws per chain.
    #[arg(long, default_value_t = 1000)]
    tune: usize,
    /// Priors: a JSON file, or the JSON itself, e.g. '{"roi_relative_sd": 0.5, "channel_roi":
    /// {"tv": {"median": 1.5, "relative_sd": 0.3}}, "shape_median": 1.5}' (see
    /// docs/methodology.md).
    #[arg(long)]
    priors: Option<String>,
    /// Lift-test results that calibrate the fit, a JSON file or the JSON itself: an array of
    /// {channel, start, end, incremental, standard_error}.
    #[arg(long)]
    lift_tests: Option<String>,
}

#[derive(Debug, Args)]
struct FitArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Keep the last N periods out of the fit and score the model on them.
    #[arg(long, default_value_t = 0)]
    holdout: usize,
    /// Also print the insights: findings in plain language, with where to calibrate.
    #[arg(long)]
    insights: bool,
    /// Write the model document (JSON) here; `-` writes it to standard output and the table to
    /// standard error, for piping into inspect-model, optimize, plan or frontier.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Print the findings as JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct BacktestArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Number of folds: fold k (counted from the end) fits the data up to k horizons before their
    /// end and scores the next horizon.
    #[arg(long, default_value_t = 4)]
    folds: usize,
    /// Periods each fold scores [default: a quarter: 13 weeks, 3 months or 91 days].
    #[arg(long)]
    horizon: Option<usize>,
    /// Write the backtest (every fold's accuracy, drift test and channel ROIs, and each
    /// channel's ROI stability) as JSON here; `-` writes it to standard output and the report to
    /// standard error.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// The saved model a budget command works on: the first argument, as for `score`, `export` and
/// `inspect-model` (`--model M.json`, the older form, is still read).
#[derive(Debug, Args)]
struct SavedModel {
    /// Model document written by `mmm fit --json` (`-` reads standard input).
    #[arg(value_name = "MODEL", required_unless_present = "model", conflicts_with = "model")]
    path: Option<PathBuf>,
    /// The model document as an option, as earlier versions took it.
    #[arg(long = "model", value_name = "MODEL", hide = true)]
    model: Option<PathBuf>,
}

impl SavedModel {
    /// The model's path, however it was given.
    fn path(&self) -> &std::path::Path {
        self.path.as_deref().or(self.model.as_deref()).unwrap_or(std::path::Path::new("-"))
    }
}

#[derive(Debug, Args)]
struct HolidaysArgs {
    /// A country's code (us, uk, ..., id): list its holidays instead of the countries.
    code: Option<String>,
    /// With a country: also give the days each holiday falls on in this year (to check the
    /// list against a calendar before fitting).
    #[arg(long, requires = "code")]
    year: Option<i32>,
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// Model document written by `mmm fit --json` (`-` reads standard input).
    model: PathBuf,
    /// Print the whole document as JSON instead of the summary.
    #[arg(long, conflicts_with = "insights")]
    json: bool,
    /// Also print the insights: findings in plain language, with where to calibrate.
    #[arg(long)]
    insights: bool,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The first model document (A), written by `mmm fit --json`.
    first: PathBuf,
    /// The second model document (B); changes are from A to B.
    second: PathBuf,
    /// Print the comparison as JSON instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Model document written by `mmm fit --json` (`-` reads standard input).
    model: PathBuf,
    /// The table: `decomposition` (a row per period: actual, fitted, baseline parts, each
    /// channel's contribution and its 90% interval), `channels` (a row per channel: spend,
    /// contribution, ROI, mROI, share with intervals, data weight, curve parameters) or `curves`
    /// (a row per channel and point of its response curve).
    #[arg(value_enum)]
    table: TableArg,
    /// Write the CSV here instead of to standard output.
    #[arg(long, default_value = "-")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TableArg {
    Decomposition,
    Channels,
    Curves,
}

#[derive(Debug, Args)]
struct ScoreArgs {
    /// Model document written by `mmm fit --json` (`-` reads standard input).
    model: PathBuf,
    /// CSV file with the model's date, KPI, spend and control columns; leading rows with an
    /// empty KPI are media history, as for fitting, and trailing ones are periods to forecast
    /// (`-` reads standard input).
    data: PathBuf,
    /// Date column (YYYY-MM-DD; also DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY or YYYY/MM/DD).
    #[arg(long, default_value = "date")]
    date_column: String,
    /// The data stack several geos (one row per geo and date); this column tells them apart.
    /// They are added up for each date first, as `fit --geo-column` does.
    #[arg(long)]
    geo_column: Option<String>,
    /// Write the score (every period's prediction and interval, the metrics and the drift
    /// test) as JSON here; `-` writes it to standard output and the report to standard error.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit with code 3 when the data have drifted from the model (for scheduled checks).
    #[arg(long)]
    fail_on_drift: bool,
}

#[derive(Debug, Args)]
struct ImportMeridianArgs {
    /// Model file written by Meridian's `save_meridian(mmm, "model.binpb")` (`-` reads standard
    /// input). Legacy `.pkl` files must be converted first with scripts/meridian-pkl-to-binpb.py.
    model: PathBuf,
    /// Write the imported model document here (usable with inspect-model, optimize, plan, ...);
    /// `-` writes it to standard output and the summary to standard error.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the marketing data the model was fitted on here, as an mmm CSV.
    #[arg(long)]
    data: Option<PathBuf>,
}

fn init_logging(default: &str) {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default))
        .try_init();
}

fn serve() -> Result<(), commands::CliError> {
    let config = config::Config::from_env().map_err(|e| anyhow::anyhow!(e))?;
    if config.uses_default_secret() {
        log::warn!(
            "SECRET_KEY is not set: using the development secret (refused with ENVIRONMENT=production)"
        );
    }
    actix_web::rt::System::new().block_on(async move {
        let app = app::Application::build(&config)?;
        log::info!(
            "environment: {:?}, database: {}",
            config.environment,
            mmm_db::DatabaseUrl::parse(&config.database_url)
                .map(|u| u.redacted())
                .unwrap_or_default()
        );
        log::info!(
            "mmm listening on http://{}:{} (Swagger UI at /docs, spec at /api-docs/openapi.json)",
            config.host,
            app.port()
        );
        app.run_until_stopped().await.map_err(anyhow::Error::from)?;
        Ok(())
    })
}

fn seed_command() -> Result<(), commands::CliError> {
    let config = config::Config::from_env().map_err(|e| anyhow::anyhow!(e))?;
    seed::seed(&config)?;
    Ok(())
}

/// Exit status of a process whose output was closed early (128 + SIGPIPE, as shells report it).
const BROKEN_PIPE_EXIT: u8 = 141;

/// Whether a panic is `print!` failing because the reader of stdout went away, as in
/// `mmm fit data.csv | head`: the output is simply cut short, which is not an error of mmm.
fn is_broken_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    message.is_some_and(|m| m.starts_with("failed printing to stdout") && m.contains("Broken pipe"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(if matches!(cli.command, Command::Serve) { "info" } else { "warn" });
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_broken_pipe(info.payload()) {
            default_hook(info);
        }
    }));
    let command = std::panic::AssertUnwindSafe(cli.command);
    let result = match std::panic::catch_unwind(move || run(command.0)) {
        Ok(result) => result,
        Err(payload) => {
            if is_broken_pipe(payload.as_ref()) {
                return ExitCode::from(BROKEN_PIPE_EXIT);
            }
            std::panic::resume_unwind(payload)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::CliError::Data(report)) => {
            eprintln!("error: {report}");
            ExitCode::from(2)
        }
        Err(commands::CliError::Drift) => ExitCode::from(3),
        Err(commands::CliError::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), commands::CliError> {
    match command {
        Command::Serve => serve(),
        Command::Seed => seed_command(),
        Command::Simulate(args) => commands::simulate(&args),
        Command::Fit(args) => commands::fit(&args),
        Command::Check(args) => commands::check(&args),
        Command::InspectModel(args) => commands::inspect(&args),
        Command::Holidays(args) => commands::holidays(&args),
        Command::Compare(args) => commands::compare(&args),
        Command::Export(args) => commands::export(&args),
        Command::Score(args) => commands::score(&args),
        Command::Backtest(args) => commands::backtest(&args),
        Command::ImportMeridian(args) => commands::import_meridian(&args),
        Command::Optimize(args) => budget::optimize(&args),
        Command::Plan(args) => budget::plan(&args),
        Command::Frontier(args) => budget::frontier(&args),
        Command::Scenario(args) => budget::scenario(&args),
        Command::Migrate(args) => database::migrate(&args),
        Command::CheckDb(args) => database::check(&args),
        Command::ResetDb(args) => database::reset(&args),
    }
}
