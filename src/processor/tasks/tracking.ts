import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { applyCarrierUpdate } from "~/core/domain/delivery/tracking";
import { TRACKED_SHIPMENT_STATUSES } from "~/core/domain/lifecycle";
import type { PipelineClients } from "../pipeline-clients";

export interface TrackingPollOptions {
  db: Db;
  logger: Logger;
  clients: Pick<PipelineClients, "carrier">;
  /** Shipments without news for this long are asked about. */
  staleMs: number;
  now: () => Date;
  batchSize?: number;
}

/**
 * Carrier callbacks can be lost; this pass asks the carrier about shipments still on their way
 * that have not been updated for a while, and applies what it reports through the same
 * idempotent applyCarrierUpdate the callback endpoint uses.
 */
export async function pollStaleShipments(options: TrackingPollOptions): Promise<{ polled: number; recorded: number }> {
  const now = options.now();
  const stale = await options.db.shipment.findMany({
    where: {
      status: { in: [...TRACKED_SHIPMENT_STATUSES] },
      trackingNumber: { not: null },
      carrierRef: { not: null },
      updatedAt: { lt: new Date(now.getTime() - options.staleMs) },
    },
    select: { id: true, carrierRef: true, trackingNumber: true },
    orderBy: { updatedAt: "asc" },
    take: options.batchSize ?? 100,
  });
  let recorded = 0;
  for (const shipment of stale) {
    try {
      const tracking = await options.clients.carrier.getTracking(shipment.trackingNumber!);
      for (const event of tracking?.events ?? []) {
        const result = await applyCarrierUpdate(options.db, { ...event, eventId: event.id, carrierRef: shipment.carrierRef! }, now);
        if (result.outcome === "recorded") recorded += 1;
      }
      // Asked, whatever the answer: the next poll of this shipment waits another staleMs.
      await options.db.shipment.update({ where: { id: shipment.id }, data: { updatedAt: now }, select: { id: true } });
    } catch (err) {
      options.logger.warn({ shipmentId: shipment.id, err }, "tracking poll failed for shipment");
    }
  }
  return { polled: stale.length, recorded };
}
