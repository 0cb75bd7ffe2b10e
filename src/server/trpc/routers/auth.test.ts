import { DomainError } from "~/core/errors";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { registerAccount, unique } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

describe("auth router", () => {
  test("register signs in a buyer, mirrors the user locally; me shows it", async () => {
    const email = `${unique("reg")}@example.test`;
    const out = await api.caller(null).auth.register({ email, password: "long enough pw", displayName: "Reg Ister" });
    expect(out.token).toMatch(/^ey/);
    expect(out.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(out.user).toMatchObject({ email, displayName: "Reg Ister", role: "buyer" });
    const user = await api.deps.sessions.authenticate(out.token);
    expect(await api.caller(user).auth.me()).toMatchObject({ id: out.user.id, email, role: "buyer", seller: null });
    await expect(api.caller(null).auth.register({ email, password: "long enough pw", displayName: "Again" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already exists/),
    });
  });

  test("the locale for mail: from registration (default en), changed by the person, refused when not a language tag", async () => {
    const plain = await api.caller(null).auth.register({ email: `${unique("loc")}@example.test`, password: "long enough pw", displayName: "Plain" });
    const plainUser = await api.deps.sessions.authenticate(plain.token);
    expect(await api.caller(plainUser).auth.me()).toMatchObject({ locale: "en" });

    const ru = await api.caller(null).auth.register({ email: `${unique("loc")}@example.test`, password: "long enough pw", displayName: "Иван", locale: "ru-ru" });
    const ruUser = await api.deps.sessions.authenticate(ru.token);
    // Signing in again (which mirrors the account) keeps it.
    await api.caller(null).auth.login({ email: ru.user.email, password: "long enough pw" });
    expect(await api.caller(ruUser).auth.me()).toMatchObject({ locale: "ru-RU" });

    expect(await api.caller(plainUser).auth.setLocale({ locale: "de-DE" })).toMatchObject({ locale: "de-DE" });
    await expect(api.caller(plainUser).auth.setLocale({ locale: "klingon please" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("must be a language tag such as en-GB, de-DE or ru-RU"),
    });
  });

  test("an email that moved to a new auth account is taken over by it locally", async () => {
    const email = `${unique("moved")}@example.test`;
    // A stale local row (say, from before the auth service's data was reset) holds the email.
    await api.deps.db.user.create({ data: { id: `stale-${unique()}`, email, displayName: "Old" } });
    const session = await api.deps.auth.register({ email, password: "long enough pw", displayName: "New", role: "buyer" });
    const user = await api.deps.sessions.authenticate(session.accessToken);
    expect(await api.caller(user).auth.me()).toMatchObject({ id: session.user.id, email });
  });

  test("login: right password gives a token, wrong one a clear UNAUTHORIZED", async () => {
    const { session, password } = await registerAccount(api.deps);
    const ok = await api.caller(null).auth.login({ email: session.user.email, password });
    expect(ok.user.id).toBe(session.user.id);
    await expect(api.caller(null).auth.login({ email: session.user.email, password: "wrong password" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Email or password is incorrect.",
    });
  });

  test("logout ends the session at once: the same token is refused", async () => {
    const { user, session } = await registerAccount(api.deps);
    await api.caller(user).auth.logout();
    await expect(api.deps.sessions.authenticate(session.accessToken)).rejects.toMatchObject({
      kind: "unauthenticated",
      message: expect.stringMatching(/session has ended/),
    });
  });

  test("a logout on another API replica is seen through the revocation list", async () => {
    const { user, session } = await registerAccount(api.deps);
    await api.deps.auth.revokeSession(user.sessionId); // as another replica would
    await expect(api.deps.sessions.authenticate(session.accessToken)).rejects.toBeInstanceOf(DomainError);
  });

  test("changePassword: needs the current password; the new one works", async () => {
    const { user, session, password } = await registerAccount(api.deps);
    await expect(api.caller(user).auth.changePassword({ currentPassword: "not it at all", newPassword: "brand new secret" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringMatching(/current password is incorrect/),
    });
    await api.caller(user).auth.changePassword({ currentPassword: password, newPassword: "brand new secret" });
    await expect(api.caller(null).auth.login({ email: session.user.email, password })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await api.caller(null).auth.login({ email: session.user.email, password: "brand new secret" });
  });

  test("becomeSeller opens a shop, makes the account a seller and asks to sign in again", async () => {
    const { user, session, password } = await registerAccount(api.deps);
    const shopName = unique("Shop ");
    const out = await api.caller(user).auth.becomeSeller({ shopName });
    expect(out).toMatchObject({ seller: { shopName }, signInAgain: true });
    // The old token carried role buyer: it no longer works.
    await expect(api.deps.sessions.authenticate(session.accessToken)).rejects.toMatchObject({ kind: "unauthenticated" });
    const again = await api.caller(null).auth.login({ email: session.user.email, password });
    expect(again.user.role).toBe("seller");
    const seller = await api.deps.sessions.authenticate(again.token);
    expect(await api.caller(seller).auth.me()).toMatchObject({ role: "seller", seller: { shopName } });
    // Repeating is harmless; another name is refused; a taken name is refused.
    expect(await api.caller(seller).auth.becomeSeller({ shopName })).toMatchObject({ signInAgain: false });
    await expect(api.caller(seller).auth.becomeSeller({ shopName: "Other Name" })).rejects.toMatchObject({ code: "CONFLICT" });
    const other = await registerAccount(api.deps);
    await expect(api.caller(other.user).auth.becomeSeller({ shopName })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("shopName"),
    });
  });
});
