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
 *
 * Several workers run this pass: each shipment is claimed by the one statement that selects it
 * (FOR UPDATE SKIP LOCKED, and `updatedAt` set to now, so it is no longer stale for the others
 * until `staleMs` has passed again: a lease), so each is asked about by one worker only. A
 * worker that dies holding claims leaves them to the pass after the lease; a failed look-up
 * gives its claim back at once, so the next pass tries again as before.
 */
export async function pollStaleShipments(options: TrackingPollOptions): Promise<{ polled: number; recorded: number }> {
  const now = options.now();
  const stale = await options.db.$queryRaw<{ id: string; carrierRef: string; trackingNumber: string; previousUpdatedAt: Date }[]>`
    WITH due AS (
      SELECT id, "updatedAt" FROM "Shipment"
      WHERE status::text = ANY(${[...TRACKED_SHIPMENT_STATUSES]}::text[]) AND "trackingNumber" IS NOT NULL AND "carrierRef" IS NOT NULL
        AND "updatedAt" < ${new Date(now.getTime() - options.staleMs)}
      ORDER BY "updatedAt" LIMIT ${options.batchSize ?? 100}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE "Shipment" s SET "updatedAt" = ${now} FROM due WHERE s.id = due.id
    RETURNING s.id, s."carrierRef", s."trackingNumber", due."updatedAt" AS "previousUpdatedAt"`;
  let recorded = 0;
  for (const shipment of stale) {
    try {
      const tracking = await options.clients.carrier.getTracking(shipment.trackingNumber);
      for (const event of tracking?.events ?? []) {
        const result = await applyCarrierUpdate(options.db, { ...event, eventId: event.id, carrierRef: shipment.carrierRef }, now);
        if (result.outcome === "recorded") recorded += 1;
      }
    } catch (err) {
      options.logger.warn({ shipmentId: shipment.id, err }, "tracking poll failed for shipment");
      // Unless something else touched it meanwhile; if even this fails, the claim just runs out.
      await options.db.$executeRaw`
        UPDATE "Shipment" SET "updatedAt" = ${shipment.previousUpdatedAt} WHERE id = ${shipment.id}::uuid AND "updatedAt" = ${now}`.catch(() => undefined);
    }
  }
  return { polled: stale.length, recorded };
}
