import { DomainError } from "~/core/errors";
import { z } from "zod";
import { newestFirst, type Page } from "~/core/pagination";
import type { Db, Prisma } from "~/lib/db";

/**
 * Dead-lettered messages: what the pipeline gave up on, with the reason, for an admin to read
 * and replay. Replay hands the event back to the one consumer that failed it, through the
 * EventDelivery table: the worker delivers it from there on either transport (the API holds no
 * broker connection). Other consumers are not disturbed.
 */

export const deadLetterSelect = {
  id: true,
  consumer: true,
  eventId: true,
  eventType: true,
  payload: true,
  reason: true,
  attempts: true,
  createdAt: true,
  replayedAt: true,
} satisfies Prisma.DeadLetterSelect;

export type DeadLetterView = Prisma.DeadLetterGetPayload<{ select: typeof deadLetterSelect }>;

export interface ListDeadLettersInput {
  limit: number;
  cursor?: string | null;
  consumer?: string;
  /** false (default): only those not replayed yet. */
  includeReplayed?: boolean;
}

const byCreatedAt = newestFirst("createdAt");

export async function listDeadLetters(db: Db, input: ListDeadLettersInput): Promise<Page<DeadLetterView>> {
  const after = byCreatedAt.after(input.cursor, "not a cursor this list returned; start again without it.");
  const rows = await db.deadLetter.findMany({
    where: {
      ...(input.consumer ? { consumer: input.consumer } : {}),
      ...(input.includeReplayed ? {} : { replayedAt: null }),
      ...after,
    },
    orderBy: byCreatedAt.orderBy(),
    take: input.limit + 1,
    select: deadLetterSelect,
  });
  return byCreatedAt.page(rows, input.limit);
}

export async function replayDeadLetter(db: Db, id: string, now: Date = new Date()): Promise<DeadLetterView> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "DeadLetter" WHERE id = ${id}::uuid FOR UPDATE`;
    if (rows.length === 0) throw new DomainError("not_found", `no dead letter ${id}.`, { field: "id" });
    const letter = await tx.deadLetter.findUniqueOrThrow({ where: { id }, select: deadLetterSelect });
    if (letter.replayedAt) {
      throw new DomainError("conflict", `dead letter ${id} was already replayed at ${letter.replayedAt.toISOString()}.`, { field: "id" });
    }
    const event = letter.eventId && z.string().uuid().safeParse(letter.eventId).success
      ? await tx.outboxEvent.findUnique({ where: { id: letter.eventId }, select: { id: true } })
      : null;
    if (!event) {
      throw new DomainError("precondition_failed", `dead letter ${id} is not an event from Lavka's outbox (${letter.reason.slice(0, 200)}); it cannot be replayed.`, { field: "id" });
    }
    await tx.eventDelivery.upsert({
      where: { eventId_consumer: { eventId: event.id, consumer: letter.consumer } },
      create: { eventId: event.id, consumer: letter.consumer, status: "pending", attempts: 0, availableAt: now },
      update: { status: "pending", attempts: 0, unfinished: 0, availableAt: now, lastError: null },
      select: { eventId: true },
    });
    return tx.deadLetter.update({ where: { id }, data: { replayedAt: now }, select: deadLetterSelect });
  });
}
