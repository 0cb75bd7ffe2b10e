import { randomUUID } from "node:crypto";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import type { z } from "zod";
import { Prisma } from "~/lib/db";
import { propagationHeaders, REQUEST_ID_HEADER, traceContextFrom } from "~/lib/request-context";
import { tracer } from "~/lib/trace";
import { EVENT_VERSION, eventHeaders, eventPayloads, type EventPayload, type EventType } from "./definitions";

export interface NewEvent<T extends EventType> {
  type: T;
  aggregateType: string;
  aggregateId: string;
  payload: EventPayload<T>;
}

/** The request being served (its id and trace context), stored with the events it causes. */
function requestHeaders(): Record<string, string> | undefined {
  const headers = propagationHeaders();
  return Object.keys(headers).length > 0 ? headers : undefined;
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
      headers: requestHeaders(),
    },
    select: { id: true },
  });
  return id;
}

/** Several events in one insert (same transaction rules as appendEvent); returns their ids in order. */
export async function appendEvents(tx: Prisma.TransactionClient, events: NewEvent<EventType>[], now: Date = new Date()): Promise<string[]> {
  const headers = requestHeaders();
  const rows = events.map((event) => ({
    id: randomUUID(),
    type: event.type,
    version: EVENT_VERSION,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    payload: eventPayloads[event.type].parse(event.payload) as Prisma.InputJsonValue,
    occurredAt: now,
    headers,
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
  const headers = requestHeaders();
  const columns = filled.map((key) => Prisma.sql`${key}::text, ${table}.${identifier(source.fromColumns[key])}`);
  return Prisma.sql`
    INSERT INTO "OutboxEvent" (id, type, version, "aggregateType", "aggregateId", payload, "occurredAt", headers)
    SELECT ${randomUUID()}::uuid, ${event.type}, ${EVENT_VERSION}::int, ${event.aggregateType}, ${event.aggregateId},
           ${JSON.stringify(payload)}::jsonb || jsonb_build_object(${Prisma.join(columns)}), ${now}, ${headers ? JSON.stringify(headers) : null}::jsonb
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
  /** The causing request's headers (absent where the query does not select the column). */
  headers?: unknown;
}

/**
 * The wire form of an outbox row. It is not re-validated here: a row written by appendEvent is
 * valid, and a bad row must still travel so the consumer can dead-letter it with its reason.
 */
export function toEnvelope(row: OutboxRow): Record<string, unknown> {
  const headers = storedHeaders(row);
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: row.occurredAt.toISOString(),
    aggregateType: row.aggregateType,
    aggregateId: row.aggregateId,
    payload: row.payload,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

function storedHeaders(row: OutboxRow): Record<string, string> {
  return Object.fromEntries(Object.entries(eventHeaders.parse(row.headers) ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * For the relay handing one event to the broker: records the hand-over as a span (a child of the
 * request that wrote the event) and returns the AMQP message headers, the request id and that
 * span's trace context. The envelope carries the request's own, which consumers read whatever
 * the transport.
 */
export function publishHeaders(row: OutboxRow): Record<string, string> {
  const stored = storedHeaders(row);
  const requestId = stored[REQUEST_ID_HEADER];
  const span = tracer.startSpan(
    `publish ${row.type}`,
    { kind: SpanKind.PRODUCER, attributes: { "messaging.operation.type": "send", "messaging.message.id": row.id, "lavka.event_type": row.type, ...(requestId ? { "lavka.request_id": requestId } : {}) } },
    traceContextFrom(stored),
  );
  const headers: Record<string, string> = requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  span.end();
  return headers;
}
