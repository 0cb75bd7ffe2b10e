import type { Channel, ConsumeMessage } from "amqplib";
import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { dispatch, recordDeadLetter, type Consumer, type Outcome, type RetryPolicy } from "../consumer";
import type { PipelineMetrics } from "../metrics";
import type { ConsumerChannel, RestartSession, Session } from "./connection";
import { publishConfirmed } from "./publish";
import { deadQueueName, HEADER_ATTEMPT, HEADER_REASON, queueName, retryQueueName, type TopologyNames } from "./topology";

export interface AmqpConsumersOptions {
  db: Db;
  logger: Logger;
  now: () => Date;
  names: TopologyNames;
  consumers: readonly Consumer[];
  policy: RetryPolicy;
  metrics: PipelineMetrics;
  /** Messages one consumer works on at once, unless the consumer sets its own. */
  prefetch: number;
  confirmTimeoutMs: number;
  /** After a consumer's effect committed (it may have written events the relay can send at once). */
  onCommitted(): void;
}

export interface AmqpConsumers {
  /** One channel per consumer on the session, with its prefetch and manual acks. */
  subscribe(session: Session, restart: RestartSession): Promise<ConsumerChannel[]>;
  /** Stops taking new messages on the session. */
  cancel(session: Session): Promise<void>;
  /** Resolves once every message in flight is settled. */
  drain(): Promise<void>;
}

/**
 * The consuming side: each delivery goes through dispatch(), and its outcome is carried out
 * before the ack. A message is acked only after its outcome is durable (the effect committed,
 * or the retry copy or dead letter confirmed by the broker); one that is never acked is
 * redelivered by the broker.
 */
export function createAmqpConsumers(options: AmqpConsumersOptions): AmqpConsumers {
  const { db, metrics, names } = options;
  const log = options.logger;
  const inFlight = new Set<Promise<void>>();

  async function onMessage(owner: Session, channel: Channel, consumer: Consumer, msg: ConsumeMessage): Promise<void> {
    const attempt = Number(msg.properties.headers?.[HEADER_ATTEMPT] ?? 1) || 1;
    let outcome: Outcome;
    try {
      outcome = await dispatch(
        consumer,
        msg.content,
        attempt,
        { db, logger: log, now: options.now, policy: options.policy, metrics, onCommitted: options.onCommitted },
        { firstDelivery: attempt === 1 && !msg.fields.redelivered },
      );
    } catch (err) {
      // The pipeline itself failed (database down): leave the message unacked-then-requeued.
      log.warn({ consumer: consumer.name, reason: err instanceof Error ? err.message : String(err) }, "could not process message; requeueing");
      await sleep(Math.min(5_000, 250 * attempt));
      safe(() => channel.nack(msg, false, true));
      return;
    }
    metrics.messages.inc({ consumer: consumer.name, outcome: outcome.kind });
    const copy = (routingKey: string, headers: Record<string, unknown>) =>
      publishConfirmed(
        owner.publish,
        { exchange: "", routingKey, body: msg.content, headers: { ...msg.properties.headers, ...headers }, messageId: msg.properties.messageId as string | undefined },
        options.confirmTimeoutMs,
      );
    try {
      if (outcome.kind === "retry") {
        await copy(retryQueueName(names, consumer.name, outcome.delayMs), { [HEADER_ATTEMPT]: attempt + 1, [HEADER_REASON]: outcome.reason.slice(0, 1_000) });
        metrics.retries.inc({ consumer: consumer.name });
      } else if (outcome.kind === "dead") {
        await recordDeadLetter(db, consumer.name, msg.content, outcome.reason, attempt);
        await copy(deadQueueName(names, consumer.name), { [HEADER_ATTEMPT]: attempt, [HEADER_REASON]: outcome.reason.slice(0, 1_000) });
        metrics.deadLetters.inc({ consumer: consumer.name });
      }
      channel.ack(msg);
    } catch (err) {
      // Channel or connection gone before the ack: the broker redelivers, and the consumer's
      // idempotency (or the DeadLetter's second row) absorbs the repeat.
      log.warn({ consumer: consumer.name, reason: err instanceof Error ? err.message : String(err) }, "could not settle message");
    }
  }

  return {
    async subscribe(session, restart) {
      const subscribed: ConsumerChannel[] = [];
      for (const consumer of options.consumers) {
        const channel = await session.connection.createChannel();
        channel.on("error", (err: Error) => log.warn({ consumer: consumer.name, reason: err.message }, "consumer channel error"));
        await channel.prefetch(consumer.prefetch ?? options.prefetch);
        const { consumerTag } = await channel.consume(queueName(names, consumer.name), (msg) => {
          // No message: the broker cancelled the consumer (its queue was deleted); reconnecting redeclares it.
          if (!msg) {
            restart("broker cancelled the consumer; reconnecting", { consumer: consumer.name });
            return;
          }
          const work = onMessage(session, channel, consumer, msg).finally(() => inFlight.delete(work));
          inFlight.add(work);
        });
        subscribed.push({ channel, tag: consumerTag });
      }
      return subscribed;
    },
    async cancel(session) {
      await Promise.allSettled(session.consumers.map(({ channel, tag }) => channel.cancel(tag)));
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel is already closed: the broker requeues the message itself.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
