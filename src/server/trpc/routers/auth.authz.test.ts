import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { AUTHED, createAccount, createAuthzWorld, describeAuthzMatrix, PUBLIC, row, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { unique } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

describeAuthzMatrix("auth", () => world, [
  row("auth.register", PUBLIC, (c) => c.auth.register({ email: `${unique("m")}@example.test`, password: "long enough pw", displayName: "M" })),
  row("auth.login", PUBLIC, (c, w) => c.auth.login({ email: w.users.buyer.email, password: w.passwords.buyer })),
  row("auth.me", AUTHED, (c) => c.auth.me()),
  row("auth.setLocale", AUTHED, (c) => c.auth.setLocale({ locale: "en-GB" })),
  row("auth.logout", AUTHED, async (c, w, actor) => {
    if (actor === "anonymous") return c.auth.logout();
    return w.api.caller(await w.signIn(actor)).auth.logout();
  }),
  row("auth.changePassword", AUTHED, async (c, w, actor) => {
    if (actor === "anonymous") return c.auth.changePassword({ currentPassword: "whatever1", newPassword: "whatever2" });
    const next = `${w.passwords[actor]}+`;
    await w.api.caller(await w.signIn(actor)).auth.changePassword({ currentPassword: w.passwords[actor], newPassword: next });
    w.passwords[actor] = next;
  }),
  row("auth.becomeSeller", AUTHED, async (c, w, actor) => {
    if (actor === "anonymous") return c.auth.becomeSeller({ shopName: "Nobody's shop" });
    if (actor === "seller" || actor === "otherSeller") return c.auth.becomeSeller({ shopName: w.users[actor].shopName });
    // Opening a shop changes the actor for good: use a fresh account of the same role.
    const fresh = await createAccount(w.api, actor === "admin" ? "admin" : "buyer", "fresh password 1");
    return w.api.caller(fresh).auth.becomeSeller({ shopName: unique("Shop ") });
  }),
]);
