//! The command-line subcommands.

use crate::report;
use crate::{
    AdstockArg, BacktestArgs, CheckArgs, CompareArgs, DataArgs, ExportArgs, FitArgs, FrequencyArg,
    HolidaysArgs, ImportMeridianArgs, InspectArgs, MethodArg, ModelArgs, ProfileArg, SaturationArg,
    ScoreArgs, SimulateArgs, TableArg,
};
use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use mmm_core::checks::Level;
use mmm_core::dataset::Frequency;
use mmm_core::fit::{BayesSettings, FitError, Observer, fit_bayes};
use mmm_core::simulate::{Profile, SimConfig, simulate as run_simulation};
use mmm_core::spec::{AdstockKind, SaturationKind};
use mmm_core::text::count;
use mmm_core::{
    DataErrors, Dataset, FitProgress, LoadOptions, ModelDocument, ModelSpec, fit as run_fit,
    load_csv,
};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

/// How a command failed: bad data (exit code 2) or anything else (exit code 1).
#[derive(Debug)]
pub enum CliError {
    /// The input data has problems; the report lists them all.
    Data(DataErrors),
    /// Any other failure.
    Other(anyhow::Error),
    /// `mmm score --fail-on-drift` found that the data have drifted from the model (exit code
    /// 3; the report is already printed).
    Drift,
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Other(e)
    }
}

/// Whether `path` is `-`: standard input or output.
pub(crate) fn is_dash(path: &Path) -> bool {
    path == Path::new("-")
}

/// How to name `path` in messages.
fn shown(path: &Path) -> String {
    if is_dash(path) { "standard input".to_owned() } else { path.display().to_string() }
}

/// A model document from `path`, or from standard input when it is `-`.
pub(crate) fn load_model(path: &Path) -> Result<ModelDocument, CliError> {
    let bytes = read_input(path)?;
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 text", shown(path)))?;
    Ok(ModelDocument::from_json(&text).with_context(|| format!("cannot load {}", shown(path)))?)
}

/// The bytes of `path`, or of standard input when it is `-`.
fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    if is_dash(path) {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
        return Ok(bytes);
    }
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes `text` to `path`, or to standard output when it is `-`.
fn write_output(path: &Path, text: &str) -> anyhow::Result<()> {
    if is_dash(path) {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| anyhow!("cannot write to standard output: {e}"));
    }
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Ten years of weeks: more media history than any adstock window can use.
const MAX_SIMULATED_HISTORY: usize = 520;

/// A `--feast FEAST=LIFT` of `mmm simulate`: the feast (its document name, `easter`, or with
/// hyphens, `lunar-new-year`) and a lift of -0.5 to 1.
fn feast_lift(given: &str) -> Result<(mmm_core::events::Feast, f64), CliError> {
    let names = mmm_core::events::Feast::names();
    let (name, lift) = given
        .split_once('=')
        .ok_or_else(|| anyhow!("--feast {given}: write FEAST=LIFT, the feast {names}"))?;
    let feast = serde_json::from_value(serde_json::Value::from(name.trim().replace('-', "_")))
        .map_err(|_| anyhow!("--feast {given}: no feast '{name}' (the feasts: {names})"))?;
    Ok((feast, lift_of("--feast", given, lift)?))
}

/// The lift written after `=` in `flag`'s `given` value: a number from -0.5 to 1.
fn lift_of(flag: &str, given: &str, lift: &str) -> Result<f64, CliError> {
    match lift.trim().parse::<f64>() {
        Ok(lift) if (-0.5..=1.0).contains(&lift) => Ok(lift),
        _ => Err(anyhow!("{flag} {given}: the lift must be a number between -0.5 and 1").into()),
    }
}

/// A `--lift EVENT=LIFT` of `mmm simulate`: the event as `mmm fit --event` writes it, and a
/// lift of -0.5 to 1.
fn event_lift(given: &str) -> Result<(mmm_core::events::Rule, f64), CliError> {
    let (rule, lift) = given
        .rsplit_once('=')
        .ok_or_else(|| anyhow!("--lift {given}: write EVENT=LIFT (ramadan=0.3)"))?;
    let rule = rule.parse().map_err(|e| anyhow!("--lift {given}: {e}"))?;
    Ok((rule, lift_of("--lift", given, lift)?))
}

pub fn simulate(args: &SimulateArgs) -> Result<(), CliError> {
    if !(args.noise >= 0.0 && args.noise.is_finite()) {
        return Err(anyhow!("--noise must be a non-negative number").into());
    }
    if !(0.0..=0.95).contains(&args.noise_autocorrelation) {
        return Err(anyhow!("--noise-autocorrelation must be between 0 and 0.95").into());
    }
    if !(0.0..=8.0).contains(&args.adstock_peak) {
        return Err(anyhow!("--adstock-peak must be between 0 and 8 periods").into());
    }
    if !(0.0..=0.1).contains(&args.level_walk) {
        return Err(anyhow!("--level-walk must be between 0 and 0.1").into());
    }
    if !(-0.5..=1.0).contains(&args.events) {
        return Err(anyhow!("--events must be between -0.5 and 1").into());
    }
    let feasts: BTreeMap<_, _> =
        args.feast.iter().map(|f| feast_lift(f)).collect::<Result<_, _>>()?;
    if feasts.len() < args.feast.len() {
        return Err(anyhow!("--feast: give each feast once").into());
    }
    let lifts = args.lift.iter().map(|l| event_lift(l)).collect::<Result<Vec<_>, _>>()?;
    if args.weeks < 2 {
        return Err(anyhow!("--weeks (--periods) must be at least 2").into());
    }
    if args.history > MAX_SIMULATED_HISTORY {
        return Err(anyhow!("--history must be at most {MAX_SIMULATED_HISTORY} periods").into());
    }
    let config = SimConfig {
        periods: args.weeks,
        channels: usize::from(args.channels),
        seed: args.seed,
        noise: args.noise,
        profile: match args.profile {
            ProfileArg::Mixed => Profile::Mixed,
            ProfileArg::Demo => Profile::MeridianDemo,
        },
        history: args.history,
        media_units: args.media_units,
        noise_autocorrelation: args.noise_autocorrelation,
        adstock_peak: args.adstock_peak,
        level_walk: args.level_walk,
        yearly_events: args.events,
        feasts,
        lifts,
        ..SimConfig::default()
    }
    .with_frequency(match args.frequency {
        FrequencyArg::Daily => Frequency::Daily,
        FrequencyArg::Weekly => Frequency::Weekly,
        FrequencyArg::Monthly => Frequency::Monthly,
    });
    let sim = run_simulation(&config);
    write_output(&args.out, &sim.dataset.to_csv())?;
    if let Some(path) = &args.truth {
        let text =
            serde_json::to_string_pretty(&sim.truth).context("cannot serialise the truth")?;
        write_output(path, &text)?;
    }
    eprintln!(
        "wrote {} x {}{} to {}",
        count(sim.dataset.len(), "period"),
        count(sim.dataset.channels.len(), "channel"),
        match sim.dataset.history_len() {
            0 => String::new(),
            h => format!(" (after {} of media history)", count(h, "period")),
        },
        if is_dash(&args.out) { "standard output".into() } else { args.out.display().to_string() }
    );
    Ok(())
}

/// The data set `args` describe, loaded for a model of `spec`.
fn load_data(args: &DataArgs, spec: &ModelSpec) -> Result<Dataset, CliError> {
    let bytes = read_input(&args.data)?;
    let options = LoadOptions {
        date_column: args.date_column.clone(),
        kpi: args.kpi.clone(),
        media: args.media.clone(),
        controls: if args.no_controls { Some(Vec::new()) } else { args.controls.clone() },
        media_units: if args.no_media_units {
            Some(BTreeMap::new())
        } else {
            args.media_units.clone()
        },
        ..LoadOptions::default()
    };
    let bytes = added_up(bytes, args.geo_column.as_deref(), &options)?;
    load_csv(&bytes, &options, spec).map_err(CliError::Data)
}

/// A file of several geos added up to its national series when `geo` names the column that
/// tells them apart; any other file as it is.
fn added_up(bytes: Vec<u8>, geo: Option<&str>, options: &LoadOptions) -> Result<Vec<u8>, CliError> {
    match geo {
        Some(geo) => Ok(mmm_core::dataset::add_up_geos(&bytes, geo, options)
            .map_err(CliError::Data)?
            .into_bytes()),
        None => Ok(bytes),
    }
}

/// `mmm check`: the data checks of a data set, for the default model.
pub fn check(args: &CheckArgs) -> Result<(), CliError> {
    let spec = ModelSpec::default();
    let data = load_data(&args.data, &spec)?;
    let found = mmm_core::checks::check(&data, &spec);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&found).context("cannot serialise the findings")?
        );
    } else {
        print!("{}", report::checks(&data, &found));
    }
    Ok(())
}

/// The data set and specification `args` describe (with `holdout` periods held out).
fn prepare(args: &ModelArgs, holdout: usize) -> Result<(Dataset, ModelSpec), CliError> {
    let mut spec = ModelSpec {
        adstock: match args.adstock {
            AdstockArg::Geometric => AdstockKind::Geometric,
            AdstockArg::Weibull => AdstockKind::Weibull,
        },
        saturation: match args.saturation {
            SaturationArg::Hill => SaturationKind::Hill,
            SaturationArg::Logistic => SaturationKind::Logistic,
        },
        max_lag: args.max_lag,
        trend_knots: args.trend_knots,
        max_yearly_harmonics: args.max_yearly_harmonics,
        autocorrelated_noise: !args.white_noise,
        delayed_adstock: !args.no_delay,
        recurring_events: !args.no_events,
        holdout,
        seed: args.seed,
        starts: args.starts.max(1),
        ..ModelSpec::default()
    };
    if let Some(arg) = &args.priors {
        let (text, origin) = inline_or_file(arg)?;
        spec.priors = serde_json::from_str(&text)
            .map_err(|e| e.to_string())
            .and_then(mmm_core::Priors::from_json)
            .map_err(|e| anyhow!("{origin} is not a valid priors document: {e}"))?;
    }
    for event in &args.events {
        let rule = event.parse().map_err(|reason| anyhow!("--event {event}: {reason}"))?;
        spec.events.push(rule);
    }
    if let Some(country) = &args.holidays {
        use mmm_core::events::Holidays;
        let holidays = Holidays::from_code(country).ok_or_else(|| {
            anyhow!("--holidays {country}: the countries are {}", Holidays::codes())
        })?;
        spec.candidate_events = holidays.rules();
    }
    if let Some(arg) = &args.lift_tests {
        let (text, origin) = inline_or_file(arg)?;
        spec.lift_tests = serde_json::from_str(&text)
            .with_context(|| format!("{origin} is not a JSON array of lift tests"))?;
    }
    if args.max_lag > mmm_core::params::MAX_LAG_LIMIT {
        return Err(anyhow!("--max-lag must be at most {}", mmm_core::params::MAX_LAG_LIMIT).into());
    }
    if args.trend_knots > mmm_core::spec::MAX_TREND_KNOTS {
        return Err(
            anyhow!("--trend-knots must be at most {}", mmm_core::spec::MAX_TREND_KNOTS).into()
        );
    }
    if args.max_yearly_harmonics > mmm_core::spec::MAX_YEARLY_HARMONICS {
        return Err(anyhow!(
            "--max-yearly-harmonics must be at most {}",
            mmm_core::spec::MAX_YEARLY_HARMONICS
        )
        .into());
    }
    let data = load_data(&args.data, &spec)?;
    Ok((data, spec))
}

/// Fits `data` by the method `args` names.
fn fit_by(
    args: &ModelArgs,
    data: &Dataset,
    spec: &ModelSpec,
    observer: Option<Observer<'_>>,
) -> Result<ModelDocument, FitError> {
    match args.method {
        MethodArg::Map => run_fit(data, spec, observer),
        MethodArg::Bayes => {
            let settings = BayesSettings {
                chains: args.chains,
                draws: args.draws,
                tune: args.tune,
                ..BayesSettings::default()
            };
            fit_bayes(data, spec, &settings, observer)
        }
    }
}

/// A terminal progress bar (hidden when the output is not a terminal).
fn progress_bar(template: &str) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template(template)
            .map_err(|e| anyhow!("progress bar template: {e}"))?
            .progress_chars("=> "),
    );
    Ok(bar)
}

pub fn fit(args: &FitArgs) -> Result<(), CliError> {
    let (data, spec) = prepare(&args.model, args.holdout)?;
    let bar = progress_bar("{spinner} fitting [{bar:30}] {percent:>3}% {msg}")?;
    let observer = |p: &FitProgress| {
        bar.set_position((p.fraction * 1000.0).round() as u64);
        bar.set_message(p.message.clone());
        true
    };
    let started = std::time::Instant::now();
    let doc = fit_by(&args.model, &data, &spec, Some(&observer)).map_err(|e| anyhow!(e))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed();

    let mut text = report::summary(&doc);
    if args.insights {
        text += &report::insights(&doc);
    }
    // Which columns the defaults took as controls and which they left out.
    let roles = &data.roles;
    let none = || "none".to_owned();
    text += &format!(
        "controls: {}\nignored columns: {}\n",
        Some(roles.controls.join(", ")).filter(|s| !s.is_empty()).unwrap_or_else(none),
        Some(roles.ignored.join(", ")).filter(|s| !s.is_empty()).unwrap_or_else(none),
    );
    let found = mmm_core::checks::check(&data, &spec);
    if !found.is_empty() {
        let at = |level| found.iter().filter(|f| f.level == level).count();
        text += &format!(
            "data checks: {} (mmm check explains them)\n",
            report::check_counts(at(Level::Warning), at(Level::Note))
        );
    }
    text += &format!(
        "fitted {} x {} in {:.0} ms\n",
        count(doc.periods, "period"),
        count(doc.channels.len(), "channel"),
        elapsed.as_secs_f64() * 1e3
    );
    report_and_write(&text, args.json.as_deref(), &doc.to_json(), "model")
}

pub fn backtest(args: &BacktestArgs) -> Result<(), CliError> {
    let (data, spec) = prepare(&args.model, 0)?;
    let bar = progress_bar("{spinner} backtest [{bar:30}] {percent:>3}% {msg}")?;
    bar.set_length(args.folds as u64);
    let started = std::time::Instant::now();
    let result = mmm_core::backtest::backtest(
        &data,
        &spec,
        args.folds,
        args.horizon.unwrap_or_else(|| data.frequency.periods_per_quarter()),
        |d, s| fit_by(&args.model, d, s, None),
        |done, of| {
            bar.set_position(done as u64);
            bar.set_message(format!("fold {done} of {of} fitted"));
        },
    )
    .map_err(|e| anyhow!(e))?;
    bar.finish_and_clear();
    let text = format!(
        "{}backtest of {} folds in {:.0} ms\n",
        report::backtest(&data, &result),
        result.folds.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let json = serde_json::to_string_pretty(&result).context("cannot serialise the backtest")?;
    report_and_write(&text, args.json.as_deref(), &json, "backtest")
}

/// Prints the human-readable `report`, then writes `document` to `path` if one is given. With
/// `-` the document goes to standard output and the report to standard error, so that the
/// output can be piped into another command.
fn report_and_write(
    report: &str,
    path: Option<&Path>,
    document: &str,
    what: &str,
) -> Result<(), CliError> {
    match path {
        Some(path) if is_dash(path) => {
            eprint!("{report}");
            write_output(path, document)?;
        }
        Some(path) => {
            print!("{report}");
            write_output(path, document)?;
            println!("{what} written to {}", path.display());
        }
        None => print!("{report}"),
    }
    Ok(())
}

pub fn inspect(args: &InspectArgs) -> Result<(), CliError> {
    let doc = load_model(&args.model)?;
    if args.json {
        println!("{}", doc.to_json());
    } else {
        print!("{}", report::summary(&doc));
        if args.insights {
            print!("{}", report::insights(&doc));
        }
    }
    Ok(())
}

pub fn holidays(args: &HolidaysArgs) -> Result<(), CliError> {
    use mmm_core::events::Holidays;
    let Some(code) = &args.code else {
        for holidays in Holidays::ALL {
            println!(
                "{}  {} ({} holidays)",
                holidays.code(),
                holidays.country(),
                holidays.rules().len()
            );
        }
        return Ok(());
    };
    let holidays = Holidays::from_code(code).ok_or_else(|| {
        anyhow!("no holidays for '{code}' (the countries: {})", Holidays::codes())
    })?;
    let rules = holidays.rules();
    let width = rules.iter().map(|r| r.to_string().len()).max().unwrap_or(0);
    let label_width = rules.iter().map(|r| r.label().chars().count()).max().unwrap_or(0);
    for rule in rules {
        let (written, label) = (rule.to_string(), rule.label());
        match args.year {
            None => println!("{written:width$}  {label}"),
            Some(year) => {
                let days: Vec<String> =
                    rule.days_in(year).into_iter().map(mmm_core::events::day_span).collect();
                let days = if days.is_empty() { "not known".to_owned() } else { days.join(", ") };
                println!("{written:width$}  {label:label_width$}  {days}");
            }
        }
    }
    Ok(())
}

pub fn compare(args: &CompareArgs) -> Result<(), CliError> {
    if is_dash(&args.first) && is_dash(&args.second) {
        return Err(anyhow!("only one of the two models can come from standard input").into());
    }
    let (a, b) = (load_model(&args.first)?, load_model(&args.second)?);
    let names = [shown(&args.first), shown(&args.second)];
    if args.json {
        let value = report::compare_json(&a, &b, [&names[0], &names[1]]);
        println!("{}", serde_json::to_string_pretty(&value).context("serialising the comparison")?);
    } else {
        print!("{}", report::compare(&a, &b, [&names[0], &names[1]]));
    }
    Ok(())
}

pub fn export(args: &ExportArgs) -> Result<(), CliError> {
    use mmm_core::export::Table;
    let doc = load_model(&args.model)?;
    let table = match args.table {
        TableArg::Decomposition => Table::Decomposition,
        TableArg::Channels => Table::Channels,
        TableArg::Curves => Table::Curves,
    };
    write_output(&args.out, &mmm_core::export::table_csv(&doc, table))?;
    Ok(())
}

pub fn score(args: &ScoreArgs) -> Result<(), CliError> {
    if is_dash(&args.model) && is_dash(&args.data) {
        return Err(anyhow!("the model and the data cannot both come from standard input").into());
    }
    let doc = load_model(&args.model)?;
    let bytes = read_input(&args.data)?;
    let options = mmm_core::score::load_options(&doc, &args.date_column);
    let bytes = added_up(bytes, args.geo_column.as_deref(), &options)?;
    let data = mmm_core::load_csv_for_scoring(&bytes, &options).map_err(CliError::Data)?;
    let score = mmm_core::score::score(&doc, &data).map_err(CliError::Data)?;
    let json = serde_json::to_string_pretty(&score).context("cannot serialise the score")?;
    report_and_write(&report::score(&doc, &score), args.json.as_deref(), &json, "score")?;
    if args.fail_on_drift && score.drift.as_ref().is_some_and(|d| d.drifted) {
        return Err(CliError::Drift);
    }
    Ok(())
}

pub fn import_meridian(args: &ImportMeridianArgs) -> Result<(), CliError> {
    let bytes = read_input(&args.model)?;
    let name = if is_dash(&args.model) {
        "stdin.binpb".to_owned()
    } else {
        args.model.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    };
    let started = std::time::Instant::now();
    let imported = mmm_meridian::import(&bytes, &name)
        .with_context(|| format!("cannot import {}", shown(&args.model)))?;
    let elapsed = started.elapsed();
    let text = format!(
        "{}imported in {:.0} ms\n",
        report::summary(&imported.document),
        elapsed.as_secs_f64() * 1e3
    );
    report_and_write(&text, args.json.as_deref(), &imported.document.to_json(), "model")?;
    if let Some(path) = &args.data {
        fs::write(path, &imported.csv)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("data written to {}", path.display());
    }
    Ok(())
}

/// A JSON argument given inline (it starts with `{` or `[`) or as a file path: its text, and how
/// to name it in errors.
fn inline_or_file(arg: &str) -> anyhow::Result<(String, String)> {
    if arg.trim_start().starts_with(['{', '[']) {
        return Ok((arg.to_owned(), "the JSON given".to_owned()));
    }
    let text = fs::read_to_string(arg).with_context(|| format!("cannot read {arg}"))?;
    Ok((text, arg.to_owned()))
}
