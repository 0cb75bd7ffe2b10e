import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { Prisma } from "~/lib/db";
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

/** A SQL identifier from our own code (a CTE or column name), quoted. */
function identifier(name: string): Prisma.Sql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return Prisma.raw(`"${name}"`);
}

/**
 * appendEvent as part of a larger statement, for one that creates the aggregate itself (checkout's
 * single round trip): `INSERT INTO "OutboxEvent" ... SELECT ... FROM <source>`. The payload is
 * validated here, as appendEvent does, without the fields only the statement knows (a serial
 * order number); those are taken from the columns `fromColumns` of the one row of `source` (a CTE).
 */
export function appendEventSql<T extends EventType, K extends keyof EventPayload<T> & string>(
  event: Omit<NewEvent<T>, "payload"> & { payload: Omit<EventPayload<T>, K> },
  source: { name: string; fromColumns: Record<K, string> },
  now: Date,
): Prisma.Sql {
  const filled = Object.keys(source.fromColumns) as K[];
  const schema = eventPayloads[event.type] as unknown as z.ZodObject<Record<string, z.ZodType>>;
  const omitted: Record<string, true> = Object.fromEntries(filled.map((key) => [key, true]));
  const payload = schema.omit(omitted).parse(event.payload);
  const table = identifier(source.name);
  const columns = filled.map((key) => Prisma.sql`${key}::text, ${table}.${identifier(source.fromColumns[key])}`);
  return Prisma.sql`
    INSERT INTO "OutboxEvent" (id, type, version, "aggregateType", "aggregateId", payload, "occurredAt")
    SELECT ${randomUUID()}::uuid, ${event.type}, ${EVENT_VERSION}::int, ${event.aggregateType}, ${event.aggregateId},
           ${JSON.stringify(payload)}::jsonb || jsonb_build_object(${Prisma.join(columns)}), ${now}
    FROM ${table}`;
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
