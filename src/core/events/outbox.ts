import { randomUUID } from "node:crypto";
import type { Prisma } from "~/lib/db";
import { EVENT_VERSION, eventPayloads, type EventPayload, type EventType } from "./definitions";

export interface NewEvent<T extends EventType> {
  type: T;
  aggregateType: string;
  aggregateId: string;
  payload: EventPayload<T>;
}

/**
 * Appends an event to the outbox inside the caller's transaction, so the event exists
 * exactly when the change it describes does. The payload is validated before it is stored.
 */
export async function appendEvent<T extends EventType>(
  tx: Prisma.TransactionClient,
  event: NewEvent<T>,
  now: Date = new Date(),
): Promise<string> {
  const payload = eventPayloads[event.type].parse(event.payload);
  const id = randomUUID();
  await tx.outboxEvent.create({
    data: {
      id,
      type: event.type,
      version: EVENT_VERSION,
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      payload: payload as Prisma.InputJsonValue,
      occurredAt: now,
    },
    select: { id: true },
  });
  return id;
}

/** Several events in one insert (same transaction rules as appendEvent); returns their ids in order. */
export async function appendEvents(tx: Prisma.TransactionClient, events: NewEvent<EventType>[], now: Date = new Date()): Promise<string[]> {
  const rows = events.map((event) => ({
    id: randomUUID(),
    type: event.type,
    version: EVENT_VERSION,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    payload: eventPayloads[event.type].parse(event.payload) as Prisma.InputJsonValue,
    occurredAt: now,
  }));
  await tx.outboxEvent.createMany({ data: rows });
  return rows.map((r) => r.id);
}

/** An outbox row as the relay reads it (raw SQL, so `seq` is a bigint). */
export interface OutboxRow {
  id: string;
  seq: bigint;
  type: string;
  version: number;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: Date;
}

/**
 * The wire form of an outbox row. It is not re-validated here: a row written by appendEvent is
 * valid, and a bad row must still travel so the consumer can dead-letter it with its reason.
 */
export function toEnvelope(row: OutboxRow): Record<string, unknown> {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: row.occurredAt.toISOString(),
    aggregateType: row.aggregateType,
    aggregateId: row.aggregateId,
    payload: row.payload,
  };
}
