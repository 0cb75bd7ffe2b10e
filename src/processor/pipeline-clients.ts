import { createCarrierClient, type CarrierClient } from "~/core/integrations/carrier";
import { createInventoryClient, type InventoryClient } from "~/core/integrations/inventory";
import { createPaymentClient, type PaymentClient } from "~/core/integrations/payment";
import { ConfigError } from "~/lib/env";
import type { Logger } from "~/lib/logger";
import type { ProcessorConfig } from "./config";

/** The slices of the external clients the pipeline uses; tests hand in fakes of the same shape. */
export interface PipelineClients {
  payment: Pick<PaymentClient, "authorize" | "capture" | "voidPayment" | "refund" | "findByReference">;
  inventory: Pick<InventoryClient, "commitReservation" | "releaseReservation" | "getReservation" | "adjustStock" | "expireReservations">;
  carrier: Pick<CarrierClient, "createShipment" | "getTracking">;
}

/** The worker's clients: the pipeline's, and the expiry task's own inventory client (the pipeline's when absent). */
export type WorkerClients = PipelineClients & { expiryInventory?: PipelineClients["inventory"] };

/** The worker's clients from its configuration; names every missing variable at once. */
export function createPipelineClients(config: ProcessorConfig, logger: Logger): Required<WorkerClients> {
  const need = ["PAYMENT_GATEWAY_URL", "PAYMENT_GATEWAY_KEY", "INVENTORY_SERVICE_URL", "INVENTORY_SERVICE_TOKEN", "CARRIER_URL", "CARRIER_API_KEY"] as const;
  const missing = need.filter((key) => !config[key]);
  if (missing.length > 0) {
    throw new ConfigError(`Invalid configuration for processor worker:\n${missing.map((key) => `  ${key}: required in worker mode`).join("\n")}`);
  }
  return {
    payment: createPaymentClient({ baseUrl: config.PAYMENT_GATEWAY_URL!, serviceToken: config.PAYMENT_GATEWAY_KEY!, logger: logger.child({ client: "payment" }) }),
    inventory: createInventoryClient({ baseUrl: config.INVENTORY_SERVICE_URL!, serviceToken: config.INVENTORY_SERVICE_TOKEN!, logger: logger.child({ client: "inventory" }) }),
    // Its own circuit breaker: a failing housekeeping endpoint must not stall payments' stock commits.
    expiryInventory: createInventoryClient({ baseUrl: config.INVENTORY_SERVICE_URL!, serviceToken: config.INVENTORY_SERVICE_TOKEN!, logger: logger.child({ client: "inventory-expiry" }) }),
    carrier: createCarrierClient({ baseUrl: config.CARRIER_URL!, serviceToken: config.CARRIER_API_KEY!, logger: logger.child({ client: "carrier" }) }),
  };
}
