import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import { toEnvelope } from "~/core/events/outbox";
import { dispatch, recordDeadLetter, type Consumer, type Outcome } from "./consumer";
import { startLoop, type Loop } from "../tasks/loop";
import { relayBatch } from "./relay";
import { declareTopology, deadQueueName, HEADER_ATTEMPT, HEADER_REASON, queueName, retryQueueName, type TopologyNames } from "./topology";
import type { Transport, TransportOptions } from "./transport";

export interface AmqpTransportOptions extends TransportOptions, TopologyNames {
  url: string;
  /** How long a publish may wait for the broker's confirm before the batch is given up. */
  confirmTimeoutMs?: number;
}

interface Session {
  connection: ChannelModel;
  /** Publishing (outbox relay, retries, dead letters) with publisher confirms. */
  publish: ConfirmChannel;
  /** One channel per consumer, each with its own prefetch. */
  consumers: { channel: Channel; tag: string }[];
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 15_000;

/**
 * RabbitMQ transport: ONE connection per process; a confirm channel for publishing; one channel
 * per consumer with prefetch and manual acks. On connection loss it reconnects with backoff,
 * re-declares the topology and resumes consuming. Unacked messages of a lost channel are
 * redelivered by the broker, so a message is acked only after its outcome is durable.
 */
export function createAmqpTransport(options: AmqpTransportOptions): Transport {
  const { db, logger, metrics } = options;
  const log = logger.child({ transport: "amqp" });
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;
  let session: Session | null = null;
  let stopping = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let connecting: Promise<void> | null = null;
  const inFlight = new Set<Promise<void>>();
  let relay: Loop | null = null;
  let lastReplayCheck = 0;
  let lastDepthSample = 0;

  async function openSession(): Promise<Session> {
    const connection = await connect(options.url, { timeout: 5_000 });
    try {
      connection.on("error", (err: Error) => log.warn({ reason: err.message }, "broker connection error"));
      const publish = await connection.createConfirmChannel();
      publish.on("error", (err: Error) => log.warn({ reason: err.message }, "publish channel error"));
      await declareTopology(publish, options, options.consumers, options.policy.delaysMs);
      const next: Session = { connection, publish, consumers: [] };
      for (const consumer of options.consumers) {
        const channel = await connection.createChannel();
        channel.on("error", (err: Error) => log.warn({ consumer: consumer.name, reason: err.message }, "consumer channel error"));
        await channel.prefetch(consumer.prefetch ?? options.prefetch);
        const { consumerTag } = await channel.consume(queueName(options, consumer.name), (msg) => {
          if (!msg) {
            // The broker cancelled the consumer (its queue was deleted): reconnect, which redeclares it.
            if (!stopping && session === next) {
              log.warn({ consumer: consumer.name }, "broker cancelled the consumer; reconnecting");
              connection.close().catch(() => undefined);
            }
            return;
          }
          const work = onMessage(next, channel, consumer, msg).finally(() => inFlight.delete(work));
          inFlight.add(work);
        });
        next.consumers.push({ channel, tag: consumerTag });
      }
      // A channel closed by the broker (a channel error, a deleted queue) leaves the connection up
      // but the session useless: drop the connection so the reconnect path rebuilds everything.
      const restartOnChannelClose = () => {
        if (!stopping && session === next) {
          log.warn("a broker channel closed; reconnecting");
          connection.close().catch(() => undefined);
        }
      };
      publish.on("close", restartOnChannelClose);
      for (const { channel } of next.consumers) channel.on("close", restartOnChannelClose);
      connection.once("close", () => {
        if (session === next) session = null;
        if (!stopping) {
          log.warn("broker connection lost; reconnecting");
          scheduleReconnect(RECONNECT_MIN_MS);
        }
      });
      return next;
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  function scheduleReconnect(delayMs: number): void {
    if (stopping || reconnectTimer || connecting) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connecting = (async () => {
        try {
          session = await openSession();
          log.info("connected to broker; topology declared, consuming");
          relay?.wake();
        } catch (err) {
          const next = Math.min(RECONNECT_MAX_MS, Math.max(RECONNECT_MIN_MS, delayMs * 2));
          log.warn({ reason: err instanceof Error ? err.message : String(err), retryInMs: next }, "cannot reach broker");
          connecting = null;
          scheduleReconnect(next);
          return;
        }
        connecting = null;
      })();
    }, delayMs);
  }

  /** Publishes one message and resolves on the broker's confirm for it (not the whole channel's). */
  function publishConfirmed(channel: ConfirmChannel, exchange: string, routingKey: string, body: Buffer, headers: Record<string, unknown>, messageId?: string): Promise<void> {
    const confirmed = new Promise<void>((resolve, reject) => {
      channel.publish(
        exchange,
        routingKey,
        body,
        { persistent: true, contentType: "application/json", headers, ...(messageId ? { messageId } : {}) },
        (err) => (err ? reject(err instanceof Error ? err : new Error("broker refused the message")) : resolve()),
      );
    });
    return withTimeout(confirmed, confirmTimeoutMs, "broker did not confirm in time");
  }

  async function onMessage(owner: Session, channel: Channel, consumer: Consumer, msg: ConsumeMessage): Promise<void> {
    const attempt = Number(msg.properties.headers?.[HEADER_ATTEMPT] ?? 1) || 1;
    let outcome: Outcome;
    try {
      outcome = await dispatch(
        consumer,
        msg.content,
        attempt,
        { db, logger: log, now: options.now, policy: options.policy, metrics, onCommitted: () => relay?.wake() },
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
    try {
      if (outcome.kind === "retry") {
        await publishConfirmed(
          owner.publish,
          "",
          retryQueueName(options, consumer.name, outcome.delayMs),
          msg.content,
          { ...msg.properties.headers, [HEADER_ATTEMPT]: attempt + 1, [HEADER_REASON]: outcome.reason.slice(0, 1_000) },
          msg.properties.messageId as string | undefined,
        );
        metrics.retries.inc({ consumer: consumer.name });
      } else if (outcome.kind === "dead") {
        await recordDeadLetter(db, consumer.name, msg.content, outcome.reason, attempt);
        await publishConfirmed(
          owner.publish,
          "",
          deadQueueName(options, consumer.name),
          msg.content,
          { ...msg.properties.headers, [HEADER_ATTEMPT]: attempt, [HEADER_REASON]: outcome.reason.slice(0, 1_000) },
          msg.properties.messageId as string | undefined,
        );
        metrics.deadLetters.inc({ consumer: consumer.name });
      }
      channel.ack(msg);
    } catch (err) {
      // Channel or connection gone before the ack: the broker redelivers, and the consumer's
      // idempotency (or the DeadLetter's second row) absorbs the repeat.
      log.warn({ consumer: consumer.name, reason: err instanceof Error ? err.message : String(err) }, "could not settle message");
    }
  }

  async function relayPass(): Promise<boolean> {
    const current = session;
    if (!current) return false;
    const sent = await relayBatch(
      options.relayDb,
      options.batchSize,
      async (rows) => {
        for (const row of rows) {
          current.publish.publish(options.exchange, row.type, Buffer.from(JSON.stringify(toEnvelope(row))), {
            persistent: true,
            contentType: "application/json",
            messageId: row.id,
            type: row.type,
            timestamp: Math.floor(row.occurredAt.getTime() / 1000),
            headers: { [HEADER_ATTEMPT]: 1 },
          });
        }
        await withTimeout(current.publish.waitForConfirms(), confirmTimeoutMs, "broker did not confirm in time");
      },
      metrics,
      log,
    );
    if (Date.now() - lastDepthSample >= 5_000) {
      lastDepthSample = Date.now();
      await sampleQueueDepths(current);
    }
    // Replays are rare and an admin can wait a second: don't query for them on every poll.
    let replayed = 0;
    if (Date.now() - lastReplayCheck >= 1_000) {
      lastReplayCheck = Date.now();
      replayed = await replayPass(current);
    }
    return sent === options.batchSize || replayed > 0;
  }

  /** Consumer lag as the broker sees it: messages waiting per queue. */
  async function sampleQueueDepths(current: Session): Promise<void> {
    for (const consumer of options.consumers) {
      for (const [kind, queue] of [["main", queueName(options, consumer.name)], ["dead", deadQueueName(options, consumer.name)]] as const) {
        const { messageCount } = await current.publish.checkQueue(queue);
        metrics.queueDepth.set({ consumer: consumer.name, queue: kind }, messageCount);
      }
    }
  }

  /**
   * Dead letters an admin replayed arrive as EventDelivery rows (the API has no broker
   * connection); they are published straight to that consumer's queue.
   */
  async function replayPass(current: Session): Promise<number> {
    const rows = await db.eventDelivery.findMany({
      where: { status: "pending", consumer: { in: options.consumers.map((c) => c.name) } },
      select: { eventId: true, consumer: true, event: { select: { id: true, seq: true, type: true, version: true, aggregateType: true, aggregateId: true, payload: true, occurredAt: true } } },
      take: options.batchSize,
    });
    for (const row of rows) {
      await publishConfirmed(current.publish, "", queueName(options, row.consumer), Buffer.from(JSON.stringify(toEnvelope(row.event))), { [HEADER_ATTEMPT]: 1 }, row.eventId);
      await db.eventDelivery.update({ where: { eventId_consumer: { eventId: row.eventId, consumer: row.consumer } }, data: { status: "done" }, select: { eventId: true } });
    }
    return rows.length;
  }

  return {
    async start() {
      try {
        session = await openSession();
        log.info("connected to broker; topology declared, consuming");
      } catch (err) {
        log.warn({ reason: err instanceof Error ? err.message : String(err) }, "cannot reach broker at start; retrying in the background");
        scheduleReconnect(RECONNECT_MIN_MS);
      }
      relay = startLoop(relayPass, { name: "outbox-relay", logger: log, idleMs: options.pollMs });
    },
    async stop() {
      stopping = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await connecting?.catch(() => undefined);
      const current = session;
      // 1. stop taking new messages, 2. stop relaying, 3. finish in-flight, 4. close.
      if (current) await Promise.allSettled(current.consumers.map(({ channel, tag }) => channel.cancel(tag)));
      log.info("consumers cancelled: no new messages are taken; finishing those in flight");
      await relay?.stop();
      await Promise.allSettled([...inFlight]);
      if (current) await current.connection.close().catch(() => undefined);
      session = null;
      log.info("amqp transport stopped");
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

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
