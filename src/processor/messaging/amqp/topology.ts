import type { Channel, ChannelModel } from "amqplib";
import type { Logger } from "~/lib/logger";
import type { Consumer } from "../consumer";
import type { PipelineMetrics } from "../metrics";

/**
 * RabbitMQ topology, declared in code and re-declared on every (re)connect, so a broker that
 * lost its definitions (or a fresh one) is set up again before anything is published. Every
 * queue is a quorum queue (replicated, and it counts deliveries):
 *
 *   exchange <exchange> (topic, durable), routing key = event type
 *   <prefix>.v2.<consumer>                 bound to the consumer's event types; x-delivery-limit:
 *                                          a message returned more often than that (the worker
 *                                          died holding it) is dead-lettered to .dead by the broker
 *   <prefix>.v2.<consumer>.retry.<ms>ms    one per retry delay: messages wait out the TTL, then
 *                                          dead-letter back to the consumer's queue
 *   <prefix>.v2.<consumer>.dead            the dead-letter queue (reason in the headers)
 *
 * "v2" because RabbitMQ cannot redeclare a classic queue as a quorum one under the same name:
 * version 1 (classic queues, without "v2") is drained into these by migrate-classic.ts.
 */

export interface TopologyNames {
  exchange: string;
  queuePrefix: string;
}

const VERSION = "v2";

export const queueName = (names: TopologyNames, consumer: string) => `${names.queuePrefix}.${VERSION}.${consumer}`;
export const deadQueueName = (names: TopologyNames, consumer: string) => `${queueName(names, consumer)}.dead`;
export const retryQueueName = (names: TopologyNames, consumer: string, delayMs: number) => `${queueName(names, consumer)}.retry.${delayMs}ms`;

/** The classic queues of topology version 1, which earlier releases declared. */
export function classicQueueNames(names: TopologyNames, consumer: string, delaysMs: readonly number[]): { main: string; dead: string; retries: string[] } {
  const main = `${names.queuePrefix}.${consumer}`;
  return { main, dead: `${main}.dead`, retries: [...new Set(delaysMs)].map((ms) => `${main}.retry.${ms}ms`) };
}

/** Message headers the pipeline sets. */
export const HEADER_ATTEMPT = "x-lavka-attempt";
export const HEADER_REASON = "x-lavka-reason";
/**
 * Deliveries that ended with no outcome before this copy of the message was published: the
 * broker's own count (x-delivery-count) starts again at 0 for every copy (retries are copies).
 */
export const HEADER_UNFINISHED = "x-lavka-unfinished";
/** Set by quorum queues: how often this message was returned to the queue unsettled. */
export const HEADER_DELIVERY_COUNT = "x-delivery-count";

const QUORUM = { "x-queue-type": "quorum" };
// Dead-lettering a quorum queue does is at-most-once unless asked otherwise; at-least-once needs
// the reject-publish overflow (no length limit is set, so it never applies).
const SAFE_DEAD_LETTERING = { "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish" };

export interface TopologyOptions {
  names: TopologyNames;
  consumers: readonly Consumer[];
  retryDelaysMs: readonly number[];
  /** x-delivery-limit of the consumers' queues (EVENT_DELIVERY_LIMIT). */
  deliveryLimit: number;
  logger: Logger;
}

export async function declareTopology(connection: ChannelModel, channel: Channel, options: TopologyOptions): Promise<void> {
  const { names } = options;
  await channel.assertExchange(names.exchange, "topic", { durable: true });
  for (const consumer of options.consumers) {
    const queue = queueName(names, consumer.name);
    const dead = deadQueueName(names, consumer.name);
    await channel.assertQueue(dead, { durable: true, arguments: QUORUM });
    await declareConsumerQueue(connection, queue, dead, options);
    for (const type of consumer.events) await channel.bindQueue(queue, names.exchange, type);
    for (const delayMs of new Set(options.retryDelaysMs)) {
      await channel.assertQueue(retryQueueName(names, consumer.name, delayMs), {
        durable: true,
        messageTtl: delayMs,
        deadLetterExchange: "",
        deadLetterRoutingKey: queue,
        arguments: { ...QUORUM, ...SAFE_DEAD_LETTERING },
      });
    }
  }
}

/**
 * The consumer's queue carries the one setting that can change between deploys
 * (EVENT_DELIVERY_LIMIT), and a queue's arguments cannot be changed by declaring it again: the
 * broker refuses (406) and closes the channel. So it is declared on a channel of its own, and an
 * existing queue with another limit is used as it is (the consumer applies the configured limit
 * itself, see consume.ts), with a warning, rather than the worker never starting.
 */
async function declareConsumerQueue(connection: ChannelModel, queue: string, dead: string, options: TopologyOptions): Promise<void> {
  const channel = await connection.createChannel();
  channel.on("error", () => undefined);
  try {
    await channel.assertQueue(queue, {
      durable: true,
      deadLetterExchange: "",
      deadLetterRoutingKey: dead,
      arguments: { ...QUORUM, ...SAFE_DEAD_LETTERING, "x-delivery-limit": options.deliveryLimit },
    });
    await channel.close();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 406) throw err;
    options.logger.warn(
      { queue, deliveryLimit: options.deliveryLimit, reason: err instanceof Error ? err.message : String(err) },
      "queue exists with other arguments and keeps them; the configured delivery limit still applies in the consumer",
    );
  }
}

/** Consumer lag as the broker sees it: messages waiting in each consumer's main and dead queues. */
export async function sampleQueueDepths(channel: Channel, names: TopologyNames, consumers: readonly Consumer[], metrics: PipelineMetrics): Promise<void> {
  for (const consumer of consumers) {
    for (const [kind, queue] of [["main", queueName(names, consumer.name)], ["dead", deadQueueName(names, consumer.name)]] as const) {
      const { messageCount } = await channel.checkQueue(queue);
      metrics.queueDepth.set({ consumer: consumer.name, queue: kind }, messageCount);
    }
  }
}
