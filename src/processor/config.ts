import { z } from "zod";
import { blankIsUnset, checkStorageEnv, logLevel, otlpEndpoint, parseEnv, port, postgresUrl, storageEnv } from "~/lib/env";

/** "1000,5000,30000" -> [1000, 5000, 30000]: the delay before each successive retry. */
const delayList = z
  .string()
  .regex(/^\d+(,\d+)*$/, "must be comma-separated milliseconds, e.g. 1000,5000,30000")
  .transform((v) => v.split(",").map(Number))
  .refine((v) => v.every((ms) => ms >= 10 && ms <= 86_400_000), "each delay must be 10 ms .. 24 h");

const optionalUrl = z.preprocess(blankIsUnset, z.string().url().optional());
const optionalSecret = z.preprocess(blankIsUnset, z.string().min(1).optional());

const schema = z.object({
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * A streaming replica of DATABASE_URL for the jobs' reads of finished periods (sales reports),
   * with a pool of its own of DATABASE_POOL_MAX; unset (or blank): they read the primary.
   */
  DATABASE_READ_URL: z.preprocess(blankIsUnset, postgresUrl.optional()),
  LOG_LEVEL: logLevel,
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  /** Port for /healthz, /readyz and /metrics in worker and cron modes. */
  PROCESSOR_HTTP_PORT: port.default(9464),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(15_000),

  // Event pipeline (worker mode) -------------------------------------------------------
  /** RabbitMQ; unset = the database transport (consumers fed from the outbox table). */
  AMQP_URL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .refine((v) => /^amqps?:\/\//.test(v), "must be an amqp:// or amqps:// URL")
      .optional(),
  ),
  /** Topic exchange events are published to; queues are named `<AMQP_QUEUE_PREFIX>.<consumer>`. */
  AMQP_EXCHANGE: z.string().min(1).max(200).default("lavka.events"),
  AMQP_QUEUE_PREFIX: z.string().min(1).max(200).default("lavka"),
  /** Messages each consumer holds unacknowledged (and works on concurrently). */
  AMQP_PREFETCH: z.coerce.number().int().min(1).max(1000).default(16),
  /** Delay before retry 1, 2, ...; the last one repeats. */
  EVENT_RETRY_DELAYS_MS: delayList.default([1_000, 5_000, 30_000, 120_000]),
  /** Attempts before a failing message is dead-lettered (outages of other services do not count). */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Deliveries of one message that end with no outcome at all (the worker crashed, was killed or
   * lost its connection while handling it) before the message is dead-lettered instead of being
   * handled again: what stops a message that kills the worker from doing so forever.
   */
  EVENT_DELIVERY_LIMIT: z.coerce.number().int().min(1).max(100).default(5),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(200),
  /** How often the relay looks for new outbox rows when it found none last time. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** Database transport: a delivery claimed this long ago and not finished (worker died) is delivered again. */
  EVENT_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),

  // External services the worker's consumers call (names as the API and `npm start` use them).
  // Optional here because job and cron modes never call them; worker mode requires them.
  PAYMENT_GATEWAY_URL: optionalUrl,
  PAYMENT_GATEWAY_KEY: optionalSecret,
  /** Card token used when an order carries none (demo checkouts without a payment form). */
  PAYMENT_DEFAULT_CARD_TOKEN: z.string().min(1).max(200).default("tok_visa"),
  INVENTORY_SERVICE_URL: optionalUrl,
  INVENTORY_SERVICE_TOKEN: optionalSecret,
  CARRIER_URL: optionalUrl,
  CARRIER_API_KEY: optionalSecret,
  /** Carrier name stored on shipments and shown to buyers. */
  CARRIER_NAME: z.string().min(1).max(100).default("Lavka Delivery"),

  // Mail (worker mode) --------------------------------------------------------------------
  /** SMTP server the mail consumer sends through; unset = no mail is sent (the consumer does not run). */
  SMTP_HOST: z.preprocess(blankIsUnset, z.string().min(1).max(253).optional()),
  SMTP_PORT: port.default(587),
  /**
   * starttls: the connection must be upgraded with STARTTLS (submission, port 587); tls: TLS from
   * the first byte (port 465); none: no encryption (only for a mail catcher on the same machine).
   */
  SMTP_TLS: z.enum(["starttls", "tls", "none"]).default("starttls"),
  /** SMTP credentials; without a user the server is used without authentication. */
  SMTP_USER: optionalSecret,
  SMTP_PASSWORD: optionalSecret,
  /** Connecting, the greeting and each later reply: longer counts as a failed attempt. */
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  /** Sender of every mail, "Name <address>" or an address. */
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>\r\n]+ <[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address or "Name <address>"')
    .default("Lavka <orders@lavka.test>"),
  /** Mails sent at once (SMTP connections, each holding a database connection while the server takes the mail). */
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(2),
  /** Where people open the web interface: links in mail point here. */
  PUBLIC_WEB_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), "must be an http:// or https:// URL")
    .default("http://localhost:3000"),

  // Scheduled pipeline work --------------------------------------------------------------
  /** Unpaid orders are cancelled (and their stock released) this long after checkout. */
  ORDER_PAYMENT_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  EXPIRY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Shipments not updated by a carrier callback for this long are polled. */
  TRACKING_STALE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  TRACKING_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(300_000),

  // Object storage: the sweep-photos job deletes files no photo references ----------------
  ...storageEnv,
}).superRefine(checkStorageEnv);

export type ProcessorConfig = z.infer<typeof schema>;
export const processorConfigSchema = schema;

export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  return parseEnv(schema, env, "processor");
}
