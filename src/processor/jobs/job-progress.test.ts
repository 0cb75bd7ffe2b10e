// Jobs report how far they have got into their JobRun, which the operations page reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { secondsLeft } from "~/core/domain/admin/jobs";
import { createTestDatabase, type TestDatabase } from "../../../tests/helpers/db";
import { createSellerUser } from "../../../tests/helpers/fixtures";
import { testLogger } from "../../../tests/helpers/pipeline";
import { waitFor } from "../../../tests/helpers/wait";
import { backfillSalesJob } from "./aggregate-sales";
import { weeklySalesReportsJob } from "./analytics-jobs";
import { runJob } from "./run-job";
import { defineJob } from "./types";

let t: TestDatabase;
const logger = testLogger();

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const progressOf = (db: TestDatabase["db"], id: string) => db.jobRun.findUniqueOrThrow({ where: { id }, select: { status: true, processed: true, total: true, unit: true } });

describe("job progress", () => {
  it("is visible in the running job's row while it works, and ends at the total", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const job = defineJob({
      name: "test-progress",
      description: "reports 3 of 10 items, waits, then finishes",
      params: z.object({}),
      run: async (ctx) => {
        await ctx.progress(0, 10, "items");
        await ctx.progress(3, 10, "items");
        await held;
        await ctx.progress(10, 10, "items");
        return { rows: 10 };
      },
    });
    const running = runJob(job, {}, { db: t.db, logger, trigger: "job" });
    // The first report is written at once; the next ones at most once a second, the last always.
    const row = await waitFor(async () => {
      const run = await t.db.jobRun.findFirst({ where: { name: "test-progress", status: "running", total: 10 }, select: { id: true } });
      return run && (await progressOf(t.db, run.id));
    });
    expect(row).toMatchObject({ status: "running", total: 10, unit: "items" });
    release();
    const { runId } = await running;
    expect(await progressOf(t.db, runId)).toEqual({ status: "succeeded", processed: 10, total: 10, unit: "items" });
  });

  it("the weekly reports count sellers, a backfill counts days", async () => {
    for (let i = 0; i < 3; i += 1) await createSellerUser(t.db);
    const weekly = await runJob(weeklySalesReportsJob, {}, { db: t.db, logger, trigger: "job", now: () => new Date("2026-11-25T10:00:00Z") });
    expect(await progressOf(t.db, weekly.runId)).toEqual({ status: "succeeded", processed: 3, total: 3, unit: "sellers" });
    const backfill = await runJob(backfillSalesJob, { from: "2026-11-01", to: "2026-11-05" }, { db: t.db, logger, trigger: "job" });
    expect(await progressOf(t.db, backfill.runId)).toEqual({ status: "succeeded", processed: 5, total: 5, unit: "days" });
  });

  it("time left is the rate so far applied to what is left, only while running", () => {
    const startedAt = new Date("2026-12-01T10:00:00Z");
    const now = new Date("2026-12-01T10:01:00Z");
    expect(secondsLeft({ status: "running", startedAt, processed: 12, total: 31 }, now)).toBe(95);
    expect(secondsLeft({ status: "running", startedAt, processed: 0, total: 31 }, now)).toBeNull();
    expect(secondsLeft({ status: "succeeded", startedAt, processed: 31, total: 31 }, now)).toBeNull();
    expect(secondsLeft({ status: "running", startedAt, processed: null, total: null }, now)).toBeNull();
  });
});
