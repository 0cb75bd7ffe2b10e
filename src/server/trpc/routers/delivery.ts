import { z } from "zod";
import { getShipment } from "~/core/domain/delivery/shipments";
import { authedProcedure, router } from "../init";

export const deliveryShipmentInput = z.strictObject({ shipmentId: z.uuid() });

export const deliveryRouter = router({
  shipment: authedProcedure.input(deliveryShipmentInput).query(({ ctx, input }) => getShipment(ctx.db, ctx.user, input.shipmentId)),
});
