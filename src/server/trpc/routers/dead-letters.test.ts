import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvent } from "~/core/events/outbox";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api";
import { createAdminUser, createUser, type TestUser } from "../../../../tests/helpers/fixtures";

let api: TestApi;
let admin: TestUser;
let buyer: TestUser;

beforeAll(async () => {
  api = await startTestApi();
  admin = await createAdminUser(api.deps.db);
  buyer = await createUser(api.deps.db, "buyer");
});
afterAll(async () => api.close());

async function deadLetter(consumer: string, withEvent: boolean) {
  const db = api.deps.db;
  const orderId = randomUUID();
  const eventId = withEvent
    ? await db.$transaction((tx) =>
        appendEvent(tx, { type: "order.cancelled", aggregateType: "order", aggregateId: orderId, payload: { orderId, orderNumber: 7, reason: "test" } }),
      )
    : null;
  return db.deadLetter.create({
    data: { consumer, eventId, eventType: withEvent ? "order.cancelled" : null, payload: { garbage: !withEvent }, reason: withEvent ? "failed 3 times: boom" : "invalid message: id: Invalid UUID", attempts: withEvent ? 3 : 1 },
    select: { id: true, eventId: true },
  });
}

describe("deadLetters", () => {
  it("is for admins only", async () => {
    await expect(api.caller(null).deadLetters.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(api.caller(buyer).deadLetters.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.caller(buyer).deadLetters.replay({ id: randomUUID() })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("lists newest first with a cursor, filtered by consumer", async () => {
    for (let i = 0; i < 3; i++) await deadLetter("listing", true);
    const first = await api.caller(admin).deadLetters.list({ limit: 2, consumer: "listing" });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toMatchObject({ consumer: "listing", reason: "failed 3 times: boom", attempts: 3, replayedAt: null });
    const rest = await api.caller(admin).deadLetters.list({ limit: 2, consumer: "listing", cursor: first.nextCursor });
    expect(rest).toMatchObject({ items: [expect.anything()], nextCursor: null });
    await expect(api.caller(admin).deadLetters.list({ cursor: "nonsense" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("replays an outbox event to the one consumer that gave up on it, once", async () => {
    const letter = await deadLetter("replaying", true);
    const replayed = await api.caller(admin).deadLetters.replay({ id: letter.id });
    expect(replayed.replayedAt).toBeInstanceOf(Date);
    const deliveries = await api.deps.db.eventDelivery.findMany({ where: { eventId: letter.eventId! }, select: { consumer: true, status: true, attempts: true } });
    expect(deliveries).toEqual([{ consumer: "replaying", status: "pending", attempts: 0 }]);
    await expect(api.caller(admin).deadLetters.replay({ id: letter.id })).rejects.toMatchObject({ code: "CONFLICT" });
    // Replayed letters leave the default list.
    expect((await api.caller(admin).deadLetters.list({ consumer: "replaying" })).items).toEqual([]);
    expect((await api.caller(admin).deadLetters.list({ consumer: "replaying", includeReplayed: true })).items).toHaveLength(1);
  });

  it("refuses to replay what was never a valid event, and unknown ids", async () => {
    const garbage = await deadLetter("garbage", false);
    await expect(api.caller(admin).deadLetters.replay({ id: garbage.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/cannot be replayed/) });
    await expect(api.caller(admin).deadLetters.replay({ id: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.caller(admin).deadLetters.replay({ id: "x" } as { id: string })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
