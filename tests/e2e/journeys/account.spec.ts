import { expect, test, type Browser } from "@playwright/test";
import { formatDateTime } from "../../../src/web/datetime.ts";
import { DEMO_PASSWORD, PASSWORD, RUN, apiClient, apiSignIn, screenshot, signInThroughPage } from "./helpers.ts";

async function signedInPage(browser: Browser, email: string, password: string, timezoneId?: string) {
  const context = await browser.newContext({ timezoneId });
  const page = await context.newPage();
  await signInThroughPage(page, email, password);
  return page;
}

test("a password change ends the account's sessions in other browsers, and keeps this one", async ({ browser }) => {
  const email = `password-${RUN}@e2e.test`;
  await apiClient().auth.register.mutate({ email, password: PASSWORD, displayName: "Pat Word" });
  const laptop = await signedInPage(browser, email, PASSWORD);
  const phone = await signedInPage(browser, email, PASSWORD);

  await laptop.goto("/account");
  await laptop.getByLabel("Current password").fill(PASSWORD);
  await laptop.getByLabel(/^New password/).fill(`${PASSWORD}-new`);
  await laptop.getByLabel("Repeat the new password").fill(`${PASSWORD}-new`);
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByRole("status")).toHaveText("Your password was changed.");

  // The other browser is signed out within the API's revocation bound (AUTH_REVOCATION_REFRESH_MS,
  // 5 s by default): its account page sends it to sign in, and the shop still works for it as a visitor.
  await expect(async () => {
    await phone.goto("/account");
    await expect(phone).toHaveURL(/\/login\?next=%2Faccount/, { timeout: 1_000 });
  }).toPass();
  await expect(phone.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await phone.goto("/catalog");
  await expect(phone.getByRole("list", { name: "Products" }).getByRole("listitem").first()).toBeVisible();
  await expect(phone.getByRole("main").getByRole("alert")).toHaveCount(0);

  // The browser that changed it stays signed in; the new password is the one that works.
  await laptop.goto("/account");
  await expect(laptop.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await signInThroughPage(phone, email, `${PASSWORD}-new`);
});

test("times are shown in the viewer's time zone, in one format", async ({ browser }) => {
  const token = await apiSignIn("buyer@lavka.test");
  const [order] = (await apiClient(token).orders.list.query({ limit: 1 })).items;
  expect(order).toBeDefined();
  for (const timeZone of ["Asia/Tokyo", "America/New_York"]) {
    const page = await signedInPage(browser, "buyer@lavka.test", DEMO_PASSWORD, timeZone);
    // Sign-in set the browser's zone for the server; every page from now on uses it.
    await page.goto("/orders");
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: `Order #${order!.number}`, exact: true }) });
    await expect(row).toContainText(formatDateTime(order!.placedAt, { locale: "en-US", timeZone }));
    await expect(row).not.toContainText("UTC");
    // Items count units, as the cart did.
    await expect(row.getByRole("cell").nth(2)).toHaveText(String(order!.units));
    if (timeZone === "Asia/Tokyo") await screenshot(page, "orders", { phone: true });
    await page.goto(`/orders/${order!.id}`);
    await expect(page.getByRole("main")).toContainText(formatDateTime(order!.placedAt, { locale: "en-US", timeZone }));
    await page.context().close();
  }
});
