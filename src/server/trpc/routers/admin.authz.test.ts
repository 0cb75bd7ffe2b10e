import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { ADMIN_ONLY, createAuthzWorld, describeAuthzMatrix, row, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { registerAccount } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
let target: string;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
  // A real account in the auth service, so the admin's role change goes through.
  target = (await registerAccount(api.deps, "buyer")).user.id;
});
afterAll(() => api?.close());

describeAuthzMatrix("admin", () => world, [
  row("admin.users.list", ADMIN_ONLY, (c) => c.admin.users.list({})),
  row("admin.users.setRole", ADMIN_ONLY, (c) => c.admin.users.setRole({ userId: target, role: "seller" })),
  row("admin.shops.list", ADMIN_ONLY, (c) => c.admin.shops.list({})),
  row("admin.jobs.list", ADMIN_ONLY, (c) => c.admin.jobs.list({})),
  row("admin.jobs.catalog", ADMIN_ONLY, (c) => c.admin.jobs.catalog()),
  row("admin.jobs.trigger", ADMIN_ONLY, (c) => c.admin.jobs.trigger({ name: "aggregate-sales", params: {} })),
  row("admin.settings.list", ADMIN_ONLY, (c) => c.admin.settings.list()),
  row("admin.settings.update", ADMIN_ONLY, (c) => c.admin.settings.update({ key: "lowStockThreshold", value: 7 })),
  row("admin.settings.audit", ADMIN_ONLY, (c) => c.admin.settings.audit({})),
  row("admin.health", ADMIN_ONLY, (c) => c.admin.health()),
  row("admin.config", ADMIN_ONLY, (c) => c.admin.config()),
]);
