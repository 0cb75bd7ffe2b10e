// A running job's progress on the operations page: what the processor records in its JobRun
// (processed of total) appears as a bar with the counts and the time left, and moves on as the
// job reports more, without reloading the page.
import path from "node:path";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, signInThroughPage } from "./journeys/helpers";
import { e2eSystem, SCREENSHOT_DIR } from "./support/system";

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: e2eSystem().databaseUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

test("a running job shows how far it has got and how long is left, live", async ({ page }) => {
  // What runJob writes while a backfill runs: started 60 s ago, 12 of 31 days done.
  const { rows } = await sql(
    `INSERT INTO "JobRun" (id, name, trigger, status, params, "startedAt", processed, total, unit)
     VALUES (gen_random_uuid(), 'backfill-sales', 'job', 'running', '{"from":"2026-01-01","to":"2026-01-31"}', now() - interval '60 seconds', 12, 31, 'days')
     RETURNING id`,
  );
  const id = (rows[0] as { id: string }).id;
  try {
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInThroughPage(page, "admin@lavka.test", DEMO_PASSWORD);
    await page.goto("/admin/jobs");
    const run = page.getByTestId("job-runs").getByRole("row").filter({ hasText: "backfill-sales" }).filter({ hasText: "running" }).first();
    await expect(run.getByRole("progressbar")).toHaveAttribute("value", "12");
    await expect(run).toContainText("12 of 31 days · 38%");
    // 60 s for 12 days: at that rate 95 s or more for the 19 left (the clock moves on while the page loads).
    await expect(run).toContainText(/about \d+ min left/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "admin-job-progress.png"), fullPage: true });

    // The job reports more; the page follows without a reload.
    await sql(`UPDATE "JobRun" SET processed = 24 WHERE id = $1`, [id]);
    await expect(run).toContainText("24 of 31 days · 77%");
    await expect(run.getByRole("progressbar")).toHaveAttribute("value", "24");
    await page.setViewportSize({ width: 390, height: 844 });
    await run.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "admin-job-progress-phone.png") });

    // Finished: the status says so and the bar goes.
    await sql(`UPDATE "JobRun" SET status = 'succeeded', processed = 31, "finishedAt" = now(), "durationMs" = 95000, rows = 744 WHERE id = $1`, [id]);
    const done = page.getByTestId("job-runs").getByRole("row").filter({ hasText: "backfill-sales" }).filter({ hasText: "744" }).first();
    await expect(done).toContainText("succeeded");
    await expect(done.getByRole("progressbar")).toHaveCount(0);
  } finally {
    await sql(`UPDATE "JobRun" SET status = 'succeeded', "finishedAt" = coalesce("finishedAt", now()) WHERE id = $1`, [id]);
  }
});
