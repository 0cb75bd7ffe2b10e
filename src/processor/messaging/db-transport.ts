import { toEnvelope, type OutboxRow } from "~/core/events/outbox";
import { dispatch, recordDeadLetter, type Consumer, type Outcome } from "./consumer";
import { startLoop, type Loop } from "../tasks/loop";
import { relayBatch } from "./relay";
import type { Transport, TransportOptions } from "./transport";

export interface DbTransportOptions extends TransportOptions {
  /** A claimed delivery not finished within this time (worker died) is delivered again. */
  leaseMs: number;
}

interface ClaimedDelivery extends OutboxRow {
  attempts: number;
  /** Earlier claims that ended with no outcome. */
  unfinished: number;
}

/**
 * Database transport (no AMQP_URL): the relay fans each outbox row out into one EventDelivery
 * row per subscribed consumer; each consumer claims its due rows with FOR UPDATE SKIP LOCKED
 * (several workers share the work), under a lease that makes a crashed worker's rows due
 * again; one whose lease ran out `deliveryLimit` times is dead-lettered instead of handled again.
 * Retries and dead letters follow the same outcomes as the AMQP transport.
 */
export function createDbTransport(options: DbTransportOptions): Transport {
  const { db, metrics } = options;
  const log = options.logger.child({ transport: "db" });
  const subscribers = new Map<string, string[]>();
  for (const consumer of options.consumers) {
    for (const type of consumer.events) subscribers.set(type, [...(subscribers.get(type) ?? []), consumer.name]);
  }
  const inFlight = new Set<Promise<void>>();
  const loops: Loop[] = [];
  let fanOutLoop: Loop | null = null;

  let lastPurge = 0;
  /** Finished deliveries are kept an hour (to look into), then deleted so the table stays small. */
  async function purgeDone(): Promise<void> {
    if (Date.now() - lastPurge < 60_000) return;
    lastPurge = Date.now();
    await db.eventDelivery.deleteMany({ where: { status: "done", updatedAt: { lt: new Date(Date.now() - 3_600_000) } } });
  }

  async function fanOut(): Promise<boolean> {
    await purgeDone();
    const sent = await relayBatch(
      options.relayDb,
      options.batchSize,
      async (rows, tx) => {
        const eventIds: string[] = [];
        const consumerNames: string[] = [];
        for (const row of rows) {
          for (const consumer of subscribers.get(row.type) ?? []) {
            eventIds.push(row.id);
            consumerNames.push(consumer);
          }
        }
        if (eventIds.length === 0) return;
        await tx.$executeRaw`
          INSERT INTO "EventDelivery" ("eventId", consumer, status, attempts, "availableAt", "updatedAt")
          SELECT e, c, 'pending', 0, now(), now() FROM unnest(${eventIds}::uuid[], ${consumerNames}::text[]) AS t(e, c)
          ON CONFLICT DO NOTHING`;
      },
      metrics,
      log,
    );
    if (sent > 0) for (const loop of consumerLoops.values()) loop.wake();
    return sent === options.batchSize;
  }

  async function claim(consumer: Consumer): Promise<ClaimedDelivery[]> {
    const leaseUntil = new Date(Date.now() + options.leaseMs);
    const rows = await db.$queryRaw<ClaimedDelivery[]>`
      WITH due AS (
        SELECT d."eventId" FROM "EventDelivery" d JOIN "OutboxEvent" e ON e.id = d."eventId"
        WHERE d.consumer = ${consumer.name} AND d.status IN ('pending', 'processing') AND d."availableAt" <= now()
        ORDER BY e.seq LIMIT ${consumer.prefetch ?? options.prefetch}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE "EventDelivery" d
      SET status = 'processing', attempts = d.attempts + 1, "availableAt" = ${leaseUntil}, "updatedAt" = now(),
          -- Still 'processing' when claimed: the last claim's lease ran out with no outcome.
          unfinished = d.unfinished + CASE WHEN d.status = 'processing' THEN 1 ELSE 0 END
      FROM due, "OutboxEvent" e
      WHERE d."eventId" = due."eventId" AND d.consumer = ${consumer.name} AND e.id = d."eventId"
      RETURNING e.id, e.seq, e.type, e.version, e."aggregateType", e."aggregateId", e.payload, e."occurredAt", e.headers, d.attempts, d.unfinished`;
    return rows.sort((a, b) => (a.seq < b.seq ? -1 : 1));
  }

  /** Retries and dead letters; finished deliveries are marked done per batch in consumePass. */
  async function settle(consumer: Consumer, delivery: ClaimedDelivery, outcome: Extract<Outcome, { kind: "retry" | "dead" }>): Promise<void> {
    const key = { eventId_consumer: { eventId: delivery.id, consumer: consumer.name } };
    switch (outcome.kind) {
      case "retry":
        await db.eventDelivery.update({
          where: key,
          data: { status: "pending", availableAt: new Date(Date.now() + outcome.delayMs), lastError: outcome.reason.slice(0, 1_000) },
          select: { eventId: true },
        });
        metrics.retries.inc({ consumer: consumer.name });
        return;
      case "dead":
        await db.$transaction(async (tx) => {
          await tx.eventDelivery.update({ where: key, data: { status: "dead", lastError: outcome.reason.slice(0, 1_000) }, select: { eventId: true } });
          await recordDeadLetter(tx, consumer.name, toEnvelope(delivery), outcome.reason, delivery.unfinished >= options.deliveryLimit ? delivery.unfinished : delivery.attempts);
        });
        metrics.deadLetters.inc({ consumer: consumer.name });
    }
  }

  async function consumePass(consumer: Consumer): Promise<boolean> {
    const deliveries = await claim(consumer);
    const finished: string[] = [];
    await Promise.all(
      deliveries.map((delivery) => {
        const work = (async () => {
          // Handling it again would most likely stop this worker too.
          const outcome: Outcome =
            delivery.unfinished >= options.deliveryLimit
              ? { kind: "dead", reason: `no outcome after ${delivery.unfinished} deliveries: the worker stopped (crashed, was killed or lost its connection) while handling it each time` }
              : await dispatch(
                  consumer,
                  toEnvelope(delivery),
                  delivery.attempts,
                  { db, logger: log, now: options.now, policy: options.policy, metrics, onCommitted: () => fanOutLoop?.wake() },
                  { firstDelivery: delivery.attempts === 1 },
                );
          metrics.messages.inc({ consumer: consumer.name, outcome: outcome.kind });
          if (outcome.kind === "done" || outcome.kind === "duplicate" || outcome.kind === "ignored") finished.push(delivery.id);
          else await settle(consumer, delivery, outcome);
        })()
          // A failure here (database down) leaves the lease to expire: the delivery comes back.
          .catch((err: unknown) => log.warn({ consumer: consumer.name, eventId: delivery.id, err }, "delivery not settled"))
          .finally(() => inFlight.delete(work));
        inFlight.add(work);
        return work;
      }),
    );
    if (finished.length > 0) {
      await db.eventDelivery.updateMany({ where: { consumer: consumer.name, eventId: { in: finished } }, data: { status: "done", lastError: null } });
    }
    return deliveries.length === (consumer.prefetch ?? options.prefetch);
  }

  const consumerLoops = new Map<string, Loop>();
  return {
    async start() {
      fanOutLoop = startLoop(fanOut, { name: "outbox-fanout", logger: log, idleMs: options.pollMs });
      loops.push(fanOutLoop);
      for (const consumer of options.consumers) {
        const loop = startLoop(() => consumePass(consumer), { name: `consume-${consumer.name}`, logger: log, idleMs: options.pollMs });
        consumerLoops.set(consumer.name, loop);
        loops.push(loop);
      }
      log.info({ consumers: options.consumers.map((c) => c.name) }, "database transport consuming");
    },
    async stop() {
      // Each loop finishes its current pass (its in-flight deliveries) before it stops.
      const stopping = loops.map((loop) => loop.stop());
      log.info("no new deliveries are claimed after the current passes; finishing those in flight");
      await Promise.all(stopping);
      await Promise.allSettled([...inFlight]);
      log.info("database transport stopped");
    },
  };
}
