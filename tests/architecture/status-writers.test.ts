// Order, payment and shipment statuses change only in the lifecycle module
// (src/core/domain/lifecycle/): its functions check each move against the transition tables and
// write the history and the events with it. This scan fails on a status written anywhere else in
// src/. Tests are not scanned: they build their fixtures' states directly.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const OWNER = "core/domain/lifecycle/";

/** Prisma calls that write a row of these models: a create always sets a status (its default at least). */
const PRISMA_WRITE = /\.(order|payment|shipment|orderStatusChange)\s*\.\s*(create|createMany|createManyAndReturn|upsert|update|updateMany|updateManyAndReturn)\s*\(/g;
const STATUS_KEY = /[{,]\s*(status|fromStatus|toStatus)\s*[:,}]/;
/** A relation write nested in another model's call (`data: { shipment: { create: ... } }`). */
const NESTED_WRITE = /\b(order|orders|payment|payments|shipment|shipments|statusHistory)\s*:\s*\{\s*(create|createMany|connectOrCreate|upsert|update|updateMany)\s*:/g;
/** Raw SQL: a new row (it has a status) or an UPDATE whose SET clause assigns status. */
const RAW_INSERT = /INSERT\s+INTO\s+"(Order|Payment|Shipment|OrderStatusChange)"/g;
const RAW_UPDATE = /UPDATE\s+"(Order|Payment|Shipment)"[\s\S]*?(?=\bWHERE\b|\bRETURNING\b|\bFROM\b|;|`|$)/g;
const SET_STATUS = /\bSET\b[\s\S]*\b"?status"?\s*=/i;

/** The text of the balanced (...) / {...} starting at `open`, skipping brackets inside string literals. */
function balanced(text: string, open: number): string {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return text.slice(open, i + 1);
    }
  }
  return text.slice(open);
}

/** Whether an update's argument may write a status: its `data` sets one, or is not written out. */
function updatesStatus(argument: string): boolean {
  if (/[{,]\s*data\s*[,}]/.test(argument)) return true; // `{ where, data }`: cannot tell
  for (const match of argument.matchAll(/\bdata\s*:\s*/g)) {
    const start = match.index + match[0].length;
    if (argument[start] !== "{") return true; // `data: patch`: cannot tell
    if (STATUS_KEY.test(balanced(argument, start))) return true;
  }
  return false;
}

/** Each status write in one file's text, as "line: what". */
function statusWrites(text: string): string[] {
  const found: { at: number; what: string }[] = [];
  for (const match of text.matchAll(PRISMA_WRITE)) {
    const [call, model, method] = match;
    const creates = !method!.startsWith("update") || model === "orderStatusChange";
    if (creates || updatesStatus(balanced(text, match.index + call.length - 1))) found.push({ at: match.index, what: `${model}.${method}` });
  }
  for (const match of text.matchAll(NESTED_WRITE)) found.push({ at: match.index, what: `nested ${match[1]}.${match[2]}` });
  for (const match of text.matchAll(RAW_INSERT)) found.push({ at: match.index, what: `INSERT INTO "${match[1]}"` });
  for (const match of text.matchAll(RAW_UPDATE)) {
    if (SET_STATUS.test(match[0])) found.push({ at: match.index, what: `UPDATE "${match[1]}" SET status` });
  }
  const line = (at: number) => text.slice(0, at).split("\n").length;
  return found.sort((a, b) => a.at - b.at).map((f) => `${line(f.at)}: ${f.what}`);
}

async function sources(): Promise<string[]> {
  const entries = await readdir(SRC, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)))
    .filter((file) => !file.startsWith("generated/") && !file.startsWith(OWNER));
}

describe("status writers", () => {
  it("only the lifecycle module writes an order, payment or shipment status", async () => {
    const files = await sources();
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of files) {
      for (const write of statusWrites(await readFile(path.join(SRC, file), "utf8"))) found.push(`src/${file}:${write}`);
    }
    expect(found).toEqual([]);
  });

  it("the lifecycle module is where they are (the scan sees its writes)", async () => {
    const owner = path.join(SRC, OWNER);
    const writes = await Promise.all(["order.ts", "payment.ts", "shipment.ts"].map(async (f) => statusWrites(await readFile(path.join(owner, f), "utf8"))));
    expect(writes.every((w) => w.length > 0)).toBe(true);
  });

  it("the scan would notice the writers there used to be, and passes what is not one", () => {
    const writers = [
      `await tx.order.update({ where: { id: order.id }, data: { status: "fulfilling", updatedAt: now }, select: { id: true } });`,
      `await tx.orderStatusChange.create({ data: { orderId: order.id, fromStatus: "paid", toStatus: "fulfilling", at: now }, select: { id: true } });`,
      `await tx.shipment.update({\n  where: { id: shipment.id },\n  data: {\n    status: shipmentStatus,\n    ...(update.status === "in_transit" ? { shippedAt: occurredAt } : {}),\n  },\n});`,
      `await tx.shipment.create({ data: { orderId, sellerId, carrier, trackingNumber, status: "in_transit", shippedAt: now }, select: { id: true } });`,
      `const created = await db.payment.upsert({ where: { idempotencyKey: order.id }, create: { orderId: order.id, gateway: "gateway" }, update: {} });`,
      `await tx.payment.updateMany({ where: { orderId: order.id, status: "pending" }, data: { status: "failed", failureReason: input.reason } });`,
      `await tx.order.update({ where: { id }, data: { cancelReason, status } });`,
      `await tx.order.update({ where, data });`,
      `await tx.order.update({ where: { id }, data: patch });`,
      `await tx.orderLine.update({ where: { id }, data: { shipment: { create: { orderId, sellerId, carrier } } } });`,
      "await db.$queryRaw`WITH created AS (\n  INSERT INTO \"Order\" (id, \"buyerId\", status) VALUES (${id}, ${buyer}, 'pending_payment') RETURNING id)`;",
      "UPDATE \"Payment\" SET status = 'captured', \"gatewayRef\" = ${ref} WHERE id = ${id}::uuid",
      "UPDATE \"Order\" o SET \"paidAt\" = ${now}, \"status\" = 'paid' FROM locked WHERE o.id = locked.id",
      "INSERT INTO \"OrderStatusChange\" (id, \"orderId\", \"fromStatus\", \"toStatus\", at)",
    ];
    expect(writers.filter((w) => statusWrites(w).length !== 1)).toEqual([]);

    const others = [
      `await tx.shipment.update({ where: { id: shipment.id }, data: { updatedAt: now }, select: { id: true } });`,
      `await tx.payment.updateMany({ where: { orderId, status: "pending" }, data: { failureReason: "x" } });`,
      `await tx.orderLine.updateMany({ where: { orderId, sellerId }, data: { shipmentId: shipment.id } });`,
      `const due = await db.order.findMany({ where: { status: "pending_payment" }, select: { id: true } });`,
      `await db.order.update({ where: { id }, data: { shippingAddress: address } });`,
      "INSERT INTO \"OrderLine\" (id, \"orderId\") SELECT gen_random_uuid(), id FROM created",
      "UPDATE \"Order\" SET \"totalMinor\" = \"totalMinor\" * 3 WHERE status = 'paid'",
      "UPDATE \"Shipment\" SET \"updatedAt\" = now() WHERE status IN ('created') RETURNING status",
      `select: { shipments: { where: { sellerId }, select: { status: true } } }`,
    ];
    expect(others.flatMap((o) => statusWrites(o))).toEqual([]);
  });
});
