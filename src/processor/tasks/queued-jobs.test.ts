import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../../../tests/helpers/db";
import { jobCatalog } from "~/core/jobs/catalog";
import { createLogger } from "~/lib/logger";
import { jobs } from "../jobs/index";
import { runQueuedJobs } from "./queued-jobs";
import { defineJob } from "../jobs/types";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const seen: unknown[] = [];
const echo = defineJob({
  name: "echo",
  description: "test job",
  params: z.object({ times: z.coerce.number().int().min(1) }).strict(),
  run: async (_ctx, params) => {
    seen.push(params);
    return { rows: params.times };
  },
});
const boom = defineJob({
  name: "boom",
  description: "always fails",
  params: z.object({}).strict(),
  run: async () => {
    throw new Error("kaboom");
  },
});
const find = (name: string) => [echo, boom].find((j) => j.name === name);
const logger = createLogger("test", "silent");

describe("runQueuedJobs", () => {
  it("runs each queued request once, in its own row, and records every outcome", async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const queue = (name: string, params: object, s: number) =>
      t.db.jobRun.create({ data: { name, trigger: "manual", status: "queued", params, requestedBy: "admin-1", startedAt: at(s) }, select: { id: true } });
    const ok = await queue("echo", { times: "3" }, 1);
    const badParams = await queue("echo", { times: "zero" }, 2);
    const unknown = await queue("nope", {}, 3);
    const failing = await queue("boom", {}, 4);

    expect(await runQueuedJobs({ db: t.db, logger, find })).toBe(4);
    expect(await runQueuedJobs({ db: t.db, logger, find })).toBe(0);
    expect(seen).toEqual([{ times: 3 }]);

    const rows = await t.db.jobRun.findMany({ select: { id: true, status: true, rows: true, error: true, trigger: true, requestedBy: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(rows).toHaveLength(4); // no extra rows: each run is recorded in the queued row
    expect(byId.get(ok.id)).toMatchObject({ status: "succeeded", rows: 3, trigger: "manual", requestedBy: "admin-1" });
    expect(byId.get(badParams.id)).toMatchObject({ status: "failed", error: expect.stringContaining("times") });
    expect(byId.get(unknown.id)).toMatchObject({ status: "failed", error: expect.stringContaining("Unknown job") });
    expect(byId.get(failing.id)).toMatchObject({ status: "failed", error: "kaboom" });
  });
});

describe("jobs catalog (src/core/jobs/catalog.ts)", () => {
  it("lists exactly the processor's jobs, with the parameters each accepts", () => {
    expect(jobCatalog.map((j) => j.name).sort()).toEqual(jobs.map((j) => j.name).sort());
    for (const job of jobs) {
      const entry = jobCatalog.find((c) => c.name === job.name)!;
      const shape = (job.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      expect(entry.params.map((p) => p.name).sort(), job.name).toEqual(Object.keys(shape).sort());
    }
  });
});
