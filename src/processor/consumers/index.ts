import type { ProcessorConfig } from "../config";
import type { Consumer } from "../messaging/consumer";
import type { PipelineClients } from "../pipeline-clients";
import { createAnalyticsConsumer, type RefreshSales } from "./analytics";
import { createFulfilmentConsumer } from "./fulfilment";
import { createPaymentsConsumer } from "./payments";
import { createReservationsConsumer } from "./reservations";

/** Every event handler the worker runs; each gets its own queue (AMQP) or deliveries (database transport). */
export function createConsumers(config: Pick<ProcessorConfig, "PAYMENT_DEFAULT_CARD_TOKEN" | "CARRIER_NAME">, clients: PipelineClients, refreshSales: RefreshSales): Consumer[] {
  return [
    createPaymentsConsumer({ clients, defaultCardToken: config.PAYMENT_DEFAULT_CARD_TOKEN }),
    createReservationsConsumer(clients),
    createFulfilmentConsumer({ clients, carrierName: config.CARRIER_NAME }),
    createAnalyticsConsumer({ refresh: refreshSales }),
  ];
}
