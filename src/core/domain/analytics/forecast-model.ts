// Demand forecasting models, pure functions on daily series (index 0 = oldest day).
//
// Main model: additive Holt-Winters with a damped trend and weekly seasonality (ETS(A,Ad,A)),
// parameters chosen by grid search on one-step-ahead squared error. Products with little
// history or low recent demand get a level-only fallback. Intervals come from the model's
// h-step error variance (Hyndman et al., "Forecasting with Exponential Smoothing", class 1).

export const SEASON = 7;
/** Two-sided 90% normal interval. */
export const Z90 = 1.6448536269514722;
/** Below this much history the seasonal model is not fitted. */
export const MIN_HISTORY_DAYS = 4 * SEASON;

export interface Forecast {
  model: "holt-winters" | "mean";
  mean: number[];
  lower: number[];
  upper: number[];
}

export interface HwParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

interface HwState {
  level: number;
  trend: number;
  /** season[i] is the seasonal term for day index t with t % 7 === i. */
  season: Float64Array;
  sse: number;
  count: number;
  /** Fitting criterion (see runHoltWinters). */
  score: number;
}

const GRID: HwParams[] = (() => {
  const grid: HwParams[] = [];
  for (const alpha of [0.02, 0.05, 0.1, 0.2, 0.35]) {
    for (const gamma of [0.02, 0.1, 0.25]) {
      grid.push({ alpha, beta: 0, gamma, phi: 1 });
      for (const beta of [0.03, 0.12]) for (const phi of [0.9, 0.98]) grid.push({ alpha, beta, gamma, phi });
    }
  }
  return grid;
})();

/** Runs the smoothing recursions over y; errors of the first two weeks (initialisation) are not scored. */
export function runHoltWinters(y: ArrayLike<number>, p: HwParams): HwState {
  const n = y.length;
  let w1 = 0;
  let w2 = 0;
  for (let i = 0; i < SEASON; i++) {
    w1 += y[i]!;
    w2 += y[i + SEASON]!;
  }
  w1 /= SEASON;
  w2 /= SEASON;
  const season = new Float64Array(SEASON);
  for (let i = 0; i < SEASON; i++) season[i] = (y[i]! - w1 + (y[i + SEASON]! - w2)) / 2;
  let level = w1;
  let trend = p.beta > 0 ? (w2 - w1) / SEASON : 0;
  let sse = 0;
  let count = 0;
  let score = 0;
  // Forecasts made a week ahead, scored when their day comes: parameters are chosen on one-day
  // and one-week-ahead errors alike, the horizons the forecasts are used for.
  const ahead = new Float64Array(SEASON);
  const dampWeek = p.phi === 1 ? SEASON : (p.phi * (1 - Math.pow(p.phi, SEASON))) / (1 - p.phi);
  for (let t = 0; t < n; t++) {
    const s = t % SEASON;
    const yt = y[t]!;
    const err = yt - (level + p.phi * trend + season[s]!);
    if (t >= 2 * SEASON) {
      sse += err * err;
      count++;
      const errWeek = yt - ahead[s]!;
      if (t >= 3 * SEASON) score += 0.5 * err * err + 0.5 * errWeek * errWeek;
    }
    const newLevel = p.alpha * (yt - season[s]!) + (1 - p.alpha) * (level + p.phi * trend);
    trend = p.beta * (newLevel - level) + (1 - p.beta) * p.phi * trend;
    season[s] = p.gamma * (yt - newLevel) + (1 - p.gamma) * season[s]!;
    level = newLevel;
    ahead[s] = level + dampWeek * trend + season[s]!;
  }
  return { level, trend, season, sse, count, score };
}

export function fitHoltWinters(y: ArrayLike<number>): { params: HwParams; state: HwState } {
  let best: { params: HwParams; state: HwState } | undefined;
  for (const params of GRID) {
    const state = runHoltWinters(y, params);
    if (!best || state.score < best.state.score - 1e-9) best = { params, state };
  }
  return best!;
}

function holtWintersForecast(y: ArrayLike<number>, horizon: number): Forecast {
  const { params: p, state } = fitHoltWinters(y);
  const n = y.length;
  const sigma2 = state.count > 1 ? state.sse / (state.count - 1) : 0;
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  let damp = 0;
  let varSum = 1;
  for (let h = 1; h <= horizon; h++) {
    damp += Math.pow(p.phi, h);
    const point = state.level + damp * state.trend + state.season[(n + h - 1) % SEASON]!;
    if (h > 1) {
      const j = h - 1;
      const trendPart = p.phi === 1 ? j : (p.phi * (1 - Math.pow(p.phi, j))) / (1 - p.phi);
      const c = p.alpha * (1 + p.beta * trendPart) + (j % SEASON === 0 ? p.gamma : 0);
      varSum += c * c;
    }
    const half = Z90 * Math.sqrt(sigma2 * varSum);
    // Demand is never negative: clip the point and the interval at zero.
    mean.push(Math.max(0, point));
    lower.push(Math.max(0, point - half));
    upper.push(Math.max(0, point + half));
  }
  return { model: "holt-winters", mean, lower, upper };
}

/** Days the fallback averages over, and over which the model choice looks at demand. */
export const RECENT_DAYS = 8 * SEASON;
/** Below this recent demand (units a day) the weekly pattern is mostly noise: use the mean. */
export const MIN_SEASONAL_DEMAND = 1;

/** Fallback: the mean of the last eight weeks (or what there is), variance at least Poisson's. */
function meanForecast(y: ArrayLike<number>, horizon: number): Forecast {
  const k = Math.min(y.length, RECENT_DAYS);
  let sum = 0;
  for (let i = y.length - k; i < y.length; i++) sum += y[i]!;
  const level = k > 0 ? sum / k : 0;
  let ss = 0;
  for (let i = y.length - k; i < y.length; i++) ss += (y[i]! - level) ** 2;
  const variance = Math.max(k > 1 ? ss / (k - 1) : level, level);
  const half = Z90 * Math.sqrt(variance * (1 + 1 / Math.max(1, k)));
  return {
    model: "mean",
    mean: Array.from({ length: horizon }, () => level),
    lower: Array.from({ length: horizon }, () => Math.max(0, level - half)),
    upper: Array.from({ length: horizon }, () => level + half),
  };
}

/**
 * Chooses the model from the history: Holt-Winters with four weeks or more of history and at
 * least one unit a day recently; otherwise the mean (on the generated data the seasonal model
 * only pays off above that volume: backtests of both variants are in docs/processor.md).
 */
export function forecastDemand(y: ArrayLike<number>, horizon: number): Forecast {
  let nonZero = 0;
  let recent = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > 0) nonZero++;
  for (let i = Math.max(0, y.length - RECENT_DAYS); i < y.length; i++) recent += y[i]!;
  const recentMean = y.length > 0 ? recent / Math.min(y.length, RECENT_DAYS) : 0;
  if (y.length < MIN_HISTORY_DAYS || nonZero < 2 * SEASON || recentMean < MIN_SEASONAL_DEMAND) return meanForecast(y, horizon);
  return holtWintersForecast(y, horizon);
}

/** Seasonal-naive baseline: every future day repeats the same weekday of the last week. */
export function seasonalNaive(y: ArrayLike<number>, horizon: number): number[] {
  const n = y.length;
  return Array.from({ length: horizon }, (_, i) => (n >= SEASON ? y[n - SEASON + (i % SEASON)]! : n > 0 ? y[n - 1]! : 0));
}

// ---------------------------------------------------------------------------------------------
// Backtest metrics.

export interface ErrorTotals {
  /** Sum of |a - f| / a over buckets with a > 0, and their count (MAPE is undefined at a = 0). */
  apeSum: number;
  apeCount: number;
  /** Sum of 2|a - f| / (|a| + |f|) with 0/0 taken as 0, and the bucket count. */
  sapeSum: number;
  sapeCount: number;
  absErrorSum: number;
  actualSum: number;
}

export function emptyErrors(): ErrorTotals {
  return { apeSum: 0, apeCount: 0, sapeSum: 0, sapeCount: 0, absErrorSum: 0, actualSum: 0 };
}

/** Adds the errors of one product's held-out period, summed into buckets of `bucketDays` days. */
export function addErrors(totals: ErrorTotals, actual: ArrayLike<number>, forecast: ArrayLike<number>, bucketDays: number): void {
  for (let start = 0; start + bucketDays <= actual.length; start += bucketDays) {
    let a = 0;
    let f = 0;
    for (let i = start; i < start + bucketDays; i++) {
      a += actual[i]!;
      f += forecast[i]!;
    }
    const e = Math.abs(a - f);
    if (a > 0) {
      totals.apeSum += e / a;
      totals.apeCount++;
    }
    totals.sapeSum += a + f > 0 ? (2 * e) / (Math.abs(a) + Math.abs(f)) : 0;
    totals.sapeCount++;
    totals.absErrorSum += e;
    totals.actualSum += a;
  }
}

export interface Accuracy {
  mape: number;
  smape: number;
  wape: number;
}

export function accuracy(t: ErrorTotals): Accuracy {
  return {
    mape: t.apeCount > 0 ? t.apeSum / t.apeCount : 0,
    smape: t.sapeCount > 0 ? t.sapeSum / t.sapeCount : 0,
    wape: t.actualSum > 0 ? t.absErrorSum / t.actualSum : 0,
  };
}
