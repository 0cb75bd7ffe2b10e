import { ExternalServiceError } from "~/core/integrations/errors";
import type { Consumer } from "../messaging/consumer";
import type { PipelineClients } from "../pipeline-clients";

/**
 * order.cancelled -> the stock reservation goes back to the inventory service, whoever
 * cancelled (buyer, decline, expiry). Releasing is idempotent there; a reservation that was
 * already committed (a payment raced the cancel) is left to the payments consumer, which
 * refunds and restocks.
 */
export function createReservationsConsumer(clients: Pick<PipelineClients, "inventory">): Consumer {
  return {
    name: "reservations",
    events: ["order.cancelled"],
    async handle(event, ctx) {
      if (event.type !== "order.cancelled") return;
      const order = await ctx.db.order.findUnique({ where: { id: event.payload.orderId }, select: { reservationId: true } });
      if (!order) throw new Error(`Order ${event.payload.orderId} does not exist`);
      if (!order.reservationId) return;
      try {
        await clients.inventory.releaseReservation(order.reservationId);
      } catch (err) {
        if (!(err instanceof ExternalServiceError && err.kind === "rejected" && (err.status === 404 || err.status === 409))) throw err;
        ctx.logger.info({ reservationId: order.reservationId, status: err.status }, "reservation not releasable (gone or committed)");
      }
    },
  };
}
