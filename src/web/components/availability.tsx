export type AvailabilityView = { status: "known"; available: number } | { status: "unknown" };

/** In stock / low / sold out, or "availability unknown" while the inventory service is unreachable. */
export function AvailabilityBadge({ availability, lowStockAt = 5 }: { availability: AvailabilityView | undefined; lowStockAt?: number }) {
  if (!availability || availability.status === "unknown") {
    return (
      <span className="badge unknown" title="We cannot check stock right now; it will be confirmed at checkout.">
        Availability unknown
      </span>
    );
  }
  if (availability.available <= 0) return <span className="badge out_of_stock">Sold out</span>;
  if (availability.available <= lowStockAt) return <span className="badge low_stock">Only {availability.available} left</span>;
  return <span className="badge in_stock">In stock</span>;
}
