import type { ConfirmChannel } from "amqplib";
import { publishHeaders, toEnvelope } from "~/core/events/outbox";
import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { Consumer } from "../consumer";
import type { PipelineMetrics } from "../metrics";
import { relayBatch } from "../relay";
import type { Session } from "./connection";
import { HEADER_ATTEMPT, queueName, sampleQueueDepths, type TopologyNames } from "./topology";

/** Publishes one message and resolves on the broker's confirm for it (not the whole channel's). */
export function publishConfirmed(
  channel: ConfirmChannel,
  message: { exchange: string; routingKey: string; body: Buffer; headers: Record<string, unknown>; messageId: string | undefined },
  timeoutMs: number,
): Promise<void> {
  const { exchange, routingKey, body, headers, messageId } = message;
  const confirmed = new Promise<void>((resolve, reject) => {
    channel.publish(
      exchange,
      routingKey,
      body,
      { persistent: true, contentType: "application/json", headers, ...(messageId ? { messageId } : {}) },
      (err) => (err ? reject(err instanceof Error ? err : new Error("broker refused the message")) : resolve()),
    );
  });
  return withTimeout(confirmed, timeoutMs, "broker did not confirm in time");
}

export interface RelayPassOptions {
  db: Db;
  /** The relay's own small pool. */
  relayDb: Db;
  names: TopologyNames;
  consumers: readonly Consumer[];
  batchSize: number;
  metrics: PipelineMetrics;
  logger: Logger;
  confirmTimeoutMs: number;
  /** The live session; the pass does nothing while there is none. */
  current(): Session | null;
}

/**
 * One pass of the outbox relay over the broker: a batch of outbox rows published on the confirm
 * channel (marked published once every confirm arrived), now and then the queue depths sampled
 * and the dead letters an admin replayed published. True when there may be more to do at once.
 */
export function createRelayPass(options: RelayPassOptions): () => Promise<boolean> {
  const { names, metrics, confirmTimeoutMs } = options;
  let lastReplayCheck = 0;
  let lastDepthSample = 0;

  return async function relayPass(): Promise<boolean> {
    const current = options.current();
    if (!current) return false;
    const sent = await relayBatch(
      options.relayDb,
      options.batchSize,
      async (rows) => {
        for (const row of rows) {
          current.publish.publish(names.exchange, row.type, Buffer.from(JSON.stringify(toEnvelope(row))), {
            persistent: true,
            contentType: "application/json",
            messageId: row.id,
            type: row.type,
            timestamp: Math.floor(row.occurredAt.getTime() / 1000),
            headers: { [HEADER_ATTEMPT]: 1, ...publishHeaders(row) },
          });
        }
        await withTimeout(current.publish.waitForConfirms(), confirmTimeoutMs, "broker did not confirm in time");
      },
      metrics,
      options.logger,
    );
    if (Date.now() - lastDepthSample >= 5_000) {
      lastDepthSample = Date.now();
      await sampleQueueDepths(current.publish, names, options.consumers, metrics);
    }
    // Replays are rare and an admin can wait a second: don't query for them on every poll.
    let replayed = 0;
    if (Date.now() - lastReplayCheck >= 1_000) {
      lastReplayCheck = Date.now();
      replayed = await publishReplays(current.publish, options);
    }
    return sent === options.batchSize || replayed > 0;
  };
}

/**
 * Dead letters an admin replayed arrive as EventDelivery rows (the API has no broker
 * connection); they are published straight to that consumer's queue.
 */
async function publishReplays(channel: ConfirmChannel, options: RelayPassOptions): Promise<number> {
  const { db } = options;
  const rows = await db.eventDelivery.findMany({
    where: { status: "pending", consumer: { in: options.consumers.map((c) => c.name) } },
    select: { eventId: true, consumer: true, event: { select: { id: true, seq: true, type: true, version: true, aggregateType: true, aggregateId: true, payload: true, occurredAt: true, headers: true } } },
    take: options.batchSize,
  });
  for (const row of rows) {
    await publishConfirmed(
      channel,
      { exchange: "", routingKey: queueName(options.names, row.consumer), body: Buffer.from(JSON.stringify(toEnvelope(row.event))), headers: { [HEADER_ATTEMPT]: 1 }, messageId: row.eventId },
      options.confirmTimeoutMs,
    );
    await db.eventDelivery.update({ where: { eventId_consumer: { eventId: row.eventId, consumer: row.consumer } }, data: { status: "done" }, select: { eventId: true } });
  }
  return rows.length;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
