import { DomainError } from "~/core/errors";
import type { Db } from "~/lib/db";
import { reorderSoon, type ReorderSuggestion } from "../demand";
import { startOfUtcDay } from "../sales";
import { toDomainError } from "~/core/integrations/errors";
import { MAX_BATCH_SKUS, type InventoryClient } from "~/core/integrations/inventory";

/** The latest forecast backtest: how the model did against seasonal-naive. */
export async function latestBacktest(db: Db) {
  return db.forecastBacktest.findFirst({
    orderBy: { generatedAt: "desc" },
    select: {
      generatedAt: true,
      trainedUntil: true,
      heldOutDays: true,
      products: true,
      productDays: true,
      modelMape: true,
      modelSmape: true,
      modelWape: true,
      baselineMape: true,
      baselineSmape: true,
      baselineWape: true,
    },
  });
}

/**
 * The stored demand forecast of one of the seller's products (the processor's forecast job
 * writes it), from today on, with the latest backtest: how the model did against seasonal-naive.
 */
export async function productForecast(db: Db, sellerId: string, productId: string, now: Date) {
  const product = await db.product.findFirst({ where: { id: productId, sellerId }, select: { id: true, title: true, sku: true } });
  if (!product) throw new DomainError("not_found", `your shop has no product with id ${productId}`, { field: "productId" });
  const today = startOfUtcDay(now);
  const [days, backtest] = await Promise.all([
    db.demandForecast.findMany({
      where: { productId, day: { gte: today } },
      select: { day: true, mean: true, lower: true, upper: true, model: true, generatedAt: true },
      orderBy: { day: "asc" },
    }),
    latestBacktest(db),
  ]);
  return {
    product,
    /** Which model produced it (a fallback for products with little history has its own name). */
    model: days[0]?.model ?? null,
    generatedAt: days[0]?.generatedAt ?? null,
    days: days.map(({ day, mean, lower, upper }) => ({ day, mean, lower, upper })),
    backtest,
  };
}

export interface ReorderItem extends ReorderSuggestion {
  product: { id: string; title: string; sku: string };
}

/**
 * "Reorder soon": the seller's active products whose available stock (inventory service) will not
 * cover forecast demand over the lead time, most urgent first (the processor's planReorders rule).
 */
export async function reorderSoonForSeller(
  deps: { db: Db; inventory: Pick<InventoryClient, "getStockMany"> },
  sellerId: string,
  input: { leadTimeDays: number },
  now: Date,
): Promise<ReorderItem[]> {
  const today = startOfUtcDay(now);
  const products = await deps.db.product.findMany({
    where: { sellerId, status: "active", forecasts: { some: { day: { gte: today } } } },
    select: { id: true, title: true, sku: true },
  });
  const productBySku = new Map(products.map((p) => [p.sku, p]));
  const stock: Record<string, number> = {};
  try {
    for (let i = 0; i < products.length; i += MAX_BATCH_SKUS) {
      const batch = await deps.inventory.getStockMany(products.slice(i, i + MAX_BATCH_SKUS).map((p) => p.sku));
      for (const item of batch.items) {
        const product = productBySku.get(item.sku);
        if (product) stock[product.id] = Math.max(0, item.available);
      }
      for (const sku of batch.missing) {
        const product = productBySku.get(sku);
        if (product) stock[product.id] = 0;
      }
    }
  } catch (error) {
    throw toDomainError(error);
  }
  const suggestions = await reorderSoon(deps.db, { sellerId, stock, leadTimeDays: input.leadTimeDays, asOf: now });
  const byId = new Map(products.map((p) => [p.id, p]));
  return suggestions.flatMap((s) => {
    const product = byId.get(s.productId);
    return product ? [{ ...s, product }] : [];
  });
}
