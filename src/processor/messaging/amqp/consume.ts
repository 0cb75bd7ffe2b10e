import type { Channel, ConsumeMessage } from "amqplib";
import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { dispatch, recordDeadLetter, retryDelay, type Consumer, type Outcome, type RetryPolicy } from "../consumer";
import type { PipelineMetrics } from "../metrics";
import type { ConsumerChannel, RestartSession, Session } from "./connection";
import { publishConfirmed } from "./publish";
import { deadQueueName, HEADER_ATTEMPT, HEADER_DELIVERY_COUNT, HEADER_REASON, HEADER_UNFINISHED, queueName, retryQueueName, type TopologyNames } from "./topology";

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
  /** Deliveries without an outcome (the worker died holding the message) before it is dead-lettered unhandled. */
  deliveryLimit: number;
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
    const headers = msg.properties.headers ?? {};
    const attempt = Number(headers[HEADER_ATTEMPT] ?? 1) || 1;
    // Deliveries of this message that ended with no outcome: the worker died (or lost the broker)
    // holding it. The quorum queue counts returns since this copy was published; earlier copies'
    // count travels in our header.
    const unfinished = (Number(headers[HEADER_DELIVERY_COUNT] ?? 0) || 0) + (Number(headers[HEADER_UNFINISHED] ?? 0) || 0);
    const copy = (routingKey: string, extra: Record<string, unknown>) =>
      publishConfirmed(
        owner.publish,
        { exchange: "", routingKey, body: msg.content, headers: { ...headers, [HEADER_UNFINISHED]: unfinished, ...extra }, messageId: msg.properties.messageId as string | undefined },
        options.confirmTimeoutMs,
      );
    /**
     * Something outside the message failed (the database, while handling or settling it): the
     * message waits in a retry queue with the same attempt number, so an outage spends neither
     * attempts nor deliveries. Only if even that copy fails is it handed back to the broker.
     */
    const later = async (reason: string) => {
      log.warn({ consumer: consumer.name, reason }, "could not process message; trying again later");
      try {
        await copy(retryQueueName(names, consumer.name, retryDelay(options.policy, attempt)), { [HEADER_ATTEMPT]: attempt });
      } catch {
        safe(() => channel.nack(msg, false, true));
        return;
      }
      safe(() => channel.ack(msg));
    };

    let outcome: Outcome;
    const crashLooping = unfinished >= options.deliveryLimit;
    if (crashLooping) {
      // Handling it again would most likely stop this worker too.
      outcome = { kind: "dead", reason: `no outcome after ${unfinished} deliveries: the worker stopped (crashed, was killed or lost its connection) while handling it each time` };
    } else {
      try {
        outcome = await dispatch(
          consumer,
          msg.content,
          attempt,
          { db, logger: log, now: options.now, policy: options.policy, metrics, onCommitted: options.onCommitted },
          { firstDelivery: attempt === 1 && unfinished === 0 },
        );
      } catch (err) {
        await later(err instanceof Error ? err.message : String(err));
        return;
      }
    }
    metrics.messages.inc({ consumer: consumer.name, outcome: outcome.kind });
    try {
      if (outcome.kind === "retry") {
        await copy(retryQueueName(names, consumer.name, outcome.delayMs), { [HEADER_ATTEMPT]: attempt + 1, [HEADER_REASON]: outcome.reason.slice(0, 1_000) });
        metrics.retries.inc({ consumer: consumer.name });
      } else if (outcome.kind === "dead") {
        await recordDeadLetter(db, consumer.name, msg.content, outcome.reason, crashLooping ? unfinished : attempt);
        await copy(deadQueueName(names, consumer.name), { [HEADER_ATTEMPT]: attempt, [HEADER_REASON]: outcome.reason.slice(0, 1_000) });
        metrics.deadLetters.inc({ consumer: consumer.name });
      }
    } catch (err) {
      // The database (the dead letter could not be recorded) or the broker (no confirm) failed.
      await later(`could not settle message: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    // A channel closed by now means the broker redelivers: idempotency absorbs the repeat.
    safe(() => channel.ack(msg));
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

