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
