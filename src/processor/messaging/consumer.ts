import { ZodError } from "zod";
import { parseEvent, type DomainEvent, type EventType } from "~/core/events/definitions";
import { Prisma, type Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { ExternalServiceError } from "~/core/integrations/errors";
import { isDatabaseUnavailable } from "~/lib/db-errors";
import type { PipelineMetrics } from "./metrics";

/**
 * The one consumer interface. A consumer names the events it wants and handles one at a time;
 * it never sees the transport (RabbitMQ or the database) that brought the event.
 */
export interface Consumer {
  /** Stable name: the queue name, the ProcessedMessage and EventDelivery key. */
  name: string;
  events: readonly EventType[];
  /** Deliveries worked on at once, when the transport default does not suit (batching consumers). */
  prefetch?: number;
  handle(event: DomainEvent, ctx: ConsumerContext): Promise<void>;
}

export interface ConsumerContext {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** 1 for the first delivery. */
  attempt: number;
  /**
   * Runs the consumer's database effect in one transaction together with the ProcessedMessage
   * row, so the effect happens exactly once per event. Resolves false (and runs nothing) when
   * another delivery of the same event already committed.
   */
  commit(effect: (tx: Prisma.TransactionClient) => Promise<void>): Promise<boolean>;
}

/** Thrown by a consumer to say "not now": retried with backoff and never dead-lettered. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
}

/**
 * True for failures of something outside the message: a service down, or the database
 * unreachable or too busy to start or finish a transaction in time (P2028). The message itself
 * is fine, so it must not be dead-lettered for it.
 */
export function isTransient(err: unknown): boolean {
  return (
    err instanceof RetryLaterError ||
    (err instanceof ExternalServiceError && err.transient) ||
    (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2028") ||
    isDatabaseUnavailable(err)
  );
}

export type Outcome =
  | { kind: "done" }
  | { kind: "duplicate" }
  | { kind: "ignored" }
  | { kind: "retry"; delayMs: number; reason: string }
  | { kind: "dead"; reason: string };

export interface RetryPolicy {
  /** Delay before retry 1, 2, ...; the last repeats. */
  delaysMs: readonly number[];
  /** Deliveries before a failing (non-transient) message is dead-lettered. */
  maxAttempts: number;
}

export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return policy.delaysMs[Math.min(attempt - 1, policy.delaysMs.length - 1)]!;
}

export interface DispatchDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
  policy: RetryPolicy;
  metrics: PipelineMetrics;
  /** Called after an effect committed (it may have written new events: the relay can go at once). */
  onCommitted?: () => void;
}

/** A message as it arrived: bytes from the broker, or the JSON of an outbox row. */
export type RawMessage = Buffer | Record<string, unknown>;

function describe(err: unknown): string {
  if (err instanceof ZodError) return err.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  return err instanceof Error ? err.message : String(err);
}

/** Best-effort view of a message that may not even be JSON, for logs and the DeadLetter row. */
export function messageBody(raw: RawMessage): unknown {
  if (!Buffer.isBuffer(raw)) return raw;
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { unparseable: text.slice(0, 10_000) };
  }
}

/**
 * Decides what happens to one delivery: validate, skip duplicates, run the consumer, and turn
 * a failure into a retry (with the delay for this attempt) or a dead letter (with the reason).
 * Transports only carry out the outcome.
 */
export async function dispatch(consumer: Consumer, raw: RawMessage, attempt: number, deps: DispatchDeps, options: { firstDelivery?: boolean } = {}): Promise<Outcome> {
  const log = deps.logger.child({ consumer: consumer.name });
  let event: DomainEvent;
  try {
    const body = Buffer.isBuffer(raw) ? (JSON.parse(raw.toString("utf8")) as unknown) : raw;
    event = parseEvent(body);
  } catch (err) {
    const reason = `invalid message: ${describe(err)}`;
    log.warn({ reason }, "message failed validation");
    return { kind: "dead", reason };
  }
  if (!consumer.events.includes(event.type)) return { kind: "ignored" };

  // A first delivery is almost never a repeat, so skip the look-up there (one query per message);
  // if it is one after all (a relay published twice), commit() still refuses the second effect
  // and the external calls carry idempotency keys.
  if (!options.firstDelivery) {
    const seen = await deps.db.processedMessage.findUnique({
      where: { consumer_eventId: { consumer: consumer.name, eventId: event.id } },
      select: { eventId: true },
    });
    if (seen) return { kind: "duplicate" };
  }

  let committed: boolean | undefined;
  const ctx: ConsumerContext = {
    db: deps.db,
    logger: log.child({ eventId: event.id, type: event.type, attempt }),
    now: deps.now,
    attempt,
    commit: async (effect) => {
      committed = await deps.db.$transaction(
        async (tx) => {
          const inserted = await tx.$executeRaw`
            INSERT INTO "ProcessedMessage" (consumer, "eventId", "processedAt")
            VALUES (${consumer.name}, ${event.id}::uuid, ${deps.now()}) ON CONFLICT DO NOTHING`;
          if (inserted === 0) return false;
          await effect(tx);
          return true;
        },
        { timeout: 30_000, maxWait: 10_000 },
      );
      if (committed) deps.onCommitted?.();
      return committed;
    },
  };
  try {
    await consumer.handle(event, ctx);
    // A consumer with nothing to write still records the event, so a redelivery is skipped.
    if (committed === undefined) await ctx.commit(async () => undefined);
    deps.metrics.consumerLag.observe({ consumer: consumer.name }, Math.max(0, deps.now().getTime() - Date.parse(event.occurredAt)) / 1000);
    return committed === false ? { kind: "duplicate" } : { kind: "done" };
  } catch (err) {
    const reason = describe(err);
    if (isTransient(err)) {
      const delayMs = retryDelay(deps.policy, attempt);
      log.warn({ eventId: event.id, attempt, delayMs, reason }, "transient failure, retrying later");
      return { kind: "retry", delayMs, reason };
    }
    if (attempt >= deps.policy.maxAttempts) {
      log.error({ eventId: event.id, attempt, reason }, "giving up on message");
      return { kind: "dead", reason: `failed ${attempt} times: ${reason}` };
    }
    const delayMs = retryDelay(deps.policy, attempt);
    log.warn({ eventId: event.id, attempt, delayMs, reason, err }, "consumer failed, retrying");
    return { kind: "retry", delayMs, reason };
  }
}

/** Records a dead-lettered message so an admin can see it and replay it. */
export async function recordDeadLetter(
  db: Prisma.TransactionClient | Db,
  consumer: string,
  raw: RawMessage,
  reason: string,
  attempts: number,
): Promise<void> {
  const body = messageBody(raw);
  const env = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  await db.deadLetter.create({
    data: {
      consumer,
      eventId: typeof env.id === "string" ? env.id.slice(0, 100) : null,
      eventType: typeof env.type === "string" ? env.type.slice(0, 100) : null,
      payload: body as Prisma.InputJsonValue,
      reason: reason.slice(0, 4_000),
      attempts,
    },
    select: { id: true },
  });
}
