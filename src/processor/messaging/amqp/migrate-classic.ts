import type { ChannelModel, ConfirmChannel, GetMessage } from "amqplib";
import type { Logger } from "~/lib/logger";
import type { Consumer } from "../consumer";
import { withTimeout } from "./publish";
import { classicQueueNames, deadQueueName, queueName, type TopologyNames } from "./topology";

export interface ClassicMigrationOptions {
  names: TopologyNames;
  consumers: readonly Consumer[];
  /** The classic retry queues are found by the configured delays (`<queue>.retry.<ms>ms`). */
  retryDelaysMs: readonly number[];
  logger: Logger;
  confirmTimeoutMs: number;
}

export interface ClassicMigrationResult {
  /** Messages moved into the quorum queues. */
  moved: number;
  /** Classic queues deleted once empty. */
  deleted: string[];
  /** Classic queues left alone because a worker of an earlier release still consumes them. */
  inUse: string[];
}

const BATCH = 200;

/**
 * Moves what earlier releases left in the classic queues (topology version 1) into the quorum
 * queues, then deletes the classic ones. Runs when the worker connects and every minute after,
 * so a rolling update converges:
 *
 * - A classic consumer queue that still has consumers belongs to a worker of the earlier release
 *   that is still running: it is left alone (that worker handles its messages, and may still
 *   publish retries into its classic retry queues) until a later pass finds it unused.
 * - Otherwise its bindings are removed first (no new events arrive), then its retry queues are
 *   emptied into the quorum consumer queue (a message whose delay had not run out is tried
 *   early: harmless), then the queue itself, then its dead-letter queue into the quorum one.
 *
 * Each message is republished with its body and headers (attempt count, reason) and acked in the
 * classic queue only after the broker confirmed the copy: a crash in between leaves a duplicate,
 * which the consumers' idempotency absorbs, never a loss. Several workers may run this at once.
 */
export async function migrateClassicQueues(connection: ChannelModel, options: ClassicMigrationOptions): Promise<ClassicMigrationResult> {
  const result: ClassicMigrationResult = { moved: 0, deleted: [], inUse: [] };
  const { names } = options;
  for (const consumer of options.consumers) {
    const classic = classicQueueNames(names, consumer.name, options.retryDelaysMs);
    const target = queueName(names, consumer.name);
    const main = await inspect(connection, classic.main);
    if (main && main.consumerCount > 0) {
      result.inUse.push(classic.main);
      continue;
    }
    if (main) {
      await onChannel(connection, async (channel) => {
        for (const type of consumer.events) await channel.unbindQueue(classic.main, names.exchange, type);
      });
    }
    for (const [from, to] of [...classic.retries.map((retry) => [retry, target] as const), [classic.main, target] as const, [classic.dead, deadQueueName(names, consumer.name)] as const]) {
      if (!(await inspect(connection, from))) continue;
      result.moved += await onChannel(connection, (channel) => moveAll(channel, from, to, options.confirmTimeoutMs));
      // Refused (and left for the next pass) if a message arrived meanwhile or a consumer appeared.
      const deleted = await onChannel(connection, (channel) => channel.deleteQueue(from, { ifEmpty: true, ifUnused: true })).then(
        () => true,
        (err: unknown) => {
          options.logger.warn({ queue: from, reason: err instanceof Error ? err.message : String(err) }, "classic queue not deleted yet; the next pass tries again");
          return false;
        },
      );
      if (deleted) result.deleted.push(from);
    }
  }
  if (result.moved > 0 || result.deleted.length > 0) options.logger.info(result, "moved messages from the classic queues into the quorum queues");
  if (result.inUse.length > 0) options.logger.info({ queues: result.inUse }, "classic queues still consumed by an earlier release; moved once it stops");
  return result;
}

/** The queue's counts, or null when it does not exist (the broker closes the channel that asked). */
async function inspect(connection: ChannelModel, queue: string): Promise<{ messageCount: number; consumerCount: number } | null> {
  return onChannel(connection, (channel) => channel.checkQueue(queue)).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 404) return null;
    throw err;
  });
}

/** A channel per step: a refused operation closes the channel it was made on. */
async function onChannel<T>(connection: ChannelModel, step: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  const channel = await connection.createConfirmChannel();
  let closed = false;
  channel.on("error", () => undefined);
  channel.on("close", () => (closed = true));
  try {
    return await step(channel);
  } finally {
    if (!closed) await channel.close().catch(() => undefined);
  }
}

async function moveAll(channel: ConfirmChannel, from: string, to: string, confirmTimeoutMs: number): Promise<number> {
  let moved = 0;
  for (;;) {
    const batch: GetMessage[] = [];
    while (batch.length < BATCH) {
      const msg = await channel.get(from, { noAck: false });
      if (!msg) break;
      batch.push(msg);
    }
    if (batch.length === 0) return moved;
    for (const msg of batch) {
      const { contentType, headers, messageId, type, timestamp } = msg.properties;
      channel.publish("", to, msg.content, { persistent: true, contentType, headers, messageId, type, timestamp });
    }
    await withTimeout(channel.waitForConfirms(), confirmTimeoutMs, "broker did not confirm the moved messages in time");
    channel.ack(batch.at(-1)!, true);
    moved += batch.length;
  }
}
