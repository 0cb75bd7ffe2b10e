// The forecast job's database side: daily unit series per product from the daily product
// rollups, forecasts written to DemandForecast, the backtest written to ForecastBacktest, and
// the "reorder soon" list (stock comes from the caller: it lives in the inventory service).
import type { Db } from "~/lib/db";
import { withAdvisoryLock } from "./lock";
import { accuracy, addErrors, emptyErrors, forecastDemand, MIN_HISTORY_DAYS, seasonalNaive, Z90, type Accuracy } from "./forecast-model";

const DAY_MS = 86_400_000;
export const FORECAST_LOCK = "forecast";
export const HORIZON_DAYS = 28;

export interface ForecastOptions {
  now: Date;
  /** Days of history the model sees. */
  historyDays?: number;
  horizonDays?: number;
  /** Held-out days at the end of the history for the backtest (whole weeks). */
  heldOutDays?: number;
  /** Backtest errors are scored on demand summed over buckets of this many days (7: weekly demand). */
  bucketDays?: number;
  /** Products with less average demand (units per bucket, over training) are left out of the backtest. */
  minBucketDemand?: number;
  signal?: AbortSignal;
  /** Products forecast so far of the products to forecast, every few hundred. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void | Promise<void>;
}

export interface BacktestResult {
  trainedUntil: string;
  heldOutDays: number;
  bucketDays: number;
  products: number;
  buckets: number;
  model: Accuracy;
  seasonalNaive: Accuracy;
}

export interface ForecastRunResult {
  skipped: boolean;
  products: number;
  rows: number;
  models: Record<string, number>;
  backtest?: BacktestResult;
}

export interface ProductSeries {
  productId: string;
  /** Units per day, oldest first, ending the day before the forecast starts. */
  units: Float64Array;
}

/** Daily series of every active product from the product/day rollups, starting at its creation. */
export async function loadDailySeries(db: Pick<Db, "$queryRawUnsafe">, from: Date, to: Date): Promise<ProductSeries[]> {
  const days = Math.round((to.getTime() - from.getTime()) / DAY_MS);
  const rows = await db.$queryRawUnsafe<{ id: string; created: Date; idx: number[]; units: number[] }[]>(
    `SELECT p.id, p."createdAt" AS created,
            COALESCE(array_agg(((r.bucket AT TIME ZONE 'UTC')::date - $1::date)) FILTER (WHERE r.key IS NOT NULL), '{}') AS idx,
            COALESCE(array_agg(r.units) FILTER (WHERE r.key IS NOT NULL), '{}') AS units
     FROM "Product" p
     LEFT JOIN "SalesRollup" r ON r.dimension = 'product' AND r.grain = 'day' AND r.key = p.id::text
                               AND r.bucket >= $2::timestamptz AND r.bucket < $3::timestamptz
     WHERE p.status = 'active'
     GROUP BY p.id ORDER BY p.id`,
    from.toISOString().slice(0, 10),
    from.toISOString(),
    to.toISOString(),
  );
  // Nothing sold anywhere before the platform's first sale: those days are not zero demand.
  const first = await db.$queryRawUnsafe<{ first: Date | null }[]>(
    `SELECT min(bucket) AS first FROM "SalesRollup" WHERE dimension = 'total' AND grain = 'day'`,
  );
  const platformStart = first[0]?.first?.getTime() ?? from.getTime();
  return rows.map((r) => {
    // A product launched inside the window has no demand before it existed: start there.
    const begin = Math.max(Math.floor(r.created.getTime() / DAY_MS) * DAY_MS, platformStart);
    const start = Math.max(0, Math.ceil((begin - from.getTime()) / DAY_MS));
    const units = new Float64Array(Math.max(0, days - start));
    r.idx.forEach((i, k) => {
      if (i >= start && i < days) units[i - start]! += r.units[k]!;
    });
    return { productId: r.id, units };
  });
}

/** Backtest: forecast the held-out tail of each series from the rest, against seasonal-naive. */
export function backtest(series: ProductSeries[], options: { heldOutDays: number; bucketDays: number; minBucketDemand: number }): Omit<BacktestResult, "trainedUntil"> {
  const model = emptyErrors();
  const naive = emptyErrors();
  let products = 0;
  for (const { units } of series) {
    const train = units.subarray(0, units.length - options.heldOutDays);
    if (train.length < MIN_HISTORY_DAYS) continue;
    let sum = 0;
    for (let i = 0; i < train.length; i++) sum += train[i]!;
    if ((sum / train.length) * options.bucketDays < options.minBucketDemand) continue;
    const actual = units.subarray(units.length - options.heldOutDays);
    addErrors(model, actual, forecastDemand(train, options.heldOutDays).mean, options.bucketDays);
    addErrors(naive, actual, seasonalNaive(train, options.heldOutDays), options.bucketDays);
    products++;
  }
  return {
    heldOutDays: options.heldOutDays,
    bucketDays: options.bucketDays,
    products,
    buckets: model.sapeCount,
    model: accuracy(model),
    seasonalNaive: accuracy(naive),
  };
}

/**
 * The forecast job: for every active product, daily demand for the next `horizonDays` days
 * (starting today, UTC) with a 90% interval, replacing the previous forecasts; plus a backtest
 * row. Reads the daily product rollups, so it is as fresh as the last aggregate-sales run.
 */
/** Products fitted between progress reports. */
const PROGRESS_EVERY = 500;

export async function runForecast(db: Db, options: ForecastOptions): Promise<ForecastRunResult> {
  const historyDays = options.historyDays ?? 182;
  const horizon = options.horizonDays ?? HORIZON_DAYS;
  const heldOutDays = options.heldOutDays ?? 28;
  const bucketDays = options.bucketDays ?? 7;
  const today = new Date(Math.floor(options.now.getTime() / DAY_MS) * DAY_MS);
  const from = new Date(today.getTime() - historyDays * DAY_MS);
  const locked = await withAdvisoryLock(db, FORECAST_LOCK, async (tx) => {
    const series = await loadDailySeries(tx, from, today);
    options.signal?.throwIfAborted();
    const models: Record<string, number> = {};
    const ids: string[] = [];
    const days: string[] = [];
    const means: number[] = [];
    const lowers: number[] = [];
    const uppers: number[] = [];
    const names: string[] = [];
    await options.onProgress?.(0, series.length);
    for (const [index, { productId, units }] of series.entries()) {
      if (index > 0 && index % PROGRESS_EVERY === 0) await options.onProgress?.(index, series.length);
      const f = forecastDemand(units, horizon);
      models[f.model] = (models[f.model] ?? 0) + 1;
      for (let h = 0; h < horizon; h++) {
        ids.push(productId);
        days.push(new Date(today.getTime() + h * DAY_MS).toISOString().slice(0, 10));
        means.push(round3(f.mean[h]!));
        lowers.push(round3(f.lower[h]!));
        uppers.push(round3(f.upper[h]!));
        names.push(f.model);
      }
    }
    await options.onProgress?.(series.length, series.length);
    const bt = backtest(series, { heldOutDays, bucketDays, minBucketDemand: options.minBucketDemand ?? 1 });
    options.signal?.throwIfAborted();
    const generatedAt = options.now.toISOString();
    // Forecasts of products no longer active go too: the table holds the latest run only.
    await tx.$executeRawUnsafe(`DELETE FROM "DemandForecast"`);
    let rows = 0;
    const CHUNK = 50_000;
    for (let i = 0; i < ids.length; i += CHUNK) {
      rows += await tx.$executeRawUnsafe(
        `INSERT INTO "DemandForecast" ("productId", day, mean, lower, upper, model, "generatedAt")
         SELECT id, day, mean, lower, upper, model, $7::timestamptz
         FROM unnest($1::uuid[], $2::date[], $3::float8[], $4::float8[], $5::float8[], $6::text[]) AS u(id, day, mean, lower, upper, model)`,
        ids.slice(i, i + CHUNK),
        days.slice(i, i + CHUNK),
        means.slice(i, i + CHUNK),
        lowers.slice(i, i + CHUNK),
        uppers.slice(i, i + CHUNK),
        names.slice(i, i + CHUNK),
        generatedAt,
      );
    }
    const trainedUntil = new Date(today.getTime() - (heldOutDays + 1) * DAY_MS).toISOString().slice(0, 10);
    await tx.forecastBacktest.create({
      data: {
        generatedAt: options.now,
        trainedUntil: new Date(`${trainedUntil}T00:00:00Z`),
        heldOutDays,
        products: bt.products,
        productDays: bt.buckets * bucketDays,
        modelMape: bt.model.mape,
        modelSmape: bt.model.smape,
        modelWape: bt.model.wape,
        baselineMape: bt.seasonalNaive.mape,
        baselineSmape: bt.seasonalNaive.smape,
        baselineWape: bt.seasonalNaive.wape,
      },
      select: { id: true },
    });
    return { skipped: false, products: series.length, rows, models, backtest: { ...bt, trainedUntil } } satisfies ForecastRunResult;
  });
  return locked.acquired ? locked.value : { skipped: true, products: 0, rows: 0, models: {} };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Reorder soon.

export interface ForecastDay {
  productId: string;
  day: Date;
  mean: number;
  upper: number;
}

export interface ReorderSuggestion {
  productId: string;
  onHand: number;
  /** Expected units sold during the lead time. */
  leadTimeDemand: number;
  /** 90% upper bound of lead-time demand (daily errors taken as independent). */
  leadTimeDemandUpper: number;
  /** Whole days until expected demand exceeds stock; null if stock outlasts the forecast. */
  daysOfCover: number | null;
  /** Units to order now to cover the lead time at the upper bound. */
  suggestedQuantity: number;
}

/**
 * Pure: products whose stock will not cover the lead time's demand at the 90% upper bound,
 * most urgent first. Products without a stock figure are left out.
 */
export function planReorders(forecasts: ForecastDay[], stock: ReadonlyMap<string, number>, options: { asOf: Date; leadTimeDays: number }): ReorderSuggestion[] {
  const start = Math.floor(options.asOf.getTime() / DAY_MS) * DAY_MS;
  const byProduct = new Map<string, ForecastDay[]>();
  for (const f of forecasts) {
    if (!stock.has(f.productId) || f.day.getTime() < start) continue;
    const list = byProduct.get(f.productId) ?? [];
    list.push(f);
    byProduct.set(f.productId, list);
  }
  const out: ReorderSuggestion[] = [];
  for (const [productId, days] of byProduct) {
    days.sort((a, b) => a.day.getTime() - b.day.getTime());
    const onHand = stock.get(productId)!;
    let demand = 0;
    let variance = 0;
    let cumulative = 0;
    let daysOfCover: number | null = null;
    days.forEach((d, i) => {
      cumulative += d.mean;
      if (daysOfCover === null && cumulative > onHand) daysOfCover = i;
      if (i < options.leadTimeDays) {
        demand += d.mean;
        variance += ((d.upper - d.mean) / Z90) ** 2;
      }
    });
    const upper = demand + Z90 * Math.sqrt(variance);
    if (onHand >= upper) continue;
    out.push({
      productId,
      onHand,
      leadTimeDemand: round3(demand),
      leadTimeDemandUpper: round3(upper),
      daysOfCover,
      suggestedQuantity: Math.ceil(upper - onHand),
    });
  }
  return out.sort((a, b) => (a.daysOfCover ?? Infinity) - (b.daysOfCover ?? Infinity) || b.suggestedQuantity - a.suggestedQuantity);
}

/** "Reorder soon" for a seller: the stored forecasts of their products against the given stock. */
export async function reorderSoon(
  db: Db,
  input: { sellerId: string; stock: Record<string, number>; leadTimeDays: number; asOf: Date },
): Promise<ReorderSuggestion[]> {
  const start = new Date(Math.floor(input.asOf.getTime() / DAY_MS) * DAY_MS);
  const rows = await db.demandForecast.findMany({
    where: { product: { sellerId: input.sellerId }, day: { gte: start } },
    select: { productId: true, day: true, mean: true, upper: true },
  });
  return planReorders(rows, new Map(Object.entries(input.stock)), input);
}
