// Shapes of the API's answers that the dashboard reads.

export type Interval = [number, number];

export interface Dataset {
  id: string; name: string; frequency: string; rows: number; history_rows: number; start_date: string; end_date: string;
  roles: { date: string; kpi: string; media: string[]; channels: string[]; media_units: string[]; units: (string | null)[]; controls: string[]; ignored: string[] };
  created_at: string;
}

/** A finding of the data checks: something in the data that will limit what a model can tell. */
export interface DataCheck {
  kind: string; level: 'warning' | 'note'; columns: string[]; dates: string[]; title: string; message: string;
  numbers: Record<string, number>;
}

export interface DatasetDetail extends Dataset { columns: string[]; preview: string[][]; checks: DataCheck[] }

/** A stored upload with its data checks. */
export interface Uploaded extends Dataset { checks: DataCheck[] }

export interface Fit { r2: number; mape: number; nrmse: number; sigma: number; holdout?: { periods: number; r2: number; mape: number; nrmse: number } | null }

export interface Model {
  id: string; dataset_id: string; status: string; origin: string; created_at: string; finished_at: string | null;
  /** The name its owner gave it, if any. */
  name: string | null;
  spec: { method?: string; holdout?: number; seed?: number; media_units?: Record<string, string> };
  metrics: Fit | null;
}

export interface Status {
  model_id: string; dataset_id: string; origin: string; engine: string; method: string; posterior_draws: number; kpi: string;
  /** An imported model's notes: how its figures relate to the tool's own (empty for mmm's fits). */
  notes: string[];
  /** Where the trend bends (0 to 1 over the fitting window); empty for a straight trend. */
  trend_knots: number[];
  /** Harmonics of the yearly season: 2 unless the data asked for more, 0 without a season. */
  yearly_harmonics: number;
  /** The noise's autocorrelation from one period to the next; null when it is independent. */
  noise_autocorrelation: number | null;
  /** The share of the noise's variance that carries over, when the rest is independent; null otherwise. */
  noise_autocorrelated_share: number | null;
  /** The channels whose carry-over peaks after the spend, with the lag of the peak in periods. */
  late_peaks: { channel: string; lag: number }[];
  /** Recurring events the fit found in weekly or daily data: the week (or day) holding a date every year, and its effect on the KPI. */
  recurring_events: { month: number; day: number; weekday?: string; easter?: number; orthodox_easter?: number; lunar_new_year?: number; eid_al_fitr?: number; eid_al_adha?: number; mid_autumn?: number; dragon_boat?: number; diwali?: number; islamic_new_year?: number; mawlid?: number; isra_miraj?: number; holi?: number; dussehra?: number; buddhas_birthday?: number; vernal_equinox?: number; autumnal_equinox?: number; qingming?: number; seollal?: number; chuseok?: number; days?: number; label: string; effect: number; named: boolean }[];
  frequency: string; start: string; end: string; periods: number; channels: string[]; fit: Fit;
  /** Each control with its mean over the fitting window and over the last quarter (13 weeks, 91 days or 3 months). */
  controls: { name: string; mean: number; recent_mean: number }[];
}

export interface Diagnostics { rhat_max: number; ess_bulk_min: number; divergences: number; chains: number; draws: number; warnings: string[] }

export interface ChannelSummary {
  name: string; spend: number; contribution: number; roi: number; mroi: number; share: number;
  current_spend: number; saturation_point: number;
  roi_interval?: Interval; mroi_interval?: Interval; contribution_interval?: Interval; share_interval?: Interval;
  roi_contraction?: number;
  /** The most the noise alone would let the data narrow the ROI prior (under 0.75: noise-limited). */
  roi_contraction_limit?: number;
  /** The channel was fitted on its media units (impressions, ...) rather than its spend. */
  on_media_units: boolean;
}

/** A parameter's posterior mean and 90% interval over the model's draws. */
export interface ParameterSummary { name: string; mean: number; interval: Interval }

/** A row of /mmm/channels: the fitted transforms, and their posterior summaries with draws. */
export interface ChannelDetail {
  name: string; scale: number; coefficient: number;
  posterior_parameters?: ParameterSummary[];
}

export interface ContributionRow {
  date: string; actual: number; fitted: number; baseline: number; intercept: number; trend: number;
  seasonality: number; controls: number; channels: Record<string, number>;
  channel_intervals?: Record<string, Interval>;
}

export interface CurvePoint { spend: number; response: number; mroi: number; interval?: Interval }
export interface Curve { channel: string; current_spend: number; current_response: number; saturation_point: number; points: CurvePoint[] }

export interface Insight { kind: string; channels: string[]; title: string; message: string }

export interface Allocation {
  name: string; current: number; recommended: number; min: number; max: number | null; locked: boolean;
  current_response: number; expected_response: number; mroi: number;
}

export interface Optimized {
  budget: number; spent: number; allocation: Allocation[]; current_response: number;
  optimized_response: number; uplift: number; uplift_pct: number; gap_bound: number;
  probability_better?: number; uplift_interval?: Interval;
  /** When the budget is not the current total: the current split scaled to the same spend. */
  current_mix?: CurrentMix;
}

/** The current split scaled to another total, and the gain over it of the split compared. */
export interface CurrentMix { spend: number; response: number; uplift: number; uplift_pct: number; probability_better?: number; uplift_interval?: Interval }

export interface Plan {
  periods: { date: string; spend: Record<string, number>; total: number }[];
  total_budget: number; expected_incremental: number; flat_plan_incremental: number;
  incremental_interval?: Interval; probability_beats_flat?: number; gain_over_flat_interval?: Interval;
  /** With `forecast: true`: each planned period's KPI, baseline included (controls at their means). */
  forecast?: Score;
  /** With `forecast: true`: the plan as a CSV file to score (edit its controls first). */
  forecast_file?: string;
}

export interface FrontierPoint { budget: number; change: number; response: number; roi: number; marginal: number; response_interval?: Interval }

export interface ScenarioResult { name: string; spend: number; response: number; roi: number; uplift: number; probability_better?: number; uplift_interval?: Interval; current_mix?: CurrentMix }

export interface Job { id: string; model_id: string; state: string; progress: number; message: string; error: string | null }
export interface JobEvent { job_id: string; state: string; progress: number; message: string; error?: string | null }

/** One period of /models/{id}/score: the prediction with its 90% predictive interval; no
 * actual for a period to forecast. */
export interface ScoredPeriod { date: string; actual: number | null; predicted: number; interval: Interval; media: number; in_fit: boolean }

/** Accuracy of scored periods. */
export interface ScoreMetrics { r2: number; mape: number; nrmse: number; bias: number; coverage: number }
/** The drift test of scored periods. */
export interface Drift { outside: number; expected_outside: number; p_value: number; drifted: boolean }

/** A model scored on data: the predictions, and the accuracy and drift test of the periods
 * with an actual (null when every period is a forecast). */
export interface Score {
  periods: ScoredPeriod[];
  metrics: ScoreMetrics | null;
  forecasts: number;
  out_of_sample: number;
  unknown_carry_over: number;
  drift: Drift | null;
}

/** A data set backtested on growing windows (/datasets/{id}/backtest). */
export interface Backtest {
  horizon: number;
  folds: {
    fit_periods: number; fit_end: string; start: string; end: string;
    metrics: ScoreMetrics; drift: Drift;
    channels: { name: string; roi: number; roi_interval?: Interval }[];
  }[];
  metrics: ScoreMetrics;
  channels: { name: string; min: number; max: number; mean: number; spread: number }[];
}

/** A country whose holidays a fit can ask about (GET /holidays), with the events its list asks. */
export interface HolidayCountry {
  code: string;
  country: string;
  /** With `?year=`, `days` gives each holiday's runs of days that year (none where not known). */
  events: { event: string; label: string; days?: { first: string; last: string; label: string }[] }[];
}
