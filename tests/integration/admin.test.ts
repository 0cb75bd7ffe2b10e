import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaymentService, type RunningPaymentService } from "../../reference/payment/server";
import { startTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../helpers/api";
import { createAdminUser, createSellerUser, createUser, registerAccount } from "../helpers/fixtures";
import { CALL_TIMEOUT_MS } from "../helpers/wait";
import type { Db } from "~/lib/db";
import { createLogger } from "~/lib/logger";
import { runQueuedJobs } from "~/processor/tasks/queued-jobs";
import { createContextInner, type AuthUser } from "~/server/trpc/context";
import { createCaller } from "~/server/trpc/root";
import { maskUrlCredentials, type OperationsInfo } from "../../src/core/domain/admin/operations";

let api: TestApi;
let db: Db;
let admin: AuthUser;
let payment: RunningPaymentService;

beforeAll(async () => {
  api = await startTestApi();
  db = api.deps.db;
  admin = await createAdminUser(db);
  payment = await startPaymentService({ databaseUrl: api.database.url, port: 0, serviceToken: TEST_SERVICE_TOKEN, poolSize: 2, logger: createLogger("test", "silent") });
});
afterAll(async () => {
  await payment?.close();
  await api?.close();
});

describe("admin.users", () => {
  it("lists users newest first, searching email, name and shop, filtered by role, page by page", async () => {
    const shop = await createSellerUser(db, { shopName: "Needle & Thread Co" });
    await createUser(db, "buyer", { email: "needle.fan@example.test" });
    const caller = api.caller(admin);
    const found = await caller.admin.users.list({ search: "NEEDLE" });
    expect(found.items.map((u) => u.id)).toHaveLength(2);
    expect(found.items.find((u) => u.id === shop.id)?.seller).toMatchObject({ shopName: "Needle & Thread Co" });
    const sellers = await caller.admin.users.list({ role: "seller", search: "needle" });
    expect(sellers.items.map((u) => u.id)).toEqual([shop.id]);

    const first = await caller.admin.users.list({ limit: 1 });
    const second = await caller.admin.users.list({ limit: 1, cursor: first.nextCursor });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
  });

  it("changes a role in the auth service and in the local mirror", async () => {
    const { user } = await registerAccount(api.deps, "buyer");
    const updated = await api.caller(admin).admin.users.setRole({ userId: user.id, role: "seller" });
    expect(updated).toMatchObject({ id: user.id, role: "seller" });
    expect((await api.deps.auth.getUser(user.id))?.role).toBe("seller");
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { role: true } })).role).toBe("seller");
  });

  it("refuses demoting yourself, and unknown users", async () => {
    await expect(api.caller(admin).admin.users.setRole({ userId: admin.id, role: "buyer" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("your own admin role"),
    });
    await expect(api.caller(admin).admin.users.setRole({ userId: "00000000-0000-4000-8000-000000000000", role: "seller" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("admin.jobs", () => {
  it("queues a known job once, and the processor's worker loop runs it", async () => {
    const caller = api.caller(admin);
    expect((await caller.admin.jobs.catalog()).map((j) => j.name)).toContain("customer-stats");
    const queued = await caller.admin.jobs.trigger({ name: "customer-stats", params: {} });
    expect(queued).toMatchObject({ alreadyQueued: false, run: { status: "queued", trigger: "manual", requestedBy: admin.id } });
    const again = await caller.admin.jobs.trigger({ name: "customer-stats", params: {} });
    expect(again).toMatchObject({ alreadyQueued: true, run: { id: queued.run.id } });

    expect(await runQueuedJobs({ db, logger: createLogger("test", "silent") })).toBe(1);
    const runs = await caller.admin.jobs.list({ name: "customer-stats" });
    expect(runs.items).toEqual([expect.objectContaining({ id: queued.run.id, status: "succeeded" })]);
    expect((await caller.admin.jobs.list({ status: "queued" })).items).toEqual([]);
    expect((await caller.admin.jobs.list({ trigger: "manual", status: "succeeded" })).items.map((r) => r.id)).toContain(queued.run.id);
  });

  it("rejects unknown jobs and parameters, and missing required ones, naming them", async () => {
    const caller = api.caller(admin);
    await expect(caller.admin.jobs.trigger({ name: "make-coffee", params: {} })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^name: unknown job "make-coffee"; known jobs: .*aggregate-sales/),
    });
    await expect(caller.admin.jobs.trigger({ name: "aggregate-sales", params: { force: "yes" } })).rejects.toMatchObject({
      message: expect.stringContaining("params.force"),
    });
    // The parameter travels as the error's field, so a form shows the problem at that parameter.
    await expect(caller.admin.jobs.trigger({ name: "backfill-sales", params: { from: "2026-01-01" } })).rejects.toMatchObject({
      message: expect.stringContaining("params.to: required"),
      cause: expect.objectContaining({ field: "params.to" }),
    });
  });
});

describe("admin.shops", () => {
  it("lists shops by name with their owners, finds them by name or email, names the shops of given ids", async () => {
    const caller = api.caller(admin);
    const tag = `Zz${Date.now().toString(36)}`;
    const b = await createSellerUser(db, { shopName: `${tag} Beta`, email: `beta-${tag.toLowerCase()}@example.test` });
    const a = await createSellerUser(db, { shopName: `${tag} Alpha` });
    const found = await caller.admin.shops.list({ search: tag.toLowerCase() });
    expect(found.items.map((s) => s.shopName)).toEqual([`${tag} Alpha`, `${tag} Beta`]);
    expect(found.items[1]).toMatchObject({ id: b.sellerId, user: { email: `beta-${tag.toLowerCase()}@example.test` } });
    expect((await caller.admin.shops.list({ search: `beta-${tag}` })).items.map((s) => s.id)).toEqual([b.sellerId]);
    expect(await caller.admin.shops.list({ search: tag, limit: 1 })).toMatchObject({ items: [{ id: a.sellerId }], more: true });
    expect((await caller.admin.shops.list({ ids: [b.sellerId] })).items.map((s) => s.shopName)).toEqual([`${tag} Beta`]);
  });
});

describe("admin.settings", () => {
  it("shows defaults, updates with an audit trail of who changed what, ignores no-op updates", async () => {
    const caller = api.caller(admin);
    const before = await caller.admin.settings.list();
    expect(before.find((s) => s.key === "lowStockThreshold")).toMatchObject({ value: 5, defaultValue: 5, isSet: false });

    await caller.admin.settings.update({ key: "lowStockThreshold", value: 8 });
    const updated = await caller.admin.settings.update({ key: "lowStockThreshold", value: 12 });
    expect(updated).toMatchObject({ key: "lowStockThreshold", value: 12, isSet: true, updatedBy: admin.id });
    await caller.admin.settings.update({ key: "lowStockThreshold", value: 12 });

    const audit = await caller.admin.settings.audit({ key: "lowStockThreshold" });
    expect(audit.items.map((a) => [a.oldValue, a.newValue])).toEqual([
      [8, 12],
      [null, 8],
    ]);
    expect(audit.items[0]!.user).toMatchObject({ id: admin.id, email: admin.email });
  });

  it("validates each key's value with its own rule and rejects unknown keys", async () => {
    const caller = api.caller(admin);
    await expect(caller.admin.settings.update({ key: "defaultCurrency", value: "euro" } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("value"),
    });
    await expect(caller.admin.settings.update({ key: "reservationTtlMinutes", value: -1 } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.admin.settings.update({ key: "colour", value: 1 } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("admin.health / admin.config", () => {
  const operations = (payment: string | undefined): OperationsInfo => ({
    config: {
      PORT: 4000,
      DATABASE_URL: "postgresql://lavka:s3cret-pw@db:5432/lavka?sslpassword=xyz&application_name=api",
      AMQP_URL: "amqp://guest:guest@rabbit:5672",
      AUTH_SERVICE_URL: "http://auth:8000",
      AUTH_SERVICE_TOKEN: "token-value-123456",
      CARRIER_WEBHOOK_SECRET: "whsec-123456789012345",
      SIGNING_KEY: "k",
      SMTP_PASSWORD_FILE: "/run/secrets/smtp",
      PAYMENT_GATEWAY_URL: undefined,
      CARRIER_WEBHOOK_SECRET_OLD: "",
    },
    probeUrls: { payment, carrier: undefined },
    // A slow machine is not an outage: "down" here is a refused connection, not a slow answer.
    probeTimeoutMs: CALL_TIMEOUT_MS,
  });
  const adminWith = (ops: OperationsInfo) => createCaller(createContextInner({ ...api.deps, operations: ops }, admin));

  it("reports each dependency with its latency: up, down or not configured", async () => {
    const health = await adminWith(operations(payment.url)).admin.health();
    const by = Object.fromEntries(health.dependencies.map((d) => [d.name, d]));
    expect(by.database).toMatchObject({ status: "up", latencyMs: expect.any(Number) });
    expect(by.auth?.status).toBe("up");
    expect(by.inventory?.status).toBe("up");
    expect(by.payment?.status).toBe("up");
    expect(by.carrier?.status).toBe("not_configured");
    expect(by.queue).toMatchObject({ status: "up", detail: expect.stringContaining("events waiting in the outbox") });
    expect(health.status).toBe("up");

    const down = await adminWith(operations("http://127.0.0.1:9")).admin.health();
    expect(down.dependencies.find((d) => d.name === "payment")).toMatchObject({ status: "down", detail: expect.any(String) });
    expect(down.status).toBe("degraded");
  });

  it("shows the effective configuration with every secret masked", async () => {
    const config = await adminWith(operations(undefined)).admin.config();
    expect(config).toEqual({
      PORT: 4000,
      DATABASE_URL: "postgresql://lavka:********@db:5432/lavka?sslpassword=********&application_name=api",
      AMQP_URL: "amqp://guest:********@rabbit:5672",
      AUTH_SERVICE_URL: "http://auth:8000",
      AUTH_SERVICE_TOKEN: "********",
      CARRIER_WEBHOOK_SECRET: "********",
      SIGNING_KEY: "********",
      SMTP_PASSWORD_FILE: "********",
      PAYMENT_GATEWAY_URL: undefined,
      CARRIER_WEBHOOK_SECRET_OLD: "",
    });
    expect(JSON.stringify(config)).not.toMatch(/s3cret|token-value|whsec|xyz/);
    expect(maskUrlCredentials("https://user@host/x?api_key=abc")).toBe("https://user:********@host/x?api_key=********");
  });
});
