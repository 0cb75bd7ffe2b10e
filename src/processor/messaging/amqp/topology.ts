import type { Channel } from "amqplib";
import type { Consumer } from "../consumer";
import type { PipelineMetrics } from "../metrics";

/**
 * RabbitMQ topology, declared in code and re-declared on every (re)connect, so a broker that
 * lost its definitions (or a fresh one) is set up again before anything is published.
 *
 *   exchange <exchange> (topic, durable), routing key = event type
 *   <prefix>.<consumer>                  durable queue, bound to the consumer's event types;
 *                                        a rejected message dead-letters to .dead
 *   <prefix>.<consumer>.retry.<ms>ms     one per retry delay: messages wait out the TTL, then
 *                                        dead-letter back to the consumer's queue
 *   <prefix>.<consumer>.dead             the dead-letter queue (reason in the headers)
 */

export interface TopologyNames {
  exchange: string;
  queuePrefix: string;
}

export const queueName = (names: TopologyNames, consumer: string) => `${names.queuePrefix}.${consumer}`;
export const deadQueueName = (names: TopologyNames, consumer: string) => `${queueName(names, consumer)}.dead`;
export const retryQueueName = (names: TopologyNames, consumer: string, delayMs: number) => `${queueName(names, consumer)}.retry.${delayMs}ms`;

/** Message headers the pipeline sets. */
export const HEADER_ATTEMPT = "x-lavka-attempt";
export const HEADER_REASON = "x-lavka-reason";

export async function declareTopology(channel: Channel, names: TopologyNames, consumers: readonly Consumer[], retryDelaysMs: readonly number[]): Promise<void> {
  await channel.assertExchange(names.exchange, "topic", { durable: true });
  for (const consumer of consumers) {
    const queue = queueName(names, consumer.name);
    const dead = deadQueueName(names, consumer.name);
    await channel.assertQueue(dead, { durable: true });
    await channel.assertQueue(queue, { durable: true, deadLetterExchange: "", deadLetterRoutingKey: dead });
    for (const type of consumer.events) await channel.bindQueue(queue, names.exchange, type);
    for (const delayMs of new Set(retryDelaysMs)) {
      await channel.assertQueue(retryQueueName(names, consumer.name, delayMs), {
        durable: true,
        messageTtl: delayMs,
        deadLetterExchange: "",
        deadLetterRoutingKey: queue,
      });
    }
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
