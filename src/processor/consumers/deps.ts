import type { CarrierClient } from "~/server/clients/carrier";
import type { InventoryClient } from "~/server/clients/inventory";
import type { PaymentClient } from "~/server/clients/payment";

/** The slices of the external clients the pipeline uses; tests hand in fakes of the same shape. */
export interface PipelineClients {
  payment: Pick<PaymentClient, "authorize" | "capture" | "voidPayment" | "refund" | "findByReference">;
  inventory: Pick<InventoryClient, "commitReservation" | "releaseReservation" | "getReservation" | "adjustStock" | "expireReservations">;
  carrier: Pick<CarrierClient, "createShipment" | "getTracking">;
}
