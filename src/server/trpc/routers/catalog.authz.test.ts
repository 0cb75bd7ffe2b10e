import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createAuthzWorld, describeAuthzMatrix, PUBLIC, row, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { createProduct } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

describeAuthzMatrix("catalog", () => world, [
  row("catalog.list", PUBLIC, (c) => c.catalog.list({})),
  row("catalog.get", PUBLIC, async (c, w) => c.catalog.get({ id: (await createProduct(w.db, w.users.seller.sellerId)).id })),
  row("catalog.categories", PUBLIC, (c) => c.catalog.categories()),
]);
