import type { CarrierClient } from "~/core/integrations/carrier";
import type { InventoryClient } from "~/core/integrations/inventory";
import type { PaymentClient } from "~/core/integrations/payment";

/** The slices of the external clients the pipeline uses; tests hand in fakes of the same shape. */
export interface PipelineClients {
  payment: Pick<PaymentClient, "authorize" | "capture" | "voidPayment" | "refund" | "findByReference">;
  inventory: Pick<InventoryClient, "commitReservation" | "releaseReservation" | "getReservation" | "adjustStock" | "expireReservations">;
  carrier: Pick<CarrierClient, "createShipment" | "getTracking">;
}
