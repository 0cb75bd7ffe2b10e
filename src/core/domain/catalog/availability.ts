import type { Logger } from "~/lib/logger";
import { MAX_BATCH_SKUS, type InventoryClient } from "~/core/integrations/inventory";

/** Units a buyer can still order, or "unknown" while the inventory service cannot tell us. */
export type Availability = { status: "known"; available: number } | { status: "unknown" };

/**
 * Product availability from the inventory service, reused for `ttlMs` so a busy product page
 * costs one inventory call per few seconds, not one per view. Failures are not cached: the next
 * read tries again (the client's circuit breaker keeps that cheap during an outage).
 */
export interface AvailabilityReader {
  /** Availability per SKU; every requested SKU is in the map. Never throws. */
  read(skus: readonly string[]): Promise<Map<string, Availability>>;
  /** Drops cached values after Lavka itself changed the stock (set stock, checkout). */
  invalidate(skus: readonly string[]): void;
}

export interface AvailabilityReaderOptions {
  inventory: Pick<InventoryClient, "getStockMany">;
  logger: Logger;
  ttlMs: number;
  now?: () => number;
  /** Bound on cached SKUs; the oldest half is dropped when reached. */
  maxEntries?: number;
}

export function createAvailabilityReader(options: AvailabilityReaderOptions): AvailabilityReader {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 20_000;
  const cache = new Map<string, { available: number; at: number }>();

  function remember(sku: string, available: number): void {
    if (cache.size >= maxEntries) {
      let drop = Math.floor(maxEntries / 2);
      for (const key of cache.keys()) {
        if (drop-- <= 0) break;
        cache.delete(key);
      }
    }
    cache.delete(sku);
    cache.set(sku, { available, at: now() });
  }

  return {
    async read(skus) {
      const result = new Map<string, Availability>();
      const missing: string[] = [];
      for (const sku of new Set(skus)) {
        const hit = cache.get(sku);
        if (hit && now() - hit.at < options.ttlMs) result.set(sku, { status: "known", available: hit.available });
        else missing.push(sku);
      }
      for (let i = 0; i < missing.length; i += MAX_BATCH_SKUS) {
        const chunk = missing.slice(i, i + MAX_BATCH_SKUS);
        try {
          const batch = await options.inventory.getStockMany(chunk);
          for (const level of batch.items) {
            const available = Math.max(0, level.available);
            remember(level.sku, available);
            result.set(level.sku, { status: "known", available });
          }
          // No stock record is the same as none in stock.
          for (const sku of batch.missing) {
            remember(sku, 0);
            result.set(sku, { status: "known", available: 0 });
          }
        } catch (err) {
          options.logger.warn({ err, skus: chunk.length }, "availability unknown: inventory service call failed");
        }
      }
      for (const sku of skus) if (!result.has(sku)) result.set(sku, { status: "unknown" });
      return result;
    },
    invalidate(skus) {
      for (const sku of skus) cache.delete(sku);
    },
  };
}
