// Figures derived from sales sums, defined once: the API's statistics, the rollup series and
// the stored reports all compute them here.

/** Average order value: revenue / orders in minor units, rounded half up, exact at any size; null without orders. */
export function averageOrderValueMinor(revenueMinor: bigint, orders: number): bigint | null {
  if (orders <= 0) return null;
  const n = BigInt(orders);
  return (revenueMinor * 2n + n) / (2n * n);
}

/** Returning-customer share: returning buyers / buyers, 0..1; null without buyers. */
export function returningShare(returningBuyers: number, buyers: number): number | null {
  return buyers > 0 ? returningBuyers / buyers : null;
}
