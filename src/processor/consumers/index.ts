import type { Mailer } from "~/core/integrations/mail";
import type { ProcessorConfig } from "../config";
import type { Consumer } from "../messaging/consumer";
import { observeConsumer } from "../observe";
import type { PipelineClients } from "../pipeline-clients";
import { createAnalyticsConsumer, type RefreshSales } from "./analytics";
import { createFulfilmentConsumer } from "./fulfilment";
import { configuredMailConsumer, type MailConfig } from "./mail";
import { createPaymentsConsumer } from "./payments";
import { createReservationsConsumer } from "./reservations";

/**
 * Every event handler the worker runs; each gets its own queue (AMQP) or deliveries (database
 * transport), and follows the request its events came from (observe.ts).
 */
export function createConsumers(
  config: Pick<ProcessorConfig, "PAYMENT_DEFAULT_CARD_TOKEN" | "CARRIER_NAME"> & MailConfig,
  clients: PipelineClients,
  refreshSales: RefreshSales,
  /** Without one (no SMTP_HOST), no mail consumer runs. */
  mailer: Mailer | null = null,
): Consumer[] {
  return [
    createPaymentsConsumer({ clients, defaultCardToken: config.PAYMENT_DEFAULT_CARD_TOKEN }),
    createReservationsConsumer(clients),
    createFulfilmentConsumer({ clients, carrierName: config.CARRIER_NAME }),
    createAnalyticsConsumer({ refresh: refreshSales }),
    ...(mailer ? [configuredMailConsumer(config, mailer)] : []),
  ].map(observeConsumer);
}
