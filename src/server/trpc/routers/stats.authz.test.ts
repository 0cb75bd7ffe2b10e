import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createAuthzWorld, describeAuthzMatrix, OWNER_SELLER, row, SELLER_ONLY, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { createProduct } from "../../../../tests/helpers/fixtures.ts";
import { storeSellerSalesReport } from "~/core/domain/analytics/reports";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

const period = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-08T00:00:00Z") };

async function sellersReport(w: AuthzWorld) {
  return (await storeSellerSalesReport(w.db, { sellerId: w.users.seller.sellerId, ...period, now: new Date() })).id;
}

describeAuthzMatrix("stats and reports", () => world, [
  row("stats.summary", SELLER_ONLY, (c) => c.stats.summary(period)),
  row("stats.timeseries", SELLER_ONLY, (c) => c.stats.timeseries({ ...period, granularity: "day" })),
  row("stats.topProducts", SELLER_ONLY, (c) => c.stats.topProducts({ ...period, limit: 5 })),
  row("stats.forecast", OWNER_SELLER, async (c, w) => c.stats.forecast({ productId: (await createProduct(w.db, w.users.seller.sellerId)).id })),
  row("stats.reorderSoon", SELLER_ONLY, (c) => c.stats.reorderSoon({ leadTimeDays: 7 })),
  row("reports.list", SELLER_ONLY, (c) => c.reports.list({})),
  row("reports.get", OWNER_SELLER, async (c, w) => c.reports.get({ id: await sellersReport(w) })),
  row("reports.csv", OWNER_SELLER, async (c, w) => c.reports.csv({ id: await sellersReport(w) })),
]);
